// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <umockdev.h>

#include "fixture-bed.h"

/* Subsystems that are buses in the kernel, where libcxl/libdaxctl look. */
static const char *const bus_subsystems[] = { "cxl", "dax" };

struct fixture_bed {
	UMockdevTestbed *bed;
	char *dir;		/* where NAME.umockdev is; NULL: the fixtures */
	char *name;
	char *root;		/* the testbed: UMOCKDEV_DIR */
	char *record;		/* the fixture's text, to restore devices from */
	char *env_strings[4];
	char *env[5];
};

static char *strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

/* snprintf into a PATH_MAX buffer; a path that does not fit is an error. */
static int pathf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int pathf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	return n < 0 ? -EINVAL : n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

char *fixture_bed_file(struct fixture_bed *b, const char *suffix)
{
	const char *src = getenv("CXLMEMD_SOURCE_ROOT");

	if (b->dir)
		return strdup_printf("%s/%s.%s", b->dir, b->name, suffix);
	return src ? strdup_printf("%s/tests/bus/fixtures/%s.%s", src, b->name, suffix) : NULL;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if (pathf(buf, "%s", path) < 0)
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The device directory's "driver" link points at a directory: make it. */
static int make_driver_dir(const char *devdir)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	if (pathf(link, "%s/driver", devdir) < 0)
		return -ENAMETOOLONG;
	n = readlink(link, target, PATH_MAX - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	target[n] = '\0';
	if (pathf(link, "%s/%s", devdir, target) < 0)
		return -ENAMETOOLONG;
	return mkdir_p(link);
}

/*
 * /sys/bus/SUB/devices/NAME -> ../../../devices/..., for the device
 * directory @devdir (absolute, inside the testbed).
 */
static int link_bus_device(struct fixture_bed *b, const char *sub, const char *devdir)
{
	const char *name = strrchr(devdir, '/') + 1;
	char dir[PATH_MAX], link[PATH_MAX], target[PATH_MAX];
	size_t rootlen = strlen(b->root);
	int r;

	if (strncmp(devdir, b->root, rootlen) != 0 ||
	    strncmp(devdir + rootlen, "/sys/devices/", 13) != 0)
		return -EINVAL;
	r = pathf(dir, "%s/sys/bus/%s/devices", b->root, sub);
	if (r >= 0)
		r = mkdir_p(dir);
	if (r >= 0)
		r = pathf(link, "%s/%s", dir, name);
	if (r >= 0)
		r = pathf(target, "../../..%s", devdir + rootlen + 4);
	if (r < 0)
		return r;
	if (symlink(target, link) < 0 && errno != EEXIST)
		return -errno;
	return make_driver_dir(devdir);
}

/* Give every /sys/class/SUB/NAME of a bus subsystem its bus twin. */
static int link_bus(struct fixture_bed *b, const char *sub)
{
	char dir[PATH_MAX], path[PATH_MAX], real[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r = 0;

	pathf(dir, "%s/sys/class/%s", b->root, sub);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (r >= 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		pathf(path, "%s/%s", dir, de->d_name);
		if (!realpath(path, real)) {
			r = -errno;
			break;
		}
		r = link_bus_device(b, sub, real);
	}
	closedir(d);
	return r;
}

/* Devices umockdev did put on a bus still need their drivers' dirs. */
static int make_bus_driver_dirs(struct fixture_bed *b, const char *sub)
{
	char dir[PATH_MAX], path[PATH_MAX], real[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r = 0;

	pathf(dir, "%s/sys/bus/%s/devices", b->root, sub);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (r >= 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		pathf(path, "%s/%s", dir, de->d_name);
		r = realpath(path, real) ? make_driver_dir(real) : -errno;
	}
	closedir(d);
	return r;
}

static int link_buses(struct fixture_bed *b)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < sizeof(bus_subsystems) / sizeof(*bus_subsystems); i++) {
		r = link_bus(b, bus_subsystems[i]);
		if (r >= 0)
			r = make_bus_driver_dirs(b, bus_subsystems[i]);
	}
	return r;
}

static char *read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/*
 * umockdev_testbed_add_from_file() of the whole text, one chunk of
 * records at a time: umockdev 0.17's parser copies the rest of its input
 * for every record, quadratic in the file's size (a 1.8 MB synthetic tree
 * took 89 s to load, this way it takes a few). A record never spans a
 * blank line, so the chunks are the same records in the same order.
 */
static int add_records(UMockdevTestbed *bed, const char *text, GError **error)
{
	enum { CHUNK = 32 * 1024 };
	const char *p = text;

	while (*p) {
		const char *end = p + strnlen(p, CHUNK);
		char *chunk;
		gboolean ok;

		/* Cut after the last record that ends in this chunk. */
		if (*end) {
			const char *cut = NULL;

			for (const char *q = strstr(p, "\n\n"); q && q < end; q = strstr(q + 1, "\n\n"))
				cut = q + 2;
			if (cut)
				end = cut;
			else
				end = (cut = strstr(end, "\n\n")) ? cut + 2 : p + strlen(p);
		}
		chunk = strndup(p, (size_t)(end - p));
		if (!chunk)
			return -ENOMEM;
		ok = umockdev_testbed_add_from_string(bed, chunk, error);
		free(chunk);
		if (!ok)
			return -EINVAL;
		p = end;
	}
	return 0;
}

int fixture_bed_new_at(const char *dir, const char *name, struct fixture_bed **ret)
{
	struct fixture_bed *b;
	GError *error = NULL;
	const char *asan;
	char *path = NULL;
	int r = -ENOMEM;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->name = strdup(name);
	if (!b->name || (dir && !(b->dir = strdup(dir))))
		goto fail;
	path = fixture_bed_file(b, "umockdev");
	if (!path)
		goto fail;
	b->record = read_file(path);
	if (!b->record) {
		r = -errno ?: -EIO;
		fprintf(stderr, "fixture-bed: cannot read %s: %m\n", path);
		goto fail;
	}

	b->bed = umockdev_testbed_new();
	b->root = umockdev_testbed_get_root_dir(b->bed);
	r = add_records(b->bed, b->record, &error);
	if (r < 0) {
		fprintf(stderr, "fixture-bed: cannot load %s: %s\n", path,
			error ? error->message : strerror(-r));
		if (error)
			g_error_free(error);
		goto fail;
	}
	r = link_buses(b);
	if (r < 0) {
		fprintf(stderr, "fixture-bed: cannot link the bus devices: %s\n", strerror(-r));
		goto fail;
	}

	free(path);
	path = fixture_bed_file(b, "iomem");
	b->env_strings[0] = strdup("LD_PRELOAD=libumockdev-preload.so.0");
	b->env_strings[1] = strdup_printf("UMOCKDEV_DIR=%s", b->root);
	b->env_strings[2] = path ? strdup_printf("CXLMEMD_IOMEM=%s", path) : NULL;
	/* ASan wants its runtime first in the library list; the preload is. */
	asan = getenv("ASAN_OPTIONS");
	b->env_strings[3] = strdup_printf("ASAN_OPTIONS=%s%sverify_asan_link_order=0",
					  asan ?: "", asan && *asan ? ":" : "");
	for (int i = 0; i < 4; i++) {
		if (!b->env_strings[i]) {
			r = -ENOMEM;
			goto fail;
		}
		b->env[i] = b->env_strings[i];
	}
	free(path);
	*ret = b;
	return 0;
fail:
	free(path);
	fixture_bed_free(b);
	return r;
}

int fixture_bed_new(const char *name, struct fixture_bed **ret)
{
	return fixture_bed_new_at(NULL, name, ret);
}

void fixture_bed_free(struct fixture_bed *b)
{
	if (!b)
		return;
	/* Unref removes the testbed's directory. */
	if (b->bed)
		g_object_unref(b->bed);
	g_free(b->root);
	free(b->record);
	free(b->name);
	free(b->dir);
	for (int i = 0; i < 4; i++)
		free(b->env_strings[i]);
	free(b);
}

char *const *fixture_bed_env(struct fixture_bed *b)
{
	return b->env;
}

char *fixture_bed_syspath(struct fixture_bed *b, const char *subsystem, const char *name)
{
	char link[PATH_MAX], real[PATH_MAX];
	size_t rootlen = strlen(b->root);

	if (pathf(link, "%s/sys/bus/%s/devices/%s", b->root, subsystem, name) < 0 ||
	    !realpath(link, real) || strncmp(real, b->root, rootlen) != 0)
		return NULL;
	return strdup(real + rootlen);
}

int fixture_bed_set_attribute(struct fixture_bed *b, const char *syspath, const char *attr,
			      const char *value)
{
	/* umockdev_testbed_set_attribute() gives no error; check ourselves. */
	char path[PATH_MAX];

	if (pathf(path, "%s%s/%s", b->root, syspath, attr) < 0)
		return -ENAMETOOLONG;
	if (access(path, F_OK) < 0)
		return -errno;
	umockdev_testbed_set_attribute(b->bed, syspath, attr, value);
	return 0;
}

void fixture_bed_uevent(struct fixture_bed *b, const char *syspath, const char *action)
{
	umockdev_testbed_uevent(b->bed, syspath, action);
}

/* Unlink every link in @dir that resolves into the tree at @devdir. */
static void unlink_links_into(const char *dir, const char *devdir)
{
	char path[PATH_MAX], real[PATH_MAX];
	size_t len = strlen(devdir);
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		pathf(path, "%s/%s", dir, de->d_name);
		if (realpath(path, real) && strncmp(real, devdir, len) == 0 &&
		    (real[len] == '\0' || real[len] == '/'))
			unlink(path);
	}
	closedir(d);
}

/* Each /sys/class/X and /sys/bus/X/devices in the testbed. */
static void unlink_subsystem_links(struct fixture_bed *b, const char *devdir)
{
	static const char *const kinds[][2] = { { "class", "" }, { "bus", "/devices" } };
	char dir[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;

	for (size_t k = 0; k < 2; k++) {
		DIR *d;

		pathf(dir, "%s/sys/%s", b->root, kinds[k][0]);
		d = opendir(dir);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			pathf(sub, "%s/%s%s", dir, de->d_name, kinds[k][1]);
			unlink_links_into(sub, devdir);
		}
		closedir(d);
	}
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -errno : 0;
}

int fixture_bed_remove(struct fixture_bed *b, const char *syspath)
{
	char devdir[PATH_MAX];

	if (pathf(devdir, "%s%s", b->root, syspath) < 0)
		return -ENAMETOOLONG;
	if (access(devdir, F_OK) < 0)
		return -errno;
	unlink_subsystem_links(b, devdir);
	/*
	 * Not umockdev_testbed_remove_device(): it deletes the /dev node
	 * too, and 0.17 cannot create that node again for the restore
	 * (its node table keeps the name: an assertion aborts). The node
	 * is not what the daemon watches, and libcxl needs it to list the
	 * memdev once the sysfs directory is back: it stays.
	 */
	return nftw(devdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Is the record starting at @rec ("P: /devices/...") @devpath or below it? */
static bool record_under(const char *rec, const char *devpath)
{
	size_t len = strlen(devpath);

	if (strncmp(rec, "P: ", 3) != 0)
		return false;
	rec += 3;
	return strncmp(rec, devpath, len) == 0 && (rec[len] == '\n' || rec[len] == '/');
}

static int cmp_record_depth(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

	return (la > lb) - (la < lb);
}

/* The records of @devpath and its children, parents first. */
static char *records_under(const char *text, const char *devpath)
{
	const char *recs[256];
	size_t n = 0, size = 0;
	char *out = NULL;
	FILE *f;

	for (const char *p = text; p && *p;) {
		if (record_under(p, devpath) && n < sizeof(recs) / sizeof(*recs))
			recs[n++] = p;
		p = strstr(p, "\n\n");
		p = p ? p + 2 : NULL;
	}
	if (n == 0)
		return NULL;
	qsort(recs, n, sizeof(*recs), cmp_record_depth);
	f = open_memstream(&out, &size);
	if (!f)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *end = strstr(recs[i], "\n\n") ?: recs[i] + strlen(recs[i]);

		/*
		 * Nothing of the /dev node ("N:", DEVNAME): it stayed
		 * (fixture_bed_remove), and umockdev would abort making it.
		 */
		for (const char *l = recs[i]; l < end;) {
			const char *eol = memchr(l, '\n', (size_t)(end - l)) ?: end;

			if (strncmp(l, "N: ", 3) != 0 && strncmp(l, "E: DEVNAME=", 11) != 0)
				fprintf(f, "%.*s\n", (int)(eol - l), l);
			l = eol + 1;
		}
		fputs("\n", f);
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* SUBSYSTEM= of the record at @rec, if it is one of the bus subsystems. */
static const char *record_bus(const char *rec)
{
	const char *end = strstr(rec, "\n\n") ?: rec + strlen(rec);

	for (size_t i = 0; i < sizeof(bus_subsystems) / sizeof(*bus_subsystems); i++) {
		char key[64];
		const char *p;

		snprintf(key, sizeof(key), "\nE: SUBSYSTEM=%s\n", bus_subsystems[i]);
		p = strstr(rec, key);
		if (p && p < end)
			return bus_subsystems[i];
	}
	return NULL;
}

int fixture_bed_restore(struct fixture_bed *b, const char *syspath)
{
	const char *devpath = syspath + 4;	/* umockdev records drop "/sys" */
	GError *error = NULL;
	char *recs;
	int r = 0;

	if (strncmp(syspath, "/sys/", 5) != 0)
		return -EINVAL;
	recs = records_under(b->record, devpath);
	if (!recs)
		return -ENOENT;
	if (!umockdev_testbed_add_from_string(b->bed, recs, &error)) {
		fprintf(stderr, "fixture-bed: cannot restore %s: %s\n", syspath, error->message);
		g_error_free(error);
		free(recs);
		return -EINVAL;
	}
	for (const char *p = recs; r >= 0 && p && *p;) {
		const char *sub = record_bus(p);

		if (sub) {
			char devdir[PATH_MAX];
			size_t len = strcspn(p + 3, "\n");

			r = pathf(devdir, "%s/sys%.*s", b->root, (int)len, p + 3);
			if (r >= 0)
				r = link_bus_device(b, sub, devdir);
		}
		p = strstr(p, "\n\n");
		p = p ? p + 2 : NULL;
	}
	free(recs);
	return r;
}

/* The record of @devpath ("/devices/..."), up to its end. */
static const char *find_record(const char *text, const char *devpath, size_t *len)
{
	size_t n = strlen(devpath);

	for (const char *p = text; p && *p;) {
		const char *end = strstr(p, "\n\n") ?: p + strlen(p);

		if (strncmp(p, "P: ", 3) == 0 && strncmp(p + 3, devpath, n) == 0 &&
		    p[3 + n] == '\n') {
			*len = (size_t)(end - p);
			return p;
		}
		p = *end ? end + 2 : NULL;
	}
	return NULL;
}

char *fixture_bed_recorded(struct fixture_bed *b, const char *syspath, const char *key)
{
	size_t len = 0, klen = strlen(key);
	const char *rec = find_record(b->record, syspath + 4, &len);

	for (const char *l = rec; l && l < rec + len;) {
		const char *eol = memchr(l, '\n', (size_t)(rec + len - l)) ?: rec + len;

		if ((size_t)(eol - l) > klen && strncmp(l, key, klen) == 0 && l[klen] == '=') {
			const char *v = l + klen + 1;
			size_t vlen = (size_t)(eol - v);

			if (vlen >= 2 && strncmp(eol - 2, "\\n", 2) == 0)
				vlen -= 2;
			return strndup(v, vlen);
		}
		l = eol + 1;
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

char **fixture_bed_devices(struct fixture_bed *b, const char *subsystem)
{
	char dir[PATH_MAX];
	struct dirent *de;
	char **v = NULL;
	size_t n = 0;
	DIR *d;

	pathf(dir, "%s/sys/bus/%s/devices", b->root, subsystem);
	d = opendir(dir);
	v = calloc(1, sizeof(char *));
	if (!d || !v) {
		if (d)
			closedir(d);
		return v;
	}
	while ((de = readdir(d))) {
		char **nv;

		if (de->d_name[0] == '.')
			continue;
		nv = realloc(v, (n + 2) * sizeof(char *));
		if (!nv)
			break;
		v = nv;
		v[n] = strdup(de->d_name);
		v[++n] = NULL;
	}
	closedir(d);
	qsort(v, n, sizeof(char *), cmp_str);
	return v;
}

int fixture_bed_preload_self(char *argv[])
{
	const char *pre = getenv("LD_PRELOAD");
	char *val;

	if (pre && strstr(pre, "libumockdev-preload"))
		return 0;
	val = pre && *pre ? strdup_printf("libumockdev-preload.so.0 %s", pre) :
			    strdup("libumockdev-preload.so.0");
	if (!val || setenv("LD_PRELOAD", val, 1) < 0)
		return -ENOMEM;
	free(val);
	/*
	 * An ASan build insists that its runtime comes first in the initial
	 * library list; the preload comes first. Harmless elsewhere, and
	 * the daemon inherits it.
	 */
	pre = getenv("ASAN_OPTIONS");
	val = strdup_printf("%s%sverify_asan_link_order=0", pre ?: "", pre && *pre ? ":" : "");
	if (!val || setenv("ASAN_OPTIONS", val, 1) < 0)
		return -ENOMEM;
	free(val);
	execv("/proc/self/exe", argv);
	fprintf(stderr, "fixture-bed: cannot re-execute under libumockdev-preload: %m\n");
	return -errno;
}
