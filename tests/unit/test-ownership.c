// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model.h"
#include "policy/ownership.h"
#include "policy/policy.h"
#include "strv.h"

#define G (1ULL << 30)

/*
 * One topology for every case: window decoder0_0 at 4G-8G, memdevs mem0
 * (serial 10, node 1), mem1 (serial 11, node 1), mem2 (serial 12, node 2,
 * disabled); Soft Reserved ranges:
 *   sr-full   4G-5G: region0 (enabled, mem0+mem1) covers it all
 *   sr-half   5G-6G: region1 (enabled, mem0) covers 5G-5.5G only
 *   sr-split  6G-7G: region2 6G-6.5G + region3 6.5G-7G, both enabled
 *   sr-sick   7G-8G: region4 (enabled) covers it, target mem2 disabled
 *   sr-none   9G-10G: no window, no region, dax0.0 (node 3) came from it
 *   sr-idle   10G-11G: region5 covers it but is only committed
 */
static struct model m;

static void add_memdev(const char *name, uint64_t serial, int32_t node, int enabled)
{
	struct memdev *md = model_add(&m, OBJECT_MEMDEV);

	md->name = strdup(name);
	md->serial = serial;
	md->numa_node = node;
	md->enabled = enabled;
}

static void add_region(const char *name, uint64_t start, uint64_t size,
		       const char *state, const char *t0, const char *t1)
{
	struct region *r = model_add(&m, OBJECT_REGION);

	r->name = strdup(name);
	r->start = start;
	r->size = size;
	r->state = strdup(state);
	r->n_targets = t1 ? 2 : 1;
	r->targets = calloc(2, sizeof(*r->targets));
	r->targets[0].memdev = strdup(t0);
	if (t1)
		r->targets[1].memdev = strdup(t1);
}

static void add_sr(const char *name, uint64_t start, uint64_t size,
		   const char *window, const char *r0, const char *r1)
{
	struct softreserved *sr = model_add(&m, OBJECT_SOFTRESERVED);

	sr->name = strdup(name);
	sr->start = start;
	sr->size = size;
	if (window)
		strv_extend(&sr->windows, window);
	if (r0)
		strv_extend(&sr->regions, r0);
	if (r1)
		strv_extend(&sr->regions, r1);
	sr->owner = strdup("pending");
}

static int setup(void **state)
{
	struct window *w = model_add(&m, OBJECT_WINDOW);
	struct dax *d = model_add(&m, OBJECT_DAX);

	w->name = strdup("decoder0_0");
	w->start = 4 * G;
	w->size = 4 * G;
	d->name = strdup("dax0.0");
	d->numa_node = 3;
	d->softreserved = strdup("sr-none");
	add_memdev("mem0", 10, 1, 1);
	add_memdev("mem1", 11, 1, 1);
	add_memdev("mem2", 12, 2, 0);
	add_region("region0", 4 * G, G, "enabled", "mem0", "mem1");
	add_region("region1", 5 * G, G / 2, "online", "mem0", NULL);
	add_region("region2", 6 * G, G / 2, "enabled", "mem1", NULL);
	add_region("region3", 6 * G + G / 2, G / 2, "enabled", "mem0", NULL);
	add_region("region4", 7 * G, G, "enabled", "mem2", NULL);
	add_region("region5", 10 * G, G, "committed", "mem1", NULL);
	add_sr("sr-full", 4 * G, G, "decoder0_0", "region0", NULL);
	add_sr("sr-half", 5 * G, G, "decoder0_0", "region1", NULL);
	add_sr("sr-split", 6 * G, G, "decoder0_0", "region2", "region3");
	add_sr("sr-sick", 7 * G, G, "decoder0_0", "region4", NULL);
	add_sr("sr-none", 9 * G, G, NULL, NULL, NULL);
	add_sr("sr-idle", 10 * G, G, NULL, "region5", NULL);
	return model_finish(&m);
}

static int teardown(void **state)
{
	model_clear(&m);
	return 0;
}

struct want {
	const char *sr;
	const char *owner;
	const char *rule;
	const char *reason;	/* substring */
};

static void check(const char *policy_text, const struct want *w, size_t n)
{
	struct policy p = { 0 };
	char *err = NULL;

	if (policy_text && policy_parse(&p, "p.json", policy_text, strlen(policy_text), &err))
		fail_msg("policy: %s", err);
	for (size_t i = 0; i < n; i++) {
		const struct softreserved *sr = model_find(&m, OBJECT_SOFTRESERVED, w[i].sr);
		struct ownership_decision d;

		assert_non_null(sr);
		assert_int_equal(ownership_decide(&p, &m, sr, &d), 0);
		if (strcmp(policy_owner_name(d.owner), w[i].owner) ||
		    strcmp(d.rule, w[i].rule) || !strstr(d.reason, w[i].reason))
			fail_msg("%s: got owner %s rule %s reason '%s'; want %s %s '%s'",
				 w[i].sr, policy_owner_name(d.owner), d.rule, d.reason,
				 w[i].owner, w[i].rule, w[i].reason);
		ownership_decision_clear(&d);
	}
	policy_clear(&p);
}

/* No policy at all: auto everywhere. */
static void test_auto(void **state)
{
	static const struct want w[] = {
		{ "sr-full", "cxl", "default", "enabled CXL regions (region0) cover all of it and every target memdev is enabled, so cxl" },
		{ "sr-half", "hmem", "default", "(region1) cover only part of it, so hmem" },
		{ "sr-split", "cxl", "default", "(region2, region3) cover all of it" },
		{ "sr-sick", "hmem", "default", "target memdev mem2 is disabled, so hmem" },
		{ "sr-none", "hmem", "default", "no CXL region covers it, so hmem" },
		{ "sr-idle", "hmem", "default", "no enabled CXL region covers it (1 not enabled)" },
	};

	check(NULL, w, sizeof(w) / sizeof(*w));
}

/* Each criterion on its own, and the last matching rule winning. */
static void test_rules(void **state)
{
	static const struct want w[] = {
		{ "sr-full", "hmem", "by-memdev", "rule by-memdev (p.json:3) says hmem" },
		{ "sr-half", "cxl", "by-range", "says cxl (enabled CXL regions (region1) cover only part of it)" },
		{ "sr-split", "hmem", "by-memdev", "says hmem" },
		{ "sr-sick", "hmem", "by-serial", "says hmem" },
		{ "sr-none", "cxl", "dax-node", "says cxl" },
		{ "sr-idle", "hmem", "by-window-none", "says auto" },
	};

	check("{\"version\": 1, \"default\": {\"owner\": \"cxl\"}, \"rules\": [\n"
	      " {\"name\": \"by-window\", \"match\": {\"windows\": [\"decoder0_0\"]}, \"owner\": \"hmem\"},\n"
	      " {\"name\": \"by-memdev\", \"match\": {\"memdevs\": [\"mem1\"], \"windows\": [\"decoder0_0\"]}, \"owner\": \"hmem\"},\n"
	      " {\"name\": \"by-node\", \"match\": {\"numa_nodes\": [2]}, \"owner\": \"cxl\"},\n"
	      " {\"name\": \"by-serial\", \"match\": {\"serials\": [12]}, \"owner\": \"hmem\"},\n"
	      " {\"name\": \"by-range\", \"match\": {\"range\": {\"start\": \"0x150000000\", \"end\": \"0x150000000\"}}, \"owner\": \"cxl\"},\n"
	      " {\"name\": \"dax-node\", \"match\": {\"numa_nodes\": [3]}, \"owner\": \"cxl\"},\n"
	      " {\"name\": \"by-window-none\", \"match\": {\"range\": {\"start\": \"0x280000000\", \"size\": \"0x40000000\"}}, \"owner\": \"auto\"}\n"
	      "]}", w, sizeof(w) / sizeof(*w));
}

/* The follow-up comes from the last matching rule that has one. */
static void test_online_layering(void **state)
{
	const struct softreserved *sr = model_find(&m, OBJECT_SOFTRESERVED, "sr-none");
	const char *text = "{\"version\": 1, \"default\": {\"owner\": \"auto\", \"online\": \"normal\"},\n"
			   " \"rules\": [{\"name\": \"zone\", \"online\": \"movable\", \"owner\": \"auto\"},\n"
			   "            {\"name\": \"owner-only\", \"owner\": \"cxl\"}]}";
	struct ownership_decision d;
	struct policy p = { 0 };
	char *err = NULL;

	assert_int_equal(policy_parse(&p, "p.json", text, strlen(text), &err), 0);
	assert_int_equal(ownership_decide(&p, &m, sr, &d), 0);
	assert_string_equal(d.rule, "owner-only");
	assert_int_equal(d.owner, POLICY_OWNER_CXL);
	assert_int_equal(d.online, POLICY_ONLINE_MOVABLE);
	ownership_decision_clear(&d);
	policy_clear(&p);
}

/* A criterion that does not hold keeps the rule out, even if others do. */
static void test_all_criteria(void **state)
{
	static const struct want w[] = {
		{ "sr-full", "cxl", "default", "says auto" },
		{ "sr-split", "cxl", "default", "says auto" },
	};

	check("{\"version\": 1, \"rules\": [\n"
	      " {\"name\": \"no\", \"match\": {\"memdevs\": [\"mem0\"], \"numa_nodes\": [2]}, \"owner\": \"hmem\"},\n"
	      " {\"name\": \"no2\", \"match\": {\"serials\": [99]}, \"owner\": \"hmem\"}\n"
	      "]}", w, sizeof(w) / sizeof(*w));
}

static void test_facts_and_explain(void **state)
{
	const struct softreserved *sr = model_find(&m, OBJECT_SOFTRESERVED, "sr-split");
	struct ownership_facts f;
	struct policy p = { 0 };
	struct json_object *a, *o, *v;

	assert_int_equal(ownership_facts(&m, sr, &f), 0);
	assert_true(f.covered);
	assert_int_equal(strv_length(f.memdevs), 2);
	assert_string_equal(f.memdevs[0], "mem0");
	assert_int_equal(f.numa_node, 1);
	ownership_facts_clear(&f);

	a = ownership_explain(&p, &m);
	assert_non_null(a);
	assert_int_equal(json_object_array_length(a), 6);
	o = json_object_array_get_idx(a, 0);
	assert_true(json_object_object_get_ex(o, "range", &v));
	assert_string_equal(json_object_get_string(v), "sr-full");
	assert_true(json_object_object_get_ex(o, "owner", &v));
	assert_string_equal(json_object_get_string(v), "cxl");
	assert_true(json_object_object_get_ex(o, "origin", &v));
	assert_string_equal(json_object_get_string(v), "built-in");
	assert_true(json_object_object_get_ex(o, "current_owner", &v));
	assert_string_equal(json_object_get_string(v), "pending");
	json_object_put(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_all_criteria),
		cmocka_unit_test(test_online_layering),
		cmocka_unit_test(test_facts_and_explain),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
