/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What topology.c (the whole walk) shares with topology-reread.c (reading
 * part of the topology again after a uevent or a job). Not for other
 * users: topology.h is the interface.
 */
#include <stddef.h>
#include <stdint.h>
#include <cxl/libcxl.h>

#include "model.h"

#define CXL_DEVICES "/sys/bus/cxl/devices"

/*
 * The endpoint decoders of the memdevs enumerated, sorted by name: how a
 * region's targets find their memdev. libcxl's own way,
 * cxl_mapping_foreach(), looks each target decoder up by name in every
 * port of the bus, which made region targets the largest cost of
 * start-up at 256 memdevs (30% of its instructions; `cxl list -R` does
 * not do it), and grows with memdevs times regions.
 */
struct ep_decoder {
	const char *decoder;		/* the model's string, in the memdev */
	const char *memdev;		/* the model's memdev name */
};

struct ep_index {
	struct ep_decoder *v;
	size_t n;
};

int topo_ep_index_add(struct ep_index *x, const char *decoder, const char *memdev);
/* qsort() order of the index, by decoder name. */
int topo_cmp_ep_decoder(const void *a, const void *b);

/* CXL_DEVICES/@name/@attr as a number (decimal or 0x hex). */
int topo_read_u64(uint64_t *ret, const char *name, const char *attr);

/* Root decoder @dec as a window, with its regions (targets found in @idx). */
int topo_add_window(struct model *m, struct cxl_decoder *dec, const struct ep_index *idx);
/* Every dax device, from libdaxctl. */
int topo_enumerate_dax(struct model *m);
/* The Soft Reserved ranges of /proc/iomem (CXLMEMD_IOMEM in tests). */
int topo_enumerate_soft_reserved(struct model *m);

/*
 * What every read of the topology ends with: the cross links and what is
 * derived from them, then @m is handed to @ret, or cleared on an error
 * (@r, the reading's result so far, or one of these steps).
 */
int topo_model_complete(struct model *m, int r, struct model *ret);
