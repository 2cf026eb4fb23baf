/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Range headers (one range served, several ignored, bad ones refused) and
 * the merged download's query (epoch seconds, BPF, VNI).
 */
#include <criterion/criterion.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>

#include "collector/download.h"
#include "collector/pcapmerge.h"

Test(range, one_range_is_served)
{
	uint64_t a, b;

	cr_assert_eq(download_parse_range("bytes=0-99", 1000, &a, &b), 1);
	cr_assert(a == 0 && b == 99);
	cr_assert_eq(download_parse_range("bytes=500-", 1000, &a, &b), 1);
	cr_assert(a == 500 && b == 999);
	cr_assert_eq(download_parse_range("bytes=-100", 1000, &a, &b), 1);
	cr_assert(a == 900 && b == 999);
	cr_assert_eq(download_parse_range("bytes=900-5000", 1000, &a, &b), 1);
	cr_assert(a == 900 && b == 999);
	cr_assert_eq(download_parse_range("bytes=-5000", 1000, &a, &b), 1);
	cr_assert(a == 0 && b == 999);
}

Test(range, several_ranges_are_ignored)
{
	uint64_t a, b;

	cr_assert_eq(download_parse_range("bytes=0-1,5-6", 1000, &a, &b), 0);
}

Test(range, bad_or_unsatisfiable_ranges_are_refused)
{
	const char *bad[] = { "bytes=abc", "bytes=5-2", "bytes=1000-", "items=0-1",
			      "bytes=-", "bytes=-0", "bytes=1-x", "bytes=", "bytes=99999999999999999999-" };
	uint64_t a, b;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(download_parse_range(bad[i], 1000, &a, &b), -1, "%s", bad[i]);
	}
	cr_assert_eq(download_parse_range("bytes=0-0", 0, &a, &b), -1);
}

static bool
parse(const char *qs, struct pcapmerge_query *q, char *err)
{
	struct evkeyvalq kv;
	bool ok;

	TAILQ_INIT(&kv);
	cr_assert_eq(evhttp_parse_query_str(qs, &kv), 0);
	ok = pcapmerge_parse_query(&kv, q, err, 256);
	/* the filter points into kv: copy what the tests look at first */
	if (ok && q->filter != NULL) {
		static char f[256];

		snprintf(f, sizeof(f), "%s", q->filter);
		q->filter = f;
	}
	evhttp_clear_headers(&kv);
	return ok;
}

Test(range, merge_query_reads_its_parameters)
{
	struct pcapmerge_query q;
	char err[256];

	cr_assert(parse("from=100&to=200&filter=tcp%20port%2080&vni=42", &q, err), "%s", err);
	cr_assert_eq(q.from_ns, 100000000000ULL);
	cr_assert_eq(q.to_ns, 200999999999ULL);
	cr_assert_str_eq(q.filter, "tcp port 80");
	cr_assert(q.has_vni);
	cr_assert_eq(q.vni, 42);
	cr_assert(parse("", &q, err));
	cr_assert_eq(q.from_ns, 0);
	cr_assert_eq(q.to_ns, UINT64_MAX);
	cr_assert_null(q.filter);
	cr_assert_not(q.has_vni);
}

Test(range, merge_query_refuses_bad_values)
{
	struct pcapmerge_query q;
	char err[256];

	cr_assert_not(parse("from=yesterday", &q, err));
	cr_assert_not(parse("from=200&to=100", &q, err));
	cr_assert(strstr(err, "after") != NULL);
	cr_assert_not(parse("vni=16777216", &q, err));
	cr_assert_not(parse("to=-1", &q, err));
}
