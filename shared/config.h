/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Config files as long options. A daemon's config file holds `key = value`
 * lines whose keys are exactly its long option names (lower-dashes), so
 * the file and the command line share one parser: the file becomes a
 * vector of "--key=value" words that the daemon's getopt loop reads before
 * its real arguments (which therefore override the file).
 *
 *   # /etc/vtap/collector.conf
 *   listen = 0.0.0.0:4789
 *   rotate-size = 64M
 *   compress = lz4
 *   inner = true          # an option without argument: true/false
 *
 * Lines are parsed by inih (one line at a time; '#' and ';' start
 * comments). Sections are refused: a file configures one daemon.
 */
#ifndef VTAP_SHARED_CONFIG_H
#define VTAP_SHARED_CONFIG_H

#include <getopt.h>
#include <stddef.h>

struct config_argv {
	int argc;
	char **argv; /* owned: argc words, then NULL; each word owned */
};

/*
 * Read path and append one word per key to *out (which must be
 * zero-initialised or already hold words). Keys must name an entry of
 * longopts; an option with no argument takes true/yes/on/1 (added) or
 * false/no/off/0 (left out). Returns 0, or -1 with "FILE:LINE: reason"
 * in err; *out keeps what it had on error only up to that line.
 */
int config_argv_load(const char *path, const struct option *longopts,
		     struct config_argv *out, char *err, size_t errlen);

/*
 * The same for text already in memory (name is used in messages). Used by
 * config_argv_load and by tests and fuzzers.
 */
int config_argv_parse(const char *text, const char *name,
		      const struct option *longopts, struct config_argv *out,
		      char *err, size_t errlen);

/* Free the words; *out is empty afterwards. Accepts an empty vector. */
void config_argv_finish(struct config_argv *out);

/*
 * Everything a daemon's option parser needs before its getopt loop: load
 * the --config file named in argv (if any) into *file, and build *words,
 * the vector the loop reads: argv[0], the file's words, then argv[1..]
 * (so the command line overrides the file). *words is owned by the caller
 * (free it; its strings stay borrowed from argv and *file), *nwords its
 * length. Returns 0, or -1 with a one-line reason in err.
 */
int config_argv_words(int argc, char *argv[], const struct option *longopts,
		      struct config_argv *file, char ***words, int *nwords,
		      char *err, size_t errlen);

/*
 * Find the value of --config in argv ("--config FILE", "--config=FILE");
 * NULL when absent. Does not modify argv.
 */
const char *config_path_from_args(int argc, char *const argv[]);

#endif
