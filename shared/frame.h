/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frame parser: one Ethernet frame in, its layers out.
 *
 * Understood: Ethernet II; up to FRAME_VLAN_MAX 802.1Q / 802.1ad (QinQ)
 * tags; PPPoE session frames carrying IPv4 or IPv6; IPv4 (options,
 * fragments; 6in4, whose inner IPv6 packet is then reported); IPv6 with its
 * extension header chain (hop-by-hop, routing,
 * fragment, destination options, AH, mobility, HIP, shim6); and TCP, UDP,
 * UDP-Lite, SCTP, ICMP and ICMPv6 headers. Anything else above a layer it
 * understands is not an error: the frame is reported up to where it stops
 * knowing (an ARP frame has ip_version 0, an ESP packet has no ports).
 *
 * Truncation (a short snap length) is not an error either as long as the
 * headers needed for the flow key are there: lengths beyond the captured
 * bytes set `truncated`. Ethernet padding after the IP datagram is not
 * counted as payload.
 */
#ifndef VTAP_SHARED_FRAME_H
#define VTAP_SHARED_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_VLAN_MAX 4
#define FRAME_IPV6_EXT_MAX 16 /* longest extension header chain we follow */

#define ETHERTYPE_IPV4_ 0x0800
#define ETHERTYPE_ARP_ 0x0806
#define ETHERTYPE_VLAN_ 0x8100
#define ETHERTYPE_QINQ_ 0x88a8
#define ETHERTYPE_QINQ_OLD_ 0x9100
#define ETHERTYPE_IPV6_ 0x86dd
#define ETHERTYPE_PPPOE_ 0x8864

struct frame {
	/* Layer 2 */
	uint8_t dst_mac[6];
	uint8_t src_mac[6];
	uint16_t ethertype;          /* of the payload, after tags and PPPoE */
	uint8_t vlan_count;
	uint16_t vlan_id[FRAME_VLAN_MAX]; /* outermost first */
	bool pppoe;

	/* Layer 3: ip_version is 0 when the payload is not IP */
	uint8_t ip_version;
	uint8_t src_ip[16];          /* IPv4 uses the first 4 bytes */
	uint8_t dst_ip[16];
	uint8_t ttl;                 /* TTL or hop limit */
	uint8_t l4_proto;            /* after the IPv6 extension chain */
	bool fragment;               /* part of a fragmented datagram */
	bool first_fragment;         /* fragment offset 0: has the L4 header */
	uint32_t frag_id;
	uint8_t frag_proto;          /* the protocol every fragment names: IPv4's,
				      * or the IPv6 fragment header's next header */
	size_t l3_offset;            /* from the frame's first byte */
	size_t l3_len;               /* IP datagram length from its header */

	/* Layer 4: has_ports for TCP, UDP, UDP-Lite and SCTP */
	size_t l4_offset;            /* 0 when there is no L4 header */
	bool has_ports;
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t tcp_flags;
	bool is_icmp;
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint16_t icmp_id;            /* echo request/reply identifier */
	size_t payload_offset;       /* first byte after the L4 header */
	size_t payload_len;          /* as the headers say, not as captured */

	bool tunnel_6in4;            /* IPv6 in IPv4 (protocol 41): the L3 and
				      * L4 fields describe the inner IPv6 packet */
	bool truncated;              /* headers promise more than was captured */
};

enum frame_err {
	FRAME_OK = 0,
	FRAME_ERR_SHORT_ETH,     /* fewer than 14 bytes */
	FRAME_ERR_SHORT_VLAN,    /* a VLAN tag cut short */
	FRAME_ERR_VLAN_DEPTH,    /* more than FRAME_VLAN_MAX tags */
	FRAME_ERR_SHORT_PPPOE,   /* PPPoE or PPP header cut short */
	FRAME_ERR_SHORT_IPV4,    /* fewer than 20 bytes of IPv4 header */
	FRAME_ERR_IPV4_HEADER,   /* version not 4, IHL < 5 or beyond the data */
	FRAME_ERR_IPV4_LENGTH,   /* total length smaller than the header */
	FRAME_ERR_SHORT_IPV6,    /* fewer than 40 bytes of IPv6 header */
	FRAME_ERR_IPV6_HEADER,   /* version not 6 */
	FRAME_ERR_IPV6_EXT,      /* extension header cut short or chain too long */
	FRAME_ERR_SHORT_L4,      /* TCP/UDP/SCTP/ICMP header cut short */
	FRAME_ERR_TCP_OFFSET,    /* TCP data offset < 5 */
	FRAME_ERR__COUNT
};

/*
 * Parse len bytes of an Ethernet frame (without FCS) into *f. Returns
 * FRAME_OK or the first problem found; on an error *f holds what was
 * parsed before it. Pure: never logs, never allocates.
 */
enum frame_err frame_parse(const uint8_t *buf, size_t len, struct frame *f);

/* Static text for an error value, e.g. "short-ipv4" (usable as a counter name). */
const char *frame_strerror(enum frame_err err);

#endif
