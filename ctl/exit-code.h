/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What cxlmemctl's exit status says, so a script can tell a typo from a
 * missing permission from a refusal by the daemon or the kernel:
 *
 *   0  done
 *   1  the operation failed (the daemon or the kernel refused, the
 *      object does not exist, the device cannot do it)
 *   2  usage: the command line was wrong, or the daemon rejected an
 *      argument as invalid (org.cxlmemd1.Error.InvalidArgument)
 *   4  not authorized (AccessDenied, polkit said no or needs a password
 *      that --no-ask-password forbade)
 *   6  cxlmemd is not reachable (not running, no system bus)
 *
 * 2 and 4 are the LSB's EXIT_INVALIDARGUMENT and EXIT_NOPERMISSION.
 */
enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILED = 1,
	CTL_EXIT_USAGE = 2,
	CTL_EXIT_DENIED = 4,
	CTL_EXIT_UNREACHABLE = 6,
};

/* The exit status for a failed call that returned D-Bus error @name. */
enum ctl_exit exit_code_for_error(const char *name);
