// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "interleave.h"

bool interleave_ways_valid(uint32_t ways)
{
	switch (ways) {
	case 1: case 2: case 3: case 4: case 6: case 8: case 12: case 16:
		return true;
	}
	return false;
}

bool interleave_granularity_valid(uint32_t g)
{
	return g >= 256 && g <= 16384 && (g & (g - 1)) == 0;
}

int interleave_geometry_valid(const struct interleave *il)
{
	uint64_t stripe, per_target;

	if (!il || !il->targets || !interleave_ways_valid(il->ways) ||
	    !interleave_granularity_valid(il->granularity))
		return -EINVAL;
	stripe = (uint64_t)il->ways * il->granularity;
	if (il->size == 0 || il->size % stripe)
		return -EINVAL;
	per_target = il->size / il->ways;
	for (uint32_t i = 0; i < il->ways; i++)
		if (il->targets[i].dpa_size != per_target ||
		    il->targets[i].dpa_base > UINT64_MAX - per_target)
			return -EINVAL;
	return 0;
}

int interleave_offset_to_dpa(const struct interleave *il, uint64_t offset,
			     uint32_t *ret_pos, uint64_t *ret_dpa)
{
	uint64_t chunk;
	uint32_t pos;
	int r;

	r = interleave_geometry_valid(il);
	if (r < 0)
		return r;
	if (offset >= il->size)
		return -ERANGE;

	chunk = offset / il->granularity;
	pos = (uint32_t)(chunk % il->ways);
	*ret_pos = pos;
	*ret_dpa = il->targets[pos].dpa_base + (chunk / il->ways) * il->granularity +
		   offset % il->granularity;
	return 0;
}

int interleave_dpa_to_offset(const struct interleave *il, uint32_t pos, uint64_t dpa,
			     uint64_t *ret_offset)
{
	const struct interleave_target *t;
	uint64_t rel;
	int r;

	r = interleave_geometry_valid(il);
	if (r < 0)
		return r;
	if (pos >= il->ways)
		return -EINVAL;
	t = &il->targets[pos];
	if (dpa < t->dpa_base || dpa - t->dpa_base >= t->dpa_size)
		return -ERANGE;

	rel = dpa - t->dpa_base;
	*ret_offset = ((rel / il->granularity) * il->ways + pos) * il->granularity +
		      rel % il->granularity;
	return 0;
}
