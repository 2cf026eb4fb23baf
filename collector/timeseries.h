/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-second packet, byte and drop rates for the last minutes: a ring of
 * deltas between successive samples of the collector's running totals.
 * Sampled and read on the main thread only (the event loop), so it has
 * no locks. Pure: no I/O.
 */
#ifndef VTAP_COLLECTOR_TIMESERIES_H
#define VTAP_COLLECTOR_TIMESERIES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define TIMESERIES_POINTS 900 /* 15 minutes at one point a second */

struct timeseries_point {
	int64_t t;          /* epoch seconds at the end of the interval */
	uint64_t packets;   /* frames admitted in the interval */
	uint64_t bytes;
	uint64_t dropped;   /* datagrams dropped in the interval */
};

struct timeseries {
	struct timeseries_point p[TIMESERIES_POINTS];
	size_t head;        /* next slot to write */
	size_t count;       /* points held */
	uint64_t last_packets, last_bytes, last_dropped;
	int primed;         /* a first sample has been taken */
};

/* Start empty (caller storage). */
void timeseries_init(struct timeseries *ts);

/*
 * Record the running totals at time now (epoch seconds); from the second
 * sample on, appends the difference to the previous one. Totals that go
 * backwards (a counter reset) give a zero point rather than a huge one.
 */
void timeseries_sample(struct timeseries *ts, int64_t now, uint64_t packets,
		       uint64_t bytes, uint64_t dropped);

/* The last `seconds` points, oldest first, as {"interval_s":1,"points":[...]}. */
json_t *timeseries_json(const struct timeseries *ts, size_t seconds);

#endif
