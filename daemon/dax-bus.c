// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bouncer.h"
#include "log.h"
#include "model-bus.h"
#include "monitor.h"
#include "region-bus.h"
#include "region-job.h"

/*
 * DaxDevice.Online(zone)/Offline(): the memory of any dax device as
 * system RAM through libdaxctl (kmem), for the devices no region owns,
 * such as dax_hmem's Soft Reserved ranges. A region's dax device goes
 * through Region.Online/Offline, where leases are honoured.
 */

static int find_dax_methods(sd_bus *bus, const char *path, const char *interface,
			    void *userdata, void **found, sd_bus_error *error)
{
	return find_object_methods(userdata, OBJECT_DAX, path, found);
}

static int dax_prologue(Manager *m, sd_bus_message *msg, struct dax **ret,
			sd_bus_error *error)
{
	struct dax *d = object_by_path(m, OBJECT_DAX, sd_bus_message_get_path(msg));
	int r;

	if (!d)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_OBJECT,
					"The dax device is gone.");
	/* authorization before anything that tells the caller about state */
	r = bouncer_check(msg, ACTION_REGION_MEMORY, error);
	if (r != 0)
		return r;
	if (d->region && *d->region)
		return sd_bus_error_setf(error, ERROR_PREFIX "Busy",
					 "%s belongs to region %s; use that region's Online and "
					 "Offline, which honour its consumers' leases.", d->name,
					 d->region);
	*ret = d;
	return 0;
}

static int dax_job(Manager *m, sd_bus_message *msg, const struct dax *d,
		   enum region_job_op op, const char *zone)
{
	struct region_job *j = region_job_new(m, op);

	if (!j)
		return -ENOMEM;
	snprintf(j->dax, sizeof(j->dax), "%s", d->name);
	snprintf(j->owner, sizeof(j->owner), "dax device");
	if (zone) {
		snprintf(j->zone, sizeof(j->zone), "%s", zone);
		snprintf(j->what, sizeof(j->what), "Onlined the memory of %s (zone %s)", d->name,
			 zone);
	} else
		snprintf(j->what, sizeof(j->what), "Offlined the memory of %s", d->name);
	return region_job_start(m, msg, j);
}

static int method_dax_online(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct dax *d = NULL;
	const char *zone;
	int r;

	QUEUE_BEHIND_JOB(m, msg, method_dax_online);
	r = read_zone(msg, &zone, error);
	if (r < 0)
		return r;
	r = dax_prologue(m, msg, &d, error);
	if (r != 0)
		return r;
	return dax_job(m, msg, d, REGION_JOB_ONLINE, zone);
}

static int method_dax_offline(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct dax *d = NULL;
	int r;

	QUEUE_BEHIND_JOB(m, msg, method_dax_offline);
	r = dax_prologue(m, msg, &d, error);
	if (r != 0)
		return r;
	return dax_job(m, msg, d, REGION_JOB_OFFLINE, NULL);
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
