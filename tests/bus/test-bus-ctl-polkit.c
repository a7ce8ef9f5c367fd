// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * THEORY OF OPERATION: cxlmemctl's side of polkit, against a fake
 * polkit as in test-bus-polkit (the test owns org.freedesktop.PolicyKit1
 * on the private bus and answers CheckAuthorization from a thread with a
 * verdict it sets, recording the flags). cxlmemctl runs as uid 65534 and
 * asks SetOwner with an owner the daemon rejects, so "authorized" shows
 * as exit status 2 (InvalidArgument) and nothing changes:
 *  - by default cxlmemctl allows interactive authorization, as systemd's
 *    tools do: the AllowUserInteraction flag reaches polkit;
 *  - --no-ask-password: it does not;
 *  - polkit says no, or wants a password that may not be asked for:
 *    exit status 4 with the daemon's sentence.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "bus-harness.h"
#include "fake-polkit.h"

#define NOBODY 65534

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

/*
 * cxlmemctl [--no-ask-password] ownership set 0x100000000 bogus, as
 * uid 65534; its exit status, stderr into @err.
 */
static int ctl_as_nobody(struct ctx *c, bool ask, char *err, size_t size)
{
	char *const with[] = { "cxlmemctl", "ownership", "set", "0x100000000", "bogus", NULL };
	char *const without[] = { "cxlmemctl", "--no-ask-password", "ownership", "set",
				  "0x100000000", "bogus", NULL };
	int p[2], status;
	size_t have = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("DBUS_SYSTEM_BUS_ADDRESS", c->env.address, 1);
		dup2(p[1], STDERR_FILENO);
		if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
			_exit(126);
		execv(getenv("CXLMEMCTL_BINARY"), ask ? with : without);
		_exit(127);
	}
	close(p[1]);
	while (have + 1 < size && (n = read(p[0], err + have, size - 1 - have)) > 0)
		have += (size_t)n;
	err[have] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	print_message("# exit %d: %s", WEXITSTATUS(status), err);
	return WEXITSTATUS(status);
}

static void test_interactive_by_default(void **state)
{
	struct ctx *c = *state;
	char err[1024];

	fake_polkit_set(c->polkit, FAKE_POLKIT_YES, 0);
	/* Past authorization: the daemon's InvalidArgument, exit 2. */
	assert_int_equal(ctl_as_nobody(c, true, err, sizeof(err)), 2);
	assert_int_equal(last(c).asked, 1);
	assert_int_equal(last(c).flags, 1);	/* AllowUserInteraction */
}

static void test_no_ask_password(void **state)
{
	struct ctx *c = *state;
	char err[1024];

	fake_polkit_set(c->polkit, FAKE_POLKIT_YES, 0);
	assert_int_equal(ctl_as_nobody(c, false, err, sizeof(err)), 2);
	assert_int_equal(last(c).asked, 1);
	assert_int_equal(last(c).flags, 0);
}

static void test_denied(void **state)
{
	struct ctx *c = *state;
	char err[1024];

	fake_polkit_set(c->polkit, FAKE_POLKIT_NO, 0);
	assert_int_equal(ctl_as_nobody(c, true, err, sizeof(err)), 4);
	assert_non_null(strstr(err, "Not authorized to "));
	assert_non_null(strstr(err, "(org.freedesktop.DBus.Error.AccessDenied)"));
}

static void test_password_not_asked(void **state)
{
	struct ctx *c = *state;
	char err[1024];

	fake_polkit_set(c->polkit, FAKE_POLKIT_CHALLENGE, 0);
	assert_int_equal(ctl_as_nobody(c, false, err, sizeof(err)), 4);
	assert_int_equal(last(c).flags, 0);
	assert_non_null(strstr(err, "Authentication is required to "));
	assert_non_null(strstr(err, "(org.freedesktop.DBus.Error.InteractiveAuthorizationRequired)"));
}

static int setup(void **state)
{
	static struct ctx c;
	static char env_iomem[96];
	char *env[] = { env_iomem, NULL };
	FILE *f;
	int r;

	strcpy(c.iomem, "/tmp/test-bus-ctl-polkit-iomem.XXXXXX");
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

	if (!getenv("CXLMEMCTL_BINARY") || bus_env_start_with(&c.env, fake_polkit_bus_policy) < 0)
		return -1;
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
		return -1;
	r = bus_env_stop_daemon(&c->env);
	fake_polkit_stop(c->polkit);
	bus_env_stop(&c->env);
	unlink(c->iomem);
	return r;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interactive_by_default),
		cmocka_unit_test(test_no_ask_password),
		cmocka_unit_test(test_denied),
		cmocka_unit_test(test_password_not_asked),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
