// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-path.h"

static bool is_plain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

char *bus_path_component(const char *name)
{
	static const char hex[] = "0123456789abcdef";
	char *out, *o;

	/* An empty component is not a valid path element. */
	if (!*name)
		return strdup("_");

	out = malloc(strlen(name) * 3 + 1);
	if (!out)
		return NULL;
	for (o = out; *name; name++) {
		unsigned char c = (unsigned char)*name;

		if (is_plain((char)c)) {
			*o++ = (char)c;
		} else if (c == '.') {
			*o++ = '_';
		} else {
			*o++ = '_';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

char *bus_path_for(const char *prefix, const char *name)
{
	char *comp = bus_path_component(name), *path = NULL;

	if (comp && asprintf(&path, "%s/%s", prefix, comp) < 0)
		path = NULL;
	free(comp);
	return path;
}
