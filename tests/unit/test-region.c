// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Region lifecycle against a fake kernel: a region-ops table that keeps
 * just enough state (regions, attributes, driver binding) and enforces
 * the kernel's ordering rules (no target change while committed, no DPA
 * release while a decoder is a target, no decommit or delete while
 * bound). The creation is failed at every step in turn and the fake
 * kernel must end up exactly as it started.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "region.h"

#define MAX_ATTRS 64

struct fake {
	bool exists, bound;
	char region[16];
	struct { char key[96]; char value[64]; } attrs[MAX_ATTRS];
	size_t n_attrs;
	int calls;		/* kernel calls so far */
	int fail_at;		/* fail this call (1-based), 0: never */
	char log[2048];
};

static const char *get(struct fake *k, const char *dev, const char *attr)
{
	char key[96];

	snprintf(key, sizeof(key), "%s/%s", dev, attr);
	for (size_t i = 0; i < k->n_attrs; i++)
		if (strcmp(k->attrs[i].key, key) == 0)
			return k->attrs[i].value;
	return "";
}

static void set(struct fake *k, const char *dev, const char *attr, const char *value)
{
	char key[96];
	size_t i;

	snprintf(key, sizeof(key), "%s/%s", dev, attr);
	for (i = 0; i < k->n_attrs; i++)
		if (strcmp(k->attrs[i].key, key) == 0)
			break;
	if (i == k->n_attrs) {
		assert_true(k->n_attrs < MAX_ATTRS);
		k->n_attrs++;
		strcpy(k->attrs[i].key, key);
	}
	snprintf(k->attrs[i].value, sizeof(k->attrs[i].value), "%s", value);
}

static bool is_target(struct fake *k, const char *decoder)
{
	for (int p = 0; p < 4; p++) {
		char attr[16];

		snprintf(attr, sizeof(attr), "target%d", p);
		if (k->exists && strcmp(get(k, k->region, attr), decoder) == 0)
			return true;
	}
	return false;
}

static int call(struct fake *k, const char *what)
{
	size_t len = strlen(k->log);

	snprintf(k->log + len, sizeof(k->log) - len, "%s;", what);
	return ++k->calls == k->fail_at ? -ENXIO : 0;
}

static int fake_create(void *u, const char *window, const char *mode, char **ret)
{
	struct fake *k = u;

	if (call(k, "create") < 0)
		return -ENXIO;
	k->exists = true;
	*ret = strdup(k->region);
	return 0;
}

static int fake_delete(void *u, const char *window, const char *region)
{
	struct fake *k = u;
	int r = call(k, "delete");

	if (r < 0)
		return r;
	if (!k->exists || k->bound)
		return -EBUSY;
	k->exists = false;
	/* The region's attributes go with it. */
	for (size_t i = 0; i < k->n_attrs; i++)
		if (strncmp(k->attrs[i].key, region, strlen(region)) == 0)
			k->attrs[i].value[0] = '\0';
	return 0;
}

static int fake_write(void *u, const char *dev, const char *attr, const char *value)
{
	struct fake *k = u;
	char what[128];
	int r;

	snprintf(what, sizeof(what), "%s/%s=%s", dev, attr, value);
	r = call(k, what);
	if (r < 0)
		return r;
	if (strncmp(attr, "target", 6) == 0 && strcmp(get(k, dev, "commit"), "1") == 0)
		return -EBUSY;
	if (strcmp(attr, "dpa_size") == 0 && strcmp(value, "0") == 0 && is_target(k, dev))
		return -EBUSY;
	if (strcmp(attr, "commit") == 0 && strcmp(value, "0") == 0 && k->bound)
		return -EBUSY;
	set(k, dev, attr, value);
	return 0;
}

static int fake_bind(void *u, const char *region, bool bind)
{
	struct fake *k = u;
	int r = call(k, bind ? "bind" : "unbind");

	if (r < 0)
		return r;
	if (bind && strcmp(get(k, region, "commit"), "1") != 0)
		return -ENXIO;
	k->bound = bind;
	return 0;
}

static struct fake kernel;

static const struct region_ops fake_ops = {
	.create = fake_create,
	.delete = fake_delete,
	.write = fake_write,
	.bind = fake_bind,
	.userdata = &kernel,
};

static void fake_reset(int fail_at)
{
	memset(&kernel, 0, sizeof(kernel));
	strcpy(kernel.region, "region7");
	kernel.fail_at = fail_at;
}

/* Nothing left: no region, no DPA held, not bound. */
static void assert_clean(const char *when)
{
	if (kernel.exists || kernel.bound)
		fail_msg("%s: region left (exists %d, bound %d); calls: %s", when,
			 kernel.exists, kernel.bound, kernel.log);
	for (size_t i = 0; i < kernel.n_attrs; i++)
		if (strstr(kernel.attrs[i].key, "/dpa_size") &&
		    strcmp(kernel.attrs[i].value, "0") != 0 && kernel.attrs[i].value[0])
			fail_msg("%s: %s=%s left; calls: %s", when, kernel.attrs[i].key,
				 kernel.attrs[i].value, kernel.log);
}

static const struct region_plan plan2 = {
	.window = "decoder0.1", .mode = "pmem", .size = 1ULL << 29, .ways = 2,
	.granularity = 4096, .uuid = "0f2d5e8c-3a3b-4c1e-9d7a-1b2c3d4e5f60",
	.targets = { { "mem0", "decoder5.0" }, { "mem2", "decoder7.0" } },
};

static void test_create_order(void **state)
{
	struct region_fail f = {};
	char name[REGION_NAME_MAX];

	fake_reset(0);
	assert_int_equal(region_create(&fake_ops, &plan2, name, &f), 0);
	assert_string_equal(name, "region7");
	assert_string_equal(kernel.log,
		"create;region7/uuid=0f2d5e8c-3a3b-4c1e-9d7a-1b2c3d4e5f60;"
		"region7/interleave_granularity=4096;region7/interleave_ways=2;"
		"region7/size=536870912;"
		"decoder5.0/mode=pmem;decoder5.0/dpa_size=268435456;region7/target0=decoder5.0;"
		"decoder7.0/mode=pmem;decoder7.0/dpa_size=268435456;region7/target1=decoder7.0;"
		"region7/commit=1;bind;");
	assert_true(kernel.bound);
}

static void test_rollback_at_every_step(void **state)
{
	struct region_fail f;
	char name[REGION_NAME_MAX], when[32];
	int steps;

	fake_reset(0);
	assert_int_equal(region_create(&fake_ops, &plan2, name, &f), 0);
	steps = kernel.calls;
	assert_int_equal(steps, 13);

	for (int k = 1; k <= steps; k++) {
		memset(&f, 0, sizeof(f));
		fake_reset(k);
		snprintf(when, sizeof(when), "failing call %d", k);
		assert_int_equal(region_create(&fake_ops, &plan2, name, &f), -1);
		assert_int_equal(f.error, REGION_E_KERNEL);
		assert_int_equal(f.errno_value, ENXIO);
		if (!strstr(f.message, "No such device or address (ENXIO)"))
			fail_msg("%s: message lacks the errno text: %s", when, f.message);
		if (strstr(f.message, "undo step"))
			fail_msg("%s: an undo failed: %s (%s)", when, f.message, kernel.log);
		assert_clean(when);
	}
}

static void test_commit_refusal_names_the_step(void **state)
{
	struct region_fail f = {};
	char name[REGION_NAME_MAX];

	fake_reset(12);	/* the commit */
	assert_int_equal(region_create(&fake_ops, &plan2, name, &f), -1);
	assert_non_null(strstr(f.message, "writing '1' to region7/commit"));
	assert_non_null(strstr(f.message, "CONFIG_CXL_REGION_INVALIDATION_TEST"));
}

static void test_delete_in_kernel_order(void **state)
{
	struct region_target t[2] = { { 0, "mem0", "decoder5.0" }, { 1, "mem2", "decoder7.0" } };
	struct region r = { .name = "region7", .window = "decoder0.1", .mode = "pmem",
			    .state = "enabled", .targets = t, .n_targets = 2 };
	struct region_fail f = {};
	char name[REGION_NAME_MAX];

	fake_reset(0);
	assert_int_equal(region_create(&fake_ops, &plan2, name, &f), 0);
	kernel.log[0] = '\0';
	assert_int_equal(region_delete(&fake_ops, &r, &f), 0);
	assert_string_equal(kernel.log,
		"unbind;region7/commit=0;region7/target1=;region7/target0=;"
		"decoder7.0/dpa_size=0;decoder5.0/dpa_size=0;delete;");
	assert_clean("after delete");

	/* A configuring region skips unbind and decommit. */
	fake_reset(0);
	assert_int_equal(region_create_empty(&fake_ops, &plan2, name, &f), 0);
	r.n_targets = 0;
	r.state = "configuring";
	kernel.log[0] = '\0';
	assert_int_equal(region_delete(&fake_ops, &r, &f), 0);
	assert_string_equal(kernel.log, "delete;");
}

static void test_attach_rollback(void **state)
{
	struct region_fail f = {};
	char name[REGION_NAME_MAX];

	for (int k = 1; k <= 3; k++) {
		fake_reset(0);
		assert_int_equal(region_create_empty(&fake_ops, &plan2, name, &f), 0);
		kernel.fail_at = kernel.calls + k;
		assert_int_equal(region_attach_target(&fake_ops, name, "pmem", 1ULL << 28, 1,
						      "decoder7.0", &f), -1);
		assert_string_equal(get(&kernel, "region7", "target1"), "");
		if (strcmp(get(&kernel, "decoder7.0", "dpa_size"), "268435456") == 0)
			fail_msg("attach failing at %d left the DPA: %s", k, kernel.log);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_order),
		cmocka_unit_test(test_rollback_at_every_step),
		cmocka_unit_test(test_commit_refusal_names_the_step),
		cmocka_unit_test(test_delete_in_kernel_order),
		cmocka_unit_test(test_attach_rollback),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
