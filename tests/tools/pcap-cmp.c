/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcap-cmp: compare two captures packet by packet, in order, for the
 * end-to-end tests. By default whole frames are compared byte for byte;
 * with --udp-payload only each packet's outer UDP ports and payload are
 * (Ethernet, optional 802.1Q/802.1ad tags, IPv4 or IPv6, no fragments).
 * Timestamps, original lengths, IP ids, checksums and TTLs are ignored.
 */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Exit codes, as cmp(1): same, different, trouble (usage, unreadable file). */
enum { SAME = 0, DIFFERENT = 1, TROUBLE = 2 };

#define CONTEXT 16 /* bytes of hex shown on each side of a difference */

struct capture {
	const char *path;  /* borrowed: argv */
	pcap_t *pcap;      /* owned */
	unsigned long count;
};

/* What --udp-payload compares: points into the packet it was taken from. */
struct dgram {
	uint16_t sport;
	uint16_t dport;
	const uint8_t *payload;
	size_t len;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: pcap-cmp [--udp-payload] EXPECTED ACTUAL\n"
		"Compare the packets of two captures in order, ignoring timestamps.\n"
		"  --udp-payload  compare only outer UDP ports and payload\n"
		"Exit 0 when identical, 1 when not, 2 on trouble.\n");
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * Find the UDP datagram in an Ethernet frame. Returns NULL on success,
 * else why the frame does not hold one whole, unfragmented datagram.
 */
static const char *
udp_find(const uint8_t *b, size_t n, struct dgram *d)
{
	size_t off = 14;
	uint16_t type;
	uint8_t proto;
	size_t ulen;

	if (n < off) {
		return "shorter than an Ethernet header";
	}
	type = be16(b + 12);
	while ((type == 0x8100 || type == 0x88a8) && n >= off + 4) {
		type = be16(b + off + 2);
		off += 4;
	}
	if (type == 0x0800) {
		if (n < off + 20 || b[off] >> 4 != 4 || (b[off] & 0x0f) < 5) {
			return "bad IPv4 header";
		}
		if (be16(b + off + 6) & 0x3fff) {
			return "IPv4 fragment";
		}
		proto = b[off + 9];
		off += (size_t)(b[off] & 0x0f) * 4;
	} else if (type == 0x86dd) {
		if (n < off + 40 || b[off] >> 4 != 6) {
			return "bad IPv6 header";
		}
		proto = b[off + 6];
		off += 40;
	} else {
		return "neither IPv4 nor IPv6";
	}
	if (proto != 17) {
		return "not UDP (or behind an IPv6 extension header)";
	}
	if (n < off + 8) {
		return "truncated UDP header";
	}
	ulen = be16(b + off + 4);
	if (ulen < 8 || n < off + ulen) {
		return "truncated UDP datagram";
	}
	d->sport = be16(b + off);
	d->dport = be16(b + off + 2);
	d->payload = b + off + 8;
	d->len = ulen - 8;
	return NULL;
}

/* Print up to CONTEXT bytes of buf starting at the line holding byte at. */
static void
hexline(const char *label, const uint8_t *buf, size_t len, size_t at)
{
	size_t start = at - at % CONTEXT;
	size_t i;

	printf("  %-8s @0x%04zx:", label, start);
	for (i = start; i < start + CONTEXT && i < len; i++) {
		printf(" %02x", buf[i]);
	}
	printf("\n");
}

/* Index of the first differing byte; the shorter length when one is a prefix. */
static size_t
first_diff(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i;

	for (i = 0; i < alen && i < blen; i++) {
		if (a[i] != b[i]) {
			break;
		}
	}
	return i;
}

/*
 * Compare packet number idx (1-based) of both captures. Returns true when
 * equal; when not and verbose, prints why and a hex context.
 */
static bool
packets_equal(unsigned long idx, bool udp_mode, bool verbose,
	      const uint8_t *e, size_t elen, const uint8_t *a, size_t alen)
{
	struct dgram de, da;
	const char *ewhy, *awhy;
	size_t at;

	if (!udp_mode) {
		at = first_diff(e, elen, a, alen);
		if (at == elen && at == alen) {
			return true;
		}
		if (verbose) {
			printf("packet %lu differs: %zu vs %zu bytes, first difference at byte %zu\n",
			       idx, elen, alen, at);
			hexline("expected", e, elen, at);
			hexline("actual", a, alen, at);
		}
		return false;
	}
	ewhy = udp_find(e, elen, &de);
	awhy = udp_find(a, alen, &da);
	if (ewhy != NULL || awhy != NULL) {
		if (verbose) {
			printf("packet %lu: expected: %s; actual: %s\n", idx,
			       ewhy != NULL ? ewhy : "UDP", awhy != NULL ? awhy : "UDP");
		}
		return false;
	}
	if (de.sport != da.sport || de.dport != da.dport) {
		if (verbose) {
			printf("packet %lu differs: UDP ports %u->%u vs %u->%u\n", idx,
			       de.sport, de.dport, da.sport, da.dport);
		}
		return false;
	}
	at = first_diff(de.payload, de.len, da.payload, da.len);
	if (at == de.len && at == da.len) {
		return true;
	}
	if (verbose) {
		printf("packet %lu differs: UDP payload %zu vs %zu bytes, first difference at payload byte %zu\n",
		       idx, de.len, da.len, at);
		hexline("expected", de.payload, de.len, at);
		hexline("actual", da.payload, da.len, at);
	}
	return false;
}

static int
capture_open(struct capture *c, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];

	c->path = path;
	c->count = 0;
	c->pcap = pcap_open_offline(path, err);
	if (c->pcap == NULL) {
		fprintf(stderr, "pcap-cmp: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * Read the next packet: 1 with *data and *len set, 0 at the end, -1 on a
 * read error (reported).
 */
static int
capture_next(struct capture *c, const uint8_t **data, size_t *len)
{
	struct pcap_pkthdr *h;
	int rc;

	rc = pcap_next_ex(c->pcap, &h, data);
	if (rc == PCAP_ERROR_BREAK) {
		return 0;
	}
	if (rc != 1) {
		fprintf(stderr, "pcap-cmp: %s: %s\n", c->path, pcap_geterr(c->pcap));
		return -1;
	}
	c->count++;
	*len = h->caplen;
	return 1;
}

int
main(int argc, char **argv)
{
	struct capture exp = { 0 }, act = { 0 };
	const uint8_t *e = NULL, *a = NULL;
	size_t elen = 0, alen = 0;
	unsigned long differing = 0, first = 0;
	bool udp_mode = false;
	int arg = 1, re = 1, ra = 1, rc = TROUBLE;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return SAME;
	}
	if (arg < argc && strcmp(argv[arg], "--udp-payload") == 0) {
		udp_mode = true;
		arg++;
	}
	if (argc - arg != 2 || argv[arg][0] == '-' || argv[arg + 1][0] == '-') {
		usage(stderr);
		return TROUBLE;
	}
	if (capture_open(&exp, argv[arg]) < 0 || capture_open(&act, argv[arg + 1]) < 0) {
		goto out;
	}
	if (pcap_datalink(exp.pcap) != DLT_EN10MB || pcap_datalink(act.pcap) != DLT_EN10MB) {
		fprintf(stderr, "pcap-cmp: link types %s and %s: only Ethernet is compared\n",
			pcap_datalink_val_to_name(pcap_datalink(exp.pcap)),
			pcap_datalink_val_to_name(pcap_datalink(act.pcap)));
		goto out;
	}
	/* Walk both in step; once one ends, keep counting the other. */
	while (re == 1 || ra == 1) {
		if (re == 1) {
			re = capture_next(&exp, &e, &elen);
		}
		if (ra == 1) {
			ra = capture_next(&act, &a, &alen);
		}
		if (re < 0 || ra < 0) {
			goto out;
		}
		if (re == 1 && ra == 1 &&
		    !packets_equal(exp.count, udp_mode, first == 0, e, elen, a, alen)) {
			if (first == 0) {
				first = exp.count;
			}
			differing++;
		}
	}
	if (first == 0 && exp.count != act.count) {
		first = (exp.count < act.count ? exp.count : act.count) + 1;
		printf("packet %lu: %s\n", first,
		       exp.count < act.count ? "extra in actual" : "missing from actual");
	}
	printf("pcap-cmp: expected %lu, actual %lu packets; %lu of the first %lu differ",
	       exp.count, act.count, differing,
	       exp.count < act.count ? exp.count : act.count);
	if (first != 0) {
		printf("; first difference at packet %lu (1-based)\n", first);
		rc = DIFFERENT;
	} else {
		printf(": identical%s\n", udp_mode ? " (UDP ports and payload)" : "");
		rc = SAME;
	}
out:
	if (exp.pcap != NULL) {
		pcap_close(exp.pcap);
	}
	if (act.pcap != NULL) {
		pcap_close(act.pcap);
	}
	return rc;
}
