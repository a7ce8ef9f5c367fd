/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The one seam between region lifecycle code and the kernel. Every
 * operation is a single kernel action (one sysfs write, one driver bind,
 * one libcxl call) and returns 0 or the kernel's -errno unchanged, so the
 * caller can say exactly which step the kernel refused and why.
 *
 * The ram/pmem difference lives only here: libcxl 76.1 has no
 * cxl_decoder_create_ram_region (added in v77), so ram regions are
 * created through the root decoder's create_ram_region attribute the way
 * libcxl >= 77 does it, pmem regions through
 * cxl_decoder_create_pmem_region().
 *
 * Tests replace the table (a fake that records calls), and a test build
 * of the daemon can make the real table fail at a named step
 * (region_ops_fail_at) to prove the rollback against the real kernel.
 */
struct region_ops {
	/* New empty region of @mode ("ram"/"pmem") under root decoder @window. */
	int (*create)(void *u, const char *window, const char *mode, char **ret_region);
	/* delete_region on the root decoder. */
	int (*delete)(void *u, const char *window, const char *region);
	/*
	 * Write @value to attribute @attr of CXL device @device (a region or
	 * an endpoint decoder). Region attributes: uuid, interleave_granularity,
	 * interleave_ways, size, targetN, commit; decoder: mode, dpa_size.
	 */
	int (*write)(void *u, const char *device, const char *attr, const char *value);
	/* Bind (true) or unbind @region to/from the cxl_region driver. */
	int (*bind)(void *u, const char *region, bool bind);
	/*
	 * For each of the @n memdevs: the endpoint decoder the kernel will
	 * accept for a new DPA allocation (the one after the last allocated:
	 * DPA is handed out in decoder id order) and the host bridge (root
	 * decoder target) the memdev sits below; NULL where there is none
	 * (memdev not enabled, every decoder in use). One libcxl context for
	 * all of them: a context walks the whole topology. Caller frees.
	 */
	int (*memdev_slots)(void *u, const char *const *memdevs, size_t n,
			    char **ret_decoders, char **ret_host_bridges);
	/*
	 * Dax device @dax as system RAM (kmem), every memory block online in
	 * ZONE_MOVABLE (@movable) or the kernel's normal zone: libdaxctl.
	 */
	int (*online)(void *u, const char *dax, bool movable);
	/*
	 * Offline every block of @dax and give it back to device_dax. On
	 * -EBUSY *ret_refused names the blocks that stayed online.
	 */
	int (*offline)(void *u, const char *dax, char **ret_refused);
	void *userdata;
};

/* The real kernel: sysfs and libcxl. */
extern const struct region_ops region_ops_kernel;

/*
 * Test builds only (cxlmemd-test reads CXLMEMD_TEST_FAIL_STEP): make the
 * @nth (1-based) kernel action named @step fail with -EIO before it
 * touches the kernel. Step names: create, delete, bind, unbind, and the
 * attribute names (target matches every targetN). "STEP~MS" instead
 * holds every action named STEP for MS milliseconds and then does it (a
 * long kernel step). NULL clears it.
 */
int region_ops_fail_at(const char *spec);
/*
 * Test builds only (CXLMEMD_TEST_FAIL_STEP_FILE): read the spec from
 * @path before every kernel action, so one daemon can be failed at each
 * step in turn; writing a new spec re-arms the count.
 */
int region_ops_fail_from(const char *path);
