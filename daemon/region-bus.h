/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "job.h"
#include "manager.h"
#include "region-request.h"

/*
 * The region lifecycle on the bus: Manager.CreateRegion,
 * Window.CreateRegion/CreateEmptyRegion, and the Region methods
 * (Delete, AttachTarget, DetachTarget, Commit, Decommit, Enable, Disable,
 * Online, Offline, Attach, Detach) with the Attachments property. These
 * vtables sit next to the model's property vtables on the same
 * interfaces, with the Manager as userdata.
 *
 * Validation runs in the handler, against the model. The kernel steps of
 * CreateRegion, Commit, Enable, Disable, Delete, Online and Offline run
 * as a job in a worker thread (job.h, region-job.h), so the bus keeps
 * being served while the kernel commits or onlines memory; the call
 * replies when its job is done. The few-write steps (CreateEmptyRegion,
 * AttachTarget, DetachTarget, Decommit) run in the handler. Every
 * changing call is serialized behind the running job: two CreateRegion
 * calls on one window run one after the other, and the second either
 * gets disjoint space or fails cleanly with the first one's result
 * visible.
 */
extern const sd_bus_vtable window_bus_vtable[];
extern const sd_bus_vtable region_bus_vtable[];

int region_bus_register(Manager *m);
int window_bus_register(Manager *m);
int dax_bus_register(Manager *m);
extern const sd_bus_vtable dax_bus_vtable[];

/* ---- shared by region-bus.c and window-bus.c ---- */

/* At the top of every changing method: queue the call behind a running
 * job (job.h) and reply later. */
#define QUEUE_BEHIND_JOB(m, msg, handler)                  \
	do {                                               \
		if (job_defer((m)->jobs, (msg), (handler))) \
			return 1;                          \
	} while (0)

#define ERROR_PREFIX "org.cxlmemd1.Error."

/* Stable MESSAGE_IDs for the journal: what an operator greps for. */
#define MESSAGE_REGION_CREATED "c09ecb0e83154ed2b0b294e47076ecda"
#define MESSAGE_REGION_DELETED "5c0d387a5f4142218ce5b60b226592e4"
#define MESSAGE_REGION_CHANGED "41ee83ffdd4a40139c9f1edb84783862"
#define MESSAGE_REGION_FAILED "a176752c33bd4ba7a39d5a92f789c245"

/* Reply with the named error for @f. */
int fail_reply(sd_bus_error *error, const struct region_fail *f);
/* Journal entry (stable MESSAGE_ID @id) naming region, window, caller. */
void log_event(const char *id, int priority, sd_bus_message *msg, const char *region,
	       const char *window, const char *what);
void log_failure(sd_bus_message *msg, const char *region, const char *window,
		 const struct region_fail *f);
/* The model object of type @t served at @path, or NULL. */
void *object_by_path(Manager *m, enum object_type t, const char *path);
/* The fallback vtables' find callback: the Manager if @path serves an
 * object of type @t. */
int find_object_methods(Manager *m, enum object_type t, const char *path, void **found);
/* Reply with the object path of region @name. */
int reply_region_path(sd_bus_message *msg, const char *name);

/* What the kernel says about the memdevs (region-ops memdev_slot). */
struct facts {
	struct memdev_facts *v;
	size_t n;
};

/* Every memdev of the model, or just the @n_only named in @only (each
 * libcxl walk costs: ask only about the memdevs a call names). */
int facts_gather(struct facts *f, const Manager *m, const char *const *only, size_t n_only);
void facts_done(struct facts *f);

/*
 * Walk the a{sv} options argument of a method: @fn reads the value of each
 * key and returns >= 0, or sets @error (unknown key, wrong type) and
 * returns < 0. Closes the container.
 */
typedef int (*option_fn)(sd_bus_message *msg, const char *key, void *userdata,
			 sd_bus_error *error);
int read_options(sd_bus_message *msg, option_fn fn, void *userdata, sd_bus_error *error);

/* A random pmem region uuid, canonical form (window-bus.c). */
int generate_uuid(char out[37]);

/* The zone argument of an Online method: "movable" or "normal". */
int read_zone(sd_bus_message *msg, const char **ret, sd_bus_error *error);

/* Online/offline a dax device's memory through the seam (any thread);
 * @owner names what it belongs to in the message. -1 with @f filled on
 * failure. */
int dax_memory_online(const struct region_ops *ops, const char *dax, const char *owner,
		      const char *zone, struct region_fail *f);
int dax_memory_offline(const struct region_ops *ops, const char *dax, const char *owner,
		       struct region_fail *f);

/* Manager.CreateRegion(window o, mode s, size t, ways u, granularity u,
 * memdevs ao, options a{sv}) -> o */
int method_manager_create_region(sd_bus_message *msg, void *userdata, sd_bus_error *error);
