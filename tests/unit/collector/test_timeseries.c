/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rate ring: deltas between samples, oldest first, bounded, no wrap-around spikes. */
#include <criterion/criterion.h>

#include "collector/timeseries.h"

Test(timeseries, points_are_deltas_oldest_first)
{
	static struct timeseries ts;
	json_t *j, *pts;

	timeseries_init(&ts);
	timeseries_sample(&ts, 100, 10, 1000, 0);
	timeseries_sample(&ts, 101, 15, 1600, 1);
	timeseries_sample(&ts, 102, 35, 1700, 1);
	j = timeseries_json(&ts, 10);
	pts = json_object_get(j, "points");
	cr_assert_eq(json_array_size(pts), 2);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(pts, 0), "t")), 101);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(pts, 0), "packets")), 5);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(pts, 0), "bytes")), 600);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(pts, 0), "dropped")), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(pts, 1), "packets")), 20);
	json_decref(j);
}

Test(timeseries, the_ring_keeps_the_newest_points)
{
	static struct timeseries ts;
	json_t *j, *pts;

	timeseries_init(&ts);
	for (int i = 0; i <= TIMESERIES_POINTS + 50; i++) {
		timeseries_sample(&ts, i, (uint64_t)i * 2, 0, 0);
	}
	j = timeseries_json(&ts, 100000);
	pts = json_object_get(j, "points");
	cr_assert_eq(json_array_size(pts), TIMESERIES_POINTS);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(pts, TIMESERIES_POINTS - 1), "t")),
		     TIMESERIES_POINTS + 50);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(pts, 0), "t")), 51);
	json_decref(j);
	j = timeseries_json(&ts, 3);
	cr_assert_eq(json_array_size(json_object_get(j, "points")), 3);
	json_decref(j);
}

Test(timeseries, a_counter_going_back_gives_zero_not_a_spike)
{
	static struct timeseries ts;
	json_t *j;

	timeseries_init(&ts);
	timeseries_sample(&ts, 1, 1000, 1000, 0);
	timeseries_sample(&ts, 2, 10, 10, 0);
	j = timeseries_json(&ts, 10);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(json_object_get(j, "points"), 0), "packets")), 0);
	json_decref(j);
}
