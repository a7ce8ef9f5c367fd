/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

enum cli_action {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
	CLI_BUS_INTROSPECT,
};

struct cli_args {
	enum cli_action action;
	bool debug;
	/* NULL: every interface; else the one interface to print. */
	const char *introspect_interface;
};

/*
 * Parse the daemon's command line. Returns 0 on success, -EINVAL after
 * printing a message to @err for bad usage. Pure: no side effects beyond
 * @ret and @err, so it is safe to call repeatedly (tests do).
 */
int cli_parse(int argc, char *argv[], struct cli_args *ret, FILE *err);
void cli_help(const char *argv0, FILE *out);
