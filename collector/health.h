/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The collector's health verdict for /healthz and the load balancer's
 * probe: healthy when every worker is alive, the last pcap write
 * succeeded, free space is above the floor and the collector is not
 * draining. Pure: the caller gathers the inputs.
 */
#ifndef VTAP_COLLECTOR_HEALTH_H
#define VTAP_COLLECTOR_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct health_input {
	unsigned workers;          /* workers configured */
	unsigned workers_alive;    /* receive threads running */
	bool store_ok;             /* every worker's last pcap write succeeded */
	const char *store_error;   /* borrowed: the last write error, or NULL */
	uint64_t free_bytes;       /* free space of the pcap directory's disk */
	uint64_t min_free;         /* the floor (--min-free) */
	bool dir_ok;               /* the pcap directory exists and is writable */
	bool draining;             /* SIGUSR1 or POST /api/v1/drain */
};

/*
 * True when healthy; otherwise false with a one-line reason in reason
 * ("draining", "pcap directory not writable: ...", "free space 12 MiB
 * below the floor of 256 MiB", ...). The first failing check wins, in the
 * order: draining, workers, directory, free space, store.
 */
bool health_evaluate(const struct health_input *in, char *reason, size_t len);

#endif
