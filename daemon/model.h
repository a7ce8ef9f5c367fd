/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The CXL topology as plain data: no sysfs, no bus, no clock.
 *
 * A model is a snapshot. The daemon builds a fresh one from the kernel
 * after uevents (topology-enumerate.c) and compares it with the previous
 * one (model_diff) to know which objects appeared, vanished or changed
 * which properties. One property table per object type drives the diff,
 * the D-Bus getters (model-bus.c) and the JSON export (model-json.c), so
 * the three cannot disagree.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum object_type {
	OBJECT_MEMDEV,
	OBJECT_WINDOW,
	OBJECT_REGION,
	OBJECT_DAX,
	OBJECT_SOFTRESERVED,
	_OBJECT_TYPE_MAX,
};

struct memdev {
	char *name;			/* mem0 */
	uint64_t serial;
	char *host;			/* PCI address of the device */
	int32_t numa_node;		/* -1: none */
	uint64_t ram_size, pmem_size;
	uint64_t ram_free, pmem_free;	/* capacity no endpoint decoder holds */
	char *firmware_version;
	char **endpoint_decoders;
	char **regions;
	char **poison;			/* supported: inject, clear, list */
	int enabled;
};

struct window {
	char *name;			/* decoder0_0: a root decoder */
	uint64_t start, size;
	uint32_t ways, granularity;
	char **targets;			/* host bridges, in interleave order */
	char **capabilities;		/* ram, pmem, type2, type3 */
	uint64_t max_available_extent;
	int locked;
	char **regions;
};

struct region_target {
	uint32_t position;
	char *memdev;
	char *decoder;			/* endpoint decoder */
};

struct region {
	char *name;			/* region0 */
	char *window;
	char *mode;			/* ram, pmem, none */
	uint64_t start, size;
	uint32_t ways, granularity;
	char *uuid;			/* "" for ram */
	struct region_target *targets;	/* ordered by position */
	size_t n_targets;
	char *state;			/* configuring, committed, enabled, online */
	char *dax;			/* dax device name or "" */
	int locked;
};

struct dax {
	char *name;			/* dax0.0 */
	char *mode;			/* devdax, system-ram */
	uint64_t start, size;
	int32_t numa_node;
	int online;			/* any of its memory online as system RAM */
	char *zone;			/* movable, normal, "" */
	char *region;			/* source region or "" */
	char *softreserved;		/* source Soft Reserved range name or "" */
};

struct softreserved {
	char *name;			/* start address, hex, no 0x: 100000000 */
	uint64_t start, size;
	char **windows;
	char **regions;
	char *owner;			/* cxl, hmem, none, pending */
	char *reason;
};

struct model {
	struct memdev *memdevs;
	size_t n_memdevs;
	struct window *windows;
	size_t n_windows;
	struct region *regions;
	size_t n_regions;
	struct dax *daxes;
	size_t n_daxes;
	struct softreserved *softreserved;
	size_t n_softreserved;
};

/* ---- property tables ---- */

enum prop_kind {
	PROP_STRING,		/* char * */
	PROP_U64,		/* uint64_t */
	PROP_U32,		/* uint32_t */
	PROP_I32,		/* int32_t */
	PROP_BOOL,		/* int */
	PROP_STRV,		/* char ** */
	PROP_REF,		/* char *: name of another object, "" for none */
	PROP_REFV,		/* char **: names of other objects */
	PROP_TARGETS,		/* region targets */
};

struct prop_desc {
	const char *name;	/* D-Bus property name */
	const char *json;	/* JSON key, cxl-list style */
	enum prop_kind kind;
	size_t offset;
	enum object_type ref;	/* for PROP_REF/PROP_REFV */
	bool constant;		/* never changes while the object exists */
};

struct object_type_info {
	const char *interface;		/* org.cxlmemd1.Memdev */
	const char *path_prefix;	/* /org/cxlmemd1/memdev */
	const char *json_array;		/* memdevs */
	size_t size;
	size_t array_offset, count_offset;	/* in struct model */
	const struct prop_desc *props;		/* terminated by name == NULL */
};

const struct object_type_info *object_type_info(enum object_type t);
const struct prop_desc *object_type_find_prop(enum object_type t, const char *name);

/* The i-th object of type @t in @m, or NULL. */
void *model_object(const struct model *m, enum object_type t, size_t i);
size_t model_count(const struct model *m, enum object_type t);
/* Look up by name (objects are sorted by name: binary search). */
void *model_find(const struct model *m, enum object_type t, const char *name);
static inline const char *object_name(const void *obj)
{
	/* Every object struct starts with its name. */
	return *(char *const *)obj;
}

/* ---- building ---- */

/* Append a zeroed object of type @t; returns it or NULL on OOM. */
void *model_add(struct model *m, enum object_type t);
/*
 * Put every array in name order (natural: mem2 before mem10) and sort
 * the lists whose order carries no meaning. Call once after building.
 * Returns -EEXIST if two objects of one type share a name.
 */
int model_finish(struct model *m);
void model_clear(struct model *m);
/* Deep copy of @src into @ret (which it overwrites); -ENOMEM. */
int model_copy(const struct model *src, struct model *ret);
/* Append a deep copy of @src, an object of type @t; returns it or NULL on OOM. */
void *model_copy_object(struct model *m, enum object_type t, const void *src);
/* Drop object @name of type @t, order kept. Returns -ENOENT if absent. */
int model_remove(struct model *m, enum object_type t, const char *name);
/* Free what the fields of @obj, an object of type @t, own (not @obj). */
void model_object_free_fields(enum object_type t, void *obj);

/* ---- comparing ---- */

/* Is property @p equal in @a and @b (objects of the same type)? */
bool prop_equal(const struct prop_desc *p, const void *a, const void *b);

enum change_kind {
	CHANGE_ADDED,
	CHANGE_REMOVED,
	CHANGE_PROPERTIES,
};

struct model_change {
	enum change_kind kind;
	enum object_type type;
	const char *name;		/* points into old (removed) or new model */
	/* For CHANGE_PROPERTIES: the changed properties, NULL-terminated. */
	const char *props[24];
};

typedef int (*model_change_fn)(const struct model_change *c, void *userdata);

/*
 * Call @fn for every difference from @old to @new, in an order that keeps
 * references valid for a client applying them one by one: every addition
 * (all types), then property changes, then removals; by type, then name.
 * Stops at and returns the first negative return of @fn.
 */
int model_diff(const struct model *old, const struct model *new,
	       model_change_fn fn, void *userdata);

/*
 * The same for one object that stays: @old and @new are two states of
 * the object of type @t named @new's name. Calls @fn once with the
 * properties that differ, not at all if none does.
 */
int model_diff_object(enum object_type t, const void *old, const void *new,
		      model_change_fn fn, void *userdata);
