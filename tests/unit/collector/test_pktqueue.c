/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The offline hand-off queue (collector/pktqueue.h): records come out
 * whole, in order, across the ring's wrap; a full queue refuses or waits,
 * never drops; two threads through a small ring lose and reorder nothing.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "collector/pktqueue.h"

#define QCAP (64u * 1024u)

/* A record's bytes: its sequence number, then a pattern derived from it. */
static size_t
rec_len(uint64_t seq)
{
	return 8 + (size_t)((seq * 2654435761u) % 3000u);
}

static void
fill(uint8_t *p, uint64_t seq, size_t len)
{
	memcpy(p, &seq, 8);
	for (size_t i = 8; i < len; i++) {
		p[i] = (uint8_t)(seq + i * 7);
	}
}

static bool
check(const uint8_t *p, uint64_t seq, size_t len)
{
	uint64_t got;

	if (len != rec_len(seq)) {
		return false;
	}
	memcpy(&got, p, 8);
	if (got != seq) {
		return false;
	}
	for (size_t i = 8; i < len; i++) {
		if (p[i] != (uint8_t)(seq + i * 7)) {
			return false;
		}
	}
	return true;
}

static void
put(struct pktqueue *q, uint64_t seq)
{
	size_t len = rec_len(seq);
	uint8_t *p = pktqueue_reserve(q, len);

	cr_assert_not_null(p);
	fill(p, seq, len);
	pktqueue_commit(q);
}

Test(pktqueue, records_come_out_whole_and_in_order_across_the_wrap)
{
	struct pktqueue *q = pktqueue_create(QCAP);
	uint64_t in = 0, out = 0;
	const void *r;
	size_t len;

	cr_assert_not_null(q);
	/* about 20 laps of the ring, never more than a few records queued */
	while (out < 1000) {
		while (in < out + 5) {
			put(q, in++);
		}
		r = pktqueue_peek(q, &len);
		cr_assert(check(r, out, len), "record %llu", (unsigned long long)out);
		pktqueue_release(q);
		out++;
	}
	pktqueue_destroy(q);
}

Test(pktqueue, a_full_queue_refuses_try_reserve_until_a_release)
{
	struct pktqueue *q = pktqueue_create(QCAP);
	size_t n = 0, len;
	uint8_t *p;

	while ((p = pktqueue_try_reserve(q, 1000)) != NULL) {
		memset(p, (int)n, 1000);
		pktqueue_commit(q);
		n++;
	}
	/* 1008 bytes a record: the ring holds 65 of them */
	cr_assert_eq(n, QCAP / 1008);
	const uint8_t *r = pktqueue_peek(q, &len);
	cr_assert_eq(len, 1000);
	cr_assert_eq(r[999], 0);
	pktqueue_release(q);
	cr_assert_null(pktqueue_try_reserve(q, 2000));
	cr_assert_not_null(p = pktqueue_try_reserve(q, 1000));
	memset(p, (int)n, 1000);
	pktqueue_commit(q);
	for (size_t i = 1; i <= n; i++) {
		r = pktqueue_peek(q, &len);
		cr_assert_eq(r[0], (uint8_t)i);
		pktqueue_release(q);
	}
	pktqueue_destroy(q);
}

Test(pktqueue, records_above_a_quarter_of_the_ring_are_refused)
{
	struct pktqueue *q = pktqueue_create(QCAP);
	size_t max = pktqueue_max_record(q);

	cr_assert_eq(max, QCAP / 4 - 8);
	cr_assert_null(pktqueue_try_reserve(q, max + 1));
	cr_assert_null(pktqueue_reserve(q, max + 1));
	cr_assert_not_null(pktqueue_reserve(q, max));
	pktqueue_commit(q);
	pktqueue_destroy(q);
}

Test(pktqueue, an_empty_record_is_a_record)
{
	struct pktqueue *q = pktqueue_create(QCAP);
	size_t len = 99;

	cr_assert_not_null(pktqueue_reserve(q, 0));
	pktqueue_commit(q);
	pktqueue_peek(q, &len);
	cr_assert_eq(len, 0);
	pktqueue_release(q);
	pktqueue_destroy(q);
}

#define NREC 300000

struct run {
	struct pktqueue *q;
	uint64_t bad;   /* first record that came out wrong, or NREC */
};

/*
 * Phases of 20000 records: both sides at full speed, the consumer slow (the
 * ring fills, the producer waits), the producer slow (the ring drains,
 * the consumer waits, below the batch that wakes it).
 */
static void
nap(uint64_t seq, unsigned phase)
{
	if ((seq / 20000) % 3 == phase && seq % 64 == 0) {
		struct timespec ts = { 0, 20000 };

		nanosleep(&ts, NULL);
	}
}

static void *
consumer(void *arg)
{
	struct run *r = arg;
	const void *p;
	size_t len;

	r->bad = NREC;
	for (uint64_t seq = 0; seq < NREC; seq++) {
		p = pktqueue_peek(r->q, &len);
		if (r->bad == NREC && !check(p, seq, len)) {
			r->bad = seq;
		}
		pktqueue_release(r->q);
		nap(seq, 1);
	}
	return NULL;
}

Test(pktqueue, two_threads_lose_and_reorder_nothing, .timeout = 60)
{
	struct run r = { .q = pktqueue_create(QCAP) };
	pthread_t t;

	cr_assert_eq(pthread_create(&t, NULL, consumer, &r), 0);
	for (uint64_t seq = 0; seq < NREC; seq++) {
		put(r.q, seq);
		nap(seq, 2);
	}
	pktqueue_flush(r.q);
	pthread_join(t, NULL);
	cr_assert_eq(r.bad, NREC, "record %llu came out wrong", (unsigned long long)r.bad);
	pktqueue_destroy(r.q);
}
