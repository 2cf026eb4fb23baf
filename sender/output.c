/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rendering CLI results as json, tsv or table text the way az does (see
 * output.h). It builds strings only; printing them is cli.c's job.
 */
#include "sender/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
output_parse_format(const char *s, enum output_format *out)
{
	static const struct {
		const char *name;
		enum output_format f;
	} names[] = {
		{ "json", OUTPUT_JSON },
		{ "jsonc", OUTPUT_JSON },
		{ "tsv", OUTPUT_TSV },
		{ "table", OUTPUT_TABLE },
		{ "none", OUTPUT_NONE },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (s != NULL && strcmp(s, names[i].name) == 0) {
			*out = names[i].f;
			return true;
		}
	}
	return false;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *
output_flatten(const json_t *v)
{
	const char **keys;
	json_t *out, *props, *e;
	const char *k;
	size_t n = 0, i;

	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, e) {
			json_array_append_new(out, output_flatten(e));
		}
		return out;
	}
	if (!json_is_object(v)) {
		return json_deep_copy(v);
	}
	props = json_object_get(v, "properties");
	if (!json_is_object(props)) {
		props = NULL;
	}
	keys = calloc(json_object_size(v) + json_object_size(props) + 1, sizeof(*keys));
	if (keys == NULL) {
		return NULL;
	}
	json_object_foreach((json_t *)v, k, e) {
		if (props == NULL || strcmp(k, "properties") != 0) {
			keys[n++] = k;
		}
	}
	json_object_foreach(props, k, e) {
		if (json_object_get(v, k) == NULL) {
			keys[n++] = k;
		}
	}
	/* sorted insertion order, so table columns come out as az's do */
	qsort(keys, n, sizeof(*keys), cmp_str);
	out = json_object();
	for (i = 0; i < n; i++) {
		if ((e = json_object_get(v, keys[i])) == NULL) {
			e = json_object_get(props, keys[i]);
		}
		json_object_set_new(out, keys[i], output_flatten(e));
	}
	free(keys);
	return out;
}

/* A scalar as az's tsv and table print it; arrays and objects are the caller's. */
static void
scalar(FILE *f, const json_t *v)
{
	if (v == NULL) {
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		fputs(json_string_value(v), f);
		break;
	case JSON_INTEGER:
		fprintf(f, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("True", f);
		break;
	case JSON_FALSE:
		fputs("False", f);
		break;
	default:
		break;
	}
}

static void
tsv_cell(FILE *f, const json_t *v)
{
	if (json_is_array(v)) {
		fprintf(f, "%zu", json_array_size(v));
	} else if (!json_is_object(v)) {
		scalar(f, v);
	}
}

static void
tsv_row(FILE *f, const json_t *v)
{
	const char *sep = "";
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, e) {
			fputs(sep, f);
			tsv_cell(f, e);
			sep = "\t";
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			fputs(sep, f);
			tsv_cell(f, e);
			sep = "\t";
		}
	} else {
		scalar(f, v);
	}
	fputc('\n', f);
}

static void
render_tsv(FILE *f, const json_t *v)
{
	json_t *e;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			tsv_row(f, e);
		}
	} else {
		tsv_row(f, v);
	}
}

/* The text of one table cell (caller frees). */
static char *
cell_text(const json_t *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL) {
		return NULL;
	}
	scalar(f, v);
	fclose(f);
	return buf;
}

static bool
skipped(const char *key, const json_t *v)
{
	return strcmp(key, "id") == 0 || strcmp(key, "type") == 0 ||
	       strcmp(key, "etag") == 0 || json_is_null(v) || json_is_array(v) ||
	       json_is_object(v);
}

/* One table row of item as an object of cells: az's _auto_table_item. */
static json_t *
table_item(const json_t *item)
{
	json_t *row = json_object(), *e;
	char header[256];
	const char *k;
	size_t i;

	if (json_is_object(item)) {
		json_object_foreach((json_t *)item, k, e) {
			if (skipped(k, e)) {
				continue;
			}
			snprintf(header, sizeof(header), "%s", k);
			if (header[0] >= 'a' && header[0] <= 'z') {
				header[0] = (char)(header[0] - 'a' + 'A');
			}
			json_object_set(row, header, e);
		}
	} else if (json_is_array(item)) {
		json_array_foreach(item, i, e) {
			snprintf(header, sizeof(header), "Column%zu", i + 1);
			json_object_set(row, header, e);
		}
	} else if (!json_is_null(item)) {
		json_object_set(row, "Result", (json_t *)item);
	}
	return row;
}

static void
pad(FILE *f, size_t n)
{
	while (n-- > 0) {
		fputc(' ', f);
	}
}

static void
render_table(FILE *f, const json_t *v)
{
	json_t *rows = json_array(), *cols = json_object(), *row, *e;
	const char *k;
	size_t i, ncols, c;
	size_t *width = NULL;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			json_array_append_new(rows, table_item(e));
		}
	} else {
		json_array_append_new(rows, table_item(v));
	}
	/* columns: every key of every row, in the order first seen */
	json_array_foreach(rows, i, row) {
		json_object_foreach(row, k, e) {
			if (json_object_get(cols, k) == NULL) {
				json_object_set_new(cols, k, json_integer((json_int_t)strlen(k)));
			}
		}
	}
	ncols = json_object_size(cols);
	if (ncols == 0 || (width = calloc(ncols, sizeof(*width))) == NULL) {
		goto done;
	}
	c = 0;
	json_object_foreach(cols, k, e) {
		width[c] = strlen(k);
		json_array_foreach(rows, i, row) {
			char *t = cell_text(json_object_get(row, k));

			if (t != NULL && strlen(t) > width[c]) {
				width[c] = strlen(t);
			}
			free(t);
		}
		c++;
	}
	/* header, rule, rows; no trailing blanks */
	for (int line = -2; line < (int)json_array_size(rows); line++) {
		c = 0;
		row = line >= 0 ? json_array_get(rows, (size_t)line) : NULL;
		json_object_foreach(cols, k, e) {
			char *t = line == -2 ? strdup(k)
				  : line == -1 ? NULL
				  : cell_text(json_object_get(row, k));
			size_t len = line == -1 ? width[c] : (t != NULL ? strlen(t) : 0);

			if (line == -1) {
				for (size_t d = 0; d < width[c]; d++) {
					fputc('-', f);
				}
			} else if (t != NULL) {
				fputs(t, f);
			}
			free(t);
			if (c + 1 < ncols) {
				pad(f, width[c] - len + 2);
			}
			c++;
		}
		fputc('\n', f);
	}
done:
	free(width);
	json_decref(cols);
	json_decref(rows);
}

/* Trailing blanks of each line, left by empty last cells, go. */
static void
trim_lines(char *s)
{
	char *w = s;

	for (char *r = s; *r != '\0'; r++) {
		if (*r == '\n') {
			while (w > s && w[-1] == ' ') {
				w--;
			}
		}
		*w++ = *r;
	}
	*w = '\0';
}

char *
output_render(const json_t *v, enum output_format fmt)
{
	char *buf = NULL, *text;
	size_t len = 0;
	FILE *f;

	if (v == NULL || json_is_null(v) || fmt == OUTPUT_NONE) {
		return strdup("");
	}
	if ((f = open_memstream(&buf, &len)) == NULL) {
		return NULL;
	}
	switch (fmt) {
	case OUTPUT_JSON:
		text = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		if (text != NULL) {
			fprintf(f, "%s\n", text);
			free(text);
		}
		break;
	case OUTPUT_TSV:
		render_tsv(f, v);
		break;
	case OUTPUT_TABLE:
		render_table(f, v);
		break;
	case OUTPUT_NONE:
		break;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	if (fmt == OUTPUT_TABLE && buf != NULL) {
		trim_lines(buf);
	}
	return buf;
}
