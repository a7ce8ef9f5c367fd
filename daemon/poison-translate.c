// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "interleave.h"
#include "poison-translate.h"

/* NotSupported unless offsets of @r can be translated exactly. */
static int check_translatable(const struct poison_region *r, struct region_fail *f)
{
	if (r->window_ways <= 1 || r->arithmetic == WINDOW_ARITH_MODULO)
		return 0;
	if (r->arithmetic == WINDOW_ARITH_XOR)
		return region_failf(f, REGION_E_NOT_SUPPORTED,
				    "Window %s interleaves its %" PRIu32 " host bridges with XOR "
				    "arithmetic, which cxlmemd does not translate; it refuses "
				    "rather than poison the wrong device. Use the memdev's "
				    "InjectPoison with a DPA instead.", r->window ?: "?",
				    r->window_ways);
	return region_failf(f, REGION_E_NOT_SUPPORTED,
			    "Cannot tell whether window %s interleaves its %" PRIu32 " host "
			    "bridges modulo or XOR (no ACPI CEDT entry for it), so cxlmemd will "
			    "not translate offsets of region %s; use the memdev's InjectPoison "
			    "with a DPA instead.", r->window ?: "?", r->window_ways,
			    r->name ?: "?");
}

/* The geometry as interleave.h wants it; -1 with @f when incomplete. */
static int to_interleave(const struct poison_region *r, struct interleave_target *t,
			 struct interleave *il, struct region_fail *f)
{
	if (r->ways == 0 || r->ways > REGION_MAX_WAYS || r->n_targets != r->ways)
		return region_failf(f, REGION_E_BUSY,
				    "Region %s has %zu of its %" PRIu32 " targets; poison goes "
				    "through a fully assembled region only.", r->name ?: "?",
				    r->n_targets, r->ways);
	for (size_t i = 0; i < r->n_targets; i++) {
		if (!r->targets[i].memdev || !*r->targets[i].memdev)
			return region_failf(f, REGION_E_BUSY,
					    "Position %zu of region %s has no memdev.", i,
					    r->name ?: "?");
		t[i] = (struct interleave_target){ r->targets[i].dpa_base,
						   r->targets[i].dpa_size };
	}
	*il = (struct interleave){ r->ways, r->granularity, r->size, t };
	if (interleave_geometry_valid(il) < 0)
		return region_failf(f, REGION_E_NOT_SUPPORTED,
				    "Region %s has a geometry cxlmemd cannot translate (%" PRIu32
				    " ways, granularity %" PRIu32 ", size %" PRIu64 ", each target "
				    "mapping size / ways).", r->name ?: "?", r->ways,
				    r->granularity, r->size);
	return 0;
}

int poison_offset_to_dpa(const struct poison_region *r, uint64_t offset, uint32_t *ret_pos,
			 uint64_t *ret_dpa, struct region_fail *f)
{
	struct interleave_target t[REGION_MAX_WAYS];
	struct interleave il;

	if (offset >= r->size)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "Offset 0x%" PRIx64 " is outside region %s (size 0x%" PRIx64
				    ").", offset, r->name ?: "?", r->size);
	if (offset % POISON_ALIGN)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "Offset 0x%" PRIx64 " is not %d-byte aligned; poison is "
				    "injected and cleared in %d-byte units.", offset, POISON_ALIGN,
				    POISON_ALIGN);
	if (check_translatable(r, f) < 0 || to_interleave(r, t, &il, f) < 0)
		return -1;
	if (interleave_offset_to_dpa(&il, offset, ret_pos, ret_dpa) < 0)
		return region_failf(f, REGION_E_INTERNAL,
				    "Translating offset 0x%" PRIx64 " of region %s failed.",
				    offset, r->name ?: "?");
	return 0;
}

int poison_dpa_to_offset(const struct poison_region *r, const char *memdev, uint64_t dpa,
			 uint64_t *ret_offset, struct region_fail *f)
{
	struct interleave_target t[REGION_MAX_WAYS];
	struct interleave il;

	for (size_t i = 0; i < r->n_targets; i++) {
		const struct poison_target *pt = &r->targets[i];

		if (!pt->memdev || strcmp(pt->memdev, memdev) != 0 || dpa < pt->dpa_base ||
		    dpa - pt->dpa_base >= pt->dpa_size)
			continue;
		if (check_translatable(r, f) < 0 || to_interleave(r, t, &il, f) < 0)
			return -1;
		if (interleave_dpa_to_offset(&il, (uint32_t)i, dpa, ret_offset) < 0)
			return region_failf(f, REGION_E_INTERNAL,
					    "Translating DPA 0x%" PRIx64 " of %s failed.", dpa,
					    memdev);
		return 1;
	}
	return 0;
}

int poison_check_dpa(const char *memdev, uint64_t capacity, uint64_t dpa,
		     struct region_fail *f)
{
	if (dpa >= capacity)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "DPA 0x%" PRIx64 " is outside %s's capacity (0x%" PRIx64
				    " bytes).", dpa, memdev, capacity);
	if (dpa % POISON_ALIGN)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "DPA 0x%" PRIx64 " is not %d-byte aligned; poison is injected "
				    "and cleared in %d-byte units.", dpa, POISON_ALIGN,
				    POISON_ALIGN);
	return 0;
}

/* ---- ACPI CEDT ---- */

#define ACPI_HEADER_LEN 36
#define CEDT_TYPE_CFMWS 1
#define CFMWS_BASE 8		/* offsets in a CFMWS structure */
#define CFMWS_ARITHMETIC 25
#define CFMWS_MIN_LEN 36

static uint64_t le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

enum window_arithmetic cedt_window_arithmetic(const uint8_t *cedt, size_t len, uint64_t base)
{
	size_t pos = ACPI_HEADER_LEN;

	if (!cedt || len < ACPI_HEADER_LEN || memcmp(cedt, "CEDT", 4) != 0)
		return WINDOW_ARITH_UNKNOWN;
	if (le(cedt + 4, 4) < len)
		len = le(cedt + 4, 4);
	while (pos + 4 <= len) {
		const uint8_t *s = cedt + pos;
		size_t sl = le(s + 2, 2);

		if (sl < 4 || sl > len - pos)
			return WINDOW_ARITH_UNKNOWN;
		if (s[0] == CEDT_TYPE_CFMWS && sl >= CFMWS_MIN_LEN && le(s + CFMWS_BASE, 8) == base) {
			switch (s[CFMWS_ARITHMETIC]) {
			case 0:
				return WINDOW_ARITH_MODULO;
			case 1:
				return WINDOW_ARITH_XOR;
			default:
				return WINDOW_ARITH_UNKNOWN;
			}
		}
		pos += sl;
	}
	return WINDOW_ARITH_UNKNOWN;
}
