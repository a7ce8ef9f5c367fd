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
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
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

#define BUS_NAME "org.cxlmemd1"
#define NOBODY 65534

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
	unsigned int asked;
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
	const char *cancel;
	uint32_t flags;
	int yes, challenge, r;

	r = sd_bus_message_skip(m, "(sa{sv})sa{ss}");
	if (r >= 0)
		r = sd_bus_message_read(m, "us", &flags, &cancel);
	if (r < 0)
		return r;
	pthread_mutex_lock(&fake.lock);
	fake.asked++;
	fake.flags = flags;
	yes = fake.verdict == YES;
	challenge = fake.verdict == CHALLENGE;
	pthread_mutex_unlock(&fake.lock);
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

static void set_verdict(enum verdict v)
{
	pthread_mutex_lock(&fake.lock);
	fake.verdict = v;
	fake.asked = 0;
	fake.flags = UINT32_MAX;
	pthread_mutex_unlock(&fake.lock);
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
	print_message("exit %d: %s", WEXITSTATUS(status), err);
	return WEXITSTATUS(status);
}

static void test_interactive_by_default(void **state)
{
	char err[1024];

	set_verdict(YES);
	/* Past authorization: the daemon's InvalidArgument, exit 2. */
	assert_int_equal(ctl_as_nobody(*state, true, err, sizeof(err)), 2);
	assert_int_equal(fake.asked, 1);
	assert_int_equal(fake.flags, 1);	/* AllowUserInteraction */
}

static void test_no_ask_password(void **state)
{
	char err[1024];

	set_verdict(YES);
	assert_int_equal(ctl_as_nobody(*state, false, err, sizeof(err)), 2);
	assert_int_equal(fake.asked, 1);
	assert_int_equal(fake.flags, 0);
}

static void test_denied(void **state)
{
	char err[1024];

	set_verdict(NO);
	assert_int_equal(ctl_as_nobody(*state, true, err, sizeof(err)), 4);
	assert_non_null(strstr(err, "Not authorized to "));
	assert_non_null(strstr(err, "(org.freedesktop.DBus.Error.AccessDenied)"));
}

static void test_password_not_asked(void **state)
{
	char err[1024];

	set_verdict(CHALLENGE);
	assert_int_equal(ctl_as_nobody(*state, false, err, sizeof(err)), 4);
	assert_int_equal(fake.flags, 0);
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

	if (!getenv("CXLMEMCTL_BINARY") || bus_env_start_with(&c.env, extra_policy) < 0)
		return -1;
	if (chmod(c.env.dir, 0755) < 0)
		return -1;
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
	for (int i = 0; !bus_env_name_has_owner(&c.env, BUS_NAME); i++) {
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
		return -1;
	kill(c->env.daemon_pid, SIGTERM);
	status = bus_env_wait_daemon(&c->env, bus_env_timeout_ms(5000));
	atomic_store(&fake.stop, true);
	pthread_join(c->thread, NULL);
	sd_bus_flush_close_unref(c->polkit_bus);
	bus_env_stop(&c->env);
	unlink(c->iomem);
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "cxlmemd did not exit 0 (status 0x%x)\n", (unsigned int)status);
		return -1;
	}
	return 0;
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
