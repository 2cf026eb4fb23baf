/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Crash repair: a .part cut at every byte offset is cut back to exactly
 * its complete records (or set aside when its global header is gone),
 * invalid records end the valid part, the rebuilt sidecar comes from the
 * frames, interrupted closes are redone, and nothing valid is deleted.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <ftw.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector/repair.h"

#define NS 1000000000ull
#define STEM "vtap-w0-20261126T124430.000000000Z"
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char dir[64];

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vtap-repair-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(repair, .init = setup, .fini = teardown);

/* ---- building captures ---- */

struct buf {
	uint8_t *p;
	size_t len;
	size_t ends[64]; /* offset after each record */
	size_t records;
};

static void
put(struct buf *b, const void *d, size_t n)
{
	b->p = realloc(b->p, b->len + n);
	cr_assert_not_null(b->p);
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static uint32_t
order(uint32_t v, bool swapped)
{
	return swapped ? __builtin_bswap32(v) : v;
}

static void
global(struct buf *b, uint32_t magic, uint16_t major, uint16_t minor,
       uint32_t snaplen, bool swapped)
{
	uint32_t h[6];
	uint16_t ver[2] = { swapped ? __builtin_bswap16(major) : major,
			    swapped ? __builtin_bswap16(minor) : minor };

	h[0] = order(magic, swapped);
	memcpy(&h[1], ver, 4);
	h[2] = 0;
	h[3] = 0;
	h[4] = order(snaplen, swapped);
	h[5] = order(1, swapped);
	put(b, h, 24);
}

/* An Ethernet/IPv4/UDP frame of len bytes between 10.0.0.1:1000+flow and
 * 10.0.1.flow:53; reverse swaps the direction. */
static void
make_frame(uint8_t *f, size_t len, unsigned flow, bool reverse)
{
	static const uint8_t a[4] = { 10, 0, 0, 1 };
	uint8_t bb[4] = { 10, 0, 1, (uint8_t)flow };
	uint16_t pa = (uint16_t)(1000 + flow), pb = 53;

	memset(f, 0, len);
	memcpy(f, "\x02\x00\x00\x00\x00\x0b\x02\x00\x00\x00\x00\x0a\x08\x00", 14);
	f[14] = 0x45;
	f[16] = (uint8_t)((len - 14) >> 8);
	f[17] = (uint8_t)(len - 14);
	f[22] = 64;
	f[23] = 17;
	memcpy(f + 26, reverse ? bb : a, 4);
	memcpy(f + 30, reverse ? a : bb, 4);
	f[34] = (uint8_t)((reverse ? pb : pa) >> 8);
	f[35] = (uint8_t)(reverse ? pb : pa);
	f[36] = (uint8_t)((reverse ? pa : pb) >> 8);
	f[37] = (uint8_t)(reverse ? pa : pb);
	f[38] = (uint8_t)((len - 34) >> 8);
	f[39] = (uint8_t)(len - 34);
	for (size_t i = 42; i < len; i++) {
		f[i] = (uint8_t)(i * 3 + flow);
	}
}

static void
record(struct buf *b, uint32_t sec, uint32_t frac, uint32_t caplen,
       uint32_t len, const uint8_t *data, bool swapped)
{
	uint32_t h[4] = { order(sec, swapped), order(frac, swapped),
			  order(caplen, swapped), order(len, swapped) };

	put(b, h, 16);
	put(b, data, caplen);
	b->ends[b->records++] = b->len;
}

/* Four records of two flows (the second seen in both directions). */
static struct buf
sample(bool swapped)
{
	struct buf b = { 0 };
	uint8_t f[200];
	static const size_t sizes[4] = { 60, 70, 80, 90 };

	global(&b, 0xa1b23c4d, 2, 4, 262144, swapped);
	for (unsigned i = 0; i < 4; i++) {
		make_frame(f, sizes[i], i == 0 ? 1 : 2, i == 2);
		record(&b, 1795696800u + i, 123456789u + i, (uint32_t)sizes[i],
		       (uint32_t)sizes[i] + (i == 3 ? 1000 : 0), f, swapped);
	}
	return b;
}

static void
write_file(const char *d, const char *name, const void *p, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	cr_assert_lt(snprintf(path, sizeof(path), "%s/%s", d, name),
		     (int)sizeof(path));
	f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(p, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static uint8_t *
slurp(const char *d, const char *name, size_t *len)
{
	char path[PATH_MAX];
	FILE *f;
	uint8_t *p;
	long n;

	cr_assert_lt(snprintf(path, sizeof(path), "%s/%s", d, name),
		     (int)sizeof(path));
	f = fopen(path, "rb");
	if (f == NULL) {
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	p = malloc((size_t)n + 1);
	cr_assert_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static bool
exists(const char *d, const char *name)
{
	char path[PATH_MAX];

	cr_assert_lt(snprintf(path, sizeof(path), "%s/%s", d, name),
		     (int)sizeof(path));
	return access(path, F_OK) == 0;
}

static size_t
entries(const char *d)
{
	struct dirent *de;
	DIR *dd = opendir(d);
	size_t n = 0;

	cr_assert_not_null(dd);
	while ((de = readdir(dd)) != NULL) {
		n += de->d_name[0] != '.';
	}
	closedir(dd);
	return n;
}

static uint8_t *
lz4_decompress(const uint8_t *in, size_t inlen, size_t *outlen)
{
	LZ4F_dctx *d;
	size_t cap = 1 << 20, len = 0, off = 0, hint = 1;
	uint8_t *out = malloc(cap);

	cr_assert(!LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)));
	while (off < inlen && hint != 0) {
		size_t dst = cap - len, src = inlen - off;

		hint = LZ4F_decompress(d, out + len, &dst, in + off, &src, NULL);
		cr_assert(!LZ4F_isError(hint), "%s", LZ4F_getErrorName(hint));
		off += src;
		len += dst;
	}
	cr_assert_eq(hint, 0);
	LZ4F_freeDecompressionContext(d);
	*outlen = len;
	return out;
}

static void
read_sidecar(const char *d, struct sidecar *sc)
{
	char path[PATH_MAX], detail[256];
	enum sidecar_err e;

	snprintf(path, sizeof(path), "%s/" STEM ".idx.json", d);
	e = sidecar_read(path, false, sc, detail, sizeof(detail));
	cr_assert_eq(e, SIDECAR_OK, "%s: %s", sidecar_strerror(e), detail);
}

/* ---- tests ---- */

Test(repair, part_cut_at_every_offset_keeps_exactly_its_complete_records)
{
	struct buf b = sample(false);

	for (size_t off = 0; off <= b.len; off++) {
		char sub[128];
		struct repair_report rep;
		size_t complete = 0, valid = 0;
		uint8_t *got;
		size_t glen;

		cr_assert_lt(snprintf(sub, sizeof(sub), "%s/o%zu", dir, off),
			     (int)sizeof(sub));
		cr_assert_eq(mkdir(sub, 0755), 0);
		write_file(sub, STEM ".pcap.part", b.p, off);
		cr_assert_eq(repair_dir(sub, PCAPSTORE_COMPRESS_NONE, &rep), 0,
			     "offset %zu", off);
		cr_assert_not(exists(sub, STEM ".pcap.part"), "offset %zu", off);
		cr_assert_eq(rep.errors, 0);
		while (complete < b.records && b.ends[complete] <= off) {
			valid = b.ends[complete++];
		}

		if (off < 24) {
			/* no global header: set aside, byte for byte */
			cr_assert_eq(rep.parts_broken, 1, "offset %zu", off);
			got = slurp(sub, STEM ".pcap.broken", &glen);
			cr_assert_not_null(got, "offset %zu", off);
			cr_assert_eq(glen, off);
			cr_assert_arr_eq(got, b.p, off);
			cr_assert_eq(entries(sub), 1);
			free(got);
			continue;
		}
		if (complete == 0) {
			/* a header and no record: nothing to keep */
			cr_assert_eq(rep.parts_empty, 1, "offset %zu", off);
			cr_assert_eq(entries(sub), 0, "offset %zu", off);
			continue;
		}
		cr_assert_eq(rep.parts_closed, 1, "offset %zu", off);
		cr_assert_eq(rep.packets_recovered, complete);
		cr_assert_eq(rep.bytes_cut, off - valid, "offset %zu", off);
		got = slurp(sub, STEM ".pcap", &glen);
		cr_assert_not_null(got, "offset %zu", off);
		cr_assert_eq(glen, valid, "offset %zu: %zu bytes, want %zu", off,
			     glen, valid);
		cr_assert_arr_eq(got, b.p, valid, "offset %zu", off);
		free(got);
		{
			struct sidecar sc;

			read_sidecar(sub, &sc);
			cr_assert_eq(sc.packets, complete, "offset %zu", off);
			cr_assert_eq(sc.pcap_size, valid);
			sidecar_finish(&sc);
		}
		cr_assert_eq(entries(sub), 2); /* .pcap and .idx.json */
	}
	free(b.p);
}

Test(repair, damaged_global_headers_are_set_aside_not_deleted)
{
	struct buf bad[4] = { { 0 } };
	uint8_t f[60];
	static const char *const stems[4] = {
		"vtap-w0-20261126T124430.000000001Z",
		"vtap-w0-20261126T124430.000000002Z",
		"vtap-w0-20261126T124430.000000003Z",
		"vtap-w0-20261126T124430.000000004Z",
	};
	struct repair_report rep;

	make_frame(f, 60, 1, false);
	global(&bad[0], 0xdeadbeef, 2, 4, 262144, false); /* magic */
	global(&bad[1], 0xa1b23c4d, 2, 3, 262144, false); /* version */
	global(&bad[2], 0xa1b23c4d, 2, 4, 0, false);      /* snap length */
	global(&bad[3], 0xa1b23c4d, 2, 4, 262144, false);
	bad[3].p[0] ^= 0xff;
	for (int i = 0; i < 4; i++) {
		char name[128];

		record(&bad[i], 1795696800u, 0, 60, 60, f, false);
		cr_assert_lt(snprintf(name, sizeof(name), "%s.pcap.part", stems[i]),
			     (int)sizeof(name));
		write_file(dir, name, bad[i].p, bad[i].len);
	}
	/* a name already set aside once gets another */
	write_file(dir, "vtap-w0-20261126T124430.000000001Z.pcap.broken", "x", 1);

	cr_assert_eq(repair_dir(dir, PCAPSTORE_COMPRESS_NONE, &rep), 0);
	cr_assert_eq(rep.parts_broken, 4);
	cr_assert_eq(rep.parts_closed, 0);
	for (int i = 0; i < 4; i++) {
		char name[128];
		uint8_t *got;
		size_t len;

		snprintf(name, sizeof(name), i == 0 ? "%s.pcap.broken.1"
						    : "%s.pcap.broken",
			 stems[i]);
		got = slurp(dir, name, &len);
		cr_assert_not_null(got, "%s", name);
		cr_assert_eq(len, bad[i].len);
		cr_assert_arr_eq(got, bad[i].p, len);
		free(got);
		free(bad[i].p);
	}
	cr_assert_eq(entries(dir), 5);
	/* a second run leaves them alone */
	cr_assert_eq(repair_dir(dir, PCAPSTORE_COMPRESS_NONE, &rep), 0);
	cr_assert_eq(rep.parts_broken, 0);
	cr_assert_eq(entries(dir), 5);
}

Test(repair, invalid_records_end_the_valid_part)
{
	static const struct {
		uint32_t snaplen, frac, caplen, len;
	} bad[] = {
		{ 262144, 0, 262145, 262145 },      /* over 262144 */
		{ 100, 0, 101, 101 },               /* over the file's snaplen */
		{ 262144, 0, 60, 59 },              /* len < caplen */
		{ 262144, 0, 0, 0 },                /* len 0: zeros, not a record */
		{ 262144, 1000000000, 60, 60 },     /* ns >= 1 s */
	};
	uint8_t *f = calloc(1, 262145 + 100);

	make_frame(f, 60, 1, false);
	for (size_t i = 0; i < COUNT(bad); i++) {
		struct buf b = { 0 };
		struct repair_report rep;
		char sub[128];
		size_t good, glen;
		uint8_t *got;

		cr_assert_lt(snprintf(sub, sizeof(sub), "%s/c%zu", dir, i),
			     (int)sizeof(sub));
		cr_assert_eq(mkdir(sub, 0755), 0);
		global(&b, 0xa1b23c4d, 2, 4, bad[i].snaplen, false);
		record(&b, 1795696800u, 1, 60, 60, f, false);
		record(&b, 1795696801u, 2, 60, 60, f, false);
		good = b.len;
		record(&b, 1795696802u, bad[i].frac, bad[i].caplen, bad[i].len, f,
		       false);
		record(&b, 1795696803u, 3, 60, 60, f, false); /* after: dropped */
		write_file(sub, STEM ".pcap.part", b.p, b.len);
		cr_assert_eq(repair_dir(sub, PCAPSTORE_COMPRESS_NONE, &rep), 0);
		cr_assert_eq(rep.packets_recovered, 2, "case %zu", i);
		cr_assert_eq(rep.bytes_cut, b.len - good, "case %zu", i);
		got = slurp(sub, STEM ".pcap", &glen);
		cr_assert_not_null(got);
		cr_assert_eq(glen, good, "case %zu", i);
		cr_assert_arr_eq(got, b.p, good);
		free(got);
		free(b.p);
	}
	free(f);
}

Test(repair, rebuilt_sidecar_comes_from_the_frames)
{
	struct buf b = sample(false);
	struct repair_report rep;
	struct sidecar sc;

	write_file(dir, STEM ".pcap.part", b.p, b.len);
	cr_assert_eq(repair_dir(dir, PCAPSTORE_COMPRESS_NONE, &rep), 0);
	read_sidecar(dir, &sc);
	cr_assert_str_eq(sc.file, STEM ".pcap");
	cr_assert_eq(sc.packets, 4);
	cr_assert_eq(sc.bytes, 60 + 70 + 80 + 90 + 1000);
	cr_assert_eq(sc.first_ns, 1795696800ull * NS + 123456789);
	cr_assert_eq(sc.last_ns, 1795696803ull * NS + 123456792);
	cr_assert_eq(sc.flow_count, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct flowkey *k = &sc.flows[i].key;
		unsigned flow = i == 0 ? 1 : 2;

		cr_assert_eq(k->family, 4);
		cr_assert_eq(k->proto, 17);
		cr_assert_eq(k->vni, 0, "VNI unknown");
		cr_assert_str_eq(sc.flows[i].proto, "", "protocol unknown");
		cr_assert_arr_eq(k->addr_lo, ((uint8_t[]){ 10, 0, 0, 1 }), 4);
		cr_assert_arr_eq(k->addr_hi, ((uint8_t[]){ 10, 0, 1, flow }), 4);
		cr_assert_eq(k->port_lo, 1000 + flow);
		cr_assert_eq(k->port_hi, 53);
	}
	cr_assert_eq(sc.flows[0].packets, 1);
	cr_assert_eq(sc.flows[1].packets, 3, "both directions, one flow");
	sidecar_finish(&sc);
	free(b.p);
}

Test(repair, parts_are_compressed_when_configured)
{
	struct buf b = sample(false);
	size_t cut = b.ends[2] + 5, lzlen, plen;
	struct repair_report rep;
	uint8_t *lz, *plain;
	struct sidecar sc;

	write_file(dir, STEM ".pcap.part", b.p, cut);
	cr_assert_eq(repair_dir(dir, PCAPSTORE_COMPRESS_LZ4, &rep), 0);
	cr_assert_not(exists(dir, STEM ".pcap.part"));
	cr_assert_not(exists(dir, STEM ".pcap"));
	lz = slurp(dir, STEM ".pcap.lz4", &lzlen);
	cr_assert_not_null(lz);
	plain = lz4_decompress(lz, lzlen, &plen);
	cr_assert_eq(plen, b.ends[2]);
	cr_assert_arr_eq(plain, b.p, plen);
	read_sidecar(dir, &sc);
	cr_assert(sc.compressed);
	cr_assert_str_eq(sc.file, STEM ".pcap.lz4");
	cr_assert_eq(sc.file_size, lzlen);
	cr_assert_eq(sc.pcap_size, b.ends[2]);
	cr_assert_eq(sc.packets, 3);
	sidecar_finish(&sc);
	free(lz);
	free(plain);
	free(b.p);
}

Test(repair, closed_files_without_a_sidecar_get_one)
{
	struct pcapstore_config cfg = { .dir = dir };
	struct repair_report rep;
	struct pcapstore *ps;
	struct sidecar before, after;
	struct buf b = sample(false);
	char path[PATH_MAX];
	uint8_t f[100];

	/* one plain and one lz4 file written by the writer */
	for (int round = 0; round < 2; round++) {
		cfg.compress = round == 0 ? PCAPSTORE_COMPRESS_NONE
					  : PCAPSTORE_COMPRESS_LZ4;
		cfg.worker = (unsigned)round;
		ps = pcapstore_create(&cfg, NULL, 0);
		cr_assert_not_null(ps);
		for (unsigned i = 0; i < 10; i++) {
			make_frame(f, 100, i % 3, i % 2);
			cr_assert_eq(pcapstore_write(ps, 1795696800ull * NS + i, f,
						     100, 100, NULL, NULL),
				     0);
		}
		pcapstore_destroy(ps);
	}
	snprintf(path, sizeof(path),
		 "%s/vtap-w0-20261126T124000.000000000Z.idx.json", dir);
	cr_assert_eq(sidecar_read(path, false, &before, NULL, 0), SIDECAR_OK);
	cr_assert_eq(unlink(path), 0);
	snprintf(path, sizeof(path),
		 "%s/vtap-w1-20261126T124000.000000000Z.idx.json", dir);
	cr_assert_eq(unlink(path), 0);
	/* and a file from a crash in between */
	write_file(dir, STEM ".pcap", b.p, b.len);

	cr_assert_eq(repair_dir(dir, PCAPSTORE_COMPRESS_NONE, &rep), 0);
	cr_assert_eq(rep.sidecars_rebuilt, 3);
	cr_assert_eq(rep.parts_closed, 0);
	cr_assert_eq(sidecar_read(path, false, &after, NULL, 0), SIDECAR_OK);
	cr_assert(after.compressed);
	cr_assert_eq(after.packets, 10);
	cr_assert_eq(after.pcap_size, before.pcap_size);
	cr_assert_eq(after.flow_count, 3);
	sidecar_finish(&after);
	snprintf(path, sizeof(path),
		 "%s/vtap-w0-20261126T124000.000000000Z.idx.json", dir);
	cr_assert_eq(sidecar_read(path, false, &after, NULL, 0), SIDECAR_OK);
	cr_assert_not(after.compressed);
	cr_assert_eq(after.packets, before.packets);
	cr_assert_eq(after.bytes, before.bytes);
	cr_assert_eq(after.first_ns, before.first_ns);
	cr_assert_eq(after.last_ns, before.last_ns);
	cr_assert_eq(after.file_size, before.file_size);
	cr_assert_eq(after.flow_count, 3);
	sidecar_finish(&after);
	sidecar_finish(&before);
	read_sidecar(dir, &after);
	cr_assert_eq(after.packets, 4);
	sidecar_finish(&after);
	free(b.p);
}

Test(repair, interrupted_closes_are_redone)
{
	struct buf b = sample(false);
	struct repair_report rep;
	uint8_t *lz, *plain;
	size_t lzlen, plen;

	/* crash while compressing: a .tmp, and a .lz4 of an older attempt */
	write_file(dir, STEM ".pcap.part", b.p, b.len);
	write_file(dir, STEM ".pcap.lz4.tmp", "half", 4);
	write_file(dir, STEM ".pcap.lz4", "stale", 5);
	write_file(dir, STEM ".idx.json.tmp", "{", 1);
	cr_assert_eq(repair_dir(dir, PCAPSTORE_COMPRESS_LZ4, &rep), 0);
	cr_assert_eq(rep.temps_removed, 2);
	cr_assert_eq(rep.parts_closed, 1);
	cr_assert_not(exists(dir, STEM ".pcap.lz4.tmp"));
	cr_assert_not(exists(dir, STEM ".idx.json.tmp"));
	cr_assert_not(exists(dir, STEM ".pcap.part"));
	lz = slurp(dir, STEM ".pcap.lz4", &lzlen);
	plain = lz4_decompress(lz, lzlen, &plen);
	cr_assert_eq(plen, b.len);
	cr_assert_arr_eq(plain, b.p, plen);
	free(lz);
	free(plain);
	cr_assert_eq(entries(dir), 2);
	free(b.p);
}

Test(repair, restart_without_compression_replaces_a_half_compressed_close)
{
	struct buf b = sample(false);
	struct repair_report rep;
	uint8_t *got;
	size_t len;

	write_file(dir, STEM ".pcap.part", b.p, b.len);
	write_file(dir, STEM ".pcap.lz4", "stale", 5);
	cr_assert_eq(repair_dir(dir, PCAPSTORE_COMPRESS_NONE, &rep), 0);
	got = slurp(dir, STEM ".pcap", &len);
	cr_assert_not_null(got);
	cr_assert_eq(len, b.len);
	cr_assert_arr_eq(got, b.p, len);
	cr_assert_not(exists(dir, STEM ".pcap.lz4"), "derived from the .part");
	cr_assert_eq(entries(dir), 2);
	free(got);
	free(b.p);
}

Test(repair, other_byte_order_is_understood_and_kept)
{
	struct buf b = sample(true);
	size_t cut = b.ends[1] + 20, len;
	struct repair_report rep;
	struct sidecar sc;
	uint8_t *got;

	write_file(dir, STEM ".pcap.part", b.p, cut);
	cr_assert_eq(repair_dir(dir, PCAPSTORE_COMPRESS_NONE, &rep), 0);
	got = slurp(dir, STEM ".pcap", &len);
	cr_assert_not_null(got);
	cr_assert_eq(len, b.ends[1]);
	cr_assert_arr_eq(got, b.p, len);
	read_sidecar(dir, &sc);
	cr_assert_eq(sc.packets, 2);
	cr_assert_eq(sc.first_ns, 1795696800ull * NS + 123456789);
	sidecar_finish(&sc);
	free(got);
	free(b.p);
}

Test(repair, a_second_run_changes_nothing_and_foreign_files_stay)
{
	struct buf b = sample(false);
	struct repair_report rep;

	write_file(dir, STEM ".pcap.part", b.p, b.len - 3);
	write_file(dir, "notes.txt", "x", 1);
	write_file(dir, "other.pcap", b.p, b.len);
	cr_assert_eq(repair_dir(dir, PCAPSTORE_COMPRESS_NONE, &rep), 0);
	cr_assert_eq(rep.parts_closed, 1);
	cr_assert_eq(repair_dir(dir, PCAPSTORE_COMPRESS_NONE, &rep), 0);
	cr_assert_eq(rep.parts_closed + rep.parts_broken + rep.parts_empty +
			     rep.sidecars_rebuilt + rep.temps_removed +
			     rep.errors,
		     0);
	cr_assert(exists(dir, "notes.txt"));
	cr_assert(exists(dir, "other.pcap"));
	cr_assert_eq(entries(dir), 4);
	free(b.p);
}

Test(repair, unreadable_directory_is_an_error)
{
	struct repair_report rep;
	char path[128];

	cr_assert_lt(snprintf(path, sizeof(path), "%s/none", dir),
		     (int)sizeof(path));
	cr_assert_eq(repair_dir(path, PCAPSTORE_COMPRESS_NONE, &rep), -1);
	cr_assert_eq(rep.errors, 1);
	cr_assert_eq(repair_dir(path, PCAPSTORE_COMPRESS_NONE, NULL), -1);
}
