/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Closed pcap files' sidecar summaries (time range, packets, bytes, flow
 * count), kept in memory between listings of the store. Reading a summary
 * from disk parses the whole sidecar, flow index and all: megabytes of
 * JSON for a 64 MiB file, more than streaming the file costs. So the
 * writer hands each summary over as it seals a file, the first listing
 * after a restart reads the rest once, and every later listing
 * (/api/v1/files, merged downloads) takes them from here.
 *
 * An entry is used only while the data file's size and mtime and the
 * sidecar's size are those it was stored with; a listing drops the
 * entries of files that are gone. One store directory per process: an
 * entry of another directory is never returned. Any thread.
 */
#ifndef VTAP_COLLECTOR_SUMMARIES_H
#define VTAP_COLLECTOR_SUMMARIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/pcapstore.h"

/*
 * Fill f's summary fields (has_summary and the rest) for the closed file
 * f of dir whose sidecar is dir/index: from memory when an entry matches
 * f's size, mtime and sidecar size, else by reading the sidecar (and
 * remembering it). A sidecar that cannot be read leaves has_summary false.
 */
void summaries_get(const char *dir, struct pcapstore_file *f,
		   const char *index);

/*
 * Remember the summary of a file just sealed: dir/data_name with the
 * sidecar dir/index. The sizes and mtime are read from the disk now.
 */
void summaries_put_sealed(const char *dir, const char *data_name,
			  const char *index, uint64_t first_ns,
			  uint64_t last_ns, uint64_t packets, uint64_t bytes,
			  uint64_t flow_count, bool flows_truncated);

/*
 * Forget the entries of dir's files that are not among the n names of a
 * listing that started at generation gen (summaries_generation() read
 * before the directory was read): files sealed after that are kept.
 */
uint64_t summaries_generation(void);
void summaries_prune(const char *dir, const struct pcapstore_file *files,
		     size_t n, uint64_t gen);

/* How many entries are held (for tests). */
size_t summaries_count(void);

#endif
