// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <string.h>

#include "json-locate.h"

struct cursor {
	const char *s;
	size_t len, pos;
};

static void skip_ws(struct cursor *c)
{
	while (c->pos < c->len && strchr(" \t\r\n", c->s[c->pos]) && c->s[c->pos])
		c->pos++;
}

/* At an opening quote: move past the closing one. */
static void skip_string(struct cursor *c)
{
	c->pos++;
	while (c->pos < c->len && c->s[c->pos] != '"') {
		if (c->s[c->pos] == '\\')
			c->pos++;
		c->pos++;
	}
	if (c->pos < c->len)
		c->pos++;
}

/* Does the string at the cursor (at its quote) equal @key? No escapes. */
static bool string_is(const struct cursor *c, const char *key)
{
	size_t n = strlen(key);

	return c->pos + n + 1 < c->len && c->s[c->pos] == '"' &&
	       !memcmp(c->s + c->pos + 1, key, n) && c->s[c->pos + n + 1] == '"';
}

static void skip_value(struct cursor *c)
{
	int depth = 0;

	skip_ws(c);
	do {
		if (c->pos >= c->len)
			return;
		switch (c->s[c->pos]) {
		case '"':
			skip_string(c);
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			depth--;
			break;
		default:
			if (!depth) {
				/* a scalar: up to the next delimiter */
				while (c->pos < c->len &&
				       !strchr(",}] \t\r\n", c->s[c->pos]))
					c->pos++;
				return;
			}
		}
		c->pos++;
	} while (depth > 0);
}

/* At '{': find member @key; leaves the cursor at its value. */
static bool enter_key(struct cursor *c, const char *key, size_t *key_at)
{
	c->pos++;
	for (;;) {
		skip_ws(c);
		if (c->pos >= c->len || c->s[c->pos] != '"')
			return false;
		*key_at = c->pos;
		if (string_is(c, key)) {
			skip_string(c);
			skip_ws(c);
			c->pos++;	/* ':' */
			skip_ws(c);
			return true;
		}
		skip_string(c);
		skip_ws(c);
		c->pos++;	/* ':' */
		skip_value(c);
		skip_ws(c);
		if (c->pos >= c->len || c->s[c->pos] != ',')
			return false;
		c->pos++;
	}
}

/* At '[': move to element @index. */
static bool enter_index(struct cursor *c, size_t index)
{
	c->pos++;
	for (size_t i = 0;; i++) {
		skip_ws(c);
		if (c->pos >= c->len || c->s[c->pos] == ']')
			return false;
		if (i == index)
			return true;
		skip_value(c);
		skip_ws(c);
		if (c->pos >= c->len || c->s[c->pos] != ',')
			return false;
		c->pos++;
	}
}

size_t json_locate(const char *text, size_t len, const struct json_step *path,
		   size_t n, int key_pos)
{
	struct cursor c = { .s = text, .len = len };
	size_t found, key_at = 0;

	skip_ws(&c);
	found = c.pos;
	for (size_t i = 0; i < n; i++) {
		struct cursor save = c;
		bool ok;

		if (c.pos >= c.len)
			break;
		if (path[i].key)
			ok = c.s[c.pos] == '{' && enter_key(&c, path[i].key, &key_at);
		else
			ok = c.s[c.pos] == '[' && enter_index(&c, path[i].index);
		if (!ok) {
			c = save;
			break;
		}
		found = (key_pos && i == n - 1 && path[i].key) ? key_at : c.pos;
	}
	return found;
}

void json_line_col(const char *text, size_t len, size_t offset,
		   unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}
