// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "bus-interfaces.h"
#include "manager-bus.h"
#include "model-bus.h"
#include "ownership-bus.h"
#include "poison-bus.h"
#include "region-bus.h"

static const sd_bus_vtable *manager(void) { return manager_vtable; }
static const sd_bus_vtable *memdev(void) { return model_bus_vtable(OBJECT_MEMDEV); }
static const sd_bus_vtable *window(void) { return model_bus_vtable(OBJECT_WINDOW); }
static const sd_bus_vtable *region(void) { return model_bus_vtable(OBJECT_REGION); }
static const sd_bus_vtable *window_methods(void) { return window_bus_vtable; }
static const sd_bus_vtable *region_methods(void) { return region_bus_vtable; }
static const sd_bus_vtable *dax_methods(void) { return dax_bus_vtable; }
static const sd_bus_vtable *manager_ownership(void) { return ownership_manager_vtable; }
static const sd_bus_vtable *range_ownership(void) { return ownership_range_vtable; }
static const sd_bus_vtable *memdev_poison(void) { return poison_memdev_vtable; }
static const sd_bus_vtable *region_poison(void) { return poison_region_vtable; }
static const sd_bus_vtable *dax(void) { return model_bus_vtable(OBJECT_DAX); }
static const sd_bus_vtable *softreserved(void)
{
	return model_bus_vtable(OBJECT_SOFTRESERVED);
}

const struct bus_interface cxlmemd_bus_interfaces[] = {
	{ "org.cxlmemd1.Manager", manager, manager_ownership },
	{ "org.cxlmemd1.Memdev", memdev, memdev_poison },
	{ "org.cxlmemd1.Window", window, window_methods },
	{ "org.cxlmemd1.Region", region, region_methods, region_poison },
	{ "org.cxlmemd1.DaxDevice", dax, dax_methods },
	{ "org.cxlmemd1.SoftReservedRange", softreserved, range_ownership },
	{}
};

const struct bus_interface *bus_interface_find(const char *name)
{
	for (const struct bus_interface *i = cxlmemd_bus_interfaces; i->name; i++)
		if (strcmp(i->name, name) == 0)
			return i;
	return NULL;
}
