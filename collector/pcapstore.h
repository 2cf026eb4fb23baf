/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pcap store: one writer per collector worker, the names of its files,
 * closing ("sealing") a file, and listing a store directory.
 *
 * Files. Each worker writes classic pcap with nanosecond timestamps
 * (magic 0xa1b23c4d in host byte order, version 2.4, link type Ethernet,
 * snap length 262144) to NAME.pcap.part. Closing a file flushes it,
 * fsyncs it, renames it to NAME.pcap (or compresses it to NAME.pcap.lz4, an
 * LZ4 frame `lz4 -dc` reads), writes its sidecar index NAME.idx.json
 * (sidecar.h) and fsyncs the directory. NAME is
 *
 *     PREFIX-wWORKER-YYYYMMDDTHHMMSS.NNNNNNNNNZ   e.g. vtap-w0-20261126T124500.123456789Z
 *
 * the UTC time of the file's first record, to the nanosecond, so one
 * worker's names sort in time order. A worker never reuses a name: when a
 * name is taken (same first timestamp) it adds nanoseconds, so a name's
 * time may be a few ns later than the first record's; the sidecar keeps
 * the exact one.
 *
 * Rotation. A file closes before a record would make it larger than
 * rotate_bytes (a file holds at least one record, so a file is only ever
 * larger than the limit when a single record is), and when a record's
 * timestamp reaches the end of the file's time window: windows are
 * rotate_seconds long and aligned to the UTC clock (hourly files start on
 * the hour, the record at hh:00:00.000000000 starts the next file).
 * pcapstore_tick closes a file whose window has ended without waiting for
 * traffic. A record is in exactly one file; rotation never loses one.
 *
 * Failures (disk full, directory removed or read-only) never stop the
 * worker: the writer counts them (write_errors: failed file operations;
 * packets_lost: records that did not reach any file), keeps the last error
 * text for the health probe, closes what it had (cut back to its last
 * fully written record) and tries again on a later packet or tick, at most
 * once per retry_ms. It logs when writing starts failing and when it works
 * again, at most one such line a minute (a full disk flips between the two
 * at every retry), never per packet. A file closed after a failed write
 * has exact totals in its sidecar, but its flow summary may still count
 * the records lost with the write buffer.
 *
 * Compression (--compress lz4) happens when a file closes, on the thread
 * that closes it, i.e. the worker: closing a 1 GB file stalls that worker
 * for the time LZ4 needs to read and compress it (roughly a second). That
 * is acceptable for now; a compression thread is the way out when it is not.
 *
 * Threads. A struct pcapstore belongs to one worker thread: every function
 * taking one runs on that thread, except pcapstore_request_rotate,
 * pcapstore_get_stats and pcapstore_healthy, which any thread may call.
 * The name, seal and list functions keep no state. The writers only create
 * new files and rename their own, so retention (retention.h) and listing
 * may run on other threads at the same time.
 */
#ifndef VTAP_COLLECTOR_PCAPSTORE_H
#define VTAP_COLLECTOR_PCAPSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/sidecar.h"
#include "shared/flowkey.h"

#define PCAPSTORE_MAGIC_NS 0xa1b23c4du   /* nanosecond pcap, host order */
#define PCAPSTORE_MAGIC_US 0xa1b2c3d4u   /* microsecond pcap */
#define PCAPSTORE_LINKTYPE_ETHERNET 1
#define PCAPSTORE_SNAPLEN 262144u
#define PCAPSTORE_HEADER_LEN 24u         /* pcap global header */
#define PCAPSTORE_RECORD_HEADER_LEN 16u  /* ts_sec, ts_nsec, caplen, len */
#define PCAPSTORE_NAME_MAX SIDECAR_NAME_MAX
#define PCAPSTORE_ERRLEN 256
#define PCAPSTORE_BUFFER_DEFAULT (1u << 20)
#define PCAPSTORE_RETRY_MS_DEFAULT 1000u
#define PCAPSTORE_UNSEALED_MAX 16        /* failed closes retried at run time */

enum pcapstore_compress {
	PCAPSTORE_COMPRESS_NONE = 0,
	PCAPSTORE_COMPRESS_LZ4,
};

struct pcapstore_config {
	const char *dir;          /* borrowed: copied by create */
	const char *prefix;       /* borrowed, copied; NULL means "vtap" */
	unsigned worker;          /* the worker index in file names */
	uint64_t rotate_bytes;    /* 0: no rotation by size */
	uint64_t rotate_seconds;  /* 0: no rotation by time */
	enum pcapstore_compress compress;
	size_t max_flows;         /* per-file flow summary cap; 0: 100000 */
	size_t buffer_bytes;      /* write buffer; 0: 1 MiB; at least one
				     record of PCAPSTORE_SNAPLEN */
	unsigned retry_ms;        /* after a failure; 0: 1000 */
};

/* A snapshot of a writer's counters (monotonic) and state. */
struct pcapstore_stats {
	uint64_t packets;          /* records written to files */
	uint64_t bytes;            /* pcap bytes written (headers included) */
	uint64_t files_closed;     /* files sealed (renamed, indexed) */
	uint64_t write_errors;     /* failed file operations */
	uint64_t packets_lost;     /* records that reached no file */
	uint64_t packets_invalid;  /* refused: empty frame, timestamp past 2106 */
	bool last_write_ok;        /* false from a failure until a write works */
	char last_error[PCAPSTORE_ERRLEN]; /* "" when there never was one */
	char current_file[PCAPSTORE_NAME_MAX]; /* open .part, "" when none */
	uint64_t current_packets;  /* records in the open file (buffered too) */
	uint64_t current_bytes;    /* its size once the buffer is flushed */
};

struct pcapstore;

/*
 * Make a writer for cfg->dir, which must be an existing directory. No file
 * is opened until the first record. Returns NULL with a reason in err for a
 * bad configuration or ENOMEM. Call at start-up, after repair_dir.
 */
struct pcapstore *pcapstore_create(const struct pcapstore_config *cfg,
				   char *err, size_t errlen);

/* pcapstore_close, then free. Accepts NULL. */
void pcapstore_destroy(struct pcapstore *ps);

/*
 * Store one frame: caplen bytes at frame (borrowed for the call) captured
 * at ts_ns (ns since the epoch, UTC), wirelen bytes long on the wire
 * (raised to caplen if smaller). Frames longer than PCAPSTORE_SNAPLEN are
 * cut to it. key (may be NULL: the record then counts in the file totals
 * only) and proto (may be NULL or "" while unknown) are borrowed for the
 * call and feed the file's flow summary.
 *
 * Returns 0 when the record is in the write buffer or file, -1 when it was
 * not stored (counted in packets_lost or packets_invalid). Never exits,
 * never logs per packet. Records are expected in about time order; one
 * that goes back in time stays in the open file.
 */
int pcapstore_write(struct pcapstore *ps, uint64_t ts_ns, const uint8_t *frame,
		    uint32_t caplen, uint32_t wirelen,
		    const struct flowkey *key, const char *proto);

/*
 * Housekeeping, at least once a second on the worker (also without
 * traffic): acts on a pending rotate request, closes the open file when
 * now_ns has reached the end of its time window, otherwise flushes the
 * write buffer; while writing fails, checks (once per retry_ms) whether
 * the directory takes files again so the health status recovers without
 * traffic. now_ns must be on the clock of the record timestamps (the
 * offline --read mode, whose timestamps are old, does not call it).
 * Returns 0, or -1 when something failed (counted, see stats).
 */
int pcapstore_tick(struct pcapstore *ps, uint64_t now_ns);

/*
 * Rotate now: close the open file (as pcapstore_close); the next record
 * starts a new one. Returns 0, or -1 when closing failed.
 */
int pcapstore_rotate(struct pcapstore *ps);

/*
 * Ask for a rotation from any thread (SIGHUP): the worker performs it on
 * its next pcapstore_write or pcapstore_tick. Async-signal-safe.
 */
void pcapstore_request_rotate(struct pcapstore *ps);

/* Write the buffer to the open file. Returns 0, or -1 (counted). */
int pcapstore_flush(struct pcapstore *ps);

/*
 * Close the open file properly: flush, fsync, rename (or compress), write
 * its sidecar, fsync the directory. Nothing to do without an open file.
 * The writer stays usable. Returns 0, or -1 when a step failed (counted;
 * what could not be renamed stays as .part for repair_dir).
 */
int pcapstore_close(struct pcapstore *ps);

/* Copy the writer's counters and state. Any thread. */
void pcapstore_get_stats(const struct pcapstore *ps,
			 struct pcapstore_stats *out);

/*
 * True when the last write (or open, flush, close) succeeded; otherwise
 * false with the last error text in why (may be NULL). Any thread: the
 * /healthz handler asks this.
 */
bool pcapstore_healthy(const struct pcapstore *ps, char *why, size_t whylen);

/* ---- file names ---- */

enum pcapstore_kind {
	PCAPSTORE_KIND_PART,      /* NAME.pcap.part: being written */
	PCAPSTORE_KIND_PCAP,      /* NAME.pcap */
	PCAPSTORE_KIND_LZ4,       /* NAME.pcap.lz4 */
	PCAPSTORE_KIND_INDEX,     /* NAME.idx.json */
	PCAPSTORE_KIND_BROKEN,    /* NAME.pcap.broken: set aside by repair */
	PCAPSTORE_KIND_LZ4_TMP,   /* NAME.pcap.lz4.tmp: compression under way */
	PCAPSTORE_KIND_INDEX_TMP, /* NAME.idx.json.tmp: sidecar under way */
};

struct pcapstore_name {
	char stem[PCAPSTORE_NAME_MAX]; /* NAME, without suffix */
	enum pcapstore_kind kind;
	unsigned worker;
	uint64_t start_ns;             /* the time in the name */
};

/*
 * Format NAME for a prefix, worker and time. False when the prefix is not
 * 1..64 characters of [A-Za-z0-9_.-] (not starting with '.'), the time is
 * past 2106, or out is too small. Pure.
 */
bool pcapstore_name_format(const char *prefix, unsigned worker,
			   uint64_t start_ns, char *out, size_t outlen);

/* Parse a directory entry name of the store. False for any other name. Pure. */
bool pcapstore_name_parse(const char *name, struct pcapstore_name *out);

/*
 * Seal dir/part_name (a NAME.pcap.part no writer has open): cut it to
 * valid_len bytes (a whole number of records), fsync, rename it to
 * NAME.pcap or compress it to NAME.pcap.lz4 (then remove the .part),
 * remove a closed file of the other kind under the same NAME (which can
 * only be an earlier, interrupted close of this .part), write sc as its
 * sidecar and fsync the directory. Fills sc->file, compressed, pcap_size
 * and file_size; sc's flows are borrowed. Returns 0, or -1 with a reason
 * in err: when the data was not renamed, the .part is still there. Does
 * not log. Used by the writer and by repair_dir.
 */
int pcapstore_seal(const char *dir, const char *part_name, uint64_t valid_len,
		   enum pcapstore_compress compress, struct sidecar *sc,
		   char *err, size_t errlen);

/* ---- listing ---- */

enum pcapstore_file_state {
	PCAPSTORE_FILE_OPEN,         /* .pcap.part */
	PCAPSTORE_FILE_CLOSED,       /* .pcap or .pcap.lz4 */
	PCAPSTORE_FILE_ORPHAN_INDEX, /* a sidecar whose data file is gone */
};

struct pcapstore_file {
	char name[PCAPSTORE_NAME_MAX]; /* entry name, no directory */
	enum pcapstore_file_state state;
	bool compressed;
	unsigned worker;
	uint64_t start_ns;        /* from the name */
	uint64_t size;            /* bytes (st_size) */
	uint64_t disk_bytes;      /* allocated (st_blocks * 512) */
	int64_t mtime_ns;         /* last modification, ns since the epoch */
	bool has_sidecar;         /* closed files: NAME.idx.json exists */
	uint64_t sidecar_size;
	uint64_t sidecar_disk_bytes;
	/* from the sidecar, with PCAPSTORE_LIST_SUMMARY and a readable one */
	bool has_summary;
	uint64_t first_ns;
	uint64_t last_ns;
	uint64_t packets;
	uint64_t bytes;           /* frame lengths on the wire */
	uint64_t flow_count;
	bool flows_truncated;
};

#define PCAPSTORE_LIST_SUMMARY 0x1u /* closed files' sidecar summaries (summaries.h: parsed once) */
#define PCAPSTORE_LIST_ORPHANS 0x2u /* also list sidecars without a data file */

/*
 * List the store in dir: open and closed files (and, with
 * PCAPSTORE_LIST_ORPHANS, orphan sidecars), oldest first (by the time in
 * the name, then by name). Entries that are not the store's (other names,
 * .broken and .tmp files, symlinks, directories) are left out. *files is
 * an owned array (pcapstore_list_free), NULL when *count is 0. Returns 0,
 * or -1 (logged) when dir cannot be read or on ENOMEM. Any thread.
 */
int pcapstore_list(const char *dir, unsigned flags,
		   struct pcapstore_file **files, size_t *count);

/* Accepts NULL. */
void pcapstore_list_free(struct pcapstore_file *files);

#endif
