/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ethernet / VLAN / PPPoE / IPv4 / IPv6 / L4 header parsing through the
 * bounds-checked cursor. It decodes headers only: flow keys are built in
 * flowkey.c, and nothing here looks at application payload.
 */
#include "shared/frame.h"

#include <string.h>

#include "shared/cursor.h"

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_IPV6_ 41
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_SCTP_ 132
#define IPPROTO_MH_ 135
#define IPPROTO_UDPLITE_ 136
#define IPPROTO_HIP_ 139
#define IPPROTO_SHIM6_ 140

static bool
is_vlan_type(uint16_t t)
{
	return t == ETHERTYPE_VLAN_ || t == ETHERTYPE_QINQ_ ||
	       t == ETHERTYPE_QINQ_OLD_;
}

/*
 * After the L3 header: c is positioned at the L4 header, end is the
 * offset where the datagram ends (as captured).
 */
static enum frame_err
parse_l4(struct cursor *c, struct frame *f, size_t end)
{
	uint16_t sport, dport, w;
	uint8_t b, off;
	size_t start = c->off;
	size_t hlen;

	switch (f->l4_proto) {
	case IPPROTO_TCP_:
		/* the whole fixed header: window, checksum, urgent too */
		if (!cursor_be16(c, &sport) || !cursor_be16(c, &dport) ||
		    !cursor_skip(c, 8) || !cursor_u8(c, &off) ||
		    !cursor_u8(c, &b) || !cursor_skip(c, 6)) {
			return FRAME_ERR_SHORT_L4;
		}
		hlen = (size_t)(off >> 4) * 4;
		if (hlen < 20) {
			return FRAME_ERR_TCP_OFFSET;
		}
		f->tcp_flags = b;
		break;
	case IPPROTO_UDP_:
	case IPPROTO_UDPLITE_:
		if (!cursor_be16(c, &sport) || !cursor_be16(c, &dport) ||
		    !cursor_skip(c, 4)) {
			return FRAME_ERR_SHORT_L4;
		}
		hlen = 8;
		break;
	case IPPROTO_SCTP_:
		if (!cursor_be16(c, &sport) || !cursor_be16(c, &dport) ||
		    !cursor_skip(c, 8)) {
			return FRAME_ERR_SHORT_L4;
		}
		hlen = 12;
		break;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		/* all 8 bytes: the echo sequence number too */
		if (!cursor_u8(c, &f->icmp_type) ||
		    !cursor_u8(c, &f->icmp_code) || !cursor_skip(c, 2) ||
		    !cursor_be16(c, &w) || !cursor_skip(c, 2)) {
			return FRAME_ERR_SHORT_L4;
		}
		f->is_icmp = true;
		f->icmp_id = w;
		f->l4_offset = start;
		f->payload_offset = start + 8;
		f->payload_len = end > start + 8 ? end - (start + 8) : 0;
		return FRAME_OK;
	default:
		return FRAME_OK;
	}
	f->has_ports = true;
	f->src_port = sport;
	f->dst_port = dport;
	f->l4_offset = start;
	f->payload_offset = start + hlen;
	f->payload_len = end > start + hlen ? end - (start + hlen) : 0;
	if (start + hlen > c->len) {
		f->truncated = true;
	}
	return FRAME_OK;
}

static enum frame_err parse_ipv6(struct cursor *c, struct frame *f);

static enum frame_err
parse_ipv4(struct cursor *c, struct frame *f)
{
	uint8_t vihl = 0, ttl = 0, proto = 0;
	uint16_t total = 0, id = 0, fragw = 0;
	size_t ihl, start = c->off, end;

	if (!cursor_has(c, 20)) {
		return FRAME_ERR_SHORT_IPV4;
	}
	cursor_u8(c, &vihl);
	if ((vihl >> 4) != 4) {
		return FRAME_ERR_IPV4_HEADER;
	}
	ihl = (size_t)(vihl & 0x0f) * 4;
	if (ihl < 20) {
		return FRAME_ERR_IPV4_HEADER;
	}
	cursor_skip(c, 1);
	cursor_be16(c, &total);
	cursor_be16(c, &id);
	cursor_be16(c, &fragw);
	cursor_u8(c, &ttl);
	cursor_u8(c, &proto);
	cursor_skip(c, 2);
	f->ip_version = 4;
	f->l3_offset = start;
	cursor_copy(c, f->src_ip, 4);
	cursor_copy(c, f->dst_ip, 4);
	f->ttl = ttl;
	f->l4_proto = proto;
	f->frag_id = id;
	if (total < ihl) {
		return FRAME_ERR_IPV4_LENGTH;
	}
	f->l3_len = total;
	if (!cursor_skip(c, ihl - 20)) {
		return FRAME_ERR_IPV4_HEADER;
	}
	end = start + total;
	if (end > c->len) {
		f->truncated = true;
		end = c->len;
	}
	/* MF set or a non-zero offset: this is a fragment */
	if ((fragw & 0x3fff) != 0) {
		f->fragment = true;
		f->frag_proto = proto;
		f->first_fragment = (fragw & 0x1fff) == 0;
		if (!f->first_fragment) {
			return FRAME_OK;
		}
	}
	/* parse L4 only within the datagram, not into Ethernet padding */
	c->len = end;
	if (proto == IPPROTO_IPV6_ && !f->fragment) {
		/*
		 * 6in4 (RFC 4213): the IPv6 packet inside names the flow, as
		 * ndpiReader sees it. A damaged inner header leaves the outer
		 * IPv4 layer as the frame's L3.
		 */
		struct cursor inner = *c;
		struct frame outer = *f;
		enum frame_err e = parse_ipv6(&inner, f);

		if (e == FRAME_OK) {
			f->tunnel_6in4 = true;
			return FRAME_OK;
		}
		*f = outer;
		return FRAME_OK;
	}
	return parse_l4(c, f, start + total);
}

static bool
is_ipv6_ext(uint8_t nh)
{
	switch (nh) {
	case IPPROTO_HOPOPTS_:
	case IPPROTO_ROUTING_:
	case IPPROTO_FRAGMENT_:
	case IPPROTO_DSTOPTS_:
	case IPPROTO_AH_:
	case IPPROTO_MH_:
	case IPPROTO_HIP_:
	case IPPROTO_SHIM6_:
		return true;
	default:
		return false;
	}
}

static enum frame_err
parse_ipv6(struct cursor *c, struct frame *f)
{
	uint32_t w = 0;
	uint16_t plen = 0, fragw = 0;
	uint8_t nh = 0, hop = 0, next = 0, extlen = 0;
	size_t start = c->off, end;
	int depth = 0;

	if (!cursor_has(c, 40)) {
		return FRAME_ERR_SHORT_IPV6;
	}
	cursor_be32(c, &w);
	if ((w >> 28) != 6) {
		return FRAME_ERR_IPV6_HEADER;
	}
	cursor_be16(c, &plen);
	cursor_u8(c, &nh);
	cursor_u8(c, &hop);
	f->ip_version = 6;
	f->l3_offset = start;
	cursor_copy(c, f->src_ip, 16);
	cursor_copy(c, f->dst_ip, 16);
	f->ttl = hop;
	f->l3_len = 40 + (size_t)plen;
	end = start + 40 + plen;
	if (end > c->len) {
		f->truncated = true;
		end = c->len;
	}
	c->len = end;

	while (is_ipv6_ext(nh)) {
		if (++depth > FRAME_IPV6_EXT_MAX) {
			return FRAME_ERR_IPV6_EXT;
		}
		if (!cursor_u8(c, &next) || !cursor_u8(c, &extlen)) {
			return FRAME_ERR_IPV6_EXT;
		}
		if (nh == IPPROTO_FRAGMENT_) {
			/* fixed 8 bytes: offset(13) res(2) M(1), then id */
			if (!cursor_be16(c, &fragw) || !cursor_be32(c, &w)) {
				return FRAME_ERR_IPV6_EXT;
			}
			f->fragment = true;
			f->first_fragment = (fragw & 0xfff8) == 0;
			f->frag_id = w;
			f->frag_proto = next;
			nh = next;
			if (!f->first_fragment) {
				f->l4_proto = nh;
				return FRAME_OK;
			}
			continue;
		}
		/* AH counts its length in 4-byte units minus 2; others in 8-byte units minus 1 */
		size_t total = nh == IPPROTO_AH_ ? ((size_t)extlen + 2) * 4
						 : ((size_t)extlen + 1) * 8;
		if (!cursor_skip(c, total - 2)) {
			return FRAME_ERR_IPV6_EXT;
		}
		nh = next;
	}
	f->l4_proto = nh;
	return parse_l4(c, f, start + f->l3_len);
}

enum frame_err
frame_parse(const uint8_t *buf, size_t len, struct frame *f)
{
	struct cursor c;
	uint16_t type, tci, ppp;

	memset(f, 0, sizeof(*f));
	cursor_init(&c, buf, len);
	if (!cursor_copy(&c, f->dst_mac, 6) || !cursor_copy(&c, f->src_mac, 6) ||
	    !cursor_be16(&c, &type)) {
		return FRAME_ERR_SHORT_ETH;
	}
	while (is_vlan_type(type)) {
		if (f->vlan_count == FRAME_VLAN_MAX) {
			f->ethertype = type;
			return FRAME_ERR_VLAN_DEPTH;
		}
		if (!cursor_be16(&c, &tci) || !cursor_be16(&c, &type)) {
			return FRAME_ERR_SHORT_VLAN;
		}
		f->vlan_id[f->vlan_count++] = tci & 0x0fff;
	}
	if (type == ETHERTYPE_PPPOE_) {
		/* ver/type, code, session id, length, then the PPP protocol */
		if (!cursor_skip(&c, 6) || !cursor_be16(&c, &ppp)) {
			return FRAME_ERR_SHORT_PPPOE;
		}
		f->pppoe = true;
		if (ppp == PPP_IPV4) {
			type = ETHERTYPE_IPV4_;
		} else if (ppp == PPP_IPV6) {
			type = ETHERTYPE_IPV6_;
		} else {
			f->ethertype = type;
			return FRAME_OK;
		}
	}
	f->ethertype = type;
	switch (type) {
	case ETHERTYPE_IPV4_:
		return parse_ipv4(&c, f);
	case ETHERTYPE_IPV6_:
		return parse_ipv6(&c, f);
	default:
		return FRAME_OK;
	}
}

const char *
frame_strerror(enum frame_err err)
{
	static const char *const names[FRAME_ERR__COUNT] = {
		[FRAME_OK] = "ok",
		[FRAME_ERR_SHORT_ETH] = "short-ethernet",
		[FRAME_ERR_SHORT_VLAN] = "short-vlan",
		[FRAME_ERR_VLAN_DEPTH] = "vlan-depth",
		[FRAME_ERR_SHORT_PPPOE] = "short-pppoe",
		[FRAME_ERR_SHORT_IPV4] = "short-ipv4",
		[FRAME_ERR_IPV4_HEADER] = "bad-ipv4-header",
		[FRAME_ERR_IPV4_LENGTH] = "bad-ipv4-length",
		[FRAME_ERR_SHORT_IPV6] = "short-ipv6",
		[FRAME_ERR_IPV6_HEADER] = "bad-ipv6-header",
		[FRAME_ERR_IPV6_EXT] = "bad-ipv6-extension",
		[FRAME_ERR_SHORT_L4] = "short-l4",
		[FRAME_ERR_TCP_OFFSET] = "bad-tcp-offset",
	};

	if ((unsigned)err >= FRAME_ERR__COUNT) {
		return "unknown";
	}
	return names[err];
}
