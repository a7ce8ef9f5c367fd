/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <systemd/sd-bus.h>

/*
 * Every authorization decision, in one default-deny table (bolt's
 * bouncer). Reading is open and never asks here; each method that changes
 * the kernel's state names its action. An action missing from the table
 * is refused, so a new method cannot ship unauthorized by accident.
 */
enum bouncer_action {
	ACTION_REGION_CREATE,
	ACTION_REGION_DELETE,
	ACTION_REGION_CONFIGURE,	/* targets, commit, enable, disable */
	ACTION_REGION_MEMORY,		/* online, offline */
	ACTION_REGION_LEASE,		/* attach, detach */
	ACTION_POISON,			/* inject, clear */
	ACTION_POISON_FORCE,		/* ... into memory online as system RAM */
	ACTION_POISON_LIST,		/* a device command, not a cached read */
	ACTION_OWNERSHIP,		/* SetOwner, ReloadPolicy */
	_ACTION_MAX,
};

/*
 * May the sender of @msg do @action? Root may; anyone else if polkit says
 * so for the action's id (polkit/org.cxlmemd1.policy), asked without
 * blocking: the first time, the question goes to polkit and 1 comes back
 * (the method handler returns 1 and must not reply); when polkit answers,
 * the same call is dispatched again and this returns the verdict:
 * 0 to go ahead, or a negative errno with @error set to
 * org.freedesktop.DBus.Error.AccessDenied (or InteractiveAuthorizationRequired
 * when polkit would ask a password the caller did not allow it to ask).
 * Call it before looking at the arguments or the state, and treat any
 * non-zero return as "return it".
 */
int bouncer_check(sd_bus_message *msg, enum bouncer_action action, sd_bus_error *error);

/* Forget every question in flight (exit). */
void bouncer_free_all(void);

/* "uid 0 (:1.42)" for logs; caller frees. NULL on OOM. */
char *bouncer_describe_sender(sd_bus_message *msg);
