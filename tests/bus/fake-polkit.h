/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

/*
 * A fake org.freedesktop.PolicyKit1 authority on the private test bus:
 * it answers CheckAuthorization from a thread of its own with a verdict
 * the test sets, and records what it was asked. Start the bus with
 * bus_env_start_with(e, fake_polkit_bus_policy) so the test may own the
 * name and the daemon may call it.
 */
extern const char fake_polkit_bus_policy[];

enum fake_polkit_verdict {
	FAKE_POLKIT_YES,
	FAKE_POLKIT_NO,
	FAKE_POLKIT_CHALLENGE,	/* not authorized, but a password would do */
};

struct fake_polkit_question {
	unsigned int asked;	/* CheckAuthorization calls so far */
	char action[128];	/* of the last one */
	char subject[128];	/* "kind:name" */
	uint32_t flags;
};

struct fake_polkit;

int fake_polkit_start(const char *bus_address, struct fake_polkit **ret);
void fake_polkit_stop(struct fake_polkit *p);
/* The answer from now on, @hold_ms late. Clears the record. */
void fake_polkit_set(struct fake_polkit *p, enum fake_polkit_verdict v, unsigned int hold_ms);
/*
 * Answer no to @action whatever the verdict, as polkit does for an action
 * whose rules grant less than another's (NULL or "": no such action).
 */
void fake_polkit_refuse(struct fake_polkit *p, const char *action);
void fake_polkit_last(struct fake_polkit *p, struct fake_polkit_question *q);
