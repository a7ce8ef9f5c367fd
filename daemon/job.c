// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "job.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "monitor.h"

struct waiting {
	sd_bus_message *msg;
	sd_bus_message_handler_t handler;
	struct waiting *next;
};

struct job_queue {
	Manager *m;
	int efd;
	sd_event_source *source;

	/* The running job; the worker writes only @result. */
	bool running;
	pthread_t thread;
	sd_bus_message *msg;
	job_run_t run;
	job_done_t done;
	void *data;
	void (*free_data)(void *);
	int result;
	uint64_t started;

	/* Changing calls waiting for their turn, oldest first. */
	struct waiting *head, **tail;
	sd_bus_message *dispatching;
};

static void reply_failure(sd_bus_message *msg, int r, sd_bus_error *error)
{
	int k;

	if (sd_bus_error_is_set(error))
		k = sd_bus_reply_method_error(msg, error);
	else
		k = sd_bus_reply_method_errno(msg, r, NULL);
	if (k < 0)
		log_warning_errno(k, "Failed to send an error reply: %m");
}

static void *worker(void *userdata)
{
	struct job_queue *q = userdata;
	uint64_t one = 1;

	q->result = q->run(q->data);
	/* Wakes the event loop; the main thread reads @result after join. */
	if (write(q->efd, &one, sizeof(one)) != sizeof(one))
		log_error("Failed to signal the end of a job; the method will not reply");
	return NULL;
}

int job_start(struct job_queue *q, sd_bus_message *msg, job_run_t run, job_done_t done,
	      void *data, void (*free_data)(void *))
{
	int r;

	if (q->running)
		return -EBUSY;
	q->msg = sd_bus_message_ref(msg);
	q->run = run;
	q->done = done;
	q->data = data;
	q->free_data = free_data;
	q->result = 0;
	q->started = now_usec();
	r = -pthread_create(&q->thread, NULL, worker, q);
	if (r < 0) {
		q->msg = sd_bus_message_unref(q->msg);
		return r;
	}
	q->running = true;
	return 0;
}

bool job_running(const struct job_queue *q)
{
	return q && q->running;
}

bool job_defer(struct job_queue *q, sd_bus_message *msg, sd_bus_message_handler_t handler)
{
	struct waiting *w;

	if (msg == q->dispatching || (!q->running && !q->head))
		return false;
	w = calloc(1, sizeof(*w));
	if (!w) {
		/* Rather than run it out of turn. */
		(void)sd_bus_reply_method_errno(msg, ENOMEM, NULL);
		return true;
	}
	w->msg = sd_bus_message_ref(msg);
	w->handler = handler;
	*q->tail = w;
	q->tail = &w->next;
	log_debug("Queued %s on %s behind the running job", sd_bus_message_get_member(msg),
		  sd_bus_message_get_path(msg));
	return true;
}

/* Run waiting calls until one starts a job or none is left. */
static void dispatch_waiting(struct job_queue *q)
{
	while (!q->running && q->head) {
		_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
		struct waiting *w = q->head;
		int r;

		q->head = w->next;
		if (!q->head)
			q->tail = &q->head;
		r = sd_bus_message_rewind(w->msg, true);
		if (r >= 0) {
			q->dispatching = w->msg;
			r = w->handler(w->msg, q->m, &error);
			q->dispatching = NULL;
		}
		if (r < 0)
			reply_failure(w->msg, r, &error);
		sd_bus_message_unref(w->msg);
		free(w);
	}
}

static void finish(struct job_queue *q)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *msg = q->msg;
	void (*free_data)(void *) = q->free_data;
	void *data = q->data;
	int r;

	pthread_join(q->thread, NULL);
	/* Its uevents are all queued by now: they count as the job's. */
	monitor_drain(q->m);
	log_debug("%s on %s: kernel steps took %" PRIu64 " ms", sd_bus_message_get_member(msg),
		  sd_bus_message_get_path(msg), (now_usec() - q->started) / 1000);
	q->running = false;
	q->msg = NULL;
	/* @done may start the next job for the same call. */
	r = q->done(q->m, msg, data, q->result, &error);
	if (r < 0)
		reply_failure(msg, r, &error);
	if (free_data)
		free_data(data);
	sd_bus_message_unref(msg);
	/* Uevents that came during the job. */
	if (!q->running)
		monitor_job_ended(q->m);
}

static int on_job_done(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct job_queue *q = userdata;
	uint64_t n;

	if (read(fd, &n, sizeof(n)) != sizeof(n) || !q->running)
		return 0;
	finish(q);
	dispatch_waiting(q);
	return 0;
}

int job_queue_new(Manager *m, struct job_queue **ret)
{
	struct job_queue *q = calloc(1, sizeof(*q));
	int r;

	if (!q)
		return -ENOMEM;
	q->m = m;
	q->tail = &q->head;
	q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->efd < 0) {
		free(q);
		return -errno;
	}
	r = sd_event_add_io(m->event, &q->source, q->efd, EPOLLIN, on_job_done, q);
	if (r < 0) {
		close(q->efd);
		free(q);
		return r;
	}
	*ret = q;
	return 0;
}

struct job_queue *job_queue_free(struct job_queue *q)
{
	if (!q)
		return NULL;
	if (q->running) {
		log_notice("Waiting for the running %s to finish its kernel steps",
			   sd_bus_message_get_member(q->msg) ?: "job");
		pthread_join(q->thread, NULL);
		q->running = false;
		if (q->free_data)
			q->free_data(q->data);
		sd_bus_message_unref(q->msg);
	}
	while (q->head) {
		struct waiting *w = q->head;

		q->head = w->next;
		(void)sd_bus_reply_method_errorf(w->msg, "org.cxlmemd1.Error.Busy",
						 "cxlmemd is shutting down; call again.");
		sd_bus_message_unref(w->msg);
		free(w);
	}
	sd_event_source_disable_unref(q->source);
	close(q->efd);
	free(q);
	return NULL;
}
