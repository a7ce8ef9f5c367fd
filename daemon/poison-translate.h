/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "region-request.h"

/*
 * Where poison lands: region offset -> (memdev, DPA), DPA -> region
 * offset, the bounds the kernel and the device enforce, and how a CXL
 * window interleaves across host bridges. Pure: plain structs in, plain
 * results out, so every case is a table row in test-poison-translate.c.
 *
 * Only modulo interleave is translated. A window that interleaves its
 * host bridges with XOR arithmetic (CEDT CFMWS, CXIMS) picks the target
 * from XORed HPA bits, which the kernel does not expose: such a region
 * is refused with NotSupported rather than translated wrongly, because a
 * wrong answer poisons the wrong device. Below the root, host bridge and
 * endpoint decoders always interleave modulo, so a 1-way window is
 * translated whatever its arithmetic.
 */

#define POISON_ALIGN 64		/* the Inject/Clear Poison granule (CXL 3.0 8.2.9.8.4) */

enum window_arithmetic {
	WINDOW_ARITH_UNKNOWN,
	WINDOW_ARITH_MODULO,
	WINDOW_ARITH_XOR,
};

struct poison_target {
	const char *memdev;
	uint64_t dpa_base;	/* the endpoint decoder's dpa_resource */
	uint64_t dpa_size;
};

struct poison_region {
	const char *name;
	uint64_t size;
	uint32_t ways, granularity;
	const struct poison_target *targets;	/* by position */
	size_t n_targets;
	const char *window;
	uint32_t window_ways;		/* host bridges the window interleaves */
	enum window_arithmetic arithmetic;
};

/*
 * Region offset -> target position and DPA. 0, or -1 with @f filled:
 * InvalidArgument for an offset outside the region or not 64-byte
 * aligned, NotSupported for an XOR (or unknown) multi-host-bridge window,
 * Busy for a region whose targets are not all there.
 */
int poison_offset_to_dpa(const struct poison_region *r, uint64_t offset, uint32_t *ret_pos,
			 uint64_t *ret_dpa, struct region_fail *f);

/*
 * DPA of @memdev -> region offset. 1 and *@ret_offset when a target of
 * @r maps it; 0 when none does; -1 with @f filled when it does but the
 * offset cannot be computed (XOR window).
 */
int poison_dpa_to_offset(const struct poison_region *r, const char *memdev, uint64_t dpa,
			 uint64_t *ret_offset, struct region_fail *f);

/* Is @dpa a legal poison address on @memdev of @capacity bytes? 0, or
 * -1 with InvalidArgument in @f. */
int poison_check_dpa(const char *memdev, uint64_t capacity, uint64_t dpa,
		     struct region_fail *f);

/*
 * The interleave arithmetic of the CFMWS in the ACPI CEDT @cedt (the
 * whole table, header included) whose window starts at @base;
 * WINDOW_ARITH_UNKNOWN when there is none or the table is malformed.
 */
enum window_arithmetic cedt_window_arithmetic(const uint8_t *cedt, size_t len, uint64_t base);
