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
#include "strv.h"

static struct memdev *add_memdev(struct model *m, const char *name, uint64_t serial)
{
	struct memdev *d = model_add(m, OBJECT_MEMDEV);

	assert_non_null(d);
	d->name = strdup(name);
	d->serial = serial;
	d->numa_node = -1;
	return d;
}

static struct region *add_region(struct model *m, const char *name, const char *window)
{
	struct region *r = model_add(m, OBJECT_REGION);

	assert_non_null(r);
	r->name = strdup(name);
	r->window = strdup(window);
	r->state = strdup("committed");
	return r;
}

static void add_target(struct region *r, uint32_t pos, const char *memdev,
		       const char *decoder)
{
	r->targets = realloc(r->targets, (r->n_targets + 1) * sizeof(*r->targets));
	assert_non_null(r->targets);
	r->targets[r->n_targets++] = (struct region_target){
		.position = pos, .memdev = strdup(memdev), .decoder = strdup(decoder),
	};
}

struct recorded {
	char lines[32][256];
	size_t n;
};

static int record(const struct model_change *c, void *userdata)
{
	static const char *const kinds[] = {
		[CHANGE_ADDED] = "add",
		[CHANGE_REMOVED] = "remove",
		[CHANGE_PROPERTIES] = "props",
	};
	struct recorded *rec = userdata;
	char *l = rec->lines[rec->n++];
	int len;

	len = snprintf(l, 256, "%s %s %s", kinds[c->kind],
		       object_type_info(c->type)->interface + strlen("org.cxlmemd1."), c->name);
	for (size_t i = 0; c->props[i]; i++)
		len += snprintf(l + len, 256 - len, "%s%s", i ? "," : " ", c->props[i]);
	return 0;
}

static void assert_changes(const struct model *a, const struct model *b, ...)
{
	struct recorded rec = {};
	const char *want;
	size_t i = 0;
	va_list ap;

	assert_int_equal(model_diff(a, b, record, &rec), 0);
	va_start(ap, b);
	while ((want = va_arg(ap, const char *))) {
		if (i >= rec.n)
			fail_msg("missing change '%s'", want);
		assert_string_equal(rec.lines[i], want);
		i++;
	}
	va_end(ap);
	if (i != rec.n)
		fail_msg("unexpected extra change '%s'", rec.lines[i]);
}

static void test_natural_order_and_find(void **state)
{
	struct model m = {};

	add_memdev(&m, "mem10", 10);
	add_memdev(&m, "mem2", 2);
	add_memdev(&m, "mem1", 1);
	assert_int_equal(model_finish(&m), 0);

	assert_string_equal(m.memdevs[0].name, "mem1");
	assert_string_equal(m.memdevs[1].name, "mem2");
	assert_string_equal(m.memdevs[2].name, "mem10");
	assert_int_equal(((struct memdev *)model_find(&m, OBJECT_MEMDEV, "mem10"))->serial, 10);
	assert_null(model_find(&m, OBJECT_MEMDEV, "mem3"));
	assert_null(model_find(&m, OBJECT_REGION, "mem1"));
	assert_null(model_find(&m, OBJECT_MEMDEV, NULL));
	model_clear(&m);
}

static void test_duplicate_names_refused(void **state)
{
	struct model m = {};

	add_memdev(&m, "mem0", 1);
	add_memdev(&m, "mem0", 2);
	assert_int_equal(model_finish(&m), -EEXIST);
	model_clear(&m);
}

static void test_unordered_lists_sorted_targets_by_position(void **state)
{
	struct model m = {};
	struct memdev *d = add_memdev(&m, "mem0", 1);
	struct region *r = add_region(&m, "region0", "decoder0_0");

	assert_int_equal(strv_extend(&d->regions, "region10"), 0);
	assert_int_equal(strv_extend(&d->regions, "region2"), 0);
	add_target(r, 1, "mem1", "decoder5_0");
	add_target(r, 0, "mem0", "decoder4_0");
	assert_int_equal(model_finish(&m), 0);

	d = model_find(&m, OBJECT_MEMDEV, "mem0");
	/* Reference lists: plain strcmp order is enough, it only must be stable. */
	assert_string_equal(d->regions[0], "region10");
	assert_string_equal(d->regions[1], "region2");
	r = model_find(&m, OBJECT_REGION, "region0");
	assert_int_equal(r->targets[0].position, 0);
	assert_string_equal(r->targets[0].memdev, "mem0");
	model_clear(&m);
}

static void test_diff_identical_is_silent(void **state)
{
	struct model a = {}, b = {};

	add_memdev(&a, "mem0", 1);
	add_memdev(&b, "mem0", 1);
	add_region(&a, "region0", "decoder0_0");
	add_region(&b, "region0", "decoder0_0");
	assert_int_equal(model_finish(&a), 0);
	assert_int_equal(model_finish(&b), 0);
	assert_changes(&a, &b, NULL);
	model_clear(&a);
	model_clear(&b);
}

/*
 * A region appears and a memdev starts referencing it; another region
 * goes away: a client applying the changes in order never sees a
 * reference to an object it does not know.
 */
static void test_diff_order_keeps_references_valid(void **state)
{
	struct model a = {}, b = {};
	struct memdev *d;

	add_memdev(&a, "mem0", 1);
	add_region(&a, "region1", "decoder0_0");
	d = add_memdev(&b, "mem0", 1);
	assert_int_equal(strv_extend(&d->regions, "region2"), 0);
	d->ram_free = 0x1000;
	add_region(&b, "region2", "decoder0_0");
	add_memdev(&b, "mem1", 2);
	assert_int_equal(model_finish(&a), 0);
	assert_int_equal(model_finish(&b), 0);

	assert_changes(&a, &b,
		       "add Memdev mem1",
		       "add Region region2",
		       "props Memdev mem0 RamFree,Regions",
		       "remove Region region1",
		       NULL);
	model_clear(&a);
	model_clear(&b);
}

static void test_diff_region_targets(void **state)
{
	struct model a = {}, b = {};
	struct region *r;

	r = add_region(&a, "region0", "decoder0_0");
	add_target(r, 0, "mem0", "decoder4_0");
	r = add_region(&b, "region0", "decoder0_0");
	add_target(r, 0, "mem0", "decoder4_0");
	add_target(r, 1, "mem1", "decoder5_0");
	free(r->state);
	r->state = strdup("enabled");
	assert_int_equal(model_finish(&a), 0);
	assert_int_equal(model_finish(&b), 0);

	assert_changes(&a, &b, "props Region region0 Targets,State", NULL);
	/* And the other way round. */
	assert_changes(&b, &a, "props Region region0 Targets,State", NULL);
	model_clear(&a);
	model_clear(&b);
}

static int fail_once(const struct model_change *c, void *userdata)
{
	int *calls = userdata;

	(*calls)++;
	return -EIO;
}

static void test_diff_propagates_errors(void **state)
{
	struct model a = {}, b = {};
	int calls = 0;

	add_memdev(&b, "mem0", 1);
	add_memdev(&b, "mem1", 2);
	assert_int_equal(model_finish(&b), 0);
	assert_int_equal(model_diff(&a, &b, fail_once, &calls), -EIO);
	assert_int_equal(calls, 1);
	model_clear(&b);
}

static void test_prop_equal_null_vs_empty(void **state)
{
	const struct prop_desc *p = object_type_find_prop(OBJECT_REGION, "UUID");
	struct region a = { .uuid = NULL }, b = { .uuid = "" };

	assert_non_null(p);
	/* "" and NULL are the same to a client: both read as "". */
	assert_true(prop_equal(p, &a, &b));
	b.uuid = "x";
	assert_false(prop_equal(p, &a, &b));
	assert_null(object_type_find_prop(OBJECT_REGION, "NoSuch"));
}

/* A copy equals its source and shares nothing with it (ASan/valgrind see). */
static void test_copy_is_deep_and_equal(void **state)
{
	struct model a = {}, b = {};
	struct region *r;
	struct softreserved *sr;

	add_memdev(&a, "mem0", 1);
	assert_int_equal(strv_extend(&a.memdevs[0].regions, "region0"), 0);
	r = add_region(&a, "region0", "decoder0.0");
	add_target(r, 1, "mem0", "decoder5.0");
	add_target(r, 0, "mem1", "decoder7.0");
	sr = model_add(&a, OBJECT_SOFTRESERVED);
	sr->name = strdup("0x100000000");
	sr->owner = strdup("none");
	assert_int_equal(model_finish(&a), 0);

	assert_int_equal(model_copy(&a, &b), 0);
	assert_changes(&a, &b, NULL);
	assert_ptr_not_equal(a.memdevs[0].name, b.memdevs[0].name);
	assert_ptr_not_equal(a.regions[0].targets, b.regions[0].targets);
	assert_string_equal(b.softreserved[0].name, "0x100000000");
	model_clear(&a);
	/* Still whole after the source is gone. */
	assert_string_equal(b.regions[0].targets[1].memdev, "mem0");
	assert_string_equal(b.memdevs[0].regions[0], "region0");
	model_clear(&b);
}

static void test_remove_keeps_order(void **state)
{
	struct model m = {};

	add_memdev(&m, "mem0", 0);
	add_memdev(&m, "mem2", 2);
	add_memdev(&m, "mem10", 10);
	assert_int_equal(model_finish(&m), 0);
	assert_int_equal(model_remove(&m, OBJECT_MEMDEV, "mem2"), 0);
	assert_int_equal(m.n_memdevs, 2);
	assert_string_equal(m.memdevs[0].name, "mem0");
	assert_string_equal(m.memdevs[1].name, "mem10");
	assert_non_null(model_find(&m, OBJECT_MEMDEV, "mem10"));
	assert_int_equal(model_remove(&m, OBJECT_MEMDEV, "mem2"), -ENOENT);
	model_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_natural_order_and_find),
		cmocka_unit_test(test_duplicate_names_refused),
		cmocka_unit_test(test_unordered_lists_sorted_targets_by_position),
		cmocka_unit_test(test_diff_identical_is_silent),
		cmocka_unit_test(test_diff_order_keeps_references_valid),
		cmocka_unit_test(test_diff_region_targets),
		cmocka_unit_test(test_diff_propagates_errors),
		cmocka_unit_test(test_prop_equal_null_vs_empty),
		cmocka_unit_test(test_copy_is_deep_and_equal),
		cmocka_unit_test(test_remove_keeps_order),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
