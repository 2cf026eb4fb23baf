/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The store file: a missing file is an empty store, changes are written
 * whole and leave no temporary file, a refused change leaves the file
 * byte-identical, and a file that does not parse is refused and never
 * overwritten.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sender/store.h"

static char dir[64];
static char path[256];
static char err[1024];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "%s", "/tmp/vtap-test-store.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/store.json", dir);
	err[0] = '\0';
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

TestSuite(store, .init = setup, .fini = teardown);

static char *
slurp(const char *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(p, "r"), *m = open_memstream(&buf, &len);
	int c;

	cr_assert_not_null(f, "cannot read %s", p);
	while ((c = fgetc(f)) != EOF) {
		fputc(c, m);
	}
	fclose(f);
	fclose(m);
	return buf;
}

static void
spit(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* Names in dir other than store.json and store.json.lock. */
static int
strays(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strcmp(e->d_name, "store.json") != 0 &&
		    strcmp(e->d_name, "store.json.lock") != 0) {
			n++;
		}
	}
	closedir(d);
	return n;
}

struct tap_arg {
	const char *name;
	int64_t port;
};

static enum resource_status
create_tap(json_t *doc, void *arg, char *e, size_t elen)
{
	const struct tap_arg *a = arg;
	struct resource_tap_spec spec = { .name = a->name, .destination = "10.0.0.5",
					  .has_port = true, .port = a->port };
	json_t *out = NULL;
	enum resource_status s = resource_tap_create(doc, &spec, &out, e, elen);

	json_decref(out);
	return s;
}

Test(store, a_missing_file_is_an_empty_store_and_is_not_created_by_reading)
{
	struct store st;

	cr_assert_eq(store_open(&st, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(json_array_size(json_object_get(st.doc, "taps")), 0);
	cr_assert_neq(access(path, F_OK), 0);
	store_finish(&st);
}

Test(store, a_change_is_written_and_read_back)
{
	struct tap_arg a = { "t", 4789 };
	struct store st, again;

	cr_assert_eq(store_open(&st, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(store_update(&st, create_tap, &a, err, sizeof(err)), RESOURCE_OK, "%s", err);
	cr_assert_eq(json_array_size(json_object_get(st.doc, "taps")), 1);
	cr_assert_eq(store_open(&again, path, err, sizeof(err)), 0, "%s", err);
	cr_assert(json_equal(st.doc, again.doc));
	cr_assert_eq(strays(), 0, "a temporary file was left behind");
	store_finish(&again);
	store_finish(&st);
}

Test(store, a_refused_change_leaves_the_file_byte_identical)
{
	struct tap_arg good = { "t", 4789 }, bad_port = { "u", 70000 }, taken = { "t", 1 };
	struct store st;
	char *before, *after;

	cr_assert_eq(store_open(&st, path, err, sizeof(err)), 0);
	cr_assert_eq(store_update(&st, create_tap, &good, err, sizeof(err)), RESOURCE_OK);
	before = slurp(path);
	cr_assert_eq(store_update(&st, create_tap, &bad_port, err, sizeof(err)), RESOURCE_INVALID);
	cr_assert_eq(store_update(&st, create_tap, &taken, err, sizeof(err)), RESOURCE_CONFLICT);
	after = slurp(path);
	cr_assert_str_eq(after, before);
	cr_assert_eq(strays(), 0);
	free(before);
	free(after);
	store_finish(&st);
}

Test(store, a_file_that_does_not_parse_stops_open_with_its_line)
{
	struct store st;

	spit(path, "{\n  \"version\": 1,\n  \"taps\": [\n");
	cr_assert_eq(store_open(&st, path, err, sizeof(err)), -1);
	cr_assert(strstr(err, path) != NULL, "%s", err);
	cr_assert(strstr(err, "line") != NULL, "%s", err);
	store_finish(&st);
}

Test(store, a_file_that_breaks_a_rule_stops_open)
{
	struct store st;

	spit(path, "{\"version\": 1, \"taps\": [], \"nics\": {\"eth0\": {\"tapConfigurations\": 3}}}");
	cr_assert_eq(store_open(&st, path, err, sizeof(err)), -1);
	cr_assert(strstr(err, "eth0") != NULL, "%s", err);
	store_finish(&st);
}

Test(store, an_unparsable_file_is_never_overwritten)
{
	struct tap_arg a = { "t", 4789 };
	struct store st;
	char *after;

	cr_assert_eq(store_open(&st, path, err, sizeof(err)), 0);
	spit(path, "not json");
	cr_assert_eq(store_update(&st, create_tap, &a, err, sizeof(err)), RESOURCE_CORRUPT);
	after = slurp(path);
	cr_assert_str_eq(after, "not json");
	free(after);
	store_finish(&st);
}

Test(store, reload_keeps_the_document_when_the_file_breaks)
{
	struct tap_arg a = { "t", 4789 };
	struct store st;

	cr_assert_eq(store_open(&st, path, err, sizeof(err)), 0);
	cr_assert_eq(store_update(&st, create_tap, &a, err, sizeof(err)), RESOURCE_OK);
	spit(path, "{");
	cr_assert_eq(store_reload(&st, err, sizeof(err)), -1);
	cr_assert_eq(json_array_size(json_object_get(st.doc, "taps")), 1);
	store_finish(&st);
}

Test(store, changes_start_from_the_file_not_from_memory)
{
	struct tap_arg a = { "a", 4789 }, b = { "b", 4789 };
	struct store one, two;

	cr_assert_eq(store_open(&one, path, err, sizeof(err)), 0);
	cr_assert_eq(store_open(&two, path, err, sizeof(err)), 0);
	cr_assert_eq(store_update(&one, create_tap, &a, err, sizeof(err)), RESOURCE_OK);
	cr_assert_eq(store_update(&two, create_tap, &b, err, sizeof(err)), RESOURCE_OK);
	cr_assert_eq(json_array_size(json_object_get(two.doc, "taps")), 2,
		     "the second writer lost the first one's change");
	store_finish(&one);
	store_finish(&two);
}

Test(store, the_file_is_world_readable_json_with_a_final_newline)
{
	struct tap_arg a = { "t", 4789 };
	struct store st;
	struct stat sb;
	char *text;

	cr_assert_eq(store_open(&st, path, err, sizeof(err)), 0);
	cr_assert_eq(store_update(&st, create_tap, &a, err, sizeof(err)), RESOURCE_OK);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0644);
	text = slurp(path);
	cr_assert_eq(text[strlen(text) - 1], '\n');
	free(text);
	store_finish(&st);
}
