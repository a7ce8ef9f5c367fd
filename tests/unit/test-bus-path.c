// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <systemd/sd-bus.h>

#include "bus-path.h"
#include "model-bus.h"
#include "model.h"

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

/*
 * model_bus_object(), the way back from a path to the object: every name
 * finds itself, whatever its encoding needed (a '.', a literal '_', an
 * escaped byte, the empty name), and nothing else finds anything.
 */
static void test_lookup(void **state)
{
	static const char *const names[] = { "mem0",   "mem1",    "mem10",   "mem_2",
					     "dax0.1", "a-b",     "a.b.c",   "0x1000",
					     "" };
	static const char *const misses[] = {
		"/org/cxlmemd1/memdev/mem2",	/* no such memdev */
		"/org/cxlmemd1/memdev/mem_3",
		"/org/cxlmemd1/memdev/a_2dc",
		"/org/cxlmemd1/memdev",		/* the prefix itself */
		"/org/cxlmemd1/memdev/",
		"/org/cxlmemd1/memdev/mem0/x",	/* below an object */
		"/org/cxlmemd1/memdevx/mem0",	/* another prefix */
		"/org/cxlmemd1/region/mem0",
	};
	struct model m = {};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		struct memdev *d = model_add(&m, OBJECT_MEMDEV);

		assert_non_null(d);
		d->name = strdup(names[i]);
		d->numa_node = -1;
	}
	assert_int_equal(model_finish(&m), 0);

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		char *path = model_bus_path(OBJECT_MEMDEV, names[i]);
		struct memdev *d = model_bus_object(&m, OBJECT_MEMDEV, path);

		assert_non_null(d);
		assert_string_equal(d->name, names[i]);
		/* The right type only. */
		assert_null(model_bus_object(&m, OBJECT_REGION, path));
		free(path);
	}
	for (size_t i = 0; i < sizeof(misses) / sizeof(*misses); i++)
		assert_null(model_bus_object(&m, OBJECT_MEMDEV, misses[i]));
	assert_null(model_bus_object(&m, OBJECT_MEMDEV, NULL));
	model_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_components),
		cmocka_unit_test(test_lookup),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
