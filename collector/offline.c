/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads capture files for offline mode and hands their packets to the
 * workers: outer headers are peeled here, everything after the VXLAN
 * header is the workers' job. With several workers, this thread only
 * reads, peels and picks each packet's worker by its inner flow; the
 * workers run in threads of their own, fed through pktqueue.h queues.
 */
#include "collector/offline.h"

#include <netinet/in.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/pktqueue.h"
#include "collector/worker.h"
#include "shared/flowkey.h"
#include "shared/frame.h"

#define IPPROTO_UDP_ 17
#define SCRATCH (CAPTURE_MAX + 64)
#define CAPTURE_MAX 262144
#define NS 1000000000ULL
#define QUEUE_BYTES (4u << 20) /* per worker; holds a record of SCRATCH */
#define VXLAN_HLEN_ 8

/*
 * Bring a record of any supported link type to an Ethernet frame: the
 * record itself for Ethernet, else a synthetic Ethernet header (zero MACs,
 * the right ethertype) in front of the network-layer packet. Returns the
 * frame and its length in *len, or NULL for a record it cannot place.
 */
static const uint8_t *
to_ethernet(int dlt, const uint8_t *p, size_t caplen, uint8_t *scratch,
	    size_t *len)
{
	size_t off;
	uint16_t type;

	switch (dlt) {
	case DLT_EN10MB:
		*len = caplen;
		return p;
	case DLT_LINUX_SLL:  /* 16-byte header, protocol at 14 */
		if (caplen < 16) {
			return NULL;
		}
		type = (uint16_t)(p[14] << 8 | p[15]);
		off = 16;
		break;
	case DLT_LINUX_SLL2: /* 20-byte header, protocol at 0 */
		if (caplen < 20) {
			return NULL;
		}
		type = (uint16_t)(p[0] << 8 | p[1]);
		off = 20;
		break;
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
		off = (dlt == DLT_NULL || dlt == DLT_LOOP) ? 4 : 0;
		if (caplen <= off) {
			return NULL;
		}
		type = (p[off] >> 4) == 6 ? ETHERTYPE_IPV6_ : ETHERTYPE_IPV4_;
		break;
	default:
		return NULL;
	}
	if (caplen - off + 14 > SCRATCH) {
		return NULL;
	}
	memset(scratch, 0, 12);
	scratch[12] = (uint8_t)(type >> 8);
	scratch[13] = (uint8_t)type;
	memcpy(scratch + 14, p + off, caplen - off);
	*len = caplen - off + 14;
	return scratch;
}

static bool
dlt_supported(int dlt)
{
	uint8_t s[SCRATCH];
	size_t len;
	static const uint8_t probe[32] = { 0x45 };

	return to_ethernet(dlt, probe, sizeof(probe), s, &len) != NULL;
}

/* The outer source address as a socket address, for per-sender counters. */
static void
outer_sender(const struct frame *f, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (f->ip_version == 4) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, f->src_ip, 4);
		in->sin_port = htons(f->src_port);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, f->src_ip, 16);
		in6->sin6_port = htons(f->src_port);
	}
}

/*
 * What the reading thread sends a worker thread: a message, followed by
 * the packet's bytes for MSG_DATAGRAM (the UDP payload) and MSG_FRAME.
 */
enum msg_kind {
	MSG_DATAGRAM,       /* worker_datagram(ts, from, bytes) */
	MSG_FRAME,          /* worker_frame(ts, VNI 0, no sender, bytes) */
	MSG_CLOCK,          /* worker_clock(ts) */
	MSG_NOT_VXLAN,      /* worker_not_vxlan */
	MSG_OUTER_FRAGMENT, /* worker_outer_fragment */
	MSG_END,            /* the file is done: finish and exit */
};

struct msg {
	struct timespec ts;
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} from;
	uint32_t kind;
};

/* One worker thread and the queue that feeds it. */
struct lane {
	struct worker *w;       /* borrowed */
	struct pktqueue *q;     /* owned */
	pthread_t thread;
	bool started;
};

/*
 * Where the packets go: straight into the one worker, or into the queues
 * of several. now_ns and tick_ns follow the capture's clock the way a
 * lone worker's own clock does (worker_clock), so that every worker does
 * its housekeeping at the very packets a lone worker would.
 */
struct offline {
	struct worker **w;      /* borrowed: n workers */
	unsigned n;
	struct lane *lanes;     /* owned: n lanes, NULL with one worker */
	uint64_t now_ns;        /* the latest capture time seen */
	uint64_t tick_ns;       /* when the workers last did housekeeping */
};

static void *
lane_main(void *arg)
{
	struct lane *l = arg;
	const uint8_t *rec;
	struct msg m;
	size_t len;

	for (;;) {
		rec = pktqueue_peek(l->q, &len);
		memcpy(&m, rec, sizeof(m));
		switch (m.kind) {
		case MSG_DATAGRAM:
			worker_datagram(l->w, &m.ts, &m.from.sa, rec + sizeof(m),
					len - sizeof(m), false);
			break;
		case MSG_FRAME:
			worker_frame(l->w, &m.ts, 0, NULL, rec + sizeof(m),
				     len - sizeof(m));
			break;
		case MSG_CLOCK:
			worker_clock(l->w, (uint64_t)m.ts.tv_sec * NS +
					   (uint64_t)m.ts.tv_nsec);
			break;
		case MSG_NOT_VXLAN:
			worker_not_vxlan(l->w);
			break;
		case MSG_OUTER_FRAGMENT:
			worker_outer_fragment(l->w);
			break;
		default:
			pktqueue_release(l->q);
			/* closing flows and files is each worker's own work too */
			worker_finish(l->w);
			return NULL;
		}
		pktqueue_release(l->q);
	}
}

/*
 * Queue a message (and len bytes of data) for worker k. A full queue is
 * waited for, never skipped: before waiting, every sleeping worker is
 * woken for what already waits in its queue.
 */
static void
send_msg(struct offline *o, unsigned k, uint32_t kind,
	 const struct timespec *ts, const struct sockaddr_storage *from,
	 const uint8_t *data, size_t len)
{
	struct pktqueue *q = o->lanes[k].q;
	uint8_t *rec;
	struct msg m;

	if ((rec = pktqueue_try_reserve(q, sizeof(m) + len)) == NULL) {
		for (unsigned i = 0; i < o->n; i++) {
			pktqueue_flush(o->lanes[i].q);
		}
		/* never NULL: a record is at most SCRATCH bytes and a message */
		rec = pktqueue_reserve(q, sizeof(m) + len);
	}
	memset(&m, 0, sizeof(m));
	m.kind = kind;
	if (ts != NULL) {
		m.ts = *ts;
	}
	if (from != NULL) {
		memcpy(&m.from, from, from->ss_family == AF_INET6
		       ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	}
	memcpy(rec, &m, sizeof(m));
	if (len > 0) {
		memcpy(rec + sizeof(m), data, len);
	}
	pktqueue_commit(q);
}

/* The worker of an inner frame: its flow's symmetric hash, modulo n. */
static unsigned
pick(const struct offline *o, uint32_t vni, const uint8_t *frame, size_t len)
{
	struct flowkey key;
	struct frame f;

	/* keyed as worker_frame keys it, parsed in full or not */
	(void)frame_parse(frame, len, &f);
	flowkey_from_frame(&f, vni, &key, NULL);
	return (unsigned)(flowkey_hash(&key, 0) % o->n);
}

static void
deliver_datagram(struct offline *o, const struct timespec *ts,
		 const struct sockaddr_storage *from, const uint8_t *p,
		 size_t len)
{
	uint32_t vni;
	unsigned k = 0;

	if (o->lanes == NULL) {
		worker_datagram(o->w[0], ts, (const struct sockaddr *)from, p,
				len, false);
		return;
	}
	/* a datagram too short for a VXLAN header is refused by any worker */
	if (len >= VXLAN_HLEN_) {
		vni = (uint32_t)p[4] << 16 | (uint32_t)p[5] << 8 | p[6];
		k = pick(o, vni, p + VXLAN_HLEN_, len - VXLAN_HLEN_);
	}
	send_msg(o, k, MSG_DATAGRAM, ts, from, p, len);
}

static void
deliver_frame(struct offline *o, const struct timespec *ts,
	      const uint8_t *frame, size_t len)
{
	if (o->lanes == NULL) {
		worker_frame(o->w[0], ts, 0, NULL, frame, len);
		return;
	}
	send_msg(o, pick(o, 0, frame, len), MSG_FRAME, ts, NULL, frame, len);
}

/* Counters that belong to no flow go to worker 0. */
static void
count(struct offline *o, uint32_t kind)
{
	if (o->lanes == NULL) {
		if (kind == MSG_NOT_VXLAN) {
			worker_not_vxlan(o->w[0]);
		} else {
			worker_outer_fragment(o->w[0]);
		}
		return;
	}
	send_msg(o, 0, kind, NULL, NULL, NULL, 0);
}

/*
 * After each packet: the capture's clock. A lone worker is told every
 * packet's time (worker_clock does its housekeeping once a second of
 * capture time has passed). Several workers get the clock only when that
 * second has passed, all of them, at the same packet: which flows expire
 * when then depends on the capture alone, not on how the threads ran.
 */
static void
advance(struct offline *o, const struct timespec *ts)
{
	uint64_t t = (uint64_t)ts->tv_sec * NS + (uint64_t)ts->tv_nsec;

	if (o->lanes == NULL) {
		worker_clock(o->w[0], t);
		return;
	}
	if (t > o->now_ns) {
		o->now_ns = t;
	}
	/* the test worker.c's housekeeping makes */
	if (o->now_ns - o->tick_ns < NS && o->now_ns >= o->tick_ns) {
		return;
	}
	o->tick_ns = o->now_ns;
	for (unsigned i = 0; i < o->n; i++) {
		send_msg(o, i, MSG_CLOCK, ts, NULL, NULL, 0);
	}
}

static void
outer_packet(struct offline *o, const struct timespec *ts, const uint8_t *p,
	     size_t len, uint16_t vxlan_port)
{
	struct sockaddr_storage from;
	struct frame f;
	size_t plen;

	if (frame_parse(p, len, &f) != FRAME_OK || f.ip_version == 0) {
		count(o, MSG_NOT_VXLAN);
		return;
	}
	if (f.fragment) {
		count(o, MSG_OUTER_FRAGMENT);
		return;
	}
	if (f.l4_proto != IPPROTO_UDP_ || !f.has_ports ||
	    f.dst_port != vxlan_port) {
		count(o, MSG_NOT_VXLAN);
		return;
	}
	/* the UDP payload as captured, never past the datagram's own length */
	plen = f.payload_len;
	if (f.payload_offset > len) {
		plen = 0;
	} else if (plen > len - f.payload_offset) {
		plen = len - f.payload_offset;
	}
	outer_sender(&f, &from);
	deliver_datagram(o, ts, &from,
			 f.payload_offset <= len ? p + f.payload_offset : p, plen);
}

static void end_lanes(struct offline *o);

/*
 * Start a thread per worker. On failure the threads already started are
 * ended (and their workers finished) and -1 returned with err.
 */
static int
start_lanes(struct offline *o, char *err, size_t errlen)
{
	int rc;

	if ((o->lanes = calloc(o->n, sizeof(*o->lanes))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < o->n; i++) {
		o->lanes[i].w = o->w[i];
		if ((o->lanes[i].q = pktqueue_create(QUEUE_BYTES)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if ((rc = pthread_create(&o->lanes[i].thread, NULL, lane_main,
					 &o->lanes[i])) != 0) {
			snprintf(err, errlen, "offline worker %u: %s", i, strerror(rc));
			goto fail;
		}
		o->lanes[i].started = true;
	}
	return 0;
fail:
	end_lanes(o);
	return -1;
}

/*
 * The clock at the last packet's time, then the end: each worker drains
 * its queue, finishes (flows logged, files closed) and exits.
 */
static void
end_lanes(struct offline *o)
{
	struct timespec last;

	if (o->lanes == NULL) {
		return;
	}
	last.tv_sec = (time_t)(o->now_ns / NS);
	last.tv_nsec = (long)(o->now_ns % NS);
	for (unsigned i = 0; i < o->n; i++) {
		if (o->lanes[i].started) {
			/* sets the clock a lone worker ends with; no housekeeping is due */
			if (o->now_ns > 0) {
				send_msg(o, i, MSG_CLOCK, &last, NULL, NULL, 0);
			}
			send_msg(o, i, MSG_END, NULL, NULL, NULL, 0);
			pktqueue_flush(o->lanes[i].q);
		}
	}
	for (unsigned i = 0; i < o->n; i++) {
		if (o->lanes[i].started) {
			pthread_join(o->lanes[i].thread, NULL);
		}
		pktqueue_destroy(o->lanes[i].q);
	}
	free(o->lanes);
	o->lanes = NULL;
}

int
offline_run(struct worker **workers, unsigned nworkers, const char *path,
	    bool inner, uint16_t vxlan_port, char *err, size_t errlen)
{
	static uint8_t scratch[SCRATCH];
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct offline o = { .w = workers, .n = nworkers };
	struct pcap_pkthdr *h;
	const u_char *data;
	const uint8_t *frame;
	struct timespec ts;
	size_t len;
	pcap_t *p;
	int dlt, rc;

	p = pcap_open_offline_with_tstamp_precision(path,
		PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (p == NULL) {
		snprintf(err, errlen, "%s", ebuf);
		return -1;
	}
	dlt = pcap_datalink(p);
	if (!dlt_supported(dlt)) {
		snprintf(err, errlen, "%s: link type %s is not supported", path,
			 pcap_datalink_val_to_name(dlt));
		pcap_close(p);
		return -1;
	}
	if (nworkers > 1 && start_lanes(&o, err, errlen) != 0) {
		pcap_close(p);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		ts.tv_sec = h->ts.tv_sec;
		ts.tv_nsec = h->ts.tv_usec; /* nanoseconds: opened with NANO precision */
		frame = to_ethernet(dlt, data, h->caplen, scratch, &len);
		if (frame == NULL) {
			count(&o, MSG_NOT_VXLAN);
			continue;
		}
		if (inner) {
			deliver_frame(&o, &ts, frame, len);
		} else {
			outer_packet(&o, &ts, frame, len, vxlan_port);
		}
		advance(&o, &ts);
	}
	end_lanes(&o);
	if (rc == PCAP_ERROR) {
		/* a file cut short: what was read stays processed */
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	return 0;
}
