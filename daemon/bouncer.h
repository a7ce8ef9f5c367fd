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
 * 0 when the sender of @msg may do @action; otherwise a negative errno
 * with @error set to org.freedesktop.DBus.Error.AccessDenied and a
 * sentence naming the action.
 */
int bouncer_check(sd_bus_message *msg, enum bouncer_action action, sd_bus_error *error);

/* "uid 0 (:1.42)" for logs; caller frees. NULL on OOM. */
char *bouncer_describe_sender(sd_bus_message *msg);
