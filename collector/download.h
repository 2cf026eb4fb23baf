/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET/HEAD /files/NAME: one closed pcap file of the store, streamed in
 * bounded chunks (a slow client holds one chunk, never the file), with a
 * single Range (206; 416 when malformed or unsatisfiable), Content-Length
 * and Content-Disposition. A .pcap.lz4 is decompressed on the fly unless
 * ?raw=1. Only names the store lists are served; anything else is 404.
 */
#ifndef VTAP_COLLECTOR_DOWNLOAD_H
#define VTAP_COLLECTOR_DOWNLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "collector/http.h"

void download_file(struct collector *c, struct evhttp_request *req,
		   const char *rest, const struct evkeyvalq *q);

/*
 * Parse a Range header value against a resource of size bytes. Returns 1
 * with [*first, *last] for one satisfiable range, 0 when the header should
 * be ignored (several ranges: the whole file is sent), -1 when it is
 * malformed or unsatisfiable (416). Pure.
 */
int download_parse_range(const char *value, uint64_t size, uint64_t *first,
			 uint64_t *last);

/*
 * Stream bytes from a source to req in chunks, each sent when the previous
 * one has left (the generic engine behind files and merged downloads).
 * fill is called for the next chunk: it appends about max bytes to out (a
 * source of records may finish the one that crosses max) and returns 1 (more may come; it may have appended nothing when it stopped
 * to let the event loop turn, and is then called again from the loop), 0 (this
 * was the end; it may have appended a last piece) or -1 (error: the
 * connection is dropped, since the body cannot be completed). done is
 * called exactly once, at the end or when the client goes away.
 */
struct evbuffer;
typedef int (*download_fill_fn)(void *arg, struct evbuffer *out, size_t max);
typedef void (*download_done_fn)(void *arg);

void download_stream(struct evhttp_request *req, int code, const char *reason,
		     download_fill_fn fill, download_done_fn done, void *arg);

#endif
