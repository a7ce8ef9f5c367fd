// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ownership.h"
#include "strv.h"

static bool region_enabled(const struct region *r)
{
	return r->state && (!strcmp(r->state, "enabled") || !strcmp(r->state, "online"));
}

static int cmp_region_start(const void *a, const void *b)
{
	const struct region *x = *(const struct region *const *)a;
	const struct region *y = *(const struct region *const *)b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Do the enabled regions in @v (sorted by start) cover [start, end]? */
static bool cover(const struct region *const *v, size_t n, uint64_t start, uint64_t end)
{
	uint64_t next = start;

	for (size_t i = 0; i < n; i++) {
		if (!v[i]->size || v[i]->start > next)
			break;
		if (v[i]->start + v[i]->size - 1 >= end)
			return true;
		if (v[i]->start + v[i]->size > next)
			next = v[i]->start + v[i]->size;
	}
	return false;
}

int ownership_facts(const struct model *m, const struct softreserved *sr,
		    struct ownership_facts *f)
{
	size_t n = strv_length(sr->regions), k = 0;
	const struct region **enabled;
	int32_t node = -2;
	int r = 0;

	memset(f, 0, sizeof(*f));
	f->numa_node = -1;
	enabled = calloc(n + 1, sizeof(*enabled));
	if (!enabled)
		return -ENOMEM;
	for (size_t i = 0; i < n && !r; i++) {
		const struct region *reg = model_find(m, OBJECT_REGION, sr->regions[i]);

		if (!reg)
			continue;
		if (region_enabled(reg)) {
			enabled[k++] = reg;
			r = strv_extend(&f->covering, reg->name);
		}
		for (size_t t = 0; t < reg->n_targets && !r; t++) {
			const struct memdev *md = model_find(m, OBJECT_MEMDEV, reg->targets[t].memdev);

			if (!reg->targets[t].memdev || !*reg->targets[t].memdev ||
			    strv_contains(f->memdevs, reg->targets[t].memdev))
				continue;
			r = strv_extend(&f->memdevs, reg->targets[t].memdev);
			if (r || !md)
				continue;
			if (region_enabled(reg) && !md->enabled && !f->unhealthy)
				f->unhealthy = strdup(md->name);
			uint64_t *s = realloc(f->serials, (f->n_serials + 1) * sizeof(*s));

			if (!s) {
				r = -ENOMEM;
				break;
			}
			s[f->n_serials++] = md->serial;
			f->serials = s;
			if (node == -2)
				node = md->numa_node;
			else if (node != md->numa_node)
				node = -1;
		}
	}
	if (!r) {
		qsort(enabled, k, sizeof(*enabled), cmp_region_start);
		f->covered = k && cover(enabled, k, sr->start, sr->start + sr->size - 1);
		strv_sort(f->memdevs);
		f->numa_node = node >= 0 ? node : -1;
		for (size_t i = 0; i < model_count(m, OBJECT_DAX); i++) {
			const struct dax *d = model_object(m, OBJECT_DAX, i);

			if (d->softreserved && !strcmp(d->softreserved, sr->name) &&
			    d->numa_node >= 0)
				f->numa_node = d->numa_node;
		}
	}
	free(enabled);
	if (r)
		ownership_facts_clear(f);
	return r;
}

void ownership_facts_clear(struct ownership_facts *f)
{
	strv_free(f->memdevs);
	free(f->serials);
	free(f->unhealthy);
	strv_free(f->covering);
	memset(f, 0, sizeof(*f));
}

static bool any_in(char *const *have, char *const *want)
{
	for (size_t i = 0; have && have[i]; i++)
		if (strv_contains(want, have[i]))
			return true;
	return false;
}

bool ownership_rule_matches(const struct policy_rule *rule,
			    const struct softreserved *sr,
			    const struct ownership_facts *f)
{
	if (rule->has_range &&
	    (rule->range_start > sr->start + sr->size - 1 || rule->range_end < sr->start))
		return false;
	if (rule->memdevs && !any_in(f->memdevs, rule->memdevs))
		return false;
	if (rule->windows && !any_in(sr->windows, rule->windows))
		return false;
	if (rule->n_serials) {
		bool hit = false;

		for (size_t i = 0; i < f->n_serials && !hit; i++)
			for (size_t j = 0; j < rule->n_serials && !hit; j++)
				hit = f->serials[i] == rule->serials[j];
		if (!hit)
			return false;
	}
	if (rule->n_nodes) {
		bool hit = false;

		for (size_t j = 0; j < rule->n_nodes && !hit; j++)
			hit = f->numa_node == rule->nodes[j];
		if (!hit)
			return false;
	}
	return true;
}

static char *join(char *const *l)
{
	size_t n = 1;
	char *s, *p;

	for (size_t i = 0; l && l[i]; i++)
		n += strlen(l[i]) + 2;
	s = p = malloc(n);
	if (!s)
		return NULL;
	*p = '\0';
	for (size_t i = 0; l && l[i]; i++)
		p += sprintf(p, "%s%s", i ? ", " : "", l[i]);
	return s;
}

/* Why auto picks what it picks, from @f. */
static int auto_reason(const struct softreserved *sr, const struct ownership_facts *f,
		       char **out)
{
	char *regions = join(f->covering);
	int r;

	if (!regions)
		return -ENOMEM;
	if (f->covered && !f->unhealthy)
		r = asprintf(out, "enabled CXL regions (%s) cover all of it and every target memdev is enabled", regions);
	else if (f->covered)
		r = asprintf(out, "CXL regions (%s) cover it but target memdev %s is disabled", regions, f->unhealthy);
	else if (f->covering)
		r = asprintf(out, "enabled CXL regions (%s) cover only part of it", regions);
	else if (strv_length(sr->regions))
		r = asprintf(out, "no enabled CXL region covers it (%zu not enabled)", strv_length(sr->regions));
	else
		r = asprintf(out, "no CXL region covers it");
	free(regions);
	return r < 0 ? -ENOMEM : 0;
}

int ownership_decide(const struct policy *p, const struct model *m,
		     const struct softreserved *sr, struct ownership_decision *d)
{
	struct ownership_facts f;
	const struct policy_rule *hit = NULL;
	char *why = NULL;
	int r;

	memset(d, 0, sizeof(*d));
	r = ownership_facts(m, sr, &f);
	if (r)
		return r;
	for (size_t i = p->n_rules; i-- > 0;) {
		if (ownership_rule_matches(&p->rules[i], sr, &f)) {
			hit = &p->rules[i];
			break;
		}
	}
	d->asked = hit ? hit->owner : p->default_owner;
	/* the follow-up separately: the last matching rule that sets one */
	d->online = p->default_online;
	for (size_t i = p->n_rules; i-- > 0;) {
		if (p->rules[i].online != POLICY_ONLINE_UNSET &&
		    ownership_rule_matches(&p->rules[i], sr, &f)) {
			d->online = p->rules[i].online;
			break;
		}
	}
	d->rule = hit ? hit->name : "default";
	d->origin = hit ? hit->origin : (p->default_origin ? p->default_origin : "built-in");
	d->covered = f.covered && !f.unhealthy;

	r = auto_reason(sr, &f, &why);
	if (r)
		goto out;
	switch (d->asked) {
	case POLICY_OWNER_AUTO:
		d->owner = d->covered ? POLICY_OWNER_CXL : POLICY_OWNER_HMEM;
		r = asprintf(&d->reason, "%s %s (%s) says auto: %s, so %s",
			     hit ? "rule" : "the", d->rule, d->origin, why,
			     policy_owner_name(d->owner));
		break;
	case POLICY_OWNER_CXL:
	case POLICY_OWNER_HMEM:
		d->owner = d->asked;
		r = asprintf(&d->reason, "%s %s (%s) says %s (%s)",
			     hit ? "rule" : "the", d->rule, d->origin,
			     policy_owner_name(d->owner), why);
		break;
	}
	r = r < 0 ? -ENOMEM : 0;
out:
	free(why);
	ownership_facts_clear(&f);
	if (r)
		ownership_decision_clear(d);
	return r;
}

void ownership_decision_clear(struct ownership_decision *d)
{
	free(d->reason);
	memset(d, 0, sizeof(*d));
}

static struct json_object *strv_json(char *const *l)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && l && l[i]; i++)
		if (json_object_array_add(a, json_object_new_string(l[i]))) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

static struct json_object *explain_one(const struct policy *p, const struct model *m,
				       const struct softreserved *sr)
{
	struct ownership_decision d;
	struct ownership_facts f;
	struct json_object *o, *serials;
	char hex[24];

	if (ownership_decide(p, m, sr, &d))
		return NULL;
	if (ownership_facts(m, sr, &f)) {
		ownership_decision_clear(&d);
		return NULL;
	}
	o = json_object_new_object();
	serials = json_object_new_array();
	for (size_t i = 0; serials && i < f.n_serials; i++)
		json_object_array_add(serials, json_object_new_uint64(f.serials[i]));
	if (o && serials) {
		json_object_object_add(o, "range", json_object_new_string(sr->name));
		snprintf(hex, sizeof(hex), "0x%" PRIx64, sr->start);
		json_object_object_add(o, "start", json_object_new_string(hex));
		snprintf(hex, sizeof(hex), "0x%" PRIx64, sr->size);
		json_object_object_add(o, "size", json_object_new_string(hex));
		json_object_object_add(o, "owner", json_object_new_string(policy_owner_name(d.owner)));
		json_object_object_add(o, "asked", json_object_new_string(policy_owner_name(d.asked)));
		json_object_object_add(o, "online", json_object_new_string(policy_online_name(d.online)));
		json_object_object_add(o, "rule", json_object_new_string(d.rule));
		json_object_object_add(o, "origin", json_object_new_string(d.origin));
		json_object_object_add(o, "reason", json_object_new_string(d.reason));
		json_object_object_add(o, "covered", json_object_new_boolean(d.covered));
		json_object_object_add(o, "windows", strv_json(sr->windows));
		json_object_object_add(o, "regions", strv_json(sr->regions));
		json_object_object_add(o, "memdevs", strv_json(f.memdevs));
		json_object_object_add(o, "serials", serials);
		serials = NULL;
		json_object_object_add(o, "numa_node", json_object_new_int(f.numa_node));
		json_object_object_add(o, "current_owner",
				       json_object_new_string(sr->owner ? sr->owner : ""));
	} else {
		json_object_put(o);
		o = NULL;
	}
	json_object_put(serials);
	ownership_facts_clear(&f);
	ownership_decision_clear(&d);
	return o;
}

struct json_object *ownership_explain(const struct policy *p, const struct model *m)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < model_count(m, OBJECT_SOFTRESERVED); i++) {
		struct json_object *o = explain_one(p, m, model_object(m, OBJECT_SOFTRESERVED, i));

		if (!o || json_object_array_add(a, o)) {
			json_object_put(o);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}
