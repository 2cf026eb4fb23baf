/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bidirectional flow key and its symmetric hash.
 *
 * A key names a conversation, not a direction: its two endpoints are stored
 * in a canonical order (the lower (address, port) pair first), so A->B and
 * B->A give byte-identical keys, hence equal hashes. The sender derives the
 * outer UDP source port from that hash (RFC 7348 section 5: source port
 * entropy), so both directions of an inner flow share one outer 5-tuple and
 * any 5-tuple balancer keeps them on one collector worker.
 *
 * Fragments of an IP datagram (the first included) are keyed on addresses
 * and protocol alone, as NIC receive-side scaling does, because only the
 * first fragment carries ports: all pieces of a datagram then travel
 * together. ICMP echo request and reply are keyed on their identifier.
 * Frames that are not IP are keyed on their MAC addresses and ethertype.
 */
#ifndef VTAP_SHARED_FLOWKEY_H
#define VTAP_SHARED_FLOWKEY_H

#include <stdbool.h>
#include <stdint.h>

#include "shared/frame.h"

/* No implicit padding: keys are compared and hashed as bytes. */
struct flowkey {
	uint8_t addr_lo[16]; /* IP address (IPv4 in the first 4 bytes) or MAC */
	uint8_t addr_hi[16];
	uint16_t port_lo;    /* host order; 0 without ports */
	uint16_t port_hi;
	uint32_t vni;        /* the VXLAN network, 0 where there is none */
	uint8_t family;      /* 4, 6, or 0 for a non-IP frame */
	uint8_t proto;       /* IP protocol number; 0 for non-IP */
	uint16_t ethertype;  /* for non-IP frames; 0 for IP */
};

/*
 * Build the key of a parsed frame. *src_is_lo (may be NULL) tells whether
 * the frame's source is the key's lo endpoint, i.e. its direction.
 */
void flowkey_from_frame(const struct frame *f, uint32_t vni,
			struct flowkey *k, bool *src_is_lo);

/* A 64-bit hash of the key; equal keys give equal hashes for one seed. */
uint64_t flowkey_hash(const struct flowkey *k, uint64_t seed);

/* True when a and b name the same flow. */
bool flowkey_equal(const struct flowkey *a, const struct flowkey *b);

/*
 * The outer UDP source port for a frame's flow: in 49152..65535 (the
 * dynamic range RFC 7348 recommends), equal for both directions.
 */
uint16_t flowkey_source_port(const struct flowkey *k);

#endif
