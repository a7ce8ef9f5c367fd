// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysfs.h's whole-file reader and one-write writer, on files in a
 * temporary directory: what they return and what they leave in the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "macro.h"
#include "sysfs.h"

static char dir[] = "/tmp/test-sysfs.XXXXXX";

static char *path_in_dir(const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static void test_read_whole_file(void **state)
{
	_cleanup_free_ char *p = path_in_dir("big"), *want = NULL, *got = NULL;
	/* More than file_read()'s chunk, and not a multiple of it. */
	const size_t size = 3 * 4096 + 17;
	FILE *f;

	want = malloc(size + 1);
	assert_non_null(want);
	for (size_t i = 0; i < size; i++)
		want[i] = (i % 61 == 60) ? '\n' : (char)('a' + i % 26);
	want[size] = '\0';
	f = fopen(p, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(want, 1, size, f), size);
	assert_int_equal(fclose(f), 0);

	assert_int_equal(file_read(p, &got), 0);
	assert_string_equal(got, want);
	free(got);
	got = file_read_all(p);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(unlink(p), 0);
}

static void test_read_errors(void **state)
{
	_cleanup_free_ char *missing = path_in_dir("missing");
	char *got = (char *)"untouched";

	assert_int_equal(file_read(missing, &got), -ENOENT);
	assert_null(file_read_all(missing));
	/* A directory opens, but reading it fails: reported, nothing returned. */
	assert_int_equal(file_read(dir, &got), -EISDIR);
	assert_string_equal(got, "untouched");
	assert_null(file_read_all(dir));
}

static void test_write(void **state)
{
	_cleanup_free_ char *p = path_in_dir("attr"), *missing = path_in_dir("missing");
	_cleanup_free_ char *got = NULL;
	int fd;

	/* Never creates: a sysfs attribute that is not there is an error. */
	assert_int_equal(file_write(missing, "1\n", 0), -ENOENT);
	assert_int_equal(access(missing, F_OK), -1);

	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(file_write(p, "region0\n", 0), 0);
	assert_int_equal(file_read(p, &got), 0);
	assert_string_equal(got, "region0\n");
	free(got);
	got = NULL;

	/* Without O_TRUNC it overwrites in place, as on sysfs; with it, empties. */
	assert_int_equal(file_write(p, "ab", 0), 0);
	assert_int_equal(file_read(p, &got), 0);
	assert_string_equal(got, "abgion0\n");
	free(got);
	got = NULL;
	assert_int_equal(file_write(p, "", O_TRUNC), 0);
	assert_int_equal(file_read(p, &got), 0);
	assert_string_equal(got, "");

	/* Not writable. */
	assert_int_equal(file_write(dir, "1", 0), -EISDIR);
	assert_int_equal(unlink(p), 0);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_whole_file),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_write),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
