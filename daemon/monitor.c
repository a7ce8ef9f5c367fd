// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <libudev.h>
#include <sys/epoll.h>

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
	"nd",		/* pmem regions' nvdimm bridge */
};

/* Publish @now as the model: signals for what differs from the old one. */
static int monitor_apply(Manager *m, struct model *now)
{
	struct model old = m->model;
	int r;

	m->model = *now;
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

/*
 * The uevents since the last refresh named only memdevs: read just those
 * (topology_refresh_memdevs), which costs a few files instead of every
 * port and decoder, and so most of the uevent-to-signal time. Anything
 * else, or a memdev a region maps, takes the whole walk.
 */
static int monitor_refresh_pending(Manager *m)
{
	_cleanup_(strv_freep) char **names = NULL;
	struct model now;
	uint64_t t0 = now_usec();
	int r;

	if (m->refresh_full || !m->refresh_memdevs)
		return monitor_refresh(m);
	names = TAKE_PTR(m->refresh_memdevs);
	refresh_pending_clear(m);
	r = topology_refresh_memdevs(&m->model, names, &now);
	if (r == -EAGAIN)
		return monitor_refresh(m);
	if (r < 0)
		return log_warning_errno(r, "Failed to read memdevs again: %m");
	log_debug("Refreshed the topology (%zu memdevs) in %" PRIu64 " ms", strv_length(names),
		  (now_usec() - t0) / 1000);
	return monitor_apply(m, &now);
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
	(void)monitor_refresh_pending(m);
	return 0;
}

static int schedule_refresh(Manager *m)
{
	int r;

	if (m->refresh_timer) {
		int enabled;

		r = sd_event_source_get_enabled(m->refresh_timer, &enabled);
		if (r >= 0 && enabled != SD_EVENT_OFF)
			return 0;	/* already pending: this event joins the batch */
		r = sd_event_source_set_time_relative(m->refresh_timer, MONITOR_COALESCE_USEC);
		if (r >= 0)
			r = sd_event_source_set_enabled(m->refresh_timer, SD_EVENT_ONESHOT);
		return r;
	}
	/*
	 * An explicit accuracy: 0 means sd-event's default of 250 ms, which
	 * let the refresh fire anywhere up to a quarter second late and
	 * made it, not the topology walk, the bulk of uevent-to-signal
	 * latency (bench/uevent-latency).
	 */
	return sd_event_add_time_relative(m->event, &m->refresh_timer, CLOCK_MONOTONIC,
					  MONITOR_COALESCE_USEC, MONITOR_COALESCE_ACCURACY_USEC,
					  on_refresh_timer, m);
}

/* Remember what the next refresh must read for @dev's uevent. */
static void note_uevent(Manager *m, struct udev_device *dev)
{
	const char *sub = udev_device_get_subsystem(dev);
	const char *type = udev_device_get_devtype(dev);
	const char *name = udev_device_get_sysname(dev);

	if (m->refresh_full)
		return;
	if (sub && strcmp(sub, "cxl") == 0 && type && strcmp(type, "cxl_memdev") == 0 &&
	    name && (strv_contains(m->refresh_memdevs, name) ||
		     strv_extend(&m->refresh_memdevs, name) >= 0))
		return;
	m->refresh_full = true;
	m->refresh_memdevs = strv_free(m->refresh_memdevs);
}

static int on_uevent(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	Manager *m = userdata;
	struct udev_device *dev;
	int n = 0, r;

	while ((dev = udev_monitor_receive_device(m->monitor))) {
		log_debug("uevent: %s %s %s", udev_device_get_action(dev) ?: "?",
			  udev_device_get_subsystem(dev) ?: "?",
			  udev_device_get_sysname(dev) ?: "?");
		note_uevent(m, dev);
		udev_device_unref(dev);
		n++;
	}
	if (n == 0)
		return 0;

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
	m->refresh_memdevs = strv_free(m->refresh_memdevs);
	m->refresh_timer = sd_event_source_disable_unref(m->refresh_timer);
	m->monitor_source = sd_event_source_disable_unref(m->monitor_source);
	m->monitor = udev_monitor_unref(m->monitor);
	m->udev = udev_unref(m->udev);
}
