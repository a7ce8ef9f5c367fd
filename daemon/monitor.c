// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <libudev.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "job.h"
#include "lease.h"
#include "log.h"
#include "macro.h"
#include "manager-bus.h"
#include "model-bus.h"
#include "monitor.h"
#include "ownership-bus.h"
#include "strv.h"
#include "topology.h"

/* Subsystems whose events can change what we model. */
static const char *const subsystems[] = {
	"cxl",		/* memdevs, ports, decoders, regions */
	"dax",		/* dax devices, kmem binding */
	"memory",	/* memory blocks going online/offline */
	"platform",	/* hmem.N devices of dax_hmem */
	/*
	 * Not "nd": the model reads nothing of libnvdimm, and a pmem
	 * region's nd devices register asynchronously, their uevents
	 * trickling in after the job that made them, each burst a whole
	 * walk for nothing (bench/region-lifecycle).
	 */
};

/* More uevents than this during one job: the whole walk after it. */
#define JOB_UEVENTS_MAX 256

/* Publish @now as the model: signals for what differs from the old one. */
static int monitor_apply(Manager *m, struct model *now)
{
	struct model old = m->model;
	int r;

	m->model = *now;
	m->model_serial++;
	lease_prune(m);
	r = model_bus_emit_changes(m, &old);
	model_clear(&old);
	if (r < 0)
		log_warning_errno(r, "Failed to announce topology changes: %m");
	r = manager_bus_update(m);
	/* Ownership follows the topology; its writes come back as uevents. */
	ownership_apply(m);
	return r;
}

/* This refresh covers every uevent received so far: drop what is pending. */
static void refresh_pending_clear(Manager *m)
{
	if (m->refresh_timer)
		(void)sd_event_source_set_enabled(m->refresh_timer, SD_EVENT_OFF);
	m->refresh_deferred = false;
	m->refresh_full = false;
	m->refresh_memdevs = strv_free(m->refresh_memdevs);
	m->job_uevents = strv_free(m->job_uevents);
}

/*
 * Drop the uevents @window's refresh after a job covers: those of devices
 * below the window (its regions, their dax regions and dax devices, all
 * read again), and memory blocks going on- or offline when the window
 * has a ram region (its dax devices' state was read again).
 */
static void job_uevents_covered(Manager *m, const char *window)
{
	_cleanup_free_ char *below = NULL;
	bool ram = false;
	size_t k = 0;

	if (!m->job_uevents || !window || !*window ||
	    asprintf(&below, "/%s/", window) < 0)
		return;
	for (size_t i = 0; i < m->model.n_regions; i++)
		ram |= strcmp(m->model.regions[i].window, window) == 0 &&
		       strcmp(m->model.regions[i].mode, "ram") == 0;
	for (char **e = m->job_uevents; *e; e++)
		if (strstr(*e, below) || (ram && strcmp(*e, "memory") == 0))
			free(*e);
		else
			m->job_uevents[k++] = *e;
	m->job_uevents[k] = NULL;
	if (k == 0)
		m->job_uevents = strv_free(m->job_uevents);
}

int monitor_refresh(Manager *m)
{
	struct model now;
	uint64_t t0 = now_usec();
	int r;

	refresh_pending_clear(m);
	r = topology_enumerate(&now);
	if (r < 0)
		return log_warning_errno(r, "Failed to enumerate the CXL topology: %m");
	log_debug("Refreshed the topology (all of it) in %" PRIu64 " ms",
		  (now_usec() - t0) / 1000);
	return monitor_apply(m, &now);
}

int monitor_refresh_regions(Manager *m, const char *window, char *const *memdevs)
{
	struct model now;
	uint64_t t0 = now_usec();
	int r;

	r = topology_read_regions(&m->model, window, memdevs, &now);
	if (r == -EAGAIN)
		return monitor_refresh(m);
	if (r < 0)
		return log_warning_errno(r, "Failed to read the regions again: %m");
	log_debug("Refreshed window %s and its regions in %" PRIu64 " ms", window ?: "(none)",
		  (now_usec() - t0) / 1000);
	r = monitor_apply(m, &now);
	/* With the model read again, not before: @window's ram regions are current. */
	job_uevents_covered(m, window);
	return r;
}

static int schedule_refresh(Manager *m);

/*
 * The background walk is over. Its model is installed unless a job
 * changed the kernel, or another refresh changed the model, since it
 * began: then what it read may be older than what the bus shows, and it
 * walks again. Uevents that came meanwhile are due now.
 */
static int on_walk_done(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	Manager *m = userdata;
	struct model now;
	uint64_t n;
	int r;

	if (read(fd, &n, sizeof(n)) != sizeof(n) || !m->walk)
		return 0;
	r = topology_walk_finish(TAKE_PTR(m->walk), &now);
	if (r < 0)
		log_warning_errno(r, "Failed to enumerate the CXL topology: %m");
	else if (job_running(m->jobs) || m->model_serial != m->walk_serial) {
		log_debug("Walked the topology again: a job or a refresh came in the %" PRIu64
			  " ms it took", (now_usec() - m->walk_started) / 1000);
		model_clear(&now);
		m->refresh_full = true;
	} else {
		log_debug("Refreshed the topology (all of it) in %" PRIu64 " ms, in the background",
			  (now_usec() - m->walk_started) / 1000);
		(void)monitor_apply(m, &now);
	}
	if (m->refresh_full || m->refresh_memdevs) {
		if (job_running(m->jobs))
			m->refresh_deferred = true;
		else
			(void)schedule_refresh(m);
	}
	return 0;
}

/*
 * The whole walk, in the background: a walk takes up to seconds in a VM,
 * and the event loop keeps serving meanwhile (a Delete right after the
 * CreateRegion that made the region, say). The model it replaces is
 * already right about what the daemon did itself: jobs refresh their
 * part at once (monitor_refresh_regions).
 */
static int refresh_in_background(Manager *m)
{
	int r;

	if (!m->walk_source) {
		m->walk_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (m->walk_fd < 0)
			return monitor_refresh(m);
		r = sd_event_add_io(m->event, &m->walk_source, m->walk_fd, EPOLLIN, on_walk_done,
				    m);
		if (r < 0) {
			close(m->walk_fd);
			return monitor_refresh(m);
		}
	}
	refresh_pending_clear(m);
	m->walk_serial = m->model_serial;
	m->walk_started = now_usec();
	r = topology_walk_start(m->walk_fd, &m->walk);
	if (r < 0)
		return monitor_refresh(m);
	return 0;
}

void monitor_job_ended(Manager *m)
{
	bool due = m->refresh_deferred;

	/* What the job's own refresh did not cover takes the whole walk. */
	if (m->job_uevents) {
		for (char **e = m->job_uevents; *e; e++)
			log_debug("uevent during the job not covered by its refresh: %s", *e);
		m->job_uevents = strv_free(m->job_uevents);
		m->refresh_memdevs = strv_free(m->refresh_memdevs);
		m->refresh_full = true;
		due = true;
	}
	m->refresh_deferred = false;
	if (due && (m->refresh_full || m->refresh_memdevs))
		(void)schedule_refresh(m);
}

/*
 * The uevents since the last refresh only said memdevs changed: read just
 * those (topology_read_memdevs), a few files each instead of every port
 * and decoder, and put them in place in the model, each with a signal for
 * what differs. Nothing else in the model changes, so nothing else is
 * copied or compared: the cost is in the memdevs read, not in the size of
 * the topology. Anything else takes the whole walk.
 */
static int monitor_refresh_pending(Manager *m)
{
	_cleanup_(strv_freep) char **names = NULL;
	struct model fresh;
	uint64_t t0 = now_usec();
	bool poison_changed = false;
	int r;

	if (!m->refresh_full && !m->refresh_memdevs)
		return 0;	/* a job's refresh covered what was held for it */
	if (m->refresh_full)
		return refresh_in_background(m);
	names = TAKE_PTR(m->refresh_memdevs);
	refresh_pending_clear(m);
	/*
	 * One memdev at a time, each announced as soon as it is read: when
	 * the daemon was held up (a busy machine), the uevents of the
	 * hundred memdevs queued meanwhile each wait for their own read, not
	 * for all hundred, and dbus-daemon forwards the first signals while
	 * the rest are read (bench/uevent-storm's p99).
	 */
	for (char **n = names; *n; n++) {
		char *one[] = { *n, NULL };
		struct memdev *now, was;

		r = topology_read_memdevs(&m->model, one, &fresh);
		if (r == -EAGAIN)
			return refresh_in_background(m);
		if (r < 0)
			return log_warning_errno(r, "Failed to read %s again: %m", *n);
		now = model_find(&m->model, OBJECT_MEMDEV, *n);
		if (now && fresh.n_memdevs == 1) {
			was = *now;
			poison_changed |= !strv_equal(was.poison, fresh.memdevs[0].poison);
			/* Swap: the model gets the new state, @fresh the old to free. */
			*now = fresh.memdevs[0];
			fresh.memdevs[0] = was;
			r = model_bus_emit_object_change(m, OBJECT_MEMDEV, &was, now);
			if (r < 0)
				log_warning_errno(r, "Failed to announce changes of %s: %m", *n);
		}
		model_clear(&fresh);
	}
	log_debug("Refreshed the topology (%zu memdevs) in %" PRIu64 " ms", strv_length(names),
		  (now_usec() - t0) / 1000);
	/*
	 * Poison support is per memdev: the Capabilities may follow. Nothing
	 * else the Manager says can have changed (no object came or went),
	 * and working the Capabilities out asks sysfs about windows too: in
	 * a storm, for every uevent, as many path lookups as the memdev's
	 * own read (bench/uevent-storm).
	 */
	r = poison_changed ? manager_bus_update(m) : 0;
	ownership_apply(m);
	return r;
}

static int on_refresh_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;

	/*
	 * While a job changes the kernel, its own uevents arrive by the
	 * dozen; walking the topology meanwhile only contends with it for
	 * the kernel's locks (sysfs reads of a region take the region rwsem
	 * its commit needs). The job's end refreshes the model (job.c).
	 */
	if (job_running(m->jobs)) {
		m->refresh_deferred = true;
		return 0;
	}
	/* What is pending stays so: the walk's end schedules it. */
	if (m->walk)
		return 0;
	(void)monitor_refresh_pending(m);
	return 0;
}

/*
 * A whole walk waits MONITOR_COALESCE_USEC for the rest of its burst; a
 * memdev-only refresh is due now (the timer fires once this loop
 * iteration has read every uevent queued; on_uevent runs it without the
 * timer when nothing holds it back). A pending refresh that must
 * become a whole walk is pushed back to the coalescing delay, once; a
 * pending whole walk stays as it is.
 */
static int schedule_refresh(Manager *m)
{
	uint64_t delay = m->refresh_full ? MONITOR_COALESCE_USEC : 0;
	/* sd-event may fire up to the accuracy late; 0 would mean 250 ms. */
	uint64_t accuracy = delay ? MONITOR_COALESCE_ACCURACY_USEC : 1;
	int r;

	if (m->refresh_timer) {
		int enabled;

		r = sd_event_source_get_enabled(m->refresh_timer, &enabled);
		if (r >= 0 && enabled != SD_EVENT_OFF &&
		    (m->refresh_full == m->refresh_timer_full || !m->refresh_full))
			return 0;	/* already pending: this event joins the batch */
		m->refresh_timer_full = m->refresh_full;
		r = sd_event_source_set_time_relative(m->refresh_timer, delay);
		if (r >= 0)
			r = sd_event_source_set_time_accuracy(m->refresh_timer, accuracy);
		if (r >= 0)
			r = sd_event_source_set_enabled(m->refresh_timer, SD_EVENT_ONESHOT);
		return r;
	}
	m->refresh_timer_full = m->refresh_full;
	/*
	 * An explicit accuracy: 0 means sd-event's default of 250 ms, which
	 * let the refresh fire anywhere up to a quarter second late and
	 * made it, not the topology walk, the bulk of uevent-to-signal
	 * latency (bench/uevent-latency).
	 */
	return sd_event_add_time_relative(m->event, &m->refresh_timer, CLOCK_MONOTONIC, delay,
					  accuracy, on_refresh_timer, m);
}

/*
 * Remember what the next refresh must read for @dev's uevent: a memdev
 * that changed, or everything. A memdev that comes, goes, or binds
 * brings its endpoint port and decoders along (uevents of their own
 * anyway), and region membership: the whole walk.
 */
static void note_uevent(Manager *m, struct udev_device *dev)
{
	const char *sub = udev_device_get_subsystem(dev);
	const char *type = udev_device_get_devtype(dev);
	const char *name = udev_device_get_sysname(dev);
	const char *action = udev_device_get_action(dev);
	const char *devpath = udev_device_get_devpath(dev);

	log_debug("uevent: %s %s %s", action ?: "?", sub ?: "?", devpath ?: "?");
	if (m->refresh_full)
		return;
	if (sub && strcmp(sub, "cxl") == 0 && type && strcmp(type, "cxl_memdev") == 0 &&
	    action && strcmp(action, "change") == 0 &&
	    name && (strv_contains(m->refresh_memdevs, name) ||
		     strv_extend(&m->refresh_memdevs, name) >= 0))
		return;
	/*
	 * While a job changes the kernel, most uevents are its own, and the
	 * refresh after it reads their devices again: kept for
	 * monitor_refresh_regions() to match, not a whole walk yet.
	 */
	if (job_running(m->jobs) && sub && devpath &&
	    strv_length(m->job_uevents) < JOB_UEVENTS_MAX) {
		const char *what = strcmp(sub, "memory") == 0 ? "memory" : devpath;

		if (strv_contains(m->job_uevents, what) || strv_extend(&m->job_uevents, what) >= 0)
			return;
	}
	m->refresh_full = true;
	m->refresh_memdevs = strv_free(m->refresh_memdevs);
	m->job_uevents = strv_free(m->job_uevents);
}

int monitor_drain(Manager *m)
{
	struct udev_device *dev;
	int n = 0;

	if (!m->monitor)
		return 0;
	while ((dev = udev_monitor_receive_device(m->monitor))) {
		note_uevent(m, dev);
		udev_device_unref(dev);
		n++;
	}
	return n;
}

static int on_uevent(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	Manager *m = userdata;
	int r;

	if (monitor_drain(m) == 0)
		return 0;

	/*
	 * Memdevs alone, with nothing in the way: read them now, the socket
	 * drained, this loop iteration's batch. Not through a 0-delay timer:
	 * arming and disarming it (two timerfd_settime) and the extra loop
	 * iteration were a sixth of the daemon's CPU in bench/uevent-storm,
	 * where most batches are one uevent.
	 */
	if (!m->refresh_full && m->refresh_memdevs && !m->walk && !job_running(m->jobs)) {
		(void)monitor_refresh_pending(m);
		return 0;
	}
	r = schedule_refresh(m);
	if (r < 0)
		log_warning_errno(r, "Failed to schedule a topology refresh: %m");
	return 0;
}

int monitor_start(Manager *m)
{
	int r;

	m->udev = udev_new();
	if (!m->udev)
		return log_error_errno(ENOMEM, "Failed to create udev context");

	/* Kernel events, not udev's: we need no rules to have run, and the
	 * VM and minimal systems may run without udevd. */
	m->monitor = udev_monitor_new_from_netlink(m->udev, "kernel");
	if (!m->monitor)
		return log_error_errno(errno ?: EIO, "Failed to create uevent monitor: %m");

	for (size_t i = 0; i < sizeof(subsystems) / sizeof(subsystems[0]); i++) {
		r = udev_monitor_filter_add_match_subsystem_devtype(m->monitor, subsystems[i],
								    NULL);
		if (r < 0)
			return log_error_errno(r, "Failed to filter uevents: %m");
	}
	/* Bursts (modprobe cxl_test, onlining a region's memory) are large. */
	(void)udev_monitor_set_receive_buffer_size(m->monitor, 16 * 1024 * 1024);

	r = udev_monitor_enable_receiving(m->monitor);
	if (r < 0)
		return log_error_errno(r, "Failed to listen for uevents: %m");

	r = sd_event_add_io(m->event, &m->monitor_source, udev_monitor_get_fd(m->monitor),
			    EPOLLIN, on_uevent, m);
	if (r < 0)
		return log_error_errno(r, "Failed to watch uevents: %m");

	/* Only now, with events queuing up, take the first snapshot. */
	return monitor_refresh(m);
}

void monitor_stop(Manager *m)
{
	if (m->walk) {
		struct model unused = {};

		if (topology_walk_finish(TAKE_PTR(m->walk), &unused) >= 0)
			model_clear(&unused);
	}
	if (m->walk_source) {
		m->walk_source = sd_event_source_disable_unref(m->walk_source);
		close(m->walk_fd);
	}
	m->refresh_memdevs = strv_free(m->refresh_memdevs);
	m->job_uevents = strv_free(m->job_uevents);
	m->refresh_timer = sd_event_source_disable_unref(m->refresh_timer);
	m->monitor_source = sd_event_source_disable_unref(m->monitor_source);
	m->monitor = udev_monitor_unref(m->monitor);
	m->udev = udev_unref(m->udev);
}
