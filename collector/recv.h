/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The collector's UDP intake: one socket per worker on the same address
 * (SO_REUSEPORT, so the kernel spreads senders' outer 5-tuples, hence inner
 * flows, over the workers), a large receive buffer, kernel receive
 * timestamps, and recvmmsg batches into preallocated buffers. Fragmented
 * outer datagrams arrive reassembled by the kernel.
 */
#ifndef VTAP_COLLECTOR_RECV_H
#define VTAP_COLLECTOR_RECV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#define RECV_BATCH 64
#define RECV_BUFSIZE 65536 /* the largest UDP payload, and then some */

struct recv_batch {
	unsigned count;                            /* datagrams received */
	struct mmsghdr msgs[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	struct sockaddr_storage from[RECV_BATCH];
	struct timespec ts[RECV_BATCH];            /* kernel receive time */
	char cmsg[RECV_BATCH][64];
	uint8_t *buf;                              /* owned: RECV_BATCH buffers */
};

/*
 * Open a bound UDP socket on host:port ("0.0.0.0", "::" for both families,
 * or an address) with SO_REUSEPORT, rcvbuf bytes of receive buffer and
 * nanosecond timestamps. Returns the fd, or -1 with a reason in err.
 */
int recv_open(const char *host, uint16_t port, int rcvbuf, char *err,
	      size_t errlen);

/* Allocate the batch buffers. Returns 0 or -1. */
int recv_batch_init(struct recv_batch *b);
void recv_batch_finish(struct recv_batch *b);

/*
 * Receive up to RECV_BATCH datagrams without blocking. Returns the count
 * (also in b->count; 0 when none), or -1 on a socket error (errno set).
 * A datagram cut by the buffer has MSG_TRUNC in msgs[i].msg_hdr.msg_flags.
 */
int recv_batch_read(int fd, struct recv_batch *b);

/*
 * Datagrams the kernel dropped for this socket since it was opened (full
 * receive queue, or memory). Returns 0, or -1 when it cannot tell.
 */
int recv_drops(int fd, uint64_t *drops);

/* Datagram i: its bytes and length. */
static inline const uint8_t *
recv_data(const struct recv_batch *b, unsigned i)
{
	return (const uint8_t *)b->iov[i].iov_base;
}

#endif
