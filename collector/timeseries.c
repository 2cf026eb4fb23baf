/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rate ring behind /api/v1/timeseries (see timeseries.h). It keeps
 * numbers; sampling them on time is the caller's business.
 */
#include "collector/timeseries.h"

#include <string.h>

void
timeseries_init(struct timeseries *ts)
{
	memset(ts, 0, sizeof(*ts));
}

static uint64_t
delta(uint64_t now, uint64_t before)
{
	return now >= before ? now - before : 0;
}

void
timeseries_sample(struct timeseries *ts, int64_t now, uint64_t packets,
		  uint64_t bytes, uint64_t dropped)
{
	if (ts->primed) {
		struct timeseries_point *p = &ts->p[ts->head];

		p->t = now;
		p->packets = delta(packets, ts->last_packets);
		p->bytes = delta(bytes, ts->last_bytes);
		p->dropped = delta(dropped, ts->last_dropped);
		ts->head = (ts->head + 1) % TIMESERIES_POINTS;
		if (ts->count < TIMESERIES_POINTS) {
			ts->count++;
		}
	}
	ts->primed = 1;
	ts->last_packets = packets;
	ts->last_bytes = bytes;
	ts->last_dropped = dropped;
}

json_t *
timeseries_json(const struct timeseries *ts, size_t seconds)
{
	json_t *points = json_array();
	size_t n = seconds < ts->count ? seconds : ts->count;
	size_t start = (ts->head + TIMESERIES_POINTS - n) % TIMESERIES_POINTS;

	for (size_t i = 0; i < n; i++) {
		const struct timeseries_point *p = &ts->p[(start + i) % TIMESERIES_POINTS];

		json_array_append_new(points, json_pack("{s:I, s:I, s:I, s:I}",
			"t", (json_int_t)p->t, "packets", (json_int_t)p->packets,
			"bytes", (json_int_t)p->bytes, "dropped", (json_int_t)p->dropped));
	}
	return json_pack("{s:i, s:o}", "interval_s", 1, "points", points);
}
