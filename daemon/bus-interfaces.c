// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "bus-interfaces.h"
#include "manager-bus.h"

const struct bus_interface cxlmemd_bus_interfaces[] = {
	{ "org.cxlmemd1.Manager", manager_vtable },
	{}
};

const struct bus_interface *bus_interface_find(const char *name)
{
	for (const struct bus_interface *i = cxlmemd_bus_interfaces; i->name; i++)
		if (strcmp(i->name, name) == 0)
			return i;
	return NULL;
}
