/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Offline mode: feed a capture file through the workers' pipelines, as if
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
 * Read path to its end through the nworkers workers (borrowed; created
 * offline, not started). vxlan_port selects the outer UDP destination
 * port that carries VXLAN; packets to other ports, non-UDP packets and
 * outer IP fragments (not reassembled offline) are counted in worker 0's
 * stats, never written.
 *
 * One worker runs in the calling thread, told every packet's time. With
 * more, each runs in a thread of its own for the length of the call, fed
 * through a bounded queue (waited on when full: nothing is dropped); a
 * packet goes to worker hash(inner flow key) % nworkers, so both
 * directions of a flow meet in one worker, and every worker's clock
 * moves at the same packets as a lone worker's would: the files and flow
 * logs hold what one worker would write, split by flow. Those workers are
 * finished (worker_finish) when this returns; the caller finishes a lone
 * one. Returns 0, or -1 with a reason in err (a file cut short: what was
 * read is processed all the same).
 */
int offline_run(struct worker **workers, unsigned nworkers, const char *path,
		bool inner, uint16_t vxlan_port, char *err, size_t errlen);

#endif
