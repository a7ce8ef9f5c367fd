/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

struct Manager;

/*
 * Changes to the kernel off the event loop. A method that changes the
 * kernel's regions or memory runs its kernel steps as a job in a worker
 * thread, so a commit or the onlining of many memory blocks does not
 * block the bus: properties, GetManagedObjects and uevent refreshes are
 * served meanwhile, and the method replies when its job is done.
 *
 * One job at a time. A changing method that arrives while a job runs (or
 * others wait) is queued with its message and run from the start, against
 * the refreshed model, when its turn comes: two CreateRegion calls on one
 * window see each other's result, so both get disjoint space or the
 * second fails cleanly.
 *
 * The worker only runs @run, which must touch nothing but its own @data
 * and the kernel (the region_ops seam): no model, no bus, no Manager.
 * @done runs on the main thread with @run's result; it replies to @msg
 * (or returns < 0 with @error set for the generic error reply) and may
 * start a follow-up job for the same message.
 */
typedef int (*job_run_t)(void *data);
typedef int (*job_done_t)(struct Manager *m, sd_bus_message *msg, void *data, int result,
			  sd_bus_error *error);

struct job_queue;

int job_queue_new(struct Manager *m, struct job_queue **ret);
/* Waits for a running job (a kernel step cannot be abandoned halfway),
 * fails every queued call with org.cxlmemd1.Error.Busy. */
struct job_queue *job_queue_free(struct job_queue *q);

/*
 * At the top of every changing method: true when the call has been
 * queued (the handler then returns 1 and replies later), false when it
 * may go ahead now.
 */
bool job_defer(struct job_queue *q, sd_bus_message *msg, sd_bus_message_handler_t handler);

/* Run @run(@data) in the worker; @done, then @free_data, when it ends. */
int job_start(struct job_queue *q, sd_bus_message *msg, job_run_t run, job_done_t done,
	      void *data, void (*free_data)(void *));

/* Is a job running? False too while there is no queue (@q NULL). */
bool job_running(const struct job_queue *q);
