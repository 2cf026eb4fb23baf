/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers the libFuzzer harnesses share: a private scratch directory
 * (on tmpfs when there is one, so fsync costs nothing), emptying it, and
 * writing a file. A helper that fails aborts: a harness that cannot set up
 * its scratch space must not report the library as fine.
 */
#ifndef VTAP_TESTS_FUZZ_COMMON_H
#define VTAP_TESTS_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A new empty directory "vtap-fuzz-TAG-XXXXXX" under $VTAP_FUZZ_TMPDIR,
 * /dev/shm or $TMPDIR / /tmp (the first that is writable). The path is
 * static storage of the caller's choosing (out, PATH_MAX bytes). The
 * directory is removed at exit.
 */
void fuzz_tmpdir(const char *tag, char *out);

/* Remove every entry of dir (not dir itself); keep those for which keep
 * (may be NULL) returns true. Subdirectories are not expected. */
void fuzz_empty_dir(const char *dir, bool (*keep)(const char *name));

/* Write len bytes to dir/name (created or truncated). */
void fuzz_write_file(const char *dir, const char *name, const uint8_t *data,
		     size_t len);

/* A NUL-terminated heap copy of len bytes (free it). */
char *fuzz_strndup(const uint8_t *data, size_t len);

/* abort() with a message when cond is false: a broken property. */
#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
		} \
	} while (0)

__attribute__((noreturn, format(printf, 4, 5)))
void fuzz_fail(const char *file, int line, const char *cond, const char *fmt,
	       ...);

#endif
