/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Classification against an oracle: every capture of ../shared/pcaps/app
 * (path in $VTAP_SHARED_PCAPS) goes through frame_parse, flowkey_from_frame,
 * the flow table and classify as in a worker; the multiset of per-flow
 * protocol names is compared with what ndpiReader 4.2 printed for the same
 * file (expected-ndpi-4.2/app/FILE.csv). Every disagreement is printed;
 * at least 95% of the flows must agree. Without the captures the program
 * exits 77, which meson reports as a skip.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collector/classify.h"
#include "collector/flowtable.h"
#include "shared/flowkey.h"
#include "shared/frame.h"

#define MAX_NAMES 4096
#define EXIT_SKIP 77
#define LINE_MAX_ 65536

/* Per-flow results of one file: names and, for messages, the endpoints. */
struct names {
	size_t n;
	char *name[MAX_NAMES];  /* owned */
	char *where[MAX_NAMES]; /* owned; NULL for expected names */
};

struct run {
	struct classify *cls;
	struct names got;
};

static void
names_add(struct names *s, const char *name, const char *where)
{
	cr_assert_lt(s->n, MAX_NAMES, "more flows than the test can hold");
	s->name[s->n] = strdup(name);
	s->where[s->n] = where != NULL ? strdup(where) : NULL;
	s->n++;
}

static void
names_clear(struct names *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->name[i]);
		free(s->where[i]);
	}
	s->n = 0;
}

static void
endpoint(char *buf, size_t len, uint8_t family, const uint8_t *ip, uint16_t port)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family == 6 ? AF_INET6 : AF_INET, ip, a, sizeof(a));
	snprintf(buf, len, family == 6 ? "[%s]:%u" : "%s:%u", a, port);
}

static void
close_cb(struct flow *f, void *arg)
{
	struct run *r = arg;
	char o[64], p[64], where[160];

	classify_flow_end(r->cls, f);
	if (f->end == FLOW_END_ACTIVE_TIMEOUT || f->key.family == 0) {
		return; /* ndpiReader reports IP flows only, once each */
	}
	endpoint(o, sizeof(o), f->key.family, f->orig_ip, f->orig_port);
	endpoint(p, sizeof(p), f->key.family, f->resp_ip, f->resp_port);
	snprintf(where, sizeof(where), "proto %u %s -> %s, %llu+%llu pkts",
		 f->key.proto, o, p, (unsigned long long)f->orig_pkts,
		 (unsigned long long)f->resp_pkts);
	names_add(&r->got, f->proto, where);
	if (getenv("VTAP_ORACLE_VERBOSE") != NULL) {
		fprintf(stderr, "oracle:   flow %s end %d %s\n", f->proto, f->end, where);
	}
}

/* The ndpi_proto column (the 11th) of ndpiReader's -C output. */
static bool
read_expected(const char *path, struct names *exp)
{
	char *line = malloc(LINE_MAX_);
	FILE *fp = fopen(path, "r");
	bool ok = fp != NULL;

	while (ok && fgets(line, LINE_MAX_, fp) != NULL) {
		char *p = line, *end;

		if (line[0] == '#' || line[0] == '\n') {
			continue;
		}
		for (int col = 0; col < 10 && p != NULL; col++) {
			p = strchr(p, ',');
			p = p != NULL ? p + 1 : NULL;
		}
		cr_assert_not_null(p, "%s: short line: %s", path, line);
		end = strchr(p, ',');
		if (end != NULL) {
			*end = '\0';
		}
		names_add(exp, p, NULL);
	}
	if (fp != NULL) {
		fclose(fp);
	}
	free(line);
	return ok;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Feed one capture through the pipeline into r->got. Returns false (with a
 * message) when its link type is neither Ethernet nor BSD loopback.
 */
static bool
run_capture(const char *path, struct run *r, size_t *frame_errors)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct flowtable_config cfg;
	struct flowtable *t;
	struct pcap_pkthdr *h;
	const u_char *data;
	static uint8_t buf[65536 + 14];
	pcap_t *p;
	int dlt, rc;

	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	cr_assert_not_null(p, "%s: %s", path, errbuf);
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB && dlt != DLT_NULL) {
		fprintf(stderr, "oracle: %s: link type %d skipped\n", path, dlt);
		pcap_close(p);
		return false;
	}
	/* ndpiReader 4.2 keeps each 5-tuple as one flow over a whole file
	 * (ssh.pcap has 100 s gaps inside one flow): compare classification,
	 * not timeouts, which test_flowtable covers */
	flowtable_config_default(&cfg);
	cfg.idle_ns = 0;
	cfg.active_ns = 0;
	cfg.seed = 1;
	cfg.close = close_cb;
	cfg.close_arg = r;
	t = flowtable_create(&cfg);
	cr_assert_not_null(t);

	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		uint64_t now = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		const uint8_t *frame = data;
		size_t caplen = h->caplen;
		enum frame_err ferr;
		struct frame fr;
		struct flowkey k;
		struct flow *f;
		bool lo;

		if (dlt == DLT_NULL) {
			/* a 4-byte address family in host order, then IP:
			 * give it an Ethernet header of zero MACs */
			uint32_t af;

			if (caplen < 4 || caplen - 4 > sizeof(buf) - 14) {
				continue;
			}
			memcpy(&af, data, 4);
			memset(buf, 0, 12);
			buf[12] = af == 2 ? 0x08 : 0x86;
			buf[13] = af == 2 ? 0x00 : 0xdd;
			memcpy(buf + 14, data + 4, caplen - 4);
			frame = buf;
			caplen = caplen - 4 + 14;
		}
		if ((ferr = frame_parse(frame, caplen, &fr)) != FRAME_OK) {
			/* as a worker does: counted, not tracked */
			fprintf(stderr, "oracle: %s: a frame not parsed: %s\n", path,
				frame_strerror(ferr));
			(*frame_errors)++;
			continue;
		}
		flowkey_from_frame(&fr, 0, &k, &lo);
		flowtable_expire(t, now, NULL, NULL);
		f = flowtable_lookup(t, &k, &fr, lo, now, NULL);
		cr_assert_not_null(f);
		flowtable_account(t, f, &fr, lo, h->len, now);
		if (!f->detected && !f->gave_up) { /* as worker.c does */
			classify_packet(r->cls, f, &fr, frame, caplen, now);
		}
	}
	cr_assert_eq(rc, PCAP_ERROR_BREAK, "%s: %s", path, pcap_geterr(p));
	flowtable_flush(t, NULL, NULL);
	flowtable_destroy(t);
	pcap_close(p);
	return true;
}

/*
 * Compare two multisets of names; print what differs. Returns the number
 * of flows that agree (named alike on both sides).
 */
static size_t
compare(const char *file, struct names *exp, struct names *got)
{
	size_t i = 0, j = 0, agree = 0;
	bool header = false;
	char **e = exp->name, **g;
	size_t order[MAX_NAMES];

	/* sort got by name, carrying where along */
	for (size_t x = 0; x < got->n; x++) {
		order[x] = x;
	}
	for (size_t x = 1; x < got->n; x++) {
		for (size_t y = x; y > 0 && strcmp(got->name[order[y - 1]],
						  got->name[order[y]]) > 0; y--) {
			size_t tmp = order[y];

			order[y] = order[y - 1];
			order[y - 1] = tmp;
		}
	}
	g = calloc(got->n + 1, sizeof(*g));
	for (size_t x = 0; x < got->n; x++) {
		g[x] = got->name[order[x]];
	}
	qsort(e, exp->n, sizeof(*e), cmp_str);

	while (i < exp->n || j < got->n) {
		int c = i == exp->n ? 1 : j == got->n ? -1 : strcmp(e[i], g[j]);

		if (c == 0) {
			agree++, i++, j++;
			continue;
		}
		if (!header) {
			fprintf(stderr, "oracle: %s: disagreement (expected by ndpiReader 4.2 / got):\n",
				file);
			header = true;
		}
		if (c < 0) {
			fprintf(stderr, "oracle:   expected %-24s got nothing for it\n", e[i]);
			i++;
		} else {
			fprintf(stderr, "oracle:   got      %-24s not expected (%s)\n", g[j],
				got->where[order[j]]);
			j++;
		}
	}
	free(g);
	return agree;
}

static char *
pcaps_dir(void)
{
	const char *d = getenv("VTAP_SHARED_PCAPS");
	struct stat st;

	if (d == NULL || stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
		return NULL;
	}
	return strdup(d);
}

Test(classify, agrees_with_ndpiReader_4_2_on_the_app_captures, .timeout = 280)
{
	char *dir = pcaps_dir();
	char path[4096], *line;
	struct names exp = { 0 };
	struct run r = { 0 };
	size_t agree = 0, expected = 0, extra = 0, files = 0, frame_errors = 0;
	FILE *manifest;
	char err[256];

	if (dir == NULL) {
		cr_skip_test("no captures: set VTAP_SHARED_PCAPS to ../shared/pcaps");
	}
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	manifest = fopen(path, "r");
	cr_assert_not_null(manifest, "%s missing", path);
	r.cls = classify_create(err, sizeof(err));
	cr_assert_not_null(r.cls, "%s", err);
	line = malloc(LINE_MAX_);

	while (fgets(line, LINE_MAX_, manifest) != NULL) {
		char *file = line, *tab = strchr(line, '\t');

		if (tab == NULL || strncmp(file, "app/", 4) != 0) {
			continue;
		}
		*tab = '\0';
		snprintf(path, sizeof(path), "%s/expected-ndpi-4.2/%s.csv", dir, file);
		if (!read_expected(path, &exp)) {
			fprintf(stderr, "oracle: %s: no expected output, skipped\n", file);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		if (run_capture(path, &r, &frame_errors)) {
			agree += compare(file, &exp, &r.got);
			expected += exp.n;
			extra += r.got.n > exp.n ? r.got.n - exp.n : 0;
			files++;
		}
		names_clear(&exp);
		names_clear(&r.got);
	}
	fclose(manifest);
	free(line);

	{
		struct classify_stats st;

		classify_get_stats(r.cls, &st);
		cr_expect_eq(st.live, 0, "nDPI state left on %llu flows",
			     (unsigned long long)st.live);
	}
	classify_destroy(r.cls);
	free(dir);
	/* the measure: of the flows ndpiReader reported, how many we named
	 * alike; flows we made that it did not (IP fragments keyed on
	 * addresses, see flowkey.h) are shown beside it */
	fprintf(stderr, "oracle: %zu files: %zu of %zu ndpiReader flows agree (%.1f%%); "
		"%zu more flows here than there (%.1f%% counting them); "
		"%zu frames not parsed\n", files, agree, expected,
		expected != 0 ? 100.0 * (double)agree / (double)expected : 0.0, extra,
		expected != 0 ? 100.0 * (double)agree / (double)(expected + extra) : 0.0,
		frame_errors);
	cr_assert_gt(files, 0, "no capture was read");
	cr_assert_geq(agree * 100, expected * 95, "only %zu of %zu flows agree", agree,
		      expected);
}

int
main(int argc, char *argv[])
{
	struct criterion_test_set *tests;
	char *dir = pcaps_dir();
	int rc = 0;

	if (dir == NULL) {
		fprintf(stderr, "oracle: skipped: VTAP_SHARED_PCAPS does not name the "
			"shared captures folder (../shared/pcaps)\n");
		return EXIT_SKIP;
	}
	free(dir);
	tests = criterion_initialize();
	if (criterion_handle_args(argc, argv, true)) {
		rc = !criterion_run_all_tests(tests);
	}
	criterion_finalize(tests);
	return rc;
}
