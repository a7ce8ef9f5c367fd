// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "interleave.h"
#include "region-plan.h"
#include "region-request.h"
#include "strv.h"

#define MIB (1ULL << 20)

int region_failf(struct region_fail *f, enum region_error e, const char *fmt, ...)
{
	va_list ap;

	f->error = e;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	return -1;
}

bool uuid_string_valid(const char *s)
{
	static const int dash[] = { 8, 13, 18, 23 };
	size_t k = 0;

	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (k < 4 && i == dash[k]) {
			if (s[i] != '-')
				return false;
			k++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static const struct memdev_facts *facts_find(const struct memdev_facts *facts, size_t n,
					     const char *memdev)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(facts[i].memdev, memdev) == 0)
			return &facts[i];
	return NULL;
}

static bool copy_name(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		return false;
	strcpy(dst, src);
	return true;
}

static uint64_t mode_capacity(const struct memdev *d, bool ram)
{
	return ram ? d->ram_size : d->pmem_size;
}

static uint64_t mode_free(const struct memdev *d, bool ram)
{
	return ram ? d->ram_free : d->pmem_free;
}

int region_request_check_geometry(const struct region_request *req, const struct model *m,
				  struct region_plan *ret, struct region_fail *f)
{
	const struct window *w;
	uint64_t align;
	uint32_t gran;
	bool ram;

	memset(ret, 0, sizeof(*ret));
	w = model_find(m, OBJECT_WINDOW, req->window);
	if (!w)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "There is no CXL window '%s'; the Manager's windows are "
				    "under /org/cxlmemd1/window.", req->window ?: "");
	if (!req->mode || (strcmp(req->mode, "ram") != 0 && strcmp(req->mode, "pmem") != 0))
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "Mode '%s' is not a region mode; use \"ram\" or \"pmem\".",
				    req->mode ?: "");
	ram = strcmp(req->mode, "ram") == 0;
	if (!strv_contains(w->capabilities, req->mode))
		return region_failf(f, REGION_E_NOT_SUPPORTED,
				    "Window %s does not accept %s regions (platform window "
				    "restrictions); pick a window whose Capabilities list \"%s\".",
				    w->name, req->mode, req->mode);

	if (!interleave_ways_valid(req->ways) || req->ways > REGION_MAX_WAYS)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "%" PRIu32 " interleave ways is not a CXL interleave; use "
				    "1, 2, 3, 4, 6, 8, 12 or 16.", req->ways);
	if (w->ways == 0 || req->ways % w->ways)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "Window %s interleaves across %" PRIu32 " host bridges, so a "
				    "region in it needs a multiple of %" PRIu32 " ways, not %" PRIu32 ".",
				    w->name, w->ways, w->ways, req->ways);

	gran = req->granularity ?: w->granularity;
	if (!interleave_granularity_valid(gran))
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "Granularity %" PRIu32 " is not a CXL interleave granularity; "
				    "use a power of two from 256 to 16384, or 0 for the window's.",
				    gran);
	/* The kernel's rule: a smaller one needs several endpoints per slot,
	 * a larger one breaks the DPA translation. */
	if (w->ways > 1 && gran != w->granularity)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "Window %s interleaves host bridges every %" PRIu32 " bytes; "
				    "a region in it must use that granularity, not %" PRIu32 ".",
				    w->name, w->granularity, gran);

	align = REGION_SIZE_ALIGN * req->ways;
	if (req->size == 0 || req->size % align)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "Size %" PRIu64 " is not a non-zero multiple of 256 MiB x %"
				    PRIu32 " ways (%" PRIu64 " MiB).", req->size, req->ways,
				    (uint64_t)(align / MIB));
	if (req->size > w->max_available_extent)
		return region_failf(f, REGION_E_INSUFFICIENT_CAPACITY,
				    "Window %s has %" PRIu64 " MiB of contiguous free address "
				    "space, less than the %" PRIu64 " MiB asked for.", w->name,
				    (uint64_t)(w->max_available_extent / MIB),
				    (uint64_t)(req->size / MIB));

	if (req->uuid && *req->uuid) {
		if (ram)
			return region_failf(f, REGION_E_INVALID_ARGUMENT,
					    "A ram region has no uuid; pass uuid only for pmem.");
		if (!uuid_string_valid(req->uuid))
			return region_failf(f, REGION_E_INVALID_ARGUMENT,
					    "'%s' is not a uuid (8-4-4-4-12 hex digits).",
					    req->uuid);
		strcpy(ret->uuid, req->uuid);
	}

	copy_name(ret->window, sizeof(ret->window), w->name);
	strcpy(ret->mode, req->mode);
	ret->size = req->size;
	ret->ways = req->ways;
	ret->granularity = gran;
	return 0;
}

/* The host bridge position @pos of a region in @w must sit below. */
static const char *bridge_for(const struct window *w, uint32_t pos)
{
	size_t n = strv_length(w->targets);

	return n ? w->targets[pos % n] : NULL;
}

static int check_memdev(const struct model *m, const struct window *w, bool ram,
			uint64_t per_target, const struct memdev_facts *facts, size_t n_facts,
			const char *name, uint32_t pos, struct region_fail *f)
{
	const struct memdev *d = model_find(m, OBJECT_MEMDEV, name);
	const struct memdev_facts *k = facts_find(facts, n_facts, name);
	const char *mode = ram ? "ram" : "pmem";
	const char *hb = bridge_for(w, pos);

	if (!d)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "There is no memdev '%s' (position %" PRIu32 ").", name, pos);
	if (!d->enabled || !k || !k->host_bridge)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "Memdev %s is not enabled (no cxl_mem driver, no endpoint); "
				    "bind it before using it in a region.", name);
	if (mode_capacity(d, ram) == 0)
		return region_failf(f, REGION_E_NOT_SUPPORTED,
				    "Memdev %s has no %s capacity (its partition holds "
				    "%" PRIu64 " MiB ram, %" PRIu64 " MiB pmem).", name, mode,
				    (uint64_t)(d->ram_size / MIB), (uint64_t)(d->pmem_size / MIB));
	if (mode_free(d, ram) < per_target)
		return region_failf(f, REGION_E_INSUFFICIENT_CAPACITY,
				    "Memdev %s has %" PRIu64 " MiB of %s capacity free, less than "
				    "the %" PRIu64 " MiB each target needs.", name,
				    (uint64_t)(mode_free(d, ram) / MIB), mode,
				    (uint64_t)(per_target / MIB));
	if (!hb || strcmp(hb, k->host_bridge) != 0)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "Position %" PRIu32 " in window %s must be a memdev below host "
				    "bridge %s, but %s is below %s; reorder the memdevs or leave "
				    "them empty to let cxlmemd choose.", pos, w->name, hb ?: "?",
				    name, k->host_bridge);
	if (!k->free_decoder)
		return region_failf(f, REGION_E_BUSY,
				    "Every endpoint decoder of memdev %s is in use; delete one of "
				    "its regions first.", name);
	return 0;
}

static int plan_targets(const struct region_request *req, const struct model *m,
			const struct window *w, const struct memdev_facts *facts,
			size_t n_facts, const char **ret, struct region_fail *f)
{
	struct plan_candidate c[64];
	struct plan_request pr = {
		.window_targets = w->targets,
		.ways = req->ways,
		.size = req->size,
		.numa_node = req->numa_node,
	};
	bool ram = strcmp(req->mode, "ram") == 0;
	char *reason = NULL;
	size_t n = 0;
	int r;

	for (size_t i = 0; i < m->n_memdevs && n < ELEMENTSOF(c); i++) {
		const struct memdev *d = &m->memdevs[i];
		const struct memdev_facts *k = facts_find(facts, n_facts, d->name);

		if (!k || !k->host_bridge || !k->free_decoder)
			continue;
		c[n++] = (struct plan_candidate){
			.memdev = d->name,
			.host_bridge = k->host_bridge,
			.free = mode_free(d, ram),
			.numa_node = d->numa_node,
			.enabled = d->enabled,
		};
	}
	r = region_plan_targets(&pr, c, n, ret, &reason);
	if (r < 0) {
		region_failf(f, r == -ENOSPC ? REGION_E_INSUFFICIENT_CAPACITY :
			     r == -EINVAL ? REGION_E_INVALID_ARGUMENT : REGION_E_INTERNAL,
			     "cxlmemd cannot choose targets: %s.",
			     reason ?: "out of memory");
		free(reason);
		return -1;
	}
	return 0;
}

int region_request_check(const struct region_request *req, const struct model *m,
			 const struct memdev_facts *facts, size_t n_facts,
			 struct region_plan *ret, struct region_fail *f)
{
	const char *chosen[REGION_MAX_WAYS] = {};
	const struct window *w;
	uint64_t per_target;
	bool ram;

	if (region_request_check_geometry(req, m, ret, f) < 0)
		return -1;
	w = model_find(m, OBJECT_WINDOW, req->window);
	ram = strcmp(req->mode, "ram") == 0;
	per_target = req->size / req->ways;

	if (req->n_memdevs == 0) {
		if (plan_targets(req, m, w, facts, n_facts, chosen, f) < 0)
			return -1;
	} else if (req->n_memdevs != req->ways) {
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "%zu memdevs for a %" PRIu32 "-way region; pass one per "
				    "position, or none to let cxlmemd choose.", req->n_memdevs,
				    req->ways);
	} else {
		for (uint32_t i = 0; i < req->ways; i++)
			chosen[i] = req->memdevs[i];
	}

	for (uint32_t i = 0; i < req->ways; i++) {
		const struct memdev_facts *k;

		for (uint32_t j = 0; j < i; j++)
			if (strcmp(chosen[i], chosen[j]) == 0)
				return region_failf(f, REGION_E_INVALID_ARGUMENT,
						    "Memdev %s appears at positions %" PRIu32 " and %"
						    PRIu32 "; each memdev can hold one position.",
						    chosen[i], j, i);
		if (check_memdev(m, w, ram, per_target, facts, n_facts, chosen[i], i, f) < 0)
			return -1;
		k = facts_find(facts, n_facts, chosen[i]);
		if (!copy_name(ret->targets[i].memdev, sizeof(ret->targets[i].memdev),
			       chosen[i]) ||
		    !copy_name(ret->targets[i].decoder, sizeof(ret->targets[i].decoder),
			       k->free_decoder))
			return region_failf(f, REGION_E_INVALID_ARGUMENT,
					    "Memdev name '%s' is too long.", chosen[i]);
	}
	return 0;
}

int region_request_check_target(const struct region *r, const struct model *m,
				const struct memdev_facts *facts, const char *memdev,
				uint32_t pos, char *ret_decoder, struct region_fail *f)
{
	const struct window *w = model_find(m, OBJECT_WINDOW, r->window);
	const struct memdev_facts *k;
	bool ram = strcmp(r->mode, "ram") == 0;

	if (!w)
		return region_failf(f, REGION_E_INTERNAL, "Region %s has no window.", r->name);
	if (r->locked)
		return region_failf(f, REGION_E_LOCKED,
				    "Region %s was committed and locked by platform firmware; "
				    "its targets cannot change until the next reset.", r->name);
	if (strcmp(r->state, "configuring") != 0)
		return region_failf(f, REGION_E_BUSY,
				    "Region %s is %s; targets can only change while it is "
				    "configuring (Disable it, then Decommit).", r->name, r->state);
	if (!ram && strcmp(r->mode, "pmem") != 0)
		return region_failf(f, REGION_E_NOT_SUPPORTED,
				    "Region %s has mode '%s'.", r->name, r->mode);
	if (r->ways == 0 || r->size == 0)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "Region %s has no interleave ways or size yet.", r->name);
	if (pos >= r->ways)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "Position %" PRIu32 " is out of range: region %s has %" PRIu32
				    " ways (positions 0 to %" PRIu32 ").", pos, r->name, r->ways,
				    r->ways - 1);
	for (size_t i = 0; i < r->n_targets; i++) {
		if (r->targets[i].position == pos)
			return region_failf(f, REGION_E_BUSY,
					    "Position %" PRIu32 " of region %s is taken by %s; "
					    "DetachTarget it first.", pos, r->name,
					    r->targets[i].memdev);
		if (strcmp(r->targets[i].memdev, memdev) == 0)
			return region_failf(f, REGION_E_INVALID_ARGUMENT,
					    "Memdev %s already holds position %" PRIu32 " of "
					    "region %s.", memdev, r->targets[i].position, r->name);
	}
	if (check_memdev(m, w, ram, r->size / r->ways, facts, 1, memdev, pos, f) < 0)
		return -1;
	k = facts_find(facts, 1, memdev);
	if (strlen(k->free_decoder) >= 64)
		return region_failf(f, REGION_E_INTERNAL, "Decoder name too long.");
	strcpy(ret_decoder, k->free_decoder);
	return 0;
}
