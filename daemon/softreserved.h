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

/* The kernel's ownership interface (kernel/patches 0010): one directory
 * per range under this one while dax_hmem is bound. */
#define SOFTRESERVED_KERNEL_DIR "/sys/bus/platform/devices/hmem_platform.0/soft_reserved"

/*
 * The kernel directory of the range starting at @start: 1 and *@ret set
 * (free it), or 0 if the kernel has no such range (or no interface).
 */
int softreserved_kernel_dir(uint64_t start, char **ret);

/*
 * Where the kernel has the interface, take each range's Owner and Reason
 * from it (state pending, cxl, hmem; unowned is "none") instead of the
 * derived ones. Reads sysfs; call after softreserved_derive().
 */
int softreserved_read_kernel(struct model *m);
