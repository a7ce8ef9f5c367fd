// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The verbs that only read: status, list, show, poison list, ownership
 * explain. Everything comes from GetManagedObjects (one round trip, one
 * consistent snapshot) or a Get* method; --json prints the same data the
 * bus carried, sizes in bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bus-json.h"
#include "ctl.h"
#include "size.h"
#include "table.h"

static bool is_size_property(const char *name)
{
	static const char *const sizes[] = {
		"Size", "RamSize", "PmemSize", "RamFree", "PmemFree", "MaxAvailableExtent", NULL,
	};

	for (const char *const *s = sizes; *s; s++)
		if (strcmp(*s, name) == 0)
			return true;
	return false;
}

static const char *size_text(struct ctl *c, uint64_t v, char buf[static SIZE_BUF])
{
	if (c->args->bytes) {
		snprintf(buf, SIZE_BUF, "%" PRIu64, v);
		return buf;
	}
	return size_format(v, buf);
}

static uint64_t u64(struct json_object *props, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(props, key, &v) ? json_object_get_uint64(v) : 0;
}

static const char *str(struct json_object *props, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(props, key, &v) ? json_object_get_string(v) : NULL;
}

/* An object path as the operator knows it: the object's Name, if any. */
static const char *display_name(struct json_object *objects, const char *path)
{
	struct json_object *ifaces, *props;

	if (!path || strcmp(path, "/") == 0)
		return NULL;
	if (json_object_object_get_ex(objects, path, &ifaces) && ctl_kind(ifaces, &props) &&
	    str(props, "Name"))
		return str(props, "Name");
	return strrchr(path, '/') + 1;
}

/* ao -> "region0,region1" (names), into @buf. */
static const char *names_of(struct json_object *objects, struct json_object *arr, char *buf,
			    size_t size)
{
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *name = display_name(objects,
						json_object_get_string(json_object_array_get_idx(arr, i)));
		size_t len = strlen(buf);

		snprintf(buf + len, size - len, "%s%s", len ? "," : "", name ?: "?");
	}
	return buf[0] ? buf : NULL;
}

static struct json_object *prop(struct json_object *props, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(props, key, &v);
	return v;
}

typedef void (*row_fn)(struct ctl *c, struct json_object *objects, struct json_object *props,
		       struct table *t);

static void memdev_row(struct ctl *c, struct json_object *o, struct json_object *p,
		       struct table *t)
{
	char a[SIZE_BUF], b[SIZE_BUF], d[SIZE_BUF], e[SIZE_BUF], regions[512];

	table_add(t, str(p, "Name"));
	table_add(t, str(p, "Host"));
	table_addf(t, "0x%" PRIx64, u64(p, "Serial"));
	table_add(t, size_text(c, u64(p, "RamSize"), a));
	table_add(t, size_text(c, u64(p, "RamFree"), b));
	table_add(t, size_text(c, u64(p, "PmemSize"), d));
	table_add(t, size_text(c, u64(p, "PmemFree"), e));
	table_add(t, json_object_get_boolean(prop(p, "Enabled")) ? "yes" : "no");
	table_add(t, names_of(o, prop(p, "Regions"), regions, sizeof(regions)));
}

static void window_row(struct ctl *c, struct json_object *o, struct json_object *p,
		       struct table *t)
{
	char a[SIZE_BUF], b[SIZE_BUF], regions[512], caps[256] = "";
	struct json_object *cv = prop(p, "Capabilities");

	for (size_t i = 0; cv && i < json_object_array_length(cv); i++)
		snprintf(caps + strlen(caps), sizeof(caps) - strlen(caps), "%s%s",
			 i ? "," : "", json_object_get_string(json_object_array_get_idx(cv, i)));
	table_add(t, str(p, "Name"));
	table_addf(t, "0x%" PRIx64, u64(p, "Start"));
	table_add(t, size_text(c, u64(p, "Size"), a));
	table_addf(t, "%" PRIu64, u64(p, "InterleaveWays"));
	table_add(t, size_text(c, u64(p, "MaxAvailableExtent"), b));
	table_add(t, caps[0] ? caps : NULL);
	table_add(t, names_of(o, prop(p, "Regions"), regions, sizeof(regions)));
}

static void region_row(struct ctl *c, struct json_object *o, struct json_object *p,
		       struct table *t)
{
	struct json_object *targets = prop(p, "Targets"), *att = prop(p, "Attachments");
	char a[SIZE_BUF], members[512] = "";

	/* Targets: a(uos) = (position, memdev, endpoint decoder) */
	for (size_t i = 0; targets && i < json_object_array_length(targets); i++) {
		struct json_object *tg = json_object_array_get_idx(targets, i);
		const char *m = display_name(o, json_object_get_string(
							json_object_array_get_idx(tg, 1)));

		snprintf(members + strlen(members), sizeof(members) - strlen(members), "%s%s",
			 i ? "," : "", m ?: "?");
	}
	table_add(t, str(p, "Name"));
	table_add(t, display_name(o, str(p, "Window")));
	table_add(t, str(p, "Mode"));
	table_addf(t, "0x%" PRIx64, u64(p, "Start"));
	table_add(t, size_text(c, u64(p, "Size"), a));
	table_addf(t, "%" PRIu64, u64(p, "InterleaveWays"));
	table_add(t, str(p, "State"));
	table_add(t, members[0] ? members : NULL);
	table_add(t, display_name(o, str(p, "DaxDevice")));
	table_addf(t, "%zu", att ? json_object_array_length(att) : 0);
}

static void range_row(struct ctl *c, struct json_object *o, struct json_object *p,
		      struct table *t)
{
	char a[SIZE_BUF], regions[512];

	table_addf(t, "0x%" PRIx64, u64(p, "Start"));
	table_add(t, size_text(c, u64(p, "Size"), a));
	table_add(t, str(p, "Owner"));
	table_add(t, names_of(o, prop(p, "Regions"), regions, sizeof(regions)));
	table_add(t, str(p, "Reason"));
}

static void dax_row(struct ctl *c, struct json_object *o, struct json_object *p,
		    struct table *t)
{
	char a[SIZE_BUF];

	table_add(t, str(p, "Name"));
	table_add(t, str(p, "Mode"));
	table_add(t, size_text(c, u64(p, "Size"), a));
	table_add(t, display_name(o, str(p, "Region")));
	table_add(t, json_object_get_boolean(prop(p, "Online")) ? "yes" : "no");
	table_add(t, str(p, "Zone"));
}

static const struct kind {
	enum list_kind kind;
	const char *iface, *json_key;
	size_t n_columns;
	const char *const headers[TABLE_MAX_COLUMNS];
	const unsigned int right;	/* bit per right-aligned column */
	row_fn row;
} kinds[] = {
	{ LIST_WINDOWS, IFACE("Window"), "windows", 7,
	  { "WINDOW", "START", "SIZE", "WAYS", "FREE", "CAPABILITIES", "REGIONS" }, 0x1c,
	  window_row },
	{ LIST_MEMDEVS, IFACE("Memdev"), "memdevs", 9,
	  { "MEMDEV", "HOST", "SERIAL", "RAM", "RAM FREE", "PMEM", "PMEM FREE", "ENABLED",
	    "REGIONS" }, 0x78, memdev_row },
	{ LIST_REGIONS, IFACE("Region"), "regions", 10,
	  { "REGION", "WINDOW", "MODE", "START", "SIZE", "WAYS", "STATE", "TARGETS", "DAX",
	    "LEASES" }, 0x230, region_row },
	{ LIST_RANGES, IFACE("SoftReservedRange"), "ranges", 5,
	  { "RANGE", "SIZE", "OWNER", "REGIONS", "REASON" }, 0x2, range_row },
	{ LIST_DAX, IFACE("DaxDevice"), "dax", 6,
	  { "DAX", "MODE", "SIZE", "REGION", "ONLINE", "ZONE" }, 0x4, dax_row },
};

/* Objects of one kind, sorted by path (json-c keeps insertion order). */
static struct json_object *of_kind(struct json_object *objects, const char *iface)
{
	struct json_object *arr = json_object_new_array();

	json_object_object_foreach(objects, path, ifaces) {
		struct json_object *props, *copy = NULL;

		if (!json_object_object_get_ex(ifaces, iface, &props))
			continue;
		json_object_deep_copy(props, &copy, NULL);
		json_object_object_add(copy, "Path", json_object_new_string(path));
		json_object_array_add(arr, copy);
	}
	return arr;
}

static void print_kind(struct ctl *c, struct json_object *objects, const struct kind *k,
		       bool heading)
{
	struct json_object *arr = of_kind(objects, k->iface);
	struct table *t = table_new(k->n_columns, k->headers);
	size_t n = json_object_array_length(arr);

	for (size_t col = 0; t && col < k->n_columns; col++)
		if (k->right & (1u << col))
			table_align_right(t, col);
	for (size_t i = 0; t && i < n; i++)
		k->row(c, objects, json_object_array_get_idx(arr, i), t);
	if (heading && c->args->legend)
		printf("%s%s\n", k == kinds ? "" : "\n", k->json_key);
	if (t && (n || c->args->legend))
		table_print(t, c->args->legend, stdout);
	if (c->args->legend)
		printf("\n%zu %s.\n", n, k->json_key);
	table_free(t);
	json_object_put(arr);
}

static struct json_object *kinds_json(struct json_object *objects, enum list_kind only)
{
	struct json_object *j = json_object_new_object();

	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (only == LIST_ALL || only == kinds[i].kind)
			json_object_object_add(j, kinds[i].json_key,
					       of_kind(objects, kinds[i].iface));
	return j;
}

static void print_kinds(struct ctl *c, struct json_object *objects, enum list_kind only)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (only == LIST_ALL || only == kinds[i].kind)
			print_kind(c, objects, &kinds[i], only == LIST_ALL);
}

enum ctl_exit verb_list(struct ctl *c)
{
	struct json_object *objects, *j;
	enum ctl_exit e = ctl_objects(c, &objects);

	if (e)
		return e;
	if (c->args->json) {
		j = kinds_json(objects, c->args->list);
		/* One kind: just its array, as jq users expect. */
		if (c->args->list != LIST_ALL) {
			json_object_object_foreach(j, key, arr) {
				(void)key;
				ctl_print_json(arr);
			}
		} else {
			ctl_print_json(j);
		}
		json_object_put(j);
	} else {
		print_kinds(c, objects, c->args->list);
	}
	json_object_put(objects);
	return CTL_EXIT_OK;
}

static struct json_object *manager_props(struct json_object *objects)
{
	struct json_object *ifaces, *props;

	if (json_object_object_get_ex(objects, CXLMEMD_ROOT, &ifaces) &&
	    json_object_object_get_ex(ifaces, IFACE("Manager"), &props))
		return props;
	return NULL;
}

static void print_manager(struct json_object *m)
{
	struct json_object *caps = prop(m, "Capabilities");

	printf("      Daemon: cxlmemd %s\n", str(m, "Version") ?: "?");
	printf("      Kernel: %s\n", str(m, "KernelVersion") ?: "?");
	printf("Capabilities:");
	for (size_t i = 0; caps && i < json_object_array_length(caps); i++)
		printf(" %s", json_object_get_string(json_object_array_get_idx(caps, i)));
	printf("%s\n", caps && json_object_array_length(caps) ? "" : " none");
	if (str(m, "CapabilitiesNote") && *str(m, "CapabilitiesNote"))
		printf("        Note: %s\n", str(m, "CapabilitiesNote"));
	printf("     Objects: %" PRIu64 " windows, %" PRIu64 " memdevs, %" PRIu64
	       " regions, %" PRIu64 " dax devices, %" PRIu64 " Soft Reserved ranges\n\n",
	       u64(m, "NWindows"), u64(m, "NMemdevs"), u64(m, "NRegions"),
	       u64(m, "NDaxDevices"), u64(m, "NSoftReservedRanges"));
}

enum ctl_exit verb_status(struct ctl *c)
{
	struct json_object *objects, *m, *j;
	enum ctl_exit e = ctl_objects(c, &objects);

	if (e)
		return e;
	m = manager_props(objects);
	if (c->args->json) {
		j = kinds_json(objects, LIST_ALL);
		if (m)
			json_object_object_add(j, "manager", json_object_get(m));
		ctl_print_json(j);
		json_object_put(j);
	} else {
		if (m)
			print_manager(m);
		print_kinds(c, objects, LIST_ALL);
	}
	json_object_put(objects);
	return CTL_EXIT_OK;
}

/* A property value for show: sizes in units, starts in hex, lists joined. */
static void value_text(struct ctl *c, struct json_object *objects, const char *name,
		       struct json_object *v, char *buf, size_t size)
{
	char sz[SIZE_BUF];

	if (json_object_is_type(v, json_type_int) && is_size_property(name)) {
		uint64_t n = json_object_get_uint64(v);

		if (c->args->bytes)
			snprintf(buf, size, "%" PRIu64, n);
		else
			snprintf(buf, size, "%s (%" PRIu64 " bytes)", size_format(n, sz), n);
	} else if (json_object_is_type(v, json_type_int) && strcmp(name, "Start") == 0) {
		snprintf(buf, size, "0x%" PRIx64, json_object_get_uint64(v));
	} else if (json_object_is_type(v, json_type_array)) {
		buf[0] = '\0';
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			struct json_object *item = json_object_array_get_idx(v, i);
			const char *s = json_object_is_type(item, json_type_string) ?
						display_name(objects, json_object_get_string(item)) :
						NULL;
			size_t len = strlen(buf);

			snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
				 s && json_object_get_string(item)[0] == '/' ?
					 s : json_object_to_json_string_ext(item, JSON_C_TO_STRING_PLAIN));
		}
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		snprintf(buf, size, "%s", s[0] == '/' && strlen(s) > 1 ?
						  display_name(objects, s) : s);
	} else {
		snprintf(buf, size, "%s", json_object_to_json_string(v));
	}
}

enum ctl_exit verb_show(struct ctl *c)
{
	struct json_object *objects, *ifaces, *props;
	const char *path, *kind;
	enum ctl_exit e = ctl_objects(c, &objects);
	char buf[4096];

	if (e)
		return e;
	path = ctl_find(objects, c->args->args[0], NULL);
	if (!path) {
		json_object_put(objects);
		return CTL_EXIT_FAILED;
	}
	json_object_object_get_ex(objects, path, &ifaces);
	kind = ctl_kind(ifaces, &props);
	if (c->args->json) {
		struct json_object *copy = NULL;

		json_object_deep_copy(props, &copy, NULL);
		json_object_object_add(copy, "Path", json_object_new_string(path));
		json_object_object_add(copy, "Interface", json_object_new_string(kind));
		ctl_print_json(copy);
		json_object_put(copy);
	} else {
		printf("%22s: %s\n%22s: %s\n", "Path", path, "Interface", kind);
		json_object_object_foreach(props, name, v) {
			value_text(c, objects, name, v, buf, sizeof(buf));
			printf("%22s: %s\n", name, buf[0] ? buf : "-");
		}
	}
	json_object_put(objects);
	return CTL_EXIT_OK;
}

static const char *const poisonable[] = { IFACE("Memdev"), IFACE("Region"), NULL };

enum ctl_exit verb_poison_list(struct ctl *c)
{
	struct json_object *objects, *ifaces, *records = NULL, *props;
	sd_bus_message *reply = NULL;
	const char *path, *kind;
	enum ctl_exit e = ctl_objects(c, &objects);
	int r;

	if (e)
		return e;
	path = ctl_find(objects, c->args->args[0], poisonable);
	if (!path) {
		json_object_put(objects);
		return CTL_EXIT_FAILED;
	}
	json_object_object_get_ex(objects, path, &ifaces);
	kind = ctl_kind(ifaces, &props);
	r = ctl_call(c, path, kind, "GetPoison", &reply, NULL);
	if (r < 0) {
		e = (enum ctl_exit)-r;
	} else if ((r = bus_read_json(reply, &records)) < 0) {
		fprintf(stderr, "Malformed GetPoison reply: %s\n", strerror(-r));
		e = CTL_EXIT_FAILED;
	}
	sd_bus_message_unref(reply);
	if (e) {
		json_object_put(objects);
		return e;
	}
	if (c->args->json) {
		ctl_print_json(records);
	} else {
		/* Memdev: (dpa, length, source, region, hpa); Region: (offset, length,
		 * source, memdev, dpa). */
		bool memdev = strcmp(kind, IFACE("Memdev")) == 0;
		const char *const headers[] = {
			memdev ? "DPA" : "OFFSET", "LENGTH", "SOURCE", memdev ? "REGION" : "MEMDEV",
			memdev ? "HPA" : "DPA",
		};
		struct table *t = table_new(5, headers);
		size_t n = json_object_array_length(records);

		for (size_t i = 0; t && i < n; i++) {
			struct json_object *rec = json_object_array_get_idx(records, i);
			uint64_t last = json_object_get_uint64(json_object_array_get_idx(rec, 4));

			table_addf(t, "0x%" PRIx64,
				   json_object_get_uint64(json_object_array_get_idx(rec, 0)));
			table_addf(t, "%" PRIu64,
				   json_object_get_uint64(json_object_array_get_idx(rec, 1)));
			table_add(t, json_object_get_string(json_object_array_get_idx(rec, 2)));
			table_add(t, display_name(objects, json_object_get_string(
								   json_object_array_get_idx(rec, 3))));
			if (last == UINT64_MAX)
				table_add(t, NULL);
			else
				table_addf(t, "0x%" PRIx64, last);
		}
		if (t && n)
			table_print(t, c->args->legend, stdout);
		if (c->args->legend)
			printf("%s%zu poison records.\n", n ? "\n" : "", n);
		table_free(t);
	}
	json_object_put(records);
	json_object_put(objects);
	return e;
}
