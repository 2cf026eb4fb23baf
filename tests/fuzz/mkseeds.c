/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-mkseeds OUTDIR CAPTURE...: seed inputs for fuzz_frame, fuzz_pipeline
 * and fuzz_repair made from real captures (read with libpcap, so pcapng
 * too), written to OUTDIR/<target>/ in each harness's input format. Run by
 * tests/fuzz/seed-corpus at build time; the captures themselves stay
 * outside the project. Ethernet captures only; UDP datagrams to 4789 or
 * 8472 are used as they are, any other frame is wrapped in a VXLAN header.
 */
#include <errno.h>
#include <limits.h>
#include <lz4frame.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shared/frame.h"
#include "shared/vxlan.h"

#define FRAME_SEEDS 16          /* per capture */
#define FRAME_MAX 4096
#define PIPELINE_MAX (60u << 10)
#define REPAIR_MAX (24u << 10)

static const char *outdir;

static void
put(const char *target, const char *base, int n, const char *ext,
    const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s-%d%s", outdir, target, base, n, ext);
	if ((f = fopen(path, "wb")) == NULL ||
	    (alen > 0 && fwrite(a, 1, alen, f) != alen) ||
	    (blen > 0 && fwrite(b, 1, blen, f) != blen) || fclose(f) != 0) {
		fprintf(stderr, "fuzz-mkseeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* The UDP payload to a VXLAN port, or the frame wrapped as VXLAN. */
static size_t
datagram(const uint8_t *pkt, size_t len, uint32_t vni, uint8_t *out, size_t max)
{
	struct frame f;

	if (frame_parse(pkt, len, &f) == FRAME_OK && f.l4_proto == 17 &&
	    f.has_ports && f.l4_offset != 0 && !f.fragment &&
	    (f.dst_port == 4789 || f.dst_port == 8472) &&
	    f.payload_offset < len) {
		size_t n = len - f.payload_offset;

		if (n > max) {
			n = max;
		}
		memcpy(out, pkt + f.payload_offset, n);
		return n;
	}
	vxlan_encode(out, vni);
	if (len > max - VXLAN_HLEN) {
		len = max - VXLAN_HLEN;
	}
	memcpy(out + VXLAN_HLEN, pkt, len);
	return VXLAN_HLEN + len;
}

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
one(const char *path)
{
	static uint8_t pipe[PIPELINE_MAX], rep[1 + REPAIR_MAX], dg[FRAME_MAX];
	char errbuf[PCAP_ERRBUF_SIZE], base[128];
	const char *slash = strrchr(path, '/');
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t plen = 0, rlen = 1 + 24;
	int nframes = 0, npkts = 0;
	pcap_t *p;

	snprintf(base, sizeof(base), "%s", slash != NULL ? slash + 1 : path);
	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
						    errbuf);
	if (p == NULL) {
		fprintf(stderr, "fuzz-mkseeds: %s\n", errbuf);
		return;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		pcap_close(p);
		return;
	}
	/* repair: a nanosecond pcap as the writer makes them */
	rep[0] = 0;
	le32(rep + 1, 0xa1b23c4du);
	rep[5] = 2; rep[6] = 0; rep[7] = 4; rep[8] = 0;
	memset(rep + 9, 0, 8);
	le32(rep + 17, 262144);
	le32(rep + 21, 1);
	while (pcap_next_ex(p, &h, &d) == 1) {
		size_t n = datagram(d, h->caplen, npkts % 5 == 4 ? 100 : 0, dg,
				    sizeof(dg));

		if (nframes < FRAME_SEEDS) {
			put("frame", base, nframes++, "", dg, n, NULL, 0);
		}
		if (plen + 3 + n <= sizeof(pipe)) {
			pipe[plen] = npkts == 0 ? 0 : 1; /* 25 ms apart */
			pipe[plen + 1] = (uint8_t)(n >> 8);
			pipe[plen + 2] = (uint8_t)n;
			memcpy(pipe + plen + 3, dg, n);
			plen += 3 + n;
		}
		if (rlen + 16 + h->caplen <= sizeof(rep)) {
			le32(rep + rlen, (uint32_t)h->ts.tv_sec);
			le32(rep + rlen + 4, (uint32_t)h->ts.tv_usec); /* ns here */
			le32(rep + rlen + 8, h->caplen);
			le32(rep + rlen + 12, h->len);
			memcpy(rep + rlen + 16, d, h->caplen);
			rlen += 16 + h->caplen;
		}
		npkts++;
	}
	pcap_close(p);
	if (plen > 0) {
		put("pipeline", base, 0, "", pipe, plen, NULL, 0);
	}
	if (npkts > 0) {
		uint8_t *lz;
		size_t cap = LZ4F_compressFrameBound(rlen - 1, NULL), n;

		/* a crashed .part (its last record cut in half), and closed */
		put("repair", base, 0, ".part", rep, rlen - (rlen > 40 ? 7 : 0),
		    NULL, 0);
		rep[0] = 3;
		put("repair", base, 3, ".pcap", rep, rlen, NULL, 0);
		rep[0] = 2;
		if ((lz = malloc(cap)) != NULL) {
			n = LZ4F_compressFrame(lz, cap, rep + 1, rlen - 1, NULL);
			if (!LZ4F_isError(n)) {
				put("repair", base, 2, ".lz4", rep, 1, lz, n);
			}
			free(lz);
		}
	}
}

int
main(int argc, char **argv)
{
	const char *targets[] = { "frame", "pipeline", "repair" };
	char path[PATH_MAX];

	if (argc < 2) {
		fprintf(stderr, "usage: fuzz-mkseeds OUTDIR CAPTURE...\n");
		return 2;
	}
	outdir = argv[1];
	mkdir(outdir, 0755);
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", outdir, targets[i]);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "fuzz-mkseeds: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	for (int i = 2; i < argc; i++) {
		one(argv[i]);
	}
	return 0;
}
