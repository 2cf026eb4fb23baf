/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-worker flow table: one record for both directions, orig/resp from
 * the first packet, per-direction counters, LRU eviction at max_flows, idle
 * and active timeouts, TCP close, port reuse and flush. Frames are built by
 * hand and keyed by frame_parse and flowkey_from_frame, as in a worker.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/flowtable.h"
#include "frames.h"

#define SEC FLOWTABLE_NS_PER_SEC
#define MAX_SEEN 256

/* What the close callback saw. */
struct seen {
	size_t n;
	enum flow_end end[MAX_SEEN];
	uint16_t orig_port[MAX_SEEN];
	uint64_t pkts[MAX_SEEN];
	char proto[MAX_SEEN][FLOW_PROTO_NAMELEN];
};

static struct seen seen;

static void
record_cb(struct flow *f, void *arg)
{
	struct seen *s = arg;

	cr_assert_lt(s->n, MAX_SEEN);
	s->end[s->n] = f->end;
	s->orig_port[s->n] = f->orig_port;
	s->pkts[s->n] = f->orig_pkts + f->resp_pkts;
	memcpy(s->proto[s->n], f->proto, FLOW_PROTO_NAMELEN);
	s->n++;
}

static struct flowtable *
table(size_t max_flows, uint64_t idle, uint64_t active)
{
	struct flowtable_config cfg;
	struct flowtable *t;

	memset(&seen, 0, sizeof(seen));
	flowtable_config_default(&cfg);
	cfg.max_flows = max_flows;
	cfg.idle_ns = idle;
	cfg.active_ns = active;
	cfg.tcp_grace_ns = 2 * SEC;
	cfg.close = record_cb;
	cfg.close_arg = &seen;
	t = flowtable_create(&cfg);
	cr_assert_not_null(t);
	return t;
}

/* Client 10.0.0.1:port to server 10.0.0.2:80. */
static struct ends
client(uint16_t port)
{
	struct ends e = {
		.src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 },
		.sport = port, .dport = 80,
	};

	return e;
}

/* Look the packet's flow up and count it, as a worker does. */
static struct flow *
feed(struct flowtable *t, struct pkt *p, uint64_t now, bool *created)
{
	struct flow *f = flowtable_lookup(t, &p->k, &p->fr, p->lo, now, created);

	cr_assert_not_null(f);
	flowtable_account(t, f, &p->fr, p->lo, (uint32_t)p->len, now);
	return f;
}

static struct flow *
feed_tcp(struct flowtable *t, const struct ends *e, uint8_t flags, uint64_t now)
{
	struct pkt p;

	pkt_tcp(&p, e, flags, 1, 1, NULL, 0);
	return feed(t, &p, now, NULL);
}

static size_t
active(struct flowtable *t)
{
	struct flowtable_stats st;

	flowtable_get_stats(t, &st);
	return st.active;
}

Test(flowtable, both_directions_of_a_flow_find_one_record)
{
	struct flowtable *t = table(16, 60 * SEC, 0);
	struct ends e = client(40000), r = ends_reverse(e);
	struct pkt p;
	struct flow *a, *b;
	bool created;

	pkt_tcp(&p, &e, T_SYN, 1, 0, NULL, 0);
	a = feed(t, &p, 1, &created);
	cr_assert(created);
	pkt_tcp(&p, &r, T_SYN | T_ACK, 9, 2, NULL, 0);
	b = feed(t, &p, 2, &created);
	cr_assert_not(created);
	cr_assert_eq(a, b);
	cr_assert_eq(active(t), 1);
	flowtable_destroy(t);
}

Test(flowtable, orig_and_resp_come_from_the_first_packet)
{
	struct flowtable *t = table(16, 60 * SEC, 0);
	/* the server speaks first: it becomes orig though it is the key's hi side */
	struct ends srv = ends_reverse(client(40000));
	struct flow *f = feed_tcp(t, &srv, T_SYN | T_ACK, 5);
	const uint8_t server_ip[4] = { 10, 0, 0, 2 }, client_ip[4] = { 10, 0, 0, 1 };

	cr_assert_eq(memcmp(f->orig_ip, server_ip, 4), 0);
	cr_assert_eq(memcmp(f->resp_ip, client_ip, 4), 0);
	cr_assert_eq(f->orig_port, 80);
	cr_assert_eq(f->resp_port, 40000);
	cr_assert_not(f->orig_is_lo);
	cr_assert_eq(f->first_ns, 5);
	cr_assert_eq(f->end, FLOW_END_ACTIVE);
	cr_assert_str_empty(f->proto);
	flowtable_destroy(t);
}

Test(flowtable, counts_packets_bytes_and_tcp_flags_per_direction)
{
	struct flowtable *t = table(16, 60 * SEC, 0);
	/* the client is the key's hi side: directions must not follow lo/hi */
	struct ends e = {
		.src = { 10, 0, 0, 9 }, .dst = { 10, 0, 0, 2 }, .sport = 40000, .dport = 80,
	};
	struct ends r = ends_reverse(e);
	uint8_t data[100] = { 0 };
	struct pkt p;
	struct flow *f;

	pkt_tcp(&p, &e, T_SYN, 1, 0, NULL, 0);
	f = feed(t, &p, 10, NULL);
	pkt_tcp(&p, &r, T_SYN | T_ACK, 1, 2, NULL, 0);
	feed(t, &p, 20, NULL);
	pkt_tcp(&p, &e, T_ACK | T_PSH, 2, 2, data, sizeof(data));
	feed(t, &p, 30, NULL);
	/* a late, reordered packet does not move last_ns back */
	pkt_tcp(&p, &e, T_ACK, 2, 2, NULL, 0);
	feed(t, &p, 25, NULL);

	cr_assert_not(f->orig_is_lo);
	cr_assert_eq(f->orig_pkts, 3);
	cr_assert_eq(f->orig_bytes, 60 + (14 + 20 + 20 + 100) + 60);
	cr_assert_eq(f->resp_pkts, 1);
	cr_assert_eq(f->resp_bytes, 60);
	cr_assert_eq(f->tcp_flags_orig, T_SYN | T_ACK | T_PSH);
	cr_assert_eq(f->tcp_flags_resp, T_SYN | T_ACK);
	cr_assert_eq(f->first_ns, 10);
	cr_assert_eq(f->last_ns, 30);
	flowtable_destroy(t);
}

Test(flowtable, a_full_table_evicts_the_least_recently_seen_flow)
{
	struct flowtable *t = table(4, 60 * SEC, 0);
	struct flowtable_stats st;
	struct ends e;

	for (uint16_t i = 0; i < 4; i++) {
		e = client(1000 + i);
		feed_tcp(t, &e, T_SYN, i);
	}
	e = client(1000); /* seen again: now the most recent */
	feed_tcp(t, &e, T_ACK, 10);
	e = client(2000);
	feed_tcp(t, &e, T_SYN, 11);

	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.end[0], FLOW_END_EVICTED);
	cr_assert_eq(seen.orig_port[0], 1001, "evicted port %u", seen.orig_port[0]);
	cr_assert_eq(active(t), 4);

	for (uint16_t i = 0; i < 100; i++) {
		e = client(3000 + i);
		feed_tcp(t, &e, T_SYN, 20 + i);
		cr_assert_leq(active(t), 4);
	}
	flowtable_get_stats(t, &st);
	cr_assert_eq(st.evicted, 101);
	cr_assert_eq(seen.n, 101);
	cr_assert_eq(st.created, 105);
	for (size_t i = 0; i < seen.n; i++) {
		cr_assert_eq(seen.end[i], FLOW_END_EVICTED);
	}
	flowtable_destroy(t);
}

Test(flowtable, flows_idle_longer_than_the_idle_timeout_are_closed)
{
	struct flowtable *t = table(16, 10 * SEC, 0);
	struct ends a = client(1), b = client(2);
	struct flowtable_stats st;

	feed_tcp(t, &a, T_ACK, 0);
	feed_tcp(t, &b, T_ACK, 5 * SEC);

	cr_assert_eq(flowtable_expire(t, 10 * SEC - 1, NULL, NULL), 0);
	cr_assert_eq(flowtable_expire(t, 10 * SEC, NULL, NULL), 1);
	cr_assert_eq(seen.end[0], FLOW_END_IDLE);
	cr_assert_eq(seen.orig_port[0], 1);
	cr_assert_eq(active(t), 1);
	/* a packet keeps b alive */
	feed_tcp(t, &b, T_ACK, 12 * SEC);
	cr_assert_eq(flowtable_expire(t, 16 * SEC, NULL, NULL), 0);
	cr_assert_eq(flowtable_expire(t, 22 * SEC, NULL, NULL), 1);
	cr_assert_eq(seen.orig_port[1], 2);
	flowtable_get_stats(t, &st);
	cr_assert_eq(st.expired, 2);
	cr_assert_eq(st.active, 0);
	flowtable_destroy(t);
}

Test(flowtable, the_active_timeout_reports_a_long_flow_and_keeps_it)
{
	struct flowtable *t = table(16, 60 * SEC, 30 * SEC);
	struct ends e = client(1);
	struct flowtable_stats st;
	struct flow *f = NULL, *again;
	struct pkt p;
	bool created;

	for (uint64_t s = 0; s < 30; s += 5) {
		f = feed_tcp(t, &e, T_ACK, s * SEC);
	}
	snprintf(f->proto, sizeof(f->proto), "HTTP");
	cr_assert_eq(flowtable_expire(t, 29 * SEC, NULL, NULL), 0);
	cr_assert_eq(flowtable_expire(t, 30 * SEC, NULL, NULL), 1);
	cr_assert_eq(seen.end[0], FLOW_END_ACTIVE_TIMEOUT);
	cr_assert_eq(seen.pkts[0], 6);
	cr_assert_str_eq(seen.proto[0], "HTTP");

	/* the same record goes on, counters restarted, protocol kept */
	cr_assert_eq(f->end, FLOW_END_ACTIVE);
	cr_assert_eq(f->orig_pkts + f->resp_pkts, 0);
	again = feed_tcp(t, &e, T_ACK, 31 * SEC);
	cr_assert_eq(again, f);
	cr_assert_eq(f->first_ns, 31 * SEC);
	cr_assert_str_eq(f->proto, "HTTP");
	pkt_tcp(&p, &e, T_ACK, 1, 1, NULL, 0);
	cr_assert_eq(flowtable_lookup(t, &p.k, &p.fr, p.lo, 32 * SEC, &created), f);
	cr_assert_not(created);
	/* next report 30 s after its first packet */
	cr_assert_eq(flowtable_expire(t, 60 * SEC, NULL, NULL), 0);
	cr_assert_eq(flowtable_expire(t, 61 * SEC, NULL, NULL), 1);
	cr_assert_eq(seen.end[1], FLOW_END_ACTIVE_TIMEOUT);
	cr_assert_eq(seen.pkts[1], 1);
	flowtable_get_stats(t, &st);
	cr_assert_eq(st.active_timeouts, 2);
	cr_assert_eq(st.active, 1);
	flowtable_destroy(t);
}

Test(flowtable, fin_from_both_sides_closes_a_tcp_flow_after_the_grace)
{
	struct flowtable *t = table(16, 60 * SEC, 0);
	struct ends e = client(1), r = ends_reverse(e);
	struct flowtable_stats st;

	feed_tcp(t, &e, T_ACK, 0);
	feed_tcp(t, &e, T_FIN | T_ACK, 1 * SEC);
	cr_assert_eq(flowtable_expire(t, 10 * SEC, NULL, NULL), 0, "one FIN is not a close");
	feed_tcp(t, &r, T_FIN | T_ACK, 11 * SEC);
	feed_tcp(t, &e, T_ACK, 11 * SEC + 1); /* the last ACK joins the flow */
	cr_assert_eq(flowtable_expire(t, 13 * SEC - 1, NULL, NULL), 0);
	cr_assert_eq(flowtable_expire(t, 13 * SEC, NULL, NULL), 1);
	cr_assert_eq(seen.end[0], FLOW_END_TCP_CLOSED);
	cr_assert_eq(seen.pkts[0], 4);
	flowtable_get_stats(t, &st);
	cr_assert_eq(st.tcp_closed, 1);
	cr_assert_eq(st.active, 0);
	flowtable_destroy(t);
}

Test(flowtable, a_reset_closes_a_tcp_flow_after_the_grace)
{
	struct flowtable *t = table(16, 60 * SEC, 0);
	struct ends e = client(1), r = ends_reverse(e);

	feed_tcp(t, &e, T_SYN, 0);
	feed_tcp(t, &r, T_RST | T_ACK, 1 * SEC);
	cr_assert_eq(flowtable_expire(t, 2 * SEC, NULL, NULL), 0);
	cr_assert_eq(flowtable_expire(t, 3 * SEC, NULL, NULL), 1);
	cr_assert_eq(seen.end[0], FLOW_END_TCP_CLOSED);
	cr_assert_eq(active(t), 0);
	flowtable_destroy(t);
}

Test(flowtable, a_syn_on_a_closed_port_pair_starts_a_new_flow)
{
	struct flowtable *t = table(16, 60 * SEC, 0);
	struct ends e = client(1), r = ends_reverse(e);
	struct flow *f;
	struct pkt p;
	bool created;

	feed_tcp(t, &e, T_SYN, 0);
	feed_tcp(t, &r, T_RST | T_ACK, 1);
	pkt_tcp(&p, &e, T_SYN, 1000, 0, NULL, 0);
	f = feed(t, &p, 2, &created);
	cr_assert(created);
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.end[0], FLOW_END_TCP_CLOSED);
	cr_assert_eq(seen.pkts[0], 2);
	cr_assert_eq(f->orig_pkts, 1);
	cr_assert_eq(f->close_ns, 0);
	cr_assert_eq(active(t), 1);
	flowtable_destroy(t);
}

Test(flowtable, flush_closes_every_flow_and_leaves_the_table_usable)
{
	struct flowtable *t = table(64, 60 * SEC, 0);
	struct flowtable_stats st;
	struct ends e;
	struct pkt p;
	bool created;

	for (uint16_t i = 0; i < 50; i++) {
		e = client(i + 1);
		feed_tcp(t, &e, T_ACK, i);
	}
	cr_assert_eq(flowtable_flush(t, NULL, NULL), 50);
	cr_assert_eq(seen.n, 50);
	for (size_t i = 0; i < seen.n; i++) {
		cr_assert_eq(seen.end[i], FLOW_END_SHUTDOWN);
	}
	cr_assert_eq(seen.orig_port[0], 1, "least recently seen first");
	flowtable_get_stats(t, &st);
	cr_assert_eq(st.active, 0);
	cr_assert_eq(st.flushed, 50);
	e = client(1);
	pkt_tcp(&p, &e, T_ACK, 1, 1, NULL, 0);
	feed(t, &p, 100, &created);
	cr_assert(created);
	cr_assert_eq(active(t), 1);
	flowtable_destroy(t);
}

Test(flowtable, flush_and_expire_use_the_callback_they_are_given)
{
	struct flowtable *t = table(16, 10 * SEC, 0);
	struct seen other = { 0 };
	struct ends a = client(1), b = client(2);

	feed_tcp(t, &a, T_ACK, 0);
	feed_tcp(t, &b, T_ACK, 20 * SEC);
	cr_assert_eq(flowtable_expire(t, 20 * SEC, record_cb, &other), 1);
	cr_assert_eq(flowtable_flush(t, record_cb, &other), 1);
	cr_assert_eq(other.n, 2);
	cr_assert_eq(seen.n, 0);
	flowtable_destroy(t);
}

Test(flowtable, foreach_visits_every_open_flow_most_recent_first)
{
	struct flowtable *t = table(16, 60 * SEC, 0);
	struct seen visited = { 0 };
	struct ends e;

	for (uint16_t i = 1; i <= 5; i++) {
		e = client(i);
		feed_tcp(t, &e, T_ACK, i);
	}
	e = client(2);
	feed_tcp(t, &e, T_ACK, 10);
	cr_assert_eq(flowtable_foreach(t, record_cb, &visited), 5);
	cr_assert_eq(visited.n, 5);
	cr_assert_eq(visited.orig_port[0], 2);
	cr_assert_eq(visited.orig_port[1], 5);
	cr_assert_eq(visited.orig_port[4], 1);
	cr_assert_eq(visited.end[0], FLOW_END_ACTIVE);
	cr_assert_eq(active(t), 5, "visiting closes nothing");
	cr_assert_eq(seen.n, 0);
	flowtable_destroy(t);
}

Test(flowtable, many_flows_are_all_found_again)
{
	enum { N = 20000 };
	struct flowtable *t = table(N, 0, 0);
	struct flow **flows = calloc(N, sizeof(*flows));
	struct ends e;
	bool created;

	cr_assert_not_null(flows);
	for (int i = 0; i < N; i++) {
		e = client((uint16_t)(i % 60000 + 1));
		e.src[2] = (uint8_t)(i / 60000);
		e.dst[3] = (uint8_t)(i % 7);
		flows[i] = feed_tcp(t, &e, T_ACK, (uint64_t)i);
	}
	cr_assert_eq(active(t), N);
	for (int i = 0; i < N; i++) {
		struct pkt p;

		e = client((uint16_t)(i % 60000 + 1));
		e.src[2] = (uint8_t)(i / 60000);
		e.dst[3] = (uint8_t)(i % 7);
		e = ends_reverse(e);
		pkt_tcp(&p, &e, T_ACK, 1, 1, NULL, 0);
		cr_assert_eq(flowtable_lookup(t, &p.k, &p.fr, p.lo, N + (uint64_t)i, &created),
			     flows[i]);
		cr_assert_not(created);
	}
	cr_assert_eq(seen.n, 0);
	free(flows);
	flowtable_destroy(t);
}

Test(flowtable, a_table_needs_room_for_one_flow)
{
	struct flowtable_config cfg;

	flowtable_config_default(&cfg);
	cfg.max_flows = 0;
	cr_assert_null(flowtable_create(&cfg));
	flowtable_destroy(NULL);
}
