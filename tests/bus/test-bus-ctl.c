// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * THEORY OF OPERATION: the built cxlmemctl against the real cxlmemd on a
 * private bus (bus-harness.h) reading the recorded cxl_test tree
 * (fixture-bed.h). cxlmemctl runs with DBUS_SYSTEM_BUS_ADDRESS pointing
 * at that bus and without the umockdev preload: it must get everything
 * from the daemon, never from sysfs (the host has no CXL devices).
 *
 * test-bus-ctl.sh makes every verb's checks (output, --json through jq,
 * exit codes of every error path) and prints them as TAP subtests on
 * stderr; this driver gives it the bus, the daemon and the expected
 * counts (read from the daemon over sd-bus, not through cxlmemctl), and
 * fails if it does. Mutating verbs cannot succeed on a recorded tree
 * (there is no kernel behind it): the script checks that they fail with
 * the daemon's sentence and the exit status of its error; the VM
 * scenario daemon-ctl-cxltest proves them on a real kernel.
 *
 * monitor needs a uevent injected while it runs, so it is tested here.
 *
 * With CXLMEMCTL_WRAPPER set (e.g. to valgrind --error-exitcode=99
 * --leak-check=full ...), cxlmemctl runs under that command, and its
 * leaks and invalid accesses change the exit status every check
 * compares (meson test ctl-client-valgrind).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "bus-harness.h"
#include "fixture-bed.h"

#define BUS_NAME "org.cxlmemd1"

struct fixture {
	struct bus_env env;
	struct fixture_bed *bed;
};

/*
 * With a wrapper, CXLMEMCTL_BINARY becomes a script in the bus
 * directory that runs the real one under it.
 */
static int wrap_client(struct fixture *f)
{
	const char *w = getenv("CXLMEMCTL_WRAPPER");
	static char path[160], *bin;
	FILE *out;

	/* The real binary: each test's setup replaces the variable. */
	if (!bin && getenv("CXLMEMCTL_BINARY"))
		bin = strdup(getenv("CXLMEMCTL_BINARY"));
	if (!w || !*w || !bin)
		return 0;
	snprintf(path, sizeof(path), "%s/cxlmemctl-wrapped", f->env.dir);
	out = fopen(path, "we");
	if (!out)
		return -errno;
	fprintf(out, "#!/bin/sh\nexec %s %s \"$@\"\n", w, bin);
	if (fclose(out) != 0 || chmod(path, 0755) < 0)
		return -errno;
	return setenv("CXLMEMCTL_BINARY", path, 1) < 0 ? -errno : 0;
}

static int setup_fixture(void **state, const char *name)
{
	static struct fixture f;

	if (bus_env_start(&f.env) < 0 || fixture_bed_new(name, &f.bed) < 0) {
		bus_env_stop(&f.env);
		return -1;
	}
	/* uid 65534 must reach the socket for the authorization checks. */
	if (chmod(f.env.dir, 0755) < 0 || wrap_client(&f) < 0)
		return -1;
	*state = &f;
	return 0;
}

static int setup(void **state)
{
	return setup_fixture(state, "cxltest");
}

/* QEMU's recording: the one with Soft Reserved ranges. */
static int setup_qemu(void **state)
{
	return setup_fixture(state, "qemu");
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int status;

	if (f->env.daemon_pid > 0) {
		kill(f->env.daemon_pid, SIGTERM);
		status = bus_env_wait_daemon(&f->env, bus_env_timeout_ms(5000));
		if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fprintf(stderr, "cxlmemd exited with status 0x%x\n", (unsigned int)status);
	}
	bus_env_stop(&f->env);
	fixture_bed_free(f->bed);
	return 0;
}

static void start_daemon(struct fixture *f)
{
	int waited = 0;

	assert_int_equal(bus_env_start_daemon(&f->env, fixture_bed_env(f->bed)), 0);
	while (!bus_env_name_has_owner(&f->env, BUS_NAME)) {
		if (waited >= bus_env_timeout_ms(10000))
			fail_msg("cxlmemd did not take its name");
		usleep(20 * 1000);
		waited += 20;
	}
}

static unsigned int manager_count(struct fixture *f, const char *prop)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	uint32_t n = 0;

	if (sd_bus_get_property_trivial(f->env.client, BUS_NAME, "/org/cxlmemd1",
					"org.cxlmemd1.Manager", prop, &error, 'u', &n) < 0)
		fail_msg("%s: %s", prop, error.message);
	return n;
}

/* The environment cxlmemctl runs in: our bus, no umockdev. */
static void client_env(struct fixture *f)
{
	setenv("DBUS_SYSTEM_BUS_ADDRESS", f->env.address, 1);
	unsetenv("LD_PRELOAD");
	unsetenv("UMOCKDEV_DIR");
}

/* cxlmemctl ARGS... with stdout and stderr to /dev/null: its exit status. */
static int ctl_status(struct fixture *f, char *const argv[])
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		client_env(f);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execv(getenv("CXLMEMCTL_BINARY"), argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* cxlmemctl ARGS...: its exit status, stdout into @buf. */
static int ctl_output(struct fixture *f, char *const argv[], char *buf, size_t size)
{
	int p[2], status;
	size_t have = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		client_env(f);
		dup2(p[1], STDOUT_FILENO);
		execv(getenv("CXLMEMCTL_BINARY"), argv);
		_exit(127);
	}
	close(p[1]);
	while (have + 1 < size && (n = read(p[0], buf + have, size - 1 - have)) > 0)
		have += (size_t)n;
	buf[have] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int jq_check(const char *json, const char *filter);

/*
 * ownership set can succeed on a recording (a runtime override changes
 * the policy, not the kernel): explain must then say the range asked
 * for that owner because of SetOwner.
 */
static void test_ownership_set(void **state)
{
	struct fixture *f = *state;
	char *const ranges[] = { "cxlmemctl", "--json", "list", "ranges", NULL };
	char *const explain[] = { "cxlmemctl", "--json", "ownership", "explain", NULL };
	char buf[65536], filter[256], start[32];
	struct json_object *list;

	start_daemon(f);
	assert_int_equal(ctl_output(f, ranges, buf, sizeof(buf)), 0);
	list = json_tokener_parse(buf);
	assert_non_null(list);
	assert_true(json_object_array_length(list) > 0);
	snprintf(start, sizeof(start), "0x%" PRIx64,
		 json_object_get_uint64(json_object_object_get(json_object_array_get_idx(list, 0),
							      "Start")));
	json_object_put(list);
	{
		char *const set[] = { "cxlmemctl", "ownership", "set", start, "hmem", NULL };
		char *const bad[] = { "cxlmemctl", "ownership", "set", start, "nvidia", NULL };

		assert_int_equal(ctl_output(f, set, buf, sizeof(buf)), 0);
		assert_int_equal(ctl_output(f, bad, buf, sizeof(buf)), 2);
	}
	assert_int_equal(ctl_output(f, explain, buf, sizeof(buf)), 0);
	snprintf(filter, sizeof(filter),
		 ".ranges[] | select(.start == \"%s\") | .asked == \"hmem\" and "
		 "(.origin | contains(\"SetOwner\"))", start);
	assert_int_equal(jq_check(buf, filter), 0);
}

/* A bus without cxlmemd: "not reachable", for reading and changing. */
static void test_no_daemon(void **state)
{
	struct fixture *f = *state;
	char *const status[] = { "cxlmemctl", "status", NULL };
	char *const reload[] = { "cxlmemctl", "policy", "reload", NULL };

	assert_false(bus_env_name_has_owner(&f->env, BUS_NAME));
	assert_int_equal(ctl_status(f, status), 6);
	assert_int_equal(ctl_status(f, reload), 6);
}

static void test_verbs(void **state)
{
	struct fixture *f = *state;
	const char *root = getenv("CXLMEMD_SOURCE_ROOT");
	char script[512], counts[5][16];
	const char *names[] = { "NMemdevs", "NWindows", "NRegions", "NDaxDevices",
				"NSoftReservedRanges" };
	const char *vars[] = { "N_MEMDEVS", "N_WINDOWS", "N_REGIONS", "N_DAX", "N_RANGES" };
	pid_t pid;
	int status;

	assert_non_null(root);
	assert_non_null(getenv("CXLMEMCTL_BINARY"));
	snprintf(script, sizeof(script), "%s/tests/bus/test-bus-ctl.sh", root);
	start_daemon(f);
	for (int i = 0; i < 5; i++)
		snprintf(counts[i], sizeof(counts[i]), "%u", manager_count(f, names[i]));
	assert_true(manager_count(f, "NRegions") > 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char pidbuf[16];

		client_env(f);
		for (int i = 0; i < 5; i++)
			setenv(vars[i], counts[i], 1);
		snprintf(pidbuf, sizeof(pidbuf), "%d", (int)f->env.daemon_pid);
		setenv("DAEMON_PID", pidbuf, 1);
		/* TAP of our own goes to stdout: the script's lines to stderr. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/bash", "bash", script, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("test-bus-ctl.sh failed (status 0x%x); see its TAP above", (unsigned int)status);
	/* The daemon must have survived everything the script did. */
	assert_int_equal(kill(f->env.daemon_pid, 0), 0);
}

/* Read what the child wrote to @fd for up to @ms into @buf. */
static size_t read_for(int fd, char *buf, size_t size, size_t have, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (have + 1 < size && poll(&p, 1, ms) > 0) {
		ssize_t n = read(fd, buf + have, size - 1 - have);

		if (n <= 0)
			break;
		have += (size_t)n;
		if (memchr(buf, '\n', have))
			break;
	}
	buf[have] = '\0';
	return have;
}

static pid_t spawn_monitor(struct fixture *f, bool json, int *ret_fd)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		client_env(f);
		dup2(p[1], STDOUT_FILENO);
		if (json)
			execl(getenv("CXLMEMCTL_BINARY"), "cxlmemctl", "--json", "monitor",
			      (char *)NULL);
		else
			execl(getenv("CXLMEMCTL_BINARY"), "cxlmemctl", "--no-legend", "monitor",
			      (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	*ret_fd = p[0];
	return pid;
}

static int jq_check(const char *json, const char *filter)
{
	char cmd[512];
	FILE *jq;

	snprintf(cmd, sizeof(cmd), "jq -e '%s' >/dev/null", filter);
	jq = popen(cmd, "w");
	assert_non_null(jq);
	fputs(json, jq);
	return pclose(jq);
}

/*
 * Start monitor, change a memdev's firmware_version until it prints a
 * line (the match may not be in place at once); the first line in *line.
 */
static void monitor_one_change(struct fixture *f, bool json, char *line, size_t size)
{
	char **mems, *sys = NULL;
	size_t have = 0;
	int fd, status;
	pid_t pid;

	start_daemon(f);
	mems = fixture_bed_devices(f->bed, "cxl");
	assert_non_null(mems);
	for (size_t i = 0; mems[i] && !sys; i++)
		if (strncmp(mems[i], "mem", 3) == 0)
			sys = fixture_bed_syspath(f->bed, "cxl", mems[i]);
	assert_non_null(sys);
	pid = spawn_monitor(f, json, &fd);
	line[0] = '\0';
	for (int round = 0; round < 50 && !strchr(line, '\n'); round++) {
		char fw[32];

		snprintf(fw, sizeof(fw), "ctl-test-%d", round);
		assert_int_equal(fixture_bed_set_attribute(f->bed, sys, "firmware_version", fw), 0);
		fixture_bed_uevent(f->bed, sys, "change");
		have = read_for(fd, line, size, have, bus_env_timeout_ms(200));
	}
	if (!strchr(line, '\n'))
		fail_msg("cxlmemctl monitor printed nothing after firmware_version changes");
	*strchr(line, '\n') = '\0';
	print_message("# monitor: %s\n", line);
	/* Ctrl-C ends it, with status 0. */
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(fd);
	free(sys);
	for (size_t i = 0; mems[i]; i++)
		free(mems[i]);
	free(mems);
}

static void test_monitor_json(void **state)
{
	char line[8192];

	monitor_one_change(*state, true, line, sizeof(line));
	assert_int_equal(jq_check(line, ".event == \"changed\" and "
					"(.object | startswith(\"/org/cxlmemd1/memdev/mem\")) and "
					".signal == \"PropertiesChanged\" and "
					".interface == \"org.freedesktop.DBus.Properties\" and "
					"(.arguments[1].FirmwareVersion | startswith(\"ctl-test-\"))"), 0);
}

static void test_monitor_lines(void **state)
{
	char line[8192], path[128], iface[64], fw[64];
	long long sec;
	long usec;

	monitor_one_change(*state, false, line, sizeof(line));
	/* "SECONDS.MICROS changed PATH IFACE Prop=value ..." */
	assert_int_equal(sscanf(line, "%lld.%ld changed %127s %63s", &sec, &usec, path, iface), 4);
	assert_true(strncmp(path, "/org/cxlmemd1/memdev/mem", 24) == 0);
	assert_string_equal(iface, "org.cxlmemd1.Memdev");
	assert_int_equal(sscanf(strstr(line, " FirmwareVersion=") ?: "", " FirmwareVersion=%63s",
				fw), 1);
	assert_true(strncmp(fw, "\"ctl-test-", 10) == 0);
}

int main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_daemon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verbs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ownership_set, setup_qemu, teardown),
	};

	if (fixture_bed_preload_self(argv) < 0 || bus_tap_skips_as_ok() < 0)
		return EXIT_FAILURE;
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
