/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Community ID v1: tuple ordering, the ICMP type mapping Zeek uses, SHA-1
 * (its own, see communityid.h) and base64 (libcrypto). It knows nothing of
 * flows or frames: flowlog.c picks the tuple out of a flow record.
 */
#include "collector/communityid.h"

#include <openssl/evp.h>
#include <string.h>

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define PROTO_SCTP 132

/* hash input: seed(2) saddr(16) daddr(16) proto(1) pad(1) sport(2) dport(2) */
#define INPUT_MAX 40

/*
 * ICMP types that come in request/response pairs (Zeek's
 * ICMP4_counterpart / ICMP6_counterpart): -1 marks a one-way message.
 */
static int
icmp4_counterpart(uint8_t type)
{
	switch (type) {
	case 8: /* echo */
		return 0;
	case 0: /* echo reply */
		return 8;
	case 13: /* timestamp */
		return 14;
	case 14: /* timestamp reply */
		return 13;
	case 15: /* information request */
		return 16;
	case 16: /* information reply */
		return 15;
	case 10: /* router solicitation */
		return 9;
	case 9: /* router advertisement */
		return 10;
	case 17: /* address mask request */
		return 18;
	case 18: /* address mask reply */
		return 17;
	default:
		return -1;
	}
}

static int
icmp6_counterpart(uint8_t type)
{
	switch (type) {
	case 128: /* echo request */
		return 129;
	case 129: /* echo reply */
		return 128;
	case 130: /* MLD listener query */
		return 131;
	case 131: /* MLD listener report */
		return 130;
	case 133: /* router solicitation */
		return 134;
	case 134: /* router advertisement */
		return 133;
	case 135: /* neighbor solicitation */
		return 136;
	case 136: /* neighbor advertisement */
		return 135;
	case 139: /* who-are-you request (node information query) */
		return 140;
	case 140: /* who-are-you reply */
		return 139;
	case 144: /* home agent address discovery request */
		return 145;
	case 145: /* home agent address discovery reply */
		return 144;
	default:
		return -1;
	}
}

/* ---- SHA-1 (FIPS 180-4, section 6.1) ---- */

static uint32_t
rol32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32u - n));
}

static uint32_t
get32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
	       (uint32_t)p[3];
}

static void
put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One 64-byte block into the state h. */
static void
sha1_block(uint32_t h[5], const uint8_t *blk)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int t = 0; t < 16; t++) {
		w[t] = get32be(blk + 4 * t);
	}
	for (int t = 16; t < 80; t++) {
		w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	}
	for (int t = 0; t < 80; t++) {
		uint32_t f, k, tmp;

		if (t < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999u;
		} else if (t < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1u;
		} else if (t < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdcu;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6u;
		}
		tmp = rol32(a, 5) + f + e + k + w[t];
		e = d;
		d = c;
		c = rol32(b, 30);
		b = a;
		a = tmp;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void
communityid_sha1(const uint8_t *in, size_t n, uint8_t out[COMMUNITYID_SHA1_LEN])
{
	uint32_t h[5] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u,
			  0xc3d2e1f0u };
	uint8_t last[128];
	uint64_t bits = (uint64_t)n * 8u;
	size_t full = n / 64u * 64u, rest = n - full, tail;

	for (size_t i = 0; i < full; i += 64) {
		sha1_block(h, in + i);
	}
	/* the rest, 0x80, zeros, the length in bits: one or two blocks */
	memset(last, 0, sizeof(last));
	memcpy(last, in + full, rest);
	last[rest] = 0x80;
	tail = rest + 9 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++) {
		last[tail - 1 - (size_t)i] = (uint8_t)(bits >> (8 * i));
	}
	sha1_block(h, last);
	if (tail == 128) {
		sha1_block(h, last + 64);
	}
	for (int i = 0; i < 5; i++) {
		put32be(out + 4 * i, h[i]);
	}
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

bool
communityid_v1(uint16_t seed, uint8_t family, const uint8_t *saddr,
	       const uint8_t *daddr, uint8_t proto, uint16_t sport,
	       uint16_t dport, char out[COMMUNITYID_LEN])
{
	uint8_t in[INPUT_MAX], digest[COMMUNITYID_SHA1_LEN];
	const uint8_t *a = saddr, *b = daddr;
	uint16_t pa = sport, pb = dport;
	bool has_ports = true, one_way = false;
	size_t alen, n = 0;
	int cmp;

	out[0] = '\0';
	if (family == 4) {
		alen = 4;
	} else if (family == 6) {
		alen = 16;
	} else {
		return false;
	}

	if (proto == PROTO_ICMP || proto == PROTO_ICMPV6) {
		int peer = proto == PROTO_ICMP ? icmp4_counterpart((uint8_t)sport)
					       : icmp6_counterpart((uint8_t)sport);

		pa = (uint8_t)sport;
		if (peer < 0) {
			pb = (uint8_t)dport; /* the code */
			one_way = true;
		} else {
			pb = (uint16_t)peer;
		}
	} else if (proto != PROTO_TCP && proto != PROTO_UDP &&
		   proto != PROTO_SCTP) {
		has_ports = false;
		pa = pb = 0;
	}

	/* the smaller (address, port) endpoint first, unless one-way */
	cmp = memcmp(a, b, alen);
	if (!one_way && (cmp > 0 || (cmp == 0 && pa > pb))) {
		const uint8_t *t = a;
		uint16_t tp = pa;

		a = b;
		b = t;
		pa = pb;
		pb = tp;
	}

	put16(in + n, seed);
	n += 2;
	memcpy(in + n, a, alen);
	n += alen;
	memcpy(in + n, b, alen);
	n += alen;
	in[n++] = proto;
	in[n++] = 0;
	if (has_ports) {
		put16(in + n, pa);
		n += 2;
		put16(in + n, pb);
		n += 2;
	}

	communityid_sha1(in, n, digest);
	memcpy(out, "1:", 2);
	/* 20 bytes encode to 28 characters plus a NUL: fits COMMUNITYID_LEN */
	EVP_EncodeBlock((unsigned char *)out + 2, digest, sizeof(digest));
	return true;
}
