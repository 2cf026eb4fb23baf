/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading store files back record by record through the reader's buffer:
 * records of every size, many of them straddling a refill, come back byte
 * for byte from plain and LZ4 files, in either byte order; a damaged file
 * (short header, a record over the snap length, a file ending inside a
 * record header or its data) is refused with the reason.
 */
#include <criterion/criterion.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/pcapread.h"

#define NAME "vtap-w0-20231114T221320.000000000Z.pcap"
#define LZ4NAME NAME ".lz4"
#define MAX_CAPLEN (262144u + 65536u)

static char dir[64];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vtap-pcapread-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, NAME);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, LZ4NAME);
	unlink(path);
	rmdir(dir);
}

TestSuite(pcapread, .init = setup, .fini = teardown);

/* A growing byte string: the pcap file being built. */
struct out {
	uint8_t *p;
	size_t len, cap;
};

static void
put(struct out *o, const void *b, size_t n)
{
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2;
		o->p = realloc(o->p, o->cap);
		cr_assert_not_null(o->p);
	}
	memcpy(o->p + o->len, b, n);
	o->len += n;
}

static uint32_t
u32(uint32_t v, bool swapped)
{
	return swapped ? __builtin_bswap32(v) : v;
}

static void
global_header(struct out *o, bool nanos, bool swapped)
{
	uint32_t h[6] = { nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0x00040002, 0, 0,
			  262144, 1 };

	for (int i = 0; i < 6; i++) {
		h[i] = u32(h[i], swapped);
	}
	if (swapped) {
		/* version 2.4 is two 16-bit fields, each swapped in place */
		h[1] = 0x04000200;
	}
	put(o, h, sizeof(h));
}

/* Record i: its length and contents follow from i alone. */
static uint32_t
caplen_of(unsigned i)
{
	/* small and large, odd sizes, one of the largest snap length */
	static const uint32_t sizes[] = { 60, 1514, 0, 9000, 77777, 1, 65535,
					  MAX_CAPLEN, 200000, 4093 };

	return sizes[i % (sizeof(sizes) / sizeof(sizes[0]))];
}

static uint8_t
byte_of(unsigned i, uint32_t k)
{
	return (uint8_t)(i * 31u + k * 7u + (k >> 9));
}

static void
record(struct out *o, unsigned i, bool nanos, bool swapped)
{
	uint32_t len = caplen_of(i);
	uint32_t h[4] = { u32(1700000000u + i, swapped),
			  u32(nanos ? 123456789u : 123456u, swapped),
			  u32(len, swapped), u32(len + 4, swapped) };
	uint8_t *d = malloc(len + 1);

	cr_assert_not_null(d);
	for (uint32_t k = 0; k < len; k++) {
		d[k] = byte_of(i, k);
	}
	put(o, h, sizeof(h));
	put(o, d, len);
	free(d);
}

static void
write_file(const char *name, const uint8_t *p, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "wb"));
	cr_assert_eq(fwrite(p, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void
write_lz4(const uint8_t *p, size_t len)
{
	size_t cap = LZ4F_compressFrameBound(len, NULL);
	uint8_t *z = malloc(cap);
	size_t n;

	cr_assert_not_null(z);
	n = LZ4F_compressFrame(z, cap, p, len, NULL);
	cr_assert(!LZ4F_isError(n));
	write_file(LZ4NAME, z, n);
	free(z);
}

static struct pcapread *
open_ok(const char *name)
{
	char err[256];
	struct pcapread *r = pcapread_open(dir, name, false, err, sizeof(err));

	cr_assert_not_null(r, "open: %s", err);
	return r;
}

/* Read n records back and check each one byte for byte, then the end. */
static void
expect_records(const char *name, unsigned n, bool nanos)
{
	struct pcapread *r = open_ok(name);
	struct pcapread_record rec;
	char err[256];

	for (unsigned i = 0; i < n; i++) {
		uint32_t len = caplen_of(i);

		cr_assert_eq(pcapread_record(r, &rec, err, sizeof(err)), 1,
			     "record %u: %s", i, err);
		cr_assert_eq(rec.caplen, len, "record %u", i);
		cr_assert_eq(rec.wirelen, len + 4);
		cr_assert_eq(rec.ts_ns, (1700000000ull + i) * 1000000000ull +
				       (nanos ? 123456789u : 123456000u));
		for (uint32_t k = 0; k < len; k++) {
			if (rec.data[k] != byte_of(i, k)) {
				cr_assert_fail("record %u byte %u differs", i, k);
			}
		}
	}
	cr_assert_eq(pcapread_record(r, &rec, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(pcapread_record(r, &rec, err, sizeof(err)), 0);
	pcapread_close(r);
}

/* Expect n good records, then a refusal whose reason contains why. */
static void
expect_damage(const char *name, unsigned n, const char *why)
{
	struct pcapread *r = open_ok(name);
	struct pcapread_record rec;
	char err[256] = "";

	for (unsigned i = 0; i < n; i++) {
		cr_assert_eq(pcapread_record(r, &rec, err, sizeof(err)), 1,
			     "record %u: %s", i, err);
	}
	cr_assert_eq(pcapread_record(r, &rec, err, sizeof(err)), -1);
	cr_assert(strstr(err, why) != NULL, "'%s' does not say '%s'", err, why);
	pcapread_close(r);
}

#define MANY 40 /* about 3 MB: every record size lands across a refill */

Test(pcapread, records_across_buffer_refills_come_back_byte_for_byte)
{
	struct out o = { 0 };

	global_header(&o, true, false);
	for (unsigned i = 0; i < MANY; i++) {
		record(&o, i, true, false);
	}
	write_file(NAME, o.p, o.len);
	expect_records(NAME, MANY, true);
	free(o.p);
}

Test(pcapread, lz4_records_across_refills_come_back_byte_for_byte)
{
	struct out o = { 0 };

	global_header(&o, true, false);
	for (unsigned i = 0; i < MANY; i++) {
		record(&o, i, true, false);
	}
	write_lz4(o.p, o.len);
	expect_records(LZ4NAME, MANY, true);
	free(o.p);
}

Test(pcapread, microseconds_in_the_other_byte_order_are_read)
{
	struct out o = { 0 };

	global_header(&o, false, true);
	for (unsigned i = 0; i < MANY; i++) {
		record(&o, i, false, true);
	}
	write_file(NAME, o.p, o.len);
	expect_records(NAME, MANY, false);
	free(o.p);
}

Test(pcapread, an_empty_capture_ends_cleanly)
{
	struct out o = { 0 };

	global_header(&o, true, false);
	write_file(NAME, o.p, o.len);
	expect_records(NAME, 0, true);
	free(o.p);
}

Test(pcapread, a_file_ending_inside_the_last_record_is_refused)
{
	struct out o = { 0 };

	global_header(&o, true, false);
	for (unsigned i = 0; i < MANY; i++) {
		record(&o, i, true, false);
	}
	write_file(NAME, o.p, o.len - 1);
	expect_damage(NAME, MANY - 1, "file ends inside a record");
	free(o.p);
}

Test(pcapread, a_file_ending_inside_a_record_header_is_refused)
{
	struct out o = { 0 };

	global_header(&o, true, false);
	for (unsigned i = 0; i < MANY; i++) {
		record(&o, i, true, false);
	}
	put(&o, "\x01\x02\x03\x04\x05\x06\x07", 7);
	write_file(NAME, o.p, o.len);
	expect_damage(NAME, MANY, "file ends inside a record");
	free(o.p);
}

Test(pcapread, an_lz4_file_ending_inside_a_record_is_refused)
{
	struct out o = { 0 };

	global_header(&o, true, false);
	for (unsigned i = 0; i < 12; i++) {
		record(&o, i, true, false);
	}
	write_lz4(o.p, o.len - 100);
	expect_damage(LZ4NAME, 11, "file ends inside a record");
	free(o.p);
}

Test(pcapread, a_record_over_the_largest_snap_length_is_refused)
{
	struct out o = { 0 };
	uint32_t h[4] = { 1700000000u, 0, MAX_CAPLEN + 1, MAX_CAPLEN + 1 };

	global_header(&o, true, false);
	for (unsigned i = 0; i < 8; i++) {
		record(&o, i, true, false);
	}
	static const uint8_t after[4096];

	put(&o, h, sizeof(h));
	put(&o, after, sizeof(after)); /* bytes follow: the length alone decides */
	write_file(NAME, o.p, o.len);
	expect_damage(NAME, 8, "larger than any snap length");
	free(o.p);
}

Test(pcapread, a_largest_record_is_read)
{
	struct out o = { 0 };

	struct pcapread *r;
	struct pcapread_record rec;
	char err[256];

	cr_assert_eq(caplen_of(7), MAX_CAPLEN);
	global_header(&o, true, false);
	record(&o, 7, true, false);
	write_file(NAME, o.p, o.len);
	r = open_ok(NAME);
	cr_assert_eq(pcapread_record(r, &rec, err, sizeof(err)), 1, "%s", err);
	cr_assert_eq(rec.caplen, MAX_CAPLEN);
	cr_assert_eq(rec.data[0], byte_of(7, 0));
	cr_assert_eq(rec.data[MAX_CAPLEN - 1], byte_of(7, MAX_CAPLEN - 1));
	cr_assert_eq(pcapread_record(r, &rec, err, sizeof(err)), 0);
	pcapread_close(r);
	free(o.p);
}

Test(pcapread, a_short_or_foreign_header_is_refused)
{
	struct pcapread *r;
	struct pcapread_record rec;
	char err[256] = "";

	write_file(NAME, (const uint8_t *)"\xd4\xc3\xb2\xa1\x02\x00", 6);
	r = open_ok(NAME);
	cr_assert_eq(pcapread_record(r, &rec, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "no pcap header");
	pcapread_close(r);

	write_file(NAME, (const uint8_t *)"GET / HTTP/1.1\r\nHost: example\r\n\r\n", 33);
	r = open_ok(NAME);
	cr_assert_eq(pcapread_record(r, &rec, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "not a pcap file");
	pcapread_close(r);
}
