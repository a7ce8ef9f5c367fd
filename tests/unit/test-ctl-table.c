// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "table.h"

/* What table_print writes, as a string; free() it. */
static char *printed(struct table *t, bool legend)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(table_print(t, legend, f), 0);
	fclose(f);
	return buf;
}

static struct table *sample(void)
{
	static const char *const headers[] = { "REGION", "SIZE", "STATE" };
	struct table *t = table_new(3, headers);

	assert_non_null(t);
	table_align_right(t, 1);
	assert_int_equal(table_add(t, "region0"), 0);
	assert_int_equal(table_add(t, "512 MiB"), 0);
	assert_int_equal(table_add(t, "enabled"), 0);
	assert_int_equal(table_add(t, "region12"), 0);
	assert_int_equal(table_addf(t, "%d GiB", 4), 0);
	assert_int_equal(table_add(t, NULL), 0);
	return t;
}

static void test_aligned_with_legend(void **state)
{
	struct table *t = sample();
	char *s = printed(t, true);

	/* Two spaces between columns, SIZE right-aligned, the last column
	 * not padded, NULL as "-". */
	assert_string_equal(s, "REGION       SIZE  STATE\n"
			       "region0   512 MiB  enabled\n"
			       "region12    4 GiB  -\n");
	assert_int_equal(table_rows(t), 2);
	free(s);
	table_free(t);
}

static void test_no_legend_sizes_columns_by_rows(void **state)
{
	struct table *t = sample();
	char *s = printed(t, false);

	assert_string_equal(s, "region0   512 MiB  enabled\n"
			       "region12    4 GiB  -\n");
	free(s);
	table_free(t);
}

static void test_empty_and_partial(void **state)
{
	static const char *const headers[] = { "A", "B" };
	struct table *t = table_new(2, headers);
	char *s;

	s = printed(t, true);
	assert_string_equal(s, "A  B\n");
	free(s);
	/* A partial row is not printed. */
	assert_int_equal(table_add(t, ""), 0);
	s = printed(t, true);
	assert_string_equal(s, "A  B\n");
	free(s);
	/* An empty cell is "-": no row ends in blanks. */
	assert_int_equal(table_add(t, ""), 0);
	assert_int_equal(table_add(t, "x"), 0);
	s = printed(t, true);
	assert_string_equal(s, "A  B\n-  -\n");
	free(s);
	table_free(t);
	assert_null(table_new(0, headers));
	assert_null(table_new(TABLE_MAX_COLUMNS + 1, headers));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aligned_with_legend),
		cmocka_unit_test(test_no_legend_sizes_columns_by_rows),
		cmocka_unit_test(test_empty_and_partial),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
