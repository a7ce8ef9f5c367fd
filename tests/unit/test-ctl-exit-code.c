// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "exit-code.h"

static void test_mapping(void **state)
{
	assert_int_equal(exit_code_for_error("org.cxlmemd1.Error.InvalidArgument"), 2);
	assert_int_equal(exit_code_for_error("org.freedesktop.DBus.Error.InvalidArgs"), 2);
	assert_int_equal(exit_code_for_error("org.freedesktop.DBus.Error.AccessDenied"), 4);
	assert_int_equal(exit_code_for_error(
				 "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"), 4);
	assert_int_equal(exit_code_for_error("org.freedesktop.DBus.Error.ServiceUnknown"), 6);
	assert_int_equal(exit_code_for_error("org.freedesktop.DBus.Error.NameHasNoOwner"), 6);
	assert_int_equal(exit_code_for_error("org.freedesktop.DBus.Error.NoServer"), 6);
	/* Every refusal of the operation itself is a failure. */
	static const char *const failed[] = {
		"org.cxlmemd1.Error.Busy", "org.cxlmemd1.Error.KernelRefused",
		"org.cxlmemd1.Error.RegionAttached", "org.cxlmemd1.Error.RegionLocked",
		"org.cxlmemd1.Error.NotSupported", "org.cxlmemd1.Error.NotFound",
		"org.cxlmemd1.Error.MemoryOnline", "org.cxlmemd1.Error.InsufficientCapacity",
		"org.cxlmemd1.Error.InvalidPolicy", "org.cxlmemd1.Error.Failed",
		"org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.DBus.Error.NoReply",
		"org.cxlmemd1.Error.InvalidArgumentX",
	};
	for (size_t i = 0; i < sizeof(failed) / sizeof(*failed); i++)
		assert_int_equal(exit_code_for_error(failed[i]), CTL_EXIT_FAILED);
	assert_int_equal(exit_code_for_error(NULL), CTL_EXIT_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapping),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
