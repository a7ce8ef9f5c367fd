/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

struct cxl_ctx;
struct daxctl_ctx;

/*
 * A libcxl (libdaxctl) context for one walk or one operation. The
 * libraries' own messages are debug noise to us (the errors they explain
 * we report ourselves), so they reach stderr only at debug level.
 * 0, or -errno from cxl_new() (daxctl_new()).
 */
int libcxl_open(struct cxl_ctx **ret);
int libdaxctl_open(struct daxctl_ctx **ret);
