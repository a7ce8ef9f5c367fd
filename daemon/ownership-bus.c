// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "config.h"

#include "bouncer.h"
#include "bus-interfaces.h"
#include "log.h"
#include "model-bus.h"
#include "monitor.h"
#include "ownership-apply.h"
#include "ownership-bus.h"
#include "policy/ownership.h"
#include "policy/policy.h"
#include "region-bus.h"
#include "softreserved.h"
#include "strv.h"
#include "sysfs.h"

static void *mfree(void *p)
{
	free(p);
	return NULL;
}

/* What was last tried for a range, so a refused write is not repeated. */
struct attempt {
	char *range;
	char *wanted;		/* "owner/online" */
	char *kernel_state;	/* the range's kernel state when tried */
	char *outcome;		/* "" on success, else why it failed */
};

struct ownership {
	struct policy policy;		/* the files */
	struct policy runtime;		/* SetOwner(persist=false) rules */
	char *load_error;		/* why the last (re)load failed, or NULL */
	struct attempt *attempts;
	size_t n_attempts;
	bool applying;
	bool applied_once;		/* since the daemon started */
};

const char *ownership_policy_dir(void)
{
	return getenv("CXLMEMD_POLICY_DIR") ?: CXLMEMD_POLICY_DIR;
}

const char *ownership_dropin_dir(void)
{
	return getenv("CXLMEMD_POLICY_DROPIN_DIR") ?: CXLMEMD_POLICY_DROPIN_DIR;
}

/* The policy rules followed by the runtime overrides; borrowed storage. */
static struct policy combined(const struct ownership *o, struct policy_rule **buf)
{
	struct policy p = o->policy;
	size_t n = o->policy.n_rules + o->runtime.n_rules;

	*buf = calloc(n ? n : 1, sizeof(**buf));
	if (*buf) {
		/* memcpy() from NULL is undefined even for 0 bytes */
		if (o->policy.n_rules)
			memcpy(*buf, o->policy.rules, o->policy.n_rules * sizeof(**buf));
		if (o->runtime.n_rules)
			memcpy(*buf + o->policy.n_rules, o->runtime.rules,
			       o->runtime.n_rules * sizeof(**buf));
		p.rules = *buf;
		p.n_rules = n;
	}
	return p;
}

static struct attempt *attempt_find(struct ownership *o, const char *range)
{
	for (size_t i = 0; i < o->n_attempts; i++)
		if (strcmp(o->attempts[i].range, range) == 0)
			return &o->attempts[i];
	return NULL;
}

static void attempts_clear(struct ownership *o)
{
	for (size_t i = 0; i < o->n_attempts; i++) {
		free(o->attempts[i].range);
		free(o->attempts[i].wanted);
		free(o->attempts[i].kernel_state);
		free(o->attempts[i].outcome);
	}
	free(o->attempts);
	o->attempts = NULL;
	o->n_attempts = 0;
}

static int attempt_record(struct ownership *o, const char *range, const char *wanted,
			  const char *state, const char *outcome)
{
	struct attempt *a = attempt_find(o, range);

	if (!a) {
		a = realloc(o->attempts, (o->n_attempts + 1) * sizeof(*a));
		if (!a)
			return -ENOMEM;
		o->attempts = a;
		a = &o->attempts[o->n_attempts++];
		memset(a, 0, sizeof(*a));
		a->range = strdup(range);
	}
	free(a->wanted);
	free(a->kernel_state);
	free(a->outcome);
	a->wanted = strdup(wanted);
	a->kernel_state = strdup(state);
	a->outcome = strdup(outcome);
	return a->range && a->wanted && a->kernel_state && a->outcome ? 0 : -ENOMEM;
}

static void apply_one(Manager *m, const struct policy *p, const struct softreserved *sr)
{
	struct ownership *o = m->ownership;
	_cleanup_free_ char *dir = NULL, *state = NULL, *why = NULL, *wanted = NULL;
	struct ownership_decision d;
	struct attempt *a;
	int r;

	if (ownership_decide(p, &m->model, sr, &d) < 0)
		return;
	if (softreserved_kernel_dir(sr->start, &dir) > 0)
		state = sysfs_read("%s/state", dir);
	else
		/* a stock kernel: only what userspace can do, the follow-up */
		state = strdup(sr->owner ? sr->owner : "");
	if (!state ||
	    asprintf(&wanted, "%s/%s", policy_owner_name(d.owner), policy_online_name(d.online)) < 0)
		goto out;
	a = attempt_find(o, sr->name);
	if (a && strcmp(a->wanted, wanted) == 0 && strcmp(a->kernel_state, state) == 0)
		goto out;	/* failed against this very state: not again */

	if (!o->applied_once && strcmp(state, "cxl") == 0 && d.owner == POLICY_OWNER_CXL &&
	    dir && !ownership_range_has_region(&m->model, sr) && !ownership_has_kept_decode(sr)) {
		/*
		 * At start-up, CXL's, nothing decodes it and no kept decode
		 * can come back (a re-probe reassembles that, ownership_reassemble()):
		 * the daemon stopped between the handoff and the region, or
		 * the region was deleted while it was not running. Only then:
		 * later, the kernel may be assembling a region right now
		 * (its endpoint decoders not back yet after a re-probe), and
		 * a region made here would take its place. A failure is not
		 * retried against the same state.
		 */
		r = ownership_place_region(m, sr, &why);
		if (r < 0)
			(void)ownership_caveat(&why, "nothing uses this memory now");
	} else if (strcmp(state, policy_owner_name(d.owner)) == 0) {
		r = ownership_follow_up(m, sr, &d, &why);
	} else if (dir) {
		log_info("%s: %s -> %s (%s)", sr->name, state, policy_owner_name(d.owner), d.reason);
		r = ownership_handoff(m, sr, dir, state, &d, &why);
	} else {
		goto out;	/* no interface to move it with */
	}
	if (r < 0) {
		log_warning("%s: %s", sr->name, why ? why : "out of memory");
		(void)attempt_record(o, sr->name, wanted, state, why ? why : "failed");
	} else if (r > 0) {
		/* done, with a caveat for the explanation */
		log_warning("%s: %s", sr->name, why ? why : "");
		(void)attempt_record(o, sr->name, "", policy_owner_name(d.owner), why ? why : "");
	} else if (a && !(a->wanted[0] == '\0' && strcmp(a->kernel_state, state) == 0)) {
		/* (a caveat stays while the range stays where it was put) */
		(void)attempt_record(o, sr->name, wanted, state, "");
		a->wanted[0] = '\0';	/* a success: nothing to hold back next time */
	}
out:
	ownership_decision_clear(&d);
}

void ownership_apply(Manager *m)
{
	struct ownership *o = m->ownership;
	_cleanup_free_ struct policy_rule *buf = NULL;
	struct policy p;

	if (!o || o->applying)
		return;
	p = combined(o, &buf);
	if (!buf)
		return;
	o->applying = true;
	for (size_t i = 0; i < m->model.n_softreserved; i++)
		apply_one(m, &p, &m->model.softreserved[i]);
	o->applying = false;
	o->applied_once = true;
}

static int load(Manager *m, char **error)
{
	struct ownership *o = m->ownership;
	const char *dirs[] = { ownership_policy_dir(), ownership_dropin_dir(), NULL };
	struct policy fresh;
	int r;

	r = policy_load(&fresh, dirs, error);
	if (r < 0)
		return r;	/* the policy in force stays */
	policy_clear(&o->policy);
	o->policy = fresh;
	attempts_clear(o);
	log_info("Loaded %zu ownership rules from %zu policy files", o->policy.n_rules,
		 strv_length(o->policy.files));
	return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	Manager *m = userdata;
	_cleanup_free_ char *error = NULL;

	if (load(m, &error) < 0) {
		log_error("Policy reload (SIGHUP) failed, keeping the previous policy: %s",
			  error ? error : "out of memory");
		free(m->ownership->load_error);
		m->ownership->load_error = TAKE_PTR(error);
		return 0;
	}
	m->ownership->load_error = mfree(m->ownership->load_error);
	ownership_apply(m);
	return 0;
}

int ownership_start(Manager *m)
{
	_cleanup_free_ char *error = NULL;
	int r;

	m->ownership = calloc(1, sizeof(*m->ownership));
	if (!m->ownership)
		return -ENOMEM;
	if (load(m, &error) < 0) {
		log_error("Bad ownership policy, using the built-in default (auto): %s",
			  error ? error : "out of memory");
		m->ownership->load_error = TAKE_PTR(error);
	}
	r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m);
	if (r < 0)
		return log_error_errno(r, "Failed to watch SIGHUP: %m");
	return 0;
}

void ownership_free(Manager *m)
{
	if (!m->ownership)
		return;
	policy_clear(&m->ownership->policy);
	policy_clear(&m->ownership->runtime);
	attempts_clear(m->ownership);
	free(m->ownership->load_error);
	free(m->ownership);
	m->ownership = NULL;
}

/* ---- bus ---- */

static bool kernel_control(uint64_t start)
{
	_cleanup_free_ char *dir = NULL;

	return softreserved_kernel_dir(start, &dir) > 0;
}

static int method_explain(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct ownership *o = m->ownership;
	_cleanup_free_ struct policy_rule *buf = NULL;
	struct json_object *top, *ranges;
	struct policy p = combined(o, &buf);
	const char *text;
	int r;

	if (!buf)
		return -ENOMEM;
	ranges = ownership_explain(&p, &m->model);
	top = json_object_new_object();
	if (!ranges || !top) {
		json_object_put(ranges);
		json_object_put(top);
		return -ENOMEM;
	}
	for (size_t i = 0; i < json_object_array_length(ranges); i++) {
		struct json_object *e = json_object_array_get_idx(ranges, i), *v;
		const struct attempt *a;
		bool control;

		json_object_object_get_ex(e, "range", &v);
		a = attempt_find(o, json_object_get_string(v));
		control = kernel_control(m->model.softreserved[i].start);
		json_object_object_add(e, "kernel_control", json_object_new_boolean(control));
		if (!control)
			json_object_object_add(e, "applied", json_object_new_string(
				"no: this kernel has no soft_reserved ownership interface "
				"(or dax_hmem is not bound), so the daemon cannot move the range"));
		else if (a && *a->outcome)
			json_object_object_add(e, "applied", json_object_new_string(a->outcome));
		else
			json_object_object_add(e, "applied", json_object_new_string("yes"));
	}
	json_object_object_add(top, "ranges", ranges);
	json_object_object_add(top, "files", json_object_new_array());
	for (size_t i = 0; o->policy.files && o->policy.files[i]; i++)
		json_object_array_add(json_object_object_get(top, "files"),
				      json_object_new_string(o->policy.files[i]));
	json_object_object_add(top, "default_owner",
			       json_object_new_string(policy_owner_name(o->policy.default_owner)));
	json_object_object_add(top, "load_error",
			       o->load_error ? json_object_new_string(o->load_error) : NULL);
	text = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN);
	r = sd_bus_reply_method_return(msg, "s", text);
	json_object_put(top);
	return r;
}

static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	_cleanup_free_ char *e = NULL;
	int r;

	r = bouncer_check(msg, ACTION_OWNERSHIP, error);
	if (r != 0)
		return r;
	QUEUE_BEHIND_JOB(m, msg, method_reload);
	r = load(m, &e);
	if (r == -EINVAL)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidPolicy",
					 "%s; the previous policy stays in force.", e);
	if (r < 0)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidPolicy",
					 "Cannot read the policy: %s; the previous policy stays in force.",
					 e ? e : strerror(-r));
	m->ownership->load_error = mfree(m->ownership->load_error);
	ownership_apply(m);
	(void)monitor_refresh(m);
	return sd_bus_reply_method_return(msg, NULL);
}

static int parse_owner(const char *s, enum policy_owner *ret)
{
	for (enum policy_owner o = POLICY_OWNER_AUTO; o <= POLICY_OWNER_HMEM; o++)
		if (strcmp(s, policy_owner_name(o)) == 0) {
			*ret = o;
			return 0;
		}
	return -EINVAL;
}

static int persist_rule(const struct softreserved *sr, const char *owner, char **error)
{
	_cleanup_free_ char *path = NULL, *tmp = NULL;
	FILE *f;

	if (asprintf(&path, "%s/90-owner-%s.json", ownership_dropin_dir(), sr->name) < 0 ||
	    asprintf(&tmp, "%s.tmp", path) < 0)
		return -ENOMEM;
	if (mkdir(ownership_dropin_dir(), 0755) < 0 && errno != EEXIST)
		return -errno;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f,
		"{\n  \"version\": 1,\n  \"rules\": [\n    {\n"
		"      \"name\": \"override-%s\",\n"
		"      \"match\": { \"range\": { \"start\": \"0x%" PRIx64 "\", \"size\": \"0x%" PRIx64 "\" } },\n"
		"      \"owner\": \"%s\"\n    }\n  ]\n}\n",
		sr->name, sr->start, sr->size, owner);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		int e = -errno;

		fclose(f);
		unlink(tmp);
		return e;
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		int e = -errno;

		unlink(tmp);
		return e;
	}
	*error = TAKE_PTR(path);
	return 0;
}

/* Set (@owner) or drop (NULL) @sr's runtime override; others are kept. */
static int runtime_rule(struct ownership *o, const struct softreserved *sr, const char *owner)
{
	_cleanup_free_ char *text = NULL, *error = NULL, *file = NULL;
	struct policy fresh = { 0 };
	int r;

	if (asprintf(&file, "SetOwner(%s)", sr->name) < 0 ||
	    asprintf(&text, "{\"version\":1,\"rules\":[{\"name\":\"override-%s\","
			    "\"match\":{\"range\":{\"start\":\"0x%" PRIx64 "\",\"size\":\"0x%" PRIx64 "\"}},"
			    "\"owner\":\"%s\"}]}",
		     sr->name, sr->start, sr->size, owner) < 0)
		return -ENOMEM;
	/* keep the other ranges' overrides, replace this one's */
	for (size_t i = 0; i < o->runtime.n_rules; i++) {
		const struct policy_rule *rule = &o->runtime.rules[i];
		_cleanup_free_ char *t = NULL;

		if (rule->range_start == sr->start && rule->range_end == sr->start + sr->size - 1)
			continue;
		if (asprintf(&t, "{\"version\":1,\"rules\":[{\"name\":\"%s\",\"match\":{\"range\":"
				 "{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\"}},\"owner\":\"%s\"}]}",
			     rule->name, rule->range_start, rule->range_end,
			     policy_owner_name(rule->owner)) < 0) {
			policy_clear(&fresh);
			return -ENOMEM;
		}
		r = policy_parse(&fresh, rule->origin, t, strlen(t), &error);
		if (r < 0) {
			policy_clear(&fresh);
			return r;
		}
	}
	r = owner ? policy_parse(&fresh, file, text, strlen(text), &error) : 0;
	if (r < 0) {
		policy_clear(&fresh);
		return r;
	}
	policy_clear(&o->runtime);
	o->runtime = fresh;
	return 0;
}

static int method_set_owner(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	Manager *m = userdata;
	struct ownership *o = m->ownership;
	const struct softreserved *sr;
	_cleanup_free_ char *e = NULL;
	enum policy_owner owner;
	const char *s;
	int persist, r;

	r = bouncer_check(msg, ACTION_OWNERSHIP, error);
	if (r != 0)
		return r;
	QUEUE_BEHIND_JOB(m, msg, method_set_owner);
	r = sd_bus_message_read(msg, "sb", &s, &persist);
	if (r < 0)
		return r;
	sr = object_by_path(m, OBJECT_SOFTRESERVED, sd_bus_message_get_path(msg));
	if (!sr)
		return sd_bus_error_setf(error, ERROR_PREFIX "NotFound",
					 "The Soft Reserved range %s is gone.",
					 sd_bus_message_get_path(msg));
	if (parse_owner(s, &owner) < 0)
		return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
					 "Unknown owner \"%s\": use cxl, hmem or auto.", s);
	if (persist) {
		r = persist_rule(sr, s, &e);
		if (r < 0)
			return sd_bus_error_setf(error, ERROR_PREFIX "Failed",
						 "Cannot write the override into %s: %s.",
						 ownership_dropin_dir(), strerror(-r));
		log_info("%s: owner %s persisted in %s", sr->name, s, e);
		e = mfree(e);
		r = load(m, &e);
		if (r < 0)
			return sd_bus_error_setf(error, ERROR_PREFIX "InvalidPolicy",
						 "The override was written but the policy does not load: %s; the previous policy stays in force.",
						 e ? e : strerror(-r));
		/* a persisted rule replaces a runtime one for the range */
		r = runtime_rule(o, sr, NULL);
		if (r < 0)
			return r;
	} else {
		r = runtime_rule(o, sr, s);
		if (r < 0)
			return r;
	}
	/* a new decision for this range: try again even if the last one failed */
	attempts_clear(o);
	ownership_apply(m);
	(void)monitor_refresh(m);
	return sd_bus_reply_method_return(msg, NULL);
}

const sd_bus_vtable ownership_manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("ExplainOwnership",
				SD_BUS_NO_ARGS,
				SD_BUS_RESULT("s", json),
				method_explain,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ReloadPolicy",
				SD_BUS_NO_ARGS,
				SD_BUS_NO_RESULT,
				method_reload,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

const sd_bus_vtable ownership_range_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("SetOwner",
				SD_BUS_ARGS("s", owner, "b", persist),
				SD_BUS_NO_RESULT,
				method_set_owner,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

static int find_range(sd_bus *bus, const char *path, const char *interface, void *userdata,
		      void **found, sd_bus_error *error)
{
	return find_object_methods(userdata, OBJECT_SOFTRESERVED, path, found);
}

int ownership_bus_register(Manager *m)
{
	int r;

	r = sd_bus_add_object_vtable(m->bus, NULL, CXLMEMD_OBJECT_ROOT, "org.cxlmemd1.Manager",
				     ownership_manager_vtable, m);
	if (r >= 0)
		r = sd_bus_add_fallback_vtable(m->bus, NULL, "/org/cxlmemd1/softreserved",
					       "org.cxlmemd1.SoftReservedRange",
					       ownership_range_vtable, find_range, m);
	return r;
}
