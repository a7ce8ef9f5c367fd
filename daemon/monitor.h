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
 * MONITOR_COALESCE_USEC), and takes the memdevs pending with it; that
 * walk runs in a thread while the event loop keeps serving the model it
 * has, which the walk's result replaces unless a job or another refresh
 * came meanwhile (then it walks again).
 */
#define MONITOR_COALESCE_USEC (20 * 1000)
/* How late the coalesced refresh may fire: part of the 100 ms budget. */
#define MONITOR_COALESCE_ACCURACY_USEC (1 * 1000)

int monitor_start(Manager *m);
void monitor_stop(Manager *m);

/* Re-enumerate now and emit what changed. */
int monitor_refresh(Manager *m);

/*
 * After a region job in @window, before the event loop serves anything
 * else: read again what the job can have changed (topology_read_regions(),
 * with the free capacity of @memdevs) and emit what changed, so a call
 * made after the job's reply sees its result. The job's uevents of
 * devices below @window are covered by it; others still bring the whole
 * walk, in the background.
 */
int monitor_refresh_regions(Manager *m, const char *window, char *const *memdevs);

/*
 * A job's kernel steps are over (job.c), before it answers: read the
 * uevents they queued, so they count as the job's (their devices are read
 * again by the job's refresh, monitor_refresh_regions()). Returns how
 * many were read; on_uevent() reads the socket the same way.
 */
int monitor_drain(Manager *m);

/*
 * A job ended (job.c): the uevents that came while it ran and that its
 * refresh did not cover take the whole walk now, with any refresh held
 * for it.
 */
void monitor_job_ended(Manager *m);
