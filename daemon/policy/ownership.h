/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The ownership decision: a pure function from (topology, policy) to who
 * should own each Soft Reserved range, with a sentence saying why. No
 * sysfs, no bus, no clock: unit tested as tables (tests/unit).
 *
 * What a rule can see of a range:
 *   range       the range's addresses (a rule's range matches if they overlap)
 *   windows     the CXL windows that intersect it
 *   memdevs     the targets of the CXL regions that intersect it
 *   serials     those memdevs' serial numbers
 *   numa_nodes  the node of the dax device that came from it, else the
 *               node all those memdevs share
 * The last rule whose every criterion holds decides the owner; with none,
 * the policy's default (auto unless a file says otherwise). The online
 * follow-up is decided on its own: the last matching rule that has one
 * (so an owner override keeps the zone the rest of the policy asks for).
 *
 * "auto" is decided here too: cxl when enabled CXL regions cover the whole
 * range and every target memdev of those regions is enabled, hmem
 * otherwise.
 */

#include <json-c/json.h>

#include "model.h"
#include "policy.h"

struct ownership_decision {
	enum policy_owner owner;	/* POLICY_OWNER_CXL or _HMEM */
	enum policy_owner asked;	/* what the rule said, auto included */
	enum policy_online online;
	const char *rule;		/* rule name, or "default" */
	const char *origin;		/* "file:line", a file, or "built-in" */
	bool covered;			/* enabled healthy regions cover it all */
	char *reason;			/* one sentence, for people and logs */
};

/* Facts about a range that rules match on and auto decides with. */
struct ownership_facts {
	char **memdevs;			/* behind the range, sorted */
	uint64_t *serials;
	size_t n_serials;
	int32_t numa_node;		/* -1: unknown */
	bool covered;			/* enabled regions cover all of it */
	char *unhealthy;		/* a disabled target memdev, or NULL */
	char **covering;		/* the enabled regions intersecting it */
};

int ownership_facts(const struct model *m, const struct softreserved *sr,
		    struct ownership_facts *f);
void ownership_facts_clear(struct ownership_facts *f);

/* Does @rule match the range @sr with @f? */
bool ownership_rule_matches(const struct policy_rule *rule,
			    const struct softreserved *sr,
			    const struct ownership_facts *f);

/* Decide @sr. Returns 0 or -ENOMEM. */
int ownership_decide(const struct policy *p, const struct model *m,
		     const struct softreserved *sr,
		     struct ownership_decision *d);
void ownership_decision_clear(struct ownership_decision *d);

/*
 * Every range's decision as a JSON array of objects: range (name), start,
 * size, owner, asked, online, rule, origin, reason, and the facts. For
 * Manager.ExplainOwnership. NULL on OOM.
 */
struct json_object *ownership_explain(const struct policy *p,
				      const struct model *m);
