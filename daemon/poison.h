/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "poison-translate.h"
#include "region-request.h"
#include "tracefs.h"

/*
 * The kernel side of poison testing: inject and clear through the
 * memdev's debugfs files, list through trigger_poison_list and the
 * cxl_poison trace events it emits. The calls that touch the device run
 * in the job worker (they are mailbox commands); the rest reads the
 * model and a few sysfs files on the main thread.
 */

/* Inject (@inject) or clear poison at @dpa of @memdev. 0, or -1 with @f. */
int poison_write(const char *memdev, uint64_t dpa, bool inject, struct region_fail *f);

struct poison_list {
	struct poison_record *v;
	size_t n;
};

void poison_list_done(struct poison_list *l);

/*
 * The device's poison list of each of the @n @memdevs: trigger it, read
 * the cxl_poison "List" records from our tracefs instance. 0, or -1 with
 * @f (NotSupported without tracefs or CXL trace events).
 */
int poison_list_read(char *const *memdevs, size_t n, struct poison_list *ret,
		     struct region_fail *f);

/*
 * Region @r of @m as the translation wants it, DPA bases read from the
 * endpoint decoders now. @targets has room for REGION_MAX_WAYS. 0, or -1
 * with @f (Busy when a decoder is gone or the region not committed).
 */
int poison_region_load(const struct model *m, const struct region *r,
		       struct poison_target *targets, struct poison_region *ret,
		       struct region_fail *f);

/* Can @d inject/clear/list poison ("inject", "clear", "list")? 0 or
 * NotSupported in @f. */
int poison_check_support(const struct memdev *d, const char *what, struct region_fail *f);

/*
 * The region of @m that maps @dpa of @memdev, or NULL; the offset in it
 * when translatable (*@ret_offset = UINT64_MAX otherwise).
 */
const struct region *poison_dpa_region(const struct model *m, const char *memdev,
				       uint64_t dpa, uint64_t *ret_offset);
