/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Number, size and duration parsing for options and config files. It
 * parses text only; what a value means belongs to the option's owner.
 */
#include "shared/number.h"

#include <string.h>

/* Parse leading digits; *end points after them. False on none or overflow. */
static bool
digits(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9') {
		return false;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (v > (UINT64_MAX - d) / 10) {
			return false;
		}
		v = v * 10 + d;
	}
	*out = v;
	*end = p;
	return true;
}

bool
number_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	const char *end;

	if (s == NULL || !digits(s, &v, &end) || *end != '\0') {
		return false;
	}
	if (v < min || v > max) {
		return false;
	}
	*out = v;
	return true;
}

static bool
scale(uint64_t v, uint64_t unit, uint64_t *out)
{
	if (unit != 0 && v > UINT64_MAX / unit) {
		return false;
	}
	*out = v * unit;
	return true;
}

bool
number_parse_size(const char *s, uint64_t *out)
{
	uint64_t v, unit = 1;
	const char *end;

	if (s == NULL || !digits(s, &v, &end)) {
		return false;
	}
	switch (*end) {
	case 'k':
	case 'K':
		unit = 1ULL << 10;
		end++;
		break;
	case 'M':
		unit = 1ULL << 20;
		end++;
		break;
	case 'G':
		unit = 1ULL << 30;
		end++;
		break;
	case 'T':
		unit = 1ULL << 40;
		end++;
		break;
	default:
		break;
	}
	if (unit != 1 && strcmp(end, "iB") == 0) {
		end += 2;
	} else if (strcmp(end, "B") == 0) {
		end += 1;
	}
	if (*end != '\0') {
		return false;
	}
	return scale(v, unit, out);
}

bool
number_parse_duration(const char *s, uint64_t *seconds)
{
	uint64_t v, unit = 1;
	const char *end;

	if (s == NULL || !digits(s, &v, &end)) {
		return false;
	}
	switch (*end) {
	case '\0':
		break;
	case 's':
		end++;
		break;
	case 'm':
		unit = 60;
		end++;
		break;
	case 'h':
		unit = 3600;
		end++;
		break;
	case 'd':
		unit = 86400;
		end++;
		break;
	default:
		return false;
	}
	if (*end != '\0') {
		return false;
	}
	return scale(v, unit, seconds);
}
