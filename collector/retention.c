/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Retention of the pcap store: which closed files to delete for the byte
 * budget, the age limit and the free-space floor, and deleting them. It
 * never touches a .part file and never decides how files are written.
 */
#include "collector/retention.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/log.h"

#define NS_PER_SEC 1000000000ull

static int (*statvfs_fn)(const char *, struct statvfs *) = statvfs;

void
retention_set_statvfs(int (*fn)(const char *path, struct statvfs *st))
{
	statvfs_fn = fn != NULL ? fn : statvfs;
}

const char *
retention_reason_str(enum retention_reason r)
{
	switch (r) {
	case RETENTION_BYTES:
		return "bytes";
	case RETENTION_AGE:
		return "age";
	case RETENTION_FREE:
		return "free-space";
	case RETENTION_ORPHAN:
		return "orphan-sidecar";
	}
	return "unknown";
}

void
retention_result_finish(struct retention_result *r)
{
	if (r == NULL) {
		return;
	}
	free(r->deleted);
	memset(r, 0, sizeof(*r));
}

static int
record(struct retention_result *r, const struct pcapstore_file *f,
       enum retention_reason reason, uint64_t bytes)
{
	struct retention_deleted *grown, *d;

	grown = realloc(r->deleted, (r->count + 1) * sizeof(*grown));
	if (grown == NULL) {
		return -1;
	}
	r->deleted = grown;
	d = &r->deleted[r->count++];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", f->name);
	d->reason = reason;
	d->bytes = bytes;
	d->start_ns = f->start_ns;
	return 0;
}

static bool
unlink_in(const char *dir, const char *name, bool *gone)
{
	char path[PATH_MAX];

	*gone = false;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return false;
	}
	if (unlink(path) == 0) {
		return true;
	}
	*gone = errno == ENOENT;
	return *gone;
}

/* Is there a data file for this sidecar after all (a writer racing us)? */
static bool
has_data(const char *dir, const char *index_name)
{
	static const char *const suffixes[] = { ".pcap", ".pcap.lz4",
						".pcap.part" };
	struct pcapstore_name nm;
	char path[PATH_MAX];

	if (!pcapstore_name_parse(index_name, &nm)) {
		return true; /* not ours to judge: keep it */
	}
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s%s", dir, nm.stem,
			 suffixes[i]);
		if (access(path, F_OK) == 0) {
			return true;
		}
	}
	return false;
}

static void
describe(char *buf, size_t len, enum retention_reason reason, uint64_t total,
	 uint64_t max_bytes, uint64_t max_age_seconds, uint64_t free_bytes,
	 uint64_t min_free)
{
	switch (reason) {
	case RETENTION_BYTES:
		snprintf(buf, len, "store holds %" PRIu64 " bytes > retain-bytes %" PRIu64,
			 total, max_bytes);
		break;
	case RETENTION_AGE:
		snprintf(buf, len, "closed more than %" PRIu64 " s ago (retain-days)",
			 max_age_seconds);
		break;
	case RETENTION_FREE:
		snprintf(buf, len, "free space %" PRIu64 " < min-free %" PRIu64,
			 free_bytes, min_free);
		break;
	case RETENTION_ORPHAN:
		snprintf(buf, len, "its data file is gone");
		break;
	}
}

int
retention_run(const char *dir, uint64_t max_bytes, uint64_t max_age_seconds,
	      uint64_t min_free_bytes, uint64_t now_ns,
	      struct retention_result *out)
{
	struct pcapstore_file *files = NULL;
	uint64_t total = 0, free_bytes = 0, age_ns;
	bool *removed = NULL;
	struct statvfs sv;
	size_t n = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (pcapstore_list(dir, PCAPSTORE_LIST_ORPHANS, &files, &n) != 0) {
		goto fail;
	}
	if (min_free_bytes > 0) {
		if (statvfs_fn(dir, &sv) != 0) {
			log_warn("retention: statvfs %s", dir);
			goto fail;
		}
		free_bytes = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
	}
	removed = calloc(n > 0 ? n : 1, sizeof(*removed));
	if (removed == NULL) {
		log_warnx("retention: out of memory");
		goto fail;
	}
	age_ns = max_age_seconds > UINT64_MAX / NS_PER_SEC
			 ? UINT64_MAX
			 : max_age_seconds * NS_PER_SEC;
	for (size_t i = 0; i < n; i++) {
		total += files[i].size + files[i].sidecar_size;
	}

	for (size_t i = 0; i < n; i++) {
		const struct pcapstore_file *f = &files[i];
		uint64_t mtime = f->mtime_ns > 0 ? (uint64_t)f->mtime_ns : 0;
		uint64_t bytes = f->size + f->sidecar_size;
		enum retention_reason reason;
		char index[PCAPSTORE_NAME_MAX + 16], why[160];
		bool gone, index_gone;

		if (f->state == PCAPSTORE_FILE_OPEN) {
			continue;
		}
		if (f->state == PCAPSTORE_FILE_ORPHAN_INDEX) {
			if (has_data(dir, f->name)) {
				continue;
			}
			reason = RETENTION_ORPHAN;
		} else if (max_age_seconds > 0 && now_ns > age_ns &&
			   mtime < now_ns - age_ns) {
			reason = RETENTION_AGE;
		} else if (max_bytes > 0 && total > max_bytes) {
			reason = RETENTION_BYTES;
		} else if (min_free_bytes > 0 && free_bytes < min_free_bytes) {
			reason = RETENTION_FREE;
		} else {
			continue;
		}

		describe(why, sizeof(why), reason, total, max_bytes,
			 max_age_seconds, free_bytes, min_free_bytes);
		if (!unlink_in(dir, f->name, &gone)) {
			log_warn("retention: cannot delete %s/%s", dir, f->name);
			out->errors++;
			continue;
		}
		if (f->state == PCAPSTORE_FILE_CLOSED &&
		    sidecar_name_for(f->name, index, sizeof(index)) &&
		    !unlink_in(dir, index, &index_gone)) {
			log_warn("retention: cannot delete %s/%s", dir, index);
			out->errors++;
		}
		removed[i] = true;
		total -= bytes;
		free_bytes += f->disk_bytes + f->sidecar_disk_bytes;
		if (gone) {
			continue; /* deleted by someone else meanwhile */
		}
		log_info("retention: deleted %s (%" PRIu64 " bytes): %s",
			 f->name, bytes, why);
		out->bytes_deleted += bytes;
		if (record(out, f, reason, bytes) != 0) {
			log_warnx("retention: out of memory");
			goto fail;
		}
	}

	for (size_t i = 0; i < n; i++) {
		if (files[i].state == PCAPSTORE_FILE_CLOSED && !removed[i] &&
		    (out->horizon_ns == 0 || files[i].start_ns < out->horizon_ns)) {
			out->horizon_ns = files[i].start_ns;
		}
	}
	out->total_bytes = total;
	out->free_bytes = min_free_bytes > 0 ? free_bytes : 0;
	out->unmet = (max_bytes > 0 && total > max_bytes) ||
		     (min_free_bytes > 0 && free_bytes < min_free_bytes);
	rc = out->errors == 0 ? 0 : -1;
fail:
	free(removed);
	pcapstore_list_free(files);
	return rc;
}
