/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output as az prints it: properties flattened, keys sorted, tsv with
 * values only, tables with capitalised headers, none printing nothing.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sender/output.h"

static const char tap_text[] =
	"{\"name\": \"t\", \"id\": \"/taps/t\", \"type\": \"vtap/virtualNetworkTaps\","
	" \"etag\": \"W/\\\"1\\\"\", \"tags\": {},"
	" \"properties\": {\"destinationPort\": 4789, \"vni\": 7, \"destination\": \"10.0.0.5\","
	" \"networkInterfaceTapConfigurations\": [{\"id\": \"/nics/eth0/tapConfigurations/c\","
	" \"properties\": {\"provisioningState\": \"Succeeded\"}}], \"ok\": true}}";

static json_t *
flat(const char *text)
{
	json_t *in = json_loads(text, JSON_DECODE_ANY, NULL), *out;

	cr_assert_not_null(in);
	out = output_flatten(in);
	json_decref(in);
	return out;
}

static void
renders(const char *text, enum output_format f, const char *want)
{
	json_t *v = flat(text);
	char *got = output_render(v, f);

	cr_assert_not_null(got);
	cr_assert_str_eq(got, want);
	free(got);
	json_decref(v);
}

Test(output, properties_are_flattened_into_the_resource_at_every_depth)
{
	json_t *v = flat(tap_text), *cfg;

	cr_assert_null(json_object_get(v, "properties"));
	cr_assert_eq(json_integer_value(json_object_get(v, "destinationPort")), 4789);
	cfg = json_array_get(json_object_get(v, "networkInterfaceTapConfigurations"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(cfg, "provisioningState")), "Succeeded");
	json_decref(v);
}

Test(output, a_property_never_overwrites_a_top_level_key)
{
	json_t *v = flat("{\"name\": \"top\", \"properties\": {\"name\": \"inner\"}}");

	cr_assert_str_eq(json_string_value(json_object_get(v, "name")), "top");
	json_decref(v);
}

Test(output, json_is_indented_with_sorted_keys)
{
	renders("{\"b\": 1, \"a\": [1, 2], \"c\": {}}", OUTPUT_JSON,
		"{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": 1,\n  \"c\": {}\n}\n");
}

Test(output, tsv_of_a_string_is_the_string_alone)
{
	renders("\"/taps/myTap\"", OUTPUT_TSV, "/taps/myTap\n");
}

Test(output, tsv_prints_values_in_key_order_with_list_lengths_and_empty_objects)
{
	renders(tap_text, OUTPUT_TSV,
		"10.0.0.5\t4789\tW/\"1\"\t/taps/t\tt\t1\tTrue\t\tvtap/virtualNetworkTaps\t7\n");
}

Test(output, tsv_prints_one_line_per_element)
{
	renders("[\"a\", \"b\"]", OUTPUT_TSV, "a\nb\n");
	renders("[{\"x\": 1, \"y\": \"u\"}, {\"x\": 2, \"y\": \"v\"}]", OUTPUT_TSV, "1\tu\n2\tv\n");
	renders("[[1, 2], [3, 4]]", OUTPUT_TSV, "1\t2\n3\t4\n");
}

Test(output, tables_have_capitalised_headers_a_rule_and_no_id_type_or_etag)
{
	renders("[{\"name\": \"a\", \"destinationPort\": 4789, \"id\": \"/taps/a\"},"
		" {\"name\": \"longer\", \"destinationPort\": 1}]",
		OUTPUT_TABLE,
		"DestinationPort  Name\n"
		"---------------  ------\n"
		"4789             a\n"
		"1                longer\n");
}

Test(output, a_table_of_a_scalar_is_a_result_column)
{
	renders("\"x\"", OUTPUT_TABLE, "Result\n------\nx\n");
}

Test(output, table_cells_missing_from_a_row_are_blank)
{
	renders("[{\"A\": 1, \"B\": 2}, {\"A\": 3, \"B\": null}]", OUTPUT_TABLE,
		"A  B\n-  -\n1  2\n3\n");
}

Test(output, null_and_none_print_nothing)
{
	renders("null", OUTPUT_JSON, "");
	renders(tap_text, OUTPUT_NONE, "");
}

Test(output, formats_are_parsed_by_name)
{
	enum output_format f;

	cr_assert(output_parse_format("json", &f) && f == OUTPUT_JSON);
	cr_assert(output_parse_format("tsv", &f) && f == OUTPUT_TSV);
	cr_assert(output_parse_format("table", &f) && f == OUTPUT_TABLE);
	cr_assert(output_parse_format("none", &f) && f == OUTPUT_NONE);
	cr_assert_not(output_parse_format("yaml", &f));
	cr_assert_not(output_parse_format(NULL, &f));
}
