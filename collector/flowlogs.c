/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Repair and expiry of a directory's flow-log files (see flowlogs.h). It
 * never writes records: that is flowlog.c's.
 */
#include "collector/flowlogs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/log.h"

#define PREFIX "flows-"

static bool
has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

/* Length of the file up to and including its last newline. */
static off_t
whole_lines(int fd, off_t size)
{
	char buf[4096];
	off_t end = size;

	while (end > 0) {
		size_t n = end > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)end;
		ssize_t got = pread(fd, buf, n, end - (off_t)n);

		if (got != (ssize_t)n) {
			return -1;
		}
		for (size_t i = n; i-- > 0;) {
			if (buf[i] == '\n') {
				return end - (off_t)n + (off_t)i + 1;
			}
		}
		end -= (off_t)n;
	}
	return 0;
}

static int
repair_one(int dfd, const char *part)
{
	char final[NAME_MAX + 1];
	struct stat st;
	off_t keep;
	int fd;

	snprintf(final, sizeof(final), "%.*s", (int)(strlen(part) - 5), part);
	if ((fd = openat(dfd, part, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0 ||
	    fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (keep = whole_lines(fd, st.st_size)) < 0 ||
	    (keep < st.st_size && ftruncate(fd, keep) != 0) ||
	    (keep > 0 && fsync(fd) != 0)) {
		log_warn("flow log %s: cannot repair", part);
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	close(fd);
	if (keep == 0) {
		unlinkat(dfd, part, 0);
		log_info("flow log %s: nothing whole in it, removed", part);
		return 0;
	}
	if (renameat(dfd, part, dfd, final) != 0) {
		log_warn("flow log %s: cannot rename", part);
		return -1;
	}
	log_info("flow log %s: closed after a crash (%lld bytes kept, %lld cut)",
		 final, (long long)keep, (long long)(st.st_size - keep));
	return 0;
}

unsigned
flowlogs_repair(const char *dir)
{
	unsigned failed = 0;
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		log_warn("flow logs: cannot read %s", dir);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) == 0 &&
		    has_suffix(e->d_name, ".jsonl.part") &&
		    repair_one(dirfd(d), e->d_name) != 0) {
			failed++;
		}
	}
	/* best effort: the renames are done whether or not this lands */
	(void)fsync(dirfd(d));
	closedir(d);
	return failed;
}

unsigned
flowlogs_expire(const char *dir, uint64_t before_ns)
{
	unsigned deleted = 0;
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (before_ns == 0 || (d = opendir(dir)) == NULL) {
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		uint64_t mtime;

		if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) != 0 ||
		    !has_suffix(e->d_name, ".jsonl") ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode)) {
			continue;
		}
		mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000ULL +
			(uint64_t)st.st_mtim.tv_nsec;
		if (mtime >= before_ns) {
			continue;
		}
		if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
			log_info("retention: deleted flow log %s (older than every pcap kept)",
				 e->d_name);
			deleted++;
		} else if (errno != ENOENT) {
			log_warn("retention: cannot delete flow log %s", e->d_name);
		}
	}
	closedir(d);
	return deleted;
}
