// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"

static int parse(struct cli_args *a, char *buf, size_t bufsize, ...)
{
	char *argv[16] = { "cxlmemd" };
	int argc = 1, r;
	FILE *err;
	va_list ap;

	va_start(ap, bufsize);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);

	buf[0] = '\0';
	err = fmemopen(buf, bufsize, "w");
	assert_non_null(err);
	r = cli_parse(argc, argv, a, err);
	fclose(err);
	return r;
}

static void test_no_args_runs(void **state)
{
	struct cli_args a;
	char err[256];

	assert_int_equal(parse(&a, err, sizeof(err), NULL), 0);
	assert_int_equal(a.action, CLI_RUN);
	assert_false(a.debug);
	assert_string_equal(err, "");
}

static void test_actions(void **state)
{
	struct cli_args a;
	char err[256];

	assert_int_equal(parse(&a, err, sizeof(err), "--help", NULL), 0);
	assert_int_equal(a.action, CLI_HELP);
	assert_int_equal(parse(&a, err, sizeof(err), "-h", NULL), 0);
	assert_int_equal(a.action, CLI_HELP);
	assert_int_equal(parse(&a, err, sizeof(err), "--version", NULL), 0);
	assert_int_equal(a.action, CLI_VERSION);
	assert_int_equal(parse(&a, err, sizeof(err), "--debug", NULL), 0);
	assert_int_equal(a.action, CLI_RUN);
	assert_true(a.debug);
}

static void test_bus_introspect(void **state)
{
	struct cli_args a;
	char err[256];

	assert_int_equal(parse(&a, err, sizeof(err), "--bus-introspect", NULL), 0);
	assert_int_equal(a.action, CLI_BUS_INTROSPECT);
	assert_null(a.introspect_interface);

	assert_int_equal(parse(&a, err, sizeof(err),
			       "--bus-introspect=org.cxlmemd1.Manager", NULL), 0);
	assert_int_equal(a.action, CLI_BUS_INTROSPECT);
	assert_string_equal(a.introspect_interface, "org.cxlmemd1.Manager");
}

static void test_bad_usage(void **state)
{
	struct cli_args a = { .action = CLI_HELP };
	char err[256];

	assert_int_equal(parse(&a, err, sizeof(err), "--bogus", NULL), -EINVAL);
	assert_non_null(strstr(err, "--bogus"));
	/* Failure leaves the caller's struct alone. */
	assert_int_equal(a.action, CLI_HELP);

	assert_int_equal(parse(&a, err, sizeof(err), "-x", NULL), -EINVAL);
	assert_non_null(strstr(err, "-x"));

	assert_int_equal(parse(&a, err, sizeof(err), "stray", NULL), -EINVAL);
	assert_non_null(strstr(err, "'stray'"));

	assert_int_equal(parse(&a, err, sizeof(err), "--version=3", NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_args_runs),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_bus_introspect),
		cmocka_unit_test(test_bad_usage),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
