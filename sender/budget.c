/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Token buckets for --max-pps and --max-mbps. Counting what the budget
 * drops is the caller's job.
 */
#include "sender/budget.h"

#define BURST_SECONDS 0.1

void
budget_init(struct budget *b, uint64_t pps, uint64_t bps, uint64_t now_ns)
{
	b->pps = pps;
	b->bps = bps;
	b->pkt_tokens = (double)pps * BURST_SECONDS;
	b->bit_tokens = (double)bps * BURST_SECONDS;
	if (pps != 0 && b->pkt_tokens < 1) {
		b->pkt_tokens = 1;
	}
	b->last_ns = now_ns;
}

bool
budget_is_unlimited(const struct budget *b)
{
	return b->pps == 0 && b->bps == 0;
}

static void
refill(double *tokens, uint64_t rate, double seconds)
{
	double cap = (double)rate * BURST_SECONDS;

	/* a burst must admit at least one packet, whatever the rate */
	if (cap < 1) {
		cap = 1;
	}
	*tokens += (double)rate * seconds;
	if (*tokens > cap) {
		*tokens = cap;
	}
}

bool
budget_take(struct budget *b, uint64_t now_ns, uint32_t len)
{
	double bits = (double)len * 8;
	double seconds;

	if (budget_is_unlimited(b)) {
		return true;
	}
	if (now_ns > b->last_ns) {
		seconds = (double)(now_ns - b->last_ns) / 1e9;
		b->last_ns = now_ns;
		if (b->pps != 0) {
			refill(&b->pkt_tokens, b->pps, seconds);
		}
		if (b->bps != 0) {
			refill(&b->bit_tokens, b->bps, seconds);
		}
	}
	if (b->pps != 0 && b->pkt_tokens < 1) {
		return false;
	}
	if (b->bps != 0 && b->bit_tokens < bits) {
		/* a frame bigger than the whole bucket would never pass: let
		 * it through once the bucket is full */
		if (!(b->bit_tokens >= (double)b->bps * BURST_SECONDS && bits > b->bit_tokens)) {
			return false;
		}
	}
	if (b->pps != 0) {
		b->pkt_tokens -= 1;
	}
	if (b->bps != 0) {
		b->bit_tokens -= bits;
	}
	return true;
}
