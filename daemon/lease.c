// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"
#include "log.h"
#include "model-bus.h"

struct lease {
	struct lease *next;
	Manager *manager;
	char *id, *region, *consumer, *owner;
	sd_bus_track *track;
};

size_t lease_count(Manager *m, const char *region, char **ret_list)
{
	char *buf = NULL;
	size_t n = 0, len = 0;
	FILE *f = ret_list ? open_memstream(&buf, &len) : NULL;

	for (struct lease *l = m->leases; l; l = l->next) {
		if (strcmp(l->region, region) != 0)
			continue;
		if (f)
			fprintf(f, "%s%s (%s, held by %s)", n ? ", " : "", l->consumer, l->id,
				l->owner);
		n++;
	}
	if (f) {
		fclose(f);
		*ret_list = buf;
	}
	return n;
}

static void emit_attachments(Manager *m, const char *region)
{
	_cleanup_free_ char *path = model_bus_path(OBJECT_REGION, region);

	if (path)
		(void)sd_bus_emit_properties_changed(m->bus, path, "org.cxlmemd1.Region",
						     "Attachments", NULL);
}

static void lease_free(struct lease *l)
{
	sd_bus_track_unref(l->track);
	free(l->id);
	free(l->region);
	free(l->consumer);
	free(l->owner);
	free(l);
}

static void lease_remove(Manager *m, struct lease *l)
{
	for (struct lease **p = &m->leases; *p; p = &(*p)->next)
		if (*p == l) {
			*p = l->next;
			break;
		}
	emit_attachments(m, l->region);
	lease_free(l);
}

void lease_drop_region(Manager *m, const char *region)
{
	struct lease *l = m->leases, *next;

	for (; l; l = next) {
		next = l->next;
		if (strcmp(l->region, region) == 0)
			lease_remove(m, l);
	}
}

void lease_prune(Manager *m)
{
	struct lease *l = m->leases, *next;

	for (; l; l = next) {
		next = l->next;
		if (!model_find(&m->model, OBJECT_REGION, l->region)) {
			log_info("Lease %s on %s dropped: the region is gone", l->id, l->region);
			lease_remove(m, l);
		}
	}
}

void lease_free_all(Manager *m)
{
	while (m->leases) {
		struct lease *l = m->leases;

		m->leases = l->next;
		lease_free(l);
	}
}

static int on_lease_owner_gone(sd_bus_track *track, void *userdata)
{
	struct lease *l = userdata;
	Manager *m = l->manager;

	log_info("Lease %s (%s) on %s released: %s left the bus", l->id, l->consumer,
		 l->region, l->owner);
	lease_remove(m, l);
	return 0;
}

int lease_attach(Manager *m, sd_bus_message *msg, const char *region, const char *consumer,
		 const char **ret_id)
{
	struct lease *l;
	int r;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->manager = m;
	if (asprintf(&l->id, "lease%u", ++m->lease_counter) < 0)
		l->id = NULL;
	l->region = strdup(region);
	l->consumer = strdup(consumer);
	l->owner = strdup(sd_bus_message_get_sender(msg) ?: "");
	r = l->id && l->region && l->consumer && l->owner ? 0 : -ENOMEM;
	/* The lease lives as long as the caller's connection. */
	if (r >= 0)
		r = sd_bus_track_new(m->bus, &l->track, on_lease_owner_gone, l);
	if (r >= 0)
		r = sd_bus_track_add_sender(l->track, msg);
	if (r < 0) {
		lease_free(l);
		return r;
	}
	l->next = m->leases;
	m->leases = l;
	emit_attachments(m, region);
	log_info("Lease %s: %s attached to %s (%s)", l->id, consumer, region, l->owner);
	*ret_id = l->id;
	return 0;
}

int lease_detach(Manager *m, const char *region, const char *id)
{
	for (struct lease *l = m->leases; l; l = l->next)
		if (strcmp(l->id, id) == 0 && strcmp(l->region, region) == 0) {
			log_info("Lease %s (%s) on %s detached", l->id, l->consumer, l->region);
			lease_remove(m, l);
			return 0;
		}
	return -ENOENT;
}

int lease_append(Manager *m, const char *region, sd_bus_message *reply)
{
	int r;

	r = sd_bus_message_open_container(reply, 'a', "(sss)");
	for (struct lease *l = m->leases; r >= 0 && l; l = l->next)
		if (strcmp(l->region, region) == 0)
			r = sd_bus_message_append(reply, "(sss)", l->id, l->consumer, l->owner);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}
