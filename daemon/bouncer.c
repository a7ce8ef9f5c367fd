// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "bouncer.h"
#include "macro.h"

enum rule {
	RULE_DENY,		/* the default: what is not listed */
	RULE_ROOT,		/* effective uid 0 */
};

static const struct {
	const char *name;
	enum rule rule;
} rules[_ACTION_MAX] = {
	[ACTION_REGION_CREATE] = { "create a region", RULE_ROOT },
	[ACTION_REGION_DELETE] = { "delete a region", RULE_ROOT },
	[ACTION_REGION_CONFIGURE] = { "configure a region", RULE_ROOT },
	[ACTION_REGION_MEMORY] = { "online or offline a region's memory", RULE_ROOT },
	[ACTION_REGION_LEASE] = { "attach to or detach from a region", RULE_ROOT },
	[ACTION_POISON] = { "inject or clear poison", RULE_ROOT },
	[ACTION_POISON_FORCE] = { "poison memory that is online as system RAM", RULE_ROOT },
	[ACTION_POISON_LIST] = { "read a device's poison list", RULE_ROOT },
	[ACTION_OWNERSHIP] = { "change who owns Soft Reserved memory, or reload the policy",
			       RULE_ROOT },
};

static void creds_unrefp(sd_bus_creds **c)
{
	sd_bus_creds_unref(*c);
}

int bouncer_check(sd_bus_message *msg, enum bouncer_action action, sd_bus_error *error)
{
	_cleanup_(creds_unrefp) sd_bus_creds *creds = NULL;
	enum rule rule = action < _ACTION_MAX ? rules[action].rule : RULE_DENY;
	const char *what = action < _ACTION_MAX && rules[action].name ? rules[action].name :
									 "do this";
	uid_t uid;
	int r;

	if (rule == RULE_ROOT) {
		r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID, &creds);
		if (r >= 0)
			r = sd_bus_creds_get_euid(creds, &uid);
		if (r >= 0 && uid == 0)
			return 0;
	}
	return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
				 "Only root may %s through cxlmemd.", what);
}

char *bouncer_describe_sender(sd_bus_message *msg)
{
	_cleanup_(creds_unrefp) sd_bus_creds *creds = NULL;
	const char *sender = sd_bus_message_get_sender(msg);
	uid_t uid = (uid_t)-1;
	char *s;

	if (sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID, &creds) >= 0)
		(void)sd_bus_creds_get_euid(creds, &uid);
	if (asprintf(&s, "uid %d (%s)", (int)uid, sender ?: "direct") < 0)
		return NULL;
	return s;
}
