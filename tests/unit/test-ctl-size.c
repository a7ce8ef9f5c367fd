// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "size.h"

static void assert_format(uint64_t bytes, const char *want)
{
	char buf[SIZE_BUF];

	assert_string_equal(size_format(bytes, buf), want);
}

static void test_format_whole_units(void **state)
{
	assert_format(0, "0 B");
	assert_format(1023, "1023 B");
	assert_format(1024, "1 KiB");
	assert_format(256ULL << 20, "256 MiB");
	assert_format(4ULL << 30, "4 GiB");
	assert_format(1ULL << 40, "1 TiB");
	assert_format(1ULL << 60, "1 EiB");
}

static void test_format_fractions_round_down(void **state)
{
	assert_format(1536ULL << 20, "1.5 GiB");
	/* 2047 bytes is not 2.0 KiB: a size shown never promises more. */
	assert_format(2047, "1.9 KiB");
	assert_format((1ULL << 30) - 1, "1023.9 MiB");
	assert_format(UINT64_MAX, "15.9 EiB");
}

static void assert_size(const char *s, uint64_t want)
{
	uint64_t v = 0;

	assert_int_equal(size_parse(s, &v), 0);
	assert_true(v == want);
}

static void test_parse_units(void **state)
{
	assert_size("268435456", 268435456);
	assert_size("0x10000000", 268435456);
	assert_size("256M", 256ULL << 20);
	assert_size("256m", 256ULL << 20);
	assert_size("256MiB", 256ULL << 20);
	assert_size("256MB", 256ULL << 20);
	assert_size("1G", 1ULL << 30);
	assert_size("2T", 2ULL << 40);
	assert_size("512B", 512);
	assert_size("15E", 15ULL << 60);
}

static void test_parse_rejects(void **state)
{
	uint64_t v;

	assert_int_equal(size_parse("", &v), -EINVAL);
	assert_int_equal(size_parse("M", &v), -EINVAL);
	assert_int_equal(size_parse("-1", &v), -EINVAL);
	assert_int_equal(size_parse(" 1", &v), -EINVAL);
	assert_int_equal(size_parse("12Q", &v), -EINVAL);
	assert_int_equal(size_parse("1Mx", &v), -EINVAL);
	assert_int_equal(size_parse("1.5G", &v), -EINVAL);
	assert_int_equal(size_parse("0x10M", &v), -EINVAL);
	assert_int_equal(size_parse("16E", &v), -ERANGE);
	assert_int_equal(size_parse("99999999999999999999", &v), -ERANGE);
}

static void test_number(void **state)
{
	uint64_t v = 0;

	assert_int_equal(number_parse("0x1000", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(number_parse("4096", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(number_parse("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(number_parse("1K", &v), -EINVAL);
	assert_int_equal(number_parse("0xzz", &v), -EINVAL);
	assert_int_equal(number_parse("", &v), -EINVAL);
	assert_int_equal(number_parse("18446744073709551616", &v), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_whole_units),
		cmocka_unit_test(test_format_fractions_round_down),
		cmocka_unit_test(test_parse_units),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_number),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
