// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cli.h"

enum {
	ARG_VERSION = 0x100,
	ARG_BUS_INTROSPECT,
};

void cli_help(const char *argv0, FILE *out)
{
	fprintf(out,
		"%s [OPTIONS...]\n\n"
		"CXL memory management daemon: exposes CXL memdevs, windows, regions\n"
		"and Soft Reserved ranges on the system bus as org.cxlmemd1.\n\n"
		"  -h --help                 Show this help\n"
		"     --version              Show package version\n"
		"  -d --debug                Log debug messages\n"
		"     --bus-introspect[=IFACE]\n"
		"                            Print the D-Bus introspection XML of the\n"
		"                            daemon's interfaces (or of IFACE) and exit\n",
		argv0);
}

int cli_parse(int argc, char *argv[], struct cli_args *ret, FILE *err)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{ "debug", no_argument, NULL, 'd' },
		{ "bus-introspect", optional_argument, NULL, ARG_BUS_INTROSPECT },
		{}
	};
	struct cli_args a = { .action = CLI_RUN };
	int c;

	/* 0, not 1: makes glibc reinitialise its scanner between calls. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hd", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			a.action = CLI_HELP;
			break;
		case ARG_VERSION:
			a.action = CLI_VERSION;
			break;
		case 'd':
			a.debug = true;
			break;
		case ARG_BUS_INTROSPECT:
			a.action = CLI_BUS_INTROSPECT;
			a.introspect_interface = optarg;
			break;
		case '?':
			if (optopt)
				fprintf(err, "Unknown or incomplete option -%c.\n", optopt);
			else
				fprintf(err, "Unknown option %s.\n", argv[optind - 1]);
			return -EINVAL;
		default:
			return -EINVAL;
		}
	}

	if (optind < argc) {
		fprintf(err, "Unexpected argument '%s'.\n", argv[optind]);
		return -EINVAL;
	}

	*ret = a;
	return 0;
}
