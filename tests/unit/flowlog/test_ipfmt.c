/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address text: every IPv4 octet value and IPv6 addresses of every
 * zero-group pattern (runs, ties, mapped and compatible IPv4) must read as
 * glibc's inet_ntop writes them, since files written before ipfmt.c used
 * inet_ntop and readers compare the text.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/ipfmt.h"

Test(ipfmt, writes_ipv4_as_inet_ntop_for_every_octet_value)
{
	for (unsigned v = 0; v < 256; v++) {
		uint8_t a[4] = { (uint8_t)v, (uint8_t)(255 - v), (uint8_t)(v * 7), (uint8_t)(v / 3) };
		char want[INET_ADDRSTRLEN], got[IPFMT_V4_LEN];
		size_t n;

		cr_assert_not_null(inet_ntop(AF_INET, a, want, sizeof(want)));
		n = ipfmt_v4(a, got);
		cr_assert_str_eq(got, want);
		cr_assert_eq(n, strlen(want));
	}
}

static void
same_v6(const uint8_t *a)
{
	char want[INET6_ADDRSTRLEN], got[IPFMT_V6_LEN];
	size_t n;

	cr_assert_not_null(inet_ntop(AF_INET6, a, want, sizeof(want)));
	n = ipfmt_v6(a, got);
	cr_assert_str_eq(got, want);
	cr_assert_eq(n, strlen(want));
}

Test(ipfmt, writes_ipv6_as_inet_ntop_for_every_pattern_of_zero_groups)
{
	unsigned seed = 5;

	/* each of the 256 choices of zero and non-zero groups, values varied */
	for (unsigned mask = 0; mask < 256; mask++) {
		for (int round = 0; round < 8; round++) {
			uint8_t a[16];

			for (int g = 0; g < 8; g++) {
				unsigned v = 0;

				if (mask & (1u << g)) {
					v = (unsigned)rand_r(&seed) & 0xffffu;
					v >>= rand_r(&seed) % 16;
					v |= round == 0 ? 1u : 0u; /* some groups are 0x0001 */
					if (v == 0) {
						v = 0xffff;
					}
				}
				a[2 * g] = (uint8_t)(v >> 8);
				a[2 * g + 1] = (uint8_t)v;
			}
			same_v6(a);
		}
	}
}

Test(ipfmt, writes_mapped_and_compatible_ipv4_as_inet_ntop)
{
	static const char *const text[] = {
		"::", "::1", "::ffff:192.0.2.1", "::192.0.2.1", "::ffff:0.0.0.0",
		"::ffff:0:1", "1::", "1::ffff:192.0.2.1", "::1:ffff:c000:201",
		"2001:db8::1", "2001:db8:0:1::2", "2001:0:0:1::1", "fe80::1:0:0:1",
		"0:0:1::", "1:0:0:0:1:0:0:1", "ff02::fb",
	};

	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		uint8_t a[16];

		cr_assert_eq(inet_pton(AF_INET6, text[i], a), 1, "%s", text[i]);
		same_v6(a);
	}
}

Test(ipfmt, writes_macs_in_lower_case_hex_pairs)
{
	char got[IPFMT_MAC_LEN];

	cr_expect_eq(ipfmt_mac((const uint8_t *)"\x02\x00\x5e\xab\xCD\xff", got), 17);
	cr_expect_str_eq(got, "02:00:5e:ab:cd:ff");
}
