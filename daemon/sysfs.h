/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "macro.h"

/*
 * Small helpers for the kernel's text files. Reads return a malloc'd
 * string with the trailing newline removed, or NULL; a failure other than
 * "does not exist" is logged once per path (sysfs surprises must not
 * flood the journal or stop the daemon).
 */
char *sysfs_read(const char *fmt, ...) _printf_(1, 2);
bool sysfs_exists(const char *fmt, ...) _printf_(1, 2);
/* The basename of a symlink's target (e.g. a device's driver), or NULL. */
char *sysfs_link_name(const char *fmt, ...) _printf_(1, 2);
/* Whole file, for /proc/iomem-sized files; NULL on error (logged once). */
char *file_read_all(const char *path);
/* The same, logging nothing: 0, or -errno. */
int file_read(const char *path, char **ret);
/*
 * @value to @path in one write(2), as the kernel's store handlers want it
 * (they see each write once; a zero-length one never reaches them), the
 * file opened O_WRONLY | @flags (e.g. O_TRUNC). 0, or -errno: -EIO if the
 * kernel took less than all of it. Nothing logged.
 */
int file_write(const char *path, const char *value, int flags);
