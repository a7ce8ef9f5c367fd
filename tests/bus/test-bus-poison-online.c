// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * THEORY OF OPERATION: the refusal to poison memory that is online as
 * system RAM (issue 7), which no VM topology can show: cxl_test's memory
 * is a mock that must never be onlined, and QEMU 7.2's devices, whose
 * memory can be, have no poison commands.
 *
 * The real cxlmemd on a private bus reads the recorded cxl_test tree
 * (fixture-bed.h), whose region0 is committed and bound, with a dax
 * device bound to kmem. The recording holds no memory blocks and no
 * debugfs, so the test adds them to the umockdev testbed (the daemon's
 * /sys: libumockdev-preload redirects /sys/kernel/debug and
 * /sys/devices/system with the rest, so no path override is needed):
 *  - /sys/kernel/debug/cxl/memN/{inject,clear}_poison, empty files, one
 *    pair per memdev. What cxlmemd writes into them is what it would
 *    have written to the kernel.
 *  - the memory blocks libdaxctl walks to tell whether the dax device is
 *    online: block_size_bytes, memoryN/{phys_index,state,valid_zones}
 *    for every block of the dax device's range, plus one block of
 *    ordinary RAM outside it, linked from nodeK as the kernel does.
 * cxlmemd reads both when it enumerates, so each test sets the blocks'
 * state, starts the daemon and stops it (exit 0 required).
 *
 * Expected DPAs come from the recording (the cxl list JSON's region and
 * mappings, the endpoint decoders' dpa_resource and dpa_size), computed
 * here with the modulo interleave of a window of one host bridge.
 *
 * Checked: with the blocks online, Memdev.Inject/ClearPoison on a DPA the
 * region maps and Region.Inject/ClearPoison on an offset in it fail with
 * org.cxlmemd1.Error.MemoryOnline, whose message says the RAM is online
 * and that poisoned online RAM can take the host down, and nothing is
 * written; a DPA no region maps is poisoned anyway; force=true as root
 * writes the computed DPA. With the blocks offline no force is needed.
 * A caller other than root whom polkit grants test-poison still meets the
 * refusal without force, and with force needs poison-online-memory:
 * refused (AccessDenied) when polkit says no to that action, written
 * when it says yes. Last, the other "not now": a memdev unbound from
 * cxl_mem (no driver link, no debugfs files) gets Busy saying so, not
 * NotSupported; and the "never": a bound memdev without debugfs files
 * gets NotSupported naming debugfs, GetPoison without tracefs
 * NotSupported naming tracefs.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "bus-harness.h"
#include "bus-interfaces.h"
#include "fake-polkit.h"
#include "fixture-bed.h"
#include "macro.h"
#include "model-bus.h"
#include "strv.h"

#define MEMDEV_IFACE "org.cxlmemd1.Memdev"
#define REGION_IFACE "org.cxlmemd1.Region"
#define MEMORY_ONLINE "org.cxlmemd1.Error.MemoryOnline"
#define ACCESS_DENIED "org.freedesktop.DBus.Error.AccessDenied"
#define POLKIT_FORCE "org.cxlmemd1.poison-online-memory"
#define NOBODY 65534
#define BLOCK_SIZE 0x8000000ULL		/* x86's 128 MiB memory blocks */
#define MAX_WAYS 16

struct ctx {
	struct bus_env env;
	struct fixture_bed *bed;
	struct fake_polkit *polkit;
	const char *root;		/* the testbed, the daemon's "/" for /sys */
	char **memdevs;			/* every memdev of the fixture */
	/* the region under test, from the recording */
	char region[32];
	uint64_t start, size, granularity;
	unsigned ways;
	char member[MAX_WAYS][32];	/* memdev at each position */
	uint64_t dpa_base[MAX_WAYS], dpa_size[MAX_WAYS];
	/* its dax device's memory blocks */
	uint64_t first_block, n_blocks;
	int node;
};

/* ---- the testbed ---- */

static void put(const char *text, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(const char *text, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	f = fopen(path, "w");
	if (!f)
		fail_msg("cannot write %s: %m", path);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void mkdir_p(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mkdir_p(const char *fmt, ...)
{
	char path[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	for (char *p = path + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %m", path);
		if (!(*p = c))
			break;
	}
}

/* What cxlmemd wrote into memdev @mem's debugfs file @file ("" if nothing). */
static char *written(struct ctx *c, const char *mem, const char *file)
{
	char path[512], buf[128] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/sys/kernel/debug/cxl/%s/%s", c->root, mem, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("cannot read %s: %m", path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strdup(buf);
}

/* Is there a debugfs directory for @mem (not when a test unbinds it)? */
static bool has_debugfs(struct ctx *c, const char *mem)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/sys/kernel/debug/cxl/%s", c->root, mem);
	return access(path, F_OK) == 0;
}

/* Every debugfs file back to empty. */
static void reset_debugfs(struct ctx *c)
{
	for (char **m = c->memdevs; *m; m++) {
		if (!has_debugfs(c, *m))
			continue;
		put("", "%s/sys/kernel/debug/cxl/%s/inject_poison", c->root, *m);
		put("", "%s/sys/kernel/debug/cxl/%s/clear_poison", c->root, *m);
	}
}

/* Nothing written to any memdev's debugfs. */
static void assert_nothing_written(struct ctx *c, const char *after)
{
	static const char *const files[] = { "inject_poison", "clear_poison" };

	for (char **m = c->memdevs; *m; m++)
		for (size_t i = 0; i < ELEMENTSOF(files) && has_debugfs(c, *m); i++) {
			_cleanup_free_ char *w = written(c, *m, files[i]);

			if (*w)
				fail_msg("after %s, cxlmemd wrote \"%s\" to %s's %s", after, w, *m,
					 files[i]);
		}
}

/* Only @file of @mem holds "0x<dpa>\n"; every other file is empty. */
static void assert_written(struct ctx *c, const char *mem, const char *file, uint64_t dpa)
{
	char want[32];
	_cleanup_free_ char *w = written(c, mem, file);

	snprintf(want, sizeof(want), "0x%" PRIx64 "\n", dpa);
	if (strcmp(w, want))
		fail_msg("%s's %s holds \"%s\", want \"%s\"", mem, file, w, want);
	put("", "%s/sys/kernel/debug/cxl/%s/%s", c->root, mem, file);
	assert_nothing_written(c, "the expected write");
}

/* The region's memory blocks online or offline (as the kernel words it). */
static void set_blocks(struct ctx *c, const char *state)
{
	char text[16];

	snprintf(text, sizeof(text), "%s\n", state);
	for (uint64_t b = c->first_block; b < c->first_block + c->n_blocks; b++)
		put(text, "%s/sys/devices/system/memory/memory%" PRIu64 "/state", c->root, b);
}

static void add_block(struct ctx *c, uint64_t b, const char *state)
{
	char text[32], link[512], target[64];

	mkdir_p("%s/sys/devices/system/memory/memory%" PRIu64, c->root, b);
	snprintf(text, sizeof(text), "%08" PRIx64 "\n", b);
	put(text, "%s/sys/devices/system/memory/memory%" PRIu64 "/phys_index", c->root, b);
	snprintf(text, sizeof(text), "%s\n", state);
	put(text, "%s/sys/devices/system/memory/memory%" PRIu64 "/state", c->root, b);
	put("Movable\n", "%s/sys/devices/system/memory/memory%" PRIu64 "/valid_zones", c->root, b);
	snprintf(link, sizeof(link), "%s/sys/devices/system/node/node%d/memory%" PRIu64, c->root,
		 c->node, b);
	snprintf(target, sizeof(target), "../../memory/memory%" PRIu64, b);
	if (symlink(target, link) < 0 && errno != EEXIST)
		fail_msg("symlink %s: %m", link);
}

/* A recorded attribute as a number. */
static uint64_t recorded_u64(struct ctx *c, const char *subsystem, const char *name,
			     const char *attr)
{
	_cleanup_free_ char *syspath = fixture_bed_syspath(c->bed, subsystem, name);
	_cleanup_free_ char *v = NULL;
	char key[64];

	if (!syspath)
		fail_msg("the fixture has no %s device %s", subsystem, name);
	snprintf(key, sizeof(key), "A: %s", attr);
	v = fixture_bed_recorded(c->bed, syspath, key);
	if (!v)
		fail_msg("the fixture has no %s of %s", attr, name);
	return strtoull(v, NULL, 0);
}

static struct json_object *find_region(struct json_object *o)
{
	struct json_object *v;

	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			if ((v = find_region(json_object_array_get_idx(o, i))))
				return v;
	} else if (json_object_is_type(o, json_type_object)) {
		if (json_object_object_get_ex(o, "region", NULL) &&
		    json_object_object_get_ex(o, "mappings", NULL))
			return o;
		json_object_object_foreach(o, key, child) {
			(void)key;
			if ((v = find_region(child)))
				return v;
		}
	}
	return NULL;
}

static uint64_t json_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no \"%s\" in %s", key, json_object_to_json_string(o));
	return (uint64_t)json_object_get_int64(v);
}

/* The region, its members and its dax device, as recorded. */
static void learn_region(struct ctx *c)
{
	_cleanup_free_ char *json = fixture_bed_file(c->bed, "cxl-list.json");
	_cleanup_free_ char *region_sys = NULL;
	struct json_object *list = json ? json_object_from_file(json) : NULL;
	struct json_object *r, *maps;
	char **daxes;
	bool found = false;

	if (!list)
		fail_msg("cannot parse %s", json ?: "the fixture's cxl-list.json");
	r = find_region(list);
	if (!r)
		fail_msg("the fixture has no region with mappings");
	snprintf(c->region, sizeof(c->region), "%s",
		 json_object_get_string(json_object_object_get(r, "region")));
	c->start = json_u64(r, "resource");
	c->size = json_u64(r, "size");
	c->ways = (unsigned)json_u64(r, "interleave_ways");
	c->granularity = json_u64(r, "interleave_granularity");
	assert_true(c->ways >= 2 && c->ways <= MAX_WAYS);	/* offsets must pick a member */
	maps = json_object_object_get(r, "mappings");
	assert_int_equal(json_object_array_length(maps), c->ways);
	for (size_t i = 0; i < c->ways; i++) {
		struct json_object *m = json_object_array_get_idx(maps, i);
		uint64_t pos = json_u64(m, "position");
		const char *dec = json_object_get_string(json_object_object_get(m, "decoder"));

		assert_true(pos < c->ways);
		snprintf(c->member[pos], sizeof(c->member[pos]), "%s",
			 json_object_get_string(json_object_object_get(m, "memdev")));
		c->dpa_base[pos] = recorded_u64(c, "cxl", dec, "dpa_resource");
		c->dpa_size[pos] = recorded_u64(c, "cxl", dec, "dpa_size");
		assert_true(c->dpa_size[pos] == c->size / c->ways);
	}
	json_object_put(list);

	/* its dax device, bound to kmem */
	region_sys = fixture_bed_syspath(c->bed, "cxl", c->region);
	assert_non_null(region_sys);
	daxes = fixture_bed_devices(c->bed, "dax");
	for (char **d = daxes; d && *d; d++) {
		_cleanup_free_ char *sys = fixture_bed_syspath(c->bed, "dax", *d);
		_cleanup_free_ char *driver = NULL;
		uint64_t start, size;

		if (!sys || strncmp(sys, region_sys, strlen(region_sys)) ||
		    sys[strlen(region_sys)] != '/')
			continue;
		driver = fixture_bed_recorded(c->bed, sys, "L: driver");
		if (!driver || !strstr(driver, "/kmem"))
			fail_msg("%s of %s is not bound to kmem in the recording", *d, c->region);
		start = recorded_u64(c, "dax", *d, "resource");
		size = recorded_u64(c, "dax", *d, "size");
		c->node = (int)recorded_u64(c, "dax", *d, "target_node");
		assert_true(start % BLOCK_SIZE == 0 && size % BLOCK_SIZE == 0 && size > 0);
		c->first_block = start / BLOCK_SIZE;
		c->n_blocks = size / BLOCK_SIZE;
		found = true;
	}
	strv_free(daxes);
	if (!found)
		fail_msg("the fixture has no dax device in %s", c->region);
}

static void build_testbed(struct ctx *c)
{
	char **all = fixture_bed_devices(c->bed, "cxl");
	char text[32];

	for (char **d = all; d && *d; d++)
		if (!strncmp(*d, "mem", 3) && strv_extend(&c->memdevs, *d) < 0)
			fail();
	strv_free(all);
	assert_non_null(c->memdevs);
	for (char **m = c->memdevs; *m; m++)
		mkdir_p("%s/sys/kernel/debug/cxl/%s", c->root, *m);
	reset_debugfs(c);

	mkdir_p("%s/sys/devices/system/node/node%d", c->root, c->node);
	mkdir_p("%s/sys/devices/system/memory", c->root);
	snprintf(text, sizeof(text), "%llx\n", BLOCK_SIZE);
	put(text, "%s/sys/devices/system/memory/block_size_bytes", c->root);
	for (uint64_t b = c->first_block; b < c->first_block + c->n_blocks; b++)
		add_block(c, b, "online");
	/* ordinary RAM in the same node, online throughout */
	add_block(c, 0, "online");
}

static int setup(void **state)
{
	static struct ctx c;
	int r;

	/* the daemon runs under libumockdev-preload (see test-bus-access.c) */
	if (setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 0) < 0)
		return -1;
	r = bus_env_start_with(&c.env, fake_polkit_bus_policy);
	if (r >= 0)
		r = fake_polkit_start(c.env.address, &c.polkit);
	if (r >= 0)
		r = fixture_bed_new("cxltest", &c.bed);
	if (r < 0) {
		fprintf(stderr, "test environment failed: %s\n", strerror(-r));
		return -1;
	}
	for (char *const *e = fixture_bed_env(c.bed); *e; e++)
		if (!strncmp(*e, "UMOCKDEV_DIR=", 13))
			c.root = *e + 13;
	/* the unprivileged client must reach the private bus's socket */
	if (!c.root || chmod(c.env.dir, 0755) < 0)
		return -1;
	*state = &c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	if (!c)
		return -1;
	fake_polkit_stop(c->polkit);
	bus_env_stop(&c->env);
	fixture_bed_free(c->bed);
	strv_free(c->memdevs);
	return 0;
}

/* ---- the daemon ---- */

/* Blocks of the region's dax device in @blocks ("online", "offline"); cxlmemd up. */
static void start(struct ctx *c, const char *blocks)
{
	/* a test that failed left its daemon running: not this test's verdict */
	if (c->env.daemon_pid > 0)
		(void)bus_env_stop_daemon(&c->env);
	set_blocks(c, blocks);
	reset_debugfs(c);
	assert_int_equal(bus_env_start_daemon(&c->env, fixture_bed_env(c->bed)), 0);
	if (bus_env_wait_name(&c->env, bus_env_timeout_ms(20000)) < 0)
		fail_msg("cxlmemd did not take its name");
}

static void stop(struct ctx *c)
{
	if (bus_env_stop_daemon(&c->env) < 0)
		fail_msg("cxlmemd did not exit 0 on SIGTERM");
}

static char *property(struct ctx *c, enum object_type t, const char *name, const char *iface,
		      const char *prop)
{
	_cleanup_free_ char *path = model_bus_path(t, name);
	sd_bus_error error = SD_BUS_ERROR_NULL;
	char *v = NULL;

	if (sd_bus_get_property_string(c->env.client, CXLMEMD_BUS_NAME, path, iface, prop,
				       &error, &v) < 0)
		fail_msg("%s.%s of %s: %s", iface, prop, path, error.message);
	return v;
}

struct poison_args {
	uint64_t where;		/* DPA or offset */
	bool force;
};

static int append_args(sd_bus_message *m, const void *userdata)
{
	const struct poison_args *a = userdata;

	return a->force ? sd_bus_message_append(m, "ta{sv}", a->where, 1, "force", "b", 1) :
			  sd_bus_message_append(m, "ta{sv}", a->where, 0);
}

/*
 * @member (InjectPoison, ClearPoison) of the memdev or region @name as
 * root. 0, or -1 with the error's name and message (free() them).
 */
static int call(struct ctx *c, enum object_type t, const char *name, const char *member,
		uint64_t where, bool force, char **ret_name, char **ret_message)
{
	_cleanup_free_ char *path = model_bus_path(t, name);
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	struct poison_args a = { where, force };
	int r;

	assert_true(sd_bus_message_new_method_call(c->env.client, &m, CXLMEMD_BUS_NAME, path,
						   t == OBJECT_MEMDEV ? MEMDEV_IFACE : REGION_IFACE,
						   member) >= 0);
	assert_true(append_args(m, &a) >= 0);
	r = sd_bus_call(c->env.client, m, 0, &error, &reply);
	if (r < 0) {
		*ret_name = strdup(error.name ?: "");
		*ret_message = strdup(error.message ?: "");
	}
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	return r < 0 ? -1 : 0;
}

static void expect_ok(struct ctx *c, enum object_type t, const char *name, const char *member,
		      uint64_t where, bool force)
{
	char *n = NULL, *msg = NULL;

	if (call(c, t, name, member, where, force, &n, &msg) < 0)
		fail_msg("%s.%s(0x%" PRIx64 ", force=%d) of %s: %s: %s",
			 t == OBJECT_MEMDEV ? "Memdev" : "Region", member, where, force, name, n,
			 msg);
}

/* Refused with MemoryOnline, a message that says why; nothing written. */
static void expect_refused(struct ctx *c, enum object_type t, const char *name,
			   const char *member, uint64_t where)
{
	char *n = NULL, *msg = NULL, what[128];

	snprintf(what, sizeof(what), "%s.%s(0x%" PRIx64 ") of %s",
		 t == OBJECT_MEMDEV ? "Memdev" : "Region", member, where, name);
	if (call(c, t, name, member, where, false, &n, &msg) == 0)
		fail_msg("%s on online memory succeeded", what);
	if (strcmp(n, MEMORY_ONLINE))
		fail_msg("%s: %s (%s), want " MEMORY_ONLINE, what, n, msg);
	if (!strstr(msg, c->region) || !strstr(msg, "online as system RAM") ||
	    !strstr(msg, "poisoned online RAM can take the host down") ||
	    !strstr(msg, "force=true"))
		fail_msg("%s: the message does not say why or what to do: %s", what, msg);
	free(n);
	free(msg);
	assert_nothing_written(c, what);
}

/* Offset @k chunks into the region plus @in: the member and DPA it maps to. */
static uint64_t offset_of(struct ctx *c, uint64_t k, uint64_t in, unsigned *pos, uint64_t *dpa)
{
	*pos = (unsigned)(k % c->ways);
	*dpa = c->dpa_base[*pos] + (k / c->ways) * c->granularity + in;
	return k * c->granularity + in;
}

/* ---- tests ---- */

/* The context, the region learnt and the testbed built the first time. */
static struct ctx *prepared(void **state)
{
	static bool done;
	struct ctx *c = *state;

	if (!done) {
		learn_region(c);
		build_testbed(c);
		done = true;
	}
	return c;
}

static void test_online_refused(void **state)
{
	struct ctx *c = prepared(state);
	const char *mem = c->member[0];
	uint64_t mapped = c->dpa_base[0] + c->granularity + 0x40;
	uint64_t unmapped = c->dpa_base[0] + c->dpa_size[0];
	uint64_t off, dpa;
	unsigned pos;
	_cleanup_free_ char *rstate = NULL;

	start(c, "online");
	/* the daemon reads the blocks as the kernel would have them */
	rstate = property(c, OBJECT_REGION, c->region, REGION_IFACE, "State");
	assert_string_equal(rstate, "online");

	expect_refused(c, OBJECT_MEMDEV, mem, "InjectPoison", mapped);
	expect_refused(c, OBJECT_MEMDEV, mem, "ClearPoison", mapped);
	off = offset_of(c, 3, 0x40, &pos, &dpa);
	expect_refused(c, OBJECT_REGION, c->region, "InjectPoison", off);
	expect_refused(c, OBJECT_REGION, c->region, "ClearPoison", off);
	/* every member, at the start and the end of its share */
	for (unsigned p = 0; p < c->ways; p++) {
		expect_refused(c, OBJECT_MEMDEV, c->member[p], "InjectPoison", c->dpa_base[p]);
		expect_refused(c, OBJECT_MEMDEV, c->member[p], "InjectPoison",
			       c->dpa_base[p] + c->dpa_size[p] - 64);
	}
	expect_refused(c, OBJECT_REGION, c->region, "InjectPoison", 0);
	expect_refused(c, OBJECT_REGION, c->region, "InjectPoison", c->size - 64);

	/* a DPA of the same device that no region maps: not online memory */
	expect_ok(c, OBJECT_MEMDEV, mem, "InjectPoison", unmapped, false);
	assert_written(c, mem, "inject_poison", unmapped);
	expect_ok(c, OBJECT_MEMDEV, mem, "ClearPoison", unmapped, false);
	assert_written(c, mem, "clear_poison", unmapped);
	stop(c);
}

static void test_online_forced_by_root(void **state)
{
	struct ctx *c = prepared(state);
	const char *mem = c->member[0];
	uint64_t mapped = c->dpa_base[0] + c->granularity + 0x40;
	uint64_t off, dpa;
	unsigned pos;

	start(c, "online");
	expect_ok(c, OBJECT_MEMDEV, mem, "InjectPoison", mapped, true);
	assert_written(c, mem, "inject_poison", mapped);
	expect_ok(c, OBJECT_MEMDEV, mem, "ClearPoison", mapped, true);
	assert_written(c, mem, "clear_poison", mapped);
	for (uint64_t k = 0; k < 2 * c->ways; k++) {
		off = offset_of(c, k, k * 64, &pos, &dpa);
		expect_ok(c, OBJECT_REGION, c->region, "InjectPoison", off, true);
		assert_written(c, c->member[pos], "inject_poison", dpa);
		expect_ok(c, OBJECT_REGION, c->region, "ClearPoison", off, true);
		assert_written(c, c->member[pos], "clear_poison", dpa);
	}
	stop(c);
}

static void test_offline_needs_no_force(void **state)
{
	struct ctx *c = prepared(state);
	const char *mem = c->member[0];
	uint64_t mapped = c->dpa_base[0] + c->granularity + 0x40;
	_cleanup_free_ char *rstate = NULL;
	uint64_t off, dpa;
	unsigned pos;

	/* the region's blocks offline; the node's other RAM stays online */
	start(c, "offline");
	rstate = property(c, OBJECT_REGION, c->region, REGION_IFACE, "State");
	assert_string_equal(rstate, "enabled");
	expect_ok(c, OBJECT_MEMDEV, mem, "InjectPoison", mapped, false);
	assert_written(c, mem, "inject_poison", mapped);
	off = offset_of(c, 3, 0x40, &pos, &dpa);
	expect_ok(c, OBJECT_REGION, c->region, "InjectPoison", off, false);
	assert_written(c, c->member[pos], "inject_poison", dpa);
	expect_ok(c, OBJECT_REGION, c->region, "ClearPoison", off, false);
	assert_written(c, c->member[pos], "clear_poison", dpa);
	stop(c);
}

static char *call_as_nobody(struct ctx *c, enum object_type t, const char *name,
			    const char *member, uint64_t where, bool force)
{
	_cleanup_free_ char *path = model_bus_path(t, name);
	struct poison_args a = { where, force };
	char *got = bus_env_call_as(&c->env, NOBODY, false, path,
				    t == OBJECT_MEMDEV ? MEMDEV_IFACE : REGION_IFACE, member,
				    append_args, &a);

	if (!got)
		fail_msg("the uid %d client could not call %s", NOBODY, member);
	return got;
}

static void test_force_needs_admin(void **state)
{
	struct ctx *c = prepared(state);
	const char *mem = c->member[0];
	uint64_t mapped = c->dpa_base[0] + c->granularity + 0x40;
	struct fake_polkit_question q;
	uint64_t off, dpa;
	unsigned pos;
	char *got;

	start(c, "online");
	/* polkit grants test-poison, not poison-online-memory */
	fake_polkit_set(c->polkit, FAKE_POLKIT_YES, 0);
	fake_polkit_refuse(c->polkit, POLKIT_FORCE);

	/* granted test-poison, so past the bouncer: the online check stops it */
	got = call_as_nobody(c, OBJECT_MEMDEV, mem, "InjectPoison", mapped, false);
	assert_string_equal(got, MEMORY_ONLINE);
	free(got);
	fake_polkit_last(c->polkit, &q);
	assert_true(q.asked > 0);
	assert_nothing_written(c, "a refused call as nobody");

	/*
	 * The same call with force: denied. Only the answer for
	 * poison-online-memory differs from the call above and the one
	 * below, so that is the action force asks for.
	 */
	got = call_as_nobody(c, OBJECT_MEMDEV, mem, "InjectPoison", mapped, true);
	assert_string_equal(got, ACCESS_DENIED);
	free(got);
	off = offset_of(c, 1, 0, &pos, &dpa);
	got = call_as_nobody(c, OBJECT_REGION, c->region, "InjectPoison", off, true);
	assert_string_equal(got, ACCESS_DENIED);
	free(got);
	assert_nothing_written(c, "a forced call polkit refused");

	/* an administrator polkit authorizes for the action may */
	fake_polkit_refuse(c->polkit, NULL);
	fake_polkit_set(c->polkit, FAKE_POLKIT_YES, 0);
	got = call_as_nobody(c, OBJECT_REGION, c->region, "InjectPoison", off, true);
	assert_string_equal(got, "ok");
	free(got);
	assert_written(c, c->member[pos], "inject_poison", dpa);
	stop(c);
}

/*
 * Not online memory, but the other reason a memdev cannot be poisoned for
 * now: unbound from cxl_mem, when the kernel has no debugfs files for it.
 * Busy, saying so, and not NotSupported: the device does support poison.
 */
static void test_unbound_memdev_busy(void **state)
{
	struct ctx *c = prepared(state);
	const char *mem = NULL;
	_cleanup_free_ char *syspath = NULL;
	char link[512], target[512], dir[512], hidden[512], *n = NULL, *msg = NULL;
	ssize_t len;

	/* a memdev no region maps: its DPA 0 is not online memory either way */
	for (char **m = c->memdevs; *m && !mem; m++) {
		bool member = false;

		for (unsigned p = 0; p < c->ways; p++)
			member |= !strcmp(*m, c->member[p]);
		if (!member)
			mem = *m;
	}
	assert_non_null(mem);
	syspath = fixture_bed_syspath(c->bed, "cxl", mem);
	assert_non_null(syspath);
	snprintf(link, sizeof(link), "%s%s/driver", c->root, syspath);
	len = readlink(link, target, sizeof(target) - 1);
	assert_true(len > 0);
	target[len] = '\0';
	snprintf(dir, sizeof(dir), "%s/sys/kernel/debug/cxl/%s", c->root, mem);
	snprintf(hidden, sizeof(hidden), "%s/sys/kernel/debug/%s.unbound", c->root, mem);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(rename(dir, hidden), 0);

	start(c, "offline");
	{
		_cleanup_free_ char *path = model_bus_path(OBJECT_MEMDEV, mem);
		sd_bus_error error = SD_BUS_ERROR_NULL;
		int b = -1;

		if (sd_bus_get_property_trivial(c->env.client, CXLMEMD_BUS_NAME, path,
						MEMDEV_IFACE, "Enabled", &error, 'b', &b) < 0)
			fail_msg("Enabled of %s: %s", path, error.message);
		assert_int_equal(b, 0);	/* the daemon sees it unbound */
	}
	for (size_t i = 0; i < 2; i++) {
		const char *verb = i == 0 ? "InjectPoison" : "ClearPoison";

		if (call(c, OBJECT_MEMDEV, mem, verb, 0, false, &n, &msg) == 0)
			fail_msg("%s on unbound %s succeeded", verb, mem);
		if (strcmp(n, "org.cxlmemd1.Error.Busy") || !strstr(msg, "not bound to cxl_mem"))
			fail_msg("%s on unbound %s: %s (%s), want Busy saying it is not bound",
				 verb, mem, n, msg);
		free(n);
		free(msg);
	}
	assert_nothing_written(c, "calls on an unbound memdev");
	stop(c);

	assert_int_equal(rename(hidden, dir), 0);
	assert_int_equal(symlink(target, link), 0);
}

/*
 * And the "never": a bound memdev whose kernel offers no debugfs files
 * (a kernel without debugfs, or a device without the commands) gets
 * NotSupported naming debugfs; GetPoison, with trigger_poison_list there
 * but no tracefs mounted, NotSupported naming tracefs. Never a silent
 * no-op.
 */
static void test_no_debugfs_no_tracefs(void **state)
{
	struct ctx *c = prepared(state);
	const char *mem = c->member[0];
	_cleanup_free_ char *syspath = fixture_bed_syspath(c->bed, "cxl", mem);
	_cleanup_free_ char *path = model_bus_path(OBJECT_MEMDEV, mem);
	sd_bus_error error = SD_BUS_ERROR_NULL;
	char dir[512], hidden[512], trigger[512], *n = NULL, *msg = NULL;

	assert_non_null(syspath);
	snprintf(dir, sizeof(dir), "%s/sys/kernel/debug/cxl/%s", c->root, mem);
	snprintf(hidden, sizeof(hidden), "%s/sys/kernel/debug/%s.nodebugfs", c->root, mem);
	snprintf(trigger, sizeof(trigger), "%s%s/trigger_poison_list", c->root, syspath);
	assert_int_equal(rename(dir, hidden), 0);
	put("", "%s", trigger);

	/* offline: the refusal on online memory must not be what answers */
	start(c, "offline");
	if (call(c, OBJECT_MEMDEV, mem, "InjectPoison", c->dpa_base[0], false, &n, &msg) == 0)
		fail_msg("InjectPoison without debugfs succeeded");
	if (strcmp(n, "org.cxlmemd1.Error.NotSupported") || !strstr(msg, "debugfs"))
		fail_msg("InjectPoison without debugfs: %s (%s)", n, msg);
	free(n);
	free(msg);
	if (sd_bus_call_method(c->env.client, CXLMEMD_BUS_NAME, path, MEMDEV_IFACE, "GetPoison",
			       &error, NULL, NULL) >= 0)
		fail_msg("GetPoison without tracefs succeeded");
	if (strcmp(error.name, "org.cxlmemd1.Error.NotSupported") ||
	    !strstr(error.message, "tracefs is not mounted"))
		fail_msg("GetPoison without tracefs: %s (%s)", error.name, error.message);
	sd_bus_error_free(&error);
	assert_nothing_written(c, "calls without debugfs");
	stop(c);

	assert_int_equal(unlink(trigger), 0);
	assert_int_equal(rename(hidden, dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_online_refused),
		cmocka_unit_test(test_online_forced_by_root),
		cmocka_unit_test(test_offline_needs_no_force),
		cmocka_unit_test(test_force_needs_admin),
		cmocka_unit_test(test_unbound_memdev_busy),
		cmocka_unit_test(test_no_debugfs_no_tracefs),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
