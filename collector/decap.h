/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Admission of one received UDP datagram as VXLAN (RFC 7348): the sender
 * must be allowed, the header valid, the VNI accepted. Every refusal has a
 * reason, which the caller counts; nothing here logs or keeps state.
 *
 * Reserved bits set are accepted (the RFC says receivers ignore them) and
 * reported through the decoded header so they can be counted too.
 */
#ifndef VTAP_COLLECTOR_DECAP_H
#define VTAP_COLLECTOR_DECAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "shared/addr.h"
#include "shared/vxlan.h"

#define DECAP_VNI_BITMAP_WORDS ((VXLAN_VNI_MAX + 1) / 64)

enum decap_verdict {
	DECAP_OK = 0,
	DECAP_SHORT,           /* shorter than a header plus an Ethernet header */
	DECAP_NO_I_FLAG,       /* I flag clear: not VXLAN */
	DECAP_SENDER_DENIED,   /* source address outside every --allow prefix */
	DECAP_VNI_DENIED,      /* VNI not in --vni */
	DECAP_OVERSIZE,        /* larger than the receive buffer (cut by recv) */
	DECAP__COUNT
};

struct decap_policy {
	struct addr_cidr *allow;  /* owned; NULL/0: every sender allowed */
	size_t nallow;
	uint64_t *vnis;           /* owned bitmap of 2^24 bits; NULL: all VNIs */
};

/* Add one --allow prefix ("10.0.0.0/8", "2001:db8::/32", an address). */
bool decap_policy_allow(struct decap_policy *p, const char *cidr);

/*
 * Add --vni values: a comma-separated list of VNIs and ranges
 * ("100,200-299"). False (policy unchanged) on a malformed list.
 */
bool decap_policy_vnis(struct decap_policy *p, const char *list);

/* Free what the policy owns. */
void decap_policy_finish(struct decap_policy *p);

/*
 * Judge a datagram of len bytes from `from`. On DECAP_OK, *h holds the
 * header and the inner frame is buf + VXLAN_HLEN, len - VXLAN_HLEN bytes.
 */
enum decap_verdict decap_datagram(const struct decap_policy *p,
				  const struct sockaddr *from,
				  const uint8_t *buf, size_t len,
				  struct vxlan_hdr *h);

/* Counter name of a verdict, e.g. "sender_denied". */
const char *decap_strverdict(enum decap_verdict v);

#endif
