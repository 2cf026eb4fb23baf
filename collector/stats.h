/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The collector's counters. Each worker owns one `struct stats` and is its
 * only writer; other threads (HTTP, the summary) read it at any time. The
 * counters are relaxed atomics written with plain load+store (one writer,
 * so no locked instructions on the packet path), and the per-sender and
 * per-VNI tables are append-only: an entry is filled in before the count
 * that publishes it is released, so readers never see half an entry.
 */
#ifndef VTAP_COLLECTOR_STATS_H
#define VTAP_COLLECTOR_STATS_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "collector/decap.h"
#include "shared/addr.h"
#include "shared/frame.h"

#define STATS_TABLE_MAX 256   /* senders or VNIs tracked one by one per worker */
#define STATS_TABLE_SLOTS 512 /* hash slots, a power of two > 2 * MAX */

typedef _Atomic uint64_t stat_t;

/* Add n to a counter that only the calling thread writes. */
static inline void
stat_add(stat_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static inline uint64_t
stat_get(const stat_t *c)
{
	return atomic_load_explicit((stat_t *)c, memory_order_relaxed);
}

/* Counters of one sender address or one VNI. */
struct stats_entry {
	uint8_t key[17];          /* first (index_find reads it there): family
				     byte + address, or 0xff + VNI */
	char name[ADDR_STRLEN];   /* "10.0.0.1", or the VNI in decimal */
	stat_t datagrams;         /* datagrams received */
	stat_t bytes;             /* their UDP payload bytes */
	stat_t written;           /* inner frames handed to the pcap store */
	stat_t drops[DECAP__COUNT];
};

/* Closed flows of one application protocol (nDPI "Master.App"). */
struct stats_proto {
	uint8_t key[17];          /* first: 0xfe + 64-bit hash of the name */
	char name[48];
	stat_t flows;
	stat_t packets;
	stat_t bytes;
};

struct stats_table {
	_Atomic size_t n;                        /* published entries */
	struct stats_entry e[STATS_TABLE_MAX];
	struct stats_entry other;                /* everything past MAX */
	int16_t slot[STATS_TABLE_SLOTS];         /* writer's index, -1 empty */
};

struct stats_proto_table {
	_Atomic size_t n;
	struct stats_proto e[STATS_TABLE_MAX];
	struct stats_proto other;
	int16_t slot[STATS_TABLE_SLOTS];
};

struct stats {
	stat_t datagrams;          /* UDP datagrams received */
	stat_t datagram_bytes;
	stat_t drops[DECAP__COUNT];/* datagrams refused, by reason */
	stat_t reserved_set;       /* accepted with reserved VXLAN bits set */
	stat_t frames;             /* inner frames admitted */
	stat_t frame_bytes;
	stat_t malformed[FRAME_ERR__COUNT]; /* inner frames the parser stopped in (still stored) */
	stat_t inner_truncated;    /* inner frames shorter than their headers say (still stored) */
	stat_t written;            /* frames stored: handed to the pcap store
				    * minus what it lost (synced from the store
				    * at each wake-up, so up to a second behind) */
	stat_t written_bytes;      /* bytes of the frames the store accepted */
	stat_t write_errors;       /* frames the store lost or refused */
	stat_t flows_active;
	stat_t flows_created;
	stat_t flows_evicted;
	stat_t flows_logged;       /* closed flows written as JSON lines */
	stat_t outer_fragments;    /* offline mode: outer IP fragments (not reassembled) */
	stat_t not_vxlan;          /* offline mode: packets that are not UDP to the VXLAN port */
	stat_t kernel_drops;       /* live mode: datagrams the kernel dropped (SO_MEMINFO) */
	struct stats_table senders;
	struct stats_table vnis;
	struct stats_proto_table protos;
};

/* Prepare zeroed counters (caller storage). */
void stats_init(struct stats *s);

/* The entry of a sender address (port ignored); the "other" entry when full. */
struct stats_entry *stats_sender(struct stats *s, const struct sockaddr *sa);

/* The entry of a VNI; the "other" entry when full. */
struct stats_entry *stats_vni(struct stats *s, uint32_t vni);

/* The tally of a protocol name; the "other" entry when full. */
struct stats_proto *stats_proto(struct stats *s, const char *name);

/*
 * The sum of n workers' counters as JSON (new reference): totals, drops by
 * reason, malformed inner frames by reason, and "senders" and "vnis"
 * arrays merged by name. Callable from any thread.
 */
json_t *stats_json(struct stats *const *workers, size_t n);

#endif
