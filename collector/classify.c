/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flow classification with nDPI 4.2: the only file that includes nDPI. It
 * owns the per-worker detection module and each flow's detection state;
 * it does not track flows (flowtable.c) nor decide when they end.
 */
#include "collector/classify.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi_api.h>

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

struct classify {
	struct ndpi_detection_module_struct *ndpi; /* owned */
	uint64_t max_live;                         /* 0: no bound */
	struct classify_stats st;
};

/* One flow's detection state; f->cls points to it while detection runs. */
struct classify_state {
	struct ndpi_flow_struct ndpi; /* its pointer members are nDPI's to free */
	uint32_t pkts;                /* packets fed so far */
};

/* nDPI: "you can call this function multiple times [...] but all these
 * calls MUST NOT run in parallel" (ndpi_api.h); exit is kept in step. */
static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;

struct classify *
classify_create(char *err, size_t errlen)
{
	struct classify *c = NULL;
	NDPI_PROTOCOL_BITMASK all;

	/* flow state embeds struct ndpi_flow_struct: the library must be the
	 * one these headers describe */
	if (ndpi_get_api_version() != NDPI_API_VERSION) {
		snprintf(err, errlen, "classify: nDPI library API %u, headers %u: rebuild",
			 (unsigned)ndpi_get_api_version(), (unsigned)NDPI_API_VERSION);
		goto fail;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "classify: out of memory");
		goto fail;
	}
	pthread_mutex_lock(&module_lock);
	c->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
	if (c->ndpi != NULL) {
		NDPI_BITMASK_SET_ALL(all);
		ndpi_set_protocol_detection_bitmask2(c->ndpi, &all);
		ndpi_finalize_initialization(c->ndpi);
	}
	pthread_mutex_unlock(&module_lock);
	if (c->ndpi == NULL) {
		snprintf(err, errlen, "classify: nDPI %s: cannot create a detection module",
			 ndpi_revision());
		goto fail;
	}
	return c;
fail:
	free(c);
	return NULL;
}

void
classify_destroy(struct classify *c)
{
	if (c == NULL) {
		return;
	}
	pthread_mutex_lock(&module_lock);
	ndpi_exit_detection_module(c->ndpi);
	pthread_mutex_unlock(&module_lock);
	free(c);
}

static void
state_free(struct classify *c, struct flow *f)
{
	if (f->cls == NULL) {
		return;
	}
	ndpi_free_flow_data(&f->cls->ndpi);
	free(f->cls);
	f->cls = NULL;
	c->st.live--;
}

/* Write nDPI's answer into the flow record under ndpiReader's names. */
static void
name_flow(struct classify *c, struct flow *f, ndpi_protocol p)
{
	const char *cat;

	ndpi_protocol2name(c->ndpi, p, f->proto, sizeof(f->proto));
	cat = ndpi_category_get_name(c->ndpi, p.category);
	snprintf(f->category, sizeof(f->category), "%s", cat != NULL ? cat : "");
}

/*
 * Detection over: keep the final answer, drop the state. Like ndpiReader,
 * ask nDPI to give up (and guess) when it has no application, or when the
 * flow ends before detection completed.
 */
static void
complete(struct classify *c, struct flow *f, ndpi_protocol p, bool giveup)
{
	uint8_t guessed = 0;

	if (giveup || p.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
		p = ndpi_detection_giveup(c->ndpi, &f->cls->ndpi, 1, &guessed);
	}
	if (!f->detected) {
		if (p.app_protocol != NDPI_PROTOCOL_UNKNOWN && !guessed) {
			f->detected = true;
			c->st.detected++;
		} else {
			f->gave_up = true;
			f->guessed = guessed != 0;
			c->st.given_up++;
			c->st.guessed += f->guessed;
		}
	}
	name_flow(c, f, p);
	state_free(c, f);
}

static uint32_t
max_pkts(uint8_t l4_proto)
{
	switch (l4_proto) {
	case IPPROTO_TCP_:
		return CLASSIFY_MAX_PKTS_TCP;
	case IPPROTO_UDP_:
		return CLASSIFY_MAX_PKTS_UDP;
	default:
		return CLASSIFY_MAX_PKTS_OTHER;
	}
}

void
classify_packet(struct classify *c, struct flow *f, const struct frame *fr,
		const uint8_t *frame_bytes, size_t caplen, uint64_t ts_ns)
{
	struct classify_state *s;
	ndpi_protocol p;
	size_t len;
	bool enough;

	if (f->gave_up || (f->detected && f->cls == NULL)) {
		return;
	}
	/* later fragments carry no L4 header: ndpiReader drops them too */
	if ((fr->ip_version != 4 && fr->ip_version != 6) ||
	    (fr->fragment && !fr->first_fragment) || fr->l3_offset >= caplen) {
		c->st.skipped++;
		return;
	}
	/* the IP datagram as captured, without Ethernet padding */
	len = caplen - fr->l3_offset;
	if (fr->l3_len != 0 && fr->l3_len < len) {
		len = fr->l3_len;
	}
	if (len > UINT16_MAX) {
		len = UINT16_MAX;
	}
	if (f->cls == NULL) {
		if (c->max_live != 0 && c->st.live >= c->max_live) {
			c->st.over_limit++;
			return;
		}
		s = calloc(1, sizeof(*s));
		if (s == NULL) {
			c->st.alloc_failed++;
			return;
		}
		f->cls = s;
		c->st.flows++;
		c->st.live++;
	}
	s = f->cls;
	s->pkts++;
	c->st.packets++;
	enough = s->pkts > max_pkts(fr->l4_proto);
	p = ndpi_detection_process_packet(c->ndpi, &s->ndpi,
					  frame_bytes + fr->l3_offset,
					  (unsigned short)len, ts_ns / 1000000u);
	if (!enough && p.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
		return;
	}
	if (!enough && ndpi_extra_dissection_possible(c->ndpi, &s->ndpi)) {
		/* named already; nDPI wants more (DNS answer, certificate,
		 * ...) and may still refine the name. f->detected waits for
		 * the end, so "!detected && !gave_up" still means "feed me" */
		name_flow(c, f, p);
		return;
	}
	complete(c, f, p, false);
}

void
classify_flow_end(struct classify *c, struct flow *f)
{
	ndpi_protocol p = { 0 };

	if (f->cls != NULL) {
		complete(c, f, p, true);
		return;
	}
	if (f->proto[0] == '\0') {
		snprintf(f->proto, sizeof(f->proto), "Unknown");
		snprintf(f->category, sizeof(f->category), "Unspecified");
		f->gave_up = true;
	}
}

void
classify_set_max_live(struct classify *c, uint64_t max)
{
	c->max_live = max;
}

void
classify_get_stats(const struct classify *c, struct classify_stats *st)
{
	*st = c->st;
}

size_t
classify_state_size(void)
{
	return sizeof(struct classify_state);
}

const char *
classify_ndpi_version(void)
{
	return ndpi_revision();
}
