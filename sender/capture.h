/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frame sources for the sender: a live NIC (libpcap, both directions,
 * full frames, large ring, non-blocking) or a capture file (replay mode).
 * This is the only file of the sender that calls libpcap.
 */
#ifndef VTAP_SENDER_CAPTURE_H
#define VTAP_SENDER_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#define CAPTURE_SNAPLEN 262144 /* full frames, GRO super-frames included */

/*
 * Default of --batch-ms: the longest a captured frame waits in the kernel
 * before the sender is woken (libpcap's timeout, the TPACKET_V3 block
 * retire timer). Frames arriving within it are handed over and sent as one
 * batch: one wake-up and one sendmmsg for many frames instead of one per
 * frame. The collector stamps frames when their datagram arrives, so this
 * is also the most that gaps between mirrored frames can shrink.
 */
#define CAPTURE_BATCH_MS 5
#define CAPTURE_BATCH_MS_MAX 100

struct pcap;

struct capture {
	struct pcap *pcap;       /* owned; NULL when closed */
	bool live;
	int fd;                  /* selectable fd of a live capture, else -1 */
	uint64_t kernel_drops;   /* drops of handles already closed */
};

/* One captured frame: data is borrowed, valid only during the callback. */
typedef void (*capture_frame_cb)(void *arg, const struct timeval *ts,
				 const uint8_t *data, uint32_t caplen,
				 uint32_t wirelen);

/*
 * Open a live capture on ifname: promiscuous, in+out, snap length
 * CAPTURE_SNAPLEN, a ring of ring_bytes, frames delivered in batches at
 * most batch_ms after capture (0: each frame at once, a wake-up per frame),
 * and the BPF filter (may be NULL) applied. Returns 0, or -1 with a one-line
 * reason in err; does not log. c must be closed or zeroed.
 */
int capture_open_live(struct capture *c, const char *ifname, int ring_bytes,
		      int batch_ms, const char *filter, char *err, size_t errlen);

/*
 * Open a capture file (pcap or pcapng). Only Ethernet (DLT_EN10MB) files
 * are accepted: others fail with a message naming the link type.
 */
int capture_open_file(struct capture *c, const char *path, char *err,
		      size_t errlen);

/*
 * Deliver up to max frames to cb. Returns the number delivered (0: none
 * ready, or end of file), or -1 on a capture error (e.g. the interface went
 * down) with the reason in err; the handle should then be closed.
 */
int capture_dispatch(struct capture *c, int max, capture_frame_cb cb,
		     void *arg, char *err, size_t errlen);

/*
 * 1 when ifname exists and is administratively up, 0 when it exists but is
 * down, -1 when there is no such interface.
 */
int capture_iface_state(const char *ifname);

/* Frames the kernel dropped, since open, including closed handles. */
uint64_t capture_kernel_drops(struct capture *c);

/* Close the handle, keeping the drop count. Accepts a closed capture. */
void capture_close(struct capture *c);

#endif
