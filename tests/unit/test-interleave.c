// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "interleave.h"

#define M (1ULL << 20)

static void test_legal_values(void **state)
{
	static const uint32_t ok_ways[] = { 1, 2, 3, 4, 6, 8, 12, 16 };
	static const uint32_t bad_ways[] = { 0, 5, 7, 9, 10, 11, 13, 14, 15, 17, 32 };

	for (size_t i = 0; i < sizeof(ok_ways) / sizeof(*ok_ways); i++)
		assert_true(interleave_ways_valid(ok_ways[i]));
	for (size_t i = 0; i < sizeof(bad_ways) / sizeof(*bad_ways); i++)
		assert_false(interleave_ways_valid(bad_ways[i]));
	assert_true(interleave_granularity_valid(256));
	assert_true(interleave_granularity_valid(16384));
	assert_false(interleave_granularity_valid(128));
	assert_false(interleave_granularity_valid(32768));
	assert_false(interleave_granularity_valid(768));
	assert_false(interleave_granularity_valid(0));
}

/* Table: (ways, gran, offset) -> (pos, dpa) with distinct DPA bases. */
static void test_offset_to_dpa_table(void **state)
{
	static const struct {
		uint32_t ways, gran;
		uint64_t offset;
		uint32_t pos;
		uint64_t dpa_rel;	/* relative to the target's dpa_base */
	} cases[] = {
		{ 1, 256, 0, 0, 0 },
		{ 1, 4096, 12345, 0, 12345 },
		{ 2, 256, 0, 0, 0 },
		{ 2, 256, 255, 0, 255 },
		{ 2, 256, 256, 1, 0 },
		{ 2, 256, 512, 0, 256 },
		{ 2, 4096, 3 * 4096 + 7, 1, 4096 + 7 },
		{ 3, 1024, 5 * 1024 + 1, 2, 1024 + 1 },	/* chunk 5 -> pos 2, row 1 */
		{ 4, 256, 7 * 256, 3, 256 },
		{ 8, 512, 9 * 512 + 511, 1, 512 + 511 },
		{ 12, 256, 25 * 256, 1, 2 * 256 },
		{ 16, 16384, 16 * 16384, 0, 16384 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct interleave_target t[16];
		struct interleave il = {
			.ways = cases[i].ways, .granularity = cases[i].gran,
			.size = (uint64_t)cases[i].ways * 256 * M, .targets = t,
		};
		uint64_t dpa, back;
		uint32_t pos;

		for (uint32_t k = 0; k < il.ways; k++)
			t[k] = (struct interleave_target){ .dpa_base = (k + 1) * 1024 * M,
							   .dpa_size = 256 * M };
		assert_int_equal(interleave_offset_to_dpa(&il, cases[i].offset, &pos, &dpa), 0);
		assert_int_equal(pos, cases[i].pos);
		assert_true(dpa == t[pos].dpa_base + cases[i].dpa_rel);
		/* And back again. */
		assert_int_equal(interleave_dpa_to_offset(&il, pos, dpa, &back), 0);
		assert_true(back == cases[i].offset);
	}
}

/* Every byte of a small region maps to a distinct (pos, dpa) and back. */
static void test_round_trip_exhaustive(void **state)
{
	struct interleave_target t[3] = {
		{ .dpa_base = 0, .dpa_size = 2048 },
		{ .dpa_base = 1 << 20, .dpa_size = 2048 },
		{ .dpa_base = 5 << 20, .dpa_size = 2048 },
	};
	struct interleave il = { .ways = 3, .granularity = 256, .size = 3 * 2048, .targets = t };
	uint8_t *seen = calloc(3, 2048);

	assert_non_null(seen);
	for (uint64_t off = 0; off < il.size; off++) {
		uint64_t dpa, back;
		uint32_t pos;

		assert_int_equal(interleave_offset_to_dpa(&il, off, &pos, &dpa), 0);
		assert_false(seen[pos * 2048 + (dpa - t[pos].dpa_base)]);
		seen[pos * 2048 + (dpa - t[pos].dpa_base)] = 1;
		assert_int_equal(interleave_dpa_to_offset(&il, pos, dpa, &back), 0);
		assert_true(back == off);
	}
	free(seen);
}

static void test_refusals(void **state)
{
	struct interleave_target t[2] = {
		{ .dpa_base = 0, .dpa_size = 128 * M },
		{ .dpa_base = 0, .dpa_size = 128 * M },
	};
	struct interleave il = { .ways = 2, .granularity = 256, .size = 256 * M, .targets = t };
	uint64_t dpa, off;
	uint32_t pos;

	assert_int_equal(interleave_offset_to_dpa(&il, 256 * M, &pos, &dpa), -ERANGE);
	assert_int_equal(interleave_dpa_to_offset(&il, 1, 128 * M, &off), -ERANGE);
	assert_int_equal(interleave_dpa_to_offset(&il, 2, 0, &off), -EINVAL);

	il.ways = 5;
	assert_int_equal(interleave_offset_to_dpa(&il, 0, &pos, &dpa), -EINVAL);
	il.ways = 2;
	il.granularity = 300;
	assert_int_equal(interleave_offset_to_dpa(&il, 0, &pos, &dpa), -EINVAL);
	il.granularity = 256;
	t[1].dpa_size = 64 * M;		/* a target that maps the wrong size */
	assert_int_equal(interleave_geometry_valid(&il), -EINVAL);
	t[1].dpa_size = 128 * M;
	il.size = 256 * M + 256;	/* not a whole stripe */
	assert_int_equal(interleave_geometry_valid(&il), -EINVAL);
	il.size = 256 * M;
	t[0].dpa_base = UINT64_MAX - 1;	/* would overflow */
	assert_int_equal(interleave_geometry_valid(&il), -EINVAL);
	il.targets = NULL;
	assert_int_equal(interleave_geometry_valid(&il), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legal_values),
		cmocka_unit_test(test_offset_to_dpa_table),
		cmocka_unit_test(test_round_trip_exhaustive),
		cmocka_unit_test(test_refusals),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
