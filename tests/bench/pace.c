// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pace: sends the frames of a pcap file, round robin, out of one interface
 * at a steady rate. trafgen's --rate sends a whole second's worth of frames
 * at once and its --gap path stops near 40 kpps on a small VM, so a rate
 * ladder needs this: frame i is due at t0 + i / PPS, and whatever is due is
 * sent at once (sendmmsg, at most 32), spinning between batches. A
 * benchmark tool only, not part of vtap.
 *
 *   pace IFACE FILE.pcap PPS SECONDS
 *
 * Prints "sent N in S s" on exit. Needs CAP_NET_RAW.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXFRAMES 65536
#define BATCH 32

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static struct iovec iov[MAXFRAMES];
	static struct mmsghdr msgs[BATCH];
	char err[PCAP_ERRBUF_SIZE];
	struct sockaddr_ll sll;
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t n = 0, next = 0;
	unsigned long long sent = 0, want;
	double pps, secs, t0, t;
	pcap_t *p;
	int fd, one = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: pace IFACE FILE.pcap PPS SECONDS\n");
		return 2;
	}
	pps = atof(argv[3]);
	secs = atof(argv[4]);
	if (pps <= 0 || secs <= 0) {
		fprintf(stderr, "pace: PPS and SECONDS must be positive\n");
		return 2;
	}
	want = (unsigned long long)(pps * secs + 0.5);
	if ((p = pcap_open_offline(argv[2], err)) == NULL) {
		fprintf(stderr, "pace: %s\n", err);
		return 1;
	}
	while (n < MAXFRAMES && pcap_next_ex(p, &h, &d) == 1) {
		iov[n].iov_base = malloc(h->caplen);
		memcpy(iov[n].iov_base, d, h->caplen);
		iov[n].iov_len = h->caplen;
		n++;
	}
	pcap_close(p);
	if (n == 0) {
		fprintf(stderr, "pace: no frames in %s\n", argv[2]);
		return 1;
	}
	if ((fd = socket(AF_PACKET, SOCK_RAW, 0)) < 0) {
		perror("pace: socket");
		return 1;
	}
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	if ((sll.sll_ifindex = (int)if_nametoindex(argv[1])) == 0) {
		fprintf(stderr, "pace: no interface %s\n", argv[1]);
		return 1;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		perror("pace: bind");
		return 1;
	}
	t0 = now();
	while (sent < want) {
		unsigned long long due;
		int k = 0, r;

		t = now();
		due = (unsigned long long)((t - t0) * pps) + 1;
		if (due > want) {
			due = want;
		}
		if (due <= sent) {
			double wait = (double)(sent + 1) / pps - (t - t0);
			if (wait > 200e-6) {
				/* long gaps sleep; short ones spin */
				struct timespec ts = { 0, (long)((wait - 100e-6) * 1e9) };
				nanosleep(&ts, NULL);
			}
			continue;
		}
		while (sent + (unsigned long long)k < due && k < BATCH) {
			memset(&msgs[k], 0, sizeof(msgs[k]));
			msgs[k].msg_hdr.msg_iov = &iov[next];
			msgs[k].msg_hdr.msg_iovlen = 1;
			next = next + 1 == n ? 0 : next + 1;
			k++;
		}
		r = sendmmsg(fd, msgs, (unsigned)k, 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				/* the device queue is full: a frame not sent is
				 * a frame not offered (the counters show it) */
				next = (next + n - (size_t)k) % n;
				continue;
			}
			perror("pace: sendmmsg");
			return 1;
		}
		if (r < k) {
			next = (next + n - (size_t)(k - r)) % n;
		}
		sent += (unsigned long long)r;
	}
	printf("sent %llu in %.3f s\n", sent, now() - t0);
	return 0;
}
