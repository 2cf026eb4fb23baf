/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address text for per-flow output, written byte by byte (see ipfmt.h).
 * It does not parse addresses (inet_pton does) nor format socket
 * addresses with ports (shared/addr.c does).
 */
#include "collector/ipfmt.h"

#include <stdbool.h>

static const char hexd[] = "0123456789abcdef";

size_t
ipfmt_v4(const uint8_t *a, char *buf)
{
	char *p = buf;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (i > 0) {
			*p++ = '.';
		}
		if (v >= 100u) {
			*p++ = (char)('0' + v / 100u);
		}
		if (v >= 10u) {
			*p++ = (char)('0' + v / 10u % 10u);
		}
		*p++ = (char)('0' + v % 10u);
	}
	*p = '\0';
	return (size_t)(p - buf);
}

/* One group in hex without leading zeros. */
static char *
group(char *p, unsigned v)
{
	bool started = false;

	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned d = (v >> shift) & 0xfu;

		if (d != 0 || started || shift == 0) {
			*p++ = hexd[d];
			started = true;
		}
	}
	return p;
}

size_t
ipfmt_v6(const uint8_t *a, char *buf)
{
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	char *p = buf;

	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	}
	/* the longest run of zero groups; the first one wins a tie */
	for (int i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			cur_len++;
			if (cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
		} else {
			cur = -1;
		}
	}
	if (best_len < 2) {
		best = -1; /* a single zero group is written as "0" */
	}
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best) {
				*p++ = ':';
			}
			continue;
		}
		if (i != 0) {
			*p++ = ':';
		}
		/* IPv4-compatible (::a.b.c.d) or mapped (::ffff:a.b.c.d) */
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && w[5] == 0xffffu))) {
			p += ipfmt_v4(a + 12, p);
			return (size_t)(p - buf);
		}
		p = group(p, w[i]);
	}
	if (best >= 0 && best + best_len == 8) {
		*p++ = ':';
	}
	*p = '\0';
	return (size_t)(p - buf);
}

size_t
ipfmt_mac(const uint8_t *a, char *buf)
{
	char *p = buf;

	for (int i = 0; i < 6; i++) {
		if (i > 0) {
			*p++ = ':';
		}
		*p++ = hexd[a[i] >> 4];
		*p++ = hexd[a[i] & 0xfu];
	}
	*p = '\0';
	return (size_t)(p - buf);
}
