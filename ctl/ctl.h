/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "exit-code.h"
#include "verbs.h"

#define CXLMEMD_BUS_NAME "org.cxlmemd1"
#define CXLMEMD_ROOT "/org/cxlmemd1"
#define IFACE(x) "org.cxlmemd1." x

struct ctl {
	sd_bus *bus;
	const struct ctl_args *args;
};

/*
 * Report a failed call as the daemon's sentence (and its error name, for
 * searching the man page), return the exit status it maps to.
 */
enum ctl_exit ctl_call_failed(const char *what, const sd_bus_error *error, int r);

/* Call method @member of @iface on @path; @reply may be NULL. */
int ctl_call(struct ctl *c, const char *path, const char *iface, const char *member,
	     sd_bus_message **reply, const char *types, ...);

/* GetManagedObjects as JSON: { path: { interface: { property: value } } }. */
enum ctl_exit ctl_objects(struct ctl *c, struct json_object **ret);

/*
 * The object @arg names: its path, a kernel name (mem0, decoder0.0,
 * region0, dax0.0) or a Soft Reserved range's start. @iface restricts
 * the kinds (NULL: any). Returns the path inside @objects, or NULL after
 * saying why on stderr.
 */
const char *ctl_find(struct json_object *objects, const char *arg, const char *const ifaces[]);

/* The interface of ours the object at @props has (the kind), or NULL. */
const char *ctl_kind(struct json_object *ifaces, struct json_object **ret_props);

/* Verbs that read: status, list, show, monitor (show.c). */
enum ctl_exit verb_status(struct ctl *c);
enum ctl_exit verb_list(struct ctl *c);
enum ctl_exit verb_show(struct ctl *c);
enum ctl_exit verb_monitor(struct ctl *c);
enum ctl_exit verb_poison_list(struct ctl *c);
enum ctl_exit verb_ownership_explain(struct ctl *c);

/*
 * Serve the bus until SIGINT or SIGTERM (monitor, attach --hold).
 * 0, or < 0 if the bus was lost.
 */
int ctl_run_until_signal(struct ctl *c);

/* Print @j for --json (one line, no trailing spaces). */
void ctl_print_json(struct json_object *j);
