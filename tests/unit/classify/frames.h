/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hand-built Ethernet frames for the flow table and classification tests:
 * IPv4 with TCP, UDP or a bare fragment, and ARP. Checksums are left zero
 * (nothing on this path checks them).
 */
#ifndef VTAP_TESTS_CLASSIFY_FRAMES_H
#define VTAP_TESTS_CLASSIFY_FRAMES_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "shared/flowkey.h"
#include "shared/frame.h"

#define T_TCP 6
#define T_UDP 17
#define T_FIN 0x01
#define T_SYN 0x02
#define T_RST 0x04
#define T_PSH 0x08
#define T_ACK 0x10

struct pkt {
	uint8_t b[2048];
	size_t len;
	/* after pkt_parse */
	struct frame fr;
	struct flowkey k;
	bool lo;
};

/* One direction of a conversation. */
struct ends {
	uint8_t src[4], dst[4];
	uint16_t sport, dport;
};

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static inline struct ends
ends_reverse(struct ends e)
{
	struct ends r = { .sport = e.dport, .dport = e.sport };

	memcpy(r.src, e.dst, 4);
	memcpy(r.dst, e.src, 4);
	return r;
}

static inline void
pkt_parse(struct pkt *p)
{
	cr_assert_eq(frame_parse(p->b, p->len, &p->fr), FRAME_OK);
	flowkey_from_frame(&p->fr, 0, &p->k, &p->lo);
}

/*
 * IPv4 datagram from e with an L4 header for proto (TCP: flags, seq, ack;
 * UDP) and payload; fragw is the flags/offset word (0: not a fragment;
 * with a non-zero offset no L4 header is written). Parsed on return.
 */
static inline void
pkt_ipv4(struct pkt *p, const struct ends *e, uint8_t proto, uint8_t flags,
	 uint32_t seq, uint32_t ack, const void *payload, size_t plen, uint16_t fragw)
{
	static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
	static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	uint8_t *ip = p->b + 14, *l4 = ip + 20;
	size_t l4len = 0;

	memset(p, 0, sizeof(*p));
	memcpy(p->b, mac_b, 6);
	memcpy(p->b + 6, mac_a, 6);
	put16(p->b + 12, 0x0800);
	if ((fragw & 0x1fff) == 0) {
		if (proto == T_TCP) {
			put16(l4, e->sport);
			put16(l4 + 2, e->dport);
			put32(l4 + 4, seq);
			put32(l4 + 8, ack);
			l4[12] = 5 << 4;
			l4[13] = flags;
			put16(l4 + 14, 65535);
			l4len = 20;
		} else if (proto == T_UDP) {
			put16(l4, e->sport);
			put16(l4 + 2, e->dport);
			put16(l4 + 4, (uint16_t)(8 + plen));
			l4len = 8;
		}
	}
	cr_assert_leq(14 + 20 + l4len + plen, sizeof(p->b));
	if (plen != 0) {
		memcpy(l4 + l4len, payload, plen);
	}
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len + plen));
	put16(ip + 4, 0x1234);
	put16(ip + 6, fragw);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, e->src, 4);
	memcpy(ip + 16, e->dst, 4);
	p->len = 14 + 20 + l4len + plen;
	if (p->len < 60) {
		p->len = 60; /* Ethernet padding, not part of the datagram */
	}
	pkt_parse(p);
}

static inline void
pkt_tcp(struct pkt *p, const struct ends *e, uint8_t flags, uint32_t seq,
	uint32_t ack, const void *payload, size_t plen)
{
	pkt_ipv4(p, e, T_TCP, flags, seq, ack, payload, plen, 0);
}

static inline void
pkt_udp(struct pkt *p, const struct ends *e, const void *payload, size_t plen)
{
	pkt_ipv4(p, e, T_UDP, 0, 0, 0, payload, plen, 0);
}

/* An ARP request: not IP. */
static inline void
pkt_arp(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	memset(p->b, 0xff, 6);
	p->b[6] = 0x02;
	p->b[11] = 0x0a;
	put16(p->b + 12, 0x0806);
	put16(p->b + 14, 1);      /* Ethernet */
	put16(p->b + 16, 0x0800); /* IPv4 */
	p->b[18] = 6;
	p->b[19] = 4;
	put16(p->b + 20, 1);      /* request */
	p->len = 60;
	pkt_parse(p);
}

#endif
