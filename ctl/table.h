/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * An aligned text table, as systemd's ctl tools print them: a header
 * row in capitals (left out with --no-legend), columns separated by two
 * spaces, the last column not padded, right-aligned columns for numbers.
 * Cells are copied; a NULL or empty cell prints as "-".
 */
struct table;

#define TABLE_MAX_COLUMNS 16

struct table *table_new(size_t n_columns, const char *const headers[]);
void table_free(struct table *t);
/* Right-align column @col (sizes, counts). */
void table_align_right(struct table *t, size_t col);
/* Append one cell; rows fill left to right. -ENOMEM on failure. */
int table_add(struct table *t, const char *cell);
int table_addf(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t table_rows(const struct table *t);
int table_print(const struct table *t, bool legend, FILE *out);
