/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File selection, the time-ordered k-way merge, BPF and VNI filtering,
 * and the two endpoints built on them (see pcapmerge.h). Bytes go out
 * through download.c's streaming engine.
 */
#include "collector/pcapmerge.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/collector.h"
#include "collector/download.h"
#include "collector/options.h"
#include "collector/pcapread.h"
#include "collector/pcapstore.h"
#include "collector/sidecar.h"
#include "shared/flowkey.h"
#include "shared/frame.h"
#include "shared/log.h"
#include "shared/number.h"
#include "shared/vxlan.h"

#define NS 1000000000ULL
#define SLICE_RECORDS 20000  /* records counted per event-loop turn */
#define SCAN_RECORDS 16384   /* records read per pcapmerge_next call at most */
#define PCAP_HEADER_LEN 24
#define RECORD_HEADER_LEN 16

struct source {
	struct pcapread *r;          /* owned */
	struct pcapread_record rec;  /* current record (points into r) */
	struct flowkey *keys;        /* owned, sorted: the file's flows in the VNI */
	size_t nkeys;
};

struct pcapmerge {
	struct pcapmerge_query q;
	struct source *src;          /* owned array */
	size_t nsrc;
	size_t *heap;                /* owned: indices of sources with a record */
	size_t nheap;
	bool returned;               /* heap[0]'s record went out: advance it first */
	uint64_t upper;              /* pcap bytes of the selected files */
	pcap_t *dead;                /* owned: for compiling the filter */
	struct bpf_program prog;
	bool has_prog;
};

bool
pcapmerge_parse_query(const struct evkeyvalq *q, struct pcapmerge_query *out,
		      char *err, size_t errlen)
{
	const char *from = evhttp_find_header(q, "from");
	const char *to = evhttp_find_header(q, "to");
	const char *filter = evhttp_find_header(q, "filter");
	const char *vni = evhttp_find_header(q, "vni");
	uint64_t v;

	memset(out, 0, sizeof(*out));
	out->to_ns = UINT64_MAX;
	if (from != NULL && from[0] != '\0') {
		if (!number_parse_u64(from, 0, UINT64_MAX / NS, &v)) {
			snprintf(err, errlen, "from must be epoch seconds, not '%s'", from);
			return false;
		}
		out->from_ns = v * NS;
	}
	if (to != NULL && to[0] != '\0') {
		if (!number_parse_u64(to, 0, UINT64_MAX / NS - 1, &v)) {
			snprintf(err, errlen, "to must be epoch seconds, not '%s'", to);
			return false;
		}
		out->to_ns = v * NS + (NS - 1); /* the whole last second */
	}
	if (out->from_ns > out->to_ns) {
		snprintf(err, errlen, "from is after to");
		return false;
	}
	if (filter != NULL && filter[strspn(filter, " \t")] != '\0') {
		out->filter = filter;
	}
	if (vni != NULL && vni[0] != '\0') {
		if (!number_parse_u64(vni, 0, VXLAN_VNI_MAX, &v)) {
			snprintf(err, errlen, "vni must be 0..16777215, not '%s'", vni);
			return false;
		}
		out->has_vni = true;
		out->vni = (uint32_t)v;
	}
	return true;
}

static int
key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct flowkey));
}

/* The file's flows in the query's VNI; false when it has none (skip it). */
static bool
load_keys(const char *dir, const char *name, uint32_t vni, struct source *s)
{
	char idx[512], path[4096], detail[256];
	struct sidecar sc;
	size_t n = 0;

	if (!sidecar_name_for(name, idx, sizeof(idx))) {
		return false;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, idx);
	sidecar_init(&sc);
	if (sidecar_read(path, false, &sc, detail, sizeof(detail)) != SIDECAR_OK) {
		sidecar_finish(&sc);
		return false;
	}
	s->keys = calloc(sc.flow_count + 1, sizeof(*s->keys));
	for (size_t i = 0; s->keys != NULL && i < sc.flow_count; i++) {
		if (sc.flows[i].key.vni == vni) {
			s->keys[n++] = sc.flows[i].key;
		}
	}
	sidecar_finish(&sc);
	s->nkeys = n;
	qsort(s->keys, n, sizeof(*s->keys), key_cmp);
	return n > 0;
}

/* Advance source i to its next record inside the time range: 1, 0 (end), -1. */
static int
advance(struct pcapmerge *m, size_t i, char *err, size_t errlen)
{
	struct source *s = &m->src[i];
	int rc;

	while ((rc = pcapread_record(s->r, &s->rec, err, errlen)) == 1) {
		if (s->rec.ts_ns >= m->q.from_ns && s->rec.ts_ns <= m->q.to_ns) {
			return 1;
		}
	}
	return rc;
}

static bool
heap_less(const struct pcapmerge *m, size_t a, size_t b)
{
	uint64_t x = m->src[a].rec.ts_ns, y = m->src[b].rec.ts_ns;

	/* ties keep file order, so equal timestamps come out stably */
	return x < y || (x == y && a < b);
}

static void
heap_down(struct pcapmerge *m, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, best = i, t;

		if (l < m->nheap && heap_less(m, m->heap[l], m->heap[best])) {
			best = l;
		}
		if (r < m->nheap && heap_less(m, m->heap[r], m->heap[best])) {
			best = r;
		}
		if (best == i) {
			return;
		}
		t = m->heap[i];
		m->heap[i] = m->heap[best];
		m->heap[best] = t;
		i = best;
	}
}

struct pcapmerge *
pcapmerge_open(const char *dir, const struct pcapmerge_query *query,
	       char *err, size_t errlen, bool *bad_filter)
{
	struct pcapstore_file *files = NULL;
	struct pcapmerge *m = calloc(1, sizeof(*m));
	size_t n = 0;

	*bad_filter = false;
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->q = *query;
	if (query->filter != NULL) {
		m->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144,
			PCAP_TSTAMP_PRECISION_NANO);
		if (m->dead == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (pcap_compile(m->dead, &m->prog, query->filter, 1,
				 PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(err, errlen, "%s", pcap_geterr(m->dead));
			*bad_filter = true;
			goto fail;
		}
		m->has_prog = true;
	}
	/* summaries come from memory (summaries.h), not a parse per file */
	if (pcapstore_list(dir, PCAPSTORE_LIST_SUMMARY, &files, &n) != 0) {
		snprintf(err, errlen, "cannot list the pcap directory");
		goto fail;
	}
	m->src = calloc(n + 1, sizeof(*m->src));
	m->heap = calloc(n + 1, sizeof(*m->heap));
	if (m->src == NULL || m->heap == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pcapstore_file *f = &files[i];
		struct source *s = &m->src[m->nsrc];

		if (f->state != PCAPSTORE_FILE_CLOSED || !f->has_summary ||
		    f->packets == 0 || f->last_ns < query->from_ns ||
		    f->first_ns > query->to_ns) {
			continue;
		}
		if (query->has_vni && !load_keys(dir, f->name, query->vni, s)) {
			free(s->keys);
			s->keys = NULL;
			continue;
		}
		if ((s->r = pcapread_open(dir, f->name, false, err, errlen)) == NULL) {
			/* retention may have removed it since the listing */
			free(s->keys);
			s->keys = NULL;
			continue;
		}
		m->upper += f->compressed ? 0 : f->size;
		if (f->compressed) {
			/* the uncompressed size: records plus their headers */
			m->upper += f->bytes + f->packets * RECORD_HEADER_LEN;
		}
		m->nsrc++;
	}
	pcapstore_list_free(files);
	files = NULL;
	for (size_t i = 0; i < m->nsrc; i++) {
		int rc = advance(m, i, err, errlen);

		if (rc < 0) {
			log_warnx("merge: %s", err);
		}
		if (rc == 1) {
			m->heap[m->nheap++] = i;
		}
	}
	for (size_t i = m->nheap / 2; i-- > 0;) {
		heap_down(m, i);
	}
	return m;
fail:
	pcapstore_list_free(files);
	pcapmerge_close(m);
	return NULL;
}

void
pcapmerge_close(struct pcapmerge *m)
{
	if (m == NULL) {
		return;
	}
	for (size_t i = 0; i < m->nsrc; i++) {
		pcapread_close(m->src[i].r);
		free(m->src[i].keys);
	}
	free(m->src);
	free(m->heap);
	if (m->has_prog) {
		pcap_freecode(&m->prog);
	}
	if (m->dead != NULL) {
		pcap_close(m->dead);
	}
	free(m);
}

size_t
pcapmerge_files(const struct pcapmerge *m)
{
	return m->nsrc;
}

uint64_t
pcapmerge_upper_bound(const struct pcapmerge *m)
{
	return m->upper;
}

static bool
matches(const struct pcapmerge *m, const struct source *s)
{
	const struct pcapread_record *r = &s->rec;

	if (m->has_prog) {
		struct pcap_pkthdr h = {
			.caplen = r->caplen,
			.len = r->wirelen,
		};

		if (pcap_offline_filter(&m->prog, &h, r->data) == 0) {
			return false;
		}
	}
	if (m->q.has_vni) {
		struct flowkey k;
		struct frame f;

		(void)frame_parse(r->data, r->caplen, &f);
		flowkey_from_frame(&f, m->q.vni, &k, NULL);
		if (bsearch(&k, s->keys, s->nkeys, sizeof(k), key_cmp) == NULL) {
			return false;
		}
	}
	return true;
}

/* Move the source at the top of the heap to its next record: 0 or -1. */
static int
pop(struct pcapmerge *m, char *err, size_t errlen)
{
	int rc = advance(m, m->heap[0], err, errlen);

	if (rc < 0) {
		return -1;
	}
	if (rc == 0) {
		m->heap[0] = m->heap[--m->nheap];
	}
	heap_down(m, 0);
	return 0;
}

int
pcapmerge_next(struct pcapmerge *m, uint64_t *ts_ns, const uint8_t **data,
	       uint32_t *caplen, uint32_t *wirelen, char *err, size_t errlen)
{
	/*
	 * The record handed out last time points into its reader's buffer:
	 * that source moves on only now, so nothing is copied.
	 */
	if (m->returned) {
		m->returned = false;
		if (pop(m, err, errlen) != 0) {
			return -1;
		}
	}
	for (unsigned scanned = 0; m->nheap > 0; scanned++) {
		const struct source *s = &m->src[m->heap[0]];

		if (scanned == SCAN_RECORDS) {
			return 2;
		}
		if (matches(m, s)) {
			*ts_ns = s->rec.ts_ns;
			*caplen = s->rec.caplen;
			*wirelen = s->rec.wirelen;
			*data = s->rec.data;
			m->returned = true;
			return 1;
		}
		if (pop(m, err, errlen) != 0) {
			return -1;
		}
	}
	return 0;
}

/* ---- the endpoints ---------------------------------------------------- */

struct job {
	struct collector *c;             /* borrowed */
	struct evhttp_request *req;      /* borrowed until replied */
	struct evhttp_connection *conn;  /* borrowed */
	struct pcapmerge_query q;
	char *filter;                    /* owned copy of q.filter */
	struct pcapmerge *m;             /* owned */
	struct event *ev;                /* owned: counting slices */
	bool download;                   /* count first, then stream */
	uint64_t packets, bytes;         /* counted so far (pcap bytes) */
	bool header_sent;
};

static void
job_free(struct job *j)
{
	if (j->ev != NULL) {
		event_free(j->ev);
	}
	pcapmerge_close(j->m);
	free(j->filter);
	free(j);
}

/* The client went away while counting: free the detached request too. */
static void
job_closed_cb(struct evhttp_connection *conn, void *arg)
{
	struct job *j = arg;

	(void)conn;
	if (evhttp_request_get_connection(j->req) == NULL) {
		evhttp_send_reply_end(j->req);
	}
	job_free(j);
}

static struct job *
job_new(struct collector *c, struct evhttp_request *req,
	const struct evkeyvalq *q, bool download)
{
	struct job *j = calloc(1, sizeof(*j));
	char err[512];
	bool bad_filter;

	if (j == NULL) {
		http_reply_error(req, 500, "out of memory");
		return NULL;
	}
	j->c = c;
	j->req = req;
	j->conn = evhttp_request_get_connection(req);
	j->download = download;
	if (!pcapmerge_parse_query(q, &j->q, err, sizeof(err))) {
		http_reply_error(req, 400, "%s", err);
		goto fail;
	}
	if (j->q.filter != NULL) {
		if ((j->filter = strdup(j->q.filter)) == NULL) {
			http_reply_error(req, 500, "out of memory");
			goto fail;
		}
		j->q.filter = j->filter;
	}
	if ((j->m = pcapmerge_open(c->o->pcap_dir, &j->q, err, sizeof(err),
				   &bad_filter)) == NULL) {
		if (bad_filter) {
			http_reply_error(req, 400, "bad filter: %s", err);
		} else {
			http_reply_error(req, 500, "%s", err);
		}
		goto fail;
	}
	return j;
fail:
	job_free(j);
	return NULL;
}

static void start_stream(struct job *j);

static void
reply_estimate(struct job *j)
{
	uint64_t cap = j->c->o->download_cap;
	uint64_t bytes = j->bytes + PCAP_HEADER_LEN;

	http_reply_json(j->req, 200, json_pack("{s:I, s:I, s:I, s:I, s:b}",
		"files", (json_int_t)pcapmerge_files(j->m),
		"packets", (json_int_t)j->packets,
		"bytes", (json_int_t)bytes,
		"cap_bytes", (json_int_t)cap,
		"capped", bytes > cap));
}

/* One slice of counting; re-arms itself until the end. */
static void
count_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	const struct timeval now = { 0, 0 };
	const uint8_t *data;
	uint32_t caplen, wirelen;
	uint64_t ts;
	char err[256];
	int rc = 1;

	(void)fd;
	(void)what;
	for (int i = 0; i < SLICE_RECORDS && (rc = pcapmerge_next(j->m, &ts, &data,
			&caplen, &wirelen, err, sizeof(err))) == 1; i++) {
		j->packets++;
		j->bytes += RECORD_HEADER_LEN + caplen;
	}
	if (rc > 0) {
		evtimer_add(j->ev, &now);
		return;
	}
	evhttp_connection_set_closecb(j->conn, NULL, NULL);
	if (rc < 0) {
		http_reply_error(j->req, 500, "%s", err);
		job_free(j);
		return;
	}
	if (!j->download) {
		reply_estimate(j);
		job_free(j);
		return;
	}
	if (j->bytes + PCAP_HEADER_LEN > j->c->o->download_cap) {
		http_reply_error(j->req, 413,
			"the query matches %" PRIu64 " bytes, over the download cap of %" PRIu64
			" bytes: narrow the time range or the filter",
			j->bytes + PCAP_HEADER_LEN, j->c->o->download_cap);
		job_free(j);
		return;
	}
	start_stream(j);
}

static void
start_counting(struct job *j)
{
	const struct timeval now = { 0, 0 };

	j->ev = evtimer_new(evhttp_connection_get_base(j->conn), count_cb, j);
	if (j->ev == NULL) {
		http_reply_error(j->req, 500, "out of memory");
		job_free(j);
		return;
	}
	evhttp_connection_set_closecb(j->conn, job_closed_cb, j);
	evtimer_add(j->ev, &now);
}

/*
 * Copy records into space reserved in out, committed once per batch: one
 * evbuffer chain per chunk rather than two small adds per record.
 */
static int
stream_fill(void *arg, struct evbuffer *out, size_t max)
{
	struct job *j = arg;
	struct evbuffer_iovec v = { NULL, 0 };
	const uint8_t *data;
	uint32_t caplen, wirelen, h[4];
	size_t used = 0, total = 0;
	uint64_t ts;
	char err[256];
	int rc, more = 1;

	if (!j->header_sent) {
		/* nanosecond pcap, Ethernet, snap length 262144 */
		const uint32_t gh[6] = { 0xa1b23c4d, 0x00040002, 0, 0, 262144, 1 };

		if (evbuffer_add(out, gh, sizeof(gh)) != 0) {
			return -1;
		}
		j->header_sent = true;
	}
	while (total < max) {
		size_t need;

		rc = pcapmerge_next(j->m, &ts, &data, &caplen, &wirelen, err,
				    sizeof(err));
		if (rc < 0) {
			log_warnx("merged download: %s", err);
			more = -1;
			break;
		}
		if (rc != 1) {
			/* the end, or a long run without a match: let the loop turn */
			more = rc == 0 ? 0 : 1;
			break;
		}
		need = RECORD_HEADER_LEN + (size_t)caplen;
		if (used + need > v.iov_len) {
			if (used > 0) {
				v.iov_len = used;
				if (evbuffer_commit_space(out, &v, 1) != 0) {
					return -1;
				}
			}
			used = 0;
			if (evbuffer_reserve_space(out, (ev_ssize_t)(need > max ? need : max),
						   &v, 1) != 1) {
				return -1;
			}
		}
		h[0] = (uint32_t)(ts / NS);
		h[1] = (uint32_t)(ts % NS);
		h[2] = caplen;
		h[3] = wirelen;
		memcpy((uint8_t *)v.iov_base + used, h, sizeof(h));
		memcpy((uint8_t *)v.iov_base + used + sizeof(h), data, caplen);
		used += need;
		total += need;
	}
	if (used > 0) {
		v.iov_len = used;
		if (evbuffer_commit_space(out, &v, 1) != 0) {
			return -1;
		}
	}
	return more;
}

static void
stream_done(void *arg)
{
	job_free(arg);
}

static void
start_stream(struct job *j)
{
	struct evkeyvalq *oh = evhttp_request_get_output_headers(j->req);
	char name[128], hdr[200];
	bool bad;
	char err[256];

	/* counting consumed the merge: open it again for the real pass */
	if (j->packets > 0 || j->ev != NULL) {
		pcapmerge_close(j->m);
		if ((j->m = pcapmerge_open(j->c->o->pcap_dir, &j->q, err,
					   sizeof(err), &bad)) == NULL) {
			http_reply_error(j->req, 500, "%s", err);
			job_free(j);
			return;
		}
	}
	snprintf(name, sizeof(name), "vtap-%" PRIu64 "-%" PRIu64 ".pcap",
		 (uint64_t)(j->q.from_ns / NS), j->q.to_ns == UINT64_MAX ? (uint64_t)time(NULL)
							    : (uint64_t)(j->q.to_ns / NS));
	snprintf(hdr, sizeof(hdr), "attachment; filename=\"%s\"", name);
	evhttp_add_header(oh, "Content-Type", "application/vnd.tcpdump.pcap");
	evhttp_add_header(oh, "Content-Disposition", hdr);
	if (evhttp_request_get_command(j->req) == EVHTTP_REQ_HEAD) {
		evhttp_send_reply(j->req, 200, "OK", NULL);
		job_free(j);
		return;
	}
	download_stream(j->req, 200, "OK", stream_fill, stream_done, j);
}

void
pcapmerge_download(struct collector *c, struct evhttp_request *req,
		   const char *rest, const struct evkeyvalq *q)
{
	struct job *j;

	(void)rest;
	if ((j = job_new(c, req, q, true)) == NULL) {
		return;
	}
	/* under the cap whatever the filters keep: no need to count first */
	if (pcapmerge_upper_bound(j->m) + PCAP_HEADER_LEN <= c->o->download_cap) {
		start_stream(j);
		return;
	}
	start_counting(j);
}

void
pcapmerge_estimate(struct collector *c, struct evhttp_request *req,
		   const char *rest, const struct evkeyvalq *q)
{
	struct job *j;

	(void)rest;
	if ((j = job_new(c, req, q, false)) == NULL) {
		return;
	}
	start_counting(j);
}
