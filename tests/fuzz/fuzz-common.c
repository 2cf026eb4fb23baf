/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The harnesses' scratch directories and small file helpers (see
 * fuzz-common.h). Nothing here is fuzzed itself.
 */
#include "fuzz-common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DIRS 4

static char made[MAX_DIRS][PATH_MAX];
static int nmade;

void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: property broken: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void
remove_all(void)
{
	for (int i = 0; i < nmade; i++) {
		fuzz_empty_dir(made[i], NULL);
		rmdir(made[i]);
	}
}

void
fuzz_tmpdir(const char *tag, char *out)
{
	const char *bases[] = { getenv("VTAP_FUZZ_TMPDIR"), "/dev/shm",
				getenv("TMPDIR"), "/tmp" };

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (bases[i] == NULL || access(bases[i], W_OK) != 0) {
			continue;
		}
		snprintf(out, PATH_MAX, "%s/vtap-fuzz-%s-XXXXXX", bases[i], tag);
		if (mkdtemp(out) != NULL) {
			if (nmade == 0) {
				atexit(remove_all);
			}
			if (nmade < MAX_DIRS) {
				snprintf(made[nmade++], PATH_MAX, "%s", out);
			}
			return;
		}
	}
	fprintf(stderr, "fuzz: cannot create a scratch directory\n");
	abort();
}

void
fuzz_empty_dir(const char *dir, bool (*keep)(const char *name))
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "fuzz: opendir %s: %s\n", dir, strerror(errno));
		abort();
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    (keep != NULL && keep(de->d_name))) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) != 0) {
			fprintf(stderr, "fuzz: unlink %s: %s\n", path,
				strerror(errno));
			abort();
		}
	}
	closedir(d);
}

void
fuzz_write_file(const char *dir, const char *name, const uint8_t *data,
		size_t len)
{
	char path[PATH_MAX];
	size_t done = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		fprintf(stderr, "fuzz: open %s: %s\n", path, strerror(errno));
		abort();
	}
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n <= 0) {
			fprintf(stderr, "fuzz: write %s: %s\n", path,
				strerror(errno));
			abort();
		}
		done += (size_t)n;
	}
	close(fd);
}

char *
fuzz_strndup(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);

	if (s == NULL) {
		abort();
	}
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}
