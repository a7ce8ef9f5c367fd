/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bus-harness.h"
#include "fixture-bed.h"

/*
 * What the host benchmarks share: a synthetic tree from bench/synth-tree
 * loaded into a fixture bed, `cxl list` run over it, and the check that
 * both `cxl list` and the daemon see the whole tree, so no figure is
 * measured on a tree that something read only in part.
 */
struct synth_counts {
	long memdevs, regions, windows, dax_devices;
	long decoders;		/* the ones `cxl list -D` shows: in use */
};

/* DIR/NAME.counts.json as bench/synth-tree wrote it. */
int synth_read_counts(const char *dir, const char *name, struct synth_counts *ret);

struct rusage;

/*
 * Run @argv (argv[0] looked up in PATH) in @b's environment: stdout into
 * *@out if @out (free() it), else to /dev/null; *@usec the wall time from
 * fork to reaped, *@ru its rusage (either may be NULL). Returns 0, or < 0
 * if it did not exit 0.
 */
int synth_run(struct fixture_bed *b, char *const *argv, char **out, uint64_t *usec,
	      struct rusage *ru);

/*
 * Run `cxl ARGS...` over @b (NULL-terminated @argv after "cxl"); its
 * stdout into *@out if @out (free() it), else to /dev/null. *@usec: wall
 * time from fork to reaped. Returns 0, or < 0 if it did not exit 0.
 */
int synth_run_cxl(struct fixture_bed *b, const char *const *argv, char **out, uint64_t *usec);

/* Memdevs, regions, root decoders (windows), decoders in `cxl list -M -D -R` JSON. */
int synth_count_cxl_list(const char *json, struct synth_counts *ret);

/* The daemon's Manager counts (NMemdevs, NRegions, NWindows, NDaxDevices). */
int synth_daemon_counts(struct bus_env *e, struct synth_counts *ret);

/*
 * `cxl list -M -D -R -u` and the daemon on the bus against @want: prints
 * one line per side to stderr; returns 0 if both see all of it, else
 * -EBADMSG. @e NULL: `cxl list` only.
 */
int synth_verify(struct fixture_bed *b, struct bus_env *e, const struct synth_counts *want);

/* Wait for READY=1 on @e's notify socket, then the bus name: 0 or < 0. */
int synth_wait_ready(struct bus_env *e, int timeout_ms);

/* Monotonic microseconds. */
uint64_t synth_now_usec(void);

/* Nearest-rank percentile @p of @v (sorted in place), in milliseconds. */
double synth_pct_ms(uint64_t *v, size_t n, unsigned p);
