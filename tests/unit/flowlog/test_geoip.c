/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GeoIP lookups on the tiny databases make-test-mmdb.pl writes: public
 * IPv4 and IPv6 addresses found, non-public ones skipped even though the
 * file has data for them, unknown ones absent, databases with only a
 * country or only an AS, several combined, and lookups from many threads.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/geoip.h"

static char db_path[4][512];
enum { DB_FULL, DB_COUNTRY, DB_ASN, DB_IPINFO };

static void
find_dbs(void)
{
	static const char *const names[] = { "full", "country", "asn", "ipinfo" };
	const char *dir = getenv("VTAP_TEST_MMDB_DIR");

	cr_assert_not_null(dir, "VTAP_TEST_MMDB_DIR is not set (run through meson test)");
	for (size_t i = 0; i < 4; i++) {
		snprintf(db_path[i], sizeof(db_path[i]), "%s/%s.mmdb", dir, names[i]);
	}
}

static struct geoip *
open_dbs(size_t n, const int *which)
{
	const char *paths[GEOIP_MAX_DB];
	char err[256] = "";
	struct geoip *g;

	find_dbs();
	for (size_t i = 0; i < n; i++) {
		paths[i] = db_path[which[i]];
	}
	g = geoip_create(paths, n, err, sizeof(err));
	cr_assert_not_null(g, "geoip_create: %s", err);
	return g;
}

static uint8_t
parse(const char *s, uint8_t *out)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1) {
		return 4;
	}
	cr_assert_eq(inet_pton(AF_INET6, s, out), 1, "bad address %s", s);
	return 6;
}

static enum geoip_result
lookup(const struct geoip *g, const char *s, struct geoip_info *info)
{
	uint8_t a[16];
	uint8_t fam = parse(s, a);

	return geoip_lookup(g, fam, a, info);
}

Test(geoip, finds_country_and_as_of_a_public_ipv4_address)
{
	struct geoip *g = open_dbs(1, (int[]){ DB_FULL });
	struct geoip_info info;

	cr_assert_eq(lookup(g, "1.1.1.1", &info), GEOIP_FOUND);
	cr_expect_str_eq(info.country, "AU");
	cr_expect_eq(info.asn, 13335);
	cr_expect_str_eq(info.as_org, "Cloudflare, Inc.");
	cr_assert_eq(lookup(g, "81.2.69.160", &info), GEOIP_FOUND);
	cr_expect_str_eq(info.country, "GB");
	cr_expect_str_eq(info.as_org, "Andrews & Arnold Ltd");
	geoip_destroy(g);
}

Test(geoip, finds_country_and_as_of_a_public_ipv6_address)
{
	struct geoip *g = open_dbs(1, (int[]){ DB_FULL });
	struct geoip_info info;

	cr_assert_eq(lookup(g, "2606:4700::1111", &info), GEOIP_FOUND);
	cr_expect_str_eq(info.country, "US");
	cr_expect_eq(info.asn, 13335);
	cr_expect_str_eq(info.as_org, "Cloudflare, Inc.");
	/* an IPv4-mapped address is the IPv4 address */
	cr_assert_eq(lookup(g, "::ffff:1.1.1.1", &info), GEOIP_FOUND);
	cr_expect_str_eq(info.country, "AU");
	geoip_destroy(g);
}

Test(geoip, skips_non_public_addresses_even_when_the_database_has_them)
{
	static const char *const addrs[] = {
		"10.1.2.3", "100.64.0.1", "100.127.255.254", "127.0.0.1",
		"169.254.10.20", "172.16.0.1", "172.31.255.255", "192.168.1.1",
		"192.0.2.1", "198.51.100.7", "203.0.113.5", "198.18.0.1",
		"224.0.0.251", "239.255.255.250", "255.255.255.255", "0.0.0.0",
		"240.0.0.1", "::", "::1", "fd00::1", "fc00::1", "fe80::1",
		"ff02::1", "2001:db8::1", "3fff::1", "::ffff:10.0.0.1",
		"::ffff:192.168.0.1", "64:ff9b::10.0.0.1", "100::1",
	};
	struct geoip *g = open_dbs(1, (int[]){ DB_FULL });
	struct geoip_info info;

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		memset(&info, 0x55, sizeof(info));
		cr_expect_eq(lookup(g, addrs[i], &info), GEOIP_NOT_PUBLIC, "%s", addrs[i]);
		cr_expect_str_eq(info.country, "", "%s", addrs[i]);
		cr_expect_eq(info.asn, 0, "%s", addrs[i]);
	}
	geoip_destroy(g);
}

Test(geoip, reports_an_unknown_public_address_as_not_found)
{
	struct geoip *g = open_dbs(1, (int[]){ DB_FULL });
	struct geoip_info info;

	cr_expect_eq(lookup(g, "9.9.9.9", &info), GEOIP_NOT_FOUND);
	cr_expect_str_eq(info.country, "");
	cr_expect_eq(info.asn, 0);
	cr_expect_eq(lookup(g, "2620:fe::fe", &info), GEOIP_NOT_FOUND);
	cr_expect_eq(lookup(g, "172.32.0.1", &info), GEOIP_NOT_FOUND); /* just past 172.16/12 */
	cr_expect_eq(lookup(g, "100.128.0.1", &info), GEOIP_NOT_FOUND); /* just past 100.64/10 */
	geoip_destroy(g);
}

Test(geoip, returns_what_a_partial_record_has)
{
	struct geoip *g = open_dbs(1, (int[]){ DB_FULL });
	struct geoip_info info;

	cr_assert_eq(lookup(g, "2a02:cf40::1", &info), GEOIP_FOUND);
	cr_expect_str_eq(info.country, "DE");
	cr_expect_eq(info.asn, 0);
	cr_expect_str_eq(info.as_org, "");
	cr_assert_eq(lookup(g, "185.0.1.1", &info), GEOIP_FOUND);
	cr_expect_str_eq(info.country, "");
	cr_expect_eq(info.asn, 64500);
	geoip_destroy(g);
}

Test(geoip, reads_a_country_only_ipv4_database)
{
	struct geoip *g = open_dbs(1, (int[]){ DB_COUNTRY });
	struct geoip_info info;

	cr_assert_eq(lookup(g, "1.1.1.1", &info), GEOIP_FOUND);
	cr_expect_str_eq(info.country, "AU");
	cr_expect_eq(info.asn, 0);
	cr_expect_str_eq(info.as_org, "");
	/* an IPv6 lookup in an IPv4-only file is "not found", not an error */
	cr_expect_eq(lookup(g, "2606:4700::1111", &info), GEOIP_NOT_FOUND);
	geoip_destroy(g);
}

Test(geoip, reads_an_asn_only_database)
{
	struct geoip *g = open_dbs(1, (int[]){ DB_ASN });
	struct geoip_info info;

	cr_assert_eq(lookup(g, "1.1.1.1", &info), GEOIP_FOUND);
	cr_expect_str_eq(info.country, "");
	cr_expect_eq(info.asn, 13335);
	cr_expect_str_eq(info.as_org, "Cloudflare, Inc.");
	cr_assert_eq(lookup(g, "2606:4700::1", &info), GEOIP_FOUND);
	cr_expect_eq(info.asn, 13335);
	cr_expect_eq(lookup(g, "81.2.69.160", &info), GEOIP_NOT_FOUND);
	geoip_destroy(g);
}

Test(geoip, combines_a_country_and_an_asn_database)
{
	struct geoip *g = open_dbs(2, (int[]){ DB_COUNTRY, DB_ASN });
	struct geoip_info info;

	cr_assert_eq(lookup(g, "1.1.1.1", &info), GEOIP_FOUND);
	cr_expect_str_eq(info.country, "AU");
	cr_expect_eq(info.asn, 13335);
	cr_expect_str_eq(info.as_org, "Cloudflare, Inc.");
	cr_assert_eq(lookup(g, "81.2.69.160", &info), GEOIP_FOUND);
	cr_expect_str_eq(info.country, "GB");
	cr_expect_eq(info.asn, 0);
	cr_assert_eq(lookup(g, "2606:4700::1", &info), GEOIP_FOUND);
	cr_expect_str_eq(info.country, "");
	cr_expect_eq(info.asn, 13335);
	geoip_destroy(g);
}

Test(geoip, reads_ipinfo_style_as_strings)
{
	struct geoip *g = open_dbs(1, (int[]){ DB_IPINFO });
	struct geoip_info info;

	cr_assert_eq(lookup(g, "1.1.1.1", &info), GEOIP_FOUND);
	cr_expect_str_eq(info.country, "AU");
	cr_expect_eq(info.asn, 13335);
	cr_expect_str_eq(info.as_org, "Cloudflare, Inc.");
	geoip_destroy(g);
}

Test(geoip, refuses_a_missing_or_broken_file_with_its_name)
{
	char err[512] = "", bad[600];
	const char *missing = "/nonexistent/vtap-test.mmdb";
	const char *paths[1];
	int fd;

	find_dbs();
	paths[0] = missing;
	cr_expect_null(geoip_create(paths, 1, err, sizeof(err)));
	cr_expect_not_null(strstr(err, missing), "err: %s", err);

	/* a file that is not an MMDB */
	snprintf(bad, sizeof(bad), "/tmp/vtap-geoip-XXXXXX");
	fd = mkstemp(bad);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "not a database\n", 15), 15);
	close(fd);
	paths[0] = bad;
	err[0] = '\0';
	cr_expect_null(geoip_create(paths, 1, err, sizeof(err)));
	cr_expect_not_null(strstr(err, bad), "err: %s", err);
	unlink(bad);

	cr_expect_null(geoip_create(paths, 0, err, sizeof(err)));
	cr_expect_null(geoip_create(paths, GEOIP_MAX_DB + 1, err, sizeof(err)));
}

Test(geoip, rejects_a_bad_family)
{
	struct geoip *g = open_dbs(1, (int[]){ DB_FULL });
	struct geoip_info info;
	uint8_t a[16] = { 1, 1, 1, 1 };

	cr_expect_eq(geoip_lookup(g, 0, a, &info), GEOIP_ERROR);
	cr_expect_eq(geoip_lookup(g, 5, a, &info), GEOIP_ERROR);
	geoip_destroy(g);
	geoip_destroy(NULL);
}

Test(geoip, judges_public_addresses_by_the_iana_registries)
{
	static const struct {
		const char *a;
		bool pub;
	} t[] = {
		{ "8.8.8.8", true }, { "1.1.1.1", true }, { "11.0.0.1", true },
		{ "9.255.255.255", true }, { "10.0.0.0", false }, { "172.15.255.255", true },
		{ "172.16.0.0", false }, { "192.167.255.255", true }, { "192.169.0.0", true },
		{ "100.63.255.255", true }, { "100.64.0.0", false }, { "169.253.0.1", true },
		{ "223.255.255.255", true }, { "224.0.0.0", false }, { "192.0.1.1", true },
		{ "192.0.0.9", false }, { "198.20.0.1", true }, { "198.19.255.255", false },
		{ "2001:4860:4860::8888", true }, { "2a00:1450:4001:803::1017", true },
		{ "2002:c000:204::1", true }, { "2001:db9::1", true }, { "2001:db8:ffff::1", false },
		{ "2001:2::1", false }, { "2001:3::1", true }, { "3ffe::1", true },
		{ "4000::1", false }, { "1fff::1", false }, { "::ffff:8.8.8.8", true },
		{ "64:ff9b::8.8.8.8", true }, { "fec0::1", false },
	};
	uint8_t a[16];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t fam = parse(t[i].a, a);

		cr_expect_eq(geoip_addr_is_public(fam, a), t[i].pub, "%s", t[i].a);
	}
	cr_expect_not(geoip_addr_is_public(0, a));
}

Test(geoip, names_its_results)
{
	cr_expect_str_eq(geoip_strerror(GEOIP_FOUND), "found");
	cr_expect_str_eq(geoip_strerror(GEOIP_NOT_PUBLIC), "not-public");
	cr_expect_str_eq(geoip_strerror(GEOIP_NOT_FOUND), "not-found");
	cr_expect_str_eq(geoip_strerror(GEOIP_ERROR), "error");
}

#define THREADS 4
#define ROUNDS 20000

struct worker {
	const struct geoip *g;
	unsigned id;
	unsigned bad;
};

static void *
hammer(void *arg)
{
	struct worker *w = arg;
	static const char *const addrs[] = {
		"1.1.1.1", "2606:4700::1111", "10.0.0.1", "9.9.9.9", "81.2.69.160",
	};
	static const enum geoip_result want[] = {
		GEOIP_FOUND, GEOIP_FOUND, GEOIP_NOT_PUBLIC, GEOIP_NOT_FOUND, GEOIP_FOUND,
	};
	static const char *const cc[] = { "AU", "US", "", "", "GB" };
	uint8_t a[5][16], fam[5];

	for (size_t i = 0; i < 5; i++) {
		memset(a[i], 0, 16);
		fam[i] = inet_pton(AF_INET, addrs[i], a[i]) == 1 ? 4 : 6;
		if (fam[i] == 6) {
			inet_pton(AF_INET6, addrs[i], a[i]);
		}
	}
	for (unsigned r = 0; r < ROUNDS; r++) {
		size_t i = (r + w->id) % 5;
		struct geoip_info info;

		if (geoip_lookup(w->g, fam[i], a[i], &info) != want[i] ||
		    strcmp(info.country, cc[i]) != 0) {
			w->bad++;
		}
	}
	return NULL;
}

Test(geoip, answers_lookups_from_several_threads_at_once)
{
	struct geoip *g = open_dbs(2, (int[]){ DB_FULL, DB_ASN });
	pthread_t t[THREADS];
	struct worker w[THREADS];

	for (unsigned i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .g = g, .id = i };
		cr_assert_eq(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
	}
	for (unsigned i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		cr_expect_eq(w[i].bad, 0, "thread %u: %u wrong answers", i, w[i].bad);
	}
	geoip_destroy(g);
}
