/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Application classification of flows with nDPI, behind a small interface:
 * classify.c is the only file that includes nDPI, so moving to a newer nDPI
 * is a change to that file alone.
 *
 * One struct classify per worker thread (an nDPI detection module is not
 * thread-safe and costs several MB). Each flow under detection holds nDPI
 * state (flow->cls); it is freed as soon as the flow is detected or given
 * up, so only flows still being classified hold nDPI memory.
 *
 * The detection loop is the one of ndpiReader 4.2 (example/reader_util.c),
 * so the names match what `ndpiReader -v 2` prints for the same flows:
 *
 *   per packet, while not complete:
 *     n = packets fed to nDPI so far, this one included
 *     r = ndpi_detection_process_packet(IP packet)
 *     enough = n > CLASSIFY_MAX_PKTS_{TCP,UDP,OTHER}
 *     if enough or r.app is known:
 *       if not enough and nDPI can still dissect more (DNS answer, TLS
 *         certificate, ...): keep feeding (f->proto already set)
 *       else: complete; if r.app is unknown, give up with guessing
 *   at flow end, if not complete: give up with guessing
 *
 * A flow's detection is complete when f->detected or f->gave_up is set;
 * until then f->proto may already hold a name that can still be refined.
 */
#ifndef VTAP_COLLECTOR_CLASSIFY_H
#define VTAP_COLLECTOR_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "collector/flow.h"
#include "shared/frame.h"

/* Packets fed to nDPI per flow before giving up (ndpiReader 4.2's -T/-U). */
#define CLASSIFY_MAX_PKTS_TCP 80
#define CLASSIFY_MAX_PKTS_UDP 24
/* Other IP protocols: ndpiReader has no limit; we bound the state's life. */
#define CLASSIFY_MAX_PKTS_OTHER 24

struct classify;

/* Counters of one classifier (one worker). Read with classify_get_stats. */
struct classify_stats {
	uint64_t packets;      /* packets fed to nDPI */
	uint64_t skipped;      /* packets not fed: not IP, later fragments, empty */
	uint64_t flows;        /* flows that got nDPI state */
	uint64_t detected;     /* flows named by DPI */
	uint64_t given_up;     /* flows that ended undetected (guessed or Unknown) */
	uint64_t guessed;      /* of those, named by nDPI's guess */
	uint64_t live;         /* flows holding nDPI state now */
	uint64_t alloc_failed; /* packets not fed: no memory for a flow's state */
	uint64_t over_limit;   /* packets not fed: max_live flows already under detection */
};

/*
 * Create a classifier: an nDPI detection module with every protocol
 * enabled. Returns NULL with a message in err (errlen bytes) on failure.
 * Callable from any thread at any time (module creation is serialised
 * internally, as nDPI requires), but the result must then be used by one
 * thread only. Owned by the caller: free with classify_destroy.
 */
struct classify *classify_create(char *err, size_t errlen);

/*
 * Destroy a classifier (NULL is fine). Flows still holding state from it
 * must have gone through classify_flow_end first, or their state leaks.
 */
void classify_destroy(struct classify *c);

/*
 * Let at most max flows hold nDPI state at once (0, the default: no bound
 * but the flow table's). A flow that would start detection beyond it is
 * not fed (counted in over_limit) and tries again on its next packet. It
 * bounds nDPI's memory: a flow under detection holds classify_state_size()
 * bytes plus what nDPI allocates for it, typically a 2 KB TCP reassembly
 * buffer (nDPI 4.2's TLS dissector, on any TCP flow with payload) growing
 * to the largest TLS record seen (about 9 KB with certificates).
 */
void classify_set_max_live(struct classify *c, uint64_t max);

/*
 * Feed one frame of flow f to nDPI. fr is frame_bytes parsed by
 * frame_parse (both borrowed, only read during the call); caplen is the
 * number of captured bytes; ts_ns the packet time in ns since the epoch.
 *
 * Does nothing once f is complete (detected and done, or given up), for
 * frames that are not IP, and for IP fragments other than the first
 * (nDPI cannot use them). Otherwise allocates f->cls on the flow's first
 * fed packet (the only allocation: about classify_state_size() bytes,
 * plus what nDPI adds), and updates f->proto ("Master.App" as ndpiReader
 * prints it: "TLS.Google", "DNS", "Unknown") and f->category ("Web", ...)
 * as soon as nDPI names the flow. When detection completes it sets
 * f->detected (named by DPI) or f->gave_up (packet limit reached; named
 * by nDPI's guess, then f->guessed, or "Unknown"), and frees f->cls.
 * Callers may call it for every packet of a flow, or only while
 * !f->detected && !f->gave_up: the same. A failed
 * allocation or the max_live bound is counted and the flow tries again
 * on its next packet.
 */
void classify_packet(struct classify *c, struct flow *f, const struct frame *fr,
		     const uint8_t *frame_bytes, size_t caplen, uint64_t ts_ns);

/*
 * The flow f is closing (or leaving its table): if its detection is not
 * complete, give up now, letting nDPI guess from what it saw (ports, IP
 * addresses), as ndpiReader does at the end of a capture; free f->cls.
 * A flow never fed to nDPI (e.g. not IP) ends as "Unknown". Always leaves
 * f->cls NULL and f->proto non-empty. Call it from the flow table's close
 * callback, before the table frees f.
 */
void classify_flow_end(struct classify *c, struct flow *f);

/* Copy the counters of c into *st. */
void classify_get_stats(const struct classify *c, struct classify_stats *st);

/* Bytes of nDPI state one flow under detection holds (the fixed part). */
size_t classify_state_size(void);

/* The nDPI library version in use, e.g. "4.2.0" (static string). */
const char *classify_ndpi_version(void);

#endif
