// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

char **strv_free(char **l)
{
	for (char **i = l; i && *i; i++)
		free(*i);
	free(l);
	return NULL;
}

size_t strv_length(char *const *l)
{
	size_t n = 0;

	while (l && l[n])
		n++;
	return n;
}

bool strv_equal(char *const *a, char *const *b)
{
	size_t i;

	for (i = 0; a && a[i] && b && b[i]; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return !(a && a[i]) && !(b && b[i]);
}

bool strv_contains(char *const *l, const char *s)
{
	for (; l && *l; l++)
		if (strcmp(*l, s) == 0)
			return true;
	return false;
}

int strv_extend(char ***l, const char *s)
{
	size_t n = strv_length(*l);
	char *copy, **nl;

	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	nl = realloc(*l, (n + 2) * sizeof(char *));
	if (!nl) {
		free(copy);
		return -ENOMEM;
	}
	nl[n] = copy;
	nl[n + 1] = NULL;
	*l = nl;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(char **l)
{
	/* qsort() of NULL is undefined even for no elements (UBSan says so). */
	if (!l)
		return;
	qsort(l, strv_length(l), sizeof(char *), cmp_str);
}

char **strv_copy(char *const *l)
{
	char **c = NULL;

	if (!l)
		return NULL;
	/* An empty, non-NULL list stays non-NULL so callers can tell OOM. */
	c = calloc(1, sizeof(char *));
	if (!c)
		return NULL;
	for (; *l; l++)
		if (strv_extend(&c, *l) < 0)
			return strv_free(c);
	return c;
}
