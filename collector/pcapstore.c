/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pcap store's writer: buffered pcap files per worker, rotation by
 * size and time, sealing (fsync, rename or LZ4, sidecar) and surviving
 * write failures; plus the store's file names and its directory listing.
 * It does not repair files left by a crash (repair.c) nor delete any
 * (retention.c).
 */
#include "collector/pcapstore.h"

#include "collector/repair.h"
#include "collector/summaries.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <lz4frame.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shared/log.h"

#define NS_PER_SEC 1000000000ull
#define PREFIX_MAX 64
#define TS_SEC_MAX UINT32_MAX              /* pcap seconds are 32 bits */
#define ROTATE_SECONDS_MAX (3660ull * 86400) /* ten years */
#define NAME_TRIES 1000                    /* ns added looking for a free name */
#define LZ4_CHUNK (1u << 20)
#define TIME_LEN 26                        /* "YYYYMMDDTHHMMSS.NNNNNNNNNZ" */
#define LOG_INTERVAL_MS 60000u             /* at most one failure/recovery line */

struct pcapstore {
	char *dir;                 /* owned */
	char *prefix;              /* owned */
	unsigned worker;
	uint64_t rotate_bytes;     /* 0: none */
	uint64_t rotate_ns;        /* 0: none */
	enum pcapstore_compress compress;
	unsigned retry_ms;

	/* the open file; fd -1 when there is none */
	int fd;
	char part[PCAPSTORE_NAME_MAX]; /* its name: NAME.pcap.part */
	uint64_t file_bytes;       /* its size once the buffer is written */
	uint64_t flushed_bytes;    /* bytes known to be in it */
	uint64_t window_end_ns;    /* time rotation; UINT64_MAX without */
	uint64_t last_name_ns;     /* time of the last name used */
	struct sidecar_builder *index; /* owned: the open file's summary */
	struct {                   /* totals of the flushed records */
		uint64_t first_ns, last_ns, packets, bytes;
	} committed;

	uint8_t *buf;              /* owned: records not yet written */
	size_t buf_size;
	size_t buf_len;
	uint64_t buf_pkts;         /* records in buf */

	bool failing;              /* since the last failure, until a success */
	uint64_t retry_at_ms;      /* CLOCK_MONOTONIC: next attempt */
	uint64_t logged_at_ms;     /* last failure/recovery line; 0 never */
	bool log_pending;          /* a state change not logged yet */

	/* files whose close failed (disk full, read-only): retried */
	char unsealed[PCAPSTORE_UNSEALED_MAX][PCAPSTORE_NAME_MAX];
	unsigned nunsealed;

	/* read by other threads */
	atomic_bool rotate_requested;
	atomic_bool last_ok;
	pthread_mutex_t lock;      /* guards last_error and current */
	char last_error[PCAPSTORE_ERRLEN];
	char current[PCAPSTORE_NAME_MAX];
	_Atomic uint64_t packets, bytes, files_closed, write_errors;
	_Atomic uint64_t packets_lost, packets_invalid;
	_Atomic uint64_t current_packets, current_bytes;
};

/* Single writer: a relaxed load and store, no locked instruction. */
static inline void
bump(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static inline void
set(_Atomic uint64_t *c, uint64_t v)
{
	atomic_store_explicit(c, v, memory_order_relaxed);
}

static inline uint64_t
get(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
write_all(int fd, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len > 0) {
		ssize_t n = write(fd, b, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
pread_all(int fd, void *p, size_t len, uint64_t off)
{
	uint8_t *b = p;

	while (len > 0) {
		ssize_t n = pread(fd, b, len, (off_t)off);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -1;
		}
		if (n == 0) {
			errno = ENODATA; /* shorter than promised */
			return -1;
		}
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static bool
join(char *out, size_t outlen, const char *dir, const char *name,
     const char *suffix)
{
	int n = snprintf(out, outlen, "%s/%s%s", dir, name, suffix);

	return n > 0 && (size_t)n < outlen;
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		return -1;
	}
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The 24-byte pcap global header, host byte order. */
static void
global_header(uint8_t out[PCAPSTORE_HEADER_LEN])
{
	uint32_t magic = PCAPSTORE_MAGIC_NS, snaplen = PCAPSTORE_SNAPLEN;
	uint32_t linktype = PCAPSTORE_LINKTYPE_ETHERNET, zero = 0;
	uint16_t major = 2, minor = 4;

	memcpy(out, &magic, 4);
	memcpy(out + 4, &major, 2);
	memcpy(out + 6, &minor, 2);
	memcpy(out + 8, &zero, 4);  /* thiszone */
	memcpy(out + 12, &zero, 4); /* sigfigs */
	memcpy(out + 16, &snaplen, 4);
	memcpy(out + 20, &linktype, 4);
}

/* ---- names ---- */

static bool
prefix_ok(const char *p, size_t len)
{
	if (len == 0 || len > PREFIX_MAX || p[0] == '.') {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-')) {
			return false;
		}
	}
	return true;
}

bool
pcapstore_name_format(const char *prefix, unsigned worker, uint64_t start_ns,
		      char *out, size_t outlen)
{
	time_t sec = (time_t)(start_ns / NS_PER_SEC);
	struct tm tm;
	int n;

	if (!prefix_ok(prefix, strlen(prefix)) ||
	    start_ns / NS_PER_SEC > TS_SEC_MAX || gmtime_r(&sec, &tm) == NULL) {
		return false;
	}
	n = snprintf(out, outlen, "%s-w%u-%04d%02d%02dT%02d%02d%02d.%09" PRIu64 "Z",
		     prefix, worker, tm.tm_year + 1900, tm.tm_mon + 1,
		     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     (uint64_t)(start_ns % NS_PER_SEC));
	return n > 0 && (size_t)n < outlen;
}

static bool
digits(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return true;
}

/* "YYYYMMDDTHHMMSS.NNNNNNNNNZ" to ns; rejects dates that do not exist. */
static bool
parse_time(const char *s, uint64_t *ns)
{
	uint64_t y, mo, d, h, mi, se, frac;
	struct tm tm = { 0 }, back;
	time_t t;

	if (!digits(s, 4, &y) || !digits(s + 4, 2, &mo) ||
	    !digits(s + 6, 2, &d) || s[8] != 'T' || !digits(s + 9, 2, &h) ||
	    !digits(s + 11, 2, &mi) || !digits(s + 13, 2, &se) ||
	    s[15] != '.' || !digits(s + 16, 9, &frac) || s[25] != 'Z') {
		return false;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 59) {
		return false;
	}
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)mo - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)se;
	t = timegm(&tm);
	if (t < 0 || (uint64_t)t > TS_SEC_MAX || gmtime_r(&t, &back) == NULL ||
	    back.tm_mday != (int)d || back.tm_mon != (int)mo - 1) {
		return false;
	}
	*ns = (uint64_t)t * NS_PER_SEC + frac;
	return true;
}

static const struct {
	const char *suffix;
	enum pcapstore_kind kind;
} kinds[] = {
	{ ".pcap.part", PCAPSTORE_KIND_PART },
	{ ".pcap", PCAPSTORE_KIND_PCAP },
	{ ".pcap.lz4", PCAPSTORE_KIND_LZ4 },
	{ ".idx.json", PCAPSTORE_KIND_INDEX },
	{ ".pcap.broken", PCAPSTORE_KIND_BROKEN },
	{ ".pcap.lz4.tmp", PCAPSTORE_KIND_LZ4_TMP },
	{ ".idx.json.tmp", PCAPSTORE_KIND_INDEX_TMP },
};

bool
pcapstore_name_parse(const char *name, struct pcapstore_name *out)
{
	size_t len = strlen(name), stem = 0, w;
	uint64_t worker;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].suffix);

		if (len > n && memcmp(name + len - n, kinds[i].suffix, n) == 0) {
			stem = len - n;
			out->kind = kinds[i].kind;
			break;
		}
	}
	/* PREFIX "-w" digits "-" time */
	if (stem == 0 || stem >= PCAPSTORE_NAME_MAX || stem < TIME_LEN + 5 ||
	    name[stem - TIME_LEN - 1] != '-' ||
	    !parse_time(name + stem - TIME_LEN, &out->start_ns)) {
		return false;
	}
	w = stem - TIME_LEN - 1; /* index of the '-' before the time */
	size_t d = w;
	while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9') {
		d--;
	}
	if (d == w || w - d > 9 || d < 3 || name[d - 1] != 'w' ||
	    name[d - 2] != '-' || !digits(name + d, w - d, &worker) ||
	    !prefix_ok(name, d - 2)) {
		return false;
	}
	out->worker = (unsigned)worker;
	memcpy(out->stem, name, stem);
	out->stem[stem] = '\0';
	return true;
}

/* ---- sealing ---- */

/* Compress len bytes of in_fd into a new LZ4 frame file at path. */
static int
compress_lz4(int in_fd, uint64_t len, const char *path, uint64_t *out_size,
	     char *err, size_t errlen)
{
	LZ4F_preferences_t prefs;
	LZ4F_cctx *cctx = NULL;
	uint8_t *in = NULL, *out = NULL;
	size_t bound, n;
	struct stat st;
	int fd = -1, rc = -1;

	memset(&prefs, 0, sizeof(prefs));
	prefs.frameInfo.blockSizeID = LZ4F_max1MB;
	prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
	prefs.frameInfo.contentSize = len;
	bound = LZ4F_compressBound(LZ4_CHUNK, &prefs);
	if (LZ4F_isError(LZ4F_createCompressionContext(&cctx, LZ4F_VERSION))) {
		cctx = NULL;
		snprintf(err, errlen, "lz4: cannot create a context");
		goto fail;
	}
	in = malloc(LZ4_CHUNK);
	out = malloc(bound);
	if (in == NULL || out == NULL) {
		snprintf(err, errlen, "lz4: out of memory");
		goto fail;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path,
			 strerror(errno));
		goto fail;
	}
	n = LZ4F_compressBegin(cctx, out, bound, &prefs);
	if (LZ4F_isError(n)) {
		snprintf(err, errlen, "lz4: %s", LZ4F_getErrorName(n));
		goto fail;
	}
	if (write_all(fd, out, n) != 0) {
		goto fail_write;
	}
	for (uint64_t off = 0; off < len;) {
		size_t chunk = len - off < LZ4_CHUNK ? (size_t)(len - off)
						     : LZ4_CHUNK;

		if (pread_all(in_fd, in, chunk, off) != 0) {
			snprintf(err, errlen, "cannot read back %s: %s", path,
				 strerror(errno));
			goto fail;
		}
		n = LZ4F_compressUpdate(cctx, out, bound, in, chunk, NULL);
		if (LZ4F_isError(n)) {
			snprintf(err, errlen, "lz4: %s", LZ4F_getErrorName(n));
			goto fail;
		}
		if (write_all(fd, out, n) != 0) {
			goto fail_write;
		}
		off += chunk;
	}
	n = LZ4F_compressEnd(cctx, out, bound, NULL);
	if (LZ4F_isError(n)) {
		snprintf(err, errlen, "lz4: %s", LZ4F_getErrorName(n));
		goto fail;
	}
	if (write_all(fd, out, n) != 0 || fsync(fd) != 0 || fstat(fd, &st) != 0) {
		goto fail_write;
	}
	*out_size = (uint64_t)st.st_size;
	rc = 0;
	goto done;
fail_write:
	snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
fail:
	if (fd >= 0) {
		unlink(path);
	}
done:
	if (fd >= 0 && close(fd) != 0 && rc == 0) {
		snprintf(err, errlen, "close %s: %s", path, strerror(errno));
		unlink(path);
		rc = -1;
	}
	LZ4F_freeCompressionContext(cctx);
	free(in);
	free(out);
	return rc;
}

int
pcapstore_seal(const char *dir, const char *part_name, uint64_t valid_len,
	       enum pcapstore_compress compress, struct sidecar *sc, char *err,
	       size_t errlen)
{
	bool lz4 = compress == PCAPSTORE_COMPRESS_LZ4;
	const char *fsuffix = lz4 ? ".pcap.lz4" : ".pcap";
	const char *osuffix = lz4 ? ".pcap" : ".pcap.lz4";
	char part[PATH_MAX], final[PATH_MAX], other[PATH_MAX], tmp[PATH_MAX];
	char sidecar_err[PCAPSTORE_ERRLEN], index[PCAPSTORE_NAME_MAX + 16];
	struct pcapstore_name nm;
	struct stat st;
	uint64_t file_size = valid_len;
	int fd = -1, rc = -1;

	if (!pcapstore_name_parse(part_name, &nm) ||
	    nm.kind != PCAPSTORE_KIND_PART) {
		snprintf(err, errlen, "'%s' is not a .pcap.part name", part_name);
		goto fail;
	}
	if (!join(part, sizeof(part), dir, part_name, "") ||
	    !join(final, sizeof(final), dir, nm.stem, fsuffix) ||
	    !join(other, sizeof(other), dir, nm.stem, osuffix) ||
	    !join(tmp, sizeof(tmp), dir, nm.stem, ".pcap.lz4.tmp")) {
		snprintf(err, errlen, "path too long in %s", dir);
		goto fail;
	}
	if (valid_len < PCAPSTORE_HEADER_LEN) {
		snprintf(err, errlen, "%s: %" PRIu64 " bytes is no pcap", part,
			 valid_len);
		goto fail;
	}
	fd = open(part, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot open %s: %s", part,
			 strerror(errno));
		goto fail;
	}
	if ((uint64_t)st.st_size < valid_len) {
		snprintf(err, errlen, "%s: %jd bytes, expected %" PRIu64, part,
			 (intmax_t)st.st_size, valid_len);
		goto fail;
	}
	/* drop a record cut short by a crash or a failed write */
	if ((uint64_t)st.st_size > valid_len &&
	    ftruncate(fd, (off_t)valid_len) != 0) {
		snprintf(err, errlen, "cannot truncate %s: %s", part,
			 strerror(errno));
		goto fail;
	}
	if (fsync(fd) != 0) {
		snprintf(err, errlen, "fsync %s: %s", part, strerror(errno));
		goto fail;
	}
	if (lz4) {
		if (compress_lz4(fd, valid_len, tmp, &file_size, err, errlen) !=
		    0) {
			goto fail;
		}
		if (rename(tmp, final) != 0) {
			snprintf(err, errlen, "rename %s: %s", tmp,
				 strerror(errno));
			unlink(tmp);
			goto fail;
		}
	} else if (rename(part, final) != 0) {
		snprintf(err, errlen, "rename %s: %s", part, strerror(errno));
		goto fail;
	}

	/* The data is closed; what follows is bookkeeping around it. */
	rc = 0;
	if (unlink(other) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s: %s", other,
			 strerror(errno));
		rc = -1;
	}
	if (lz4 && unlink(part) != 0) {
		snprintf(err, errlen, "cannot remove %s: %s", part,
			 strerror(errno));
		rc = -1;
	}
	if (snprintf(sc->file, sizeof(sc->file), "%s%s", nm.stem, fsuffix) >=
	    (int)sizeof(sc->file)) {
		snprintf(err, errlen, "name too long: %s%s", nm.stem, fsuffix);
		rc = -1;
		goto fail;
	}
	sc->compressed = lz4;
	sc->pcap_size = valid_len;
	sc->file_size = file_size;
	if (sidecar_write(dir, sc, sidecar_err, sizeof(sidecar_err)) != 0) {
		snprintf(err, errlen, "%s", sidecar_err);
		rc = -1;
	} else if (sidecar_name_for(sc->file, index, sizeof(index))) {
		/* listings need not parse what was just written */
		summaries_put_sealed(dir, sc->file, index, sc->first_ns,
				     sc->last_ns, sc->packets, sc->bytes,
				     sc->flow_count, sc->flows_truncated);
	}
	if (fsync_dir(dir) != 0) {
		snprintf(err, errlen, "fsync %s: %s", dir, strerror(errno));
		rc = -1;
	}
fail:
	if (fd >= 0) {
		close(fd);
	}
	return rc;
}

/* ---- the writer ---- */

static void
set_current(struct pcapstore *ps, const char *name)
{
	pthread_mutex_lock(&ps->lock);
	snprintf(ps->current, sizeof(ps->current), "%s", name);
	pthread_mutex_unlock(&ps->lock);
}

/*
 * Log the failing/working state, at most once per LOG_INTERVAL_MS: a disk
 * that is full flips between the two at every retry. A change that comes
 * too soon stays pending and pcapstore_tick logs the state later.
 */
static void
log_state(struct pcapstore *ps)
{
	uint64_t now = mono_ms();
	char text[PCAPSTORE_ERRLEN];

	if (ps->logged_at_ms != 0 && now - ps->logged_at_ms < LOG_INTERVAL_MS) {
		ps->log_pending = true;
		return;
	}
	ps->log_pending = false;
	ps->logged_at_ms = now;
	if (!ps->failing) {
		log_info("pcap store w%u: writing to %s again (%" PRIu64
			 " write errors, %" PRIu64 " packets lost so far)",
			 ps->worker, ps->dir, get(&ps->write_errors),
			 get(&ps->packets_lost));
		return;
	}
	pthread_mutex_lock(&ps->lock);
	snprintf(text, sizeof(text), "%s", ps->last_error);
	pthread_mutex_unlock(&ps->lock);
	log_warnx("pcap store w%u: %s (%" PRIu64 " write errors, %" PRIu64
		  " packets lost so far; retrying every %u ms)",
		  ps->worker, text, get(&ps->write_errors),
		  get(&ps->packets_lost), ps->retry_ms);
}

/* Remember a failure: health turns bad and the next attempt waits retry_ms. */
static void
note_failure(struct pcapstore *ps, const char *text)
{
	pthread_mutex_lock(&ps->lock);
	snprintf(ps->last_error, sizeof(ps->last_error), "%s", text);
	pthread_mutex_unlock(&ps->lock);
	atomic_store(&ps->last_ok, false);
	ps->retry_at_ms = mono_ms() + ps->retry_ms;
	if (!ps->failing) {
		ps->failing = true;
		log_state(ps);
	}
}

static void
fail(struct pcapstore *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A failed file operation: counted, then note_failure. */
static void
fail(struct pcapstore *ps, const char *fmt, ...)
{
	char text[PCAPSTORE_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	bump(&ps->write_errors, 1);
	note_failure(ps, text);
}

static void
note_success(struct pcapstore *ps)
{
	if (ps->failing) {
		ps->failing = false;
		log_state(ps);
	}
	atomic_store(&ps->last_ok, true);
}

static bool
name_taken(const struct pcapstore *ps, const char *stem)
{
	static const char *const suffixes[] = { ".pcap.part", ".pcap",
						".pcap.lz4", ".idx.json",
						".pcap.broken" };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (join(path, sizeof(path), ps->dir, stem, suffixes[i]) &&
		    access(path, F_OK) == 0) {
			return true;
		}
	}
	return false;
}

/* Start NAME.pcap.part for a first record at ts_ns; its header is written at once. */
static int
open_file(struct pcapstore *ps, uint64_t ts_ns)
{
	uint8_t header[PCAPSTORE_HEADER_LEN];
	char stem[PCAPSTORE_NAME_MAX], path[PATH_MAX];
	uint64_t name_ns;
	int fd = -1, tries;

	if (ps->failing && mono_ms() < ps->retry_at_ms) {
		return -1;
	}
	name_ns = ts_ns > ps->last_name_ns ? ts_ns : ps->last_name_ns + 1;
	for (tries = 0; tries < NAME_TRIES; tries++, name_ns++) {
		if (!pcapstore_name_format(ps->prefix, ps->worker, name_ns, stem,
					   sizeof(stem)) ||
		    !join(path, sizeof(path), ps->dir, stem, ".pcap.part")) {
			fail(ps, "no file name for time %" PRIu64, name_ns);
			goto fail;
		}
		if (name_taken(ps, stem)) {
			continue;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (fd >= 0) {
			break;
		}
		if (errno != EEXIST) {
			fail(ps, "cannot create %s: %s", path, strerror(errno));
			goto fail;
		}
	}
	if (fd < 0) {
		fail(ps, "no free file name in %s near %s", ps->dir, stem);
		goto fail;
	}
	global_header(header);
	if (write_all(fd, header, sizeof(header)) != 0) {
		fail(ps, "cannot write %s: %s", path, strerror(errno));
		goto fail;
	}

	if (snprintf(ps->part, sizeof(ps->part), "%s.pcap.part", stem) >=
	    (int)sizeof(ps->part)) {
		fail(ps, "file name too long: %s.pcap.part", stem);
		goto fail;
	}
	ps->fd = fd;
	ps->file_bytes = ps->flushed_bytes = PCAPSTORE_HEADER_LEN;
	ps->last_name_ns = name_ns;
	ps->window_end_ns = UINT64_MAX;
	if (ps->rotate_ns != 0) {
		ps->window_end_ns = (ts_ns / ps->rotate_ns + 1) * ps->rotate_ns;
	}
	sidecar_builder_reset(ps->index);
	memset(&ps->committed, 0, sizeof(ps->committed));
	set(&ps->current_packets, 0);
	set(&ps->current_bytes, PCAPSTORE_HEADER_LEN);
	set_current(ps, ps->part);
	note_success(ps);
	return 0;
fail:
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	return -1;
}

/*
 * A file whose close failed is closed later, by the repair code, once the
 * directory takes writes again (retry_unsealed); past the list's size it
 * waits for the next start-up's repair.
 */
static void
remember_unsealed(struct pcapstore *ps, const char *part)
{
	if (ps->nunsealed == PCAPSTORE_UNSEALED_MAX) {
		log_warnx("pcap store w%u: %s left for the next start-up's repair",
			  ps->worker, part);
		return;
	}
	snprintf(ps->unsealed[ps->nunsealed++], PCAPSTORE_NAME_MAX, "%s", part);
}

/* 0 when name exists in the store directory. */
static int
exists(const struct pcapstore *ps, const char *name)
{
	char path[PATH_MAX];

	return join(path, sizeof(path), ps->dir, name, "") && access(path, F_OK) == 0 ? 0 : -1;
}

/*
 * Try again to close what failed to close: the .part if it is still
 * there, else give the renamed data file the sidecar it may lack.
 */
static void
retry_unsealed(struct pcapstore *ps)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < ps->nunsealed; i++) {
		const char *part = ps->unsealed[i];
		char name[PCAPSTORE_NAME_MAX];
		size_t n = strlen(part) - strlen(".part");
		int rc;

		if (exists(ps, part) == 0) {
			rc = repair_file(ps->dir, part, ps->compress);
		} else {
			snprintf(name, sizeof(name), "%.*s%s", (int)n, part,
				 ps->compress == PCAPSTORE_COMPRESS_LZ4 ? ".lz4" : "");
			rc = exists(ps, name) == 0 ? repair_file(ps->dir, name, ps->compress) : 0;
		}
		if (rc == 0) {
			bump(&ps->files_closed, 1);
			log_info("pcap store w%u: %s closed after the fault", ps->worker, part);
		} else if (kept != i) {
			memcpy(ps->unsealed[kept++], part, PCAPSTORE_NAME_MAX);
		} else {
			kept++;
		}
	}
	ps->nunsealed = kept;
}

/*
 * Close the open file and seal it (flushed_bytes of it). A file that holds
 * no record (its first write failed) is removed instead.
 */
static int
seal_open_file(struct pcapstore *ps)
{
	char err[PCAPSTORE_ERRLEN], path[PATH_MAX];
	struct sidecar sc;
	int rc = 0;

	close(ps->fd);
	ps->fd = -1;
	if (ps->committed.packets == 0) {
		if (join(path, sizeof(path), ps->dir, ps->part, "")) {
			unlink(path);
		}
	} else {
		sc = *sidecar_builder_view(ps->index); /* flows borrowed */
		sc.first_ns = ps->committed.first_ns;
		sc.last_ns = ps->committed.last_ns;
		sc.packets = ps->committed.packets;
		sc.bytes = ps->committed.bytes;
		if (pcapstore_seal(ps->dir, ps->part, ps->flushed_bytes,
				   ps->compress, &sc, err, sizeof(err)) != 0) {
			fail(ps, "%s", err);
			remember_unsealed(ps, ps->part);
			rc = -1;
		} else {
			bump(&ps->files_closed, 1);
		}
	}
	ps->part[0] = '\0';
	ps->buf_len = 0;
	ps->buf_pkts = 0;
	sidecar_builder_reset(ps->index);
	set(&ps->current_packets, 0);
	set(&ps->current_bytes, 0);
	set_current(ps, "");
	return rc;
}

int
pcapstore_flush(struct pcapstore *ps)
{
	const struct sidecar *v;

	if (ps->fd < 0 || ps->buf_len == 0) {
		return 0;
	}
	if (write_all(ps->fd, ps->buf, ps->buf_len) != 0) {
		/*
		 * Part of the buffer may be in the file: sealing cuts the
		 * file back to flushed_bytes, the last whole record written.
		 */
		fail(ps, "cannot write %s/%s: %s", ps->dir, ps->part,
		     strerror(errno));
		bump(&ps->packets_lost, ps->buf_pkts);
		ps->buf_len = 0;
		ps->buf_pkts = 0;
		ps->file_bytes = ps->flushed_bytes;
		seal_open_file(ps);
		return -1;
	}
	ps->flushed_bytes += ps->buf_len;
	bump(&ps->packets, ps->buf_pkts);
	bump(&ps->bytes, ps->buf_len);
	ps->buf_len = 0;
	ps->buf_pkts = 0;
	v = sidecar_builder_view(ps->index);
	ps->committed.first_ns = v->first_ns;
	ps->committed.last_ns = v->last_ns;
	ps->committed.packets = v->packets;
	ps->committed.bytes = v->bytes;
	note_success(ps);
	return 0;
}

int
pcapstore_close(struct pcapstore *ps)
{
	if (ps->fd < 0) {
		return 0;
	}
	if (pcapstore_flush(ps) != 0) {
		return -1; /* the flush already sealed what was written */
	}
	return seal_open_file(ps);
}

int
pcapstore_rotate(struct pcapstore *ps)
{
	return pcapstore_close(ps);
}

void
pcapstore_request_rotate(struct pcapstore *ps)
{
	atomic_store(&ps->rotate_requested, true);
}

static int
rotate_if_requested(struct pcapstore *ps)
{
	if (!atomic_load_explicit(&ps->rotate_requested, memory_order_relaxed) ||
	    !atomic_exchange(&ps->rotate_requested, false)) {
		return 0;
	}
	return pcapstore_close(ps);
}

int
pcapstore_write(struct pcapstore *ps, uint64_t ts_ns, const uint8_t *frame,
		uint32_t caplen, uint32_t wirelen, const struct flowkey *key,
		const char *proto)
{
	uint32_t hdr[4];
	size_t rec;

	(void)rotate_if_requested(ps);
	if (frame == NULL || caplen == 0 || ts_ns / NS_PER_SEC > TS_SEC_MAX) {
		bump(&ps->packets_invalid, 1);
		return -1;
	}
	if (caplen > PCAPSTORE_SNAPLEN) {
		caplen = PCAPSTORE_SNAPLEN;
	}
	if (wirelen < caplen) {
		wirelen = caplen;
	}
	rec = PCAPSTORE_RECORD_HEADER_LEN + caplen;

	if (ps->fd >= 0 &&
	    (ts_ns >= ps->window_end_ns ||
	     (ps->rotate_bytes != 0 &&
	      ps->file_bytes > PCAPSTORE_HEADER_LEN &&
	      ps->file_bytes + rec > ps->rotate_bytes))) {
		(void)pcapstore_close(ps);
	}
	if (ps->fd < 0 && open_file(ps, ts_ns) != 0) {
		bump(&ps->packets_lost, 1);
		return -1;
	}
	if (ps->buf_len + rec > ps->buf_size && pcapstore_flush(ps) != 0) {
		bump(&ps->packets_lost, 1);
		return -1;
	}

	hdr[0] = (uint32_t)(ts_ns / NS_PER_SEC);
	hdr[1] = (uint32_t)(ts_ns % NS_PER_SEC);
	hdr[2] = caplen;
	hdr[3] = wirelen;
	memcpy(ps->buf + ps->buf_len, hdr, sizeof(hdr));
	memcpy(ps->buf + ps->buf_len + sizeof(hdr), frame, caplen);
	ps->buf_len += rec;
	ps->buf_pkts++;
	ps->file_bytes += rec;
	sidecar_builder_add(ps->index, ts_ns, wirelen, key, proto);
	bump(&ps->current_packets, 1);
	set(&ps->current_bytes, ps->file_bytes);
	return 0;
}

/* While failing without traffic: does the directory take a file again? */
static int
probe(struct pcapstore *ps)
{
	uint8_t header[PCAPSTORE_HEADER_LEN];
	char path[PATH_MAX], text[PCAPSTORE_ERRLEN];
	int fd = -1, rc = -1;

	snprintf(path, sizeof(path), "%s/.%s-w%u.probe", ps->dir, ps->prefix,
		 ps->worker);
	global_header(header);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, header, sizeof(header)) != 0) {
		snprintf(text, sizeof(text), "cannot write in %s: %s", ps->dir,
			 strerror(errno));
		note_failure(ps, text); /* not counted: no data was at stake */
		goto fail;
	}
	rc = 0;
	note_success(ps);
fail:
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	return rc;
}

int
pcapstore_tick(struct pcapstore *ps, uint64_t now_ns)
{
	int rc = rotate_if_requested(ps);

	if (ps->fd >= 0 && now_ns >= ps->window_end_ns) {
		rc |= pcapstore_close(ps);
	} else if (ps->fd >= 0) {
		rc |= pcapstore_flush(ps);
	} else if (ps->failing && mono_ms() >= ps->retry_at_ms) {
		rc |= probe(ps);
	}
	if (ps->nunsealed > 0 && !ps->failing) {
		retry_unsealed(ps);
	}
	if (ps->log_pending) {
		log_state(ps);
	}
	return rc == 0 ? 0 : -1;
}

struct pcapstore *
pcapstore_create(const struct pcapstore_config *cfg, char *err, size_t errlen)
{
	const char *prefix = cfg->prefix != NULL ? cfg->prefix : "vtap";
	struct pcapstore *ps = NULL;
	struct stat st;

	if (cfg->dir == NULL || cfg->dir[0] == '\0' ||
	    strlen(cfg->dir) + PCAPSTORE_NAME_MAX + 2 > PATH_MAX) {
		snprintf(err, errlen, "pcap directory: empty or too long");
		goto fail;
	}
	if (!prefix_ok(prefix, strlen(prefix))) {
		snprintf(err, errlen,
			 "file prefix '%s': want 1..%d of [A-Za-z0-9._-]",
			 prefix, PREFIX_MAX);
		goto fail;
	}
	if (cfg->rotate_seconds > ROTATE_SECONDS_MAX) {
		snprintf(err, errlen, "rotate seconds %" PRIu64 ": at most %llu",
			 cfg->rotate_seconds, ROTATE_SECONDS_MAX);
		goto fail;
	}
	if (stat(cfg->dir, &st) != 0) {
		snprintf(err, errlen, "pcap directory '%s': %s", cfg->dir,
			 strerror(errno));
		goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "pcap directory '%s': not a directory",
			 cfg->dir);
		goto fail;
	}
	ps = calloc(1, sizeof(*ps));
	if (ps == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	pthread_mutex_init(&ps->lock, NULL);
	ps->fd = -1;
	ps->window_end_ns = UINT64_MAX;
	atomic_init(&ps->last_ok, true);
	atomic_init(&ps->rotate_requested, false);
	ps->worker = cfg->worker;
	ps->rotate_bytes = cfg->rotate_bytes;
	ps->rotate_ns = cfg->rotate_seconds * NS_PER_SEC;
	ps->compress = cfg->compress;
	ps->retry_ms = cfg->retry_ms != 0 ? cfg->retry_ms
					  : PCAPSTORE_RETRY_MS_DEFAULT;
	ps->buf_size = cfg->buffer_bytes != 0 ? cfg->buffer_bytes
					      : PCAPSTORE_BUFFER_DEFAULT;
	if (ps->buf_size < PCAPSTORE_RECORD_HEADER_LEN + PCAPSTORE_SNAPLEN) {
		ps->buf_size = PCAPSTORE_RECORD_HEADER_LEN + PCAPSTORE_SNAPLEN;
	}
	ps->dir = strdup(cfg->dir);
	ps->prefix = strdup(prefix);
	ps->buf = malloc(ps->buf_size);
	ps->index = sidecar_builder_create(cfg->max_flows);
	if (ps->dir == NULL || ps->prefix == NULL || ps->buf == NULL ||
	    ps->index == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return ps;
fail:
	pcapstore_destroy(ps);
	return NULL;
}

void
pcapstore_destroy(struct pcapstore *ps)
{
	if (ps == NULL) {
		return;
	}
	(void)pcapstore_close(ps);
	if (ps->nunsealed > 0) {
		retry_unsealed(ps);
	}
	for (unsigned i = 0; i < ps->nunsealed; i++) {
		log_warnx("pcap store w%u: %s left for the next start-up's repair",
			  ps->worker, ps->unsealed[i]);
	}
	sidecar_builder_destroy(ps->index);
	free(ps->buf);
	free(ps->prefix);
	free(ps->dir);
	pthread_mutex_destroy(&ps->lock);
	free(ps);
}

void
pcapstore_get_stats(const struct pcapstore *ps, struct pcapstore_stats *out)
{
	/* the lock is not part of the writer's observable state */
	pthread_mutex_t *lock = (pthread_mutex_t *)&ps->lock;

	memset(out, 0, sizeof(*out));
	out->packets = get(&ps->packets);
	out->bytes = get(&ps->bytes);
	out->files_closed = get(&ps->files_closed);
	out->write_errors = get(&ps->write_errors);
	out->packets_lost = get(&ps->packets_lost);
	out->packets_invalid = get(&ps->packets_invalid);
	out->current_packets = get(&ps->current_packets);
	out->current_bytes = get(&ps->current_bytes);
	out->last_write_ok = atomic_load(&ps->last_ok);
	pthread_mutex_lock(lock);
	snprintf(out->last_error, sizeof(out->last_error), "%s",
		 ps->last_error);
	snprintf(out->current_file, sizeof(out->current_file), "%s",
		 ps->current);
	pthread_mutex_unlock(lock);
}

bool
pcapstore_healthy(const struct pcapstore *ps, char *why, size_t whylen)
{
	pthread_mutex_t *lock = (pthread_mutex_t *)&ps->lock;
	bool ok = atomic_load(&ps->last_ok);

	if (!ok && why != NULL && whylen > 0) {
		pthread_mutex_lock(lock);
		snprintf(why, whylen, "%s", ps->last_error);
		pthread_mutex_unlock(lock);
	}
	return ok;
}

/* ---- listing ---- */

struct entry {
	char name[PCAPSTORE_NAME_MAX];
	struct pcapstore_name nm;
	struct stat st;
	bool used; /* a data file claimed this sidecar */
};

static int
entry_cmp_stem(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int r = strcmp(x->nm.stem, y->nm.stem);

	return r != 0 ? r : (int)x->nm.kind - (int)y->nm.kind;
}

static int
file_cmp(const void *a, const void *b)
{
	const struct pcapstore_file *x = a, *y = b;

	if (x->start_ns != y->start_ns) {
		return x->start_ns < y->start_ns ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

/* The entry of stem with kind, in entries sorted by entry_cmp_stem. */
static struct entry *
find_entry(struct entry *e, size_t n, const char *stem,
	   enum pcapstore_kind kind)
{
	struct entry key;

	memset(&key, 0, sizeof(key));
	snprintf(key.nm.stem, sizeof(key.nm.stem), "%s", stem);
	key.nm.kind = kind;
	return bsearch(&key, e, n, sizeof(*e), entry_cmp_stem);
}

static void
fill_file(struct pcapstore_file *f, const struct entry *e)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", e->name);
	f->worker = e->nm.worker;
	f->start_ns = e->nm.start_ns;
	f->size = (uint64_t)e->st.st_size;
	f->disk_bytes = (uint64_t)e->st.st_blocks * 512;
	f->mtime_ns = (int64_t)e->st.st_mtim.tv_sec * (int64_t)NS_PER_SEC +
		      e->st.st_mtim.tv_nsec;
}

int
pcapstore_list(const char *dir, unsigned flags, struct pcapstore_file **files,
	       size_t *count)
{
	struct entry *e = NULL, *grown;
	struct pcapstore_file *out = NULL;
	size_t n = 0, alloc = 0, nout = 0;
	struct dirent *de;
	DIR *d = NULL;
	uint64_t gen = summaries_generation();
	int rc = -1;

	*files = NULL;
	*count = 0;
	d = opendir(dir);
	if (d == NULL) {
		log_warn("pcap store: cannot list %s", dir);
		goto fail;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		struct pcapstore_name nm;

		if (!pcapstore_name_parse(de->d_name, &nm) ||
		    (nm.kind != PCAPSTORE_KIND_PART &&
		     nm.kind != PCAPSTORE_KIND_PCAP &&
		     nm.kind != PCAPSTORE_KIND_LZ4 &&
		     nm.kind != PCAPSTORE_KIND_INDEX)) {
			continue;
		}
		if (n == alloc) {
			alloc = alloc == 0 ? 64 : alloc * 2;
			grown = realloc(e, alloc * sizeof(*e));
			if (grown == NULL) {
				log_warnx("pcap store: out of memory listing %s",
					  dir);
				goto fail;
			}
			e = grown;
		}
		memset(&e[n], 0, sizeof(e[n]));
		snprintf(e[n].name, sizeof(e[n].name), "%s", de->d_name);
		e[n].nm = nm;
		/* gone since readdir (a writer renamed it): skip */
		if (fstatat(dirfd(d), de->d_name, &e[n].st,
			    AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(e[n].st.st_mode)) {
			continue;
		}
		n++;
	}
	if (errno != 0) {
		log_warn("pcap store: cannot list %s", dir);
		goto fail;
	}
	if (n == 0) {
		summaries_prune(dir, NULL, 0, gen);
		rc = 0;
		goto fail;
	}
	qsort(e, n, sizeof(*e), entry_cmp_stem);
	out = calloc(n, sizeof(*out));
	if (out == NULL) {
		log_warnx("pcap store: out of memory listing %s", dir);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		struct pcapstore_file *f = &out[nout];
		struct entry *idx;

		if (e[i].nm.kind == PCAPSTORE_KIND_INDEX) {
			continue;
		}
		fill_file(f, &e[i]);
		nout++;
		if (e[i].nm.kind == PCAPSTORE_KIND_PART) {
			f->state = PCAPSTORE_FILE_OPEN;
			continue;
		}
		f->state = PCAPSTORE_FILE_CLOSED;
		f->compressed = e[i].nm.kind == PCAPSTORE_KIND_LZ4;
		idx = find_entry(e, n, e[i].nm.stem, PCAPSTORE_KIND_INDEX);
		if (idx == NULL) {
			continue;
		}
		idx->used = true;
		f->has_sidecar = true;
		f->sidecar_size = (uint64_t)idx->st.st_size;
		f->sidecar_disk_bytes = (uint64_t)idx->st.st_blocks * 512;
		if (flags & PCAPSTORE_LIST_SUMMARY) {
			summaries_get(dir, f, idx->name);
		}
	}
	for (size_t i = 0; i < n && (flags & PCAPSTORE_LIST_ORPHANS); i++) {
		if (e[i].nm.kind != PCAPSTORE_KIND_INDEX || e[i].used ||
		    find_entry(e, n, e[i].nm.stem, PCAPSTORE_KIND_PART) !=
			    NULL) {
			continue;
		}
		fill_file(&out[nout], &e[i]);
		out[nout].state = PCAPSTORE_FILE_ORPHAN_INDEX;
		nout++;
	}
	qsort(out, nout, sizeof(*out), file_cmp);
	summaries_prune(dir, out, nout, gen);
	*files = nout > 0 ? out : NULL;
	*count = nout;
	if (nout > 0) {
		out = NULL;
	}
	rc = 0;
fail:
	if (d != NULL) {
		closedir(d);
	}
	free(out);
	free(e);
	return rc;
}

void
pcapstore_list_free(struct pcapstore_file *files)
{
	free(files);
}
