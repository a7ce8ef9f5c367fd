// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "policy/json-locate.h"
#include "policy/policy.h"
#include "strv.h"

static size_t strv_length_of_files(const struct policy *p)
{
	return strv_length(p->files);
}

static int parse(struct policy *p, const char *text, char **err)
{
	return policy_parse(p, "t.json", text, strlen(text), err);
}

static void test_good(void **state)
{
	struct policy p = { 0 };
	char *err = NULL;

	assert_int_equal(parse(&p,
		"{\n"
		"  \"version\": 1,\n"
		"  \"default\": { \"owner\": \"hmem\", \"online\": \"movable\" },\n"
		"  \"rules\": [\n"
		"    { \"name\": \"a\", \"match\": { \"range\": { \"start\": \"0x100000000\", \"size\": 4096 } }, \"owner\": \"cxl\" },\n"
		"    { \"match\": { \"memdevs\": [\"mem0\", \"mem1\"], \"serials\": [1, \"0x2\"],\n"
		"                  \"windows\": [\"decoder0_0\"], \"numa_nodes\": [2] },\n"
		"      \"owner\": \"auto\", \"online\": \"devdax\" }\n"
		"  ]\n"
		"}\n", &err), 0);
	assert_null(err);
	assert_int_equal(p.n_rules, 2);
	assert_int_equal(p.default_owner, POLICY_OWNER_HMEM);
	assert_int_equal(p.default_online, POLICY_ONLINE_MOVABLE);
	assert_string_equal(p.default_origin, "t.json");
	assert_string_equal(p.rules[0].name, "a");
	assert_string_equal(p.rules[0].origin, "t.json:5");
	assert_true(p.rules[0].has_range);
	assert_true(p.rules[0].range_start == 0x100000000ULL);
	assert_true(p.rules[0].range_end == 0x100000fffULL);
	assert_int_equal(p.rules[0].owner, POLICY_OWNER_CXL);
	assert_int_equal(p.rules[0].online, POLICY_ONLINE_UNSET);
	assert_string_equal(p.rules[1].name, "t.json#2");
	assert_string_equal(p.rules[1].memdevs[1], "mem1");
	assert_int_equal(p.rules[1].n_serials, 2);
	assert_true(p.rules[1].serials[1] == 2);
	assert_int_equal(p.rules[1].nodes[0], 2);
	assert_int_equal(p.rules[1].online, POLICY_ONLINE_DEVDAX);
	assert_string_equal(p.files[0], "t.json");

	/* a second file adds rules after the first's; default kept */
	assert_int_equal(parse(&p, "{\"version\":1,\"rules\":[{\"owner\":\"hmem\"}]}", &err), 0);
	assert_int_equal(p.n_rules, 3);
	assert_int_equal(p.default_owner, POLICY_OWNER_HMEM);
	policy_clear(&p);
}

/* A bad file: the error names file:line:column and what is wrong; @p keeps its rules. */
static const struct bad_case {
	const char *text;
	const char *error;
} bad[] = {
	{ "", "t.json:1:1: invalid JSON: unexpected end of file" },
	{ "{\"version\": 1,}", "t.json:1:15: invalid JSON" },
	{ "{\"version\": 1}\n{}", "t.json:2:1: invalid JSON" },
	{ "[]", "t.json:1:1: a policy file is a JSON object" },
	{ "{}", "t.json:1:1: \"version\": 1 is required" },
	{ "{\"version\": 2}", "t.json:1:13: unsupported version" },
	{ "{\"version\": 1,\n \"rulez\": []}", "t.json:2:2: unknown key \"rulez\"" },
	{ "{\"version\": 1, \"rules\": {}}", "t.json:1:25: \"rules\" must be an array" },
	{ "{\"version\": 1, \"rules\": [\n  {\"owner\": \"dax\"}]}", "t.json:2:13: unknown owner \"dax\" (expected auto, cxl or hmem)" },
	{ "{\"version\": 1, \"rules\": [\n  {\"match\": {}}]}", "t.json:2:3: a rule needs \"owner\"" },
	{ "{\"version\": 1, \"rules\": [{\"owner\": \"cxl\"},\n {\"owner\": \"cxl\", \"online\": \"yes\"}]}",
	  "t.json:2:29: unknown online \"yes\" (expected devdax, movable or normal)" },
	{ "{\"version\": 1, \"rules\": [{\"owner\": \"cxl\",\n \"match\": {\"memdev\": [\"mem0\"]}}]}",
	  "t.json:2:12: unknown match key \"memdev\"" },
	{ "{\"version\": 1, \"rules\": [{\"owner\": \"cxl\", \"match\": {\"memdevs\": []}}]}",
	  "\"memdevs\" is empty" },
	{ "{\"version\": 1, \"rules\": [{\"owner\": \"cxl\", \"match\": {\"memdevs\": [\"mem0\", 3]}}]}",
	  "t.json:1:73: expected a non-empty string" },
	{ "{\"version\": 1, \"rules\": [{\"owner\": \"cxl\", \"match\": {\"serials\": [-1]}}]}",
	  "t.json:1:65: a serial must not be negative" },
	{ "{\"version\": 1, \"rules\": [{\"owner\": \"cxl\", \"match\": {\"serials\": [\"0xzz\"]}}]}",
	  "a serial \"0xzz\" is not an unsigned number" },
	{ "{\"version\": 1, \"rules\": [{\"owner\": \"cxl\", \"match\": {\"numa_nodes\": [70000]}}]}",
	  "NUMA node 70000 out of range" },
	{ "{\"version\": 1, \"rules\": [{\"owner\": \"cxl\", \"match\": {\"range\": {\"start\": 4096}}}]}",
	  "\"range\" needs exactly one of \"end\" (inclusive) and \"size\"" },
	{ "{\"version\": 1, \"rules\": [{\"owner\": \"cxl\", \"match\": {\"range\": {\"start\": 4096, \"end\": 0}}}]}",
	  "\"end\" is below \"start\"" },
	{ "{\"version\": 1, \"rules\": [{\"owner\": \"cxl\", \"match\": {\"range\": {\"start\": \"0xffffffffffffffff\", \"size\": 2}}}]}",
	  "\"size\" must be non-zero and end below 2^64" },
	{ "{\"version\": 1, \"default\": {\"owner\": \"cxl\", \"zone\": 1}}", "t.json:1:44: unknown key \"zone\" in \"default\"" },
	{ "{\"version\": 1, \"rules\": [{\"owner\": \"cxl\", \"name\": \"\"}]}", "\"name\" must be a non-empty string" },
	{ "{\"version\": 1 /* no comments */}", "invalid JSON" },
};

static void test_bad(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct policy p = { 0 };
		char *err = NULL;

		assert_int_equal(parse(&p, "{\"version\":1,\"rules\":[{\"owner\":\"cxl\"}]}", &err), 0);
		if (parse(&p, bad[i].text, &err) != -EINVAL || !err || !strstr(err, bad[i].error))
			fail_msg("case %zu: %s\n  got: %s\n  want: %s", i, bad[i].text,
				 err ? err : "(success)", bad[i].error);
		/* the policy that was in force is unchanged */
		assert_int_equal(p.n_rules, 1);
		assert_int_equal(p.default_owner, POLICY_OWNER_AUTO);
		assert_int_equal(strv_length_of_files(&p), 1);
		free(err);
		policy_clear(&p);
	}
}

static void test_locate(void **state)
{
	const char *t = "{ \"a\": [1, {\"b\": \"x\"}],\n  \"c\": {\"d\": 2} }";
	struct json_step ab[] = { { "a" }, { NULL, 1 }, { "b" } };
	struct json_step cd[] = { { "c" }, { "d" } };
	struct json_step far[] = { { "a" }, { NULL, 5 } };
	unsigned line, col;

	assert_int_equal(json_locate(t, strlen(t), ab, 3, 0), strstr(t, "\"x\"") - t);
	assert_int_equal(json_locate(t, strlen(t), ab, 3, 1), strstr(t, "\"b\"") - t);
	json_line_col(t, strlen(t), json_locate(t, strlen(t), cd, 2, 0), &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 14);
	/* beyond the text: the deepest value found */
	assert_int_equal(json_locate(t, strlen(t), far, 2, 0), strchr(t, '[') - t);
}

static char *tmpdir;

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_load(void **state)
{
	char sys[256], etc[256], missing[256];
	const char *dirs[] = { sys, etc, missing, NULL };
	struct policy p;
	char *err;

	snprintf(sys, sizeof(sys), "%s/sys", tmpdir);
	snprintf(etc, sizeof(etc), "%s/etc", tmpdir);
	snprintf(missing, sizeof(missing), "%s/none", tmpdir);
	assert_int_equal(mkdir(sys, 0755), 0);
	assert_int_equal(mkdir(etc, 0755), 0);
	put(sys, "10-a.json", "{\"version\":1,\"rules\":[{\"name\":\"sys-a\",\"owner\":\"cxl\"}]}");
	put(sys, "50-b.json", "{\"version\":1,\"rules\":[{\"name\":\"sys-b\",\"owner\":\"cxl\"}]}");
	put(sys, "README", "not json, not loaded");
	put(etc, "50-b.json", "{\"version\":1,\"default\":{\"owner\":\"hmem\"},\"rules\":[{\"name\":\"etc-b\",\"owner\":\"hmem\"}]}");
	put(etc, "20-c.json", "{\"version\":1,\"rules\":[{\"name\":\"etc-c\",\"owner\":\"auto\"}]}");

	assert_int_equal(policy_load(&p, dirs, &err), 0);
	assert_null(err);
	/* by file name across directories; /etc's 50-b replaces the shipped one */
	assert_int_equal(p.n_rules, 3);
	assert_string_equal(p.rules[0].name, "sys-a");
	assert_string_equal(p.rules[1].name, "etc-c");
	assert_string_equal(p.rules[2].name, "etc-b");
	assert_int_equal(p.default_owner, POLICY_OWNER_HMEM);
	policy_clear(&p);

	put(etc, "30-bad.json", "{\"version\":1,\n\"rules\":[{\"owner\":\"nobody\"}]}");
	assert_int_equal(policy_load(&p, dirs, &err), -EINVAL);
	assert_non_null(err);
	if (!strstr(err, "/etc/30-bad.json:2:19: unknown owner \"nobody\""))
		fail_msg("got %s", err);
	assert_int_equal(p.n_rules, 0);
	free(err);
}

/* The shipped policy directory loads, and says auto. */
static void test_shipped(void **state)
{
	const char *root = getenv("CXLMEMD_SOURCE_ROOT");
	char dir[512];
	const char *dirs[] = { dir, NULL };
	struct policy p;
	char *err;

	assert_non_null(root);
	snprintf(dir, sizeof(dir), "%s/policy", root);
	assert_int_equal(policy_load(&p, dirs, &err), 0);
	assert_null(err);
	assert_int_equal(strv_length(p.files), 1);
	assert_non_null(strstr(p.files[0], "/policy/00-default.json"));
	assert_int_equal(p.default_owner, POLICY_OWNER_AUTO);
	assert_string_equal(p.default_origin, p.files[0]);
	policy_clear(&p);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/test-policy.XXXXXX";

	tmpdir = strdup(mkdtemp(tmpl));
	return tmpdir ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	free(tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_shipped),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
