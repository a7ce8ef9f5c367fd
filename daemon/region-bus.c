// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>

#include "bouncer.h"
#include "bus-interfaces.h"
#include "lease.h"
#include "log.h"
#include "model-bus.h"
#include "monitor.h"
#include "job.h"
#include "region-bus.h"
#include "region-job.h"
#include "region.h"
#include "strv.h"


#define ERROR_PREFIX "org.cxlmemd1.Error."
static const char *const error_names[_REGION_ERROR_MAX] = {
	[REGION_E_INVALID_ARGUMENT] = ERROR_PREFIX "InvalidArgument",
	[REGION_E_INSUFFICIENT_CAPACITY] = ERROR_PREFIX "InsufficientCapacity",
	[REGION_E_NOT_SUPPORTED] = ERROR_PREFIX "NotSupported",
	[REGION_E_LOCKED] = ERROR_PREFIX "RegionLocked",
	[REGION_E_ATTACHED] = ERROR_PREFIX "RegionAttached",
	[REGION_E_BUSY] = ERROR_PREFIX "Busy",
	[REGION_E_KERNEL] = ERROR_PREFIX "KernelRefused",
	[REGION_E_INTERNAL] = ERROR_PREFIX "Failed",
};

int fail_reply(sd_bus_error *error, const struct region_fail *f)
{
	const char *name = f->error < _REGION_ERROR_MAX ? error_names[f->error] : NULL;

	return sd_bus_error_set(error, name ?: ERROR_PREFIX "Failed", f->message);
}

/* Journal entry with a stable id; the stderr line is for the VM and tests. */
void log_event(const char *id, int priority, sd_bus_message *msg, const char *region,
		      const char *window, const char *what)
{
	_cleanup_free_ char *caller = bouncer_describe_sender(msg);

	log_full(priority, "%s (region %s, window %s, caller %s)", what, region ?: "-",
		 window ?: "-", caller ?: "?");
	(void)sd_journal_send("MESSAGE_ID=%s", id, "MESSAGE=%s", what, "PRIORITY=%i", priority,
			      "CXLMEMD_REGION=%s", region ?: "", "CXLMEMD_WINDOW=%s",
			      window ?: "", "CXLMEMD_CALLER=%s", caller ?: "",
			      "CXLMEMD_METHOD=%s", sd_bus_message_get_member(msg) ?: "",
			      NULL);
}

void log_failure(sd_bus_message *msg, const char *region, const char *window,
			const struct region_fail *f)
{
	log_event(MESSAGE_REGION_FAILED, LOG_WARNING, msg, region, window, f->message);
}

/* ---- finding objects ---- */

void *object_by_path(Manager *m, enum object_type t, const char *path)
{
	return model_bus_object(&m->model, t, path);
}

static struct region *msg_region(Manager *m, sd_bus_message *msg)
{
	return object_by_path(m, OBJECT_REGION, sd_bus_message_get_path(msg));
}

int find_object_methods(Manager *m, enum object_type t, const char *path, void **found)
{
	if (!object_by_path(m, t, path))
		return 0;
	*found = m;
	return 1;
}

static int find_region_methods(sd_bus *bus, const char *path, const char *interface,
			       void *userdata, void **found, sd_bus_error *error)
{
	return find_object_methods(userdata, OBJECT_REGION, path, found);
}

int reply_region_path(sd_bus_message *msg, const char *name)
{
	_cleanup_free_ char *path = model_bus_path(OBJECT_REGION, name);

	if (!path)
		return -ENOMEM;
	return sd_bus_reply_method_return(msg, "o", path);
}

/* ---- kernel facts for validation ---- */

void facts_done(struct facts *f)
{
	for (size_t i = 0; f->v && i < f->n; i++) {
		free((char *)f->v[i].free_decoder);
		free((char *)f->v[i].host_bridge);
	}
	free(f->v);
}

int facts_gather(struct facts *f, const Manager *m, const char *const *only, size_t n_only)
{
	const struct region_ops *ops = m->region_ops;
	size_t n = only ? n_only : m->model.n_memdevs;
	_cleanup_free_ const char **names = calloc(n + 1, sizeof(char *));
	_cleanup_free_ char **decs = calloc(n + 1, sizeof(char *));
	_cleanup_free_ char **hbs = calloc(n + 1, sizeof(char *));
	int r;

	f->v = calloc(n + 1, sizeof(*f->v));
	if (!f->v || !names || !decs || !hbs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		names[i] = only ? only[i] : m->model.memdevs[i].name;
	r = ops->memdev_slots(ops->userdata, names, n, decs, hbs);
	/* Handed to f->v even on failure: facts_done() frees them. */
	for (size_t i = 0; i < n; i++)
		f->v[i] = (struct memdev_facts){ names[i], hbs[i], decs[i] };
	f->n = n;
	return r;
}

/* ---- leases ---- */

/* RegionAttached unless @force; 0 when nothing holds @r or force. */
static int refuse_leased(Manager *m, const struct region *r, int force, const char *verb,
			 struct region_fail *f)
{
	_cleanup_free_ char *list = NULL;

	if (force || lease_count(m, r->name, &list) == 0)
		return 0;
	return region_failf(f, REGION_E_ATTACHED,
			    "Region %s is attached by %s; ask the consumer to Detach, or %s "
			    "with force=true.", r->name, list ?: "a consumer", verb);
}

static int method_attach(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region *reg = msg_region(m, msg);
	const char *consumer, *id;
	int r;

	/* Not while a job may be deleting the region. */
	QUEUE_BEHIND_JOB(m, msg, method_attach);
	if (!reg)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "The region is gone.");
	r = sd_bus_message_read(msg, "s", &consumer);
	if (r < 0)
		return r;
	if (!*consumer || strlen(consumer) > 128 || strpbrk(consumer, "\n\r\t"))
		return sd_bus_error_set(error, ERROR_PREFIX "InvalidArgument",
					"The consumer name must be 1 to 128 printable characters.");
	r = bouncer_check(msg, ACTION_REGION_LEASE, error);
	if (r != 0)
		return r;

	r = lease_attach(m, msg, reg->name, consumer, &id);
	if (r < 0)
		return r;
	return sd_bus_reply_method_return(msg, "s", id);
}

static int method_detach(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region *reg = msg_region(m, msg);
	const char *id;
	int r;

	if (!reg)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "The region is gone.");
	r = sd_bus_message_read(msg, "s", &id);
	if (r < 0)
		return r;
	r = bouncer_check(msg, ACTION_REGION_LEASE, error);
	if (r != 0)
		return r;
	if (lease_detach(m, reg->name, id) >= 0)
		return sd_bus_reply_method_return(msg, NULL);
	return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
				 "Region %s has no lease '%s'; see its Attachments.", reg->name, id);
}

static int property_get_attachments(sd_bus *bus, const char *path, const char *interface,
				    const char *property, sd_bus_message *reply,
				    void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region *reg = object_by_path(m, OBJECT_REGION, path);

	if (!reg)
		return -ENOENT;
	return lease_append(m, reg->name, reply);
}

/* ---- Region methods ---- */

/* Common prologue: region from the path, no locked region, authorized. */
static int region_prologue(Manager *m, sd_bus_message *msg, enum bouncer_action action,
			   struct region **ret, sd_bus_error *error)
{
	struct region *reg = msg_region(m, msg);

	if (!reg)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "The region is gone.");
	*ret = reg;
	return bouncer_check(msg, action, error);
}

static int refuse_locked(const struct region *r, const char *verb, struct region_fail *f)
{
	if (!r->locked)
		return 0;
	return region_failf(f, REGION_E_LOCKED,
			    "Region %s was committed and locked by platform firmware (its "
			    "decoders ignore a reset), so cxlmemd will not %s it; it stays "
			    "until the next platform reset.", r->name, verb);
}

/* Reply after a change, then refresh the model before the event loop
 * serves anything else (see region-job.c's answer()). */
static int changed(Manager *m, sd_bus_message *msg, const char *region, const char *window,
		   const char *what)
{
	int r;

	log_event(MESSAGE_REGION_CHANGED, LOG_INFO, msg, region, window, what);
	r = sd_bus_reply_method_return(msg, NULL);
	(void)monitor_refresh(m);
	return r;
}

static int failed(sd_bus_message *msg, const struct region *r, const struct region_fail *f,
		  sd_bus_error *error)
{
	log_failure(msg, r ? r->name : NULL, r ? r->window : NULL, f);
	return fail_reply(error, f);
}

int read_options(sd_bus_message *msg, option_fn fn, void *userdata, sd_bus_error *error)
{
	const char *key;
	int r;

	r = sd_bus_message_enter_container(msg, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
		r = sd_bus_message_read(msg, "s", &key);
		if (r >= 0)
			r = fn(msg, key, userdata, error);
		if (r >= 0)
			r = sd_bus_message_exit_container(msg);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(msg);
}

int read_zone(sd_bus_message *msg, const char **ret, sd_bus_error *error)
{
	const char *zone;
	int r;

	r = sd_bus_message_read(msg, "s", &zone);
	if (r < 0)
		return r;
	if (strcmp(zone, "movable") != 0 && strcmp(zone, "normal") != 0)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
					 "Zone '%s' is not \"movable\" or \"normal\".", zone);
	*ret = zone;
	return 0;
}

int dax_memory_online(const struct region_ops *ops, const char *dax, const char *owner,
		      const char *zone, struct region_fail *f)
{
	int rc;

	rc = ops->online(ops->userdata, dax, strcmp(zone, "movable") == 0);
	if (rc < 0) {
		region_failf(f, REGION_E_KERNEL,
			     "The kernel refused to online %s (%s) in zone %s: %s (%s).", dax,
			     owner, zone, strerror(-rc), strerrorname_np(-rc) ?: "?");
		f->errno_value = -rc;
		return -1;
	}
	return 0;
}

int dax_memory_offline(const struct region_ops *ops, const char *dax, const char *owner,
		       struct region_fail *f)
{
	_cleanup_free_ char *refused = NULL;
	int rc;

	rc = ops->offline(ops->userdata, dax, &refused);
	if (rc == -EBUSY)
		return region_failf(f, REGION_E_BUSY,
				    "The kernel could not offline every memory block of %s (%s); "
				    "still online: %s. Something pins that memory; stop its users "
				    "and try again.", dax, owner, refused ?: "?");
	if (rc < 0) {
		region_failf(f, REGION_E_KERNEL, "The kernel refused to offline %s (%s): %s (%s).",
			     dax, owner, strerror(-rc), strerrorname_np(-rc) ?: "?");
		f->errno_value = -rc;
		return -1;
	}
	return 0;
}

/* Can @r's memory go online? 0, or -1 with @f filled. */
static int check_onlinable(const struct region *r, struct region_fail *f)
{
	if (strcmp(r->mode, "ram") != 0)
		return region_failf(f, REGION_E_NOT_SUPPORTED,
				    "Region %s is %s; only ram regions online as system RAM.",
				    r->name, r->mode);
	if (!r->dax || !*r->dax)
		return region_failf(f, REGION_E_BUSY,
				    "Region %s has no dax device yet; Enable it first.", r->name);
	return 0;
}

/* A job on @reg; @with_dax: on its dax device's memory too (online,
 * offline, or offline before a teardown). */
static struct region_job *job_for(Manager *m, enum region_job_op op, const struct region *reg,
				  bool with_dax)
{
	struct region_job *j = region_job_new(m, op);

	if (!j)
		return NULL;
	snprintf(j->region, sizeof(j->region), "%s", reg->name);
	snprintf(j->window, sizeof(j->window), "%s", reg->window ?: "");
	snprintf(j->owner, sizeof(j->owner), "region %s", reg->name);
	if (with_dax && reg->dax)
		snprintf(j->dax, sizeof(j->dax), "%s", reg->dax);
	return j;
}

static int method_delete(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct region *reg = NULL;
	struct region_job *j;
	int force, r;

	QUEUE_BEHIND_JOB(m, msg, method_delete);
	r = sd_bus_message_read(msg, "b", &force);
	if (r < 0)
		return r;
	r = region_prologue(m, msg, ACTION_REGION_DELETE, &reg, error);
	if (r != 0)
		return r;
	/* Before touching anything, and force does not override it. */
	if (refuse_locked(reg, "delete", &f) < 0 ||
	    refuse_leased(m, reg, force, "delete", &f) < 0)
		return failed(msg, reg, &f, error);

	j = job_for(m, REGION_JOB_DELETE, reg, strcmp(reg->state, "online") == 0);
	if (!j || region_job_copy_region(j, reg) < 0) {
		region_job_free(j);
		return -ENOMEM;
	}
	snprintf(j->what, sizeof(j->what), "Deleted region %s%s", reg->name,
		 force ? " (forced)" : "");
	return region_job_start(m, msg, j);
}

static int method_attach_target(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct facts facts = {};
	const struct memdev *d;
	struct region *reg = NULL;
	char decoder[64], what[160];
	const char *path;
	uint32_t pos;
	int r;

	QUEUE_BEHIND_JOB(m, msg, method_attach_target);
	r = sd_bus_message_read(msg, "ou", &path, &pos);
	if (r < 0)
		return r;
	r = region_prologue(m, msg, ACTION_REGION_CONFIGURE, &reg, error);
	if (r != 0)
		return r;
	d = object_by_path(m, OBJECT_MEMDEV, path);
	if (!d)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
					 "%s is not a memdev of cxlmemd.", path);
	r = facts_gather(&facts, m, (const char *[]){ d->name }, 1);
	if (r >= 0 && region_request_check_target(reg, &m->model, facts.v, d->name, pos,
						  decoder, &f) < 0)
		r = 1;
	facts_done(&facts);
	if (r < 0)
		return r;
	/* A few sysfs writes (mode, dpa_size, target): not worth a job. */
	if (r > 0 || region_attach_target(m->region_ops, reg->name, reg->mode,
					  reg->size / reg->ways, pos, decoder, &f) < 0)
		return failed(msg, reg, &f, error);
	snprintf(what, sizeof(what), "Attached %s (%s) at position %" PRIu32 " of %s", d->name,
		 decoder, pos, reg->name);
	return changed(m, msg, reg->name, reg->window, what);
}

static int method_detach_target(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct region *reg = NULL;
	char what[128];
	uint32_t pos;
	int r;

	QUEUE_BEHIND_JOB(m, msg, method_detach_target);
	r = sd_bus_message_read(msg, "u", &pos);
	if (r < 0)
		return r;
	r = region_prologue(m, msg, ACTION_REGION_CONFIGURE, &reg, error);
	if (r != 0)
		return r;
	if (refuse_locked(reg, "change the targets of", &f) < 0)
		return failed(msg, reg, &f, error);
	if (strcmp(reg->state, "configuring") != 0) {
		region_failf(&f, REGION_E_BUSY,
			     "Region %s is %s; Disable and Decommit it before changing "
			     "its targets.", reg->name, reg->state);
		return failed(msg, reg, &f, error);
	}
	if (region_detach_target(m->region_ops, reg, pos, &f) < 0)
		return failed(msg, reg, &f, error);
	snprintf(what, sizeof(what), "Detached position %" PRIu32 " of %s", pos, reg->name);
	return changed(m, msg, reg->name, reg->window, what);
}

/* Commit and Enable: one kernel step on the region, as a job. */
static int start_region_step(Manager *m, sd_bus_message *msg, enum region_job_op op,
			     const char *verb, sd_bus_error *error)
{
	struct region *reg = NULL;
	struct region_job *j;
	int r;

	r = region_prologue(m, msg, ACTION_REGION_CONFIGURE, &reg, error);
	if (r != 0)
		return r;
	j = job_for(m, op, reg, false);
	if (!j)
		return -ENOMEM;
	snprintf(j->what, sizeof(j->what), "%s %s", verb, reg->name);
	return region_job_start(m, msg, j);
}

static int method_commit(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	QUEUE_BEHIND_JOB((Manager *)userdata, msg, method_commit);
	return start_region_step(userdata, msg, REGION_JOB_COMMIT, "Committed", error);
}

static int method_decommit(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct region *reg = NULL;
	char what[128];
	int r;

	QUEUE_BEHIND_JOB(m, msg, method_decommit);
	r = region_prologue(m, msg, ACTION_REGION_CONFIGURE, &reg, error);
	if (r != 0)
		return r;
	if (refuse_locked(reg, "decommit", &f) < 0 ||
	    refuse_leased(m, reg, false, "decommit", &f) < 0 ||
	    region_decommit(m->region_ops, reg->name, &f) < 0)
		return failed(msg, reg, &f, error);
	snprintf(what, sizeof(what), "Decommitted %s", reg->name);
	return changed(m, msg, reg->name, reg->window, what);
}

static int method_enable(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	QUEUE_BEHIND_JOB((Manager *)userdata, msg, method_enable);
	return start_region_step(userdata, msg, REGION_JOB_ENABLE, "Enabled", error);
}

static int method_disable(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct region *reg = NULL;
	struct region_job *j;
	int force, r;

	QUEUE_BEHIND_JOB(m, msg, method_disable);
	r = sd_bus_message_read(msg, "b", &force);
	if (r < 0)
		return r;
	r = region_prologue(m, msg, ACTION_REGION_CONFIGURE, &reg, error);
	if (r != 0)
		return r;
	if (refuse_leased(m, reg, force, "disable", &f) < 0)
		return failed(msg, reg, &f, error);
	j = job_for(m, REGION_JOB_DISABLE, reg, strcmp(reg->state, "online") == 0);
	if (!j)
		return -ENOMEM;
	snprintf(j->what, sizeof(j->what), "Disabled %s%s", reg->name, force ? " (forced)" : "");
	return region_job_start(m, msg, j);
}

static int method_online(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct region *reg = NULL;
	struct region_job *j;
	const char *zone;
	int r;

	QUEUE_BEHIND_JOB(m, msg, method_online);
	r = read_zone(msg, &zone, error);
	if (r < 0)
		return r;
	r = region_prologue(m, msg, ACTION_REGION_MEMORY, &reg, error);
	if (r != 0)
		return r;
	if (check_onlinable(reg, &f) < 0)
		return failed(msg, reg, &f, error);
	j = job_for(m, REGION_JOB_ONLINE, reg, true);
	if (!j)
		return -ENOMEM;
	snprintf(j->zone, sizeof(j->zone), "%s", zone);
	snprintf(j->what, sizeof(j->what), "Onlined the memory of %s (zone %s)", reg->name, zone);
	return region_job_start(m, msg, j);
}

static int method_offline(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct region *reg = NULL;
	struct region_job *j;
	int force, r;

	QUEUE_BEHIND_JOB(m, msg, method_offline);
	r = sd_bus_message_read(msg, "b", &force);
	if (r < 0)
		return r;
	r = region_prologue(m, msg, ACTION_REGION_MEMORY, &reg, error);
	if (r != 0)
		return r;
	if (refuse_leased(m, reg, force, "offline", &f) < 0)
		return failed(msg, reg, &f, error);
	if (!reg->dax || !*reg->dax)
		return sd_bus_reply_method_return(msg, NULL);
	j = job_for(m, REGION_JOB_OFFLINE, reg, true);
	if (!j)
		return -ENOMEM;
	snprintf(j->what, sizeof(j->what), "Offlined the memory of %s", reg->name);
	return region_job_start(m, msg, j);
}

/* ---- vtables ---- */

const sd_bus_vtable region_bus_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Attachments", "a(sss)", property_get_attachments, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("b", force), SD_BUS_NO_RESULT,
				method_delete, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("AttachTarget", SD_BUS_ARGS("o", memdev, "u", position),
				SD_BUS_NO_RESULT, method_attach_target,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("DetachTarget", SD_BUS_ARGS("u", position), SD_BUS_NO_RESULT,
				method_detach_target, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Commit", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_commit,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Decommit", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
				method_decommit, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Enable", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_enable,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Disable", SD_BUS_ARGS("b", force), SD_BUS_NO_RESULT,
				method_disable, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Online", SD_BUS_ARGS("s", zone), SD_BUS_NO_RESULT,
				method_online, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Offline", SD_BUS_ARGS("b", force), SD_BUS_NO_RESULT,
				method_offline, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Attach", SD_BUS_ARGS("s", consumer), SD_BUS_RESULT("s", lease),
				method_attach, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Detach", SD_BUS_ARGS("s", lease), SD_BUS_NO_RESULT,
				method_detach, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int region_bus_register(Manager *m)
{
	int r;

	r = sd_bus_add_fallback_vtable(m->bus, NULL, "/org/cxlmemd1/region",
				       "org.cxlmemd1.Region", region_bus_vtable,
				       find_region_methods, m);
	if (r >= 0)
		r = window_bus_register(m);
	if (r >= 0)
		r = dax_bus_register(m);
	return r;
}

