/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frame parser on hand-built frames: every layer it understands, the
 * fragment and extension header cases, and the error it must return for a
 * frame cut at any length or carrying a malformed header.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "shared/frame.h"

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_ESP_ 50
#define IPPROTO_AH_ 51
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_SCTP_ 132
#define IPPROTO_UDPLITE_ 136

#define IP_MF 0x2000
#define IP_DF 0x4000

#define TCP_SYN 0x02
#define TCP_ACK 0x10

/* A frame under construction. */
struct pkt {
	uint8_t b[2048];
	size_t len;
};

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t ip4_a[4] = { 192, 0, 2, 1 };
static const uint8_t ip4_b[4] = { 198, 51, 100, 2 };
static const uint8_t ip6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a };
static const uint8_t ip6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x0b };

static void
put(struct pkt *p, const void *d, size_t n)
{
	cr_assert_leq(p->len + n, sizeof(p->b), "test frame too long");
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

static void
put8(struct pkt *p, uint8_t v)
{
	put(p, &v, 1);
}

static void
put16(struct pkt *p, uint16_t v)
{
	put8(p, (uint8_t)(v >> 8));
	put8(p, (uint8_t)v);
}

static void
put32(struct pkt *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p, (uint16_t)v);
}

static void
zeros(struct pkt *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		put8(p, 0);
	}
}

static void
set16(struct pkt *p, size_t off, uint16_t v)
{
	p->b[off] = (uint8_t)(v >> 8);
	p->b[off + 1] = (uint8_t)v;
}

/* Ethernet header from mac_a to mac_b. */
static void
eth(struct pkt *p, uint16_t type)
{
	p->len = 0;
	put(p, mac_b, 6);
	put(p, mac_a, 6);
	put16(p, type);
}

static void
vlan_tag(struct pkt *p, uint16_t tci, uint16_t type)
{
	put16(p, tci);
	put16(p, type);
}

/* PPPoE session header and the PPP protocol field. */
static void
pppoe(struct pkt *p, uint16_t ppp_proto)
{
	put8(p, 0x11);      /* version 1, type 1 */
	put8(p, 0x00);      /* code: session data */
	put16(p, 0x1234);   /* session id */
	put16(p, 0);        /* length: not checked */
	put16(p, ppp_proto);
}

/*
 * IPv4 header from ip4_a to ip4_b with optlen bytes of options (a multiple
 * of 4). Returns its offset; ipv4_end() fills in the total length.
 */
static size_t
ipv4(struct pkt *p, uint8_t proto, uint16_t fragw, size_t optlen)
{
	size_t off = p->len;

	put8(p, (uint8_t)(0x40 | (20 + optlen) / 4));
	put8(p, 0);
	put16(p, 0);          /* total length, set by ipv4_end */
	put16(p, 0xbeef);     /* id */
	put16(p, fragw);
	put8(p, 64);
	put8(p, proto);
	put16(p, 0);          /* checksum: not checked */
	put(p, ip4_a, 4);
	put(p, ip4_b, 4);
	for (size_t i = 0; i < optlen; i++) {
		put8(p, 0x01); /* NOP */
	}
	return off;
}

static void
ipv4_end(struct pkt *p, size_t l3)
{
	set16(p, l3 + 2, (uint16_t)(p->len - l3));
}

/* IPv6 header from ip6_a to ip6_b; ipv6_end() fills in the payload length. */
static size_t
ipv6(struct pkt *p, uint8_t nh)
{
	size_t off = p->len;

	put32(p, 0x60000000);
	put16(p, 0);
	put8(p, nh);
	put8(p, 255);
	put(p, ip6_a, 16);
	put(p, ip6_b, 16);
	return off;
}

static void
ipv6_end(struct pkt *p, size_t l3)
{
	set16(p, l3 + 4, (uint16_t)(p->len - l3 - 40));
}

/* A generic extension header of total bytes (a multiple of 8). */
static void
ext6(struct pkt *p, uint8_t next, size_t total)
{
	put8(p, next);
	put8(p, (uint8_t)(total / 8 - 1));
	zeros(p, total - 2);
}

/* An authentication header of total bytes (a multiple of 4, >= 12). */
static void
ah6(struct pkt *p, uint8_t next, size_t total)
{
	put8(p, next);
	put8(p, (uint8_t)(total / 4 - 2));
	zeros(p, total - 2);
}

static void
frag6(struct pkt *p, uint8_t next, uint16_t offset8, bool more, uint32_t id)
{
	put8(p, next);
	put8(p, 0);
	put16(p, (uint16_t)(offset8 << 3 | (more ? 1 : 0)));
	put32(p, id);
}

/* TCP header with optlen bytes of options (a multiple of 4). */
static void
tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags,
    size_t optlen)
{
	put16(p, sport);
	put16(p, dport);
	put32(p, 1000); /* seq */
	put32(p, 0);    /* ack */
	put8(p, (uint8_t)(((20 + optlen) / 4) << 4));
	put8(p, flags);
	put16(p, 65535); /* window */
	put16(p, 0);     /* checksum */
	put16(p, 0);     /* urgent */
	for (size_t i = 0; i < optlen; i++) {
		put8(p, 0x01);
	}
}

static void
udp(struct pkt *p, uint16_t sport, uint16_t dport, size_t paylen)
{
	put16(p, sport);
	put16(p, dport);
	put16(p, (uint16_t)(8 + paylen));
	put16(p, 0);
}

static void
sctp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	put16(p, sport);
	put16(p, dport);
	put32(p, 0xcafe); /* verification tag */
	put32(p, 0);      /* checksum */
}

static void
icmp(struct pkt *p, uint8_t type, uint8_t code, uint16_t id)
{
	put8(p, type);
	put8(p, code);
	put16(p, 0);
	put16(p, id);
	put16(p, 1); /* sequence */
}

static void
payload(struct pkt *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		put8(p, (uint8_t)(0xa0 + i));
	}
}

/* Ethernet / IPv4 / TCP with paylen bytes of payload: 54 + paylen bytes. */
static void
ipv4_tcp_frame(struct pkt *p, size_t paylen)
{
	size_t l3;

	eth(p, ETHERTYPE_IPV4_);
	l3 = ipv4(p, IPPROTO_TCP_, IP_DF, 0);
	tcp(p, 40000, 443, TCP_SYN | TCP_ACK, 0);
	payload(p, paylen);
	ipv4_end(p, l3);
}

static enum frame_err
parse(const struct pkt *p, struct frame *f)
{
	return frame_parse(p->b, p->len, f);
}

static void
assert_ok(const struct pkt *p, struct frame *f)
{
	enum frame_err err = parse(p, f);

	cr_assert_eq(err, FRAME_OK, "got %s", frame_strerror(err));
}

static void
assert_err(const struct pkt *p, enum frame_err want)
{
	struct frame f;
	enum frame_err err = parse(p, &f);

	cr_assert_eq(err, want, "got %s, want %s", frame_strerror(err),
		     frame_strerror(want));
}

/* The error the frame cut to len bytes must give, given the layer bounds. */
struct cut_class {
	size_t below;       /* lengths < below ... */
	enum frame_err err; /* ... give this (FRAME_OK for the rest) */
};

/*
 * Parse every prefix of p. classes lists the first ranges in increasing
 * order; prefixes beyond the last range must parse OK with `truncated`
 * set, and the whole frame without it.
 */
static void
assert_every_cut(const struct pkt *p, const struct cut_class *classes,
		 size_t n)
{
	struct frame f;

	for (size_t len = 0; len <= p->len; len++) {
		enum frame_err want = FRAME_OK, err;

		for (size_t i = 0; i < n; i++) {
			if (len < classes[i].below) {
				want = classes[i].err;
				break;
			}
		}
		err = frame_parse(p->b, len, &f);
		cr_assert_eq(err, want, "cut at %zu of %zu: got %s, want %s",
			     len, p->len, frame_strerror(err),
			     frame_strerror(want));
		if (want == FRAME_OK) {
			cr_assert_eq(f.truncated, len < p->len,
				     "cut at %zu of %zu: truncated %d", len,
				     p->len, f.truncated);
		}
	}
}

Test(frame, ethernet_addresses_and_type)
{
	struct pkt p;
	struct frame f;

	ipv4_tcp_frame(&p, 0);
	assert_ok(&p, &f);
	cr_assert_arr_eq(f.dst_mac, mac_b, 6);
	cr_assert_arr_eq(f.src_mac, mac_a, 6);
	cr_assert_eq(f.ethertype, ETHERTYPE_IPV4_);
	cr_assert_eq(f.vlan_count, 0);
	cr_assert_not(f.pppoe);
}

Test(frame, ipv4_tcp_ports_flags_and_offsets)
{
	struct pkt p;
	struct frame f;

	ipv4_tcp_frame(&p, 10);
	assert_ok(&p, &f);
	cr_assert_eq(f.ip_version, 4);
	cr_assert_arr_eq(f.src_ip, ip4_a, 4);
	cr_assert_arr_eq(f.dst_ip, ip4_b, 4);
	cr_assert_eq(f.ttl, 64);
	cr_assert_eq(f.l4_proto, IPPROTO_TCP_);
	cr_assert_eq(f.l3_offset, 14);
	cr_assert_eq(f.l3_len, 50);
	cr_assert_not(f.fragment);
	cr_assert(f.has_ports);
	cr_assert_eq(f.src_port, 40000);
	cr_assert_eq(f.dst_port, 443);
	cr_assert_eq(f.tcp_flags, TCP_SYN | TCP_ACK);
	cr_assert_not(f.is_icmp);
	cr_assert_eq(f.l4_offset, 34);
	cr_assert_eq(f.payload_offset, 54);
	cr_assert_eq(f.payload_len, 10);
	cr_assert_not(f.truncated);
}

Test(frame, tcp_options_move_the_payload)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_TCP_, 0, 0);
	tcp(&p, 1, 2, TCP_ACK, 12);
	payload(&p, 5);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert_eq(f.l4_offset, 34);
	cr_assert_eq(f.payload_offset, 34 + 32);
	cr_assert_eq(f.payload_len, 5);
	cr_assert_not(f.truncated);
}

Test(frame, ipv4_udp_ports_and_payload)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_UDP_, 0, 0);
	udp(&p, 5353, 53, 30);
	payload(&p, 30);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert_eq(f.l4_proto, IPPROTO_UDP_);
	cr_assert(f.has_ports);
	cr_assert_eq(f.src_port, 5353);
	cr_assert_eq(f.dst_port, 53);
	cr_assert_eq(f.tcp_flags, 0);
	cr_assert_eq(f.l4_offset, 34);
	cr_assert_eq(f.payload_offset, 42);
	cr_assert_eq(f.payload_len, 30);
}

Test(frame, ipv4_udplite_has_ports)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_UDPLITE_, 0, 0);
	udp(&p, 1111, 2222, 4);
	payload(&p, 4);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert(f.has_ports);
	cr_assert_eq(f.src_port, 1111);
	cr_assert_eq(f.dst_port, 2222);
	cr_assert_eq(f.payload_offset, 42);
	cr_assert_eq(f.payload_len, 4);
}

Test(frame, ipv4_icmp_echo_id_and_payload)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_ICMP_, 0, 0);
	icmp(&p, 8, 0, 0x4242);
	payload(&p, 56);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert_eq(f.l4_proto, IPPROTO_ICMP_);
	cr_assert(f.is_icmp);
	cr_assert_not(f.has_ports);
	cr_assert_eq(f.icmp_type, 8);
	cr_assert_eq(f.icmp_code, 0);
	cr_assert_eq(f.icmp_id, 0x4242);
	cr_assert_eq(f.l4_offset, 34);
	cr_assert_eq(f.payload_offset, 42);
	cr_assert_eq(f.payload_len, 56);
}

Test(frame, ipv4_sctp_ports_and_payload)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_SCTP_, 0, 0);
	sctp(&p, 2905, 3868);
	payload(&p, 16);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert_eq(f.l4_proto, IPPROTO_SCTP_);
	cr_assert(f.has_ports);
	cr_assert_eq(f.src_port, 2905);
	cr_assert_eq(f.dst_port, 3868);
	cr_assert_eq(f.l4_offset, 34);
	cr_assert_eq(f.payload_offset, 46);
	cr_assert_eq(f.payload_len, 16);
}

Test(frame, ipv4_unknown_protocol_has_no_l4)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_ESP_, 0, 0);
	payload(&p, 32);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert_eq(f.ip_version, 4);
	cr_assert_eq(f.l4_proto, IPPROTO_ESP_);
	cr_assert_not(f.has_ports);
	cr_assert_not(f.is_icmp);
	cr_assert_eq(f.l4_offset, 0);
}

Test(frame, arp_is_ok_without_ip)
{
	struct pkt p;
	struct frame f;

	eth(&p, ETHERTYPE_ARP_);
	put16(&p, 1);      /* hardware: Ethernet */
	put16(&p, 0x0800); /* protocol: IPv4 */
	put8(&p, 6);
	put8(&p, 4);
	put16(&p, 1);      /* request */
	put(&p, mac_a, 6);
	put(&p, ip4_a, 4);
	zeros(&p, 6);
	put(&p, ip4_b, 4);
	assert_ok(&p, &f);
	cr_assert_eq(f.ethertype, ETHERTYPE_ARP_);
	cr_assert_eq(f.ip_version, 0);
	cr_assert_not(f.has_ports);
	cr_assert_eq(f.l4_offset, 0);
	cr_assert_not(f.truncated);
}

Test(frame, single_vlan_tag)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_VLAN_);
	vlan_tag(&p, 0xe000 | 100, ETHERTYPE_IPV4_); /* priority bits set */
	l3 = ipv4(&p, IPPROTO_UDP_, 0, 0);
	udp(&p, 1000, 2000, 0);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert_eq(f.vlan_count, 1);
	cr_assert_eq(f.vlan_id[0], 100);
	cr_assert_eq(f.ethertype, ETHERTYPE_IPV4_);
	cr_assert_eq(f.l3_offset, 18);
	cr_assert_eq(f.l4_offset, 38);
	cr_assert_eq(f.src_port, 1000);
}

Test(frame, qinq_tags_outermost_first)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_QINQ_);
	vlan_tag(&p, 10, ETHERTYPE_VLAN_);
	vlan_tag(&p, 4094, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_TCP_, 0, 0);
	tcp(&p, 22, 50000, TCP_ACK, 0);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert_eq(f.vlan_count, 2);
	cr_assert_eq(f.vlan_id[0], 10);
	cr_assert_eq(f.vlan_id[1], 4094);
	cr_assert_eq(f.ethertype, ETHERTYPE_IPV4_);
	cr_assert_eq(f.l3_offset, 22);
	cr_assert_eq(f.src_port, 22);
	cr_assert_eq(f.dst_port, 50000);
}

Test(frame, old_qinq_type_is_a_tag)
{
	struct pkt p;
	struct frame f;

	eth(&p, ETHERTYPE_QINQ_OLD_);
	vlan_tag(&p, 7, ETHERTYPE_ARP_);
	zeros(&p, 28);
	assert_ok(&p, &f);
	cr_assert_eq(f.vlan_count, 1);
	cr_assert_eq(f.vlan_id[0], 7);
	cr_assert_eq(f.ethertype, ETHERTYPE_ARP_);
}

Test(frame, vlan_max_tags_are_accepted)
{
	struct pkt p;
	struct frame f;

	eth(&p, ETHERTYPE_QINQ_);
	for (int i = 0; i < FRAME_VLAN_MAX; i++) {
		vlan_tag(&p, (uint16_t)(i + 1),
			 i + 1 < FRAME_VLAN_MAX ? ETHERTYPE_VLAN_
						: ETHERTYPE_ARP_);
	}
	zeros(&p, 28);
	assert_ok(&p, &f);
	cr_assert_eq(f.vlan_count, FRAME_VLAN_MAX);
	for (int i = 0; i < FRAME_VLAN_MAX; i++) {
		cr_assert_eq(f.vlan_id[i], i + 1);
	}
}

Test(frame, too_many_vlan_tags_are_refused)
{
	struct pkt p;
	struct frame f;

	eth(&p, ETHERTYPE_QINQ_);
	for (int i = 0; i < FRAME_VLAN_MAX + 1; i++) {
		vlan_tag(&p, (uint16_t)(i + 1),
			 i < FRAME_VLAN_MAX ? ETHERTYPE_VLAN_
					    : ETHERTYPE_IPV4_);
	}
	zeros(&p, 40);
	cr_assert_eq(parse(&p, &f), FRAME_ERR_VLAN_DEPTH);
	cr_assert_eq(f.vlan_count, FRAME_VLAN_MAX);
}

Test(frame, vlan_tag_cut_short)
{
	struct pkt p;

	eth(&p, ETHERTYPE_VLAN_);
	put16(&p, 100);
	put8(&p, 0x08);
	assert_err(&p, FRAME_ERR_SHORT_VLAN);
	p.len = 14;
	assert_err(&p, FRAME_ERR_SHORT_VLAN);
}

Test(frame, pppoe_session_with_ipv4)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_PPPOE_);
	pppoe(&p, 0x0021);
	l3 = ipv4(&p, IPPROTO_UDP_, 0, 0);
	udp(&p, 68, 67, 3);
	payload(&p, 3);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert(f.pppoe);
	cr_assert_eq(f.ethertype, ETHERTYPE_IPV4_);
	cr_assert_eq(f.ip_version, 4);
	cr_assert_eq(f.l3_offset, 22);
	cr_assert_eq(f.src_port, 68);
	cr_assert_eq(f.dst_port, 67);
	cr_assert_eq(f.payload_len, 3);
}

Test(frame, pppoe_session_with_ipv6)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_PPPOE_);
	pppoe(&p, 0x0057);
	l3 = ipv6(&p, IPPROTO_TCP_);
	tcp(&p, 3000, 80, TCP_SYN, 0);
	ipv6_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert(f.pppoe);
	cr_assert_eq(f.ethertype, ETHERTYPE_IPV6_);
	cr_assert_eq(f.ip_version, 6);
	cr_assert_arr_eq(f.src_ip, ip6_a, 16);
	cr_assert_eq(f.l3_offset, 22);
	cr_assert_eq(f.l4_offset, 62);
	cr_assert_eq(f.src_port, 3000);
	cr_assert_eq(f.tcp_flags, TCP_SYN);
}

Test(frame, pppoe_control_protocol_is_ok_without_ip)
{
	struct pkt p;
	struct frame f;

	eth(&p, ETHERTYPE_PPPOE_);
	pppoe(&p, 0xc021); /* LCP */
	zeros(&p, 10);
	assert_ok(&p, &f);
	cr_assert(f.pppoe);
	cr_assert_eq(f.ip_version, 0);
}

Test(frame, pppoe_header_cut_short)
{
	struct pkt p;

	eth(&p, ETHERTYPE_PPPOE_);
	pppoe(&p, 0x0021);
	for (size_t len = 14; len < 22; len++) {
		p.len = len;
		assert_err(&p, FRAME_ERR_SHORT_PPPOE);
	}
}

Test(frame, ipv4_options_move_the_l4_header)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_UDP_, 0, 12);
	udp(&p, 7, 9, 0);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert_eq(f.l4_offset, 14 + 32);
	cr_assert_eq(f.src_port, 7);
	cr_assert_eq(f.dst_port, 9);
	cr_assert_eq(f.payload_offset, 14 + 40);
	cr_assert_eq(f.payload_len, 0);
}

Test(frame, ipv4_maximum_options)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_TCP_, 0, 40); /* IHL 15 */
	tcp(&p, 1, 2, 0, 0);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert_eq(f.l4_offset, 14 + 60);
	cr_assert_eq(f.src_port, 1);
}

Test(frame, ipv4_first_fragment_has_ports)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_UDP_, IP_MF, 0);
	udp(&p, 4000, 4789, 1472);
	payload(&p, 64);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert(f.fragment);
	cr_assert(f.first_fragment);
	cr_assert_eq(f.frag_id, 0xbeef);
	cr_assert(f.has_ports);
	cr_assert_eq(f.src_port, 4000);
	cr_assert_eq(f.dst_port, 4789);
	cr_assert_eq(f.payload_len, 64);
}

Test(frame, ipv4_later_fragment_has_no_ports)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_UDP_, IP_MF | 185, 0);
	udp(&p, 4000, 4789, 0); /* looks like a UDP header, must be ignored */
	payload(&p, 64);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert(f.fragment);
	cr_assert_not(f.first_fragment);
	cr_assert_eq(f.frag_id, 0xbeef);
	cr_assert_eq(f.l4_proto, IPPROTO_UDP_);
	cr_assert_not(f.has_ports);
	cr_assert_eq(f.src_port, 0);
	cr_assert_eq(f.l4_offset, 0);
}

Test(frame, ipv4_last_fragment_is_a_fragment)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_TCP_, 370, 0); /* MF clear, offset set */
	payload(&p, 20);
	ipv4_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert(f.fragment);
	cr_assert_not(f.first_fragment);
	cr_assert_not(f.has_ports);
}

Test(frame, ipv4_dont_fragment_is_not_a_fragment)
{
	struct pkt p;
	struct frame f;

	ipv4_tcp_frame(&p, 0);
	assert_ok(&p, &f);
	cr_assert_not(f.fragment);
	cr_assert_not(f.first_fragment);
}

Test(frame, ipv4_ethernet_padding_is_not_payload)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	/* a 42-byte frame padded to the 60-byte Ethernet minimum */
	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_UDP_, 0, 0);
	udp(&p, 1, 2, 0);
	ipv4_end(&p, l3);
	zeros(&p, 60 - p.len);
	assert_ok(&p, &f);
	cr_assert_eq(f.l3_len, 28);
	cr_assert_eq(f.payload_offset, 42);
	cr_assert_eq(f.payload_len, 0);
	cr_assert_not(f.truncated);
}

Test(frame, ipv4_tcp_padding_is_not_payload)
{
	struct pkt p;
	struct frame f;

	ipv4_tcp_frame(&p, 2);
	zeros(&p, 6);
	assert_ok(&p, &f);
	cr_assert_eq(f.payload_len, 2);
	cr_assert_not(f.truncated);
}

Test(frame, ipv4_total_length_beyond_capture_sets_truncated)
{
	struct pkt p;
	struct frame f;

	ipv4_tcp_frame(&p, 1400);
	p.len = 54 + 100; /* snap length */
	assert_ok(&p, &f);
	cr_assert(f.truncated);
	cr_assert_eq(f.l3_len, 1440);
	cr_assert_eq(f.payload_len, 1400);
	cr_assert_eq(f.src_port, 40000);
}

Test(frame, ipv4_tcp_cut_at_every_length)
{
	static const struct cut_class classes[] = {
		{ 14, FRAME_ERR_SHORT_ETH },
		{ 34, FRAME_ERR_SHORT_IPV4 },
		{ 54, FRAME_ERR_SHORT_L4 },
	};
	struct pkt p;

	ipv4_tcp_frame(&p, 20);
	assert_every_cut(&p, classes, 3);
}

Test(frame, ipv4_udp_cut_at_every_length)
{
	static const struct cut_class classes[] = {
		{ 14, FRAME_ERR_SHORT_ETH },
		{ 34, FRAME_ERR_SHORT_IPV4 },
		{ 42, FRAME_ERR_SHORT_L4 },
	};
	struct pkt p;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_UDP_, 0, 0);
	udp(&p, 1, 2, 9);
	payload(&p, 9);
	ipv4_end(&p, l3);
	assert_every_cut(&p, classes, 3);
}

Test(frame, ipv4_icmp_cut_at_every_length)
{
	static const struct cut_class classes[] = {
		{ 14, FRAME_ERR_SHORT_ETH },
		{ 34, FRAME_ERR_SHORT_IPV4 },
		{ 42, FRAME_ERR_SHORT_L4 },
	};
	struct pkt p;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_ICMP_, 0, 0);
	icmp(&p, 0, 0, 7);
	payload(&p, 8);
	ipv4_end(&p, l3);
	assert_every_cut(&p, classes, 3);
}

Test(frame, ipv4_sctp_cut_at_every_length)
{
	static const struct cut_class classes[] = {
		{ 14, FRAME_ERR_SHORT_ETH },
		{ 34, FRAME_ERR_SHORT_IPV4 },
		{ 46, FRAME_ERR_SHORT_L4 },
	};
	struct pkt p;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_SCTP_, 0, 0);
	sctp(&p, 1, 2);
	payload(&p, 4);
	ipv4_end(&p, l3);
	assert_every_cut(&p, classes, 3);
}

Test(frame, ipv4_options_cut_at_every_length)
{
	static const struct cut_class classes[] = {
		{ 14, FRAME_ERR_SHORT_ETH },
		{ 34, FRAME_ERR_SHORT_IPV4 },
		{ 42, FRAME_ERR_IPV4_HEADER }, /* IHL beyond the data */
		{ 50, FRAME_ERR_SHORT_L4 },
	};
	struct pkt p;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_UDP_, 0, 8);
	udp(&p, 1, 2, 4);
	payload(&p, 4);
	ipv4_end(&p, l3);
	assert_every_cut(&p, classes, 4);
}

Test(frame, tcp_options_cut_sets_truncated)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_TCP_, 0, 0);
	tcp(&p, 1, 2, TCP_SYN, 20);
	ipv4_end(&p, l3);
	for (size_t len = 54; len < p.len; len++) {
		cr_assert_eq(frame_parse(p.b, len, &f), FRAME_OK, "cut at %zu",
			     len);
		cr_assert(f.truncated, "cut at %zu", len);
		cr_assert_eq(f.payload_offset, 74);
	}
}

Test(frame, vlan_pppoe_ipv4_cut_at_every_length)
{
	static const struct cut_class classes[] = {
		{ 14, FRAME_ERR_SHORT_ETH },
		{ 22, FRAME_ERR_SHORT_VLAN },
		{ 30, FRAME_ERR_SHORT_PPPOE },
		{ 50, FRAME_ERR_SHORT_IPV4 },
		{ 58, FRAME_ERR_SHORT_L4 },
	};
	struct pkt p;
	size_t l3;

	eth(&p, ETHERTYPE_QINQ_);
	vlan_tag(&p, 1, ETHERTYPE_VLAN_);
	vlan_tag(&p, 2, ETHERTYPE_PPPOE_);
	pppoe(&p, 0x0021);
	l3 = ipv4(&p, IPPROTO_UDP_, 0, 0);
	udp(&p, 1, 2, 6);
	payload(&p, 6);
	ipv4_end(&p, l3);
	assert_every_cut(&p, classes, 5);
}

Test(frame, ipv4_bad_version_is_refused)
{
	struct pkt p;

	ipv4_tcp_frame(&p, 0);
	p.b[14] = 0x65;
	assert_err(&p, FRAME_ERR_IPV4_HEADER);
	p.b[14] = 0x05;
	assert_err(&p, FRAME_ERR_IPV4_HEADER);
}

Test(frame, ipv4_ihl_below_5_is_refused)
{
	struct pkt p;

	ipv4_tcp_frame(&p, 0);
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		p.b[14] = (uint8_t)(0x40 | ihl);
		assert_err(&p, FRAME_ERR_IPV4_HEADER);
	}
}

Test(frame, ipv4_total_length_below_ihl_is_refused)
{
	struct pkt p;
	size_t l3;

	ipv4_tcp_frame(&p, 0);
	set16(&p, 14 + 2, 19);
	assert_err(&p, FRAME_ERR_IPV4_LENGTH);
	set16(&p, 14 + 2, 0);
	assert_err(&p, FRAME_ERR_IPV4_LENGTH);

	eth(&p, ETHERTYPE_IPV4_);
	l3 = ipv4(&p, IPPROTO_UDP_, 0, 8);
	udp(&p, 1, 2, 0);
	ipv4_end(&p, l3);
	set16(&p, l3 + 2, 24); /* above 20 but below the 28-byte header */
	assert_err(&p, FRAME_ERR_IPV4_LENGTH);
}

Test(frame, ipv4_total_length_below_l4_header_is_short_l4)
{
	struct pkt p;

	ipv4_tcp_frame(&p, 0);
	zeros(&p, 20);          /* bytes there, but outside the datagram */
	set16(&p, 14 + 2, 30);  /* only 10 bytes of TCP inside it */
	assert_err(&p, FRAME_ERR_SHORT_L4);
}

Test(frame, tcp_data_offset_below_5_is_refused)
{
	struct pkt p;

	for (uint8_t doff = 0; doff < 5; doff++) {
		ipv4_tcp_frame(&p, 0);
		p.b[34 + 12] = (uint8_t)(doff << 4);
		assert_err(&p, FRAME_ERR_TCP_OFFSET);
	}
}

Test(frame, ipv6_tcp_addresses_and_ports)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_TCP_);
	tcp(&p, 50000, 22, TCP_SYN, 0);
	payload(&p, 7);
	ipv6_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert_eq(f.ip_version, 6);
	cr_assert_arr_eq(f.src_ip, ip6_a, 16);
	cr_assert_arr_eq(f.dst_ip, ip6_b, 16);
	cr_assert_eq(f.ttl, 255);
	cr_assert_eq(f.l3_offset, 14);
	cr_assert_eq(f.l3_len, 40 + 27);
	cr_assert_eq(f.l4_proto, IPPROTO_TCP_);
	cr_assert_eq(f.l4_offset, 54);
	cr_assert_eq(f.src_port, 50000);
	cr_assert_eq(f.dst_port, 22);
	cr_assert_eq(f.payload_offset, 74);
	cr_assert_eq(f.payload_len, 7);
	cr_assert_not(f.fragment);
	cr_assert_not(f.truncated);
}

Test(frame, ipv6_icmpv6_echo)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_ICMPV6_);
	icmp(&p, 128, 0, 0x0102);
	payload(&p, 4);
	ipv6_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert(f.is_icmp);
	cr_assert_eq(f.icmp_type, 128);
	cr_assert_eq(f.icmp_id, 0x0102);
	cr_assert_eq(f.payload_offset, 62);
	cr_assert_eq(f.payload_len, 4);
}

Test(frame, ipv6_ethernet_padding_is_not_payload)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_UDP_);
	udp(&p, 1, 2, 2);
	payload(&p, 2);
	ipv6_end(&p, l3);
	zeros(&p, 10);
	assert_ok(&p, &f);
	cr_assert_eq(f.payload_len, 2);
	cr_assert_not(f.truncated);
}

Test(frame, ipv6_extension_chain_to_tcp)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_HOPOPTS_);
	ext6(&p, IPPROTO_ROUTING_, 8);
	ext6(&p, IPPROTO_DSTOPTS_, 24);
	ext6(&p, IPPROTO_TCP_, 16);
	tcp(&p, 8080, 1234, TCP_ACK, 0);
	payload(&p, 3);
	ipv6_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert_eq(f.l4_proto, IPPROTO_TCP_);
	cr_assert_eq(f.l4_offset, 54 + 48);
	cr_assert_eq(f.src_port, 8080);
	cr_assert_eq(f.dst_port, 1234);
	cr_assert_eq(f.payload_offset, 54 + 48 + 20);
	cr_assert_eq(f.payload_len, 3);
	cr_assert_not(f.fragment);
}

Test(frame, ipv6_extension_chain_cut_at_every_length)
{
	static const struct cut_class classes[] = {
		{ 14, FRAME_ERR_SHORT_ETH },
		{ 54, FRAME_ERR_SHORT_IPV6 },
		{ 102, FRAME_ERR_IPV6_EXT },
		{ 122, FRAME_ERR_SHORT_L4 },
	};
	struct pkt p;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_HOPOPTS_);
	ext6(&p, IPPROTO_ROUTING_, 8);
	ext6(&p, IPPROTO_DSTOPTS_, 24);
	ext6(&p, IPPROTO_TCP_, 16);
	tcp(&p, 8080, 1234, TCP_ACK, 0);
	payload(&p, 10);
	ipv6_end(&p, l3);
	assert_every_cut(&p, classes, 4);
}

Test(frame, ipv6_first_fragment_has_ports)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_FRAGMENT_);
	frag6(&p, IPPROTO_UDP_, 0, true, 0xdeadbeef);
	udp(&p, 9999, 4789, 100);
	payload(&p, 16);
	ipv6_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert(f.fragment);
	cr_assert(f.first_fragment);
	cr_assert_eq(f.frag_id, 0xdeadbeef);
	cr_assert_eq(f.l4_proto, IPPROTO_UDP_);
	cr_assert(f.has_ports);
	cr_assert_eq(f.src_port, 9999);
	cr_assert_eq(f.l4_offset, 62);
}

Test(frame, ipv6_later_fragment_has_no_ports)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_HOPOPTS_);
	ext6(&p, IPPROTO_FRAGMENT_, 8);
	frag6(&p, IPPROTO_UDP_, 1000, false, 0xdeadbeef);
	udp(&p, 9999, 4789, 0); /* looks like a UDP header, must be ignored */
	payload(&p, 16);
	ipv6_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert(f.fragment);
	cr_assert_not(f.first_fragment);
	cr_assert_eq(f.frag_id, 0xdeadbeef);
	cr_assert_eq(f.l4_proto, IPPROTO_UDP_);
	cr_assert_not(f.has_ports);
	cr_assert_eq(f.l4_offset, 0);
}

Test(frame, ipv6_ah_length_counts_4_byte_units)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	/* 20 bytes: length field 3; an 8-byte reading would give 32 */
	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_AH_);
	ah6(&p, IPPROTO_TCP_, 20);
	tcp(&p, 5001, 5002, TCP_SYN, 0);
	payload(&p, 12);
	ipv6_end(&p, l3);
	cr_assert_eq(p.b[55], 3);
	assert_ok(&p, &f);
	cr_assert_eq(f.l4_proto, IPPROTO_TCP_);
	cr_assert_eq(f.l4_offset, 54 + 20);
	cr_assert_eq(f.src_port, 5001);
	cr_assert_eq(f.dst_port, 5002);
	cr_assert_eq(f.payload_len, 12);
}

Test(frame, ipv6_chain_of_the_maximum_length_is_followed)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_DSTOPTS_);
	for (int i = 0; i < FRAME_IPV6_EXT_MAX; i++) {
		ext6(&p, i + 1 < FRAME_IPV6_EXT_MAX ? IPPROTO_DSTOPTS_
						    : IPPROTO_UDP_,
		     8);
	}
	udp(&p, 1, 2, 0);
	ipv6_end(&p, l3);
	assert_ok(&p, &f);
	cr_assert_eq(f.l4_offset, 54 + 8 * FRAME_IPV6_EXT_MAX);
	cr_assert_eq(f.src_port, 1);
}

Test(frame, ipv6_chain_longer_than_the_maximum_is_refused)
{
	struct pkt p;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_DSTOPTS_);
	for (int i = 0; i < FRAME_IPV6_EXT_MAX + 1; i++) {
		ext6(&p, i < FRAME_IPV6_EXT_MAX ? IPPROTO_DSTOPTS_
						: IPPROTO_UDP_,
		     8);
	}
	udp(&p, 1, 2, 0);
	ipv6_end(&p, l3);
	assert_err(&p, FRAME_ERR_IPV6_EXT);
}

Test(frame, ipv6_extension_beyond_payload_length_is_refused)
{
	struct pkt p;
	size_t l3;

	/* the bytes are captured, but the payload length ends inside it */
	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_HOPOPTS_);
	ext6(&p, IPPROTO_UDP_, 16);
	udp(&p, 1, 2, 0);
	set16(&p, l3 + 4, 8);
	assert_err(&p, FRAME_ERR_IPV6_EXT);
}

Test(frame, ipv6_payload_length_beyond_capture_sets_truncated)
{
	struct pkt p;
	struct frame f;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_UDP_);
	udp(&p, 1, 2, 1000);
	ipv6_end(&p, l3);
	set16(&p, l3 + 4, 1008);
	assert_ok(&p, &f);
	cr_assert(f.truncated);
	cr_assert_eq(f.l3_len, 1048);
	cr_assert_eq(f.payload_len, 1000);
}

Test(frame, ipv6_wrong_version_is_refused)
{
	struct pkt p;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_UDP_);
	udp(&p, 1, 2, 0);
	ipv6_end(&p, l3);
	p.b[l3] = 0x40;
	assert_err(&p, FRAME_ERR_IPV6_HEADER);
	p.b[l3] = 0x00;
	assert_err(&p, FRAME_ERR_IPV6_HEADER);
}

Test(frame, ipv6_tcp_cut_at_every_length)
{
	static const struct cut_class classes[] = {
		{ 14, FRAME_ERR_SHORT_ETH },
		{ 54, FRAME_ERR_SHORT_IPV6 },
		{ 74, FRAME_ERR_SHORT_L4 },
	};
	struct pkt p;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_TCP_);
	tcp(&p, 1, 2, TCP_SYN, 0);
	payload(&p, 20);
	ipv6_end(&p, l3);
	assert_every_cut(&p, classes, 3);
}

Test(frame, ipv6_fragment_header_cut_at_every_length)
{
	static const struct cut_class classes[] = {
		{ 14, FRAME_ERR_SHORT_ETH },
		{ 54, FRAME_ERR_SHORT_IPV6 },
		{ 62, FRAME_ERR_IPV6_EXT },
		{ 70, FRAME_ERR_SHORT_L4 },
	};
	struct pkt p;
	size_t l3;

	eth(&p, ETHERTYPE_IPV6_);
	l3 = ipv6(&p, IPPROTO_FRAGMENT_);
	frag6(&p, IPPROTO_UDP_, 0, true, 1);
	udp(&p, 1, 2, 8);
	payload(&p, 8);
	ipv6_end(&p, l3);
	assert_every_cut(&p, classes, 4);
}

Test(frame, mutated_frames_never_break_the_offsets)
{
	/* flip bytes of valid frames: whatever the verdict, offsets stay sane */
	struct pkt base[3], p;
	struct frame f;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t l3;

	ipv4_tcp_frame(&base[0], 16);
	eth(&base[1], ETHERTYPE_VLAN_);
	vlan_tag(&base[1], 5, ETHERTYPE_IPV6_);
	l3 = ipv6(&base[1], IPPROTO_HOPOPTS_);
	ext6(&base[1], IPPROTO_FRAGMENT_, 16);
	frag6(&base[1], IPPROTO_TCP_, 0, true, 9);
	tcp(&base[1], 1, 2, 0, 8);
	payload(&base[1], 8);
	ipv6_end(&base[1], l3);
	eth(&base[2], ETHERTYPE_PPPOE_);
	pppoe(&base[2], 0x0021);
	l3 = ipv4(&base[2], IPPROTO_SCTP_, 0, 4);
	sctp(&base[2], 1, 2);
	ipv4_end(&base[2], l3);

	for (int i = 0; i < 30000; i++) {
		p = base[i % 3];
		for (int k = 0; k < 3; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p.b[(x >> 8) % p.len] = (uint8_t)x;
		}
		if (frame_parse(p.b, p.len, &f) != FRAME_OK) {
			continue;
		}
		cr_assert_leq(f.l3_offset, p.len);
		cr_assert_leq(f.vlan_count, FRAME_VLAN_MAX);
		if (f.has_ports || f.is_icmp) {
			cr_assert_leq(f.l4_offset + 4, p.len, "iteration %d", i);
			cr_assert_gt(f.payload_offset, f.l4_offset);
		}
	}
}

Test(frame, strerror_names_every_value_distinctly)
{
	const char *names[FRAME_ERR__COUNT];

	for (int i = 0; i < FRAME_ERR__COUNT; i++) {
		names[i] = frame_strerror((enum frame_err)i);
		cr_assert_not_null(names[i], "value %d", i);
		cr_assert_neq(names[i][0], '\0', "value %d", i);
		cr_assert_str_neq(names[i], "unknown", "value %d", i);
		for (int j = 0; j < i; j++) {
			cr_assert_str_neq(names[i], names[j], "values %d and %d",
					  i, j);
		}
	}
	cr_assert_str_eq(frame_strerror(FRAME_OK), "ok");
	cr_assert_str_eq(frame_strerror(FRAME_ERR_SHORT_IPV4), "short-ipv4");
	cr_assert_str_eq(frame_strerror(FRAME_ERR__COUNT), "unknown");
}

Test(frame, sixin4_reports_the_inner_ipv6_packet)
{
	struct pkt p;
	struct frame f;
	size_t l3o, l3i;

	eth(&p, ETHERTYPE_IPV4_);
	l3o = ipv4(&p, 41, 0, 0);
	l3i = ipv6(&p, 17);
	udp(&p, 5353, 53, 4);
	ipv6_end(&p, l3i);
	ipv4_end(&p, l3o);
	cr_assert_eq(frame_parse(p.b, p.len, &f), FRAME_OK);
	cr_assert(f.tunnel_6in4);
	cr_assert_eq(f.ip_version, 6);
	cr_assert_eq(f.l3_offset, l3i);
	cr_assert_arr_eq(f.src_ip, ip6_a, 16);
	cr_assert_eq(f.l4_proto, 17);
	cr_assert(f.has_ports);
	cr_assert_eq(f.src_port, 5353);
	cr_assert_eq(f.dst_port, 53);
}

Test(frame, sixin4_with_a_broken_inner_header_stays_ipv4)
{
	struct pkt p;
	struct frame f;
	size_t l3o;

	eth(&p, ETHERTYPE_IPV4_);
	l3o = ipv4(&p, 41, 0, 0);
	zeros(&p, 10); /* not an IPv6 header */
	ipv4_end(&p, l3o);
	cr_assert_eq(frame_parse(p.b, p.len, &f), FRAME_OK);
	cr_assert_not(f.tunnel_6in4);
	cr_assert_eq(f.ip_version, 4);
	cr_assert_eq(f.l4_proto, 41);
	cr_assert_not(f.has_ports);
}
