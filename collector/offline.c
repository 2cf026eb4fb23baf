/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads capture files for offline mode and hands their packets to a
 * worker: outer headers are peeled here, everything after the VXLAN
 * header is the worker's job.
 */
#include "collector/offline.h"

#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "collector/worker.h"
#include "shared/frame.h"

#define IPPROTO_UDP_ 17
#define SCRATCH (CAPTURE_MAX + 64)
#define CAPTURE_MAX 262144

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

static void
outer_packet(struct worker *w, const struct timespec *ts, const uint8_t *p,
	     size_t len, uint16_t vxlan_port)
{
	struct sockaddr_storage from;
	struct frame f;
	size_t plen;

	if (frame_parse(p, len, &f) != FRAME_OK || f.ip_version == 0) {
		worker_not_vxlan(w);
		return;
	}
	if (f.fragment) {
		worker_outer_fragment(w);
		return;
	}
	if (f.l4_proto != IPPROTO_UDP_ || !f.has_ports ||
	    f.dst_port != vxlan_port) {
		worker_not_vxlan(w);
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
	worker_datagram(w, ts, (struct sockaddr *)&from,
			f.payload_offset <= len ? p + f.payload_offset : p, plen,
			false);
}

int
offline_run(struct worker *w, const char *path, bool inner,
	    uint16_t vxlan_port, char *err, size_t errlen)
{
	static uint8_t scratch[SCRATCH];
	char ebuf[PCAP_ERRBUF_SIZE] = "";
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
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		ts.tv_sec = h->ts.tv_sec;
		ts.tv_nsec = h->ts.tv_usec; /* nanoseconds: opened with NANO precision */
		frame = to_ethernet(dlt, data, h->caplen, scratch, &len);
		if (frame == NULL) {
			worker_not_vxlan(w);
			continue;
		}
		if (inner) {
			worker_frame(w, &ts, 0, NULL, frame, len);
		} else {
			outer_packet(w, &ts, frame, len, vxlan_port);
		}
		worker_clock(w, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	}
	if (rc == PCAP_ERROR) {
		/* a file cut short: what was read stays processed */
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	return 0;
}
