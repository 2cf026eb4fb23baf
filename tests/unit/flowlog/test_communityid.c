/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Community ID v1 against the spec's published values (the tables of
 * corelight/community-id-spec baseline/README.md and the flows of its
 * baseline_deflt.json / baseline_seed1.json), and against tshark's own
 * implementation on real captures when tshark and ../shared are there.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/communityid.h"

struct vector {
	uint8_t proto;
	const char *saddr;
	const char *daddr;
	uint16_t sport;  /* ICMP: type */
	uint16_t dport;  /* ICMP: code */
	uint16_t seed;
	const char *id;
};

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

static void
check(const struct vector *v)
{
	uint8_t a[16], b[16];
	uint8_t fa = parse(v->saddr, a), fb = parse(v->daddr, b);
	char id[COMMUNITYID_LEN];

	cr_assert_eq(fa, fb);
	cr_assert(communityid_v1(v->seed, fa, a, b, v->proto, v->sport, v->dport, id));
	cr_expect_str_eq(id, v->id, "proto %u %s:%u -> %s:%u seed %u", v->proto,
			 v->saddr, v->sport, v->daddr, v->dport, v->seed);
}

#define LL_A "fe80:0001:0203:0405:0607:0809:0A0B:0C0D"
#define LL_B "fe80:1011:1213:1415:1617:1819:1A1B:1C1D"

Test(communityid, matches_the_spec_table_for_tcp_udp_and_sctp_both_ways)
{
	static const struct vector v[] = {
		{ 6, "1.2.3.4", "5.6.7.8", 1122, 3344, 0, "1:wCb3OG7yAFWelaUydu0D+125CLM=" },
		{ 6, "5.6.7.8", "1.2.3.4", 3344, 1122, 0, "1:wCb3OG7yAFWelaUydu0D+125CLM=" },
		{ 17, "1.2.3.4", "5.6.7.8", 1122, 3344, 0, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=" },
		{ 17, "5.6.7.8", "1.2.3.4", 3344, 1122, 0, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=" },
		{ 132, "1.2.3.4", "5.6.7.8", 1122, 3344, 0, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=" },
		{ 132, "5.6.7.8", "1.2.3.4", 3344, 1122, 0, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		check(&v[i]);
	}
}

Test(communityid, maps_icmp_echo_and_reply_to_one_id)
{
	static const struct vector v[] = {
		{ 1, "1.2.3.4", "5.6.7.8", 8, 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=" },
		{ 1, "5.6.7.8", "1.2.3.4", 0, 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=" },
		{ 58, LL_A, LL_B, 128, 0, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=" },
		{ 58, LL_B, LL_A, 129, 0, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		check(&v[i]);
	}
}

Test(communityid, hashes_one_way_icmp_with_its_code_and_no_reordering)
{
	static const struct vector v[] = {
		{ 1, "1.2.3.4", "5.6.7.8", 11, 0, 0, "1:f/YiSyWqczrTgfUCZlBUnvHRcPk=" },
		{ 58, LL_A, LL_B, 146, 0, 0, "1:fYC8+pz24E+EhANP1EZhpX0Dw10=" },
		/* baseline_deflt.json: ICMPv6 unreachable and time exceeded */
		{ 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, 0,
		  "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=" },
		{ 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, 0,
		  "1:hLZd0XGWojozrvxqE0dWB1iM6R0=" },
		{ 1, "10.0.0.1", "10.0.0.2", 11, 0, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM=" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		check(&v[i]);
	}
}

Test(communityid, pairs_icmpv6_neighbor_and_router_discovery)
{
	/* baseline_deflt.json: real NS/NA and RS/RA packets */
	static const struct vector v[] = {
		{ 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0, 0,
		  "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
		{ 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0, 0,
		  "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
		{ 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 0, 0,
		  "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
		{ 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 0, 0,
		  "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
		{ 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 0, 0,
		  "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
		{ 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 0, 0,
		  "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=" },
		{ 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 0, 0,
		  "1:pkvHqCL88/tg1k4cPigmZXUtL00=" },
		{ 1, "192.168.0.89", "192.168.0.1", 8, 0, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
		{ 1, "192.168.0.1", "192.168.0.89", 0, 0, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		check(&v[i]);
	}
}

Test(communityid, hashes_portless_protocols_on_addresses_alone)
{
	static const struct vector v[] = {
		{ 46, "1.2.3.4", "5.6.7.8", 0, 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768=" },
		{ 46, "5.6.7.8", "1.2.3.4", 0, 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768=" },
		{ 46, LL_A, LL_B, 0, 0, 0, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=" },
		{ 46, LL_B, LL_A, 0, 0, 0, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=" },
		/* ports given for such a protocol are ignored */
		{ 46, "1.2.3.4", "5.6.7.8", 99, 77, 0, "1:ikv3kmf89luf73WPz1jOs49S768=" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		check(&v[i]);
	}
}

Test(communityid, matches_real_ipv4_and_ipv6_flows_of_the_baseline)
{
	static const struct vector v[] = {
		{ 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a",
		  63943, 25, 0, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
		{ 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887",
		  25, 63943, 0, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
		{ 132, "192.168.170.8", "192.168.170.56", 7, 7, 0, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
		{ 132, "192.168.170.56", "192.168.170.8", 7, 7, 0, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
		{ 6, "128.232.110.120", "66.35.250.204", 34855, 80, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
		{ 6, "66.35.250.204", "128.232.110.120", 80, 34855, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
		{ 17, "192.168.1.52", "8.8.8.8", 54585, 53, 0, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
		{ 17, "8.8.8.8", "192.168.1.52", 53, 54585, 0, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
		{ 46, "10.1.12.1", "10.1.12.2", 0, 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		check(&v[i]);
	}
}

Test(communityid, changes_with_the_seed_as_published)
{
	static const struct vector v[] = {
		{ 6, "1.2.3.4", "5.6.7.8", 1122, 3344, 1, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
		{ 6, "5.6.7.8", "1.2.3.4", 3344, 1122, 1, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
		{ 17, "1.2.3.4", "5.6.7.8", 1122, 3344, 1, "1:OShq+iKDAMVouh/4bMxB9Sz4amw=" },
		{ 132, "1.2.3.4", "5.6.7.8", 1122, 3344, 1, "1:uitchpn5MMGAQKBJh7bIr/bAr7s=" },
		{ 1, "1.2.3.4", "5.6.7.8", 8, 0, 1, "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=" },
		{ 1, "5.6.7.8", "1.2.3.4", 0, 0, 1, "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=" },
		{ 1, "1.2.3.4", "5.6.7.8", 11, 0, 1, "1:1DD7cWGC/Yg91YGsQeni8du3pIA=" },
		{ 58, LL_A, LL_B, 128, 0, 1, "1:IO27GQzPuCtNnwFvjWALMHu5tJE=" },
		{ 58, LL_A, LL_B, 146, 0, 1, "1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s=" },
		{ 46, "1.2.3.4", "5.6.7.8", 0, 0, 1, "1:/buhqeOmaRCopOZFy9HnoJd5XW8=" },
		{ 46, LL_A, LL_B, 0, 0, 1, "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=" },
		{ 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a",
		  63943, 25, 1, "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
		{ 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 0, 1,
		  "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8=" },
	};
	uint8_t a[16], b[16];
	char id0[COMMUNITYID_LEN], id1[COMMUNITYID_LEN];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		check(&v[i]);
	}
	parse("1.2.3.4", a);
	parse("5.6.7.8", b);
	communityid_v1(0, 4, a, b, 6, 1122, 3344, id0);
	communityid_v1(0xffff, 4, a, b, 6, 1122, 3344, id1);
	cr_expect_str_neq(id0, id1);
}

Test(communityid, refuses_a_family_that_is_not_ip)
{
	uint8_t a[16] = { 1 }, b[16] = { 2 };
	char id[COMMUNITYID_LEN] = "x";

	cr_expect_not(communityid_v1(0, 0, a, b, 6, 1, 2, id));
	cr_expect_str_eq(id, "");
	cr_expect_not(communityid_v1(0, 5, a, b, 6, 1, 2, id));
}

/* ---- tshark as the oracle on real captures ------------------------- */

#define TSHARK_FIELDS                                                         \
	"-e frame.protocols -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst "      \
	"-e ip.proto -e tcp.srcport -e tcp.dstport -e udp.srcport "            \
	"-e udp.dstport -e sctp.srcport -e sctp.dstport -e icmp.type "         \
	"-e icmp.code -e icmpv6.type -e icmpv6.code -e communityid"

enum {
	F_PROTOS, F_IP_SRC, F_IP_DST, F_IP6_SRC, F_IP6_DST, F_IP_PROTO,
	F_TCP_S, F_TCP_D, F_UDP_S, F_UDP_D, F_SCTP_S, F_SCTP_D,
	F_ICMP_T, F_ICMP_C, F_ICMP6_T, F_ICMP6_C, F_CID, F__COUNT
};

/* Split a tab-separated line in place; false unless it has every field. */
static bool
split(char *line, char **f)
{
	size_t n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	for (char *p = line;; p++) {
		if (n == F__COUNT) {
			return false;
		}
		f[n++] = p;
		p = strchr(p, '\t');
		if (p == NULL) {
			break;
		}
		*p = '\0';
	}
	return n == F__COUNT;
}

/* The innermost IP layer, as tshark hashes it: 4, 6 or 0. */
static int
inner_family(const char *protocols)
{
	int fam = 0;
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", protocols);
	for (char *save = NULL, *t = strtok_r(buf, ":", &save); t != NULL;
	     t = strtok_r(NULL, ":", &save)) {
		if (strcmp(t, "ip") == 0) {
			fam = 4;
		} else if (strcmp(t, "ipv6") == 0) {
			fam = 6;
		}
	}
	return fam;
}

static bool
single(const char *s)
{
	return s[0] != '\0' && strchr(s, ',') == NULL;
}

/*
 * One tshark row to a tuple; false for rows the comparison cannot use:
 * nested IP in one family, fragments without ports, ICMP errors quoting
 * another packet, IPv6 with an unusual next header.
 */
static bool
row_tuple(char **f, struct vector *v, uint8_t *a, uint8_t *b, uint8_t *fam)
{
	int family = inner_family(f[F_PROTOS]);
	const char *s = family == 4 ? f[F_IP_SRC] : f[F_IP6_SRC];
	const char *d = family == 4 ? f[F_IP_DST] : f[F_IP6_DST];

	if (family == 0 || !single(s) || !single(d) || !single(f[F_CID])) {
		return false;
	}
	memset(v, 0, sizeof(*v));
	if (single(f[F_TCP_S]) && single(f[F_TCP_D])) {
		v->proto = 6;
		v->sport = (uint16_t)atoi(f[F_TCP_S]);
		v->dport = (uint16_t)atoi(f[F_TCP_D]);
	} else if (single(f[F_UDP_S]) && single(f[F_UDP_D])) {
		v->proto = 17;
		v->sport = (uint16_t)atoi(f[F_UDP_S]);
		v->dport = (uint16_t)atoi(f[F_UDP_D]);
	} else if (single(f[F_SCTP_S]) && single(f[F_SCTP_D])) {
		v->proto = 132;
		v->sport = (uint16_t)atoi(f[F_SCTP_S]);
		v->dport = (uint16_t)atoi(f[F_SCTP_D]);
	} else if (family == 4 && single(f[F_ICMP_T]) && single(f[F_ICMP_C])) {
		v->proto = 1;
		v->sport = (uint16_t)atoi(f[F_ICMP_T]);
		v->dport = (uint16_t)atoi(f[F_ICMP_C]);
	} else if (family == 6 && single(f[F_ICMP6_T]) && single(f[F_ICMP6_C])) {
		v->proto = 58;
		v->sport = (uint16_t)atoi(f[F_ICMP6_T]);
		v->dport = (uint16_t)atoi(f[F_ICMP6_C]);
	} else if (family == 4 && single(f[F_IP_PROTO])) {
		v->proto = (uint8_t)atoi(f[F_IP_PROTO]);
		if (v->proto == 6 || v->proto == 17 || v->proto == 132 || v->proto == 1) {
			return false; /* a fragment without its L4 header */
		}
	} else {
		return false;
	}
	if (strchr(f[F_ICMP_T], ',') != NULL || strchr(f[F_ICMP6_T], ',') != NULL) {
		return false;
	}
	*fam = (uint8_t)family;
	return inet_pton(family == 4 ? AF_INET : AF_INET6, s, a) == 1 &&
	       inet_pton(family == 4 ? AF_INET : AF_INET6, d, b) == 1;
}

Test(communityid, agrees_with_tshark_on_real_captures)
{
	static const char *const files[] = {
		"dns.pcap", "http_ipv6.pcap", "icmp-tunnel.pcap", "6in4tunnel.pcap",
		"dns_fragmented.pcap", "ipsec_isakmp_esp.pcap", "stun.pcap",
		"smtp-starttls.pcap",
	};
	const char *dir = getenv("VTAP_TEST_PCAPS");
	size_t compared = 0, protos[256] = { 0 };

	if (dir == NULL || access(dir, R_OK) != 0) {
		cr_skip_test("no captures (VTAP_TEST_PCAPS unset or ../shared absent)");
	}
	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		cr_skip_test("no tshark");
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char cmd[1024], line[4096];
		size_t rows = 0;
		FILE *p;

		snprintf(cmd, sizeof(cmd),
			 "tshark -n --enable-protocol communityid -r '%s/%s' -T fields "
			 "-E separator=/t -E occurrence=a -E aggregator=, %s 2>/dev/null",
			 dir, files[i], TSHARK_FIELDS);
		p = popen(cmd, "r");
		cr_assert_not_null(p);
		while (fgets(line, sizeof(line), p) != NULL) {
			char *f[F__COUNT], id[COMMUNITYID_LEN];
			uint8_t a[16], b[16], fam;
			struct vector v;

			if (!split(line, f) || !row_tuple(f, &v, a, b, &fam)) {
				continue;
			}
			cr_assert(communityid_v1(0, fam, a, b, v.proto, v.sport, v.dport, id));
			cr_expect_str_eq(id, f[F_CID], "%s: proto %u %s -> %s ports %u %u",
					 files[i], v.proto,
					 fam == 4 ? f[F_IP_SRC] : f[F_IP6_SRC],
					 fam == 4 ? f[F_IP_DST] : f[F_IP6_DST], v.sport, v.dport);
			protos[v.proto]++;
			rows++;
		}
		pclose(p);
		cr_expect_gt(rows, 0, "%s: tshark gave no usable rows", files[i]);
		compared += rows;
	}
	/* the captures cover TCP, UDP, ICMP and ICMPv6 over v4 and v6 */
	cr_expect_gt(protos[6], 0);
	cr_expect_gt(protos[17], 0);
	cr_expect_gt(protos[1], 0);
	cr_expect_gt(protos[58], 0);
	cr_log_info("compared %zu packets with tshark", compared);
}

Test(communityid, sha1_agrees_with_libcrypto_at_every_length_and_block_edge)
{
	uint8_t in[300], want[SHA_DIGEST_LENGTH], got[COMMUNITYID_SHA1_LEN];
	unsigned seed = 1;

	/* FIPS 180-2 appendix A: "abc" */
	communityid_sha1((const uint8_t *)"abc", 3, got);
	cr_expect_eq(memcmp(got, "\xa9\x99\x3e\x36\x47\x06\x81\x6a\xba\x3e\x25\x71"
			    "\x78\x50\xc2\x6c\x9c\xd0\xd8\x9d", 20), 0);
	for (size_t n = 0; n <= sizeof(in); n++) {
		for (size_t i = 0; i < n; i++) {
			in[i] = (uint8_t)rand_r(&seed);
		}
		SHA1(in, n, want);
		communityid_sha1(in, n, got);
		cr_assert_eq(memcmp(got, want, sizeof(want)), 0, "length %zu", n);
	}
}
