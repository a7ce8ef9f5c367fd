// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * THEORY OF OPERATION: each test gets a fresh private dbus-daemon that
 * includes the shipped bus policy, and starts the real cxlmemd binary on it
 * with its own NOTIFY_SOCKET. No CXL hardware is needed: the skeleton only
 * serves the Manager object. Runs as root (the policy lets only root own
 * org.cxlmemd1). Under CXLMEMD_DAEMON_WRAPPER=valgrind... the daemon's exit
 * status carries valgrind's verdict, and every test checks it.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "bus-harness.h"
#include "bus-interfaces.h"
#include "introspect.h"
#include "macro.h"

static int setup(void **state)
{
	static struct bus_env env;
	int r;

	r = bus_env_start(&env);
	if (r < 0) {
		fprintf(stderr, "bus environment failed: %s\n", strerror(-r));
		bus_env_stop(&env);
		return -1;
	}
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	bus_env_stop(*state);
	return 0;
}

/*
 * Is the daemon fully there: GetManagedObjects answers with a well-formed
 * reply, and the Manager's properties can be read? (The ObjectManager
 * lists objects below /org/cxlmemd1, per the spec not the root itself.)
 */
static bool daemon_answers(sd_bus *bus)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char *version = NULL;
	const char *path;
	int r;

	r = sd_bus_call_method(bus, CXLMEMD_BUS_NAME, CXLMEMD_OBJECT_ROOT,
			       "org.freedesktop.DBus.ObjectManager",
			       "GetManagedObjects", &error, &reply, NULL);
	if (r < 0) {
		fprintf(stderr, "GetManagedObjects: %s\n", error.message);
		sd_bus_error_free(&error);
		return false;
	}
	assert_true(sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}") > 0);
	while (sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}") > 0) {
		assert_true(sd_bus_message_read(reply, "o", &path) > 0);
		assert_true(strncmp(path, CXLMEMD_OBJECT_ROOT "/",
				    strlen(CXLMEMD_OBJECT_ROOT "/")) == 0);
		assert_true(sd_bus_message_skip(reply, "a{sa{sv}}") >= 0);
		assert_true(sd_bus_message_exit_container(reply) >= 0);
	}
	assert_true(sd_bus_message_exit_container(reply) >= 0);
	sd_bus_message_unref(reply);

	r = sd_bus_get_property_string(bus, CXLMEMD_BUS_NAME, CXLMEMD_OBJECT_ROOT,
				       "org.cxlmemd1.Manager", "Version", &error, &version);
	if (r < 0) {
		fprintf(stderr, "Get Version: %s\n", error.message);
		sd_bus_error_free(&error);
		return false;
	}
	free(version);
	return true;
}

static bool notify_has(const char *msg, const char *assignment)
{
	size_t n = strlen(assignment);

	for (const char *l = msg; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, assignment, n) == 0 && (l[n] == '\n' || l[n] == '\0' ||
						       assignment[n - 1] == '='))
			return true;
	return false;
}

struct startup_watch {
	struct bus_env *env;
	bool ready_seen;	/* READY=1 has arrived on the notify socket */
	bool status_seen;
	bool name_seen;
	bool ready_before_name;
	bool objects_at_name;
};

/* Read every datagram already queued on the notify socket. */
static void drain_notify(struct startup_watch *w)
{
	char msg[1024];

	while (bus_env_read_notify(w->env, msg, sizeof(msg), 0) > 0) {
		if (notify_has(msg, "READY=1"))
			w->ready_seen = true;
		if (notify_has(msg, "STATUS="))
			w->status_seen = true;
	}
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
	struct startup_watch *w = userdata;
	const char *name, *old, *new;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0 || !*new)
		return 0;
	w->name_seen = true;
	/*
	 * The daemon sends READY=1 before it even asks for the name, so by
	 * the time the bus tells us the name is taken the datagram is
	 * already queued on our socket: checking now is race-free.
	 */
	drain_notify(w);
	w->ready_before_name = w->ready_seen;
	/* The very moment the name shows up, the objects must be there. */
	w->objects_at_name = daemon_answers(sd_bus_message_get_bus(m));
	return 0;
}

/* Wait for READY=1; returns true when seen. Processes the client bus too. */
static bool wait_ready(struct bus_env *e)
{
	int timeout = bus_env_timeout_ms(5000), waited = 0;
	char msg[1024];

	while (waited < timeout) {
		int r;

		while (sd_bus_process(e->client, NULL) > 0)
			;
		r = bus_env_read_notify(e, msg, sizeof(msg), 50);
		assert_true(r >= 0);
		waited += 50;
		if (r == 0)
			continue;
		if (notify_has(msg, "READY=1"))
			return true;
	}
	return false;
}

/* READY=1, then the name: the daemon is serving. */
static bool wait_serving(struct bus_env *e)
{
	int waited = 0;

	if (!wait_ready(e))
		return false;
	while (!bus_env_name_has_owner(e, CXLMEMD_BUS_NAME)) {
		if (waited >= bus_env_timeout_ms(5000))
			return false;
		usleep(20 * 1000);
		waited += 20;
	}
	return true;
}

static void stop_daemon_cleanly(struct bus_env *e)
{
	int status;

	assert_int_equal(kill(e->daemon_pid, SIGTERM), 0);
	status = bus_env_wait_daemon(e, bus_env_timeout_ms(5000));
	assert_true(status >= 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("cxlmemd did not exit 0 on SIGTERM (wait status 0x%x%s)", status,
			 WIFEXITED(status) && WEXITSTATUS(status) == 99 ?
				 ": valgrind reported errors or leaks" : "");
}

static void test_startup_order(void **state)
{
	struct bus_env *e = *state;
	struct startup_watch w = { .env = e };
	int waited = 0;

	assert_true(sd_bus_add_match(e->client, NULL,
				     "type='signal',sender='org.freedesktop.DBus',"
				     "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
				     "arg0='" CXLMEMD_BUS_NAME "'",
				     on_name_owner_changed, &w) >= 0);
	assert_false(bus_env_name_has_owner(e, CXLMEMD_BUS_NAME));

	assert_int_equal(bus_env_start_daemon(e, NULL), 0);
	while (!w.name_seen && waited < bus_env_timeout_ms(5000)) {
		sd_bus_wait(e->client, 50 * 1000);
		while (sd_bus_process(e->client, NULL) > 0)
			;
		waited += 50;
	}
	if (!w.name_seen)
		fail_msg("org.cxlmemd1 never appeared on the bus");

	/* The name appears only after READY=1, and with every object there. */
	assert_true(w.ready_before_name);
	assert_true(w.objects_at_name);
	drain_notify(&w);
	assert_true(w.status_seen);

	stop_daemon_cleanly(e);
}

static void test_introspection_matches_shipped_xml(void **state)
{
	struct bus_env *e = *state;
	const char *root = getenv("CXLMEMD_SOURCE_ROOT");
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *live;

	assert_int_equal(bus_env_start_daemon(e, NULL), 0);
	assert_true(wait_serving(e));

	assert_true(sd_bus_call_method(e->client, CXLMEMD_BUS_NAME, CXLMEMD_OBJECT_ROOT,
				       "org.freedesktop.DBus.Introspectable", "Introspect",
				       &error, &reply, NULL) >= 0);
	assert_true(sd_bus_message_read(reply, "s", &live) > 0);

	for (const struct bus_interface *i = cxlmemd_bus_interfaces; i->name; i++) {
		_cleanup_free_ char *path = NULL, *shipped = NULL, *extracted = NULL;
		size_t len = 0;
		FILE *f;

		/* Object types other than the Manager live below the root. */
		if (strcmp(i->name, "org.cxlmemd1.Manager") != 0)
			continue;
		assert_true(asprintf(&path, "%s/dbus/%s.xml", root, i->name) > 0);
		f = fopen(path, "re");
		assert_non_null(f);
		assert_true(getdelim(&shipped, &len, '\0', f) > 0);
		fclose(f);
		assert_int_equal(xml_extract_interface(live, i->name, &extracted), 0);
		if (strcmp(extracted, shipped) != 0)
			fail_msg("running daemon's %s differs from %s:\n%s", i->name, path,
				 extracted);
	}
	sd_bus_message_unref(reply);

	stop_daemon_cleanly(e);
}

static void test_version_property(void **state)
{
	struct bus_env *e = *state;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	char *version = NULL;

	assert_int_equal(bus_env_start_daemon(e, NULL), 0);
	assert_true(wait_serving(e));
	assert_true(sd_bus_get_property_string(e->client, CXLMEMD_BUS_NAME,
					       CXLMEMD_OBJECT_ROOT, "org.cxlmemd1.Manager",
					       "Version", &error, &version) >= 0);
	assert_string_equal(version, getenv("CXLMEMD_VERSION"));
	free(version);

	/* Read-only: Set must be refused and change nothing. */
	assert_true(sd_bus_set_property(e->client, CXLMEMD_BUS_NAME, CXLMEMD_OBJECT_ROOT,
					"org.cxlmemd1.Manager", "Version", &error, "s",
					"9.9") < 0);
	assert_true(sd_bus_error_has_name(&error, SD_BUS_ERROR_PROPERTY_READ_ONLY));
	sd_bus_error_free(&error);

	stop_daemon_cleanly(e);
}

static void test_sigterm_releases_name(void **state)
{
	struct bus_env *e = *state;
	char msg[512];
	bool stopping = false;
	int r;

	assert_int_equal(bus_env_start_daemon(e, NULL), 0);
	assert_true(wait_serving(e));
	assert_true(bus_env_name_has_owner(e, CXLMEMD_BUS_NAME));

	stop_daemon_cleanly(e);
	while ((r = bus_env_read_notify(e, msg, sizeof(msg), 0)) > 0)
		if (notify_has(msg, "STOPPING=1"))
			stopping = true;
	assert_true(stopping);
	assert_false(bus_env_name_has_owner(e, CXLMEMD_BUS_NAME));
}

static void test_name_taken_fails(void **state)
{
	struct bus_env *e = *state;
	bool told = false;
	char msg[512];
	int status, r;

	/* Someone else (root, allowed by the policy) holds the name. */
	assert_true(sd_bus_request_name(e->client, CXLMEMD_BUS_NAME, 0) >= 0);

	assert_int_equal(bus_env_start_daemon(e, NULL), 0);
	status = bus_env_wait_daemon(e, bus_env_timeout_ms(5000));
	assert_true(status >= 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);

	/* It says why in its status, and did not take the name over. */
	while ((r = bus_env_read_notify(e, msg, sizeof(msg), 0)) > 0)
		if (notify_has(msg, "STATUS=Bus name org.cxlmemd1 is owned by another process"))
			told = true;
	assert_true(told);
	assert_true(bus_env_name_has_owner(e, CXLMEMD_BUS_NAME));
}

static void test_watchdog_is_pinged(void **state)
{
	struct bus_env *e = *state;
	char *env[] = { "WATCHDOG_USEC=400000", NULL };
	int pings = 0, waited = 0;
	char msg[512];

	assert_int_equal(bus_env_start_daemon(e, env), 0);
	while (pings < 3 && waited < bus_env_timeout_ms(3000)) {
		int r = bus_env_read_notify(e, msg, sizeof(msg), 100);

		assert_true(r >= 0);
		waited += 100;
		if (r > 0 && notify_has(msg, "WATCHDOG=1"))
			pings++;
	}
	assert_int_equal(pings, 3);
	stop_daemon_cleanly(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_startup_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_introspection_matches_shipped_xml, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_version_property, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigterm_releases_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_taken_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_is_pinged, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
