/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bidirectional flow key: both directions of a flow give one key, hash
 * and outer source port; distinct flows spread; fragments, ICMP echo and
 * non-IP frames are keyed as flowkey.h documents. Frames are built by hand
 * and go through frame_parse, as they do in the daemons.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "shared/flowkey.h"

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_ICMPV6_ 58

#define NFLOWS 10000
#define SPORT_MIN 49152u

/* One direction of a conversation, as the frame builder takes it. */
struct flow {
	uint8_t family;      /* 4 or 6 */
	uint8_t proto;       /* TCP, UDP, ICMP or ICMPv6 */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;      /* the echo identifier for ICMP */
	uint16_t dport;      /* the echo type for ICMP */
	uint16_t fragw;      /* IPv4 flags/offset word or IPv6 offset|M */
	bool frag6;          /* IPv6: put a fragment header first */
};

struct pkt {
	uint8_t b[256];
	size_t len;
};

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

/* splitmix64: a fixed-seed generator, so every run sees the same flows. */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
put(struct pkt *p, const void *d, size_t n)
{
	cr_assert_leq(p->len + n, sizeof(p->b));
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

/* The frame of fl; reverse swaps its endpoints (MACs included). */
static void
build(const struct flow *fl, bool reverse, struct pkt *p)
{
	const uint8_t *src = reverse ? fl->dst : fl->src;
	const uint8_t *dst = reverse ? fl->src : fl->dst;
	uint16_t sport = reverse ? fl->dport : fl->sport;
	uint16_t dport = reverse ? fl->sport : fl->dport;
	size_t l3, alen = fl->family == 4 ? 4 : 16;
	uint8_t proto = fl->proto;

	p->len = 0;
	put(p, reverse ? mac_a : mac_b, 6);
	put(p, reverse ? mac_b : mac_a, 6);
	put16(p, fl->family == 4 ? ETHERTYPE_IPV4_ : ETHERTYPE_IPV6_);
	l3 = p->len;
	if (fl->family == 4) {
		put8(p, 0x45);
		put8(p, 0);
		put16(p, 0); /* total length, below */
		put16(p, 0x1234);
		put16(p, fl->fragw);
		put8(p, 64);
		put8(p, proto);
		put16(p, 0);
	} else {
		put32(p, 0x60000000);
		put16(p, 0); /* payload length, below */
		put8(p, fl->frag6 ? IPPROTO_FRAGMENT_ : proto);
		put8(p, 64);
	}
	put(p, src, alen);
	put(p, dst, alen);
	if (fl->family == 6 && fl->frag6) {
		put8(p, proto);
		put8(p, 0);
		put16(p, fl->fragw);
		put32(p, 0x1234);
	}
	switch (proto) {
	case IPPROTO_TCP_:
		put16(p, sport);
		put16(p, dport);
		put32(p, 1);
		put32(p, 0);
		put16(p, 0x5010);
		put16(p, 1024);
		put32(p, 0);
		break;
	case IPPROTO_UDP_:
		put16(p, sport);
		put16(p, dport);
		put16(p, 8);
		put16(p, 0);
		break;
	default: /* ICMP echo: fl->dport is the type, fl->sport the id */
		put8(p, (uint8_t)fl->dport);
		put8(p, 0);
		put16(p, 0);
		put16(p, fl->sport);
		put16(p, 1);
		break;
	}
	if (fl->family == 4) {
		p->b[l3 + 2] = (uint8_t)((p->len - l3) >> 8);
		p->b[l3 + 3] = (uint8_t)(p->len - l3);
	} else {
		p->b[l3 + 5] = (uint8_t)(p->len - l3 - 40);
	}
}

/* Parse the frame of fl (or its mirror) and key it. */
static void
key_of(const struct flow *fl, bool reverse, uint32_t vni, struct flowkey *k,
       bool *src_is_lo)
{
	struct pkt p;
	struct frame f;
	enum frame_err err;

	build(fl, reverse, &p);
	err = frame_parse(p.b, p.len, &f);
	cr_assert_eq(err, FRAME_OK, "test frame refused: %s",
		     frame_strerror(err));
	flowkey_from_frame(&f, vni, k, src_is_lo);
}

static void
random_flow(uint64_t *s, struct flow *fl)
{
	uint64_t r = rnd(s);

	memset(fl, 0, sizeof(*fl));
	fl->family = r & 1 ? 6 : 4;
	fl->proto = r & 2 ? IPPROTO_TCP_ : IPPROTO_UDP_;
	do {
		for (size_t i = 0; i < 16; i += 8) {
			uint64_t a = rnd(s), b = rnd(s);

			memcpy(fl->src + i, &a, 8);
			memcpy(fl->dst + i, &b, 8);
		}
		if (fl->family == 4) {
			memset(fl->src + 4, 0, 12);
			memset(fl->dst + 4, 0, 12);
		}
		/* an equal address on both sides is tested on purpose below */
	} while (memcmp(fl->src, fl->dst, 16) == 0);
	fl->sport = (uint16_t)(1 + (r >> 16) % 65535);
	fl->dport = (uint16_t)(1 + (r >> 32) % 65535);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

Test(flowkey, both_directions_give_equal_keys)
{
	uint64_t s = 1;
	struct flow fl;
	struct flowkey ka, kb;
	bool lo_a, lo_b;

	for (int i = 0; i < NFLOWS; i++) {
		random_flow(&s, &fl);
		key_of(&fl, false, 42, &ka, &lo_a);
		key_of(&fl, true, 42, &kb, &lo_b);
		cr_assert(flowkey_equal(&ka, &kb), "flow %d (IPv%u, proto %u)",
			  i, fl.family, fl.proto);
		cr_assert_neq(lo_a, lo_b, "flow %d: src_is_lo not opposite", i);
	}
}

Test(flowkey, both_directions_give_equal_hashes_and_source_ports)
{
	uint64_t s = 2;
	struct flow fl;
	struct flowkey ka, kb;

	for (int i = 0; i < NFLOWS; i++) {
		uint64_t seed = rnd(&s);

		random_flow(&s, &fl);
		key_of(&fl, false, 7, &ka, NULL);
		key_of(&fl, true, 7, &kb, NULL);
		cr_assert_eq(flowkey_hash(&ka, 0), flowkey_hash(&kb, 0),
			     "flow %d", i);
		cr_assert_eq(flowkey_hash(&ka, seed), flowkey_hash(&kb, seed),
			     "flow %d", i);
		cr_assert_eq(flowkey_source_port(&ka),
			     flowkey_source_port(&kb), "flow %d", i);
	}
}

Test(flowkey, key_holds_the_canonical_endpoint_order)
{
	struct flow fl = {
		.family = 4, .proto = IPPROTO_TCP_,
		.src = { 10, 0, 0, 9 }, .dst = { 10, 0, 0, 1 },
		.sport = 80, .dport = 50000,
	};
	static const uint8_t lo[16] = { 10, 0, 0, 1 };
	static const uint8_t hi[16] = { 10, 0, 0, 9 };
	struct flowkey k;
	bool src_is_lo = true;

	key_of(&fl, false, 3, &k, &src_is_lo);
	cr_assert_not(src_is_lo);
	cr_assert_arr_eq(k.addr_lo, lo, 16);
	cr_assert_arr_eq(k.addr_hi, hi, 16);
	cr_assert_eq(k.port_lo, 50000);
	cr_assert_eq(k.port_hi, 80);
	cr_assert_eq(k.family, 4);
	cr_assert_eq(k.proto, IPPROTO_TCP_);
	cr_assert_eq(k.vni, 3);
	cr_assert_eq(k.ethertype, 0);
}

Test(flowkey, equal_addresses_are_ordered_by_port)
{
	struct flow fl = {
		.family = 6, .proto = IPPROTO_UDP_,
		.src = { 0xfe, 0x80, [15] = 1 }, .dst = { 0xfe, 0x80, [15] = 1 },
		.sport = 5000, .dport = 4000,
	};
	struct flowkey ka, kb;
	bool lo_a, lo_b;

	key_of(&fl, false, 0, &ka, &lo_a);
	key_of(&fl, true, 0, &kb, &lo_b);
	cr_assert(flowkey_equal(&ka, &kb));
	cr_assert_not(lo_a);
	cr_assert(lo_b);
	cr_assert_eq(ka.port_lo, 4000);
	cr_assert_eq(ka.port_hi, 5000);
}

Test(flowkey, source_port_is_in_the_dynamic_range)
{
	uint64_t s = 3;
	struct flow fl;
	struct flowkey k;

	for (int i = 0; i < NFLOWS; i++) {
		uint16_t port;

		random_flow(&s, &fl);
		key_of(&fl, false, (uint32_t)(rnd(&s) & 0xffffff), &k, NULL);
		port = flowkey_source_port(&k);
		cr_assert_geq(port, SPORT_MIN, "flow %d: port %u", i, port);
		cr_assert_leq(port, 65535, "flow %d: port %u", i, port);
	}
}

/*
 * NFLOWS distinct flows sharing a few hosts: unique source ports (>= 1024)
 * against well-known destination ports keep every canonical key distinct,
 * so any equal hash is a real collision.
 */
static void
distinct_flow(uint64_t *s, int i, struct flow *fl)
{
	static const uint16_t services[] = { 22, 53, 80, 123, 443, 993 };
	uint64_t r = rnd(s);

	memset(fl, 0, sizeof(*fl));
	fl->family = r & 1 ? 6 : 4;
	fl->proto = r & 2 ? IPPROTO_TCP_ : IPPROTO_UDP_;
	fl->src[0] = fl->dst[0] = 10;
	fl->src[3] = (uint8_t)(1 + (r >> 8) % 4);
	fl->dst[3] = (uint8_t)(100 + (r >> 16) % 4);
	if (fl->family == 6) {
		fl->src[15] = fl->src[3];
		fl->dst[15] = fl->dst[3];
	}
	fl->sport = (uint16_t)(1024 + i);
	fl->dport = services[(r >> 24) % 6];
}

Test(flowkey, distinct_flows_rarely_share_a_hash)
{
	uint64_t s = 4, *hashes;
	struct flow fl;
	struct flowkey k;
	int collisions = 0;

	hashes = calloc(NFLOWS, sizeof(*hashes));
	cr_assert_not_null(hashes);
	for (int i = 0; i < NFLOWS; i++) {
		distinct_flow(&s, i, &fl);
		key_of(&fl, (rnd(&s) & 1) != 0, 0, &k, NULL);
		hashes[i] = flowkey_hash(&k, 0);
	}
	qsort(hashes, NFLOWS, sizeof(*hashes), cmp_u64);
	for (int i = 1; i < NFLOWS; i++) {
		if (hashes[i] == hashes[i - 1]) {
			collisions++;
		}
	}
	free(hashes);
	cr_assert_lt(collisions, 3, "%d collisions of 64-bit hashes",
		     collisions);
}

Test(flowkey, source_ports_spread_over_the_range)
{
	uint64_t s = 5;
	struct flow fl;
	struct flowkey k;
	int buckets[16] = { 0 }, distinct = 0;
	static bool seen[16384];

	for (int i = 0; i < NFLOWS; i++) {
		unsigned off;

		distinct_flow(&s, i, &fl);
		key_of(&fl, false, 0, &k, NULL);
		off = flowkey_source_port(&k) - SPORT_MIN;
		buckets[off / 1024]++;
		if (!seen[off]) {
			seen[off] = true;
			distinct++;
		}
	}
	/* 625 expected in each, standard deviation about 24 */
	for (int b = 0; b < 16; b++) {
		cr_assert_gt(buckets[b], 0, "bucket %d never hit", b);
		cr_assert(buckets[b] > 450 && buckets[b] < 800,
			  "bucket %d: %d of %d", b, buckets[b], NFLOWS);
	}
	/* about 7,480 expected: 10,000 draws from 16,384 ports */
	cr_assert_gt(distinct, 7000, "only %d distinct ports", distinct);
}

Test(flowkey, every_field_changes_the_hash)
{
	struct flow fl = {
		.family = 4, .proto = IPPROTO_TCP_,
		.src = { 192, 0, 2, 1 }, .dst = { 192, 0, 2, 2 },
		.sport = 1000, .dport = 2000,
	};
	struct flow v;
	struct flowkey base, k;
	uint64_t h;

	key_of(&fl, false, 1, &base, NULL);
	h = flowkey_hash(&base, 0);

	v = fl;
	v.sport++;
	key_of(&v, false, 1, &k, NULL);
	cr_assert_neq(flowkey_hash(&k, 0), h, "source port ignored");
	v = fl;
	v.dport++;
	key_of(&v, false, 1, &k, NULL);
	cr_assert_neq(flowkey_hash(&k, 0), h, "destination port ignored");
	v = fl;
	v.src[3] ^= 0x80;
	key_of(&v, false, 1, &k, NULL);
	cr_assert_neq(flowkey_hash(&k, 0), h, "source address ignored");
	v = fl;
	v.dst[0] ^= 0x01;
	key_of(&v, false, 1, &k, NULL);
	cr_assert_neq(flowkey_hash(&k, 0), h, "destination address ignored");
	v = fl;
	v.proto = IPPROTO_UDP_;
	key_of(&v, false, 1, &k, NULL);
	cr_assert_not(flowkey_equal(&k, &base));
	cr_assert_neq(flowkey_hash(&k, 0), h, "protocol ignored");
	cr_assert_neq(flowkey_hash(&base, 1), h, "seed ignored");
}

Test(flowkey, vni_changes_the_key)
{
	struct flow fl = {
		.family = 6, .proto = IPPROTO_UDP_,
		.src = { 0x20, 0x01, [15] = 1 }, .dst = { 0x20, 0x01, [15] = 2 },
		.sport = 1000, .dport = 53,
	};
	struct flowkey k1, k2, k1b;

	key_of(&fl, false, 1, &k1, NULL);
	key_of(&fl, false, 2, &k2, NULL);
	key_of(&fl, true, 1, &k1b, NULL);
	cr_assert_eq(k1.vni, 1);
	cr_assert_eq(k2.vni, 2);
	cr_assert_not(flowkey_equal(&k1, &k2));
	cr_assert_neq(flowkey_hash(&k1, 0), flowkey_hash(&k2, 0));
	cr_assert(flowkey_equal(&k1, &k1b));
}

Test(flowkey, ipv4_fragments_of_a_datagram_share_a_key_without_ports)
{
	struct flow first = {
		.family = 4, .proto = IPPROTO_UDP_,
		.src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 },
		.sport = 4000, .dport = 4789, .fragw = 0x2000, /* MF */
	};
	struct flow later = first;
	struct flowkey kf, kl, kr;

	later.fragw = 0x2000 | 185;
	key_of(&first, false, 0, &kf, NULL);
	key_of(&later, false, 0, &kl, NULL);
	key_of(&later, true, 0, &kr, NULL);
	cr_assert(flowkey_equal(&kf, &kl));
	cr_assert(flowkey_equal(&kf, &kr));
	cr_assert_eq(kf.port_lo, 0);
	cr_assert_eq(kf.port_hi, 0);
	cr_assert_eq(kf.proto, IPPROTO_UDP_);
	cr_assert_eq(flowkey_source_port(&kf), flowkey_source_port(&kl));
}

Test(flowkey, ipv6_fragments_of_a_datagram_share_a_key_without_ports)
{
	struct flow first = {
		.family = 6, .proto = IPPROTO_TCP_,
		.src = { 0x20, 0x01, [15] = 1 }, .dst = { 0x20, 0x01, [15] = 2 },
		.sport = 4000, .dport = 80, .frag6 = true,
		.fragw = 1, /* offset 0, M set */
	};
	struct flow later = first;
	struct flowkey kf, kl;

	later.fragw = 100 << 3;
	key_of(&first, false, 9, &kf, NULL);
	key_of(&later, false, 9, &kl, NULL);
	cr_assert(flowkey_equal(&kf, &kl));
	cr_assert_eq(kf.port_lo, 0);
	cr_assert_eq(kf.port_hi, 0);
	cr_assert_eq(kf.proto, IPPROTO_TCP_);
}

Test(flowkey, icmp_echo_request_and_reply_share_a_key)
{
	struct flow req = {
		.family = 4, .proto = IPPROTO_ICMP_,
		.src = { 10, 0, 0, 7 }, .dst = { 10, 0, 0, 3 },
		.sport = 0x4242, .dport = 8, /* id, echo request */
	};
	struct flow other = req;
	struct flowkey kq, kr, ko;

	key_of(&req, false, 0, &kq, NULL);
	req.dport = 0; /* echo reply, sent back by the destination */
	key_of(&req, true, 0, &kr, NULL);
	cr_assert(flowkey_equal(&kq, &kr));
	cr_assert_eq(kq.port_lo, 0x4242);
	cr_assert_eq(kq.proto, IPPROTO_ICMP_);

	other.sport = 0x4243;
	key_of(&other, false, 0, &ko, NULL);
	cr_assert_not(flowkey_equal(&kq, &ko), "echo id ignored");
}

Test(flowkey, icmpv6_echo_request_and_reply_share_a_key)
{
	struct flow req = {
		.family = 6, .proto = IPPROTO_ICMPV6_,
		.src = { 0xfe, 0x80, [15] = 9 }, .dst = { 0xfe, 0x80, [15] = 1 },
		.sport = 77, .dport = 128,
	};
	struct flowkey kq, kr;

	key_of(&req, false, 0, &kq, NULL);
	req.dport = 129;
	key_of(&req, true, 0, &kr, NULL);
	cr_assert(flowkey_equal(&kq, &kr));
	cr_assert_eq(kq.port_lo, 77);
	cr_assert_eq(kq.family, 6);
}

Test(flowkey, non_ip_frames_are_keyed_by_mac_in_both_directions)
{
	uint8_t b[42] = { 0 };
	struct frame f;
	struct flowkey ka, kb;
	bool lo_a, lo_b;

	memcpy(b, mac_b, 6);
	memcpy(b + 6, mac_a, 6);
	b[12] = 0x08;
	b[13] = 0x06;
	cr_assert_eq(frame_parse(b, sizeof(b), &f), FRAME_OK);
	flowkey_from_frame(&f, 5, &ka, &lo_a);
	memcpy(b, mac_a, 6);
	memcpy(b + 6, mac_b, 6);
	cr_assert_eq(frame_parse(b, sizeof(b), &f), FRAME_OK);
	flowkey_from_frame(&f, 5, &kb, &lo_b);

	cr_assert(flowkey_equal(&ka, &kb));
	cr_assert_neq(lo_a, lo_b);
	cr_assert_eq(ka.family, 0);
	cr_assert_eq(ka.proto, 0);
	cr_assert_eq(ka.ethertype, ETHERTYPE_ARP_);
	cr_assert_arr_eq(ka.addr_lo, mac_a, 6);
	cr_assert_arr_eq(ka.addr_hi, mac_b, 6);
	cr_assert_eq(flowkey_hash(&ka, 0), flowkey_hash(&kb, 0));
}

Test(flowkey, non_ip_ethertype_changes_the_key)
{
	uint8_t b[42] = { 0 };
	struct frame f;
	struct flowkey ka, kb;

	memcpy(b, mac_b, 6);
	memcpy(b + 6, mac_a, 6);
	b[12] = 0x08;
	b[13] = 0x06;
	cr_assert_eq(frame_parse(b, sizeof(b), &f), FRAME_OK);
	flowkey_from_frame(&f, 0, &ka, NULL);
	b[12] = 0x88;
	b[13] = 0xcc; /* LLDP */
	cr_assert_eq(frame_parse(b, sizeof(b), &f), FRAME_OK);
	flowkey_from_frame(&f, 0, &kb, NULL);
	cr_assert_not(flowkey_equal(&ka, &kb));
}
