/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Region offset <-> (target position, DPA) for modulo interleave, the
 * arithmetic the CXL region driver validates its target order against:
 * HPA chunk k (of @granularity bytes) of the region is decoded by the
 * target at position k % ways, at chunk k / ways of that target's DPA
 * range. Pure. XOR-interleaved windows (CXIMS) are not modulo: callers
 * must refuse them rather than translate (see interleave_geometry_valid).
 */
struct interleave_target {
	uint64_t dpa_base;	/* DPA where the target's decoder starts */
	uint64_t dpa_size;	/* bytes the decoder maps */
};

struct interleave {
	uint32_t ways;
	uint32_t granularity;
	uint64_t size;		/* region size */
	const struct interleave_target *targets;	/* [ways], by position */
};

/* CXL-legal ways (1,2,3,4,6,8,12,16) and granularity (256..16K, 2^n)? */
bool interleave_ways_valid(uint32_t ways);
bool interleave_granularity_valid(uint32_t granularity);

/*
 * Is the geometry consistent: legal ways and granularity, size a
 * multiple of ways * granularity, every target mapping size / ways bytes.
 * Returns 0 or -EINVAL.
 */
int interleave_geometry_valid(const struct interleave *il);

/* Region offset -> position and DPA. -EINVAL for bad geometry, -ERANGE
 * for an offset outside the region. */
int interleave_offset_to_dpa(const struct interleave *il, uint64_t offset,
			     uint32_t *ret_pos, uint64_t *ret_dpa);

/* DPA of the target at @pos -> region offset. -ERANGE when the DPA is not
 * in that target's decoded range. */
int interleave_dpa_to_offset(const struct interleave *il, uint32_t pos, uint64_t dpa,
			     uint64_t *ret_offset);
