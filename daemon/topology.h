/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "model.h"

/*
 * Build a fresh model of the running kernel's CXL topology: libcxl for
 * memdevs, root decoders and regions, libdaxctl for dax devices,
 * /proc/iomem for Soft Reserved ranges. A new libcxl/libdaxctl context is
 * made every time: both cache sysfs values, and after a uevent the only
 * safe cache is none. Sysfs surprises are skipped, never fatal: the
 * result is whatever could be read.
 */
int topology_enumerate(struct model *ret);

/*
 * The same walk without waiting for it: it runs in a thread, which
 * writes to the eventfd @done_fd when it is over; then
 * topology_walk_finish() joins it and gives the model (or the walk's
 * error) and frees the walk.
 */
struct topology_walk;
int topology_walk_start(int done_fd, struct topology_walk **ret);
int topology_walk_finish(struct topology_walk *w, struct model *ret);

/*
 * What a region job in window @window can have changed, read again, the
 * rest taken from @old: that window and its regions (its root decoder
 * alone through libcxl: no memdev or port below), the dax devices when
 * a ram region there has or had one, the Soft Reserved ranges, and the
 * free capacity of the memdevs in @memdevs. With no @window (a dax
 * device no region owns), the dax devices alone. A fraction of the
 * whole walk, which must enumerate every memdev and port (and in a VM
 * took 0.5-2 s after each CreateRegion). -EAGAIN when the window or one
 * of @memdevs' decoders is gone: walk everything instead.
 */
int topology_read_regions(const struct model *old, const char *window, char *const *memdevs,
			  struct model *ret);

/*
 * The memdevs named in @names as they are now, in a model of their own:
 * what a "change" uevent for just those memdevs can have changed (their
 * own attributes and, from their endpoint decoders, the free capacity),
 * the rest as @m has it. -EAGAIN when the whole walk is needed instead: a
 * memdev @m does not know, or one whose files are gone.
 */
int topology_read_memdevs(const struct model *m, char *const *names, struct model *ret);

/*
 * What this kernel allows, from sysfs/debugfs presence: ram-regions,
 * pmem-regions, poison-inject, poison-clear, poison-list,
 * soft-reserved-control. *ret_note says why the list is short, or "".
 */
int topology_capabilities(const struct model *m, char ***ret, char **ret_note);
