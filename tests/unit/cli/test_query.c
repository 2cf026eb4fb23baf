/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --query: the JMESPath subset gives JMESPath's answers on az-shaped
 * results, and everything outside the subset is refused with a reason.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sender/query.h"

static const char data_text[] =
	"{\"id\": \"/taps/t\", \"name\": \"t\", \"destinationPort\": 4789,"
	" \"tags\": {\"env\": \"test\"},"
	" \"networkInterfaceTapConfigurations\": [{\"id\": \"/nics/a/c\"}, {\"id\": \"/nics/b/c\"}],"
	" \"nested\": [[1, 2], [3], 4]}";

static const char list_text[] =
	"[{\"name\": \"a\", \"p\": 1, \"cfg\": [{\"id\": \"x\"}]},"
	" {\"name\": \"b\", \"p\": 2, \"cfg\": []},"
	" {\"other\": true}]";

/* expr applied to the JSON text data gives the JSON text want. */
static void
check(const char *data, const char *expr, const char *want)
{
	char err[256] = "";
	struct query *q = query_compile(expr, err, sizeof(err));
	json_t *in = json_loads(data, 0, NULL), *got, *exp;
	char *got_text;

	cr_assert_not_null(q, "'%s' refused: %s", expr, err);
	cr_assert_not_null(in);
	got = query_apply(q, in);
	exp = json_loads(want, JSON_DECODE_ANY, NULL);
	cr_assert_not_null(exp, "bad expectation %s", want);
	got_text = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT);
	cr_assert(json_equal(got, exp), "'%s' gave %s, want %s", expr, got_text, want);
	free(got_text);
	json_decref(exp);
	json_decref(got);
	json_decref(in);
	query_free(q);
}

static void
refused(const char *expr, const char *why)
{
	char err[256] = "";
	struct query *q = query_compile(expr, err, sizeof(err));

	cr_assert_null(q, "'%s' accepted", expr);
	cr_assert(strstr(err, why) != NULL, "'%s': message '%s' lacks '%s'", expr, err, why);
}

Test(query, a_field_gives_its_value)
{
	check(data_text, "id", "\"/taps/t\"");
	check(data_text, "destinationPort", "4789");
	check(data_text, "missing", "null");
}

Test(query, a_dotted_path_walks_objects)
{
	check(data_text, "tags.env", "\"test\"");
	check(data_text, "tags.none.deeper", "null");
	check(data_text, "\"tags\".\"env\"", "\"test\"");
}

Test(query, an_index_picks_an_element_and_counts_from_the_end_when_negative)
{
	check(data_text, "networkInterfaceTapConfigurations[0].id", "\"/nics/a/c\"");
	check(data_text, "networkInterfaceTapConfigurations[-1].id", "\"/nics/b/c\"");
	check(data_text, "networkInterfaceTapConfigurations[5]", "null");
	check(data_text, "networkInterfaceTapConfigurations[-3]", "null");
	check(list_text, "[1].name", "\"b\"");
}

Test(query, a_projection_applies_the_rest_to_each_element_and_drops_nulls)
{
	check(list_text, "[].name", "[\"a\", \"b\"]");
	check(list_text, "[*].name", "[\"a\", \"b\"]");
	check(data_text, "networkInterfaceTapConfigurations[].id", "[\"/nics/a/c\", \"/nics/b/c\"]");
	check(list_text, "[].cfg[0].id", "[\"x\"]");
}

Test(query, flatten_merges_one_level)
{
	check(data_text, "nested[]", "[1, 2, 3, 4]");
	check(list_text, "[].cfg[].id", "[\"x\"]");
	check(data_text, "nested[*]", "[[1, 2], [3], 4]");
}

Test(query, a_multiselect_hash_keeps_its_key_order)
{
	char err[256];
	struct query *q = query_compile("{Z: name, A: destinationPort}", err, sizeof(err));
	json_t *in = json_loads(data_text, 0, NULL), *out;
	void *it;

	cr_assert_not_null(q, "%s", err);
	out = query_apply(q, in);
	it = json_object_iter(out);
	cr_assert_str_eq(json_object_iter_key(it), "Z");
	cr_assert_str_eq(json_object_iter_key(json_object_iter_next(out, it)), "A");
	json_decref(out);
	json_decref(in);
	query_free(q);
	check(list_text, "[].{n: name, first: cfg[0].id}",
	      "[{\"n\": \"a\", \"first\": \"x\"}, {\"n\": \"b\", \"first\": null},"
	      " {\"n\": null, \"first\": null}]");
}

Test(query, a_multiselect_list_collects_values)
{
	check(data_text, "[name, destinationPort]", "[\"t\", 4789]");
	check(list_text, "[].[name, p]", "[[\"a\", 1], [\"b\", 2], [null, null]]");
}

Test(query, the_current_value_is_at)
{
	check(data_text, "@.name", "\"t\"");
	check(list_text, "@[0].p", "1");
}

Test(query, what_is_outside_the_subset_is_refused_with_a_reason)
{
	refused("[?name=='a']", "filters");
	refused("a | b", "pipes");
	refused("length(a)", "functions");
	refused("a[0:2]", "slices");
	refused("a.*", "object projections");
	refused("a.", "expected a name");
	refused("a b", "unexpected text");
	refused("{a b}", "expected ':'");
	refused("[1", "expected ']'");
	refused("\"open", "unterminated");
	refused("", "unexpected end");
}
