/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: pcapread_record (collector/pcapread.h), the buffered record
 * reader behind downloads, on one store file. The first input byte chooses
 * the case, the rest is the pcap stream:
 *
 *   mode % 3 == 0   NAME.pcap holding the bytes
 *   mode % 3 == 1   NAME.pcap.lz4 holding the bytes LZ4-compressed
 *   mode % 3 == 2   NAME.pcap.lz4 holding the bytes as they are
 *
 * Checked for the first two: the records the reader returns are those a
 * plain walk over the bytes finds (same count, lengths, timestamps and
 * data), and it ends cleanly exactly when the bytes end on a record
 * boundary of a valid file.
 */
#include <limits.h>
#include <lz4frame.h>
#include <stdlib.h>
#include <string.h>

#include "collector/pcapread.h"
#include "fuzz-common.h"

#define NAME "vtap-w0-20260101T000000.000000000Z.pcap"
#define MAX_CAPLEN (262144u + 65536u)

static char dir[PATH_MAX];

static uint32_t
get32(const uint8_t *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcapread *r;
	struct pcapread_record rec;
	const uint8_t *p;
	char err[256];
	bool swapped = false, nanos = false, check;
	size_t len, off = 24;
	uint32_t magic = 0;
	int mode, rc;

	if (size < 1) {
		return 0;
	}
	if (dir[0] == '\0') {
		fuzz_tmpdir("pcapread", dir);
	}
	mode = data[0] % 3;
	p = data + 1;
	len = size - 1;
	fuzz_empty_dir(dir, NULL);
	if (mode == 1) {
		size_t cap = LZ4F_compressFrameBound(len, NULL);
		uint8_t *z = malloc(cap);
		size_t n;

		FUZZ_CHECK(z != NULL, "out of memory");
		n = LZ4F_compressFrame(z, cap, p, len, NULL);
		FUZZ_CHECK(!LZ4F_isError(n), "lz4: %s", LZ4F_getErrorName(n));
		fuzz_write_file(dir, NAME ".lz4", z, n);
		free(z);
	} else {
		fuzz_write_file(dir, mode == 0 ? NAME : NAME ".lz4", p, len);
	}
	r = pcapread_open(dir, mode == 0 ? NAME : NAME ".lz4", false, err,
			  sizeof(err));
	FUZZ_CHECK(r != NULL, "open: %s", err);
	check = mode != 2;
	if (len >= 24) {
		memcpy(&magic, p, 4);
		swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
		nanos = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	}
	while ((rc = pcapread_record(r, &rec, err, sizeof(err))) == 1) {
		uint32_t caplen;

		FUZZ_CHECK(rec.caplen <= MAX_CAPLEN, "caplen %u", rec.caplen);
		if (!check) {
			/* still touch every byte: the sanitizers check the pointer */
			volatile uint8_t sum = 0;

			for (uint32_t k = 0; k < rec.caplen; k++) {
				sum ^= rec.data[k];
			}
			continue;
		}
		FUZZ_CHECK(off + 16 <= len, "a record past the end at %zu", off);
		caplen = get32(p + off + 8, swapped);
		FUZZ_CHECK(rec.caplen == caplen && off + 16 + caplen <= len,
			   "record at %zu: %u bytes, the file says %u", off,
			   rec.caplen, caplen);
		FUZZ_CHECK(rec.wirelen == get32(p + off + 12, swapped), "wirelen");
		FUZZ_CHECK(rec.ts_ns == (uint64_t)get32(p + off, swapped) * 1000000000ull +
			   (nanos ? get32(p + off + 4, swapped)
				  : (uint64_t)get32(p + off + 4, swapped) * 1000ull),
			   "timestamp at %zu", off);
		FUZZ_CHECK(memcmp(rec.data, p + off + 16, caplen) == 0,
			   "data at %zu", off);
		off += 16 + caplen;
	}
	if (check) {
		bool valid = len >= 24 &&
			     (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ||
			      magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1);

		FUZZ_CHECK(rc == (valid && off == len ? 0 : -1),
			   "ended with %d at %zu of %zu (%s)", rc, off, len,
			   rc < 0 ? err : "clean");
		/* a clean end stays an end */
		if (rc == 0) {
			FUZZ_CHECK(pcapread_record(r, &rec, err, sizeof(err)) == 0,
				   "a record after the end");
		}
	}
	pcapread_close(r);
	return 0;
}
