// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The job queue (daemon/job.c) on a real event loop and a peer-to-peer bus
 * over a socketpair: a changing method whose kernel steps run in the worker
 * does not block other calls, changing calls run one at a time in arrival
 * order (each re-read from its message when its turn comes), and shutting
 * down answers the calls still waiting.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "job.h"
#include "macro.h"
#include "manager.h"

#define IFACE "org.cxlmemd1.Test"

struct slow {
	uint32_t ms;
	uint64_t started, ended;
};

static struct slow runs[8];
static size_t n_runs;

static int slow_run(void *data)
{
	struct slow *s = data;

	s->started = now_usec();
	usleep(s->ms * 1000U);
	s->ended = now_usec();
	return 0;
}

static int slow_done(struct Manager *m, sd_bus_message *msg, void *data, int result,
		     sd_bus_error *error)
{
	struct slow *s = data;

	return sd_bus_reply_method_return(msg, "u", s->ms);
}

static int method_slow(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct slow *s;
	int r;

	if (job_defer(m->jobs, msg, method_slow))
		return 1;
	assert_true(n_runs < ELEMENTSOF(runs));
	s = &runs[n_runs++];
	/* Read only now: a queued call is read again from the start. */
	r = sd_bus_message_read(msg, "u", &s->ms);
	if (r < 0)
		return r;
	r = job_start(m->jobs, msg, slow_run, slow_done, s, NULL);
	return r < 0 ? r : 1;
}

static int method_fast(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return sd_bus_reply_method_return(msg, "t", now_usec());
}

static const sd_bus_vtable vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Slow", "u", "u", method_slow, 0),
	SD_BUS_METHOD("Fast", "", "t", method_fast, 0),
	SD_BUS_VTABLE_END
};

struct fixture {
	Manager m;
	sd_bus *server, *client;
	/* Replies, in the order they arrived. */
	char order[16][32];
	uint64_t at[16];
	size_t n, expected;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	sd_id128_t id;
	int fds[2];

	assert_non_null(f);
	n_runs = 0;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
	assert_true(sd_event_new(&f->m.event) >= 0);
	assert_true(job_queue_new(&f->m, &f->m.jobs) >= 0);
	assert_true(sd_id128_randomize(&id) >= 0);

	assert_true(sd_bus_new(&f->server) >= 0);
	assert_true(sd_bus_set_fd(f->server, fds[0], fds[0]) >= 0);
	assert_true(sd_bus_set_server(f->server, 1, id) >= 0);
	assert_true(sd_bus_add_object_vtable(f->server, NULL, "/test", IFACE, vtable, &f->m) >= 0);
	assert_true(sd_bus_start(f->server) >= 0);
	assert_true(sd_bus_attach_event(f->server, f->m.event, 0) >= 0);
	f->m.bus = f->server;

	assert_true(sd_bus_new(&f->client) >= 0);
	assert_true(sd_bus_set_fd(f->client, fds[1], fds[1]) >= 0);
	assert_true(sd_bus_start(f->client) >= 0);
	assert_true(sd_bus_attach_event(f->client, f->m.event, 0) >= 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	f->m.jobs = job_queue_free(f->m.jobs);
	sd_bus_flush_close_unref(f->client);
	sd_bus_flush_close_unref(f->server);
	sd_event_unref(f->m.event);
	free(f);
	return 0;
}

struct call {
	struct fixture *f;
	const char *name;
};

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct call *c = userdata;
	struct fixture *f = c->f;
	const sd_bus_error *e = sd_bus_message_get_error(reply);

	snprintf(f->order[f->n], sizeof(f->order[0]), "%s%s%s", c->name, e ? ":" : "",
		 e ? e->name : "");
	f->at[f->n++] = now_usec();
	if (f->n == f->expected)
		sd_event_exit(f->m.event, 0);
	return 0;
}

static void call(struct fixture *f, struct call *c, const char *method, uint32_t ms)
{
	int r;

	if (strcmp(method, "Slow") == 0)
		r = sd_bus_call_method_async(f->client, NULL, NULL, "/test", IFACE, method,
					     on_reply, c, "u", ms);
	else
		r = sd_bus_call_method_async(f->client, NULL, NULL, "/test", IFACE, method,
					     on_reply, c, "");
	assert_true(r >= 0);
}

static void test_reads_are_served_while_a_job_runs(void **state)
{
	struct fixture *f = *state;
	struct call slow1 = { f, "slow300" }, slow2 = { f, "slow10" }, fast = { f, "fast" };

	call(f, &slow1, "Slow", 300);
	call(f, &slow2, "Slow", 10);
	call(f, &fast, "Fast", 0);
	f->expected = 3;
	assert_int_equal(sd_event_loop(f->m.event), 0);

	/* The fast call did not wait for the 300 ms job. */
	assert_string_equal(f->order[0], "fast");
	/* Changing calls: one at a time, in arrival order, each with its own
	 * argument (the queued one was read again from its message). */
	assert_string_equal(f->order[1], "slow300");
	assert_string_equal(f->order[2], "slow10");
	assert_int_equal(n_runs, 2);
	assert_int_equal(runs[0].ms, 300);
	assert_int_equal(runs[1].ms, 10);
	assert_true(runs[1].started >= runs[0].ended);
	assert_true(f->at[0] < runs[0].ended);
}

static void test_shutdown_answers_waiting_calls(void **state)
{
	struct fixture *f = *state;
	struct call slow1 = { f, "slow" }, queued = { f, "queued" };
	uint64_t deadline;

	call(f, &slow1, "Slow", 200);
	call(f, &queued, "Slow", 5);
	/* Dispatch until the first job runs and the second call waits. */
	deadline = now_usec() + 5000000;
	while (n_runs < 1 && now_usec() < deadline)
		assert_true(sd_event_run(f->m.event, 10000) >= 0);
	for (int i = 0; i < 20; i++)
		assert_true(sd_event_run(f->m.event, 1000) >= 0);
	assert_int_equal(n_runs, 1);
	assert_true(job_running(f->m.jobs));

	/* Waits for the running job, then fails the waiting call. */
	f->m.jobs = job_queue_free(f->m.jobs);
	assert_true(runs[0].ended != 0);
	f->expected = 1;
	assert_int_equal(sd_event_loop(f->m.event), 0);
	assert_string_equal(f->order[0], "queued:org.cxlmemd1.Error.Busy");
	assert_int_equal(n_runs, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reads_are_served_while_a_job_runs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_answers_waiting_calls, setup,
						teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
