/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mirror pipeline (see mirror.h): frames from capture.c, budget.c's
 * verdict, the symmetric flow hash for the outer source port, and
 * tunnel.c's batches. It logs state changes of the NIC, never per frame.
 */
#include "sender/mirror.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shared/flowkey.h"
#include "shared/frame.h"
#include "shared/log.h"

#define DISPATCH_MAX 512

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The capture filter that keeps the tunnel out of its own capture: our
 * datagrams to the destination port, and IP fragments to the destination
 * (non-first fragments carry no UDP header). Everything else is captured.
 */
static void
build_filter(char *buf, size_t len, const struct sockaddr *dst, uint16_t port)
{
	char ip[ADDR_STRLEN];

	addr_format(dst, false, ip, sizeof(ip));
	if (dst->sa_family == AF_INET) {
		snprintf(buf, len,
			 "not (ip dst host %s and ((udp dst port %u) or (ip[6:2] & 0x1fff != 0)))",
			 ip, port);
	} else {
		snprintf(buf, len,
			 "not (ip6 dst host %s and ((udp dst port %u) or (ip6[6] == 44)))",
			 ip, port);
	}
}

static void
frame_cb(void *arg, const struct timeval *ts, const uint8_t *data,
	 uint32_t caplen, uint32_t wirelen)
{
	struct mirror *m = arg;
	struct flowkey key;
	struct frame f;
	uint32_t len = caplen;

	(void)ts;
	m->ctr.captured++;
	m->ctr.captured_bytes += wirelen;
	if (caplen < wirelen) {
		m->ctr.truncated++;
	} else if (m->truncate != 0 && len > m->truncate) {
		len = m->truncate;
		m->ctr.truncated++;
	}
	if (!budget_take(&m->budget, m->now_ns, len)) {
		if (!m->pace) {
			m->ctr.drop_budget++;
			return;
		}
		/* replay mode paces: send what waits, then wait for the budget */
		tunnel_flush(&m->tun, &m->ts);
		do {
			struct timespec pause = { 0, 100000 };

			nanosleep(&pause, NULL);
			m->now_ns = now_ns();
		} while (!budget_take(&m->budget, m->now_ns, len));
	}
	/* a frame the parser cannot read still goes: keyed on what it read */
	(void)frame_parse(data, len, &f);
	flowkey_from_frame(&f, 0, &key, NULL);
	tunnel_add(&m->tun, flowkey_source_port(&key), data, len, &m->ts);
}

static void start_reading(struct mirror *m);

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mirror *m = arg;
	struct timeval second = { 1, 0 };
	char err[512];

	(void)fd;
	(void)what;
	if (capture_iface_state(m->interface) == 1 &&
	    capture_open_live(&m->cap, m->interface, m->ring_bytes, m->batch_ms, m->filter,
			      err, sizeof(err)) == 0) {
		log_info("%s: capture resumed", m->interface);
		m->down = false;
		start_reading(m);
		return;
	}
	evtimer_add(m->ev_retry, &second);
}

static void
went_down(struct mirror *m, const char *why)
{
	struct timeval second = { 1, 0 };

	log_warnx("%s: capture stopped (%s); retrying every second",
		  m->interface, why);
	m->ctr.interface_down++;
	m->down = true;
	if (m->ev_read != NULL) {
		event_free(m->ev_read);
		m->ev_read = NULL;
	}
	capture_close(&m->cap);
	evtimer_add(m->ev_retry, &second);
}

static void
read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mirror *m = arg;
	char err[512];
	int n;

	(void)fd;
	(void)what;
	m->now_ns = now_ns();
	n = capture_dispatch(&m->cap, DISPATCH_MAX, frame_cb, m, err, sizeof(err));
	tunnel_flush(&m->tun, &m->ts);
	if (n < 0) {
		went_down(m, err);
	}
}

static void
start_reading(struct mirror *m)
{
	m->ev_read = event_new(m->base, m->cap.fd, EV_READ | EV_PERSIST, read_cb, m);
	if (m->ev_read == NULL) {
		fatalx("%s: cannot create capture event", m->interface);
	}
	event_add(m->ev_read, NULL);
}

static int
open_tunnel(struct tunnel *t, const char *destination, uint16_t port,
	    uint32_t vni, bool blocking, char *dest_text, char *filter,
	    size_t filterlen, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;

	if (addr_resolve(destination, port, &ss, &sslen, err, errlen) != 0) {
		return -1;
	}
	if (tunnel_open(t, (struct sockaddr *)&ss, sslen, port, vni, blocking,
			err, errlen) != 0) {
		return -1;
	}
	addr_format((struct sockaddr *)&ss, true, dest_text, ADDR_STRLEN);
	if (filter != NULL) {
		build_filter(filter, filterlen, (struct sockaddr *)&ss, port);
	}
	return 0;
}

struct mirror *
mirror_create(struct event_base *base, const struct mirror_config *cfg,
	      char *err, size_t errlen)
{
	struct mirror *m;
	int state;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->tun.fd = -1;
	m->base = base;
	snprintf(m->interface, sizeof(m->interface), "%s", cfg->interface);
	snprintf(m->destination, sizeof(m->destination), "%s", cfg->destination);
	m->vni = cfg->vni;
	m->truncate = cfg->truncate;
	m->ring_bytes = cfg->ring_bytes;
	m->batch_ms = cfg->batch_ms;
	m->now_ns = now_ns();
	budget_init(&m->budget, cfg->max_pps, cfg->max_bps, m->now_ns);

	if ((state = capture_iface_state(cfg->interface)) < 0) {
		snprintf(err, errlen, "no such interface '%s'", cfg->interface);
		goto fail;
	}
	if (open_tunnel(&m->tun, cfg->destination, cfg->port, cfg->vni, false,
			m->dest_text, m->filter, sizeof(m->filter), err,
			errlen) != 0) {
		goto fail;
	}
	if ((m->ev_retry = evtimer_new(base, retry_cb, m)) == NULL) {
		snprintf(err, errlen, "cannot create timer");
		goto fail;
	}
	if (state == 0) {
		log_warnx("%s: interface is down; mirroring starts when it is up",
			  m->interface);
		m->down = true;
		retry_cb(-1, 0, m);
		return m;
	}
	if (capture_open_live(&m->cap, m->interface, m->ring_bytes, m->batch_ms, m->filter,
			      err, errlen) != 0) {
		goto fail;
	}
	start_reading(m);
	return m;
fail:
	mirror_destroy(m);
	return NULL;
}

int
mirror_retarget(struct mirror *m, const char *destination, uint16_t port,
		uint32_t vni, char *err, size_t errlen)
{
	char dest_text[ADDR_STRLEN], filter[sizeof(m->filter)];
	struct tunnel t;
	struct capture c = { .fd = -1 };

	if (open_tunnel(&t, destination, port, vni, false, dest_text, filter,
			sizeof(filter), err, errlen) != 0) {
		return -1;
	}
	/* a new handle with the new exclusion filter, then swap: no gap */
	if (!m->down) {
		if (capture_open_live(&c, m->interface, m->ring_bytes, m->batch_ms, filter,
				      err, errlen) != 0) {
			tunnel_close(&t);
			return -1;
		}
		event_free(m->ev_read);
		m->ev_read = NULL;
		c.kernel_drops = capture_kernel_drops(&m->cap);
		capture_close(&m->cap);
		m->cap = c;
		start_reading(m);
	}
	tunnel_flush(&m->tun, &m->ts);
	tunnel_close(&m->tun);
	m->tun = t;
	snprintf(m->destination, sizeof(m->destination), "%s", destination);
	memcpy(m->dest_text, dest_text, sizeof(dest_text));
	memcpy(m->filter, filter, sizeof(filter));
	m->vni = vni;
	return 0;
}

static json_t *
counters_json(const char *interface, const char *dest_text, uint32_t vni,
	      const struct mirror_counters *c, const struct tunnel_stats *ts,
	      uint64_t kernel_drops)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I}, s:I, s:I}",
		"interface", interface,
		"destination", dest_text,
		"vni", (json_int_t)vni,
		"captured", (json_int_t)c->captured,
		"captured_bytes", (json_int_t)c->captured_bytes,
		"sent", (json_int_t)ts->sent,
		"sent_bytes", (json_int_t)ts->sent_bytes,
		"truncated", (json_int_t)c->truncated,
		"dropped",
		"kernel", (json_int_t)kernel_drops,
		"socket_full", (json_int_t)ts->socket_full,
		"oversize", (json_int_t)ts->oversize,
		"budget", (json_int_t)c->drop_budget,
		"send_error", (json_int_t)ts->send_error,
		"interface_down", (json_int_t)c->interface_down,
		"unreachable", (json_int_t)ts->unreachable);
}

json_t *
mirror_counters_json(struct mirror *m)
{
	return counters_json(m->interface, m->dest_text, m->vni, &m->ctr,
			     &m->ts, capture_kernel_drops(&m->cap));
}

int
mirror_replay(const struct mirror_config *cfg, json_t **out, char *err,
	      size_t errlen)
{
	struct mirror m;
	int n, rc = -1;

	memset(&m, 0, sizeof(m));
	m.tun.fd = -1;
	m.vni = cfg->vni;
	m.truncate = cfg->truncate;
	m.pace = true;
	m.now_ns = now_ns();
	budget_init(&m.budget, cfg->max_pps, cfg->max_bps, m.now_ns);
	if (capture_open_file(&m.cap, cfg->read_path, err, errlen) != 0) {
		return -1;
	}
	if (open_tunnel(&m.tun, cfg->destination, cfg->port, cfg->vni, true,
			m.dest_text, NULL, 0, err, errlen) != 0) {
		goto done;
	}
	do {
		m.now_ns = now_ns();
		n = capture_dispatch(&m.cap, TUNNEL_BATCH, frame_cb, &m, err, errlen);
		tunnel_flush(&m.tun, &m.ts);
	} while (n > 0);
	if (n < 0) {
		goto done;
	}
	*out = counters_json(cfg->read_path, m.dest_text, m.vni, &m.ctr, &m.ts, 0);
	rc = 0;
done:
	tunnel_close(&m.tun);
	capture_close(&m.cap);
	return rc;
}

void
mirror_destroy(struct mirror *m)
{
	if (m == NULL) {
		return;
	}
	if (m->tun.fd >= 0) {
		tunnel_flush(&m->tun, &m->ts);
	}
	if (m->ev_read != NULL) {
		event_free(m->ev_read);
	}
	if (m->ev_retry != NULL) {
		event_free(m->ev_retry);
	}
	capture_close(&m->cap);
	tunnel_close(&m->tun);
	free(m);
}
