// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bus-json.h"

static struct json_object *basic_json(char type, const void *v)
{
	switch (type) {
	case 'y': return json_object_new_int(*(const uint8_t *)v);
	case 'b': return json_object_new_boolean(*(const int *)v);
	case 'n': return json_object_new_int(*(const int16_t *)v);
	case 'q': return json_object_new_int(*(const uint16_t *)v);
	case 'i': return json_object_new_int(*(const int32_t *)v);
	case 'u': return json_object_new_int64(*(const uint32_t *)v);
	case 'x': return json_object_new_int64(*(const int64_t *)v);
	case 't': return json_object_new_uint64(*(const uint64_t *)v);
	case 'd': return json_object_new_double(*(const double *)v);
	case 'h': return json_object_new_int(*(const int *)v);
	default: return json_object_new_string(*(const char *const *)v);
	}
}

static int read_basic(sd_bus_message *m, char type, struct json_object **ret)
{
	union {
		uint8_t y; int b; int16_t n; uint16_t q; int32_t i; uint32_t u;
		int64_t x; uint64_t t; double d; const char *s;
	} v;
	int r = sd_bus_message_read_basic(m, type, &v);

	if (r < 0)
		return r;
	*ret = basic_json(type, &v);
	return *ret ? 0 : -ENOMEM;
}

/* Entries of an a{..} with string or numeric keys: JSON object. */
static int read_dict(sd_bus_message *m, const char *contents, struct json_object *obj)
{
	char inner[64];
	size_t len = strlen(contents);
	int r;

	/* "{sv}" -> "sv" */
	if (len < 3 || len - 2 >= sizeof(inner))
		return -EINVAL;
	memcpy(inner, contents + 1, len - 2);
	inner[len - 2] = '\0';
	while ((r = sd_bus_message_enter_container(m, 'e', inner)) > 0) {
		struct json_object *key = NULL, *val = NULL;

		r = bus_read_json(m, &key);
		if (r >= 0)
			r = bus_read_json(m, &val);
		if (r >= 0)
			r = json_object_object_add(obj, json_object_get_string(key), val) < 0 ?
				    -ENOMEM : 0;
		json_object_put(key);
		if (r < 0) {
			json_object_put(val);
			return r;
		}
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	return r;
}

static int read_items(sd_bus_message *m, struct json_object *arr)
{
	int r;

	while ((r = sd_bus_message_at_end(m, false)) == 0) {
		struct json_object *item;

		r = bus_read_json(m, &item);
		if (r < 0)
			return r;
		if (json_object_array_add(arr, item) < 0) {
			json_object_put(item);
			return -ENOMEM;
		}
	}
	return r < 0 ? r : 0;
}

static int read_container(sd_bus_message *m, char type, const char *contents,
			  struct json_object **ret)
{
	bool dict = type == 'a' && contents[0] == '{';
	struct json_object *o = dict ? json_object_new_object() : json_object_new_array();
	int r;

	if (!o)
		return -ENOMEM;
	r = sd_bus_message_enter_container(m, type, contents);
	if (r >= 0)
		r = dict ? read_dict(m, contents, o) : read_items(m, o);
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0) {
		json_object_put(o);
		return r;
	}
	*ret = o;
	return 0;
}

int bus_read_json(sd_bus_message *m, struct json_object **ret)
{
	const char *contents;
	char type;
	int r;

	r = sd_bus_message_peek_type(m, &type, &contents);
	if (r < 0)
		return r;
	if (r == 0)
		return -ENXIO;
	if (type == 'v') {
		r = sd_bus_message_enter_container(m, 'v', contents);
		if (r >= 0)
			r = bus_read_json(m, ret);
		return r < 0 ? r : sd_bus_message_exit_container(m);
	}
	if (type == 'a' || type == 'r')
		return read_container(m, type, contents, ret);
	return read_basic(m, type, ret);
}

int bus_read_dict_json(sd_bus_message *m, struct json_object **ret)
{
	return read_container(m, 'a', "{sv}", ret);
}
