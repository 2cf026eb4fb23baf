/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RFC 7348 header codec: what vxlan_encode writes byte for byte, and
 * how vxlan_decode treats short input, a clear I flag and reserved bits.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "shared/vxlan.h"

#define PKT_LEN (VXLAN_HLEN + VXLAN_ETH_MIN)

/* A header for vni followed by a zeroed minimal inner Ethernet header. */
static void
packet(uint8_t pkt[PKT_LEN], uint32_t vni)
{
	memset(pkt, 0, PKT_LEN);
	vxlan_encode(pkt, vni);
}

Test(vxlan, encode_decode_round_trip_keeps_the_vni)
{
	static const uint32_t vnis[] = { 0, 1, 0xabcdef, 0xffffff };
	uint8_t pkt[PKT_LEN];
	struct vxlan_hdr h;

	for (size_t i = 0; i < sizeof(vnis) / sizeof(vnis[0]); i++) {
		packet(pkt, vnis[i]);
		memset(&h, 0xee, sizeof(h));
		cr_assert_eq(vxlan_decode(pkt, sizeof(pkt), &h), VXLAN_OK,
			     "vni %#x", vnis[i]);
		cr_assert_eq(h.vni, vnis[i], "vni %#x decoded as %#x",
			     vnis[i], h.vni);
		cr_assert_eq(h.flags, VXLAN_FLAG_I);
		cr_assert_not(h.reserved_set, "vni %#x", vnis[i]);
	}
}

Test(vxlan, encode_writes_the_rfc_layout)
{
	static const uint8_t want[VXLAN_HLEN] = {
		0x08, 0x00, 0x00, 0x00, 0xab, 0xcd, 0xef, 0x00,
	};
	uint8_t out[VXLAN_HLEN];

	memset(out, 0xff, sizeof(out));
	vxlan_encode(out, 0xabcdef);
	cr_assert_arr_eq(out, want, sizeof(want));
}

Test(vxlan, encode_sets_only_the_i_flag_and_zero_reserved_bytes)
{
	static const uint32_t vnis[] = { 0, 1, 0xabcdef, 0xffffff };
	uint8_t out[VXLAN_HLEN];

	for (size_t i = 0; i < sizeof(vnis) / sizeof(vnis[0]); i++) {
		memset(out, 0xff, sizeof(out));
		vxlan_encode(out, vnis[i]);
		cr_assert_eq(out[0], 0x08);
		cr_assert_eq(out[1], 0);
		cr_assert_eq(out[2], 0);
		cr_assert_eq(out[3], 0);
		cr_assert_eq(out[7], 0, "vni %#x leaks into byte 7", vnis[i]);
	}
}

Test(vxlan, decode_refuses_every_length_below_header_plus_ethernet)
{
	uint8_t pkt[PKT_LEN];
	struct vxlan_hdr h;

	packet(pkt, 42);
	for (size_t len = 0; len < PKT_LEN; len++) {
		cr_assert_eq(vxlan_decode(pkt, len, &h), VXLAN_ERR_SHORT,
			     "length %zu", len);
	}
	cr_assert_eq(vxlan_decode(pkt, PKT_LEN, &h), VXLAN_OK);
}

Test(vxlan, decode_refuses_a_clear_i_flag)
{
	uint8_t pkt[PKT_LEN];
	struct vxlan_hdr h;

	packet(pkt, 42);
	pkt[0] = 0x00;
	cr_assert_eq(vxlan_decode(pkt, sizeof(pkt), &h), VXLAN_ERR_NO_I_FLAG);
	pkt[0] = 0xf7; /* every flag bit but I */
	cr_assert_eq(vxlan_decode(pkt, sizeof(pkt), &h), VXLAN_ERR_NO_I_FLAG);
}

Test(vxlan, decode_reports_each_reserved_flag_bit)
{
	uint8_t pkt[PKT_LEN];
	struct vxlan_hdr h;

	for (int bit = 0; bit < 8; bit++) {
		uint8_t mask = (uint8_t)(1u << bit);

		if (mask == VXLAN_FLAG_I) {
			continue;
		}
		packet(pkt, 0x123456);
		pkt[0] |= mask;
		cr_assert_eq(vxlan_decode(pkt, sizeof(pkt), &h), VXLAN_OK,
			     "flag bit %#x", mask);
		cr_assert(h.reserved_set, "flag bit %#x", mask);
		cr_assert_eq(h.flags, VXLAN_FLAG_I | mask);
		cr_assert_eq(h.vni, 0x123456);
	}
}

Test(vxlan, decode_reports_each_reserved_field_bit)
{
	static const size_t reserved_bytes[] = { 1, 2, 3, 7 };
	uint8_t pkt[PKT_LEN];
	struct vxlan_hdr h;

	for (size_t i = 0; i < 4; i++) {
		for (int bit = 0; bit < 8; bit++) {
			packet(pkt, 0x123456);
			pkt[reserved_bytes[i]] = (uint8_t)(1u << bit);
			cr_assert_eq(vxlan_decode(pkt, sizeof(pkt), &h),
				     VXLAN_OK, "byte %zu bit %d",
				     reserved_bytes[i], bit);
			cr_assert(h.reserved_set, "byte %zu bit %d",
				  reserved_bytes[i], bit);
			cr_assert_eq(h.vni, 0x123456, "byte %zu bit %d",
				     reserved_bytes[i], bit);
		}
	}
}

Test(vxlan, decode_ignores_bytes_after_the_header)
{
	uint8_t pkt[PKT_LEN];
	struct vxlan_hdr h;

	packet(pkt, 7);
	memset(pkt + VXLAN_HLEN, 0xff, VXLAN_ETH_MIN);
	cr_assert_eq(vxlan_decode(pkt, sizeof(pkt), &h), VXLAN_OK);
	cr_assert_not(h.reserved_set);
	cr_assert_eq(h.vni, 7);
}

Test(vxlan, strerror_names_every_value)
{
	static const enum vxlan_err errs[] = {
		VXLAN_OK, VXLAN_ERR_SHORT, VXLAN_ERR_NO_I_FLAG,
	};
	const char *names[3];

	for (size_t i = 0; i < 3; i++) {
		names[i] = vxlan_strerror(errs[i]);
		cr_assert_not_null(names[i]);
		cr_assert_neq(names[i][0], '\0');
		cr_assert_str_neq(names[i], "unknown");
		for (size_t j = 0; j < i; j++) {
			cr_assert_str_neq(names[i], names[j]);
		}
	}
}
