// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <systemd/sd-id128.h>

#include "introspect.h"
#include "macro.h"

#define SCRATCH_PATH "/org/cxlmemd1/introspect"

static const char xml_header[] =
	"<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
	"\"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"
	"<node>\n";
static const char xml_footer[] = "</node>\n";

int xml_extract_interface(const char *xml, const char *name, char **ret_xml)
{
	_cleanup_free_ char *open_tag = NULL;
	const char *start, *end;
	char *out;
	int len;

	if (asprintf(&open_tag, "<interface name=\"%s\">", name) < 0)
		return -ENOMEM;

	start = strstr(xml, open_tag);
	if (!start)
		return -ENOENT;
	/* Keep the element's indentation: back up to the start of its line. */
	while (start > xml && start[-1] == ' ')
		start--;

	end = strstr(start, "</interface>");
	if (!end)
		return -EBADMSG;
	end += strlen("</interface>");
	if (*end == '\n')
		end++;

	len = asprintf(&out, "%s%.*s%s", xml_header, (int)(end - start), start,
		       xml_footer);
	if (len < 0)
		return -ENOMEM;
	*ret_xml = out;
	return 0;
}

struct introspect_call {
	sd_event *event;
	char *xml;
	int error;
};

static int on_introspect_reply(sd_bus_message *m, void *userdata,
			       sd_bus_error *ret_error)
{
	struct introspect_call *c = userdata;
	const char *xml;
	int r;

	if (sd_bus_message_is_method_error(m, NULL)) {
		c->error = -sd_bus_message_get_errno(m);
		if (c->error == 0)
			c->error = -EIO;
	} else {
		r = sd_bus_message_read(m, "s", &xml);
		c->error = r < 0 ? r : 0;
		if (r >= 0) {
			c->xml = strdup(xml);
			if (!c->xml)
				c->error = -ENOMEM;
		}
	}
	return sd_event_exit(c->event, 0);
}

int bus_introspect_interface(const struct bus_interface *iface, char **ret_xml)
{
	_cleanup_(sd_event_unrefp) sd_event *event = NULL;
	_cleanup_(sd_bus_close_unrefp) sd_bus *server = NULL, *client = NULL;
	struct introspect_call call = { .error = -ETIMEDOUT };
	_cleanup_free_ char *full = NULL;
	sd_id128_t id;
	int fds[2], r;

	r = sd_event_new(&event);
	if (r < 0)
		return r;
	call.event = event;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0)
		return -errno;

	r = sd_bus_new(&server);
	if (r >= 0)
		r = sd_bus_set_fd(server, fds[0], fds[0]);
	else
		close(fds[0]);
	if (r < 0) {
		close(fds[1]);
		return r;
	}
	r = sd_bus_new(&client);
	if (r >= 0)
		r = sd_bus_set_fd(client, fds[1], fds[1]);
	else
		close(fds[1]);
	if (r < 0)
		return r;

	r = sd_id128_randomize(&id);
	if (r < 0)
		return r;
	r = sd_bus_set_server(server, 1, id);
	if (r < 0)
		return r;
	r = sd_bus_set_anonymous(server, 1);
	if (r < 0)
		return r;
	r = sd_bus_set_anonymous(client, 1);
	if (r < 0)
		return r;

	/* No userdata: introspection never calls getters or methods. */
	r = sd_bus_add_object_vtable(server, NULL, SCRATCH_PATH, iface->name,
				     iface->vtable(), NULL);
	if (r >= 0 && iface->methods)
		r = sd_bus_add_object_vtable(server, NULL, SCRATCH_PATH, iface->name,
					     iface->methods(), NULL);
	if (r >= 0 && iface->more)
		r = sd_bus_add_object_vtable(server, NULL, SCRATCH_PATH, iface->name,
					     iface->more(), NULL);
	if (r < 0)
		return r;

	r = sd_bus_start(server);
	if (r < 0)
		return r;
	r = sd_bus_start(client);
	if (r < 0)
		return r;
	r = sd_bus_attach_event(server, event, 0);
	if (r < 0)
		return r;
	r = sd_bus_attach_event(client, event, 0);
	if (r < 0)
		return r;

	r = sd_bus_call_method_async(client, NULL, NULL, SCRATCH_PATH,
				     "org.freedesktop.DBus.Introspectable",
				     "Introspect", on_introspect_reply, &call, NULL);
	if (r < 0)
		return r;

	r = sd_event_loop(event);
	if (r < 0)
		return r;
	if (call.error < 0)
		return call.error;
	full = call.xml;

	return xml_extract_interface(full, iface->name, ret_xml);
}
