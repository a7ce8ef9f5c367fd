// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The driver of bench/startup, bench/query, bench/footprint and
 * bench/callgrind-startup (see there for what each measures and why):
 *
 *   synth-bench startup   DIR ROUNDS NAME...
 *   synth-bench query     DIR CALLS LIST_ROUNDS NAME...
 *   synth-bench footprint DIR IDLE_SECONDS NAME...
 *   synth-bench callgrind DIR OUTDIR NAME...
 *
 * Each NAME is a tree DIR/NAME.{umockdev,iomem,counts.json} from
 * bench/synth-tree. Every tree
 * is loaded once, then checked (synth_verify: `cxl list -M -D -R -u` and
 * the daemon both see all of it) before anything is timed; the daemon's
 * stderr goes to a log file. Prints tables; asserts nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus-interfaces.h"
#include "synth-bed.h"

static const char *const cxl_list[] = { "list", "-M", "-D", "-R", "-u", NULL };

struct tree {
	const char *name;
	struct fixture_bed *bed;
	struct synth_counts want;
};

static int load(const char *dir, const char *name, struct tree *t)
{
	uint64_t t0 = synth_now_usec();
	int r;

	t->name = name;
	r = synth_read_counts(dir, name, &t->want);
	if (r < 0)
		return r;
	r = fixture_bed_new_at(dir, name, &t->bed);
	if (r < 0)
		return r;
	fprintf(stderr, "%s: loaded into a testbed in %.1f s\n", name,
		(synth_now_usec() - t0) / 1e6);
	return 0;
}

static int start_daemon(struct bus_env *e, struct tree *t, uint64_t *ready_usec)
{
	uint64_t t0 = synth_now_usec();
	int r;

	e->capture_log = true;
	r = bus_env_start_daemon(e, fixture_bed_env(t->bed));
	if (r < 0)
		return r;
	/* READY=1 comes before the name: time it alone. */
	for (;;) {
		char msg[256];

		r = bus_env_read_notify(e, msg, sizeof(msg), bus_env_timeout_ms(600000));
		if (r <= 0) {
			fprintf(stderr, "%s: no READY=1 from cxlmemd\n", t->name);
			return r < 0 ? r : -ETIMEDOUT;
		}
		if (strstr(msg, "READY=1"))
			break;
	}
	if (ready_usec)
		*ready_usec = synth_now_usec() - t0;
	return bus_env_wait_name(e, bus_env_timeout_ms(60000));
}

/* Start the daemon once on @t and check both sides see the whole tree. */
static int verify(struct bus_env *e, struct tree *t)
{
	int r = start_daemon(e, t, NULL);

	if (r >= 0)
		r = synth_verify(t->bed, e, &t->want);
	if (bus_env_stop_daemon(e) < 0 && r >= 0)
		r = -EIO;
	return r;
}

static double median_ms(uint64_t *v, size_t n)
{
	return synth_pct_ms(v, n, 50);
}

/* --- Figure 1: exec to READY=1 vs one `cxl list -M -D -R -u` --------- */

static int startup(struct bus_env *e, struct tree *trees, size_t n, int rounds)
{
	double daemon_ms[16], list_ms[16];
	uint64_t *d = calloc((size_t)rounds, sizeof(*d)), *l = calloc((size_t)rounds, sizeof(*l));
	int r = 0;

	if (!d || !l)
		return -ENOMEM;
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = verify(e, &trees[i]);
		/* Interleaved, the order alternating, so drift hits both alike. */
		for (int k = 0; k < rounds && r >= 0; k++)
			for (int side = 0; side < 2 && r >= 0; side++) {
				if ((side + k) % 2 == 0) {
					r = start_daemon(e, &trees[i], &d[k]);
					if (bus_env_stop_daemon(e) < 0 && r >= 0)
						r = -EIO;
				} else {
					r = synth_run_cxl(trees[i].bed, cxl_list, NULL, &l[k]);
				}
			}
		if (r < 0)
			break;
		if (getenv("BENCH_VERBOSE"))
			for (int k = 0; k < rounds; k++)
				fprintf(stderr, "%s round %d: cxlmemd %.1f ms, cxl list %.1f ms\n",
					trees[i].name, k, d[k] / 1e3, l[k] / 1e3);
		daemon_ms[i] = median_ms(d, (size_t)rounds);
		list_ms[i] = median_ms(l, (size_t)rounds);
	}
	free(d);
	free(l);
	if (r < 0)
		return r;

	printf("start-up: exec -> READY=1 vs one `cxl list -M -D -R -u`, same testbed, "
	       "median of %d interleaved rounds (ms)\n", rounds);
	printf("%-12s %8s %12s %12s %10s %14s %14s\n", "tree", "memdevs", "cxlmemd", "cxl list",
	       "ratio", "cxlmemd/memdev", "list/memdev");
	for (size_t i = 0; i < n; i++)
		printf("%-12s %8ld %12.1f %12.1f %9.2fx %14.3f %14.3f\n", trees[i].name,
		       trees[i].want.memdevs, daemon_ms[i], list_ms[i], daemon_ms[i] / list_ms[i],
		       daemon_ms[i] / trees[i].want.memdevs, list_ms[i] / trees[i].want.memdevs);
	for (size_t i = 1; i < n; i++)
		printf("growth %s -> %s: memdevs x%.0f, cxlmemd x%.1f, cxl list x%.1f\n",
		       trees[0].name, trees[i].name,
		       (double)trees[i].want.memdevs / trees[0].want.memdevs,
		       daemon_ms[i] / daemon_ms[0], list_ms[i] / list_ms[0]);
	printf("target: cxlmemd <= 1.0x cxl list at every N\n");
	return 0;
}

/* --- Figure 2: GetManagedObjects / GetTopology vs `cxl list` ---------- */

static int call_once(struct bus_env *e, const char *iface, const char *member, uint64_t *usec)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	uint64_t t0 = synth_now_usec();
	int r;

	r = sd_bus_call_method(e->client, CXLMEMD_BUS_NAME, CXLMEMD_OBJECT_ROOT, iface, member,
			       &err, &reply, "");
	*usec = synth_now_usec() - t0;
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", member, err.message ?: strerror(-r));
		sd_bus_error_free(&err);
		return r;
	}
	sd_bus_message_unref(reply);
	return 0;
}

static int query(struct bus_env *e, struct tree *trees, size_t n, int calls, int list_rounds)
{
	uint64_t *gmo = calloc((size_t)calls, sizeof(uint64_t));
	uint64_t *gt = calloc((size_t)calls, sizeof(uint64_t));
	uint64_t *l = calloc((size_t)list_rounds, sizeof(uint64_t));
	int r = 0;

	if (!gmo || !gt || !l)
		return -ENOMEM;
	printf("query: %d calls each of GetManagedObjects and GetTopology (interleaved) vs %d "
	       "runs of `cxl list -M -D -R -u` spread among them (ms)\n", calls, list_rounds);
	printf("%-12s %-26s %9s %9s %9s %14s\n", "tree", "", "p50", "p99", "max",
	       "list p50 / p50");
	for (size_t i = 0; i < n && r >= 0; i++) {
		int every = calls / list_rounds ?: 1, done = 0;
		double lp50;

		r = start_daemon(e, &trees[i], NULL);
		if (r >= 0)
			r = synth_verify(trees[i].bed, e, &trees[i].want);
		for (int k = 0; k < calls && r >= 0; k++) {
			r = call_once(e, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
				      &gmo[k]);
			if (r >= 0)
				r = call_once(e, "org.cxlmemd1.Manager", "GetTopology", &gt[k]);
			if (r >= 0 && k % every == 0 && done < list_rounds)
				r = synth_run_cxl(trees[i].bed, cxl_list, NULL, &l[done++]);
		}
		if (bus_env_stop_daemon(e) < 0 && r >= 0)
			r = -EIO;
		if (r < 0)
			break;
		lp50 = synth_pct_ms(l, (size_t)done, 50);
		printf("%-12s %-26s %9.3f %9.3f %9.3f %13.0fx\n", trees[i].name,
		       "GetManagedObjects", synth_pct_ms(gmo, (size_t)calls, 50),
		       synth_pct_ms(gmo, (size_t)calls, 99), synth_pct_ms(gmo, (size_t)calls, 100),
		       lp50 / synth_pct_ms(gmo, (size_t)calls, 50));
		printf("%-12s %-26s %9.3f %9.3f %9.3f %13.0fx\n", trees[i].name, "GetTopology",
		       synth_pct_ms(gt, (size_t)calls, 50), synth_pct_ms(gt, (size_t)calls, 99),
		       synth_pct_ms(gt, (size_t)calls, 100), lp50 / synth_pct_ms(gt, (size_t)calls, 50));
		printf("%-12s %-26s %9.1f %9.1f %9.1f %14s\n", trees[i].name,
		       "cxl list -M -D -R -u", lp50, synth_pct_ms(l, (size_t)done, 99),
		       synth_pct_ms(l, (size_t)done, 100), "1x");
	}
	printf("target: >= 50x faster than cxl list at 256 memdevs\n");
	free(gmo);
	free(gt);
	free(l);
	return r;
}

/* --- Figure 4: RSS, CPU, wakeups ------------------------------------- */

struct proc_sample {
	long rss_kib, hwm_kib, anon_kib, file_kib;
	long long ctxt;		/* voluntary + involuntary, all threads */
	double cpu_s;		/* utime + stime */
};

static long status_field(const char *path, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0) {
			v = strtol(line + strlen(key), NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static int sample(pid_t pid, struct proc_sample *s)
{
	char path[128];
	unsigned long ut, st;
	struct dirent *de;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	s->rss_kib = status_field(path, "VmRSS:");
	s->hwm_kib = status_field(path, "VmHWM:");
	s->anon_kib = status_field(path, "RssAnon:");
	s->file_kib = status_field(path, "RssFile:");
	s->ctxt = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char p[300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/%d/task/%s/status", (int)pid, de->d_name);
		s->ctxt += status_field(p, "voluntary_ctxt_switches:") +
			   status_field(p, "nonvoluntary_ctxt_switches:");
	}
	closedir(d);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* Fields 14 and 15; comm (field 2) has no spaces here. */
	if (fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
		   &st) != 2) {
		fclose(f);
		return -EBADMSG;
	}
	fclose(f);
	s->cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	return 0;
}

/*
 * Peak RSS (KiB) and CPU of one `cxl list -M -D -R -u`, by /usr/bin/time:
 * not our own wait4(), whose ru_maxrss would count the pages this process
 * (holding whole testbed records) had when it forked the child.
 */
static int measure_cxl_list(struct fixture_bed *bed, long *kib, double *cpu)
{
	char out[] = "/tmp/synth-bench-time.XXXXXX";
	const char *args[] = { "/usr/bin/time", "-f", "%M %U %S", "-o", out, "cxl", "list",
			       "-M", "-D", "-R", "-u", NULL };
	double u, s;
	FILE *f;
	int fd = mkstemp(out), r;

	if (fd < 0)
		return -errno;
	close(fd);
	r = synth_run(bed, (char *const *)args, NULL, NULL, NULL);
	f = r >= 0 ? fopen(out, "re") : NULL;
	if (r >= 0 && (!f || fscanf(f, "%ld %lf %lf", kib, &u, &s) != 3))
		r = -EBADMSG;
	if (f)
		fclose(f);
	unlink(out);
	if (r < 0)
		return r;
	*cpu = u + s;
	return 0;
}

/*
 * Wait @seconds reading the daemon's NOTIFY_SOCKET as systemd does, and
 * count the WATCHDOG=1 datagrams. Read as they come: sd_notify() sends
 * on a blocking socket, so a queue left full (net.unix.max_dgram_qlen,
 * 10) would stop the daemon's loop in sendmsg().
 */
static int watch_notify(struct bus_env *e, int seconds, long *watchdog)
{
	uint64_t end = synth_now_usec() + (uint64_t)seconds * 1000000;

	for (;;) {
		uint64_t now = synth_now_usec();
		char msg[256];
		int r;

		if (now >= end)
			return 0;
		r = bus_env_read_notify(e, msg, sizeof(msg), (int)((end - now + 999) / 1000));
		if (r < 0)
			return r;
		if (r > 0 && watchdog)
			*watchdog += strstr(msg, "WATCHDOG=1") != NULL;
	}
}

static int footprint(struct bus_env *e, struct tree *trees, size_t n, int idle_s)
{
	const char *wd = getenv("WATCHDOG_USEC");
	int r = 0;

	printf("footprint: cxlmemd after READY=1 and over %d s idle vs one `cxl list -M -D -R -u` "
	       "(its peak RSS and CPU, by /usr/bin/time)\n", idle_s);
	printf("%-12s %8s %9s %9s %9s %9s %10s %10s %10s %9s %12s %10s %10s\n", "tree", "memdevs",
	       "RSS MiB", "anon", "file", "HWM MiB", "CPU start", "CPU idle", "wakeups/s",
	       "pings/s", "list HWM", "list CPU", "HWM ratio");
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct proc_sample a, b;
		long list_kib = 0, pings = 0;
		double list_cpu = 0;

		r = measure_cxl_list(trees[i].bed, &list_kib, &list_cpu);
		if (r < 0)
			break;
		r = start_daemon(e, &trees[i], NULL);
		if (r >= 0)
			r = synth_verify(trees[i].bed, e, &trees[i].want);
		/* Let the verification's calls settle, then watch it idle. */
		if (r >= 0)
			r = watch_notify(e, 2, NULL);
		if (r >= 0)
			r = sample(e->daemon_pid, &a);
		if (r >= 0)
			r = watch_notify(e, idle_s, &pings);
		if (r >= 0)
			r = sample(e->daemon_pid, &b);
		if (bus_env_stop_daemon(e) < 0 && r >= 0)
			r = -EIO;
		if (r < 0)
			break;
		printf("%-12s %8ld %9.2f %9.2f %9.2f %9.2f %9.2fs %9.2fs %10.3f %9.3f %8.2f MiB "
		       "%9.2fs %9.2fx\n", trees[i].name, trees[i].want.memdevs, b.rss_kib / 1024.0,
		       b.anon_kib / 1024.0, b.file_kib / 1024.0, b.hwm_kib / 1024.0,
		       a.cpu_s, b.cpu_s - a.cpu_s, (double)(b.ctxt - a.ctxt) / idle_s,
		       (double)pings / idle_s, list_kib / 1024.0, list_cpu,
		       (double)b.hwm_kib / (double)list_kib);
	}
	printf("wakeups/s: context switches (voluntary + involuntary, all threads, "
	       "/proc/PID/task/*/status) over the idle window; pings/s: WATCHDOG=1 datagrams "
	       "on the NOTIFY_SOCKET in it; ");
	if (wd)
		printf("WATCHDOG_USEC=%s (WatchdogSec=%.0f s): sd-event pings every %.1f-%.1f s, "
		       "%.3f-%.3f/s\n", wd, atof(wd) / 1e6, atof(wd) / 2e6, atof(wd) * 3 / 4e6,
		       4e6 / 3 / atof(wd), 2e6 / atof(wd));
	else
		printf("no WATCHDOG_USEC set\n");
	printf("target: RSS <= 8 MiB at 1024 memdevs; zero periodic wakeups at idle "
	       "except the watchdog\n");
	return r;
}

/* --- Figure 6: callgrind instruction counts --------------------------- */

/* "summary: N" or "totals: N" of a callgrind output file. */
static long long callgrind_ir(const char *path)
{
	char line[512];
	long long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "summary:", 8) == 0 || strncmp(line, "totals:", 7) == 0)
			v = strtoll(strchr(line, ':') + 1, NULL, 10);
	fclose(f);
	return v;
}

static int callgrind(struct bus_env *e, struct tree *trees, size_t n, const char *outdir)
{
	int r = 0;

	printf("callgrind: instructions (Ir) of cxlmemd-test from exec to READY=1 "
	       "(CXLMEMD_TEST_EXIT_WHEN_READY) vs `cxl list -M -D -R -u` to exit\n");
	printf("%-12s %8s %16s %16s %10s %14s\n", "tree", "memdevs", "cxlmemd Ir", "cxl list Ir",
	       "ratio", "cxlmemd/memdev");
	for (size_t i = 0; i < n && r >= 0; i++) {
		char dout[512], lout[512], wrap[1200], opt[600];
		long long dir_, lir;
		int status;

		r = verify(e, &trees[i]);
		if (r < 0)
			break;
		snprintf(dout, sizeof(dout), "%s/callgrind.cxlmemd.%s", outdir, trees[i].name);
		snprintf(lout, sizeof(lout), "%s/callgrind.cxl-list.%s", outdir, trees[i].name);
		snprintf(wrap, sizeof(wrap), "valgrind --tool=callgrind -q --callgrind-out-file=%s",
			 dout);
		setenv("CXLMEMD_DAEMON_WRAPPER", wrap, 1);
		setenv("CXLMEMD_TEST_EXIT_WHEN_READY", "1", 1);
		e->capture_log = true;
		r = bus_env_start_daemon(e, fixture_bed_env(trees[i].bed));
		status = r >= 0 ? bus_env_wait_daemon(e, 1800 * 1000) : r;
		unsetenv("CXLMEMD_DAEMON_WRAPPER");
		unsetenv("CXLMEMD_TEST_EXIT_WHEN_READY");
		if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "%s: cxlmemd-test under callgrind did not exit 0 (0x%x)\n",
				trees[i].name, (unsigned)status);
			r = -EIO;
			break;
		}
		snprintf(opt, sizeof(opt), "--callgrind-out-file=%s", lout);
		{
			char *args[] = { "valgrind", "--tool=callgrind", "-q", opt, "cxl", "list",
					 "-M", "-D", "-R", "-u", NULL };

			r = synth_run(trees[i].bed, args, NULL, NULL, NULL);
		}
		if (r < 0)
			break;
		dir_ = callgrind_ir(dout);
		lir = callgrind_ir(lout);
		if (dir_ < 0 || lir < 0) {
			r = -EBADMSG;
			break;
		}
		printf("%-12s %8ld %16lld %16lld %9.2fx %14.0f\n", trees[i].name,
		       trees[i].want.memdevs, dir_, lir, (double)dir_ / (double)lir,
		       (double)dir_ / trees[i].want.memdevs);
		printf("  profiles: %s %s (callgrind_annotate)\n", dout, lout);
	}
	return r;
}

int main(int argc, char *argv[])
{
	struct tree trees[16] = {};
	const char *mode, *dir;
	struct bus_env e;
	int first, r, ntrees;

	if (argc < 5) {
		fprintf(stderr, "usage: see the top of bench/synth-bench.c\n");
		return 2;
	}
	if (fixture_bed_preload_self(argv) < 0)
		return 1;
	mode = argv[1];
	dir = argv[2];
	first = strcmp(mode, "query") == 0 ? 5 : 4;
	ntrees = argc - first;
	if (ntrees < 1 || ntrees > 16) {
		fprintf(stderr, "synth-bench: 1 to 16 trees\n");
		return 2;
	}
	for (int i = 0; i < ntrees; i++) {
		const char *name = argv[first + i];

		r = load(dir, name, &trees[i]);
		if (r < 0) {
			fprintf(stderr, "synth-bench: cannot load %s: %s\n", name, strerror(-r));
			return 1;
		}
	}
	r = bus_env_start(&e);
	if (r >= 0) {
		if (strcmp(mode, "startup") == 0)
			r = startup(&e, trees, (size_t)ntrees, atoi(argv[3]));
		else if (strcmp(mode, "query") == 0)
			r = query(&e, trees, (size_t)ntrees, atoi(argv[3]), atoi(argv[4]));
		else if (strcmp(mode, "footprint") == 0)
			r = footprint(&e, trees, (size_t)ntrees, atoi(argv[3]));
		else if (strcmp(mode, "callgrind") == 0)
			r = callgrind(&e, trees, (size_t)ntrees, argv[3]);
		else
			r = -EINVAL;
	}
	bus_env_stop(&e);
	for (int i = 0; i < ntrees; i++)
		fixture_bed_free(trees[i].bed);
	if (r < 0) {
		fprintf(stderr, "synth-bench %s: %s\n", mode, strerror(-r));
		return 1;
	}
	return 0;
}
