// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "model.h"
#include "strv.h"

#define P(n, j, k, s, f, ...) \
	{ .name = n, .json = j, .kind = k, .offset = offsetof(struct s, f), __VA_ARGS__ }

static const struct prop_desc memdev_props[] = {
	P("Name", "memdev", PROP_STRING, memdev, name, .constant = true),
	P("Serial", "serial", PROP_U64, memdev, serial, .constant = true),
	P("Host", "host", PROP_STRING, memdev, host, .constant = true),
	P("NumaNode", "numa_node", PROP_I32, memdev, numa_node),
	P("RamSize", "ram_size", PROP_U64, memdev, ram_size),
	P("PmemSize", "pmem_size", PROP_U64, memdev, pmem_size),
	P("RamFree", "ram_free", PROP_U64, memdev, ram_free),
	P("PmemFree", "pmem_free", PROP_U64, memdev, pmem_free),
	P("FirmwareVersion", "firmware_version", PROP_STRING, memdev, firmware_version),
	P("EndpointDecoders", "decoders", PROP_STRV, memdev, endpoint_decoders),
	P("Regions", "regions", PROP_REFV, memdev, regions, .ref = OBJECT_REGION),
	P("Poison", "poison", PROP_STRV, memdev, poison),
	P("Enabled", "enabled", PROP_BOOL, memdev, enabled),
	{}
};

static const struct prop_desc window_props[] = {
	P("Name", "decoder", PROP_STRING, window, name, .constant = true),
	P("Start", "resource", PROP_U64, window, start, .constant = true),
	P("Size", "size", PROP_U64, window, size, .constant = true),
	P("InterleaveWays", "interleave_ways", PROP_U32, window, ways, .constant = true),
	P("InterleaveGranularity", "interleave_granularity", PROP_U32, window,
	  granularity, .constant = true),
	P("Targets", "targets", PROP_STRV, window, targets, .constant = true),
	P("Capabilities", "capabilities", PROP_STRV, window, capabilities, .constant = true),
	P("MaxAvailableExtent", "max_available_extent", PROP_U64, window,
	  max_available_extent),
	P("Locked", "locked", PROP_BOOL, window, locked),
	P("Regions", "regions", PROP_REFV, window, regions, .ref = OBJECT_REGION),
	{}
};

static const struct prop_desc region_props[] = {
	P("Name", "region", PROP_STRING, region, name, .constant = true),
	P("Window", "decoder", PROP_REF, region, window, .ref = OBJECT_WINDOW,
	  .constant = true),
	P("Mode", "type", PROP_STRING, region, mode),
	P("Start", "resource", PROP_U64, region, start),
	P("Size", "size", PROP_U64, region, size),
	P("InterleaveWays", "interleave_ways", PROP_U32, region, ways),
	P("InterleaveGranularity", "interleave_granularity", PROP_U32, region, granularity),
	P("UUID", "uuid", PROP_STRING, region, uuid),
	P("Targets", "mappings", PROP_TARGETS, region, targets),
	P("State", "state", PROP_STRING, region, state),
	P("DaxDevice", "daxregion", PROP_REF, region, dax, .ref = OBJECT_DAX),
	P("Locked", "locked", PROP_BOOL, region, locked),
	{}
};

static const struct prop_desc dax_props[] = {
	P("Name", "chardev", PROP_STRING, dax, name, .constant = true),
	P("Mode", "mode", PROP_STRING, dax, mode),
	P("Start", "resource", PROP_U64, dax, start),
	P("Size", "size", PROP_U64, dax, size),
	P("NumaNode", "numa_node", PROP_I32, dax, numa_node),
	P("Online", "online", PROP_BOOL, dax, online),
	P("Zone", "zone", PROP_STRING, dax, zone),
	P("Region", "region", PROP_REF, dax, region, .ref = OBJECT_REGION, .constant = true),
	P("SoftReservedRange", "soft_reserved", PROP_REF, dax, softreserved,
	  .ref = OBJECT_SOFTRESERVED, .constant = true),
	{}
};

static const struct prop_desc softreserved_props[] = {
	P("Start", "resource", PROP_U64, softreserved, start, .constant = true),
	P("Size", "size", PROP_U64, softreserved, size, .constant = true),
	P("Windows", "decoders", PROP_REFV, softreserved, windows, .ref = OBJECT_WINDOW),
	P("Regions", "regions", PROP_REFV, softreserved, regions, .ref = OBJECT_REGION),
	P("Owner", "owner", PROP_STRING, softreserved, owner),
	P("Reason", "reason", PROP_STRING, softreserved, reason),
	{}
};

#define T(iface, path, arr, s, field, props)                             \
	{ "org.cxlmemd1." iface, "/org/cxlmemd1/" path, arr, sizeof(struct s), \
	  offsetof(struct model, field), offsetof(struct model, n_##field), props }

static const struct object_type_info type_infos[_OBJECT_TYPE_MAX] = {
	[OBJECT_MEMDEV] = T("Memdev", "memdev", "memdevs", memdev, memdevs, memdev_props),
	[OBJECT_WINDOW] = T("Window", "window", "windows", window, windows, window_props),
	[OBJECT_REGION] = T("Region", "region", "regions", region, regions, region_props),
	[OBJECT_DAX] = T("DaxDevice", "dax", "dax_devices", dax, daxes, dax_props),
	[OBJECT_SOFTRESERVED] = T("SoftReservedRange", "softreserved", "soft_reserved",
				  softreserved, softreserved, softreserved_props),
};

const struct object_type_info *object_type_info(enum object_type t)
{
	return t < _OBJECT_TYPE_MAX ? &type_infos[t] : NULL;
}

const struct prop_desc *object_type_find_prop(enum object_type t, const char *name)
{
	for (const struct prop_desc *p = type_infos[t].props; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static void **array_slot(const struct model *m, enum object_type t)
{
	return (void **)((char *)m + type_infos[t].array_offset);
}

static size_t *count_slot(const struct model *m, enum object_type t)
{
	return (size_t *)((char *)m + type_infos[t].count_offset);
}

size_t model_count(const struct model *m, enum object_type t)
{
	return *count_slot(m, t);
}

void *model_object(const struct model *m, enum object_type t, size_t i)
{
	if (i >= model_count(m, t))
		return NULL;
	return (char *)*array_slot(m, t) + i * type_infos[t].size;
}

static int cmp_names(const void *a, const void *b)
{
	return strverscmp(object_name(a), object_name(b));
}

void *model_find(const struct model *m, enum object_type t, const char *name)
{
	const char *key = name;

	if (!name || !model_count(m, t))
		return NULL;	/* (bsearch() of a NULL array is undefined even empty) */
	/* bsearch compares the key like an element: a pointer to the name. */
	return bsearch(&key, *array_slot(m, t), model_count(m, t), type_infos[t].size,
		       cmp_names);
}

void *model_add(struct model *m, enum object_type t)
{
	size_t n = model_count(m, t), size = type_infos[t].size;
	void **arr = array_slot(m, t);
	char *na;

	na = realloc(*arr, (n + 1) * size);
	if (!na)
		return NULL;
	memset(na + n * size, 0, size);
	*arr = na;
	*count_slot(m, t) = n + 1;
	return na + n * size;
}

static void *field(const void *obj, const struct prop_desc *p)
{
	return (char *)obj + p->offset;
}

static int cmp_targets(const void *a, const void *b)
{
	const struct region_target *x = a, *y = b;

	return (x->position > y->position) - (x->position < y->position);
}

int model_finish(struct model *m)
{
	for (enum object_type t = 0; t < _OBJECT_TYPE_MAX; t++) {
		size_t n = model_count(m, t);

		if (n)
			qsort(*array_slot(m, t), n, type_infos[t].size, cmp_names);
		for (size_t i = 0; i < n; i++) {
			void *obj = model_object(m, t, i);

			if (i > 0 && cmp_names(model_object(m, t, i - 1), obj) == 0)
				return -EEXIST;
			for (const struct prop_desc *p = type_infos[t].props; p->name; p++) {
				/* Window targets are in interleave order: keep it. */
				if (p->kind == PROP_REFV ||
				    (p->kind == PROP_STRV && t != OBJECT_WINDOW))
					strv_sort(*(char ***)field(obj, p));
			}
		}
	}
	for (size_t i = 0; i < m->n_regions; i++)
		if (m->regions[i].n_targets)
			qsort(m->regions[i].targets, m->regions[i].n_targets,
			      sizeof(struct region_target), cmp_targets);
	return 0;
}

void model_object_free_fields(enum object_type t, void *obj)
{
	for (const struct prop_desc *p = type_infos[t].props; p->name; p++) {
		switch (p->kind) {
		case PROP_STRING:
		case PROP_REF:
			free(*(char **)field(obj, p));
			break;
		case PROP_STRV:
		case PROP_REFV:
			strv_free(*(char ***)field(obj, p));
			break;
		case PROP_TARGETS: {
			struct region *r = obj;

			for (size_t i = 0; i < r->n_targets; i++) {
				free(r->targets[i].memdev);
				free(r->targets[i].decoder);
			}
			free(r->targets);
			break;
		}
		default:
			break;
		}
	}
	/* The soft reserved range's name is not a property (Start is). */
	if (t == OBJECT_SOFTRESERVED)
		free(((struct softreserved *)obj)->name);
}

void model_clear(struct model *m)
{
	for (enum object_type t = 0; t < _OBJECT_TYPE_MAX; t++) {
		for (size_t i = 0; i < model_count(m, t); i++)
			model_object_free_fields(t, model_object(m, t, i));
		free(*array_slot(m, t));
	}
	memset(m, 0, sizeof(*m));
}

/* Clear every pointer an object owns (in a struct memcpy'd from another). */
static void object_clear_owned(enum object_type t, void *obj)
{
	for (const struct prop_desc *p = type_infos[t].props; p->name; p++)
		if (p->kind == PROP_STRING || p->kind == PROP_REF || p->kind == PROP_STRV ||
		    p->kind == PROP_REFV)
			*(void **)field(obj, p) = NULL;
	if (t == OBJECT_REGION) {
		((struct region *)obj)->targets = NULL;
		((struct region *)obj)->n_targets = 0;
	}
	if (t == OBJECT_SOFTRESERVED)
		((struct softreserved *)obj)->name = NULL;
}

static int dup_str(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? -ENOMEM : 0;
}

static int copy_targets(struct region *dst, const struct region *src)
{
	if (!src->n_targets)
		return 0;
	dst->targets = calloc(src->n_targets, sizeof(*dst->targets));
	if (!dst->targets)
		return -ENOMEM;
	dst->n_targets = src->n_targets;
	for (size_t i = 0; i < src->n_targets; i++) {
		dst->targets[i].position = src->targets[i].position;
		if (dup_str(&dst->targets[i].memdev, src->targets[i].memdev) < 0 ||
		    dup_str(&dst->targets[i].decoder, src->targets[i].decoder) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* @dst: a copy of @src whose owned pointers were cleared; fill them. */
static int copy_owned(enum object_type t, void *dst, const void *src)
{
	int r = 0;

	for (const struct prop_desc *p = type_infos[t].props; r >= 0 && p->name; p++) {
		const void *from = field(src, p);
		void *to = field(dst, p);

		switch (p->kind) {
		case PROP_STRING:
		case PROP_REF:
			r = dup_str(to, *(char *const *)from);
			break;
		case PROP_STRV:
		case PROP_REFV:
			*(char ***)to = strv_copy(*(char **const *)from);
			if (*(char **const *)from && !*(char ***)to)
				r = -ENOMEM;
			break;
		case PROP_TARGETS:
			r = copy_targets(dst, src);
			break;
		default:
			break;
		}
	}
	if (r >= 0 && t == OBJECT_SOFTRESERVED)
		r = dup_str(&((struct softreserved *)dst)->name,
			    ((const struct softreserved *)src)->name);
	return r;
}

int model_copy(const struct model *src, struct model *ret)
{
	struct model m = {};

	for (enum object_type t = 0; t < _OBJECT_TYPE_MAX; t++)
		for (size_t i = 0; i < model_count(src, t); i++) {
			const void *from = model_object(src, t, i);
			void *obj = model_add(&m, t);

			if (obj) {
				memcpy(obj, from, type_infos[t].size);
				object_clear_owned(t, obj);
			}
			if (!obj || copy_owned(t, obj, from) < 0) {
				model_clear(&m);
				return -ENOMEM;
			}
		}
	*ret = m;
	return 0;
}

void *model_copy_object(struct model *m, enum object_type t, const void *src)
{
	void *obj = model_add(m, t);

	if (!obj)
		return NULL;
	memcpy(obj, src, type_infos[t].size);
	object_clear_owned(t, obj);
	if (copy_owned(t, obj, src) < 0) {
		/* Drop the half-made copy again: a model holds whole objects only. */
		model_object_free_fields(t, obj);
		*count_slot(m, t) -= 1;
		return NULL;
	}
	return obj;
}

int model_remove(struct model *m, enum object_type t, const char *name)
{
	char *obj = model_find(m, t, name), *base = *array_slot(m, t);
	size_t size = type_infos[t].size, n = model_count(m, t), i;

	if (!obj)
		return -ENOENT;
	i = (size_t)(obj - base) / size;
	model_object_free_fields(t, obj);
	memmove(obj, obj + size, (n - i - 1) * size);
	*count_slot(m, t) = n - 1;
	return 0;
}

static bool str_equal(const char *a, const char *b)
{
	return strcmp(a ?: "", b ?: "") == 0;
}

bool prop_equal(const struct prop_desc *p, const void *a, const void *b)
{
	const void *fa = field(a, p), *fb = field(b, p);

	switch (p->kind) {
	case PROP_STRING:
	case PROP_REF:
		return str_equal(*(char *const *)fa, *(char *const *)fb);
	case PROP_U64:
		return *(const uint64_t *)fa == *(const uint64_t *)fb;
	case PROP_U32:
		return *(const uint32_t *)fa == *(const uint32_t *)fb;
	case PROP_I32:
		return *(const int32_t *)fa == *(const int32_t *)fb;
	case PROP_BOOL:
		return !*(const int *)fa == !*(const int *)fb;
	case PROP_STRV:
	case PROP_REFV:
		return strv_equal(*(char **const *)fa, *(char **const *)fb);
	case PROP_TARGETS: {
		const struct region *x = a, *y = b;

		if (x->n_targets != y->n_targets)
			return false;
		for (size_t i = 0; i < x->n_targets; i++)
			if (x->targets[i].position != y->targets[i].position ||
			    !str_equal(x->targets[i].memdev, y->targets[i].memdev) ||
			    !str_equal(x->targets[i].decoder, y->targets[i].decoder))
				return false;
		return true;
	}
	}
	return false;
}

/* Walk both name-sorted arrays of one type in step. */
static int diff_type(const struct model *old, const struct model *new, enum object_type t,
		     enum change_kind want, model_change_fn fn, void *userdata)
{
	size_t i = 0, j = 0, no = model_count(old, t), nn = model_count(new, t);
	int r;

	while (i < no || j < nn) {
		void *a = model_object(old, t, i), *b = model_object(new, t, j);
		int c = !a ? 1 : !b ? -1 : cmp_names(a, b);
		struct model_change ch = { .type = t };

		if (c < 0) {
			ch.kind = CHANGE_REMOVED;
			ch.name = object_name(a);
			i++;
		} else if (c > 0) {
			ch.kind = CHANGE_ADDED;
			ch.name = object_name(b);
			j++;
		} else {
			i++;
			j++;
			if (want != CHANGE_PROPERTIES)
				continue;
			r = model_diff_object(t, a, b, fn, userdata);
			if (r < 0)
				return r;
			continue;
		}
		if (ch.kind != want)
			continue;
		r = fn(&ch, userdata);
		if (r < 0)
			return r;
	}
	return 0;
}

int model_diff_object(enum object_type t, const void *old, const void *new,
		      model_change_fn fn, void *userdata)
{
	struct model_change ch = { .kind = CHANGE_PROPERTIES, .type = t,
				   .name = object_name(new) };
	size_t n = 0;

	for (const struct prop_desc *p = type_infos[t].props; p->name; p++)
		if (!prop_equal(p, old, new) && n < ELEMENTSOF(ch.props) - 1)
			ch.props[n++] = p->name;
	return n ? fn(&ch, userdata) : 0;
}

int model_diff(const struct model *old, const struct model *new,
	       model_change_fn fn, void *userdata)
{
	static const enum change_kind order[] = {
		CHANGE_ADDED, CHANGE_PROPERTIES, CHANGE_REMOVED,
	};
	int r;

	for (size_t k = 0; k < ELEMENTSOF(order); k++)
		for (enum object_type t = 0; t < _OBJECT_TYPE_MAX; t++) {
			r = diff_type(old, new, t, order[k], fn, userdata);
			if (r < 0)
				return r;
		}
	return 0;
}
