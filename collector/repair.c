/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Start-up repair of a pcap store: cutting crashed .part files back to
 * their last complete record, closing and indexing them, setting aside
 * what has no valid header and re-indexing closed files without a
 * sidecar. It reads pcap files itself (plain or LZ4 frames) and never
 * deletes a byte of valid data; it does not run beside the writers.
 */
#include "collector/repair.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/sidecar.h"
#include "shared/flowkey.h"
#include "shared/frame.h"
#include "shared/log.h"

#define NS_PER_SEC 1000000000ull
#define READ_BUFFER (1u << 20) /* holds the largest record several times */
#define LZ4_INPUT (256u << 10)
#define BROKEN_TRIES 100

/*
 * A sequential reader of a pcap file's bytes, decompressing an LZ4 frame
 * on the way when dctx is set. rd_take hands out n contiguous bytes.
 */
struct reader {
	int fd;                /* borrowed */
	LZ4F_dctx *dctx;       /* owned; NULL for a plain file */
	uint8_t *in;           /* owned: compressed input (lz4 only) */
	size_t in_len, in_off;
	bool in_eof;
	bool frame_done;       /* the LZ4 frame ended */
	uint8_t *buf;          /* owned: bytes not yet taken */
	size_t len, off;
	bool eof;              /* no more bytes will come */
	bool error;            /* a read or decompression error, in err */
	char err[128];
};

static int
rd_init(struct reader *r, int fd, bool lz4)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->buf = malloc(READ_BUFFER);
	if (r->buf == NULL) {
		return -1;
	}
	if (lz4) {
		r->in = malloc(LZ4_INPUT);
		if (r->in == NULL ||
		    LZ4F_isError(LZ4F_createDecompressionContext(&r->dctx,
								 LZ4F_VERSION))) {
			r->dctx = NULL;
			return -1;
		}
	}
	return 0;
}

static void
rd_finish(struct reader *r)
{
	if (r->dctx != NULL) {
		LZ4F_freeDecompressionContext(r->dctx);
	}
	free(r->in);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

static ssize_t
read_some(int fd, void *p, size_t n)
{
	ssize_t got;

	do {
		got = read(fd, p, n);
	} while (got < 0 && errno == EINTR);
	return got;
}

/* Append more bytes to buf[len..]; sets eof or error when none come. */
static void
rd_fill(struct reader *r)
{
	size_t room = READ_BUFFER - r->len;
	ssize_t got;

	if (r->dctx == NULL) {
		got = read_some(r->fd, r->buf + r->len, room);
		if (got < 0) {
			snprintf(r->err, sizeof(r->err), "read: %s",
				 strerror(errno));
			r->error = r->eof = true;
		} else if (got == 0) {
			r->eof = true;
		} else {
			r->len += (size_t)got;
		}
		return;
	}
	while (room > 0 && !r->eof) {
		size_t dst = room, src, hint;

		if (r->in_off == r->in_len && !r->in_eof) {
			got = read_some(r->fd, r->in, LZ4_INPUT);
			if (got < 0) {
				snprintf(r->err, sizeof(r->err), "read: %s",
					 strerror(errno));
				r->error = r->eof = true;
				return;
			}
			r->in_len = (size_t)got;
			r->in_off = 0;
			r->in_eof = got == 0;
		}
		if (r->frame_done || (r->in_eof && r->in_off == r->in_len)) {
			r->eof = true; /* a frame cut short also ends here */
			return;
		}
		src = r->in_len - r->in_off;
		hint = LZ4F_decompress(r->dctx, r->buf + r->len, &dst,
				       r->in + r->in_off, &src, NULL);
		if (LZ4F_isError(hint)) {
			snprintf(r->err, sizeof(r->err), "lz4: %s",
				 LZ4F_getErrorName(hint));
			r->error = r->eof = true;
			return;
		}
		r->in_off += src;
		r->len += dst;
		room -= dst;
		r->frame_done = hint == 0;
		if (dst > 0) {
			return;
		}
	}
}

/* n contiguous bytes (valid until the next call), or NULL at the end. */
static const uint8_t *
rd_take(struct reader *r, size_t n)
{
	const uint8_t *p;

	if (n > READ_BUFFER) {
		return NULL;
	}
	while (r->len - r->off < n) {
		if (r->eof) {
			return NULL;
		}
		if (r->off > 0) {
			memmove(r->buf, r->buf + r->off, r->len - r->off);
			r->len -= r->off;
			r->off = 0;
		}
		rd_fill(r);
	}
	p = r->buf + r->off;
	r->off += n;
	return p;
}

/* ---- walking a pcap ---- */

struct walk {
	bool swapped;          /* written on a host of the other byte order */
	bool nano;             /* nanosecond timestamps */
	uint32_t snaplen;      /* the limit a record's caplen must respect */
	uint32_t linktype;
	uint64_t valid_len;    /* header plus complete valid records */
	uint64_t records;
};

static uint32_t
u32(const uint8_t *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

static uint16_t
u16(const uint8_t *p, bool swapped)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return swapped ? __builtin_bswap16(v) : v;
}

/* Validate the 24-byte global header. */
static bool
parse_global(const uint8_t *h, struct walk *w)
{
	uint32_t magic;

	memset(w, 0, sizeof(*w));
	memcpy(&magic, h, 4);
	if (magic == PCAPSTORE_MAGIC_NS || magic == PCAPSTORE_MAGIC_US) {
		w->swapped = false;
	} else if (magic == __builtin_bswap32(PCAPSTORE_MAGIC_NS) ||
		   magic == __builtin_bswap32(PCAPSTORE_MAGIC_US)) {
		w->swapped = true;
	} else {
		return false;
	}
	w->nano = u32(h, w->swapped) == PCAPSTORE_MAGIC_NS;
	if (u16(h + 4, w->swapped) != 2 || u16(h + 6, w->swapped) != 4) {
		return false;
	}
	w->snaplen = u32(h + 16, w->swapped);
	if (w->snaplen == 0) {
		return false;
	}
	if (w->snaplen > PCAPSTORE_SNAPLEN) {
		w->snaplen = PCAPSTORE_SNAPLEN;
	}
	w->linktype = u32(h + 20, w->swapped) & 0xffff;
	w->valid_len = PCAPSTORE_HEADER_LEN;
	return true;
}

/* Account one record's frame in the index: its flow if it has one. */
static void
index_record(struct sidecar_builder *b, const struct walk *w, uint64_t ts_ns,
	     uint32_t wirelen, const uint8_t *data, uint32_t caplen)
{
	struct frame f;
	struct flowkey k;
	enum frame_err e;

	if (w->linktype != PCAPSTORE_LINKTYPE_ETHERNET) {
		sidecar_builder_add(b, ts_ns, wirelen, NULL, "");
		return;
	}
	memset(&f, 0, sizeof(f));
	e = frame_parse(data, caplen, &f);
	if (e == FRAME_ERR_SHORT_ETH) {
		sidecar_builder_add(b, ts_ns, wirelen, NULL, "");
		return;
	}
	/* on a later error f holds the layers parsed so far: key on those */
	flowkey_from_frame(&f, 0, &k, NULL);
	sidecar_builder_add(b, ts_ns, wirelen, &k, "");
}

/*
 * Walk the records after the global header, indexing each valid one, up
 * to the end or the first record that is incomplete or invalid.
 */
static void
walk_records(struct reader *r, struct walk *w, struct sidecar_builder *b)
{
	const uint8_t *h, *data;
	uint32_t sec, frac, caplen, wirelen;
	uint64_t ts_ns;

	for (;;) {
		h = rd_take(r, PCAPSTORE_RECORD_HEADER_LEN);
		if (h == NULL) {
			return;
		}
		sec = u32(h, w->swapped);
		frac = u32(h + 4, w->swapped);
		caplen = u32(h + 8, w->swapped);
		wirelen = u32(h + 12, w->swapped);
		if (caplen > w->snaplen || wirelen < caplen || wirelen == 0 ||
		    frac >= (w->nano ? NS_PER_SEC : 1000000u)) {
			return;
		}
		data = rd_take(r, caplen);
		if (data == NULL) {
			return;
		}
		ts_ns = (uint64_t)sec * NS_PER_SEC +
			(w->nano ? frac : (uint64_t)frac * 1000u);
		index_record(b, w, ts_ns, wirelen, data, caplen);
		w->valid_len += PCAPSTORE_RECORD_HEADER_LEN + caplen;
		w->records++;
	}
}

/*
 * Open dir/name and walk it. Returns 1 for a valid header (walk done),
 * 0 when the global header is missing or invalid, -1 on an I/O error
 * (logged).
 */
static int
walk_file(const char *dir, const char *name, bool lz4, struct walk *w,
	  struct sidecar_builder *b, uint64_t *size)
{
	char path[PATH_MAX];
	struct reader r = { .fd = -1 };
	const uint8_t *h;
	struct stat st;
	int fd = -1, rc = -1;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		log_warnx("repair: path too long: %s/%s", dir, name);
		goto fail;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		log_warn("repair: cannot open %s", path);
		goto fail;
	}
	*size = (uint64_t)st.st_size;
	if (rd_init(&r, fd, lz4) != 0) {
		log_warnx("repair: out of memory reading %s", path);
		goto fail;
	}
	sidecar_builder_reset(b);
	h = rd_take(&r, PCAPSTORE_HEADER_LEN);
	if (h == NULL || !parse_global(h, w)) {
		rc = r.error ? -1 : 0;
		if (r.error) {
			log_warnx("repair: %s: %s", path, r.err);
		}
		goto fail;
	}
	walk_records(&r, w, b);
	if (r.error && !lz4) {
		log_warnx("repair: %s: %s", path, r.err);
		goto fail;
	}
	/* a damaged LZ4 frame ends the valid part like a cut record */
	rc = 1;
fail:
	rd_finish(&r);
	if (fd >= 0) {
		close(fd);
	}
	return rc;
}

/* Rename a .part with no valid header aside; never delete it. */
static int
set_aside(const char *dir, const struct pcapstore_name *nm, const char *name)
{
	char from[PATH_MAX], to[PATH_MAX];
	int n;

	snprintf(from, sizeof(from), "%s/%s", dir, name);
	for (int i = 0; i < BROKEN_TRIES; i++) {
		if (i == 0) {
			n = snprintf(to, sizeof(to), "%s/%s.pcap.broken", dir,
				     nm->stem);
		} else {
			n = snprintf(to, sizeof(to), "%s/%s.pcap.broken.%d",
				     dir, nm->stem, i);
		}
		if (n < 0 || (size_t)n >= sizeof(to)) {
			break;
		}
		if (access(to, F_OK) == 0) {
			continue;
		}
		if (rename(from, to) != 0) {
			log_warn("repair: cannot rename %s aside", from);
			return -1;
		}
		log_warnx("repair: %s has no valid pcap header: set aside as %s",
			  from, strrchr(to, '/') + 1);
		return 0;
	}
	log_warnx("repair: no free .broken name for %s", from);
	return -1;
}

static void
repair_part(const char *dir, const char *name, enum pcapstore_compress compress,
	    struct sidecar_builder *b, struct repair_report *rep)
{
	char path[PATH_MAX], err[PCAPSTORE_ERRLEN];
	struct pcapstore_name nm;
	struct sidecar sc;
	struct walk w;
	uint64_t size = 0;
	int r;

	if (!pcapstore_name_parse(name, &nm)) {
		return;
	}
	r = walk_file(dir, name, false, &w, b, &size);
	if (r < 0) {
		rep->errors++;
		return;
	}
	if (r == 0) {
		if (set_aside(dir, &nm, name) == 0) {
			rep->parts_broken++;
		} else {
			rep->errors++;
		}
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (w.records == 0) {
		if (unlink(path) != 0) {
			log_warn("repair: cannot remove %s", path);
			rep->errors++;
			return;
		}
		log_info("repair: %s held no complete record: removed", path);
		rep->parts_empty++;
		return;
	}
	sc = *sidecar_builder_view(b); /* flows borrowed */
	if (pcapstore_seal(dir, name, w.valid_len, compress, &sc, err,
			   sizeof(err)) != 0) {
		log_warnx("repair: %s", err);
		rep->errors++;
		return;
	}
	log_info("repair: %s: kept %" PRIu64 " records (%" PRIu64
		 " bytes), cut %" PRIu64 " bytes, closed as %s",
		 path, w.records, w.valid_len, size - w.valid_len, sc.file);
	rep->parts_closed++;
	rep->packets_recovered += w.records;
	rep->bytes_cut += size - w.valid_len;
}

static void
rebuild_sidecar(const char *dir, const struct pcapstore_name *nm,
		const char *name, struct sidecar_builder *b,
		struct repair_report *rep)
{
	char path[PATH_MAX], err[PCAPSTORE_ERRLEN];
	bool lz4 = nm->kind == PCAPSTORE_KIND_LZ4;
	struct sidecar sc;
	struct walk w;
	uint64_t size = 0;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s.idx.json", dir, nm->stem) >=
		    (int)sizeof(path) ||
	    access(path, F_OK) == 0) {
		return;
	}
	r = walk_file(dir, name, lz4, &w, b, &size);
	if (r <= 0) {
		if (r == 0) {
			log_warnx("repair: %s/%s has no valid pcap header: "
				  "left without a sidecar",
				  dir, name);
		}
		rep->errors++;
		return;
	}
	sc = *sidecar_builder_view(b);
	snprintf(sc.file, sizeof(sc.file), "%s", name);
	sc.compressed = lz4;
	sc.pcap_size = w.valid_len;
	sc.file_size = size;
	if (sidecar_write(dir, &sc, err, sizeof(err)) != 0) {
		log_warnx("repair: %s", err);
		rep->errors++;
		return;
	}
	log_info("repair: %s/%s: sidecar rebuilt (%" PRIu64 " records)", dir,
		 name, w.records);
	rep->sidecars_rebuilt++;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of dir's entries that are the store's, sorted. */
static int
read_names(const char *dir, char ***names, size_t *count)
{
	char **v = NULL, **grown;
	size_t n = 0, alloc = 0;
	struct pcapstore_name nm;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (d == NULL) {
		log_warn("repair: cannot read %s", dir);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (!pcapstore_name_parse(de->d_name, &nm)) {
			continue;
		}
		if (n == alloc) {
			alloc = alloc == 0 ? 64 : alloc * 2;
			grown = realloc(v, alloc * sizeof(*v));
			if (grown == NULL) {
				goto fail;
			}
			v = grown;
		}
		v[n] = strdup(de->d_name);
		if (v[n] == NULL) {
			goto fail;
		}
		n++;
	}
	if (errno != 0) {
		log_warn("repair: cannot read %s", dir);
		goto fail_logged;
	}
	closedir(d);
	if (n > 0) {
		qsort(v, n, sizeof(*v), name_cmp);
	}
	*names = v;
	*count = n;
	return 0;
fail:
	log_warnx("repair: out of memory reading %s", dir);
fail_logged:
	closedir(d);
	while (n > 0) {
		free(v[--n]);
	}
	free(v);
	return -1;
}

int
repair_dir(const char *dir, enum pcapstore_compress compress,
	   struct repair_report *report)
{
	struct repair_report rep = { 0 };
	struct sidecar_builder *b = NULL;
	struct pcapstore_name nm;
	char **names = NULL, path[PATH_MAX];
	size_t n = 0;
	int rc = -1;

	if (read_names(dir, &names, &n) != 0) {
		rep.errors++;
		goto fail;
	}
	b = sidecar_builder_create(SIDECAR_FLOWS_DEFAULT);
	if (b == NULL) {
		log_warnx("repair: out of memory");
		rep.errors++;
		goto fail;
	}
	/* an interrupted close: its .part (or closed file) is still there */
	for (size_t i = 0; i < n; i++) {
		if (!pcapstore_name_parse(names[i], &nm) ||
		    (nm.kind != PCAPSTORE_KIND_LZ4_TMP &&
		     nm.kind != PCAPSTORE_KIND_INDEX_TMP)) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (unlink(path) != 0 && errno != ENOENT) {
			log_warn("repair: cannot remove %s", path);
			rep.errors++;
		} else {
			rep.temps_removed++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (pcapstore_name_parse(names[i], &nm) &&
		    nm.kind == PCAPSTORE_KIND_PART) {
			repair_part(dir, names[i], compress, b, &rep);
		}
	}
	/* closed files: those sealed above already have their sidecar */
	for (size_t i = 0; i < n; i++) {
		if (pcapstore_name_parse(names[i], &nm) &&
		    (nm.kind == PCAPSTORE_KIND_PCAP ||
		     nm.kind == PCAPSTORE_KIND_LZ4)) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if (access(path, F_OK) == 0) {
				rebuild_sidecar(dir, &nm, names[i], b, &rep);
			}
		}
	}
	if (rep.sidecars_rebuilt > 0 || rep.temps_removed > 0) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0 || fsync(dfd) != 0) {
			log_warn("repair: fsync %s", dir);
			rep.errors++;
		}
		if (dfd >= 0) {
			close(dfd);
		}
	}
	rc = rep.errors == 0 ? 0 : -1;
fail:
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
	sidecar_builder_destroy(b);
	if (report != NULL) {
		*report = rep;
	}
	return rc;
}

int
repair_file(const char *dir, const char *name, enum pcapstore_compress compress)
{
	struct sidecar_builder *b = sidecar_builder_create(0);
	struct repair_report rep = { 0 };
	struct pcapstore_name nm;

	if (b == NULL || !pcapstore_name_parse(name, &nm)) {
		sidecar_builder_destroy(b);
		return -1;
	}
	if (nm.kind == PCAPSTORE_KIND_PART) {
		repair_part(dir, name, compress, b, &rep);
	} else if (nm.kind == PCAPSTORE_KIND_PCAP || nm.kind == PCAPSTORE_KIND_LZ4) {
		rebuild_sidecar(dir, &nm, name, b, &rep);
	}
	sidecar_builder_destroy(b);
	return rep.errors == 0 ? 0 : -1;
}
