/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"
#include "model.h"

/*
 * The D-Bus side of the model: one fallback vtable per object type,
 * generated from the type's property table, served from m->model.
 */
const sd_bus_vtable *model_bus_vtable(enum object_type t);
int model_bus_register(Manager *m);

/* Path of object @name of type @t (caller frees), NULL on OOM. */
char *model_bus_path(enum object_type t, const char *name);

/* The object of type @t in @model at bus path @path, NULL if none. */
void *model_bus_object(const struct model *model, enum object_type t, const char *path);

/*
 * Emit InterfacesAdded/PropertiesChanged/InterfacesRemoved for every
 * difference between @old and the model now installed in @m; nothing
 * while the bus name is not (yet, or any more) ours.
 */
int model_bus_emit_changes(Manager *m, const struct model *old);

/* The same for one object of type @t that stays, from state @old to @new. */
int model_bus_emit_object_change(Manager *m, enum object_type t, const void *old,
				 const void *new);
