/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Encode and decode the RFC 7348 VXLAN header (drawn in vxlan.h). Only the
 * 8-byte header: the UDP and IP layers around it belong to the callers.
 */
#include "shared/vxlan.h"

#include "shared/cursor.h"

void
vxlan_encode(uint8_t out[VXLAN_HLEN], uint32_t vni)
{
	out[0] = VXLAN_FLAG_I;
	out[1] = 0;
	out[2] = 0;
	out[3] = 0;
	out[4] = (uint8_t)(vni >> 16);
	out[5] = (uint8_t)(vni >> 8);
	out[6] = (uint8_t)vni;
	out[7] = 0;
}

enum vxlan_err
vxlan_decode(const uint8_t *buf, size_t len, struct vxlan_hdr *h)
{
	struct cursor c;
	uint32_t w0, w1;

	if (len < VXLAN_HLEN + VXLAN_ETH_MIN) {
		return VXLAN_ERR_SHORT;
	}
	cursor_init(&c, buf, len);
	if (!cursor_be32(&c, &w0) || !cursor_be32(&c, &w1)) {
		return VXLAN_ERR_SHORT;
	}
	h->flags = (uint8_t)(w0 >> 24);
	if (!(h->flags & VXLAN_FLAG_I)) {
		return VXLAN_ERR_NO_I_FLAG;
	}
	h->vni = w1 >> 8;
	h->reserved_set = (h->flags & ~VXLAN_FLAG_I) != 0 ||
			  (w0 & 0x00ffffffu) != 0 || (w1 & 0xffu) != 0;
	return VXLAN_OK;
}

const char *
vxlan_strerror(enum vxlan_err err)
{
	switch (err) {
	case VXLAN_OK:
		return "ok";
	case VXLAN_ERR_SHORT:
		return "short";
	case VXLAN_ERR_NO_I_FLAG:
		return "no I flag";
	}
	return "unknown";
}
