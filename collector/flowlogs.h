/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flow-log files of a pcap directory as a set (flowlog.c writes one at
 * a time): after a crash, a `flows-*.jsonl.part` is cut back to its last
 * whole line and handed over as `.jsonl`; and closed flow logs older than
 * the oldest pcap kept are deleted with it, so the logs never outlive the
 * captures they describe nor fill the disk on their own.
 */
#ifndef VTAP_COLLECTOR_FLOWLOGS_H
#define VTAP_COLLECTOR_FLOWLOGS_H

#include <stdint.h>

/*
 * Close what a crash left: each flows-*.jsonl.part in dir is truncated
 * after its last newline and renamed to .jsonl (removed when nothing whole
 * is left). Call at start-up, before any writer opens a file. Logs each
 * file it handles; returns the number that could not be handled.
 */
unsigned flowlogs_repair(const char *dir);

/*
 * Delete closed flow logs (flows-*.jsonl) last written before before_ns
 * (ns since the epoch); 0 deletes nothing. Logs each deletion once.
 * Returns the number of files deleted.
 */
unsigned flowlogs_expire(const char *dir, uint64_t before_ns);

#endif
