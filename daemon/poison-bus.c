// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

#include "bouncer.h"
#include "log.h"
#include "model-bus.h"
#include "poison-bus.h"
#include "poison.h"
#include "region-bus.h"
#include "strv.h"
#include "tracefs.h"

#define EVENTS_INSTANCE "cxlmemd-events"

enum poison_op {
	POISON_INJECT,
	POISON_CLEAR,
	POISON_LIST,
};

struct poison_job {
	enum poison_op op;
	bool by_region;			/* Region method (offsets) or Memdev (DPAs) */
	char memdev[32];		/* INJECT/CLEAR: the device written */
	uint64_t dpa;
	char region[64];		/* the region the DPA is in, or "" */
	char window[64];
	uint64_t region_start;		/* LIST by region: offsets from HPAs */
	char **memdevs;			/* LIST: the devices asked */
	struct poison_list list;
	struct region_fail f;
	char what[256];
};

static void poison_job_free(void *data)
{
	struct poison_job *j = data;

	strv_free(j->memdevs);
	poison_list_done(&j->list);
	free(j);
}

static int run(void *data)
{
	struct poison_job *j = data;

	if (j->op == POISON_LIST)
		return poison_list_read(j->memdevs, strv_length(j->memdevs), &j->list, &j->f);
	return poison_write(j->memdev, j->dpa, j->op == POISON_INJECT, &j->f);
}

static void emit_changed(Manager *m, enum object_type t, const char *name, const char *cause)
{
	_cleanup_free_ char *path = model_bus_path(t, name);
	int r;

	if (!path)
		return;
	r = sd_bus_emit_signal(m->bus, path, object_type_info(t)->interface, "PoisonChanged",
			       "s", cause);
	if (r < 0)
		log_warning_errno(r, "Failed to emit PoisonChanged on %s: %m", path);
}

/* a(ttsot): memdev (dpa, length, source, region, hpa); region (offset,
 * length, source, memdev, dpa). */
static int append_record(sd_bus_message *reply, const struct poison_job *j,
			 const struct poison_record *rec)
{
	_cleanup_free_ char *path = NULL;

	if (j->by_region) {
		if (strcmp(rec->region, j->region) != 0 || rec->hpa == UINT64_MAX ||
		    rec->hpa < j->region_start)
			return 0;
		path = model_bus_path(OBJECT_MEMDEV, rec->memdev);
		if (!path)
			return -ENOMEM;
		return sd_bus_message_append(reply, "(ttsot)", rec->hpa - j->region_start,
					     rec->length, rec->source, path, rec->dpa);
	}
	path = rec->region[0] ? model_bus_path(OBJECT_REGION, rec->region) : strdup("/");
	if (!path)
		return -ENOMEM;
	return sd_bus_message_append(reply, "(ttsot)", rec->dpa, rec->length, rec->source, path,
				     rec->hpa);
}

static int reply_list(sd_bus_message *msg, const struct poison_job *j)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(ttsot)");
	for (size_t i = 0; r >= 0 && i < j->list.n; i++)
		r = append_record(reply, j, &j->list.v[i]);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	return r;
}

static int done(Manager *m, sd_bus_message *msg, void *data, int result, sd_bus_error *error)
{
	struct poison_job *j = data;
	const char *region = j->region[0] ? j->region : NULL;
	const char *cause = j->op == POISON_INJECT ? "inject" : "clear";
	int r;

	if (result < 0) {
		log_failure(msg, region, j->window[0] ? j->window : NULL, &j->f);
		return fail_reply(error, &j->f);
	}
	if (j->op == POISON_LIST)
		return reply_list(msg, j);

	log_event(j->op == POISON_INJECT ? MESSAGE_POISON_INJECTED : MESSAGE_POISON_CLEARED,
		  LOG_NOTICE, msg, region, j->window[0] ? j->window : NULL, j->what);
	r = sd_bus_reply_method_return(msg, NULL);
	emit_changed(m, OBJECT_MEMDEV, j->memdev, cause);
	if (region)
		emit_changed(m, OBJECT_REGION, region, cause);
	return r;
}

static int start(Manager *m, sd_bus_message *msg, struct poison_job *j)
{
	int r = job_start(m->jobs, msg, run, done, j, poison_job_free);

	if (r < 0) {
		poison_job_free(j);
		return r;
	}
	return 1;
}

/* ---- validation ---- */

static int poison_option(sd_bus_message *msg, const char *key, void *force,
			 sd_bus_error *error)
{
	if (strcmp(key, "force") != 0)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
					 "Unknown option '%s'; known: force (b).", key);
	if (sd_bus_message_read(msg, "v", "b", force) < 0)
		return sd_bus_error_set(error, ERROR_PREFIX "InvalidArgument",
					"Option 'force' must be a boolean.");
	return 0;
}

static int read_poison_options(sd_bus_message *msg, int *force, sd_bus_error *error)
{
	*force = 0;
	return read_options(msg, poison_option, force, error);
}

/*
 * Memory online as system RAM: refused unless @force, and force is its
 * own authorization. 0 to go ahead.
 */
static int refuse_online(sd_bus_message *msg, const struct region *r, int force,
			 const char *verb, sd_bus_error *error)
{
	if (!r || strcmp(r->state, "online") != 0)
		return 0;
	if (!force)
		return sd_bus_error_setf(error, ERROR_PREFIX "MemoryOnline",
					 "Region %s (%s) is online as system RAM: cxlmemd will not "
					 "%s poison in memory the kernel may hand out, since "
					 "poisoned online RAM can take the host down when the "
					 "kernel or a process reads it. Offline the region first, "
					 "or pass force=true as an administrator (root, or polkit "
					 "action org.cxlmemd1.poison-online-memory) to do it anyway.",
					 r->name, r->dax, verb);
	return bouncer_check(msg, ACTION_POISON_FORCE, error);
}

static struct poison_job *job_new(enum poison_op op, bool by_region)
{
	struct poison_job *j = calloc(1, sizeof(*j));

	if (j) {
		j->op = op;
		j->by_region = by_region;
	}
	return j;
}

static int failed(sd_bus_message *msg, const char *region, const struct region_fail *f,
		  sd_bus_error *error)
{
	log_failure(msg, region, NULL, f);
	return fail_reply(error, f);
}

/* ---- Memdev ---- */

static int memdev_write(sd_bus_message *msg, Manager *m, bool inject, sd_bus_error *error)
{
	const char *verb = inject ? "inject" : "clear";
	struct region_fail f = {};
	const struct region *reg;
	struct poison_job *j;
	struct memdev *d;
	uint64_t dpa, offset;
	int force, r;

	r = sd_bus_message_read(msg, "t", &dpa);
	if (r >= 0)
		r = read_poison_options(msg, &force, error);
	if (r < 0)
		return r;
	d = object_by_path(m, OBJECT_MEMDEV, sd_bus_message_get_path(msg));
	if (!d)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "The memdev is gone.");
	r = bouncer_check(msg, ACTION_POISON, error);
	if (r != 0)
		return r;
	if (poison_check_support(d, verb, &f) < 0 ||
	    poison_check_dpa(d->name, d->ram_size + d->pmem_size, dpa, &f) < 0)
		return failed(msg, NULL, &f, error);
	reg = poison_dpa_region(&m->model, d->name, dpa, &offset);
	r = refuse_online(msg, reg, force, verb, error);
	if (r != 0)
		return r;

	j = job_new(inject ? POISON_INJECT : POISON_CLEAR, false);
	if (!j)
		return -ENOMEM;
	snprintf(j->memdev, sizeof(j->memdev), "%s", d->name);
	j->dpa = dpa;
	if (reg) {
		snprintf(j->region, sizeof(j->region), "%s", reg->name);
		snprintf(j->window, sizeof(j->window), "%s", reg->window);
	}
	snprintf(j->what, sizeof(j->what), "%s poison at DPA 0x%" PRIx64 " of %s%s%s%s",
		 inject ? "Injected" : "Cleared", dpa, d->name, reg ? " (region " : "",
		 reg ? reg->name : "", reg ? (force ? ", forced)" : ")") : "");
	return start(m, msg, j);
}

static int method_memdev_inject(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	QUEUE_BEHIND_JOB((Manager *)userdata, msg, method_memdev_inject);
	return memdev_write(msg, userdata, true, error);
}

static int method_memdev_clear(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	QUEUE_BEHIND_JOB((Manager *)userdata, msg, method_memdev_clear);
	return memdev_write(msg, userdata, false, error);
}

static int method_memdev_get(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct poison_job *j;
	struct memdev *d;
	int r;

	QUEUE_BEHIND_JOB(m, msg, method_memdev_get);
	d = object_by_path(m, OBJECT_MEMDEV, sd_bus_message_get_path(msg));
	if (!d)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "The memdev is gone.");
	r = bouncer_check(msg, ACTION_POISON_LIST, error);
	if (r != 0)
		return r;
	if (poison_check_support(d, "list", &f) < 0)
		return failed(msg, NULL, &f, error);
	j = job_new(POISON_LIST, false);
	if (!j || strv_extend(&j->memdevs, d->name) < 0) {
		poison_job_free(j);
		return -ENOMEM;
	}
	return start(m, msg, j);
}

/* ---- Region ---- */

static int region_write(sd_bus_message *msg, Manager *m, bool inject, sd_bus_error *error)
{
	const char *verb = inject ? "inject" : "clear";
	struct poison_target targets[REGION_MAX_WAYS];
	struct region_fail f = {};
	struct poison_region pr;
	struct poison_job *j;
	struct memdev *d;
	struct region *reg;
	uint64_t offset, dpa;
	uint32_t pos;
	int force, r;

	r = sd_bus_message_read(msg, "t", &offset);
	if (r >= 0)
		r = read_poison_options(msg, &force, error);
	if (r < 0)
		return r;
	reg = object_by_path(m, OBJECT_REGION, sd_bus_message_get_path(msg));
	if (!reg)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "The region is gone.");
	r = bouncer_check(msg, ACTION_POISON, error);
	if (r != 0)
		return r;
	if (poison_region_load(&m->model, reg, targets, &pr, &f) < 0 ||
	    poison_offset_to_dpa(&pr, offset, &pos, &dpa, &f) < 0)
		return failed(msg, reg->name, &f, error);
	d = model_find(&m->model, OBJECT_MEMDEV, targets[pos].memdev);
	if (!d) {
		region_failf(&f, REGION_E_BUSY, "Memdev %s (position %" PRIu32 " of %s) is gone.",
			     targets[pos].memdev, pos, reg->name);
		return failed(msg, reg->name, &f, error);
	}
	if (poison_check_support(d, verb, &f) < 0 ||
	    poison_check_dpa(d->name, d->ram_size + d->pmem_size, dpa, &f) < 0)
		return failed(msg, reg->name, &f, error);
	r = refuse_online(msg, reg, force, verb, error);
	if (r != 0)
		return r;

	j = job_new(inject ? POISON_INJECT : POISON_CLEAR, true);
	if (!j)
		return -ENOMEM;
	snprintf(j->memdev, sizeof(j->memdev), "%s", d->name);
	j->dpa = dpa;
	snprintf(j->region, sizeof(j->region), "%s", reg->name);
	snprintf(j->window, sizeof(j->window), "%s", reg->window);
	snprintf(j->what, sizeof(j->what),
		 "%s poison at offset 0x%" PRIx64 " of %s: DPA 0x%" PRIx64 " of %s (position %"
		 PRIu32 ")%s", inject ? "Injected" : "Cleared", offset, reg->name, dpa, d->name,
		 pos, force ? " (forced)" : "");
	return start(m, msg, j);
}

static int method_region_inject(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	QUEUE_BEHIND_JOB((Manager *)userdata, msg, method_region_inject);
	return region_write(msg, userdata, true, error);
}

static int method_region_clear(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	QUEUE_BEHIND_JOB((Manager *)userdata, msg, method_region_clear);
	return region_write(msg, userdata, false, error);
}

static int method_region_get(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct poison_job *j;
	struct region *reg;
	int r;

	QUEUE_BEHIND_JOB(m, msg, method_region_get);
	reg = object_by_path(m, OBJECT_REGION, sd_bus_message_get_path(msg));
	if (!reg)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "The region is gone.");
	r = bouncer_check(msg, ACTION_POISON_LIST, error);
	if (r != 0)
		return r;
	if (reg->n_targets == 0) {
		region_failf(&f, REGION_E_BUSY, "Region %s has no targets.", reg->name);
		return failed(msg, reg->name, &f, error);
	}
	j = job_new(POISON_LIST, true);
	if (!j)
		return -ENOMEM;
	snprintf(j->region, sizeof(j->region), "%s", reg->name);
	j->region_start = reg->start;
	for (size_t i = 0; i < reg->n_targets; i++) {
		struct memdev *d = model_find(&m->model, OBJECT_MEMDEV, reg->targets[i].memdev);

		if (!d || poison_check_support(d, "list", &f) < 0) {
			if (!d)
				region_failf(&f, REGION_E_BUSY, "Memdev %s of %s is gone.",
					     reg->targets[i].memdev, reg->name);
			poison_job_free(j);
			return failed(msg, reg->name, &f, error);
		}
		if (strv_extend(&j->memdevs, d->name) < 0) {
			poison_job_free(j);
			return -ENOMEM;
		}
	}
	return start(m, msg, j);
}

/* ---- media errors ---- */

/*
 * What `cxl monitor` follows: the device's General Media and DRAM event
 * records, which the kernel turns into trace events when the device
 * reports them. Each one may mean new poison: PoisonChanged on the memdev
 * (and on the region the event names).
 */
static void media_event(Manager *m, const char *line)
{
	char memdev[32], region[64] = "";

	if (!strstr(line, " cxl_general_media: ") && !strstr(line, " cxl_dram: "))
		return;
	if (!trace_line_field(line, "memdev", memdev, sizeof(memdev)))
		return;
	(void)trace_line_field(line, "region", region, sizeof(region));
	log_full(LOG_WARNING, "Media error event from %s%s%s", memdev, *region ? " in " : "",
		 region);
	(void)sd_journal_send("MESSAGE_ID=%s", MESSAGE_POISON_MEDIA_ERROR,
			      "MESSAGE=Media error event from %s", memdev, "PRIORITY=%i",
			      LOG_WARNING, "CXLMEMD_MEMDEV=%s", memdev, "CXLMEMD_REGION=%s",
			      region, "CXLMEMD_TRACE=%s", line, NULL);
	if (model_find(&m->model, OBJECT_MEMDEV, memdev))
		emit_changed(m, OBJECT_MEMDEV, memdev, "media-error");
	if (*region && model_find(&m->model, OBJECT_REGION, region))
		emit_changed(m, OBJECT_REGION, region, "media-error");
}

struct media_watch {
	Manager *m;
	char buf[8192];
	size_t len;
};

static int on_media_events(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct media_watch *w = userdata;
	ssize_t n;

	while ((n = read(fd, w->buf + w->len, sizeof(w->buf) - 1 - w->len)) > 0) {
		char *line = w->buf, *nl;

		w->len += (size_t)n;
		w->buf[w->len] = '\0';
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			media_event(w->m, line);
			line = nl + 1;
		}
		w->len -= (size_t)(line - w->buf);
		memmove(w->buf, line, w->len);
		/* A line longer than the buffer: drop it rather than stall. */
		if (w->len == sizeof(w->buf) - 1)
			w->len = 0;
	}
	return 0;
}

static void media_watch_start(Manager *m)
{
	static const char *const events[] = { "cxl/cxl_general_media", "cxl/cxl_dram" };
	struct media_watch *w;
	sd_event_source *s;
	int fd, r;

	r = tracefs_instance_setup(EVENTS_INSTANCE, events, ELEMENTSOF(events));
	fd = r < 0 ? r : tracefs_instance_pipe(EVENTS_INSTANCE);
	if (fd < 0) {
		log_info("Not following CXL media error events (tracefs: %s); PoisonChanged "
			 "comes from cxlmemd's own inject and clear only.", strerror(-fd));
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w || sd_event_add_io(m->event, &s, fd, EPOLLIN, on_media_events, w) < 0) {
		log_warning("Cannot watch the CXL media error events.");
		free(w);
		close(fd);
		return;
	}
	w->m = m;
	/* Lives as long as the event loop: the source owns fd and watch. */
	(void)sd_event_source_set_io_fd_own(s, true);
	(void)sd_event_source_set_destroy_callback(s, free);
	(void)sd_event_source_set_floating(s, true);
	sd_event_source_unref(s);
}

/* ---- vtables ---- */

#define POISON_OPTIONS "a{sv}", options

const sd_bus_vtable poison_memdev_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("InjectPoison", SD_BUS_ARGS("t", dpa, POISON_OPTIONS),
				SD_BUS_NO_RESULT, method_memdev_inject,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ClearPoison", SD_BUS_ARGS("t", dpa, POISON_OPTIONS),
				SD_BUS_NO_RESULT, method_memdev_clear, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("GetPoison", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ttsot)", records),
				method_memdev_get, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_ARGS("PoisonChanged", SD_BUS_ARGS("s", cause), 0),
	SD_BUS_VTABLE_END
};

const sd_bus_vtable poison_region_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("InjectPoison", SD_BUS_ARGS("t", offset, POISON_OPTIONS),
				SD_BUS_NO_RESULT, method_region_inject,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ClearPoison", SD_BUS_ARGS("t", offset, POISON_OPTIONS),
				SD_BUS_NO_RESULT, method_region_clear, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("GetPoison", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ttsot)", records),
				method_region_get, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_ARGS("PoisonChanged", SD_BUS_ARGS("s", cause), 0),
	SD_BUS_VTABLE_END
};

static int find_memdev(sd_bus *bus, const char *path, const char *interface, void *userdata,
		       void **found, sd_bus_error *error)
{
	return find_object_methods(userdata, OBJECT_MEMDEV, path, found);
}

static int find_region(sd_bus *bus, const char *path, const char *interface, void *userdata,
		       void **found, sd_bus_error *error)
{
	return find_object_methods(userdata, OBJECT_REGION, path, found);
}

int poison_bus_register(Manager *m)
{
	int r;

	r = sd_bus_add_fallback_vtable(m->bus, NULL, "/org/cxlmemd1/memdev",
				       "org.cxlmemd1.Memdev", poison_memdev_vtable, find_memdev, m);
	if (r >= 0)
		r = sd_bus_add_fallback_vtable(m->bus, NULL, "/org/cxlmemd1/region",
					       "org.cxlmemd1.Region", poison_region_vtable,
					       find_region, m);
	if (r < 0)
		return r;
	media_watch_start(m);
	return 0;
}
