// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "region-plan.h"

#define G (1ULL << 30)

static char *two_bridges[] = { "hb0", "hb1", NULL };
static char *one_bridge[] = { "hb0", NULL };

static const struct plan_candidate pool[] = {
	{ "mem0", "hb0", 4 * G, 0, 1 },
	{ "mem1", "hb0", 8 * G, 1, 1 },
	{ "mem2", "hb1", 4 * G, 0, 1 },
	{ "mem3", "hb1", 4 * G, 1, 1 },
	{ "mem4", "hb1", 16 * G, 1, 0 },	/* disabled: never picked */
	{ "mem10", "hb0", 8 * G, 0, 1 },	/* ties with mem1 on free */
};

static void plan(char **bridges, uint32_t ways, uint64_t size, int numa, int want_r,
		 const char *const *want, const char *reason_has)
{
	struct plan_request req = { bridges, ways, size, numa };
	const char *got[16] = {};
	char *reason = NULL;
	int r;

	r = region_plan_targets(&req, pool, sizeof(pool) / sizeof(*pool), got, &reason);
	assert_int_equal(r, want_r);
	if (r == 0) {
		for (uint32_t i = 0; i < ways; i++)
			assert_string_equal(got[i], want[i]);
		assert_null(reason);
	} else {
		assert_non_null(reason);
		if (!strstr(reason, reason_has))
			fail_msg("reason '%s' lacks '%s'", reason, reason_has);
	}
	free(reason);
}

static void test_positions_follow_bridges(void **state)
{
	/* Most free first; mem1 and mem10 tie on free: name order. */
	plan(two_bridges, 2, 2 * G, -1, 0, (const char *[]){ "mem1", "mem2" }, NULL);
	plan(two_bridges, 4, 4 * G, -1, 0,
	     (const char *[]){ "mem1", "mem2", "mem10", "mem3" }, NULL);
	plan(one_bridge, 1, 8 * G, -1, 0, (const char *[]){ "mem1" }, NULL);
}

static void test_numa_preference(void **state)
{
	plan(two_bridges, 2, 2 * G, 0, 0, (const char *[]){ "mem10", "mem2" }, NULL);
	plan(two_bridges, 2, 2 * G, 1, 0, (const char *[]){ "mem1", "mem3" }, NULL);
}

static void test_refusals(void **state)
{
	/* 3 ways cannot spread evenly over 2 bridges. */
	plan(two_bridges, 3, 3 * G, -1, -EINVAL, NULL, "multiple of 2");
	plan(two_bridges, 0, G, -1, -EINVAL, NULL, "multiple");
	/* Enough per device on hb0, not on hb1 (mem4 is disabled). */
	plan(two_bridges, 2, 12 * G, -1, -ENOSPC, NULL, "below host bridge hb1");
	plan(two_bridges, 2, 20 * G, -1, -ENOSPC, NULL, "below host bridge hb0");
	/* Positions 0-4 find a memdev each, hb1 runs out at position 5. */
	plan(two_bridges, 6, 6 * G, -1, -ENOSPC, NULL, "position 5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions_follow_bridges),
		cmocka_unit_test(test_numa_preference),
		cmocka_unit_test(test_refusals),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
