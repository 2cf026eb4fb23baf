/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A collector worker: one receive socket, and the pipeline every datagram
 * takes on it: admission (decap.c), frame parsing, the flow table and nDPI
 * (flowtable.c, classify.c), the pcap store and the flow log. Each worker
 * owns its pipeline outright, so the packet path takes no locks; the only
 * things it shares are its counters (stats.h, read by others) and the
 * read-only policy and GeoIP database.
 *
 * Live, a worker runs in its own thread (worker_start). Offline mode calls
 * the same worker_datagram / worker_frame from the main thread, with the
 * capture's timestamps as the clock (worker_clock).
 */
#ifndef VTAP_COLLECTOR_WORKER_H
#define VTAP_COLLECTOR_WORKER_H

#define WORKER_SNAPSHOT_FLOWS 1000
#define WORKER_SNAPSHOT_TOP 100

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>

#include "collector/decap.h"
#include "collector/stats.h"

struct geoip;

struct worker_config {
	unsigned id;                       /* names files: vtap-w<ID>-... */
	int fd;                            /* owned once created: the socket; -1 offline */
	const char *pcap_dir;              /* borrowed */
	uint64_t rotate_bytes;
	uint64_t rotate_seconds;
	bool compress_lz4;
	size_t max_flows;
	uint64_t idle_ns;
	uint64_t active_ns;
	const struct decap_policy *policy; /* borrowed, read-only */
	const struct geoip *geoip;         /* borrowed, may be NULL */
	bool offline;                      /* clock from worker_clock, not the system */
};

/*
 * Create a worker and everything it owns (pcap writer, flow log, flow
 * table, nDPI). Returns NULL with a reason in err; the fd is closed then.
 */
struct worker *worker_create(const struct worker_config *cfg, char *err,
			     size_t errlen);

/* Start the receive thread (live mode). Returns 0 or -1 with err. */
int worker_start(struct worker *w, char *err, size_t errlen);

/* Ask the thread to stop, and wait for it. Idempotent. */
void worker_stop(struct worker *w);

/*
 * Close every flow (logging it), close the open pcap and flow-log files.
 * Called once, after worker_stop or at the end of offline mode.
 */
void worker_finish(struct worker *w);

/* Free the worker. Accepts NULL. Calls worker_stop and worker_finish if needed. */
void worker_destroy(struct worker *w);

/*
 * One received UDP payload from `from`, taken at ts. cut: the receive
 * buffer truncated it. Counts, admits, and processes its inner frame.
 */
void worker_datagram(struct worker *w, const struct timespec *ts,
		     const struct sockaddr *from, const uint8_t *buf, size_t len,
		     bool cut);

/* One inner frame of VNI vni (from may be NULL when unknown). */
void worker_frame(struct worker *w, const struct timespec *ts, uint32_t vni,
		  const struct sockaddr *from, const uint8_t *frame, size_t len);

/* Offline mode: count a packet that is not VXLAN / an outer fragment. */
void worker_not_vxlan(struct worker *w);
void worker_outer_fragment(struct worker *w);

/*
 * Offline mode: advance the worker's clock to now_ns (capture time), doing
 * the housekeeping (flow expiry, file rotation) that time calls for.
 */
void worker_clock(struct worker *w, uint64_t now_ns);

/* Ask for a file rotation (SIGHUP); done by the worker's own thread. */
void worker_request_rotate(struct worker *w);

/* The worker's counters (readable from any thread while it runs). */
struct stats *worker_stats(struct worker *w);

/*
 * A copy (new reference) of the worker's view of its open flows, at most a
 * second old: {"flows":[the 100 busiest by bytes], "talkers":[hosts of the
 * WORKER_SNAPSHOT_FLOWS busiest flows, summed], "protocols":{name:{flows,
 * packets,bytes}} over every open flow}. The worker builds it in its own
 * thread, only while someone asks; the first call may return empty arrays.
 */
json_t *worker_snapshot(struct worker *w);

/* True when the last pcap write succeeded; else false with the error. */
bool worker_store_healthy(struct worker *w, char *why, size_t len);

/* True while the receive thread runs (health). */
bool worker_is_alive(const struct worker *w);

#endif
