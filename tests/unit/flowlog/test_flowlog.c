/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flow record: field names, values and JSON types for TCP, UDP,
 * ICMP, other IP and non-IP flows, Zeek's conn_state from TCP flag
 * combinations, Community IDs checked against the spec's and tshark's
 * values, and GeoIP only for public addresses.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/communityid.h"
#include "collector/flowlog.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

/* 2024-05-01T12:34:56Z */
#define T0 1714566896ull
#define NS 1000000000ull

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

/* A flow as the flow table would hand it over: key canonical, orig first. */
static void
make_flow(struct flow *f, uint8_t proto, const char *orig, uint16_t oport,
	  const char *resp, uint16_t rport)
{
	uint8_t o[16], r[16];
	uint8_t fam = parse(orig, o);
	int cmp;

	cr_assert_eq(parse(resp, r), fam);
	memset(f, 0, sizeof(*f));
	memcpy(f->orig_ip, o, 16);
	memcpy(f->resp_ip, r, 16);
	f->orig_port = oport;
	f->resp_port = rport;
	cmp = memcmp(o, r, 16);
	f->orig_is_lo = cmp < 0 || (cmp == 0 && oport <= rport);
	memcpy(f->key.addr_lo, f->orig_is_lo ? o : r, 16);
	memcpy(f->key.addr_hi, f->orig_is_lo ? r : o, 16);
	f->key.port_lo = f->orig_is_lo ? oport : rport;
	f->key.port_hi = f->orig_is_lo ? rport : oport;
	f->key.family = fam;
	f->key.proto = proto;
	f->key.vni = 42;
	f->first_ns = T0 * NS + 123456789; /* .123456 after truncation */
	f->last_ns = f->first_ns + 1500000000;  /* 1.5 s later */
	f->end = FLOW_END_IDLE;
}

static void
set_sender(struct flow *f, const char *ip)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&f->sender;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(40000);
	cr_assert_eq(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
}

static const char *
str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert_not_null(v, "no \"%s\"", key);
	cr_assert(json_is_string(v), "\"%s\" is not a string", key);
	return json_string_value(v);
}

static json_int_t
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert_not_null(v, "no \"%s\"", key);
	cr_assert(json_is_integer(v), "\"%s\" is not an integer", key);
	return json_integer_value(v);
}

static void
absent(json_t *o, const char *key)
{
	cr_expect_null(json_object_get(o, key), "\"%s\" should be absent", key);
}

static struct flow
tcp_flow(void)
{
	struct flow f;

	/* the spec's table: TCP 1.2.3.4:1122 -> 5.6.7.8:3344 */
	make_flow(&f, 6, "1.2.3.4", 1122, "5.6.7.8", 3344);
	f.orig_pkts = 10;
	f.orig_bytes = 1400;
	f.resp_pkts = 8;
	f.resp_bytes = 9000;
	f.tcp_flags_orig = TH_SYN | TH_ACK | TH_PSH | TH_FIN;
	f.tcp_flags_resp = TH_SYN | TH_ACK | TH_PSH | TH_FIN;
	f.end = FLOW_END_TCP_CLOSED;
	set_sender(&f, "192.0.2.7");
	snprintf(f.proto, sizeof(f.proto), "TLS.Cloudflare");
	snprintf(f.category, sizeof(f.category), "Web");
	f.detected = true;
	return f;
}

Test(flowlog, writes_a_tcp_flow_with_every_field_and_type)
{
	struct flow f = tcp_flow();
	json_t *o = flowlog_record(&f, NULL);

	cr_assert_not_null(o);
	cr_expect_str_eq(str(o, "ts"), "2024-05-01T12:34:56.123456Z");
	cr_expect_str_eq(str(o, "end"), "2024-05-01T12:34:57.623456Z");
	cr_assert(json_is_real(json_object_get(o, "duration")));
	cr_expect_float_eq(json_real_value(json_object_get(o, "duration")), 1.5, 1e-9);
	cr_expect_str_eq(str(o, "src_ip"), "1.2.3.4");
	cr_expect_eq(num(o, "src_port"), 1122);
	cr_expect_str_eq(str(o, "dest_ip"), "5.6.7.8");
	cr_expect_eq(num(o, "dest_port"), 3344);
	cr_expect_str_eq(str(o, "proto"), "TCP");
	cr_expect_eq(num(o, "orig_pkts"), 10);
	cr_expect_eq(num(o, "orig_bytes"), 1400);
	cr_expect_eq(num(o, "resp_pkts"), 8);
	cr_expect_eq(num(o, "resp_bytes"), 9000);
	cr_expect_str_eq(str(o, "state"), "SF");
	cr_expect_str_eq(str(o, "end_reason"), "tcp-closed");
	cr_expect_str_eq(str(o, "community_id"), "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	cr_expect_eq(num(o, "vni"), 42);
	cr_expect_str_eq(str(o, "sender"), "192.0.2.7");
	cr_expect_str_eq(str(o, "app_proto"), "TLS.Cloudflare");
	cr_expect_str_eq(str(o, "category"), "Web");
	absent(o, "src_geo");
	absent(o, "dest_geo");
	absent(o, "src_mac");
	json_decref(o);
}

Test(flowlog, puts_the_originator_first_whatever_the_key_order)
{
	struct flow f;
	json_t *o;

	/* the originator is the key's hi side here */
	make_flow(&f, 6, "5.6.7.8", 3344, "1.2.3.4", 1122);
	cr_assert_not(f.orig_is_lo);
	f.tcp_flags_orig = TH_SYN;
	o = flowlog_record(&f, NULL);
	cr_expect_str_eq(str(o, "src_ip"), "5.6.7.8");
	cr_expect_eq(num(o, "src_port"), 3344);
	cr_expect_str_eq(str(o, "dest_ip"), "1.2.3.4");
	cr_expect_eq(num(o, "dest_port"), 1122);
	cr_expect_str_eq(str(o, "state"), "S0");
	/* one Community ID for both directions */
	cr_expect_str_eq(str(o, "community_id"), "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	json_decref(o);
}

Test(flowlog, writes_an_ipv6_udp_flow)
{
	struct flow f;
	json_t *o;

	/* a DNS exchange of dns_fragmented.pcap; tshark's Community ID */
	make_flow(&f, 17, "2001:470:1f0b:16b0:20c:29ff:fe7c:a4cb", 55729,
		  "2001:470:765b::a25:53", 53);
	f.orig_pkts = 1;
	f.orig_bytes = 95;
	f.resp_pkts = 1;
	f.resp_bytes = 1510;
	f.end = FLOW_END_IDLE;
	snprintf(f.proto, sizeof(f.proto), "DNS");
	o = flowlog_record(&f, NULL);
	cr_assert_not_null(o);
	cr_expect_str_eq(str(o, "src_ip"), "2001:470:1f0b:16b0:20c:29ff:fe7c:a4cb");
	cr_expect_eq(num(o, "src_port"), 55729);
	cr_expect_str_eq(str(o, "dest_ip"), "2001:470:765b::a25:53");
	cr_expect_eq(num(o, "dest_port"), 53);
	cr_expect_str_eq(str(o, "proto"), "UDP");
	cr_expect_eq(num(o, "resp_bytes"), 1510);
	cr_expect_str_eq(str(o, "state"), "closed");
	cr_expect_str_eq(str(o, "end_reason"), "idle");
	cr_expect_str_eq(str(o, "community_id"), "1:OSPxl4yCM03J4HyXb4lj15CwmN8=");
	cr_expect_str_eq(str(o, "app_proto"), "DNS");
	absent(o, "category"); /* not known: left out, not "" */
	absent(o, "sender");   /* no outer address (e.g. --inner) */
	json_decref(o);
}

Test(flowlog, calls_a_flow_cut_by_a_timeout_active)
{
	struct flow f;
	json_t *o;

	make_flow(&f, 17, "1.2.3.4", 1122, "5.6.7.8", 3344);
	f.end = FLOW_END_ACTIVE_TIMEOUT;
	o = flowlog_record(&f, NULL);
	cr_expect_str_eq(str(o, "state"), "active");
	cr_expect_str_eq(str(o, "end_reason"), "active-timeout");
	cr_expect_str_eq(str(o, "community_id"), "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=");
	json_decref(o);
}

Test(flowlog, hashes_icmp_echo_flows_and_names_icmp_protocols)
{
	char cid[COMMUNITYID_LEN];
	struct flow f;
	json_t *o;

	/* echo: the key carries the identifier as both ports */
	make_flow(&f, 1, "1.2.3.4", 0x1234, "5.6.7.8", 0x1234);
	o = flowlog_record(&f, NULL);
	cr_expect_str_eq(str(o, "proto"), "ICMP");
	cr_expect_str_eq(str(o, "community_id"), "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=");
	absent(o, "src_port");
	absent(o, "dest_port");
	json_decref(o);

	/*
	 * The record keeps no ICMP type, so the originator is taken to be
	 * the one who sent the echo request: pinging the other way round is
	 * another conversation with another ID, as in the spec.
	 */
	make_flow(&f, 1, "5.6.7.8", 0x1234, "1.2.3.4", 0x1234);
	o = flowlog_record(&f, NULL);
	communityid_v1(0, 4, f.orig_ip, f.resp_ip, 1, 8, 0, cid);
	cr_expect_str_eq(str(o, "community_id"), cid);
	cr_expect_str_neq(cid, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=");
	json_decref(o);

	make_flow(&f, 58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", 7,
		  "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", 7);
	o = flowlog_record(&f, NULL);
	cr_expect_str_eq(str(o, "proto"), "IPv6-ICMP");
	cr_expect_str_eq(str(o, "community_id"), "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=");
	json_decref(o);
}

Test(flowlog, leaves_out_the_community_id_of_icmp_without_type)
{
	struct flow f;
	json_t *o;

	/* not echo: keyed on addresses only, type and code not kept */
	make_flow(&f, 1, "1.2.3.4", 0, "5.6.7.8", 0);
	o = flowlog_record(&f, NULL);
	cr_expect_str_eq(str(o, "proto"), "ICMP");
	absent(o, "community_id");
	json_decref(o);
}

Test(flowlog, numbers_other_ip_protocols_as_strings)
{
	struct flow f;
	json_t *o;

	make_flow(&f, 46, "1.2.3.4", 0, "5.6.7.8", 0);
	o = flowlog_record(&f, NULL);
	cr_expect_str_eq(str(o, "proto"), "46");
	absent(o, "src_port");
	cr_expect_str_eq(str(o, "community_id"), "1:ikv3kmf89luf73WPz1jOs49S768=");
	json_decref(o);

	make_flow(&f, 132, "1.2.3.4", 1122, "5.6.7.8", 3344);
	o = flowlog_record(&f, NULL);
	cr_expect_str_eq(str(o, "proto"), "SCTP");
	cr_expect_eq(num(o, "src_port"), 1122);
	cr_expect_str_eq(str(o, "community_id"), "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=");
	json_decref(o);
}

Test(flowlog, writes_macs_and_ethertype_for_a_non_ip_frame)
{
	static const uint8_t a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
	static const uint8_t b[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct flow f;
	json_t *o;

	memset(&f, 0, sizeof(f));
	memcpy(f.key.addr_lo, a, 6);
	memcpy(f.key.addr_hi, b, 6);
	f.key.ethertype = 0x0806;
	f.key.vni = 7;
	f.orig_is_lo = false; /* the broadcast side sent first, for the test */
	f.first_ns = T0 * NS;
	f.last_ns = T0 * NS;
	f.orig_pkts = 1;
	f.orig_bytes = 60;
	f.end = FLOW_END_SHUTDOWN;
	o = flowlog_record(&f, NULL);
	cr_assert_not_null(o);
	cr_expect_str_eq(str(o, "src_mac"), "ff:ff:ff:ff:ff:ff");
	cr_expect_str_eq(str(o, "dest_mac"), "02:00:00:00:00:0a");
	cr_expect_eq(num(o, "ether_type"), 0x0806);
	cr_expect_str_eq(str(o, "ts"), "2024-05-01T12:34:56.000000Z");
	cr_expect_float_eq(json_real_value(json_object_get(o, "duration")), 0.0, 1e-12);
	cr_expect_str_eq(str(o, "state"), "active");
	cr_expect_str_eq(str(o, "end_reason"), "shutdown");
	cr_expect_eq(num(o, "vni"), 7);
	absent(o, "src_ip");
	absent(o, "dest_ip");
	absent(o, "proto");
	absent(o, "community_id");
	json_decref(o);
}

Test(flowlog, derives_zeek_conn_state_from_tcp_flags)
{
	static const struct {
		uint8_t o, r;
		bool resp_seen;
		const char *state;
	} t[] = {
		{ TH_SYN, 0, false, "S0" },
		{ TH_SYN | TH_ACK, TH_SYN | TH_ACK, true, "S1" },
		{ TH_SYN | TH_ACK | TH_PSH, TH_SYN | TH_ACK | TH_PSH, true, "S1" },
		{ TH_SYN | TH_ACK | TH_FIN, TH_SYN | TH_ACK | TH_FIN, true, "SF" },
		{ TH_SYN, TH_RST | TH_ACK, true, "REJ" },
		{ TH_SYN | TH_ACK | TH_RST, TH_SYN | TH_ACK, true, "RSTO" },
		{ TH_SYN | TH_ACK | TH_FIN | TH_RST, TH_SYN | TH_ACK | TH_FIN, true, "RSTO" },
		{ TH_SYN | TH_ACK, TH_SYN | TH_ACK | TH_RST, true, "RSTR" },
		{ TH_SYN | TH_ACK | TH_FIN, TH_SYN | TH_ACK | TH_RST, true, "RSTR" },
		{ TH_SYN | TH_ACK | TH_FIN, TH_SYN | TH_ACK, true, "S2" },
		{ TH_SYN | TH_ACK, TH_SYN | TH_ACK | TH_FIN, true, "S3" },
		{ TH_SYN | TH_RST, 0, false, "RSTOS0" },
		{ TH_SYN | TH_FIN, 0, false, "SH" },
		{ TH_ACK, TH_SYN | TH_ACK | TH_RST, true, "RSTRH" },
		{ TH_ACK, TH_SYN | TH_ACK | TH_FIN, true, "SHR" },
		{ TH_ACK | TH_PSH, TH_ACK | TH_PSH, true, "OTH" },
		{ TH_ACK | TH_FIN, TH_ACK | TH_FIN, true, "OTH" },
		{ TH_SYN, TH_ACK, true, "OTH" },
		{ 0, 0, false, "OTH" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cr_expect_str_eq(flowlog_tcp_state(t[i].o, t[i].r, t[i].resp_seen),
				 t[i].state, "orig 0x%02x resp 0x%02x", t[i].o, t[i].r);
	}
}

Test(flowlog, writes_the_tcp_state_into_the_record)
{
	struct flow f = tcp_flow();
	json_t *o;

	f.tcp_flags_orig = TH_SYN;
	f.tcp_flags_resp = TH_RST | TH_ACK;
	f.resp_pkts = 1;
	o = flowlog_record(&f, NULL);
	cr_expect_str_eq(str(o, "state"), "REJ");
	json_decref(o);
}

Test(flowlog, names_every_end_reason)
{
	cr_expect_str_eq(flowlog_end_reason(FLOW_END_IDLE), "idle");
	cr_expect_str_eq(flowlog_end_reason(FLOW_END_ACTIVE_TIMEOUT), "active-timeout");
	cr_expect_str_eq(flowlog_end_reason(FLOW_END_EVICTED), "evicted");
	cr_expect_str_eq(flowlog_end_reason(FLOW_END_SHUTDOWN), "shutdown");
	cr_expect_str_eq(flowlog_end_reason(FLOW_END_TCP_CLOSED), "tcp-closed");
	cr_expect_str_eq(flowlog_end_reason(FLOW_END_ACTIVE), "active");
}

Test(flowlog, formats_times_as_rfc3339_utc_with_microseconds)
{
	regex_t re;
	struct flow f = tcp_flow();
	json_t *o;

	f.first_ns = 0;
	f.last_ns = 4102444799ull * NS + 999999999ull; /* 2099-12-31T23:59:59.999999 */
	o = flowlog_record(&f, NULL);
	cr_expect_str_eq(str(o, "ts"), "1970-01-01T00:00:00.000000Z");
	cr_expect_str_eq(str(o, "end"), "2099-12-31T23:59:59.999999Z");
	cr_assert_eq(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$",
			     REG_EXTENDED | REG_NOSUB), 0);
	cr_expect_eq(regexec(&re, str(o, "end"), 0, NULL, 0), 0);
	regfree(&re);
	cr_expect_float_eq(json_real_value(json_object_get(o, "duration")),
			   4102444799.999999, 1e-6);
	json_decref(o);
}

Test(flowlog, uses_the_seed_for_the_community_id)
{
	struct flow f = tcp_flow();
	json_t *o = flowlog_record_seeded(&f, NULL, 1);

	cr_expect_str_eq(str(o, "community_id"), "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=");
	json_decref(o);
}

static struct geoip *
open_full_db(void)
{
	const char *dir = getenv("VTAP_TEST_MMDB_DIR");
	char path[512], err[256] = "";
	const char *paths[1] = { path };
	struct geoip *g;

	cr_assert_not_null(dir, "VTAP_TEST_MMDB_DIR is not set (run through meson test)");
	snprintf(path, sizeof(path), "%s/full.mmdb", dir);
	g = geoip_create(paths, 1, err, sizeof(err));
	cr_assert_not_null(g, "%s", err);
	return g;
}

Test(flowlog, adds_geoip_for_public_addresses_only)
{
	struct geoip *g = open_full_db();
	struct flow f;
	json_t *o, *geo;

	make_flow(&f, 6, "10.1.2.3", 40000, "1.1.1.1", 443);
	o = flowlog_record(&f, g);
	absent(o, "src_geo"); /* private, though the database has 10/8 */
	geo = json_object_get(o, "dest_geo");
	cr_assert(json_is_object(geo));
	cr_expect_str_eq(str(geo, "country"), "AU");
	cr_expect_eq(num(geo, "asn"), 13335);
	cr_expect_str_eq(str(geo, "as_org"), "Cloudflare, Inc.");
	json_decref(o);

	/* IPv6, both public: one found with a country only, one unknown */
	make_flow(&f, 17, "2a02:cf40::5", 5353, "2620:fe::fe", 53);
	o = flowlog_record(&f, g);
	geo = json_object_get(o, "src_geo");
	cr_assert(json_is_object(geo));
	cr_expect_str_eq(str(geo, "country"), "DE");
	absent(geo, "asn");
	absent(geo, "as_org");
	absent(o, "dest_geo");
	json_decref(o);

	geoip_destroy(g);
}

/*
 * flowlog_format's text, parsed and dumped again by jansson as the flow
 * log used to dump it, must come back byte for byte: same members, same
 * order, same spelling of every value.
 */
static void
expect_jansson_spelling(const struct flow *f, const struct geoip *g)
{
	struct jsonw w;
	json_t *o;
	char *again, *line;

	jsonw_init(&w);
	cr_assert(flowlog_format(f, g, 0, &w));
	line = strndup(w.buf, w.len);
	o = json_loads(line, 0, NULL);
	cr_assert_not_null(o, "not JSON: %s", line);
	again = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
	cr_assert_str_eq(line, again);
	free(again);
	free(line);
	json_decref(o);
	jsonw_finish(&w);
}

Test(flowlog, formats_records_as_jansson_dumped_them)
{
	struct geoip *g = open_full_db();
	static const uint64_t durations_us[] = {
		0, 3, 12, 99, 100, 123456, 1500000, 86400000000ull, 1000000000000001ull,
	};
	struct flow f = tcp_flow();
	unsigned seed = 99;

	expect_jansson_spelling(&f, NULL);
	for (size_t i = 0; i < sizeof(durations_us) / sizeof(durations_us[0]); i++) {
		f.last_ns = f.first_ns + durations_us[i] * 1000u;
		expect_jansson_spelling(&f, NULL);
	}
	make_flow(&f, 6, "10.1.2.3", 40000, "1.1.1.1", 443);
	expect_jansson_spelling(&f, g);
	make_flow(&f, 17, "2a02:cf40::5", 5353, "2620:fe::fe", 53);
	expect_jansson_spelling(&f, g);
	make_flow(&f, 1, "192.0.2.1", 7, "192.0.2.2", 7);
	expect_jansson_spelling(&f, NULL);
	for (int i = 0; i < 1000; i++) {
		f = tcp_flow();
		f.first_ns = ((uint64_t)rand_r(&seed) << 31 | (uint64_t)rand_r(&seed)) << (rand_r(&seed) % 2);
		f.last_ns = f.first_ns + (uint64_t)rand_r(&seed) * (uint64_t)(rand_r(&seed) % 5000);
		f.orig_bytes = (uint64_t)rand_r(&seed) << (rand_r(&seed) % 33);
		snprintf(f.proto, sizeof(f.proto), "A\"b\\%c\t", (char)(1 + rand_r(&seed) % 126));
		expect_jansson_spelling(&f, NULL);
	}
	geoip_destroy(g);
}

Test(flowlog, formats_times_as_gmtime_does_across_the_calendar)
{
	struct flow f = tcp_flow();
	unsigned seed = 3;

	for (int i = 0; i < 20000; i++) {
		/* 1970 .. 2554, leap days and year ends included by chance */
		uint64_t sec = ((uint64_t)rand_r(&seed) << 3 | (uint64_t)(rand_r(&seed) & 7)) %
			       18446744073ull;
		time_t t = (time_t)sec;
		struct tm tm;
		char want[40], day[32];
		json_t *o;

		if (i < 4) {
			/* the edges: the epoch, a leap day, a year's end, 2100 (no leap) */
			static const uint64_t edge[] = { 0, 951782400, 1735689599, 4107542400 };

			sec = edge[i];
			t = (time_t)sec;
		}
		f.first_ns = sec * NS + 123456789;
		f.last_ns = f.first_ns;
		gmtime_r(&t, &tm);
		strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want, sizeof(want), "%s.123456Z", day);
		o = flowlog_record(&f, NULL);
		cr_assert_str_eq(str(o, "ts"), want);
		json_decref(o);
	}
}

Test(flowlog, leaves_out_names_that_are_not_utf8_and_escapes_the_rest)
{
	struct flow f = tcp_flow();
	json_t *o;

	snprintf(f.proto, sizeof(f.proto), "Bad\xff");
	snprintf(f.category, sizeof(f.category), "Say \"hi\"\n");
	o = flowlog_record(&f, NULL);
	cr_assert_not_null(o);
	absent(o, "app_proto");
	cr_expect_str_eq(str(o, "category"), "Say \"hi\"\n");
	json_decref(o);
}
