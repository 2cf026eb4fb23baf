/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address parsing shared by both daemons: "ADDR:PORT" listen strings
 * (IPv6 in brackets), destination names resolved once, CIDR prefixes,
 * and printing a socket address back.
 */
#ifndef VTAP_SHARED_ADDR_H
#define VTAP_SHARED_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ADDR_STRLEN 64 /* fits "[ipv6%scope]:65535" */

struct addr_cidr {
	uint8_t family;    /* 4 or 6 */
	uint8_t prefix;    /* prefix length in bits */
	uint8_t addr[16];  /* network address, host bits cleared */
};

/*
 * Split "host:port", "[v6]:port" or, with default_port != 0, a bare host
 * into host and port. Port must be 1..65535. Pure: false on a bad string.
 */
bool addr_split(const char *s, uint16_t default_port, char *host,
		size_t hostlen, uint16_t *port);

/*
 * Resolve host (a literal or a DNS name) and port into *ss. Returns 0, or
 * -1 with a one-line reason in err (e.g. "cannot resolve 'x': Name or
 * service not known"). Does not log: callers decide.
 */
int addr_resolve(const char *host, uint16_t port, struct sockaddr_storage *ss,
		 socklen_t *sslen, char *err, size_t errlen);

/* Print "1.2.3.4:4789" or "[::1]:4789" (port omitted when with_port is false). */
const char *addr_format(const struct sockaddr *sa, bool with_port, char *buf,
			size_t len);

/* Parse "10.0.0.0/8", "2001:db8::/32" or a bare address (a host prefix). */
bool addr_parse_cidr(const char *s, struct addr_cidr *out);

/* True when the address (family 4 or 6, bytes in network order) is in c. */
bool addr_cidr_contains(const struct addr_cidr *c, uint8_t family,
			const uint8_t *addr);

#endif
