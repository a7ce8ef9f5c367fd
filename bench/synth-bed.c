// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "bus-interfaces.h"
#include "synth-bed.h"

uint64_t synth_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

double synth_pct_ms(uint64_t *v, size_t n, unsigned p)
{
	size_t rank = (p * n + 99) / 100;

	qsort(v, n, sizeof(*v), cmp_u64);
	return v[rank ? rank - 1 : 0] / 1000.0;
}

static long json_long(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (long)json_object_get_int64(v) : -1;
}

int synth_read_counts(const char *dir, const char *name, struct synth_counts *ret)
{
	char path[4096];
	struct json_object *o;

	snprintf(path, sizeof(path), "%s/%s.counts.json", dir, name);
	o = json_object_from_file(path);
	if (!o) {
		fprintf(stderr, "synth: cannot read %s (run bench/synth-tree)\n", path);
		return -ENOENT;
	}
	*ret = (struct synth_counts){
		.memdevs = json_long(o, "memdevs"),
		.regions = json_long(o, "regions"),
		.windows = json_long(o, "windows"),
		.dax_devices = json_long(o, "dax_devices"),
		.decoders = json_long(o, "listed_decoders"),
	};
	json_object_put(o);
	return 0;
}

/* Everything @fd gives until EOF, NUL-terminated. */
static char *read_all_fd(int fd)
{
	size_t len = 0, size = 65536;
	char *buf = malloc(size);

	while (buf) {
		ssize_t n;

		if (len + 1 >= size) {
			char *nb = realloc(buf, size *= 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

int synth_run(struct fixture_bed *b, char *const *argv, char **out, uint64_t *usec,
	      struct rusage *ru)
{
	uint64_t t0 = synth_now_usec();
	int pfd[2] = { -1, -1 }, status;
	struct rusage usage;
	char *text = NULL;
	pid_t pid;

	if (out && pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = out ? pfd[1] : open("/dev/null", O_WRONLY | O_CLOEXEC);

		for (char *const *kv = fixture_bed_env(b); *kv; kv++)
			putenv(*kv);
		if (fd >= 0)
			dup2(fd, STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (out) {
		close(pfd[1]);
		text = read_all_fd(pfd[0]);
		close(pfd[0]);
	}
	if (wait4(pid, &status, 0, &usage) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		free(text);
		return -EIO;
	}
	if (usec)
		*usec = synth_now_usec() - t0;
	if (ru)
		*ru = usage;
	if (out) {
		if (!text)
			return -ENOMEM;
		*out = text;
	}
	return 0;
}

int synth_run_cxl(struct fixture_bed *b, const char *const *argv, char **out, uint64_t *usec)
{
	const char *args[16] = { "cxl" };
	size_t n = 1;

	for (; argv[n - 1] && n < 15; n++)
		args[n] = argv[n - 1];
	args[n] = NULL;
	return synth_run(b, (char *const *)args, out, usec, NULL);
}

/* Add the length of array @key of @o (absent: 0) to *@n. */
static void add_array(struct json_object *o, const char *key, long *n)
{
	struct json_object *a;

	if (json_object_object_get_ex(o, key, &a) && json_object_is_type(a, json_type_array))
		*n += (long)json_object_array_length(a);
}

static bool is_root_decoder(struct json_object *d)
{
	/* Root decoders (windows) carry their capability flags. */
	return json_object_object_get_ex(d, "volatile_capable", NULL) ||
	       json_object_object_get_ex(d, "pmem_capable", NULL);
}

int synth_count_cxl_list(const char *json, struct synth_counts *ret)
{
	struct json_object *top = json_tokener_parse(json);

	*ret = (struct synth_counts){};
	if (!top || !json_object_is_type(top, json_type_array)) {
		json_object_put(top);
		return -EBADMSG;
	}
	/* -M -D -R together: one object per kind, each holding its array. */
	for (size_t i = 0; i < json_object_array_length(top); i++) {
		struct json_object *o = json_object_array_get_idx(top, i);

		add_array(o, "memdevs", &ret->memdevs);
		add_array(o, "regions", &ret->regions);
		/* "root decoders", "port decoders", "endpoint decoders" */
		json_object_object_foreach(o, key, val) {
			size_t len = strlen(key);

			if (len < 8 || strcmp(key + len - 8, "decoders") != 0 ||
			    !json_object_is_type(val, json_type_array))
				continue;
			for (size_t k = 0; k < json_object_array_length(val); k++) {
				struct json_object *d = json_object_array_get_idx(val, k);

				ret->decoders++;
				if (!is_root_decoder(d))
					continue;
				ret->windows++;
				/* A window's regions: "regions:decoder0.N". */
				json_object_object_foreach(d, dkey, dval) {
					if (strncmp(dkey, "regions:", 8) == 0 &&
					    json_object_is_type(dval, json_type_array))
						ret->regions += (long)
							json_object_array_length(dval);
				}
			}
		}
	}
	json_object_put(top);
	return 0;
}

int synth_daemon_counts(struct bus_env *e, struct synth_counts *ret)
{
	static const char *const props[] = { "NMemdevs", "NRegions", "NWindows", "NDaxDevices" };
	long *dst[] = { &ret->memdevs, &ret->regions, &ret->windows, &ret->dax_devices };

	*ret = (struct synth_counts){ .decoders = -1 };
	for (size_t i = 0; i < 4; i++) {
		sd_bus_error err = SD_BUS_ERROR_NULL;
		uint32_t v;
		int r = sd_bus_get_property_trivial(e->client, CXLMEMD_BUS_NAME,
						    CXLMEMD_OBJECT_ROOT, "org.cxlmemd1.Manager",
						    props[i], &err, 'u', &v);

		if (r < 0) {
			fprintf(stderr, "synth: %s: %s\n", props[i], err.message ?: strerror(-r));
			sd_bus_error_free(&err);
			return r;
		}
		*dst[i] = v;
	}
	return 0;
}

static bool same(long got, long want)
{
	return want < 0 || got == want;
}

int synth_verify(struct fixture_bed *b, struct bus_env *e, const struct synth_counts *want)
{
	static const char *const list[] = { "list", "-M", "-D", "-R", "-u", NULL };
	struct synth_counts c;
	char *json = NULL;
	bool ok;
	int r;

	r = synth_run_cxl(b, list, &json, NULL);
	if (r >= 0)
		r = synth_count_cxl_list(json, &c);
	free(json);
	if (r < 0) {
		fprintf(stderr, "synth: cxl list -M -D -R -u failed: %s\n", strerror(-r));
		return r;
	}
	ok = same(c.memdevs, want->memdevs) && same(c.regions, want->regions) &&
	     same(c.windows, want->windows) && same(c.decoders, want->decoders);
	fprintf(stderr, "check: cxl list -M -D -R -u sees %ld memdevs, %ld regions, %ld windows, "
		"%ld decoders (tree: %ld, %ld, %ld, %ld): %s\n", c.memdevs, c.regions, c.windows,
		c.decoders, want->memdevs, want->regions, want->windows, want->decoders,
		ok ? "all" : "NOT ALL");
	if (!ok)
		return -EBADMSG;
	if (!e)
		return 0;
	r = synth_daemon_counts(e, &c);
	if (r < 0)
		return r;
	ok = same(c.memdevs, want->memdevs) && same(c.regions, want->regions) &&
	     same(c.windows, want->windows) && same(c.dax_devices, want->dax_devices);
	fprintf(stderr, "check: cxlmemd sees %ld memdevs, %ld regions, %ld windows, %ld dax "
		"devices (tree: %ld, %ld, %ld, %ld): %s\n", c.memdevs, c.regions, c.windows,
		c.dax_devices, want->memdevs, want->regions, want->windows, want->dax_devices,
		ok ? "all" : "NOT ALL");
	return ok ? 0 : -EBADMSG;
}

int synth_wait_ready(struct bus_env *e, int timeout_ms)
{
	uint64_t end = synth_now_usec() + (uint64_t)timeout_ms * 1000;
	char msg[256];

	for (;;) {
		int r = bus_env_read_notify(e, msg, sizeof(msg), 50);

		if (r < 0)
			return r;
		if (r > 0 && strstr(msg, "READY=1"))
			break;
		if (synth_now_usec() > end)
			return -ETIMEDOUT;
	}
	return bus_env_wait_name(e, timeout_ms);
}
