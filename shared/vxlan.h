/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VXLAN header codec, RFC 7348 section 5.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |R|R|R|R|I|R|R|R|            Reserved                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                VXLAN Network Identifier (VNI) |   Reserved    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Flags: I (0x08) must be 1 for a valid VNI; the other flag bits and all
 * reserved fields are sent as zero and ignored on receipt (we accept them
 * and report that they were set, so a collector can count them).
 * The header rides in UDP, destination port 4789 (IANA), and is followed
 * by the inner Ethernet frame without its FCS.
 */
#ifndef VTAP_SHARED_VXLAN_H
#define VTAP_SHARED_VXLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VXLAN_HLEN 8
#define VXLAN_PORT 4789
#define VXLAN_FLAG_I 0x08
#define VXLAN_VNI_MAX 0xffffffu /* 2^24 - 1 */
#define VXLAN_ETH_MIN 14 /* an inner Ethernet header at least */

struct vxlan_hdr {
	uint32_t vni;        /* 24-bit VXLAN Network Identifier */
	uint8_t flags;       /* the whole flags byte as received */
	bool reserved_set;   /* some reserved bit (flags or fields) was set */
};

enum vxlan_err {
	VXLAN_OK = 0,
	VXLAN_ERR_SHORT,     /* fewer than 8 header + 14 Ethernet bytes */
	VXLAN_ERR_NO_I_FLAG, /* I flag clear: not a valid VXLAN header */
};

/*
 * Write the 8-byte header for vni (which must be <= VXLAN_VNI_MAX) into out:
 * flags exactly 0x08, every reserved bit zero.
 */
void vxlan_encode(uint8_t out[VXLAN_HLEN], uint32_t vni);

/*
 * Decode the header at the start of a UDP payload of len bytes. On VXLAN_OK
 * fills *h; the inner frame starts at buf + VXLAN_HLEN. Pure: never logs.
 */
enum vxlan_err vxlan_decode(const uint8_t *buf, size_t len, struct vxlan_hdr *h);

/* Static text for an error value, e.g. "short". */
const char *vxlan_strerror(enum vxlan_err err);

#endif
