// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading part of the topology again (topology.h: topology_read_memdevs(),
 * topology_read_regions()): what a uevent or a region job can have
 * changed, the rest taken from the model the daemon has.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cxl/libcxl.h>

#include "lib-ctx.h"
#include "macro.h"
#include "strv.h"
#include "sysfs.h"
#include "topology-internal.h"
#include "topology.h"

int topo_read_u64(uint64_t *ret, const char *name, const char *attr)
{
	_cleanup_free_ char *v = sysfs_read(CXL_DEVICES "/%s/%s", name, attr);
	char *end;

	if (!v)
		return -ENOENT;
	errno = 0;
	*ret = strtoull(v, &end, 0);
	return errno || end == v ? -EINVAL : 0;
}

/*
 * Memdev @old->name as a "change" uevent can have left it, reading only
 * what can change while the device stays and says so with "change": the
 * partition sizes and the firmware version (required, as libcxl's
 * add_cxl_memdev requires them). Its identity (serial, host, NUMA node)
 * is fixed from add to remove; the driver binding changes with "bind"
 * and "unbind" uevents, and the poison commands with it (cxl_mem's probe
 * makes the debugfs files; trigger_poison_list is there from the add or
 * never), all of which take the whole walk, so they come from @old as
 * well. So do what other devices say: the endpoint decoders (an endpoint
 * port comes and goes with uevents of its own), the regions that map it
 * (likewise), and the capacity those decoders hold (so the free capacity
 * follows a size change). Each file costs, and a storm reads many: the
 * four existence checks this read once made were more than half its
 * path lookups (bench/uevent-storm). libcxl cannot even open one memdev
 * without enumerating every memdev and port first. -EAGAIN: the memdev
 * is not there as @old knows it; walk everything.
 */
static int reread_memdev(const struct memdev *old, struct memdev *d)
{
	const char *name = old->name;
	uint64_t ram_used = old->ram_size > old->ram_free ? old->ram_size - old->ram_free : 0;
	uint64_t pmem_used = old->pmem_size > old->pmem_free ? old->pmem_size - old->pmem_free : 0;
	int r = 0;

	*d = (struct memdev){ .serial = old->serial, .numa_node = old->numa_node };
	d->name = strdup(name);
	d->host = strdup(old->host ?: "");
	if (!d->name || !d->host)
		return -ENOMEM;
	d->firmware_version = sysfs_read(CXL_DEVICES "/%s/firmware_version", name);
	if (!d->firmware_version || topo_read_u64(&d->ram_size, name, "ram/size") < 0 ||
	    topo_read_u64(&d->pmem_size, name, "pmem/size") < 0)
		return -EAGAIN;
	d->enabled = old->enabled;
	d->ram_free = d->ram_size > ram_used ? d->ram_size - ram_used : 0;
	d->pmem_free = d->pmem_size > pmem_used ? d->pmem_size - pmem_used : 0;

	for (char **e = old->endpoint_decoders; r >= 0 && e && *e; e++)
		r = strv_extend(&d->endpoint_decoders, *e);
	for (char **e = old->regions; r >= 0 && e && *e; e++)
		r = strv_extend(&d->regions, *e);
	for (char **e = old->poison; r >= 0 && e && *e; e++)
		r = strv_extend(&d->poison, *e);
	return r;
}

int topology_read_memdevs(const struct model *m, char *const *names, struct model *ret)
{
	struct model fresh = {};
	int r = 0;

	for (char *const *n = names; r >= 0 && n && *n; n++) {
		const struct memdev *old = model_find(m, OBJECT_MEMDEV, *n);
		struct memdev *d;

		if (!old) {
			r = -EAGAIN;	/* one we do not know: it came or went */
			break;
		}
		d = model_add(&fresh, OBJECT_MEMDEV);
		r = d ? reread_memdev(old, d) : -ENOMEM;
	}
	/* Sorted as the whole walk's model is, strv fields too. */
	if (r >= 0)
		r = model_finish(&fresh);
	if (r < 0) {
		model_clear(&fresh);
		return r;
	}
	*ret = fresh;
	return 0;
}

/* Memdev @d's free capacity again, from the endpoint decoders it lists. */
static int reread_free_capacity(struct memdev *d)
{
	uint64_t ram_used = 0, pmem_used = 0;

	for (char **e = d->endpoint_decoders; e && *e; e++) {
		_cleanup_free_ char *mode = NULL;
		uint64_t dpa;

		if (topo_read_u64(&dpa, *e, "dpa_size") < 0)
			return -EAGAIN;	/* the endpoint port went: the whole walk */
		if (dpa == 0)
			continue;
		mode = sysfs_read(CXL_DEVICES "/%s/mode", *e);
		if (mode && strcmp(mode, "ram") == 0)
			ram_used += dpa;
		else if (mode && strcmp(mode, "pmem") == 0)
			pmem_used += dpa;
	}
	d->ram_free = d->ram_size > ram_used ? d->ram_size - ram_used : 0;
	d->pmem_free = d->pmem_size > pmem_used ? d->pmem_size - pmem_used : 0;
	return 0;
}

/* Region @r as add_region() leaves it, before link_model(): no dax, not online. */
static int set_region_unlinked(struct region *r)
{
	if (strcmp(r->state, "online") == 0) {
		free(r->state);
		r->state = strdup("enabled");
	}
	free(r->dax);
	r->dax = strdup("");
	return r->state && r->dax ? 0 : -ENOMEM;
}

/* Window @window of the root ports and its regions, or -EAGAIN if it is gone. */
static int read_window(struct model *m, const char *window, const struct ep_index *idx)
{
	struct cxl_ctx *ctx;
	struct cxl_bus *bus;
	int r;

	r = libcxl_open(&ctx);
	if (r < 0)
		return r;
	r = -EAGAIN;
	/* The root ports' decoders alone: no memdev, no port below them. */
	cxl_bus_foreach(ctx, bus) {
		struct cxl_decoder *dec;

		cxl_decoder_foreach(cxl_bus_get_port(bus), dec)
			if (strcmp(cxl_decoder_get_devname(dec), window) == 0) {
				r = topo_add_window(m, dec, idx);
				goto out;
			}
	}
out:
	cxl_unref(ctx);
	return r;
}

int topology_read_regions(const struct model *old, const char *window, char *const *memdevs,
			  struct model *ret)
{
	const struct window *was = window && *window ?
					   model_find(old, OBJECT_WINDOW, window) : NULL;
	struct model m = {};
	struct ep_index idx = {};
	bool dax_again = !was;
	int r;

	if (window && *window && !was)
		return -EAGAIN;
	r = topo_enumerate_soft_reserved(&m);
	for (size_t i = 0; r >= 0 && i < old->n_memdevs; i++) {
		struct memdev *d = model_copy_object(&m, OBJECT_MEMDEV, &old->memdevs[i]);

		if (!d) {
			r = -ENOMEM;
			break;
		}
		d->regions = strv_free(d->regions);	/* link_model() fills them again */
		if (strv_contains(memdevs, d->name))
			r = reread_free_capacity(d);
	}
	/* Every other window and its regions stay as they were. */
	for (size_t i = 0; r >= 0 && i < old->n_windows; i++)
		if (&old->windows[i] != was &&
		    !model_copy_object(&m, OBJECT_WINDOW, &old->windows[i]))
			r = -ENOMEM;
	for (size_t i = 0; r >= 0 && i < old->n_regions; i++) {
		const struct region *g = &old->regions[i];
		struct region *c;

		if (was && strcmp(g->window, was->name) == 0) {
			dax_again |= g->dax && *g->dax;
			continue;
		}
		c = model_copy_object(&m, OBJECT_REGION, g);
		/* As add_region() leaves them: link_model() derives both again. */
		if (!c || set_region_unlinked(c) < 0)
			r = -ENOMEM;
	}
	/* The index points into @m's memdevs: build it once they stopped moving. */
	for (size_t i = 0; r >= 0 && was && i < m.n_memdevs; i++)
		for (char **e = m.memdevs[i].endpoint_decoders; r >= 0 && e && *e; e++)
			r = topo_ep_index_add(&idx, *e, m.memdevs[i].name);
	if (r >= 0 && idx.n)
		qsort(idx.v, idx.n, sizeof(*idx.v), topo_cmp_ep_decoder);
	if (r >= 0 && was)
		r = read_window(&m, was->name, &idx);
	free(idx.v);
	/* Only ram regions have dax devices of their own. */
	for (size_t i = 0; r >= 0 && was && i < m.n_regions; i++)
		if (strcmp(m.regions[i].window, was->name) == 0)
			dax_again |= strcmp(m.regions[i].mode, "ram") == 0;
	if (r >= 0 && dax_again)
		r = topo_enumerate_dax(&m);
	for (size_t i = 0; r >= 0 && !dax_again && i < old->n_daxes; i++)
		if (!model_copy_object(&m, OBJECT_DAX, &old->daxes[i]))
			r = -ENOMEM;
	return topo_model_complete(&m, r, ret);
}
