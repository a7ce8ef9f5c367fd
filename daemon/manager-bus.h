/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

extern const sd_bus_vtable manager_vtable[];

/* Register /org/cxlmemd1 (Manager + ObjectManager) on m->bus. */
int manager_bus_register(Manager *m);
