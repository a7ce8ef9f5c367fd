/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* NULL-terminated arrays of owned strings; NULL is the empty list. */
char **strv_free(char **l);
size_t strv_length(char *const *l);
bool strv_equal(char *const *a, char *const *b);
bool strv_contains(char *const *l, const char *s);
/* Append a copy of @s. Returns 0 or -ENOMEM (the list is unchanged then). */
int strv_extend(char ***l, const char *s);
/* Sort in place (strcmp order), for lists whose order carries no meaning. */
void strv_sort(char **l);
char **strv_copy(char *const *l);

static inline void strv_freep(char ***l)
{
	strv_free(*l);
}
