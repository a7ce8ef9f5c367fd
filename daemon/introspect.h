/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "bus-interfaces.h"

/*
 * Introspection XML exactly as sd-bus serves it for @iface, as a
 * standalone document (the format of the files under dbus/). It is
 * produced by registering the vtable on a private socketpair bus and
 * calling Introspect on it, so it cannot differ from what the daemon
 * answers on the real bus.
 */
int bus_introspect_interface(const struct bus_interface *iface, char **ret_xml);

/*
 * Cut the <interface name="@name"> element out of a full introspection
 * document and wrap it into a standalone document. Pure. Returns -ENOENT
 * when the document has no such interface.
 */
int xml_extract_interface(const char *xml, const char *name, char **ret_xml);
