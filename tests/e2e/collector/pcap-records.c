/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcap-records: what the collector's end-to-end tests need to know about
 * the records of a capture, read independently of the collector's code.
 *
 *   hex FILE   one line of lowercase hex per record (captured bytes), via
 *              libpcap, so pcap and pcapng alike; for order-blind checks.
 *   scan FILE  a classic pcap file that may be cut short (a .part left by
 *              a crash): reads it byte by byte, never through libpcap, and
 *              prints "records N valid V size S", where N complete records
 *              fill the first V bytes of S. A record is complete when its
 *              16-byte header and all caplen bytes are there, caplen is at
 *              most the snap length, len >= caplen, len > 0 and the
 *              sub-second part is below one second. The first record that
 *              is not ends the count. Exit 1 without a valid global header.
 */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OK = 0, BAD = 1, TROUBLE = 2 };

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: pcap-records hex FILE | pcap-records scan FILE\n"
		"  hex   one line of hex per record (pcap or pcapng)\n"
		"  scan  complete records of a classic pcap that may be cut short:\n"
		"        prints 'records N valid BYTES size BYTES'\n");
}

static int
hex(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int rc;

	if ((p = pcap_open_offline(path, errbuf)) == NULL) {
		fprintf(stderr, "pcap-records: %s\n", errbuf);
		return TROUBLE;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		for (bpf_u_int32 i = 0; i < h->caplen; i++) {
			printf("%02x", data[i]);
		}
		putchar('\n');
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcap-records: %s: %s\n", path, pcap_geterr(p));
		pcap_close(p);
		return TROUBLE;
	}
	pcap_close(p);
	return ferror(stdout) ? TROUBLE : OK;
}

static uint32_t
u32(const uint8_t *b, bool swap)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static uint16_t
u16(const uint8_t *b, bool swap)
{
	uint16_t v;

	memcpy(&v, b, 2);
	return swap ? __builtin_bswap16(v) : v;
}

static int
scan(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t gh[24], rh[16];
	static uint8_t skip[65536];
	uint64_t records = 0, valid = 0, size = 0;
	uint32_t magic, snaplen, sub_max;
	bool swap;
	size_t n;

	if (fp == NULL) {
		perror(path);
		return TROUBLE;
	}
	if (fread(gh, 1, sizeof(gh), fp) != sizeof(gh)) {
		fprintf(stderr, "pcap-records: %s: shorter than a pcap header\n", path);
		fclose(fp);
		return BAD;
	}
	memcpy(&magic, gh, 4);
	swap = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
	magic = u32(gh, swap);
	if ((magic != 0xa1b2c3d4u && magic != 0xa1b23c4du) ||
	    u16(gh + 4, swap) != 2 || u16(gh + 6, swap) != 4) {
		fprintf(stderr, "pcap-records: %s: not a classic pcap 2.4 file\n", path);
		fclose(fp);
		return BAD;
	}
	snaplen = u32(gh + 16, swap);
	sub_max = magic == 0xa1b23c4du ? 1000000000u : 1000000u;
	valid = size = sizeof(gh);
	for (;;) {
		uint32_t sub, caplen, len, left;

		n = fread(rh, 1, sizeof(rh), fp);
		size += n;
		if (n != sizeof(rh)) {
			break;
		}
		sub = u32(rh + 4, swap);
		caplen = u32(rh + 8, swap);
		len = u32(rh + 12, swap);
		if (sub >= sub_max || caplen > snaplen || len < caplen || len == 0) {
			break;
		}
		for (left = caplen; left > 0; left -= (uint32_t)n) {
			size_t want = left < sizeof(skip) ? left : sizeof(skip);

			n = fread(skip, 1, want, fp);
			size += n;
			if (n == 0) {
				break;
			}
		}
		if (left > 0) {
			break;
		}
		records++;
		valid = size;
	}
	/* whatever follows the last complete record counts in the size */
	while ((n = fread(skip, 1, sizeof(skip), fp)) > 0) {
		size += n;
	}
	fclose(fp);
	printf("records %llu valid %llu size %llu\n", (unsigned long long)records,
	       (unsigned long long)valid, (unsigned long long)size);
	return OK;
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return OK;
	}
	if (argc != 3) {
		usage(stderr);
		return TROUBLE;
	}
	if (strcmp(argv[1], "hex") == 0) {
		return hex(argv[2]);
	}
	if (strcmp(argv[1], "scan") == 0) {
		return scan(argv[2]);
	}
	usage(stderr);
	return TROUBLE;
}
