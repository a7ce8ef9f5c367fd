/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <systemd/sd-bus.h>

#define CXLMEMD_BUS_NAME "org.cxlmemd1"
#define CXLMEMD_OBJECT_ROOT "/org/cxlmemd1"

/*
 * Every D-Bus interface the daemon serves, with its vtable. The shipped
 * XML under dbus/ is checked against this table (unit and bus tests), and
 * --bus-introspect prints from it.
 */
struct bus_interface {
	const char *name;
	const sd_bus_vtable *(*vtable)(void);
	/* A second vtable on the same interface (methods of dynamic objects,
	 * served with the Manager as userdata), or NULL. */
	const sd_bus_vtable *(*methods)(void);
	/* A third one (poison methods of regions), or NULL. */
	const sd_bus_vtable *(*more)(void);
};

/* Terminated by an entry with name == NULL. */
extern const struct bus_interface cxlmemd_bus_interfaces[];

const struct bus_interface *bus_interface_find(const char *name);
