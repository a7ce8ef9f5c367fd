// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <signal.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "bus-json.h"
#include "ctl.h"
#include "size.h"

/* The daemon's errors end in a full stop; ours say the rest. */
enum ctl_exit ctl_call_failed(const char *what, const sd_bus_error *error, int r)
{
	if (error && sd_bus_error_is_set(error)) {
		const char *name = error->name;
		const char *prefix = "org.cxlmemd1.Error.";

		if (strncmp(name, prefix, strlen(prefix)) == 0)
			name += strlen(prefix);
		fprintf(stderr, "Failed to %s: %s (%s)\n", what,
			error->message && *error->message ? error->message : strerror(-r), name);
		return exit_code_for_error(error->name);
	}
	fprintf(stderr, "Failed to %s: %s\n", what, strerror(-r));
	return r == -ENOENT || r == -ECONNREFUSED || r == -EHOSTDOWN ? CTL_EXIT_UNREACHABLE :
								       CTL_EXIT_FAILED;
}

int ctl_call(struct ctl *c, const char *path, const char *iface, const char *member,
	     sd_bus_message **reply, const char *types, ...)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	char what[128];
	va_list ap;
	int r;

	r = sd_bus_message_new_method_call(c->bus, &m, CXLMEMD_BUS_NAME, path, iface, member);
	if (r >= 0 && types && *types) {
		va_start(ap, types);
		r = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
	if (r >= 0 && c->args->ask_password)
		r = sd_bus_message_set_allow_interactive_authorization(m, true);
	/* Kernel steps can take long (commit, online of many blocks). */
	if (r >= 0)
		r = sd_bus_call(c->bus, m, 300 * 1000000ULL, &error, reply);
	sd_bus_message_unref(m);
	if (r < 0) {
		snprintf(what, sizeof(what), "call %s on %s", member,
			 strrchr(path, '/') && strcmp(path, CXLMEMD_ROOT) ? strrchr(path, '/') + 1 :
									   "cxlmemd");
		r = -(int)ctl_call_failed(what, &error, r);
	}
	sd_bus_error_free(&error);
	return r;
}

static int read_interfaces(sd_bus_message *m, struct json_object *ifaces)
{
	const char *iface;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
		struct json_object *props = NULL;

		r = sd_bus_message_read(m, "s", &iface);
		if (r >= 0)
			r = bus_read_dict_json(m, &props);
		if (r >= 0)
			json_object_object_add(ifaces, iface, props);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* Returns what ctl_call does. */
static int add_manager(struct ctl *c, struct json_object *all)
{
	struct json_object *ifaces, *props = NULL;
	sd_bus_message *reply = NULL;
	int r;

	r = ctl_call(c, CXLMEMD_ROOT, "org.freedesktop.DBus.Properties", "GetAll", &reply, "s",
		     IFACE("Manager"));
	if (r < 0)
		return r;
	if (bus_read_dict_json(reply, &props) < 0) {
		fprintf(stderr, "Malformed Manager properties.\n");
		sd_bus_message_unref(reply);
		return -CTL_EXIT_FAILED;
	}
	sd_bus_message_unref(reply);
	ifaces = json_object_new_object();
	json_object_object_add(ifaces, IFACE("Manager"), props);
	json_object_object_add(all, CXLMEMD_ROOT, ifaces);
	return 0;
}

enum ctl_exit ctl_objects(struct ctl *c, struct json_object **ret)
{
	sd_bus_message *reply = NULL;
	struct json_object *all = json_object_new_object();
	const char *path;
	int r;

	r = ctl_call(c, CXLMEMD_ROOT, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
		     &reply, NULL);
	if (r < 0) {
		json_object_put(all);
		return (enum ctl_exit)-r;
	}
	r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
		struct json_object *ifaces = json_object_new_object();

		r = sd_bus_message_read(reply, "o", &path);
		if (r >= 0)
			r = read_interfaces(reply, ifaces);
		json_object_object_add(all, path, ifaces);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	sd_bus_message_unref(reply);
	if (r < 0) {
		fprintf(stderr, "Cannot read cxlmemd's objects: %s\n", strerror(-r));
		json_object_put(all);
		return CTL_EXIT_FAILED;
	}
	/* The ObjectManager lists what is below it, not the Manager itself. */
	r = add_manager(c, all);
	if (r < 0) {
		json_object_put(all);
		return (enum ctl_exit)-r;
	}
	*ret = all;
	return CTL_EXIT_OK;
}

static const char *const kinds[] = {
	IFACE("Manager"), IFACE("Memdev"), IFACE("Window"), IFACE("Region"),
	IFACE("DaxDevice"), IFACE("SoftReservedRange"), NULL,
};

const char *ctl_kind(struct json_object *ifaces, struct json_object **ret_props)
{
	for (const char *const *k = kinds; *k; k++)
		if (json_object_object_get_ex(ifaces, *k, ret_props))
			return *k;
	return NULL;
}

static bool allowed(const char *kind, const char *const ifaces[])
{
	if (!ifaces)
		return true;
	for (; *ifaces; ifaces++)
		if (strcmp(*ifaces, kind) == 0)
			return true;
	return false;
}

/* Does @arg name the object at @path whose properties are @props? */
static bool names(const char *path, struct json_object *props, const char *arg)
{
	struct json_object *v;
	uint64_t a, start;

	if (strcmp(path, arg) == 0 || strcmp(strrchr(path, '/') + 1, arg) == 0)
		return true;
	if (json_object_object_get_ex(props, "Name", &v) &&
	    strcmp(json_object_get_string(v), arg) == 0)
		return true;
	/* A Soft Reserved range has no name: its start, in any base. */
	return !json_object_object_get_ex(props, "Name", NULL) &&
	       json_object_object_get_ex(props, "Start", &v) && number_parse(arg, &a) == 0 &&
	       (start = json_object_get_uint64(v), start == a);
}

const char *ctl_find(struct json_object *objects, const char *arg, const char *const ifaces[])
{
	json_object_object_foreach(objects, path, obj) {
		struct json_object *props;
		const char *kind = ctl_kind(obj, &props);

		if (kind && allowed(kind, ifaces) && names(path, props, arg))
			return path;
	}
	fprintf(stderr, "No %s named '%s' (see 'cxlmemctl list').\n",
		!ifaces ? "object" : !ifaces[1] ? strrchr(ifaces[0], '.') + 1 : "such object",
		arg);
	return NULL;
}

void ctl_print_json(struct json_object *j)
{
	puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
}

static int on_stop(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

/*
 * Serve the connection (signals, the lease it holds) until SIGINT or
 * SIGTERM. The signals are blocked and taken by sd-event as a signalfd:
 * a flag set by a handler and checked before poll() would miss a Ctrl-C
 * that lands between the check and the poll, and wait forever.
 */
int ctl_run_until_signal(struct ctl *c)
{
	sd_event *event = NULL;
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	r = sd_event_default(&event);
	if (r >= 0)
		r = sd_event_add_signal(event, NULL, SIGINT, on_stop, NULL);
	if (r >= 0)
		r = sd_event_add_signal(event, NULL, SIGTERM, on_stop, NULL);
	if (r >= 0)
		r = sd_bus_attach_event(c->bus, event, SD_EVENT_PRIORITY_NORMAL);
	/* Losing the bus ends the loop with a non-zero code, not a hang. */
	if (r >= 0)
		r = sd_bus_set_exit_on_disconnect(c->bus, true);
	if (r >= 0)
		r = sd_event_loop(event);
	if (r > 0)
		r = -ECONNRESET;
	sd_bus_detach_event(c->bus);
	sd_event_unref(event);
	return r;
}
