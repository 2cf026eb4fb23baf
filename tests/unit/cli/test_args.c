/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CLI's option parser: az's spellings (long, short, alias, "=value",
 * list options), integers of any sign, and argparse's usage messages.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sender/args.h"

static const struct args_option opts[] = {
	{ "name", 'n', NULL, ARGS_STRING, true, "name" },
	{ "nic-name", 0, "nic", ARGS_STRING, false, "nic" },
	{ "port", 0, NULL, ARGS_INTEGER, false, "port" },
	{ "tags", 0, NULL, ARGS_LIST, false, "tags" },
	{ "yes", 'y', NULL, ARGS_FLAG, false, "yes" },
	{ NULL, 0, NULL, ARGS_FLAG, false, NULL },
};
static const struct args_option *const tables[] = { opts, NULL };

static json_t *
ok(int argc, char *argv[])
{
	char err[256] = "";
	json_t *out = NULL;

	cr_assert_eq(args_parse(argc, argv, tables, &out, err, sizeof(err)), ARGS_OK,
		     "refused: %s", err);
	return out;
}

static void
usage(int argc, char *argv[], const char *want)
{
	char err[256] = "";
	json_t *out = NULL;

	cr_assert_eq(args_parse(argc, argv, tables, &out, err, sizeof(err)), ARGS_ERROR);
	cr_assert_str_eq(err, want);
	cr_assert_null(out);
}

Test(args, long_short_alias_and_equals_forms_are_the_same)
{
	char *a[] = { "--name", "x", "--nic", "eth0" };
	char *b[] = { "-n", "x", "--nic-name=eth0" };
	json_t *ja = ok(4, a), *jb = ok(3, b);

	cr_assert(json_equal(ja, jb));
	cr_assert_str_eq(json_string_value(json_object_get(ja, "nic")), "eth0");
	json_decref(ja);
	json_decref(jb);
}

Test(args, integers_keep_their_sign_for_the_sender_to_judge)
{
	char *a[] = { "-n", "x", "--port", "-5" };
	json_t *j = ok(4, a);

	cr_assert_eq(json_integer_value(json_object_get(j, "port")), -5);
	json_decref(j);
}

Test(args, a_list_takes_words_up_to_the_next_option)
{
	char *a[] = { "--tags", "a=b", "c", "-n", "x", "-y" };
	json_t *j = ok(6, a);

	cr_assert_eq(json_array_size(json_object_get(j, "tags")), 2);
	cr_assert(json_is_true(json_object_get(j, "yes")));
	json_decref(j);
}

Test(args, help_wins_over_everything)
{
	char *a[] = { "--bogus", "-h" };
	char err[64];
	json_t *out = NULL;

	cr_assert_eq(args_parse(1, a + 1, tables, &out, err, sizeof(err)), ARGS_HELP);
}

Test(args, usage_errors_read_like_argparse)
{
	char *missing[] = { "--port", "1" };
	char *bad_int[] = { "-n", "x", "--port", "abc" };
	char *no_value[] = { "-n" };
	char *unknown[] = { "-n", "x", "--colour", "red" };
	char *extra[] = { "-n", "x", "stray" };

	usage(2, missing, "the following arguments are required: --name/-n");
	usage(4, bad_int, "argument --port: invalid int value: 'abc'");
	usage(1, no_value, "argument --name/-n: expected one argument");
	usage(4, unknown, "unrecognized arguments: --colour");
	usage(3, extra, "unrecognized arguments: stray");
}
