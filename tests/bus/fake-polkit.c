// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "fake-polkit.h"

const char fake_polkit_bus_policy[] =
	"  <policy user=\"root\">\n"
	"    <allow own=\"org.freedesktop.PolicyKit1\"/>\n"
	"  </policy>\n"
	"  <policy context=\"default\">\n"
	"    <allow send_destination=\"org.freedesktop.PolicyKit1\"/>\n"
	"  </policy>\n";

struct fake_polkit {
	sd_bus *bus;
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t lock;
	enum fake_polkit_verdict verdict;
	unsigned int hold_ms;
	char refused[128];	/* an action always answered no, or "" */
	struct fake_polkit_question q;
};

/* The subject's kind and "name" detail: (sa{sv}). */
static int read_subject(sd_bus_message *m, const char **kind, const char **name)
{
	const char *key;
	int r;

	r = sd_bus_message_enter_container(m, 'r', "sa{sv}");
	if (r >= 0)
		r = sd_bus_message_read(m, "s", kind);
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r >= 0 && sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		r = sd_bus_message_read(m, "s", &key);
		if (r >= 0 && !strcmp(key, "name"))
			r = sd_bus_message_read(m, "v", "s", name);
		else if (r >= 0)
			r = sd_bus_message_skip(m, "v");
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	return r;
}

static int check_authorization(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fake_polkit *p = userdata;
	const char *kind = "", *name = "", *action, *cancel;
	unsigned int hold;
	uint32_t flags;
	int yes, challenge, r;

	r = read_subject(m, &kind, &name);
	if (r >= 0)
		r = sd_bus_message_read(m, "s", &action);
	if (r >= 0)
		r = sd_bus_message_skip(m, "a{ss}");
	if (r >= 0)
		r = sd_bus_message_read(m, "us", &flags, &cancel);
	if (r < 0)
		return r;

	pthread_mutex_lock(&p->lock);
	p->q.asked++;
	snprintf(p->q.action, sizeof(p->q.action), "%s", action);
	snprintf(p->q.subject, sizeof(p->q.subject), "%s:%s", kind, name);
	p->q.flags = flags;
	yes = p->verdict == FAKE_POLKIT_YES;
	challenge = p->verdict == FAKE_POLKIT_CHALLENGE;
	if (*p->refused && !strcmp(action, p->refused))
		yes = challenge = 0;
	hold = p->hold_ms;
	pthread_mutex_unlock(&p->lock);
	if (hold)
		usleep(hold * 1000);
	return sd_bus_reply_method_return(m, "(bba{ss})", yes, challenge, 0);
}

static const sd_bus_vtable authority_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})",
		      check_authorization, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

static void *serve(void *userdata)
{
	struct fake_polkit *p = userdata;

	while (!atomic_load(&p->stop)) {
		while (sd_bus_process(p->bus, NULL) > 0)
			;
		sd_bus_wait(p->bus, 50 * 1000);
	}
	return NULL;
}

int fake_polkit_start(const char *bus_address, struct fake_polkit **ret)
{
	struct fake_polkit *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	r = sd_bus_new(&p->bus);
	if (r >= 0)
		r = sd_bus_set_address(p->bus, bus_address);
	if (r >= 0)
		r = sd_bus_set_bus_client(p->bus, 1);
	if (r >= 0)
		r = sd_bus_start(p->bus);
	if (r >= 0)
		r = sd_bus_add_object_vtable(p->bus, NULL, "/org/freedesktop/PolicyKit1/Authority",
					     "org.freedesktop.PolicyKit1.Authority",
					     authority_vtable, p);
	if (r >= 0)
		r = sd_bus_request_name(p->bus, "org.freedesktop.PolicyKit1", 0);
	if (r >= 0 && pthread_create(&p->thread, NULL, serve, p) != 0)
		r = -EAGAIN;
	if (r < 0) {
		sd_bus_flush_close_unref(p->bus);
		free(p);
		return r;
	}
	*ret = p;
	return 0;
}

void fake_polkit_stop(struct fake_polkit *p)
{
	if (!p)
		return;
	atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
	sd_bus_flush_close_unref(p->bus);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void fake_polkit_set(struct fake_polkit *p, enum fake_polkit_verdict v, unsigned int hold_ms)
{
	pthread_mutex_lock(&p->lock);
	p->verdict = v;
	p->hold_ms = hold_ms;
	memset(&p->q, 0, sizeof(p->q));
	p->q.flags = UINT32_MAX;
	pthread_mutex_unlock(&p->lock);
}

void fake_polkit_refuse(struct fake_polkit *p, const char *action)
{
	pthread_mutex_lock(&p->lock);
	snprintf(p->refused, sizeof(p->refused), "%s", action ?: "");
	pthread_mutex_unlock(&p->lock);
}

void fake_polkit_last(struct fake_polkit *p, struct fake_polkit_question *q)
{
	pthread_mutex_lock(&p->lock);
	*q = p->q;
	pthread_mutex_unlock(&p->lock);
}
