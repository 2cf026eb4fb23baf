/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flow log writer: files named after their opening time, kept as
 * .part until closed, rotated by size and by time, one valid JSON object
 * per line, and write errors (a read-only directory, a file size limit)
 * counted without ever stopping the writer. The clock is the test's.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collector/flowlog.h"

#define NS 1000000000ull
#define T0 1714566896ull /* 2024-05-01T12:34:56Z */

static char dir[64];
static uint64_t fake_now;

static uint64_t
test_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static void
make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vtap-flowlog-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	fake_now = T0 * NS;
}

static void
remove_dir(void)
{
	DIR *d;
	struct dirent *e;

	chmod(dir, 0755);
	d = opendir(dir);
	if (d == NULL) {
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char p[512];

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

TestSuite(flowlog_writer, .init = make_dir, .fini = remove_dir);

static struct flowlog *
writer(uint64_t rotate_bytes, uint64_t rotate_seconds, size_t buffer)
{
	struct flowlog_config cfg = {
		.dir = dir,
		.prefix = "w0",
		.rotate_bytes = rotate_bytes,
		.rotate_seconds = rotate_seconds,
		.buffer_bytes = buffer,
		.clock = test_clock,
	};
	char err[256] = "";
	struct flowlog *fl = flowlog_create(&cfg, err, sizeof(err));

	cr_assert_not_null(fl, "flowlog_create: %s", err);
	return fl;
}

/* The i-th of a set of distinct UDP flows. */
static struct flow
flow_n(unsigned i)
{
	struct flow f;

	memset(&f, 0, sizeof(f));
	f.key.family = 4;
	f.key.proto = 17;
	f.key.vni = 1;
	f.orig_ip[0] = 10;
	f.orig_ip[3] = 1;
	f.resp_ip[0] = 192;
	f.resp_ip[1] = 0;
	f.resp_ip[2] = 2;
	f.resp_ip[3] = (uint8_t)(i % 250 + 1);
	memcpy(f.key.addr_lo, f.orig_ip, 4);
	memcpy(f.key.addr_hi, f.resp_ip, 4);
	f.orig_port = (uint16_t)(10000 + i);
	f.resp_port = 53;
	f.key.port_lo = f.orig_port;
	f.key.port_hi = f.resp_port;
	f.orig_is_lo = true;
	f.first_ns = T0 * NS + i * 1000ull;
	f.last_ns = f.first_ns + 2000000ull;
	f.orig_pkts = i + 1;
	f.orig_bytes = 80ull * (i + 1);
	f.end = FLOW_END_IDLE;
	snprintf(f.proto, sizeof(f.proto), "DNS");
	return f;
}

struct listing {
	unsigned jsonl, part, other;
	char names[64][128];
	unsigned n;
};

static void
list_dir(struct listing *l)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	cr_assert_not_null(d);
	memset(l, 0, sizeof(*l));
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.') {
			continue;
		}
		if (len > 6 && strcmp(e->d_name + len - 6, ".jsonl") == 0) {
			l->jsonl++;
		} else if (len > 11 && strcmp(e->d_name + len - 11, ".jsonl.part") == 0) {
			l->part++;
		} else {
			l->other++;
		}
		if (l->n < 64) {
			snprintf(l->names[l->n++], sizeof(l->names[0]), "%s", e->d_name);
		}
	}
	closedir(d);
}

static off_t
file_size(const char *name)
{
	char p[512];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	cr_assert_eq(stat(p, &sb), 0, "%s: %s", p, strerror(errno));
	return sb.st_size;
}

/*
 * Check that every line of a file is one JSON object with the record's
 * keys, and return how many lines there are. The file must end in '\n'.
 */
static unsigned
check_lines(const char *name)
{
	char p[512], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned n = 0;
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fp = fopen(p, "r");
	cr_assert_not_null(fp, "%s", p);
	while ((len = getline(&line, &cap, fp)) > 0) {
		json_error_t jerr;
		json_t *o;

		cr_assert_eq(line[len - 1], '\n', "%s: last line not terminated", name);
		line[len - 1] = '\0';
		cr_assert_null(strchr(line, '\n'));
		o = json_loads(line, 0, &jerr);
		cr_assert_not_null(o, "%s line %u: %s: %s", name, n + 1, jerr.text, line);
		cr_assert(json_is_object(o));
		cr_expect(json_is_string(json_object_get(o, "ts")));
		cr_expect(json_is_string(json_object_get(o, "src_ip")));
		cr_expect(json_is_integer(json_object_get(o, "orig_pkts")));
		json_decref(o);
		n++;
	}
	free(line);
	fclose(fp);
	return n;
}

static unsigned
count_all_lines(void)
{
	struct listing l;
	unsigned total = 0;

	list_dir(&l);
	for (unsigned i = 0; i < l.n; i++) {
		total += check_lines(l.names[i]);
	}
	return total;
}

Test(flowlog_writer, writes_one_valid_json_object_per_line)
{
	struct flowlog *fl = writer(0, 0, 0);
	struct flowlog_stats st;
	struct listing l;

	for (unsigned i = 0; i < 100; i++) {
		struct flow f = flow_n(i);

		cr_assert_eq(flowlog_write(fl, &f), 0);
	}
	flowlog_get_stats(fl, &st);
	cr_expect_eq(st.records, 100);
	cr_expect_eq(st.write_errors, 0);
	flowlog_destroy(fl);

	list_dir(&l);
	cr_assert_eq(l.jsonl, 1);
	cr_expect_eq(l.part, 0);
	cr_expect_eq(l.other, 0);
	cr_expect_eq(check_lines(l.names[0]), 100);
	cr_expect_eq(file_size(l.names[0]), (off_t)st.bytes);
}

Test(flowlog_writer, names_the_file_after_its_opening_time_in_utc)
{
	struct flowlog *fl = writer(0, 0, 0);
	struct flow f = flow_n(0);
	struct listing l;

	fake_now = T0 * NS + 999999999ull;
	cr_assert_eq(flowlog_write(fl, &f), 0);
	list_dir(&l);
	cr_assert_eq(l.n, 1);
	cr_expect_str_eq(l.names[0], "flows-w0-20240501T123456Z.jsonl.part");
	flowlog_destroy(fl);
	list_dir(&l);
	cr_assert_eq(l.n, 1);
	cr_expect_str_eq(l.names[0], "flows-w0-20240501T123456Z.jsonl");
}

Test(flowlog_writer, keeps_a_part_file_until_rotation_renames_it)
{
	struct flowlog *fl = writer(0, 0, 0);
	struct flowlog_stats st;
	struct flow f = flow_n(1);
	struct listing l;

	cr_assert_eq(flowlog_write(fl, &f), 0);
	list_dir(&l);
	cr_assert_eq(l.part, 1);
	cr_expect_eq(l.jsonl, 0);
	/* buffered: nothing in the file before a tick */
	cr_expect_eq(file_size(l.names[0]), 0);
	cr_assert_eq(flowlog_tick(fl), 0);
	cr_expect_gt(file_size(l.names[0]), 0);
	cr_expect_eq(check_lines(l.names[0]), 1);

	cr_assert_eq(flowlog_rotate(fl), 0);
	list_dir(&l);
	cr_expect_eq(l.part, 0);
	cr_expect_eq(l.jsonl, 1);
	flowlog_get_stats(fl, &st);
	cr_expect_eq(st.files, 1);

	/* nothing open: rotating again is a no-op, and no empty file appears */
	cr_expect_eq(flowlog_rotate(fl), 0);
	flowlog_destroy(fl);
	list_dir(&l);
	cr_expect_eq(l.n, 1);
}

Test(flowlog_writer, rotates_by_size_and_keeps_each_file_under_the_limit)
{
	const uint64_t limit = 2000;
	struct flowlog *fl = writer(limit, 0, 512);
	struct flowlog_stats st;
	struct listing l;

	/* the clock stands still: names of one second get "-1", "-2", ... */
	for (unsigned i = 0; i < 40; i++) {
		struct flow f = flow_n(i);

		cr_assert_eq(flowlog_write(fl, &f), 0);
	}
	cr_assert_eq(flowlog_rotate(fl), 0);
	flowlog_get_stats(fl, &st);
	flowlog_destroy(fl);

	list_dir(&l);
	cr_expect_eq(l.part, 0);
	cr_expect_geq(l.jsonl, (unsigned)(st.bytes / limit), "%u files for %llu bytes",
		      l.jsonl, (unsigned long long)st.bytes);
	cr_expect_gt(l.jsonl, 1);
	for (unsigned i = 0; i < l.n; i++) {
		cr_expect_leq(file_size(l.names[i]), (off_t)limit, "%s", l.names[i]);
		cr_expect_eq(strncmp(l.names[i], "flows-w0-20240501T123456Z", 25), 0,
			     "%s", l.names[i]);
	}
	cr_expect_eq(count_all_lines(), 40);
	cr_expect_eq(st.files, l.jsonl);
}

Test(flowlog_writer, rotates_by_time_on_write_and_on_tick)
{
	struct flowlog *fl = writer(0, 60, 0);
	struct flow f = flow_n(0);
	struct listing l;

	cr_assert_eq(flowlog_write(fl, &f), 0);
	fake_now += 30 * NS;
	cr_assert_eq(flowlog_write(fl, &f), 0);
	cr_assert_eq(flowlog_tick(fl), 0);
	list_dir(&l);
	cr_expect_eq(l.part, 1, "still young at 30 s");
	cr_expect_eq(l.jsonl, 0);

	/* 60 s after opening a tick hands the file over, with no new record */
	fake_now += 30 * NS;
	cr_assert_eq(flowlog_tick(fl), 0);
	list_dir(&l);
	cr_expect_eq(l.part, 0);
	cr_expect_eq(l.jsonl, 1);
	cr_expect_str_eq(l.names[0], "flows-w0-20240501T123456Z.jsonl");
	cr_expect_eq(check_lines(l.names[0]), 2);

	/* the next record opens a file named after its own time */
	fake_now += 5 * NS;
	cr_assert_eq(flowlog_write(fl, &f), 0);
	/* and a write past its age rotates before writing */
	fake_now += 61 * NS;
	cr_assert_eq(flowlog_write(fl, &f), 0);
	flowlog_destroy(fl);
	list_dir(&l);
	cr_expect_eq(l.jsonl, 3);
	cr_expect_eq(l.part, 0);
	cr_expect_eq(count_all_lines(), 4);
	{
		char p[256];

		snprintf(p, sizeof(p), "%s/flows-w0-20240501T123601Z.jsonl", dir);
		cr_expect_eq(access(p, F_OK), 0, "no %s", p);
		snprintf(p, sizeof(p), "%s/flows-w0-20240501T123702Z.jsonl", dir);
		cr_expect_eq(access(p, F_OK), 0, "no %s", p);
	}
}

Test(flowlog_writer, writes_a_line_longer_than_its_buffer_directly)
{
	struct flowlog *fl = writer(0, 0, 16);
	struct listing l;

	for (unsigned i = 0; i < 5; i++) {
		struct flow f = flow_n(i);

		cr_assert_eq(flowlog_write(fl, &f), 0);
	}
	list_dir(&l);
	cr_assert_eq(l.part, 1);
	cr_expect_eq(check_lines(l.names[0]), 5, "unbuffered lines are in the file at once");
	flowlog_destroy(fl);
}

/* Raise or drop CAP_DAC_OVERRIDE, so that root too obeys a read-only mode. */
static bool
dac_override(bool on)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	uint32_t bit = 1u << CAP_DAC_OVERRIDE;

	if (syscall(SYS_capget, &h, d) != 0) {
		return false;
	}
	if (on) {
		d[0].effective |= d[0].permitted & bit;
	} else {
		d[0].effective &= ~bit;
	}
	return syscall(SYS_capset, &h, d) == 0;
}

static bool
dir_is_writable(void)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/probe", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0) {
		return false;
	}
	close(fd);
	unlink(p);
	return true;
}

Test(flowlog_writer, counts_write_errors_when_the_directory_is_read_only)
{
	struct flowlog *fl = writer(0, 0, 0);
	struct flowlog_stats st;
	struct flow f = flow_n(3);
	struct listing l;

	cr_assert_eq(flowlog_write(fl, &f), 0);
	cr_assert_eq(chmod(dir, 0555), 0);
	dac_override(false);
	if (dir_is_writable()) {
		dac_override(true);
		cr_skip_test("cannot make a directory read-only for this user");
	}

	/* the open file cannot be renamed: an error, counted, not fatal */
	cr_expect_eq(flowlog_rotate(fl), -1);
	/* no new file can be created: records are lost and counted */
	cr_expect_eq(flowlog_write(fl, &f), -1);
	cr_expect_eq(flowlog_write(fl, &f), -1);
	flowlog_get_stats(fl, &st);
	cr_expect_geq(st.write_errors, 3);
	cr_expect_eq(st.records_lost, 2);
	cr_expect_eq(st.records, 1);

	/* writable again: the writer carries on by itself */
	dac_override(true);
	cr_assert_eq(chmod(dir, 0755), 0);
	cr_expect_eq(flowlog_write(fl, &f), 0);
	flowlog_destroy(fl);
	list_dir(&l);
	cr_expect_eq(l.jsonl, 1, "the new file");
	cr_expect_eq(l.part, 1, "the file that could not be renamed stays .part");
	cr_expect_eq(count_all_lines(), 2);
}

Test(flowlog_writer, cuts_a_failed_write_back_to_whole_lines)
{
	struct flowlog *fl = writer(0, 0, 800);
	struct flowlog_stats st;
	struct listing l;
	struct rlimit rl;

	/* a file size limit makes write() stop part-way (EFBIG), even for root */
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	rl.rlim_cur = 1000;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	for (unsigned i = 0; i < 30; i++) {
		struct flow f = flow_n(i);

		flowlog_write(fl, &f);
	}
	flowlog_tick(fl);
	rl.rlim_cur = rl.rlim_max;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	flowlog_get_stats(fl, &st);
	cr_expect_gt(st.write_errors, 0);
	cr_expect_gt(st.records_lost, 0);
	cr_expect_eq(st.records, 30);
	flowlog_destroy(fl);

	list_dir(&l);
	cr_assert_eq(l.jsonl, 1);
	cr_expect_leq(file_size(l.names[0]), 1000);
	/* every line whole, and the lines missing are exactly those counted lost */
	cr_expect_eq(check_lines(l.names[0]), st.records - st.records_lost);
}

Test(flowlog_writer, refuses_a_missing_directory_or_a_bad_prefix)
{
	struct flowlog_config cfg = { .dir = "/nonexistent/flows", .prefix = "w0" };
	char err[256] = "";

	cr_expect_null(flowlog_create(&cfg, err, sizeof(err)));
	cr_expect_not_null(strstr(err, "/nonexistent/flows"), "err: %s", err);

	cfg.dir = dir;
	cfg.prefix = "../escape";
	err[0] = '\0';
	cr_expect_null(flowlog_create(&cfg, err, sizeof(err)));
	cr_expect_not_null(strstr(err, "../escape"), "err: %s", err);

	cfg.prefix = "";
	cr_expect_null(flowlog_create(&cfg, err, sizeof(err)));

	cfg.dir = "/etc/hostname";
	cfg.prefix = "w0";
	cr_expect_null(flowlog_create(&cfg, err, sizeof(err)));
	cr_expect_not_null(strstr(err, "Not a directory"), "err: %s", err);
}

Test(flowlog_writer, opens_no_file_before_the_first_record)
{
	struct flowlog *fl = writer(100, 1, 0);
	struct listing l;

	cr_expect_eq(flowlog_tick(fl), 0);
	fake_now += 10 * NS;
	cr_expect_eq(flowlog_tick(fl), 0);
	flowlog_destroy(fl);
	flowlog_destroy(NULL);
	list_dir(&l);
	cr_expect_eq(l.n, 0);
}
