/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The merged download: every closed pcap file of the store that overlaps a
 * time range, merged in time order across the workers' files, filtered by
 * a BPF expression (compiled by libpcap) and a VNI, as one pcap stream.
 * The sidecar indexes choose the files, so files outside the range or
 * without the VNI are never opened.
 *
 *   GET /api/v1/pcap?from=EPOCH_S&to=EPOCH_S&filter=BPF&vni=N
 *   GET /api/v1/pcap/estimate?...   {"files","packets","bytes","cap_bytes","capped"}
 *
 * A VNI is not in the pcap records: a packet belongs to VNI N when its
 * flow key with VNI N is in its file's sidecar (the same 5-tuple seen in
 * two VNIs within one file matches both). Downloads are capped at
 * --download-cap bytes: a query that would exceed it is refused with 413
 * before a byte is sent, never cut short. Counting runs in slices on the
 * event loop, so a large estimate never blocks the health probe.
 */
#ifndef VTAP_COLLECTOR_PCAPMERGE_H
#define VTAP_COLLECTOR_PCAPMERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/http.h"

struct pcapmerge_query {
	uint64_t from_ns;     /* inclusive */
	uint64_t to_ns;       /* inclusive; UINT64_MAX: open */
	const char *filter;   /* borrowed BPF expression, NULL: none */
	bool has_vni;
	uint32_t vni;
};

/*
 * Read from, to (epoch seconds), filter and vni from a query. Pure: false
 * with a reason for a malformed value or from > to.
 */
bool pcapmerge_parse_query(const struct evkeyvalq *q, struct pcapmerge_query *out,
			   char *err, size_t errlen);

struct pcapmerge;

/*
 * Select and open the files of dir matching query, ready to merge.
 * Returns NULL with a reason in err; *bad_filter tells that the reason
 * is libpcap's message about the filter (a 400 rather than a 500).
 */
struct pcapmerge *pcapmerge_open(const char *dir,
				 const struct pcapmerge_query *query,
				 char *err, size_t errlen, bool *bad_filter);

void pcapmerge_close(struct pcapmerge *m);

/* Files selected, and the size of their pcap data (an upper bound). */
size_t pcapmerge_files(const struct pcapmerge *m);
uint64_t pcapmerge_upper_bound(const struct pcapmerge *m);

/*
 * The next matching record in time order: 1 with *ts_ns, *data, *caplen
 * and *wirelen set (data points into a reader's buffer, valid until the
 * next call), 0 at the end, -1 when a file is damaged (reason in err),
 * 2 when a bounded number of records were read without a match (call
 * again: callers on the event loop let it turn first).
 */
int pcapmerge_next(struct pcapmerge *m, uint64_t *ts_ns, const uint8_t **data,
		   uint32_t *caplen, uint32_t *wirelen, char *err, size_t errlen);

void pcapmerge_download(struct collector *c, struct evhttp_request *req,
			const char *rest, const struct evkeyvalq *q);
void pcapmerge_estimate(struct collector *c, struct evhttp_request *req,
			const char *rest, const struct evkeyvalq *q);

#endif
