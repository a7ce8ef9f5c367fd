/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * json-c keeps no source positions, yet a bad policy must be reported as
 * FILE:LINE:COLUMN. Once json-c has accepted a text (strict mode, so it is
 * plain JSON), walk it again along a path of object keys and array indices
 * to find where the offending value starts. Pure.
 */

#include <stddef.h>

struct json_step {
	const char *key;	/* object member, or NULL for an array index */
	size_t index;
};

/*
 * Offset in @text of the value at @path (@n steps; n == 0: the top-level
 * value). If @key_pos is set and the last step is an object key, the
 * offset of that key's opening quote instead. Returns the offset, or the
 * offset of the deepest value found if the path goes further than the text.
 */
size_t json_locate(const char *text, size_t len, const struct json_step *path,
		   size_t n, int key_pos);

/* 1-based line and column of byte @offset in @text. */
void json_line_col(const char *text, size_t len, size_t offset,
		   unsigned *line, unsigned *col);
