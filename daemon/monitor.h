/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "manager.h"

/*
 * Keep m->model in step with the kernel. The udev monitor is started
 * before the first enumeration, so no event falls between the two; after
 * events, one refresh per burst (coalesced for MONITOR_COALESCE_USEC)
 * emits the differences. A burst of uevents for memdevs alone reads just
 * those memdevs again; any other uevent re-enumerates everything.
 */
#define MONITOR_COALESCE_USEC (20 * 1000)
/* How late the coalesced refresh may fire: part of the 100 ms budget. */
#define MONITOR_COALESCE_ACCURACY_USEC (1 * 1000)

int monitor_start(Manager *m);
void monitor_stop(Manager *m);

/* Re-enumerate now and emit what changed. */
int monitor_refresh(Manager *m);
