/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Community ID v1 flow hashing (https://github.com/corelight/community-id-spec):
 * one string that names a conversation the same way in Zeek, Suricata,
 * Wireshark, Elastic and here, so an analyst can pivot between their logs.
 *
 * The hashed input, every field in network byte order, endpoints ordered
 * so that the smaller (address, port) pair comes first:
 *
 *     0       2               2+L             2+2L  +1  +2    +4    +6
 *     +-------+---------------+---------------+-----+---+-----+-----+
 *     | seed  | saddr (L=4/16)| daddr (L=4/16)|proto| 0 |sport|dport|
 *     +-------+---------------+---------------+-----+---+-----+-----+
 *
 * Ports are hashed for TCP, UDP, SCTP, ICMP and ICMPv6 only. For the ICMPs
 * the "ports" are the message type and either its counterpart type (echo
 * and reply, solicitation and advertisement, ...: both directions then
 * give one ID) or, for one-way messages, the code, in which case the
 * endpoints are not reordered. The ID is "1:" followed by the base64 of
 * the SHA-1 digest.
 */
#ifndef VTAP_COLLECTOR_COMMUNITYID_H
#define VTAP_COLLECTOR_COMMUNITYID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "1:" + 28 base64 characters + NUL */
#define COMMUNITYID_LEN 31
#define COMMUNITYID_SHA1_LEN 20

/*
 * Compute the Community ID v1 of one flow tuple into out.
 *
 * family is 4 or 6; saddr and daddr hold 4 or 16 bytes in network order.
 * proto is the IP protocol number. For TCP (6), UDP (17) and SCTP (132)
 * sport and dport are the ports in host order; for ICMP (1) and ICMPv6
 * (58) sport is the message type and dport its code (the mapping to
 * port equivalents is done here); for any other protocol both are
 * ignored. seed is 0 unless the operator chose a Community ID "domain".
 *
 * Returns false (out set to "") only for a family other than 4 or 6.
 * Pure and thread-safe: no allocation, no logging.
 */
bool communityid_v1(uint16_t seed, uint8_t family, const uint8_t *saddr,
		    const uint8_t *daddr, uint8_t proto, uint16_t sport,
		    uint16_t dport, char out[COMMUNITYID_LEN]);

/*
 * SHA-1 of n bytes into out (FIPS 180-4). Written here rather than taken
 * from libcrypto because OpenSSL 3's one-shot SHA1() fetches and frees a
 * digest context per call, which cost more than the rest of a flow-log
 * record; SHA-1 is used only for the ID, never for security. Pure.
 */
void communityid_sha1(const uint8_t *in, size_t n,
		      uint8_t out[COMMUNITYID_SHA1_LEN]);

#endif
