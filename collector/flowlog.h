/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Closed flows as JSON lines for log shippers (Filebeat, Vector, Fluent
 * Bit, ...), one object per line, in the words of Zeek's conn.log and
 * Suricata's flow events so existing dashboards and pipelines apply:
 *
 *   {"ts":"2024-05-01T12:00:00.000123Z","end":"...","duration":1.5,
 *    "src_ip":"10.0.0.1","src_port":40000,"dest_ip":"1.1.1.1","dest_port":443,
 *    "proto":"TCP","orig_pkts":10,"orig_bytes":1400,"resp_pkts":8,
 *    "resp_bytes":9000,"state":"SF","end_reason":"tcp-closed",
 *    "community_id":"1:...","vni":42,"sender":"192.0.2.7",
 *    "app_proto":"TLS.Cloudflare","category":"Web",
 *    "dest_geo":{"country":"AU","asn":13335,"as_org":"Cloudflare, Inc."}}
 *
 * src is the flow's originator (the first packet's sender), dest the
 * responder. Byte counts are inner frame lengths, not payload bytes as in
 * Zeek. Frames that are not IP give src_mac/dest_mac/ether_type instead
 * of addresses, ports, proto and community_id.
 *
 * Files are written as DIR/flows-PREFIX-YYYYmmddTHHMMSSZ.jsonl.part (UTC
 * time of opening; "-1", "-2", ... before ".jsonl" if that name is taken)
 * and renamed without ".part" when closed, so a shipper that reads
 * "*.jsonl" only ever sees whole files.
 */
#ifndef VTAP_COLLECTOR_FLOWLOG_H
#define VTAP_COLLECTOR_FLOWLOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/flow.h"
#include "collector/geoip.h"
#include "collector/jsonw.h"

#define FLOWLOG_BUFFER_DEFAULT (64u * 1024u)

struct flowlog;

struct flowlog_config {
	const char *dir;           /* borrowed: an existing, writable directory */
	const char *prefix;        /* borrowed: [A-Za-z0-9._-]+, e.g. "w0"; one
				    * per writer so names never collide */
	uint64_t rotate_bytes;     /* close a file before it would pass this; 0: no limit */
	uint64_t rotate_seconds;   /* close a file this old (see flowlog_tick); 0: no limit */
	size_t buffer_bytes;       /* write buffer; 0: FLOWLOG_BUFFER_DEFAULT */
	uint16_t community_id_seed; /* 0 unless the site chose a Community ID domain */
	const struct geoip *geoip; /* borrowed, may be NULL: no src_geo/dest_geo */
	uint64_t (*clock)(void *arg); /* wall clock, ns since the epoch; NULL:
				       * CLOCK_REALTIME (tests and --read pass their own) */
	void *clock_arg;           /* borrowed: given to clock */
};

struct flowlog_stats {
	uint64_t records;      /* records accepted (lines buffered or written) */
	uint64_t bytes;        /* bytes of those lines, newlines included */
	uint64_t files;        /* files closed and renamed to .jsonl */
	uint64_t write_errors; /* failed open, write, truncate, close or rename calls */
	uint64_t records_lost; /* records that never reached a file because of them */
};

/*
 * Append the JSON object of one flow (see the top of this file) to o,
 * without a newline, as jansson's compact dump of it would read. g may be
 * NULL; when given, src_geo and dest_geo are added for public addresses a
 * database knows. seed is the Community ID seed. A string that is not
 * valid UTF-8 (an odd nDPI or database name) leaves its member out.
 * Returns false when memory ran out (o->failed). Pure otherwise: reads f
 * and g only, never logs; safe from several threads with their own o.
 */
bool flowlog_format(const struct flow *f, const struct geoip *g, uint16_t seed,
		    struct jsonw *o);

/*
 * The same record as a jansson object (flowlog_format, parsed). g may be
 * NULL; when given, src_geo and dest_geo are added for public addresses a
 * database knows. The Community ID uses seed 0. Returns a new reference
 * (json_decref it), or NULL when memory runs out. Pure: reads f and g
 * only, never logs; safe from several threads at once.
 *
 * The flow record keeps no ICMP type or code, so ICMP flows get a
 * community_id only when they are echo flows (non-zero identifier in the
 * key), hashed as if the originator sent the echo request; other ICMP
 * flows get none (the spec allows leaving it out).
 */
json_t *flowlog_record(const struct flow *f, const struct geoip *g);

/*
 * The same with a Community ID seed (flowlog_record is this with 0).
 */
json_t *flowlog_record_seeded(const struct flow *f, const struct geoip *g,
			      uint16_t seed);

/*
 * Zeek's conn_state from the TCP flags each side sent (ORed) and whether
 * the responder sent anything: "S0", "S1", "SF", "REJ", "S2", "S3",
 * "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR" or "OTH". Derived from
 * the flags alone (Zeek also uses their order), so e.g. a RST from both
 * sides reads as RSTO. Static string; pure.
 */
const char *flowlog_tcp_state(uint8_t orig_flags, uint8_t resp_flags,
			      bool resp_seen);

/*
 * Static name of a flow end reason: "idle", "active-timeout", "evicted",
 * "shutdown", "tcp-closed" ("active" for a flow still open).
 */
const char *flowlog_end_reason(enum flow_end end);

/*
 * Start a writer. Checks that cfg->dir is a directory and cfg->prefix is
 * usable; opens no file yet (the first flowlog_write does). cfg and its
 * strings are copied. Returns the writer, or NULL with a one-line reason
 * in err (e.g. "flowlog: /var/lib/vtap/flows: No such file or
 * directory"); does not log. One writer belongs to one thread.
 */
struct flowlog *flowlog_create(const struct flowlog_config *cfg, char *err,
			       size_t errlen);

/*
 * Append the record of one closed flow. Opens a file when none is, and
 * rotates first when the file is older than rotate_seconds or the line
 * would take it past rotate_bytes. Lines are buffered: they reach the
 * file when the buffer fills, on flowlog_tick, flowlog_rotate or
 * flowlog_destroy. Returns 0, or -1 when the record was lost (counted in
 * write_errors and records_lost; the first failure in a row is logged
 * once). Never fatal: the next call tries again.
 */
int flowlog_write(struct flowlog *fl, const struct flow *f);

/*
 * Periodic housekeeping, e.g. once a second: close the file if it is due
 * by time (so a quiet collector still hands files over), otherwise write
 * out the buffer. Returns 0, or -1 on a (counted, logged) write error.
 */
int flowlog_tick(struct flowlog *fl);

/*
 * Close the current file now (write the buffer, close, rename .part to
 * .jsonl; a file that ended up empty is removed instead). The next record
 * opens a new one. Returns 0, or -1 on a counted write error. No file
 * open is not an error.
 */
int flowlog_rotate(struct flowlog *fl);

/* Counters since flowlog_create. */
void flowlog_get_stats(const struct flowlog *fl, struct flowlog_stats *out);

/* Close and rename the current file as flowlog_rotate does, and free fl. NULL is fine. */
void flowlog_destroy(struct flowlog *fl);

#endif
