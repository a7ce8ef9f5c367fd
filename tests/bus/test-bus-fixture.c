// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * THEORY OF OPERATION: the real cxlmemd on a private bus (bus-harness.h)
 * reads a CXL topology recorded in the VM (tests/bus/fixtures/NAME.*: the
 * sysfs tree as umockdev recorded it, /proc/iomem, and
 * `cxl list -M -D -R -T -d root` from the same boot), through
 * libumockdev-preload (fixture-bed.h). Uevents are injected with umockdev.
 *
 * NAME is $CXLMEMD_FIXTURE, "cxltest" by default: the kernel's cxl_test
 * modules, with an auto-assembled region. "qemu" is QEMU's CXL emulation
 * (pmem type-3 devices, no region, two Soft Reserved ranges dax_hmem
 * registered, one of them inside a CXL window). Nothing here names a
 * device of either: a test that needs what a fixture lacks (a memdev a
 * region maps) skips, which TAP shows.
 *
 * Expectations come from the recording, not from this file: the memdevs,
 * windows and regions from the cxl list JSON, the dax devices and the
 * attributes cxl list does not print from the umockdev records, the Soft
 * Reserved ranges from the iomem. The fixtures' dax devices were onlined
 * as system RAM in the VM, but umockdev recorded no memory blocks, so
 * their Online and Zone are not compared.
 *
 * Every test checks the daemon's exit status, which carries valgrind's
 * verdict under CXLMEMD_DAEMON_WRAPPER. Runs as root (the bus policy).
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "bus-harness.h"
#include "bus-interfaces.h"
#include "fixture-bed.h"
#include "macro.h"
#include "model-bus.h"
#include "strv.h"

#define MEMDEV_IFACE "org.cxlmemd1.Memdev"
/* A line the daemon logs at debug level once per topology refresh... */
#define REFRESH_LOG_LINE "Refreshed the topology"
/* ...saying which kind. */
#define REFRESH_WHOLE REFRESH_LOG_LINE " (all of it)"
#define REFRESH_ONE REFRESH_LOG_LINE " (1 memdevs)"

/* Which recording: tests/bus/fixtures/NAME.* */
static const char *fixture_name(void)
{
	const char *name = getenv("CXLMEMD_FIXTURE");

	return name && *name ? name : "cxltest";
}

struct fixture {
	struct bus_env env;
	struct fixture_bed *bed;
	struct json_object *list;	/* the cxl list JSON */
};

/* ---- signals the daemon sent ---- */

enum signal_kind { SIG_ADDED, SIG_REMOVED, SIG_CHANGED };

struct signal_rec {
	enum signal_kind kind;
	char *path;
	char *iface;
	char **props;		/* names; string values as "Name=value" too */
	uint64_t at_usec;
};

static struct signal_rec *sigs;
static size_t n_sigs;

static void sigs_clear(void)
{
	for (size_t i = 0; i < n_sigs; i++) {
		free(sigs[i].path);
		free(sigs[i].iface);
		strv_free(sigs[i].props);
	}
	free(sigs);
	sigs = NULL;
	n_sigs = 0;
}

static struct signal_rec *sigs_add(enum signal_kind kind, const char *path, const char *iface)
{
	struct signal_rec *v = realloc(sigs, (n_sigs + 1) * sizeof(*v));

	assert_non_null(v);
	sigs = v;
	v[n_sigs] = (struct signal_rec){
		.kind = kind, .path = strdup(path), .iface = strdup(iface), .at_usec = now_usec(),
	};
	return &v[n_sigs++];
}

/* Record the names of an a{sv}; string values also as "Name=value". */
static int read_props(sd_bus_message *m, struct signal_rec *s)
{
	const char *name, *contents;
	char type;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r > 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		_cleanup_free_ char *kv = NULL;

		r = sd_bus_message_read(m, "s", &name);
		if (r >= 0)
			r = sd_bus_message_peek_type(m, &type, &contents);
		if (r < 0)
			return r;
		assert_int_equal(strv_extend(&s->props, name), 0);
		if (strcmp(contents, "s") == 0) {
			const char *val;

			r = sd_bus_message_read(m, "v", "s", &val);
			if (r >= 0 && asprintf(&kv, "%s=%s", name, val) > 0)
				assert_int_equal(strv_extend(&s->props, kv), 0);
		} else {
			r = sd_bus_message_skip(m, "v");
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *member = sd_bus_message_get_member(m), *path, *iface;
	int r = 0;

	if (strcmp(member, "InterfacesAdded") == 0) {
		r = sd_bus_message_read(m, "o", &path);
		if (r >= 0)
			r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
		while (r > 0 && (r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
			r = sd_bus_message_read(m, "s", &iface);
			if (r >= 0)
				r = read_props(m, sigs_add(SIG_ADDED, path, iface));
			if (r >= 0)
				r = sd_bus_message_exit_container(m);
		}
	} else if (strcmp(member, "InterfacesRemoved") == 0) {
		r = sd_bus_message_read(m, "o", &path);
		if (r >= 0)
			r = sd_bus_message_enter_container(m, 'a', "s");
		while (r > 0 && (r = sd_bus_message_read(m, "s", &iface)) > 0)
			sigs_add(SIG_REMOVED, path, iface);
	} else if (strcmp(member, "PropertiesChanged") == 0) {
		r = sd_bus_message_read(m, "s", &iface);
		if (r >= 0)
			r = read_props(m, sigs_add(SIG_CHANGED, sd_bus_message_get_path(m), iface));
	}
	if (r < 0)
		fail_msg("malformed %s signal: %s", member, strerror(-r));
	return 0;
}

static void watch_signals(struct bus_env *e)
{
	assert_true(sd_bus_add_match(e->client, NULL,
				     "type='signal',path_namespace='" CXLMEMD_OBJECT_ROOT "'",
				     on_signal, NULL) >= 0);
}

static void pump(struct bus_env *e, int ms)
{
	uint64_t end = now_usec() + (uint64_t)ms * 1000;

	for (uint64_t t = now_usec(); t < end; t = now_usec()) {
		while (sd_bus_process(e->client, NULL) > 0)
			;
		sd_bus_wait(e->client, end - t);
	}
	while (sd_bus_process(e->client, NULL) > 0)
		;
}

static size_t count_sigs(enum signal_kind kind, const char *path, const char *iface,
			 const char *prop)
{
	size_t n = 0;

	for (size_t i = 0; i < n_sigs; i++)
		if (sigs[i].kind == kind && (!path || strcmp(sigs[i].path, path) == 0) &&
		    (!iface || strcmp(sigs[i].iface, iface) == 0) &&
		    (!prop || strv_contains(sigs[i].props, prop)))
			n++;
	return n;
}

/* Process the bus until such a signal arrived; its receive time, 0 if none. */
static uint64_t wait_signal(struct bus_env *e, enum signal_kind kind, const char *path,
			    const char *iface, const char *prop)
{
	uint64_t end = now_usec() + (uint64_t)bus_env_timeout_ms(5000) * 1000;

	for (;;) {
		while (sd_bus_process(e->client, NULL) > 0)
			;
		for (size_t i = 0; i < n_sigs; i++)
			if (sigs[i].kind == kind && strcmp(sigs[i].path, path) == 0 &&
			    strcmp(sigs[i].iface, iface) == 0 &&
			    (!prop || strv_contains(sigs[i].props, prop)))
				return sigs[i].at_usec;
		if (now_usec() >= end)
			return 0;
		sd_bus_wait(e->client, 20 * 1000);
	}
}

/* ---- daemon lifecycle ---- */

static int setup(void **state)
{
	static struct fixture f;
	_cleanup_free_ char *json = NULL;
	int r;

	r = bus_env_start(&f.env);
	if (r >= 0)
		r = fixture_bed_new(fixture_name(), &f.bed);
	if (r < 0) {
		fprintf(stderr, "test environment (fixture %s) failed: %s\n", fixture_name(),
			strerror(-r));
		bus_env_stop(&f.env);
		return -1;
	}
	json = fixture_bed_file(f.bed, "cxl-list.json");
	f.list = json ? json_object_from_file(json) : NULL;
	if (!f.list) {
		fprintf(stderr, "cannot parse %s\n", json ?: "the fixture's cxl-list.json");
		return -1;
	}
	/* The refresh count is read from the daemon's debug log. */
	static char *const args[] = { "--debug", NULL };
	f.env.daemon_args = args;
	f.env.capture_log = true;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sigs_clear();
	bus_env_stop(&f->env);
	fixture_bed_free(f->bed);
	json_object_put(f->list);
	f->bed = NULL;
	f->list = NULL;
	return 0;
}

static void dump_log(struct bus_env *e)
{
	_cleanup_free_ char *log = bus_env_read_log(e);

	fprintf(stderr, "---- daemon log ----\n%s---- end ----\n", log ?: "(none)\n");
}

static void start_daemon(struct fixture *f)
{
	int waited = 0;
	char msg[256];

	assert_int_equal(bus_env_start_daemon(&f->env, fixture_bed_env(f->bed)), 0);
	for (;;) {
		int r = bus_env_read_notify(&f->env, msg, sizeof(msg), 50);

		assert_true(r >= 0);
		if (r > 0 && strstr(msg, "READY=1"))
			break;
		waited += 50;
		if (waited > bus_env_timeout_ms(10000)) {
			dump_log(&f->env);
			fail_msg("cxlmemd did not get ready on the fixture");
		}
	}
	while (!bus_env_name_has_owner(&f->env, CXLMEMD_BUS_NAME)) {
		assert_true(waited < bus_env_timeout_ms(10000));
		usleep(20 * 1000);
		waited += 20;
	}
}

static void stop_daemon(struct fixture *f)
{
	int status;

	assert_int_equal(kill(f->env.daemon_pid, SIGTERM), 0);
	status = bus_env_wait_daemon(&f->env, bus_env_timeout_ms(5000));
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		dump_log(&f->env);
		fail_msg("cxlmemd did not exit 0 on SIGTERM (wait status 0x%x%s)", status,
			 status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 99 ?
				 ": valgrind reported errors or leaks" : "");
	}
}

static size_t count_log(struct bus_env *e, const char *line)
{
	_cleanup_free_ char *log = bus_env_read_log(e);
	size_t n = 0;

	for (const char *p = log; p && (p = strstr(p, line)); p++)
		n++;
	return n;
}

static size_t count_refreshes(struct bus_env *e)
{
	return count_log(e, REFRESH_LOG_LINE);
}

/* ---- reading the bus ---- */

/* Every object's interfaces of ours (not Peer, Properties...), as "path iface". */
static char **managed_objects(struct bus_env *e)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *path, *iface;
	char **l = NULL;

	if (sd_bus_call_method(e->client, CXLMEMD_BUS_NAME, CXLMEMD_OBJECT_ROOT,
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

static bool has_object(char **objects, const char *path, const char *iface)
{
	_cleanup_free_ char *kv = NULL;

	assert_true(asprintf(&kv, "%s %s", path, iface) > 0);
	return strv_contains(objects, kv);
}

static const char *iface_of(enum object_type t)
{
	return object_type_info(t)->interface;
}

static void get_trivial(struct bus_env *e, const char *path, enum object_type t,
			const char *prop, char type, void *ret)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;

	if (sd_bus_get_property_trivial(e->client, CXLMEMD_BUS_NAME, path, iface_of(t), prop,
					&error, type, ret) < 0)
		fail_msg("Get %s.%s: %s", path, prop, error.message);
}

static uint64_t get_u64(struct bus_env *e, const char *path, enum object_type t,
			const char *prop)
{
	uint64_t v;

	get_trivial(e, path, t, prop, 't', &v);
	return v;
}

static uint32_t get_u32(struct bus_env *e, const char *path, enum object_type t,
			const char *prop)
{
	uint32_t v;

	get_trivial(e, path, t, prop, 'u', &v);
	return v;
}

static int32_t get_i32(struct bus_env *e, const char *path, enum object_type t,
		       const char *prop)
{
	int32_t v;

	get_trivial(e, path, t, prop, 'i', &v);
	return v;
}

static bool get_bool(struct bus_env *e, const char *path, enum object_type t,
		     const char *prop)
{
	int v;

	get_trivial(e, path, t, prop, 'b', &v);
	return v;
}

/* Properties.Get, the reply entered into the variant; *ret_type its signature. */
static sd_bus_message *get_variant(struct bus_env *e, const char *path, enum object_type t,
				   const char *prop, const char **ret_type)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char type;

	if (sd_bus_call_method(e->client, CXLMEMD_BUS_NAME, path,
			       "org.freedesktop.DBus.Properties", "Get", &error, &reply, "ss",
			       iface_of(t), prop) < 0)
		fail_msg("Get %s.%s: %s", path, prop, error.message);
	assert_true(sd_bus_message_peek_type(reply, &type, ret_type) > 0);
	assert_true(sd_bus_message_enter_container(reply, 'v', *ret_type) > 0);
	return reply;
}

/* A string or object path property; free() it. */
static char *get_str(struct bus_env *e, const char *path, enum object_type t,
		     const char *prop)
{
	const char *contents, *s;
	sd_bus_message *reply = get_variant(e, path, t, prop, &contents);
	char *v;

	assert_true(strchr("so", contents[0]) && !contents[1]);
	assert_true(sd_bus_message_read_basic(reply, contents[0], &s) > 0);
	v = strdup(s);
	sd_bus_message_unref(reply);
	return v;
}

/* An array of strings or object paths; strv. */
static char **get_strv(struct bus_env *e, const char *path, enum object_type t,
		       const char *prop)
{
	const char *contents, *s;
	sd_bus_message *reply = get_variant(e, path, t, prop, &contents);
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

static char *path_of(enum object_type t, const char *name)
{
	char *p = model_bus_path(t, name);

	assert_non_null(p);
	return p;
}

/* ---- tree and properties ---- */

/* "A: key" of a recorded device, which must be there. */
static char *recorded(struct fixture *f, const char *syspath, const char *key)
{
	char *v = fixture_bed_recorded(f->bed, syspath, key);

	if (!v)
		fail_msg("the fixture has no %s for %s", key, syspath);
	return v;
}

static char *syspath_of(struct fixture *f, const char *subsystem, const char *name)
{
	char *s = fixture_bed_syspath(f->bed, subsystem, name);

	if (!s)
		fail_msg("%s is not in the fixture's /sys/bus/%s", name, subsystem);
	return s;
}

/* Regions whose mappings name @memdev, as bus paths. */
static char **json_memdev_regions(struct json_object *list, const char *memdev)
{
	struct json_object *rds = list_section(list, "root decoders");
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
						path_of(OBJECT_REGION, json_str(rg, "region"));

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

static size_t check_memdevs(struct fixture *f, char **objects)
{
	struct json_object *mds = list_section(f->list, "memdevs");
	size_t n = mds ? json_object_array_length(mds) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *md = json_object_array_get_idx(mds, i);
		const char *name = json_str(md, "memdev");
		_cleanup_free_ char *path = path_of(OBJECT_MEMDEV, name);
		_cleanup_free_ char *sys = syspath_of(f, "cxl", name);
		_cleanup_free_ char *host = NULL, *fw = NULL, *want_fw = NULL, *driver = NULL;
		_cleanup_(strv_freep) char **regions = NULL, **want_regions = NULL;

		if (!has_object(objects, path, MEMDEV_IFACE))
			fail_msg("memdev %s of the fixture is not on the bus", name);
		assert_int_equal(get_u64(&f->env, path, OBJECT_MEMDEV, "Serial"),
				 json_u64(md, "serial", UINT64_MAX));
		assert_int_equal(get_u64(&f->env, path, OBJECT_MEMDEV, "RamSize"),
				 json_u64(md, "ram_size", 0));
		assert_int_equal(get_u64(&f->env, path, OBJECT_MEMDEV, "PmemSize"),
				 json_u64(md, "pmem_size", 0));
		assert_int_equal(get_i32(&f->env, path, OBJECT_MEMDEV, "NumaNode"),
				 (int32_t)json_u64(md, "numa_node", (uint64_t)-1));
		host = get_str(&f->env, path, OBJECT_MEMDEV, "Host");
		assert_string_equal(host, json_str(md, "host"));

		regions = get_strv(&f->env, path, OBJECT_MEMDEV, "Regions");
		want_regions = json_memdev_regions(f->list, name);
		assert_strv_equal(regions, want_regions, path);

		/* What cxl list does not print, from the record. */
		fw = get_str(&f->env, path, OBJECT_MEMDEV, "FirmwareVersion");
		want_fw = recorded(f, sys, "A: firmware_version");
		assert_string_equal(fw, want_fw);
		driver = fixture_bed_recorded(f->bed, sys, "E: DRIVER");
		assert_int_equal(get_bool(&f->env, path, OBJECT_MEMDEV, "Enabled"), driver != NULL);
	}
	assert_int_equal(count_iface(objects, iface_of(OBJECT_MEMDEV)), n);
	return n;
}

static void check_region(struct fixture *f, struct json_object *rd, struct json_object *rg)
{
	const char *name = json_str(rg, "region");
	_cleanup_free_ char *path = path_of(OBJECT_REGION, name);
	_cleanup_free_ char *sys = syspath_of(f, "cxl", name);
	_cleanup_free_ char *window = NULL, *want_window = NULL, *mode = NULL, *want_mode = NULL;
	_cleanup_free_ char *uuid = NULL, *want_uuid = NULL, *state = NULL, *driver = NULL;
	_cleanup_free_ char *dax = NULL, *want_dax = NULL;
	_cleanup_free_ struct json_object **maps = NULL;
	struct json_object *jmaps = NULL;
	sd_bus_message *reply;
	size_t n_maps, k = 0;
	const char *mpath, *dec, *sig;
	uint32_t pos;

	window = get_str(&f->env, path, OBJECT_REGION, "Window");
	want_window = path_of(OBJECT_WINDOW, json_str(rd, "decoder"));
	assert_string_equal(window, want_window);
	assert_int_equal(get_u64(&f->env, path, OBJECT_REGION, "Start"),
			 json_u64(rg, "resource", UINT64_MAX));
	assert_int_equal(get_u64(&f->env, path, OBJECT_REGION, "Size"),
			 json_u64(rg, "size", UINT64_MAX));
	assert_int_equal(get_u32(&f->env, path, OBJECT_REGION, "InterleaveWays"),
			 json_u64(rg, "interleave_ways", UINT64_MAX));
	assert_int_equal(get_u32(&f->env, path, OBJECT_REGION, "InterleaveGranularity"),
			 json_u64(rg, "interleave_granularity", UINT64_MAX));

	/* Targets: the mappings in position order, as (position, memdev, decoder). */
	json_object_object_get_ex(rg, "mappings", &jmaps);
	maps = by_position(jmaps, &n_maps);
	assert_true(n_maps > 0);
	reply = get_variant(&f->env, path, OBJECT_REGION, "Targets", &sig);
	assert_string_equal(sig, "a(uos)");
	assert_true(sd_bus_message_enter_container(reply, 'a', "(uos)") > 0);
	while (sd_bus_message_read(reply, "(uos)", &pos, &mpath, &dec) > 0) {
		_cleanup_free_ char *want_mpath = NULL;

		assert_true(k < n_maps);
		want_mpath = path_of(OBJECT_MEMDEV, json_str(maps[k], "memdev"));
		assert_int_equal(pos, json_u64(maps[k], "position", UINT64_MAX));
		assert_string_equal(mpath, want_mpath);
		assert_string_equal(dec, json_str(maps[k], "decoder"));
		k++;
	}
	assert_int_equal(k, n_maps);
	sd_bus_message_unref(reply);

	mode = get_str(&f->env, path, OBJECT_REGION, "Mode");
	want_mode = recorded(f, sys, "A: mode");
	assert_string_equal(mode, want_mode);
	uuid = get_str(&f->env, path, OBJECT_REGION, "UUID");
	want_uuid = recorded(f, sys, "A: uuid");
	assert_string_equal(uuid, want_uuid);

	/* Committed (cxl list), and bound to cxl_region: enabled or online. */
	state = get_str(&f->env, path, OBJECT_REGION, "State");
	driver = fixture_bed_recorded(f->bed, sys, "E: DRIVER");
	if (strcmp(json_str(rg, "decode_state") ?: "", "commit") != 0)
		assert_string_equal(state, "configuring");
	else if (!driver)
		assert_string_equal(state, "committed");
	else if (strcmp(state, "enabled") != 0 && strcmp(state, "online") != 0)
		fail_msg("%s: state %s, but the fixture's region is committed and bound", path,
			 state);

	/* Its dax device: the one recorded below the region's directory. */
	dax = get_str(&f->env, path, OBJECT_REGION, "DaxDevice");
	want_dax = strdup("/");
	char **daxes = fixture_bed_devices(f->bed, "dax");
	for (char **d = daxes; d && *d; d++) {
		_cleanup_free_ char *dsys = syspath_of(f, "dax", *d);

		if (strncmp(dsys, sys, strlen(sys)) == 0 && dsys[strlen(sys)] == '/') {
			free(want_dax);
			want_dax = path_of(OBJECT_DAX, *d);
		}
	}
	strv_free(daxes);
	assert_string_equal(dax, want_dax);
}

static size_t check_windows(struct fixture *f, char **objects, size_t *n_regions)
{
	struct json_object *rds = list_section(f->list, "root decoders");
	size_t n = rds ? json_object_array_length(rds) : 0;

	*n_regions = 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *rd = json_object_array_get_idx(rds, i), *jt = NULL;
		struct json_object *regs = json_regions(rd);
		const char *name = json_str(rd, "decoder");
		_cleanup_free_ char *path = path_of(OBJECT_WINDOW, name);
		_cleanup_free_ char *sys = syspath_of(f, "cxl", name);
		_cleanup_free_ char *gran = NULL, *locked = NULL;
		_cleanup_free_ struct json_object **targets = NULL;
		_cleanup_(strv_freep) char **got = NULL, **want = NULL, **caps = NULL;
		size_t n_targets;

		if (!has_object(objects, path, iface_of(OBJECT_WINDOW)))
			fail_msg("root decoder %s of the fixture is not on the bus", name);
		assert_int_equal(get_u64(&f->env, path, OBJECT_WINDOW, "Start"),
				 json_u64(rd, "resource", UINT64_MAX));
		assert_int_equal(get_u64(&f->env, path, OBJECT_WINDOW, "Size"),
				 json_u64(rd, "size", UINT64_MAX));
		assert_int_equal(get_u32(&f->env, path, OBJECT_WINDOW, "InterleaveWays"),
				 json_u64(rd, "interleave_ways", UINT64_MAX));
		/* cxl list leaves out the granularity of 1-way windows. */
		gran = recorded(f, sys, "A: interleave_granularity");
		assert_int_equal(get_u32(&f->env, path, OBJECT_WINDOW, "InterleaveGranularity"),
				 json_u64(rd, "interleave_granularity", strtoull(gran, NULL, 0)));
		assert_int_equal(get_u64(&f->env, path, OBJECT_WINDOW, "MaxAvailableExtent"),
				 json_u64(rd, "max_available_extent", UINT64_MAX));
		locked = recorded(f, sys, "A: locked");
		assert_int_equal(get_bool(&f->env, path, OBJECT_WINDOW, "Locked"),
				 strcmp(locked, "0") != 0);

		/* Targets in interleave position order. */
		json_object_object_get_ex(rd, "targets", &jt);
		targets = by_position(jt, &n_targets);
		assert_true(n_targets > 0);
		for (size_t k = 0; k < n_targets; k++)
			assert_int_equal(strv_extend(&want, json_str(targets[k], "target")), 0);
		got = get_strv(&f->env, path, OBJECT_WINDOW, "Targets");
		assert_strv_equal(got, want, path);

		caps = get_strv(&f->env, path, OBJECT_WINDOW, "Capabilities");
		assert_int_equal(strv_contains(caps, "ram"), jbool(rd, "volatile_capable"));
		assert_int_equal(strv_contains(caps, "pmem"), jbool(rd, "pmem_capable"));

		got = strv_free(got);
		want = strv_free(want);
		got = get_strv(&f->env, path, OBJECT_WINDOW, "Regions");
		for (size_t k = 0; regs && k < json_object_array_length(regs); k++) {
			struct json_object *rg = json_object_array_get_idx(regs, k);
			_cleanup_free_ char *rpath = path_of(OBJECT_REGION, json_str(rg, "region"));

			if (!has_object(objects, rpath, iface_of(OBJECT_REGION)))
				fail_msg("region %s of the fixture is not on the bus", rpath);
			assert_int_equal(strv_extend(&want, rpath), 0);
			check_region(f, rd, rg);
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
static struct sr_range *fixture_soft_reserved(struct fixture *f, size_t *ret_n)
{
	_cleanup_free_ char *iomem_path = fixture_bed_file(f->bed, "iomem");
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
	return path_of(OBJECT_SOFTRESERVED, name);
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
static char *dax_soft_reserved(struct fixture *f, const char *syspath, uint64_t start)
{
	_cleanup_free_ struct sr_range *srs = NULL;
	size_t n;

	if (!is_hmem_dax(syspath))
		return strdup("/");
	srs = fixture_soft_reserved(f, &n);
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

static size_t check_daxes(struct fixture *f, char **objects)
{
	_cleanup_(strv_freep) char **names = fixture_bed_devices(f->bed, "dax");
	size_t n = 0;

	for (char **d = names; d && *d; d++) {
		_cleanup_free_ char *sys = syspath_of(f, "dax", *d);
		_cleanup_free_ char *size = NULL, *res = NULL, *node = NULL, *driver = NULL;
		_cleanup_free_ char *path = NULL, *mode = NULL, *region = NULL, *want_region = NULL;
		_cleanup_free_ char *rname = NULL, *sr = NULL, *want_sr = NULL;

		/* Only dax devices; a region's seed device has no capacity. */
		size = fixture_bed_recorded(f->bed, sys, "A: size");
		if (!size || strncmp(*d, "dax", 3) != 0 || strtoull(size, NULL, 0) == 0)
			continue;
		n++;
		path = path_of(OBJECT_DAX, *d);
		if (!has_object(objects, path, iface_of(OBJECT_DAX)))
			fail_msg("dax device %s of the fixture is not on the bus", *d);
		res = recorded(f, sys, "A: resource");
		node = recorded(f, sys, "A: target_node");
		assert_int_equal(get_u64(&f->env, path, OBJECT_DAX, "Size"),
				 strtoull(size, NULL, 0));
		assert_int_equal(get_u64(&f->env, path, OBJECT_DAX, "Start"),
				 strtoull(res, NULL, 0));
		assert_int_equal(get_i32(&f->env, path, OBJECT_DAX, "NumaNode"),
				 (int32_t)strtol(node, NULL, 0));
		driver = fixture_bed_recorded(f->bed, sys, "E: DRIVER");
		mode = get_str(&f->env, path, OBJECT_DAX, "Mode");
		assert_string_equal(mode, driver && strcmp(driver, "kmem") == 0 ? "system-ram" :
										     "devdax");
		rname = region_in_path(sys);
		want_region = *rname ? path_of(OBJECT_REGION, rname) : strdup("/");
		region = get_str(&f->env, path, OBJECT_DAX, "Region");
		assert_string_equal(region, want_region);
		sr = get_str(&f->env, path, OBJECT_DAX, "SoftReservedRange");
		want_sr = dax_soft_reserved(f, sys, strtoull(res, NULL, 0));
		assert_string_equal(sr, want_sr);
	}
	assert_int_equal(count_iface(objects, iface_of(OBJECT_DAX)), n);
	return n;
}

/* Root decoders (regions) of the JSON that overlap @r, as sorted bus paths. */
static char **json_overlapping(struct fixture *f, const struct sr_range *r, bool regions)
{
	struct json_object *rds = list_section(f->list, "root decoders");
	char **l = NULL;

	for (size_t i = 0; rds && i < json_object_array_length(rds); i++) {
		struct json_object *rd = json_object_array_get_idx(rds, i);
		struct json_object *regs = json_regions(rd);

		if (!regions) {
			if (overlaps(r->start, r->size, json_u64(rd, "resource", 0),
				     json_u64(rd, "size", 0))) {
				_cleanup_free_ char *p = path_of(OBJECT_WINDOW, json_str(rd, "decoder"));

				assert_int_equal(strv_extend(&l, p), 0);
			}
			continue;
		}
		for (size_t k = 0; regs && k < json_object_array_length(regs); k++) {
			struct json_object *rg = json_object_array_get_idx(regs, k);

			if (overlaps(r->start, r->size, json_u64(rg, "resource", 0),
				     json_u64(rg, "size", 0))) {
				_cleanup_free_ char *p = path_of(OBJECT_REGION, json_str(rg, "region"));

				assert_int_equal(strv_extend(&l, p), 0);
			}
		}
	}
	strv_sort(l);
	return l;
}

/* Does a recorded dax_hmem device lie in @r? */
static bool hmem_dax_in(struct fixture *f, const struct sr_range *r)
{
	_cleanup_(strv_freep) char **names = fixture_bed_devices(f->bed, "dax");

	for (char **d = names; d && *d; d++) {
		_cleanup_free_ char *sys = syspath_of(f, "dax", *d), *res = NULL;

		if (!is_hmem_dax(sys))
			continue;
		res = fixture_bed_recorded(f->bed, sys, "A: resource");
		if (res && strtoull(res, NULL, 0) - r->start < r->size)
			return true;
	}
	return false;
}

static void check_one_soft_reserved(struct fixture *f, const struct sr_range *r)
{
	_cleanup_free_ char *path = sr_path(r), *owner = NULL;
	_cleanup_(strv_freep) char **got = NULL, **want = NULL;
	_cleanup_free_ char *wins = NULL;

	assert_int_equal(get_u64(&f->env, path, OBJECT_SOFTRESERVED, "Start"), r->start);
	assert_int_equal(get_u64(&f->env, path, OBJECT_SOFTRESERVED, "Size"), r->size);

	/* The windows (regions) of cxl list it intersects, any order. */
	got = get_strv(&f->env, path, OBJECT_SOFTRESERVED, "Windows");
	want = json_overlapping(f, r, false);
	strv_sort(got);
	assert_strv_equal(got, want, path);
	wins = join(want);
	got = strv_free(got);
	want = strv_free(want);
	got = get_strv(&f->env, path, OBJECT_SOFTRESERVED, "Regions");
	want = json_overlapping(f, r, true);
	strv_sort(got);
	assert_strv_equal(got, want, path);

	/* dax_hmem made a device of it: the daemon must call it hmem's. */
	owner = get_str(&f->env, path, OBJECT_SOFTRESERVED, "Owner");
	if (hmem_dax_in(f, r))
		assert_string_equal(owner, "hmem");
	printf("# Soft Reserved 0x%" PRIx64 "+0x%" PRIx64 ": windows [%s], owner %s\n",
	       r->start, r->size, wins ?: "", owner);
	fflush(stdout);
}

static size_t check_soft_reserved(struct fixture *f, char **objects)
{
	_cleanup_free_ struct sr_range *srs = NULL;
	size_t n;

	srs = fixture_soft_reserved(f, &n);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = sr_path(&srs[i]);

		if (!has_object(objects, path, iface_of(OBJECT_SOFTRESERVED)))
			fail_msg("Soft Reserved range %s of the fixture is not on the bus", path);
		check_one_soft_reserved(f, &srs[i]);
	}
	assert_int_equal(count_iface(objects, iface_of(OBJECT_SOFTRESERVED)), n);
	return n;
}

/* Regions of the recording with capacity (not seeds): cxl list must have them all. */
static size_t recorded_regions(struct fixture *f)
{
	_cleanup_(strv_freep) char **names = fixture_bed_devices(f->bed, "cxl");
	size_t n = 0;

	for (char **d = names; d && *d; d++) {
		_cleanup_free_ char *sys = NULL, *size = NULL;

		if (strncmp(*d, "region", 6) != 0)
			continue;
		sys = syspath_of(f, "cxl", *d);
		size = fixture_bed_recorded(f->bed, sys, "A: size");
		if (size && strtoull(size, NULL, 0) > 0)
			n++;
	}
	return n;
}

static void test_tree_matches_fixture(void **state)
{
	struct fixture *f = *state;
	_cleanup_(strv_freep) char **objects = NULL;
	size_t memdevs, windows, regions, daxes, srs;

	start_daemon(f);
	objects = managed_objects(&f->env);

	memdevs = check_memdevs(f, objects);
	windows = check_windows(f, objects, &regions);
	daxes = check_daxes(f, objects);
	srs = check_soft_reserved(f, objects);

	/* Nothing else: every managed object was one of those above. */
	assert_int_equal(strv_length(objects), memdevs + windows + regions + daxes + srs);
	/*
	 * And the comparison compared something: a CXL recording has memdevs
	 * and windows; the regions are all the sized ones umockdev recorded
	 * (none on the qemu fixture); every fixture onlined a dax device;
	 * the Soft Reserved ranges are the iomem's (none on cxltest).
	 */
	assert_true(memdevs > 0);
	assert_true(windows > 0);
	assert_int_equal(regions, recorded_regions(f));
	assert_true(daxes > 0);
	printf("# fixture %s: %zu memdevs, %zu windows, %zu regions, %zu dax devices, "
	       "%zu Soft Reserved ranges match\n", fixture_name(), memdevs, windows, regions,
	       daxes, srs);
	fflush(stdout);

	stop_daemon(f);
}

/* ---- uevents ---- */

/* A memdev of the fixture that no region maps: removing it touches only itself. */
static char *spare_memdev(struct fixture *f)
{
	struct json_object *mds = list_section(f->list, "memdevs");

	for (size_t i = 0; mds && i < json_object_array_length(mds); i++) {
		const char *name = json_str(json_object_array_get_idx(mds, i), "memdev");
		_cleanup_(strv_freep) char **regions = json_memdev_regions(f->list, name);

		if (!regions)
			return strdup(name);
	}
	fail_msg("every memdev of the fixture is in a region");
	return NULL;
}

/*
 * With the daemon stopped, so that the uevents queue up and it reads the
 * tree only after all of @fn's changes are made.
 */
static void with_daemon_stopped(struct fixture *f, void (*fn)(struct fixture *, void *),
				void *userdata)
{
	assert_int_equal(kill(f->env.daemon_pid, SIGSTOP), 0);
	fn(f, userdata);
	assert_int_equal(kill(f->env.daemon_pid, SIGCONT), 0);
}

static void remove_device(struct fixture *f, void *syspath)
{
	/* The kernel's order: the remove uevent carries the properties. */
	fixture_bed_uevent(f->bed, syspath, "remove");
	assert_int_equal(fixture_bed_remove(f->bed, syspath), 0);
}

static void restore_device(struct fixture *f, void *syspath)
{
	/* Sends the "add" uevent (umockdev does), then links the bus. */
	assert_int_equal(fixture_bed_restore(f->bed, syspath), 0);
}

static void test_uevent_remove_add(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *name = spare_memdev(f), *sys = NULL, *path = NULL;
	_cleanup_(strv_freep) char **before = NULL, **after = NULL, **again = NULL;
	_cleanup_free_ char *serial = NULL, *serial_prop = NULL;

	sys = syspath_of(f, "cxl", name);
	path = path_of(OBJECT_MEMDEV, name);
	start_daemon(f);
	watch_signals(&f->env);
	pump(&f->env, 100);
	before = managed_objects(&f->env);
	assert_true(has_object(before, path, MEMDEV_IFACE));
	sigs_clear();

	with_daemon_stopped(f, remove_device, sys);
	if (!wait_signal(&f->env, SIG_REMOVED, path, MEMDEV_IFACE, NULL)) {
		dump_log(&f->env);
		fail_msg("no InterfacesRemoved for %s after its remove uevent", path);
	}
	pump(&f->env, bus_env_timeout_ms(200));
	/* Only this memdev went; nothing came. */
	assert_int_equal(count_sigs(SIG_REMOVED, NULL, NULL, NULL), 1);
	assert_int_equal(count_sigs(SIG_ADDED, NULL, NULL, NULL), 0);
	after = managed_objects(&f->env);
	assert_false(has_object(after, path, MEMDEV_IFACE));
	assert_int_equal(strv_length(after), strv_length(before) - 1);

	sigs_clear();
	with_daemon_stopped(f, restore_device, sys);
	if (!wait_signal(&f->env, SIG_ADDED, path, MEMDEV_IFACE, NULL)) {
		dump_log(&f->env);
		fail_msg("no InterfacesAdded for %s after its add uevent", path);
	}
	pump(&f->env, bus_env_timeout_ms(200));
	assert_int_equal(count_sigs(SIG_ADDED, NULL, NULL, NULL), 1);
	assert_int_equal(count_sigs(SIG_REMOVED, NULL, NULL, NULL), 0);
	/* It carries its properties, and is the same device as before. */
	assert_int_equal(count_sigs(SIG_ADDED, path, MEMDEV_IFACE, "Serial"), 1);
	serial = recorded(f, sys, "A: serial");
	assert_int_equal(get_u64(&f->env, path, OBJECT_MEMDEV, "Serial"),
			 strtoull(serial, NULL, 0));
	again = managed_objects(&f->env);
	assert_true(strv_equal(again, before));
	/* However the daemon refreshed, the memdevs are the fixture's again. */
	check_memdevs(f, again);

	stop_daemon(f);
}

static void test_uevent_change(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *name = spare_memdev(f), *sys = NULL, *path = NULL;
	_cleanup_free_ char *old = NULL, *now = NULL, *back = NULL;
	_cleanup_(strv_freep) char **objects = NULL;
	const char *fw = "cxltest-fw-changed";

	sys = syspath_of(f, "cxl", name);
	path = path_of(OBJECT_MEMDEV, name);
	start_daemon(f);
	watch_signals(&f->env);
	pump(&f->env, 100);
	old = get_str(&f->env, path, OBJECT_MEMDEV, "FirmwareVersion");
	assert_string_not_equal(old, fw);
	sigs_clear();

	assert_int_equal(fixture_bed_set_attribute(f->bed, sys, "firmware_version", fw), 0);
	fixture_bed_uevent(f->bed, sys, "change");
	if (!wait_signal(&f->env, SIG_CHANGED, path, MEMDEV_IFACE,
			 "FirmwareVersion=cxltest-fw-changed")) {
		dump_log(&f->env);
		fail_msg("no PropertiesChanged(FirmwareVersion) for %s after a change uevent",
			 path);
	}
	pump(&f->env, bus_env_timeout_ms(200));
	assert_int_equal(count_sigs(SIG_CHANGED, NULL, MEMDEV_IFACE, NULL), 1);
	assert_int_equal(count_sigs(SIG_ADDED, NULL, NULL, NULL), 0);
	assert_int_equal(count_sigs(SIG_REMOVED, NULL, NULL, NULL), 0);
	now = get_str(&f->env, path, OBJECT_MEMDEV, "FirmwareVersion");
	assert_string_equal(now, fw);

	/* A change uevent that changed nothing says nothing. */
	sigs_clear();
	fixture_bed_uevent(f->bed, sys, "change");
	pump(&f->env, bus_env_timeout_ms(300));
	assert_int_equal(n_sigs, 0);

	/* Changed back, everything is the fixture's again. */
	assert_int_equal(fixture_bed_set_attribute(f->bed, sys, "firmware_version", old), 0);
	fixture_bed_uevent(f->bed, sys, "change");
	assert_true(asprintf(&back, "FirmwareVersion=%s", old) > 0);
	assert_true(wait_signal(&f->env, SIG_CHANGED, path, MEMDEV_IFACE, back) > 0);
	objects = managed_objects(&f->env);
	check_memdevs(f, objects);

	stop_daemon(f);
}

/* A memdev of the fixture that a region maps; NULL if none does. */
static char *region_memdev(struct fixture *f)
{
	struct json_object *mds = list_section(f->list, "memdevs");

	for (size_t i = 0; mds && i < json_object_array_length(mds); i++) {
		const char *name = json_str(json_object_array_get_idx(mds, i), "memdev");
		_cleanup_(strv_freep) char **regions = json_memdev_regions(f->list, name);

		if (regions)
			return strdup(name);
	}
	return NULL;
}

/*
 * Change memdev @name's firmware version to @fw with a change uevent, and
 * return how many refreshes of each kind the daemon logged for it.
 */
static void change_memdev(struct fixture *f, const char *name, const char *fw,
			  size_t *ret_whole, size_t *ret_one)
{
	_cleanup_free_ char *sys = syspath_of(f, "cxl", name);
	_cleanup_free_ char *path = path_of(OBJECT_MEMDEV, name), *want = NULL;
	size_t whole = count_log(&f->env, REFRESH_WHOLE), one = count_log(&f->env, REFRESH_ONE);

	assert_true(asprintf(&want, "FirmwareVersion=%s", fw) > 0);
	assert_int_equal(fixture_bed_set_attribute(f->bed, sys, "firmware_version", fw), 0);
	fixture_bed_uevent(f->bed, sys, "change");
	if (!wait_signal(&f->env, SIG_CHANGED, path, MEMDEV_IFACE, want)) {
		dump_log(&f->env);
		fail_msg("no PropertiesChanged(%s) for %s after a change uevent", want, path);
	}
	*ret_whole = count_log(&f->env, REFRESH_WHOLE) - whole;
	*ret_one = count_log(&f->env, REFRESH_ONE) - one;
}

static void start_daemon_watched(struct fixture *f)
{
	start_daemon(f);
	watch_signals(&f->env);
	pump(&f->env, 100);
	/* The startup snapshot. */
	assert_int_equal(count_log(&f->env, REFRESH_WHOLE), 1);
}

/*
 * Uevents for memdevs alone read just those memdevs; one a region maps
 * needs the whole walk (its region's targets may have changed too), and
 * gets it: both say so in the debug log, and both signal the same way.
 */
static void test_uevent_spare_memdev_refreshes_one(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *spare = spare_memdev(f);
	size_t whole, one;

	start_daemon_watched(f);
	change_memdev(f, spare, "kind-1", &whole, &one);
	assert_int_equal(one, 1);
	assert_int_equal(whole, 0);
	stop_daemon(f);
}

static void test_uevent_mapped_memdev_refreshes_all(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *mapped = region_memdev(f);
	size_t whole, one;

	if (!mapped) {
		printf("# fixture %s: no region maps a memdev\n", fixture_name());
		fflush(stdout);
		skip();
	}
	start_daemon_watched(f);
	change_memdev(f, mapped, "kind-2", &whole, &one);
	assert_int_equal(whole, 1);
	assert_int_equal(one, 0);
	stop_daemon(f);
}

struct burst {
	char **syspaths;
	unsigned repeat;
};

static void send_burst(struct fixture *f, void *userdata)
{
	struct burst *b = userdata;

	for (unsigned r = 0; r < b->repeat; r++)
		for (char **s = b->syspaths; *s; s++) {
			_cleanup_free_ char *fw = NULL;

			assert_true(asprintf(&fw, "burst-%u", r) > 0);
			assert_int_equal(fixture_bed_set_attribute(f->bed, *s, "firmware_version",
								   fw), 0);
			fixture_bed_uevent(f->bed, *s, "change");
		}
}

static void test_uevent_burst_one_refresh(void **state)
{
	struct fixture *f = *state;
	struct json_object *mds = list_section(f->list, "memdevs");
	_cleanup_(strv_freep) char **syspaths = NULL, **paths = NULL;
	/*
	 * All queued before the daemon reads one, and a stopped reader's
	 * socket holds only net.unix.max_dgram_qlen (10) datagrams: 4 x 2.
	 */
	struct burst b = { .repeat = 2 };
	size_t refreshes, n;

	n = json_object_array_length(mds);
	assert_true(n >= 2);
	if (n > 4)
		n = 4;
	for (size_t i = 0; i < n; i++) {
		const char *name = json_str(json_object_array_get_idx(mds, i), "memdev");
		_cleanup_free_ char *s = syspath_of(f, "cxl", name), *p = path_of(OBJECT_MEMDEV, name);

		assert_int_equal(strv_extend(&syspaths, s), 0);
		assert_int_equal(strv_extend(&paths, p), 0);
	}
	b.syspaths = syspaths;

	start_daemon(f);
	watch_signals(&f->env);
	pump(&f->env, 100);
	sigs_clear();
	refreshes = count_refreshes(&f->env);
	assert_true(refreshes >= 1);	/* the startup snapshot */

	with_daemon_stopped(f, send_burst, &b);
	for (char **p = paths; *p; p++)
		if (!wait_signal(&f->env, SIG_CHANGED, *p, MEMDEV_IFACE,
				 "FirmwareVersion=burst-1")) {
			dump_log(&f->env);
			fail_msg("no PropertiesChanged for %s after the burst", *p);
		}
	pump(&f->env, bus_env_timeout_ms(300));

	/* One refresh for the burst, one signal per memdev, with the last value. */
	assert_int_equal(count_refreshes(&f->env) - refreshes, 1);
	assert_int_equal(count_sigs(SIG_CHANGED, NULL, MEMDEV_IFACE, NULL), n);
	for (char **p = paths; *p; p++)
		assert_int_equal(count_sigs(SIG_CHANGED, *p, MEMDEV_IFACE, NULL), 1);
	printf("# %zu uevents in one burst: %zu refresh, %zu PropertiesChanged\n",
	       n * b.repeat, count_refreshes(&f->env) - refreshes,
	       count_sigs(SIG_CHANGED, NULL, MEMDEV_IFACE, NULL));
	fflush(stdout);

	stop_daemon(f);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Reported, not asserted: this is a shared, noisy machine. bench/ measures. */
static void test_uevent_latency_reported(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *name = spare_memdev(f), *sys = NULL, *path = NULL;
	enum { ROUNDS = 20 };
	uint64_t lat[ROUNDS];

	sys = syspath_of(f, "cxl", name);
	path = path_of(OBJECT_MEMDEV, name);
	start_daemon(f);
	watch_signals(&f->env);
	pump(&f->env, 100);

	for (int i = 0; i < ROUNDS; i++) {
		_cleanup_free_ char *fw = NULL, *want = NULL;
		uint64_t t0, t1;

		sigs_clear();
		assert_true(asprintf(&fw, "latency-%d", i) > 0);
		assert_true(asprintf(&want, "FirmwareVersion=%s", fw) > 0);
		assert_int_equal(fixture_bed_set_attribute(f->bed, sys, "firmware_version", fw), 0);
		t0 = now_usec();
		fixture_bed_uevent(f->bed, sys, "change");
		t1 = wait_signal(&f->env, SIG_CHANGED, path, MEMDEV_IFACE, want);
		if (!t1)
			fail_msg("round %d: no PropertiesChanged for %s", i, path);
		lat[i] = t1 - t0;
	}
	qsort(lat, ROUNDS, sizeof(*lat), cmp_u64);
	printf("# uevent -> PropertiesChanged over %d change uevents: p50 %.1f ms, max %.1f ms%s\n",
	       ROUNDS, lat[ROUNDS / 2] / 1000.0, lat[ROUNDS - 1] / 1000.0,
	       getenv("CXLMEMD_DAEMON_WRAPPER") ? " (daemon under the wrapper)" : "");
	fflush(stdout);

	stop_daemon(f);
}

int main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tree_matches_fixture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uevent_remove_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uevent_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uevent_spare_memdev_refreshes_one, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uevent_mapped_memdev_refreshes_all, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uevent_burst_one_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uevent_latency_reported, setup, teardown),
	};

	if (fixture_bed_preload_self(argv) < 0 || bus_tap_skips_as_ok() < 0)
		return EXIT_FAILURE;
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
