/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging to stderr (the default: daemons run in the foreground under
 * systemd) or to syslog. Owns nothing but three settings.
 */
#include "shared/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static const char *progname = "vtap";
static int verbosity;
static bool to_syslog;

void
log_init(const char *name, int verbose, bool use_syslog)
{
	progname = name;
	verbosity = verbose;
	if (use_syslog && !to_syslog) {
		openlog(name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	to_syslog = use_syslog;
}

static void
vlog(int pri, const char *errtext, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (to_syslog) {
		if (errtext != NULL) {
			syslog(pri, "%s: %s", msg, errtext);
		} else {
			syslog(pri, "%s", msg);
		}
		return;
	}
	if (errtext != NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, msg, errtext);
	} else {
		fprintf(stderr, "%s: %s\n", progname, msg);
	}
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1) {
		return;
	}
	va_start(ap, fmt);
	vlog(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, strerror(saved), fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
