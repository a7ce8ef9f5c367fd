// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "strv.h"
#include "sysfs.h"

/* Reads happen on the main thread and in the job worker (job.h). */
static pthread_mutex_t warned_lock = PTHREAD_MUTEX_INITIALIZER;
static char **warned;

static void warn_once(const char *path, int error)
{
	bool seen;

	pthread_mutex_lock(&warned_lock);
	seen = strv_contains(warned, path);
	/* If even remembering fails, we log again next time: harmless. */
	if (!seen)
		(void)strv_extend(&warned, path);
	pthread_mutex_unlock(&warned_lock);
	if (!seen)
		log_warning_errno(error, "Cannot read %s: %m (ignoring it from now on)", path);
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

int file_read(const char *path, char **ret)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f, *mem;
	char chunk[4096];
	size_t n;
	int r = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	mem = open_memstream(&buf, &size);
	if (!mem) {
		fclose(f);
		return -ENOMEM;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	if (ferror(f))
		r = -(errno ?: EIO);
	fclose(f);
	if (fclose(mem) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	return 0;
}

char *file_read_all(const char *path)
{
	char *buf = NULL;
	int r = file_read(path, &buf);

	if (r < 0) {
		if (r != -ENOENT)
			warn_once(path, -r);
		return NULL;
	}
	return buf;
}

int file_write(const char *path, const char *value, int flags)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

char *sysfs_read(const char *fmt, ...)
{
	_cleanup_free_ char *path = NULL;
	char buf[4096];
	ssize_t n;
	va_list ap;
	int fd;

	va_start(ap, fmt);
	path = vformat(fmt, ap);
	va_end(ap);
	if (!path)
		return NULL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			warn_once(path, errno);
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		/* Device gone mid-read is ENODEV/ENXIO: not worth a warning. */
		if (errno != ENODEV && errno != ENXIO)
			warn_once(path, errno);
		close(fd);
		return NULL;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

bool sysfs_exists(const char *fmt, ...)
{
	_cleanup_free_ char *path = NULL;
	va_list ap;

	va_start(ap, fmt);
	path = vformat(fmt, ap);
	va_end(ap);
	return path && access(path, F_OK) == 0;
}

char *sysfs_link_name(const char *fmt, ...)
{
	_cleanup_free_ char *path = NULL;
	char target[PATH_MAX];
	const char *base;
	ssize_t n;
	va_list ap;

	va_start(ap, fmt);
	path = vformat(fmt, ap);
	va_end(ap);
	if (!path)
		return NULL;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return NULL;
	target[n] = '\0';
	base = strrchr(target, '/');
	return strdup(base ? base + 1 : target);
}
