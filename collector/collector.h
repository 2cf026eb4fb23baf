/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running collector as one object: its workers, the shared read-only
 * pieces (options, GeoIP), and the state the HTTP side reports (rates,
 * health, drain). Lives on the main thread; workers run beside it.
 */
#ifndef VTAP_COLLECTOR_COLLECTOR_H
#define VTAP_COLLECTOR_COLLECTOR_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "collector/timeseries.h"

#define COLLECTOR_MAX_WORKERS 64

struct collector_options;
struct event_base;
struct geoip;
struct worker;

struct collector {
	const struct collector_options *o;               /* borrowed */
	struct worker *workers[COLLECTOR_MAX_WORKERS];   /* owned */
	unsigned nworkers;
	struct geoip *geoip;                             /* owned, may be NULL */
	struct event_base *base;                         /* owned; live mode */
	struct timeseries rates;                         /* main thread only */
	atomic_bool draining;
	time_t started;
};

/* The workers' summed counters (stats_json of every worker). */
json_t *collector_stats_json(struct collector *c);

/*
 * Judge health now (see health.h): gathers worker liveness, the pcap
 * writers' last result, the directory and free space. True when healthy,
 * else false with a reason.
 */
bool collector_health(struct collector *c, char *reason, size_t len);

/*
 * Disk figures of the pcap directory: {"dir","total_bytes","free_bytes",
 * "pcap_bytes","files","oldest_ns","newest_ns","horizon_s"}.
 */
json_t *collector_disk_json(struct collector *c);

/* Take one rate sample (call once a second from the main loop). */
void collector_sample_rates(struct collector *c);

#endif
