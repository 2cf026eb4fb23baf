// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkpcap: makes the large captures the benchmarks read, from small ones.
 * "mix" replicates real captures with every copy's addresses moved by a
 * per-copy XOR (both directions alike, so each copy is a new set of flows);
 * "flows" writes N distinct two-packet UDP flows. Optionally wraps every
 * frame in Ethernet/IPv4/UDP/VXLAN. Not part of vtap: a benchmark tool only.
 *
 *   mkpcap mix OUT.pcap PACKETS [--vxlan] [--per-flow K] IN.pcap...
 *   mkpcap flows OUT.pcap FLOWS [--vxlan]
 *   mkpcap udp OUT.pcap FLOWS SIZE [--vxlan]   (one SIZE-byte frame per flow)
 *
 * With --vxlan the outer frame goes 02:00:00:00:00:01 10.200.0.1 ->
 * 02:00:00:00:00:02 10.200.0.2, UDP 4789, VNI 42, the source port a hash
 * of the inner flow as a real sender would choose it.
 * --per-flow K keeps only the first K frames of each flow of the inputs
 * (a flow: the symmetric hash of addresses, ports and protocol), so that a
 * few long transfers do not swamp the many short flows.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXFRAME 9000

struct frame {
	uint32_t len;
	unsigned char *data; /* owned */
};

static pcap_dumper_t *dumper;
static bool vxlan;
static unsigned per_flow;
static unsigned long long written;
static unsigned char outbuf[MAXFRAME + 64];

static uint16_t
csum(const unsigned char *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2) {
		s += (uint32_t)p[i] << 8 | p[i + 1];
	}
	if (n & 1) {
		s += (uint32_t)p[n - 1] << 8;
	}
	while (s >> 16) {
		s = (s & 0xffff) + (s >> 16);
	}
	return (uint16_t)~s;
}

/* Writes one frame, wrapped in VXLAN (VNI 42, 10.200.0.1 -> 10.200.0.2)
 * when asked; timestamps advance 1 us per packet from a fixed epoch. */
static void
emit(const unsigned char *f, uint32_t len, uint32_t hash)
{
	struct pcap_pkthdr h;
	const unsigned char *out = f;
	uint32_t outlen = len;

	if (vxlan) {
		unsigned char *o = outbuf;
		static const unsigned char eth[14] = {
			0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00 };
		uint16_t iplen = (uint16_t)(20 + 8 + 8 + len);
		uint16_t sport = (uint16_t)(49152 + hash % 16384);

		memcpy(o, eth, 14);
		o += 14;
		memset(o, 0, 20);
		o[0] = 0x45;
		o[2] = iplen >> 8;
		o[3] = iplen & 0xff;
		o[6] = 0x40; /* DF */
		o[8] = 64;
		o[9] = 17;
		o[12] = 10; o[13] = 200; o[14] = 0; o[15] = 1;
		o[16] = 10; o[17] = 200; o[18] = 0; o[19] = 2;
		uint16_t c = csum(o, 20);
		o[10] = c >> 8;
		o[11] = c & 0xff;
		o += 20;
		o[0] = sport >> 8; o[1] = sport & 0xff;
		o[2] = 4789 >> 8; o[3] = 4789 & 0xff;
		o[4] = (iplen - 20) >> 8; o[5] = (iplen - 20) & 0xff;
		o[6] = 0; o[7] = 0;
		o += 8;
		memset(o, 0, 8);
		o[0] = 0x08;
		o[6] = 42; /* VNI 42 in bytes 4..6 */
		o += 8;
		memcpy(o, f, len);
		out = outbuf;
		outlen = len + 50;
	}
	h.ts.tv_sec = 1700000000 + (time_t)(written / 1000000);
	h.ts.tv_usec = (suseconds_t)(written % 1000000);
	h.caplen = h.len = outlen;
	pcap_dump((u_char *)dumper, &h, out);
	written++;
}

/* Moves the IPv4/IPv6 addresses of one frame by key (XOR), fixing the IPv4
 * header checksum; returns a hash of the moved addresses for the outer
 * port. L4 checksums are left as they are (no tool under test checks). */
static uint32_t
shift(unsigned char *f, uint32_t len, uint32_t key)
{
	uint32_t off = 12;
	uint16_t type;

	if (len < 14) {
		return 0;
	}
	type = (uint16_t)(f[off] << 8 | f[off + 1]);
	off += 2;
	while ((type == 0x8100 || type == 0x88a8) && off + 4 <= len) {
		type = (uint16_t)(f[off + 2] << 8 | f[off + 3]);
		off += 4;
	}
	if (type == 0x0800 && off + 20 <= len) {
		unsigned char *ip = f + off;
		uint32_t ihl = (ip[0] & 0x0f) * 4u;
		for (int i = 0; i < 4; i++) {
			uint8_t k = (uint8_t)(key >> (8 * (3 - i)));
			ip[12 + i] ^= k;
			ip[16 + i] ^= k;
		}
		if (ihl >= 20 && off + ihl <= len) {
			ip[10] = ip[11] = 0;
			uint16_t c = csum(ip, ihl);
			ip[10] = c >> 8;
			ip[11] = c & 0xff;
		}
		uint32_t a, b;
		memcpy(&a, ip + 12, 4);
		memcpy(&b, ip + 16, 4);
		return (a ^ b) * 2654435761u;
	}
	if (type == 0x86dd && off + 40 <= len) {
		unsigned char *ip = f + off;
		for (int i = 0; i < 4; i++) {
			uint8_t k = (uint8_t)(key >> (8 * (3 - i)));
			ip[8 + 12 + i] ^= k;
			ip[24 + 12 + i] ^= k;
		}
		uint32_t a, b;
		memcpy(&a, ip + 20, 4);
		memcpy(&b, ip + 36, 4);
		return (a ^ b) * 2654435761u;
	}
	return key;
}

/* A symmetric hash of the frame's flow (IPv4/IPv6 addresses, TCP/UDP
 * ports, protocol); 0 for anything else. */
static uint32_t
flowhash(const unsigned char *f, uint32_t len)
{
	uint32_t off = 14, h = 0;
	uint16_t type;
	unsigned proto = 0, l4 = 0;

	if (len < 14) {
		return 0;
	}
	type = (uint16_t)(f[12] << 8 | f[13]);
	while ((type == 0x8100 || type == 0x88a8) && off + 4 <= len) {
		type = (uint16_t)(f[off + 2] << 8 | f[off + 3]);
		off += 4;
	}
	if (type == 0x0800 && off + 20 <= len) {
		uint32_t a, b;
		memcpy(&a, f + off + 12, 4);
		memcpy(&b, f + off + 16, 4);
		h = a ^ b;
		proto = f[off + 9];
		l4 = off + (f[off] & 0x0f) * 4u;
	} else if (type == 0x86dd && off + 40 <= len) {
		for (int i = 0; i < 32; i += 4) {
			uint32_t a;
			memcpy(&a, f + off + 8 + i, 4);
			h ^= a;
		}
		proto = f[off + 6];
		l4 = off + 40;
	} else {
		return 0;
	}
	if ((proto == 6 || proto == 17) && l4 + 4 <= len) {
		h ^= (uint32_t)((f[l4] << 8 | f[l4 + 1]) + (f[l4 + 2] << 8 | f[l4 + 3]));
	}
	return (h ^ proto) * 2654435761u;
}

static int
mix(unsigned long long want, int nin, char **in)
{
	struct frame *frames = NULL;
	size_t n = 0, cap = 0;
	char err[PCAP_ERRBUF_SIZE];
	static unsigned char work[MAXFRAME];
	static uint16_t seen[1 << 20];

	for (int i = 0; i < nin; i++) {
		pcap_t *p = pcap_open_offline(in[i], err);
		struct pcap_pkthdr *h;
		const u_char *d;

		if (p == NULL) {
			fprintf(stderr, "mkpcap: %s\n", err);
			return 1;
		}
		if (pcap_datalink(p) != DLT_EN10MB) {
			pcap_close(p);
			continue;
		}
		while (pcap_next_ex(p, &h, &d) == 1) {
			if (h->caplen != h->len || h->caplen > MAXFRAME || h->caplen < 14) {
				continue;
			}
			if (per_flow > 0) {
				uint32_t fh = flowhash(d, h->caplen) >> 12;
				if (seen[fh] >= per_flow) {
					continue;
				}
				seen[fh]++;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 4096;
				frames = realloc(frames, cap * sizeof(*frames));
			}
			frames[n].len = h->caplen;
			frames[n].data = malloc(h->caplen);
			memcpy(frames[n].data, d, h->caplen);
			n++;
		}
		pcap_close(p);
	}
	if (n == 0) {
		fprintf(stderr, "mkpcap: no Ethernet frames in the inputs\n");
		return 1;
	}
	for (uint32_t copy = 0; written < want; copy++) {
		/* copy 0 keeps the original addresses; later copies move the
		 * first two octets (and the last two) by a copy-specific key. */
		uint32_t key = copy == 0 ? 0 :
			((copy & 0xff) << 24 | ((copy >> 8) & 0xff) << 16 |
			 ((copy * 7) & 0xff) << 8 | ((copy * 13) & 0xff));
		key &= 0x7fffffff; /* keep the multicast/unicast split roughly */
		for (size_t i = 0; i < n && written < want; i++) {
			memcpy(work, frames[i].data, frames[i].len);
			uint32_t hs = shift(work, frames[i].len, key);
			emit(work, frames[i].len, hs);
		}
	}
	fprintf(stderr, "mkpcap: %llu packets from %zu distinct frames\n", written, n);
	return 0;
}

/* N flows of two 64-byte UDP frames each: 10.x.y.z:1024+ -> 172.16.0.1:40000
 * and back. */
static int
flows(unsigned long long nflows)
{
	unsigned char f[64];
	static const unsigned char a[6] = { 0x02, 0, 0, 0, 0, 0xa };
	static const unsigned char b[6] = { 0x02, 0, 0, 0, 0, 0xb };

	for (unsigned long long i = 0; i < nflows; i++) {
		uint32_t src = 0x0a000000u + (uint32_t)(i / 60000) * 256 * 256 + 1;
		uint32_t dst = 0xac100001u;
		uint16_t sport = (uint16_t)(1024 + i % 60000);
		for (int dir = 0; dir < 2; dir++) {
			memset(f, 0, sizeof(f));
			memcpy(f, dir ? a : b, 6);
			memcpy(f + 6, dir ? b : a, 6);
			f[12] = 0x08;
			unsigned char *ip = f + 14;
			ip[0] = 0x45;
			ip[3] = 50;
			ip[8] = 64;
			ip[9] = 17;
			uint32_t s = htonl(dir ? dst : src), d = htonl(dir ? src : dst);
			memcpy(ip + 12, &s, 4);
			memcpy(ip + 16, &d, 4);
			uint16_t c = csum(ip, 20);
			ip[10] = c >> 8;
			ip[11] = c & 0xff;
			unsigned char *u = ip + 20;
			uint16_t p1 = dir ? 40000 : sport, p2 = dir ? sport : 40000;
			u[0] = p1 >> 8; u[1] = p1 & 0xff;
			u[2] = p2 >> 8; u[3] = p2 & 0xff;
			u[5] = 30;
			memcpy(u + 8, "vtap-bench-flow-payload.......", 22);
			emit(f, sizeof(f), (uint32_t)i * 2654435761u);
		}
	}
	fprintf(stderr, "mkpcap: %llu packets, %llu flows\n", written, nflows);
	return 0;
}

/* N frames of SIZE bytes, each its own UDP flow 10.1.x.y:p -> 10.2.0.1:5000
 * with a printable payload (nDPI sees unknown UDP). */
static int
udp(unsigned long long n, unsigned size)
{
	static unsigned char f[MAXFRAME];
	static const unsigned char a[6] = { 0x02, 0, 0, 0, 0, 0xa };
	static const unsigned char b[6] = { 0x02, 0, 0, 0, 0, 0xb };

	if (size < 42 || size > 1500) {
		fprintf(stderr, "mkpcap: SIZE must be 42..1500\n");
		return 2;
	}
	for (unsigned long long i = 0; i < n; i++) {
		uint32_t src = 0x0a010000u + (uint32_t)(i >> 4);
		uint32_t dst = 0x0a020001u;
		uint16_t sport = (uint16_t)(1024 + (i & 15));
		memset(f, 'x', size);
		memcpy(f, b, 6);
		memcpy(f + 6, a, 6);
		f[12] = 0x08;
		f[13] = 0;
		unsigned char *ip = f + 14;
		memset(ip, 0, 28);
		ip[0] = 0x45;
		ip[2] = (size - 14) >> 8;
		ip[3] = (size - 14) & 0xff;
		ip[8] = 64;
		ip[9] = 17;
		uint32_t s = htonl(src), d = htonl(dst);
		memcpy(ip + 12, &s, 4);
		memcpy(ip + 16, &d, 4);
		uint16_t c = csum(ip, 20);
		ip[10] = c >> 8;
		ip[11] = c & 0xff;
		unsigned char *u = ip + 20;
		u[0] = sport >> 8; u[1] = sport & 0xff;
		u[2] = 5000 >> 8; u[3] = 5000 & 0xff;
		u[4] = (size - 34) >> 8; u[5] = (size - 34) & 0xff;
		emit(f, size, (src ^ dst) * 2654435761u + sport);
	}
	fprintf(stderr, "mkpcap: %llu frames of %u bytes\n", written, size);
	return 0;
}

int
main(int argc, char **argv)
{
	pcap_t *dead;
	int first = 4, rc;

	if (argc < 4) {
		fprintf(stderr, "usage: mkpcap mix OUT N [--vxlan] [--per-flow K] IN...\n"
				"       mkpcap flows OUT N [--vxlan]\n"
				"       mkpcap udp OUT N SIZE [--vxlan]\n");
		return 2;
	}
	for (;;) {
		if (argc > first && strcmp(argv[first], "--vxlan") == 0) {
			vxlan = true;
			first++;
		} else if (argc > first + 1 && strcmp(argv[first], "--per-flow") == 0) {
			per_flow = (unsigned)strtoul(argv[first + 1], NULL, 10);
			first += 2;
		} else {
			break;
		}
	}
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	dumper = pcap_dump_open(dead, argv[2]);
	if (dumper == NULL) {
		fprintf(stderr, "mkpcap: %s\n", pcap_geterr(dead));
		return 1;
	}
	if (strcmp(argv[1], "mix") == 0) {
		rc = mix(strtoull(argv[3], NULL, 10), argc - first, argv + first);
	} else if (strcmp(argv[1], "udp") == 0 && argc > first) {
		unsigned size = (unsigned)strtoul(argv[first], NULL, 10);
		if (argc > first + 1 && strcmp(argv[first + 1], "--vxlan") == 0) {
			vxlan = true;
		}
		rc = udp(strtoull(argv[3], NULL, 10), size);
	} else if (strcmp(argv[1], "flows") == 0) {
		rc = flows(strtoull(argv[3], NULL, 10));
	} else {
		fprintf(stderr, "mkpcap: unknown mode %s\n", argv[1]);
		rc = 2;
	}
	pcap_dump_close(dumper);
	pcap_close(dead);
	return rc;
}
