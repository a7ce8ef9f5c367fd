// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CreateRegion validation as a table: each row is a request against one
 * small model and the named error (or plan) it must produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "region-request.h"

#define M (1ULL << 20)
#define G (1ULL << 30)

static char *two_hbs[] = { "hb0", "hb1", NULL };
static char *one_hb[] = { "hb0", NULL };
static char *ram_pmem[] = { "pmem", "ram", NULL };
static char *pmem_only[] = { "pmem", NULL };

static struct window windows[] = {
	{ .name = "decoder0.0", .ways = 1, .granularity = 256, .targets = one_hb,
	  .capabilities = ram_pmem, .max_available_extent = 4 * G },
	{ .name = "decoder0.1", .ways = 2, .granularity = 4096, .targets = two_hbs,
	  .capabilities = pmem_only, .max_available_extent = 8 * G },
};

static struct memdev memdevs[] = {
	{ .name = "mem0", .ram_size = 1 * G, .ram_free = 1 * G, .pmem_size = 1 * G,
	  .pmem_free = 1 * G, .enabled = 1, .numa_node = 0 },
	{ .name = "mem1", .ram_size = 1 * G, .ram_free = 256 * M, .pmem_size = 1 * G,
	  .pmem_free = 1 * G, .enabled = 1, .numa_node = 0 },
	{ .name = "mem2", .pmem_size = 2 * G, .pmem_free = 2 * G, .enabled = 1,
	  .numa_node = 1 },
	{ .name = "mem3", .ram_size = 1 * G, .ram_free = 1 * G, .enabled = 0 },
	{ .name = "mem4", .ram_size = 1 * G, .ram_free = 1 * G, .pmem_size = 1 * G,
	  .pmem_free = 1 * G, .enabled = 1 },
};

static const struct memdev_facts facts[] = {
	{ "mem0", "hb0", "decoder5.0" },
	{ "mem1", "hb0", "decoder6.1" },
	{ "mem2", "hb1", "decoder7.0" },
	{ "mem3", NULL, NULL },
	{ "mem4", "hb0", NULL },		/* every decoder in use */
};

static const struct model model = {
	.windows = windows, .n_windows = 2,
	.memdevs = memdevs, .n_memdevs = 5,
};

struct row {
	const char *name;
	const char *window, *mode;
	uint64_t size;
	uint32_t ways, granularity;
	const char *memdevs[4];
	const char *uuid;
	enum region_error want;
	const char *message_has;	/* for failures: a phrase of the sentence */
	const char *want_decoders[4];	/* for success */
};

static const struct row rows[] = {
	{ "1-way ram, named", "decoder0.0", "ram", 256 * M, 1, 0, { "mem0" }, NULL,
	  REGION_OK, NULL, { "decoder5.0" } },
	{ "1-way ram, chosen: most free", "decoder0.0", "ram", 512 * M, 1, 0, {}, NULL,
	  REGION_OK, NULL, { "decoder5.0" } },
	{ "2-way pmem across bridges", "decoder0.1", "pmem", 512 * M, 2, 4096,
	  { "mem0", "mem2" }, "0f2d5e8c-3a3b-4c1e-9d7a-1b2c3d4e5f60", REGION_OK, NULL,
	  { "decoder5.0", "decoder7.0" } },
	{ "granularity 0 takes the window's", "decoder0.1", "pmem", 512 * M, 2, 0,
	  { "mem1", "mem2" }, NULL, REGION_OK, NULL, { "decoder6.1", "decoder7.0" } },

	{ "unknown window", "decoder9.9", "ram", 256 * M, 1, 0, {}, NULL,
	  REGION_E_INVALID_ARGUMENT, "no CXL window" },
	{ "bad mode", "decoder0.0", "volatile", 256 * M, 1, 0, {}, NULL,
	  REGION_E_INVALID_ARGUMENT, "not a region mode" },
	{ "mode the window lacks", "decoder0.1", "ram", 512 * M, 2, 0, {}, NULL,
	  REGION_E_NOT_SUPPORTED, "does not accept ram" },
	{ "ways not CXL", "decoder0.0", "ram", 5 * 256 * M, 5, 0, {}, NULL,
	  REGION_E_INVALID_ARGUMENT, "not a CXL interleave" },
	{ "ways not a multiple of the window's", "decoder0.1", "pmem", 256 * M, 1, 0, {},
	  NULL, REGION_E_INVALID_ARGUMENT, "multiple of 2 ways" },
	{ "granularity not a power of two", "decoder0.0", "ram", 256 * M, 1, 768, {}, NULL,
	  REGION_E_INVALID_ARGUMENT, "not a CXL interleave granularity" },
	{ "granularity differs from an interleaved window's", "decoder0.1", "pmem", 512 * M,
	  2, 256, {}, NULL, REGION_E_INVALID_ARGUMENT, "must use that granularity" },
	{ "size zero", "decoder0.0", "ram", 0, 1, 0, {}, NULL, REGION_E_INVALID_ARGUMENT,
	  "non-zero multiple" },
	{ "size not 256 MiB x ways", "decoder0.1", "pmem", 256 * M, 2, 0, {}, NULL,
	  REGION_E_INVALID_ARGUMENT, "256 MiB x 2 ways (512 MiB)" },
	{ "larger than the window's free extent", "decoder0.0", "ram", 8 * G, 1, 0, {}, NULL,
	  REGION_E_INSUFFICIENT_CAPACITY, "contiguous free address space" },
	{ "uuid on ram", "decoder0.0", "ram", 256 * M, 1, 0, {},
	  "0f2d5e8c-3a3b-4c1e-9d7a-1b2c3d4e5f60", REGION_E_INVALID_ARGUMENT, "no uuid" },
	{ "malformed uuid", "decoder0.1", "pmem", 512 * M, 2, 0, {}, "0f2d5e8c-3a3b",
	  REGION_E_INVALID_ARGUMENT, "not a uuid" },
	{ "memdev count differs from ways", "decoder0.1", "pmem", 512 * M, 2, 0, { "mem0" },
	  NULL, REGION_E_INVALID_ARGUMENT, "1 memdevs for a 2-way" },
	{ "unknown memdev", "decoder0.0", "ram", 256 * M, 1, 0, { "mem9" }, NULL,
	  REGION_E_INVALID_ARGUMENT, "no memdev 'mem9'" },
	{ "duplicate memdev", "decoder0.1", "pmem", 512 * M, 2, 0, { "mem0", "mem0" }, NULL,
	  REGION_E_INVALID_ARGUMENT, "appears at positions 0 and 1" },
	{ "disabled memdev", "decoder0.0", "ram", 256 * M, 1, 0, { "mem3" }, NULL,
	  REGION_E_INVALID_ARGUMENT, "not enabled" },
	{ "memdev without that partition", "decoder0.0", "ram", 256 * M, 1, 0, { "mem2" },
	  NULL, REGION_E_NOT_SUPPORTED, "no ram capacity" },
	{ "memdev without enough free", "decoder0.0", "ram", 512 * M, 1, 0, { "mem1" }, NULL,
	  REGION_E_INSUFFICIENT_CAPACITY, "256 MiB of ram capacity free" },
	{ "wrong host bridge for the position", "decoder0.1", "pmem", 512 * M, 2, 0,
	  { "mem2", "mem0" }, NULL, REGION_E_INVALID_ARGUMENT, "below host bridge hb0" },
	{ "no free decoder", "decoder0.0", "ram", 256 * M, 1, 0, { "mem4" }, NULL,
	  REGION_E_BUSY, "in use" },
	{ "nothing to choose from", "decoder0.1", "pmem", 4 * G, 2, 0, {}, NULL,
	  REGION_E_INSUFFICIENT_CAPACITY, "cannot choose targets" },
};

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct region_request req = {
			.window = w->window, .mode = w->mode, .size = w->size,
			.ways = w->ways, .granularity = w->granularity,
			.memdevs = w->memdevs, .uuid = w->uuid, .numa_node = -1,
		};
		struct region_fail f = {};
		struct region_plan plan;
		int r;

		while (req.n_memdevs < 4 && w->memdevs[req.n_memdevs])
			req.n_memdevs++;
		r = region_request_check(&req, &model, facts, 5, &plan, &f);
		if (w->want == REGION_OK) {
			if (r != 0)
				fail_msg("%s: refused: %s", w->name, f.message);
			for (uint32_t k = 0; k < w->ways; k++)
				if (strcmp(plan.targets[k].decoder, w->want_decoders[k]) != 0)
					fail_msg("%s: position %u got %s", w->name, k,
						 plan.targets[k].decoder);
			if (!w->granularity && plan.granularity == 0)
				fail_msg("%s: granularity left 0", w->name);
			continue;
		}
		if (r == 0)
			fail_msg("%s: accepted", w->name);
		if (f.error != w->want)
			fail_msg("%s: error %d, want %d (%s)", w->name, f.error, w->want,
				 f.message);
		if (!strstr(f.message, w->message_has))
			fail_msg("%s: '%s' lacks '%s'", w->name, f.message, w->message_has);
	}
}

static void test_attach_target(void **state)
{
	struct region_target t0 = { 0, "mem0", "decoder5.0" };
	struct region r = { .name = "region3", .window = "decoder0.1", .mode = "pmem",
			    .size = 512 * M, .ways = 2, .state = "configuring",
			    .targets = &t0, .n_targets = 1 };
	struct memdev_facts k = { "mem2", "hb1", "decoder7.0" };
	struct region_fail f = {};
	char dec[64];

	assert_int_equal(region_request_check_target(&r, &model, &k, "mem2", 1, dec, &f), 0);
	assert_string_equal(dec, "decoder7.0");
	/* Position taken, out of range, wrong bridge, committed, locked. */
	assert_int_equal(region_request_check_target(&r, &model, &k, "mem2", 0, dec, &f), -1);
	assert_int_equal(f.error, REGION_E_BUSY);
	assert_int_equal(region_request_check_target(&r, &model, &k, "mem2", 2, dec, &f), -1);
	assert_int_equal(f.error, REGION_E_INVALID_ARGUMENT);
	k = (struct memdev_facts){ "mem1", "hb0", "decoder6.1" };
	assert_int_equal(region_request_check_target(&r, &model, &k, "mem1", 1, dec, &f), -1);
	assert_non_null(strstr(f.message, "below host bridge hb1"));
	k = (struct memdev_facts){ "mem2", "hb1", "decoder7.0" };
	r.state = "committed";
	assert_int_equal(region_request_check_target(&r, &model, &k, "mem2", 1, dec, &f), -1);
	assert_int_equal(f.error, REGION_E_BUSY);
	r.locked = 1;
	assert_int_equal(region_request_check_target(&r, &model, &k, "mem2", 1, dec, &f), -1);
	assert_int_equal(f.error, REGION_E_LOCKED);
}

static void test_uuid(void **state)
{
	assert_true(uuid_string_valid("0f2d5e8c-3a3b-4c1e-9d7a-1b2c3d4e5f60"));
	assert_false(uuid_string_valid("0f2d5e8c-3a3b-4c1e-9d7a-1b2c3d4e5f6"));
	assert_false(uuid_string_valid("0f2d5e8c+3a3b-4c1e-9d7a-1b2c3d4e5f60"));
	assert_false(uuid_string_valid("0f2d5e8c-3a3b-4c1e-9d7a-1b2c3d4e5fzz"));
	assert_false(uuid_string_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_attach_target),
		cmocka_unit_test(test_uuid),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
