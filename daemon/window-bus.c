// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-id128.h>

#include "bouncer.h"
#include "log.h"
#include "model-bus.h"
#include "monitor.h"
#include "region-bus.h"
#include "region-job.h"
#include "region.h"
#include "strv.h"

static int find_window_methods(sd_bus *bus, const char *path, const char *interface,
			       void *userdata, void **found, sd_bus_error *error)
{
	return find_object_methods(userdata, OBJECT_WINDOW, path, found);
}

/* ---- argument parsing ---- */

struct create_options {
	const char *uuid;
	int online;
	const char *zone;
	int numa_node;
};

static int create_option(sd_bus_message *msg, const char *key, void *userdata,
			 sd_bus_error *error)
{
	struct create_options *o = userdata;
	int r, wait;

	if (strcmp(key, "uuid") == 0)
		r = sd_bus_message_read(msg, "v", "s", &o->uuid);
	else if (strcmp(key, "online") == 0)
		r = sd_bus_message_read(msg, "v", "b", &o->online);
	else if (strcmp(key, "zone") == 0)
		r = sd_bus_message_read(msg, "v", "s", &o->zone);
	else if (strcmp(key, "numa_node") == 0)
		r = sd_bus_message_read(msg, "v", "i", &o->numa_node);
	else if (strcmp(key, "wait") == 0)
		/* Every call waits: accepted for callers that ask. */
		r = sd_bus_message_read(msg, "v", "b", &wait);
	else
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
					 "Unknown option '%s'; known: uuid (s), online (b), "
					 "zone (s), numa_node (i), wait (b).", key);
	if (r < 0)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
					 "Option '%s' has the wrong type.", key);
	return 0;
}

static int parse_options(sd_bus_message *msg, struct create_options *o, sd_bus_error *error)
{
	int r;

	*o = (struct create_options){ .zone = "movable", .numa_node = -1 };
	r = read_options(msg, create_option, o, error);
	if (r < 0)
		return r;
	if (strcmp(o->zone, "movable") != 0 && strcmp(o->zone, "normal") != 0)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
					 "Zone '%s' is not \"movable\" or \"normal\".", o->zone);
	return 0;
}

int generate_uuid(char out[37])
{
	sd_id128_t id;
	int r = sd_id128_randomize(&id);
	const uint8_t *b = id.bytes;

	if (r < 0)
		return r;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
	return 0;
}

/*
 * The arguments CreateRegion and CreateEmptyRegion share: geometry, then
 * (CreateRegion only, @ret_memdevs non-NULL) the memdevs, then the
 * options; and the caller's authorization.
 */
static int read_create_args(sd_bus_message *msg, struct region_request *req,
			    char ***ret_memdevs, struct create_options *o, sd_bus_error *error)
{
	int r;

	r = sd_bus_message_read(msg, "stuu", &req->mode, &req->size, &req->ways,
				&req->granularity);
	if (r >= 0 && ret_memdevs)
		r = sd_bus_message_read_strv(msg, ret_memdevs);
	if (r < 0)
		return r;
	r = parse_options(msg, o, error);
	if (r < 0)
		return r;
	req->uuid = o->uuid;
	return 0;
}

static int create_region(Manager *m, sd_bus_message *msg, const struct window *w,
			 sd_bus_error *error)
{
	_cleanup_(strv_freep) char **memdev_paths = NULL;
	const char *memdevs[REGION_MAX_WAYS + 1] = {};
	struct region_request req = { .window = w->name };
	struct region_fail f = {};
	struct create_options o;
	struct region_plan plan;
	struct facts facts = {};
	struct region_job *j;
	int r;

	r = read_create_args(msg, &req, &memdev_paths, &o, error);
	if (r < 0)
		return r;
	req.numa_node = o.numa_node;
	req.n_memdevs = strv_length(memdev_paths);
	if (req.n_memdevs > REGION_MAX_WAYS)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
					 "%zu memdevs: a region has at most %d.", req.n_memdevs,
					 REGION_MAX_WAYS);
	for (size_t i = 0; i < req.n_memdevs; i++) {
		const struct memdev *d = object_by_path(m, OBJECT_MEMDEV, memdev_paths[i]);

		if (!d)
			return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
						 "%s is not a memdev of cxlmemd (position %zu).",
						 memdev_paths[i], i);
		memdevs[i] = d->name;
	}
	req.memdevs = memdevs;
	if (o.online && strcmp(req.mode ?: "", "ram") != 0)
		return sd_bus_error_set(error, ERROR_PREFIX "InvalidArgument",
					"Only ram regions can be onlined as system RAM.");

	r = facts_gather(&facts, m, req.n_memdevs ? memdevs : NULL, req.n_memdevs);
	if (r >= 0 && region_request_check(&req, &m->model, facts.v, facts.n, &plan, &f) < 0)
		r = 1;
	facts_done(&facts);
	if (r < 0)
		return r;
	if (r > 0) {
		log_failure(msg, NULL, w->name, &f);
		return fail_reply(error, &f);
	}
	if (strcmp(plan.mode, "pmem") == 0 && !plan.uuid[0]) {
		r = generate_uuid(plan.uuid);
		if (r < 0)
			return r;
	}

	j = region_job_new(m, REGION_JOB_CREATE);
	if (!j)
		return -ENOMEM;
	j->plan = plan;
	snprintf(j->window, sizeof(j->window), "%s", plan.window);
	if (o.online)
		snprintf(j->zone, sizeof(j->zone), "%s", o.zone);
	return region_job_start(m, msg, j);
}

int method_manager_create_region(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	const char *path;
	const struct window *w;
	int r;

	/* authorization first: an unprivileged caller learns nothing */
	r = bouncer_check(msg, ACTION_REGION_CREATE, error);
	if (r != 0)
		return r;
	QUEUE_BEHIND_JOB(m, msg, method_manager_create_region);
	r = sd_bus_message_read(msg, "o", &path);
	if (r < 0)
		return r;
	w = object_by_path(m, OBJECT_WINDOW, path);
	if (!w)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
					 "%s is not a CXL window of cxlmemd.", path);
	return create_region(m, msg, w, error);
}

static int method_window_create_region(sd_bus_message *msg, void *userdata,
				       sd_bus_error *error)
{
	Manager *m = userdata;
	const struct window *w;
	int r;

	r = bouncer_check(msg, ACTION_REGION_CREATE, error);
	if (r != 0)
		return r;
	QUEUE_BEHIND_JOB(m, msg, method_window_create_region);
	w = object_by_path(m, OBJECT_WINDOW, sd_bus_message_get_path(msg));
	if (!w)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "The window is gone.");
	return create_region(m, msg, w, error);
}

static int method_window_create_empty(sd_bus_message *msg, void *userdata,
				      sd_bus_error *error)
{
	Manager *m = userdata;
	const struct window *w;
	struct region_request req = { .numa_node = -1 };
	struct region_fail f = {};
	struct create_options o;
	struct region_plan plan;
	char name[REGION_NAME_MAX], what[128];
	int r;

	r = bouncer_check(msg, ACTION_REGION_CREATE, error);
	if (r != 0)
		return r;
	QUEUE_BEHIND_JOB(m, msg, method_window_create_empty);
	w = object_by_path(m, OBJECT_WINDOW, sd_bus_message_get_path(msg));
	if (!w)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "The window is gone.");
	req.window = w->name;
	r = read_create_args(msg, &req, NULL, &o, error);
	if (r < 0)
		return r;

	if (region_request_check_geometry(&req, &m->model, &plan, &f) < 0 ||
	    (strcmp(plan.mode, "pmem") == 0 && !plan.uuid[0] && generate_uuid(plan.uuid) < 0 &&
	     region_failf(&f, REGION_E_INTERNAL, "No random uuid.") < 0) ||
	    region_create_empty(m->region_ops, &plan, name, &f) < 0) {
		log_failure(msg, NULL, w->name, &f);
		return fail_reply(error, &f);
	}
	snprintf(what, sizeof(what), "Created empty %s region %s (%" PRIu64 " MiB, %" PRIu32
		 " ways)", plan.mode, name, plan.size >> 20, plan.ways);
	log_event(MESSAGE_REGION_CREATED, LOG_NOTICE, msg, name, plan.window, what);
	r = reply_region_path(msg, name);
	(void)monitor_refresh(m);
	return r;
}

/* ---- vtable ---- */

#define CREATE_ARGS \
	SD_BUS_ARGS("s", mode, "t", size, "u", ways, "u", granularity, "ao", memdevs, \
		    "a{sv}", options)

const sd_bus_vtable window_bus_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("CreateRegion", CREATE_ARGS, SD_BUS_RESULT("o", region),
				method_window_create_region, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("CreateEmptyRegion",
				SD_BUS_ARGS("s", mode, "t", size, "u", ways, "u", granularity,
					    "a{sv}", options),
				SD_BUS_RESULT("o", region), method_window_create_empty,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int window_bus_register(Manager *m)
{
	return sd_bus_add_fallback_vtable(m->bus, NULL, "/org/cxlmemd1/window",
					  "org.cxlmemd1.Window", window_bus_vtable,
					  find_window_methods, m);
}
