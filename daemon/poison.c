// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "poison.h"
#include "strv.h"
#include "sysfs.h"

#define CXL_DEVICES "/sys/bus/cxl/devices"
#define CXL_DEBUGFS "/sys/kernel/debug/cxl"
#define TRACE_INSTANCE "cxlmemd-poison"

/* The kernel's answer to a poison write, as a failure a person can act on. */
static int kernel_fail(struct region_fail *f, int rc, const char *memdev, const char *what,
		       uint64_t dpa)
{
	switch (rc) {
	case -ENOENT:
		return region_failf(f, REGION_E_BUSY,
				    "%s has no %s file now (not bound to cxl_mem, or unbound "
				    "meanwhile); bind it and try again.", memdev, what);
	case -EOPNOTSUPP:
	case -ENOTTY:
		return region_failf(f, REGION_E_NOT_SUPPORTED,
				    "%s does not support %s (%s).", memdev, what, strerror(-rc));
	}
	region_failf(f, REGION_E_KERNEL, "The kernel refused %s at DPA 0x%" PRIx64 " of %s: %s (%s).",
		     what, dpa, memdev, strerror(-rc), strerrorname_np(-rc) ?: "?");
	f->errno_value = -rc;
	return -1;
}

int poison_write(const char *memdev, uint64_t dpa, bool inject, struct region_fail *f)
{
	const char *file = inject ? "inject_poison" : "clear_poison";
	char path[128], value[32];
	int rc;

	snprintf(path, sizeof(path), CXL_DEBUGFS "/%s/%s", memdev, file);
	snprintf(value, sizeof(value), "0x%" PRIx64 "\n", dpa);
	rc = file_write(path, value, 0);
	if (rc < 0)
		return kernel_fail(f, rc, memdev, file, dpa);
	return 0;
}

void poison_list_done(struct poison_list *l)
{
	free(l->v);
	*l = (struct poison_list){};
}

static int list_append(struct poison_list *l, const struct poison_record *rec)
{
	struct poison_record *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *rec;
	return 0;
}

/* Every "List" record of a memdev in @memdevs from the trace text. */
static int collect(const char *text, char *const *memdevs, size_t n, struct poison_list *ret)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct poison_record rec;
		bool ours = false;
		int r = poison_record_parse(line, &rec);

		if (r < 0)
			log_warning("Ignoring a malformed cxl_poison trace line: %s", line);
		if (r <= 0 || strcmp(rec.type, "List") != 0)
			continue;
		for (size_t i = 0; i < n; i++)
			ours |= strcmp(memdevs[i], rec.memdev) == 0;
		if (ours && list_append(ret, &rec) < 0)
			return -ENOMEM;
	}
	return 0;
}

int poison_list_read(char *const *memdevs, size_t n, struct poison_list *ret,
		     struct region_fail *f)
{
	static const char *const events[] = { "cxl/cxl_poison" };
	_cleanup_free_ char *text = NULL;
	int rc;

	*ret = (struct poison_list){};
	rc = tracefs_instance_setup(TRACE_INSTANCE, events, ELEMENTSOF(events));
	if (rc == -ENOENT)
		return region_failf(f, REGION_E_NOT_SUPPORTED,
				    "Listing poison needs tracefs mounted and a kernel with the "
				    "cxl_poison trace event; %s.", tracefs_root() ?
				    "this kernel has no cxl_poison event" : "tracefs is not mounted");
	if (rc < 0 || (rc = tracefs_instance_clear(TRACE_INSTANCE)) < 0)
		return region_failf(f, REGION_E_KERNEL, "Cannot prepare tracefs instance %s: %s.",
				    TRACE_INSTANCE, strerror(-rc));
	for (size_t i = 0; i < n; i++) {
		char path[128];

		/* Synchronous: the records are in the buffer when it returns. */
		snprintf(path, sizeof(path), CXL_DEVICES "/%s/trigger_poison_list", memdevs[i]);
		rc = file_write(path, "1\n", 0);
		if (rc < 0)
			return kernel_fail(f, rc, memdevs[i], "trigger_poison_list", 0);
	}
	text = tracefs_instance_read(TRACE_INSTANCE);
	if (!text)
		return region_failf(f, REGION_E_KERNEL, "Cannot read tracefs instance %s: %m.",
				    TRACE_INSTANCE);
	if (collect(text, memdevs, n, ret) < 0) {
		poison_list_done(ret);
		return region_failf(f, REGION_E_INTERNAL, "Out of memory.");
	}
	return 0;
}

/* ---- the model side ---- */

int poison_check_support(const struct memdev *d, const char *what, struct region_fail *f)
{
	if (strv_contains(d->poison, what))
		return 0;
	/* The commands come with cxl_mem: an unbound memdev has none for now. */
	if (!d->enabled)
		return region_failf(f, REGION_E_BUSY,
				    "%s is not bound to cxl_mem, whose debugfs and sysfs files "
				    "carry the poison commands; bind it and try again.", d->name);
	return region_failf(f, REGION_E_NOT_SUPPORTED,
			    "%s cannot %s poison here: the device does not support the command "
			    "or the kernel does not offer it (inject and clear need debugfs "
			    "mounted at /sys/kernel/debug, list needs trigger_poison_list).",
			    d->name, strcmp(what, "list") == 0 ? "list" : what);
}

/*
 * How window @w interleaves its host bridges: the firmware's CEDT says so
 * for real windows. cxl_test's mock CEDT is not in sysfs; the module's
 * interleave_arithmetic parameter tells for its windows (cxl_test and
 * real CXL windows do not meet on one machine).
 */
static enum window_arithmetic window_arithmetic(const struct window *w)
{
	_cleanup_free_ char *param = NULL;
	_cleanup_free_ uint8_t *cedt = NULL;
	enum window_arithmetic a = WINDOW_ARITH_UNKNOWN;
	size_t len = 0;
	FILE *f;

	f = fopen("/sys/firmware/acpi/tables/CEDT", "re");
	if (f) {
		cedt = malloc(65536);
		if (cedt)
			len = fread(cedt, 1, 65536, f);
		fclose(f);
		a = cedt_window_arithmetic(cedt, len, w->start);
	}
	if (a != WINDOW_ARITH_UNKNOWN)
		return a;
	param = sysfs_read("/sys/module/cxl_test/parameters/interleave_arithmetic");
	if (param)
		return strcmp(param, "1") == 0 ? WINDOW_ARITH_XOR : WINDOW_ARITH_MODULO;
	return WINDOW_ARITH_UNKNOWN;
}

static int read_u64(const char *device, const char *attr, uint64_t *ret)
{
	_cleanup_free_ char *s = sysfs_read(CXL_DEVICES "/%s/%s", device, attr);
	char *end;

	if (!s)
		return -ENOENT;
	errno = 0;
	*ret = strtoull(s, &end, 0);
	return errno || end == s ? -EINVAL : 0;
}

int poison_region_load(const struct model *m, const struct region *r,
		       struct poison_target *targets, struct poison_region *ret,
		       struct region_fail *f)
{
	const struct window *w = model_find(m, OBJECT_WINDOW, r->window);

	if (strcmp(r->state, "configuring") == 0)
		return region_failf(f, REGION_E_BUSY,
				    "Region %s is not committed; poison goes through a committed "
				    "region only.", r->name);
	if (!w || r->n_targets > REGION_MAX_WAYS)
		return region_failf(f, REGION_E_BUSY, "Region %s has no window in the model.",
				    r->name);
	for (size_t i = 0; i < r->n_targets; i++) {
		const struct region_target *t = &r->targets[i];

		if (t->position != i)
			return region_failf(f, REGION_E_BUSY,
					    "Region %s has no target at position %zu.", r->name, i);
		targets[i].memdev = t->memdev;
		if (read_u64(t->decoder, "dpa_resource", &targets[i].dpa_base) < 0 ||
		    read_u64(t->decoder, "dpa_size", &targets[i].dpa_size) < 0)
			return region_failf(f, REGION_E_BUSY,
					    "Cannot read the DPA of %s (position %zu of %s); is "
					    "%s still bound?", t->decoder, i, r->name, t->memdev);
	}
	*ret = (struct poison_region){
		.name = r->name, .size = r->size, .ways = r->ways,
		.granularity = r->granularity, .targets = targets, .n_targets = r->n_targets,
		.window = w->name, .window_ways = w->ways, .arithmetic = window_arithmetic(w),
	};
	return 0;
}

const struct region *poison_dpa_region(const struct model *m, const char *memdev,
				       uint64_t dpa, uint64_t *ret_offset)
{
	for (size_t i = 0; i < m->n_regions; i++) {
		const struct region *r = &m->regions[i];
		struct poison_target targets[REGION_MAX_WAYS];
		struct poison_region pr;
		struct region_fail f = {};
		bool member = false;
		uint64_t off;
		int rc;

		for (size_t t = 0; t < r->n_targets; t++)
			member |= strcmp(r->targets[t].memdev, memdev) == 0;
		if (!member || poison_region_load(m, r, targets, &pr, &f) < 0)
			continue;
		rc = poison_dpa_to_offset(&pr, memdev, dpa, &off, &f);
		if (rc == 0)
			continue;
		*ret_offset = rc > 0 ? off : UINT64_MAX;
		return r;
	}
	return NULL;
}
