// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "config.h"

#include "bus-interfaces.h"
#include "cli.h"
#include "introspect.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "region-ops.h"

static int print_introspection(const char *only)
{
	const struct bus_interface *iface;
	int r;

	if (only && !bus_interface_find(only)) {
		fprintf(stderr, "Unknown interface '%s'. Known:", only);
		for (iface = cxlmemd_bus_interfaces; iface->name; iface++)
			fprintf(stderr, " %s", iface->name);
		fputc('\n', stderr);
		return -EINVAL;
	}

	for (iface = cxlmemd_bus_interfaces; iface->name; iface++) {
		_cleanup_free_ char *xml = NULL;

		if (only && strcmp(only, iface->name) != 0)
			continue;
		r = bus_introspect_interface(iface, &xml);
		if (r < 0)
			return log_error_errno(r, "Failed to introspect %s: %m",
					       iface->name);
		fputs(xml, stdout);
	}
	return 0;
}

int main(int argc, char *argv[])
{
	_cleanup_(manager_freep) Manager *m = NULL;
	struct cli_args args;
	int r;

	if (cli_parse(argc, argv, &args, stderr) < 0) {
		fprintf(stderr, "Try '%s --help'.\n", argv[0]);
		return EXIT_FAILURE;
	}

	switch (args.action) {
	case CLI_HELP:
		cli_help(argv[0], stdout);
		return EXIT_SUCCESS;
	case CLI_VERSION:
		printf("cxlmemd %s\n", CXLMEMD_VERSION);
		return EXIT_SUCCESS;
	case CLI_BUS_INTROSPECT:
		return print_introspection(args.introspect_interface) < 0 ?
			       EXIT_FAILURE : EXIT_SUCCESS;
	case CLI_RUN:
		break;
	}

	if (args.debug)
		log_set_max_level(LOG_DEBUG);

#if CXLMEMD_TEST_BUILD
	/* Only cxlmemd-test, never the shipped daemon: rollback tests. */
	if (region_ops_fail_at(getenv("CXLMEMD_TEST_FAIL_STEP")) < 0 ||
	    region_ops_fail_from(getenv("CXLMEMD_TEST_FAIL_STEP_FILE")) < 0) {
		log_error("Bad CXLMEMD_TEST_FAIL_STEP (want STEP, STEP@N or STEP~MS)");
		return EXIT_FAILURE;
	}
#endif

	r = manager_new(&m);
	if (r < 0) {
		log_error_errno(r, "Failed to allocate manager: %m");
		return EXIT_FAILURE;
	}

	r = manager_start(m);
#if CXLMEMD_TEST_BUILD
	/*
	 * Only cxlmemd-test: CXLMEMD_TEST_EXIT_WHEN_READY=1 returns once
	 * READY=1 is sent (model built, objects registered), for
	 * bench/callgrind-startup to count the start-up's instructions
	 * without an idle loop or a signal in the measurement.
	 */
	if (r >= 0 && getenv("CXLMEMD_TEST_EXIT_WHEN_READY"))
		return EXIT_SUCCESS;
#endif
	if (r >= 0)
		r = manager_run(m);
	if (r < 0) {
		sd_notifyf(0, "STATUS=Failed: %s\nERRNO=%d", strerror(-r), -r);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
