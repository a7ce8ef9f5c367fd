// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <cxl/libcxl.h>
#include <daxctl/libdaxctl.h>

#include "lib-ctx.h"
#include "log.h"

static void quiet_cxl_log(struct cxl_ctx *ctx, int priority, const char *file, int line,
			  const char *fn, const char *format, va_list args)
{
	if (log_get_max_level() >= LOG_DEBUG)
		vfprintf(stderr, format, args);
}

static void quiet_daxctl_log(struct daxctl_ctx *ctx, int priority, const char *file,
			     int line, const char *fn, const char *format, va_list args)
{
	if (log_get_max_level() >= LOG_DEBUG)
		vfprintf(stderr, format, args);
}

int libcxl_open(struct cxl_ctx **ret)
{
	int r = cxl_new(ret);

	if (r < 0)
		return r;
	cxl_set_log_fn(*ret, quiet_cxl_log);
	return 0;
}

int libdaxctl_open(struct daxctl_ctx **ret)
{
	int r = daxctl_new(ret);

	if (r < 0)
		return r;
	daxctl_set_log_fn(*ret, quiet_daxctl_log);
	return 0;
}
