// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "poison-translate.h"

#define M (1ULL << 20)

/* Four targets with distinct DPA bases, each mapping 256 MiB. */
static const struct poison_target targets[] = {
	{ "mem0", 0, 256 * M },
	{ "mem1", 512 * M, 256 * M },
	{ "mem2", 0x40000000, 256 * M },
	{ "mem3", 256 * M, 256 * M },
};

static struct poison_region region(uint32_t ways, uint32_t gran, uint32_t window_ways,
				   enum window_arithmetic a)
{
	return (struct poison_region){
		.name = "region0", .size = ways * 256 * M, .ways = ways, .granularity = gran,
		.targets = targets, .n_targets = ways, .window = "decoder0.0",
		.window_ways = window_ways, .arithmetic = a,
	};
}

/* Offsets on x1, x2, x4 modulo regions -> (memdev, DPA). */
static void test_offset_table(void **state)
{
	static const struct {
		uint32_t ways, gran, window_ways;
		enum window_arithmetic arith;
		uint64_t offset;
		const char *memdev;
		uint64_t dpa;
	} cases[] = {
		{ 1, 256, 1, WINDOW_ARITH_MODULO, 0, "mem0", 0 },
		{ 1, 4096, 1, WINDOW_ARITH_UNKNOWN, 0x12340, "mem0", 0x12340 },
		{ 1, 256, 1, WINDOW_ARITH_XOR, 256 * M - 64, "mem0", 256 * M - 64 },
		{ 2, 256, 2, WINDOW_ARITH_MODULO, 0, "mem0", 0 },
		{ 2, 256, 2, WINDOW_ARITH_MODULO, 256, "mem1", 512 * M },
		{ 2, 256, 2, WINDOW_ARITH_MODULO, 512 + 64, "mem0", 256 + 64 },
		{ 2, 256, 2, WINDOW_ARITH_MODULO, 768 + 192, "mem1", 512 * M + 256 + 192 },
		{ 2, 4096, 1, WINDOW_ARITH_XOR, 4096 * 3 + 64, "mem1", 512 * M + 4096 + 64 },
		{ 2, 256, 2, WINDOW_ARITH_MODULO, 512 * M - 64, "mem1", 512 * M + 256 * M - 64 },
		{ 4, 256, 4, WINDOW_ARITH_MODULO, 0, "mem0", 0 },
		{ 4, 256, 4, WINDOW_ARITH_MODULO, 256, "mem1", 512 * M },
		{ 4, 256, 4, WINDOW_ARITH_MODULO, 512, "mem2", 0x40000000 },
		{ 4, 256, 4, WINDOW_ARITH_MODULO, 768, "mem3", 256 * M },
		{ 4, 256, 4, WINDOW_ARITH_MODULO, 1024 + 128, "mem0", 256 + 128 },
		{ 4, 1024, 2, WINDOW_ARITH_MODULO, 5 * 1024 + 64, "mem1", 512 * M + 1024 + 64 },
		{ 4, 256, 4, WINDOW_ARITH_MODULO, 1024 * M - 64, "mem3", 512 * M - 64 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct poison_region r = region(cases[i].ways, cases[i].gran,
						cases[i].window_ways, cases[i].arith);
		struct region_fail f = {};
		uint64_t dpa = 0, back = 0;
		uint32_t pos = 99;

		if (poison_offset_to_dpa(&r, cases[i].offset, &pos, &dpa, &f) < 0)
			fail_msg("case %zu: %s", i, f.message);
		assert_string_equal(targets[pos].memdev, cases[i].memdev);
		assert_int_equal(dpa, cases[i].dpa);
		/* And back: the DPA maps to the same offset. */
		assert_int_equal(poison_dpa_to_offset(&r, cases[i].memdev, dpa, &back, &f), 1);
		assert_int_equal(back, cases[i].offset);
	}
}

/* Refusals: bounds, alignment, XOR or unknown multi-bridge windows,
 * incomplete regions. The error kind and a word of the message. */
static void test_refusals(void **state)
{
	static const struct {
		uint32_t ways, window_ways;
		enum window_arithmetic arith;
		size_t n_targets;
		uint64_t offset;
		enum region_error error;
		const char *says;
	} cases[] = {
		{ 1, 1, WINDOW_ARITH_MODULO, 1, 256 * M, REGION_E_INVALID_ARGUMENT, "outside" },
		{ 2, 2, WINDOW_ARITH_MODULO, 2, 512 * M, REGION_E_INVALID_ARGUMENT, "outside" },
		{ 2, 2, WINDOW_ARITH_MODULO, 2, UINT64_MAX, REGION_E_INVALID_ARGUMENT, "outside" },
		{ 2, 2, WINDOW_ARITH_MODULO, 2, 32, REGION_E_INVALID_ARGUMENT, "aligned" },
		{ 1, 1, WINDOW_ARITH_MODULO, 1, 1, REGION_E_INVALID_ARGUMENT, "aligned" },
		{ 2, 2, WINDOW_ARITH_XOR, 2, 0, REGION_E_NOT_SUPPORTED, "XOR" },
		{ 4, 2, WINDOW_ARITH_XOR, 4, 4096, REGION_E_NOT_SUPPORTED, "XOR" },
		{ 2, 2, WINDOW_ARITH_UNKNOWN, 2, 0, REGION_E_NOT_SUPPORTED, "Cannot tell" },
		{ 2, 2, WINDOW_ARITH_MODULO, 1, 0, REGION_E_BUSY, "targets" },
		{ 4, 4, WINDOW_ARITH_MODULO, 0, 0, REGION_E_BUSY, "targets" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct poison_region r = region(cases[i].ways, 256, cases[i].window_ways,
						cases[i].arith);
		struct region_fail f = {};
		uint64_t dpa = 12345;
		uint32_t pos = 99;

		r.n_targets = cases[i].n_targets;
		assert_int_equal(poison_offset_to_dpa(&r, cases[i].offset, &pos, &dpa, &f), -1);
		assert_int_equal(f.error, cases[i].error);
		if (!strstr(f.message, cases[i].says))
			fail_msg("case %zu: '%s' does not say '%s'", i, f.message, cases[i].says);
		/* Nothing handed out on refusal. */
		assert_int_equal(pos, 99);
		assert_int_equal(dpa, 12345);
	}
}

/* A bad geometry (a target mapping the wrong size) is refused, not
 * translated. */
static void test_bad_geometry(void **state)
{
	static const struct poison_target odd[] = {
		{ "mem0", 0, 256 * M }, { "mem1", 0, 128 * M },
	};
	struct poison_region r = region(2, 256, 2, WINDOW_ARITH_MODULO);
	struct region_fail f = {};
	uint64_t dpa;
	uint32_t pos;

	r.targets = odd;
	assert_int_equal(poison_offset_to_dpa(&r, 0, &pos, &dpa, &f), -1);
	assert_int_equal(f.error, REGION_E_NOT_SUPPORTED);
	r = region(2, 300, 2, WINDOW_ARITH_MODULO);
	assert_int_equal(poison_offset_to_dpa(&r, 0, &pos, &dpa, &f), -1);
}

static void test_dpa_to_offset(void **state)
{
	struct poison_region r = region(2, 256, 2, WINDOW_ARITH_MODULO);
	struct region_fail f = {};
	uint64_t off = 7;

	/* Not mapped: another memdev, before or after the decoder's range. */
	assert_int_equal(poison_dpa_to_offset(&r, "mem2", 0x40000000, &off, &f), 0);
	assert_int_equal(poison_dpa_to_offset(&r, "mem1", 512 * M - 64, &off, &f), 0);
	assert_int_equal(poison_dpa_to_offset(&r, "mem1", 768 * M, &off, &f), 0);
	assert_int_equal(off, 7);
	/* Mapped, but the window is XOR: refused, not guessed. */
	r.arithmetic = WINDOW_ARITH_XOR;
	assert_int_equal(poison_dpa_to_offset(&r, "mem1", 512 * M, &off, &f), -1);
	assert_int_equal(f.error, REGION_E_NOT_SUPPORTED);
}

static void test_check_dpa(void **state)
{
	static const struct {
		uint64_t capacity, dpa;
		int ok;
	} cases[] = {
		{ 512 * M, 0, 1 },
		{ 512 * M, 512 * M - 64, 1 },
		{ 512 * M, 512 * M, 0 },
		{ 512 * M, UINT64_MAX - 63, 0 },
		{ 512 * M, 0x1000 + 8, 0 },
		{ 0, 0, 0 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct region_fail f = {};
		int r = poison_check_dpa("mem0", cases[i].capacity, cases[i].dpa, &f);

		assert_int_equal(r, cases[i].ok ? 0 : -1);
		if (!cases[i].ok)
			assert_int_equal(f.error, REGION_E_INVALID_ARGUMENT);
	}
}

/* A CEDT with a CHBS and two CFMWS, one modulo and one XOR. */
static size_t build_cedt(uint8_t *t)
{
	size_t pos = 36;

	memset(t, 0, 256);
	memcpy(t, "CEDT", 4);
	/* CHBS, type 0, 32 bytes */
	t[pos] = 0;
	t[pos + 2] = 32;
	pos += 32;
	for (int i = 0; i < 2; i++) {
		uint64_t base = i ? 0x250000000ULL : 0x150000000ULL;

		t[pos] = 1;
		t[pos + 2] = 40;	/* 36 + one target */
		for (int b = 0; b < 8; b++)
			t[pos + 8 + b] = (uint8_t)(base >> (8 * b));
		t[pos + 25] = (uint8_t)i;	/* 0 modulo, 1 XOR */
		pos += 40;
	}
	t[4] = (uint8_t)pos;
	return pos;
}

static void test_cedt(void **state)
{
	uint8_t t[256];
	size_t len = build_cedt(t);

	assert_int_equal(cedt_window_arithmetic(t, len, 0x150000000ULL), WINDOW_ARITH_MODULO);
	assert_int_equal(cedt_window_arithmetic(t, len, 0x250000000ULL), WINDOW_ARITH_XOR);
	assert_int_equal(cedt_window_arithmetic(t, len, 0x350000000ULL), WINDOW_ARITH_UNKNOWN);
	/* Truncated: the second CFMWS is cut off. */
	assert_int_equal(cedt_window_arithmetic(t, len - 10, 0x250000000ULL),
			 WINDOW_ARITH_UNKNOWN);
	/* A zero-length subtable must not loop. */
	t[36 + 2] = 0;
	assert_int_equal(cedt_window_arithmetic(t, len, 0x150000000ULL), WINDOW_ARITH_UNKNOWN);
	assert_int_equal(cedt_window_arithmetic(NULL, 0, 0), WINDOW_ARITH_UNKNOWN);
	memcpy(t, "SRAT", 4);
	assert_int_equal(cedt_window_arithmetic(t, len, 0x150000000ULL), WINDOW_ARITH_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offset_table),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bad_geometry),
		cmocka_unit_test(test_dpa_to_offset),
		cmocka_unit_test(test_check_dpa),
		cmocka_unit_test(test_cedt),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
