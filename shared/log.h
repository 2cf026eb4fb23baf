/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tiny log API both daemons use (in the style of OpenBSD's log.c):
 * warn/warnx/info/debug/fatal to stderr, or to syslog on request.
 * The packet path never calls these per packet.
 */
#ifndef VTAP_SHARED_LOG_H
#define VTAP_SHARED_LOG_H

#include <stdbool.h>
#include <stdnoreturn.h>

/*
 * Set the program name shown in each line, the verbosity (0: warnings and
 * info, 1: also debug) and whether lines go to syslog instead of stderr.
 * May be called again at any time (e.g. after option parsing).
 */
void log_init(const char *progname, int verbose, bool use_syslog);

/* Warning with ": strerror(errno)" appended. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warning without errno. */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log with errno text and exit(1). Only at start-up or on a broken invariant. */
noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log without errno and exit(1). */
noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
