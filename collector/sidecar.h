/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sidecar index of one closed pcap file: its time range, totals and the
 * flows it holds, so the HTTP layer can choose files (and tell what is in
 * them) without reading a byte of the captures.
 *
 * A sidecar is one JSON object in NAME.idx.json beside NAME.pcap or
 * NAME.pcap.lz4, written to NAME.idx.json.tmp, fsynced and renamed. The
 * summary members come first and the flows last, one per line:
 *
 *   {"version":1,"file":"vtap-w0-20261126T123820.123456789Z.pcap",
 *    "compression":"none","first_ns":1795696700123456789,
 *    "last_ns":1795696759000000000,"packets":1200,"bytes":734000,
 *    "pcap_size":753224,"file_size":753224,"flows_truncated":false,
 *    "flow_count":2,"flows":[
 *   {"family":4,"lo":"192.0.2.1","lo_port":443,"hi":"198.51.100.2",
 *    "hi_port":50112,"ip_proto":6,"l4":"tcp","ethertype":0,"vni":7,
 *    "proto":"TLS.Google","packets":1100,"bytes":700000,
 *    "first_ns":1795696700123456789,"last_ns":1795696759000000000},
 *   ...
 *   ]}
 *
 * "lo"/"hi" are the flow key's canonical endpoints (shared/flowkey.h):
 * IPv4 or IPv6 text for family 4 and 6, a MAC address ("02:00:00:00:00:0a")
 * for a non-IP frame (family 0, keyed on its ethertype). "bytes" count
 * frame lengths on the wire (the pcap "len" field), not captured bytes.
 * "l4" is informative; readers use "ip_proto". Unknown members are ignored.
 *
 * The reader trusts nothing: it is a parser of files an attacker may have
 * written (and it is fuzzed), so it checks every member's presence, type
 * and range and refuses the whole document on the first problem.
 */
#ifndef VTAP_COLLECTOR_SIDECAR_H
#define VTAP_COLLECTOR_SIDECAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/flow.h"
#include "shared/flowkey.h"

#define SIDECAR_VERSION 1
#define SIDECAR_NAME_MAX 256          /* file names, NUL included */
#define SIDECAR_STEM_MAX (255 - 13)   /* so that STEM.idx.json.tmp fits NAME_MAX */
#define SIDECAR_FLOWS_DEFAULT 100000  /* default per-file flow cap */
#define SIDECAR_FLOWS_MAX 1000000     /* most flows a reader accepts */
#define SIDECAR_FILE_MAX (512u << 20) /* largest sidecar a reader reads */

struct sidecar_flow {
	struct flowkey key;               /* VNI + bidirectional 5-tuple */
	char proto[FLOW_PROTO_NAMELEN];   /* latest non-empty name, "" unknown */
	uint64_t packets;
	uint64_t bytes;                   /* frame lengths on the wire */
	uint64_t first_ns;
	uint64_t last_ns;
};

struct sidecar {
	char file[SIDECAR_NAME_MAX];  /* data file name, no directory */
	bool compressed;              /* file is an LZ4 frame (.pcap.lz4) */
	uint64_t first_ns;            /* earliest record; 0 with no records */
	uint64_t last_ns;             /* latest record */
	uint64_t packets;
	uint64_t bytes;               /* frame lengths on the wire */
	uint64_t pcap_size;           /* size of the (uncompressed) pcap */
	uint64_t file_size;           /* size of the file on disk */
	bool flows_truncated;         /* more flows than the cap: list incomplete */
	size_t flow_count;
	struct sidecar_flow *flows;   /* owned (sidecar_finish frees it), or
					 borrowed when pointing into a
					 sidecar_builder; NULL when empty */
};

enum sidecar_err {
	SIDECAR_OK = 0,
	SIDECAR_ERR_IO,        /* cannot open or read the file */
	SIDECAR_ERR_TOO_BIG,   /* larger than SIDECAR_FILE_MAX */
	SIDECAR_ERR_JSON,      /* not JSON, truncated, duplicate member */
	SIDECAR_ERR_MISSING,   /* a required member is absent */
	SIDECAR_ERR_TYPE,      /* a member has the wrong JSON type */
	SIDECAR_ERR_RANGE,     /* a number out of range, times out of order */
	SIDECAR_ERR_VERSION,   /* not a version this code reads */
	SIDECAR_ERR_NAME,      /* file name not a plain pcap file name */
	SIDECAR_ERR_ADDRESS,   /* an endpoint that does not parse */
	SIDECAR_ERR_TOO_MANY,  /* more than SIDECAR_FLOWS_MAX flows */
	SIDECAR_ERR_NOMEM,
	SIDECAR_ERR__COUNT
};

/* Static text for an error value, e.g. "missing-member". */
const char *sidecar_strerror(enum sidecar_err err);

/* Zero *sc (no flows). */
void sidecar_init(struct sidecar *sc);

/* Free the flows a reader allocated and zero *sc. Accepts NULL. */
void sidecar_finish(struct sidecar *sc);

/*
 * The sidecar name of a data file: "X.pcap" or "X.pcap.lz4" (or
 * "X.pcap.part") gives "X.idx.json". False when data_name has none of these
 * suffixes or out is too small. Pure.
 */
bool sidecar_name_for(const char *data_name, char *out, size_t outlen);

/*
 * True when name is a plain data file name a sidecar may point to:
 * characters of [A-Za-z0-9._-], not starting with '.', ending in ".pcap"
 * or ".pcap.lz4" after a stem of 1..SIDECAR_STEM_MAX characters (so that
 * the sidecar's own names, STEM.idx.json and its ".tmp", fit in a
 * directory entry). The HTTP layer joins these names to a directory, so this
 * is what keeps a sidecar from naming "../../etc/passwd". Pure.
 */
bool sidecar_file_name_ok(const char *name);

/*
 * Parse a sidecar document of len bytes (need not be NUL-terminated). On
 * SIDECAR_OK *out holds the index and owns its flows (sidecar_finish).
 * With summary_only the flows are checked for type but not kept
 * (flow_count still tells how many there are). A "flow_count" member, when
 * present, must equal the flows listed. On an error *out is left
 * zeroed and detail (may be NULL) gets the member or JSON position at
 * fault. Pure: never logs.
 */
enum sidecar_err sidecar_parse(const char *text, size_t len, bool summary_only,
			       struct sidecar *out, char *detail,
			       size_t detaillen);

/*
 * sidecar_parse on the contents of path (at most SIDECAR_FILE_MAX bytes).
 * With summary_only, a sidecar of this writer's layout is read only as far
 * as its summary (the head, up to "flows":[; flow_count from its member):
 * the flows are then neither read nor checked. Others are read whole.
 */
enum sidecar_err sidecar_read(const char *path, bool summary_only,
			      struct sidecar *out, char *detail,
			      size_t detaillen);

/*
 * Write sc as dir/<sidecar_name_for(sc->file)>: to a ".tmp" file, fsync,
 * rename. The caller fsyncs the directory. Returns 0, or -1 with a
 * one-line reason in err (the tmp file is removed). Does not log: the
 * writer counts failures and logs once per episode.
 */
int sidecar_write(const char *dir, const struct sidecar *sc, char *err,
		  size_t errlen);

/*
 * The per-file accumulator behind a sidecar: file totals plus a flow
 * summary bounded by max_flows (further flows set flows_truncated; their
 * packets still count in the file totals). Memory grows with the flows
 * seen up to the cap and is kept across sidecar_builder_reset.
 */
struct sidecar_builder;

/* max_flows 0 means SIDECAR_FLOWS_DEFAULT; capped at SIDECAR_FLOWS_MAX. NULL on ENOMEM. */
struct sidecar_builder *sidecar_builder_create(size_t max_flows);

/* Accepts NULL. */
void sidecar_builder_destroy(struct sidecar_builder *b);

/* Forget every flow and total (for the next file). */
void sidecar_builder_reset(struct sidecar_builder *b);

/*
 * Account one record: ts_ns, its wire length, its flow (key may be NULL:
 * totals only) and protocol name (borrowed for the call, may be NULL or
 * "": the flow keeps its latest non-empty name; bytes outside printable
 * ASCII become '?'). Allocates only while growing towards the cap; an
 * allocation failure marks the summary truncated.
 */
void sidecar_builder_add(struct sidecar_builder *b, uint64_t ts_ns,
			 uint64_t wirelen, const struct flowkey *key,
			 const char *proto);

/*
 * The sidecar built so far: its flows point into the builder (valid until
 * the next add, reset or destroy); file, compressed and sizes are left for
 * the caller to fill in a copy.
 */
const struct sidecar *sidecar_builder_view(const struct sidecar_builder *b);

#endif
