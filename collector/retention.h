/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Retention of a pcap store: delete closed files (with their sidecars),
 * oldest first, until the store fits its byte budget, holds nothing older
 * than its age limit and leaves the file system its minimum of free space.
 *
 * - Oldest first means by the start time in the file name (the first
 *   record's time), across all workers.
 * - A file's age is measured from its last modification, i.e. when it was
 *   closed (at or after its last record), so a capture replayed with old
 *   timestamps is not deleted the moment it is written.
 * - The byte budget counts every file of the store: closed files, their
 *   sidecars and the .part files being written (which are never deleted).
 * - Free space is statvfs's f_bavail * f_frsize, read once per run; each
 *   deletion adds the blocks the file held (a file still open elsewhere,
 *   e.g. being downloaded, frees its blocks later; the estimate keeps the
 *   run from deleting more because of that).
 * - There is no "keep at least N files" rule: on a small disk every closed
 *   file may go. Sidecars whose data file is gone are deleted as well.
 *
 * Safe to run on any thread while the writers work: they only create new
 * .part files and rename their own, and a file that disappears under the
 * run is skipped. Runs with different directories are independent.
 */
#ifndef VTAP_COLLECTOR_RETENTION_H
#define VTAP_COLLECTOR_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/statvfs.h>

#include "collector/pcapstore.h"

enum retention_reason {
	RETENTION_BYTES,  /* the store was over --retain-bytes */
	RETENTION_AGE,    /* older than --retain-days */
	RETENTION_FREE,   /* free space under --min-free */
	RETENTION_ORPHAN, /* a sidecar without its data file */
};

struct retention_deleted {
	char name[PCAPSTORE_NAME_MAX]; /* the data file (or orphan sidecar) */
	enum retention_reason reason;
	uint64_t bytes;                /* st_size of the file and its sidecar */
	uint64_t start_ns;             /* the time in its name */
};

struct retention_result {
	size_t count;                     /* entries in deleted */
	struct retention_deleted *deleted; /* owned, oldest first;
					      retention_result_finish */
	uint64_t bytes_deleted;
	uint64_t total_bytes;   /* the store's bytes after the run */
	uint64_t free_bytes;    /* estimated free space after the run;
				   0 when min_free_bytes was 0 */
	uint64_t horizon_ns;    /* start of the oldest remaining closed file;
				   0 when none is left */
	bool unmet;             /* a limit still not met: nothing closed left */
	unsigned errors;        /* files that could not be deleted */
};

/* Static text for a reason, e.g. "age". */
const char *retention_reason_str(enum retention_reason r);

/*
 * Apply the limits to the store in dir at time now_ns (CLOCK_REALTIME ns).
 * A limit of 0 is no limit. Each deletion is logged once (log_info: file,
 * size, reason). Fills *out (caller storage; free with
 * retention_result_finish). Returns 0, or -1 when dir cannot be listed or
 * statvfs fails (logged) or a deletion failed (counted in errors).
 */
int retention_run(const char *dir, uint64_t max_bytes, uint64_t max_age_seconds,
		  uint64_t min_free_bytes, uint64_t now_ns,
		  struct retention_result *out);

/* Free what retention_run allocated. Accepts NULL. */
void retention_result_finish(struct retention_result *r);

/*
 * For tests: replace statvfs(3) (NULL restores it). Not thread-safe; set
 * it before any run.
 */
void retention_set_statvfs(int (*fn)(const char *path, struct statvfs *st));

#endif
