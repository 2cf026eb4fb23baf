/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses as text for the collector's per-flow output (flow log,
 * sidecar index): the same characters glibc's inet_ntop writes (RFC 5952
 * for IPv6: lower-case hex, the longest run of two or more zero groups
 * as "::", the first of equal runs; "::ffff:a.b.c.d" and "::a.b.c.d" for
 * mapped and compatible IPv4) and "02:00:5e:00:00:01" for MACs, without
 * the stdio formatting inet_ntop goes through, which cost more than the
 * rest of a flow record.
 */
#ifndef VTAP_COLLECTOR_IPFMT_H
#define VTAP_COLLECTOR_IPFMT_H

#include <stddef.h>
#include <stdint.h>

#define IPFMT_V4_LEN 16  /* "255.255.255.255" + NUL */
#define IPFMT_V6_LEN 46  /* INET6_ADDRSTRLEN */
#define IPFMT_MAC_LEN 18 /* "ff:ff:ff:ff:ff:ff" + NUL */

/* Dotted quad of 4 bytes into buf (IPFMT_V4_LEN); returns the length. Pure. */
size_t ipfmt_v4(const uint8_t *a, char *buf);

/* IPv6 text of 16 bytes into buf (IPFMT_V6_LEN); returns the length. Pure. */
size_t ipfmt_v6(const uint8_t *a, char *buf);

/* Lower-case colon-separated MAC of 6 bytes into buf (IPFMT_MAC_LEN). Pure. */
size_t ipfmt_mac(const uint8_t *a, char *buf);

#endif
