/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Daemon mode's mirrors: one mirror (mirror.h) per NIC tap configuration
 * in the resource store, kept equal to the store. daemon_apply is called
 * after every change and at start; what cannot be done at once (a NIC
 * that is missing, a destination that does not resolve) is retried every
 * second, and a changed destination, port or VNI re-targets the running
 * mirror without stopping capture.
 */
#ifndef VTAP_SENDER_DAEMON_H
#define VTAP_SENDER_DAEMON_H

#include <jansson.h>
#include <stdio.h>

#include "sender/mirror.h"

struct event_base;
struct daemon;

/*
 * Create the mirror set on base. defaults gives what every mirror shares
 * (truncate, budget, ring size); its interface and destination are
 * ignored. Returns NULL only when out of memory.
 */
struct daemon *daemon_create(struct event_base *base,
			     const struct mirror_config *defaults);

/*
 * Make the mirrors match doc (a checked resource document, borrowed for
 * the call only): start, re-target and stop mirrors. Logs each change
 * and each failure once.
 */
void daemon_apply(struct daemon *d, const json_t *doc);

/*
 * Per NIC with a tap configuration: nic, tapConfiguration, tap,
 * destination, vni, state ("mirroring", "interface down" or "waiting"),
 * error (when waiting) and the mirror's counters. A new array.
 */
json_t *daemon_status_json(struct daemon *d);

/* Print each mirror's counters as one JSON line to out. */
void daemon_print_counters(struct daemon *d, FILE *out);

/* Stop every mirror and free. Accepts NULL. */
void daemon_destroy(struct daemon *d);

#endif
