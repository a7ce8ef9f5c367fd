// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "config.h"

#include "bus-interfaces.h"
#include "log.h"
#include "manager-bus.h"
#include "model-bus.h"
#include "model-json.h"
#include "poison-bus.h"
#include "region-bus.h"
#include "strv.h"
#include "topology.h"

static int property_get_version(sd_bus *bus, const char *path,
				const char *interface, const char *property,
				sd_bus_message *reply, void *userdata,
				sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", CXLMEMD_VERSION);
}

static int property_get_kernel_version(sd_bus *bus, const char *path,
				       const char *interface, const char *property,
				       sd_bus_message *reply, void *userdata,
				       sd_bus_error *error)
{
	Manager *m = userdata;

	return sd_bus_message_append(reply, "s", m->kernel_version ?: "");
}

static int property_get_capabilities(sd_bus *bus, const char *path,
				     const char *interface, const char *property,
				     sd_bus_message *reply, void *userdata,
				     sd_bus_error *error)
{
	Manager *m = userdata;

	return sd_bus_message_append_strv(reply, m->capabilities);
}

static int property_get_capabilities_note(sd_bus *bus, const char *path,
					  const char *interface, const char *property,
					  sd_bus_message *reply, void *userdata,
					  sd_bus_error *error)
{
	Manager *m = userdata;

	return sd_bus_message_append(reply, "s", m->capabilities_note ?: "");
}

static const struct {
	const char *property;
	enum object_type type;
} count_props[] = {
	{ "NMemdevs", OBJECT_MEMDEV },
	{ "NWindows", OBJECT_WINDOW },
	{ "NRegions", OBJECT_REGION },
	{ "NDaxDevices", OBJECT_DAX },
	{ "NSoftReservedRanges", OBJECT_SOFTRESERVED },
};

static int property_get_count(sd_bus *bus, const char *path, const char *interface,
			      const char *property, sd_bus_message *reply, void *userdata,
			      sd_bus_error *error)
{
	Manager *m = userdata;

	for (size_t i = 0; i < ELEMENTSOF(count_props); i++)
		if (strcmp(count_props[i].property, property) == 0)
			return sd_bus_message_append(
				reply, "u", (uint32_t)model_count(&m->model, count_props[i].type));
	return -ENOENT;
}

static int method_get_topology(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	_cleanup_free_ char *json = model_to_json(&m->model);

	if (!json)
		return -ENOMEM;
	return sd_bus_reply_method_return(msg, "s", json);
}

#define COUNT_PROPERTY(name)                                          \
	SD_BUS_PROPERTY(name, "u", property_get_count, 0,             \
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Version", "s", property_get_version, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("KernelVersion", "s", property_get_kernel_version, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Capabilities", "as", property_get_capabilities, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("CapabilitiesNote", "s", property_get_capabilities_note, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	COUNT_PROPERTY("NMemdevs"),
	COUNT_PROPERTY("NWindows"),
	COUNT_PROPERTY("NRegions"),
	COUNT_PROPERTY("NDaxDevices"),
	COUNT_PROPERTY("NSoftReservedRanges"),
	SD_BUS_METHOD_WITH_ARGS("GetTopology",
				SD_BUS_NO_ARGS,
				SD_BUS_RESULT("s", json),
				method_get_topology,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("CreateRegion",
				SD_BUS_ARGS("o", window, "s", mode, "t", size, "u", ways,
					    "u", granularity, "ao", memdevs, "a{sv}", options),
				SD_BUS_RESULT("o", region),
				method_manager_create_region,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int manager_bus_update(Manager *m)
{
	_cleanup_(strv_freep) char **caps = NULL;
	_cleanup_free_ char *note = NULL;
	char *changed[ELEMENTSOF(count_props) + 3];
	size_t n = 0;
	int r;

	r = topology_capabilities(&m->model, &caps, &note);
	if (r < 0)
		return r;
	if (!strv_equal(caps, m->capabilities)) {
		strv_free(m->capabilities);
		m->capabilities = TAKE_PTR(caps);
		changed[n++] = "Capabilities";
	}
	if (!m->capabilities_note || strcmp(note, m->capabilities_note) != 0) {
		free(m->capabilities_note);
		m->capabilities_note = TAKE_PTR(note);
		changed[n++] = "CapabilitiesNote";
	}
	for (size_t i = 0; i < ELEMENTSOF(count_props); i++) {
		uint32_t now = (uint32_t)model_count(&m->model, count_props[i].type);

		if (now != m->counts[i]) {
			m->counts[i] = now;
			changed[n++] = (char *)count_props[i].property;
		}
	}
	changed[n] = NULL;

	if (n == 0)
		return 0;
	r = sd_bus_emit_properties_changed_strv(m->bus, CXLMEMD_OBJECT_ROOT,
						"org.cxlmemd1.Manager", changed);
	if (r < 0)
		log_warning_errno(r, "Failed to emit Manager property changes: %m");
	return 0;
}

int manager_bus_register(Manager *m)
{
	struct utsname u;
	int r;

	if (uname(&u) == 0) {
		m->kernel_version = strdup(u.release);
		if (!m->kernel_version)
			return -ENOMEM;
	}

	r = sd_bus_add_object_vtable(m->bus, NULL, CXLMEMD_OBJECT_ROOT,
				     "org.cxlmemd1.Manager", manager_vtable, m);
	if (r < 0)
		return r;

	r = model_bus_register(m);
	if (r < 0)
		return r;

	r = region_bus_register(m);
	if (r < 0)
		return r;

	r = poison_bus_register(m);
	if (r < 0)
		return r;

	return sd_bus_add_object_manager(m->bus, NULL, CXLMEMD_OBJECT_ROOT);
}
