/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Classification of single flows with nDPI: hand-built DNS and HTTP are
 * named, nDPI state lives only while a flow is being classified, packet
 * limits and the end-of-flow guess follow ndpiReader 4.2, and frames nDPI
 * cannot use are not fed. Flows here are plain records (no flow table).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "collector/classify.h"
#include "collector/flow.h"
#include "frames.h"

#define MS 1000000ull

static struct classify *cls;

static void
setup(void)
{
	char err[256];

	cls = classify_create(err, sizeof(err));
	cr_assert_not_null(cls, "%s", err);
}

static void
teardown(void)
{
	classify_destroy(cls);
	cls = NULL;
}

TestSuite(classify, .init = setup, .fini = teardown);

static void
feed(struct flow *f, struct pkt *p, uint64_t now)
{
	classify_packet(cls, f, &p->fr, p->b, p->len, now);
}

static uint64_t
live(void)
{
	struct classify_stats st;

	classify_get_stats(cls, &st);
	return st.live;
}

/* A DNS query for name (dotted) of type A. */
static size_t
dns_query(uint8_t *b, const char *name)
{
	size_t n = 12;
	const char *p = name;

	memset(b, 0, 12);
	put16(b, 0x4a1d);
	put16(b + 2, 0x0100); /* recursion desired */
	put16(b + 4, 1);
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t l = dot != NULL ? (size_t)(dot - p) : strlen(p);

		b[n++] = (uint8_t)l;
		memcpy(b + n, p, l);
		n += l;
		p += l + (dot != NULL);
	}
	b[n++] = 0;
	put16(b + n, 1);
	put16(b + n + 2, 1);
	return n + 4;
}

static const struct ends dns_ends = {
	.src = { 192, 168, 1, 10 }, .dst = { 192, 168, 1, 1 },
	.sport = 53000, .dport = 53,
};

/* The answer to a dns_query of qlen bytes: one A record. */
static size_t
dns_answer(uint8_t *b, size_t qlen)
{
	static const uint8_t rr[] = {
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 142, 250, 180, 4,
	};

	put16(b + 2, 0x8180);
	put16(b + 6, 1);
	memcpy(b + qlen, rr, sizeof(rr));
	return qlen + sizeof(rr);
}

Test(classify, a_dns_query_is_named_on_its_first_packet)
{
	struct ends r = ends_reverse(dns_ends);
	struct flow f = { 0 };
	uint8_t q[128];
	size_t qlen;
	struct pkt p;

	qlen = dns_query(q, "www.google.com");
	pkt_udp(&p, &dns_ends, q, qlen);
	feed(&f, &p, 1000 * MS);
	cr_assert_str_eq(f.proto, "DNS.Google");
	cr_assert_str_eq(f.category, "Web");
	/* nDPI reads on into the answer, as ndpiReader lets it */
	cr_assert_not(f.detected, "not complete before the answer");
	cr_assert_not(f.gave_up);
	cr_assert_not_null(f.cls);
	pkt_udp(&p, &r, q, dns_answer(q, qlen));
	feed(&f, &p, 1001 * MS);
	cr_assert(f.detected);
	cr_assert_not(f.gave_up);
	cr_assert_str_eq(f.proto, "DNS.Google");
	cr_assert_null(f.cls, "state freed once the answer was read");
	cr_assert_eq(live(), 0);
}

Test(classify, an_http_exchange_is_named_and_its_state_freed)
{
	static const char req[] = "GET /index.html HTTP/1.1\r\nHost: www.example.org\r\n"
				  "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
	static const char rsp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
				  "Content-Length: 5\r\nServer: nginx\r\n\r\nhello";
	struct ends e = {
		.src = { 10, 1, 0, 1 }, .dst = { 10, 1, 0, 2 }, .sport = 41000, .dport = 80,
	};
	struct ends r = ends_reverse(e);
	struct flow f = { 0 };
	struct pkt p;
	uint32_t c = 1000, s = 5000;

	pkt_tcp(&p, &e, T_SYN, c, 0, NULL, 0);
	feed(&f, &p, 1 * MS);
	cr_assert_not_null(f.cls, "state while undetected");
	cr_assert_eq(live(), 1);
	pkt_tcp(&p, &r, T_SYN | T_ACK, s, c + 1, NULL, 0);
	feed(&f, &p, 2 * MS);
	pkt_tcp(&p, &e, T_ACK, c + 1, s + 1, NULL, 0);
	feed(&f, &p, 3 * MS);
	pkt_tcp(&p, &e, T_ACK | T_PSH, c + 1, s + 1, req, strlen(req));
	feed(&f, &p, 4 * MS);
	cr_assert_str_eq(f.proto, "HTTP");
	pkt_tcp(&p, &r, T_ACK | T_PSH, s + 1, c + 1 + (uint32_t)strlen(req), rsp, strlen(rsp));
	feed(&f, &p, 5 * MS);
	pkt_tcp(&p, &e, T_ACK, c + 1 + (uint32_t)strlen(req), s + 1 + (uint32_t)strlen(rsp),
		NULL, 0);
	feed(&f, &p, 6 * MS);
	cr_assert(f.detected);
	cr_assert_str_eq(f.proto, "HTTP");
	cr_assert_str_eq(f.category, "Web");
	cr_assert_null(f.cls, "state freed after the response");
	cr_assert_eq(live(), 0);
	classify_flow_end(cls, &f);
	cr_assert_str_eq(f.proto, "HTTP", "flow end keeps what was found");
	cr_assert_not(f.gave_up);
}

Test(classify, frames_that_are_not_ip_are_not_fed_and_end_unknown)
{
	struct flow f = { 0 };
	struct pkt p;

	pkt_arp(&p);
	for (int i = 0; i < 5; i++) {
		feed(&f, &p, (uint64_t)i * MS);
	}
	cr_assert_null(f.cls);
	cr_assert_not(f.detected);
	cr_assert_str_empty(f.proto);
	classify_flow_end(cls, &f);
	cr_assert_str_eq(f.proto, "Unknown");
	cr_assert(f.gave_up);
	cr_assert_eq(live(), 0);
}

Test(classify, later_fragments_are_not_fed)
{
	struct flow f = { 0 };
	uint8_t junk[64] = { 0x11 };
	struct classify_stats st;
	struct pkt p;

	pkt_ipv4(&p, &dns_ends, T_UDP, 0, 0, 0, junk, sizeof(junk), 0x0010 /* offset 128 */);
	cr_assert(p.fr.fragment && !p.fr.first_fragment);
	feed(&f, &p, 1 * MS);
	cr_assert_null(f.cls);
	classify_get_stats(cls, &st);
	cr_assert_eq(st.packets, 0);
	cr_assert_eq(st.skipped, 1);
}

/* Feed n UDP datagrams nDPI cannot name, both ways, between odd ports. */
static void
feed_noise(struct flow *f, uint8_t proto, int n)
{
	struct ends e = {
		.src = { 10, 9, 0, 1 }, .dst = { 10, 9, 0, 2 }, .sport = 47123, .dport = 47999,
	};
	struct ends r = ends_reverse(e);
	uint8_t junk[200];
	struct pkt p;

	for (int i = 0; i < n; i++) {
		for (size_t j = 0; j < sizeof(junk); j++) {
			junk[j] = (uint8_t)(j * 131u + (unsigned)i * 71u + 0x5a);
		}
		if (proto == T_TCP) {
			pkt_tcp(&p, i % 2 ? &r : &e, T_ACK | T_PSH, 1000u + (uint32_t)i * 200u,
				1000u + (uint32_t)i * 200u, junk, sizeof(junk));
		} else {
			pkt_udp(&p, i % 2 ? &r : &e, junk, sizeof(junk));
		}
		feed(f, &p, (uint64_t)(i + 1) * MS);
	}
}

Test(classify, an_unknown_udp_flow_is_given_up_after_24_packets)
{
	struct flow f = { 0 };
	struct classify_stats st;

	feed_noise(&f, T_UDP, CLASSIFY_MAX_PKTS_UDP);
	cr_assert_not_null(f.cls, "still trying after %d packets", CLASSIFY_MAX_PKTS_UDP);
	cr_assert_not(f.gave_up);
	feed_noise(&f, T_UDP, 1);
	cr_assert(f.gave_up);
	cr_assert_not(f.detected);
	cr_assert_null(f.cls);
	cr_assert_str_eq(f.proto, "Unknown");
	classify_get_stats(cls, &st);
	cr_assert_eq(st.packets, CLASSIFY_MAX_PKTS_UDP + 1);
	cr_assert_eq(st.given_up, 1);
	cr_assert_eq(st.live, 0);
	/* given up: nothing more is fed */
	feed_noise(&f, T_UDP, 3);
	classify_get_stats(cls, &st);
	cr_assert_eq(st.packets, CLASSIFY_MAX_PKTS_UDP + 1);
}

Test(classify, an_unknown_tcp_flow_is_given_up_after_80_packets)
{
	struct flow f = { 0 };

	feed_noise(&f, T_TCP, CLASSIFY_MAX_PKTS_TCP);
	cr_assert_not_null(f.cls);
	feed_noise(&f, T_TCP, 1);
	cr_assert(f.gave_up);
	cr_assert_null(f.cls);
	cr_assert_eq(live(), 0);
}

Test(classify, flow_end_guesses_from_the_port_and_frees_the_state)
{
	struct ends e = {
		.src = { 10, 2, 0, 1 }, .dst = { 10, 2, 0, 2 }, .sport = 50000, .dport = 443,
	};
	struct flow f = { 0 };
	struct pkt p;

	pkt_tcp(&p, &e, T_SYN, 1, 0, NULL, 0);
	feed(&f, &p, 1 * MS);
	cr_assert_not_null(f.cls);
	cr_assert_str_empty(f.proto);
	classify_flow_end(cls, &f);
	cr_assert_null(f.cls);
	cr_assert(f.gave_up);
	cr_assert(f.guessed);
	cr_assert_not(f.detected);
	cr_assert_str_eq(f.proto, "TLS");
	cr_assert_eq(live(), 0);
}

Test(classify, no_more_than_max_live_flows_hold_ndpi_state)
{
	struct ends a = {
		.src = { 10, 3, 0, 1 }, .dst = { 10, 3, 0, 2 }, .sport = 50000, .dport = 443,
	};
	struct ends b = a;
	struct flow fa = { 0 }, fb = { 0 };
	struct classify_stats st;
	struct pkt p;

	b.sport = 50001;
	classify_set_max_live(cls, 1);
	pkt_tcp(&p, &a, T_SYN, 1, 0, NULL, 0);
	feed(&fa, &p, 1 * MS);
	pkt_tcp(&p, &b, T_SYN, 1, 0, NULL, 0);
	feed(&fb, &p, 2 * MS);
	cr_assert_not_null(fa.cls);
	cr_assert_null(fb.cls, "over the bound: not fed");
	classify_get_stats(cls, &st);
	cr_assert_eq(st.over_limit, 1);
	cr_assert_eq(st.live, 1);
	/* room again once a ends */
	classify_flow_end(cls, &fa);
	feed(&fb, &p, 3 * MS);
	cr_assert_not_null(fb.cls);
	classify_flow_end(cls, &fb);
	cr_assert_eq(live(), 0);
}

Test(classify, a_tracked_flow_with_its_fixed_ndpi_state_fits_in_1_5_KB)
{
	size_t total = sizeof(struct flow) + classify_state_size();

	cr_log_info("struct flow %zu + nDPI state %zu = %zu bytes", sizeof(struct flow),
		    classify_state_size(), total);
	cr_assert_leq(total, 1536, "%zu bytes per flow under detection", total);
}

Test(classify, reports_the_ndpi_version)
{
	cr_assert_not_null(classify_ndpi_version());
	cr_assert_neq(classify_ndpi_version()[0], '\0');
}

static void *
create_one(void *arg)
{
	char err[256];

	(void)arg;
	return classify_create(err, sizeof(err));
}

Test(classify, workers_may_create_classifiers_at_the_same_time, .timeout = 120)
{
	pthread_t th[4];
	void *c[4];

	for (int i = 0; i < 4; i++) {
		cr_assert_eq(pthread_create(&th[i], NULL, create_one, NULL), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], &c[i]);
		cr_assert_not_null(c[i]);
	}
	for (int i = 0; i < 4; i++) {
		classify_destroy(c[i]);
	}
	classify_destroy(NULL);
}
