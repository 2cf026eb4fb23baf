/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tunnel: VXLAN-in-UDP datagrams to one destination, sent in batches.
 *
 * Each datagram is built here, UDP header included, because the outer UDP
 * source port changes per inner flow (a symmetric hash, see flowkey.h) and
 * a UDP socket has one source port. The socket is therefore a raw
 * IPPROTO_UDP socket (CAP_NET_RAW, which capture needs anyway): the kernel
 * adds the IP header, routes, and fragments datagrams larger than the path
 * MTU (DF is not set). IPv4 datagrams carry a zero UDP checksum, as
 * RFC 7348 section 5 recommends; IPv6 ones get the checksum from the
 * kernel (IPV6_CHECKSUM), since IPv6 requires one.
 *
 *   outer IP (kernel) | UDP (8) | VXLAN (8) | inner Ethernet frame
 */
#ifndef VTAP_SENDER_TUNNEL_H
#define VTAP_SENDER_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define TUNNEL_BATCH 64
#define TUNNEL_OVERHEAD 16 /* UDP + VXLAN headers */

struct tunnel_stats {
	uint64_t sent;        /* datagrams the kernel accepted */
	uint64_t sent_bytes;  /* inner frame bytes in them */
	uint64_t socket_full; /* dropped: send buffer full (never blocks) */
	uint64_t oversize;    /* dropped: larger than a datagram can be */
	uint64_t send_error;  /* dropped: any other send error */
	uint64_t unreachable; /* ICMP errors the network returned for our
			       * datagrams (collector down, no route): a lower
			       * bound on what did not arrive, since routers
			       * rate-limit ICMP and firewalls drop it */
};

struct tunnel {
	int fd;                       /* owned raw socket, -1 when closed */
	struct sockaddr_storage dst;  /* destination (port unused by raw) */
	socklen_t dstlen;
	uint16_t dport;               /* outer UDP destination port */
	uint32_t vni;
	bool blocking;                /* wait for buffer space (replay mode) */
	size_t max_frame;             /* largest inner frame a datagram carries */
	unsigned count;               /* datagrams queued */
	size_t used;                  /* arena bytes used */
	uint8_t *arena;               /* owned: the queued datagrams */
	size_t arena_size;
	struct mmsghdr msgs[TUNNEL_BATCH];
	struct iovec iov[TUNNEL_BATCH];
	size_t frame_len[TUNNEL_BATCH];
};

/*
 * Open the raw socket towards dst (from addr_resolve) with UDP destination
 * port dport, VXLAN network vni. blocking: a full send buffer waits
 * (replay) instead of dropping (live capture must never stall). Returns 0,
 * or -1 with a reason in err (e.g. EPERM without CAP_NET_RAW).
 */
int tunnel_open(struct tunnel *t, const struct sockaddr *dst, socklen_t dstlen,
		uint16_t dport, uint32_t vni, bool blocking, char *err,
		size_t errlen);

/*
 * Queue one frame (copied) with outer UDP source port sport, flushing into
 * st first when the batch is full. A frame larger than t->max_frame is
 * counted in st->oversize and dropped.
 */
void tunnel_add(struct tunnel *t, uint16_t sport, const uint8_t *frame,
		size_t len, struct tunnel_stats *st);

/*
 * Send what is queued (sendmmsg), counting results into st, then count the
 * ICMP errors the socket has been told of since (IP_RECVERR error queue).
 */
void tunnel_flush(struct tunnel *t, struct tunnel_stats *st);

/* Close the socket and free the arena. Accepts a closed tunnel. */
void tunnel_close(struct tunnel *t);

#endif
