/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounded single-producer / single-consumer queue of variable-length
 * records (packets and small messages), for offline mode's hand-off from
 * the reading thread to the workers. Lossless: a producer that finds the
 * queue full waits for room, a consumer that finds it empty waits for a
 * record; both spin briefly, then sleep on a condition variable.
 *
 * Records are copied into one ring of bytes allocated at creation; the
 * queue never allocates afterwards. Exactly one thread may produce and
 * one (other) thread consume; create and destroy while neither runs.
 */
#ifndef VTAP_COLLECTOR_PKTQUEUE_H
#define VTAP_COLLECTOR_PKTQUEUE_H

#include <stdbool.h>
#include <stddef.h>

struct pktqueue;

/*
 * A queue of capacity bytes (rounded up to a power of two, at least 64 KiB).
 * Records up to pktqueue_max_record() bytes fit. NULL when out of memory.
 */
struct pktqueue *pktqueue_create(size_t capacity);

/* Free the queue and any records left in it. Accepts NULL. */
void pktqueue_destroy(struct pktqueue *q);

/* The largest record the queue takes (a quarter of its capacity). */
size_t pktqueue_max_record(const struct pktqueue *q);

/*
 * Producer: room for a record of len bytes (8-byte aligned), to be filled
 * and then published with pktqueue_commit. pktqueue_reserve waits until
 * there is room; pktqueue_try_reserve returns NULL instead of waiting.
 * Both return NULL for len above pktqueue_max_record. A reservation is
 * valid until the commit; reserve again only after committing.
 */
void *pktqueue_reserve(struct pktqueue *q, size_t len);
void *pktqueue_try_reserve(struct pktqueue *q, size_t len);

/*
 * Producer: publish the reserved record. A sleeping consumer is woken
 * once enough bytes wait for it (a batch), or at the next pktqueue_flush,
 * so a slow producer does not wake it for every record.
 */
void pktqueue_commit(struct pktqueue *q);

/* Producer: wake the consumer if it sleeps while records wait. */
void pktqueue_flush(struct pktqueue *q);

/*
 * Consumer: the oldest record and its length in *len, waiting for one.
 * The record stays valid (and in the queue) until pktqueue_release.
 */
const void *pktqueue_peek(struct pktqueue *q, size_t *len);

/* Consumer: drop the record pktqueue_peek returned, making room. */
void pktqueue_release(struct pktqueue *q);

#endif
