/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "manager.h"
#include "model.h"
#include "region-request.h"
#include "region.h"

/*
 * The kernel half of the changing Region, Window and DaxDevice methods,
 * run as a job (job.h): the handler validates against the model on the
 * main thread and fills a region_job with copies of everything the steps
 * need; the steps run in the worker through the region_ops seam; the end
 * (journal entry, model refresh, reply) is back on the main thread.
 */
enum region_job_op {
	REGION_JOB_CREATE,	/* region_create(plan); then online if @zone */
	REGION_JOB_COMMIT,
	REGION_JOB_ENABLE,
	REGION_JOB_DISABLE,	/* offline @dax first when set */
	REGION_JOB_DELETE,	/* offline @dax first when set; region_delete(@copy) */
	REGION_JOB_ONLINE,	/* @dax in @zone */
	REGION_JOB_OFFLINE,	/* @dax */
};

struct region_job {
	enum region_job_op op;
	const struct region_ops *ops;
	char region[REGION_NAME_MAX];	/* "" for a dax device no region owns */
	char window[64];
	char dax[64];
	char owner[96];			/* what @dax belongs to, for messages */
	char zone[16];			/* CREATE: online afterwards in this zone */
	struct region_plan plan;	/* CREATE */
	struct region *copy;		/* DELETE: the region as validated */
	char what[192];			/* journal text on success */

	/* Filled by the steps. */
	struct region_fail f;

	/* CREATE with online: the follow-up jobs' state. */
	bool after_create;		/* ONLINE (or its DELETE) of a new region */
	bool rolling_back;		/* DELETE undoing a create */
	struct region_fail cause;	/* why it is rolled back */
};

struct region_job *region_job_new(Manager *m, enum region_job_op op);
void region_job_free(void *j);
/* Deep copy of @r for a DELETE job. */
int region_job_copy_region(struct region_job *j, const struct region *r);

/* Start @j for @msg (takes @j, also on failure); 1: the reply comes later. */
int region_job_start(Manager *m, sd_bus_message *msg, struct region_job *j);
