/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Country and autonomous system of public addresses, from one or more
 * MaxMind-format (.mmdb) databases: MaxMind GeoLite2 Country/City/ASN,
 * DB-IP Lite, ip-location-db, IPinfo Lite. Free databases often split
 * country and ASN (and IPv4 and IPv6) into separate files: give them all,
 * each field is taken from the first database that has it.
 *
 * Field names understood, in the order tried:
 *   country  country.iso_code, registered_country.iso_code, country_code,
 *            country (a plain string)
 *   asn      autonomous_system_number, asn (a number or "AS13335")
 *   as_org   autonomous_system_organization, as_name, as_org, asn_org
 *
 * Databases are mapped read-only (MMDB_MODE_MMAP) and never change after
 * geoip_create, so any number of threads may call geoip_lookup on one
 * struct geoip at once, without locks.
 */
#ifndef VTAP_COLLECTOR_GEOIP_H
#define VTAP_COLLECTOR_GEOIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEOIP_MAX_DB 8       /* databases one struct geoip may combine */
#define GEOIP_COUNTRY_LEN 4  /* "US" plus room for a 3-letter code, NUL */
#define GEOIP_ORG_LEN 128

struct geoip;

/* What one lookup found. Empty strings and asn 0 mean "not known". */
struct geoip_info {
	char country[GEOIP_COUNTRY_LEN]; /* ISO 3166-1 alpha-2, e.g. "DE" */
	uint32_t asn;                    /* e.g. 13335 */
	char as_org[GEOIP_ORG_LEN];      /* e.g. "Cloudflare, Inc.", cut to fit */
};

enum geoip_result {
	GEOIP_FOUND = 0,   /* at least one of country, asn, as_org is set */
	GEOIP_NOT_PUBLIC,  /* private, loopback, link-local, CGNAT, ...: not looked up */
	GEOIP_NOT_FOUND,   /* public, but no database knows it */
	GEOIP_ERROR,       /* bad family, or a corrupt database */
};

/*
 * Open npaths (1..GEOIP_MAX_DB) databases with MMDB_MODE_MMAP. Returns a
 * new struct geoip to free with geoip_destroy, or NULL with a one-line
 * reason in err (e.g. "/x.mmdb: Error opening the specified MaxMind DB
 * file"). Does not log. Call at start-up, before worker threads start.
 * The paths are not kept.
 */
struct geoip *geoip_create(const char *const *paths, size_t npaths, char *err,
			   size_t errlen);

/* Unmap the databases and free g. NULL is fine. No lookup may be running. */
void geoip_destroy(struct geoip *g);

/*
 * Look up one address (family 4 or 6, 4 or 16 bytes in network order).
 * Only public addresses are looked up (see geoip_addr_is_public); *out is
 * cleared first and filled when GEOIP_FOUND is returned. Pure and
 * thread-safe: no allocation, no logging, g is only read.
 */
enum geoip_result geoip_lookup(const struct geoip *g, uint8_t family,
			       const uint8_t *addr, struct geoip_info *out);

/*
 * True when the address is globally routable unicast: false for the
 * unspecified, private (RFC 1918, ULA), loopback, link-local, shared
 * (CGNAT, RFC 6598), multicast, broadcast, reserved, benchmarking and
 * documentation ranges of IPv4 and IPv6 (IANA special-purpose registries).
 * IPv4-mapped IPv6 addresses are judged by their IPv4 address. Pure.
 */
bool geoip_addr_is_public(uint8_t family, const uint8_t *addr);

/* Static text for a result value, e.g. "not-public". */
const char *geoip_strerror(enum geoip_result r);

#endif
