// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

struct table {
	size_t n_columns;
	char **cells;		/* headers first, then row after row */
	size_t n_cells;
	bool *right;
};

struct table *table_new(size_t n_columns, const char *const headers[])
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t || n_columns == 0 || n_columns > TABLE_MAX_COLUMNS)
		goto fail;
	t->n_columns = n_columns;
	t->right = calloc(n_columns, sizeof(*t->right));
	if (!t->right)
		goto fail;
	for (size_t i = 0; i < n_columns; i++)
		if (table_add(t, headers[i]) < 0)
			goto fail;
	return t;
fail:
	table_free(t);
	return NULL;
}

void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_cells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->right);
	free(t);
}

void table_align_right(struct table *t, size_t col)
{
	if (col < t->n_columns)
		t->right[col] = true;
}

int table_add(struct table *t, const char *cell)
{
	char **v = realloc(t->cells, (t->n_cells + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	t->cells = v;
	v[t->n_cells] = strdup(cell && *cell ? cell : "-");
	if (!v[t->n_cells])
		return -ENOMEM;
	t->n_cells++;
	return 0;
}

int table_addf(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = table_add(t, s);
	free(s);
	return r;
}

size_t table_rows(const struct table *t)
{
	return t->n_cells / t->n_columns - 1;
}

static size_t column_width(const struct table *t, size_t col, bool legend)
{
	size_t w = 0;

	for (size_t i = legend ? col : col + t->n_columns; i < t->n_cells; i += t->n_columns)
		if (strlen(t->cells[i]) > w)
			w = strlen(t->cells[i]);
	return w;
}

int table_print(const struct table *t, bool legend, FILE *out)
{
	size_t widths[TABLE_MAX_COLUMNS];
	size_t n = t->n_columns;

	for (size_t c = 0; c < n; c++)
		widths[c] = column_width(t, c, legend);
	/* A partial last row is a caller's bug; print only whole rows. */
	for (size_t i = legend ? 0 : t->n_columns; i + n <= t->n_cells; i += t->n_columns) {
		for (size_t c = 0; c < n; c++) {
			const char *s = t->cells[i + c];
			int pad = (int)(widths[c] - strlen(s));
			bool last = c + 1 == n;

			if (t->right[c])
				fprintf(out, "%*s%s", pad, "", s);
			else
				fprintf(out, "%s%*s", s, last ? 0 : pad, "");
			fputs(last ? "\n" : "  ", out);
		}
	}
	return ferror(out) ? -EIO : 0;
}
