/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UDP sockets and recvmmsg batches for the collector's workers. What a
 * datagram means is decided by decap.c and the worker.
 */
#include "collector/recv.h"

#include <errno.h>
#include <linux/net_tstamp.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shared/addr.h"

int
recv_open(const char *host, uint16_t port, int rcvbuf, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd = -1, one = 1, zero = 0;

	if (addr_resolve(host, port, &ss, &sslen, err, errlen) != 0) {
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto fail;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) != 0) {
		snprintf(err, errlen, "socket options: %s", strerror(errno));
		goto fail;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	}
	if (ss.ss_family == AF_INET6) {
		/* "::" takes IPv4 senders too (as v4-mapped addresses) */
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	}
	if (bind(fd, (struct sockaddr *)&ss, sslen) != 0) {
		char a[ADDR_STRLEN];

		snprintf(err, errlen, "bind %s: %s",
			 addr_format((struct sockaddr *)&ss, true, a, sizeof(a)),
			 strerror(errno));
		goto fail;
	}
	return fd;
fail:
	if (fd >= 0) {
		close(fd);
	}
	return -1;
}

int
recv_batch_init(struct recv_batch *b)
{
	memset(b, 0, sizeof(*b));
	if ((b->buf = malloc((size_t)RECV_BATCH * RECV_BUFSIZE)) == NULL) {
		return -1;
	}
	return 0;
}

void
recv_batch_finish(struct recv_batch *b)
{
	free(b->buf);
	b->buf = NULL;
}

int
recv_batch_read(int fd, struct recv_batch *b)
{
	struct timespec now;
	int n;

	for (unsigned i = 0; i < RECV_BATCH; i++) {
		struct msghdr *h = &b->msgs[i].msg_hdr;

		b->iov[i].iov_base = b->buf + (size_t)i * RECV_BUFSIZE;
		b->iov[i].iov_len = RECV_BUFSIZE;
		h->msg_name = &b->from[i];
		h->msg_namelen = sizeof(b->from[i]);
		h->msg_iov = &b->iov[i];
		h->msg_iovlen = 1;
		h->msg_control = b->cmsg[i];
		h->msg_controllen = sizeof(b->cmsg[i]);
		h->msg_flags = 0;
	}
	b->count = 0;
	n = recvmmsg(fd, b->msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			return 0;
		}
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &b->msgs[i].msg_hdr;
		struct cmsghdr *c;

		b->ts[i] = now;
		b->iov[i].iov_len = b->msgs[i].msg_len;
		for (c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
			if (c->cmsg_level != SOL_SOCKET) {
				continue;
			}
			if (c->cmsg_type == SO_TIMESTAMPNS) {
				memcpy(&b->ts[i], CMSG_DATA(c), sizeof(b->ts[i]));
			}
		}
	}
	b->count = (unsigned)n;
	return n;
}

/*
 * The socket's own drop counter (what `ss -m` shows as d...): every
 * datagram the kernel discarded for this socket, full receive queue or
 * otherwise. SO_RXQ_OVFL, tried first, only reports it on datagrams that
 * arrive afterwards and was seen to miss most drops on kernel 6.18.
 */
int
recv_drops(int fd, uint64_t *drops)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) != 0 ||
	    len < (SK_MEMINFO_DROPS + 1) * sizeof(mem[0])) {
		return -1;
	}
	*drops = mem[SK_MEMINFO_DROPS];
	return 0;
}
