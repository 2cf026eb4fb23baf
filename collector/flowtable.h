/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A worker's flow table: struct flow records found by their bidirectional
 * key, with idle and active timeouts, TCP close, and a bound on the number
 * of flows (the least recently seen flow is evicted to make room).
 *
 * One table per worker thread, used by that thread only (no locking). The
 * hash table is sized once from max_flows and never rehashed; the only
 * allocation on the packet path is a new flow (at most max_flows live).
 *
 * Every flow leaves the table through the close callback: the table sets
 * f->end to the reason, calls the callback, then frees f (except for an
 * active timeout, see flowtable_close_cb). Whatever the caller hangs on a
 * flow (classification state: classify_flow_end) is released in the
 * callback. The callback must not call back into the table.
 *
 *   packet:  f = flowtable_lookup(t, &key, &fr, src_is_lo, now, &created);
 *            flowtable_account(t, f, &fr, src_is_lo, wirelen, now);
 *            classify_packet(...);
 *   timer:   flowtable_expire(t, now, NULL, NULL);
 *   end:     flowtable_flush(t, NULL, NULL); flowtable_destroy(t);
 */
#ifndef VTAP_COLLECTOR_FLOWTABLE_H
#define VTAP_COLLECTOR_FLOWTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/flow.h"
#include "shared/flowkey.h"
#include "shared/frame.h"

#define FLOWTABLE_NS_PER_SEC 1000000000ull
#define FLOWTABLE_DEFAULT_MAX_FLOWS 262144u
#define FLOWTABLE_DEFAULT_IDLE_NS (60 * FLOWTABLE_NS_PER_SEC)
#define FLOWTABLE_DEFAULT_ACTIVE_NS (1800 * FLOWTABLE_NS_PER_SEC)
#define FLOWTABLE_DEFAULT_TCP_GRACE_NS (2 * FLOWTABLE_NS_PER_SEC)

/*
 * Called once for each flow that leaves the table, with f->end set to the
 * reason (FLOW_END_IDLE, _ACTIVE_TIMEOUT, _EVICTED, _SHUTDOWN,
 * _TCP_CLOSED). f is valid during the call only: the table frees it when
 * the callback returns.
 *
 * FLOW_END_ACTIVE_TIMEOUT is a report, not an end (as an IPFIX active
 * timeout): after the callback the flow stays in the table with its key,
 * orig/resp and classification, its counters and first_ns restarted and
 * f->end back to FLOW_END_ACTIVE, so a long flow is reported in pieces
 * that all carry its protocol. The next piece's first_ns is its first
 * packet; a piece can be empty (0 packets) when the flow goes idle right
 * after a report. Calling classify_flow_end then is allowed (detection
 * just stops early) but not required.
 */
typedef void (*flowtable_close_cb)(struct flow *f, void *arg);

struct flowtable_config {
	size_t max_flows;          /* > 0: flows held at most */
	uint64_t idle_ns;          /* close after this long without a packet; 0: never */
	uint64_t active_ns;        /* report flows open this long (see above); 0: never */
	uint64_t tcp_grace_ns;     /* close this long after FIN both ways or RST */
	uint64_t seed;             /* hash seed; 0: a random one */
	flowtable_close_cb close;  /* flows evicted or reused (may be NULL) */
	void *close_arg;           /* borrowed: passed to close */
};

struct flowtable_stats {
	size_t active;             /* flows in the table now */
	uint64_t created;          /* flows inserted */
	uint64_t evicted;          /* closed to make room (FLOW_END_EVICTED) */
	uint64_t expired;          /* closed by the idle timeout */
	uint64_t active_timeouts;  /* active-timeout reports */
	uint64_t tcp_closed;       /* closed after FIN both ways or RST */
	uint64_t flushed;          /* closed by flowtable_flush */
	uint64_t alloc_failed;     /* packets whose new flow found no memory */
};

/* Fill *cfg with the FLOWTABLE_DEFAULT_* values and no callback. */
void flowtable_config_default(struct flowtable_config *cfg);

/*
 * Create an empty table for cfg (copied). Allocates the hash buckets
 * (a power of two >= max_flows, 8 bytes each) up front. Returns NULL when
 * max_flows is 0 or memory is short. Owned by the caller: free with
 * flowtable_destroy. Any thread; then used by one thread only.
 */
struct flowtable *flowtable_create(const struct flowtable_config *cfg);

/*
 * Free the table and every flow still in it without calling any callback
 * (flush first to report them). NULL is fine.
 */
void flowtable_destroy(struct flowtable *t);

/*
 * Find the flow of key k (built by flowkey_from_frame from fr, which gave
 * src_is_lo), moving it to the most-recently-seen end; or insert a new
 * one whose orig endpoint is this frame's source, first_ns = last_ns =
 * now_ns, all counters 0 and proto "". *created (may be NULL) tells which.
 *
 * Inserting into a full table first evicts the least recently seen flow
 * through cfg->close (FLOW_END_EVICTED). A TCP SYN (without ACK) that
 * finds a flow already closing (FIN both ways or RST seen) reuses the port
 * pair for a new connection: the old flow is closed through cfg->close
 * (FLOW_END_TCP_CLOSED) and a new one inserted.
 *
 * Returns a flow owned by the table (valid until it is closed), or NULL
 * when no memory was left for a new flow (counted in alloc_failed).
 * Does not count the packet: call flowtable_account.
 */
struct flow *flowtable_lookup(struct flowtable *t, const struct flowkey *k,
			      const struct frame *fr, bool src_is_lo,
			      uint64_t now_ns, bool *created);

/*
 * Count one frame of wirelen bytes (the inner frame's length) in the
 * direction src_is_lo says, OR its TCP flags into that direction and move
 * last_ns to now_ns (never backwards). When the flow has now seen FIN from
 * both sides, or a RST, it starts closing: flowtable_expire closes it
 * tcp_grace_ns later (FLOW_END_TCP_CLOSED), whatever arrives meanwhile.
 */
void flowtable_account(struct flowtable *t, struct flow *f, const struct frame *fr,
		       bool src_is_lo, uint32_t wirelen, uint64_t now_ns);

/*
 * Close the flows due at now_ns: idle longer than idle_ns (FLOW_END_IDLE),
 * closing for tcp_grace_ns (FLOW_END_TCP_CLOSED); and report flows open
 * for active_ns (FLOW_END_ACTIVE_TIMEOUT, they stay). Each goes through cb
 * (cfg->close when cb is NULL), then is freed. Costs O(flows due), so it
 * can run on every timer tick. Returns the number of callbacks made.
 */
size_t flowtable_expire(struct flowtable *t, uint64_t now_ns,
			flowtable_close_cb cb, void *arg);

/*
 * Close every flow (FLOW_END_SHUTDOWN), least recently seen first, through
 * cb (cfg->close when NULL): at shutdown or the end of a capture file.
 * The table is empty and usable afterwards. Returns the number closed.
 */
size_t flowtable_flush(struct flowtable *t, flowtable_close_cb cb, void *arg);

/* Visits a flow in flowtable_foreach. */
typedef void (*flowtable_visit_cb)(struct flow *f, void *arg);

/*
 * Call fn(f, arg) for every flow in the table, most recently seen first
 * (e.g. for a status snapshot). fn may read a flow and change what the
 * table does not use (everything but key, close_ns and the links) but
 * must not call into the table. Returns the number of flows visited.
 */
size_t flowtable_foreach(struct flowtable *t, flowtable_visit_cb fn, void *arg);

/* Copy the table's counters into *st. */
void flowtable_get_stats(const struct flowtable *t, struct flowtable_stats *st);

#endif
