// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "region.h"

enum undo_kind {
	UNDO_WRITE,
	UNDO_UNBIND,
	UNDO_DELETE,
};

struct undo {
	enum undo_kind kind;
	char device[REGION_NAME_MAX];
	char attr[32];
	char value[32];
};

struct txn {
	const struct region_ops *ops;
	const char *what;		/* "creating a region in decoder0_0" */
	char window[REGION_NAME_MAX];	/* for UNDO_DELETE */
	struct undo undo[4 + 3 * REGION_MAX_WAYS];
	size_t n;
	struct region_fail *f;
};

static const char *errno_name(int e)
{
	return strerrorname_np(e) ?: "?";
}

static int kernel_refused(struct txn *t, int r, const char *action)
{
	int e = -r;

	region_failf(t->f, REGION_E_KERNEL, "The kernel refused %s while %s: %s (%s).",
		     action, t->what, strerror(e), errno_name(e));
	t->f->errno_value = e;
	/* A kernel that cannot invalidate CPU caches cannot commit (VMs). */
	if (e == ENXIO && strstr(action, "/commit"))
		snprintf(t->f->message + strlen(t->f->message),
			 sizeof(t->f->message) - strlen(t->f->message),
			 " The kernel log says why; in a VM the kernel needs "
			 "CONFIG_CXL_REGION_INVALIDATION_TEST.");
	if (e == EBUSY && (strstr(action, "delete_region") || strstr(action, "/commit") ||
			   strstr(action, "/target")))
		t->f->error = REGION_E_BUSY;
	if (e == EOPNOTSUPP)
		t->f->error = REGION_E_NOT_SUPPORTED;
	return -1;
}

static struct undo *push(struct txn *t, enum undo_kind kind, const char *device,
			 const char *attr, const char *value)
{
	struct undo *u;

	if (t->n >= sizeof(t->undo) / sizeof(t->undo[0]))
		return NULL;
	u = &t->undo[t->n++];
	u->kind = kind;
	snprintf(u->device, sizeof(u->device), "%s", device);
	snprintf(u->attr, sizeof(u->attr), "%s", attr ?: "");
	snprintf(u->value, sizeof(u->value), "%s", value ?: "");
	return u;
}

/* Write; on success remember @undo_value (NULL: nothing to undo). */
static int step_write(struct txn *t, const char *device, const char *attr,
		      const char *value, const char *undo_value)
{
	char action[192];
	int r;

	r = t->ops->write(t->ops->userdata, device, attr, value);
	if (r < 0) {
		snprintf(action, sizeof(action), "writing '%s' to %s/%s", value, device, attr);
		return kernel_refused(t, r, action);
	}
	if (undo_value && !push(t, UNDO_WRITE, device, attr, undo_value))
		return region_failf(t->f, REGION_E_INTERNAL, "Too many steps.");
	return 0;
}

static int step_bind(struct txn *t, const char *region, bool bind, bool undo)
{
	char action[128];
	int r;

	r = t->ops->bind(t->ops->userdata, region, bind);
	if (r < 0) {
		snprintf(action, sizeof(action), "%s %s %s the cxl_region driver",
			 bind ? "binding" : "unbinding", region, bind ? "to" : "from");
		return kernel_refused(t, r, action);
	}
	if (undo && bind && !push(t, UNDO_UNBIND, region, NULL, NULL))
		return region_failf(t->f, REGION_E_INTERNAL, "Too many steps.");
	return 0;
}

static int step_create(struct txn *t, const char *window, const char *mode,
		       char ret[REGION_NAME_MAX])
{
	_cleanup_free_ char *name = NULL;
	char action[128];
	int r;

	r = t->ops->create(t->ops->userdata, window, mode, &name);
	if (r < 0) {
		snprintf(action, sizeof(action), "creating a %s region on %s/create_%s_region",
			 mode, window, mode);
		return kernel_refused(t, r, action);
	}
	if (strlen(name) >= REGION_NAME_MAX)
		return region_failf(t->f, REGION_E_INTERNAL, "Region name too long.");
	strcpy(ret, name);
	snprintf(t->window, sizeof(t->window), "%s", window);
	if (!push(t, UNDO_DELETE, name, NULL, NULL))
		return region_failf(t->f, REGION_E_INTERNAL, "Too many steps.");
	return 0;
}

/* Undo in reverse; a failing undo is logged and named in the message. */
static void rollback(struct txn *t)
{
	size_t left = 0;

	while (t->n > 0) {
		struct undo *u = &t->undo[--t->n];
		void *ud = t->ops->userdata;
		int r;

		switch (u->kind) {
		case UNDO_WRITE:
			r = t->ops->write(ud, u->device, u->attr, u->value);
			break;
		case UNDO_UNBIND:
			r = t->ops->bind(ud, u->device, false);
			break;
		case UNDO_DELETE:
			r = t->ops->delete(ud, t->window, u->device);
			break;
		default:
			r = -EINVAL;
		}
		if (r < 0) {
			log_error_errno(r, "Rollback: undoing a step on %s (%s) failed: %m",
					u->device, u->attr);
			left++;
		}
	}
	if (left) {
		size_t len = strlen(t->f->message);

		snprintf(t->f->message + len, sizeof(t->f->message) - len,
			 " Rolling back, %zu undo step(s) failed too; see the journal.", left);
	} else {
		log_info("Rolled back after: %s", t->f->message);
	}
}

static int finish(struct txn *t, int r)
{
	if (r < 0)
		rollback(t);
	return r;
}

static int geometry(struct txn *t, const struct region_plan *p, const char *name)
{
	char buf[32];
	int r = 0;

	if (p->uuid[0])
		r = step_write(t, name, "uuid", p->uuid, NULL);
	snprintf(buf, sizeof(buf), "%" PRIu32, p->granularity);
	if (r >= 0)
		r = step_write(t, name, "interleave_granularity", buf, NULL);
	snprintf(buf, sizeof(buf), "%" PRIu32, p->ways);
	if (r >= 0)
		r = step_write(t, name, "interleave_ways", buf, NULL);
	snprintf(buf, sizeof(buf), "%" PRIu64, p->size);
	/* delete_region releases the HPA range: nothing to undo here. */
	if (r >= 0)
		r = step_write(t, name, "size", buf, NULL);
	return r;
}

static int attach(struct txn *t, const char *region, const char *mode, uint64_t per_target,
		  uint32_t pos, const char *decoder)
{
	char attr[32], buf[32];
	int r;

	/* A decoder's mode only matters while it holds DPA. */
	r = step_write(t, decoder, "mode", mode, NULL);
	snprintf(buf, sizeof(buf), "%" PRIu64, per_target);
	if (r >= 0)
		r = step_write(t, decoder, "dpa_size", buf, "0");
	snprintf(attr, sizeof(attr), "target%" PRIu32, pos);
	if (r >= 0)
		r = step_write(t, region, attr, decoder, "");
	return r;
}

int region_create(const struct region_ops *ops, const struct region_plan *p,
		  char ret_region[REGION_NAME_MAX], struct region_fail *f)
{
	char what[160];
	struct txn t = { .ops = ops, .what = what, .f = f };
	char name[REGION_NAME_MAX];
	int r;

	snprintf(what, sizeof(what), "creating a %s region in %s", p->mode, p->window);
	r = step_create(&t, p->window, p->mode, name);
	if (r >= 0) {
		snprintf(what, sizeof(what), "creating %s in %s", name, p->window);
		r = geometry(&t, p, name);
	}
	for (uint32_t i = 0; r >= 0 && i < p->ways; i++)
		r = attach(&t, name, p->mode, p->size / p->ways, i, p->targets[i].decoder);
	if (r >= 0)
		r = step_write(&t, name, "commit", "1", "0");
	if (r >= 0)
		r = step_bind(&t, name, true, true);
	if (r >= 0)
		strcpy(ret_region, name);
	return finish(&t, r);
}

int region_create_empty(const struct region_ops *ops, const struct region_plan *p,
			char ret_region[REGION_NAME_MAX], struct region_fail *f)
{
	char what[160];
	struct txn t = { .ops = ops, .what = what, .f = f };
	char name[REGION_NAME_MAX];
	int r;

	snprintf(what, sizeof(what), "creating an empty %s region in %s", p->mode, p->window);
	r = step_create(&t, p->window, p->mode, name);
	if (r >= 0)
		r = geometry(&t, p, name);
	if (r >= 0)
		strcpy(ret_region, name);
	return finish(&t, r);
}

int region_attach_target(const struct region_ops *ops, const char *region,
			 const char *mode, uint64_t per_target, uint32_t pos,
			 const char *decoder, struct region_fail *f)
{
	char what[160];
	struct txn t = { .ops = ops, .what = what, .f = f };

	snprintf(what, sizeof(what), "attaching %s at position %" PRIu32 " of %s", decoder,
		 pos, region);
	return finish(&t, attach(&t, region, mode, per_target, pos, decoder));
}

static const struct region_target *target_at(const struct region *r, uint32_t pos)
{
	for (size_t i = 0; i < r->n_targets; i++)
		if (r->targets[i].position == pos)
			return &r->targets[i];
	return NULL;
}

int region_detach_target(const struct region_ops *ops, const struct region *r,
			 uint32_t pos, struct region_fail *f)
{
	const struct region_target *tg = target_at(r, pos);
	char what[160], attr[32];
	struct txn t = { .ops = ops, .what = what, .f = f };
	int rc;

	if (!tg)
		return region_failf(f, REGION_E_INVALID_ARGUMENT,
				    "Region %s has no target at position %" PRIu32 ".", r->name,
				    pos);
	snprintf(what, sizeof(what), "detaching position %" PRIu32 " (%s) of %s", pos,
		 tg->decoder, r->name);
	snprintf(attr, sizeof(attr), "target%" PRIu32, pos);
	/* Re-attaching after a failed DPA release would need the old size;
	 * a detached decoder holding DPA is what Delete cleans up anyway. */
	rc = step_write(&t, r->name, attr, "", NULL);
	if (rc >= 0)
		rc = step_write(&t, tg->decoder, "dpa_size", "0", NULL);
	return rc;
}

static int single_write(const struct region_ops *ops, const char *region, const char *attr,
			const char *value, const char *verb, struct region_fail *f)
{
	char what[128];
	struct txn t = { .ops = ops, .what = what, .f = f };

	snprintf(what, sizeof(what), "%s %s", verb, region);
	return step_write(&t, region, attr, value, NULL);
}

int region_commit(const struct region_ops *ops, const char *region, struct region_fail *f)
{
	return single_write(ops, region, "commit", "1", "committing", f);
}

int region_decommit(const struct region_ops *ops, const char *region, struct region_fail *f)
{
	return single_write(ops, region, "commit", "0", "decommitting", f);
}

static int single_bind(const struct region_ops *ops, const char *region, bool bind,
		       struct region_fail *f)
{
	char what[128];
	struct txn t = { .ops = ops, .what = what, .f = f };

	snprintf(what, sizeof(what), "%s %s", bind ? "enabling" : "disabling", region);
	return step_bind(&t, region, bind, false);
}

int region_enable(const struct region_ops *ops, const char *region, struct region_fail *f)
{
	return single_bind(ops, region, true, f);
}

int region_disable(const struct region_ops *ops, const char *region, struct region_fail *f)
{
	return single_bind(ops, region, false, f);
}

int region_delete(const struct region_ops *ops, const struct region *r,
		  struct region_fail *f)
{
	char what[128], attr[32], action[128];
	struct txn t = { .ops = ops, .what = what, .f = f };
	bool bound = strcmp(r->state, "enabled") == 0 || strcmp(r->state, "online") == 0;
	bool committed = bound || strcmp(r->state, "committed") == 0;
	int rc = 0;

	snprintf(what, sizeof(what), "deleting %s", r->name);
	if (bound)
		rc = step_bind(&t, r->name, false, false);
	if (rc >= 0 && committed)
		rc = step_write(&t, r->name, "commit", "0", NULL);
	for (size_t i = r->n_targets; rc >= 0 && i > 0; i--) {
		snprintf(attr, sizeof(attr), "target%" PRIu32, r->targets[i - 1].position);
		rc = step_write(&t, r->name, attr, "", NULL);
	}
	for (size_t i = r->n_targets; rc >= 0 && i > 0; i--)
		if (r->targets[i - 1].decoder && *r->targets[i - 1].decoder)
			rc = step_write(&t, r->targets[i - 1].decoder, "dpa_size", "0", NULL);
	if (rc >= 0) {
		rc = ops->delete(ops->userdata, r->window, r->name);
		if (rc < 0) {
			snprintf(action, sizeof(action), "writing '%s' to %s/delete_region",
				 r->name, r->window);
			return kernel_refused(&t, rc, action);
		}
	}
	return rc;
}
