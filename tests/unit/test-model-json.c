// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model-json.h"
#include "strv.h"

static void test_empty(void **state)
{
	struct model m = {};
	char *s = model_to_json(&m);

	assert_string_equal(s, "{\"memdevs\":[],\"windows\":[],\"regions\":[],"
			       "\"dax_devices\":[],\"soft_reserved\":[]}");
	free(s);
}

static void test_objects(void **state)
{
	struct model m = {};
	struct memdev *d = model_add(&m, OBJECT_MEMDEV);
	struct region *r = model_add(&m, OBJECT_REGION);
	char *s;

	d->name = strdup("mem0");
	d->serial = 0xffffffffffffffffULL;	/* must not turn negative */
	d->numa_node = -1;
	d->enabled = 1;
	assert_int_equal(strv_extend(&d->regions, "region0"), 0);
	r->name = strdup("region0");
	r->window = strdup("decoder0_0");
	r->dax = strdup("");			/* no dax: key left out */
	r->targets = calloc(1, sizeof(*r->targets));
	r->targets[0] = (struct region_target){ 0, strdup("mem0"), strdup("decoder2_0") };
	r->n_targets = 1;
	assert_int_equal(model_finish(&m), 0);

	s = model_to_json(&m);
	assert_non_null(strstr(s, "\"memdev\":\"mem0\",\"serial\":18446744073709551615,"));
	assert_non_null(strstr(s, "\"numa_node\":-1"));
	assert_non_null(strstr(s, "\"enabled\":true"));
	assert_non_null(strstr(s, "\"regions\":[\"region0\"]"));
	assert_non_null(strstr(s, "\"region\":\"region0\",\"decoder\":\"decoder0_0\""));
	assert_non_null(strstr(s, "\"mappings\":[{\"position\":0,\"memdev\":\"mem0\","
				  "\"decoder\":\"decoder2_0\"}]"));
	assert_null(strstr(s, "daxregion"));
	free(s);
	model_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_objects),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
