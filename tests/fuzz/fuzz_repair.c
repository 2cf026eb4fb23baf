/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: repair_dir (collector/repair.h) on one crashed or unindexed
 * file. The first input byte chooses the case, the rest is the file:
 *
 *   mode % 4 == 0   NAME.pcap.part, closed uncompressed
 *   mode % 4 == 1   NAME.pcap.part, closed with --compress lz4
 *   mode % 4 == 2   NAME.pcap.lz4 without a sidecar (rebuilt from LZ4)
 *   mode % 4 == 3   NAME.pcap without a sidecar
 *
 * Checked afterwards: no .part is left; a closed file is a whole pcap that
 * libpcap reads to the end (an LZ4 one once decompressed), holding as many
 * records as the report and its sidecar say, and the sidecar parses and
 * gives the right sizes; a .part without a valid header was set aside, not
 * deleted.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <lz4frame.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/repair.h"
#include "collector/sidecar.h"
#include "fuzz-common.h"

#define STEM "vtap-w0-20260101T000000.000000000Z"
#define MAX_PCAP (64u << 20) /* decompressed size a case may reach */

static char dir[PATH_MAX];

static uint8_t *
read_all(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
		fuzz_fail(__FILE__, __LINE__, "open", "%s", path);
	}
	buf = malloc((size_t)st.st_size + 1);
	FUZZ_CHECK(buf != NULL, "malloc %jd", (intmax_t)st.st_size);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		FUZZ_CHECK(n > 0, "read %s", path);
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

/* Decompress a whole LZ4 frame; NULL when it is not one. */
static uint8_t *
unlz4(const uint8_t *in, size_t inlen, size_t *outlen)
{
	LZ4F_dctx *dctx = NULL;
	size_t cap = 1 << 16, len = 0, hint = 1;
	uint8_t *out = malloc(cap);

	FUZZ_CHECK(out != NULL, "malloc");
	if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
		abort();
	}
	while (inlen > 0 && hint != 0) {
		size_t dst, src = inlen;

		if (len == cap) {
			FUZZ_CHECK(cap < MAX_PCAP, "decompressed size");
			cap *= 2;
			out = realloc(out, cap);
			FUZZ_CHECK(out != NULL, "realloc");
		}
		dst = cap - len;
		hint = LZ4F_decompress(dctx, out + len, &dst, in, &src, NULL);
		if (LZ4F_isError(hint)) {
			free(out);
			out = NULL;
			break;
		}
		in += src;
		inlen -= src;
		len += dst;
	}
	LZ4F_freeDecompressionContext(dctx);
	*outlen = len;
	return out;
}

/* Read pcap bytes with libpcap to their end: the number of records. */
static uint64_t
pcap_records(const uint8_t *bytes, size_t len, const char *what)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0;
	FILE *f;
	pcap_t *p;
	int rc;

	f = fmemopen((void *)bytes, len, "rb");
	FUZZ_CHECK(f != NULL, "fmemopen");
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO,
						     errbuf);
	FUZZ_CHECK(p != NULL, "libpcap refuses %s: %s", what, errbuf);
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		n++;
	}
	FUZZ_CHECK(rc == PCAP_ERROR_BREAK, "libpcap stops in %s after %llu "
		   "records: %s", what, (unsigned long long)n, pcap_geterr(p));
	pcap_close(p);
	return n;
}

/* The closed file and its sidecar agree with each other and the report. */
static void
check_closed(const char *name, bool lz4, const struct repair_report *rep,
	     bool from_part)
{
	char path[PATH_MAX], detail[256];
	struct sidecar sc;
	enum sidecar_err e;
	uint8_t *bytes, *plain;
	size_t len, plen;
	uint64_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	bytes = read_all(path, &len);
	plain = bytes;
	plen = len;
	if (lz4) {
		plain = unlz4(bytes, len, &plen);
		FUZZ_CHECK(plain != NULL || !from_part,
			   "sealed LZ4 file does not decompress");
	}
	snprintf(path, sizeof(path), "%s/" STEM ".idx.json", dir);
	e = sidecar_read(path, false, &sc, detail, sizeof(detail));
	if (!from_part && e == SIDECAR_ERR_IO) {
		goto done; /* the file was refused: no sidecar rebuilt */
	}
	FUZZ_CHECK(e == SIDECAR_OK, "rebuilt sidecar refused: %s: %s",
		   sidecar_strerror(e), detail);
	FUZZ_CHECK(strcmp(sc.file, name) == 0, "sidecar names %s", sc.file);
	FUZZ_CHECK(sc.compressed == lz4, "compressed flag");
	FUZZ_CHECK(sc.file_size == len, "file_size %llu, file %zu",
		   (unsigned long long)sc.file_size, len);
	if (from_part) {
		FUZZ_CHECK(sc.pcap_size == plen, "pcap_size %llu, pcap %zu",
			   (unsigned long long)sc.pcap_size, plen);
		n = pcap_records(plain, plen, name);
		FUZZ_CHECK(n == sc.packets && n == rep->packets_recovered,
			   "libpcap reads %llu records, sidecar says %llu, "
			   "report %llu", (unsigned long long)n,
			   (unsigned long long)sc.packets,
			   (unsigned long long)rep->packets_recovered);
	} else {
		FUZZ_CHECK(sc.pcap_size <= (plain != NULL ? plen : 0) ||
			   (lz4 && plain == NULL),
			   "pcap_size %llu beyond the data",
			   (unsigned long long)sc.pcap_size);
		if (plain != NULL && sc.pcap_size <= plen) {
			n = pcap_records(plain, (size_t)sc.pcap_size, name);
			FUZZ_CHECK(n == sc.packets, "libpcap reads %llu of "
				   "%llu indexed records",
				   (unsigned long long)n,
				   (unsigned long long)sc.packets);
		}
	}
	sidecar_finish(&sc);
done:
	if (plain != bytes) {
		free(plain);
	}
	free(bytes);
}

static bool
exists(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct repair_report rep;
	unsigned mode;

	if (dir[0] == '\0') {
		fuzz_tmpdir("repair", dir);
	}
	if (size < 1) {
		return 0;
	}
	mode = data[0] % 4;
	data++;
	size--;
	switch (mode) {
	case 0:
	case 1:
		fuzz_write_file(dir, STEM ".pcap.part", data, size);
		break;
	case 2:
		fuzz_write_file(dir, STEM ".pcap.lz4", data, size);
		break;
	default:
		fuzz_write_file(dir, STEM ".pcap", data, size);
		break;
	}
	repair_dir(dir, mode == 1 ? PCAPSTORE_COMPRESS_LZ4 : PCAPSTORE_COMPRESS_NONE,
		   &rep);
	FUZZ_CHECK(!exists(STEM ".pcap.part"), ".part left behind");
	if (mode <= 1) {
		unsigned outcomes = rep.parts_closed + rep.parts_empty +
				    rep.parts_broken + rep.errors;

		FUZZ_CHECK(outcomes == 1, "%u outcomes for one .part", outcomes);
		if (rep.parts_closed == 1) {
			check_closed(mode == 1 ? STEM ".pcap.lz4" : STEM ".pcap",
				     mode == 1, &rep, true);
		} else if (rep.parts_broken == 1) {
			FUZZ_CHECK(exists(STEM ".pcap.broken"), "broken file gone");
		} else {
			FUZZ_CHECK(rep.parts_empty == 1, "repair failed");
			FUZZ_CHECK(!exists(STEM ".pcap") &&
				   !exists(STEM ".pcap.lz4") &&
				   !exists(STEM ".idx.json"),
				   "an empty .part left a file");
		}
	} else {
		check_closed(mode == 2 ? STEM ".pcap.lz4" : STEM ".pcap",
			     mode == 2, &rep, false);
	}
	fuzz_empty_dir(dir, NULL);
	return 0;
}
