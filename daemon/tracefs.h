/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A small reader of the kernel's CXL trace events, in a tracefs instance
 * of our own (instances/NAME), so cxlmemd neither sees nor disturbs what
 * other tracers (cxl monitor, perf, trace-cmd) do in the top-level
 * buffer. The text format read here is the events' TP_printk, a stable
 * key=value line; parsing it needs no libtraceevent (see the commit that
 * added this file for why not libtracefs).
 */

/* The tracefs mount point, or NULL when tracefs is not mounted. */
const char *tracefs_root(void);

/*
 * Create instance @name if needed and enable each of the @events
 * ("cxl/cxl_poison"). 0 or -errno (-ENOENT: no tracefs or no such event,
 * i.e. a kernel without CXL tracing).
 */
int tracefs_instance_setup(const char *name, const char *const *events, size_t n_events);
/* Empty the instance's buffer. */
int tracefs_instance_clear(const char *name);
/* The instance's buffer as text (caller frees); NULL with errno set. */
char *tracefs_instance_read(const char *name);
/* trace_pipe of the instance, opened non-blocking: a consuming reader
 * that can be polled. fd or -errno. */
int tracefs_instance_pipe(const char *name);

/* One cxl_poison event, as TP_printk prints it. */
struct poison_record {
	char memdev[32];
	char region[64];	/* "" when the DPA is not mapped */
	char type[16];		/* List, Inject, Clear */
	char source[16];	/* Unknown, External, Internal, Injected, Vendor */
	uint64_t hpa;		/* UINT64_MAX when not mapped */
	uint64_t dpa;
	uint64_t length;
};

/*
 * Parse one line of trace text. 1 and @rec filled for a cxl_poison event,
 * 0 for any other line, -EBADMSG for a cxl_poison line missing a field.
 */
int poison_record_parse(const char *line, struct poison_record *rec);

/*
 * The value of "KEY=" in the event part of a trace line (after the
 * event name's colon) into @buf; false when absent. For the memdev= and
 * region= of any CXL event.
 */
bool trace_line_field(const char *line, const char *key, char *buf, size_t size);
