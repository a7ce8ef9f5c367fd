/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The command line: one table of verbs, each with the positional
 * arguments it takes and the options it accepts, parsed without
 * touching the bus (so it is unit-tested, and a usage error never costs
 * a round trip).
 */
enum verb_id {
	VERB_STATUS,
	VERB_LIST,
	VERB_SHOW,
	VERB_CREATE_REGION,
	VERB_ATTACH_TARGET,
	VERB_DETACH_TARGET,
	VERB_COMMIT,
	VERB_DECOMMIT,
	VERB_ENABLE,
	VERB_DISABLE,
	VERB_ONLINE,
	VERB_OFFLINE,
	VERB_ATTACH,
	VERB_DETACH,
	VERB_DELETE_REGION,
	VERB_POISON_INJECT,
	VERB_POISON_CLEAR,
	VERB_POISON_LIST,
	VERB_OWNERSHIP_EXPLAIN,
	VERB_OWNERSHIP_SET,
	VERB_POLICY_RELOAD,
	VERB_MONITOR,
	_VERB_MAX,
};

/* Options a verb may take (global ones are always allowed). */
enum {
	OPT_MODE = 1 << 0,
	OPT_WAYS = 1 << 1,
	OPT_GRANULARITY = 1 << 2,
	OPT_MEMDEV = 1 << 3,
	OPT_UUID = 1 << 4,
	OPT_EMPTY = 1 << 5,
	OPT_FORCE = 1 << 6,
	OPT_ZONE = 1 << 7,
	OPT_CONSUMER = 1 << 8,
	OPT_HOLD = 1 << 9,
	OPT_PERSIST = 1 << 10,
};

struct verb {
	enum verb_id id;
	const char *name;
	const char *sub;	/* second word ("poison inject"), or NULL */
	unsigned int min_args, max_args;	/* positional, after the verb */
	unsigned int options;
	const char *args;	/* for --help */
	const char *summary;
};

#define CTL_MAX_MEMDEVS 16

enum list_kind { LIST_ALL, LIST_MEMDEVS, LIST_WINDOWS, LIST_REGIONS, LIST_RANGES, LIST_DAX };

struct ctl_args {
	const struct verb *verb;
	bool help, version;
	const char *help_group;	/* "poison --help" */
	bool json, ask_password, bytes, legend;
	/* positional arguments after the verb */
	char **args;
	unsigned int n_args;
	/* attach: the command to run with the lease held (after "--") */
	char **command;
	/* verb options */
	const char *mode, *uuid, *zone, *consumer;
	uint32_t ways, granularity;
	uint64_t size;		/* create-region SIZE */
	uint64_t number;	/* POSITION, ADDRESS */
	const char *memdevs[CTL_MAX_MEMDEVS];
	unsigned int n_memdevs;
	bool empty, force, hold, persist;
	enum list_kind list;
};

const struct verb *verb_table(unsigned int *n);

/*
 * Parse argv. 0 and *ret filled (ret->help/version may be all there is
 * to do), or -EINVAL after a sentence on @err. ret points into argv.
 */
int ctl_parse(int argc, char *argv[], struct ctl_args *ret, FILE *err);

void ctl_help(FILE *out);
void ctl_group_help(const char *group, FILE *out);
void ctl_verb_help(const struct verb *v, FILE *out);
