// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cxl/libcxl.h>
#include <daxctl/libdaxctl.h>

#include "lib-ctx.h"
#include "log.h"
#include "softreserved.h"
#include "strv.h"
#include "sysfs.h"
#include "topology-internal.h"
#include "topology.h"

#define CXL_DEBUGFS "/sys/kernel/debug/cxl"

static char *xstrdup0(const char *s)
{
	return strdup(s ?: "");
}

/* "" for the all-zero uuid (ram regions have none). */
static char *format_uuid(const unsigned char u[16])
{
	bool zero = true;
	char *s;

	for (int i = 0; i < 16; i++)
		zero &= u[i] == 0;
	if (zero)
		return strdup("");
	if (asprintf(&s, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		     "%02x%02x%02x%02x%02x%02x",
		     u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		     u[10], u[11], u[12], u[13], u[14], u[15]) < 0)
		return NULL;
	return s;
}

int topo_ep_index_add(struct ep_index *x, const char *decoder, const char *memdev)
{
	struct ep_decoder *v = realloc(x->v, (x->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	x->v = v;
	v[x->n++] = (struct ep_decoder){ decoder, memdev };
	return 0;
}

int topo_cmp_ep_decoder(const void *a, const void *b)
{
	return strcmp(((const struct ep_decoder *)a)->decoder,
		      ((const struct ep_decoder *)b)->decoder);
}

static const struct ep_decoder *ep_index_find(const struct ep_index *x, const char *decoder)
{
	struct ep_decoder key = { .decoder = decoder };

	return x->n ? bsearch(&key, x->v, x->n, sizeof(*x->v), topo_cmp_ep_decoder) : NULL;
}

/* "decoder3.10" after "decoder3.9", as libcxl lists a port's decoders. */
static int cmp_decoder_id(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	const char *dx = strrchr(x, '.'), *dy = strrchr(y, '.');
	long ix = dx ? strtol(dx + 1, NULL, 10) : 0, iy = dy ? strtol(dy + 1, NULL, 10) : 0;

	return ix != iy ? (ix < iy ? -1 : 1) : strcmp(x, y);
}

/*
 * The decoders of endpoint port @port for memdev @d, and the capacity
 * they hold, from sysfs rather than libcxl: libcxl reads ten attributes
 * of every decoder of a port, used or not (cxl_test's endpoints have
 * eight), and that was most of start-up: 1,280 of the 1,715 files the
 * walk opens at 16 memdevs. The model needs each one's name, and the
 * size and mode of those that hold capacity: one read for an idle
 * decoder, two for a used one. Whether a region's target is locked is
 * read for the targets alone (add_targets_indexed).
 */
static int add_endpoint_decoders(struct memdev *d, const char *port, struct ep_index *idx,
				 uint64_t *ram_used, uint64_t *pmem_used)
{
	_cleanup_free_ char *path = NULL;
	size_t first = strv_length(d->endpoint_decoders);
	struct dirent *e;
	DIR *dir;
	int r = 0;

	if (asprintf(&path, CXL_DEVICES "/%s", port) < 0)
		return -ENOMEM;
	dir = opendir(path);
	if (!dir)
		return 0;	/* the port went away: no decoders, as libcxl would see */
	/* "decoderX.Y", not attributes such as "decoders_committed". */
	while (r >= 0 && (e = readdir(dir)))
		if (strncmp(e->d_name, "decoder", 7) == 0 && isdigit(e->d_name[7]) &&
		    strchr(e->d_name, '.'))
			r = strv_extend(&d->endpoint_decoders, e->d_name);
	closedir(dir);
	if (r < 0)
		return r;
	if (!d->endpoint_decoders)
		return 0;
	qsort(d->endpoint_decoders + first, strv_length(d->endpoint_decoders) - first,
	      sizeof(char *), cmp_decoder_id);

	for (char **name = d->endpoint_decoders + first; *name; name++) {
		_cleanup_free_ char *mode = NULL;
		uint64_t dpa;

		if (idx && topo_ep_index_add(idx, *name, d->name) < 0)
			return -ENOMEM;
		if (topo_read_u64(&dpa, *name, "dpa_size") < 0 || dpa == 0)
			continue;
		mode = sysfs_read(CXL_DEVICES "/%s/mode", *name);
		if (mode && strcmp(mode, "ram") == 0)
			*ram_used += dpa;
		else if (mode && strcmp(mode, "pmem") == 0)
			*pmem_used += dpa;
	}
	return 0;
}

/* @idx (may be NULL) collects the memdev's endpoint decoders. */
static int add_memdev(struct model *m, struct cxl_memdev *md, struct ep_index *idx)
{
	const char *name = cxl_memdev_get_devname(md);
	struct cxl_endpoint *ep = cxl_memdev_get_endpoint(md);
	uint64_t ram_used = 0, pmem_used = 0;
	struct memdev *d;

	d = model_add(m, OBJECT_MEMDEV);
	if (!d)
		return -ENOMEM;
	d->name = strdup(name);
	d->serial = cxl_memdev_get_serial(md);
	d->host = xstrdup0(cxl_memdev_get_host(md));
	d->numa_node = cxl_memdev_get_numa_node(md);
	d->ram_size = cxl_memdev_get_ram_size(md);
	d->pmem_size = cxl_memdev_get_pmem_size(md);
	d->firmware_version = xstrdup0(cxl_memdev_get_firmware_version(md));
	d->enabled = cxl_memdev_is_enabled(md) > 0;
	if (!d->name || !d->host || !d->firmware_version)
		return -ENOMEM;

	if (ep) {
		int r = add_endpoint_decoders(d, cxl_endpoint_get_devname(ep), idx,
					      &ram_used, &pmem_used);

		if (r < 0)
			return r;
	}
	d->ram_free = d->ram_size > ram_used ? d->ram_size - ram_used : 0;
	d->pmem_free = d->pmem_size > pmem_used ? d->pmem_size - pmem_used : 0;

	if (sysfs_exists(CXL_DEBUGFS "/%s/inject_poison", name) &&
	    strv_extend(&d->poison, "inject") < 0)
		return -ENOMEM;
	if (sysfs_exists(CXL_DEBUGFS "/%s/clear_poison", name) &&
	    strv_extend(&d->poison, "clear") < 0)
		return -ENOMEM;
	if (sysfs_exists(CXL_DEVICES "/%s/trigger_poison_list", name) &&
	    strv_extend(&d->poison, "list") < 0)
		return -ENOMEM;
	return 0;
}

static int add_target(struct region *r, uint32_t position, const char *memdev,
		      const char *decoder)
{
	struct region_target *t = realloc(r->targets, (r->n_targets + 1) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	r->targets = t;
	r->targets[r->n_targets++] = (struct region_target){
		.position = position,
		.memdev = xstrdup0(memdev),
		.decoder = strdup(decoder),
	};
	return 0;
}

/*
 * The targets of region @name from its targetN attributes, each decoder
 * found in @idx. 1: done; 0: a target is not an endpoint decoder of a
 * memdev we know (leave it to libcxl's mappings, as before); < 0 error.
 */
static int add_targets_indexed(struct region *r, const char *name, const struct ep_index *idx)
{
	for (uint32_t i = 0; i < r->ways; i++) {
		_cleanup_free_ char *target = sysfs_read(CXL_DEVICES "/%s/target%" PRIu32, name, i);
		_cleanup_free_ char *locked = NULL;
		const struct ep_decoder *e;

		if (!target)
			return 0;
		if (!*target)
			continue;	/* a position not filled yet */
		e = ep_index_find(idx, target);
		if (!e)
			return 0;
		if (add_target(r, i, e->memdev, e->decoder) < 0)
			return -ENOMEM;
		locked = sysfs_read(CXL_DEVICES "/%s/locked", e->decoder);
		if (locked && strcmp(locked, "1") == 0)
			r->locked = 1;
	}
	return 1;
}

static int add_region(struct model *m, struct cxl_decoder *root, struct cxl_region *cr,
		      const struct ep_index *idx)
{
	const char *name = cxl_region_get_devname(cr);
	unsigned long long start = cxl_region_get_resource(cr);
	struct cxl_memdev_mapping *map;
	struct region *r;
	uuid_t uu;
	int rc;

	r = model_add(m, OBJECT_REGION);
	if (!r)
		return -ENOMEM;
	r->name = strdup(name);
	r->window = strdup(cxl_decoder_get_devname(root));
	r->mode = sysfs_read(CXL_DEVICES "/%s/mode", name);
	if (!r->mode)
		r->mode = strdup("none");
	r->start = start == ULLONG_MAX ? 0 : start;
	r->size = cxl_region_get_size(cr);
	if (r->size == ULLONG_MAX)
		r->size = 0;
	r->ways = cxl_region_get_interleave_ways(cr);
	r->granularity = cxl_region_get_interleave_granularity(cr);
	if (r->ways == UINT_MAX)
		r->ways = 0;
	if (r->granularity == UINT_MAX)
		r->granularity = 0;

	cxl_region_get_uuid(cr, uu);
	r->uuid = format_uuid(uu);

	r->locked = cxl_decoder_is_locked(root);
	rc = add_targets_indexed(r, name, idx);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		/* Start over the way libcxl maps a region. */
		for (size_t i = 0; i < r->n_targets; i++) {
			free(r->targets[i].memdev);
			free(r->targets[i].decoder);
		}
		r->n_targets = 0;
		r->locked = cxl_decoder_is_locked(root);
		cxl_mapping_foreach(cr, map) {
			struct cxl_decoder *dec = cxl_mapping_get_decoder(map);
			struct cxl_memdev *md = dec ? cxl_decoder_get_memdev(dec) : NULL;

			if (!dec)
				continue;
			if (add_target(r, cxl_mapping_get_position(map),
				       md ? cxl_memdev_get_devname(md) : NULL,
				       cxl_decoder_get_devname(dec)) < 0)
				return -ENOMEM;
			if (cxl_decoder_is_locked(dec))
				r->locked = 1;
		}
	}

	/* Refined to "online" once the dax devices are known. */
	if (cxl_region_is_enabled(cr) > 0)
		r->state = strdup("enabled");
	else if (cxl_region_decode_is_committed(cr) > 0)
		r->state = strdup("committed");
	else
		r->state = strdup("configuring");
	r->dax = strdup("");

	if (!r->name || !r->window || !r->mode || !r->uuid || !r->state || !r->dax)
		return -ENOMEM;
	return 0;
}

int topo_add_window(struct model *m, struct cxl_decoder *dec, const struct ep_index *idx)
{
	struct cxl_region *cr;
	struct cxl_target *t;
	struct window *w;
	char *by_pos[64] = {};
	int r = 0;

	w = model_add(m, OBJECT_WINDOW);
	if (!w)
		return -ENOMEM;
	w->name = strdup(cxl_decoder_get_devname(dec));
	if (!w->name)
		return -ENOMEM;
	w->start = cxl_decoder_get_resource(dec);
	w->size = cxl_decoder_get_size(dec);
	w->ways = cxl_decoder_get_interleave_ways(dec);
	w->granularity = cxl_decoder_get_interleave_granularity(dec);
	w->max_available_extent = cxl_decoder_get_max_available_extent(dec);
	if (w->max_available_extent == ULLONG_MAX)
		w->max_available_extent = 0;
	w->locked = cxl_decoder_is_locked(dec);

	/* Host bridges in interleave position order: the order regions need. */
	cxl_target_foreach(dec, t) {
		int pos = cxl_target_get_position(t);

		if (pos >= 0 && pos < 64 && !by_pos[pos])
			by_pos[pos] = (char *)cxl_target_get_devname(t);
	}
	for (int i = 0; i < 64 && r >= 0; i++)
		if (by_pos[i])
			r = strv_extend(&w->targets, by_pos[i]);

	if (r >= 0 && cxl_decoder_is_volatile_capable(dec))
		r = strv_extend(&w->capabilities, "ram");
	if (r >= 0 && cxl_decoder_is_pmem_capable(dec))
		r = strv_extend(&w->capabilities, "pmem");
	if (r >= 0 && cxl_decoder_is_mem_capable(dec))
		r = strv_extend(&w->capabilities, "type3");
	if (r >= 0 && cxl_decoder_is_accelmem_capable(dec))
		r = strv_extend(&w->capabilities, "type2");
	if (r < 0)
		return r;

	cxl_region_foreach(dec, cr) {
		r = strv_extend(&w->regions, cxl_region_get_devname(cr));
		if (r >= 0)
			r = add_region(m, dec, cr, idx);
		if (r < 0)
			return r;
	}
	return 0;
}

static int enumerate_cxl(struct model *m)
{
	struct ep_index idx = {};
	struct cxl_ctx *ctx;
	struct cxl_memdev *md;
	struct cxl_bus *bus;
	int r;

	r = libcxl_open(&ctx);
	if (r < 0)
		return log_warning_errno(r, "libcxl: cannot create a context: %m");

	cxl_memdev_foreach(ctx, md) {
		r = add_memdev(m, md, &idx);
		if (r < 0)
			goto out;
	}
	if (idx.n)
		qsort(idx.v, idx.n, sizeof(*idx.v), topo_cmp_ep_decoder);
	cxl_bus_foreach(ctx, bus) {
		struct cxl_port *root = cxl_bus_get_port(bus);
		struct cxl_decoder *dec;

		cxl_decoder_foreach(root, dec) {
			r = topo_add_window(m, dec, &idx);
			if (r < 0)
				goto out;
		}
	}
	r = 0;
out:
	free(idx.v);
	cxl_unref(ctx);
	return r;
}

/* "/sys/devices/.../region3/dax_region3" -> "region3" */
static char *region_from_dax_path(const char *path)
{
	const char *p = strstr(path, "/dax_region");
	const char *start;

	if (!p)
		return NULL;
	for (start = p; start > path && start[-1] != '/'; start--)
		;
	if (strncmp(start, "region", 6) != 0)
		return NULL;
	return strndup(start, (size_t)(p - start));
}

static int add_dax(struct model *m, struct daxctl_region *dr, struct daxctl_dev *dev)
{
	const char *name = daxctl_dev_get_devname(dev);
	const char *rpath = daxctl_region_get_path(dr);
	_cleanup_free_ char *driver = NULL;
	struct dax *d;

	d = model_add(m, OBJECT_DAX);
	if (!d)
		return -ENOMEM;
	d->name = strdup(name);
	d->start = daxctl_dev_get_resource(dev);
	d->size = daxctl_dev_get_size(dev);
	d->numa_node = daxctl_dev_get_target_node(dev);

	driver = sysfs_link_name("/sys/bus/dax/devices/%s/driver", name);
	if (driver && strcmp(driver, "kmem") == 0) {
		struct daxctl_memory *mem = daxctl_dev_get_memory(dev);

		d->mode = strdup("system-ram");
		d->online = mem && daxctl_memory_is_online(mem) > 0;
		d->zone = strdup(!d->online ? "" :
				 daxctl_memory_is_movable(mem) > 0 ? "movable" : "normal");
	} else {
		d->mode = strdup("devdax");
		d->zone = strdup("");
	}

	d->region = rpath ? region_from_dax_path(rpath) : NULL;
	if (!d->region)
		d->region = strdup("");
	/* dax_hmem's devices hang off an "hmem.N" platform device. */
	if (rpath && strstr(rpath, "/hmem")) {
		for (size_t i = 0; i < m->n_softreserved; i++) {
			struct softreserved *sr = &m->softreserved[i];

			if (d->start >= sr->start && d->start < sr->start + sr->size) {
				d->softreserved = strdup(sr->name);
				break;
			}
		}
	}
	if (!d->softreserved)
		d->softreserved = strdup("");

	if (!d->name || !d->mode || !d->zone || !d->region || !d->softreserved)
		return -ENOMEM;
	return 0;
}

int topo_enumerate_dax(struct model *m)
{
	struct daxctl_region *dr;
	struct daxctl_dev *dev;
	struct daxctl_ctx *ctx;
	int r = 0;

	r = libdaxctl_open(&ctx);
	if (r < 0)
		return log_warning_errno(r, "libdaxctl: cannot create a context: %m");

	daxctl_region_foreach(ctx, dr)
		daxctl_dev_foreach(dr, dev) {
			/* The seed device of a region has no capacity yet. */
			if (daxctl_dev_get_size(dev) == 0)
				continue;
			r = add_dax(m, dr, dev);
			if (r < 0)
				goto out;
		}
out:
	daxctl_unref(ctx);
	return r;
}

int topo_enumerate_soft_reserved(struct model *m)
{
	_cleanup_free_ char *iomem = NULL;
	_cleanup_free_ struct iomem_range *ranges = NULL;
	const char *path = getenv("CXLMEMD_IOMEM") ?: "/proc/iomem";
	int n;

	iomem = file_read_all(path);
	if (!iomem)
		return 0;
	n = iomem_parse_soft_reserved(iomem, &ranges);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct softreserved *sr = model_add(m, OBJECT_SOFTRESERVED);

		if (!sr || asprintf(&sr->name, "0x%llx", (unsigned long long)ranges[i].start) < 0)
			return -ENOMEM;
		sr->start = ranges[i].start;
		sr->size = ranges[i].end - ranges[i].start + 1;
	}
	return 0;
}

/* Cross references that only the whole model knows. */
static int link_model(struct model *m)
{
	for (size_t i = 0; i < m->n_regions; i++) {
		struct region *r = &m->regions[i];

		for (size_t k = 0; k < r->n_targets; k++) {
			struct memdev *d = model_find(m, OBJECT_MEMDEV, r->targets[k].memdev);

			if (d && !strv_contains(d->regions, r->name) &&
			    strv_extend(&d->regions, r->name) < 0)
				return -ENOMEM;
		}
	}
	for (size_t i = 0; i < m->n_daxes; i++) {
		struct dax *d = &m->daxes[i];
		struct region *r = model_find(m, OBJECT_REGION, d->region);

		if (!r)
			continue;
		free(r->dax);
		r->dax = strdup(d->name);
		if (!r->dax)
			return -ENOMEM;
		if (d->online && strcmp(r->state, "enabled") == 0) {
			free(r->state);
			r->state = strdup("online");
			if (!r->state)
				return -ENOMEM;
		}
	}
	return 0;
}

/*
 * What every read of the topology ends with: the cross links and what is
 * derived from them, then @m is handed to @ret, or cleared on an error
 * (@r, the reading's result so far, or one of these steps).
 */
int topo_model_complete(struct model *m, int r, struct model *ret)
{
	if (r >= 0)
		r = model_finish(m);
	if (r >= 0)
		r = link_model(m);
	if (r >= 0)
		r = model_finish(m);
	if (r >= 0)
		r = softreserved_derive(m);
	if (r >= 0)
		r = softreserved_read_kernel(m);
	if (r < 0) {
		model_clear(m);
		return r;
	}
	*ret = *m;
	return 0;
}

static int enumerate_all(struct model *ret)
{
	struct model m = {};
	uint64_t t0 = now_usec(), t1, t2;
	int r;

	r = topo_enumerate_soft_reserved(&m);
	t1 = now_usec();
	if (r >= 0)
		r = enumerate_cxl(&m);
	t2 = now_usec();
	if (r >= 0)
		r = topo_enumerate_dax(&m);
	log_debug("Enumeration: soft reserved %" PRIu64 " ms, cxl %" PRIu64 " ms, dax %" PRIu64
		  " ms", (t1 - t0) / 1000, (t2 - t1) / 1000, (now_usec() - t2) / 1000);
	return topo_model_complete(&m, r, ret);
}

/*
 * The whole walk runs in a thread of its own, and the model it built is
 * copied out here. libcxl's context (every port, decoder and attribute
 * it read: several MB at 1,024 memdevs) is allocated interleaved with
 * the model, and once it is freed the model's small allocations stay
 * spread over every page of the heap, which can then give nothing back:
 * the daemon kept 5 MB of heap for 1 MB of model (bench/footprint). A
 * thread allocates from a malloc arena of its own; the copy made here
 * is compact in ours, and malloc_trim() returns the thread's pages.
 * Signals stay blocked in the thread (manager_new() blocks them before
 * any thread exists).
 */
struct walk {
	struct model m;
	int r;
};

static void *walk_thread(void *userdata)
{
	struct walk *w = userdata;

	w->r = enumerate_all(&w->m);
	return NULL;
}

/* The joined walk's model, copied out into our arena. */
static int walk_collect(struct walk *w, struct model *ret)
{
	int r;

	if (w->r < 0)
		return w->r;
	r = model_copy(&w->m, ret);
	model_clear(&w->m);
	malloc_trim(0);
	return r;
}

int topology_enumerate(struct model *ret)
{
	struct walk w = {};
	pthread_t thread;
	int r;

	r = -pthread_create(&thread, NULL, walk_thread, &w);
	if (r < 0) {
		log_debug("No thread for the walk (%s): walking in place", strerror(-r));
		return enumerate_all(ret);
	}
	pthread_join(thread, NULL);
	return walk_collect(&w, ret);
}

struct topology_walk {
	struct walk w;
	pthread_t thread;
	int done_fd;
};

static void *background_walk_thread(void *userdata)
{
	struct topology_walk *b = userdata;
	uint64_t one = 1;

	walk_thread(&b->w);
	if (write(b->done_fd, &one, sizeof(one)) != sizeof(one))
		log_error("Failed to signal the end of a topology walk; it will never be applied");
	return NULL;
}

int topology_walk_start(int done_fd, struct topology_walk **ret)
{
	struct topology_walk *b = calloc(1, sizeof(*b));
	int r;

	if (!b)
		return -ENOMEM;
	b->done_fd = done_fd;
	r = -pthread_create(&b->thread, NULL, background_walk_thread, b);
	if (r < 0) {
		free(b);
		return r;
	}
	*ret = b;
	return 0;
}

int topology_walk_finish(struct topology_walk *b, struct model *ret)
{
	int r;

	pthread_join(b->thread, NULL);
	r = walk_collect(&b->w, ret);
	free(b);
	return r;
}

int topology_capabilities(const struct model *m, char ***ret, char **ret_note)
{
	_cleanup_(strv_freep) char **caps = NULL;
	bool inject = false, clear = false, list = false;
	const char *note = "";
	int r = 0;

	for (size_t i = 0; i < m->n_memdevs; i++) {
		inject |= strv_contains(m->memdevs[i].poison, "inject");
		clear |= strv_contains(m->memdevs[i].poison, "clear");
		list |= strv_contains(m->memdevs[i].poison, "list");
	}
	/*
	 * Up to the first window that has each: this runs after every
	 * refresh, and asking each of a few hundred windows twice cost
	 * more than reading the memdevs a uevent named (bench/uevent-storm).
	 */
	for (size_t i = 0; i < m->n_windows && r >= 0; i++) {
		const char *w = m->windows[i].name;

		if (!strv_contains(caps, "ram-regions") &&
		    sysfs_exists(CXL_DEVICES "/%s/create_ram_region", w))
			r = strv_extend(&caps, "ram-regions");
		if (r >= 0 && !strv_contains(caps, "pmem-regions") &&
		    sysfs_exists(CXL_DEVICES "/%s/create_pmem_region", w))
			r = strv_extend(&caps, "pmem-regions");
	}
	if (r >= 0 && inject)
		r = strv_extend(&caps, "poison-inject");
	if (r >= 0 && clear)
		r = strv_extend(&caps, "poison-clear");
	if (r >= 0 && list)
		r = strv_extend(&caps, "poison-list");
	if (r >= 0 && sysfs_exists(SOFTRESERVED_KERNEL_DIR))
		r = strv_extend(&caps, "soft-reserved-control");
	if (r < 0)
		return r;

	if (!sysfs_exists("/sys/bus/cxl"))
		note = "no CXL bus in sysfs: no CXL hardware, or cxl_core is not loaded";
	else if (m->n_windows == 0)
		note = "no CXL windows: cxl_acpi is not loaded or the platform has no CFMWS";
	else if (m->n_memdevs == 0)
		note = "no CXL memdevs: no CXL memory device, or cxl_pci/cxl_mem not loaded";
	else if (!inject && m->n_memdevs)
		note = "poison injection needs debugfs mounted and device support";
	if (!*note && m->n_softreserved && !sysfs_exists(SOFTRESERVED_KERNEL_DIR))
		note = "no soft_reserved ownership interface (kernel without cxlmemd's series, "
		       "or dax_hmem not bound): Soft Reserved ranges are explained, not moved";

	*ret_note = strdup(note);
	if (!*ret_note)
		return -ENOMEM;
	*ret = TAKE_PTR(caps);
	return 0;
}
