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
#include "region-bus.h"
#include "region.h"
#include "strv.h"

/* Stable MESSAGE_IDs for the journal: what an operator greps for. */
#define MESSAGE_REGION_DELETED "5c0d387a5f4142218ce5b60b226592e4"
#define MESSAGE_REGION_CHANGED "41ee83ffdd4a40139c9f1edb84783862"
#define MESSAGE_REGION_FAILED "a176752c33bd4ba7a39d5a92f789c245"

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
	for (size_t i = 0; path && i < model_count(&m->model, t); i++) {
		void *obj = model_object(&m->model, t, i);
		_cleanup_free_ char *p = model_bus_path(t, object_name(obj));

		if (p && strcmp(p, path) == 0)
			return obj;
	}
	return NULL;
}

static struct region *msg_region(Manager *m, sd_bus_message *msg)
{
	return object_by_path(m, OBJECT_REGION, sd_bus_message_get_path(msg));
}

static int find_region_methods(sd_bus *bus, const char *path, const char *interface,
			       void *userdata, void **found, sd_bus_error *error)
{
	Manager *m = userdata;

	if (!object_by_path(m, OBJECT_REGION, path))
		return 0;
	*found = m;
	return 1;
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

int facts_gather(struct facts *f, const Manager *m, const char *only)
{
	const struct region_ops *ops = m->region_ops;
	size_t n = only ? 1 : m->model.n_memdevs;
	_cleanup_free_ const char **names = calloc(n + 1, sizeof(char *));
	_cleanup_free_ char **decs = calloc(n + 1, sizeof(char *));
	_cleanup_free_ char **hbs = calloc(n + 1, sizeof(char *));
	int r;

	f->v = calloc(n + 1, sizeof(*f->v));
	if (!f->v || !names || !decs || !hbs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		names[i] = only ?: m->model.memdevs[i].name;
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

	if (!reg)
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "The region is gone.");
	r = sd_bus_message_read(msg, "s", &consumer);
	if (r < 0)
		return r;
	if (!*consumer || strlen(consumer) > 128 || strpbrk(consumer, "\n\r\t"))
		return sd_bus_error_set(error, ERROR_PREFIX "InvalidArgument",
					"The consumer name must be 1 to 128 printable characters.");
	r = bouncer_check(msg, ACTION_REGION_LEASE, error);
	if (r < 0)
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
	if (r < 0)
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

/* Reply after a change: refresh the model so the reply sees it. */
static int changed(Manager *m, sd_bus_message *msg, const char *region, const char *window,
		   const char *what)
{
	log_event(MESSAGE_REGION_CHANGED, LOG_INFO, msg, region, window, what);
	(void)monitor_refresh(m);
	return sd_bus_reply_method_return(msg, NULL);
}

static int failed(sd_bus_message *msg, const struct region *r, const struct region_fail *f,
		  sd_bus_error *error)
{
	log_failure(msg, r ? r->name : NULL, r ? r->window : NULL, f);
	return fail_reply(error, f);
}

int dax_memory_online(Manager *m, const char *dax, const char *owner, const char *zone,
		      struct region_fail *f)
{
	const struct region_ops *ops = m->region_ops;
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

int dax_memory_offline(Manager *m, const char *dax, const char *owner,
		       struct region_fail *f)
{
	const struct region_ops *ops = m->region_ops;
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

int region_bus_memory_online(Manager *m, sd_bus_message *msg, const struct region *r,
			     const char *zone, sd_bus_error *error)
{
	struct region_fail f = {};
	char owner[96];

	snprintf(owner, sizeof(owner), "region %s", r->name);
	if (strcmp(r->mode, "ram") != 0)
		region_failf(&f, REGION_E_NOT_SUPPORTED,
			     "Region %s is %s; only ram regions online as system RAM.", r->name,
			     r->mode);
	else if (!r->dax || !*r->dax)
		region_failf(&f, REGION_E_BUSY,
			     "Region %s has no dax device yet; Enable it first.", r->name);
	else
		(void)dax_memory_online(m, r->dax, owner, zone, &f);
	if (f.error)
		return failed(msg, r, &f, error);
	return 0;
}

static int memory_offline(Manager *m, sd_bus_message *msg, const struct region *r,
			  sd_bus_error *error)
{
	struct region_fail f = {};
	char owner[96];

	if (!r->dax || !*r->dax)
		return 0;
	snprintf(owner, sizeof(owner), "region %s", r->name);
	if (dax_memory_offline(m, r->dax, owner, &f) < 0)
		return failed(msg, r, &f, error);
	return 0;
}

static int method_delete(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct region *reg = NULL;
	char what[128];
	_cleanup_free_ char *name = NULL, *window = NULL;
	int force, r;

	r = sd_bus_message_read(msg, "b", &force);
	if (r < 0)
		return r;
	r = region_prologue(m, msg, ACTION_REGION_DELETE, &reg, error);
	if (r < 0)
		return r;
	/* Before touching anything, and force does not override it. */
	if (refuse_locked(reg, "delete", &f) < 0 ||
	    refuse_leased(m, reg, force, "delete", &f) < 0)
		return failed(msg, reg, &f, error);

	if (strcmp(reg->state, "online") == 0) {
		r = memory_offline(m, msg, reg, error);
		if (r < 0)
			return r;
	}
	if (region_delete(m->region_ops, reg, &f) < 0) {
		r = failed(msg, reg, &f, error);
		/* Half torn down: show what is left (reg dies with the old model). */
		(void)monitor_refresh(m);
		return r;
	}
	name = strdup(reg->name);
	window = strdup(reg->window);
	if (!name || !window)
		return -ENOMEM;
	lease_drop_region(m, name);
	snprintf(what, sizeof(what), "Deleted region %s%s", name,
		 force ? " (forced)" : "");
	log_event(MESSAGE_REGION_DELETED, LOG_NOTICE, msg, name, window, what);
	(void)monitor_refresh(m);
	return sd_bus_reply_method_return(msg, NULL);
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

	r = sd_bus_message_read(msg, "ou", &path, &pos);
	if (r < 0)
		return r;
	r = region_prologue(m, msg, ACTION_REGION_CONFIGURE, &reg, error);
	if (r < 0)
		return r;
	d = object_by_path(m, OBJECT_MEMDEV, path);
	if (!d)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
					 "%s is not a memdev of cxlmemd.", path);
	r = facts_gather(&facts, m, d->name);
	if (r >= 0 && region_request_check_target(reg, &m->model, facts.v, d->name, pos,
						  decoder, &f) < 0)
		r = 1;
	facts_done(&facts);
	if (r < 0)
		return r;
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

	r = sd_bus_message_read(msg, "u", &pos);
	if (r < 0)
		return r;
	r = region_prologue(m, msg, ACTION_REGION_CONFIGURE, &reg, error);
	if (r < 0)
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

enum simple_op { OP_COMMIT, OP_DECOMMIT, OP_ENABLE };

static int simple_op(sd_bus_message *msg, Manager *m, enum simple_op op,
		     sd_bus_error *error)
{
	static const char *const verbs[] = { "Committed", "Decommitted", "Enabled" };
	struct region_fail f = {};
	struct region *reg = NULL;
	char what[128];
	int r;

	r = region_prologue(m, msg, ACTION_REGION_CONFIGURE, &reg, error);
	if (r < 0)
		return r;
	if (op == OP_DECOMMIT && (refuse_locked(reg, "decommit", &f) < 0 ||
				  refuse_leased(m, reg, false, "decommit", &f) < 0))
		return failed(msg, reg, &f, error);
	r = op == OP_COMMIT ? region_commit(m->region_ops, reg->name, &f) :
	    op == OP_DECOMMIT ? region_decommit(m->region_ops, reg->name, &f) :
				region_enable(m->region_ops, reg->name, &f);
	if (r < 0)
		return failed(msg, reg, &f, error);
	snprintf(what, sizeof(what), "%s %s", verbs[op], reg->name);
	return changed(m, msg, reg->name, reg->window, what);
}

static int method_commit(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return simple_op(msg, userdata, OP_COMMIT, error);
}

static int method_decommit(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return simple_op(msg, userdata, OP_DECOMMIT, error);
}

static int method_enable(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return simple_op(msg, userdata, OP_ENABLE, error);
}

static int method_disable(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct region *reg = NULL;
	char what[128];
	int force, r;

	r = sd_bus_message_read(msg, "b", &force);
	if (r < 0)
		return r;
	r = region_prologue(m, msg, ACTION_REGION_CONFIGURE, &reg, error);
	if (r < 0)
		return r;
	if (refuse_leased(m, reg, force, "disable", &f) < 0)
		return failed(msg, reg, &f, error);
	if (strcmp(reg->state, "online") == 0) {
		r = memory_offline(m, msg, reg, error);
		if (r < 0)
			return r;
	}
	if (region_disable(m->region_ops, reg->name, &f) < 0)
		return failed(msg, reg, &f, error);
	snprintf(what, sizeof(what), "Disabled %s%s", reg->name, force ? " (forced)" : "");
	return changed(m, msg, reg->name, reg->window, what);
}

static int method_online(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region *reg = NULL;
	const char *zone;
	char what[128];
	int r;

	r = sd_bus_message_read(msg, "s", &zone);
	if (r < 0)
		return r;
	if (strcmp(zone, "movable") != 0 && strcmp(zone, "normal") != 0)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
					 "Zone '%s' is not \"movable\" or \"normal\".", zone);
	r = region_prologue(m, msg, ACTION_REGION_MEMORY, &reg, error);
	if (r < 0)
		return r;
	r = region_bus_memory_online(m, msg, reg, zone, error);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "Onlined the memory of %s (zone %s)", reg->name, zone);
	return changed(m, msg, reg->name, reg->window, what);
}

static int method_offline(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct region_fail f = {};
	struct region *reg = NULL;
	char what[128];
	int force, r;

	r = sd_bus_message_read(msg, "b", &force);
	if (r < 0)
		return r;
	r = region_prologue(m, msg, ACTION_REGION_MEMORY, &reg, error);
	if (r < 0)
		return r;
	if (refuse_leased(m, reg, force, "offline", &f) < 0)
		return failed(msg, reg, &f, error);
	r = memory_offline(m, msg, reg, error);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "Offlined the memory of %s", reg->name);
	return changed(m, msg, reg->name, reg->window, what);
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

