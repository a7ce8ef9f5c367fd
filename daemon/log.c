// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int max_level = LOG_INFO;

void log_set_max_level(int level)
{
	max_level = level;
}

int log_get_max_level(void)
{
	return max_level;
}

static bool stderr_is_journal(void)
{
	static int cached = -1;

	if (cached < 0)
		cached = getenv("JOURNAL_STREAM") != NULL;
	return cached;
}

int log_internal(int level, int error, const char *file, int line,
		 const char *fmt, ...)
{
	int saved_errno = errno;
	char msg[1024];
	va_list ap;

	if (error < 0)
		error = -error;

	if (level <= max_level) {
		/* %m in fmt refers to the error being logged, not to errno. */
		errno = error;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);

		if (stderr_is_journal())
			fprintf(stderr, "<%d>%s\n", level, msg);
		else if (max_level >= LOG_DEBUG)
			fprintf(stderr, "%s:%d: %s\n", file, line, msg);
		else
			fprintf(stderr, "%s\n", msg);
	}

	errno = saved_errno;
	return -error;
}
