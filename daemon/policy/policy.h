/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Soft Reserved ownership policy: JSON files (schema in policy/SCHEMA.md)
 * parsed into rules. Pure: the loader reads the files it is given, nothing
 * here touches sysfs or the bus.
 *
 * Files come from the shipped directory and the drop-in directory; they
 * are taken in file name order across both, a drop-in replacing a shipped
 * file of the same name (as systemd does). Rules accumulate in that order
 * and the last rule that matches a range decides, so later files override
 * earlier ones. A "default" object in a later file replaces an earlier one.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum policy_owner {
	POLICY_OWNER_AUTO,	/* cxl if enabled healthy regions cover it all */
	POLICY_OWNER_CXL,
	POLICY_OWNER_HMEM,
};

enum policy_online {
	POLICY_ONLINE_UNSET,	/* leave the dax device as it comes */
	POLICY_ONLINE_DEVDAX,	/* keep it a devdax device */
	POLICY_ONLINE_MOVABLE,	/* online as system RAM, ZONE_MOVABLE */
	POLICY_ONLINE_NORMAL,	/* online as system RAM, ZONE_NORMAL */
};

struct policy_rule {
	char *name;
	char *origin;			/* "file:line" of the rule */
	/* match: every present criterion must hold; none present matches all */
	bool has_range;
	uint64_t range_start, range_end;	/* inclusive */
	char **memdevs;
	uint64_t *serials;
	size_t n_serials;
	char **windows;
	int32_t *nodes;
	size_t n_nodes;
	/* action */
	enum policy_owner owner;
	enum policy_online online;
};

struct policy {
	struct policy_rule *rules;
	size_t n_rules;
	enum policy_owner default_owner;
	enum policy_online default_online;
	char *default_origin;		/* NULL: built in */
	char **files;			/* loaded, in order */
};

const char *policy_owner_name(enum policy_owner o);
const char *policy_online_name(enum policy_online o);

/*
 * Parse one policy file's @text and add its rules to @p. On a bad file,
 * returns -EINVAL and sets *@error to "FILE:LINE:COLUMN: message" (free
 * it); @p is then unchanged. -ENOMEM on allocation failure.
 */
int policy_parse(struct policy *p, const char *file, const char *text,
		 size_t len, char **error);

/*
 * Load every "*.json" file of @dirs (NULL-terminated; a missing directory
 * is empty) into a fresh @p, in the order described above. On error @p is
 * left empty and *@error says which file and where.
 */
int policy_load(struct policy *p, const char *const *dirs, char **error);

void policy_clear(struct policy *p);
