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
