/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict parsing of the numbers users type: plain integers in a range,
 * byte sizes with binary suffixes, durations. The whole string must be
 * consumed; no sign, no blanks, no overflow. Pure: never logs.
 */
#ifndef VTAP_SHARED_NUMBER_H
#define VTAP_SHARED_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

/* Decimal integer in [min, max]. */
bool number_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * Byte size: an integer with an optional suffix K, M, G or T (powers of
 * 1024), optionally followed by "B" or "iB" ("64M", "4MiB", "1G", "512").
 */
bool number_parse_size(const char *s, uint64_t *out);

/*
 * Duration in seconds: an integer with an optional unit s, m, h or d
 * ("30", "30s", "5m", "1h", "7d").
 */
bool number_parse_duration(const char *s, uint64_t *seconds);

#endif
