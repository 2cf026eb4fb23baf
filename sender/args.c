/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * az-style option parsing for the vtap CLI (see args.h). It turns words
 * into a JSON object of values and knows nothing of what they mean.
 */
#include "sender/args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct args_option *
find_long(const struct args_option *const *tables, const char *name, size_t len)
{
	for (size_t t = 0; tables[t] != NULL; t++) {
		for (const struct args_option *o = tables[t]; o->name != NULL; o++) {
			if ((strlen(o->name) == len && strncmp(o->name, name, len) == 0) ||
			    (o->alias != NULL && strlen(o->alias) == len &&
			     strncmp(o->alias, name, len) == 0)) {
				return o;
			}
		}
	}
	return NULL;
}

static const struct args_option *
find_short(const struct args_option *const *tables, char c)
{
	for (size_t t = 0; tables[t] != NULL; t++) {
		for (const struct args_option *o = tables[t]; o->name != NULL; o++) {
			if (o->short_name != 0 && o->short_name == c) {
				return o;
			}
		}
	}
	return NULL;
}

/* "--name/-n" as argparse names an option. */
static void
option_label(const struct args_option *o, char *buf, size_t len)
{
	if (o->short_name != 0) {
		snprintf(buf, len, "--%s/-%c", o->name, o->short_name);
	} else {
		snprintf(buf, len, "--%s", o->name);
	}
}

static bool
parse_integer(const char *s, long long *out)
{
	char *end;

	if (s[0] == '\0') {
		return false;
	}
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Is w an option word (as opposed to a value such as "-1")? */
static bool
is_option(const char *w)
{
	if (w[0] != '-' || w[1] == '\0') {
		return false;
	}
	return !(w[1] >= '0' && w[1] <= '9');
}

enum args_result
args_parse(int argc, char *const argv[], const struct args_option *const *tables,
	   json_t **out, char *err, size_t errlen)
{
	json_t *res = json_object(), *extra = json_array();
	enum args_result rc = ARGS_ERROR;
	char label[128];
	int i = 0;

	while (i < argc) {
		const char *w = argv[i++], *value = NULL, *eq;
		const struct args_option *o;
		long long n;

		if (strcmp(w, "-h") == 0 || strcmp(w, "--help") == 0) {
			rc = ARGS_HELP;
			goto done;
		}
		if (!is_option(w)) {
			json_array_append_new(extra, json_string(w));
			continue;
		}
		if (w[1] == '-') {
			eq = strchr(w + 2, '=');
			o = find_long(tables, w + 2, eq != NULL ? (size_t)(eq - w - 2) : strlen(w + 2));
			value = eq != NULL ? eq + 1 : NULL;
		} else {
			o = w[2] == '\0' ? find_short(tables, w[1]) : NULL;
		}
		if (o == NULL) {
			snprintf(err, errlen, "unrecognized arguments: %s", w);
			goto done;
		}
		option_label(o, label, sizeof(label));
		if (o->kind == ARGS_FLAG) {
			if (value != NULL) {
				snprintf(err, errlen, "argument %s: ignored explicit argument '%s'",
					 label, value);
				goto done;
			}
			json_object_set_new(res, o->key, json_true());
			continue;
		}
		if (o->kind == ARGS_LIST) {
			json_t *list = json_array();

			if (value != NULL) {
				json_array_append_new(list, json_string(value));
			}
			while (i < argc && !is_option(argv[i])) {
				json_array_append_new(list, json_string(argv[i++]));
			}
			json_object_set_new(res, o->key, list);
			continue;
		}
		if (value == NULL) {
			if (i >= argc || is_option(argv[i])) {
				snprintf(err, errlen, "argument %s: expected one argument", label);
				goto done;
			}
			value = argv[i++];
		}
		if (o->kind == ARGS_INTEGER) {
			if (!parse_integer(value, &n)) {
				snprintf(err, errlen, "argument %s: invalid int value: '%s'",
					 label, value);
				goto done;
			}
			json_object_set_new(res, o->key, json_integer(n));
		} else {
			json_object_set_new(res, o->key, json_string(value));
		}
	}
	if (json_array_size(extra) > 0) {
		size_t used = (size_t)snprintf(err, errlen, "unrecognized arguments:");
		json_t *e;
		size_t k;

		json_array_foreach(extra, k, e) {
			if (used < errlen) {
				used += (size_t)snprintf(err + used, errlen - used, " %s",
							 json_string_value(e));
			}
		}
		goto done;
	}
	/* every missing required option, named as argparse does */
	{
		size_t used = 0;

		for (size_t t = 0; tables[t] != NULL; t++) {
			for (const struct args_option *o = tables[t]; o->name != NULL; o++) {
				if (!o->required || json_object_get(res, o->key) != NULL) {
					continue;
				}
				option_label(o, label, sizeof(label));
				if (used < errlen) {
					used += (size_t)snprintf(err + used, errlen - used, "%s%s",
								 used == 0 ? "the following arguments are required: " : ", ",
								 label);
				}
			}
		}
		if (used > 0) {
			goto done;
		}
	}
	*out = res;
	res = NULL;
	rc = ARGS_OK;
done:
	json_decref(res);
	json_decref(extra);
	return rc;
}
