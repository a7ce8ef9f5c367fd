// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Carrying out one Soft Reserved range's ownership decision in the kernel
 * (ownership-apply.h); deciding, remembering attempts and the bus are in
 * ownership-bus.c.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lease.h"
#include "log.h"
#include "macro.h"
#include "ownership-apply.h"
#include "region-bus.h"
#include "region-ops.h"
#include "region.h"
#include "strv.h"
#include "sysfs.h"

static int write_state(const char *dir, const char *value)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/state", dir) < 0)
		return -ENOMEM;
	return file_write(path, value, 0);
}

/* The dax device dax_hmem made of @sr, or NULL. */
static const struct dax *range_dax(const struct model *m, const struct softreserved *sr)
{
	for (size_t i = 0; i < m->n_daxes; i++)
		if (m->daxes[i].softreserved && strcmp(m->daxes[i].softreserved, sr->name) == 0)
			return &m->daxes[i];
	return NULL;
}

#define CXL_DEVICES "/sys/bus/cxl/devices"
#define CXL_MEM_DRIVER "/sys/bus/cxl/drivers/cxl_mem"

/*
 * The memdevs whose endpoint decoders decode part of @sr while in no
 * region: the decode firmware programmed, kept when the kernel released
 * the region to dax_hmem (kernel/patches 0013).
 */
static char **kept_decode_memdevs(const struct softreserved *sr)
{
	DIR *d = opendir(CXL_DEVICES);
	char **memdevs = NULL;
	struct dirent *e;

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		_cleanup_free_ char *start = NULL, *size = NULL, *region = NULL;
		_cleanup_free_ char *memdev = NULL;
		uint64_t a, n;

		if (strncmp(e->d_name, "decoder", 7) != 0 ||
		    !sysfs_exists(CXL_DEVICES "/%s/dpa_size", e->d_name))
			continue;
		start = sysfs_read(CXL_DEVICES "/%s/start", e->d_name);
		size = sysfs_read(CXL_DEVICES "/%s/size", e->d_name);
		region = sysfs_read(CXL_DEVICES "/%s/region", e->d_name);
		if (!start || !size || (region && *region))
			continue;
		a = strtoull(start, NULL, 0);
		n = strtoull(size, NULL, 0);
		if (!n || a > sr->start + sr->size - 1 || a + n - 1 < sr->start)
			continue;
		/* decoderX.Y sits under endpointX, whose uport is the memdev */
		memdev = sysfs_link_name(CXL_DEVICES "/%s/../uport", e->d_name);
		if (memdev && !strv_contains(memdevs, memdev) && strv_extend(&memdevs, memdev) < 0)
			break;
	}
	closedir(d);
	return memdevs;
}

/* Do endpoint decoders keep firmware decode of @sr that CXL can reassemble? */
bool ownership_has_kept_decode(const struct softreserved *sr)
{
	char **memdevs = kept_decode_memdevs(sr);
	bool any = strv_length(memdevs) > 0;

	strv_free(memdevs);
	return any;
}

/*
 * CXL got @sr back: let autodiscovery assemble its regions again from the
 * kept decode by probing the endpoints anew (unbind and bind cxl_mem).
 * The bind is retried while the kernel's detach work from the unbind is
 * still pending (cxl_mem_probe returns -EBUSY until then).
 */
size_t ownership_reassemble(const struct softreserved *sr)
{
	char **memdevs = kept_decode_memdevs(sr);
	size_t n = strv_length(memdevs);

	for (size_t i = 0; memdevs && memdevs[i]; i++) {
		int r = file_write(CXL_MEM_DRIVER "/unbind", memdevs[i], 0);

		if (r < 0) {
			log_warning("%s: unbinding %s to reassemble its region: %s", sr->name,
				    memdevs[i], strerror(-r));
			continue;
		}
		for (int k = 0; k < 100; k++) {
			if (sysfs_exists(CXL_DEVICES "/%s/driver", memdevs[i]))
				break;
			(void)file_write(CXL_MEM_DRIVER "/bind", memdevs[i], 0);
			if (sysfs_exists(CXL_DEVICES "/%s/driver", memdevs[i]))
				break;
			usleep(100 * 1000);
		}
		if (!sysfs_exists(CXL_DEVICES "/%s/driver", memdevs[i]))
			log_warning("%s: %s did not bind again to cxl_mem", sr->name, memdevs[i]);
		else
			log_info("%s: probed %s again so CXL reassembles its region", sr->name,
				 memdevs[i]);
	}
	strv_free(memdevs);
	return n;
}

static int failed(char **why, const char *fmt, ...) _printf_(2, 3);
static int failed(char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(why, fmt, ap) < 0)
		*why = NULL;
	va_end(ap);
	return -1;
}

/* Append "; @what" to *@why. Returns 1, the "done, but" of ownership_handoff(). */
int ownership_caveat(char **why, const char *what)
{
	char *s;

	if (*why && asprintf(&s, "%s; %s", *why, what) >= 0) {
		free(*why);
		*why = s;
	}
	return 1;
}

/* The window of the model holding all of @sr, or NULL. */
static const struct window *holding_window(const struct model *m, const struct softreserved *sr)
{
	for (size_t i = 0; i < m->n_windows; i++) {
		const struct window *w = &m->windows[i];

		if (w->start <= sr->start && sr->start + sr->size <= w->start + w->size)
			return &w[0];
	}
	return NULL;
}

/* Does any region of the model decode part of @sr? */
bool ownership_range_has_region(const struct model *m, const struct softreserved *sr)
{
	for (size_t i = 0; i < m->n_regions; i++) {
		const struct region *r = &m->regions[i];

		if (r->size && r->start < sr->start + sr->size && sr->start < r->start + r->size)
			return true;
	}
	return false;
}

/* A region of the model as region_delete() wants it, from a plan. */
static void plan_region(const struct region_plan *p, const char *name, const char *state,
			struct region *r, struct region_target *t)
{
	*t = (struct region_target){ .position = 0, .memdev = (char *)p->targets[0].memdev,
				     .decoder = (char *)p->targets[0].decoder };
	*r = (struct region){ .name = (char *)name, .window = (char *)p->window,
			      .mode = (char *)p->mode, .state = (char *)state,
			      .targets = t, .n_targets = 1 };
}

/*
 * CXL owns @sr and nothing decodes it, not even kept firmware decode:
 * make a region over it, as a CreateRegion without memdevs would (1 way,
 * the range's size, in the window holding it, ram where the window and a
 * memdev can, else pmem). The kernel places a new region over a range
 * handed to CXL (kernel/patches 0015); a kernel that places it elsewhere
 * gets the empty region deleted again before any decoder is programmed.
 * Returns 0, or -1 with @why set and nothing left behind.
 */
int ownership_place_region(Manager *m, const struct softreserved *sr, char **why)
{
	static const char *const modes[] = { "ram", "pmem" };
	const struct region_ops *ops = m->region_ops;
	const struct window *w = holding_window(&m->model, sr);
	struct region_fail f = { 0 }, g = { 0 };
	struct facts facts = { 0 };
	struct region_plan plan;
	char name[REGION_NAME_MAX];
	_cleanup_free_ char *res = NULL;
	struct region_target t;
	struct region reg;
	uint64_t start;
	int r = -1;

	if (!w)
		return failed(why, "handed to CXL, but no CXL window holds all of it");
	if (facts_gather(&facts, m, NULL, 0) >= 0)
		for (size_t i = 0; i < ELEMENTSOF(modes) && r < 0; i++) {
			struct region_request req = {
				.window = w->name, .mode = modes[i], .size = sr->size,
				.ways = 1, .numa_node = -1,
			};

			r = region_request_check(&req, &m->model, facts.v, facts.n, &plan, &f);
		}
	facts_done(&facts);
	if (r < 0)
		return failed(why, "handed to CXL, but no region can be made over it: %s",
			      f.message[0] ? f.message : "cannot ask the kernel about the memdevs");
	if (strcmp(plan.mode, "pmem") == 0 && generate_uuid(plan.uuid) < 0)
		return failed(why, "handed to CXL, but no uuid for a pmem region");

	if (region_create_empty(ops, &plan, name, &f) < 0)
		return failed(why, "handed to CXL, but creating a region over it failed: %s",
			      f.message);
	res = sysfs_read(CXL_DEVICES "/%s/resource", name);
	start = res ? strtoull(res, NULL, 0) : 0;
	if (start != sr->start) {
		r = ops->delete(ops->userdata, plan.window, name);
		if (r < 0)
			log_warning("%s: deleting %s again: %s", sr->name, name, strerror(-r));
		return failed(why, "handed to CXL, but the kernel placed a new region at 0x%" PRIx64
			      ", not over the range: this kernel places regions around Soft "
			      "Reserved ranges (kernel/patches 0015 places them over a range "
			      "handed to CXL)", start);
	}
	plan_region(&plan, name, "configuring", &reg, &t);
	r = region_attach_target(ops, name, plan.mode, plan.size, 0, plan.targets[0].decoder, &f);
	if (r >= 0) {
		reg.state = "configuring";
		r = region_commit(ops, name, &f);
	}
	if (r >= 0) {
		reg.state = "committed";
		r = region_enable(ops, name, &f);
	}
	if (r < 0) {
		if (region_delete(ops, &reg, &g) < 0)
			log_warning("%s: deleting %s again: %s", sr->name, name, g.message);
		return failed(why, "handed to CXL, but assembling %s over it failed: %s", name,
			      f.message);
	}
	log_info("%s: made %s (%s, %s) over it", sr->name, name, plan.mode, plan.targets[0].memdev);
	return 0;
}

/*
 * @sr goes from CXL to dax_hmem, but regions userspace made lie in it (the
 * kernel refuses the handoff while they do, EADDRINUSE): the policy gives
 * the range to dax_hmem, so they go, their memory offline first. A region
 * reaching outside the range, attached by a consumer or locked stays, and
 * so does the range. Returns 0, or -1 with @why set.
 */
static int clear_regions(Manager *m, const struct softreserved *sr, char **why)
{
	const struct model *md = &m->model;
	struct region_fail f = { 0 };

	for (size_t i = 0; i < md->n_regions; i++) {
		const struct region *r = &md->regions[i];
		_cleanup_free_ char *list = NULL;

		if (!r->size || r->start + r->size <= sr->start || r->start >= sr->start + sr->size)
			continue;
		if (r->start < sr->start || r->start + r->size > sr->start + sr->size)
			return failed(why, "handoff to hmem refused: %s also decodes memory "
				      "outside the range", r->name);
		if (r->locked > 0)
			return failed(why, "handoff to hmem refused: %s is locked", r->name);
		if (lease_count(m, r->name, &list) > 0)
			return failed(why, "handoff to hmem refused: %s is attached by %s", r->name,
				      list ? list : "a consumer");
	}
	for (size_t i = 0; i < md->n_regions; i++) {
		const struct region *r = &md->regions[i];

		if (!r->size || r->start < sr->start || r->start + r->size > sr->start + sr->size)
			continue;
		if (r->dax && *r->dax && strcmp(r->state, "online") == 0 &&
		    dax_memory_offline(m->region_ops, r->dax, r->name, &f) < 0)
			return failed(why, "handoff to hmem refused: %s", f.message);
		if (region_delete(m->region_ops, r, &f) < 0)
			return failed(why, "handoff to hmem: deleting %s failed: %s", r->name,
				      f.message);
		log_info("%s: deleted %s, which lay in it, for dax_hmem", sr->name, r->name);
	}
	return 0;
}

/*
 * The memory of @sr's dax_hmem device was offlined for a handoff that
 * failed: online it again, in @zone, whichever dax device dax_hmem has
 * for it now (a failed handoff after the state write registers it anew).
 */
static void online_again(Manager *m, const struct softreserved *sr, const char *dir,
			 const char *zone)
{
	_cleanup_free_ char *hmem = sysfs_read("%s/device", dir), *path = NULL;
	struct region_fail f = { 0 };
	struct dirent *de;
	DIR *d = NULL;
	int r = -1;

	if (!zone || !*zone)
		zone = "movable";
	if (hmem && asprintf(&path, "/sys/bus/platform/devices/%s", hmem) >= 0)
		d = opendir(path);
	while (d && (de = readdir(d)))
		if (strncmp(de->d_name, "dax", 3) == 0 && strchr(de->d_name, '.')) {
			r = dax_memory_online(m->region_ops, de->d_name, sr->name, zone, &f);
			if (r >= 0)
				log_info("%s: onlined %s in zone %s again", sr->name, de->d_name,
					 zone);
			break;
		}
	if (d)
		closedir(d);
	if (r >= 0)
		return;
	log_warning("%s: onlining its memory again after a failed handoff: %s", sr->name,
		    f.message[0] ? f.message : "no dax_hmem device for it");
}

/*
 * Move @sr (kernel directory @dir, kernel state @state) to @d's owner.
 * Returns 0; 1 when done but @why says what it means; -1 with @why set.
 */
int ownership_handoff(Manager *m, const struct softreserved *sr, const char *dir,
		      const char *state, const struct ownership_decision *d, char **why)
{
	const char *to = policy_owner_name(d->owner);
	const struct dax *dax = range_dax(&m->model, sr);
	struct region_fail f = { 0 };
	bool offlined = false;
	int rc;

	if (strcmp(state, "hmem") == 0 && dax && dax->online) {
		/* never yank online memory: offline first, or stay */
		if (dax_memory_offline(m->region_ops, dax->name, sr->name, &f) < 0) {
			return failed(why, "handoff to %s refused: %s", to, f.message);
		}
		offlined = true;
	}
	rc = write_state(dir, to);
	if (rc == -EADDRINUSE && strcmp(state, "cxl") == 0 && d->owner == POLICY_OWNER_HMEM) {
		/* regions userspace made lie in it (the kernel releases its own) */
		if (clear_regions(m, sr, why) < 0)
			return -1;
		rc = write_state(dir, to);
	}
	if (rc >= 0) {
		if (d->owner != POLICY_OWNER_CXL || d->covered || ownership_reassemble(sr) > 0 ||
		    ownership_place_region(m, sr, why) == 0)
			return 0;
		/* nothing would use it: a failed handoff restores the previous owner */
		if (strcmp(state, "hmem") == 0)
			rc = write_state(dir, state);
		if (strcmp(state, "hmem") != 0 || rc < 0) {
			if (rc < 0)
				log_error("%s: giving it back to dax_hmem failed: %s", sr->name,
					  strerror(-rc));
			return ownership_caveat(why, "nothing uses this memory now");
		}
		if (offlined)
			online_again(m, sr, dir, dax->zone);
		(void)ownership_caveat(why, "dax_hmem owns it again");
		return -1;
	}
	(void)failed(why, "the kernel refused the handoff from %s to %s: %s (%s)", state, to,
		     strerror(-rc), strerrorname_np(-rc) ?: "?");
	if (offlined)
		online_again(m, sr, dir, dax->zone);
	return -1;
}

/* After dax_hmem owns it: the follow-up the decision asks for. */
int ownership_follow_up(Manager *m, const struct softreserved *sr,
			const struct ownership_decision *d, char **why)
{
	const struct dax *dax = range_dax(&m->model, sr);
	struct region_fail f = { 0 };
	const char *zone;

	if (d->online != POLICY_ONLINE_MOVABLE && d->online != POLICY_ONLINE_NORMAL)
		return 0;
	if (!dax)
		return 0;
	zone = d->online == POLICY_ONLINE_MOVABLE ? "movable" : "normal";
	if (dax->online && dax->zone && strcmp(dax->zone, zone) == 0)
		return 0;
	if (dax->online) {
		/*
		 * Onlined elsewhere (the kernel's auto-online policy) in the
		 * other zone: move it if the kernel can offline it; if not,
		 * it stays as it is and the explanation says so.
		 */
		if (dax_memory_offline(m->region_ops, dax->name, sr->name, &f) < 0) {
			return failed(why, "online in zone %s, not %s, and cannot be offlined: %s",
				      dax->zone ? dax->zone : "?", zone, f.message);
		}
		log_info("%s: offlined %s (zone %s) to online it in zone %s", sr->name, dax->name,
			 dax->zone ? dax->zone : "?", zone);
	}
	if (dax_memory_online(m->region_ops, dax->name, sr->name, zone, &f) < 0) {
		return failed(why, "online as %s failed: %s", zone, f.message);
	}
	log_info("%s: onlined %s in zone %s, as the policy asks", sr->name, dax->name, zone);
	return 0;
}
