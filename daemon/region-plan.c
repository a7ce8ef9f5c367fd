// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "region-plan.h"
#include "strv.h"

/* Is @a a better pick than @b? */
static bool better(const struct plan_candidate *a, const struct plan_candidate *b, int numa)
{
	if (!b)
		return true;
	if (numa >= 0 && (a->numa_node == numa) != (b->numa_node == numa))
		return a->numa_node == numa;
	if (a->free != b->free)
		return a->free > b->free;
	return strverscmp(a->memdev, b->memdev) < 0;
}

int region_plan_targets(const struct plan_request *req, const struct plan_candidate *c,
			size_t n, const char **ret, char **ret_reason)
{
	size_t nbridges = strv_length(req->window_targets);
	uint64_t per_target;
	bool *used;

	*ret_reason = NULL;
	if (req->ways == 0 || nbridges == 0 || req->ways % nbridges) {
		if (asprintf(ret_reason, "a region across this window needs a multiple of %zu "
					 "ways (its host bridges), not %u",
			     nbridges, req->ways) < 0)
			*ret_reason = NULL;
		return -EINVAL;
	}
	per_target = req->size / req->ways;

	used = calloc(n ?: 1, sizeof(bool));
	if (!used)
		return -ENOMEM;

	for (uint32_t pos = 0; pos < req->ways; pos++) {
		const char *hb = req->window_targets[pos % nbridges];
		const struct plan_candidate *best = NULL;
		size_t best_i = 0;

		for (size_t i = 0; i < n; i++) {
			if (used[i] || !c[i].enabled || c[i].free < per_target ||
			    !c[i].host_bridge || strcmp(c[i].host_bridge, hb) != 0)
				continue;
			if (better(&c[i], best, req->numa_node)) {
				best = &c[i];
				best_i = i;
			}
		}
		if (!best) {
			if (asprintf(ret_reason,
				     "no enabled memdev below host bridge %s has %llu bytes free "
				     "for position %u",
				     hb, (unsigned long long)per_target, pos) < 0)
				*ret_reason = NULL;
			free(used);
			return -ENOSPC;
		}
		used[best_i] = true;
		ret[pos] = best->memdev;
	}
	free(used);
	return 0;
}
