// SPDX-License-Identifier: GPL-2.0-or-later
#include <stddef.h>
#include <string.h>

#include "exit-code.h"

static const struct {
	const char *name;
	enum ctl_exit code;
} by_name[] = {
	{ "org.cxlmemd1.Error.InvalidArgument", CTL_EXIT_USAGE },
	{ "org.freedesktop.DBus.Error.InvalidArgs", CTL_EXIT_USAGE },
	{ "org.freedesktop.DBus.Error.AccessDenied", CTL_EXIT_DENIED },
	{ "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", CTL_EXIT_DENIED },
	{ "org.freedesktop.DBus.Error.AuthFailed", CTL_EXIT_DENIED },
	{ "org.freedesktop.DBus.Error.ServiceUnknown", CTL_EXIT_UNREACHABLE },
	{ "org.freedesktop.DBus.Error.NameHasNoOwner", CTL_EXIT_UNREACHABLE },
	{ "org.freedesktop.DBus.Error.NoServer", CTL_EXIT_UNREACHABLE },
	{ "org.freedesktop.DBus.Error.Disconnected", CTL_EXIT_UNREACHABLE },
	{ "org.freedesktop.DBus.Error.FileNotFound", CTL_EXIT_UNREACHABLE },
};

enum ctl_exit exit_code_for_error(const char *name)
{
	if (!name)
		return CTL_EXIT_FAILED;
	for (size_t i = 0; i < sizeof(by_name) / sizeof(*by_name); i++)
		if (strcmp(name, by_name[i].name) == 0)
			return by_name[i].code;
	return CTL_EXIT_FAILED;
}
