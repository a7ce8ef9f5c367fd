/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <systemd/sd-bus.h>

/*
 * The next complete value of @m as JSON, whatever its D-Bus type:
 * numbers as numbers (t as an unsigned 64-bit integer: exact bytes),
 * strings and object paths as strings, arrays of dict entries as
 * objects, other arrays and structs as arrays, variants unwrapped.
 * One converter serves properties, signals and poison records alike,
 * so --json never depends on which property the client knows.
 */
int bus_read_json(sd_bus_message *m, struct json_object **ret);

/* a{sv} -> JSON object; the message is positioned at the array. */
int bus_read_dict_json(sd_bus_message *m, struct json_object **ret);
