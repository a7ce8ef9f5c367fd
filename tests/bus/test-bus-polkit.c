// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * THEORY OF OPERATION: the daemon's polkit path, against a fake polkit.
 * The test owns org.freedesktop.PolicyKit1 on the private bus (the extra
 * bus policy below lets it) and answers CheckAuthorization from a thread
 * with a verdict the test sets, recording what it was asked: the action
 * id, the subject (the caller's unique name) and the flags. An
 * unprivileged client (uid 65534) then calls SoftReservedRange.SetOwner
 * with an owner the daemon rejects, so "got past authorization" shows as
 * org.cxlmemd1.Error.InvalidArgument and nothing changes:
 *  - polkit says yes: InvalidArgument, and polkit was asked about
 *    org.cxlmemd1.set-ownership for that caller, without interaction;
 *  - polkit says no: AccessDenied;
 *  - polkit wants a password: InteractiveAuthorizationRequired, or, when
 *    the caller allows interaction, the flag reaches polkit;
 *  - root is never sent to polkit;
 *  - the event loop serves other callers while polkit thinks (the fake
 *    holds its answer while root reads a property).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "bus-harness.h"
#include "bus-interfaces.h"

#define NOBODY 65534
#define RANGE CXLMEMD_OBJECT_ROOT "/softreserved/0x100000000"

static const char extra_policy[] =
	"  <policy user=\"root\">\n"
	"    <allow own=\"org.freedesktop.PolicyKit1\"/>\n"
	"  </policy>\n"
	"  <policy context=\"default\">\n"
	"    <allow send_destination=\"org.freedesktop.PolicyKit1\"/>\n"
	"  </policy>\n";

enum verdict { YES, NO, CHALLENGE };

static struct {
	pthread_mutex_t lock;
	enum verdict verdict;
	unsigned hold_ms;		/* answer this late */
	unsigned asked;
	char action[128], subject[128];
	uint32_t flags;
	atomic_bool stop;
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER };

struct ctx {
	struct bus_env env;
	char iomem[64];
	pthread_t thread;
	sd_bus *polkit_bus;
};

static int check_authorization(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *kind, *key, *name = "", *action, *cancel;
	uint32_t flags;
	unsigned hold;
	int yes, challenge, r;

	r = sd_bus_message_enter_container(m, 'r', "sa{sv}");
	if (r >= 0)
		r = sd_bus_message_read(m, "s", &kind);
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r >= 0 && sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		r = sd_bus_message_read(m, "s", &key);
		if (r >= 0 && !strcmp(key, "name"))
			r = sd_bus_message_read(m, "v", "s", &name);
		else if (r >= 0)
			r = sd_bus_message_skip(m, "v");
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r >= 0)
		r = sd_bus_message_read(m, "s", &action);
	if (r >= 0)
		r = sd_bus_message_skip(m, "a{ss}");
	if (r >= 0)
		r = sd_bus_message_read(m, "us", &flags, &cancel);
	if (r < 0)
		return r;

	pthread_mutex_lock(&fake.lock);
	fake.asked++;
	snprintf(fake.action, sizeof(fake.action), "%s", action);
	snprintf(fake.subject, sizeof(fake.subject), "%s:%s", kind, name);
	fake.flags = flags;
	yes = fake.verdict == YES;
	challenge = fake.verdict == CHALLENGE;
	hold = fake.hold_ms;
	pthread_mutex_unlock(&fake.lock);
	if (hold)
		usleep(hold * 1000);
	return sd_bus_reply_method_return(m, "(bba{ss})", yes, challenge, 0);
}

static const sd_bus_vtable authority_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})",
		      check_authorization, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

static void *serve(void *userdata)
{
	sd_bus *bus = userdata;

	while (!atomic_load(&fake.stop)) {
		while (sd_bus_process(bus, NULL) > 0)
			;
		sd_bus_wait(bus, 50 * 1000);
	}
	return NULL;
}

static int append_owner(sd_bus_message *m, const void *owner)
{
	return sd_bus_message_append(m, "sb", (const char *)owner, 0);
}

/* Call SetOwner(@owner, false) on RANGE as @uid; the error name or "ok". */
static char *set_owner_as(struct ctx *c, uid_t uid, bool interactive, const char *owner)
{
	char *got = bus_env_call_as(&c->env, uid, interactive, RANGE,
				    "org.cxlmemd1.SoftReservedRange", "SetOwner", append_owner,
				    owner);

	if (!got)
		fail_msg("the SetOwner client failed");
	return got;
}

static void set_verdict(enum verdict v, unsigned hold_ms)
{
	pthread_mutex_lock(&fake.lock);
	fake.verdict = v;
	fake.hold_ms = hold_ms;
	pthread_mutex_unlock(&fake.lock);
}

static unsigned asked(void)
{
	unsigned n;

	pthread_mutex_lock(&fake.lock);
	n = fake.asked;
	pthread_mutex_unlock(&fake.lock);
	return n;
}

static void test_yes(void **state)
{
	struct ctx *c = *state;
	unsigned before = asked();
	char *got;

	set_verdict(YES, 0);
	got = set_owner_as(c, NOBODY, false, "bogus");
	assert_string_equal(got, "org.cxlmemd1.Error.InvalidArgument");
	free(got);
	assert_int_equal(asked(), before + 1);
	assert_string_equal(fake.action, "org.cxlmemd1.set-ownership");
	assert_int_equal(strncmp(fake.subject, "system-bus-name::", 17), 0);
	assert_int_equal(fake.flags, 0);
}

static void test_no(void **state)
{
	struct ctx *c = *state;
	char *got;

	set_verdict(NO, 0);
	got = set_owner_as(c, NOBODY, false, "bogus");
	assert_string_equal(got, "org.freedesktop.DBus.Error.AccessDenied");
	free(got);
}

static void test_challenge(void **state)
{
	struct ctx *c = *state;
	char *got;

	set_verdict(CHALLENGE, 0);
	got = set_owner_as(c, NOBODY, false, "bogus");
	assert_string_equal(got, "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired");
	free(got);
	assert_int_equal(fake.flags, 0);

	got = set_owner_as(c, NOBODY, true, "bogus");
	assert_string_equal(got, "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired");
	free(got);
	assert_int_equal(fake.flags, 1);	/* AllowUserInteraction reached polkit */
}

static void test_root_never_asks(void **state)
{
	struct ctx *c = *state;
	unsigned before = asked();
	char *got;

	set_verdict(NO, 0);
	got = set_owner_as(c, 0, false, "bogus");
	assert_string_equal(got, "org.cxlmemd1.Error.InvalidArgument");
	free(got);
	assert_int_equal(asked(), before);
}

/* While polkit holds its answer for 2 s, the daemon still answers reads. */
static void test_loop_not_blocked(void **state)
{
	struct ctx *c = *state;
	char *version = NULL;
	int status, fds[2];
	pid_t pid;

	set_verdict(YES, 2000);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *got;

		signal(SIGABRT, SIG_DFL);
		close(fds[0]);
		got = set_owner_as(c, NOBODY, false, "bogus");
		_exit(strcmp(got, "org.cxlmemd1.Error.InvalidArgument") ? 1 : 0);
	}
	close(fds[1]);
	close(fds[0]);
	usleep(500 * 1000);	/* the question is with polkit now */
	assert_int_equal(sd_bus_get_property_string(c->env.client, CXLMEMD_BUS_NAME,
						    CXLMEMD_OBJECT_ROOT, "org.cxlmemd1.Manager",
						    "Version", NULL, &version), 0);
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);	/* still waiting */
	free(version);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	set_verdict(YES, 0);
}

static int setup(void **state)
{
	static struct ctx c;
	char env_iomem[96];
	char *env[] = { env_iomem, NULL };
	FILE *f;
	int r;

	strcpy(c.iomem, "/tmp/test-bus-polkit-iomem.XXXXXX");
	r = mkstemp(c.iomem);
	if (r < 0)
		return -1;
	close(r);
	f = fopen(c.iomem, "w");
	if (!f)
		return -1;
	fputs("100000000-13fffffff : Soft Reserved\n", f);
	fclose(f);
	snprintf(env_iomem, sizeof(env_iomem), "CXLMEMD_IOMEM=%s", c.iomem);

	r = bus_env_start_with(&c.env, extra_policy);
	if (r < 0)
		return -1;
	if (chmod(c.env.dir, 0755) < 0)
		return -1;
	/* the fake authority, on its own connection and thread */
	if (sd_bus_new(&c.polkit_bus) < 0 || sd_bus_set_address(c.polkit_bus, c.env.address) < 0 ||
	    sd_bus_set_bus_client(c.polkit_bus, 1) < 0 || sd_bus_start(c.polkit_bus) < 0 ||
	    sd_bus_add_object_vtable(c.polkit_bus, NULL, "/org/freedesktop/PolicyKit1/Authority",
				     "org.freedesktop.PolicyKit1.Authority", authority_vtable,
				     NULL) < 0 ||
	    sd_bus_request_name(c.polkit_bus, "org.freedesktop.PolicyKit1", 0) < 0)
		return -1;
	if (pthread_create(&c.thread, NULL, serve, c.polkit_bus) != 0)
		return -1;
	if (bus_env_start_daemon(&c.env, env) < 0)
		return -1;
	for (int i = 0; !bus_env_name_has_owner(&c.env, CXLMEMD_BUS_NAME); i++) {
		if (i * 20 > bus_env_timeout_ms(20000))
			return -1;
		usleep(20 * 1000);
	}
	*state = &c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	int status;

	if (!c)
		return -1;	/* setup failed and said why */

	kill(c->env.daemon_pid, SIGTERM);
	status = bus_env_wait_daemon(&c->env, bus_env_timeout_ms(5000));
	atomic_store(&fake.stop, true);
	pthread_join(c->thread, NULL);
	sd_bus_flush_close_unref(c->polkit_bus);
	bus_env_stop(&c->env);
	unlink(c->iomem);
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "cxlmemd did not exit 0 (status 0x%x)\n", (unsigned)status);
		return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yes),
		cmocka_unit_test(test_no),
		cmocka_unit_test(test_challenge),
		cmocka_unit_test(test_root_never_asks),
		cmocka_unit_test(test_loop_not_blocked),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
