/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VXLAN admission: each refusal has its own verdict, reserved bits are
 * accepted, --allow and --vni lists parse and bad lists change nothing.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "collector/decap.h"

static uint8_t dgram[64];

static size_t
make(uint8_t flags, uint32_t vni, size_t inner)
{
	memset(dgram, 0, sizeof(dgram));
	dgram[0] = flags;
	dgram[4] = (uint8_t)(vni >> 16);
	dgram[5] = (uint8_t)(vni >> 8);
	dgram[6] = (uint8_t)vni;
	return VXLAN_HLEN + inner;
}

static struct sockaddr_in
from(const char *ip)
{
	struct sockaddr_in in = { .sin_family = AF_INET };

	inet_pton(AF_INET, ip, &in.sin_addr);
	return in;
}

Test(decap, a_valid_datagram_is_ok)
{
	struct decap_policy p = { 0 };
	struct sockaddr_in a = from("192.0.2.1");
	struct vxlan_hdr h;

	cr_assert_eq(decap_datagram(&p, (struct sockaddr *)&a, dgram, make(0x08, 42, 14), &h), DECAP_OK);
	cr_assert_eq(h.vni, 42);
	cr_assert_not(h.reserved_set);
}

Test(decap, each_refusal_has_its_verdict)
{
	struct decap_policy p = { 0 };
	struct sockaddr_in ok = from("10.1.2.3"), bad = from("192.0.2.9");
	struct vxlan_hdr h;

	cr_assert(decap_policy_allow(&p, "10.0.0.0/8"));
	cr_assert(decap_policy_vnis(&p, "100,200-299"));
	cr_assert_eq(decap_datagram(&p, (struct sockaddr *)&ok, dgram, make(0x08, 100, 13), &h), DECAP_SHORT);
	cr_assert_eq(decap_datagram(&p, (struct sockaddr *)&ok, dgram, make(0x00, 100, 14), &h), DECAP_NO_I_FLAG);
	cr_assert_eq(decap_datagram(&p, (struct sockaddr *)&bad, dgram, make(0x08, 100, 14), &h), DECAP_SENDER_DENIED);
	cr_assert_eq(decap_datagram(&p, (struct sockaddr *)&ok, dgram, make(0x08, 101, 14), &h), DECAP_VNI_DENIED);
	cr_assert_eq(decap_datagram(&p, (struct sockaddr *)&ok, dgram, make(0x08, 250, 14), &h), DECAP_OK);
	cr_assert_eq(decap_datagram(&p, (struct sockaddr *)&ok, dgram, make(0x08, 299, 14), &h), DECAP_OK);
	cr_assert_eq(decap_datagram(&p, (struct sockaddr *)&ok, dgram, make(0x08, 300, 14), &h), DECAP_VNI_DENIED);
	decap_policy_finish(&p);
}

Test(decap, reserved_bits_are_accepted_and_reported)
{
	struct decap_policy p = { 0 };
	struct vxlan_hdr h;

	cr_assert_eq(decap_datagram(&p, NULL, dgram, make(0x0c, 5, 14), &h), DECAP_OK);
	cr_assert(h.reserved_set);
}

Test(decap, a_v4_mapped_sender_matches_an_ipv4_prefix)
{
	struct decap_policy p = { 0 };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	struct vxlan_hdr h;

	inet_pton(AF_INET6, "::ffff:10.9.8.7", &in6.sin6_addr);
	cr_assert(decap_policy_allow(&p, "10.9.0.0/16"));
	cr_assert_eq(decap_datagram(&p, (struct sockaddr *)&in6, dgram, make(0x08, 1, 14), &h), DECAP_OK);
	decap_policy_finish(&p);
}

Test(decap, a_bad_vni_list_changes_nothing)
{
	struct decap_policy p = { 0 };
	struct vxlan_hdr h;

	cr_assert_not(decap_policy_vnis(&p, "5,x"));
	cr_assert_not(decap_policy_vnis(&p, "9-3"));
	cr_assert_not(decap_policy_vnis(&p, "16777216"));
	cr_assert_not(decap_policy_vnis(&p, ""));
	cr_assert_null(p.vnis);
	cr_assert_eq(decap_datagram(&p, NULL, dgram, make(0x08, 77, 14), &h), DECAP_OK);
	cr_assert(decap_policy_vnis(&p, "7"));
	cr_assert_not(decap_policy_vnis(&p, "8,bad"));
	cr_assert_eq(decap_datagram(&p, NULL, dgram, make(0x08, 8, 14), &h), DECAP_VNI_DENIED);
	cr_assert_eq(decap_datagram(&p, NULL, dgram, make(0x08, 7, 14), &h), DECAP_OK);
	decap_policy_finish(&p);
}

Test(decap, verdict_names_are_distinct)
{
	for (int a = 0; a < DECAP__COUNT; a++) {
		for (int b = a + 1; b < DECAP__COUNT; b++) {
			cr_assert_str_neq(decap_strverdict(a), decap_strverdict(b));
		}
	}
}
