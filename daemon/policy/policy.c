// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "json-locate.h"
#include "policy.h"
#include "strv.h"

#define POLICY_MAX_FILE_SIZE (1024 * 1024)
#define POLICY_MAX_DEPTH 8

static const char *const owner_names[] = {
	[POLICY_OWNER_AUTO] = "auto",
	[POLICY_OWNER_CXL] = "cxl",
	[POLICY_OWNER_HMEM] = "hmem",
};

static const char *const online_names[] = {
	[POLICY_ONLINE_UNSET] = "unset",
	[POLICY_ONLINE_DEVDAX] = "devdax",
	[POLICY_ONLINE_MOVABLE] = "movable",
	[POLICY_ONLINE_NORMAL] = "normal",
};

const char *policy_owner_name(enum policy_owner o)
{
	return o < sizeof(owner_names) / sizeof(*owner_names) ? owner_names[o] : "?";
}

const char *policy_online_name(enum policy_online o)
{
	return o < sizeof(online_names) / sizeof(*online_names) ? online_names[o] : "?";
}

/* Where we are in the document, for error positions. */
struct parse {
	const char *file, *text;
	size_t len;
	struct json_step path[POLICY_MAX_DEPTH];
	size_t depth;
	char *error;
};

static void push_key(struct parse *ps, const char *key)
{
	ps->path[ps->depth++] = (struct json_step){ .key = key };
}

static void push_index(struct parse *ps, size_t index)
{
	ps->path[ps->depth++] = (struct json_step){ .index = index };
}

static void pop(struct parse *ps)
{
	ps->depth--;
}

/* Report an error at the current path (its key if @at_key). -EINVAL. */
static __attribute__((format(printf, 3, 4)))
int fail(struct parse *ps, int at_key, const char *fmt, ...)
{
	unsigned line, col;
	size_t off;
	char *msg;
	va_list ap;
	int r;

	off = json_locate(ps->text, ps->len, ps->path, ps->depth, at_key);
	json_line_col(ps->text, ps->len, off, &line, &col);
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = asprintf(&ps->error, "%s:%u:%u: %s", ps->file, line, col, msg);
	free(msg);
	return r < 0 ? -ENOMEM : -EINVAL;
}

static int parse_enum(struct parse *ps, struct json_object *o,
		      const char *const *names, size_t n, const char *what,
		      int *out)
{
	const char *s;

	if (!json_object_is_type(o, json_type_string))
		return fail(ps, 0, "%s must be a string", what);
	s = json_object_get_string(o);
	for (size_t i = 0; i < n; i++) {
		if (names[i] && !strcmp(s, names[i]) &&
		    !(names == online_names && i == POLICY_ONLINE_UNSET)) {
			*out = (int)i;
			return 0;
		}
	}
	if (names == owner_names)
		return fail(ps, 0, "unknown %s \"%s\" (expected auto, cxl or hmem)", what, s);
	return fail(ps, 0, "unknown %s \"%s\" (expected devdax, movable or normal)", what, s);
}

/* An unsigned 64-bit number: a JSON integer >= 0, or a string "0x..." / decimal. */
static int parse_u64(struct parse *ps, struct json_object *o, const char *what,
		     uint64_t *out)
{
	if (json_object_is_type(o, json_type_int)) {
		if (json_object_get_int64(o) < 0)
			return fail(ps, 0, "%s must not be negative", what);
		*out = json_object_get_uint64(o);
		return 0;
	}
	if (json_object_is_type(o, json_type_string)) {
		const char *s = json_object_get_string(o);
		char *end;

		errno = 0;
		if (*s == '-' || *s == '\0')
			return fail(ps, 0, "%s \"%s\" is not an unsigned number", what, s);
		*out = strtoull(s, &end, 0);
		if (errno || *end)
			return fail(ps, 0, "%s \"%s\" is not an unsigned number", what, s);
		return 0;
	}
	return fail(ps, 0, "%s must be a number or a \"0x...\" string", what);
}

static int parse_range(struct parse *ps, struct json_object *o,
		       struct policy_rule *rule)
{
	struct json_object *v;
	uint64_t start, end, size;
	bool has_end, has_size;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(ps, 0, "\"range\" must be an object with \"start\" and \"end\" or \"size\"");
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "start") && strcmp(key, "end") && strcmp(key, "size")) {
			push_key(ps, key);
			r = fail(ps, 1, "unknown key \"%s\" in \"range\" (expected start, end, size)", key);
			pop(ps);
			return r;
		}
	}
	if (!json_object_object_get_ex(o, "start", &v))
		return fail(ps, 0, "\"range\" needs \"start\"");
	push_key(ps, "start");
	r = parse_u64(ps, v, "\"start\"", &start);
	pop(ps);
	if (r)
		return r;
	has_end = json_object_object_get_ex(o, "end", NULL);
	has_size = json_object_object_get_ex(o, "size", NULL);
	if (has_end == has_size)
		return fail(ps, 0, "\"range\" needs exactly one of \"end\" (inclusive) and \"size\"");
	if (has_end) {
		json_object_object_get_ex(o, "end", &v);
		push_key(ps, "end");
		r = parse_u64(ps, v, "\"end\"", &end);
		if (!r && end < start)
			r = fail(ps, 0, "\"end\" is below \"start\"");
		pop(ps);
	} else {
		json_object_object_get_ex(o, "size", &v);
		push_key(ps, "size");
		r = parse_u64(ps, v, "\"size\"", &size);
		if (!r && (size == 0 || start + size - 1 < start))
			r = fail(ps, 0, "\"size\" must be non-zero and end below 2^64");
		end = start + size - 1;
		pop(ps);
	}
	if (r)
		return r;
	rule->has_range = true;
	rule->range_start = start;
	rule->range_end = end;
	return 0;
}

/* A non-empty array; @each is called per element with the path pushed. */
typedef int (*element_fn)(struct parse *ps, struct json_object *e,
			  struct policy_rule *rule);

static int parse_array(struct parse *ps, struct json_object *o, const char *what,
		       element_fn each, struct policy_rule *rule)
{
	size_t n;

	if (!json_object_is_type(o, json_type_array))
		return fail(ps, 0, "\"%s\" must be an array", what);
	n = json_object_array_length(o);
	if (!n)
		return fail(ps, 0, "\"%s\" is empty: it would match nothing", what);
	for (size_t i = 0; i < n; i++) {
		int r;

		push_index(ps, i);
		r = each(ps, json_object_array_get_idx(o, i), rule);
		pop(ps);
		if (r)
			return r;
	}
	return 0;
}

static int name_element(struct parse *ps, struct json_object *e, char ***list)
{
	if (!json_object_is_type(e, json_type_string) || !*json_object_get_string(e))
		return fail(ps, 0, "expected a non-empty string");
	return strv_extend(list, json_object_get_string(e));
}

static int memdev_element(struct parse *ps, struct json_object *e, struct policy_rule *rule)
{
	return name_element(ps, e, &rule->memdevs);
}

static int window_element(struct parse *ps, struct json_object *e, struct policy_rule *rule)
{
	return name_element(ps, e, &rule->windows);
}

static int serial_element(struct parse *ps, struct json_object *e, struct policy_rule *rule)
{
	uint64_t v, *a;
	int r;

	r = parse_u64(ps, e, "a serial", &v);
	if (r)
		return r;
	a = realloc(rule->serials, (rule->n_serials + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	a[rule->n_serials++] = v;
	rule->serials = a;
	return 0;
}

static int node_element(struct parse *ps, struct json_object *e, struct policy_rule *rule)
{
	int32_t *a;
	int64_t v;

	if (!json_object_is_type(e, json_type_int))
		return fail(ps, 0, "a NUMA node must be an integer");
	v = json_object_get_int64(e);
	if (v < 0 || v > 65535)
		return fail(ps, 0, "NUMA node %" PRId64 " out of range", v);
	a = realloc(rule->nodes, (rule->n_nodes + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	a[rule->n_nodes++] = (int32_t)v;
	rule->nodes = a;
	return 0;
}

static int parse_match(struct parse *ps, struct json_object *o, struct policy_rule *rule)
{
	if (!json_object_is_type(o, json_type_object))
		return fail(ps, 0, "\"match\" must be an object");
	json_object_object_foreach(o, key, val) {
		int r;

		push_key(ps, key);
		if (!strcmp(key, "range"))
			r = parse_range(ps, val, rule);
		else if (!strcmp(key, "memdevs"))
			r = parse_array(ps, val, key, memdev_element, rule);
		else if (!strcmp(key, "serials"))
			r = parse_array(ps, val, key, serial_element, rule);
		else if (!strcmp(key, "windows"))
			r = parse_array(ps, val, key, window_element, rule);
		else if (!strcmp(key, "numa_nodes"))
			r = parse_array(ps, val, key, node_element, rule);
		else
			r = fail(ps, 1, "unknown match key \"%s\" (expected range, memdevs, serials, windows, numa_nodes)", key);
		pop(ps);
		if (r)
			return r;
	}
	return 0;
}

static void rule_clear(struct policy_rule *rule)
{
	free(rule->name);
	free(rule->origin);
	strv_free(rule->memdevs);
	free(rule->serials);
	strv_free(rule->windows);
	free(rule->nodes);
	memset(rule, 0, sizeof(*rule));
}

/* "owner" and "online" of a rule or of "default". */
static int parse_action(struct parse *ps, struct json_object *o,
			enum policy_owner *owner, enum policy_online *online,
			bool need_owner)
{
	struct json_object *v;
	int r, x;

	if (json_object_object_get_ex(o, "owner", &v)) {
		push_key(ps, "owner");
		r = parse_enum(ps, v, owner_names, 3, "owner", &x);
		pop(ps);
		if (r)
			return r;
		*owner = x;
	} else if (need_owner) {
		return fail(ps, 0, "a rule needs \"owner\" (auto, cxl or hmem)");
	}
	if (json_object_object_get_ex(o, "online", &v)) {
		push_key(ps, "online");
		r = parse_enum(ps, v, online_names, 4, "online", &x);
		pop(ps);
		if (r)
			return r;
		*online = x;
	}
	return 0;
}

static int parse_rule(struct parse *ps, struct json_object *o, size_t index,
		      struct policy_rule *rule)
{
	struct json_object *v;
	unsigned line, col;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(ps, 0, "a rule must be an object");
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "name") && strcmp(key, "match") &&
		    strcmp(key, "owner") && strcmp(key, "online")) {
			push_key(ps, key);
			r = fail(ps, 1, "unknown rule key \"%s\" (expected name, match, owner, online)", key);
			pop(ps);
			return r;
		}
	}
	if (json_object_object_get_ex(o, "name", &v)) {
		if (!json_object_is_type(v, json_type_string) || !*json_object_get_string(v)) {
			push_key(ps, "name");
			r = fail(ps, 0, "\"name\" must be a non-empty string");
			pop(ps);
			return r;
		}
		rule->name = strdup(json_object_get_string(v));
	} else {
		r = asprintf(&rule->name, "%s#%zu", ps->file, index + 1);
		if (r < 0)
			rule->name = NULL;
	}
	json_line_col(ps->text, ps->len,
		      json_locate(ps->text, ps->len, ps->path, ps->depth, 0),
		      &line, &col);
	if (!rule->name || asprintf(&rule->origin, "%s:%u", ps->file, line) < 0)
		return -ENOMEM;
	if (json_object_object_get_ex(o, "match", &v)) {
		push_key(ps, "match");
		r = parse_match(ps, v, rule);
		pop(ps);
		if (r)
			return r;
	}
	return parse_action(ps, o, &rule->owner, &rule->online, true);
}

static int parse_default(struct parse *ps, struct json_object *o, struct policy *add)
{
	if (!json_object_is_type(o, json_type_object))
		return fail(ps, 0, "\"default\" must be an object");
	json_object_object_foreach(o, key, val) {
		int r;

		(void)val;
		if (strcmp(key, "owner") && strcmp(key, "online")) {
			push_key(ps, key);
			r = fail(ps, 1, "unknown key \"%s\" in \"default\" (expected owner, online)", key);
			pop(ps);
			return r;
		}
	}
	return parse_action(ps, o, &add->default_owner, &add->default_online, false);
}

static int parse_document(struct parse *ps, struct json_object *doc, struct policy *add)
{
	struct json_object *v;
	int r;

	if (!json_object_is_type(doc, json_type_object))
		return fail(ps, 0, "a policy file is a JSON object");
	json_object_object_foreach(doc, key, val) {
		(void)val;
		if (strcmp(key, "version") && strcmp(key, "default") && strcmp(key, "rules")) {
			push_key(ps, key);
			r = fail(ps, 1, "unknown key \"%s\" (expected version, default, rules)", key);
			pop(ps);
			return r;
		}
	}
	if (!json_object_object_get_ex(doc, "version", &v))
		return fail(ps, 0, "\"version\": 1 is required");
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) != 1) {
		push_key(ps, "version");
		r = fail(ps, 0, "unsupported version (this cxlmemd reads version 1)");
		pop(ps);
		return r;
	}
	if (json_object_object_get_ex(doc, "default", &v)) {
		push_key(ps, "default");
		r = parse_default(ps, v, add);
		if (!r && asprintf(&add->default_origin, "%s", ps->file) < 0)
			r = -ENOMEM;
		pop(ps);
		if (r)
			return r;
	}
	if (json_object_object_get_ex(doc, "rules", &v)) {
		size_t n;

		push_key(ps, "rules");
		if (!json_object_is_type(v, json_type_array)) {
			r = fail(ps, 0, "\"rules\" must be an array");
			pop(ps);
			return r;
		}
		n = json_object_array_length(v);
		add->rules = calloc(n ? n : 1, sizeof(*add->rules));
		if (!add->rules) {
			pop(ps);
			return -ENOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			push_index(ps, i);
			add->n_rules++;
			r = parse_rule(ps, json_object_array_get_idx(v, i), i,
				       &add->rules[i]);
			pop(ps);
			if (r) {
				pop(ps);
				return r;
			}
		}
		pop(ps);
	}
	return 0;
}

int policy_parse(struct policy *p, const char *file, const char *text,
		 size_t len, char **error)
{
	struct parse ps = { .file = file, .text = text, .len = len };
	struct policy add = {
		.default_owner = p->default_owner,
		.default_online = p->default_online,
	};
	struct json_tokener *tok;
	struct json_object *doc;
	struct policy_rule *rules;
	int r;

	*error = NULL;
	if (len > POLICY_MAX_FILE_SIZE || memchr(text, '\0', len)) {
		r = asprintf(error, "%s:1:1: not a policy file (NUL byte, or larger than %d bytes)",
			     file, POLICY_MAX_FILE_SIZE);
		return r < 0 ? -ENOMEM : -EINVAL;
	}
	tok = json_tokener_new_ex(POLICY_MAX_DEPTH * 2);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	doc = json_tokener_parse_ex(tok, text, (int)len);
	if (!doc || json_tokener_get_parse_end(tok) < len) {
		enum json_tokener_error jerr = json_tokener_get_error(tok);
		size_t off = json_tokener_get_parse_end(tok);
		unsigned line, col;
		const char *what;

		if (doc) {
			/* trailing text after the value: allow whitespace only */
			size_t i = off;

			while (i < len && strchr(" \t\r\n", text[i]))
				i++;
			if (i == len)
				goto parsed;
			off = i;
			what = "unexpected text after the policy object";
		} else if (jerr == json_tokener_continue) {
			off = len;
			what = "unexpected end of file";
		} else {
			what = json_tokener_error_desc(jerr);
		}
		json_line_col(text, len, off, &line, &col);
		r = asprintf(error, "%s:%u:%u: invalid JSON: %s", file, line, col, what);
		json_object_put(doc);
		json_tokener_free(tok);
		return r < 0 ? -ENOMEM : -EINVAL;
	}
parsed:
	json_tokener_free(tok);

	r = parse_document(&ps, doc, &add);
	json_object_put(doc);
	if (r) {
		*error = ps.error;
		for (size_t i = 0; i < add.n_rules; i++)
			rule_clear(&add.rules[i]);
		free(add.rules);
		free(add.default_origin);
		return r;
	}

	/* commit: nothing can fail below but the allocations up front */
	rules = realloc(p->rules, (p->n_rules + add.n_rules + 1) * sizeof(*rules));
	if (!rules || strv_extend(&p->files, file) < 0) {
		if (rules)
			p->rules = rules;
		for (size_t i = 0; i < add.n_rules; i++)
			rule_clear(&add.rules[i]);
		free(add.rules);
		free(add.default_origin);
		return -ENOMEM;
	}
	if (add.n_rules)
		memcpy(rules + p->n_rules, add.rules, add.n_rules * sizeof(*rules));
	p->rules = rules;
	p->n_rules += add.n_rules;
	free(add.rules);
	p->default_owner = add.default_owner;
	p->default_online = add.default_online;
	if (add.default_origin) {
		free(p->default_origin);
		p->default_origin = add.default_origin;
	}
	return 0;
}

void policy_clear(struct policy *p)
{
	for (size_t i = 0; i < p->n_rules; i++)
		rule_clear(&p->rules[i]);
	free(p->rules);
	free(p->default_origin);
	strv_free(p->files);
	memset(p, 0, sizeof(*p));
}

static int read_file(const char *path, char **text, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	if (st.st_size > POLICY_MAX_FILE_SIZE) {
		r = -EFBIG;
		goto out;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (!*text) {
		r = -ENOMEM;
		goto out;
	}
	n = read(fd, *text, (size_t)st.st_size);
	if (n < 0) {
		r = -errno;
		free(*text);
		*text = NULL;
		goto out;
	}
	(*text)[n] = '\0';
	*len = (size_t)n;
out:
	close(fd);
	return r;
}

static int json_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".json");
}

static int by_name(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	const char *bx = strrchr(*x, '/') + 1, *by = strrchr(*y, '/') + 1;

	return strcmp(bx, by);
}

/* Every "*.json" in @dirs, by file name; a later directory's file replaces an earlier one of the same name. */
static int list_files(const char *const *dirs, char ***files)
{
	char **l = NULL;
	int r = 0;

	for (size_t d = 0; dirs[d] && !r; d++) {
		struct dirent **ents;
		int n = scandir(dirs[d], &ents, json_name, alphasort);

		if (n < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			r = -errno;
			break;
		}
		for (int i = 0; i < n; i++) {
			char *path = NULL;

			if (!r && asprintf(&path, "%s/%s", dirs[d], ents[i]->d_name) < 0)
				r = -ENOMEM;
			for (size_t j = 0; !r && l && l[j]; j++) {
				if (!strcmp(strrchr(l[j], '/') + 1, ents[i]->d_name)) {
					free(l[j]);
					l[j] = path;
					path = NULL;
					break;
				}
			}
			if (!r && path)
				r = strv_extend(&l, path);
			free(path);
			free(ents[i]);
		}
		free(ents);
	}
	if (r) {
		strv_free(l);
		return r;
	}
	if (l)
		qsort(l, strv_length(l), sizeof(*l), by_name);
	*files = l;
	return 0;
}

int policy_load(struct policy *p, const char *const *dirs, char **error)
{
	char **files = NULL;
	int r;

	*error = NULL;
	memset(p, 0, sizeof(*p));
	r = list_files(dirs, &files);
	if (r < 0) {
		if (asprintf(error, "listing the policy directories: %s", strerror(-r)) < 0)
			*error = NULL;
		return r;
	}
	for (size_t i = 0; files && files[i]; i++) {
		char *text = NULL;
		size_t len = 0;

		r = read_file(files[i], &text, &len);
		if (r < 0) {
			if (asprintf(error, "%s: %s", files[i], strerror(-r)) < 0)
				*error = NULL;
		} else {
			r = policy_parse(p, files[i], text, len, error);
		}
		free(text);
		if (r < 0) {
			policy_clear(p);
			break;
		}
	}
	strv_free(files);
	return r < 0 ? r : 0;
}
