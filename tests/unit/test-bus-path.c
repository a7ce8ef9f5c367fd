// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <systemd/sd-bus.h>

#include "bus-path.h"

static void test_components(void **state)
{
	static const struct {
		const char *name, *want;
	} cases[] = {
		{ "mem0", "mem0" },
		{ "decoder0_1", "decoder0_1" },
		{ "dax0.1", "dax0_1" },
		{ "0x100000000", "0x100000000" },
		{ "a-b", "a_2db" },
		{ "a/b", "a_2fb" },
		{ "\xff", "_ff" },
		{ "", "_" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *c = bus_path_component(cases[i].name), *path;

		assert_string_equal(c, cases[i].want);
		path = bus_path_for("/org/cxlmemd1/x", cases[i].name);
		/* Whatever the name, the result is a valid object path. */
		assert_true(sd_bus_object_path_is_valid(path));
		free(path);
		free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_components),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
