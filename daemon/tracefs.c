// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "sysfs.h"
#include "tracefs.h"

const char *tracefs_root(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing",
					     "/sys/kernel/debug/tracing" };

	for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
		char p[64];

		snprintf(p, sizeof(p), "%s/instances", roots[i]);
		if (access(p, F_OK) == 0)
			return roots[i];
	}
	return NULL;
}

static int instance_path(char *buf, size_t size, const char *name, const char *file)
{
	const char *root = tracefs_root();

	if (!root)
		return -ENOENT;
	if (snprintf(buf, size, "%s/instances/%s%s%s", root, name, file ? "/" : "",
		     file ?: "") >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

int tracefs_instance_setup(const char *name, const char *const *events, size_t n_events)
{
	char path[256];
	int r;

	r = instance_path(path, sizeof(path), name, NULL);
	if (r < 0)
		return r;
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	for (size_t i = 0; i < n_events; i++) {
		char file[128];

		snprintf(file, sizeof(file), "events/%s/enable", events[i]);
		r = instance_path(path, sizeof(path), name, file);
		if (r >= 0)
			r = file_write(path, "1\n", 0);
		if (r < 0)
			return r;
	}
	return 0;
}

int tracefs_instance_clear(const char *name)
{
	char path[256];
	int r;

	r = instance_path(path, sizeof(path), name, "trace");
	if (r < 0)
		return r;
	/* Opening "trace" for writing with O_TRUNC resets the buffer. */
	return file_write(path, "", O_TRUNC);
}

char *tracefs_instance_read(const char *name)
{
	char path[256];
	char *buf = NULL;
	int r;

	r = instance_path(path, sizeof(path), name, "trace");
	if (r >= 0)
		r = file_read(path, &buf);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	return buf;
}

int tracefs_instance_pipe(const char *name)
{
	char path[256];
	int fd, r;

	r = instance_path(path, sizeof(path), name, "trace_pipe");
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ---- parsing ---- */

/* The event fields: what follows "NAME: " after the timestamp. */
static const char *event_body(const char *line, const char *event)
{
	char tag[64];
	const char *p;

	snprintf(tag, sizeof(tag), " %s: ", event);
	p = strstr(line, tag);
	return p ? p + strlen(tag) : NULL;
}

static bool field(const char *body, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);

	for (const char *p = body; p && *p;) {
		size_t n;

		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			n = strcspn(p, " \n");
			if (n >= size)
				return false;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return true;
		}
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return false;
}

static bool field_u64(const char *body, const char *key, uint64_t *ret)
{
	char buf[32], *end;

	if (!field(body, key, buf, sizeof(buf)) || !*buf)
		return false;
	errno = 0;
	*ret = strtoull(buf, &end, 0);
	return errno == 0 && *end == '\0';
}

bool trace_line_field(const char *line, const char *key, char *buf, size_t size)
{
	/* "comm-pid [cpu] flags timestamp: event: fields" */
	const char *p = strstr(line, ": ");

	p = p ? strstr(p + 2, ": ") : NULL;
	return p && field(p + 2, key, buf, size);
}

int poison_record_parse(const char *line, struct poison_record *rec)
{
	const char *body = event_body(line, "cxl_poison");

	if (!body)
		return 0;
	*rec = (struct poison_record){};
	if (!field(body, "memdev", rec->memdev, sizeof(rec->memdev)) ||
	    !field(body, "trace_type", rec->type, sizeof(rec->type)) ||
	    !field(body, "region", rec->region, sizeof(rec->region)) ||
	    !field(body, "source", rec->source, sizeof(rec->source)) ||
	    !field_u64(body, "hpa", &rec->hpa) || !field_u64(body, "dpa", &rec->dpa) ||
	    !field_u64(body, "dpa_length", &rec->length))
		return -EBADMSG;
	return 1;
}
