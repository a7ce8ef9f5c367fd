// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "verbs.h"

static char errbuf[1024];

/* Parse a NULL-terminated list of arguments (argv[0] added). */
static int parse(struct ctl_args *a, ...)
{
	static char *argv[32];
	static char store[32][64];
	va_list ap;
	int argc = 0;
	FILE *err = fmemopen(errbuf, sizeof(errbuf), "w");
	const char *s;
	int r;

	assert_non_null(err);
	argv[argc++] = "cxlmemctl";
	va_start(ap, a);
	while ((s = va_arg(ap, const char *))) {
		snprintf(store[argc], sizeof(store[argc]), "%s", s);
		argv[argc] = store[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	memset(errbuf, 0, sizeof(errbuf));
	r = ctl_parse(argc, argv, a, err);
	fclose(err);
	return r;
}

static void test_defaults(void **state)
{
	struct ctl_args a;

	assert_int_equal(parse(&a, "status", NULL), 0);
	assert_int_equal(a.verb->id, VERB_STATUS);
	assert_true(a.ask_password);
	assert_true(a.legend);
	assert_false(a.json);
	assert_int_equal(a.n_args, 0);
}

static void test_global_options_anywhere(void **state)
{
	struct ctl_args a;

	assert_int_equal(parse(&a, "--json", "list", "regions", "--no-ask-password", "--bytes",
			       "--no-legend", NULL), 0);
	assert_int_equal(a.verb->id, VERB_LIST);
	assert_int_equal(a.list, LIST_REGIONS);
	assert_true(a.json && a.bytes && !a.legend && !a.ask_password);
}

static void test_create_region(void **state)
{
	struct ctl_args a;

	assert_int_equal(parse(&a, "create-region", "decoder0.0", "512M", "--memdev", "mem0",
			       "--memdev=mem1", "--mode=pmem", "--uuid", "u", NULL), 0);
	assert_int_equal(a.verb->id, VERB_CREATE_REGION);
	assert_string_equal(a.args[0], "decoder0.0");
	assert_true(a.size == 512ULL << 20);
	assert_int_equal(a.n_memdevs, 2);
	assert_string_equal(a.memdevs[1], "mem1");
	/* ways default to the number of memdevs */
	assert_int_equal(a.ways, 2);
	assert_string_equal(a.mode, "pmem");
	assert_string_equal(a.uuid, "u");

	assert_int_equal(parse(&a, "create-region", "w", "256M", NULL), 0);
	assert_int_equal(a.ways, 1);
	assert_string_equal(a.mode, "ram");
	assert_int_equal(parse(&a, "create-region", "w", "1G", "--ways", "4", NULL), 0);
	assert_int_equal(a.ways, 4);

	assert_int_equal(parse(&a, "create-region", "w", "12Q", NULL), -EINVAL);
	assert_non_null(strstr(errbuf, "Invalid size '12Q'"));
	assert_int_equal(parse(&a, "create-region", "w", "0", NULL), -EINVAL);
	assert_int_equal(parse(&a, "create-region", "w", "1G", "--mode", "dram", NULL), -EINVAL);
	assert_int_equal(parse(&a, "create-region", "w", "1G", "--ways", "x", NULL), -EINVAL);
	assert_int_equal(parse(&a, "create-region", "w", "1G", "--empty", "--memdev", "m", NULL),
			 -EINVAL);
}

static void test_sub_verbs(void **state)
{
	struct ctl_args a;

	assert_int_equal(parse(&a, "poison", "inject", "region1", "0x1000", "--force", NULL), 0);
	assert_int_equal(a.verb->id, VERB_POISON_INJECT);
	assert_string_equal(a.args[0], "region1");
	assert_true(a.number == 0x1000);
	assert_true(a.force);
	assert_int_equal(parse(&a, "poison", "list", "mem0", NULL), 0);
	assert_int_equal(a.verb->id, VERB_POISON_LIST);
	assert_int_equal(parse(&a, "ownership", "set", "0x100000000", "cxl", "--persist", NULL), 0);
	assert_int_equal(a.verb->id, VERB_OWNERSHIP_SET);
	assert_true(a.persist);
	assert_int_equal(parse(&a, "policy", "reload", NULL), 0);
	assert_int_equal(a.verb->id, VERB_POLICY_RELOAD);

	assert_int_equal(parse(&a, "poison", NULL), -EINVAL);
	assert_non_null(strstr(errbuf, "needs one of its sub-commands"));
	assert_int_equal(parse(&a, "poison", "eat", "mem0", NULL), -EINVAL);
	assert_int_equal(parse(&a, "poison", "clear", "mem0", "0x1g", NULL), -EINVAL);
	assert_non_null(strstr(errbuf, "Invalid address"));
}

static void test_attach(void **state)
{
	struct ctl_args a;

	assert_int_equal(parse(&a, "attach", "region0", "--hold", NULL), 0);
	assert_true(a.hold);
	assert_null(a.command);
	assert_int_equal(parse(&a, "attach", "--consumer=db", "region0", "--", "sleep", "--help",
			       NULL), 0);
	/* After "--" nothing is ours, not even --help. */
	assert_false(a.help);
	assert_non_null(a.command);
	assert_string_equal(a.command[0], "sleep");
	assert_string_equal(a.command[1], "--help");
	assert_null(a.command[2]);
	assert_string_equal(a.consumer, "db");

	assert_int_equal(parse(&a, "attach", "region0", NULL), -EINVAL);
	assert_int_equal(parse(&a, "attach", "region0", "--hold", "--", "true", NULL), -EINVAL);
	assert_int_equal(parse(&a, "attach", "region0", "--", NULL), -EINVAL);
	assert_int_equal(parse(&a, "status", "--", "true", NULL), -EINVAL);
}

static void test_usage_errors(void **state)
{
	struct ctl_args a;

	assert_int_equal(parse(&a, NULL), -EINVAL);
	assert_int_equal(parse(&a, "frob", NULL), -EINVAL);
	assert_non_null(strstr(errbuf, "Unknown command 'frob'"));
	assert_int_equal(parse(&a, "status", "--colour", NULL), -EINVAL);
	assert_int_equal(parse(&a, "status", "extra", NULL), -EINVAL);
	assert_non_null(strstr(errbuf, "Usage: cxlmemctl status"));
	assert_int_equal(parse(&a, "show", NULL), -EINVAL);
	/* An option of another verb. */
	assert_int_equal(parse(&a, "commit", "region0", "--force", NULL), -EINVAL);
	assert_int_equal(parse(&a, "list", "things", NULL), -EINVAL);
	assert_int_equal(parse(&a, "attach-target", "r", "m", "-1", NULL), -EINVAL);
	assert_int_equal(parse(&a, "detach-target", "r", "one", NULL), -EINVAL);
	assert_int_equal(parse(&a, "--mode", NULL), -EINVAL);
}

static void test_help(void **state)
{
	struct ctl_args a;

	assert_int_equal(parse(&a, "--help", NULL), 0);
	assert_true(a.help);
	assert_null(a.verb);
	/* A verb's help needs none of its arguments. */
	assert_int_equal(parse(&a, "create-region", "--help", NULL), 0);
	assert_true(a.help);
	assert_int_equal(a.verb->id, VERB_CREATE_REGION);
	assert_int_equal(parse(&a, "poison", "--help", NULL), 0);
	assert_null(a.verb);
	assert_string_equal(a.help_group, "poison");
	assert_int_equal(parse(&a, "--version", NULL), 0);
	assert_true(a.version);
}

static void test_every_verb_has_help(void **state)
{
	unsigned int n;
	const struct verb *v = verb_table(&n);
	bool seen[_VERB_MAX] = { false };

	for (unsigned int i = 0; i < n; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		ctl_verb_help(&v[i], f);
		fclose(f);
		assert_non_null(strstr(text, v[i].name));
		assert_true(strlen(v[i].summary) > 0);
		assert_false(seen[v[i].id]);
		seen[v[i].id] = true;
		free(text);
	}
	for (unsigned int id = 0; id < _VERB_MAX; id++)
		assert_true(seen[id]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_global_options_anywhere),
		cmocka_unit_test(test_create_region),
		cmocka_unit_test(test_sub_verbs),
		cmocka_unit_test(test_attach),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_every_verb_has_help),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
