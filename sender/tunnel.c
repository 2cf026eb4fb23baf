/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Builds UDP + VXLAN datagrams in an arena and sends them with sendmmsg on
 * a raw socket (see tunnel.h for why raw). It does not capture or parse.
 */
#include "sender/tunnel.h"

#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/vxlan.h"

#define ARENA_SIZE (4u << 20)
#define SNDBUF_BYTES (8 << 20)

/* Largest UDP payload: IPv4 total length and IPv6 payload length limits. */
#define UDP4_MAX_PAYLOAD (65535 - 20 - 8)
#define UDP6_MAX_PAYLOAD (65535 - 8)

int
tunnel_open(struct tunnel *t, const struct sockaddr *dst, socklen_t dstlen,
	    uint16_t dport, uint32_t vni, bool blocking, char *err,
	    size_t errlen)
{
	/* a raw UDP socket also receives every incoming UDP packet: drop all */
	struct sock_filter drop_all[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { .len = 1, .filter = drop_all };
	int family = dst->sa_family, off = 6, one = 1, pmtu, sndbuf = SNDBUF_BYTES;
	int fd = -1;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if ((fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP)) < 0) {
		snprintf(err, errlen, "raw UDP socket: %s%s", strerror(errno),
			 errno == EPERM ? " (needs root or CAP_NET_RAW)" : "");
		goto fail;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) != 0) {
		snprintf(err, errlen, "SO_ATTACH_FILTER: %s", strerror(errno));
		goto fail;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) != 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	}
	if (family == AF_INET) {
		pmtu = IP_PMTUDISC_DONT; /* let the kernel fragment */
		if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu)) != 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)) != 0) {
			snprintf(err, errlen, "IPv4 socket options: %s", strerror(errno));
			goto fail;
		}
		t->max_frame = UDP4_MAX_PAYLOAD - VXLAN_HLEN;
	} else if (family == AF_INET6) {
		pmtu = IPV6_PMTUDISC_DONT;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof(pmtu)) != 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof(off)) != 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one)) != 0) {
			snprintf(err, errlen, "IPv6 socket options: %s", strerror(errno));
			goto fail;
		}
		t->max_frame = UDP6_MAX_PAYLOAD - VXLAN_HLEN;
	} else {
		snprintf(err, errlen, "address family %d not supported", family);
		goto fail;
	}
	if (connect(fd, dst, dstlen) != 0) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		goto fail;
	}
	if ((t->arena = malloc(ARENA_SIZE)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	t->arena_size = ARENA_SIZE;
	memcpy(&t->dst, dst, dstlen);
	t->dstlen = dstlen;
	t->dport = dport;
	t->vni = vni;
	t->blocking = blocking;
	t->fd = fd;
	return 0;
fail:
	if (fd >= 0) {
		close(fd);
	}
	return -1;
}

void
tunnel_add(struct tunnel *t, uint16_t sport, const uint8_t *frame, size_t len,
	   struct tunnel_stats *st)
{
	size_t dlen = TUNNEL_OVERHEAD + len;
	uint8_t *d;

	if (len > t->max_frame) {
		st->oversize++;
		return;
	}
	if (t->count == TUNNEL_BATCH || t->used + dlen > t->arena_size) {
		tunnel_flush(t, st);
	}
	d = t->arena + t->used;
	/* UDP header: ports, length, checksum (0, or filled in by the kernel) */
	d[0] = (uint8_t)(sport >> 8);
	d[1] = (uint8_t)sport;
	d[2] = (uint8_t)(t->dport >> 8);
	d[3] = (uint8_t)t->dport;
	d[4] = (uint8_t)(dlen >> 8);
	d[5] = (uint8_t)dlen;
	d[6] = 0;
	d[7] = 0;
	vxlan_encode(d + 8, t->vni);
	memcpy(d + TUNNEL_OVERHEAD, frame, len);

	t->iov[t->count].iov_base = d;
	t->iov[t->count].iov_len = dlen;
	memset(&t->msgs[t->count], 0, sizeof(t->msgs[0]));
	t->msgs[t->count].msg_hdr.msg_iov = &t->iov[t->count];
	t->msgs[t->count].msg_hdr.msg_iovlen = 1;
	t->frame_len[t->count] = len;
	t->count++;
	t->used += dlen;
}

/*
 * Drain the socket's error queue: one entry per ICMP error (port or host
 * unreachable, ...) about a datagram we sent. The payload is not needed.
 */
static void
count_errors(struct tunnel *t, struct tunnel_stats *st)
{
	char data[64], control[256];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg;

	for (int i = 0; i < 1024; i++) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		if (recvmsg(t->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			return;
		}
		st->unreachable++;
	}
}

void
tunnel_flush(struct tunnel *t, struct tunnel_stats *st)
{
	unsigned i = 0, waits = 0;
	int flags = t->blocking ? 0 : MSG_DONTWAIT;
	int n;

	while (i < t->count) {
		n = sendmmsg(t->fd, t->msgs + i, t->count - i, flags);
		if (n > 0) {
			for (int k = 0; k < n; k++) {
				st->sent++;
				st->sent_bytes += t->frame_len[i + (unsigned)k];
			}
			i += (unsigned)n;
			continue;
		}
		/* the datagram at i failed: count it by reason and go on */
		if (errno == EINTR) {
			continue;
		}
		if (errno == ENOBUFS && t->blocking && waits++ < 1000) {
			/* replay mode: a full device queue is worth a short wait */
			usleep(1000);
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
			/* live mode never waits: the rest of the batch is lost too */
			st->socket_full += t->count - i;
			break;
		}
		if (errno == EMSGSIZE) {
			st->oversize++;
		} else {
			st->send_error++;
		}
		i++;
	}
	t->count = 0;
	t->used = 0;
	count_errors(t, st);
}

void
tunnel_close(struct tunnel *t)
{
	if (t->fd >= 0) {
		close(t->fd);
	}
	free(t->arena);
	t->arena = NULL;
	t->fd = -1;
	t->count = 0;
	t->used = 0;
}
