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
#define RECORD_HEADER 16u
/*
 * Record mode reads through one buffer that holds any whole record, so a
 * record is handed out by pointer and never copied; only the unread tail
 * of a buffer moves to its front before the next refill.
 */
#define RECBUF (384u * 1024u)
_Static_assert(RECBUF >= PCAPREAD_BUF && RECBUF >= RECORD_HEADER + MAX_RECORD,
	       "a record buffer holds the largest record");

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
	uint8_t *buf;              /* owned: RECBUF bytes of the (decompressed) stream */
	size_t pos, len;           /* unread bytes are buf[pos, len) */
	bool buf_eof;              /* the stream has no bytes beyond buf */
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
	free(r->buf);
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

/*
 * Make at least need unread bytes available in buf (need <= RECBUF).
 * Returns 1, 0 when the stream ends first (fewer bytes stay unread) or -1
 * on a read error.
 */
static int
want(struct pcapread *r, size_t need, char *err, size_t errlen)
{
	while (r->len - r->pos < need) {
		ssize_t n;

		if (r->buf_eof) {
			return 0;
		}
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->pos = 0;
		}
		if ((n = pcapread_bytes(r, r->buf + r->len, RECBUF - r->len, err,
					errlen)) < 0) {
			return -1;
		}
		if (n == 0) {
			r->buf_eof = true;
		}
		r->len += (size_t)n;
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

static int
read_header(struct pcapread *r, char *err, size_t errlen)
{
	uint32_t magic;

	if ((r->buf = malloc(RECBUF)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (want(r, 24, err, errlen) != 1) {
		snprintf(err, errlen, "no pcap header");
		return -1;
	}
	memcpy(&magic, r->buf, 4);
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
	r->pos = 24;
	r->header_done = true;
	return 0;
}

int
pcapread_record(struct pcapread *r, struct pcapread_record *rec, char *err,
		size_t errlen)
{
	const uint8_t *h;
	uint32_t sec, frac, caplen;
	int rc;

	if (!r->header_done && read_header(r, err, errlen) != 0) {
		return -1;
	}
	if ((rc = want(r, RECORD_HEADER, err, errlen)) != 1) {
		if (rc == 0 && r->len > r->pos) {
			snprintf(err, errlen, "file ends inside a record");
			return -1;
		}
		return rc;
	}
	h = r->buf + r->pos;
	caplen = u32(h + 8, r->swapped);
	if (caplen > MAX_RECORD) {
		snprintf(err, errlen, "record of %u bytes is larger than any snap length",
			 caplen);
		return -1;
	}
	if ((rc = want(r, RECORD_HEADER + caplen, err, errlen)) != 1) {
		if (rc == 0) {
			snprintf(err, errlen, "file ends inside a record");
		}
		return -1;
	}
	h = r->buf + r->pos; /* want may have moved the record */
	sec = u32(h, r->swapped);
	frac = u32(h + 4, r->swapped);
	rec->caplen = caplen;
	rec->wirelen = u32(h + 12, r->swapped);
	rec->ts_ns = (uint64_t)sec * 1000000000ULL +
		     (r->nanos ? frac : (uint64_t)frac * 1000ULL);
	rec->data = h + RECORD_HEADER;
	r->pos += RECORD_HEADER + caplen;
	return 1;
}
