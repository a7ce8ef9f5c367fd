// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "config.h"

#include "bouncer.h"
#include "bus-interfaces.h"
#include "log.h"
#include "manager-bus.h"
#include "manager.h"
#include "job.h"
#include "lease.h"
#include "monitor.h"
#include "ownership-bus.h"
#include "strv.h"

int manager_new(Manager **ret)
{
	sigset_t mask;
	Manager *m;
	int r;

	/*
	 * Before any thread exists (the job worker below): a thread created
	 * with these unblocked would take them with the default action,
	 * killing the daemon, instead of the event loop's signalfd.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;

	m->region_ops = &region_ops_kernel;
	r = sd_event_default(&m->event);
	if (r >= 0)
		r = job_queue_new(m, &m->jobs);
	if (r < 0) {
		sd_event_unref(m->event);
		free(m);
		return r;
	}

	*ret = m;
	return 0;
}

Manager *manager_free(Manager *m)
{
	if (!m)
		return NULL;

	/* First: a job's reply and refresh need the bus and the model. */
	m->jobs = job_queue_free(m->jobs);
	monitor_stop(m);
	ownership_free(m);
	bouncer_free_all();
	lease_free_all(m);
	sd_bus_slot_unref(m->name_slot);
	sd_bus_flush_close_unref(m->bus);
	model_clear(&m->model);
	free(m->kernel_version);
	strv_free(m->capabilities);
	free(m->capabilities_note);
	sd_event_unref(m->event);
	free(m);
	return NULL;
}

static int on_name_acquired(sd_bus_message *reply, void *userdata,
			    sd_bus_error *ret_error)
{
	Manager *m = userdata;
	const sd_bus_error *e;
	uint32_t result;
	int r;

	m->name_slot = sd_bus_slot_unref(m->name_slot);

	e = sd_bus_message_get_error(reply);
	if (e) {
		log_error("Failed to acquire bus name " CXLMEMD_BUS_NAME ": %s",
			  e->message ? e->message : e->name);
		sd_notify(0, "STATUS=Failed to acquire bus name " CXLMEMD_BUS_NAME);
		return sd_event_exit(m->event, -sd_bus_message_get_errno(reply) ?: -EIO);
	}

	/* With a callback of our own, sd-bus leaves the result code to us. */
	r = sd_bus_message_read(reply, "u", &result);
	if (r < 0) {
		log_error_errno(r, "Malformed RequestName reply: %m");
		return sd_event_exit(m->event, r);
	}
	if (result != 1 /* DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER */) {
		log_error("Bus name " CXLMEMD_BUS_NAME " is already owned by another "
			  "process (RequestName result %u); is cxlmemd already running?",
			  result);
		sd_notify(0, "STATUS=Bus name " CXLMEMD_BUS_NAME " is owned by another process");
		return sd_event_exit(m->event, -EEXIST);
	}

	m->name_acquired = true;
	log_info("Acquired bus name " CXLMEMD_BUS_NAME);
	sd_notifyf(0, "STATUS=Serving %zu memdevs, %zu regions, %zu Soft Reserved ranges",
		   m->model.n_memdevs, m->model.n_regions, m->model.n_softreserved);
	return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si,
			  void *userdata)
{
	Manager *m = userdata;
	int r;

	log_info("Received %s, exiting", strsignal((int)si->ssi_signo));
	sd_notify(0, "STOPPING=1\nSTATUS=Shutting down");

	/* Give the name back before closing, so waiting clients see it go
	 * while we still answer, instead of a half-closed connection. */
	if (m->name_acquired) {
		r = sd_bus_release_name(m->bus, CXLMEMD_BUS_NAME);
		if (r < 0)
			log_warning_errno(r, "Failed to release bus name: %m");
		m->name_acquired = false;
	}

	return sd_event_exit(m->event, 0);
}

int manager_start(Manager *m)
{
	int r;

	/* SIGTERM, SIGINT and SIGHUP are blocked since manager_new(). */
	r = sd_event_add_signal(m->event, NULL, SIGTERM, on_exit_signal, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT, on_exit_signal, m);
	if (r < 0)
		return log_error_errno(r, "Failed to watch signals: %m");

	/* Honours WATCHDOG_USEC/WATCHDOG_PID: pings at half the interval. */
	r = sd_event_set_watchdog(m->event, true);
	if (r < 0)
		return log_error_errno(r, "Failed to enable watchdog: %m");

	/* sd_bus_open_system() honours $DBUS_SYSTEM_BUS_ADDRESS. */
	r = sd_bus_open_system_with_description(&m->bus, "cxlmemd");
	if (r < 0)
		return log_error_errno(r, "Failed to connect to the system bus: %m");

	r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		return log_error_errno(r, "Failed to attach bus to event loop: %m");

	/* Losing the bus is fatal: exit non-zero and let systemd restart us. */
	r = sd_bus_set_exit_on_disconnect(m->bus, true);
	if (r < 0)
		return log_error_errno(r, "Failed to set exit on disconnect: %m");

	r = manager_bus_register(m);
	if (r >= 0)
		r = ownership_bus_register(m);
	if (r < 0)
		return log_error_errno(r, "Failed to register bus objects: %m");

	/* The policy before the first snapshot, which applies it. */
	r = ownership_start(m);
	if (r < 0)
		return r;

	/* Events first, then the snapshot: nothing falls in between. */
	r = monitor_start(m);
	if (r < 0)
		return r;

	/*
	 * Ready before the name: every object is registered and the model
	 * is filled, so a client that sees the name (which only appears
	 * after READY=1) finds everything in place, and a D-Bus activated
	 * start completes only once we are really serving.
	 */
	sd_notify(0, "READY=1\nSTATUS=Acquiring bus name " CXLMEMD_BUS_NAME);

	r = sd_bus_request_name_async(m->bus, &m->name_slot, CXLMEMD_BUS_NAME, 0,
				      on_name_acquired, m);
	if (r < 0)
		return log_error_errno(r, "Failed to request bus name: %m");
	return 0;
}

int manager_run(Manager *m)
{
	int r;

	/* Negative: the reason was logged where sd_event_exit() was called. */
	r = sd_event_loop(m->event);
	if (r < 0)
		return r;
	if (r > 0)
		/* An EXIT_FAILURE from sd-bus's exit-on-disconnect. */
		return log_error_errno(EIO, "Lost the bus connection, exiting");
	return 0;
}
