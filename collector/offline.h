/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Offline mode: feed a capture file through one worker's pipeline, as if
 * its packets had arrived on the VXLAN port (or, with inner, as if they
 * were already decapsulated). Any link type libpcap reads and this file
 * knows (Ethernet, Linux cooked v1/v2, raw IP, BSD loopback) is accepted.
 */
#ifndef VTAP_COLLECTOR_OFFLINE_H
#define VTAP_COLLECTOR_OFFLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct worker;

/*
 * Read path to its end through w. vxlan_port selects the outer UDP
 * destination port that carries VXLAN; packets to other ports, non-UDP
 * packets and outer IP fragments (not reassembled offline) are counted in
 * w's stats, never written. Returns 0, or -1 with a reason in err.
 */
int offline_run(struct worker *w, const char *path, bool inner,
		uint16_t vxlan_port, char *err, size_t errlen);

#endif
