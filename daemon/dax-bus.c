// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bouncer.h"
#include "log.h"
#include "model-bus.h"
#include "monitor.h"
#include "region-bus.h"

/*
 * DaxDevice.Online(zone)/Offline(): the memory of any dax device as
 * system RAM through libdaxctl (kmem), for the devices no region owns,
 * such as dax_hmem's Soft Reserved ranges. A region's dax device goes
 * through Region.Online/Offline, where leases are honoured.
 */

#define MESSAGE_DAX_CHANGED "41ee83ffdd4a40139c9f1edb84783862"

static int find_dax_methods(sd_bus *bus, const char *path, const char *interface,
			    void *userdata, void **found, sd_bus_error *error)
{
	Manager *m = userdata;

	if (!object_by_path(m, OBJECT_DAX, path))
		return 0;
	*found = m;
	return 1;
}

static int dax_prologue(Manager *m, sd_bus_message *msg, struct dax **ret,
			sd_bus_error *error)
{
	struct dax *d = object_by_path(m, OBJECT_DAX, sd_bus_message_get_path(msg));

	if (!d)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_OBJECT,
					"The dax device is gone.");
	if (d->region && *d->region)
		return sd_bus_error_setf(error, ERROR_PREFIX "Busy",
					 "%s belongs to region %s; use that region's Online and "
					 "Offline, which honour its consumers' leases.", d->name,
					 d->region);
	*ret = d;
	return bouncer_check(msg, ACTION_REGION_MEMORY, error);
}

static int method_dax_online(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct dax *d = NULL;
	const char *zone;
	char what[128];
	int r;

	r = sd_bus_message_read(msg, "s", &zone);
	if (r < 0)
		return r;
	if (strcmp(zone, "movable") != 0 && strcmp(zone, "normal") != 0)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
					 "Zone '%s' is not \"movable\" or \"normal\".", zone);
	r = dax_prologue(m, msg, &d, error);
	if (r < 0)
		return r;
	if (dax_memory_online(m, d->name, "dax device", zone, &f) < 0) {
		log_failure(msg, NULL, NULL, &f);
		return fail_reply(error, &f);
	}
	snprintf(what, sizeof(what), "Onlined the memory of %s (zone %s)", d->name, zone);
	log_event(MESSAGE_DAX_CHANGED, LOG_INFO, msg, NULL, NULL, what);
	(void)monitor_refresh(m);
	return sd_bus_reply_method_return(msg, NULL);
}

static int method_dax_offline(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct dax *d = NULL;
	char what[128];
	int r;

	r = dax_prologue(m, msg, &d, error);
	if (r < 0)
		return r;
	if (dax_memory_offline(m, d->name, "dax device", &f) < 0) {
		log_failure(msg, NULL, NULL, &f);
		return fail_reply(error, &f);
	}
	snprintf(what, sizeof(what), "Offlined the memory of %s", d->name);
	log_event(MESSAGE_DAX_CHANGED, LOG_INFO, msg, NULL, NULL, what);
	(void)monitor_refresh(m);
	return sd_bus_reply_method_return(msg, NULL);
}

const sd_bus_vtable dax_bus_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("Online", SD_BUS_ARGS("s", zone), SD_BUS_NO_RESULT,
				method_dax_online, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Offline", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
				method_dax_offline, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int dax_bus_register(Manager *m)
{
	return sd_bus_add_fallback_vtable(m->bus, NULL, "/org/cxlmemd1/dax",
					  "org.cxlmemd1.DaxDevice", dax_bus_vtable,
					  find_dax_methods, m);
}
