/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resource store: the document of resource.h kept in one JSON file.
 * Every change is made under an exclusive flock(2) of "FILE.lock", on a
 * fresh read of the file, and written atomically (a temporary file in the
 * same directory, fsync, rename, fsync of the directory), so a reader sees
 * the old or the new document, never a mix. A file that cannot be parsed
 * or breaks a rule is refused and never overwritten.
 */
#ifndef VTAP_SENDER_STORE_H
#define VTAP_SENDER_STORE_H

#include <jansson.h>
#include <stddef.h>

#include "sender/resource.h"

struct store {
	char *path;       /* owned */
	char *lock_path;  /* owned: path + ".lock" */
	json_t *doc;      /* owned: the document last read or written */
};

/*
 * One change, applied to a private copy of the current document. It
 * returns RESOURCE_OK to have the copy written, anything else (with err
 * set) to leave the file untouched.
 */
typedef enum resource_status (*store_edit_fn)(json_t *doc, void *arg,
					      char *err, size_t errlen);

/*
 * Read path into st. A missing file is an empty document (the file is
 * created by the first change). Returns 0, or -1 with "PATH: reason" in
 * err for an unreadable file, bad JSON (with line and column) or a broken
 * rule; st is then empty and store_finish must still be called.
 * Does not log.
 */
int store_open(struct store *st, const char *path, char *err, size_t errlen);

/*
 * Read the file again (SIGHUP). On failure the document in memory is kept
 * and -1 returned with the reason in err.
 */
int store_reload(struct store *st, char *err, size_t errlen);

/*
 * Apply edit under the lock, as described above; on success st->doc is
 * the new document. Returns edit's status, or RESOURCE_UNAVAILABLE (the
 * file could not be locked, read or written) or RESOURCE_CORRUPT (the file
 * on disk no longer parses) with err set. The file is unchanged unless
 * RESOURCE_OK is returned. Does not log.
 */
enum resource_status store_update(struct store *st, store_edit_fn edit,
				  void *arg, char *err, size_t errlen);

/* Free what st holds. Accepts a zeroed or failed store. */
void store_finish(struct store *st);

#endif
