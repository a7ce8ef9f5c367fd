/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

extern const sd_bus_vtable manager_vtable[];

/* Register /org/cxlmemd1 (Manager + ObjectManager) and the model objects. */
int manager_bus_register(Manager *m);

/*
 * Recompute the Manager's derived properties (capabilities, counts) from
 * m->model and emit PropertiesChanged for those that changed.
 */
int manager_bus_update(Manager *m);
