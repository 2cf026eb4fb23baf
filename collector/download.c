/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File downloads and the chunked streaming engine they share with merged
 * downloads (see download.h). Choosing what to send belongs to callers.
 */
#include "collector/download.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/collector.h"
#include "collector/options.h"
#include "collector/pcapread.h"
#include "collector/pcapstore.h"
#include "shared/log.h"
#include "shared/number.h"

#define CHUNK (256u * 1024u)
/*
 * A bufferevent writes at most 16 KiB per write event by default: a chunk
 * then takes sixteen turns of the loop. One write may take a whole chunk.
 */
#define MAX_SINGLE_WRITE CHUNK

struct stream {
	struct evhttp_request *req;   /* borrowed until done */
	struct evhttp_connection *conn;
	download_fill_fn fill;
	download_done_fn done;
	void *arg;
	struct evbuffer *buf;         /* owned */
	struct event *again;          /* owned: calls fill again from the loop */
};

static void
stream_free(struct stream *s)
{
	if (s->done != NULL) {
		s->done(s->arg);
	}
	if (s->again != NULL) {
		event_free(s->again);
	}
	evbuffer_free(s->buf);
	free(s);
}

/*
 * The client went away mid-stream. libevent 2.1 has detached the request
 * from its connection (req->evcon is NULL) and left it to us:
 * evhttp_send_reply_end frees a detached request.
 */
static void
stream_closed_cb(struct evhttp_connection *conn, void *arg)
{
	struct stream *s = arg;

	(void)conn;
	evhttp_connection_set_closecb(s->conn, NULL, NULL);
	if (evhttp_request_get_connection(s->req) == NULL) {
		evhttp_send_reply_end(s->req);
	}
	stream_free(s);
}

static void
free_conn_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	evhttp_connection_free(arg);
}

static void stream_next(struct evhttp_connection *conn, void *arg);

static void
again_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stream *s = arg;

	(void)fd;
	(void)what;
	stream_next(s->conn, s);
}

static void
stream_next(struct evhttp_connection *conn, void *arg)
{
	struct stream *s = arg;
	int more;

	(void)conn;
	more = s->fill(s->arg, s->buf, CHUNK);
	if (more < 0) {
		/*
		 * The body cannot be completed: dropping the connection is the
		 * only honest end of a partial body. Freed from the loop, not
		 * from inside this libevent callback.
		 */
		evhttp_connection_set_closecb(s->conn, NULL, NULL);
		event_base_once(evhttp_connection_get_base(s->conn), -1,
				EV_TIMEOUT, free_conn_cb, s->conn, NULL);
		stream_free(s);
		return;
	}
	if (more > 0 && evbuffer_get_length(s->buf) == 0) {
		/* fill paused without a byte: no write to wait for, come back */
		const struct timeval now = { 0, 0 };

		evtimer_add(s->again, &now);
		return;
	}
	if (more > 0) {
		/* fill appended bytes; the callback comes when they have left */
		evhttp_send_reply_chunk_with_cb(s->req, s->buf, stream_next, s);
		return;
	}
	if (evbuffer_get_length(s->buf) > 0) {
		evhttp_send_reply_chunk(s->req, s->buf);
	}
	evhttp_connection_set_closecb(s->conn, NULL, NULL);
	evhttp_send_reply_end(s->req);
	stream_free(s);
}

void
download_stream(struct evhttp_request *req, int code, const char *reason,
		download_fill_fn fill, download_done_fn done, void *arg)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct stream *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->buf = evbuffer_new()) == NULL ||
	    (s->again = evtimer_new(evhttp_connection_get_base(conn), again_cb,
				    s)) == NULL) {
		if (s != NULL && s->buf != NULL) {
			evbuffer_free(s->buf);
		}
		free(s);
		if (done != NULL) {
			done(arg);
		}
		http_reply_error(req, 500, "out of memory");
		return;
	}
	s->req = req;
	s->conn = conn;
	s->fill = fill;
	s->done = done;
	s->arg = arg;
	bufferevent_set_max_single_write(evhttp_connection_get_bufferevent(conn),
					 MAX_SINGLE_WRITE);
	evhttp_send_reply_start(req, code, reason);
	evhttp_connection_set_closecb(s->conn, stream_closed_cb, s);
	stream_next(s->conn, s);
}

int
download_parse_range(const char *value, uint64_t size, uint64_t *first,
		     uint64_t *last)
{
	char a[32], b[32];
	const char *dash, *spec;
	size_t alen, blen;
	uint64_t x, y;

	if (strncmp(value, "bytes=", 6) != 0) {
		return -1;
	}
	spec = value + 6;
	if (strchr(spec, ',') != NULL) {
		return 0;
	}
	if ((dash = strchr(spec, '-')) == NULL) {
		return -1;
	}
	alen = (size_t)(dash - spec);
	blen = strlen(dash + 1);
	if (alen >= sizeof(a) || blen >= sizeof(b) || (alen == 0 && blen == 0)) {
		return -1;
	}
	memcpy(a, spec, alen);
	a[alen] = '\0';
	memcpy(b, dash + 1, blen + 1);
	if (alen == 0) {
		/* suffix: the last y bytes */
		if (!number_parse_u64(b, 1, UINT64_MAX, &y) || size == 0) {
			return -1;
		}
		*first = y >= size ? 0 : size - y;
		*last = size - 1;
		return 1;
	}
	if (!number_parse_u64(a, 0, UINT64_MAX, &x) || x >= size) {
		return -1;
	}
	if (blen == 0) {
		y = size - 1;
	} else if (!number_parse_u64(b, 0, UINT64_MAX, &y) || y < x) {
		return -1;
	} else if (y >= size) {
		y = size - 1;
	}
	*first = x;
	*last = y;
	return 1;
}

struct file_dl {
	struct pcapread *r;   /* owned */
	uint64_t left;        /* bytes still to send; UINT64_MAX: to the end */
};

static int
file_fill(void *arg, struct evbuffer *out, size_t max)
{
	struct file_dl *d = arg;
	struct evbuffer_iovec v;
	char err[256];
	ssize_t n;

	if (d->left == 0) {
		return 0;
	}
	if (max > d->left) {
		max = (size_t)d->left;
	}
	/* read straight into the buffer's own memory: no copy on the way */
	if (evbuffer_reserve_space(out, (ev_ssize_t)max, &v, 1) != 1) {
		return -1;
	}
	if ((n = pcapread_bytes(d->r, v.iov_base, max, err, sizeof(err))) < 0) {
		log_warnx("download: %s", err);
		return -1;
	}
	if (n == 0) {
		/* a plain file shorter than it was: end here (length was promised) */
		return d->left == UINT64_MAX ? 0 : -1;
	}
	v.iov_len = (size_t)n;
	if (evbuffer_commit_space(out, &v, 1) != 0) {
		return -1;
	}
	if (d->left != UINT64_MAX) {
		d->left -= (uint64_t)n;
		return d->left > 0;
	}
	return 1;
}

static void
file_done(void *arg)
{
	struct file_dl *d = arg;

	pcapread_close(d->r);
	free(d);
}

/* True when name is a closed file the store lists now. */
static bool
store_lists(const char *dir, const char *name)
{
	struct pcapstore_file *files = NULL;
	bool found = false;
	size_t n = 0;

	if (pcapstore_list(dir, 0, &files, &n) != 0) {
		return false;
	}
	for (size_t i = 0; i < n && !found; i++) {
		found = files[i].state == PCAPSTORE_FILE_CLOSED &&
			strcmp(files[i].name, name) == 0;
	}
	pcapstore_list_free(files);
	return found;
}

void
download_file(struct collector *c, struct evhttp_request *req,
	      const char *name, const struct evkeyvalq *q)
{
	struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
	const char *raw_s = evhttp_find_header(q, "raw");
	const char *range = evhttp_find_header(evhttp_request_get_input_headers(req), "Range");
	bool raw = raw_s != NULL && strcmp(raw_s, "1") == 0;
	char err[256], hdr[512], fname[300];
	uint64_t size, first = 0, last = 0;
	struct file_dl *d;
	int code = 200, rr = 0;

	if (!store_lists(c->o->pcap_dir, name)) {
		http_reply_error(req, 404, "no such file");
		return;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->r = pcapread_open(c->o->pcap_dir, name, raw, err, sizeof(err))) == NULL) {
		if (d != NULL) {
			file_done(d);
		}
		http_reply_error(req, 404, "no such file");
		return;
	}
	size = pcapread_file_size(d->r);
	snprintf(fname, sizeof(fname), "%s", name);
	if (pcapread_is_decompressing(d->r)) {
		/* decompressed: length unknown, Range not offered (use ?raw=1) */
		fname[strlen(fname) - 4] = '\0';
		d->left = UINT64_MAX;
		evhttp_add_header(oh, "Content-Type", "application/vnd.tcpdump.pcap");
	} else {
		evhttp_add_header(oh, "Accept-Ranges", "bytes");
		evhttp_add_header(oh, "Content-Type", raw && strstr(name, ".lz4")
				  ? "application/x-lz4" : "application/vnd.tcpdump.pcap");
		if (range != NULL && (rr = download_parse_range(range, size, &first, &last)) < 0) {
			snprintf(hdr, sizeof(hdr), "bytes */%" PRIu64, size);
			evhttp_add_header(oh, "Content-Range", hdr);
			file_done(d);
			http_reply_error(req, 416, "bad or unsatisfiable Range");
			return;
		}
		if (rr == 1) {
			code = 206;
			snprintf(hdr, sizeof(hdr), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
				 first, last, size);
			evhttp_add_header(oh, "Content-Range", hdr);
			if (pcapread_seek(d->r, first) != 0) {
				file_done(d);
				http_reply_error(req, 500, "seek failed");
				return;
			}
			d->left = last - first + 1;
		} else {
			d->left = size;
		}
		snprintf(hdr, sizeof(hdr), "%" PRIu64, d->left);
		evhttp_add_header(oh, "Content-Length", hdr);
	}
	snprintf(hdr, sizeof(hdr), "attachment; filename=\"%s\"", fname);
	evhttp_add_header(oh, "Content-Disposition", hdr);
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		evhttp_send_reply(req, code, NULL, NULL);
		file_done(d);
		return;
	}
	download_stream(req, code, code == 206 ? "Partial Content" : "OK",
			file_fill, file_done, d);
}
