/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The store file (see store.h): reading and checking it, and the locked,
 * atomic replacement of it. The rules themselves live in resource.c; this
 * file only moves documents between memory and disk, and never logs.
 */
#include "sender/store.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Read and check path into *out (new reference). A missing file gives an
 * empty document. Returns RESOURCE_OK, RESOURCE_UNAVAILABLE or
 * RESOURCE_CORRUPT with "PATH: reason" in err.
 */
static enum resource_status
read_doc(const char *path, json_t **out, char *err, size_t errlen)
{
	char why[256];
	json_error_t je;
	json_t *doc;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT) {
			*out = resource_document_new();
			return RESOURCE_OK;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return RESOURCE_UNAVAILABLE;
	}
	doc = json_loadfd(fd, JSON_REJECT_DUPLICATES, &je);
	close(fd);
	if (doc == NULL) {
		snprintf(err, errlen, "%s: line %d column %d: %s", path, je.line,
			 je.column, je.text);
		return RESOURCE_CORRUPT;
	}
	if (resource_document_check(doc, why, sizeof(why)) != RESOURCE_OK) {
		snprintf(err, errlen, "%s: %s", path, why);
		json_decref(doc);
		return RESOURCE_CORRUPT;
	}
	*out = doc;
	return RESOURCE_OK;
}

int
store_open(struct store *st, const char *path, char *err, size_t errlen)
{
	size_t len = strlen(path);

	memset(st, 0, sizeof(*st));
	st->path = strdup(path);
	st->lock_path = malloc(len + sizeof(".lock"));
	if (st->path == NULL || st->lock_path == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(st->lock_path, path, len);
	memcpy(st->lock_path + len, ".lock", sizeof(".lock"));
	return read_doc(path, &st->doc, err, errlen) == RESOURCE_OK ? 0 : -1;
}

int
store_reload(struct store *st, char *err, size_t errlen)
{
	json_t *doc;

	if (read_doc(st->path, &doc, err, errlen) != RESOURCE_OK) {
		return -1;
	}
	json_decref(st->doc);
	st->doc = doc;
	return 0;
}

/* Create the store's directory when it is missing (one level, 0755). */
static int
ensure_dir(const char *path, char *err, size_t errlen)
{
	char *copy = strdup(path);
	const char *dir;
	int rc = 0;

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	dir = dirname(copy);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		rc = -1;
	}
	free(copy);
	return rc;
}

/* Write text to a temporary file beside path, fsync it, rename it over. */
static int
write_atomic(const char *path, const char *text, char *err, size_t errlen)
{
	char *tmp = NULL, *copy = NULL;
	size_t len = strlen(text) + 1, done = 0; /* with a final newline */
	int fd = -1, dfd = -1, rc = -1;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		tmp = NULL;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto fail;
	}
	if (fchmod(fd, 0644) != 0) {
		snprintf(err, errlen, "cannot chmod %s: %s", tmp, strerror(errno));
		goto fail;
	}
	while (done < len) {
		ssize_t n = done < len - 1 ? write(fd, text + done, len - 1 - done)
					   : write(fd, "\n", 1);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			snprintf(err, errlen, "cannot write %s: %s", tmp,
				 n < 0 ? strerror(errno) : "short write");
			goto fail;
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0) {
		snprintf(err, errlen, "cannot fsync %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		snprintf(err, errlen, "cannot close %s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path,
			 strerror(errno));
		goto fail;
	}
	free(tmp);
	tmp = NULL;
	/* the rename itself is durable once the directory is synced */
	if ((copy = strdup(path)) != NULL &&
	    (dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
	}
	rc = 0;
fail:
	if (fd >= 0) {
		close(fd);
	}
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	if (dfd >= 0) {
		close(dfd);
	}
	free(copy);
	return rc;
}

enum resource_status
store_update(struct store *st, store_edit_fn edit, void *arg, char *err,
	     size_t errlen)
{
	enum resource_status s;
	json_t *doc = NULL;
	char *text = NULL;
	int lfd = -1;

	if (ensure_dir(st->path, err, errlen) != 0) {
		s = RESOURCE_UNAVAILABLE;
		goto done;
	}
	if ((lfd = open(st->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", st->lock_path, strerror(errno));
		s = RESOURCE_UNAVAILABLE;
		goto done;
	}
	while (flock(lfd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "cannot lock %s: %s", st->lock_path,
				 strerror(errno));
			s = RESOURCE_UNAVAILABLE;
			goto done;
		}
	}
	/* the file is the truth: start from it, not from memory */
	if ((s = read_doc(st->path, &doc, err, errlen)) != RESOURCE_OK) {
		goto done;
	}
	if ((s = edit(doc, arg, err, errlen)) != RESOURCE_OK) {
		goto done;
	}
	if ((text = json_dumps(doc, JSON_INDENT(2))) == NULL) {
		snprintf(err, errlen, "out of memory");
		s = RESOURCE_UNAVAILABLE;
		goto done;
	}
	if (write_atomic(st->path, text, err, errlen) != 0) {
		s = RESOURCE_UNAVAILABLE;
		goto done;
	}
	json_decref(st->doc);
	st->doc = doc;
	doc = NULL;
	s = RESOURCE_OK;
done:
	if (lfd >= 0) {
		close(lfd); /* releases the lock */
	}
	free(text);
	json_decref(doc);
	return s;
}

void
store_finish(struct store *st)
{
	free(st->path);
	free(st->lock_path);
	json_decref(st->doc);
	memset(st, 0, sizeof(*st));
}
