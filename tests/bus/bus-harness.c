// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bus-harness.h"

extern char **environ;

static const char *wrapper(void)
{
	const char *w = getenv("CXLMEMD_DAEMON_WRAPPER");

	return w && *w ? w : NULL;
}

int bus_env_timeout_ms(int base_ms)
{
	return wrapper() ? base_ms * 20 : base_ms;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int write_dbus_config(struct bus_env *e, const char *policy, const char *extra)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bus.conf", e->dir);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	/*
	 * The defaults of Debian's system.conf, minus everything that needs a
	 * real system: deny by default, and let the included project policy
	 * decide who may own and call org.cxlmemd1.
	 */
	fprintf(f,
		"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
		" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
		"<busconfig>\n"
		"  <type>system</type>\n"
		"  <listen>unix:path=%s/bus</listen>\n"
		"  <auth>EXTERNAL</auth>\n"
		"  <policy context=\"default\">\n"
		"    <allow user=\"*\"/>\n"
		"    <deny own=\"*\"/>\n"
		"    <deny send_type=\"method_call\"/>\n"
		"    <allow send_type=\"signal\"/>\n"
		"    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
		"    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
		"    <allow receive_type=\"method_call\"/>\n"
		"    <allow receive_type=\"method_return\"/>\n"
		"    <allow receive_type=\"error\"/>\n"
		"    <allow receive_type=\"signal\"/>\n"
		"    <allow send_destination=\"org.freedesktop.DBus\"\n"
		"           send_interface=\"org.freedesktop.DBus\"/>\n"
		"    <allow send_destination=\"org.freedesktop.DBus\"\n"
		"           send_interface=\"org.freedesktop.DBus.Introspectable\"/>\n"
		"    <allow send_destination=\"org.freedesktop.DBus\"\n"
		"           send_interface=\"org.freedesktop.DBus.Properties\"/>\n"
		"  </policy>\n"
		"  <include>%s</include>\n"
		"%s"
		"</busconfig>\n",
		e->dir, policy, extra ? extra : "");
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

int bus_env_start(struct bus_env *e)
{
	return bus_env_start_with(e, NULL);
}

int bus_env_start_with(struct bus_env *e, const char *extra_policy)
{
	const char *root = getenv("CXLMEMD_SOURCE_ROOT");
	char policy[4096], conf[128], addr[512];
	int pipefd[2], r;
	ssize_t n;

	memset(e, 0, sizeof(*e));
	e->notify_fd = -1;

	if (!root) {
		fprintf(stderr, "bus-harness: CXLMEMD_SOURCE_ROOT is not set (run through meson test)\n");
		return -EINVAL;
	}
	if (geteuid() != 0) {
		/* The shipped policy lets only root own org.cxlmemd1; testing
		 * it unchanged needs root. Fail loudly rather than skip. */
		fprintf(stderr, "bus-harness: the bus suite must run as root: the shipped "
				"policy lets only root own org.cxlmemd1\n");
		return -EPERM;
	}

	snprintf(e->dir, sizeof(e->dir), "/tmp/cxlmemd-bus-XXXXXX");
	if (!mkdtemp(e->dir))
		return -errno;

	snprintf(policy, sizeof(policy), "%s/dbus/org.cxlmemd1.conf", root);
	r = write_dbus_config(e, policy, extra_policy);
	if (r < 0)
		return r;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;

	e->dbus_pid = fork();
	if (e->dbus_pid < 0)
		return -errno;
	if (e->dbus_pid == 0) {
		char fdarg[32];

		snprintf(conf, sizeof(conf), "--config-file=%s/bus.conf", e->dir);
		snprintf(fdarg, sizeof(fdarg), "--print-address=%d", pipefd[1]);
		fcntl(pipefd[1], F_SETFD, 0);
		execlp("dbus-daemon", "dbus-daemon", "--nofork", "--nopidfile",
		       conf, fdarg, (char *)NULL);
		fprintf(stderr, "bus-harness: cannot run dbus-daemon: %m\n");
		_exit(127);
	}
	close(pipefd[1]);

	n = read(pipefd[0], addr, sizeof(addr) - 1);
	close(pipefd[0]);
	if (n <= 0) {
		fprintf(stderr, "bus-harness: dbus-daemon did not start (see above)\n");
		return -EIO;
	}
	addr[n] = '\0';
	addr[strcspn(addr, "\n")] = '\0';
	e->address = strdup(addr);
	if (!e->address)
		return -ENOMEM;

	r = sd_bus_new(&e->client);
	if (r < 0)
		return r;
	r = sd_bus_set_address(e->client, e->address);
	if (r < 0)
		return r;
	r = sd_bus_set_bus_client(e->client, 1);
	if (r < 0)
		return r;
	return sd_bus_start(e->client);
}

int bus_env_start_daemon(struct bus_env *e, char *const extra_env[])
{
	const char *binary = getenv("CXLMEMD_BINARY");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!binary) {
		fprintf(stderr, "bus-harness: CXLMEMD_BINARY is not set\n");
		return -EINVAL;
	}

	if (e->notify_fd >= 0)
		close(e->notify_fd);
	if (e->capture_log)
		snprintf(e->log_path, sizeof(e->log_path), "%s/daemon.log", e->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", e->dir);
	unlink(sa.sun_path);
	e->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (e->notify_fd < 0)
		return -errno;
	if (bind(e->notify_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;

	e->daemon_pid = fork();
	if (e->daemon_pid < 0)
		return -errno;
	if (e->daemon_pid == 0) {
		char *argv[32];
		int argc = 0;
		char *w = wrapper() ? strdup(wrapper()) : NULL, *save = NULL;
		char pidbuf[32];

		for (char *tok = w ? strtok_r(w, " ", &save) : NULL; tok && argc < 28;
		     tok = strtok_r(NULL, " ", &save))
			argv[argc++] = tok;
		argv[argc++] = (char *)binary;
		for (char *const *a = e->daemon_args; a && *a && argc < 31; a++)
			argv[argc++] = *a;
		argv[argc] = NULL;

		if (e->capture_log) {
			int fd = open(e->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

			if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
				_exit(127);
		}

		setenv("DBUS_SYSTEM_BUS_ADDRESS", e->address, 1);
		setenv("NOTIFY_SOCKET", sa.sun_path, 1);
		for (char *const *kv = extra_env; kv && *kv; kv++)
			putenv(*kv);
		/* As systemd sets it: the watchdog is for this very process. */
		if (getenv("WATCHDOG_USEC")) {
			snprintf(pidbuf, sizeof(pidbuf), "%d", (int)getpid());
			setenv("WATCHDOG_PID", pidbuf, 1);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "bus-harness: cannot run %s: %m\n", argv[0]);
		_exit(127);
	}
	return 0;
}

int bus_env_read_notify(struct bus_env *e, char *buf, size_t size, int timeout_ms)
{
	struct pollfd p = { .fd = e->notify_fd, .events = POLLIN };
	ssize_t n;
	int r;

	r = poll(&p, 1, timeout_ms);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	n = recv(e->notify_fd, buf, size - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

int bus_env_wait_daemon(struct bus_env *e, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	int status;
	pid_t p;

	for (;;) {
		p = waitpid(e->daemon_pid, &status, WNOHANG);
		if (p == e->daemon_pid) {
			e->daemon_pid = 0;
			return status;
		}
		if (p < 0)
			return -errno;
		if (now_ms() > deadline) {
			kill(e->daemon_pid, SIGKILL);
			waitpid(e->daemon_pid, &status, 0);
			e->daemon_pid = 0;
			return -ETIMEDOUT;
		}
		usleep(10000);
	}
}

char *bus_env_read_log(struct bus_env *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!e->capture_log)
		return NULL;
	f = fopen(e->log_path, "re");
	if (!f)
		return strdup("");
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

bool bus_env_name_has_owner(struct bus_env *e, const char *name)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int has = 0, r;

	r = sd_bus_call_method(e->client, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			       "org.freedesktop.DBus", "NameHasOwner", &error, &reply,
			       "s", name);
	if (r >= 0)
		r = sd_bus_message_read(reply, "b", &has);
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	return r >= 0 && has;
}

void bus_env_stop(struct bus_env *e)
{
	char cmd[128];
	int status;

	if (e->daemon_pid > 0) {
		kill(e->daemon_pid, SIGKILL);
		waitpid(e->daemon_pid, &status, 0);
	}
	e->client = sd_bus_flush_close_unref(e->client);
	if (e->dbus_pid > 0) {
		kill(e->dbus_pid, SIGTERM);
		waitpid(e->dbus_pid, &status, 0);
	}
	if (e->notify_fd >= 0)
		close(e->notify_fd);
	free(e->address);
	if (e->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bus-harness: could not remove %s\n", e->dir);
	}
	memset(e, 0, sizeof(*e));
	e->notify_fd = -1;
}

static pid_t tap_filter_pid;

/* The child: copy @in to @out, a cmocka skip line as the TAP spec has it. */
static _Noreturn void tap_filter(int in, int out)
{
	FILE *r = fdopen(in, "r"), *w = fdopen(out, "w");
	char *line = NULL;
	size_t size = 0;
	ssize_t len;

	if (!r || !w)
		_exit(EXIT_FAILURE);
	while ((len = getline(&line, &size, r)) > 0) {
		unsigned int n;
		int name = 0;

		if (sscanf(line, "not ok %u # SKIP %n", &n, &name) == 1 && name > 0) {
			line[strcspn(line, "\n")] = '\0';
			fprintf(w, "ok %u - %s # SKIP\n", n, line + name);
		} else {
			fputs(line, w);
		}
		fflush(w);
	}
	_exit(EXIT_SUCCESS);
}

/*
 * At exit, our end of the pipe closed, the child reads to EOF. A daemon
 * a failed test left running holds the pipe too: then stop waiting.
 */
static void tap_filter_reap(void)
{
	long long end = now_ms() + 5000;

	fflush(stdout);
	close(STDOUT_FILENO);
	while (waitpid(tap_filter_pid, NULL, WNOHANG) == 0) {
		if (now_ms() >= end) {
			kill(tap_filter_pid, SIGKILL);
			waitpid(tap_filter_pid, NULL, 0);
			break;
		}
		usleep(10 * 1000);
	}
}

int bus_tap_skips_as_ok(void)
{
	int p[2];

	fflush(stdout);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	tap_filter_pid = fork();
	if (tap_filter_pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (tap_filter_pid == 0) {
		close(p[1]);
		tap_filter(p[0], STDOUT_FILENO);
	}
	close(p[0]);
	/* dup2 clears O_CLOEXEC: the daemons write to it as they did to stdout. */
	if (dup2(p[1], STDOUT_FILENO) < 0)
		return -errno;
	close(p[1]);
	return atexit(tap_filter_reap) == 0 ? 0 : -ENOMEM;
}

/* The child of bus_env_call_as(): no cmocka in here, a failure ends it. */
_Noreturn static void call_as_child(struct bus_env *e, int fd, uid_t uid, bool interactive,
				    const char *path, const char *iface, const char *member,
				    bus_append_fn append, const void *userdata)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus *bus = NULL;
	const char *out;
	int r;

	signal(SIGSEGV, SIG_DFL);
	signal(SIGABRT, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	if (uid != 0 && (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0)) {
		perror("bus-harness: dropping privileges");
		_exit(2);
	}
	if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, e->address) < 0 ||
	    sd_bus_set_bus_client(bus, 1) < 0 || sd_bus_start(bus) < 0)
		_exit(3);
	(void)sd_bus_set_allow_interactive_authorization(bus, interactive);
	if (sd_bus_message_new_method_call(bus, &m, "org.cxlmemd1", path, iface, member) < 0 ||
	    (append && append(m, userdata) < 0)) {
		fprintf(stderr, "bus-harness: building %s.%s failed\n", iface, member);
		_exit(4);
	}
	r = sd_bus_call(bus, m, 20 * 1000 * 1000, &error, &reply);
	if (r < 0 && getenv("BUS_HARNESS_DEBUG"))
		fprintf(stderr, "%s.%s: %s\n", iface, member, error.message ?: "");
	out = r >= 0 ? "ok" : error.name ? error.name : strerror(-r);
	_exit(write(fd, out, strlen(out)) < 0 ? 5 : 0);
}

char *bus_env_call_as(struct bus_env *e, uid_t uid, bool interactive, const char *path,
		      const char *iface, const char *member, bus_append_fn append,
		      const void *userdata)
{
	char buf[256] = "";
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) < 0)
		return NULL;
	pid = fork();
	if (pid < 0)
		return NULL;
	if (pid == 0) {
		close(fds[0]);
		call_as_child(e, fds[1], uid, interactive, path, iface, member, append, userdata);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bus-harness: the client for %s.%s failed (status 0x%x)\n", iface,
			member, (unsigned)status);
		return NULL;
	}
	buf[n > 0 ? n : 0] = '\0';
	return strdup(buf);
}

int bus_env_wait_name(struct bus_env *e, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	while (!bus_env_name_has_owner(e, "org.cxlmemd1")) {
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		usleep(20 * 1000);
	}
	return 0;
}

int bus_env_stop_daemon(struct bus_env *e)
{
	int status;

	if (kill(e->daemon_pid, SIGTERM) < 0)
		return -1;
	status = bus_env_wait_daemon(e, bus_env_timeout_ms(5000));
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	fprintf(stderr, "bus-harness: cxlmemd did not exit 0 on SIGTERM (wait status 0x%x%s)\n",
		(unsigned)status, status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 99 ?
					  ": valgrind reported errors or leaks" : "");
	return -1;
}
