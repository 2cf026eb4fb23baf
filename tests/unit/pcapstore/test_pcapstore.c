/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pcap writer: records read back byte for byte with nanosecond
 * timestamps, rotation by size and by clock-aligned time, rotate-now,
 * sealing (.part renamed, LZ4, sidecar), file names, the listing, and
 * write failures (directory removed, read-only, disk full) that are
 * counted and recovered from. Tests that need mounts skip when not root.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <lz4frame.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector/pcapstore.h"
#include "collector/summaries.h"

#define NS 1000000000ull
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char dir[64];
static char mnt[96];  /* a mount point under dir, when a test made one */
static bool mounted;

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_rf(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vtap-pcapstore-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	mounted = false;
}

static void
teardown(void)
{
	if (mounted) {
		umount2(mnt, MNT_DETACH);
	}
	rm_rf(dir);
}

TestSuite(pcapstore, .init = setup, .fini = teardown);

/* ---- records ---- */

struct rec {
	uint64_t ts;
	uint32_t caplen;
	uint32_t len;
	uint8_t data[2048];
};

/* 2026-11-26 12:44:30 UTC plus ns. */
static uint64_t
t0(uint64_t plus_ns)
{
	struct tm tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = 26,
			 .tm_hour = 12, .tm_min = 44, .tm_sec = 30 };

	return (uint64_t)timegm(&tm) * NS + plus_ns;
}

/* An Ethernet/IPv4/UDP frame of len bytes (>= 42) of flow `flow`. */
static void
make_frame(uint8_t *b, size_t len, unsigned flow, unsigned seq)
{
	size_t ip_len = len - 14, udp_len = len - 34;

	memset(b, 0, len);
	memcpy(b, "\x02\x00\x00\x00\x00\x0b\x02\x00\x00\x00\x00\x0a\x08\x00", 14);
	b[14] = 0x45;
	b[16] = (uint8_t)(ip_len >> 8);
	b[17] = (uint8_t)ip_len;
	b[22] = 64;
	b[23] = 17;
	memcpy(b + 26, "\x0a\x00\x00\x01", 4);
	memcpy(b + 30, "\x0a\x00\x01\x00", 4);
	b[33] = (uint8_t)flow;
	b[34] = (uint8_t)((1000 + flow) >> 8);
	b[35] = (uint8_t)(1000 + flow);
	b[36] = 0;
	b[37] = 53;
	b[38] = (uint8_t)(udp_len >> 8);
	b[39] = (uint8_t)udp_len;
	for (size_t i = 42; i < len; i++) {
		b[i] = (uint8_t)(seq * 7 + i);
	}
}

static struct rec *
make_recs(size_t n, uint64_t start, uint64_t step)
{
	struct rec *r = calloc(n, sizeof(*r));

	cr_assert_not_null(r);
	for (size_t i = 0; i < n; i++) {
		r[i].ts = start + i * step + (i * 7919) % 1000; /* odd ns */
		r[i].caplen = 42 + (uint32_t)((i * 131) % 1400);
		r[i].len = r[i].caplen + (i % 5 == 0 ? 100 : 0);
		make_frame(r[i].data, r[i].caplen, (unsigned)(i % 7),
			   (unsigned)i);
	}
	return r;
}

static struct flowkey
key_of(unsigned flow)
{
	struct flowkey k;

	memset(&k, 0, sizeof(k));
	k.family = 4;
	memcpy(k.addr_lo, "\x0a\x00\x00\x01", 4);
	memcpy(k.addr_hi, "\x0a\x00\x01\x00", 4);
	k.addr_hi[3] = (uint8_t)flow;
	k.port_lo = (uint16_t)(1000 + flow);
	k.port_hi = 53;
	k.proto = 17;
	k.vni = 42;
	return k;
}

static int
write_rec(struct pcapstore *ps, const struct rec *r, size_t i)
{
	struct flowkey k = key_of((unsigned)(i % 7));

	return pcapstore_write(ps, r->ts, r->data, r->caplen, r->len, &k,
			       i % 3 == 0 ? "DNS" : NULL);
}

static void
write_all_recs(struct pcapstore *ps, const struct rec *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(write_rec(ps, &r[i], i), 0, "record %zu", i);
	}
}

static struct pcapstore *
store(const char *d, unsigned worker, uint64_t rotate_bytes,
      uint64_t rotate_seconds, enum pcapstore_compress compress)
{
	struct pcapstore_config cfg = {
		.dir = d,
		.worker = worker,
		.rotate_bytes = rotate_bytes,
		.rotate_seconds = rotate_seconds,
		.compress = compress,
		.retry_ms = 100,
	};
	char err[256];
	struct pcapstore *ps = pcapstore_create(&cfg, err, sizeof(err));

	cr_assert_not_null(ps, "%s", err);
	return ps;
}

/* ---- reading back ---- */

static char *
join(char *out, size_t len, const char *d, const char *name)
{
	int n = snprintf(out, len, "%s/%s", d, name);

	cr_assert(n > 0 && (size_t)n < len, "path too long");
	return out;
}

static int
suffix_is(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

/* Names in d ending in suffix, sorted; returns the count. */
static size_t
names(const char *d, const char *suffix, char out[][PCAPSTORE_NAME_MAX],
      size_t max)
{
	struct dirent **list;
	size_t k = 0;
	int n = scandir(d, &list, NULL, alphasort);

	cr_assert_geq(n, 0, "scandir %s", d);
	for (int i = 0; i < n; i++) {
		if (suffix_is(list[i]->d_name, suffix) && k < max) {
			snprintf(out[k++], PCAPSTORE_NAME_MAX, "%s",
				 list[i]->d_name);
		}
		free(list[i]);
	}
	free(list);
	return k;
}

static size_t
count_suffix(const char *d, const char *suffix)
{
	static char buf[4096][PCAPSTORE_NAME_MAX];

	return names(d, suffix, buf, COUNT(buf));
}

/* Append the records of a pcap file to out[*n..]. */
static void
read_pcap(const char *path, struct rec *out, size_t *n, size_t max)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int rc;

	p = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	cr_assert_not_null(p, "%s", errbuf);
	cr_assert_eq(pcap_datalink(p), DLT_EN10MB);
	cr_assert_eq(pcap_snapshot(p), (int)PCAPSTORE_SNAPLEN);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		cr_assert_lt(*n, max);
		out[*n].ts = (uint64_t)h->ts.tv_sec * NS + (uint64_t)h->ts.tv_usec;
		out[*n].caplen = h->caplen;
		out[*n].len = h->len;
		if (h->caplen <= sizeof(out[*n].data)) {
			memcpy(out[*n].data, data, h->caplen);
		}
		(*n)++;
	}
	cr_assert_eq(rc, PCAP_ERROR_BREAK, "%s: %s", path, pcap_geterr(p));
	pcap_close(p);
}

/* All records of the files in d ending in suffix, in name order. */
static struct rec *
read_all(const char *d, const char *suffix, size_t *n)
{
	static char files[512][PCAPSTORE_NAME_MAX];
	size_t nf = names(d, suffix, files, COUNT(files)), max = 20000;
	struct rec *out = calloc(max, sizeof(*out));
	char path[PATH_MAX];

	cr_assert_not_null(out);
	*n = 0;
	for (size_t i = 0; i < nf; i++) {
		join(path, sizeof(path), d, files[i]);
		read_pcap(path, out, n, max);
	}
	return out;
}

static void
assert_same(const struct rec *got, size_t ngot, const struct rec *want,
	    size_t nwant)
{
	cr_assert_eq(ngot, nwant, "records: got %zu, want %zu", ngot, nwant);
	for (size_t i = 0; i < nwant; i++) {
		cr_assert_eq(got[i].ts, want[i].ts, "record %zu ts", i);
		cr_assert_eq(got[i].caplen, want[i].caplen, "record %zu caplen", i);
		cr_assert_eq(got[i].len, want[i].len, "record %zu len", i);
		cr_assert_arr_eq(got[i].data, want[i].data, want[i].caplen,
				 "record %zu bytes", i);
	}
}

static uint64_t
file_size(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0, "stat %s", path);
	return (uint64_t)st.st_size;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The pcap the writer must produce for recs, byte for byte. */
static uint8_t *
expected_pcap(const struct rec *r, size_t n, size_t *len)
{
	uint32_t hdr[6] = { 0xa1b23c4d, 2 | 4 << 16, 0, 0, 262144, 1 };
	size_t total = 24, off;
	uint8_t *buf;

	for (size_t i = 0; i < n; i++) {
		total += 16 + r[i].caplen;
	}
	buf = malloc(total);
	memcpy(buf, hdr, 24);
	off = 24;
	for (size_t i = 0; i < n; i++) {
		uint32_t rh[4] = { (uint32_t)(r[i].ts / NS),
				   (uint32_t)(r[i].ts % NS), r[i].caplen,
				   r[i].len };

		memcpy(buf + off, rh, 16);
		memcpy(buf + off + 16, r[i].data, r[i].caplen);
		off += 16 + r[i].caplen;
	}
	*len = total;
	return buf;
}

static uint8_t *
lz4_decompress(const uint8_t *in, size_t inlen, size_t *outlen)
{
	LZ4F_dctx *d;
	size_t cap = 1 << 20, len = 0, off = 0;
	uint8_t *out = malloc(cap);
	size_t hint = 1;

	cr_assert(!LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)));
	while (off < inlen && hint != 0) {
		size_t dst = cap - len, src = inlen - off;

		hint = LZ4F_decompress(d, out + len, &dst, in + off, &src, NULL);
		cr_assert(!LZ4F_isError(hint), "%s", LZ4F_getErrorName(hint));
		off += src;
		len += dst;
		if (len == cap) {
			cap *= 2;
			out = realloc(out, cap);
		}
	}
	cr_assert_eq(hint, 0, "LZ4 frame incomplete");
	LZ4F_freeDecompressionContext(d);
	*outlen = len;
	return out;
}

static bool
have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* ---- names ---- */

Test(pcapstore, file_name_encodes_worker_and_first_timestamp)
{
	struct rec *r = make_recs(1, t0(123456789), 0);
	char got[4][PCAPSTORE_NAME_MAX];
	struct pcapstore *ps = store(dir, 3, 0, 0, PCAPSTORE_COMPRESS_NONE);

	r[0].ts = t0(123456789);
	write_all_recs(ps, r, 1);
	cr_assert_eq(pcapstore_close(ps), 0);
	cr_assert_eq(names(dir, ".pcap", got, 4), 1);
	cr_assert_str_eq(got[0], "vtap-w3-20261126T124430.123456789Z.pcap");
	cr_assert_eq(names(dir, ".idx.json", got, 4), 1);
	cr_assert_str_eq(got[0], "vtap-w3-20261126T124430.123456789Z.idx.json");
	pcapstore_destroy(ps);
	free(r);
}

Test(pcapstore, names_parse_back_and_foreign_names_do_not)
{
	struct pcapstore_name nm;
	char name[PCAPSTORE_NAME_MAX];
	static const char *const foreign[] = {
		"vtap-w0-20261131T000000.000000000Z.pcap", /* November 31 */
		"vtap-w0-20261126T244500.000000000Z.pcap",
		"vtap-w0-20261126T124500.00000000Z.pcap",
		"vtap-w0-20261126T124500.000000000.pcap",
		"vtap-wx-20261126T124500.000000000Z.pcap",
		"vtap-20261126T124500.000000000Z.pcap",
		"-w0-20261126T124500.000000000Z.pcap",
		".x-w0-20261126T124500.000000000Z.pcap",
		"vtap-w0-20261126T124500.000000000Z.pcapng",
		"vtap-w0-20261126T124500.000000000Z",
		"x.pcap", "", ".pcap",
	};

	cr_assert(pcapstore_name_format("vtap", 12, t0(5), name, sizeof(name)));
	cr_assert_str_eq(name, "vtap-w12-20261126T124430.000000005Z");
	strcat(name, ".pcap.lz4");
	cr_assert(pcapstore_name_parse(name, &nm));
	cr_assert_str_eq(nm.stem, "vtap-w12-20261126T124430.000000005Z");
	cr_assert_eq(nm.kind, PCAPSTORE_KIND_LZ4);
	cr_assert_eq(nm.worker, 12);
	cr_assert_eq(nm.start_ns, t0(5));
	cr_assert(pcapstore_name_parse("my-cap-w0-20000229T000000.000000000Z.idx.json", &nm));
	cr_assert_eq(nm.kind, PCAPSTORE_KIND_INDEX);
	cr_assert(pcapstore_name_parse("a-w1-20261126T124430.000000000Z.pcap.part", &nm));
	cr_assert_eq(nm.kind, PCAPSTORE_KIND_PART);
	for (size_t i = 0; i < COUNT(foreign); i++) {
		cr_assert_not(pcapstore_name_parse(foreign[i], &nm), "%s",
			      foreign[i]);
	}
	cr_assert_not(pcapstore_name_format("../x", 0, t0(0), name, sizeof(name)));
	cr_assert_not(pcapstore_name_format("vtap", 0, (uint64_t)UINT32_MAX * NS + NS,
					    name, sizeof(name)));
}

Test(pcapstore, names_never_repeat_for_equal_timestamps)
{
	struct rec *r = make_recs(20, t0(0), 0);
	char got[32][PCAPSTORE_NAME_MAX];
	struct pcapstore *ps = store(dir, 0, 100, 0, PCAPSTORE_COMPRESS_NONE);
	struct rec *back;
	size_t n;

	for (size_t i = 0; i < 20; i++) {
		r[i].ts = t0(0); /* all equal: one record per file */
	}
	write_all_recs(ps, r, 20);
	pcapstore_destroy(ps);
	cr_assert_eq(names(dir, ".pcap", got, 32), 20);
	cr_assert_str_eq(got[0], "vtap-w0-20261126T124430.000000000Z.pcap");
	cr_assert_str_eq(got[19], "vtap-w0-20261126T124430.000000019Z.pcap");
	back = read_all(dir, ".pcap", &n);
	assert_same(back, n, r, 20); /* name order is write order */
	free(back);
	free(r);
}

/* ---- contents ---- */

Test(pcapstore, records_read_back_byte_for_byte_with_ns_timestamps)
{
	struct rec *r = make_recs(1000, t0(1), 1234567);
	struct pcapstore *ps = store(dir, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	char got[2][PCAPSTORE_NAME_MAX], path[PATH_MAX];
	uint8_t *file, *want;
	size_t n, flen, wlen;
	struct rec *back;

	write_all_recs(ps, r, 1000);
	cr_assert_eq(pcapstore_close(ps), 0);
	back = read_all(dir, ".pcap", &n);
	assert_same(back, n, r, 1000);

	/* and the file is exactly header + records, host byte order */
	cr_assert_eq(names(dir, ".pcap", got, 2), 1);
	join(path, sizeof(path), dir, got[0]);
	file = slurp(path, &flen);
	want = expected_pcap(r, 1000, &wlen);
	cr_assert_eq(flen, wlen);
	cr_assert_arr_eq(file, want, wlen);
	free(file);
	free(want);
	free(back);
	free(r);
	pcapstore_destroy(ps);
}

Test(pcapstore, oversized_frames_are_cut_to_the_snap_length)
{
	struct pcapstore *ps = store(dir, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	uint8_t *big = calloc(1, 300000);
	char got[2][PCAPSTORE_NAME_MAX], path[PATH_MAX];
	struct rec *back = calloc(2, sizeof(*back));
	size_t n = 0;

	make_frame(big, 1000, 1, 1);
	cr_assert_eq(pcapstore_write(ps, t0(0), big, 300000, 300000, NULL, NULL), 0);
	cr_assert_eq(pcapstore_write(ps, t0(1), big, 100, 60, NULL, NULL), 0);
	pcapstore_destroy(ps);
	cr_assert_eq(names(dir, ".pcap", got, 2), 1);
	join(path, sizeof(path), dir, got[0]);
	read_pcap(path, back, &n, 2);
	cr_assert_eq(n, 2);
	cr_assert_eq(back[0].caplen, PCAPSTORE_SNAPLEN);
	cr_assert_eq(back[0].len, 300000);
	cr_assert_eq(back[1].caplen, 100);
	cr_assert_eq(back[1].len, 100, "len raised to caplen");
	free(back);
	free(big);
}

Test(pcapstore, invalid_records_are_counted_not_written)
{
	struct pcapstore *ps = store(dir, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	struct pcapstore_stats st;
	uint8_t frame[60] = { 0 };

	cr_assert_eq(pcapstore_write(ps, t0(0), frame, 0, 60, NULL, NULL), -1);
	cr_assert_eq(pcapstore_write(ps, t0(0), NULL, 60, 60, NULL, NULL), -1);
	cr_assert_eq(pcapstore_write(ps, ((uint64_t)UINT32_MAX + 1) * NS, frame,
				     60, 60, NULL, NULL),
		     -1);
	pcapstore_get_stats(ps, &st);
	cr_assert_eq(st.packets_invalid, 3);
	cr_assert_eq(st.packets_lost, 0);
	cr_assert(st.last_write_ok);
	pcapstore_destroy(ps);
	cr_assert_eq(count_suffix(dir, ".pcap"), 0);
	cr_assert_eq(count_suffix(dir, ".part"), 0);
}

Test(pcapstore, part_file_is_renamed_on_close)
{
	struct rec *r = make_recs(5, t0(0), NS);
	struct pcapstore *ps = store(dir, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	char got[2][PCAPSTORE_NAME_MAX], path[PATH_MAX];
	struct pcapstore_stats st;

	write_all_recs(ps, r, 5);
	cr_assert_eq(names(dir, ".pcap.part", got, 2), 1);
	cr_assert_eq(count_suffix(dir, ".pcap"), 0);
	pcapstore_get_stats(ps, &st);
	cr_assert_str_eq(st.current_file, got[0]);
	cr_assert_eq(st.current_packets, 5);
	cr_assert_eq(pcapstore_close(ps), 0);
	cr_assert_eq(count_suffix(dir, ".pcap.part"), 0);
	cr_assert_eq(names(dir, ".pcap", got, 2), 1);
	cr_assert_eq(count_suffix(dir, ".idx.json"), 1);
	pcapstore_get_stats(ps, &st);
	cr_assert_str_eq(st.current_file, "");
	cr_assert_eq(st.files_closed, 1);
	cr_assert_eq(st.packets, 5);

	join(path, sizeof(path), dir, got[0]);
	if (have_tool("capinfos")) {
		char cmd[PATH_MAX + 64], line[256];
		bool nano = false, count = false;
		FILE *p;

		cr_assert_lt(snprintf(cmd, sizeof(cmd), "capinfos '%s' 2>&1",
				      path),
			     (int)sizeof(cmd));
		p = popen(cmd, "r");
		cr_assert_not_null(p);
		while (fgets(line, sizeof(line), p) != NULL) {
			if (strstr(line, "precision:") && strstr(line, "nanoseconds")) {
				nano = true;
			}
			if (strncmp(line, "Number of packets:", 18) == 0 &&
			    atoi(line + 18) == 5) {
				count = true;
			}
		}
		cr_assert_eq(pclose(p), 0, "capinfos refused %s", path);
		cr_assert(nano, "capinfos: not a nanosecond pcap");
		cr_assert(count, "capinfos: not 5 packets");
	}
	pcapstore_destroy(ps);
	free(r);
}

Test(pcapstore, sidecar_summarises_the_file_and_its_flows)
{
	struct pcapstore *ps = store(dir, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	char got[2][PCAPSTORE_NAME_MAX], path[PATH_MAX];
	struct flowkey a = key_of(1), b = key_of(2);
	struct sidecar sc;
	uint8_t frame[100];
	char proto[16];

	make_frame(frame, 100, 1, 0);
	snprintf(proto, sizeof(proto), "TLS");
	cr_assert_eq(pcapstore_write(ps, t0(10), frame, 100, 100, &a, NULL), 0);
	cr_assert_eq(pcapstore_write(ps, t0(20), frame, 100, 150, &a, proto), 0);
	proto[0] = 'X'; /* the writer copied it */
	cr_assert_eq(pcapstore_write(ps, t0(30), frame, 100, 100, &a, ""), 0);
	cr_assert_eq(pcapstore_write(ps, t0(40), frame, 80, 80, &b, NULL), 0);
	cr_assert_eq(pcapstore_write(ps, t0(50), frame, 80, 80, NULL, NULL), 0);
	pcapstore_destroy(ps);

	cr_assert_eq(names(dir, ".idx.json", got, 2), 1);
	join(path, sizeof(path), dir, got[0]);
	cr_assert_eq(sidecar_read(path, false, &sc, NULL, 0), SIDECAR_OK);
	cr_assert_str_eq(sc.file, "vtap-w0-20261126T124430.000000010Z.pcap");
	cr_assert_eq(sc.packets, 5);
	cr_assert_eq(sc.bytes, 510);
	cr_assert_eq(sc.first_ns, t0(10));
	cr_assert_eq(sc.last_ns, t0(50));
	cr_assert_eq(sc.pcap_size, 24 + 5 * 16 + 300 + 160);
	cr_assert_eq(sc.file_size, sc.pcap_size);
	cr_assert_not(sc.compressed);
	cr_assert_eq(sc.flow_count, 2);
	cr_assert(flowkey_equal(&sc.flows[0].key, &a));
	cr_assert_eq(sc.flows[0].key.vni, 42);
	cr_assert_str_eq(sc.flows[0].proto, "TLS");
	cr_assert_eq(sc.flows[0].packets, 3);
	cr_assert_eq(sc.flows[0].bytes, 350);
	cr_assert_eq(sc.flows[0].first_ns, t0(10));
	cr_assert_eq(sc.flows[0].last_ns, t0(30));
	cr_assert(flowkey_equal(&sc.flows[1].key, &b));
	cr_assert_str_eq(sc.flows[1].proto, "");
	sidecar_finish(&sc);
}

Test(pcapstore, flow_summary_is_capped_per_file)
{
	struct pcapstore_config cfg = { .dir = dir, .max_flows = 10 };
	struct pcapstore *ps = pcapstore_create(&cfg, NULL, 0);
	char got[2][PCAPSTORE_NAME_MAX], path[PATH_MAX];
	struct sidecar sc;
	uint8_t frame[60];

	cr_assert_not_null(ps);
	make_frame(frame, 60, 0, 0);
	for (unsigned i = 0; i < 25; i++) {
		struct flowkey k = key_of(i);

		cr_assert_eq(pcapstore_write(ps, t0(i), frame, 60, 60, &k, NULL), 0);
	}
	pcapstore_destroy(ps);
	cr_assert_eq(names(dir, ".idx.json", got, 2), 1);
	join(path, sizeof(path), dir, got[0]);
	cr_assert_eq(sidecar_read(path, false, &sc, NULL, 0), SIDECAR_OK);
	cr_assert_eq(sc.flow_count, 10);
	cr_assert(sc.flows_truncated);
	cr_assert_eq(sc.packets, 25);
	sidecar_finish(&sc);
}

/* ---- rotation ---- */

Test(pcapstore, size_rotation_keeps_every_record_once_in_order)
{
	struct rec *r = make_recs(600, t0(0), 1000);
	struct pcapstore *ps = store(dir, 0, 20000, 0, PCAPSTORE_COMPRESS_NONE);
	static char got[256][PCAPSTORE_NAME_MAX];
	char path[PATH_MAX];
	struct rec *back;
	size_t n, nf;

	write_all_recs(ps, r, 600);
	pcapstore_destroy(ps);
	nf = names(dir, ".pcap", got, COUNT(got));
	cr_assert_gt(nf, 10);
	for (size_t i = 0; i < nf; i++) {
		struct rec one[200];
		size_t k = 0;

		join(path, sizeof(path), dir, got[i]);
		cr_assert_leq(file_size(path), 20000, "%s", got[i]);
		read_pcap(path, one, &k, COUNT(one));
		cr_assert_geq(k, 1);
		/* full: the next record would not have fit */
		if (i + 1 < nf) {
			struct rec next[200];
			size_t k2 = 0;
			char p2[PATH_MAX];

			join(p2, sizeof(p2), dir, got[i + 1]);
			read_pcap(p2, next, &k2, COUNT(next));
			cr_assert_gt(file_size(path) + 16 + next[0].caplen, 20000);
		}
	}
	back = read_all(dir, ".pcap", &n);
	assert_same(back, n, r, 600);
	free(back);
	free(r);
}

Test(pcapstore, size_rotation_exceeds_the_limit_only_by_a_lone_record)
{
	struct rec *r = make_recs(10, t0(0), 1000);
	struct pcapstore *ps = store(dir, 0, 100, 0, PCAPSTORE_COMPRESS_NONE);
	static char got[32][PCAPSTORE_NAME_MAX];
	char path[PATH_MAX];
	struct rec *back;
	size_t n;

	write_all_recs(ps, r, 10);
	pcapstore_destroy(ps);
	cr_assert_eq(names(dir, ".pcap", got, COUNT(got)), 10);
	for (size_t i = 0; i < 10; i++) {
		join(path, sizeof(path), dir, got[i]);
		cr_assert_eq(file_size(path), 24 + 16 + r[i].caplen);
	}
	back = read_all(dir, ".pcap", &n);
	assert_same(back, n, r, 10);
	free(back);
	free(r);
}

Test(pcapstore, time_rotation_aligns_files_to_the_clock)
{
	/* 12:44:50 + k/2 s, k = 0..149, plus a record 1 ns before each boundary */
	struct rec *r = make_recs(152, 0, 0);
	struct pcapstore *ps = store(dir, 0, 0, 60, PCAPSTORE_COMPRESS_NONE);
	uint64_t b1 = t0(30 * NS), b2 = t0(90 * NS); /* 12:45:00, 12:46:00 */
	char got[8][PCAPSTORE_NAME_MAX], path[PATH_MAX];
	size_t j = 0;

	for (size_t k = 0; k < 150; k++) {
		uint64_t ts = t0(20 * NS) + k * (NS / 2);

		if (ts == b1 || ts == b2) {
			r[j++].ts = ts - 1;
		}
		r[j++].ts = ts;
	}
	cr_assert_eq(j, 152);
	write_all_recs(ps, r, 152);
	pcapstore_destroy(ps);

	cr_assert_eq(names(dir, ".pcap", got, 8), 3);
	cr_assert_str_eq(got[0], "vtap-w0-20261126T124450.000000000Z.pcap");
	cr_assert_str_eq(got[1], "vtap-w0-20261126T124500.000000000Z.pcap");
	cr_assert_str_eq(got[2], "vtap-w0-20261126T124600.000000000Z.pcap");
	for (size_t f = 0; f < 3; f++) {
		uint64_t lo = f == 0 ? 0 : f == 1 ? b1 : b2;
		uint64_t hi = f == 0 ? b1 : f == 1 ? b2 : UINT64_MAX;
		struct rec *one = calloc(200, sizeof(*one));
		size_t k = 0;

		join(path, sizeof(path), dir, got[f]);
		read_pcap(path, one, &k, 200);
		cr_assert_gt(k, 0);
		for (size_t i = 0; i < k; i++) {
			cr_assert(one[i].ts >= lo && one[i].ts < hi,
				  "file %zu record %zu outside its window", f, i);
		}
		free(one);
	}
	{
		size_t n;
		struct rec *back = read_all(dir, ".pcap", &n);

		assert_same(back, n, r, 152);
		free(back);
	}
	free(r);
}

Test(pcapstore, tick_closes_a_file_whose_window_ended_without_traffic)
{
	struct rec *r = make_recs(1, t0(0), 0);
	struct pcapstore *ps = store(dir, 0, 0, 60, PCAPSTORE_COMPRESS_NONE);

	write_all_recs(ps, r, 1);
	cr_assert_eq(pcapstore_tick(ps, t0(29 * NS + NS - 1)), 0); /* 12:44:59.999999999 */
	cr_assert_eq(count_suffix(dir, ".pcap.part"), 1);
	cr_assert_eq(count_suffix(dir, ".pcap"), 0);
	cr_assert_eq(pcapstore_tick(ps, t0(30 * NS)), 0); /* 12:45:00 */
	cr_assert_eq(count_suffix(dir, ".pcap.part"), 0);
	cr_assert_eq(count_suffix(dir, ".pcap"), 1);
	cr_assert_eq(pcapstore_tick(ps, t0(31 * NS)), 0);
	cr_assert_eq(count_suffix(dir, ".pcap"), 1, "no empty files");
	pcapstore_destroy(ps);
	free(r);
}

Test(pcapstore, tick_flushes_the_write_buffer)
{
	struct rec *r = make_recs(3, t0(0), 1);
	struct pcapstore *ps = store(dir, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	char got[2][PCAPSTORE_NAME_MAX], path[PATH_MAX];
	struct pcapstore_stats st;

	write_all_recs(ps, r, 3);
	cr_assert_eq(names(dir, ".pcap.part", got, 2), 1);
	join(path, sizeof(path), dir, got[0]);
	cr_assert_eq(file_size(path), 24, "buffered: no write per packet");
	cr_assert_eq(pcapstore_tick(ps, t0(NS)), 0);
	cr_assert_eq(file_size(path), 24 + 48 + r[0].caplen + r[1].caplen +
					      r[2].caplen);
	pcapstore_get_stats(ps, &st);
	cr_assert_eq(st.current_bytes, file_size(path));
	cr_assert_eq(st.packets, 3);
	pcapstore_destroy(ps);
	free(r);
}

Test(pcapstore, rotate_now_starts_a_new_file_with_the_next_record)
{
	struct rec *r = make_recs(5, t0(0), NS);
	struct pcapstore *ps = store(dir, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	char got[4][PCAPSTORE_NAME_MAX], path[PATH_MAX];
	struct rec back[8];
	size_t n = 0;

	write_all_recs(ps, r, 3);
	cr_assert_eq(pcapstore_rotate(ps), 0);
	cr_assert_eq(count_suffix(dir, ".pcap"), 1);
	cr_assert_eq(count_suffix(dir, ".pcap.part"), 0);
	cr_assert_eq(pcapstore_rotate(ps), 0, "nothing open: nothing to do");
	write_all_recs(ps, r + 3, 2);
	pcapstore_destroy(ps);
	cr_assert_eq(names(dir, ".pcap", got, 4), 2);
	join(path, sizeof(path), dir, got[0]);
	read_pcap(path, back, &n, 8);
	cr_assert_eq(n, 3);
	join(path, sizeof(path), dir, got[1]);
	read_pcap(path, back, &n, 8);
	assert_same(back, n, r, 5);
	free(r);
}

static void *
request_rotate(void *arg)
{
	pcapstore_request_rotate(arg);
	return NULL;
}

Test(pcapstore, rotate_request_from_another_thread_is_done_by_the_writer)
{
	struct rec *r = make_recs(4, t0(0), NS);
	struct pcapstore *ps = store(dir, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	pthread_t t;

	write_all_recs(ps, r, 2);
	cr_assert_eq(pthread_create(&t, NULL, request_rotate, ps), 0);
	pthread_join(t, NULL);
	cr_assert_eq(count_suffix(dir, ".pcap"), 0, "not on the other thread");
	write_all_recs(ps, r + 2, 1);
	cr_assert_eq(count_suffix(dir, ".pcap"), 1);
	pcapstore_request_rotate(ps);
	cr_assert_eq(pcapstore_tick(ps, t0(3 * NS)), 0);
	cr_assert_eq(count_suffix(dir, ".pcap"), 2);
	cr_assert_eq(count_suffix(dir, ".pcap.part"), 0);
	write_all_recs(ps, r + 3, 1);
	pcapstore_destroy(ps);
	cr_assert_eq(count_suffix(dir, ".pcap"), 3);
	free(r);
}

/* ---- compression ---- */

Test(pcapstore, lz4_files_decompress_to_the_identical_pcap)
{
	struct rec *r = make_recs(800, t0(0), 999);
	struct pcapstore *ps = store(dir, 0, 0, 0, PCAPSTORE_COMPRESS_LZ4);
	char got[2][PCAPSTORE_NAME_MAX], path[PATH_MAX + 16];
	uint8_t *lz, *plain, *want;
	size_t lzlen, plen, wlen;
	struct sidecar sc;

	write_all_recs(ps, r, 800);
	cr_assert_eq(pcapstore_close(ps), 0);
	cr_assert_eq(count_suffix(dir, ".pcap"), 0);
	cr_assert_eq(count_suffix(dir, ".pcap.part"), 0);
	cr_assert_eq(count_suffix(dir, ".tmp"), 0);
	cr_assert_eq(names(dir, ".pcap.lz4", got, 2), 1);
	join(path, sizeof(path), dir, got[0]);
	lz = slurp(path, &lzlen);
	want = expected_pcap(r, 800, &wlen);
	plain = lz4_decompress(lz, lzlen, &plen);
	cr_assert_eq(plen, wlen);
	cr_assert_arr_eq(plain, want, wlen);
	cr_assert_lt(lzlen, wlen, "compressed");
	free(plain);

	if (have_tool("lz4")) {
		char cmd[2 * PATH_MAX], out[PATH_MAX];

		snprintf(out, sizeof(out), "%s/plain.out", dir);
		cr_assert_lt(snprintf(cmd, sizeof(cmd), "lz4 -dc '%s' > '%s'",
				      path, out),
			     (int)sizeof(cmd));
		cr_assert_eq(system(cmd), 0, "lz4 -dc failed");
		plain = slurp(out, &plen);
		cr_assert_eq(plen, wlen);
		cr_assert_arr_eq(plain, want, wlen);
		free(plain);
	}

	snprintf(path, sizeof(path), "%s/%.*s.idx.json", dir,
		 (int)(strlen(got[0]) - strlen(".pcap.lz4")), got[0]);
	cr_assert_eq(sidecar_read(path, true, &sc, NULL, 0), SIDECAR_OK);
	cr_assert(sc.compressed);
	cr_assert_str_eq(sc.file, got[0]);
	cr_assert_eq(sc.pcap_size, wlen);
	cr_assert_eq(sc.file_size, lzlen);
	cr_assert_eq(sc.packets, 800);
	sidecar_finish(&sc);
	free(lz);
	free(want);
	free(r);
	pcapstore_destroy(ps);
}

/* ---- listing ---- */

Test(pcapstore, listing_shows_open_and_closed_files_oldest_first)
{
	struct rec *r = make_recs(3, t0(0), NS);
	struct pcapstore *w0 = store(dir, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	struct pcapstore *w1 = store(dir, 1, 0, 0, PCAPSTORE_COMPRESS_LZ4);
	struct pcapstore_file *files;
	size_t n;

	cr_assert_eq(write_rec(w0, &r[0], 0), 0);
	cr_assert_eq(pcapstore_rotate(w0), 0);
	cr_assert_eq(write_rec(w1, &r[1], 1), 0);
	cr_assert_eq(pcapstore_rotate(w1), 0);
	cr_assert_eq(write_rec(w0, &r[2], 2), 0);
	cr_assert_eq(pcapstore_flush(w0), 0);

	cr_assert_eq(pcapstore_list(dir, PCAPSTORE_LIST_SUMMARY, &files, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(files[0].state, PCAPSTORE_FILE_CLOSED);
	cr_assert_eq(files[0].worker, 0);
	cr_assert_eq(files[0].start_ns, r[0].ts);
	cr_assert(files[0].has_sidecar);
	cr_assert(files[0].has_summary);
	cr_assert_eq(files[0].packets, 1);
	cr_assert_eq(files[0].first_ns, r[0].ts);
	cr_assert_eq(files[0].size, 24 + 16 + r[0].caplen);
	cr_assert_eq(files[1].state, PCAPSTORE_FILE_CLOSED);
	cr_assert_eq(files[1].worker, 1);
	cr_assert(files[1].compressed);
	cr_assert_eq(files[1].packets, 1);
	cr_assert_eq(files[2].state, PCAPSTORE_FILE_OPEN);
	cr_assert_eq(files[2].start_ns, r[2].ts);
	cr_assert_eq(files[2].size, 24 + 16 + r[2].caplen);
	cr_assert_not(files[2].has_summary);
	pcapstore_list_free(files);

	pcapstore_destroy(w0);
	pcapstore_destroy(w1);
	free(r);
}

/*
 * Listings take closed files' summaries from memory: put there by the seal,
 * or by the first listing that parsed the sidecar; a changed file is read
 * again, and a file that is gone is forgotten.
 */
Test(pcapstore, listing_summaries_come_from_memory_and_follow_changes)
{
	struct rec *r = make_recs(2, t0(0), NS);
	struct pcapstore *w0 = store(dir, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	struct pcapstore_file *files;
	char idx[PATH_MAX], data[PATH_MAX], name[PCAPSTORE_NAME_MAX];
	struct stat st;
	size_t n;
	FILE *f;

	write_all_recs(w0, r, 2);
	cr_assert_eq(pcapstore_rotate(w0), 0);
	pcapstore_destroy(w0);
	cr_assert_eq(summaries_count(), 1, "the seal hands its summary over");

	cr_assert_eq(pcapstore_list(dir, 0, &files, &n), 0);
	cr_assert_eq(n, 1);
	snprintf(name, sizeof(name), "%s", files[0].name);
	pcapstore_list_free(files);
	join(data, sizeof(data), dir, name);
	cr_assert(suffix_is(data, ".pcap"));
	snprintf(idx, sizeof(idx), "%.*s.idx.json", (int)(strlen(data) - 5), data);
	cr_assert_eq(stat(idx, &st), 0, "%s", idx);

	/* the same size, unparsable: only memory can still answer */
	cr_assert_not_null(f = fopen(idx, "w"));
	for (off_t i = 0; i < st.st_size; i++) {
		fputc('#', f);
	}
	fclose(f);
	cr_assert_eq(pcapstore_list(dir, PCAPSTORE_LIST_SUMMARY, &files, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert(files[0].has_summary);
	cr_assert_eq(files[0].packets, 2);
	cr_assert_eq(files[0].first_ns, r[0].ts);
	cr_assert_eq(files[0].last_ns, r[1].ts);
	pcapstore_list_free(files);

	/* the data file changed: read again (and the garbage shows) */
	cr_assert_not_null(f = fopen(data, "a"));
	fputc(0, f);
	fclose(f);
	cr_assert_eq(pcapstore_list(dir, PCAPSTORE_LIST_SUMMARY, &files, &n), 0);
	cr_assert_not(files[0].has_summary);
	pcapstore_list_free(files);

	/* after a restart (memory empty) the first listing parses once */
	w0 = store(dir, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	write_all_recs(w0, r, 1);
	cr_assert_eq(pcapstore_rotate(w0), 0);
	pcapstore_destroy(w0);
	summaries_prune(dir, NULL, 0, UINT64_MAX);
	cr_assert_eq(summaries_count(), 0);
	cr_assert_eq(pcapstore_list(dir, PCAPSTORE_LIST_SUMMARY, &files, &n), 0);
	cr_assert_eq(n, 2);
	for (size_t i = 0; i < n; i++) {
		bool old = strcmp(files[i].name, name) == 0;

		cr_assert_eq(files[i].has_summary, !old, "%s", files[i].name);
		cr_assert_eq(files[i].packets, old ? 0 : 1);
	}
	pcapstore_list_free(files);
	cr_assert_eq(summaries_count(), 1, "only the readable sidecar is remembered");

	/* gone files are forgotten by the next listing */
	cr_assert_eq(unlink(data), 0);
	cr_assert_eq(unlink(idx), 0);
	cr_assert_eq(pcapstore_list(dir, PCAPSTORE_LIST_SUMMARY, &files, &n), 0);
	cr_assert_eq(n, 1);
	pcapstore_list_free(files);
	cr_assert_eq(summaries_count(), 1);
	free(r);
}

Test(pcapstore, create_refuses_a_missing_directory_and_destroy_takes_null)
{
	struct pcapstore_config cfg = { .dir = "/nonexistent/vtap" };
	char err[256] = "";

	cr_assert_null(pcapstore_create(&cfg, err, sizeof(err)));
	cr_assert_not_null(strstr(err, "/nonexistent/vtap"), "%s", err);
	cfg.dir = dir;
	cfg.prefix = "../up";
	cr_assert_null(pcapstore_create(&cfg, err, sizeof(err)));
	pcapstore_destroy(NULL);
}

/* ---- failures ---- */

static bool
healthy(struct pcapstore *ps, char *why, size_t len)
{
	return pcapstore_healthy(ps, why, len);
}

Test(pcapstore, removed_directory_counts_errors_and_recovers)
{
	struct rec *r = make_recs(15, t0(0), NS);
	struct pcapstore *ps;
	struct pcapstore_stats st;
	char why[PCAPSTORE_ERRLEN];
	struct rec *back;
	size_t n;

	snprintf(mnt, sizeof(mnt), "%s/store", dir);
	cr_assert_eq(mkdir(mnt, 0755), 0);
	ps = store(mnt, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	cr_assert(healthy(ps, NULL, 0));
	write_all_recs(ps, r, 5);
	rm_rf(mnt);

	cr_assert_eq(pcapstore_rotate(ps), -1, "cannot close into a removed dir");
	cr_assert_not(healthy(ps, why, sizeof(why)));
	cr_assert_not_null(strstr(why, "No such file"), "%s", why);
	for (size_t i = 5; i < 10; i++) {
		cr_assert_eq(write_rec(ps, &r[i], i), -1);
	}
	pcapstore_get_stats(ps, &st);
	cr_assert_geq(st.write_errors, 1);
	cr_assert_eq(st.packets_lost, 5);
	cr_assert_not(st.last_write_ok);
	cr_assert_not_null(strstr(st.last_error, mnt));

	cr_assert_eq(mkdir(mnt, 0755), 0);
	usleep(150 * 1000); /* past retry_ms */
	write_all_recs(ps, r + 10, 5);
	cr_assert(healthy(ps, NULL, 0));
	cr_assert_eq(pcapstore_close(ps), 0);
	back = read_all(mnt, ".pcap", &n);
	assert_same(back, n, r + 10, 5);
	pcapstore_get_stats(ps, &st);
	cr_assert_eq(st.packets_lost, 5);
	free(back);
	pcapstore_destroy(ps);
	free(r);
}

Test(pcapstore, write_failures_are_retried_at_most_once_per_retry_interval)
{
	struct rec *r = make_recs(200, t0(0), NS);
	struct pcapstore *ps;
	struct pcapstore_stats st;

	snprintf(mnt, sizeof(mnt), "%s/store", dir);
	cr_assert_eq(mkdir(mnt, 0755), 0);
	ps = store(mnt, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	rmdir(mnt);
	for (size_t i = 0; i < 200; i++) {
		cr_assert_eq(write_rec(ps, &r[i], i), -1);
	}
	pcapstore_get_stats(ps, &st);
	cr_assert_eq(st.write_errors, 1, "one attempt within retry_ms");
	cr_assert_eq(st.packets_lost, 200);
	pcapstore_destroy(ps);
	free(r);
}

/* Bind-mount mnt on itself so it can be made read-only (root only). */
static void
bind_mount_or_skip(void)
{
	snprintf(mnt, sizeof(mnt), "%s/store", dir);
	cr_assert_eq(mkdir(mnt, 0755), 0);
	if (geteuid() != 0 || mount(mnt, mnt, NULL, MS_BIND, NULL) != 0) {
		cr_skip_test("needs root to bind-mount a directory read-only");
	}
	mounted = true;
}

Test(pcapstore, read_only_directory_counts_errors_and_recovers)
{
	struct rec *r = make_recs(30, t0(0), NS);
	struct pcapstore *ps;
	struct pcapstore_stats st;
	char why[PCAPSTORE_ERRLEN];
	struct rec *back;
	size_t n;

	bind_mount_or_skip();
	ps = store(mnt, 0, 0, 0, PCAPSTORE_COMPRESS_NONE);
	write_all_recs(ps, r, 10);
	cr_assert_eq(pcapstore_close(ps), 0);
	cr_assert_eq(mount(NULL, mnt, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL),
		     0, "remount ro: %s", strerror(errno));

	for (size_t i = 10; i < 20; i++) {
		cr_assert_eq(write_rec(ps, &r[i], i), -1);
	}
	cr_assert_not(healthy(ps, why, sizeof(why)));
	cr_assert_not_null(strstr(why, "Read-only"), "%s", why);
	pcapstore_get_stats(ps, &st);
	cr_assert_eq(st.write_errors, 1);
	cr_assert_eq(st.packets_lost, 10);

	/* recovers without traffic: tick probes the directory */
	cr_assert_eq(mount(NULL, mnt, NULL, MS_REMOUNT | MS_BIND, NULL), 0);
	cr_assert_eq(pcapstore_tick(ps, t0(20 * NS)), 0);
	cr_assert_not(healthy(ps, NULL, 0), "too early to retry");
	usleep(150 * 1000);
	cr_assert_eq(pcapstore_tick(ps, t0(20 * NS)), 0);
	cr_assert(healthy(ps, NULL, 0));
	cr_assert_eq(count_suffix(mnt, ".probe"), 0);

	write_all_recs(ps, r + 20, 10);
	cr_assert_eq(pcapstore_close(ps), 0);
	back = read_all(mnt, ".pcap", &n);
	cr_assert_eq(n, 20);
	assert_same(back, 10, r, 10);
	assert_same(back + 10, 10, r + 20, 10);
	free(back);
	pcapstore_destroy(ps);
	free(r);
}

Test(pcapstore, full_disk_keeps_complete_records_and_counts_the_rest)
{
	struct pcapstore_config cfg = {
		.rotate_bytes = 300000, .buffer_bytes = 300000, .retry_ms = 20,
	};
	struct rec *r = make_recs(3000, t0(0), 1000);
	struct pcapstore *ps;
	struct pcapstore_stats st;
	struct rec *back;
	size_t n, j = 0, ok = 0;
	char err[256];

	snprintf(mnt, sizeof(mnt), "%s/store", dir);
	cr_assert_eq(mkdir(mnt, 0755), 0);
	if (geteuid() != 0 || mount("tmpfs", mnt, "tmpfs", 0, "size=1m") != 0) {
		cr_skip_test("needs root to mount a small tmpfs");
	}
	mounted = true;
	cfg.dir = mnt;
	ps = pcapstore_create(&cfg, err, sizeof(err));
	cr_assert_not_null(ps, "%s", err);
	for (size_t i = 0; i < 3000; i++) {
		ok += write_rec(ps, &r[i], i) == 0;
		if (i % 100 == 0) {
			usleep(5000);
		}
	}
	pcapstore_close(ps);
	pcapstore_get_stats(ps, &st);
	cr_assert_gt(st.write_errors, 0);
	cr_assert_gt(st.packets_lost, 0);
	cr_assert_eq(st.packets + st.packets_lost, 3000, "every record accounted");
	cr_assert_lt(ok, 3000, "some refused at once");
	cr_assert_geq(ok, st.packets, "some lost with a failed buffer");
	cr_assert_gt(strlen(st.last_error), 0);

	/* what is on disk is complete records, in order, none twice */
	back = read_all(mnt, ".pcap", &n);
	cr_assert_eq(n, st.packets);
	cr_assert_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		while (j < 3000 && r[j].ts != back[i].ts) {
			j++;
		}
		cr_assert_lt(j, 3000, "record %zu not in input order", i);
		assert_same(&back[i], 1, &r[j], 1);
		j++;
	}
	cr_assert_eq(count_suffix(mnt, ".pcap.part"), 0);
	free(back);

	/* space comes back (retention): writing works again */
	{
		static char got[64][PCAPSTORE_NAME_MAX];
		size_t nf = names(mnt, ".pcap", got, COUNT(got));
		char path[PATH_MAX];

		for (size_t i = 0; i < nf; i++) {
			join(path, sizeof(path), mnt, got[i]);
			unlink(path);
		}
	}
	usleep(50 * 1000);
	write_all_recs(ps, r, 10);
	cr_assert_eq(pcapstore_close(ps), 0);
	cr_assert(healthy(ps, NULL, 0));
	back = read_all(mnt, ".pcap", &n);
	assert_same(back, n, r, 10);
	free(back);
	pcapstore_destroy(ps);
	free(r);
}
