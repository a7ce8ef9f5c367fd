/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct iomem_range {
	uint64_t start, end;	/* inclusive, as /proc/iomem prints */
};

/*
 * Every "Soft Reserved" entry of a /proc/iomem text, at any nesting depth
 * (firmware may put them inside a "CXL Window"), in file order. Pure.
 * Malformed lines are skipped. Returns the count or -ENOMEM.
 */
int iomem_parse_soft_reserved(const char *text, struct iomem_range **ret);

/*
 * Fill in each Soft Reserved range's Windows, Regions, Owner and Reason
 * from the rest of the model (windows, regions, dax devices), for kernels
 * without an ownership interface. Pure.
 *   hmem: a dax device came from the range (dax_hmem registered it).
 *   cxl:  enabled CXL regions cover the whole range.
 *   none: neither; the reason says what is missing.
 */
int softreserved_derive(struct model *m);
