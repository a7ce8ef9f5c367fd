// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * monitor, like `udevadm monitor`: one line (or one JSON object) per
 * signal cxlmemd sends, flushed at once so a pipe sees it, until Ctrl-C.
 * And ownership explain, which prints the daemon's decision JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bus-json.h"
#include "ctl.h"
#include "table.h"

static const char *event_name(const char *member)
{
	if (strcmp(member, "InterfacesAdded") == 0)
		return "added";
	if (strcmp(member, "InterfacesRemoved") == 0)
		return "removed";
	if (strcmp(member, "PropertiesChanged") == 0)
		return "changed";
	if (strcmp(member, "PoisonChanged") == 0)
		return "poison";
	return member;
}

/* The signal's body, whatever it is: one array of its arguments. */
static struct json_object *body_json(sd_bus_message *m)
{
	struct json_object *args = json_object_new_array(), *v;

	while (sd_bus_message_at_end(m, false) == 0 && bus_read_json(m, &v) >= 0)
		json_object_array_add(args, v);
	return args;
}

/* "added"/"removed" name the object in the body, not the path. */
static const char *subject(sd_bus_message *m, struct json_object *args)
{
	const char *member = sd_bus_message_get_member(m);

	if (strcmp(member, "InterfacesAdded") == 0 || strcmp(member, "InterfacesRemoved") == 0)
		return json_object_get_string(json_object_array_get_idx(args, 0));
	return sd_bus_message_get_path(m);
}

static void print_line(const char *event, const char *path, sd_bus_message *m,
		       struct json_object *args)
{
	struct timespec ts;
	const char *member = sd_bus_message_get_member(m);
	struct json_object *detail = NULL;

	clock_gettime(CLOCK_REALTIME, &ts);
	printf("%lld.%06ld %-7s %s", (long long)ts.tv_sec, ts.tv_nsec / 1000, event, path);
	if (strcmp(member, "PropertiesChanged") == 0) {
		printf(" %s", json_object_get_string(json_object_array_get_idx(args, 0)));
		detail = json_object_array_get_idx(args, 1);
		json_object_object_foreach(detail, name, v)
			printf(" %s=%s", name, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	} else if (strcmp(member, "InterfacesAdded") == 0) {
		detail = json_object_array_get_idx(args, 1);
		json_object_object_foreach(detail, iface, props) {
			(void)props;
			printf(" %s", iface);
		}
	} else if (strcmp(member, "InterfacesRemoved") == 0) {
		detail = json_object_array_get_idx(args, 1);
		for (size_t i = 0; i < json_object_array_length(detail); i++)
			printf(" %s", json_object_get_string(json_object_array_get_idx(detail, i)));
	} else {
		for (size_t i = 0; i < json_object_array_length(args); i++)
			printf(" %s", json_object_get_string(json_object_array_get_idx(args, i)));
	}
	putchar('\n');
}

static int on_bus_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ctl *c = userdata;
	struct json_object *args = body_json(m);
	const char *event = event_name(sd_bus_message_get_member(m));
	const char *path = subject(m, args);

	if (c->args->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "event", json_object_new_string(event));
		json_object_object_add(o, "object", json_object_new_string(path ?: ""));
		json_object_object_add(o, "interface",
				       json_object_new_string(sd_bus_message_get_interface(m)));
		json_object_object_add(o, "signal",
				       json_object_new_string(sd_bus_message_get_member(m)));
		json_object_object_add(o, "arguments", json_object_get(args));
		ctl_print_json(o);
		json_object_put(o);
	} else {
		print_line(event, path ?: "", m, args);
	}
	fflush(stdout);
	json_object_put(args);
	return 0;
}

enum ctl_exit verb_monitor(struct ctl *c)
{
	int r;

	r = sd_bus_add_match(c->bus, NULL,
			     "type='signal',sender='" CXLMEMD_BUS_NAME "',path_namespace='"
			     CXLMEMD_ROOT "'", on_bus_signal, c);
	if (r < 0) {
		fprintf(stderr, "Cannot follow cxlmemd's signals: %s\n", strerror(-r));
		return CTL_EXIT_FAILED;
	}
	if (!c->args->json && c->args->legend) {
		printf("Monitoring cxlmemd's signals; Ctrl-C to stop.\n");
		fflush(stdout);
	}
	r = ctl_run_until_signal(c);
	if (r < 0) {
		fprintf(stderr, "Lost the bus: %s\n", strerror(-r));
		return CTL_EXIT_UNREACHABLE;
	}
	return CTL_EXIT_OK;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static void print_explanation(const struct ctl *c, struct json_object *top)
{
	static const char *const headers[] = { "RANGE", "OWNER", "NOW", "RULE", "APPLIED" };
	struct json_object *ranges = NULL, *files = NULL;
	struct table *t = table_new(5, headers);
	size_t n;

	json_object_object_get_ex(top, "ranges", &ranges);
	n = ranges ? json_object_array_length(ranges) : 0;
	for (size_t i = 0; t && i < n; i++) {
		struct json_object *r = json_object_array_get_idx(ranges, i);

		table_add(t, jstr(r, "range"));
		table_add(t, jstr(r, "owner"));
		table_add(t, jstr(r, "current_owner") && *jstr(r, "current_owner") ?
				     jstr(r, "current_owner") : NULL);
		table_addf(t, "%s (%s)", jstr(r, "rule") ?: "-", jstr(r, "origin") ?: "-");
		table_add(t, jstr(r, "applied"));
	}
	if (t && n)
		table_print(t, c->args->legend, stdout);
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(ranges, i);

		printf("%s%s: %s\n", i ? "" : "\n", jstr(r, "range"), jstr(r, "reason") ?: "");
	}
	printf("\nDefault owner: %s\n", jstr(top, "default_owner") ?: "-");
	json_object_object_get_ex(top, "files", &files);
	for (size_t i = 0; files && i < json_object_array_length(files); i++)
		printf("  Policy file: %s\n",
		       json_object_get_string(json_object_array_get_idx(files, i)));
	if (jstr(top, "load_error"))
		printf("   Load error: %s\n", jstr(top, "load_error"));
	table_free(t);
}

enum ctl_exit verb_ownership_explain(struct ctl *c)
{
	sd_bus_message *reply = NULL;
	struct json_object *top;
	const char *text;
	int r;

	r = ctl_call(c, CXLMEMD_ROOT, IFACE("Manager"), "ExplainOwnership", &reply, NULL);
	if (r < 0)
		return (enum ctl_exit)-r;
	r = sd_bus_message_read(reply, "s", &text);
	top = r >= 0 ? json_tokener_parse(text) : NULL;
	if (!top) {
		fprintf(stderr, "cxlmemd's explanation is not JSON.\n");
		sd_bus_message_unref(reply);
		return CTL_EXIT_FAILED;
	}
	if (c->args->json)
		ctl_print_json(top);
	else
		print_explanation(c, top);
	json_object_put(top);
	sd_bus_message_unref(reply);
	return CTL_EXIT_OK;
}
