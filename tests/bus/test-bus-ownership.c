// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * THEORY OF OPERATION: the real daemon on a private bus, with a /proc/iomem
 * stand-in (CXLMEMD_IOMEM) holding one Soft Reserved range at 4G, and
 * policy directories of the test's own (CXLMEMD_POLICY_DIR,
 * CXLMEMD_POLICY_DROPIN_DIR). The host kernel has no soft_reserved
 * interface, so nothing is applied: these tests cover the policy side of
 * the bus API (ExplainOwnership, ReloadPolicy, SIGHUP, SetOwner, persisted
 * overrides surviving a restart, bad input changing nothing); the VM
 * scenarios cover applying.
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
#include <json-c/json.h>

#include "bus-harness.h"
#include "bus-interfaces.h"

#define RANGE_PATH CXLMEMD_OBJECT_ROOT "/softreserved/0x100000000"

struct ctx {
	struct bus_env env;
	char dir[64];
	char sys[128], etc[128], iomem[128];
	char env_sys[160], env_etc[160], env_iomem[160];
};

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void start(struct ctx *c)
{
	char *const env[] = { c->env_sys, c->env_etc, c->env_iomem, NULL };

	assert_int_equal(bus_env_start_daemon(&c->env, env), 0);
	if (bus_env_wait_name(&c->env, bus_env_timeout_ms(10000)) < 0)
		fail_msg("cxlmemd did not take its name");
}

static void stop(struct ctx *c)
{
	if (bus_env_stop_daemon(&c->env) < 0)
		fail_msg("cxlmemd did not exit 0 on SIGTERM");
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	strcpy(c->dir, "/tmp/test-bus-ownership.XXXXXX");
	if (!mkdtemp(c->dir))
		return -1;
	snprintf(c->sys, sizeof(c->sys), "%s/policy", c->dir);
	snprintf(c->etc, sizeof(c->etc), "%s/policy.d", c->dir);
	snprintf(c->iomem, sizeof(c->iomem), "%s/iomem", c->dir);
	snprintf(c->env_sys, sizeof(c->env_sys), "CXLMEMD_POLICY_DIR=%s", c->sys);
	snprintf(c->env_etc, sizeof(c->env_etc), "CXLMEMD_POLICY_DROPIN_DIR=%s", c->etc);
	snprintf(c->env_iomem, sizeof(c->env_iomem), "CXLMEMD_IOMEM=%s", c->iomem);
	if (mkdir(c->sys, 0755) < 0)
		return -1;
	put(c->iomem, "00001000-0009fbff : System RAM\n100000000-13fffffff : Soft Reserved\n");
	if (bus_env_start(&c->env) < 0) {
		bus_env_stop(&c->env);
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	char cmd[128];

	bus_env_stop(&c->env);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->dir);
	(void)!system(cmd);
	free(c);
	return 0;
}

/* ExplainOwnership, parsed; the one range's entry in *range. */
static struct json_object *explain(struct ctx *c, struct json_object **range)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	struct json_object *top, *ranges;
	const char *s;

	if (sd_bus_call_method(c->env.client, CXLMEMD_BUS_NAME, CXLMEMD_OBJECT_ROOT,
			       "org.cxlmemd1.Manager", "ExplainOwnership", &error, &reply,
			       NULL) < 0)
		fail_msg("ExplainOwnership: %s", error.message);
	assert_true(sd_bus_message_read(reply, "s", &s) > 0);
	top = json_tokener_parse(s);
	sd_bus_message_unref(reply);
	assert_non_null(top);
	assert_true(json_object_object_get_ex(top, "ranges", &ranges));
	assert_int_equal(json_object_array_length(ranges), 1);
	*range = json_object_array_get_idx(ranges, 0);
	return top;
}

static const char *field(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_string(v);
}

/* Call @member with @types/args; returns 0 or the error name in *name. */
static int call(struct ctx *c, const char *path, const char *iface, const char *member,
		char **name, char **message, const char *types, ...)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *msg = NULL, *reply = NULL;
	va_list ap;
	int r;

	assert_true(sd_bus_message_new_method_call(c->env.client, &msg, CXLMEMD_BUS_NAME, path,
						   iface, member) >= 0);
	if (types) {
		va_start(ap, types);
		assert_true(sd_bus_message_appendv(msg, types, ap) >= 0);
		va_end(ap);
	}
	r = sd_bus_call(c->env.client, msg, 0, &error, &reply);
	if (r < 0) {
		*name = strdup(error.name);
		*message = strdup(error.message ? error.message : "");
	}
	sd_bus_error_free(&error);
	sd_bus_message_unref(msg);
	sd_bus_message_unref(reply);
	return r < 0 ? r : 0;
}

static void test_default_and_policy(void **state)
{
	struct ctx *c = *state;
	struct json_object *top, *r;

	/* no files: the built-in default, auto; no region covers it -> hmem */
	start(c);
	top = explain(c, &r);
	assert_string_equal(field(r, "range"), "0x100000000");
	assert_string_equal(field(r, "owner"), "hmem");
	assert_string_equal(field(r, "asked"), "auto");
	assert_string_equal(field(r, "origin"), "built-in");
	assert_non_null(strstr(field(r, "reason"), "no CXL region covers it"));
	/* the host kernel has no soft_reserved interface */
	assert_false(json_object_get_boolean(json_object_object_get(r, "kernel_control")));
	assert_non_null(strstr(field(r, "applied"), "no soft_reserved ownership interface"));
	json_object_put(top);

	/* a rule, then ReloadPolicy */
	{
		char p[256];

		snprintf(p, sizeof(p), "%s/50-cxl.json", c->sys);
		put(p, "{\"version\": 1, \"rules\": [{\"name\": \"all-cxl\", "
		       "\"match\": {\"range\": {\"start\": \"0x100000000\", \"size\": \"0x40000000\"}}, "
		       "\"owner\": \"cxl\"}]}\n");
	}
	{
		char *n = NULL, *m = NULL;

		assert_int_equal(call(c, CXLMEMD_OBJECT_ROOT, "org.cxlmemd1.Manager", "ReloadPolicy",
				      &n, &m, NULL), 0);
	}
	top = explain(c, &r);
	assert_string_equal(field(r, "owner"), "cxl");
	assert_string_equal(field(r, "rule"), "all-cxl");
	assert_non_null(strstr(field(r, "origin"), "/policy/50-cxl.json:1"));
	json_object_put(top);
	stop(c);
}

static void test_bad_policy_keeps_previous(void **state)
{
	struct ctx *c = *state;
	struct json_object *top, *r;
	char p[256], *name = NULL, *message = NULL;

	start(c);	/* 50-cxl.json from the previous test is in force */
	snprintf(p, sizeof(p), "%s/60-bad.json", c->sys);
	put(p, "{\"version\": 1,\n \"rules\": [{\"owner\": \"nobody\"}]}\n");
	assert_true(call(c, CXLMEMD_OBJECT_ROOT, "org.cxlmemd1.Manager", "ReloadPolicy",
			 &name, &message, NULL) < 0);
	assert_string_equal(name, "org.cxlmemd1.Error.InvalidPolicy");
	if (!strstr(message, "60-bad.json:2:22: unknown owner \"nobody\"") ||
	    !strstr(message, "previous policy stays in force"))
		fail_msg("unexpected message: %s", message);
	free(name);
	free(message);
	top = explain(c, &r);
	assert_string_equal(field(r, "rule"), "all-cxl");
	json_object_put(top);

	/* SIGHUP: same verdict, logged; then fixed and SIGHUP again */
	assert_int_equal(kill(c->env.daemon_pid, SIGHUP), 0);
	put(p, "{\"version\": 1, \"rules\": [{\"name\": \"later-hmem\", \"owner\": \"hmem\"}]}\n");
	assert_int_equal(kill(c->env.daemon_pid, SIGHUP), 0);
	for (int i = 0;; i++) {
		const char *rule;

		top = explain(c, &r);
		rule = field(r, "rule");
		if (!strcmp(rule, "later-hmem")) {
			assert_string_equal(field(r, "owner"), "hmem");
			json_object_put(top);
			break;
		}
		json_object_put(top);
		if (i > bus_env_timeout_ms(5000) / 50)
			fail_msg("SIGHUP did not reload the policy");
		usleep(50 * 1000);
	}
	unlink(p);
	stop(c);
}

static void test_set_owner(void **state)
{
	struct ctx *c = *state;
	struct json_object *top, *r;
	char *name = NULL, *message = NULL, p[256];
	struct stat st;

	start(c);
	assert_true(call(c, RANGE_PATH, "org.cxlmemd1.SoftReservedRange", "SetOwner", &name,
			 &message, "sb", "dax", 0) < 0);
	assert_string_equal(name, "org.cxlmemd1.Error.InvalidArgument");
	assert_non_null(strstr(message, "Unknown owner \"dax\""));
	free(name);
	free(message);
	assert_true(call(c, CXLMEMD_OBJECT_ROOT "/softreserved/0x200000000",
			 "org.cxlmemd1.SoftReservedRange", "SetOwner", &name, &message, "sb",
			 "hmem", 0) < 0);
	free(name);
	free(message);

	/* not persisted: in force now, gone after a restart */
	assert_int_equal(call(c, RANGE_PATH, "org.cxlmemd1.SoftReservedRange", "SetOwner", &name,
			      &message, "sb", "hmem", 0), 0);
	top = explain(c, &r);
	assert_string_equal(field(r, "owner"), "hmem");
	assert_string_equal(field(r, "rule"), "override-0x100000000");
	assert_string_equal(field(r, "origin"), "SetOwner(0x100000000):1");
	json_object_put(top);
	snprintf(p, sizeof(p), "%s/90-owner-0x100000000.json", c->etc);
	assert_int_equal(stat(p, &st), -1);
	stop(c);
	start(c);
	top = explain(c, &r);
	assert_string_equal(field(r, "rule"), "all-cxl");
	json_object_put(top);

	/* persisted: a drop-in, and still in force after a restart */
	assert_int_equal(call(c, RANGE_PATH, "org.cxlmemd1.SoftReservedRange", "SetOwner", &name,
			      &message, "sb", "hmem", 1), 0);
	assert_int_equal(stat(p, &st), 0);
	stop(c);
	start(c);
	top = explain(c, &r);
	assert_string_equal(field(r, "owner"), "hmem");
	assert_string_equal(field(r, "rule"), "override-0x100000000");
	assert_non_null(strstr(field(r, "origin"), "/policy.d/90-owner-0x100000000.json:4"));
	json_object_put(top);
	stop(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_and_policy),
		cmocka_unit_test(test_bad_policy_keeps_previous),
		cmocka_unit_test(test_set_owner),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
