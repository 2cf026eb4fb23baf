/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Retention: closed files go oldest first (across workers) for the byte
 * budget, the age limit and the free-space floor (an injected statvfs, and
 * a real 4 MiB tmpfs when root); .part files, broken and foreign files
 * stay; each deletion is logged once; it runs beside a working writer.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector/retention.h"

#define NS 1000000000ull
#define DAY (86400 * NS)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char dir[64];
static char mnt[96];
static bool mounted;

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vtap-retention-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	mounted = false;
	retention_set_statvfs(NULL);
}

static void
teardown(void)
{
	if (mounted) {
		umount2(mnt, MNT_DETACH);
	}
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	retention_set_statvfs(NULL);
}

TestSuite(retention, .init = setup, .fini = teardown);

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* 2026-11-26 12:00:00 UTC plus minutes. */
static uint64_t
start(unsigned minutes)
{
	struct tm tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = 26, .tm_hour = 12 };

	return ((uint64_t)timegm(&tm) + minutes * 60ull) * NS;
}

static void
fill(const char *path, size_t size, uint64_t mtime_ns)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char *b = calloc(1, size + 1);
	struct timespec ts[2];

	cr_assert_geq(fd, 0, "%s", path);
	memset(b, 'x', size);
	cr_assert_eq(write(fd, b, size), (ssize_t)size);
	ts[0].tv_sec = ts[1].tv_sec = (time_t)(mtime_ns / NS);
	ts[0].tv_nsec = ts[1].tv_nsec = (long)(mtime_ns % NS);
	if (mtime_ns != 0) {
		cr_assert_eq(futimens(fd, ts), 0);
	}
	close(fd);
	free(b);
}

/*
 * A store file: kind ".pcap", ".pcap.lz4" or ".pcap.part" of size bytes,
 * modified at mtime_ns (0: now), with a 100-byte sidecar when closed.
 */
static void
mkfile(const char *d, unsigned worker, uint64_t start_ns, const char *kind,
       size_t size, uint64_t mtime_ns, char *name_out)
{
	char stem[PCAPSTORE_NAME_MAX], path[PATH_MAX];

	cr_assert(pcapstore_name_format("vtap", worker, start_ns, stem,
					sizeof(stem)));
	cr_assert_lt(snprintf(path, sizeof(path), "%s/%s%s", d, stem, kind),
		     (int)sizeof(path));
	fill(path, size, mtime_ns);
	if (name_out != NULL) {
		snprintf(name_out, PCAPSTORE_NAME_MAX, "%s%s", stem, kind);
	}
	if (strcmp(kind, ".pcap.part") != 0) {
		cr_assert_lt(snprintf(path, sizeof(path), "%s/%s.idx.json", d, stem),
			     (int)sizeof(path));
		fill(path, 100, mtime_ns);
	}
}

static bool
exists(const char *d, const char *name)
{
	char path[PATH_MAX];

	cr_assert_lt(snprintf(path, sizeof(path), "%s/%s", d, name),
		     (int)sizeof(path));
	return access(path, F_OK) == 0;
}

static bool
sidecar_exists(const char *d, const char *name)
{
	char idx[PCAPSTORE_NAME_MAX + 16];

	cr_assert(sidecar_name_for(name, idx, sizeof(idx)));
	return exists(d, idx);
}

Test(retention, byte_budget_deletes_oldest_first)
{
	char names[10][PCAPSTORE_NAME_MAX];
	struct retention_result res;

	for (unsigned i = 0; i < 10; i++) {
		mkfile(dir, 0, start(i), ".pcap", 1000, 0, names[i]);
	}
	/* 10 x 1100 bytes; 5000 leaves 4 */
	cr_assert_eq(retention_run(dir, 5000, 0, 0, now_ns(), &res), 0);
	cr_assert_eq(res.count, 6);
	for (unsigned i = 0; i < 6; i++) {
		cr_assert_str_eq(res.deleted[i].name, names[i]);
		cr_assert_eq(res.deleted[i].reason, RETENTION_BYTES);
		cr_assert_eq(res.deleted[i].bytes, 1100);
		cr_assert_not(exists(dir, names[i]));
		cr_assert_not(sidecar_exists(dir, names[i]));
	}
	for (unsigned i = 6; i < 10; i++) {
		cr_assert(exists(dir, names[i]));
		cr_assert(sidecar_exists(dir, names[i]));
	}
	cr_assert_eq(res.bytes_deleted, 6600);
	cr_assert_eq(res.total_bytes, 4400);
	cr_assert_eq(res.horizon_ns, start(6));
	cr_assert_not(res.unmet);
	retention_result_finish(&res);

	cr_assert_eq(retention_run(dir, 5000, 0, 0, now_ns(), &res), 0);
	cr_assert_eq(res.count, 0, "within budget: nothing more");
	retention_result_finish(&res);
	retention_result_finish(NULL);
}

Test(retention, oldest_first_across_workers)
{
	char names[6][PCAPSTORE_NAME_MAX];
	struct retention_result res;

	/* w1's names sort after w0's, but time decides */
	for (unsigned i = 0; i < 6; i++) {
		mkfile(dir, i % 2 == 0 ? 0 : 1, start(i), i % 3 ? ".pcap" : ".pcap.lz4",
		       1000, 0, names[i]);
	}
	cr_assert_eq(retention_run(dir, 3300, 0, 0, now_ns(), &res), 0);
	cr_assert_eq(res.count, 3);
	for (unsigned i = 0; i < 3; i++) {
		cr_assert_str_eq(res.deleted[i].name, names[i]);
	}
	for (unsigned i = 3; i < 6; i++) {
		cr_assert(exists(dir, names[i]));
	}
	cr_assert_eq(res.horizon_ns, start(3));
	retention_result_finish(&res);
}

Test(retention, part_files_count_but_are_never_deleted)
{
	char parts[2][PCAPSTORE_NAME_MAX], closed[3][PCAPSTORE_NAME_MAX];
	struct retention_result res;

	mkfile(dir, 0, start(0), ".pcap.part", 3000, 0, parts[0]);
	for (unsigned i = 0; i < 3; i++) {
		mkfile(dir, 1, start(1 + i), ".pcap", 1000, 0, closed[i]);
	}
	mkfile(dir, 2, start(9), ".pcap.part", 3000, 0, parts[1]);
	cr_assert_eq(retention_run(dir, 5000, 1, 1ull << 62, now_ns() + DAY, &res), 0);
	cr_assert_eq(res.count, 3, "every closed file goes: no keep-N rule");
	cr_assert(exists(dir, parts[0]));
	cr_assert(exists(dir, parts[1]));
	cr_assert_eq(res.total_bytes, 6000);
	cr_assert(res.unmet);
	cr_assert_eq(res.horizon_ns, 0);
	retention_result_finish(&res);
}

Test(retention, age_limit_deletes_files_closed_before_it)
{
	char names[8][PCAPSTORE_NAME_MAX];
	struct retention_result res;
	uint64_t now = start(0) + 30 * DAY;

	for (unsigned i = 0; i < 4; i++) {
		mkfile(dir, 0, start(i), ".pcap", 1000, now - 10 * DAY + i, names[i]);
	}
	for (unsigned i = 4; i < 7; i++) {
		mkfile(dir, 0, start(i), ".pcap", 1000, now - 3600 * NS, names[i]);
	}
	/* a replay of an old capture, written an hour ago: its age is an hour */
	mkfile(dir, 3, start(0) - 400 * DAY, ".pcap", 1000, now - 3600 * NS,
	       names[7]);

	cr_assert_eq(retention_run(dir, 0, 7 * 86400, 0, now, &res), 0);
	cr_assert_eq(res.count, 4);
	for (unsigned i = 0; i < 4; i++) {
		cr_assert_str_eq(res.deleted[i].name, names[i]);
		cr_assert_eq(res.deleted[i].reason, RETENTION_AGE);
		cr_assert_not(exists(dir, names[i]));
	}
	for (unsigned i = 4; i < 8; i++) {
		cr_assert(exists(dir, names[i]), "%s", names[i]);
	}
	cr_assert_eq(res.horizon_ns, start(0) - 400 * DAY);
	retention_result_finish(&res);
}

static uint64_t fake_free;

static int
fake_statvfs(const char *path, struct statvfs *st)
{
	(void)path;
	memset(st, 0, sizeof(*st));
	st->f_frsize = 1;
	st->f_bsize = 4096;
	st->f_bavail = fake_free;
	st->f_bfree = fake_free;
	return 0;
}

static int
failing_statvfs(const char *path, struct statvfs *st)
{
	(void)path;
	(void)st;
	errno = EIO;
	return -1;
}

Test(retention, free_space_floor_deletes_until_it_is_met)
{
	char names[10][PCAPSTORE_NAME_MAX], path[PATH_MAX];
	struct retention_result res;
	uint64_t freed[10], need, sum = 0;
	size_t want = 0;
	struct stat st;

	for (unsigned i = 0; i < 10; i++) {
		mkfile(dir, 0, start(i), ".pcap", 50000, 0, names[i]);
		cr_assert_lt(snprintf(path, sizeof(path), "%s/%s", dir, names[i]),
			     (int)sizeof(path));
		cr_assert_eq(stat(path, &st), 0);
		freed[i] = (uint64_t)st.st_blocks * 512;
		cr_assert(sidecar_name_for(names[i], path + strlen(dir) + 1,
					   sizeof(path) - strlen(dir) - 1));
		cr_assert_eq(stat(path, &st), 0);
		freed[i] += (uint64_t)st.st_blocks * 512;
	}
	fake_free = 10000;
	need = 160000;
	while (fake_free + sum < need) {
		sum += freed[want++];
	}
	cr_assert_gt(want, 1);
	cr_assert_lt(want, 10);

	retention_set_statvfs(fake_statvfs);
	cr_assert_eq(retention_run(dir, 0, 0, need, now_ns(), &res), 0);
	cr_assert_eq(res.count, want);
	for (size_t i = 0; i < want; i++) {
		cr_assert_str_eq(res.deleted[i].name, names[i]);
		cr_assert_eq(res.deleted[i].reason, RETENTION_FREE);
	}
	for (size_t i = want; i < 10; i++) {
		cr_assert(exists(dir, names[i]));
	}
	cr_assert_geq(res.free_bytes, need);
	cr_assert_not(res.unmet);
	retention_result_finish(&res);

	retention_set_statvfs(failing_statvfs);
	cr_assert_eq(retention_run(dir, 0, 0, need, now_ns(), &res), -1);
	retention_result_finish(&res);
}

Test(retention, free_space_floor_on_a_small_tmpfs)
{
	struct pcapstore_config cfg = { .rotate_bytes = 256 * 1024 };
	struct retention_result res;
	struct pcapstore_stats pst;
	struct pcapstore *ps;
	struct statvfs sv;
	uint8_t frame[1400];
	char err[256];
	uint64_t free_before;
	unsigned i;

	snprintf(mnt, sizeof(mnt), "%s/small", dir);
	cr_assert_eq(mkdir(mnt, 0755), 0);
	if (geteuid() != 0 || mount("tmpfs", mnt, "tmpfs", 0, "size=4m") != 0) {
		cr_skip_test("needs root to mount a 4 MiB tmpfs");
	}
	mounted = true;
	cfg.dir = mnt;
	ps = pcapstore_create(&cfg, err, sizeof(err));
	cr_assert_not_null(ps, "%s", err);
	memset(frame, 0x5a, sizeof(frame));
	for (i = 0; i < 2400; i++) { /* ~3.4 MB */
		cr_assert_eq(pcapstore_write(ps, start(0) + i * NS, frame,
					     sizeof(frame), sizeof(frame), NULL,
					     NULL),
			     0, "record %u", i);
	}
	cr_assert_eq(pcapstore_flush(ps), 0); /* an open .part stays */
	cr_assert_eq(statvfs(mnt, &sv), 0);
	free_before = (uint64_t)sv.f_bavail * sv.f_frsize;
	cr_assert_lt(free_before, 1u << 20);

	cr_assert_eq(retention_run(mnt, 0, 0, 2u << 20, now_ns(), &res), 0);
	cr_assert_gt(res.count, 0);
	for (size_t k = 1; k < res.count; k++) {
		cr_assert_lt(res.deleted[k - 1].start_ns, res.deleted[k].start_ns);
	}
	cr_assert_eq(statvfs(mnt, &sv), 0);
	cr_assert_geq((uint64_t)sv.f_bavail * sv.f_frsize, 2u << 20);
	cr_assert_gt(res.horizon_ns, res.deleted[res.count - 1].start_ns);
	pcapstore_get_stats(ps, &pst);
	cr_assert_neq(pst.current_file[0], '\0');
	cr_assert(exists(mnt, pst.current_file), "the open file stays");
	retention_result_finish(&res);

	/* and the writer carries on */
	for (; i < 2500; i++) {
		cr_assert_eq(pcapstore_write(ps, start(0) + i * NS, frame,
					     sizeof(frame), sizeof(frame), NULL,
					     NULL),
			     0);
	}
	cr_assert_eq(pcapstore_close(ps), 0);
	pcapstore_get_stats(ps, &pst);
	cr_assert_eq(pst.write_errors, 0);
	pcapstore_destroy(ps);
}

Test(retention, orphan_sidecars_go_and_other_files_stay)
{
	char closed[PCAPSTORE_NAME_MAX], part[PCAPSTORE_NAME_MAX];
	char stem[PCAPSTORE_NAME_MAX], path[PATH_MAX];
	struct retention_result res;

	mkfile(dir, 0, start(1), ".pcap", 1000, 0, closed);
	mkfile(dir, 0, start(2), ".pcap.part", 1000, 0, part);
	/* a sidecar beside a .part (a writer mid-close) stays */
	cr_assert(pcapstore_name_format("vtap", 0, start(2), stem, sizeof(stem)));
	cr_assert_lt(snprintf(path, sizeof(path), "%s/%s.idx.json", dir, stem),
		     (int)sizeof(path));
	fill(path, 10, 0);
	/* a sidecar whose data file was deleted goes */
	cr_assert(pcapstore_name_format("vtap", 0, start(0), stem, sizeof(stem)));
	cr_assert_lt(snprintf(path, sizeof(path), "%s/%s.idx.json", dir, stem),
		     (int)sizeof(path));
	fill(path, 10, 0);
	cr_assert_lt(snprintf(path, sizeof(path), "%s/%s.pcap.broken", dir, stem),
		     (int)sizeof(path));
	fill(path, 5000, 0);
	cr_assert_lt(snprintf(path, sizeof(path), "%s/notes.txt", dir),
		     (int)sizeof(path));
	fill(path, 5000, 0);
	cr_assert_lt(snprintf(path, sizeof(path), "%s/%s.pcap.lz4.tmp", dir, stem),
		     (int)sizeof(path));
	fill(path, 5000, 0);

	cr_assert_eq(retention_run(dir, 0, 0, 0, now_ns(), &res), 0);
	cr_assert_eq(res.count, 1);
	cr_assert_eq(res.deleted[0].reason, RETENTION_ORPHAN);
	cr_assert_lt(snprintf(path, sizeof(path), "%s.idx.json", stem),
		     (int)sizeof(path));
	cr_assert_str_eq(res.deleted[0].name, path);
	cr_assert(exists(dir, closed));
	cr_assert(exists(dir, part));
	cr_assert_eq(res.horizon_ns, start(1));
	retention_result_finish(&res);

	/* foreign, broken and temporary files never count or go */
	cr_assert_eq(retention_run(dir, 1, 0, 0, now_ns(), &res), 0);
	cr_assert_eq(res.count, 1);
	cr_assert_str_eq(res.deleted[0].name, closed);
	cr_assert(exists(dir, "notes.txt"));
	cr_assert_lt(snprintf(path, sizeof(path), "%s.pcap.broken", stem),
		     (int)sizeof(path));
	cr_assert(exists(dir, path));
	cr_assert_lt(snprintf(path, sizeof(path), "%s.pcap.lz4.tmp", stem),
		     (int)sizeof(path));
	cr_assert(exists(dir, path));
	cr_assert(exists(dir, part));
	retention_result_finish(&res);
}

Test(retention, no_limits_delete_nothing_and_report_the_horizon)
{
	struct retention_result res;

	for (unsigned i = 0; i < 3; i++) {
		mkfile(dir, i, start(5 - i), ".pcap", 100, 0, NULL);
	}
	cr_assert_eq(retention_run(dir, 0, 0, 0, now_ns(), &res), 0);
	cr_assert_eq(res.count, 0);
	cr_assert_eq(res.total_bytes, 600);
	cr_assert_eq(res.horizon_ns, start(3));
	cr_assert_eq(res.free_bytes, 0);
	retention_result_finish(&res);
}

Test(retention, each_deletion_is_logged_once)
{
	char names[3][PCAPSTORE_NAME_MAX], path[PATH_MAX], line[512];
	struct retention_result res;
	int saved, fd;
	unsigned hits[3] = { 0 }, lines = 0;
	FILE *f;

	for (unsigned i = 0; i < 3; i++) {
		mkfile(dir, 0, start(i), ".pcap", 1000, 0, names[i]);
	}
	cr_assert_lt(snprintf(path, sizeof(path), "%s/stderr.log", dir),
		     (int)sizeof(path));
	fflush(stderr);
	saved = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	dup2(fd, 2);
	close(fd);
	retention_run(dir, 1200, 0, 0, now_ns(), &res);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	cr_assert_eq(res.count, 2);

	f = fopen(path, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		lines++;
		for (unsigned i = 0; i < 3; i++) {
			if (strstr(line, names[i]) != NULL) {
				hits[i]++;
				cr_assert_not_null(strstr(line, "retain-bytes"),
						   "%s", line);
			}
		}
	}
	fclose(f);
	cr_assert_eq(hits[0], 1);
	cr_assert_eq(hits[1], 1);
	cr_assert_eq(hits[2], 0);
	cr_assert_eq(lines, 2);
	retention_result_finish(&res);
}

struct writer_arg {
	struct pcapstore *ps;
	atomic_bool done;
	unsigned written;
};

static void *
writer_thread(void *p)
{
	struct writer_arg *a = p;
	uint8_t frame[600];

	memset(frame, 0x11, sizeof(frame));
	for (unsigned i = 0; i < 20000; i++) {
		if (pcapstore_write(a->ps, start(0) + (uint64_t)i * 1000000,
				    frame, sizeof(frame), sizeof(frame), NULL,
				    NULL) == 0) {
			a->written++;
		}
	}
	pcapstore_close(a->ps);
	atomic_store(&a->done, true);
	return NULL;
}

Test(retention, runs_beside_a_working_writer)
{
	struct pcapstore_config cfg = { .dir = dir, .rotate_bytes = 64 * 1024,
					.buffer_bytes = 300000 };
	struct writer_arg a = { 0 };
	struct retention_result res;
	struct pcapstore_stats st;
	struct pcapstore_file *files;
	size_t n, deleted = 0;
	pthread_t t;

	a.ps = pcapstore_create(&cfg, NULL, 0);
	cr_assert_not_null(a.ps);
	atomic_init(&a.done, false);
	cr_assert_eq(pthread_create(&t, NULL, writer_thread, &a), 0);
	while (!atomic_load(&a.done)) {
		cr_assert_eq(retention_run(dir, 300 * 1024, 0, 0, now_ns(), &res), 0);
		deleted += res.count;
		retention_result_finish(&res);
	}
	pthread_join(t, NULL);
	pcapstore_get_stats(a.ps, &st);
	cr_assert_eq(st.write_errors, 0, "%s", st.last_error);
	cr_assert_eq(a.written, 20000);
	cr_assert_eq(st.packets, 20000);
	cr_assert_gt(deleted, 0);

	cr_assert_eq(retention_run(dir, 300 * 1024, 0, 0, now_ns(), &res), 0);
	cr_assert_leq(res.total_bytes, 300 * 1024);
	retention_result_finish(&res);
	cr_assert_eq(pcapstore_list(dir, PCAPSTORE_LIST_SUMMARY | PCAPSTORE_LIST_ORPHANS,
				    &files, &n),
		     0);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(files[i].state, PCAPSTORE_FILE_CLOSED, "%s",
			     files[i].name);
		cr_assert(files[i].has_summary, "%s", files[i].name);
	}
	pcapstore_list_free(files);
	pcapstore_destroy(a.ps);
}
