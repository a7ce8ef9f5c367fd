// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "lease.h"
#include "log.h"
#include "model-bus.h"
#include "monitor.h"
#include "region-bus.h"
#include "region-job.h"
#include "strv.h"

struct region_job *region_job_new(Manager *m, enum region_job_op op)
{
	struct region_job *j = calloc(1, sizeof(*j));

	if (j) {
		j->op = op;
		j->ops = m->region_ops;
	}
	return j;
}

static void free_region_copy(struct region *r)
{
	if (r)
		model_object_free_fields(OBJECT_REGION, r);
	free(r);
}

void region_job_free(void *p)
{
	struct region_job *j = p;

	if (j)
		free_region_copy(j->copy);
	free(j);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ?: "");
}

int region_job_copy_region(struct region_job *j, const struct region *r)
{
	struct region *c = calloc(1, sizeof(*c));
	bool ok;

	if (!c)
		return -ENOMEM;
	*c = (struct region){ .start = r->start, .size = r->size, .ways = r->ways,
			      .granularity = r->granularity, .locked = r->locked };
	c->name = dup_or_empty(r->name);
	c->window = dup_or_empty(r->window);
	c->mode = dup_or_empty(r->mode);
	c->uuid = dup_or_empty(r->uuid);
	c->state = dup_or_empty(r->state);
	c->dax = dup_or_empty(r->dax);
	c->targets = calloc(r->n_targets + 1, sizeof(*c->targets));
	ok = c->name && c->window && c->mode && c->uuid && c->state && c->dax && c->targets;
	for (size_t i = 0; ok && i < r->n_targets; i++) {
		c->targets[i].position = r->targets[i].position;
		c->targets[i].memdev = dup_or_empty(r->targets[i].memdev);
		c->targets[i].decoder = dup_or_empty(r->targets[i].decoder);
		c->n_targets = i + 1;
		ok = c->targets[i].memdev && c->targets[i].decoder;
	}
	free_region_copy(j->copy);
	j->copy = c;
	return ok ? 0 : -ENOMEM;
}

/* ---- worker thread: the kernel steps only ---- */

static int run(void *data)
{
	struct region_job *j = data;
	const struct region_ops *ops = j->ops;
	int r = 0;

	switch (j->op) {
	case REGION_JOB_CREATE:
		return region_create(ops, &j->plan, j->region, &j->f);
	case REGION_JOB_COMMIT:
		return region_commit(ops, j->region, &j->f);
	case REGION_JOB_ENABLE:
		return region_enable(ops, j->region, &j->f);
	case REGION_JOB_DISABLE:
		if (j->dax[0])
			r = dax_memory_offline(ops, j->dax, j->owner, &j->f);
		return r < 0 ? r : region_disable(ops, j->region, &j->f);
	case REGION_JOB_DELETE:
		if (j->dax[0])
			r = dax_memory_offline(ops, j->dax, j->owner, &j->f);
		return r < 0 ? r : region_delete(ops, j->copy, &j->f);
	case REGION_JOB_ONLINE:
		return dax_memory_online(ops, j->dax, j->owner, j->zone, &j->f);
	case REGION_JOB_OFFLINE:
		return dax_memory_offline(ops, j->dax, j->owner, &j->f);
	}
	return region_failf(&j->f, REGION_E_INTERNAL, "Unknown job.");
}

/* ---- main thread: journal, model, reply ---- */

static int done(Manager *m, sd_bus_message *msg, void *data, int result,
		sd_bus_error *error);


/* Take away the region a CreateRegion with online made: @cause is the reply. */
static int roll_back_create(Manager *m, sd_bus_message *msg, const struct region_job *from,
			    const struct region_fail *cause, sd_bus_error *error)
{
	const struct region *r = model_find(&m->model, OBJECT_REGION, from->region);
	struct region_job *j;

	log_failure(msg, from->region, from->window, cause);
	j = r ? region_job_new(m, REGION_JOB_DELETE) : NULL;
	if (!j || region_job_copy_region(j, r) < 0) {
		log_warning("Cannot roll back %s after the failed online: %s", from->region,
			    r ? "out of memory" : "it left the model");
		region_job_free(j);
		return fail_reply(error, cause);
	}
	snprintf(j->region, sizeof(j->region), "%s", from->region);
	snprintf(j->window, sizeof(j->window), "%s", from->window);
	j->after_create = j->rolling_back = true;
	j->cause = *cause;
	return region_job_start(m, msg, j);
}

static int after_create(Manager *m, sd_bus_message *msg, struct region_job *j,
			sd_bus_error *error)
{
	const struct region *r = model_find(&m->model, OBJECT_REGION, j->region);
	struct region_job *o;
	struct region_fail f = {};

	if (!r || !r->dax || !*r->dax) {
		region_failf(&f, REGION_E_BUSY,
			     "Region %s has no dax device after Enable; it cannot be onlined.",
			     j->region);
		return roll_back_create(m, msg, j, &f, error);
	}
	o = region_job_new(m, REGION_JOB_ONLINE);
	if (!o)
		return -ENOMEM;
	snprintf(o->region, sizeof(o->region), "%s", j->region);
	snprintf(o->window, sizeof(o->window), "%s", j->window);
	snprintf(o->dax, sizeof(o->dax), "%s", r->dax);
	snprintf(o->owner, sizeof(o->owner), "region %s", j->region);
	snprintf(o->zone, sizeof(o->zone), "%s", j->zone);
	snprintf(o->what, sizeof(o->what), "Onlined the memory of %s (zone %s)", j->region,
		 j->zone);
	o->after_create = true;
	return region_job_start(m, msg, o);
}

/*
 * The model after @j: what a region job changes read again (its window
 * and that window's regions, and the capacity of the memdevs @j gave or
 * took DPA from), not the whole walk, which took 0.4-1.9 s in the VM
 * after each CreateRegion and held up the Delete that followed
 * (bench/region-lifecycle). The job's uevents still bring the whole
 * walk, in the background.
 */
static void refresh_after(Manager *m, const struct region_job *j)
{
	_cleanup_(strv_freep) char **memdevs = NULL;
	int r = 0;

	if (j->op == REGION_JOB_CREATE)
		for (uint32_t i = 0; r >= 0 && i < j->plan.ways && i < REGION_MAX_WAYS; i++)
			r = strv_extend(&memdevs, j->plan.targets[i].memdev);
	for (size_t i = 0; r >= 0 && j->copy && i < j->copy->n_targets; i++)
		r = strv_extend(&memdevs, j->copy->targets[i].memdev);
	if (r < 0)
		(void)monitor_refresh(m);
	else
		(void)monitor_refresh_regions(m, j->window, memdevs);
}

/*
 * The terminal reply (a region path, nothing, or @f's error), and only then
 * the model refresh: the caller has its answer as soon as the kernel is
 * done, and since the refresh runs before the event loop serves anything
 * else, every call made after the reply sees the new state (the
 * InterfacesAdded/Removed and PropertiesChanged signals follow the reply).
 */
static int answer(Manager *m, sd_bus_message *msg, const struct region_job *j,
		  const char *region_path_of, const struct region_fail *f)
{
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	if (f) {
		(void)fail_reply(&e, f);
		r = sd_bus_reply_method_error(msg, &e);
	} else if (region_path_of)
		r = reply_region_path(msg, region_path_of);
	else
		r = sd_bus_reply_method_return(msg, NULL);
	if (r < 0)
		log_warning_errno(r, "Failed to reply to %s: %m", sd_bus_message_get_member(msg));
	refresh_after(m, j);
	return 0;
}

static int done(Manager *m, sd_bus_message *msg, void *data, int result,
		sd_bus_error *error)
{
	struct region_job *j = data;
	const char *region = j->region[0] ? j->region : NULL;
	const char *window = j->window[0] ? j->window : NULL;

	if (j->rolling_back) {
		if (result < 0)
			log_warning("Rolling back %s after the failed online: %s", j->region,
				    j->f.message);
		else
			log_event(MESSAGE_REGION_DELETED, LOG_NOTICE, msg, region, window,
				  "Deleted the region again: online failed");
		return answer(m, msg, j, NULL, &j->cause);
	}
	if (result < 0) {
		if (j->after_create)
			return roll_back_create(m, msg, j, &j->f, error);
		log_failure(msg, region, window, &j->f);
		/* A teardown may have got halfway: the refresh shows what is left. */
		return answer(m, msg, j, NULL, &j->f);
	}

	switch (j->op) {
	case REGION_JOB_CREATE:
		snprintf(j->what, sizeof(j->what),
			 "Created %s region %s (%" PRIu64 " MiB, %" PRIu32 " ways)", j->plan.mode,
			 j->region, j->plan.size >> 20, j->plan.ways);
		log_event(MESSAGE_REGION_CREATED, LOG_NOTICE, msg, region, window, j->what);
		if (!j->zone[0])
			return answer(m, msg, j, j->region, NULL);
		/* Online next: that needs the region's dax device in the model. */
		refresh_after(m, j);
		return after_create(m, msg, j, error);
	case REGION_JOB_DELETE:
		lease_drop_region(m, j->region);
		log_event(MESSAGE_REGION_DELETED, LOG_NOTICE, msg, region, window, j->what);
		break;
	default:
		log_event(MESSAGE_REGION_CHANGED, LOG_INFO, msg, region, window, j->what);
		break;
	}
	return answer(m, msg, j, j->after_create ? j->region : NULL, NULL);
}

int region_job_start(Manager *m, sd_bus_message *msg, struct region_job *j)
{
	int r = job_start(m->jobs, msg, run, done, j, region_job_free);

	if (r < 0) {
		region_job_free(j);
		return r;
	}
	return 1;
}
