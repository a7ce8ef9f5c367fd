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

#include "bus-harness.h"
#include "bus-interfaces.h"
#include "fake-polkit.h"

#define NOBODY 65534
#define RANGE CXLMEMD_OBJECT_ROOT "/softreserved/0x100000000"

struct ctx {
	struct bus_env env;
	char iomem[64];
	struct fake_polkit *polkit;
};

static struct fake_polkit_question last(struct ctx *c)
{
	struct fake_polkit_question q;

	fake_polkit_last(c->polkit, &q);
	return q;
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

static void test_yes(void **state)
{
	struct ctx *c = *state;
	struct fake_polkit_question q;
	char *got;

	fake_polkit_set(c->polkit, FAKE_POLKIT_YES, 0);
	got = set_owner_as(c, NOBODY, false, "bogus");
	assert_string_equal(got, "org.cxlmemd1.Error.InvalidArgument");
	free(got);
	q = last(c);
	assert_int_equal(q.asked, 1);
	assert_string_equal(q.action, "org.cxlmemd1.set-ownership");
	assert_int_equal(strncmp(q.subject, "system-bus-name::", 17), 0);
	assert_int_equal(q.flags, 0);
}

static void test_no(void **state)
{
	struct ctx *c = *state;
	char *got;

	fake_polkit_set(c->polkit, FAKE_POLKIT_NO, 0);
	got = set_owner_as(c, NOBODY, false, "bogus");
	assert_string_equal(got, "org.freedesktop.DBus.Error.AccessDenied");
	free(got);
}

static void test_challenge(void **state)
{
	struct ctx *c = *state;
	char *got;

	fake_polkit_set(c->polkit, FAKE_POLKIT_CHALLENGE, 0);
	got = set_owner_as(c, NOBODY, false, "bogus");
	assert_string_equal(got, "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired");
	free(got);
	assert_int_equal(last(c).flags, 0);

	got = set_owner_as(c, NOBODY, true, "bogus");
	assert_string_equal(got, "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired");
	free(got);
	assert_int_equal(last(c).flags, 1);	/* AllowUserInteraction reached polkit */
}

static void test_root_never_asks(void **state)
{
	struct ctx *c = *state;
	char *got;

	fake_polkit_set(c->polkit, FAKE_POLKIT_NO, 0);
	got = set_owner_as(c, 0, false, "bogus");
	assert_string_equal(got, "org.cxlmemd1.Error.InvalidArgument");
	free(got);
	assert_int_equal(last(c).asked, 0);
}

/* While polkit holds its answer for 2 s, the daemon still answers reads. */
static void test_loop_not_blocked(void **state)
{
	struct ctx *c = *state;
	char *version = NULL;
	int status, fds[2];
	pid_t pid;

	fake_polkit_set(c->polkit, FAKE_POLKIT_YES, 2000);
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
	fake_polkit_set(c->polkit, FAKE_POLKIT_YES, 0);
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

	r = bus_env_start_with(&c.env, fake_polkit_bus_policy);
	if (r < 0)
		return -1;
	/* the unprivileged client must reach the private bus's socket */
	if (chmod(c.env.dir, 0755) < 0 || fake_polkit_start(c.env.address, &c.polkit) < 0 ||
	    bus_env_start_daemon(&c.env, env) < 0 ||
	    bus_env_wait_name(&c.env, bus_env_timeout_ms(20000)) < 0)
		return -1;
	*state = &c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	int r;

	if (!c)
		return -1;	/* setup failed and said why */
	r = bus_env_stop_daemon(&c->env);
	fake_polkit_stop(c->polkit);
	bus_env_stop(&c->env);
	unlink(c->iomem);
	return r;
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
