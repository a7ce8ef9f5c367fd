/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

/*
 * A private bus for tests: a dbus-daemon whose configuration includes the
 * project's bus policy (dbus/org.cxlmemd1.conf) unchanged, and the real
 * cxlmemd started against it with its own NOTIFY_SOCKET, so tests see what
 * systemd would see.
 *
 * Environment: CXLMEMD_SOURCE_ROOT, CXLMEMD_BINARY (set by meson), and
 * optionally CXLMEMD_DAEMON_WRAPPER, a space-separated command the daemon
 * is run under (e.g. valgrind with --error-exitcode).
 */
struct bus_env {
	char dir[64];
	char *address;
	pid_t dbus_pid;
	pid_t daemon_pid;
	int notify_fd;
	sd_bus *client;
	/*
	 * Set after bus_env_start(), before bus_env_start_daemon(): extra
	 * daemon arguments (NULL-terminated), and whether the daemon's
	 * stderr goes to log_path instead of ours.
	 */
	char *const *daemon_args;
	bool capture_log;
	char log_path[96];
};

int bus_env_start(struct bus_env *e);
/* The same, with @extra_policy (bus configuration XML) appended: e.g. to
 * let a test own and serve a fake org.freedesktop.PolicyKit1. */
int bus_env_start_with(struct bus_env *e, const char *extra_policy);
void bus_env_stop(struct bus_env *e);

/* NULL-terminated "KEY=value" strings added to the daemon's environment. */
int bus_env_start_daemon(struct bus_env *e, char *const extra_env[]);

/*
 * Wait up to @timeout_ms for one sd_notify datagram from the daemon; the
 * text goes to @buf. Returns the length, 0 on timeout, < 0 on error.
 */
int bus_env_read_notify(struct bus_env *e, char *buf, size_t size, int timeout_ms);

/*
 * Wait up to @timeout_ms for the daemon to exit. Returns its wait status,
 * or -ETIMEDOUT (the daemon is then killed).
 */
int bus_env_wait_daemon(struct bus_env *e, int timeout_ms);

/* The daemon's captured stderr so far (capture_log); free() it. */
char *bus_env_read_log(struct bus_env *e);

/* Is @name owned on the private bus right now? */
bool bus_env_name_has_owner(struct bus_env *e, const char *name);

/* Timeouts scale when the daemon runs under a slow wrapper (valgrind). */
int bus_env_timeout_ms(int base_ms);

/*
 * cmocka 1.1.5 (Debian 12's) prints a test that called skip() as
 * "not ok N # SKIP name", which the TAP spec, and meson with it, reads
 * as a failure: a skip is "ok N # SKIP". Routes stdout through a child
 * that rewrites those lines to "ok N - name # SKIP", so a skip shows as
 * one. Call in main() before any output (after fixture_bed_preload_self,
 * which re-executes); the child is drained and reaped at exit.
 */
int bus_tap_skips_as_ok(void);

/*
 * Call @iface.@member on @path of org.cxlmemd1 as uid/gid @uid (0: root)
 * from a child process with a connection of its own; @append (may be
 * NULL) adds the arguments, @interactive allows interactive
 * authorization. Returns the D-Bus error name, or "ok"; free() it. NULL
 * if the child could not make the call at all.
 */
typedef int (*bus_append_fn)(sd_bus_message *m, const void *userdata);
char *bus_env_call_as(struct bus_env *e, uid_t uid, bool interactive, const char *path,
		      const char *iface, const char *member, bus_append_fn append,
		      const void *userdata);

/* Wait up to @timeout_ms for the daemon to own org.cxlmemd1: 0 or -ETIMEDOUT. */
int bus_env_wait_name(struct bus_env *e, int timeout_ms);

/*
 * SIGTERM the daemon and wait for it: 0 if it exited 0, else -1 after
 * saying how it ended on stderr (valgrind's verdict is exit 99).
 */
int bus_env_stop_daemon(struct bus_env *e);
