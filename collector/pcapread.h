/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the store's closed files back: NAME.pcap or NAME.pcap.lz4 (an
 * LZ4 frame, decompressed as it is read) as a byte stream, or record by
 * record. Used by downloads and the merged, filtered download. Memory is
 * bounded by one buffer per reader, whatever the file's size.
 */
#ifndef VTAP_COLLECTOR_PCAPREAD_H
#define VTAP_COLLECTOR_PCAPREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PCAPREAD_BUF (256u * 1024u)

struct pcapread_record {
	uint64_t ts_ns;
	uint32_t caplen;
	uint32_t wirelen;
	const uint8_t *data;      /* points into the reader; valid until the next call */
};

struct pcapread;

/*
 * Open dir/name (a closed store file: the name must satisfy
 * sidecar_file_name_ok). raw: read a .pcap.lz4 as its compressed bytes.
 * Returns NULL with a reason in err (ENOENT, not a regular file, ...).
 */
struct pcapread *pcapread_open(const char *dir, const char *name, bool raw,
			       char *err, size_t errlen);

void pcapread_close(struct pcapread *r);

/* Size of the file on disk (compressed size for .lz4). */
uint64_t pcapread_file_size(const struct pcapread *r);

/* True when the stream is decompressed (length unknown in advance). */
bool pcapread_is_decompressing(const struct pcapread *r);

/*
 * Position a raw or plain stream at offset (for Range). -1 for a
 * decompressing stream or an error.
 */
int pcapread_seek(struct pcapread *r, uint64_t offset);

/*
 * Read up to len bytes of the (decompressed) stream. Returns the count,
 * 0 at the end, or -1 on an error (reason in err).
 */
ssize_t pcapread_bytes(struct pcapread *r, uint8_t *buf, size_t len, char *err,
		       size_t errlen);

/*
 * Record mode: validate the global header (microsecond or nanosecond
 * magic, either byte order) and return each record in turn. Returns 1
 * with *rec set, 0 at a clean end, -1 on a damaged file (err says where:
 * no header, a record over the largest snap length, a file ending inside
 * a record). rec->data points into the reader's buffer, filled by reads
 * of up to 384 KiB: nothing is copied per record, and the bytes stay valid
 * until the next call. A reader in record mode is not read with
 * pcapread_bytes or pcapread_seek.
 */
int pcapread_record(struct pcapread *r, struct pcapread_record *rec, char *err,
		    size_t errlen);

#endif
