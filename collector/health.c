/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The health verdict (see health.h). It judges; measuring disk space and
 * asking workers is done by the caller.
 */
#include "collector/health.h"

#include <stdio.h>

bool
health_evaluate(const struct health_input *in, char *reason, size_t len)
{
	if (in->draining) {
		snprintf(reason, len, "draining");
		return false;
	}
	if (in->workers_alive < in->workers) {
		snprintf(reason, len, "%u of %u workers stopped",
			 in->workers - in->workers_alive, in->workers);
		return false;
	}
	if (!in->dir_ok) {
		snprintf(reason, len, "pcap directory is missing or not writable");
		return false;
	}
	if (in->free_bytes < in->min_free) {
		snprintf(reason, len, "free space %llu MiB is below the floor of %llu MiB",
			 (unsigned long long)(in->free_bytes >> 20),
			 (unsigned long long)(in->min_free >> 20));
		return false;
	}
	if (!in->store_ok) {
		snprintf(reason, len, "pcap writes failing: %s",
			 in->store_error != NULL ? in->store_error : "unknown error");
		return false;
	}
	reason[0] = '\0';
	return true;
}
