/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "model.h"
#include "region-ops.h"

/*
 * The daemon's one context: event loop, bus connection and, as later
 * work lands, the topology it manages.
 */
typedef struct Manager {
	sd_event *event;
	sd_bus *bus;
	sd_bus_slot *name_slot;
	bool name_acquired;

	struct udev *udev;
	struct udev_monitor *monitor;
	sd_event_source *monitor_source;
	sd_event_source *refresh_timer;
	bool refresh_deferred;		/* uevents came while a job ran */
	/* What the pending refresh must read: only these memdevs, unless
	 * another kind of uevent came too (monitor.c). */
	char **refresh_memdevs;
	bool refresh_full;
	bool refresh_timer_full;	/* the armed timer is the coalescing one */
	/* Uevents while a job ran, until its own refresh covers them. */
	char **job_uevents;
	/* The whole walk after uevents runs in the background (monitor.c). */
	struct topology_walk *walk;
	int walk_fd;
	sd_event_source *walk_source;
	uint64_t walk_started;
	unsigned model_serial;		/* counts the models installed */
	unsigned walk_serial;		/* model_serial when the walk began */

	struct model model;		/* what the bus serves right now */
	/* Manager properties derived from the model and the kernel. */
	char *kernel_version;
	char **capabilities;
	char *capabilities_note;
	uint32_t counts[8];		/* last announced object counts */

	/* Region lifecycle: the kernel seam (tests swap it) and leases. */
	const struct region_ops *region_ops;
	struct job_queue *jobs;		/* kernel steps off the event loop */
	struct lease *leases;
	unsigned lease_counter;

	/* Soft Reserved ownership policy (ownership-bus.h). */
	struct ownership *ownership;
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);

/*
 * Attach to the system bus (or $DBUS_SYSTEM_BUS_ADDRESS), register every
 * object, start the uevent monitor and take the first snapshot, send
 * READY=1, and only then request the bus name: the name appears after
 * READY, and a client that sees it finds every object already there.
 */
int manager_start(Manager *m);

/* Run until SIGTERM/SIGINT (returns 0) or a fatal error (< 0). */
int manager_run(Manager *m);

static inline void manager_freep(Manager **m)
{
	manager_free(*m);
}
