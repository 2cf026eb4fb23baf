/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sidecar index: building a closed file's flow summary, writing it as
 * JSON and reading it back without trusting a byte of it. It does not
 * decide which files exist or when they close (pcapstore.c, repair.c).
 */
#include "collector/sidecar.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/ipfmt.h"
#include "collector/jsonw.h"

#define JSON_INT_MAX_ ((uint64_t)INT64_MAX)
#define VNI_MAX 0xffffffu /* 24 bits, RFC 7348 */
#define WRITE_BUFFER (256u << 10)
#define WRITE_CHUNK (64u << 10)

static const char *const err_names[SIDECAR_ERR__COUNT] = {
	[SIDECAR_OK] = "ok",
	[SIDECAR_ERR_IO] = "io-error",
	[SIDECAR_ERR_TOO_BIG] = "too-big",
	[SIDECAR_ERR_JSON] = "bad-json",
	[SIDECAR_ERR_MISSING] = "missing-member",
	[SIDECAR_ERR_TYPE] = "wrong-type",
	[SIDECAR_ERR_RANGE] = "out-of-range",
	[SIDECAR_ERR_VERSION] = "bad-version",
	[SIDECAR_ERR_NAME] = "bad-file-name",
	[SIDECAR_ERR_ADDRESS] = "bad-address",
	[SIDECAR_ERR_TOO_MANY] = "too-many-flows",
	[SIDECAR_ERR_NOMEM] = "out-of-memory",
};

const char *
sidecar_strerror(enum sidecar_err err)
{
	if ((unsigned)err >= SIDECAR_ERR__COUNT) {
		return "unknown";
	}
	return err_names[err];
}

void
sidecar_init(struct sidecar *sc)
{
	memset(sc, 0, sizeof(*sc));
}

void
sidecar_finish(struct sidecar *sc)
{
	if (sc == NULL) {
		return;
	}
	free(sc->flows);
	memset(sc, 0, sizeof(*sc));
}

static bool
has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

bool
sidecar_name_for(const char *data_name, char *out, size_t outlen)
{
	static const char *const suffixes[] = { ".pcap.lz4", ".pcap.part",
						".pcap" };
	size_t len = strlen(data_name);

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t stem;
		int n;

		if (!has_suffix(data_name, len, suffixes[i])) {
			continue;
		}
		stem = len - strlen(suffixes[i]);
		if (stem == 0 || stem > (size_t)INT32_MAX) {
			return false;
		}
		n = snprintf(out, outlen, "%.*s.idx.json", (int)stem,
			     data_name);
		return n > 0 && (size_t)n < outlen;
	}
	return false;
}

bool
sidecar_file_name_ok(const char *name)
{
	size_t len = strlen(name), stem;

	if (len == 0 || len >= SIDECAR_NAME_MAX || name[0] == '.') {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-')) {
			return false;
		}
	}
	if (has_suffix(name, len, ".pcap")) {
		stem = len - 5;
	} else if (has_suffix(name, len, ".pcap.lz4")) {
		stem = len - 9;
	} else {
		return false;
	}
	/* the sidecar's temporary name, stem + ".idx.json.tmp", must fit too */
	return stem > 0 && stem <= SIDECAR_STEM_MAX;
}

/* Copy a protocol name keeping printable ASCII only (JSON and log safe). */
static void
copy_proto(char *dst, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < FLOW_PROTO_NAMELEN && src[i] != '\0'; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[i] = '\0';
}

/* ---- endpoints as text ---- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

static bool
mac_parse(const char *s, uint8_t *out)
{
	if (strlen(s) != 17) {
		return false;
	}
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':')) {
			return false;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* As inet_ntop writes addresses, MACs as "02:00:00:00:00:0a"; buf holds IPFMT_V6_LEN. */
static void
endpoint_format(uint8_t family, const uint8_t *addr, char *buf)
{
	if (family == 4) {
		ipfmt_v4(addr, buf);
	} else if (family == 6) {
		ipfmt_v6(addr, buf);
	} else {
		ipfmt_mac(addr, buf);
	}
}

static bool
endpoint_parse(uint8_t family, const char *s, uint8_t *addr)
{
	memset(addr, 0, 16);
	if (family == 4) {
		return inet_pton(AF_INET, s, addr) == 1;
	}
	if (family == 6) {
		return inet_pton(AF_INET6, s, addr) == 1;
	}
	return mac_parse(s, addr);
}

static const char *
l4_name(uint8_t proto)
{
	switch (proto) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 58:
		return "icmpv6";
	case 132:
		return "sctp";
	case 136:
		return "udplite";
	default:
		return "";
	}
}

/* ---- writing ---- */

/*
 * One flow's entry. The members and their spelling are what json_pack
 * and jansson's compact dump wrote before (numbers as json_int_t, so a
 * value past INT64_MAX would read negative, as it did then).
 */
static void
flow_json(struct jsonw *w, const struct sidecar_flow *fl)
{
	char lo[IPFMT_V6_LEN], hi[IPFMT_V6_LEN];
	char proto[FLOW_PROTO_NAMELEN];
	const struct flowkey *k = &fl->key;

	endpoint_format(k->family, k->addr_lo, lo);
	endpoint_format(k->family, k->addr_hi, hi);
	copy_proto(proto, fl->proto); /* printable ASCII: always valid */
	jsonw_object_begin(w);
	jsonw_member_int(w, "family", k->family);
	jsonw_member_string(w, "lo", lo);
	jsonw_member_int(w, "lo_port", k->port_lo);
	jsonw_member_string(w, "hi", hi);
	jsonw_member_int(w, "hi_port", k->port_hi);
	jsonw_member_int(w, "ip_proto", k->proto);
	jsonw_member_string(w, "l4", k->family != 0 ? l4_name(k->proto) : "");
	jsonw_member_int(w, "ethertype", k->ethertype);
	jsonw_member_int(w, "vni", (int64_t)k->vni);
	jsonw_member_string(w, "proto", proto);
	jsonw_member_int(w, "packets", (int64_t)fl->packets);
	jsonw_member_int(w, "bytes", (int64_t)fl->bytes);
	jsonw_member_int(w, "first_ns", (int64_t)fl->first_ns);
	jsonw_member_int(w, "last_ns", (int64_t)fl->last_ns);
	jsonw_object_end(w);
}

/* The summary members, in document order; false when file is not UTF-8. */
static bool
summary_json(struct jsonw *w, const struct sidecar *sc)
{
	jsonw_object_begin(w);
	jsonw_member_int(w, "version", SIDECAR_VERSION);
	if (!jsonw_member_string(w, "file", sc->file)) {
		return false;
	}
	jsonw_member_string(w, "compression", sc->compressed ? "lz4" : "none");
	jsonw_member_int(w, "first_ns", (int64_t)sc->first_ns);
	jsonw_member_int(w, "last_ns", (int64_t)sc->last_ns);
	jsonw_member_int(w, "packets", (int64_t)sc->packets);
	jsonw_member_int(w, "bytes", (int64_t)sc->bytes);
	jsonw_member_int(w, "pcap_size", (int64_t)sc->pcap_size);
	jsonw_member_int(w, "file_size", (int64_t)sc->file_size);
	jsonw_member_bool(w, "flows_truncated", sc->flows_truncated);
	jsonw_member_int(w, "flow_count", (int64_t)sc->flow_count);
	return true;
}

static bool
put_out(FILE *f, struct jsonw *w)
{
	bool ok = !w->failed && fwrite(w->buf, 1, w->len, f) == w->len;

	w->len = 0;
	return ok;
}

/*
 * The document is streamed: the summary members, then each flow on its
 * own line, the text handed to stdio a chunk of WRITE_CHUNK bytes at a
 * time, so a file of 100k flows never exists whole in memory.
 */
static int
write_document(FILE *f, const struct sidecar *sc)
{
	struct jsonw w;
	int rc = -1;

	jsonw_init(&w);
	if (!summary_json(&w, sc)) {
		goto fail;
	}
	jsonw_raw(&w, ",\"flows\":[\n", 11);
	for (size_t i = 0; i < sc->flow_count; i++) {
		w.comma = false; /* the separator is written with the newline */
		flow_json(&w, &sc->flows[i]);
		jsonw_raw(&w, i + 1 < sc->flow_count ? ",\n" : "\n",
			  i + 1 < sc->flow_count ? 2 : 1);
		if (w.len >= WRITE_CHUNK && !put_out(f, &w)) {
			goto fail;
		}
	}
	jsonw_raw(&w, "]}\n", 3);
	if (!put_out(f, &w)) {
		goto fail;
	}
	rc = 0;
fail:
	jsonw_finish(&w);
	return rc;
}

int
sidecar_write(const char *dir, const struct sidecar *sc, char *err,
	      size_t errlen)
{
	char name[SIDECAR_NAME_MAX + 16];
	char *path = NULL, *tmp = NULL;
	FILE *f = NULL;
	int fd = -1, rc = -1;

	if (!sidecar_name_for(sc->file, name, sizeof(name))) {
		snprintf(err, errlen, "no sidecar name for '%s'", sc->file);
		goto fail;
	}
	if (asprintf(&path, "%s/%s", dir, name) < 0) {
		path = NULL;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp,
			 strerror(errno));
		goto fail;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		snprintf(err, errlen, "fdopen %s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1; /* f owns it now */
	setvbuf(f, NULL, _IOFBF, WRITE_BUFFER);
	errno = 0;
	if (write_document(f, sc) != 0 || fflush(f) != 0 || ferror(f)) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
			 errno != 0 ? strerror(errno) : "JSON encoding failed");
		goto fail;
	}
	if (fsync(fileno(f)) != 0) {
		snprintf(err, errlen, "fsync %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (fclose(f) != 0) {
		f = NULL;
		snprintf(err, errlen, "close %s: %s", tmp, strerror(errno));
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "rename %s: %s", tmp, strerror(errno));
		goto fail;
	}
	rc = 0;
fail:
	if (f != NULL) {
		fclose(f);
	}
	if (fd >= 0) {
		close(fd);
	}
	if (rc != 0 && tmp != NULL) {
		unlink(tmp);
	}
	free(tmp);
	free(path);
	return rc;
}

/* ---- reading ---- */

static enum sidecar_err
bad(enum sidecar_err e, char *detail, size_t detaillen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum sidecar_err
bad(enum sidecar_err e, char *detail, size_t detaillen, const char *fmt, ...)
{
	va_list ap;

	if (detail != NULL && detaillen > 0) {
		va_start(ap, fmt);
		vsnprintf(detail, detaillen, fmt, ap);
		va_end(ap);
	}
	return e;
}

/* Where a member sits, for error details: "first_ns" or "flows[3].lo". */
struct where {
	long flow; /* -1 for the top level */
	char *detail;
	size_t detaillen;
};

static enum sidecar_err
member(const struct where *w, enum sidecar_err e, const char *name,
       const char *what)
{
	if (w->flow < 0) {
		return bad(e, w->detail, w->detaillen, "%s: %s", name, what);
	}
	return bad(e, w->detail, w->detaillen, "flows[%ld].%s: %s", w->flow,
		   name, what);
}

static enum sidecar_err
get_uint(json_t *obj, const char *name, uint64_t max, uint64_t *out,
	 const struct where *w)
{
	json_t *v = json_object_get(obj, name);
	json_int_t i;

	if (v == NULL) {
		return member(w, SIDECAR_ERR_MISSING, name, "missing");
	}
	if (!json_is_integer(v)) {
		return member(w, SIDECAR_ERR_TYPE, name, "not an integer");
	}
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i > max) {
		return member(w, SIDECAR_ERR_RANGE, name, "out of range");
	}
	*out = (uint64_t)i;
	return SIDECAR_OK;
}

static enum sidecar_err
get_string(json_t *obj, const char *name, const char **out,
	   const struct where *w)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL) {
		return member(w, SIDECAR_ERR_MISSING, name, "missing");
	}
	if (!json_is_string(v)) {
		return member(w, SIDECAR_ERR_TYPE, name, "not a string");
	}
	*out = json_string_value(v);
	return SIDECAR_OK;
}

static enum sidecar_err
get_bool(json_t *obj, const char *name, bool *out, const struct where *w)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL) {
		return member(w, SIDECAR_ERR_MISSING, name, "missing");
	}
	if (!json_is_boolean(v)) {
		return member(w, SIDECAR_ERR_TYPE, name, "not a boolean");
	}
	*out = json_is_true(v);
	return SIDECAR_OK;
}

#define TRY(expr)                                                          \
	do {                                                               \
		enum sidecar_err e_ = (expr);                              \
		if (e_ != SIDECAR_OK) {                                    \
			return e_;                                         \
		}                                                          \
	} while (0)

static enum sidecar_err
parse_flow(json_t *obj, struct sidecar_flow *fl, const struct where *w)
{
	uint64_t family, lo_port, hi_port, ip_proto, ethertype, vni;
	const char *lo, *hi, *proto;

	memset(fl, 0, sizeof(*fl));
	if (!json_is_object(obj)) {
		return bad(SIDECAR_ERR_TYPE, w->detail, w->detaillen,
			   "flows[%ld]: not an object", w->flow);
	}
	TRY(get_uint(obj, "family", 6, &family, w));
	if (family != 0 && family != 4 && family != 6) {
		return member(w, SIDECAR_ERR_RANGE, "family", "not 0, 4 or 6");
	}
	TRY(get_string(obj, "lo", &lo, w));
	TRY(get_string(obj, "hi", &hi, w));
	TRY(get_uint(obj, "lo_port", UINT16_MAX, &lo_port, w));
	TRY(get_uint(obj, "hi_port", UINT16_MAX, &hi_port, w));
	TRY(get_uint(obj, "ip_proto", UINT8_MAX, &ip_proto, w));
	TRY(get_uint(obj, "ethertype", UINT16_MAX, &ethertype, w));
	TRY(get_uint(obj, "vni", VNI_MAX, &vni, w));
	TRY(get_string(obj, "proto", &proto, w));
	if (strlen(proto) >= FLOW_PROTO_NAMELEN) {
		return member(w, SIDECAR_ERR_RANGE, "proto", "too long");
	}
	TRY(get_uint(obj, "packets", JSON_INT_MAX_, &fl->packets, w));
	TRY(get_uint(obj, "bytes", JSON_INT_MAX_, &fl->bytes, w));
	TRY(get_uint(obj, "first_ns", JSON_INT_MAX_, &fl->first_ns, w));
	TRY(get_uint(obj, "last_ns", JSON_INT_MAX_, &fl->last_ns, w));
	if (fl->first_ns > fl->last_ns) {
		return member(w, SIDECAR_ERR_RANGE, "last_ns",
			      "before first_ns");
	}
	fl->key.family = (uint8_t)family;
	if (!endpoint_parse(fl->key.family, lo, fl->key.addr_lo)) {
		return member(w, SIDECAR_ERR_ADDRESS, "lo", "does not parse");
	}
	if (!endpoint_parse(fl->key.family, hi, fl->key.addr_hi)) {
		return member(w, SIDECAR_ERR_ADDRESS, "hi", "does not parse");
	}
	fl->key.port_lo = (uint16_t)lo_port;
	fl->key.port_hi = (uint16_t)hi_port;
	fl->key.proto = (uint8_t)ip_proto;
	fl->key.ethertype = (uint16_t)ethertype;
	fl->key.vni = (uint32_t)vni;
	copy_proto(fl->proto, proto);
	return SIDECAR_OK;
}

/*
 * head: root is only the document's head, cut after "flows":[ and closed
 * with an empty list (read_head): the flow count must then come from the
 * "flow_count" member.
 */
static enum sidecar_err
parse_root(json_t *root, bool summary_only, bool head, struct sidecar *sc,
	   char *detail, size_t detaillen)
{
	const struct where top = { -1, detail, detaillen };
	const char *file, *compression;
	json_t *flows;
	uint64_t version, count = 0;
	bool has_count;
	size_t n;

	if (!json_is_object(root)) {
		return bad(SIDECAR_ERR_TYPE, detail, detaillen,
			   "document: not an object");
	}
	TRY(get_uint(root, "version", JSON_INT_MAX_, &version, &top));
	if (version != SIDECAR_VERSION) {
		return bad(SIDECAR_ERR_VERSION, detail, detaillen,
			   "version: %" PRIu64 " (this reader knows %d)",
			   version, SIDECAR_VERSION);
	}
	TRY(get_string(root, "file", &file, &top));
	if (!sidecar_file_name_ok(file)) {
		return member(&top, SIDECAR_ERR_NAME, "file",
			      "not a plain .pcap or .pcap.lz4 name");
	}
	snprintf(sc->file, sizeof(sc->file), "%s", file);
	TRY(get_string(root, "compression", &compression, &top));
	if (strcmp(compression, "lz4") == 0) {
		sc->compressed = true;
	} else if (strcmp(compression, "none") != 0) {
		return member(&top, SIDECAR_ERR_RANGE, "compression",
			      "not \"none\" or \"lz4\"");
	}
	if (sc->compressed != has_suffix(file, strlen(file), ".lz4")) {
		return member(&top, SIDECAR_ERR_NAME, "file",
			      "suffix does not match compression");
	}
	TRY(get_uint(root, "first_ns", JSON_INT_MAX_, &sc->first_ns, &top));
	TRY(get_uint(root, "last_ns", JSON_INT_MAX_, &sc->last_ns, &top));
	if (sc->first_ns > sc->last_ns) {
		return member(&top, SIDECAR_ERR_RANGE, "last_ns",
			      "before first_ns");
	}
	TRY(get_uint(root, "packets", JSON_INT_MAX_, &sc->packets, &top));
	TRY(get_uint(root, "bytes", JSON_INT_MAX_, &sc->bytes, &top));
	TRY(get_uint(root, "pcap_size", JSON_INT_MAX_, &sc->pcap_size, &top));
	TRY(get_uint(root, "file_size", JSON_INT_MAX_, &sc->file_size, &top));
	TRY(get_bool(root, "flows_truncated", &sc->flows_truncated, &top));
	/* written since the head-only read exists; older sidecars lack it */
	has_count = json_object_get(root, "flow_count") != NULL;
	if (has_count) {
		TRY(get_uint(root, "flow_count", SIDECAR_FLOWS_MAX, &count, &top));
	} else if (head) {
		return member(&top, SIDECAR_ERR_MISSING, "flow_count", "missing");
	}

	flows = json_object_get(root, "flows");
	if (flows == NULL) {
		return member(&top, SIDECAR_ERR_MISSING, "flows", "missing");
	}
	if (!json_is_array(flows)) {
		return member(&top, SIDECAR_ERR_TYPE, "flows", "not an array");
	}
	if (head) {
		sc->flow_count = (size_t)count;
		return SIDECAR_OK;
	}
	n = json_array_size(flows);
	if (has_count && count != n) {
		return bad(SIDECAR_ERR_RANGE, detail, detaillen,
			   "flow_count: %" PRIu64 ", but %zu flows", count, n);
	}
	if (n > SIDECAR_FLOWS_MAX) {
		return bad(SIDECAR_ERR_TOO_MANY, detail, detaillen,
			   "flows: %zu (at most %d)", n, SIDECAR_FLOWS_MAX);
	}
	if (!summary_only && n > 0) {
		sc->flows = calloc(n, sizeof(*sc->flows));
		if (sc->flows == NULL) {
			return bad(SIDECAR_ERR_NOMEM, detail, detaillen,
				   "flows: %zu", n);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct where w = { (long)i, detail, detaillen };
		struct sidecar_flow scratch;

		TRY(parse_flow(json_array_get(flows, i),
			       summary_only ? &scratch : &sc->flows[i], &w));
	}
	sc->flow_count = n;
	return SIDECAR_OK;
}

enum sidecar_err
sidecar_parse(const char *text, size_t len, bool summary_only,
	      struct sidecar *out, char *detail, size_t detaillen)
{
	json_error_t jerr;
	json_t *root;
	enum sidecar_err e;

	sidecar_init(out);
	if (detail != NULL && detaillen > 0) {
		detail[0] = '\0';
	}
	if (len > SIDECAR_FILE_MAX) {
		return bad(SIDECAR_ERR_TOO_BIG, detail, detaillen,
			   "%zu bytes", len);
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		return bad(SIDECAR_ERR_JSON, detail, detaillen,
			   "line %d column %d: %s", jerr.line, jerr.column,
			   jerr.text);
	}
	e = parse_root(root, summary_only, false, out, detail, detaillen);
	json_decref(root);
	if (e != SIDECAR_OK) {
		sidecar_finish(out);
	}
	return e;
}

/*
 * The summary from the document's head alone: the members before
 * "flows":[ (this writer puts the flow list last, after "flow_count"), cut
 * there and closed with an empty list. A 64 MiB capture's sidecar is
 * megabytes of flows; its head is a few hundred bytes. False when that does
 * not give a whole summary (an older sidecar without "flow_count", another
 * layout, a damaged head): the caller then reads the whole document.
 */
#define HEAD_MAX 4096
static bool
read_head(int fd, struct sidecar *out)
{
	static const char cut[] = "\"flows\":[";
	char buf[HEAD_MAX + 3];
	const char *at;
	ssize_t n;
	size_t len;
	json_t *root;
	enum sidecar_err e;

	do {
		n = pread(fd, buf, HEAD_MAX, 0);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		return false;
	}
	if ((at = memmem(buf, (size_t)n, cut, sizeof(cut) - 1)) == NULL) {
		return false;
	}
	len = (size_t)(at - buf) + sizeof(cut) - 1;
	memcpy(buf + len, "]}", 2);
	len += 2;
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		return false;
	}
	sidecar_init(out);
	e = parse_root(root, true, true, out, NULL, 0);
	json_decref(root);
	if (e != SIDECAR_OK) {
		sidecar_finish(out);
		return false;
	}
	return true;
}

enum sidecar_err
sidecar_read(const char *path, bool summary_only, struct sidecar *out,
	     char *detail, size_t detaillen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = -1;
	enum sidecar_err e;

	sidecar_init(out);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		e = bad(SIDECAR_ERR_IO, detail, detaillen, "%s: %s", path,
			strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		e = bad(SIDECAR_ERR_IO, detail, detaillen,
			"%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > SIDECAR_FILE_MAX) {
		e = bad(SIDECAR_ERR_TOO_BIG, detail, detaillen,
			"%s: %jd bytes", path, (intmax_t)st.st_size);
		goto fail;
	}
	if (summary_only && read_head(fd, out)) {
		if (detail != NULL && detaillen > 0) {
			detail[0] = '\0';
		}
		e = SIDECAR_OK;
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		e = bad(SIDECAR_ERR_NOMEM, detail, detaillen, "%s", path);
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			e = bad(SIDECAR_ERR_IO, detail, detaillen, "%s: %s",
				path, strerror(errno));
			goto fail;
		}
		if (n == 0) {
			break; /* shrank while reading: parse what is there */
		}
		got += (size_t)n;
	}
	e = sidecar_parse(buf, got, summary_only, out, detail, detaillen);
fail:
	if (fd >= 0) {
		close(fd);
	}
	free(buf);
	return e;
}

/* ---- the builder ---- */

struct sidecar_builder {
	struct sidecar sc;     /* flows: owned by the builder */
	size_t flows_alloc;    /* entries allocated in sc.flows */
	size_t max_flows;
	uint32_t *slots;       /* owned: open addressing, flow index + 1, 0 free */
	size_t nslots;         /* a power of two, or 0 before the first flow */
	uint64_t seed;         /* random: flow keys come from the network */
};

struct sidecar_builder *
sidecar_builder_create(size_t max_flows)
{
	struct sidecar_builder *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		return NULL;
	}
	if (max_flows == 0) {
		max_flows = SIDECAR_FLOWS_DEFAULT;
	}
	b->max_flows = max_flows < SIDECAR_FLOWS_MAX ? max_flows
						     : SIDECAR_FLOWS_MAX;
	if (getrandom(&b->seed, sizeof(b->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(b->seed)) {
		b->seed = (uint64_t)(uintptr_t)b ^ 0x5851f42d4c957f2dULL;
	}
	return b;
}

void
sidecar_builder_destroy(struct sidecar_builder *b)
{
	if (b == NULL) {
		return;
	}
	free(b->sc.flows);
	free(b->slots);
	free(b);
}

void
sidecar_builder_reset(struct sidecar_builder *b)
{
	struct sidecar_flow *flows = b->sc.flows;

	memset(&b->sc, 0, sizeof(b->sc));
	b->sc.flows = flows;
	if (b->slots != NULL) {
		memset(b->slots, 0, b->nslots * sizeof(*b->slots));
	}
}

const struct sidecar *
sidecar_builder_view(const struct sidecar_builder *b)
{
	return &b->sc;
}

static bool
grow_slots(struct sidecar_builder *b)
{
	size_t n = b->nslots == 0 ? 1024 : b->nslots * 2;
	size_t mask = n - 1;
	uint32_t *slots = calloc(n, sizeof(*slots));

	if (slots == NULL) {
		return false;
	}
	for (size_t i = 0; i < b->sc.flow_count; i++) {
		size_t s = flowkey_hash(&b->sc.flows[i].key, b->seed) & mask;

		while (slots[s] != 0) {
			s = (s + 1) & mask;
		}
		slots[s] = (uint32_t)(i + 1);
	}
	free(b->slots);
	b->slots = slots;
	b->nslots = n;
	return true;
}

static bool
grow_flows(struct sidecar_builder *b)
{
	size_t n = b->flows_alloc == 0 ? 256 : b->flows_alloc * 2;
	struct sidecar_flow *flows;

	if (n > b->max_flows) {
		n = b->max_flows;
	}
	flows = realloc(b->sc.flows, n * sizeof(*flows));
	if (flows == NULL) {
		return false;
	}
	b->sc.flows = flows;
	b->flows_alloc = n;
	return true;
}

void
sidecar_builder_add(struct sidecar_builder *b, uint64_t ts_ns,
		    uint64_t wirelen, const struct flowkey *key,
		    const char *proto)
{
	struct sidecar_flow *fl;
	size_t s, mask;

	if (b->sc.packets == 0 || ts_ns < b->sc.first_ns) {
		b->sc.first_ns = ts_ns;
	}
	if (ts_ns > b->sc.last_ns) {
		b->sc.last_ns = ts_ns;
	}
	b->sc.packets++;
	b->sc.bytes += wirelen;
	if (key == NULL) {
		return;
	}

	mask = b->nslots - 1;
	s = b->nslots != 0 ? flowkey_hash(key, b->seed) & mask : 0;
	while (b->nslots != 0 && b->slots[s] != 0) {
		fl = &b->sc.flows[b->slots[s] - 1];
		if (flowkey_equal(&fl->key, key)) {
			goto update;
		}
		s = (s + 1) & mask;
	}

	/* a new flow */
	if (b->sc.flow_count >= b->max_flows) {
		b->sc.flows_truncated = true;
		return;
	}
	if (2 * (b->sc.flow_count + 1) > b->nslots) {
		if (!grow_slots(b)) {
			b->sc.flows_truncated = true;
			return;
		}
		mask = b->nslots - 1;
		s = flowkey_hash(key, b->seed) & mask;
		while (b->slots[s] != 0) {
			s = (s + 1) & mask;
		}
	}
	if (b->sc.flow_count == b->flows_alloc && !grow_flows(b)) {
		b->sc.flows_truncated = true;
		return;
	}
	fl = &b->sc.flows[b->sc.flow_count];
	memset(fl, 0, sizeof(*fl));
	fl->key = *key;
	fl->first_ns = ts_ns;
	fl->last_ns = ts_ns;
	b->slots[s] = (uint32_t)(++b->sc.flow_count);
update:
	fl->packets++;
	fl->bytes += wirelen;
	if (ts_ns < fl->first_ns) {
		fl->first_ns = ts_ns;
	}
	if (ts_ns > fl->last_ns) {
		fl->last_ns = ts_ns;
	}
	if (proto != NULL && proto[0] != '\0') {
		copy_proto(fl->proto, proto);
	}
}
