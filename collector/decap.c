/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VXLAN admission policy (--allow, --vni) and the per-datagram
 * verdict. Counting verdicts belongs to the caller's statistics.
 */
#include "collector/decap.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "shared/number.h"

bool
decap_policy_allow(struct decap_policy *p, const char *cidr)
{
	struct addr_cidr c, *v;

	if (!addr_parse_cidr(cidr, &c)) {
		return false;
	}
	v = realloc(p->allow, sizeof(*v) * (p->nallow + 1));
	if (v == NULL) {
		return false;
	}
	v[p->nallow++] = c;
	p->allow = v;
	return true;
}

/* Parse "A" or "A-B" into [lo, hi]. */
static bool
vni_range(char *tok, uint64_t *lo, uint64_t *hi)
{
	char *dash = strchr(tok, '-');

	if (dash == NULL) {
		if (!number_parse_u64(tok, 0, VXLAN_VNI_MAX, lo)) {
			return false;
		}
		*hi = *lo;
		return true;
	}
	*dash = '\0';
	return number_parse_u64(tok, 0, VXLAN_VNI_MAX, lo) &&
	       number_parse_u64(dash + 1, *lo, VXLAN_VNI_MAX, hi);
}

bool
decap_policy_vnis(struct decap_policy *p, const char *list)
{
	uint64_t (*ranges)[2] = NULL, lo, hi;
	char *copy = NULL, *tok, *save = NULL;
	size_t n = 0;
	bool ok = false;

	/* parse every range first: a bad list leaves the policy as it was */
	if ((copy = strdup(list)) == NULL ||
	    (ranges = calloc(strlen(list) / 2 + 1, sizeof(*ranges))) == NULL) {
		goto done;
	}
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!vni_range(tok, &lo, &hi)) {
			goto done;
		}
		ranges[n][0] = lo;
		ranges[n][1] = hi;
		n++;
	}
	if (n == 0) {
		goto done;
	}
	if (p->vnis == NULL &&
	    (p->vnis = calloc(DECAP_VNI_BITMAP_WORDS, sizeof(uint64_t))) == NULL) {
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		for (uint64_t v = ranges[i][0]; v <= ranges[i][1]; v++) {
			p->vnis[v / 64] |= 1ULL << (v % 64);
		}
	}
	ok = true;
done:
	free(ranges);
	free(copy);
	return ok;
}

void
decap_policy_finish(struct decap_policy *p)
{
	free(p->allow);
	free(p->vnis);
	memset(p, 0, sizeof(*p));
}

static bool
sender_allowed(const struct decap_policy *p, const struct sockaddr *from)
{
	uint8_t family;
	const uint8_t *addr;

	if (p->nallow == 0) {
		return true;
	}
	if (from->sa_family == AF_INET) {
		family = 4;
		addr = (const uint8_t *)&((const struct sockaddr_in *)from)->sin_addr;
	} else if (from->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)from;

		addr = in6->sin6_addr.s6_addr;
		family = 6;
		/* an IPv4 sender on a dual-stack socket arrives v4-mapped */
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			family = 4;
			addr += 12;
		}
	} else {
		return false;
	}
	for (size_t i = 0; i < p->nallow; i++) {
		if (addr_cidr_contains(&p->allow[i], family, addr)) {
			return true;
		}
	}
	return false;
}

enum decap_verdict
decap_datagram(const struct decap_policy *p, const struct sockaddr *from,
	       const uint8_t *buf, size_t len, struct vxlan_hdr *h)
{
	if (from != NULL && !sender_allowed(p, from)) {
		return DECAP_SENDER_DENIED;
	}
	switch (vxlan_decode(buf, len, h)) {
	case VXLAN_OK:
		break;
	case VXLAN_ERR_SHORT:
		return DECAP_SHORT;
	case VXLAN_ERR_NO_I_FLAG:
		return DECAP_NO_I_FLAG;
	}
	if (p->vnis != NULL && !(p->vnis[h->vni / 64] & (1ULL << (h->vni % 64)))) {
		return DECAP_VNI_DENIED;
	}
	return DECAP_OK;
}

const char *
decap_strverdict(enum decap_verdict v)
{
	static const char *const names[DECAP__COUNT] = {
		[DECAP_OK] = "ok",
		[DECAP_SHORT] = "short",
		[DECAP_NO_I_FLAG] = "no_i_flag",
		[DECAP_SENDER_DENIED] = "sender_denied",
		[DECAP_VNI_DENIED] = "vni_denied",
		[DECAP_OVERSIZE] = "oversize",
	};

	return (unsigned)v < DECAP__COUNT ? names[v] : "unknown";
}
