/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Config files turned into long-option words: accepted lines, every refusal
 * with its "NAME:LINE: reason" message, finding --config in argv, and
 * loading from a real file.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/config.h"

static const struct option opts[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "rotate-size", required_argument, NULL, 's' },
	{ "compress", optional_argument, NULL, 'z' },
	{ "inner", no_argument, NULL, 'i' },
	{ "config", required_argument, NULL, 'c' },
	{ NULL, 0, NULL, 0 },
};

/* Parse text that must be accepted; the words are returned in *out. */
static void
parse_ok(const char *text, struct config_argv *out)
{
	char err[256] = "";

	cr_assert_eq(config_argv_parse(text, "t.conf", opts, out, err,
				       sizeof(err)),
		     0, "refused: %s", err);
}

/* Parse text that must be refused with exactly the message want. */
static void
parse_refused(const char *text, const char *want)
{
	struct config_argv out = { 0 };
	char err[256] = "";

	cr_assert_eq(config_argv_parse(text, "t.conf", opts, &out, err,
				       sizeof(err)),
		     -1, "accepted: %s", text);
	cr_assert_str_eq(err, want);
	config_argv_finish(&out);
}

Test(config, key_value_becomes_a_long_option_word)
{
	struct config_argv out = { 0 };

	parse_ok("listen = 0.0.0.0:4789\nrotate-size=64M\n", &out);
	cr_assert_eq(out.argc, 2);
	cr_assert_str_eq(out.argv[0], "--listen=0.0.0.0:4789");
	cr_assert_str_eq(out.argv[1], "--rotate-size=64M");
	cr_assert_null(out.argv[2]);
	config_argv_finish(&out);
}

Test(config, words_are_appended_to_an_existing_vector)
{
	struct config_argv out = { 0 };

	parse_ok("listen = a:1\n", &out);
	parse_ok("listen = b:2\n", &out);
	cr_assert_eq(out.argc, 2);
	cr_assert_str_eq(out.argv[0], "--listen=a:1");
	cr_assert_str_eq(out.argv[1], "--listen=b:2");
	cr_assert_null(out.argv[2]);
	config_argv_finish(&out);
}

Test(config, no_argument_option_true_adds_the_flag)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };

	for (size_t i = 0; i < 4; i++) {
		struct config_argv out = { 0 };
		char text[64];

		snprintf(text, sizeof(text), "inner = %s\n", yes[i]);
		parse_ok(text, &out);
		cr_assert_eq(out.argc, 1, "inner = %s", yes[i]);
		cr_assert_str_eq(out.argv[0], "--inner");
		config_argv_finish(&out);
	}
}

Test(config, no_argument_option_false_adds_nothing)
{
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		struct config_argv out = { 0 };
		char text[64];

		snprintf(text, sizeof(text), "inner = %s\n", no[i]);
		parse_ok(text, &out);
		cr_assert_eq(out.argc, 0, "inner = %s", no[i]);
		config_argv_finish(&out);
	}
}

Test(config, bad_boolean_is_refused)
{
	parse_refused("inner = maybe\n",
		      "t.conf:1: 'inner' takes true or false, not 'maybe'");
	parse_refused("listen = x:1\ninner =\n",
		      "t.conf:2: 'inner' takes true or false, not ''");
}

Test(config, unknown_key_is_refused_with_its_line)
{
	parse_refused("listen = 1.2.3.4:5\n\n# comment\nx = 1\n",
		      "t.conf:4: unknown key 'x'");
}

Test(config, config_key_is_refused_inside_a_config_file)
{
	parse_refused("config = /etc/other.conf\n",
		      "t.conf:1: unknown key 'config'");
}

Test(config, first_error_is_the_one_reported)
{
	parse_refused("a = 1\nb = 2\n", "t.conf:1: unknown key 'a'");
}

Test(config, section_is_refused)
{
	parse_refused("listen = a:1\n[collector]\nlisten = b:2\n",
		      "t.conf:3: sections are not supported ([collector])");
}

Test(config, line_without_equals_is_refused)
{
	parse_refused("listen = a:1\nlisten\n",
		      "t.conf:2: not a 'key = value' line");
}

Test(config, required_value_must_not_be_empty)
{
	parse_refused("listen =\n", "t.conf:1: 'listen' needs a value");
}

Test(config, optional_value_may_be_empty)
{
	struct config_argv out = { 0 };

	parse_ok("compress =\ncompress = lz4\n", &out);
	cr_assert_eq(out.argc, 2);
	cr_assert_str_eq(out.argv[0], "--compress=");
	cr_assert_str_eq(out.argv[1], "--compress=lz4");
	config_argv_finish(&out);
}

Test(config, comments_and_blank_lines_are_ignored)
{
	struct config_argv out = { 0 };

	parse_ok("# a comment\n"
		 "\n"
		 "; another comment\n"
		 "   \n"
		 "\t# indented comment\n"
		 "listen = a:1 ; trailing comment\n"
		 "rotate-size = 64M\t# trailing hash comment\n"
		 "\n",
		 &out);
	cr_assert_eq(out.argc, 2);
	cr_assert_str_eq(out.argv[0], "--listen=a:1");
	cr_assert_str_eq(out.argv[1], "--rotate-size=64M");
	config_argv_finish(&out);
}

Test(config, documented_example_is_accepted)
{
	/* the example drawn in shared/config.h, verbatim */
	struct config_argv out = { 0 };

	parse_ok("# /etc/vtap/collector.conf\n"
		 "listen = 0.0.0.0:4789\n"
		 "rotate-size = 64M\n"
		 "compress = lz4\n"
		 "inner = true          # an option without argument: true/false\n",
		 &out);
	cr_assert_eq(out.argc, 4);
	cr_assert_str_eq(out.argv[0], "--listen=0.0.0.0:4789");
	cr_assert_str_eq(out.argv[1], "--rotate-size=64M");
	cr_assert_str_eq(out.argv[2], "--compress=lz4");
	cr_assert_str_eq(out.argv[3], "--inner");
	config_argv_finish(&out);
}

Test(config, empty_text_gives_no_words)
{
	struct config_argv out = { 0 };

	parse_ok("", &out);
	cr_assert_eq(out.argc, 0);
	config_argv_finish(&out);
}

Test(config, finish_empties_the_vector_and_accepts_an_empty_one)
{
	struct config_argv out = { 0 };

	config_argv_finish(&out);
	parse_ok("listen = a:1\n", &out);
	config_argv_finish(&out);
	cr_assert_eq(out.argc, 0);
	cr_assert_null(out.argv);
	config_argv_finish(&out);
}

Test(config, path_from_args_finds_separate_value)
{
	char *argv[] = { "vtap", "-v", "--config", "/etc/f.conf", "-n", NULL };

	cr_assert_str_eq(config_path_from_args(5, argv), "/etc/f.conf");
}

Test(config, path_from_args_finds_joined_value)
{
	char *argv[] = { "vtap", "--config=/etc/g.conf", NULL };

	cr_assert_str_eq(config_path_from_args(2, argv), "/etc/g.conf");
}

Test(config, path_from_args_is_null_when_absent)
{
	char *argv[] = { "vtap", "--configure", "x", "--listen=a:1", NULL };
	char *last[] = { "vtap", "--config", NULL };
	char *after[] = { "vtap", "--", "--config", "f", NULL };

	cr_assert_null(config_path_from_args(4, argv));
	cr_assert_null(config_path_from_args(2, last));
	cr_assert_null(config_path_from_args(4, after));
	cr_assert_null(config_path_from_args(1, argv));
}

Test(config, path_from_args_ignores_argv0)
{
	char *argv[] = { "--config=x", NULL };

	cr_assert_null(config_path_from_args(1, argv));
}

/* A temp dir with one config file, made per test and removed after. */
static char tmpdir[64];
static char tmpfile_path[128];

static void
tmp_setup(void)
{
	FILE *f;

	strcpy(tmpdir, "/tmp/vtap-test-config-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
	snprintf(tmpfile_path, sizeof(tmpfile_path), "%s/vtap.conf", tmpdir);
	f = fopen(tmpfile_path, "w");
	cr_assert_not_null(f, "%s: %s", tmpfile_path, strerror(errno));
	fputs("# written by test_config\n"
	      "listen = 127.0.0.1:4789\n"
	      "inner = yes\n"
	      "inner = no\n",
	      f);
	cr_assert_eq(fclose(f), 0);
}

static void
tmp_teardown(void)
{
	unlink(tmpfile_path);
	rmdir(tmpdir);
}

Test(config, load_reads_a_file, .init = tmp_setup, .fini = tmp_teardown)
{
	struct config_argv out = { 0 };
	char err[256] = "";

	cr_assert_eq(config_argv_load(tmpfile_path, opts, &out, err,
				      sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(out.argc, 2);
	cr_assert_str_eq(out.argv[0], "--listen=127.0.0.1:4789");
	cr_assert_str_eq(out.argv[1], "--inner");
	cr_assert_null(out.argv[2]);
	config_argv_finish(&out);
}

Test(config, load_names_the_file_in_errors, .init = tmp_setup,
     .fini = tmp_teardown)
{
	struct config_argv out = { 0 };
	char err[256] = "", want[256];
	FILE *f;

	f = fopen(tmpfile_path, "a");
	cr_assert_not_null(f);
	fputs("bogus = 1\n", f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(config_argv_load(tmpfile_path, opts, &out, err,
				      sizeof(err)),
		     -1);
	snprintf(want, sizeof(want), "%s:5: unknown key 'bogus'",
		 tmpfile_path);
	cr_assert_str_eq(err, want);
	config_argv_finish(&out);
}

Test(config, load_of_a_missing_file_reports_strerror, .init = tmp_setup,
     .fini = tmp_teardown)
{
	struct config_argv out = { 0 };
	char err[256] = "", path[160];

	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	cr_assert_eq(config_argv_load(path, opts, &out, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, path), "err: %s", err);
	cr_assert_not_null(strstr(err, strerror(ENOENT)), "err: %s", err);
	cr_assert_eq(out.argc, 0);
}
