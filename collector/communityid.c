/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Community ID v1: tuple ordering, the ICMP type mapping Zeek uses, SHA-1
 * (OpenSSL's libcrypto) and base64. It knows nothing of flows or frames:
 * flowlog.c picks the tuple out of a flow record.
 */
#include "collector/communityid.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
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
	uint8_t in[INPUT_MAX], digest[SHA_DIGEST_LENGTH];
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

	SHA1(in, n, digest);
	memcpy(out, "1:", 2);
	/* 20 bytes encode to 28 characters plus a NUL: fits COMMUNITYID_LEN */
	EVP_EncodeBlock((unsigned char *)out + 2, digest, sizeof(digest));
	return true;
}
