/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One tracked flow of the collector: the record a worker's flow table
 * keeps, classify.c fills in, the pcap store's sidecar index summarises
 * and flowlog.c writes as a JSON line when the flow closes.
 *
 * "orig" is the endpoint that sent the first packet seen (Zeek's
 * originator), "resp" the other one; the key itself is direction-free.
 */
#ifndef VTAP_COLLECTOR_FLOW_H
#define VTAP_COLLECTOR_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "shared/flowkey.h"

#define FLOW_PROTO_NAMELEN 48 /* "TLS.Google", "DNS.WhatsApp", ... */

struct classify_state; /* classify.c's per-flow detection state */

enum flow_end {
	FLOW_END_ACTIVE = 0,   /* still open */
	FLOW_END_IDLE,         /* idle timeout */
	FLOW_END_ACTIVE_TIMEOUT, /* open longer than the active timeout */
	FLOW_END_EVICTED,      /* pushed out by --max-flows */
	FLOW_END_SHUTDOWN,     /* collector stopped or file read to its end */
	FLOW_END_TCP_CLOSED,   /* FIN from both sides, or RST */
};

struct flow {
	struct flowkey key;            /* VNI + bidirectional 5-tuple */
	/* orig endpoint (first packet's source) */
	uint8_t orig_ip[16];
	uint8_t resp_ip[16];
	uint16_t orig_port;
	uint16_t resp_port;
	bool orig_is_lo;               /* orig endpoint is the key's lo side */

	uint64_t first_ns;             /* wall clock, ns since the epoch */
	uint64_t last_ns;
	uint64_t orig_pkts, orig_bytes; /* bytes: inner frame lengths */
	uint64_t resp_pkts, resp_bytes;

	bool icmp_seen;                /* the first packet was ICMP: type, code */
	uint8_t icmp_type;             /* of the first packet (Community ID) */
	uint8_t icmp_code;
	uint8_t tcp_flags_orig;        /* OR of TCP flags seen per direction */
	uint8_t tcp_flags_resp;

	struct sockaddr_storage sender; /* VXLAN sender (outer source) */

	/* classification (classify.c): names are "" until known */
	struct classify_state *cls;    /* owned by classify.c; NULL when done */
	bool detected;                 /* nDPI found the protocol */
	bool gave_up;                  /* nDPI stopped trying */
	bool guessed;                  /* proto is nDPI's guess (port, IP), not DPI */
	char proto[FLOW_PROTO_NAMELEN]; /* "master.app" or "app", "Unknown" */
	char category[32];

	enum flow_end end;

	/* flow table state and links (flowtable.c); all borrowed */
	uint64_t close_ns;             /* TCP close (FIN both ways or RST) seen; 0 if not */
	struct flow *hnext;            /* hash chain */
	struct flow *lru_prev, *lru_next; /* by last packet: idle expiry, eviction */
	struct flow *age_prev, *age_next; /* by start (active timeout), or by close_ns once closing */
};

#endif
