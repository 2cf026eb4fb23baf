/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --query: the subset of JMESPath (https://jmespath.org/specification.html)
 * that az users reach for most, with JMESPath's meaning:
 *
 *   name                 a field ("quoted-name" for any other key)
 *   a.b.c                a dotted path
 *   [N]  a[N]  a[-1]     an element of an array
 *   []   a[]  a[].b      flatten, then project the rest on each element
 *   [*]  a[*].b          project without flattening
 *   {X: a, Y: b.c}       a multiselect hash (keys keep their order)
 *   [a, b]  a.[a, b]     a multiselect list
 *   @                    the current value
 *
 * Filters, slices, pipes and functions are refused with a message that
 * says so. Compiling and applying are pure.
 */
#ifndef VTAP_SENDER_QUERY_H
#define VTAP_SENDER_QUERY_H

#include <jansson.h>
#include <stddef.h>

struct query;

/*
 * Compile expr. Returns the query (free with query_free) or NULL with a
 * one-line reason in err naming the position.
 */
struct query *query_compile(const char *expr, char *err, size_t errlen);

/* Apply q to data (borrowed); a new reference, JSON null when nothing matched. */
/*
 * (An expression whose evaluation would build more than about a million
 * values, e.g. deeply nested multiselects, gives null rather than
 * exhausting memory.)
 */
json_t *query_apply(const struct query *q, const json_t *data);

/* Free a compiled query. Accepts NULL. */
void query_free(struct query *q);

#endif
