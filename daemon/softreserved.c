// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "softreserved.h"
#include "sysfs.h"
#include "strv.h"

int iomem_parse_soft_reserved(const char *text, struct iomem_range **ret)
{
	struct iomem_range *v = NULL;
	size_t n = 0;

	for (const char *l = text; l && *l;) {
		const char *eol = strchrnul(l, '\n');
		unsigned long long s, e;
		char name[64];
		int consumed = 0;

		/* "  100000000-11fffffff : Soft Reserved" */
		if (sscanf(l, " %llx-%llx : %63[^\n]%n", &s, &e, name, &consumed) == 3 &&
		    l + consumed <= eol && strcmp(name, "Soft Reserved") == 0 && e >= s) {
			struct iomem_range *nv = realloc(v, (n + 1) * sizeof(*v));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			v[n++] = (struct iomem_range){ .start = s, .end = e };
		}
		l = *eol ? eol + 1 : eol;
	}
	*ret = v;
	return (int)n;
}

static bool overlaps(uint64_t s1, uint64_t n1, uint64_t s2, uint64_t n2)
{
	return n1 && n2 && s1 < s2 + n2 && s2 < s1 + n1;
}

static bool region_is_enabled(const struct region *r)
{
	return r->state && (strcmp(r->state, "enabled") == 0 || strcmp(r->state, "online") == 0);
}

/* Do enabled regions cover [start, start+size) without a gap? */
static bool covered_by_enabled_regions(const struct model *m, uint64_t start, uint64_t size)
{
	uint64_t pos = start, end = start + size;
	bool progress = true;

	/* Regions never overlap each other, so a greedy sweep is exact. */
	while (pos < end && progress) {
		progress = false;
		for (size_t i = 0; i < m->n_regions; i++) {
			const struct region *r = &m->regions[i];

			if (region_is_enabled(r) && r->size && r->start <= pos &&
			    pos < r->start + r->size) {
				pos = r->start + r->size;
				progress = true;
			}
		}
	}
	return pos >= end;
}

static int set_str(char **field, const char *fmt, ...) _printf_(2, 3);
static int set_str(char **field, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

int softreserved_derive(struct model *m)
{
	for (size_t i = 0; i < m->n_softreserved; i++) {
		struct softreserved *sr = &m->softreserved[i];
		const char *hmem_dax = NULL;
		int r;

		sr->windows = strv_free(sr->windows);
		sr->regions = strv_free(sr->regions);
		for (size_t k = 0; k < m->n_windows; k++)
			if (overlaps(sr->start, sr->size, m->windows[k].start, m->windows[k].size) &&
			    strv_extend(&sr->windows, m->windows[k].name) < 0)
				return -ENOMEM;
		for (size_t k = 0; k < m->n_regions; k++)
			if (overlaps(sr->start, sr->size, m->regions[k].start, m->regions[k].size) &&
			    strv_extend(&sr->regions, m->regions[k].name) < 0)
				return -ENOMEM;
		for (size_t k = 0; k < m->n_daxes && !hmem_dax; k++)
			if (m->daxes[k].softreserved &&
			    strcmp(m->daxes[k].softreserved, sr->name) == 0)
				hmem_dax = m->daxes[k].name;

		if (hmem_dax) {
			r = set_str(&sr->owner, "hmem");
			if (r >= 0)
				r = set_str(&sr->reason, "dax_hmem registered it as %s", hmem_dax);
		} else if (sr->regions && covered_by_enabled_regions(m, sr->start, sr->size)) {
			r = set_str(&sr->owner, "cxl");
			if (r >= 0)
				r = set_str(&sr->reason, "enabled CXL regions cover it");
		} else if (sr->windows) {
			r = set_str(&sr->owner, "none");
			if (r >= 0)
				r = set_str(&sr->reason,
					    "it intersects CXL window %s, so dax_hmem left it to "
					    "CXL, but %s",
					    sr->windows[0],
					    sr->regions ? "the CXL regions there do not cover it "
							  "or are not enabled" :
							  "no CXL region maps it");
		} else {
			r = set_str(&sr->owner, "none");
			if (r >= 0)
				r = set_str(&sr->reason,
					    "no CXL window intersects it and dax_hmem has not "
					    "registered it (is dax_hmem loaded?)");
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int softreserved_kernel_dir(uint64_t start, char **ret)
{
	DIR *d = opendir(SOFTRESERVED_KERNEL_DIR);
	struct dirent *e;
	int r = 0;

	if (!d)
		return 0;
	while (r == 0 && (e = readdir(d))) {
		_cleanup_free_ char *s = NULL;

		if (strncmp(e->d_name, "range", 5) != 0)
			continue;
		s = sysfs_read(SOFTRESERVED_KERNEL_DIR "/%s/start", e->d_name);
		if (!s || strtoull(s, NULL, 0) != start)
			continue;
		r = asprintf(ret, SOFTRESERVED_KERNEL_DIR "/%s", e->d_name) < 0 ? -ENOMEM : 1;
	}
	closedir(d);
	return r;
}

int softreserved_read_kernel(struct model *m)
{
	for (size_t i = 0; i < m->n_softreserved; i++) {
		struct softreserved *sr = &m->softreserved[i];
		_cleanup_free_ char *dir = NULL, *state = NULL, *reason = NULL;
		int r;

		r = softreserved_kernel_dir(sr->start, &dir);
		if (r <= 0) {
			if (r < 0)
				return r;
			continue;
		}
		state = sysfs_read("%s/state", dir);
		reason = sysfs_read("%s/reason", dir);
		if (!state)
			continue;
		r = set_str(&sr->owner, "%s", strcmp(state, "unowned") == 0 ? "none" : state);
		if (r >= 0)
			r = set_str(&sr->reason, "kernel: %s", reason ? reason : "(no reason given)");
		if (r < 0)
			return r;
	}
	return 0;
}
