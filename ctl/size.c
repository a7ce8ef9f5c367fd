// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "size.h"

static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

const char *size_format(uint64_t bytes, char buf[static SIZE_BUF])
{
	unsigned int u = 0;
	uint64_t unit = 1, tenths;

	while (u + 1 < sizeof(units) / sizeof(*units) && bytes / unit >= 1024) {
		unit *= 1024;
		u++;
	}
	if (bytes % unit == 0) {
		snprintf(buf, SIZE_BUF, "%" PRIu64 " %s", bytes / unit, units[u]);
		return buf;
	}
	/* Rounded down: a size shown must never promise more than there is. */
	tenths = bytes / unit * 10 + bytes % unit * 10 / unit;
	snprintf(buf, SIZE_BUF, "%" PRIu64 ".%" PRIu64 " %s", tenths / 10, tenths % 10, units[u]);
	return buf;
}

static int parse_u64(const char *s, char **end, uint64_t *ret)
{
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end == s)
		return -EINVAL;
	*ret = v;
	return 0;
}

int number_parse(const char *s, uint64_t *ret)
{
	char *end;
	uint64_t v;
	int r = parse_u64(s, &end, &v);

	if (r < 0)
		return r;
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int unit_shift(const char *suffix, unsigned int *shift)
{
	static const char letters[] = "KMGTPE";
	const char *p;

	if (!*suffix || strcasecmp(suffix, "B") == 0) {
		*shift = 0;
		return 0;
	}
	p = strchr(letters, toupper((unsigned char)suffix[0]));
	if (!p)
		return -EINVAL;
	if (suffix[1] && strcasecmp(suffix + 1, "iB") != 0 && strcasecmp(suffix + 1, "B") != 0)
		return -EINVAL;
	*shift = 10 * (unsigned int)(p - letters + 1);
	return 0;
}

int size_parse(const char *s, uint64_t *ret)
{
	unsigned int shift;
	char *end;
	uint64_t v;
	int r = parse_u64(s, &end, &v);

	if (r < 0)
		return r;
	/* "0x10M" is nobody's idea of a size. */
	if (*end && (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		return -EINVAL;
	r = unit_shift(end, &shift);
	if (r < 0)
		return r;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret = v << shift;
	return 0;
}
