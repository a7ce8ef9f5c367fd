// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bus-path.h"
#include "log.h"
#include "macro.h"
#include "model-bus.h"

#define MAX_PROPS 30

static const char *prop_signature(enum prop_kind k)
{
	switch (k) {
	case PROP_STRING: return "s";
	case PROP_U64: return "t";
	case PROP_U32: return "u";
	case PROP_I32: return "i";
	case PROP_BOOL: return "b";
	case PROP_STRV: return "as";
	case PROP_REF: return "o";
	case PROP_REFV: return "ao";
	case PROP_TARGETS: return "a(uos)";
	}
	return NULL;
}

static int type_from_interface(const char *interface, enum object_type *ret)
{
	for (enum object_type t = 0; t < _OBJECT_TYPE_MAX; t++)
		if (interface && strcmp(object_type_info(t)->interface, interface) == 0) {
			*ret = t;
			return 0;
		}
	return -ENOENT;
}

char *model_bus_path(enum object_type t, const char *name)
{
	return bus_path_for(object_type_info(t)->path_prefix, name);
}

static int append_ref(sd_bus_message *reply, enum object_type t, const char *name)
{
	_cleanup_free_ char *path = NULL;

	/* "/" is the conventional "no object" path. */
	if (!name || !*name)
		return sd_bus_message_append(reply, "o", "/");
	path = model_bus_path(t, name);
	if (!path)
		return -ENOMEM;
	return sd_bus_message_append(reply, "o", path);
}

static int property_get(sd_bus *bus, const char *path, const char *interface,
			const char *property, sd_bus_message *reply, void *userdata,
			sd_bus_error *error)
{
	const struct prop_desc *p;
	enum object_type t;
	const void *f;
	int r;

	r = type_from_interface(interface, &t);
	if (r < 0)
		return r;
	p = object_type_find_prop(t, property);
	if (!p)
		return -ENOENT;
	f = (const char *)userdata + p->offset;

	switch (p->kind) {
	case PROP_STRING:
		return sd_bus_message_append(reply, "s", *(char *const *)f ?: "");
	case PROP_U64:
		return sd_bus_message_append(reply, "t", *(const uint64_t *)f);
	case PROP_U32:
		return sd_bus_message_append(reply, "u", *(const uint32_t *)f);
	case PROP_I32:
		return sd_bus_message_append(reply, "i", *(const int32_t *)f);
	case PROP_BOOL:
		return sd_bus_message_append(reply, "b", !!*(const int *)f);
	case PROP_STRV:
		return sd_bus_message_append_strv(reply, *(char **const *)f);
	case PROP_REF:
		return append_ref(reply, p->ref, *(char *const *)f);
	case PROP_REFV:
		r = sd_bus_message_open_container(reply, 'a', "o");
		for (char **s = *(char **const *)f; r >= 0 && s && *s; s++)
			r = append_ref(reply, p->ref, *s);
		return r < 0 ? r : sd_bus_message_close_container(reply);
	case PROP_TARGETS: {
		const struct region *reg = userdata;

		r = sd_bus_message_open_container(reply, 'a', "(uos)");
		for (size_t i = 0; r >= 0 && i < reg->n_targets; i++) {
			_cleanup_free_ char *mpath = model_bus_path(OBJECT_MEMDEV,
								  reg->targets[i].memdev);
			if (!mpath)
				return -ENOMEM;
			r = sd_bus_message_append(reply, "(uos)", reg->targets[i].position,
						  mpath, reg->targets[i].decoder ?: "");
		}
		return r < 0 ? r : sd_bus_message_close_container(reply);
	}
	}
	return -EINVAL;
}

const sd_bus_vtable *model_bus_vtable(enum object_type t)
{
	static sd_bus_vtable tables[_OBJECT_TYPE_MAX][MAX_PROPS + 2];
	static bool built[_OBJECT_TYPE_MAX];
	sd_bus_vtable *v = tables[t];
	size_t n = 0;

	if (built[t])
		return v;

	v[n++] = (sd_bus_vtable)SD_BUS_VTABLE_START(0);
	for (const struct prop_desc *p = object_type_info(t)->props; p->name; p++) {
		if (n > MAX_PROPS)
			abort(); /* a table outgrew MAX_PROPS: a programming error */
		v[n++] = (sd_bus_vtable)SD_BUS_PROPERTY(
			p->name, prop_signature(p->kind), property_get, 0,
			p->constant ? SD_BUS_VTABLE_PROPERTY_CONST :
				      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	}
	v[n] = (sd_bus_vtable)SD_BUS_VTABLE_END;
	built[t] = true;
	return v;
}

/* Does @name encode to exactly @comp (bus_path_component), without allocating? */
static bool component_is(const char *name, const char *comp)
{
	static const char hex[] = "0123456789abcdef";

	if (!*name)
		return strcmp(comp, "_") == 0;
	for (; *name; name++) {
		unsigned char c = (unsigned char)*name;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_') {
			if (*comp++ != (char)c)
				return false;
		} else if (c == '.') {
			if (*comp++ != '_')
				return false;
		} else if (comp[0] != '_' || comp[1] != hex[c >> 4] || comp[2] != hex[c & 15]) {
			return false;
		} else {
			comp += 3;
		}
	}
	return *comp == '\0';
}

/*
 * The object of type @t whose path component is @comp, if any. Every
 * object path a client names comes through here (sd-bus asks once per
 * fallback vtable and path, GetManagedObjects for every object), so not
 * a scan that formats every object's path: the model is sorted by name,
 * and a component is its name with '.' as '_' (decoder0_1), or the name
 * itself (mem3). Only a component with a '_' that neither guess explains
 * (a name with an escaped byte) takes the scan, comparing in place.
 */
static void *object_by_component(const struct model *model, enum object_type t,
				 const char *comp)
{
	_cleanup_free_ char *dotted = NULL;
	void *obj;

	if (!strchr(comp, '_')) {
		obj = model_find(model, t, comp);
		return obj && component_is(object_name(obj), comp) ? obj : NULL;
	}
	dotted = strdup(comp);
	if (dotted) {
		for (char *p = dotted; *p; p++)
			if (*p == '_')
				*p = '.';
		obj = model_find(model, t, dotted);
		if (obj && component_is(object_name(obj), comp))
			return obj;
	}
	obj = model_find(model, t, comp);
	if (obj && component_is(object_name(obj), comp))
		return obj;
	for (size_t i = 0; i < model_count(model, t); i++) {
		obj = model_object(model, t, i);
		if (component_is(object_name(obj), comp))
			return obj;
	}
	return NULL;
}

void *model_bus_object(const struct model *model, enum object_type t, const char *path)
{
	const char *prefix = object_type_info(t)->path_prefix;
	size_t len = strlen(prefix);

	if (!path || strncmp(path, prefix, len) != 0 || path[len] != '/' ||
	    strchr(path + len + 1, '/'))
		return NULL;
	return object_by_component(model, t, path + len + 1);
}

static int object_find(sd_bus *bus, const char *path, const char *interface,
		       void *userdata, void **found, sd_bus_error *error)
{
	Manager *m = userdata;
	enum object_type t;
	void *obj;

	if (type_from_interface(interface, &t) < 0)
		return 0;
	obj = model_bus_object(&m->model, t, path);
	if (!obj)
		return 0;
	*found = obj;
	return 1;
}

/*
 * One enumerator per object type, knowing its type: sd-bus calls an
 * enumerator with the path it is asked about, not the one it was
 * registered at; for GetManagedObjects that is the object manager's
 * /org/cxlmemd1, and an enumerator that picked its type by that path
 * listed nothing there.
 */
struct type_enumerator {
	Manager *m;
	enum object_type type;
};

static int node_enumerator(sd_bus *bus, const char *path, void *userdata,
			   char ***nodes, sd_bus_error *error)
{
	const struct type_enumerator *te = userdata;
	const struct model *model = &te->m->model;
	enum object_type t = te->type;
	char **l;
	size_t n;

	n = model_count(model, t);
	l = calloc(n + 1, sizeof(char *));
	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		l[i] = model_bus_path(t, object_name(model_object(model, t, i)));
		if (!l[i]) {
			for (size_t k = 0; k < i; k++)
				free(l[k]);
			free(l);
			return -ENOMEM;
		}
	}
	*nodes = l;
	return 0;
}

static int add_type_enumerator(Manager *m, enum object_type t)
{
	struct type_enumerator *te;
	sd_bus_slot *slot;
	int r;

	te = malloc(sizeof(*te));
	if (!te)
		return -ENOMEM;
	*te = (struct type_enumerator){ .m = m, .type = t };
	r = sd_bus_add_node_enumerator(m->bus, &slot, object_type_info(t)->path_prefix,
				       node_enumerator, te);
	if (r < 0) {
		free(te);
		return r;
	}
	/* The bus owns the slot (floating takes a reference of its own), the
	 * slot @te. */
	(void)sd_bus_slot_set_destroy_callback(slot, free);
	r = sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
	return r;
}

int model_bus_register(Manager *m)
{
	int r;

	for (enum object_type t = 0; t < _OBJECT_TYPE_MAX; t++) {
		const struct object_type_info *ti = object_type_info(t);

		r = sd_bus_add_fallback_vtable(m->bus, NULL, ti->path_prefix, ti->interface,
					       model_bus_vtable(t), object_find, m);
		if (r < 0)
			return r;
		r = add_type_enumerator(m, t);
		if (r < 0)
			return r;
	}
	return 0;
}

static int emit_change(const struct model_change *c, void *userdata)
{
	Manager *m = userdata;
	const char *iface = object_type_info(c->type)->interface;
	_cleanup_free_ char *path = model_bus_path(c->type, c->name);
	int r;

	if (!path)
		return -ENOMEM;

	switch (c->kind) {
	case CHANGE_ADDED:
		r = sd_bus_emit_interfaces_added(m->bus, path, iface, NULL);
		break;
	case CHANGE_REMOVED:
		r = sd_bus_emit_interfaces_removed(m->bus, path, iface, NULL);
		break;
	case CHANGE_PROPERTIES:
		/*
		 * A "constant" property changed: to a client this is another
		 * object under the same name (e.g. a window re-created with a
		 * different range), so say exactly that.
		 */
		for (size_t i = 0; c->props[i]; i++)
			if (object_type_find_prop(c->type, c->props[i])->constant) {
				r = sd_bus_emit_interfaces_removed(m->bus, path, iface, NULL);
				if (r >= 0)
					r = sd_bus_emit_interfaces_added(m->bus, path, iface,
									 NULL);
				goto out;
			}
		r = sd_bus_emit_properties_changed_strv(m->bus, path, iface,
							(char **)c->props);
		break;
	default:
		r = -EINVAL;
	}
out:
	if (r < 0)
		log_warning_errno(r, "Failed to emit change of %s: %m", path);
	/* A failed signal must not stop the others. */
	return 0;
}

int model_bus_emit_changes(Manager *m, const struct model *old)
{
	/*
	 * Not before the name is ours: the bus delivers a signal to a match
	 * on sender org.cxlmemd1 only from its owner, and a client learns of
	 * us when the name appears, then reads GetManagedObjects. At
	 * start-up the first snapshot's InterfacesAdded, one per object,
	 * were a third of the instructions to READY=1
	 * (bench/callgrind-startup), for nobody.
	 */
	if (!m->name_acquired)
		return 0;
	return model_diff(old, &m->model, emit_change, m);
}

int model_bus_emit_object_change(Manager *m, enum object_type t, const void *old,
				 const void *new)
{
	if (!m->name_acquired)
		return 0;
	return model_diff_object(t, old, new, emit_change, m);
}
