/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Store files read back as bytes or records (see pcapread.h). It reads;
 * choosing files and shaping HTTP replies is done by its callers.
 */
#include "collector/pcapread.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/sidecar.h"

#define MAX_RECORD (262144u + 65536u)

struct pcapread {
	int fd;                    /* owned */
	uint64_t size;
	LZ4F_dctx *dctx;           /* owned; NULL for plain or raw reads */
	uint8_t *in;               /* owned: compressed input buffer */
	size_t in_pos, in_len;
	bool eof;
	/* record mode */
	bool header_done;
	bool swapped;              /* file written in the other byte order */
	bool nanos;
	uint8_t *rec;              /* owned: one record's bytes */
};

static int
read_fd(struct pcapread *r, uint8_t *buf, size_t len)
{
	ssize_t n;

	do {
		n = read(r->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	return (int)n;
}

struct pcapread *
pcapread_open(const char *dir, const char *name, bool raw, char *err,
	      size_t errlen)
{
	struct pcapread *r = NULL;
	char path[4096];
	struct stat st;
	size_t n = strlen(name);
	bool lz4 = n > 4 && strcmp(name + n - 4, ".lz4") == 0;

	if (!sidecar_file_name_ok(name)) {
		snprintf(err, errlen, "not a store file name");
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->fd = -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		goto fail;
	}
	if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", name);
		goto fail;
	}
	r->size = (uint64_t)st.st_size;
	if (lz4 && !raw) {
		if (LZ4F_isError(LZ4F_createDecompressionContext(&r->dctx, LZ4F_VERSION)) ||
		    (r->in = malloc(PCAPREAD_BUF)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	return r;
fail:
	pcapread_close(r);
	return NULL;
}

void
pcapread_close(struct pcapread *r)
{
	if (r == NULL) {
		return;
	}
	if (r->fd >= 0) {
		close(r->fd);
	}
	if (r->dctx != NULL) {
		LZ4F_freeDecompressionContext(r->dctx);
	}
	free(r->in);
	free(r->rec);
	free(r);
}

uint64_t
pcapread_file_size(const struct pcapread *r)
{
	return r->size;
}

bool
pcapread_is_decompressing(const struct pcapread *r)
{
	return r->dctx != NULL;
}

int
pcapread_seek(struct pcapread *r, uint64_t offset)
{
	if (r->dctx != NULL || lseek(r->fd, (off_t)offset, SEEK_SET) < 0) {
		return -1;
	}
	return 0;
}

ssize_t
pcapread_bytes(struct pcapread *r, uint8_t *buf, size_t len, char *err,
	       size_t errlen)
{
	size_t out = 0;

	if (r->dctx == NULL) {
		int n = read_fd(r, buf, len);

		if (n < 0) {
			snprintf(err, errlen, "read: %s", strerror(errno));
		}
		return n;
	}
	while (out < len) {
		size_t dst = len - out, src;
		size_t hint;

		if (r->in_pos == r->in_len) {
			int n;

			if (r->eof) {
				break;
			}
			if ((n = read_fd(r, r->in, PCAPREAD_BUF)) < 0) {
				snprintf(err, errlen, "read: %s", strerror(errno));
				return -1;
			}
			if (n == 0) {
				r->eof = true;
				continue;
			}
			r->in_pos = 0;
			r->in_len = (size_t)n;
		}
		src = r->in_len - r->in_pos;
		hint = LZ4F_decompress(r->dctx, buf + out, &dst, r->in + r->in_pos,
				       &src, NULL);
		if (LZ4F_isError(hint)) {
			snprintf(err, errlen, "lz4: %s", LZ4F_getErrorName(hint));
			return -1;
		}
		r->in_pos += src;
		out += dst;
		if (dst == 0 && src == 0) {
			break;
		}
	}
	return (ssize_t)out;
}

/* Read exactly len bytes; 1 done, 0 clean end before any byte, -1 short/error. */
static int
read_exact(struct pcapread *r, uint8_t *buf, size_t len, char *err,
	   size_t errlen)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pcapread_bytes(r, buf + got, len - got, err, errlen);

		if (n < 0) {
			return -1;
		}
		if (n == 0) {
			if (got == 0) {
				return 0;
			}
			snprintf(err, errlen, "file ends inside a record");
			return -1;
		}
		got += (size_t)n;
	}
	return 1;
}

static uint32_t
u32(const uint8_t *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

int
pcapread_record(struct pcapread *r, struct pcapread_record *rec, char *err,
		size_t errlen)
{
	uint8_t h[24];
	uint32_t magic, sec, frac;
	int rc;

	if (!r->header_done) {
		if (read_exact(r, h, 24, err, errlen) != 1) {
			snprintf(err, errlen, "no pcap header");
			return -1;
		}
		memcpy(&magic, h, 4);
		switch (magic) {
		case 0xa1b2c3d4:
			break;
		case 0xa1b23c4d:
			r->nanos = true;
			break;
		case 0xd4c3b2a1:
			r->swapped = true;
			break;
		case 0x4d3cb2a1:
			r->swapped = true;
			r->nanos = true;
			break;
		default:
			snprintf(err, errlen, "not a pcap file");
			return -1;
		}
		if ((r->rec = malloc(MAX_RECORD)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		r->header_done = true;
	}
	if ((rc = read_exact(r, h, 16, err, errlen)) != 1) {
		return rc;
	}
	sec = u32(h, r->swapped);
	frac = u32(h + 4, r->swapped);
	rec->caplen = u32(h + 8, r->swapped);
	rec->wirelen = u32(h + 12, r->swapped);
	if (rec->caplen > MAX_RECORD) {
		snprintf(err, errlen, "record of %u bytes is larger than any snap length",
			 rec->caplen);
		return -1;
	}
	if (read_exact(r, r->rec, rec->caplen, err, errlen) != 1) {
		snprintf(err, errlen, "file ends inside a record");
		return -1;
	}
	rec->ts_ns = (uint64_t)sec * 1000000000ULL +
		     (r->nanos ? frac : (uint64_t)frac * 1000ULL);
	rec->data = r->rec;
	return 1;
}
