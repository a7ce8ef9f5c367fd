/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/*
 * Poison testing on the bus: Memdev.InjectPoison/ClearPoison/GetPoison by
 * DPA, Region.InjectPoison/ClearPoison/GetPoison by region offset, and
 * the PoisonChanged signal on both. The device commands run as jobs
 * (job.h), queued with the region lifecycle, so a poison write never
 * races a region teardown the daemon itself runs.
 *
 * Memory online as system RAM is refused (org.cxlmemd1.Error.MemoryOnline)
 * unless the call passes force=true: poisoning memory the kernel hands
 * out can crash whatever reads it.
 */
extern const sd_bus_vtable poison_memdev_vtable[];
extern const sd_bus_vtable poison_region_vtable[];

/* The vtables, and the watch on the CXL media error trace events. */
int poison_bus_register(Manager *m);

/* Stable MESSAGE_IDs for the journal. */
#define MESSAGE_POISON_INJECTED "4b2f00844bdd4d83b3d1853b3bf9ec7a"
#define MESSAGE_POISON_CLEARED "49aaf133361242e4ab14f2b98c3a9f8d"
#define MESSAGE_POISON_MEDIA_ERROR "556d41529ddf490abf899739577756a3"
