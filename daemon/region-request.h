/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "model.h"

/*
 * Checking a region request against the model, before anything touches
 * the kernel. Pure: the model and the per-memdev kernel facts come in as
 * plain data, a plan or a named failure with a sentence goes out.
 */

/* The failures callers can act on; region-bus.c names them on the bus. */
enum region_error {
	REGION_OK,
	REGION_E_INVALID_ARGUMENT,
	REGION_E_INSUFFICIENT_CAPACITY,
	REGION_E_NOT_SUPPORTED,
	REGION_E_LOCKED,
	REGION_E_ATTACHED,
	REGION_E_BUSY,
	REGION_E_KERNEL,		/* the kernel refused a step */
	REGION_E_INTERNAL,		/* out of memory and the like */
	_REGION_ERROR_MAX,
};

struct region_fail {
	enum region_error error;
	int errno_value;		/* the kernel's, for REGION_E_KERNEL */
	char message[768];
};

/* Record a failure; returns -1 so callers can "return region_failf(...)". */
int region_failf(struct region_fail *f, enum region_error e, const char *fmt, ...)
	_printf_(3, 4);

#define REGION_MAX_WAYS 16
#define REGION_SIZE_ALIGN (256ULL << 20)	/* the kernel's HPA granule per way */

/* What the kernel says about a memdev right now (region-ops memdev_slot). */
struct memdev_facts {
	const char *memdev;
	const char *host_bridge;	/* NULL: unknown (not enabled) */
	const char *free_decoder;	/* NULL: every endpoint decoder in use */
};

struct region_request {
	const char *window;
	const char *mode;		/* ram, pmem */
	uint64_t size;
	uint32_t ways;
	uint32_t granularity;		/* 0: the window's */
	const char *const *memdevs;	/* by position; n_memdevs == 0: we choose */
	size_t n_memdevs;
	const char *uuid;		/* pmem only; NULL or "": generate */
	int numa_node;			/* preference when we choose, -1: none */
};

struct region_plan {
	char window[64];
	char mode[8];
	uint64_t size;
	uint32_t ways, granularity;
	char uuid[37];			/* "" for ram or when still to generate */
	struct {
		char memdev[64];
		char decoder[64];
	} targets[REGION_MAX_WAYS];
};

/*
 * Validate @req against @m and @facts (one per memdev of the model, any
 * order) and fill @ret. Every check happens here: mode the window
 * supports, legal ways and granularity for the window, size aligned to
 * 256 MiB x ways and within the window's free extent, memdevs that
 * exist, are enabled, appear once, sit below the host bridge their
 * position needs, have the capacity in that mode and a free decoder.
 * Returns 0, or -1 with @f filled.
 */
int region_request_check(const struct region_request *req, const struct model *m,
			 const struct memdev_facts *facts, size_t n_facts,
			 struct region_plan *ret, struct region_fail *f);

/*
 * The geometry part alone, for Window.CreateEmptyRegion: window, mode,
 * ways, granularity, size, uuid. Fills everything in @ret but targets.
 */
int region_request_check_geometry(const struct region_request *req, const struct model *m,
				  struct region_plan *ret, struct region_fail *f);

/*
 * May @memdev take position @pos of region @r (for AttachTarget)? Same
 * rules as above; @facts is the one entry for @memdev. Fills
 * @ret_decoder (64 bytes) with the decoder to use.
 */
int region_request_check_target(const struct region *r, const struct model *m,
				const struct memdev_facts *facts, const char *memdev,
				uint32_t pos, char *ret_decoder, struct region_fail *f);

/* A uuid in the canonical 8-4-4-4-12 hex form? */
bool uuid_string_valid(const char *s);
