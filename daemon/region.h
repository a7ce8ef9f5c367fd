/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

#include "model.h"
#include "region-ops.h"
#include "region-request.h"

/*
 * Region lifecycle: the kernel's order of steps, and rollback. Works on a
 * validated plan (region-request.c) through the region-ops seam only, so
 * unit tests drive it with a recording fake.
 *
 * Every multi-step change is a transaction: each step that changed the
 * kernel records how to undo it, and the first refusal undoes them all
 * in reverse order (unbind, decommit, clear targets, free DPA, delete),
 * leaving no region, DPA allocation or half-set target behind. The
 * failure names the step, the sysfs write and the kernel's errno text.
 */

#define REGION_NAME_MAX 64

/* The whole assembly: create, geometry, targets, commit, bind. */
int region_create(const struct region_ops *ops, const struct region_plan *plan,
		  char ret_region[REGION_NAME_MAX], struct region_fail *f);

/* Create and set the geometry (uuid, granularity, ways, size) only. */
int region_create_empty(const struct region_ops *ops, const struct region_plan *plan,
			char ret_region[REGION_NAME_MAX], struct region_fail *f);

/* Mode and DPA on @decoder, then region target @pos; undone on failure. */
int region_attach_target(const struct region_ops *ops, const char *region,
			 const char *mode, uint64_t per_target, uint32_t pos,
			 const char *decoder, struct region_fail *f);

/* Clear target @pos and free its decoder's DPA. */
int region_detach_target(const struct region_ops *ops, const struct region *r,
			 uint32_t pos, struct region_fail *f);

int region_commit(const struct region_ops *ops, const char *region, struct region_fail *f);
int region_decommit(const struct region_ops *ops, const char *region, struct region_fail *f);
int region_enable(const struct region_ops *ops, const char *region, struct region_fail *f);
int region_disable(const struct region_ops *ops, const char *region, struct region_fail *f);

/*
 * Tear @r down in the order the kernel requires: unbind, decommit, clear
 * targets (highest position first), free DPA, delete_region. The caller
 * refuses locked or leased regions and offlines memory first. Steps that
 * do not apply to the region's state are skipped.
 */
int region_delete(const struct region_ops *ops, const struct region *r,
		  struct region_fail *f);
