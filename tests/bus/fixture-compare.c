// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxlmemd's bus tree against a fixture's recording: see fixture-compare.h.
 * Each comparison reads one property with its own call, so that a
 * failure names the object and the property.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "bus-interfaces.h"
#include "fixture-compare.h"
#include "macro.h"
#include "model-bus.h"
#include "strv.h"

#define MEMDEV_IFACE "org.cxlmemd1.Memdev"

/* ---- reading the bus ---- */

/* Every object's interfaces of ours (not Peer, Properties...), as "path iface". */
char **daemon_objects(sd_bus *bus)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *path, *iface;
	char **l = NULL;

	if (sd_bus_call_method(bus, CXLMEMD_BUS_NAME, CXLMEMD_OBJECT_ROOT,
			       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
			       &error, &reply, NULL) < 0)
		fail_msg("GetManagedObjects: %s", error.message);
	assert_true(sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}") > 0);
	while (sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}") > 0) {
		assert_true(sd_bus_message_read(reply, "o", &path) > 0);
		assert_true(sd_bus_message_enter_container(reply, 'a', "{sa{sv}}") > 0);
		while (sd_bus_message_enter_container(reply, 'e', "sa{sv}") > 0) {
			_cleanup_free_ char *kv = NULL;

			assert_true(sd_bus_message_read(reply, "s", &iface) > 0);
			assert_true(asprintf(&kv, "%s %s", path, iface) > 0);
			if (strncmp(iface, "org.cxlmemd1.", 13) == 0)
				assert_int_equal(strv_extend(&l, kv), 0);
			assert_true(sd_bus_message_skip(reply, "a{sv}") >= 0);
			assert_true(sd_bus_message_exit_container(reply) >= 0);
		}
		assert_true(sd_bus_message_exit_container(reply) >= 0);
		assert_true(sd_bus_message_exit_container(reply) >= 0);
	}
	sd_bus_message_unref(reply);
	strv_sort(l);
	return l;
}

static size_t count_iface(char **objects, const char *iface)
{
	size_t n = 0, len = strlen(iface);

	for (char **o = objects; o && *o; o++) {
		const char *sp = strchr(*o, ' ');

		if (sp && strlen(sp + 1) == len && strcmp(sp + 1, iface) == 0)
			n++;
	}
	return n;
}

bool objects_contain(char **objects, const char *path, const char *iface)
{
	_cleanup_free_ char *kv = NULL;

	assert_true(asprintf(&kv, "%s %s", path, iface) > 0);
	return strv_contains(objects, kv);
}

static const char *iface_of(enum object_type t)
{
	return object_type_info(t)->interface;
}

static void get_trivial(sd_bus *bus, const char *path, enum object_type t,
			const char *prop, char type, void *ret)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;

	if (sd_bus_get_property_trivial(bus, CXLMEMD_BUS_NAME, path, iface_of(t), prop,
					&error, type, ret) < 0)
		fail_msg("Get %s.%s: %s", path, prop, error.message);
}

uint64_t daemon_get_u64(sd_bus *bus, const char *path, enum object_type t, const char *prop)
{
	uint64_t v;

	get_trivial(bus, path, t, prop, 't', &v);
	return v;
}

static uint32_t get_u32(sd_bus *bus, const char *path, enum object_type t,
			const char *prop)
{
	uint32_t v;

	get_trivial(bus, path, t, prop, 'u', &v);
	return v;
}

static int32_t get_i32(sd_bus *bus, const char *path, enum object_type t,
		       const char *prop)
{
	int32_t v;

	get_trivial(bus, path, t, prop, 'i', &v);
	return v;
}

static bool get_bool(sd_bus *bus, const char *path, enum object_type t,
		     const char *prop)
{
	int v;

	get_trivial(bus, path, t, prop, 'b', &v);
	return v;
}

/* Properties.Get, the reply entered into the variant; *ret_type its signature. */
static sd_bus_message *get_variant(sd_bus *bus, const char *path, enum object_type t,
				   const char *prop, const char **ret_type)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char type;

	if (sd_bus_call_method(bus, CXLMEMD_BUS_NAME, path,
			       "org.freedesktop.DBus.Properties", "Get", &error, &reply, "ss",
			       iface_of(t), prop) < 0)
		fail_msg("Get %s.%s: %s", path, prop, error.message);
	assert_true(sd_bus_message_peek_type(reply, &type, ret_type) > 0);
	assert_true(sd_bus_message_enter_container(reply, 'v', *ret_type) > 0);
	return reply;
}

/* A string or object path property; free() it. */
char *daemon_get_str(sd_bus *bus, const char *path, enum object_type t, const char *prop)
{
	const char *contents, *s;
	sd_bus_message *reply = get_variant(bus, path, t, prop, &contents);
	char *v;

	assert_true(strchr("so", contents[0]) && !contents[1]);
	assert_true(sd_bus_message_read_basic(reply, contents[0], &s) > 0);
	v = strdup(s);
	sd_bus_message_unref(reply);
	return v;
}

/* An array of strings or object paths; strv. */
static char **get_strv(sd_bus *bus, const char *path, enum object_type t,
		       const char *prop)
{
	const char *contents, *s;
	sd_bus_message *reply = get_variant(bus, path, t, prop, &contents);
	char **l = NULL;

	assert_true(contents[0] == 'a' && strchr("so", contents[1]) && !contents[2]);
	assert_true(sd_bus_message_enter_container(reply, 'a', contents + 1) > 0);
	while (sd_bus_message_read_basic(reply, contents[1], &s) > 0)
		assert_int_equal(strv_extend(&l, s), 0);
	sd_bus_message_unref(reply);
	return l;
}

/* ---- the fixture's JSON ---- */

/* The array under @key in the top-level list ("memdevs", "root decoders"). */
static struct json_object *list_section(struct json_object *list, const char *key)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *v;

		if (json_object_object_get_ex(json_object_array_get_idx(list, i), key, &v))
			return v;
	}
	return NULL;
}

static uint64_t json_u64(struct json_object *o, const char *key, uint64_t dflt)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : dflt;
}

static const char *json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static bool jbool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* The regions of root decoder @rd: cxl list keys them "regions:NAME". */
static struct json_object *json_regions(struct json_object *rd)
{
	_cleanup_free_ char *key = NULL;
	struct json_object *v;

	assert_true(asprintf(&key, "regions:%s", json_str(rd, "decoder")) > 0);
	return json_object_object_get_ex(rd, key, &v) ? v : NULL;
}

/* Sort an array of objects by their "position" (targets, mappings). */
static int cmp_position(const void *a, const void *b)
{
	int64_t x = json_u64(*(struct json_object *const *)a, "position", 0);
	int64_t y = json_u64(*(struct json_object *const *)b, "position", 0);

	return (x > y) - (x < y);
}

static struct json_object **by_position(struct json_object *arr, size_t *n)
{
	struct json_object **v;

	*n = arr ? json_object_array_length(arr) : 0;
	v = calloc(*n + 1, sizeof(*v));
	assert_non_null(v);
	for (size_t i = 0; i < *n; i++)
		v[i] = json_object_array_get_idx(arr, i);
	qsort(v, *n, sizeof(*v), cmp_position);
	return v;
}

char *object_path(enum object_type t, const char *name)
{
	char *p = model_bus_path(t, name);

	assert_non_null(p);
	return p;
}

/* ---- tree and properties ---- */

char *fixture_recorded(struct fixture_bed *bed, const char *syspath, const char *key)
{
	char *v = fixture_bed_recorded(bed, syspath, key);

	if (!v)
		fail_msg("the fixture has no %s for %s", key, syspath);
	return v;
}

char *fixture_syspath(struct fixture_bed *bed, const char *subsystem, const char *name)
{
	char *s = fixture_bed_syspath(bed, subsystem, name);

	if (!s)
		fail_msg("%s is not in the fixture's /sys/bus/%s", name, subsystem);
	return s;
}

char **fixture_memdev_regions(struct fixture_compare *c, const char *memdev)
{
	struct json_object *rds = list_section(c->list, "root decoders");
	char **l = NULL;

	for (size_t i = 0; rds && i < json_object_array_length(rds); i++) {
		struct json_object *regs = json_regions(json_object_array_get_idx(rds, i));

		for (size_t k = 0; regs && k < json_object_array_length(regs); k++) {
			struct json_object *rg = json_object_array_get_idx(regs, k), *maps;

			if (!json_object_object_get_ex(rg, "mappings", &maps))
				continue;
			for (size_t m = 0; m < json_object_array_length(maps); m++)
				if (strcmp(json_str(json_object_array_get_idx(maps, m), "memdev"),
					   memdev) == 0) {
					_cleanup_free_ char *p =
						object_path(OBJECT_REGION, json_str(rg, "region"));

					assert_int_equal(strv_extend(&l, p), 0);
					break;
				}
		}
	}
	strv_sort(l);
	return l;
}

static char *join(char **l)
{
	char *s = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&s, &size);

	assert_non_null(f);
	for (char **p = l; p && *p; p++)
		fprintf(f, "%s%s", p == l ? "" : ",", *p);
	assert_int_equal(fclose(f), 0);
	return s;
}

static void assert_strv_equal(char **got, char **want, const char *what)
{
	if (!strv_equal(got, want)) {
		_cleanup_free_ char *g = join(got), *w = join(want);

		fail_msg("%s: got [%s], the fixture has [%s]", what, g, w);
	}
}

size_t fixture_compare_memdevs(struct fixture_compare *c, char **objects)
{
	struct json_object *mds = list_section(c->list, "memdevs");
	size_t n = mds ? json_object_array_length(mds) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *md = json_object_array_get_idx(mds, i);
		const char *name = json_str(md, "memdev");
		_cleanup_free_ char *path = object_path(OBJECT_MEMDEV, name);
		_cleanup_free_ char *sys = fixture_syspath(c->bed, "cxl", name);
		_cleanup_free_ char *host = NULL, *fw = NULL, *want_fw = NULL, *driver = NULL;
		_cleanup_(strv_freep) char **regions = NULL, **want_regions = NULL;

		if (!objects_contain(objects, path, MEMDEV_IFACE))
			fail_msg("memdev %s of the fixture is not on the bus", name);
		assert_int_equal(daemon_get_u64(c->bus, path, OBJECT_MEMDEV, "Serial"),
				 json_u64(md, "serial", UINT64_MAX));
		assert_int_equal(daemon_get_u64(c->bus, path, OBJECT_MEMDEV, "RamSize"),
				 json_u64(md, "ram_size", 0));
		assert_int_equal(daemon_get_u64(c->bus, path, OBJECT_MEMDEV, "PmemSize"),
				 json_u64(md, "pmem_size", 0));
		assert_int_equal(get_i32(c->bus, path, OBJECT_MEMDEV, "NumaNode"),
				 (int32_t)json_u64(md, "numa_node", (uint64_t)-1));
		host = daemon_get_str(c->bus, path, OBJECT_MEMDEV, "Host");
		assert_string_equal(host, json_str(md, "host"));

		regions = get_strv(c->bus, path, OBJECT_MEMDEV, "Regions");
		want_regions = fixture_memdev_regions(c, name);
		assert_strv_equal(regions, want_regions, path);

		/* What cxl list does not print, from the record. */
		fw = daemon_get_str(c->bus, path, OBJECT_MEMDEV, "FirmwareVersion");
		want_fw = fixture_recorded(c->bed, sys, "A: firmware_version");
		assert_string_equal(fw, want_fw);
		driver = fixture_bed_recorded(c->bed, sys, "E: DRIVER");
		assert_int_equal(get_bool(c->bus, path, OBJECT_MEMDEV, "Enabled"), driver != NULL);
	}
	assert_int_equal(count_iface(objects, iface_of(OBJECT_MEMDEV)), n);
	return n;
}

static void check_region(struct fixture_compare *c, struct json_object *rd, struct json_object *rg)
{
	const char *name = json_str(rg, "region");
	_cleanup_free_ char *path = object_path(OBJECT_REGION, name);
	_cleanup_free_ char *sys = fixture_syspath(c->bed, "cxl", name);
	_cleanup_free_ char *window = NULL, *want_window = NULL, *mode = NULL, *want_mode = NULL;
	_cleanup_free_ char *uuid = NULL, *want_uuid = NULL, *state = NULL, *driver = NULL;
	_cleanup_free_ char *dax = NULL, *want_dax = NULL;
	_cleanup_free_ struct json_object **maps = NULL;
	struct json_object *jmaps = NULL;
	sd_bus_message *reply;
	size_t n_maps, k = 0;
	const char *mpath, *dec, *sig;
	uint32_t pos;

	window = daemon_get_str(c->bus, path, OBJECT_REGION, "Window");
	want_window = object_path(OBJECT_WINDOW, json_str(rd, "decoder"));
	assert_string_equal(window, want_window);
	assert_int_equal(daemon_get_u64(c->bus, path, OBJECT_REGION, "Start"),
			 json_u64(rg, "resource", UINT64_MAX));
	assert_int_equal(daemon_get_u64(c->bus, path, OBJECT_REGION, "Size"),
			 json_u64(rg, "size", UINT64_MAX));
	assert_int_equal(get_u32(c->bus, path, OBJECT_REGION, "InterleaveWays"),
			 json_u64(rg, "interleave_ways", UINT64_MAX));
	assert_int_equal(get_u32(c->bus, path, OBJECT_REGION, "InterleaveGranularity"),
			 json_u64(rg, "interleave_granularity", UINT64_MAX));

	/* Targets: the mappings in position order, as (position, memdev, decoder). */
	json_object_object_get_ex(rg, "mappings", &jmaps);
	maps = by_position(jmaps, &n_maps);
	assert_true(n_maps > 0);
	reply = get_variant(c->bus, path, OBJECT_REGION, "Targets", &sig);
	assert_string_equal(sig, "a(uos)");
	assert_true(sd_bus_message_enter_container(reply, 'a', "(uos)") > 0);
	while (sd_bus_message_read(reply, "(uos)", &pos, &mpath, &dec) > 0) {
		_cleanup_free_ char *want_mpath = NULL;

		assert_true(k < n_maps);
		want_mpath = object_path(OBJECT_MEMDEV, json_str(maps[k], "memdev"));
		assert_int_equal(pos, json_u64(maps[k], "position", UINT64_MAX));
		assert_string_equal(mpath, want_mpath);
		assert_string_equal(dec, json_str(maps[k], "decoder"));
		k++;
	}
	assert_int_equal(k, n_maps);
	sd_bus_message_unref(reply);

	mode = daemon_get_str(c->bus, path, OBJECT_REGION, "Mode");
	want_mode = fixture_recorded(c->bed, sys, "A: mode");
	assert_string_equal(mode, want_mode);
	uuid = daemon_get_str(c->bus, path, OBJECT_REGION, "UUID");
	want_uuid = fixture_recorded(c->bed, sys, "A: uuid");
	assert_string_equal(uuid, want_uuid);

	/* Committed (cxl list), and bound to cxl_region: enabled or online. */
	state = daemon_get_str(c->bus, path, OBJECT_REGION, "State");
	driver = fixture_bed_recorded(c->bed, sys, "E: DRIVER");
	if (strcmp(json_str(rg, "decode_state") ?: "", "commit") != 0)
		assert_string_equal(state, "configuring");
	else if (!driver)
		assert_string_equal(state, "committed");
	else if (strcmp(state, "enabled") != 0 && strcmp(state, "online") != 0)
		fail_msg("%s: state %s, but the fixture's region is committed and bound", path,
			 state);

	/* Its dax device: the one recorded below the region's directory. */
	dax = daemon_get_str(c->bus, path, OBJECT_REGION, "DaxDevice");
	want_dax = strdup("/");
	char **daxes = fixture_bed_devices(c->bed, "dax");
	for (char **d = daxes; d && *d; d++) {
		_cleanup_free_ char *dsys = fixture_syspath(c->bed, "dax", *d);

		if (strncmp(dsys, sys, strlen(sys)) == 0 && dsys[strlen(sys)] == '/') {
			free(want_dax);
			want_dax = object_path(OBJECT_DAX, *d);
		}
	}
	strv_free(daxes);
	assert_string_equal(dax, want_dax);
}

static size_t check_windows(struct fixture_compare *c, char **objects, size_t *n_regions)
{
	struct json_object *rds = list_section(c->list, "root decoders");
	size_t n = rds ? json_object_array_length(rds) : 0;

	*n_regions = 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *rd = json_object_array_get_idx(rds, i), *jt = NULL;
		struct json_object *regs = json_regions(rd);
		const char *name = json_str(rd, "decoder");
		_cleanup_free_ char *path = object_path(OBJECT_WINDOW, name);
		_cleanup_free_ char *sys = fixture_syspath(c->bed, "cxl", name);
		_cleanup_free_ char *gran = NULL, *locked = NULL;
		_cleanup_free_ struct json_object **targets = NULL;
		_cleanup_(strv_freep) char **got = NULL, **want = NULL, **caps = NULL;
		size_t n_targets;

		if (!objects_contain(objects, path, iface_of(OBJECT_WINDOW)))
			fail_msg("root decoder %s of the fixture is not on the bus", name);
		assert_int_equal(daemon_get_u64(c->bus, path, OBJECT_WINDOW, "Start"),
				 json_u64(rd, "resource", UINT64_MAX));
		assert_int_equal(daemon_get_u64(c->bus, path, OBJECT_WINDOW, "Size"),
				 json_u64(rd, "size", UINT64_MAX));
		assert_int_equal(get_u32(c->bus, path, OBJECT_WINDOW, "InterleaveWays"),
				 json_u64(rd, "interleave_ways", UINT64_MAX));
		/* cxl list leaves out the granularity of 1-way windows. */
		gran = fixture_recorded(c->bed, sys, "A: interleave_granularity");
		assert_int_equal(get_u32(c->bus, path, OBJECT_WINDOW, "InterleaveGranularity"),
				 json_u64(rd, "interleave_granularity", strtoull(gran, NULL, 0)));
		assert_int_equal(daemon_get_u64(c->bus, path, OBJECT_WINDOW, "MaxAvailableExtent"),
				 json_u64(rd, "max_available_extent", UINT64_MAX));
		locked = fixture_recorded(c->bed, sys, "A: locked");
		assert_int_equal(get_bool(c->bus, path, OBJECT_WINDOW, "Locked"),
				 strcmp(locked, "0") != 0);

		/* Targets in interleave position order. */
		json_object_object_get_ex(rd, "targets", &jt);
		targets = by_position(jt, &n_targets);
		assert_true(n_targets > 0);
		for (size_t k = 0; k < n_targets; k++)
			assert_int_equal(strv_extend(&want, json_str(targets[k], "target")), 0);
		got = get_strv(c->bus, path, OBJECT_WINDOW, "Targets");
		assert_strv_equal(got, want, path);

		caps = get_strv(c->bus, path, OBJECT_WINDOW, "Capabilities");
		assert_int_equal(strv_contains(caps, "ram"), jbool(rd, "volatile_capable"));
		assert_int_equal(strv_contains(caps, "pmem"), jbool(rd, "pmem_capable"));

		got = strv_free(got);
		want = strv_free(want);
		got = get_strv(c->bus, path, OBJECT_WINDOW, "Regions");
		for (size_t k = 0; regs && k < json_object_array_length(regs); k++) {
			struct json_object *rg = json_object_array_get_idx(regs, k);
			_cleanup_free_ char *rpath = object_path(OBJECT_REGION, json_str(rg, "region"));

			if (!objects_contain(objects, rpath, iface_of(OBJECT_REGION)))
				fail_msg("region %s of the fixture is not on the bus", rpath);
			assert_int_equal(strv_extend(&want, rpath), 0);
			check_region(c, rd, rg);
			(*n_regions)++;
		}
		strv_sort(want);
		assert_strv_equal(got, want, path);
	}
	assert_int_equal(count_iface(objects, iface_of(OBJECT_WINDOW)), n);
	assert_int_equal(count_iface(objects, iface_of(OBJECT_REGION)), *n_regions);
	return n;
}

/* ---- the fixture's /proc/iomem ---- */

struct sr_range {
	uint64_t start, size;
};

/* The Soft Reserved ranges of the recorded /proc/iomem, in its order; free() it. */
static struct sr_range *fixture_soft_reserved(struct fixture_compare *c, size_t *ret_n)
{
	_cleanup_free_ char *iomem_path = fixture_bed_file(c->bed, "iomem");
	struct sr_range *v = NULL;
	char line[256];
	size_t n = 0;
	FILE *io;

	io = fopen(iomem_path, "re");
	assert_non_null(io);
	while (fgets(line, sizeof(line), io)) {
		unsigned long long s, e;
		char name[64];

		if (!strstr(line, ": Soft Reserved"))
			continue;
		/* One this cannot read would go uncompared: say so instead. */
		if (sscanf(line, " %llx-%llx : %63[^\n]", &s, &e, name) != 3 || e < s)
			fail_msg("unreadable Soft Reserved line in %s: %s", iomem_path, line);
		if (strcmp(name, "Soft Reserved") != 0)
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		assert_non_null(v);
		v[n++] = (struct sr_range){ .start = s, .size = e - s + 1 };
	}
	fclose(io);
	*ret_n = n;
	return v;
}

static bool overlaps(uint64_t s1, uint64_t n1, uint64_t s2, uint64_t n2)
{
	return n1 && n2 && s1 < s2 + n2 && s2 < s1 + n1;
}

static char *sr_path(const struct sr_range *r)
{
	_cleanup_free_ char *name = NULL;

	assert_true(asprintf(&name, "0x%" PRIx64, r->start) > 0);
	return object_path(OBJECT_SOFTRESERVED, name);
}

/* dax_hmem's devices are children of an "hmem.N" platform device. */
static bool is_hmem_dax(const char *syspath)
{
	const char *last = strrchr(syspath, '/');
	const char *parent = last;

	while (parent && parent > syspath && parent[-1] != '/')
		parent--;
	return parent && last - parent > 5 && strncmp(parent, "hmem.", 5) == 0;
}

/* The Soft Reserved range dax_hmem made a recorded dax device of ("/": none). */
static char *dax_soft_reserved(struct fixture_compare *c, const char *syspath, uint64_t start)
{
	_cleanup_free_ struct sr_range *srs = NULL;
	size_t n;

	if (!is_hmem_dax(syspath))
		return strdup("/");
	srs = fixture_soft_reserved(c, &n);
	for (size_t i = 0; i < n; i++)
		if (start >= srs[i].start && start - srs[i].start < srs[i].size)
			return sr_path(&srs[i]);
	fail_msg("dax_hmem device %s lies in no Soft Reserved range of the fixture", syspath);
	return NULL;
}

/* The region a dax device's recorded path runs through ("" if none). */
static char *region_in_path(const char *syspath)
{
	const char *p = strstr(syspath, "/dax_region");
	const char *s;

	if (!p)
		return strdup("");
	for (s = p; s > syspath && s[-1] != '/'; s--)
		;
	return strncmp(s, "region", 6) == 0 ? strndup(s, (size_t)(p - s)) : strdup("");
}

static size_t check_daxes(struct fixture_compare *c, char **objects)
{
	_cleanup_(strv_freep) char **names = fixture_bed_devices(c->bed, "dax");
	size_t n = 0;

	for (char **d = names; d && *d; d++) {
		_cleanup_free_ char *sys = fixture_syspath(c->bed, "dax", *d);
		_cleanup_free_ char *size = NULL, *res = NULL, *node = NULL, *driver = NULL;
		_cleanup_free_ char *path = NULL, *mode = NULL, *region = NULL, *want_region = NULL;
		_cleanup_free_ char *rname = NULL, *sr = NULL, *want_sr = NULL;

		/* Only dax devices; a region's seed device has no capacity. */
		size = fixture_bed_recorded(c->bed, sys, "A: size");
		if (!size || strncmp(*d, "dax", 3) != 0 || strtoull(size, NULL, 0) == 0)
			continue;
		n++;
		path = object_path(OBJECT_DAX, *d);
		if (!objects_contain(objects, path, iface_of(OBJECT_DAX)))
			fail_msg("dax device %s of the fixture is not on the bus", *d);
		res = fixture_recorded(c->bed, sys, "A: resource");
		node = fixture_recorded(c->bed, sys, "A: target_node");
		assert_int_equal(daemon_get_u64(c->bus, path, OBJECT_DAX, "Size"),
				 strtoull(size, NULL, 0));
		assert_int_equal(daemon_get_u64(c->bus, path, OBJECT_DAX, "Start"),
				 strtoull(res, NULL, 0));
		assert_int_equal(get_i32(c->bus, path, OBJECT_DAX, "NumaNode"),
				 (int32_t)strtol(node, NULL, 0));
		driver = fixture_bed_recorded(c->bed, sys, "E: DRIVER");
		mode = daemon_get_str(c->bus, path, OBJECT_DAX, "Mode");
		assert_string_equal(mode, driver && strcmp(driver, "kmem") == 0 ? "system-ram" :
										     "devdax");
		rname = region_in_path(sys);
		want_region = *rname ? object_path(OBJECT_REGION, rname) : strdup("/");
		region = daemon_get_str(c->bus, path, OBJECT_DAX, "Region");
		assert_string_equal(region, want_region);
		sr = daemon_get_str(c->bus, path, OBJECT_DAX, "SoftReservedRange");
		want_sr = dax_soft_reserved(c, sys, strtoull(res, NULL, 0));
		assert_string_equal(sr, want_sr);
	}
	assert_int_equal(count_iface(objects, iface_of(OBJECT_DAX)), n);
	return n;
}

/* Root decoders (regions) of the JSON that overlap @r, as sorted bus paths. */
static char **json_overlapping(struct fixture_compare *c, const struct sr_range *r, bool regions)
{
	struct json_object *rds = list_section(c->list, "root decoders");
	char **l = NULL;

	for (size_t i = 0; rds && i < json_object_array_length(rds); i++) {
		struct json_object *rd = json_object_array_get_idx(rds, i);
		struct json_object *regs = json_regions(rd);

		if (!regions) {
			if (overlaps(r->start, r->size, json_u64(rd, "resource", 0),
				     json_u64(rd, "size", 0))) {
				_cleanup_free_ char *p = object_path(OBJECT_WINDOW, json_str(rd, "decoder"));

				assert_int_equal(strv_extend(&l, p), 0);
			}
			continue;
		}
		for (size_t k = 0; regs && k < json_object_array_length(regs); k++) {
			struct json_object *rg = json_object_array_get_idx(regs, k);

			if (overlaps(r->start, r->size, json_u64(rg, "resource", 0),
				     json_u64(rg, "size", 0))) {
				_cleanup_free_ char *p = object_path(OBJECT_REGION, json_str(rg, "region"));

				assert_int_equal(strv_extend(&l, p), 0);
			}
		}
	}
	strv_sort(l);
	return l;
}

/* Does a recorded dax_hmem device lie in @r? */
static bool hmem_dax_in(struct fixture_compare *c, const struct sr_range *r)
{
	_cleanup_(strv_freep) char **names = fixture_bed_devices(c->bed, "dax");

	for (char **d = names; d && *d; d++) {
		_cleanup_free_ char *sys = fixture_syspath(c->bed, "dax", *d), *res = NULL;

		if (!is_hmem_dax(sys))
			continue;
		res = fixture_bed_recorded(c->bed, sys, "A: resource");
		if (res && strtoull(res, NULL, 0) - r->start < r->size)
			return true;
	}
	return false;
}

static void check_one_soft_reserved(struct fixture_compare *c, const struct sr_range *r)
{
	_cleanup_free_ char *path = sr_path(r), *owner = NULL;
	_cleanup_(strv_freep) char **got = NULL, **want = NULL;
	_cleanup_free_ char *wins = NULL;

	assert_int_equal(daemon_get_u64(c->bus, path, OBJECT_SOFTRESERVED, "Start"), r->start);
	assert_int_equal(daemon_get_u64(c->bus, path, OBJECT_SOFTRESERVED, "Size"), r->size);

	/* The windows (regions) of cxl list it intersects, any order. */
	got = get_strv(c->bus, path, OBJECT_SOFTRESERVED, "Windows");
	want = json_overlapping(c, r, false);
	strv_sort(got);
	assert_strv_equal(got, want, path);
	wins = join(want);
	got = strv_free(got);
	want = strv_free(want);
	got = get_strv(c->bus, path, OBJECT_SOFTRESERVED, "Regions");
	want = json_overlapping(c, r, true);
	strv_sort(got);
	assert_strv_equal(got, want, path);

	/* dax_hmem made a device of it: the daemon must call it hmem's. */
	owner = daemon_get_str(c->bus, path, OBJECT_SOFTRESERVED, "Owner");
	if (hmem_dax_in(c, r))
		assert_string_equal(owner, "hmem");
	printf("# Soft Reserved 0x%" PRIx64 "+0x%" PRIx64 ": windows [%s], owner %s\n",
	       r->start, r->size, wins ?: "", owner);
	fflush(stdout);
}

static size_t check_soft_reserved(struct fixture_compare *c, char **objects)
{
	_cleanup_free_ struct sr_range *srs = NULL;
	size_t n;

	srs = fixture_soft_reserved(c, &n);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = sr_path(&srs[i]);

		if (!objects_contain(objects, path, iface_of(OBJECT_SOFTRESERVED)))
			fail_msg("Soft Reserved range %s of the fixture is not on the bus", path);
		check_one_soft_reserved(c, &srs[i]);
	}
	assert_int_equal(count_iface(objects, iface_of(OBJECT_SOFTRESERVED)), n);
	return n;
}

/* cxl list must have them all. */
size_t fixture_recorded_regions(struct fixture_compare *c)
{
	_cleanup_(strv_freep) char **names = fixture_bed_devices(c->bed, "cxl");
	size_t n = 0;

	for (char **d = names; d && *d; d++) {
		_cleanup_free_ char *sys = NULL, *size = NULL;

		if (strncmp(*d, "region", 6) != 0)
			continue;
		sys = fixture_syspath(c->bed, "cxl", *d);
		size = fixture_bed_recorded(c->bed, sys, "A: size");
		if (size && strtoull(size, NULL, 0) > 0)
			n++;
	}
	return n;
}

/* ---- the whole tree ---- */

int fixture_compare_init(struct fixture_compare *c, struct fixture_bed *bed, sd_bus *bus)
{
	_cleanup_free_ char *json = fixture_bed_file(bed, "cxl-list.json");

	*c = (struct fixture_compare){ .bed = bed, .bus = bus };
	c->list = json ? json_object_from_file(json) : NULL;
	if (!c->list) {
		fprintf(stderr, "cannot parse %s\n", json ?: "the fixture's cxl-list.json");
		return -EINVAL;
	}
	return 0;
}

void fixture_compare_done(struct fixture_compare *c)
{
	json_object_put(c->list);
	*c = (struct fixture_compare){ 0 };
}

char **fixture_memdevs(struct fixture_compare *c)
{
	struct json_object *mds = list_section(c->list, "memdevs");
	char **l = NULL;

	for (size_t i = 0; mds && i < json_object_array_length(mds); i++)
		assert_int_equal(strv_extend(&l, json_str(json_object_array_get_idx(mds, i),
							  "memdev")), 0);
	return l;
}

void fixture_compare_tree(struct fixture_compare *c, struct fixture_counts *ret)
{
	_cleanup_(strv_freep) char **objects = daemon_objects(c->bus);
	struct fixture_counts n = { 0 };

	n.memdevs = fixture_compare_memdevs(c, objects);
	n.windows = check_windows(c, objects, &n.regions);
	n.daxes = check_daxes(c, objects);
	n.soft_reserved = check_soft_reserved(c, objects);

	/* Nothing else: every managed object was one of those above. */
	assert_int_equal(strv_length(objects),
			 n.memdevs + n.windows + n.regions + n.daxes + n.soft_reserved);
	*ret = n;
}
