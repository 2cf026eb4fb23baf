/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mirror's budget: over a simulated second it admits about the
 * configured packets or bits, bursts at most a tenth of a second, and
 * "no limit" admits everything.
 */
#include <criterion/criterion.h>

#include "sender/budget.h"

#define MS 1000000ULL

/* Offer frames of len bytes every step_ns for total_ns; count admitted. */
static uint64_t
offer(struct budget *b, uint64_t start, uint64_t step_ns, uint64_t total_ns,
      uint32_t len)
{
	uint64_t n = 0;

	for (uint64_t t = start; t < start + total_ns; t += step_ns) {
		n += budget_take(b, t, len);
	}
	return n;
}

Test(budget, no_limit_admits_everything)
{
	struct budget b;

	budget_init(&b, 0, 0, 0);
	cr_assert(budget_is_unlimited(&b));
	cr_assert_eq(offer(&b, 0, 1000, 1000 * MS, 1500), 1000000);
}

Test(budget, packets_per_second_are_held)
{
	struct budget b;
	uint64_t n;

	budget_init(&b, 1000, 0, 0);
	/* 100 kpps offered for 2 s: about 2 s x 1000 plus the 0.1 s burst */
	n = offer(&b, 0, 10000, 2000 * MS, 64);
	cr_assert(n >= 2000 && n <= 2100 + 1, "admitted %llu", (unsigned long long)n);
}

Test(budget, bits_per_second_are_held)
{
	struct budget b;
	uint64_t n;

	budget_init(&b, 0, 8000000, 0); /* 8 Mbit/s = 1 MB/s */
	n = offer(&b, 0, 10000, 1000 * MS, 1000);
	/* 1000-byte frames: about 1000 a second, plus the burst of 100 */
	cr_assert(n >= 1000 && n <= 1101, "admitted %llu", (unsigned long long)n);
}

Test(budget, the_burst_is_a_tenth_of_a_second)
{
	struct budget b;

	budget_init(&b, 1000, 0, 0);
	/* all at one instant: only the bucket's 100 go */
	cr_assert_eq(offer(&b, 5 * MS, 1, 1000, 64), 100);
}

Test(budget, a_frame_larger_than_the_bucket_passes_and_is_paid_back)
{
	struct budget b;

	budget_init(&b, 0, 8000, 0); /* 1000 B/s, bucket of 100 B */
	cr_assert(budget_take(&b, 0, 1500));
	cr_assert_not(budget_take(&b, 1, 1500));
	/* its 1500 bytes are owed: 1 s later (1000 B back) still nothing */
	cr_assert_not(budget_take(&b, 1000 * MS, 1500));
	/* once the debt is paid and the bucket full again, one more */
	cr_assert(budget_take(&b, 2000 * MS, 1500));
}
