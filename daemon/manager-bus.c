// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "bus-interfaces.h"
#include "manager-bus.h"
#include "model-bus.h"

static int property_get_version(sd_bus *bus, const char *path,
				const char *interface, const char *property,
				sd_bus_message *reply, void *userdata,
				sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", CXLMEMD_VERSION);
}

const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Version", "s", property_get_version, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END
};

int manager_bus_register(Manager *m)
{
	int r;

	r = sd_bus_add_object_vtable(m->bus, NULL, CXLMEMD_OBJECT_ROOT,
				     "org.cxlmemd1.Manager", manager_vtable, m);
	if (r < 0)
		return r;

	r = model_bus_register(m);
	if (r < 0)
		return r;

	return sd_bus_add_object_manager(m->bus, NULL, CXLMEMD_OBJECT_ROOT);
}
