// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "model-json.h"

static struct json_object *strv_to_json(char *const *l)
{
	struct json_object *a = json_object_new_array();

	for (; a && l && *l; l++)
		json_object_array_add(a, json_object_new_string(*l));
	return a;
}

static struct json_object *prop_to_json(const struct prop_desc *p, const void *obj)
{
	const void *f = (const char *)obj + p->offset;

	switch (p->kind) {
	case PROP_STRING:
	case PROP_REF: {
		const char *s = *(char *const *)f;

		/* An empty reference is "none": leave the key out, as cxl list does. */
		if (p->kind == PROP_REF && (!s || !*s))
			return NULL;
		return json_object_new_string(s ?: "");
	}
	case PROP_U64:
		return json_object_new_uint64(*(const uint64_t *)f);
	case PROP_U32:
		return json_object_new_int64(*(const uint32_t *)f);
	case PROP_I32:
		return json_object_new_int(*(const int32_t *)f);
	case PROP_BOOL:
		return json_object_new_boolean(!!*(const int *)f);
	case PROP_STRV:
	case PROP_REFV:
		return strv_to_json(*(char **const *)f);
	case PROP_TARGETS: {
		const struct region *r = obj;
		struct json_object *a = json_object_new_array();

		for (size_t i = 0; a && i < r->n_targets; i++) {
			struct json_object *t = json_object_new_object();

			json_object_object_add(t, "position",
					       json_object_new_int64(r->targets[i].position));
			json_object_object_add(t, "memdev",
					       json_object_new_string(r->targets[i].memdev ?: ""));
			json_object_object_add(t, "decoder",
					       json_object_new_string(r->targets[i].decoder ?: ""));
			json_object_array_add(a, t);
		}
		return a;
	}
	}
	return NULL;
}

char *model_to_json(const struct model *m)
{
	struct json_object *root = json_object_new_object();
	char *out = NULL;

	if (!root)
		return NULL;
	for (enum object_type t = 0; t < _OBJECT_TYPE_MAX; t++) {
		const struct object_type_info *ti = object_type_info(t);
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; arr && i < model_count(m, t); i++) {
			const void *obj = model_object(m, t, i);
			struct json_object *o = json_object_new_object();

			for (const struct prop_desc *p = ti->props; o && p->name; p++) {
				struct json_object *v = prop_to_json(p, obj);

				if (v)
					json_object_object_add(o, p->json, v);
			}
			json_object_array_add(arr, o);
		}
		json_object_object_add(root, ti->json_array, arr);
	}
	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return out;
}
