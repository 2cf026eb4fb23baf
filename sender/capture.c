/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libpcap live and offline handles for the sender. It hands out frames and
 * kernel drop counts; what happens to a frame is mirror.c's business.
 */
#include "sender/capture.h"

#include <net/if.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct dispatch_ctx {
	capture_frame_cb cb;
	void *arg;
};

static void
handler(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct dispatch_ctx *ctx = (struct dispatch_ctx *)user;

	ctx->cb(ctx->arg, &h->ts, bytes, h->caplen, h->len);
}

int
capture_open_live(struct capture *c, const char *ifname, int ring_bytes,
		  int batch_ms, const char *filter, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	pcap_t *p;
	int rc;

	c->pcap = NULL;
	c->fd = -1;
	c->live = true;
	if ((p = pcap_create(ifname, ebuf)) == NULL) {
		snprintf(err, errlen, "%s: %s", ifname, ebuf);
		return -1;
	}
	pcap_set_snaplen(p, CAPTURE_SNAPLEN);
	pcap_set_promisc(p, 1);
	if (batch_ms > 0) {
		/* libpcap then uses TPACKET_V3 blocks, which wake the reader
		 * when a block fills or batch_ms after its first frame */
		pcap_set_immediate_mode(p, 0);
		pcap_set_timeout(p, batch_ms);
	} else {
		pcap_set_immediate_mode(p, 1); /* TPACKET_V2, a wake-up per frame */
	}
	pcap_set_buffer_size(p, ring_bytes);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
	rc = pcap_activate(p);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", ifname,
			 rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc));
		goto fail;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		snprintf(err, errlen, "%s: link type %s is not Ethernet", ifname,
			 pcap_datalink_val_to_name(pcap_datalink(p)));
		goto fail;
	}
	if (pcap_setdirection(p, PCAP_D_INOUT) != 0) {
		snprintf(err, errlen, "%s: %s", ifname, pcap_geterr(p));
		goto fail;
	}
	if (filter != NULL) {
		if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(err, errlen, "%s: filter '%s': %s", ifname,
				 filter, pcap_geterr(p));
			goto fail;
		}
		rc = pcap_setfilter(p, &prog);
		pcap_freecode(&prog);
		if (rc != 0) {
			snprintf(err, errlen, "%s: %s", ifname, pcap_geterr(p));
			goto fail;
		}
	}
	if (pcap_setnonblock(p, 1, ebuf) != 0) {
		snprintf(err, errlen, "%s: %s", ifname, ebuf);
		goto fail;
	}
	c->fd = pcap_get_selectable_fd(p);
	c->pcap = p;
	return 0;
fail:
	pcap_close(p);
	return -1;
}

int
capture_open_file(struct capture *c, const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	c->pcap = NULL;
	c->fd = -1;
	c->live = false;
	p = pcap_open_offline_with_tstamp_precision(path,
		PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (p == NULL) {
		snprintf(err, errlen, "%s", ebuf);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		snprintf(err, errlen,
			 "%s: link type %s is not Ethernet; only Ethernet captures can be mirrored",
			 path, pcap_datalink_val_to_name(pcap_datalink(p)));
		pcap_close(p);
		return -1;
	}
	c->pcap = p;
	return 0;
}

int
capture_dispatch(struct capture *c, int max, capture_frame_cb cb, void *arg,
		 char *err, size_t errlen)
{
	struct dispatch_ctx ctx = { .cb = cb, .arg = arg };
	int n;

	n = pcap_dispatch(c->pcap, max, handler, (u_char *)&ctx);
	if (n == PCAP_ERROR) {
		snprintf(err, errlen, "%s", pcap_geterr(c->pcap));
		return -1;
	}
	return n < 0 ? 0 : n;
}

static uint64_t
handle_drops(pcap_t *p)
{
	struct pcap_stat st;

	if (p == NULL || pcap_stats(p, &st) != 0) {
		return 0;
	}
	return st.ps_drop;
}

uint64_t
capture_kernel_drops(struct capture *c)
{
	if (!c->live) {
		return 0;
	}
	return c->kernel_drops + handle_drops(c->pcap);
}

void
capture_close(struct capture *c)
{
	if (c->pcap == NULL) {
		return;
	}
	if (c->live) {
		c->kernel_drops += handle_drops(c->pcap);
	}
	pcap_close(c->pcap);
	c->pcap = NULL;
	c->fd = -1;
}

int
capture_iface_state(const char *ifname)
{
	struct ifreq ifr;
	int fd, rc = -1;

	if (strlen(ifname) >= sizeof(ifr.ifr_name) || if_nametoindex(ifname) == 0) {
		return -1;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		rc = (ifr.ifr_flags & IFF_UP) ? 1 : 0;
	}
	close(fd);
	return rc;
}
