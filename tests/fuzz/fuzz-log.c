/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The log API of shared/log.h for harnesses, linked instead of
 * shared/log.c: lines are formatted (so a bad format argument still shows
 * up under the sanitizers) but dropped unless VTAP_FUZZ_LOG is set, since
 * repair and the pipeline log per file and libFuzzer's output would drown.
 * fatal() aborts: bad input is never a reason to exit, so an exit here is
 * a finding.
 */
#include "shared/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int
enabled(void)
{
	static int on = -1;

	if (on < 0) {
		on = getenv("VTAP_FUZZ_LOG") != NULL;
	}
	return on;
}

__attribute__((format(printf, 1, 0))) static void
vlog(const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (enabled()) {
		fprintf(stderr, "vtap: %s\n", line);
	}
}

void
log_init(const char *progname, int verbose, bool use_syslog)
{
}

#define LOGFN(fn) \
	void fn(const char *fmt, ...) \
	{ \
		va_list ap; \
		va_start(ap, fmt); \
		vlog(fmt, ap); \
		va_end(ap); \
	}

LOGFN(log_warn)
LOGFN(log_warnx)
LOGFN(log_info)
LOGFN(log_debug)

noreturn void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nfuzz: fatal() called on input\n", stderr);
	abort();
}

noreturn void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nfuzz: fatalx() called on input\n", stderr);
	abort();
}
