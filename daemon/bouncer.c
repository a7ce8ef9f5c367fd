// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "bouncer.h"
#include "log.h"
#include "macro.h"

enum rule {
	RULE_DENY,		/* the default: what is not listed */
	RULE_POLKIT,		/* root, or whoever polkit authorizes for @polkit */
};

#define POLKIT_REGIONS "org.cxlmemd1.manage-regions"
#define POLKIT_POISON "org.cxlmemd1.test-poison"
#define POLKIT_POISON_FORCE "org.cxlmemd1.poison-online-memory"
#define POLKIT_OWNERSHIP "org.cxlmemd1.set-ownership"

static const struct {
	const char *name;
	enum rule rule;
	const char *polkit;	/* action id, polkit/org.cxlmemd1.policy */
} rules[_ACTION_MAX] = {
	[ACTION_REGION_CREATE] = { "create a region", RULE_POLKIT, POLKIT_REGIONS },
	[ACTION_REGION_DELETE] = { "delete a region", RULE_POLKIT, POLKIT_REGIONS },
	[ACTION_REGION_CONFIGURE] = { "configure a region", RULE_POLKIT, POLKIT_REGIONS },
	[ACTION_REGION_MEMORY] = { "online or offline a region's memory", RULE_POLKIT,
				   POLKIT_REGIONS },
	[ACTION_REGION_LEASE] = { "attach to or detach from a region", RULE_POLKIT,
				  POLKIT_REGIONS },
	[ACTION_POISON] = { "inject or clear poison", RULE_POLKIT, POLKIT_POISON },
	[ACTION_POISON_FORCE] = { "poison memory that is online as system RAM", RULE_POLKIT,
				  POLKIT_POISON_FORCE },
	[ACTION_POISON_LIST] = { "read a device's poison list", RULE_POLKIT, POLKIT_POISON },
	[ACTION_OWNERSHIP] = { "change who owns Soft Reserved memory, or reload the policy",
			       RULE_POLKIT, POLKIT_OWNERSHIP },
};

static void creds_unrefp(sd_bus_creds **c)
{
	sd_bus_creds_unref(*c);
}

/*
 * A polkit question in flight, or its answer waiting for the method call
 * it belongs to: the call is dispatched again (sd_bus_enqueue_for_read)
 * once polkit has answered, and bouncer_check() then finds the verdict
 * here. Keyed by (message, action): one method may ask about two actions.
 */
struct pending {
	struct pending *next;
	sd_bus_message *msg;
	enum bouncer_action action;
	sd_bus_slot *slot;
	bool answered;
	int verdict;		/* 0, -EACCES, -EPERM (interaction required) */
	char *why;
};

static struct pending *pending;

static struct pending *pending_find(sd_bus_message *msg, enum bouncer_action action)
{
	for (struct pending *p = pending; p; p = p->next)
		if (p->msg == msg && p->action == action)
			return p;
	return NULL;
}

static void pending_free(struct pending *p)
{
	for (struct pending **pp = &pending; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	sd_bus_slot_unref(p->slot);
	sd_bus_message_unref(p->msg);
	free(p->why);
	free(p);
}

void bouncer_free_all(void)
{
	while (pending)
		pending_free(pending);
}

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct pending *p = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	int authorized = 0, challenge = 0, r;

	p->slot = sd_bus_slot_unref(p->slot);
	p->answered = true;
	p->verdict = -EACCES;
	if (e) {
		if (asprintf(&p->why, "polkit could not be asked: %s", e->message ?: e->name) < 0)
			p->why = NULL;
	} else {
		r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
		if (r >= 0)
			r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
		if (r < 0) {
			if (asprintf(&p->why, "polkit's answer was malformed") < 0)
				p->why = NULL;
		} else if (authorized) {
			p->verdict = 0;
		} else if (challenge) {
			p->verdict = -EPERM;
		}
	}
	/* dispatch the call again; bouncer_check() finds the verdict */
	r = sd_bus_enqueue_for_read(sd_bus_message_get_bus(p->msg), p->msg);
	if (r < 0) {
		log_warning_errno(r, "Cannot re-dispatch a call after polkit answered: %m");
		(void)sd_bus_reply_method_errno(p->msg, -r, NULL);
		pending_free(p);
	}
	return 0;
}

/*
 * How long polkit may take to answer. Without interaction it answers at
 * once (sd-bus's default, 25 s, is plenty); with it, the answer waits for
 * a person to read the prompt and type a password, which can take longer
 * than 25 s (the call then failed as "polkit could not be asked: Method
 * call timed out" while the agent still showed its prompt). cxlmemctl
 * waits 300 s for its own call.
 */
#define POLKIT_INTERACTIVE_TIMEOUT_USEC (240 * 1000000ULL)

static int ask_polkit(sd_bus_message *msg, enum bouncer_action action)
{
	sd_bus_message *call = NULL;
	struct pending *p;
	uint32_t flags;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->msg = sd_bus_message_ref(msg);
	p->action = action;
	/* 1: AllowUserInteraction, if the caller allows it (pkttyagent etc.) */
	flags = sd_bus_message_get_allow_interactive_authorization(msg) > 0 ? 1 : 0;
	r = sd_bus_message_new_method_call(sd_bus_message_get_bus(msg), &call,
					   "org.freedesktop.PolicyKit1",
					   "/org/freedesktop/PolicyKit1/Authority",
					   "org.freedesktop.PolicyKit1.Authority",
					   "CheckAuthorization");
	if (r >= 0)
		r = sd_bus_message_append(call, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name",
					  "s", sd_bus_message_get_sender(msg),
					  rules[action].polkit, 0, flags, "");
	if (r >= 0)
		r = sd_bus_call_async(sd_bus_message_get_bus(msg), &p->slot, call,
				      on_polkit_reply, p,
				      flags ? POLKIT_INTERACTIVE_TIMEOUT_USEC : 0);
	sd_bus_message_unref(call);
	if (r < 0) {
		sd_bus_message_unref(p->msg);
		free(p);
		return r;
	}
	p->next = pending;
	pending = p;
	return 1;
}

int bouncer_check(sd_bus_message *msg, enum bouncer_action action, sd_bus_error *error)
{
	_cleanup_(creds_unrefp) sd_bus_creds *creds = NULL;
	enum rule rule = action < _ACTION_MAX ? rules[action].rule : RULE_DENY;
	const char *what = action < _ACTION_MAX && rules[action].name ? rules[action].name :
									 "do this";
	struct pending *p;
	uid_t uid;
	int r, verdict;

	if (rule == RULE_DENY)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "cxlmemd does not let anyone %s.", what);

	r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID, &creds);
	if (r >= 0)
		r = sd_bus_creds_get_euid(creds, &uid);
	if (r >= 0 && uid == 0)
		return 0;
	if (r < 0 || !sd_bus_message_get_sender(msg))
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "Cannot tell who asks to %s.", what);

	p = pending_find(msg, action);
	if (!p)
		return ask_polkit(msg, action) < 0 ?
			       sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
						 "Only root may %s: polkit cannot be asked.", what) :
			       1;
	if (!p->answered)
		return 1;
	verdict = p->verdict;
	if (verdict == -EPERM)
		r = sd_bus_error_setf(error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
				      "Authentication is required to %s (polkit action %s).",
				      what, rules[action].polkit);
	else if (verdict < 0)
		r = sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
				      "Not authorized to %s (polkit action %s)%s%s.", what,
				      rules[action].polkit, p->why ? "; " : "", p->why ?: "");
	else
		r = 0;
	pending_free(p);
	return r;
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
