/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One mirror: a frame source (a NIC, or a file in replay mode) copied into
 * one VXLAN tunnel. It owns the pipeline capture -> budget -> flow hash ->
 * encapsulation -> batch send, its counters, and its recovery when the NIC
 * goes away and comes back. Which mirrors exist is decided by its callers
 * (direct mode: one; daemon mode: one per NIC tap configuration).
 */
#ifndef VTAP_SENDER_MIRROR_H
#define VTAP_SENDER_MIRROR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sender/budget.h"
#include "sender/capture.h"
#include "sender/tunnel.h"
#include "shared/addr.h"

struct event_base;
struct event;

struct mirror_config {
	const char *interface;    /* borrowed; NULL in replay mode */
	const char *read_path;    /* borrowed; replay mode's capture file */
	const char *destination;  /* borrowed; address or DNS name */
	uint16_t port;            /* outer UDP destination port */
	uint32_t vni;
	uint32_t truncate;        /* copy at most this many bytes; 0: all */
	uint64_t max_pps;         /* 0: no budget */
	uint64_t max_bps;
	int ring_bytes;           /* libpcap ring size */
	int batch_ms;             /* capture batching delay; 0: none */
};

struct mirror_counters {
	uint64_t captured;        /* frames the capture delivered */
	uint64_t captured_bytes;  /* their length on the wire */
	uint64_t truncated;       /* frames cut by --truncate or the snap length */
	uint64_t drop_budget;     /* frames refused by --max-pps/--max-mbps */
	uint64_t interface_down;  /* times the capture stopped and was retried */
};

struct mirror {
	char interface[64];
	char destination[256];
	char dest_text[ADDR_STRLEN];  /* resolved "addr:port" */
	uint32_t vni;
	uint32_t truncate;
	int ring_bytes;
	int batch_ms;
	char filter[512];             /* excludes the tunnel's own traffic */
	struct event_base *base;      /* borrowed; NULL in replay mode */
	struct event *ev_read;        /* owned */
	struct event *ev_retry;       /* owned */
	struct capture cap;
	struct tunnel tun;
	struct budget budget;
	struct tunnel_stats ts;
	struct mirror_counters ctr;
	uint64_t now_ns;              /* time of the current dispatch */
	bool down;                    /* capture stopped, retrying */
	bool pace;                    /* over budget: wait (replay), not drop (live) */
};

/*
 * Create a live mirror on base: resolves the destination, opens the
 * tunnel and the capture (an interface that exists but is down is waited
 * for). Returns NULL with a one-line reason in err on failure: unknown
 * interface, unresolvable destination, missing privileges. Does not log.
 */
struct mirror *mirror_create(struct event_base *base,
			     const struct mirror_config *cfg, char *err,
			     size_t errlen);

/*
 * Replay mode: encapsulate every frame of cfg->read_path, waiting for
 * socket space rather than dropping, and pacing to --max-pps/--max-mbps
 * rather than dropping what is over the budget, then return. *out receives the
 * counters as JSON (new reference, caller owns). Returns 0 or -1 with err.
 */
int mirror_replay(const struct mirror_config *cfg, json_t **out, char *err,
		  size_t errlen);

/*
 * Point a live mirror at a new destination, port or VNI without
 * restarting capture. Returns 0, or -1 with err and the old target kept.
 */
int mirror_retarget(struct mirror *m, const char *destination, uint16_t port,
		    uint32_t vni, char *err, size_t errlen);

/* The counters as a JSON object (new reference). */
json_t *mirror_counters_json(struct mirror *m);

/* Flush, close and free. Accepts NULL. */
void mirror_destroy(struct mirror *m);

#endif
