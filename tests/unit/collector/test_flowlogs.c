/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flow-log files as a set: a crash's .part is cut to its last whole line
 * and handed over; an empty one is removed; expiry deletes only closed
 * logs older than the bound.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector/flowlogs.h"

static char dir[] = "/tmp/vtap-flowlogs-XXXXXX";

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static void
put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static char *
get(const char *name)
{
	static char buf[4096];
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL) {
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

TestSuite(flowlogs, .init = setup, .fini = teardown);

Test(flowlogs, a_crash_part_is_cut_to_whole_lines_and_handed_over)
{
	put("flows-w0-20260101T000000Z.jsonl.part", "{\"a\":1}\n{\"b\":2}\n{\"c\":");
	put("flows-w1-20260101T000000Z.jsonl.part", "{\"half\":");
	put("other.jsonl.part", "{\"x\":1}\n{");
	cr_assert_eq(flowlogs_repair(dir), 0);
	cr_assert_str_eq(get("flows-w0-20260101T000000Z.jsonl"), "{\"a\":1}\n{\"b\":2}\n");
	cr_assert_null(get("flows-w0-20260101T000000Z.jsonl.part"));
	/* nothing whole: removed, not handed over empty */
	cr_assert_null(get("flows-w1-20260101T000000Z.jsonl"));
	cr_assert_null(get("flows-w1-20260101T000000Z.jsonl.part"));
	/* not ours: untouched */
	cr_assert_str_eq(get("other.jsonl.part"), "{\"x\":1}\n{");
}

Test(flowlogs, expiry_deletes_only_closed_logs_older_than_the_bound)
{
	struct timespec ts[2] = { { 1000, 0 }, { 1000, 0 } };
	char path[512];

	put("flows-w0-old.jsonl", "{}\n");
	put("flows-w0-new.jsonl", "{}\n");
	put("flows-w0-open.jsonl.part", "{}\n");
	snprintf(path, sizeof(path), "%s/flows-w0-old.jsonl", dir);
	cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	snprintf(path, sizeof(path), "%s/flows-w0-open.jsonl.part", dir);
	cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	cr_assert_eq(flowlogs_expire(dir, 0), 0);
	cr_assert_eq(flowlogs_expire(dir, 2000ULL * 1000000000ULL), 1);
	cr_assert_null(get("flows-w0-old.jsonl"));
	cr_assert_not_null(get("flows-w0-new.jsonl"));
	cr_assert_not_null(get("flows-w0-open.jsonl.part"));
}
