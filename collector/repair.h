/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Crash repair of a pcap store directory, run once at start-up before any
 * writer (pcapstore.h) exists for it.
 *
 * A crash leaves NAME.pcap.part files that were never closed. Each is cut
 * back to its last complete record, closed as a writer would close it
 * (renamed, or compressed with --compress lz4) and indexed: its sidecar is
 * rebuilt by parsing every frame (shared/frame.h, shared/flowkey.h) with
 * VNI 0 (unknown) and protocol "" (unknown). A record is complete and valid
 * when its 16-byte header and all caplen bytes are there, caplen is at
 * most the file's snap length and PCAPSTORE_SNAPLEN, len >= caplen and
 * len > 0, and its sub-second part is below one second: exactly what the
 * writer writes, so nothing it wrote is thrown away. The first record that
 * is not ends the valid part. A .part without a valid global header (too
 * short, unknown magic, not version 2.4) is renamed aside to
 * NAME.pcap.broken, never deleted; one with a header and no complete
 * record holds nothing and is removed.
 *
 * Closed files without a sidecar (a crash between rename and sidecar) get
 * one rebuilt the same way; leftover NAME.pcap.lz4.tmp and
 * NAME.idx.json.tmp files of an interrupted close are removed.
 */
#ifndef VTAP_COLLECTOR_REPAIR_H
#define VTAP_COLLECTOR_REPAIR_H

#include <stdint.h>

#include "collector/pcapstore.h"

struct repair_report {
	unsigned parts_closed;     /* .part files cut back, closed, indexed */
	unsigned parts_empty;      /* .part files with no record, removed */
	unsigned parts_broken;     /* renamed aside to .pcap.broken */
	unsigned sidecars_rebuilt; /* for closed files that had none */
	unsigned temps_removed;    /* stale .tmp files */
	unsigned errors;           /* files that could not be handled */
	uint64_t packets_recovered; /* records kept from .part files */
	uint64_t bytes_cut;        /* incomplete tail bytes dropped */
};

/*
 * Repair every file of the store in dir (see above), compressing closed
 * files when compress says so. Fills *report (may be NULL). Returns 0 when
 * every file was handled, -1 when dir cannot be read or some file could
 * not be repaired (each logged once; the others are still handled). Logs
 * each repaired file with log_info.
 */
int repair_dir(const char *dir, enum pcapstore_compress compress,
	       struct repair_report *report);

/*
 * Repair one entry of the store by name, as repair_dir would: a .part is
 * cut back, closed and indexed; a closed file without a sidecar gets one.
 * For a writer whose own close failed (disk full, read-only), retried once
 * the directory works again; the name must not be open by any writer.
 * Returns 0, or -1 (logged) when it still cannot be done.
 */
int repair_file(const char *dir, const char *name,
		enum pcapstore_compress compress);

#endif
