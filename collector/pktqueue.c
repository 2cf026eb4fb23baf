/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The single-producer / single-consumer record queue of pktqueue.h: a ring
 * of bytes with monotonic head and tail counters. It moves bytes and wakes
 * threads; what the records mean is the caller's business.
 *
 * A record is an 8-byte header (payload length, flags) and its payload,
 * padded to 8 bytes. A record never wraps: where it would not fit before
 * the end of the ring, a pad record fills the rest and it starts at 0.
 *
 * Sleeping: a side that must wait publishes a "waiting" flag (the producer
 * also how much room would wake it), then re-checks the counter under the
 * mutex before sleeping. The other side stores its counter, then reads
 * the flag; with sequentially consistent atomics at least one of the two
 * sees the other's store, so no wake-up is lost.
 */
#include "collector/pktqueue.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HDR 8u
#define MIN_CAPACITY (64u * 1024u)
#define PAD_FLAG 1u
#define SPIN 128             /* checks before sleeping */
#define WAKE_MAX (64u * 1024u) /* bytes that wake a sleeping consumer */

struct rec_hdr {
	uint32_t len;
	uint32_t flags;
};

struct pktqueue {
	uint8_t *buf;              /* owned: cap bytes */
	size_t cap;                /* a power of two */
	size_t wake_bytes;         /* batch that wakes a sleeping consumer */
	pthread_mutex_t lock;      /* only for sleeping and waking */
	pthread_cond_t has_records;
	pthread_cond_t has_room;

	/* written by the producer */
	_Alignas(64) atomic_size_t tail;
	atomic_size_t prod_want;   /* room that wakes the sleeping producer */
	atomic_bool prod_waiting;
	size_t ptail;              /* producer's copy of tail, plus reservations */
	size_t phead;              /* producer's last look at head */
	size_t reserved;           /* bytes of the reservation, 0 if none */

	/* written by the consumer */
	_Alignas(64) atomic_size_t head;
	atomic_bool cons_waiting;
	size_t chead;              /* consumer's copy of head, plus skipped pads */
	size_t ctail;              /* consumer's last look at tail */
	size_t current;            /* bytes of the peeked record, 0 if none */
};

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static size_t
align8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

struct pktqueue *
pktqueue_create(size_t capacity)
{
	struct pktqueue *q;
	size_t cap = MIN_CAPACITY;

	while (cap < capacity && cap < ((size_t)1 << 40)) {
		cap <<= 1;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		return NULL;
	}
	if ((q->buf = malloc(cap)) == NULL) {
		free(q);
		return NULL;
	}
	q->cap = cap;
	q->wake_bytes = cap / 16 < WAKE_MAX ? cap / 16 : WAKE_MAX;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->has_records, NULL);
	pthread_cond_init(&q->has_room, NULL);
	atomic_init(&q->tail, 0);
	atomic_init(&q->head, 0);
	atomic_init(&q->prod_want, 0);
	atomic_init(&q->prod_waiting, false);
	atomic_init(&q->cons_waiting, false);
	return q;
}

void
pktqueue_destroy(struct pktqueue *q)
{
	if (q == NULL) {
		return;
	}
	pthread_cond_destroy(&q->has_room);
	pthread_cond_destroy(&q->has_records);
	pthread_mutex_destroy(&q->lock);
	free(q->buf);
	free(q);
}

size_t
pktqueue_max_record(const struct pktqueue *q)
{
	return q->cap / 4 - HDR;
}

static size_t
room(const struct pktqueue *q, size_t head)
{
	return q->cap - (q->ptail - head);
}

void
pktqueue_flush(struct pktqueue *q)
{
	if (atomic_load(&q->cons_waiting)) {
		pthread_mutex_lock(&q->lock);
		pthread_cond_signal(&q->has_records);
		pthread_mutex_unlock(&q->lock);
	}
}

/* Producer: wait until need bytes are free (block), or say whether they are. */
static bool
wait_room(struct pktqueue *q, size_t need, bool block)
{
	size_t want;

	q->phead = atomic_load_explicit(&q->head, memory_order_acquire);
	if (room(q, q->phead) >= need) {
		return true;
	}
	if (!block) {
		return false;
	}
	/* the consumer may sleep on a batch not yet big enough to wake it */
	pktqueue_flush(q);
	for (int i = 0; i < SPIN; i++) {
		cpu_relax();
		q->phead = atomic_load_explicit(&q->head, memory_order_acquire);
		if (room(q, q->phead) >= need) {
			return true;
		}
	}
	/* sleep until a quarter of the ring more than needed is free */
	want = need + q->cap / 4;
	pthread_mutex_lock(&q->lock);
	atomic_store(&q->prod_want, want);
	atomic_store(&q->prod_waiting, true);
	while (room(q, (q->phead = atomic_load(&q->head))) < need) {
		pthread_cond_wait(&q->has_room, &q->lock);
	}
	atomic_store(&q->prod_waiting, false);
	pthread_mutex_unlock(&q->lock);
	return true;
}

static void *
reserve(struct pktqueue *q, size_t len, bool block)
{
	size_t rec = HDR + align8(len), pos, to_end, need;
	struct rec_hdr h;

	if (len > pktqueue_max_record(q)) {
		return NULL;
	}
	pos = q->ptail & (q->cap - 1);
	to_end = q->cap - pos;
	need = rec <= to_end ? rec : to_end + rec;
	if (!wait_room(q, need, block)) {
		return NULL;
	}
	if (rec > to_end) {
		/* to_end >= HDR: positions and sizes are multiples of 8 */
		h.len = (uint32_t)(to_end - HDR);
		h.flags = PAD_FLAG;
		memcpy(q->buf + pos, &h, HDR);
		q->ptail += to_end;
		pos = 0;
	}
	h.len = (uint32_t)len;
	h.flags = 0;
	memcpy(q->buf + pos, &h, HDR);
	q->reserved = rec;
	return q->buf + pos + HDR;
}

void *
pktqueue_reserve(struct pktqueue *q, size_t len)
{
	return reserve(q, len, true);
}

void *
pktqueue_try_reserve(struct pktqueue *q, size_t len)
{
	return reserve(q, len, false);
}

void
pktqueue_commit(struct pktqueue *q)
{
	q->ptail += q->reserved;
	q->reserved = 0;
	atomic_store(&q->tail, q->ptail);
	if (atomic_load(&q->cons_waiting) &&
	    q->ptail - q->phead >= q->wake_bytes) {
		pthread_mutex_lock(&q->lock);
		pthread_cond_signal(&q->has_records);
		pthread_mutex_unlock(&q->lock);
	}
}

/* Consumer: wait until the tail moves past chead. */
static void
wait_records(struct pktqueue *q)
{
	for (int i = 0; i < SPIN; i++) {
		cpu_relax();
		q->ctail = atomic_load_explicit(&q->tail, memory_order_acquire);
		if (q->ctail != q->chead) {
			return;
		}
	}
	pthread_mutex_lock(&q->lock);
	atomic_store(&q->cons_waiting, true);
	while ((q->ctail = atomic_load(&q->tail)) == q->chead) {
		pthread_cond_wait(&q->has_records, &q->lock);
	}
	atomic_store(&q->cons_waiting, false);
	pthread_mutex_unlock(&q->lock);
}

const void *
pktqueue_peek(struct pktqueue *q, size_t *len)
{
	struct rec_hdr h;
	size_t pos;

	for (;;) {
		if (q->ctail == q->chead) {
			q->ctail = atomic_load_explicit(&q->tail, memory_order_acquire);
			if (q->ctail == q->chead) {
				wait_records(q);
			}
		}
		pos = q->chead & (q->cap - 1);
		memcpy(&h, q->buf + pos, HDR);
		if (h.flags & PAD_FLAG) {
			q->chead += q->cap - pos;
			continue;
		}
		q->current = HDR + align8(h.len);
		*len = h.len;
		return q->buf + pos + HDR;
	}
}

void
pktqueue_release(struct pktqueue *q)
{
	q->chead += q->current;
	q->current = 0;
	atomic_store(&q->head, q->chead);
	if (atomic_load(&q->prod_waiting) &&
	    q->cap - (atomic_load(&q->tail) - q->chead) >= atomic_load(&q->prod_want)) {
		pthread_mutex_lock(&q->lock);
		pthread_cond_signal(&q->has_room);
		pthread_mutex_unlock(&q->lock);
	}
}
