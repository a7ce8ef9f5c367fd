/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <systemd/sd-bus.h>

#include "manager.h"

/*
 * Consumer leases on regions (Region.Attach/Detach). A lease is tied to
 * the caller's bus connection through sd_bus_track: when the client
 * disconnects or dies, the lease goes and Attachments changes. While a
 * region is leased, Delete/Offline/Disable refuse unless forced.
 */
struct lease;

int lease_attach(Manager *m, sd_bus_message *msg, const char *region, const char *consumer,
		 const char **ret_id);
/* -ENOENT if @region has no lease @id. */
int lease_detach(Manager *m, const char *region, const char *id);
/* Leases on @region; *ret_list (if asked) names them for a message. */
size_t lease_count(Manager *m, const char *region, char **ret_list);
/* Append the a(sss) Attachments value (lease, consumer, bus name). */
int lease_append(Manager *m, const char *region, sd_bus_message *reply);
void lease_drop_region(Manager *m, const char *region);
/* Drop leases of regions no longer in the model. */
void lease_prune(Manager *m);
void lease_free_all(Manager *m);
