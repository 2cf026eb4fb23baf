/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: a UDP payload through vxlan_decode, the inner frame through
 * frame_parse and flowkey_from_frame (shared/vxlan.h, frame.h, flowkey.h).
 * The input is also parsed as a bare Ethernet frame, so both paths are
 * fuzzed whatever the first eight bytes are. Besides the sanitizers it
 * checks the contracts the collector relies on: offsets inside the frame,
 * and a flow key that does not depend on the direction.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "shared/flowkey.h"
#include "shared/frame.h"
#include "shared/vxlan.h"

/* The frame as the other direction would show it. */
static void
reverse(const struct frame *f, struct frame *r)
{
	*r = *f;
	memcpy(r->src_mac, f->dst_mac, 6);
	memcpy(r->dst_mac, f->src_mac, 6);
	memcpy(r->src_ip, f->dst_ip, 16);
	memcpy(r->dst_ip, f->src_ip, 16);
	r->src_port = f->dst_port;
	r->dst_port = f->src_port;
}

static void
check_frame(const uint8_t *buf, size_t len, uint32_t vni)
{
	struct flowkey k, kr;
	struct frame f, r;
	enum frame_err e;
	bool lo, lor;
	uint16_t port;

	e = frame_parse(buf, len, &f);
	FUZZ_CHECK(e < FRAME_ERR__COUNT, "error %d", (int)e);
	FUZZ_CHECK(frame_strerror(e) != NULL, "no text for %d", (int)e);
	FUZZ_CHECK(f.vlan_count <= FRAME_VLAN_MAX, "%u tags", f.vlan_count);
	FUZZ_CHECK(f.ip_version == 0 || f.ip_version == 4 || f.ip_version == 6,
		   "ip_version %u", f.ip_version);
	if (e == FRAME_OK && f.ip_version != 0) {
		FUZZ_CHECK(f.l3_offset <= len, "l3_offset %zu > %zu",
			   f.l3_offset, len);
		if (f.l4_offset != 0) {
			FUZZ_CHECK(f.l4_offset >= f.l3_offset &&
				   f.l4_offset <= len,
				   "l4_offset %zu (l3 %zu, len %zu)",
				   f.l4_offset, f.l3_offset, len);
			/* a header longer than what was captured is
			 * truncation, not an error (frame.h) */
			FUZZ_CHECK(f.payload_offset >= f.l4_offset &&
				   (f.payload_offset <= len || f.truncated),
				   "payload_offset %zu (l4 %zu, len %zu)",
				   f.payload_offset, f.l4_offset, len);
		}
	}

	flowkey_from_frame(&f, vni, &k, &lo);
	reverse(&f, &r);
	flowkey_from_frame(&r, vni, &kr, &lor);
	FUZZ_CHECK(flowkey_equal(&k, &kr), "key depends on direction");
	FUZZ_CHECK(flowkey_hash(&k, 7) == flowkey_hash(&kr, 7), "hash differs");
	if (memcmp(k.addr_lo, k.addr_hi, 16) != 0 || k.port_lo != k.port_hi) {
		FUZZ_CHECK(lo != lor, "both directions claim the lo side");
	}
	port = flowkey_source_port(&k);
	FUZZ_CHECK(port >= 49152, "source port %u", port);
	FUZZ_CHECK(k.vni == vni, "vni %u != %u", k.vni, vni);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vxlan_hdr h;
	enum vxlan_err e;

	e = vxlan_decode(data, size, &h);
	FUZZ_CHECK(vxlan_strerror(e) != NULL, "no text for %d", (int)e);
	if (e == VXLAN_OK) {
		FUZZ_CHECK(size >= VXLAN_HLEN + VXLAN_ETH_MIN, "ok at %zu bytes",
			   size);
		FUZZ_CHECK(h.vni <= VXLAN_VNI_MAX, "vni %u", h.vni);
		FUZZ_CHECK((h.flags & VXLAN_FLAG_I) != 0, "flags %#x", h.flags);
		check_frame(data + VXLAN_HLEN, size - VXLAN_HLEN, h.vni);
	} else {
		FUZZ_CHECK(e == VXLAN_ERR_SHORT || e == VXLAN_ERR_NO_I_FLAG,
			   "error %d", (int)e);
	}
	check_frame(data, size, 0);
	return 0;
}
