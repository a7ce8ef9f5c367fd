/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "manager.h"

/*
 * Keep m->model in step with the kernel. The udev monitor is started
 * before the first enumeration, so no event falls between the two; after
 * events, a refresh emits the differences. Uevents that only say memdevs
 * changed ("change" on cxl_memdev) are answered at once: every uevent
 * queued on the socket is read first, then just those memdevs are read
 * again, so a storm batches itself by the daemon's own pace. Any other
 * uevent re-enumerates everything, once per burst (coalesced for
 * MONITOR_COALESCE_USEC), and takes the memdevs pending with it.
 */
#define MONITOR_COALESCE_USEC (20 * 1000)
/* How late the coalesced refresh may fire: part of the 100 ms budget. */
#define MONITOR_COALESCE_ACCURACY_USEC (1 * 1000)

int monitor_start(Manager *m);
void monitor_stop(Manager *m);

/* Re-enumerate now and emit what changed. */
int monitor_refresh(Manager *m);
