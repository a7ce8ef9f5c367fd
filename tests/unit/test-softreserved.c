// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model.h"
#include "softreserved.h"
#include "strv.h"

static const char iomem[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009fbff : System RAM\n"
	"100000000-11fffffff : Soft Reserved\n"
	"  100000000-11fffffff : dax0.0\n"
	"    100000000-11fffffff : System RAM (kmem)\n"
	"290000000-38fffffff : CXL Window 0\n"
	"  290000000-29fffffff : Soft Reserved\n"
	"garbage line\n"
	"3a0000000-39fffffff : Soft Reserved\n"	/* end < start: skipped */
	"3c0000000-3cfffffff : Soft Reserved Extra\n"
	"3d0000000-3dfffffff : Soft Reserved";	/* no trailing newline */

static void test_iomem_parse(void **state)
{
	struct iomem_range *v = NULL;

	assert_int_equal(iomem_parse_soft_reserved(iomem, &v), 3);
	assert_true(v[0].start == 0x100000000ULL && v[0].end == 0x11fffffffULL);
	assert_true(v[1].start == 0x290000000ULL && v[1].end == 0x29fffffffULL);
	assert_true(v[2].start == 0x3d0000000ULL && v[2].end == 0x3dfffffffULL);
	free(v);

	v = NULL;
	assert_int_equal(iomem_parse_soft_reserved("", &v), 0);
	assert_null(v);
}

struct fixture {
	struct model m;
};

static struct softreserved *add_sr(struct model *m, uint64_t start, uint64_t size)
{
	struct softreserved *sr = model_add(m, OBJECT_SOFTRESERVED);

	assert_non_null(sr);
	assert_true(asprintf(&sr->name, "0x%llx", (unsigned long long)start) > 0);
	sr->start = start;
	sr->size = size;
	return sr;
}

static void add_window(struct model *m, const char *name, uint64_t start, uint64_t size)
{
	struct window *w = model_add(m, OBJECT_WINDOW);

	w->name = strdup(name);
	w->start = start;
	w->size = size;
}

static void add_region(struct model *m, const char *name, uint64_t start, uint64_t size,
		       const char *state)
{
	struct region *r = model_add(m, OBJECT_REGION);

	r->name = strdup(name);
	r->start = start;
	r->size = size;
	r->state = strdup(state);
}

static void add_dax(struct model *m, const char *name, const char *sr)
{
	struct dax *d = model_add(m, OBJECT_DAX);

	d->name = strdup(name);
	d->softreserved = sr ? strdup(sr) : NULL;
}

#define G (1ULL << 30)

/* Table: (regions in the window, hmem dax?) -> owner. */
static void test_derive_owner_table(void **state)
{
	static const struct {
		const char *what;
		uint64_t r1_start, r1_size;
		const char *r1_state;
		uint64_t r2_start, r2_size;
		bool hmem;
		const char *owner, *reason_has;
	} cases[] = {
		{ "no region, no hmem", 0, 0, NULL, 0, 0, false, "none", "no CXL region maps it" },
		{ "one region covers", 8 * G, 1 * G, "enabled", 0, 0, false, "cxl", "cover" },
		{ "two regions cover", 8 * G, G / 2, "enabled", 8 * G + G / 2, G / 2, false,
		  "cxl", "cover" },
		{ "gap between regions", 8 * G, G / 4, "enabled", 8 * G + G / 2, G / 2, false,
		  "none", "do not cover" },
		{ "covering region only committed", 8 * G, G, "committed", 0, 0, false, "none",
		  "not enabled" },
		{ "larger region covers", 7 * G, 4 * G, "online", 0, 0, false, "cxl", "cover" },
		{ "hmem registered", 0, 0, NULL, 0, 0, true, "hmem", "dax9.0" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct model m = {};
		struct softreserved *sr;

		add_window(&m, "decoder0_0", 4 * G, 16 * G);
		add_sr(&m, 8 * G, 1 * G);
		if (cases[i].r1_state)
			add_region(&m, "region0", cases[i].r1_start, cases[i].r1_size,
				   cases[i].r1_state);
		if (cases[i].r2_size)
			add_region(&m, "region1", cases[i].r2_start, cases[i].r2_size,
				   cases[i].r1_state);
		if (cases[i].hmem)
			add_dax(&m, "dax9.0", "0x200000000");
		assert_int_equal(model_finish(&m), 0);
		assert_int_equal(softreserved_derive(&m), 0);

		sr = &m.softreserved[0];
		if (strcmp(sr->owner, cases[i].owner) != 0 ||
		    !strstr(sr->reason, cases[i].reason_has))
			fail_msg("case '%s': owner %s (%s), want %s (…%s…)", cases[i].what,
				 sr->owner, sr->reason, cases[i].owner, cases[i].reason_has);
		assert_true(strv_contains(sr->windows, "decoder0_0"));
		assert_int_equal(strv_length(sr->regions),
				 !!cases[i].r1_state + !!cases[i].r2_size);
		model_clear(&m);
	}
}

static void test_derive_outside_windows(void **state)
{
	struct model m = {};

	add_window(&m, "decoder0_0", 4 * G, 4 * G);
	add_sr(&m, 8 * G, G);	/* touches the window's end, no overlap */
	assert_int_equal(model_finish(&m), 0);
	assert_int_equal(softreserved_derive(&m), 0);
	assert_string_equal(m.softreserved[0].owner, "none");
	assert_null(m.softreserved[0].windows);
	assert_non_null(strstr(m.softreserved[0].reason, "dax_hmem"));

	/* Deriving again replaces, it does not accumulate. */
	assert_int_equal(softreserved_derive(&m), 0);
	assert_null(m.softreserved[0].windows);
	model_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iomem_parse),
		cmocka_unit_test(test_derive_owner_table),
		cmocka_unit_test(test_derive_outside_windows),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
