/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host/port splitting, name resolution, CIDR matching and printing of
 * socket addresses. It opens no sockets.
 */
#include "shared/addr.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/number.h"

bool
addr_split(const char *s, uint16_t default_port, char *host, size_t hostlen,
	   uint16_t *port)
{
	const char *h = s, *colon = NULL, *close;
	size_t n;
	uint64_t p;

	if (s == NULL || *s == '\0') {
		return false;
	}
	if (*s == '[') {
		close = strchr(s, ']');
		if (close == NULL) {
			return false;
		}
		h = s + 1;
		n = (size_t)(close - h);
		if (close[1] == ':') {
			colon = close + 1;
		} else if (close[1] != '\0') {
			return false;
		}
	} else {
		colon = strrchr(s, ':');
		/* more than one colon without brackets: a bare IPv6 address */
		if (colon != NULL && strchr(s, ':') != colon) {
			colon = NULL;
		}
		n = colon != NULL ? (size_t)(colon - s) : strlen(s);
	}
	if (n == 0 || n >= hostlen) {
		return false;
	}
	if (colon != NULL) {
		if (!number_parse_u64(colon + 1, 1, 65535, &p)) {
			return false;
		}
	} else if (default_port != 0) {
		p = default_port;
	} else {
		return false;
	}
	memcpy(host, h, n);
	host[n] = '\0';
	*port = (uint16_t)p;
	return true;
}

int
addr_resolve(const char *host, uint16_t port, struct sockaddr_storage *ss,
	     socklen_t *sslen, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char service[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_ADDRCONFIG;
	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc == EAI_ADDRFAMILY || rc == EAI_NONAME) {
		/* AI_ADDRCONFIG refuses literals on hosts with no address yet */
		hints.ai_flags = 0;
		rc = getaddrinfo(host, service, &hints, &res);
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve '%s': %s", host,
			 gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

const char *
addr_format(const struct sockaddr *sa, bool with_port, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		if (with_port) {
			snprintf(buf, len, "%s:%u", ip, ntohs(in->sin_port));
		} else {
			snprintf(buf, len, "%s", ip);
		}
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		if (with_port) {
			snprintf(buf, len, "[%s]:%u", ip, ntohs(in6->sin6_port));
		} else {
			snprintf(buf, len, "%s", ip);
		}
	} else {
		snprintf(buf, len, "(family %d)", sa->sa_family);
	}
	return buf;
}

bool
addr_parse_cidr(const char *s, struct addr_cidr *out)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	uint64_t prefix;
	unsigned max;

	if (n == 0 || n >= sizeof(host)) {
		return false;
	}
	memcpy(host, s, n);
	host[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, host, out->addr) == 1) {
		out->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, host, out->addr) == 1) {
		out->family = 6;
		max = 128;
	} else {
		return false;
	}
	if (slash == NULL) {
		prefix = max;
	} else if (!number_parse_u64(slash + 1, 0, max, &prefix)) {
		return false;
	}
	out->prefix = (uint8_t)prefix;
	for (unsigned bit = out->prefix; bit < max; bit++) {
		out->addr[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	}
	return true;
}

bool
addr_cidr_contains(const struct addr_cidr *c, uint8_t family,
		   const uint8_t *addr)
{
	unsigned full = c->prefix / 8, rest = c->prefix % 8;

	if (family != c->family) {
		return false;
	}
	if (memcmp(c->addr, addr, full) != 0) {
		return false;
	}
	if (rest != 0) {
		uint8_t mask = (uint8_t)(0xffu << (8 - rest));

		return (addr[full] & mask) == c->addr[full];
	}
	return true;
}
