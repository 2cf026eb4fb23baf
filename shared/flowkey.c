/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Canonical bidirectional flow keys and their hash. It does not keep flow
 * state: flow tables belong to the collector.
 */
#include "shared/flowkey.h"

#include <string.h>

_Static_assert(sizeof(struct flowkey) == 44, "struct flowkey must have no padding");

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129

static bool
is_echo(const struct frame *f)
{
	if (!f->is_icmp) {
		return false;
	}
	if (f->ip_version == 4) {
		return f->icmp_type == ICMP_ECHO_REQUEST ||
		       f->icmp_type == ICMP_ECHO_REPLY;
	}
	return f->icmp_type == ICMP6_ECHO_REQUEST ||
	       f->icmp_type == ICMP6_ECHO_REPLY;
}

/* Order endpoints (a, pa) and (b, pb): negative when a side is lower. */
static int
endpoint_cmp(const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
	int r = memcmp(a, b, 16);

	if (r != 0) {
		return r;
	}
	return (int)pa - (int)pb;
}

void
flowkey_from_frame(const struct frame *f, uint32_t vni, struct flowkey *k,
		   bool *src_is_lo)
{
	uint8_t src[16] = { 0 }, dst[16] = { 0 };
	uint16_t sport = 0, dport = 0;
	bool lo;

	memset(k, 0, sizeof(*k));
	k->vni = vni;
	if (f->ip_version == 4 || f->ip_version == 6) {
		size_t alen = f->ip_version == 4 ? 4 : 16;

		memcpy(src, f->src_ip, alen);
		memcpy(dst, f->dst_ip, alen);
		k->family = f->ip_version;
		k->proto = f->l4_proto;
		if (f->fragment) {
			/* keyed on addresses alone (see flowkey.h), with the
			 * protocol every fragment of the datagram carries */
			k->proto = f->frag_proto;
		} else if (f->has_ports) {
			sport = f->src_port;
			dport = f->dst_port;
		} else if (is_echo(f)) {
			sport = dport = f->icmp_id;
		}
	} else {
		memcpy(src, f->src_mac, 6);
		memcpy(dst, f->dst_mac, 6);
		k->ethertype = f->ethertype;
	}
	lo = endpoint_cmp(src, sport, dst, dport) <= 0;
	if (lo) {
		memcpy(k->addr_lo, src, 16);
		memcpy(k->addr_hi, dst, 16);
		k->port_lo = sport;
		k->port_hi = dport;
	} else {
		memcpy(k->addr_lo, dst, 16);
		memcpy(k->addr_hi, src, 16);
		k->port_lo = dport;
		k->port_hi = sport;
	}
	if (src_is_lo != NULL) {
		*src_is_lo = lo;
	}
}

static inline uint64_t
load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* The finaliser of MurmurHash3 / splitmix64: a full-avalanche 64-bit mix. */
static inline uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint64_t
flowkey_hash(const struct flowkey *k, uint64_t seed)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = seed ^ 0x9e3779b97f4a7c15ULL;
	uint32_t tail;

	/* 44 bytes: five 8-byte words and a 4-byte tail */
	for (int i = 0; i < 5; i++) {
		h = mix64(h ^ load64(p + 8 * i));
	}
	memcpy(&tail, p + 40, 4);
	return mix64(h ^ tail);
}

bool
flowkey_equal(const struct flowkey *a, const struct flowkey *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

uint16_t
flowkey_source_port(const struct flowkey *k)
{
	/* fixed seed: replay and live mode, and every host, agree */
	uint64_t h = flowkey_hash(k, 0);

	return (uint16_t)(49152u + (uint16_t)((h >> 32) & 0x3fffu));
}
