/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * Choosing targets for a new region when the caller leaves it to us. Pure.
 *
 * A window interleaves across its host bridges in a fixed order, so the
 * region's position p must sit below host bridge window_targets[p %
 * window_ways]. Among the memdevs below that bridge with enough free
 * capacity in the region's mode, prefer the NUMA node the caller asked
 * for (if any), then the most free capacity, then the name; a memdev is
 * used at most once.
 */
struct plan_candidate {
	const char *memdev;
	const char *host_bridge;	/* e.g. pci0000:0c */
	uint64_t free;			/* free capacity in the region's mode */
	int numa_node;
	int enabled;
};

struct plan_request {
	char *const *window_targets;	/* host bridges in interleave order */
	uint32_t ways;			/* region ways */
	uint64_t size;			/* region size */
	int numa_node;			/* preferred node, -1 for none */
};

/*
 * Fill @ret[0..ways-1] with candidate names by position. On failure
 * returns -ENOSPC (or -EINVAL for a request that cannot be met by any
 * topology) and sets *ret_reason to a sentence naming what is missing
 * (caller frees).
 */
int region_plan_targets(const struct plan_request *req, const struct plan_candidate *c,
			size_t n, const char **ret, char **ret_reason);
