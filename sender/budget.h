/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A token-bucket budget on packets and bits per second, so the mirror can
 * never take more of the host's network than it was given. Pure: the
 * caller passes the time, which makes it testable.
 */
#ifndef VTAP_SENDER_BUDGET_H
#define VTAP_SENDER_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

struct budget {
	uint64_t pps;          /* packets per second, 0: unlimited */
	uint64_t bps;          /* bits per second, 0: unlimited */
	double pkt_tokens;     /* packets that may go now */
	double bit_tokens;     /* bits that may go now */
	uint64_t last_ns;      /* time of the last refill */
};

/* Set limits (0 = none); the bucket holds up to 1/10 s of traffic, and starts full. */
void budget_init(struct budget *b, uint64_t pps, uint64_t bps, uint64_t now_ns);

/*
 * True when a frame of len bytes fits the budget now (and takes it). A
 * frame larger than the whole bit bucket passes when the bucket is full
 * and leaves a debt that later frames wait out, so the average holds.
 */
bool budget_take(struct budget *b, uint64_t now_ns, uint32_t len);

/* True when no limit is set. */
bool budget_is_unlimited(const struct budget *b);

#endif
