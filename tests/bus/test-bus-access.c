// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * THEORY OF OPERATION: nobody unprivileged gets in. The real daemon runs on
 * a private bus with the shipped bus policy, against the recorded cxl_test
 * tree (so memdev, window, region and dax objects exist) plus one Soft
 * Reserved range. Every method of every interface, enumerated from the
 * daemon's own vtables (which a unit test and the skeleton bus test hold
 * equal to the shipped XML), is called by a client running as uid/gid
 * 65534 with well-formed arguments. Only the methods listed in open[] may
 * answer it; every other one must fail with
 * org.freedesktop.DBus.Error.AccessDenied, so a method added later without
 * an authorization check fails this test. The model the daemon serves must
 * be the same before and after.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "bus-harness.h"
#include "bus-interfaces.h"
#include "fixture-bed.h"

#define NOBODY 65534

/* What an unprivileged caller may call: reading only. */
static const char *const open[] = {
	"org.cxlmemd1.Manager.GetTopology",
	"org.cxlmemd1.Manager.ExplainOwnership",
	NULL,
};

struct ctx {
	struct bus_env env;
	struct fixture_bed *bed;
	char iomem[64];
};

static bool is_open(const char *iface, const char *member)
{
	char full[256];

	snprintf(full, sizeof(full), "%s.%s", iface, member);
	for (size_t i = 0; open[i]; i++)
		if (!strcmp(open[i], full))
			return true;
	return false;
}

/* Append a default value of each complete type in @sig (the types the API uses). */
static int append_defaults(sd_bus_message *m, const char *sig)
{
	int r = 0;

	for (const char *p = sig ? sig : ""; *p && r >= 0;) {
		if (!strncmp(p, "a{sv}", 5)) {
			r = sd_bus_message_open_container(m, 'a', "{sv}");
			if (r >= 0)
				r = sd_bus_message_close_container(m);
			p += 5;
			continue;
		}
		if (*p == 'a') {
			char elem[2] = { p[1], 0 };

			r = sd_bus_message_open_container(m, 'a', elem);
			if (r >= 0)
				r = sd_bus_message_close_container(m);
			p += 2;
			continue;
		}
		switch (*p) {
		case 's':
			r = sd_bus_message_append(m, "s", "movable");
			break;
		case 'o':
			r = sd_bus_message_append(m, "o", "/org/cxlmemd1/memdev/mem0");
			break;
		case 'b':
			r = sd_bus_message_append(m, "b", 0);
			break;
		case 'u':
			r = sd_bus_message_append(m, "u", (uint32_t)1);
			break;
		case 't':
			r = sd_bus_message_append(m, "t", (uint64_t)(256 << 20));
			break;
		default:
			fprintf(stderr, "signature %s: type %c not handled by the test\n", sig, *p);
			return -EINVAL;
		}
		p++;
	}
	return r;
}

/* The first object path serving @iface, from GetManagedObjects. */
static char *first_object(sd_bus *bus, const char *iface)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char *found = NULL;
	const char *path, *name;

	if (!strcmp(iface, "org.cxlmemd1.Manager"))
		return strdup(CXLMEMD_OBJECT_ROOT);
	assert_true(sd_bus_call_method(bus, CXLMEMD_BUS_NAME, CXLMEMD_OBJECT_ROOT,
				       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
				       &error, &reply, NULL) >= 0);
	assert_true(sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}") > 0);
	while (!found && sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}") > 0) {
		assert_true(sd_bus_message_read(reply, "o", &path) > 0);
		assert_true(sd_bus_message_enter_container(reply, 'a', "{sa{sv}}") > 0);
		while (sd_bus_message_enter_container(reply, 'e', "sa{sv}") > 0) {
			assert_true(sd_bus_message_read(reply, "s", &name) > 0);
			if (!found && !strcmp(name, iface))
				found = strdup(path);
			assert_true(sd_bus_message_skip(reply, "a{sv}") >= 0);
			assert_true(sd_bus_message_exit_container(reply) >= 0);
		}
		assert_true(sd_bus_message_exit_container(reply) >= 0);
		assert_true(sd_bus_message_exit_container(reply) >= 0);
	}
	sd_bus_message_unref(reply);
	return found;
}

/* GetManagedObjects, dumped as text: the model the daemon serves. */
static char *model_dump(sd_bus *bus)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	assert_true(sd_bus_call_method(bus, CXLMEMD_BUS_NAME, CXLMEMD_OBJECT_ROOT,
				       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
				       &error, &reply, NULL) >= 0);
	f = open_memstream(&buf, &size);
	assert_non_null(f);
	/* no header: its serial differs per call */
	assert_true(sd_bus_message_dump(reply, f, 0) >= 0);
	fclose(f);
	sd_bus_message_unref(reply);
	return buf;
}

static int append_sig(sd_bus_message *m, const void *sig)
{
	return append_defaults(m, sig);
}

/* Call @iface.@member on @path as @uid with default arguments for @sig. */
static char *call_as(struct ctx *c, uid_t uid, const char *path, const char *iface,
		     const char *member, const char *sig)
{
	char *got = bus_env_call_as(&c->env, uid, false, path, iface, member, append_sig, sig);

	if (!got)
		fail_msg("the client for %s.%s failed", iface, member);
	return got;
}

static int setup(void **state)
{
	static struct ctx c;
	char *const *fenv;
	char *env[16];
	size_t n = 0;
	FILE *f;
	int r;

	strcpy(c.iomem, "/tmp/test-bus-access-iomem.XXXXXX");
	r = mkstemp(c.iomem);
	if (r < 0)
		return -1;
	close(r);
	f = fopen(c.iomem, "w");
	if (!f)
		return -1;
	fputs("100000000-13fffffff : Soft Reserved\n", f);
	fclose(f);

	/*
	 * The daemon runs under libumockdev-preload, which an ASan build's
	 * runtime would refuse to follow (fixture_bed_preload_self() says
	 * the same); harmless elsewhere.
	 */
	if (setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 0) < 0)
		return -1;
	r = bus_env_start(&c.env);
	if (r >= 0)
		r = fixture_bed_new("cxltest", &c.bed);
	if (r < 0) {
		fprintf(stderr, "test environment failed: %s\n", strerror(-r));
		return -1;
	}
	/* the fixture's environment, with our iomem (one Soft Reserved range) */
	static char iomem_env[96];

	snprintf(iomem_env, sizeof(iomem_env), "CXLMEMD_IOMEM=%s", c.iomem);
	env[n++] = iomem_env;
	for (fenv = fixture_bed_env(c.bed); *fenv && n < 15; fenv++)
		if (strncmp(*fenv, "CXLMEMD_IOMEM=", 14))
			env[n++] = *fenv;
	env[n] = NULL;
	/* the unprivileged client must reach the private bus's socket */
	if (chmod(c.env.dir, 0755) < 0)
		return -1;
	if (bus_env_start_daemon(&c.env, env) < 0 ||
	    bus_env_wait_name(&c.env, bus_env_timeout_ms(20000)) < 0)
		return -1;
	*state = &c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	int r;

	if (!c)
		return -1;	/* setup failed and said why */
	r = bus_env_stop_daemon(&c->env);
	bus_env_stop(&c->env);
	fixture_bed_free(c->bed);
	unlink(c->iomem);
	return r;
}

static void test_every_changing_method_denied(void **state)
{
	struct ctx *c = *state;
	char *before = model_dump(c->env.client), *after;
	unsigned denied = 0, opened = 0;

	for (const struct bus_interface *i = cxlmemd_bus_interfaces; i->name; i++) {
		const sd_bus_vtable *(*tables[])(void) = { i->vtable, i->methods, i->more };
		char *path = first_object(c->env.client, i->name);

		if (!path)
			fail_msg("the fixture has no %s object to call", i->name);
		for (size_t t = 0; t < 3; t++) {
			if (!tables[t])
				continue;
			for (const sd_bus_vtable *v = tables[t](); v->type != _SD_BUS_VTABLE_END; v++) {
				char *got;

				if (v->type != _SD_BUS_VTABLE_METHOD)
					continue;
				got = call_as(c, NOBODY, path, i->name, v->x.method.member,
					      v->x.method.signature);
				if (is_open(i->name, v->x.method.member)) {
					if (strcmp(got, "ok"))
						fail_msg("%s.%s is open to everyone but failed: %s",
							 i->name, v->x.method.member, got);
					opened++;
				} else {
					if (strcmp(got, "org.freedesktop.DBus.Error.AccessDenied"))
						fail_msg("%s.%s as uid %d: %s, not AccessDenied",
							 i->name, v->x.method.member, NOBODY, got);
					denied++;
				}
				free(got);
			}
		}
		free(path);
	}
	printf("# %u changing methods denied to uid %d, %u reading methods answered\n",
	       denied, NOBODY, opened);
	assert_true(denied >= 20);
	assert_int_equal(opened, 2);
	after = model_dump(c->env.client);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* The same call as root gets past the bouncer (whatever the kernel says). */
static void test_root_passes_the_bouncer(void **state)
{
	struct ctx *c = *state;
	char *got = call_as(c, 0, CXLMEMD_OBJECT_ROOT "/softreserved/0x100000000",
			    "org.cxlmemd1.SoftReservedRange", "SetOwner", "sb");

	/* "movable" is no owner: the daemon's own check, after authorization */
	assert_string_equal(got, "org.cxlmemd1.Error.InvalidArgument");
	free(got);
	got = call_as(c, NOBODY, CXLMEMD_OBJECT_ROOT "/softreserved/0x100000000",
		      "org.cxlmemd1.SoftReservedRange", "SetOwner", "sb");
	assert_string_equal(got, "org.freedesktop.DBus.Error.AccessDenied");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_changing_method_denied),
		cmocka_unit_test(test_root_passes_the_bouncer),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
