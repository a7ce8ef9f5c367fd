/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

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

/* Manager.CreateRegion(window o, mode s, size t, ways u, granularity u,
 * memdevs ao, options a{sv}) -> o */
int method_manager_create_region(sd_bus_message *msg, void *userdata, sd_bus_error *error);
