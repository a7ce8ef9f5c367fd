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
 * Expectations come from the recording, not from this file: the
 * comparison of the whole tree is fixture-compare.h's, which says what
 * each object is compared with.
 *
 * Every test checks the daemon's exit status, which carries valgrind's
 * verdict under CXLMEMD_DAEMON_WRAPPER. Runs as root (the bus policy).
 */
#include <errno.h>
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

#include "bus-harness.h"
#include "bus-interfaces.h"
#include "fixture-compare.h"
#include "macro.h"
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
	struct fixture_compare cmp;	/* the recording, against the bus */
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
	if (fixture_compare_init(&f.cmp, f.bed, f.env.client) < 0)
		return -1;
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
	fixture_compare_done(&f->cmp);
	fixture_bed_free(f->bed);
	f->bed = NULL;
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

/* ---- the whole tree ---- */

static void test_tree_matches_fixture(void **state)
{
	struct fixture *f = *state;
	struct fixture_counts n;

	start_daemon(f);
	/* Every recorded object with its properties, and nothing else. */
	fixture_compare_tree(&f->cmp, &n);
	/*
	 * And the comparison compared something: a CXL recording has memdevs
	 * and windows; the regions are all the sized ones umockdev recorded
	 * (none on the qemu fixture); every fixture onlined a dax device;
	 * the Soft Reserved ranges are the iomem's (none on cxltest).
	 */
	assert_true(n.memdevs > 0);
	assert_true(n.windows > 0);
	assert_int_equal(n.regions, fixture_recorded_regions(&f->cmp));
	assert_true(n.daxes > 0);
	printf("# fixture %s: %zu memdevs, %zu windows, %zu regions, %zu dax devices, "
	       "%zu Soft Reserved ranges match\n", fixture_name(), n.memdevs, n.windows,
	       n.regions, n.daxes, n.soft_reserved);
	fflush(stdout);

	stop_daemon(f);
}

/* ---- uevents ---- */

/* The first memdev of the fixture that a region maps (@mapped) or not; NULL: none. */
static char *memdev_mapped(struct fixture *f, bool mapped)
{
	_cleanup_(strv_freep) char **names = fixture_memdevs(&f->cmp);

	for (char **name = names; name && *name; name++) {
		_cleanup_(strv_freep) char **regions = fixture_memdev_regions(&f->cmp, *name);

		if (!!regions == mapped)
			return strdup(*name);
	}
	return NULL;
}

/* A memdev of the fixture that no region maps: removing it touches only itself. */
static char *spare_memdev(struct fixture *f)
{
	char *name = memdev_mapped(f, false);

	if (!name)
		fail_msg("every memdev of the fixture is in a region");
	return name;
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

	sys = fixture_syspath(f->bed, "cxl", name);
	path = object_path(OBJECT_MEMDEV, name);
	start_daemon(f);
	watch_signals(&f->env);
	pump(&f->env, 100);
	before = daemon_objects(f->env.client);
	assert_true(objects_contain(before, path, MEMDEV_IFACE));
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
	after = daemon_objects(f->env.client);
	assert_false(objects_contain(after, path, MEMDEV_IFACE));
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
	serial = fixture_recorded(f->bed, sys, "A: serial");
	assert_int_equal(daemon_get_u64(f->env.client, path, OBJECT_MEMDEV, "Serial"),
			 strtoull(serial, NULL, 0));
	again = daemon_objects(f->env.client);
	assert_true(strv_equal(again, before));
	/* However the daemon refreshed, the memdevs are the fixture's again. */
	fixture_compare_memdevs(&f->cmp, again);

	stop_daemon(f);
}

static void test_uevent_change(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *name = spare_memdev(f), *sys = NULL, *path = NULL;
	_cleanup_free_ char *old = NULL, *now = NULL, *back = NULL;
	_cleanup_(strv_freep) char **objects = NULL;
	const char *fw = "cxltest-fw-changed";

	sys = fixture_syspath(f->bed, "cxl", name);
	path = object_path(OBJECT_MEMDEV, name);
	start_daemon(f);
	watch_signals(&f->env);
	pump(&f->env, 100);
	old = daemon_get_str(f->env.client, path, OBJECT_MEMDEV, "FirmwareVersion");
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
	now = daemon_get_str(f->env.client, path, OBJECT_MEMDEV, "FirmwareVersion");
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
	objects = daemon_objects(f->env.client);
	fixture_compare_memdevs(&f->cmp, objects);

	stop_daemon(f);
}

/*
 * Change memdev @name's firmware version to @fw with a change uevent, and
 * return how many refreshes of each kind the daemon logged for it.
 */
static void change_memdev(struct fixture *f, const char *name, const char *fw,
			  size_t *ret_whole, size_t *ret_one)
{
	_cleanup_free_ char *sys = fixture_syspath(f->bed, "cxl", name);
	_cleanup_free_ char *path = object_path(OBJECT_MEMDEV, name), *want = NULL;
	size_t whole = count_log(&f->env, REFRESH_WHOLE), one = count_log(&f->env, REFRESH_ONE);
	size_t refreshes = count_refreshes(&f->env);

	assert_true(asprintf(&want, "FirmwareVersion=%s", fw) > 0);
	assert_int_equal(fixture_bed_set_attribute(f->bed, sys, "firmware_version", fw), 0);
	fixture_bed_uevent(f->bed, sys, "change");
	if (!wait_signal(&f->env, SIG_CHANGED, path, MEMDEV_IFACE, want)) {
		dump_log(&f->env);
		fail_msg("no PropertiesChanged(%s) for %s after a change uevent", want, path);
	}
	/* A refresh logs its line once it has announced every memdev it read. */
	for (int waited = 0; count_refreshes(&f->env) == refreshes &&
			     waited < bus_env_timeout_ms(2000); waited += 10)
		pump(&f->env, 10);
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
 * A "change" uevent for a memdev alone reads just that memdev, spare or
 * mapped: it says nothing about region targets (the kernel sends no
 * uevent for target or commit writes either), so a mapped memdev keeps
 * the Regions the model has. Both say so in the debug log, and both
 * signal the same way.
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

static void test_uevent_mapped_memdev_refreshes_one(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *mapped = memdev_mapped(f, true), *sys = NULL, *old = NULL;
	_cleanup_(strv_freep) char **objects = NULL;
	size_t whole, one;

	if (!mapped) {
		printf("# fixture %s: no region maps a memdev\n", fixture_name());
		fflush(stdout);
		skip();
	}
	start_daemon_watched(f);
	sys = fixture_syspath(f->bed, "cxl", mapped);
	old = fixture_recorded(f->bed, sys, "A: firmware_version");
	assert_non_null(old);
	change_memdev(f, mapped, "kind-2", &whole, &one);
	assert_int_equal(one, 1);
	assert_int_equal(whole, 0);
	/* Changed back: every memdev, Regions too, is the fixture's again. */
	change_memdev(f, mapped, old, &whole, &one);
	assert_int_equal(one, 1);
	objects = daemon_objects(f->env.client);
	fixture_compare_memdevs(&f->cmp, objects);
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
	_cleanup_(strv_freep) char **memdevs = fixture_memdevs(&f->cmp);
	_cleanup_(strv_freep) char **syspaths = NULL, **paths = NULL;
	/*
	 * All queued before the daemon reads one, and a stopped reader's
	 * socket holds only net.unix.max_dgram_qlen (10) datagrams: 4 x 2.
	 */
	struct burst b = { .repeat = 2 };
	size_t refreshes, n;

	n = strv_length(memdevs);
	assert_true(n >= 2);
	if (n > 4)
		n = 4;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *s = fixture_syspath(f->bed, "cxl", memdevs[i]);
		_cleanup_free_ char *p = object_path(OBJECT_MEMDEV, memdevs[i]);

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

	sys = fixture_syspath(f->bed, "cxl", name);
	path = object_path(OBJECT_MEMDEV, name);
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
		cmocka_unit_test_setup_teardown(test_uevent_mapped_memdev_refreshes_one, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uevent_burst_one_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uevent_latency_reported, setup, teardown),
	};

	if (fixture_bed_preload_self(argv) < 0 || bus_tap_skips_as_ok() < 0)
		return EXIT_FAILURE;
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
