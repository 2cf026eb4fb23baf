/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The health verdict: healthy only when every check passes, with a reason. */
#include <criterion/criterion.h>

#include "collector/health.h"

static struct health_input
good(void)
{
	return (struct health_input){
		.workers = 2, .workers_alive = 2, .store_ok = true,
		.free_bytes = 1ULL << 30, .min_free = 1ULL << 20, .dir_ok = true,
	};
}

Test(health, all_good_is_healthy)
{
	struct health_input in = good();
	char r[256];

	cr_assert(health_evaluate(&in, r, sizeof(r)));
	cr_assert_str_empty(r);
}

Test(health, each_failure_names_its_reason)
{
	struct health_input in;
	char r[256];

	in = good();
	in.draining = true;
	cr_assert_not(health_evaluate(&in, r, sizeof(r)));
	cr_assert_str_eq(r, "draining");
	in = good();
	in.workers_alive = 1;
	cr_assert_not(health_evaluate(&in, r, sizeof(r)));
	cr_assert(strstr(r, "1 of 2 workers") != NULL);
	in = good();
	in.dir_ok = false;
	cr_assert_not(health_evaluate(&in, r, sizeof(r)));
	cr_assert(strstr(r, "directory") != NULL);
	in = good();
	in.free_bytes = 10ULL << 20;
	in.min_free = 256ULL << 20;
	cr_assert_not(health_evaluate(&in, r, sizeof(r)));
	cr_assert(strstr(r, "below the floor of 256 MiB") != NULL);
	in = good();
	in.store_ok = false;
	in.store_error = "No space left on device";
	cr_assert_not(health_evaluate(&in, r, sizeof(r)));
	cr_assert(strstr(r, "No space left") != NULL);
}
