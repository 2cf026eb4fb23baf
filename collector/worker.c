/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-worker pipeline and its receive thread (see worker.h). It glues
 * the modules together and counts; it does not parse, classify or store
 * by itself.
 */
#include "collector/worker.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/classify.h"
#include "collector/flowlog.h"
#include "collector/flowtable.h"
#include "collector/geoip.h"
#include "collector/pcapstore.h"
#include "collector/recv.h"
#include "shared/flowkey.h"
#include "shared/frame.h"
#include "shared/log.h"

#define NS 1000000000ULL
#define POLL_MS 200
#define DRAIN_BATCHES 64 /* batches read before housekeeping gets a turn */
/*
 * After a wake-up that emptied the socket, a worker sleeps this long before
 * it waits on the socket again. Datagrams arriving meanwhile queue without
 * waking anyone: at high rates the kernel's receive path (on the core that
 * takes the NIC's interrupts) then spends its time queueing datagrams, not
 * waking this thread for every few of them. A worker that found nothing
 * does not sleep, so an idle collector still answers within one wake-up.
 */
#define COALESCE_NS 500000

struct snap_ctx;

struct worker {
	struct worker_config cfg;
	int fd;                        /* owned; -1 offline */
	pthread_t thread;
	bool started;
	bool finished;
	atomic_bool stop;
	atomic_bool alive;
	atomic_bool rotate;            /* a rotation was requested */
	uint64_t now_ns;               /* offline clock */
	uint64_t last_tick_ns;         /* last housekeeping */
	struct recv_batch batch;       /* owns its buffers */
	struct pcapstore *store;       /* owned */
	struct flowlog *flowlog;       /* owned */
	struct flowtable *flows;       /* owned */
	struct classify *classify;     /* owned */
	struct stats stats;
	uint64_t store_calls;          /* frames handed to the pcap store */
	pthread_mutex_t snap_lock;     /* guards snap */
	struct snap_ctx *snap_ctx;     /* owned: scratch of take_snapshot */
	json_t *snap;                  /* owned: the latest snapshot, or NULL */
	struct flow **heap;            /* owned: WORKER_SNAPSHOT_FLOWS slots */
};

static uint64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static uint64_t
worker_now(void *arg)
{
	struct worker *w = arg;

	return w->cfg.offline ? w->now_ns : realtime_ns();
}

/* A flow leaves the table: final classification, tally, JSON line. */
static void
flow_closed_cb(struct flow *f, void *arg)
{
	struct worker *w = arg;
	struct stats_proto *p;

	classify_flow_end(w->classify, f);
	p = stats_proto(&w->stats, f->proto[0] != '\0' ? f->proto : "Unknown");
	stat_add(&p->flows, 1);
	stat_add(&p->packets, f->orig_pkts + f->resp_pkts);
	stat_add(&p->bytes, f->orig_bytes + f->resp_bytes);
	if (f->end == FLOW_END_EVICTED) {
		stat_add(&w->stats.flows_evicted, 1);
	}
	if (flowlog_write(w->flowlog, f) == 0) {
		stat_add(&w->stats.flows_logged, 1);
	}
}

static void
update_flow_gauge(struct worker *w)
{
	struct flowtable_stats st;

	flowtable_get_stats(w->flows, &st);
	atomic_store_explicit(&w->stats.flows_active, st.active,
			      memory_order_relaxed);
}

#define SNAP_PROTOS 512 /* distinct protocol names summed one by one */

struct snap_proto {
	const char *name;      /* points into a flow, valid during the pass */
	uint64_t hash;
	uint64_t flows, packets, bytes;
};

/*
 * One pass over the open flows: a min-heap of the busiest flows by bytes
 * (bounded to WORKER_SNAPSHOT_FLOWS) and per-protocol sums in a small
 * open-addressing table (names past SNAP_PROTOS are summed as "other").
 */
struct snap_ctx {
	struct worker *w;
	size_t n;
	struct snap_proto protos[SNAP_PROTOS * 2];
	size_t nprotos;
	struct snap_proto other;
};

static uint64_t
flow_bytes(const struct flow *f)
{
	return f->orig_bytes + f->resp_bytes;
}

static void
heap_sift_down(struct flow **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < n && flow_bytes(h[l]) < flow_bytes(h[m])) {
			m = l;
		}
		if (r < n && flow_bytes(h[r]) < flow_bytes(h[m])) {
			m = r;
		}
		if (m == i) {
			return;
		}
		struct flow *t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void
snap_flow_cb(struct flow *f, void *arg)
{
	struct snap_ctx *s = arg;
	struct flow **h = s->w->heap;
	const char *name = f->proto[0] != '\0' ? f->proto : "Unknown";
	uint64_t hash = 1469598103934665603ULL;
	struct snap_proto *p;
	size_t i;

	for (const char *q = name; *q != '\0'; q++) {
		hash = (hash ^ (uint8_t)*q) * 1099511628211ULL;
	}
	for (i = hash % (SNAP_PROTOS * 2);; i = (i + 1) % (SNAP_PROTOS * 2)) {
		p = &s->protos[i];
		if (p->name == NULL) {
			if (s->nprotos == SNAP_PROTOS) {
				p = &s->other;
				break;
			}
			p->name = name;
			p->hash = hash;
			s->nprotos++;
			break;
		}
		if (p->hash == hash && strcmp(p->name, name) == 0) {
			break;
		}
	}
	p->flows++;
	p->packets += f->orig_pkts + f->resp_pkts;
	p->bytes += flow_bytes(f);

	if (s->n < WORKER_SNAPSHOT_FLOWS) {
		/* grow the heap: sift the new flow up */
		size_t k = s->n++;

		h[k] = f;
		while (k > 0 && flow_bytes(h[(k - 1) / 2]) > flow_bytes(h[k])) {
			struct flow *t = h[k];

			h[k] = h[(k - 1) / 2];
			h[(k - 1) / 2] = t;
			k = (k - 1) / 2;
		}
	} else if (flow_bytes(f) > flow_bytes(h[0])) {
		h[0] = f;
		heap_sift_down(h, s->n, 0);
	}
}

static const char *
ip_text(uint8_t family, const uint8_t *a, char *buf, size_t len)
{
	if (family == 4) {
		snprintf(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	} else if (family == 6) {
		inet_ntop(AF_INET6, a, buf, (socklen_t)len);
	} else {
		snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
			 a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	return buf;
}

static const char *
country(const struct worker *w, uint8_t family, const uint8_t *a, char *buf)
{
	struct geoip_info gi;

	buf[0] = '\0';
	if (w->cfg.geoip != NULL && family != 0 &&
	    geoip_lookup(w->cfg.geoip, family, a, &gi) == GEOIP_FOUND) {
		snprintf(buf, GEOIP_COUNTRY_LEN, "%s", gi.country);
	}
	return buf;
}

static const char *
l4_name(uint8_t family, uint8_t proto, char *buf, size_t len)
{
	switch (family == 0 ? 255 : proto) {
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 1:
		return "ICMP";
	case 58:
		return "IPv6-ICMP";
	case 132:
		return "SCTP";
	case 255:
		return "L2";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

static void
add_talker(json_t *talkers, const char *addr, const char *cc, const struct flow *f)
{
	json_t *t = json_object_get(talkers, addr);

	if (t == NULL) {
		t = json_pack("{s:s, s:I, s:I, s:I, s:s}", "addr", addr,
			      "packets", (json_int_t)0, "bytes", (json_int_t)0,
			      "flows", (json_int_t)0, "country", cc);
		json_object_set_new(talkers, addr, t);
	}
	json_object_set_new(t, "packets", json_integer(json_integer_value(json_object_get(t, "packets")) +
		(json_int_t)(f->orig_pkts + f->resp_pkts)));
	json_object_set_new(t, "bytes", json_integer(json_integer_value(json_object_get(t, "bytes")) +
		(json_int_t)flow_bytes(f)));
	json_object_set_new(t, "flows", json_integer(json_integer_value(json_object_get(t, "flows")) + 1));
}

/* Build a new snapshot of the open flows (worker thread). */
static void
take_snapshot(struct worker *w)
{
	struct snap_ctx *s = w->snap_ctx;
	json_t *flows = json_array(), *talkers = json_object(), *tarr = json_array(), *snap, *old;
	json_t *protos = json_object();
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], cs[4], cd[4], pn[8];
	const char *k;
	json_t *v;

	memset(s, 0, sizeof(*s));
	s->w = w;
	s->other.name = "other";
	flowtable_foreach(w->flows, snap_flow_cb, s);
	/* names point into flows: turn the sums into JSON before anything moves */
	for (size_t i = 0; i < SNAP_PROTOS * 2; i++) {
		const struct snap_proto *p = &s->protos[i];

		if (p->name != NULL) {
			json_object_set_new(protos, p->name, json_pack("{s:I, s:I, s:I}",
				"flows", (json_int_t)p->flows, "packets", (json_int_t)p->packets,
				"bytes", (json_int_t)p->bytes));
		}
	}
	if (s->other.flows > 0) {
		json_object_set_new(protos, "other", json_pack("{s:I, s:I, s:I}",
			"flows", (json_int_t)s->other.flows, "packets", (json_int_t)s->other.packets,
			"bytes", (json_int_t)s->other.bytes));
	}
	/* heap order is not sorted; pop the heap to get largest-first */
	for (size_t n = s->n; n > 0; n--) {
		struct flow *f = w->heap[0];
		uint8_t fam = f->key.family;

		w->heap[0] = w->heap[n - 1];
		heap_sift_down(w->heap, n - 1, 0);
		ip_text(fam, f->orig_ip, src, sizeof(src));
		ip_text(fam, f->resp_ip, dst, sizeof(dst));
		country(w, fam, f->orig_ip, cs);
		country(w, fam, f->resp_ip, cd);
		add_talker(talkers, src, cs, f);
		add_talker(talkers, dst, cd, f);
		if (n > WORKER_SNAPSHOT_TOP) {
			continue;
		}
		/* popped smallest first: insert in front for largest first */
		json_array_insert_new(flows, 0, json_pack(
			"{s:s, s:i, s:s, s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:s}",
			"src", src, "sport", (int)f->orig_port,
			"dst", dst, "dport", (int)f->resp_port,
			"proto", l4_name(fam, f->key.proto, pn, sizeof(pn)),
			"app", f->proto[0] != '\0' ? f->proto : "Unknown",
			"vni", (json_int_t)f->key.vni,
			"packets", (json_int_t)(f->orig_pkts + f->resp_pkts),
			"bytes", (json_int_t)flow_bytes(f),
			"first_ns", (json_int_t)f->first_ns,
			"last_ns", (json_int_t)f->last_ns,
			"src_country", cs, "dst_country", cd));
	}
	json_object_foreach(talkers, k, v) {
		json_array_append(tarr, v);
	}
	json_decref(talkers);
	snap = json_pack("{s:o, s:o, s:o}", "flows", flows, "talkers", tarr,
			 "protocols", protos);
	pthread_mutex_lock(&w->snap_lock);
	old = w->snap;
	w->snap = snap;
	pthread_mutex_unlock(&w->snap_lock);
	json_decref(old);
}

json_t *
worker_snapshot(struct worker *w)
{
	json_t *copy = NULL;

	pthread_mutex_lock(&w->snap_lock);
	if (w->snap != NULL) {
		copy = json_deep_copy(w->snap);
	}
	pthread_mutex_unlock(&w->snap_lock);
	if (copy == NULL) {
		copy = json_pack("{s:[], s:[], s:{}}", "flows", "talkers", "protocols");
	}
	return copy;
}

bool
worker_store_healthy(struct worker *w, char *why, size_t len)
{
	return pcapstore_healthy(w->store, why, len);
}

static void sync_store(struct worker *w);

static void
housekeeping(struct worker *w, uint64_t now)
{
	if (atomic_exchange(&w->rotate, false)) {
		pcapstore_rotate(w->store);
		flowlog_rotate(w->flowlog);
	}
	if (now - w->last_tick_ns < NS && now >= w->last_tick_ns) {
		return;
	}
	w->last_tick_ns = now;
	flowtable_expire(w->flows, now, flow_closed_cb, w);
	pcapstore_tick(w->store, now);
	flowlog_tick(w->flowlog);
	update_flow_gauge(w);
	sync_store(w);
	if (!w->cfg.offline) {
		take_snapshot(w);
	}
}

void
worker_frame(struct worker *w, const struct timespec *ts, uint32_t vni,
	     const struct sockaddr *from, const uint8_t *frame, size_t len)
{
	uint64_t t = (uint64_t)ts->tv_sec * NS + (uint64_t)ts->tv_nsec;
	struct flowkey key;
	struct frame fr;
	struct flow *f;
	enum frame_err e;
	bool src_is_lo, created;

	stat_add(&w->stats.frames, 1);
	stat_add(&w->stats.frame_bytes, len);
	/* a frame the parser stops in is still stored: a TAP keeps what it gets */
	if ((e = frame_parse(frame, len, &fr)) != FRAME_OK) {
		stat_add(&w->stats.malformed[e], 1);
	}
	if (fr.truncated) {
		stat_add(&w->stats.inner_truncated, 1);
	}
	flowkey_from_frame(&fr, vni, &key, &src_is_lo);
	f = flowtable_lookup(w->flows, &key, &fr, src_is_lo, t, &created);
	if (f != NULL) {
		if (created) {
			stat_add(&w->stats.flows_created, 1);
			if (fr.is_icmp) {
				f->icmp_seen = true;
				f->icmp_type = fr.icmp_type;
				f->icmp_code = fr.icmp_code;
			}
			if (from != NULL) {
				memcpy(&f->sender, from, from->sa_family == AF_INET6
				       ? sizeof(struct sockaddr_in6)
				       : sizeof(struct sockaddr_in));
			}
		}
		flowtable_account(w->flows, f, &fr, src_is_lo, (uint32_t)len, t);
		if (!f->detected && !f->gave_up) {
			classify_packet(w->classify, f, &fr, frame, len, t);
		}
	}
	/* written and write_errors come from the store (sync_store) */
	w->store_calls++;
	if (pcapstore_write(w->store, t, frame, (uint32_t)len, (uint32_t)len,
			    &key, f != NULL ? f->proto : NULL) == 0) {
		stat_add(&w->stats.written_bytes, len);
		if (from != NULL) {
			stat_add(&stats_sender(&w->stats, from)->written, 1);
		}
		stat_add(&stats_vni(&w->stats, vni)->written, 1);
	}
}

/*
 * The store knows what reached a file: a record accepted into its buffer
 * can still be lost when the buffer's write fails. So written is every
 * frame handed over minus what the store lost or refused, and those are
 * write_errors.
 */
static void
sync_store(struct worker *w)
{
	struct pcapstore_stats ps;
	uint64_t lost;

	pcapstore_get_stats(w->store, &ps);
	lost = ps.packets_lost + ps.packets_invalid;
	atomic_store_explicit(&w->stats.write_errors, lost, memory_order_relaxed);
	atomic_store_explicit(&w->stats.written,
			      w->store_calls > lost ? w->store_calls - lost : 0,
			      memory_order_relaxed);
}

void
worker_datagram(struct worker *w, const struct timespec *ts,
		const struct sockaddr *from, const uint8_t *buf, size_t len,
		bool cut)
{
	struct stats_entry *sender = stats_sender(&w->stats, from);
	enum decap_verdict v;
	struct vxlan_hdr h;

	stat_add(&w->stats.datagrams, 1);
	stat_add(&w->stats.datagram_bytes, len);
	stat_add(&sender->datagrams, 1);
	stat_add(&sender->bytes, len);
	v = cut ? DECAP_OVERSIZE
		: decap_datagram(w->cfg.policy, from, buf, len, &h);
	if (v != DECAP_OK) {
		stat_add(&w->stats.drops[v], 1);
		stat_add(&sender->drops[v], 1);
		if (v == DECAP_VNI_DENIED) {
			stat_add(&stats_vni(&w->stats, h.vni)->drops[v], 1);
		}
		return;
	}
	if (h.reserved_set) {
		stat_add(&w->stats.reserved_set, 1);
	}
	struct stats_entry *vni = stats_vni(&w->stats, h.vni);
	stat_add(&vni->datagrams, 1);
	stat_add(&vni->bytes, len);
	worker_frame(w, ts, h.vni, from, buf + VXLAN_HLEN, len - VXLAN_HLEN);
}

void
worker_not_vxlan(struct worker *w)
{
	stat_add(&w->stats.not_vxlan, 1);
}

void
worker_outer_fragment(struct worker *w)
{
	stat_add(&w->stats.outer_fragments, 1);
}

void
worker_clock(struct worker *w, uint64_t now_ns)
{
	if (now_ns > w->now_ns) {
		w->now_ns = now_ns;
	}
	housekeeping(w, w->now_ns);
}

static void *
thread_main(void *arg)
{
	struct worker *w = arg;
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
	uint64_t drops;
	unsigned got;
	int n;

	while (!atomic_load(&w->stop)) {
		if (poll(&pfd, 1, POLL_MS) < 0 && errno != EINTR) {
			log_warn("worker %u: poll", w->cfg.id);
			break;
		}
		got = 0;
		for (int b = 0; b < DRAIN_BATCHES; b++) {
			if ((n = recv_batch_read(w->fd, &w->batch)) <= 0) {
				if (n < 0) {
					log_warn("worker %u: recvmmsg", w->cfg.id);
				}
				break;
			}
			for (unsigned i = 0; i < w->batch.count; i++) {
				struct msghdr *h = &w->batch.msgs[i].msg_hdr;

				worker_datagram(w, &w->batch.ts[i],
						(struct sockaddr *)&w->batch.from[i],
						recv_data(&w->batch, i),
						w->batch.msgs[i].msg_len,
						(h->msg_flags & MSG_TRUNC) != 0);
			}
			got += w->batch.count;
		}
		if (recv_drops(w->fd, &drops) == 0) {
			atomic_store_explicit(&w->stats.kernel_drops, drops,
					      memory_order_relaxed);
		}
		/*
		 * Hand what was received to the kernel before sleeping again: a
		 * killed collector then loses nothing it had taken in (the
		 * page cache keeps it; repair closes the file at restart).
		 */
		pcapstore_flush(w->store);
		sync_store(w);
		housekeeping(w, realtime_ns());
		if (got > 0 && got < DRAIN_BATCHES * RECV_BATCH) {
			struct timespec nap = { 0, COALESCE_NS };

			nanosleep(&nap, NULL);
		}
	}
	atomic_store(&w->alive, false);
	return NULL;
}

struct worker *
worker_create(const struct worker_config *cfg, char *err, size_t errlen)
{
	struct flowtable_config ftc;
	struct pcapstore_config psc;
	struct flowlog_config flc;
	struct worker *w;
	char prefix[32];

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(err, errlen, "out of memory");
		if (cfg->fd >= 0) {
			close(cfg->fd);
		}
		return NULL;
	}
	w->cfg = *cfg;
	w->fd = cfg->fd;
	w->finished = false;
	stats_init(&w->stats);
	pthread_mutex_init(&w->snap_lock, NULL);
	if ((w->heap = calloc(WORKER_SNAPSHOT_FLOWS, sizeof(*w->heap))) == NULL ||
	    (w->snap_ctx = malloc(sizeof(*w->snap_ctx))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	snprintf(prefix, sizeof(prefix), "w%u", cfg->id);

	if (cfg->fd >= 0 && recv_batch_init(&w->batch) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	memset(&psc, 0, sizeof(psc));
	psc.dir = cfg->pcap_dir;
	psc.prefix = "vtap";
	psc.worker = cfg->id;
	psc.rotate_bytes = cfg->rotate_bytes;
	psc.rotate_seconds = cfg->rotate_seconds;
	psc.compress = cfg->compress_lz4 ? PCAPSTORE_COMPRESS_LZ4
					 : PCAPSTORE_COMPRESS_NONE;
	if ((w->store = pcapstore_create(&psc, err, errlen)) == NULL) {
		goto fail;
	}
	memset(&flc, 0, sizeof(flc));
	flc.dir = cfg->pcap_dir;
	flc.prefix = prefix;
	flc.rotate_bytes = cfg->rotate_bytes;
	flc.rotate_seconds = cfg->rotate_seconds;
	flc.geoip = cfg->geoip;
	flc.clock = worker_now;
	flc.clock_arg = w;
	if ((w->flowlog = flowlog_create(&flc, err, errlen)) == NULL) {
		goto fail;
	}
	flowtable_config_default(&ftc);
	ftc.max_flows = cfg->max_flows;
	ftc.idle_ns = cfg->idle_ns;
	ftc.active_ns = cfg->active_ns;
	ftc.close = flow_closed_cb;
	ftc.close_arg = w;
	if ((w->flows = flowtable_create(&ftc)) == NULL) {
		snprintf(err, errlen, "cannot allocate a flow table of %zu flows",
			 cfg->max_flows);
		goto fail;
	}
	if ((w->classify = classify_create(err, errlen)) == NULL) {
		goto fail;
	}
	return w;
fail:
	w->finished = true; /* nothing to flush */
	worker_destroy(w);
	return NULL;
}

int
worker_start(struct worker *w, char *err, size_t errlen)
{
	int rc;

	atomic_store(&w->alive, true);
	w->last_tick_ns = realtime_ns();
	if ((rc = pthread_create(&w->thread, NULL, thread_main, w)) != 0) {
		atomic_store(&w->alive, false);
		snprintf(err, errlen, "worker %u: %s", w->cfg.id, strerror(rc));
		return -1;
	}
	w->started = true;
	return 0;
}

void
worker_stop(struct worker *w)
{
	if (!w->started) {
		return;
	}
	atomic_store(&w->stop, true);
	pthread_join(w->thread, NULL);
	w->started = false;
}

void
worker_finish(struct worker *w)
{
	if (w->finished) {
		return;
	}
	w->finished = true;
	flowtable_flush(w->flows, flow_closed_cb, w);
	update_flow_gauge(w);
	pcapstore_close(w->store);
	sync_store(w);
	flowlog_rotate(w->flowlog);
}

void
worker_destroy(struct worker *w)
{
	if (w == NULL) {
		return;
	}
	worker_stop(w);
	worker_finish(w);
	flowtable_destroy(w->flows);
	classify_destroy(w->classify);
	flowlog_destroy(w->flowlog);
	pcapstore_destroy(w->store);
	recv_batch_finish(&w->batch);
	json_decref(w->snap);
	free(w->heap);
	free(w->snap_ctx);
	pthread_mutex_destroy(&w->snap_lock);
	if (w->fd >= 0) {
		close(w->fd);
	}
	free(w);
}

void
worker_request_rotate(struct worker *w)
{
	atomic_store(&w->rotate, true);
}

struct stats *
worker_stats(struct worker *w)
{
	return &w->stats;
}

bool
worker_is_alive(const struct worker *w)
{
	return atomic_load(&((struct worker *)w)->alive);
}
