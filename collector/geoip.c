/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GeoIP lookups with libmaxminddb: which addresses are worth looking up,
 * and which fields of the common free database schemas hold a country
 * code and an AS. It does not decide where results go (flowlog.c does)
 * and never reloads a database while running.
 */
#include "collector/geoip.h"

#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "shared/addr.h"

struct geoip {
	MMDB_s db[GEOIP_MAX_DB]; /* owned: mapped read-only */
	size_t n;                /* how many of db[] are open */
};

/* Field paths tried in order: see geoip.h. NULL-terminated each. */
static const char *const country_paths[][3] = {
	{ "country", "iso_code", NULL },
	{ "registered_country", "iso_code", NULL },
	{ "country_code", NULL, NULL },
	{ "country", NULL, NULL },
};
static const char *const asn_paths[][2] = {
	{ "autonomous_system_number", NULL },
	{ "asn", NULL },
};
static const char *const org_paths[][2] = {
	{ "autonomous_system_organization", NULL },
	{ "as_name", NULL },
	{ "as_org", NULL },
	{ "asn_org", NULL },
};

#define CIDR4(a, b, c, d, len) { 4, len, { a, b, c, d } }

/* IPv4 ranges that are not globally reachable (IANA special-purpose registry). */
static const struct addr_cidr not_public4[] = {
	CIDR4(0, 0, 0, 0, 8),        /* "this network" */
	CIDR4(10, 0, 0, 0, 8),       /* private, RFC 1918 */
	CIDR4(100, 64, 0, 0, 10),    /* shared address space (CGNAT), RFC 6598 */
	CIDR4(127, 0, 0, 0, 8),      /* loopback */
	CIDR4(169, 254, 0, 0, 16),   /* link-local */
	CIDR4(172, 16, 0, 0, 12),    /* private */
	CIDR4(192, 0, 0, 0, 24),     /* IETF protocol assignments */
	CIDR4(192, 0, 2, 0, 24),     /* documentation TEST-NET-1 */
	CIDR4(192, 168, 0, 0, 16),   /* private */
	CIDR4(198, 18, 0, 0, 15),    /* benchmarking, RFC 2544 */
	CIDR4(198, 51, 100, 0, 24),  /* documentation TEST-NET-2 */
	CIDR4(203, 0, 113, 0, 24),   /* documentation TEST-NET-3 */
	CIDR4(224, 0, 0, 0, 4),      /* multicast */
	CIDR4(240, 0, 0, 0, 4),      /* reserved, and 255.255.255.255 */
};

/* Inside 2000::/3 (global unicast), the ranges that are still not public. */
static const struct addr_cidr not_public6[] = {
	{ 6, 32, { 0x20, 0x01, 0x0d, 0xb8 } }, /* documentation, RFC 3849 */
	{ 6, 20, { 0x3f, 0xff } },             /* documentation, RFC 9637 */
	{ 6, 48, { 0x20, 0x01, 0x00, 0x02 } }, /* benchmarking, RFC 5180 */
	{ 6, 28, { 0x20, 0x01, 0x00, 0x10 } }, /* ORCHID (deprecated) */
	{ 6, 28, { 0x20, 0x01, 0x00, 0x20 } }, /* ORCHIDv2 */
};

static const uint8_t v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};
static const uint8_t nat64_prefix[12] = { 0x00, 0x64, 0xff, 0x9b };

bool
geoip_addr_is_public(uint8_t family, const uint8_t *addr)
{
	const struct addr_cidr *t;
	size_t n;

	if (family == 4) {
		t = not_public4;
		n = sizeof(not_public4) / sizeof(not_public4[0]);
	} else if (family == 6) {
		/* embedded IPv4: ::ffff:a.b.c.d and NAT64's 64:ff9b::a.b.c.d */
		if (memcmp(addr, v4mapped_prefix, 12) == 0 ||
		    memcmp(addr, nat64_prefix, 12) == 0) {
			return geoip_addr_is_public(4, addr + 12);
		}
		/* loopback, ULA, link-local, multicast, ... all lie outside 2000::/3 */
		if ((addr[0] & 0xe0) != 0x20) {
			return false;
		}
		t = not_public6;
		n = sizeof(not_public6) / sizeof(not_public6[0]);
	} else {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (addr_cidr_contains(&t[i], family, addr)) {
			return false;
		}
	}
	return true;
}

struct geoip *
geoip_create(const char *const *paths, size_t npaths, char *err, size_t errlen)
{
	struct geoip *g = NULL;

	if (npaths == 0 || npaths > GEOIP_MAX_DB) {
		snprintf(err, errlen, "geoip: %zu databases given, 1..%d allowed",
			 npaths, GEOIP_MAX_DB);
		goto fail;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		snprintf(err, errlen, "geoip: %s", strerror(errno));
		goto fail;
	}
	for (size_t i = 0; i < npaths; i++) {
		int status = MMDB_open(paths[i], MMDB_MODE_MMAP, &g->db[i]);

		if (status != MMDB_SUCCESS) {
			if (status == MMDB_IO_ERROR) {
				snprintf(err, errlen, "%s: %s: %s", paths[i],
					 MMDB_strerror(status), strerror(errno));
			} else {
				snprintf(err, errlen, "%s: %s", paths[i],
					 MMDB_strerror(status));
			}
			goto fail;
		}
		g->n++;
	}
	return g;

fail:
	geoip_destroy(g);
	return NULL;
}

void
geoip_destroy(struct geoip *g)
{
	if (g == NULL) {
		return;
	}
	for (size_t i = 0; i < g->n; i++) {
		MMDB_close(&g->db[i]);
	}
	free(g);
}

/* Copy a UTF-8 string into out, cut at a character boundary to fit. */
static void
copy_utf8(char *out, size_t outlen, const char *s, size_t len)
{
	if (len >= outlen) {
		len = outlen - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80) {
			len--;
		}
	}
	memcpy(out, s, len);
	out[len] = '\0';
}

/* A path that is absent or of another shape is "not there", not an error. */
static bool
path_is_error(int status)
{
	return status != MMDB_SUCCESS &&
	       status != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR &&
	       status != MMDB_INVALID_LOOKUP_PATH_ERROR;
}

static int
get_country(MMDB_entry_s *e, char *out)
{
	for (size_t i = 0; i < sizeof(country_paths) / sizeof(country_paths[0]); i++) {
		MMDB_entry_data_s d;
		int status = MMDB_aget_value(e, &d, country_paths[i]);
		bool ok = true;

		if (path_is_error(status)) {
			return -1;
		}
		if (status != MMDB_SUCCESS || !d.has_data ||
		    d.type != MMDB_DATA_TYPE_UTF8_STRING ||
		    d.data_size < 2 || d.data_size >= GEOIP_COUNTRY_LEN) {
			continue;
		}
		for (uint32_t k = 0; k < d.data_size; k++) {
			char c = d.utf8_string[k];

			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
				ok = false;
			}
		}
		if (ok) {
			copy_utf8(out, GEOIP_COUNTRY_LEN, d.utf8_string, d.data_size);
			return 0;
		}
	}
	return 0;
}

/* "AS13335" or "13335" as IPinfo writes it; 0 when it is neither. */
static uint32_t
parse_asn(const char *s, uint32_t len)
{
	uint64_t v = 0;
	uint32_t i = 0;

	if (len >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's')) {
		i = 2;
	}
	if (i == len) {
		return 0;
	}
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return 0;
		}
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX) {
			return 0;
		}
	}
	return (uint32_t)v;
}

static int
get_asn(MMDB_entry_s *e, uint32_t *asn)
{
	for (size_t i = 0; i < sizeof(asn_paths) / sizeof(asn_paths[0]); i++) {
		MMDB_entry_data_s d;
		int status = MMDB_aget_value(e, &d, asn_paths[i]);
		uint64_t v = 0;

		if (path_is_error(status)) {
			return -1;
		}
		if (status != MMDB_SUCCESS || !d.has_data) {
			continue;
		}
		switch (d.type) {
		case MMDB_DATA_TYPE_UINT16:
			v = d.uint16;
			break;
		case MMDB_DATA_TYPE_UINT32:
			v = d.uint32;
			break;
		case MMDB_DATA_TYPE_UINT64:
			v = d.uint64;
			break;
		case MMDB_DATA_TYPE_INT32:
			v = d.int32 > 0 ? (uint64_t)d.int32 : 0;
			break;
		case MMDB_DATA_TYPE_UTF8_STRING:
			v = parse_asn(d.utf8_string, d.data_size);
			break;
		default:
			break;
		}
		if (v > 0 && v <= UINT32_MAX) {
			*asn = (uint32_t)v;
			return 0;
		}
	}
	return 0;
}

static int
get_org(MMDB_entry_s *e, char *out)
{
	for (size_t i = 0; i < sizeof(org_paths) / sizeof(org_paths[0]); i++) {
		MMDB_entry_data_s d;
		int status = MMDB_aget_value(e, &d, org_paths[i]);

		if (path_is_error(status)) {
			return -1;
		}
		if (status == MMDB_SUCCESS && d.has_data &&
		    d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size > 0) {
			copy_utf8(out, GEOIP_ORG_LEN, d.utf8_string, d.data_size);
			return 0;
		}
	}
	return 0;
}

enum geoip_result
geoip_lookup(const struct geoip *g, uint8_t family, const uint8_t *addr,
	     struct geoip_info *out)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(out, 0, sizeof(*out));
	if (family != 4 && family != 6) {
		return GEOIP_ERROR;
	}
	if (!geoip_addr_is_public(family, addr)) {
		return GEOIP_NOT_PUBLIC;
	}
	memset(&ss, 0, sizeof(ss));
	if (family == 4) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
	}

	for (size_t i = 0; i < g->n; i++) {
		MMDB_lookup_result_s res;
		int mmdb_error = MMDB_SUCCESS;
		uint32_t asn_before;

		/*
		 * MMDB_lookup_sockaddr only reads the mapped file: the library
		 * documents it as safe from many threads on one MMDB_s.
		 */
		res = MMDB_lookup_sockaddr(&g->db[i], (const struct sockaddr *)&ss,
					   &mmdb_error);
		if (mmdb_error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) {
			continue; /* an IPv4-only file, as ip-location-db ships */
		}
		if (mmdb_error != MMDB_SUCCESS) {
			return GEOIP_ERROR;
		}
		if (!res.found_entry) {
			continue;
		}
		asn_before = out->asn;
		if ((out->country[0] == '\0' && get_country(&res.entry, out->country) < 0) ||
		    (out->asn == 0 && get_asn(&res.entry, &out->asn) < 0)) {
			goto fail;
		}
		/* an AS name only beside its own number, never from another file */
		if (out->as_org[0] == '\0' && asn_before == 0 &&
		    get_org(&res.entry, out->as_org) < 0) {
			goto fail;
		}
	}
	if (out->country[0] == '\0' && out->asn == 0 && out->as_org[0] == '\0') {
		return GEOIP_NOT_FOUND;
	}
	return GEOIP_FOUND;

fail:
	memset(out, 0, sizeof(*out));
	return GEOIP_ERROR;
}

const char *
geoip_strerror(enum geoip_result r)
{
	switch (r) {
	case GEOIP_FOUND:
		return "found";
	case GEOIP_NOT_PUBLIC:
		return "not-public";
	case GEOIP_NOT_FOUND:
		return "not-found";
	case GEOIP_ERROR:
		return "error";
	}
	return "unknown";
}
