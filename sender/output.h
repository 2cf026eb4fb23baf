/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CLI's output, as az prints it: resources with their "properties"
 * flattened into them, then one of
 *
 *   json   indented two spaces, keys sorted (the default)
 *   tsv    one line per object (or per element of a top-level array):
 *          its scalar values in key order, tab-separated; an array shows
 *          as its length, an object as an empty field; no header
 *   table  a header (keys with their first letter capitalised), a rule
 *          of dashes and one row per object; id, type and etag are left
 *          out, as are arrays and objects; columns two spaces apart
 *   none   nothing
 *
 * A JSON null prints nothing in every format. Pure: rendering returns a
 * string and never writes.
 */
#ifndef VTAP_SENDER_OUTPUT_H
#define VTAP_SENDER_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>

enum output_format {
	OUTPUT_JSON,
	OUTPUT_TSV,
	OUTPUT_TABLE,
	OUTPUT_NONE,
};

/* "json" (or "jsonc"), "tsv", "table", "none"; false for anything else. */
bool output_parse_format(const char *s, enum output_format *out);

/*
 * A copy of v (new reference) in which every object's "properties"
 * object is merged into the object itself, at every depth; a property
 * never overwrites a top-level key of the same name.
 */
json_t *output_flatten(const json_t *v);

/*
 * v in format f, ending with a newline unless empty. Returns a string the
 * caller frees, or NULL when out of memory.
 */
char *output_render(const json_t *v, enum output_format f);

#endif
