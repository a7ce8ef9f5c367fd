// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The driver of bench/uevent-latency (see there): the real cxlmemd on a
 * private bus over a recorded topology (tests/bus/fixture-bed.h); each
 * round changes one memdev attribute, sends its "change" uevent and times
 * until the PropertiesChanged carrying the new value arrives. Baseline,
 * interleaved round by round: the same testbed read by `cxl list -M -D -R
 * -T -d root`, what a client costs that re-reads the topology itself.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "bus-harness.h"
#include "bus-interfaces.h"
#include "fixture-bed.h"
#include "macro.h"

#define MEMDEV_IFACE "org.cxlmemd1.Memdev"

struct watch {
	const char *path;
	const char *want;	/* the FirmwareVersion waited for */
	uint64_t at_usec;	/* when it arrived, 0 not yet */
};

static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct watch *w = userdata;
	const char *iface, *name, *val;

	if (strcmp(sd_bus_message_get_path(m), w->path) != 0 ||
	    sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, MEMDEV_IFACE) != 0 ||
	    sd_bus_message_enter_container(m, 'a', "{sv}") <= 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		if (sd_bus_message_read(m, "s", &name) < 0)
			return 0;
		if (strcmp(name, "FirmwareVersion") == 0 &&
		    sd_bus_message_read(m, "v", "s", &val) > 0 && strcmp(val, w->want) == 0)
			w->at_usec = now_usec();
		else
			sd_bus_message_skip(m, "v");
		sd_bus_message_exit_container(m);
	}
	return 0;
}

static int wait_changed(struct bus_env *e, struct watch *w, int timeout_ms)
{
	uint64_t end = now_usec() + (uint64_t)timeout_ms * 1000;

	while (!w->at_usec) {
		uint64_t now = now_usec();

		if (now >= end)
			return -ETIMEDOUT;
		while (sd_bus_process(e->client, NULL) > 0 && !w->at_usec)
			;
		if (!w->at_usec)
			sd_bus_wait(e->client, end - now);
	}
	return 0;
}

static int wait_serving(struct bus_env *e)
{
	char msg[256];

	for (int waited = 0; waited < 10000; waited += 50) {
		int r = bus_env_read_notify(e, msg, sizeof(msg), 50);

		if (r < 0)
			return r;
		if (r > 0 && strstr(msg, "READY=1"))
			break;
	}
	for (int waited = 0; waited < 10000; waited += 20) {
		if (bus_env_name_has_owner(e, CXLMEMD_BUS_NAME))
			return 0;
		usleep(20 * 1000);
	}
	return -ETIMEDOUT;
}

/* Wall time of one `cxl list` over the testbed, in microseconds. */
static int64_t time_cxl_list(struct fixture_bed *b)
{
	uint64_t t0 = now_usec();
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		for (char *const *kv = fixture_bed_env(b); *kv; kv++)
			putenv(*kv);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execlp("cxl", "cxl", "list", "-M", "-D", "-R", "-T", "-d", "root", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
	return (int64_t)(now_usec() - t0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted @v. */
static double pct_ms(const uint64_t *v, size_t n, unsigned p)
{
	size_t rank = (p * n + 99) / 100;

	return v[rank ? rank - 1 : 0] / 1000.0;
}

static void print_row(const char *what, uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("%-28s %8.1f %8.1f %8.1f %8.1f\n", what, pct_ms(v, n, 50), pct_ms(v, n, 90),
	       pct_ms(v, n, 99), v[n - 1] / 1000.0);
}

static int run(struct bus_env *e, struct fixture_bed *b, const char *memdev, int rounds,
	       uint64_t *lat, uint64_t *base)
{
	_cleanup_free_ char *sys = fixture_bed_syspath(b, "cxl", memdev);
	char path[128], fw[64];
	struct watch w = { .path = path, .want = fw };
	int r;

	if (!sys) {
		fprintf(stderr, "uevent-latency: no %s in the fixture\n", memdev);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "/org/cxlmemd1/memdev/%s", memdev);
	r = sd_bus_add_match(e->client, NULL,
			     "type='signal',interface='org.freedesktop.DBus.Properties',"
			     "member='PropertiesChanged',path_namespace='/org/cxlmemd1'",
			     on_changed, &w);
	if (r < 0)
		return r;

	for (int i = 0; i < rounds; i++) {
		int64_t t;
		uint64_t t0;

		snprintf(fw, sizeof(fw), "bench-%d", i);
		w.at_usec = 0;
		r = fixture_bed_set_attribute(b, sys, "firmware_version", fw);
		if (r < 0)
			return r;
		t0 = now_usec();
		fixture_bed_uevent(b, sys, "change");
		r = wait_changed(e, &w, 10000);
		if (r < 0) {
			fprintf(stderr, "uevent-latency: round %d: no PropertiesChanged\n", i);
			return r;
		}
		lat[i] = w.at_usec - t0;

		/* The baseline, with the daemon idle again. */
		t = time_cxl_list(b);
		if (t < 0) {
			fprintf(stderr, "uevent-latency: cxl list failed\n");
			return (int)t;
		}
		base[i] = (uint64_t)t;
		if (getenv("BENCH_VERBOSE"))
			fprintf(stderr, "round %3d: cxlmemd %6.1f ms, cxl list %6.1f ms\n", i,
				lat[i] / 1000.0, base[i] / 1000.0);
	}
	return 0;
}

int main(int argc, char *argv[])
{
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	const char *memdev = argc > 2 ? argv[2] : "mem3";
	struct fixture_bed *b = NULL;
	uint64_t *lat, *base;
	struct bus_env e;
	int r;

	if (rounds < 1) {
		fprintf(stderr, "usage: %s [ROUNDS [MEMDEV]]\n", argv[0]);
		return 2;
	}
	if (fixture_bed_preload_self(argv) < 0)
		return 1;
	lat = calloc((size_t)rounds, sizeof(*lat));
	base = calloc((size_t)rounds, sizeof(*base));
	if (!lat || !base)
		return 1;

	r = bus_env_start(&e);
	if (r >= 0)
		r = fixture_bed_new("cxltest", &b);
	if (r >= 0)
		r = bus_env_start_daemon(&e, fixture_bed_env(b));
	if (r >= 0)
		r = wait_serving(&e);
	if (r >= 0)
		r = run(&e, b, memdev, rounds, lat, base);
	bus_env_stop(&e);
	fixture_bed_free(b);
	if (r < 0) {
		fprintf(stderr, "uevent-latency: %s\n", strerror(-r));
		return 1;
	}

	printf("uevent -> signal, cxltest fixture, %d change uevents on %s (ms)\n", rounds,
	       memdev);
	printf("%-28s %8s %8s %8s %8s\n", "", "p50", "p90", "p99", "max");
	print_row("cxlmemd PropertiesChanged", lat, (size_t)rounds);
	print_row("cxl list (baseline)", base, (size_t)rounds);
	printf("%-28s %8.2fx %7s %8.2fx\n", "ratio cxlmemd / cxl list",
	       pct_ms(lat, (size_t)rounds, 50) / pct_ms(base, (size_t)rounds, 50), "",
	       pct_ms(lat, (size_t)rounds, 99) / pct_ms(base, (size_t)rounds, 99));
	printf("target: p99 <= 100 ms: %s\n",
	       pct_ms(lat, (size_t)rounds, 99) <= 100.0 ? "met" : "NOT met");
	free(lat);
	free(base);
	return 0;
}
