/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <systemd/sd-bus.h>

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
 * Every method runs to completion inside its handler: the kernel steps
 * are short sysfs writes (commit, driver bind) except onlining a large
 * region's memory, which blocks the bus for as long as the kernel takes.
 * Calls are therefore serialized: two CreateRegion calls on one window
 * run one after the other, and the second either gets disjoint space or
 * fails cleanly with the first one's result visible.
 */
extern const sd_bus_vtable window_bus_vtable[];
extern const sd_bus_vtable region_bus_vtable[];

int region_bus_register(Manager *m);
int window_bus_register(Manager *m);
int dax_bus_register(Manager *m);
extern const sd_bus_vtable dax_bus_vtable[];

/* ---- shared by region-bus.c and window-bus.c ---- */

#define ERROR_PREFIX "org.cxlmemd1.Error."

/* Reply with the named error for @f. */
int fail_reply(sd_bus_error *error, const struct region_fail *f);
/* Journal entry (stable MESSAGE_ID @id) naming region, window, caller. */
void log_event(const char *id, int priority, sd_bus_message *msg, const char *region,
	       const char *window, const char *what);
void log_failure(sd_bus_message *msg, const char *region, const char *window,
		 const struct region_fail *f);
/* The model object of type @t served at @path, or NULL. */
void *object_by_path(Manager *m, enum object_type t, const char *path);

/* What the kernel says about the memdevs (region-ops memdev_slot). */
struct facts {
	struct memdev_facts *v;
	size_t n;
};

/* Every memdev of the model, or just @only. */
int facts_gather(struct facts *f, const Manager *m, const char *only);
void facts_done(struct facts *f);

/* Online/offline a dax device's memory through the seam; @owner names
 * what it belongs to in the message. -1 with @f filled on failure. */
int dax_memory_online(Manager *m, const char *dax, const char *owner, const char *zone,
		      struct region_fail *f);
int dax_memory_offline(Manager *m, const char *dax, const char *owner,
		       struct region_fail *f);
int region_bus_memory_online(Manager *m, sd_bus_message *msg, const struct region *r,
			     const char *zone, sd_bus_error *error);

/* Manager.CreateRegion(window o, mode s, size t, ways u, granularity u,
 * memdevs ao, options a{sv}) -> o */
int method_manager_create_region(sd_bus_message *msg, void *userdata, sd_bus_error *error);
