/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flow log: closed flows to JSON objects (pure) and those objects to
 * rotated .jsonl files (buffered, errors counted, never fatal). It does
 * not decide when a flow closes (flowtable.c does) nor delete old files
 * (retention.c does).
 */
#include "collector/flowlog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector/communityid.h"
#include "collector/ipfmt.h"
#include "shared/log.h"

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define PROTO_SCTP 132
#define PROTO_UDPLITE 136

#define ICMP_ECHO 8
#define ICMP6_ECHO_REQUEST 128

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04

#define NS_PER_SEC 1000000000ull
#define NAME_TRIES 1000 /* "-1" .. "-999" when a name is taken */
#define PREFIX_MAX 64

struct flowlog {
	struct flowlog_config cfg; /* dir and prefix point into the copies below */
	char *dir;                 /* owned */
	char *prefix;              /* owned */

	int fd;                    /* the open .part file, -1 when none */
	char path[PATH_MAX];       /* its final name (without ".part") */
	uint64_t opened_ns;        /* when it was opened, by cfg.clock */
	uint64_t file_bytes;       /* bytes in the file (written, not buffered) */

	struct jsonw line;         /* the record being built (memory reused) */
	char *buf;                 /* owned: lines not yet written */
	size_t buflen, bufcap;
	uint64_t buf_records;      /* lines in buf */

	bool failing;              /* an error was logged; quiet until a success */
	struct flowlog_stats st;
};

/* ---- the record ---------------------------------------------------- */

const char *
flowlog_tcp_state(uint8_t orig_flags, uint8_t resp_flags, bool resp_seen)
{
	bool o_syn = orig_flags & TH_SYN, r_syn = resp_flags & TH_SYN;
	bool o_fin = orig_flags & TH_FIN, r_fin = resp_flags & TH_FIN;
	bool o_rst = orig_flags & TH_RST, r_rst = resp_flags & TH_RST;

	if (o_syn && r_syn) {
		/* handshake seen from both sides: established */
		if (o_rst) {
			return "RSTO";
		}
		if (r_rst) {
			return "RSTR";
		}
		if (o_fin && r_fin) {
			return "SF";
		}
		if (o_fin) {
			return "S2";
		}
		if (r_fin) {
			return "S3";
		}
		return "S1";
	}
	if (o_syn) {
		/* an attempt the responder never accepted */
		if (r_rst) {
			return "REJ";
		}
		if (o_rst) {
			return "RSTOS0";
		}
		if (resp_seen) {
			return "OTH"; /* replies without SYN: we missed something */
		}
		return o_fin ? "SH" : "S0";
	}
	if (r_syn) {
		/* the responder's SYN-ACK seen, never the originator's SYN */
		if (r_rst) {
			return "RSTRH";
		}
		if (r_fin) {
			return "SHR";
		}
		return "OTH";
	}
	return "OTH"; /* midstream: no SYN at all */
}

const char *
flowlog_end_reason(enum flow_end end)
{
	switch (end) {
	case FLOW_END_ACTIVE:
		return "active";
	case FLOW_END_IDLE:
		return "idle";
	case FLOW_END_ACTIVE_TIMEOUT:
		return "active-timeout";
	case FLOW_END_EVICTED:
		return "evicted";
	case FLOW_END_SHUTDOWN:
		return "shutdown";
	case FLOW_END_TCP_CLOSED:
		return "tcp-closed";
	}
	return "unknown";
}

/*
 * Days since 1970-01-01 to a civil (proleptic Gregorian) date: the
 * era/day-of-era arithmetic that gmtime uses, without its locking and
 * time zone work (the flow log is always UTC).
 */
static void
civil_from_days(uint64_t days, unsigned *y, unsigned *m, unsigned *d)
{
	uint64_t z = days + 719468u; /* days since 0000-03-01 */
	uint64_t era = z / 146097u;
	unsigned doe = (unsigned)(z - era * 146097u);             /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
	unsigned doy = doe - (365u * yoe + yoe / 4u - yoe / 100u); /* from March 1 */
	unsigned mp = (5u * doy + 2u) / 153u;

	*d = doy - (153u * mp + 2u) / 5u + 1u;
	*m = mp < 10u ? mp + 3u : mp - 9u;
	*y = (unsigned)(yoe + era * 400u) + (*m <= 2u);
}

static char *
put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10u);
	p[1] = (char)('0' + v % 10u);
	return p + 2;
}

/*
 * RFC 3339, UTC, microseconds: "2024-05-01T12:00:00.000123Z" (27
 * characters; buf holds at least 28). Returns the length.
 */
static size_t
format_time(uint64_t ns, char *buf)
{
	uint64_t sec = ns / NS_PER_SEC;
	unsigned usec = (unsigned)((ns % NS_PER_SEC) / 1000u);
	unsigned sod = (unsigned)(sec % 86400u), y, mo, d;
	char *p = buf;

	civil_from_days(sec / 86400u, &y, &mo, &d);
	/* a uint64_t of nanoseconds ends in the year 2554: four digits */
	p = put2(p, y / 100u);
	p = put2(p, y % 100u);
	*p++ = '-';
	p = put2(p, mo);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, sod / 3600u);
	*p++ = ':';
	p = put2(p, sod / 60u % 60u);
	*p++ = ':';
	p = put2(p, sod % 60u);
	*p++ = '.';
	for (unsigned div = 100000u; div != 0; div /= 10u) {
		*p++ = (char)('0' + usec / div % 10u);
	}
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}

/* An address as inet_ntop writes it. */
static void
format_ip(uint8_t family, const uint8_t *addr, char *buf)
{
	if (family == 4) {
		ipfmt_v4(addr, buf);
	} else {
		ipfmt_v6(addr, buf);
	}
}

/* A missing value (invalid UTF-8) leaves the key out, as with jansson. */
static void
put_str(struct jsonw *o, const char *key, const char *s)
{
	if (s != NULL && s[0] != '\0') {
		(void)jsonw_member_string(o, key, s);
	}
}

static void
put_uint(struct jsonw *o, const char *key, uint64_t v)
{
	jsonw_member_uint(o, key, v > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : v);
}

static void
put_ip(struct jsonw *o, const char *key, uint8_t family, const uint8_t *addr)
{
	char buf[IPFMT_V6_LEN];

	format_ip(family, addr, buf);
	put_str(o, key, buf);
}

static void
put_mac(struct jsonw *o, const char *key, const uint8_t *m)
{
	char buf[IPFMT_MAC_LEN];

	ipfmt_mac(m, buf);
	put_str(o, key, buf);
}

static void
put_geo(struct jsonw *o, const char *key, const struct geoip *g, uint8_t family,
	const uint8_t *addr)
{
	struct geoip_info info;

	if (geoip_lookup(g, family, addr, &info) != GEOIP_FOUND) {
		return;
	}
	jsonw_key(o, key);
	jsonw_object_begin(o);
	put_str(o, "country", info.country);
	if (info.asn != 0) {
		put_uint(o, "asn", info.asn);
	}
	put_str(o, "as_org", info.as_org);
	jsonw_object_end(o);
}

static const char *
proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case PROTO_TCP:
		return "TCP";
	case PROTO_UDP:
		return "UDP";
	case PROTO_ICMP:
		return "ICMP";
	case PROTO_ICMPV6:
		return "IPv6-ICMP";
	case PROTO_SCTP:
		return "SCTP";
	default:
		/* a string still, so the field keeps one type in an index */
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

static bool
proto_has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP ||
	       proto == PROTO_UDPLITE;
}

/*
 * The Community ID tuple of a flow. ICMP echo flows carry their
 * identifier as both key ports; the originator is taken to have sent the
 * request, as it does unless the capture began between request and
 * reply. Other ICMP flows lack the type and code the ID needs.
 */
static bool
flow_community_id(const struct flow *f, uint16_t seed, char *out)
{
	uint8_t proto = f->key.proto;
	uint16_t sport = f->orig_port, dport = f->resp_port;

	if (proto == PROTO_ICMP || proto == PROTO_ICMPV6) {
		/* ICMP: type and code of the first packet; communityid_v1
		 * maps request/reply pairs to one id */
		if (f->icmp_seen) {
			sport = f->icmp_type;
			dport = f->icmp_code;
		} else if (f->key.port_lo != 0) {
			/* an echo flow built without its first packet's header */
			sport = proto == PROTO_ICMP ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
			dport = 0;
		} else {
			return false;
		}
	}
	return communityid_v1(seed, f->key.family, f->orig_ip, f->resp_ip, proto,
			      sport, dport, out);
}

bool
flowlog_format(const struct flow *f, const struct geoip *g, uint16_t seed,
	       struct jsonw *o)
{
	char ts[40], num[8], cid[COMMUNITYID_LEN], sender[IPFMT_V6_LEN];
	/* from the printed microseconds, so that duration is exactly end - ts */
	uint64_t first_us = f->first_ns / 1000u, last_us = f->last_ns / 1000u;
	uint64_t dur_us = last_us > first_us ? last_us - first_us : 0;
	bool ip = f->key.family == 4 || f->key.family == 6;

	jsonw_object_begin(o);
	format_time(f->first_ns, ts);
	put_str(o, "ts", ts);
	format_time(f->last_ns, ts);
	put_str(o, "end", ts);
	jsonw_key(o, "duration");
	jsonw_micros(o, dur_us);

	if (ip) {
		put_ip(o, "src_ip", f->key.family, f->orig_ip);
		if (proto_has_ports(f->key.proto)) {
			put_uint(o, "src_port", f->orig_port);
		}
		put_ip(o, "dest_ip", f->key.family, f->resp_ip);
		if (proto_has_ports(f->key.proto)) {
			put_uint(o, "dest_port", f->resp_port);
		}
		put_str(o, "proto", proto_name(f->key.proto, num, sizeof(num)));
	} else {
		/* the key holds the MACs; orig_is_lo says which one is whose */
		put_mac(o, "src_mac", f->orig_is_lo ? f->key.addr_lo : f->key.addr_hi);
		put_mac(o, "dest_mac", f->orig_is_lo ? f->key.addr_hi : f->key.addr_lo);
		put_uint(o, "ether_type", f->key.ethertype);
	}

	put_uint(o, "orig_pkts", f->orig_pkts);
	put_uint(o, "orig_bytes", f->orig_bytes);
	put_uint(o, "resp_pkts", f->resp_pkts);
	put_uint(o, "resp_bytes", f->resp_bytes);

	if (ip && f->key.proto == PROTO_TCP) {
		put_str(o, "state", flowlog_tcp_state(f->tcp_flags_orig,
						      f->tcp_flags_resp,
						      f->resp_pkts > 0));
	} else {
		put_str(o, "state", f->end == FLOW_END_IDLE ? "closed" : "active");
	}
	put_str(o, "end_reason", flowlog_end_reason(f->end));

	if (ip && flow_community_id(f, seed, cid)) {
		put_str(o, "community_id", cid);
	}
	put_uint(o, "vni", f->key.vni);
	if (f->sender.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&f->sender;

		ipfmt_v4((const uint8_t *)&in->sin_addr, sender);
		put_str(o, "sender", sender);
	} else if (f->sender.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&f->sender;

		ipfmt_v6((const uint8_t *)&in6->sin6_addr, sender);
		put_str(o, "sender", sender);
	}
	put_str(o, "app_proto", f->proto);
	put_str(o, "category", f->category);

	if (ip && g != NULL) {
		put_geo(o, "src_geo", g, f->key.family, f->orig_ip);
		put_geo(o, "dest_geo", g, f->key.family, f->resp_ip);
	}
	jsonw_object_end(o);
	return !o->failed;
}

json_t *
flowlog_record_seeded(const struct flow *f, const struct geoip *g, uint16_t seed)
{
	struct jsonw o;
	json_t *rec = NULL;

	jsonw_init(&o);
	if (flowlog_format(f, g, seed, &o)) {
		rec = json_loadb(o.buf, o.len, 0, NULL);
	}
	jsonw_finish(&o);
	return rec;
}

json_t *
flowlog_record(const struct flow *f, const struct geoip *g)
{
	return flowlog_record_seeded(f, g, 0);
}

/* ---- the writer ---------------------------------------------------- */

static uint64_t
realtime_ns(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t
now_ns(const struct flowlog *fl)
{
	return fl->cfg.clock(fl->cfg.clock_arg);
}

/* Count an error; log only the first of a run, with errno text. */
__attribute__((format(printf, 2, 3))) static void
io_error(struct flowlog *fl, const char *fmt, ...)
{
	char msg[PATH_MAX + 128];
	int saved = errno;
	va_list ap;

	fl->st.write_errors++;
	if (fl->failing) {
		return;
	}
	fl->failing = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errno = saved;
	log_warn("flowlog: %s (further errors counted, not logged)", msg);
}

static bool
prefix_is_valid(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > PREFIX_MAX) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
			return false;
		}
	}
	return true;
}

struct flowlog *
flowlog_create(const struct flowlog_config *cfg, char *err, size_t errlen)
{
	struct flowlog *fl = NULL;
	struct stat sb;

	if (cfg->dir == NULL || cfg->prefix == NULL) {
		snprintf(err, errlen, "flowlog: no directory or prefix given");
		goto fail;
	}
	if (stat(cfg->dir, &sb) < 0) {
		snprintf(err, errlen, "flowlog: %s: %s", cfg->dir, strerror(errno));
		goto fail;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "flowlog: %s: Not a directory", cfg->dir);
		goto fail;
	}
	if (!prefix_is_valid(cfg->prefix)) {
		snprintf(err, errlen,
			 "flowlog: bad prefix '%s' (1-%d of A-Z a-z 0-9 . _ -)",
			 cfg->prefix, PREFIX_MAX);
		goto fail;
	}
	fl = calloc(1, sizeof(*fl));
	if (fl == NULL) {
		snprintf(err, errlen, "flowlog: %s", strerror(errno));
		goto fail;
	}
	fl->fd = -1;
	jsonw_init(&fl->line);
	fl->cfg = *cfg;
	fl->dir = strdup(cfg->dir);
	fl->prefix = strdup(cfg->prefix);
	fl->bufcap = cfg->buffer_bytes != 0 ? cfg->buffer_bytes : FLOWLOG_BUFFER_DEFAULT;
	fl->buf = malloc(fl->bufcap);
	if (fl->dir == NULL || fl->prefix == NULL || fl->buf == NULL) {
		snprintf(err, errlen, "flowlog: %s", strerror(ENOMEM));
		goto fail;
	}
	fl->cfg.dir = fl->dir;
	fl->cfg.prefix = fl->prefix;
	if (fl->cfg.clock == NULL) {
		fl->cfg.clock = realtime_ns;
	}
	if (strlen(fl->dir) + PREFIX_MAX + 48 >= PATH_MAX) {
		snprintf(err, errlen, "flowlog: %s: directory name too long", cfg->dir);
		goto fail;
	}
	return fl;

fail:
	if (fl != NULL) {
		free(fl->buf);
		free(fl->dir);
		free(fl->prefix);
		free(fl);
	}
	return NULL;
}

/* Open a new .part file named after now; 0 or -1 (counted). */
static int
open_file(struct flowlog *fl, uint64_t now)
{
	char stamp[32], part[PATH_MAX + 8];
	time_t sec = (time_t)(now / NS_PER_SEC);
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (int k = 0; k < NAME_TRIES; k++) {
		char suffix[8] = "";

		if (k > 0) {
			snprintf(suffix, sizeof(suffix), "-%d", k);
		}
		snprintf(fl->path, sizeof(fl->path), "%s/flows-%s-%s%s.jsonl",
			 fl->dir, fl->prefix, stamp, suffix);
		if (access(fl->path, F_OK) == 0) {
			continue; /* a closed file of that name: next suffix */
		}
		snprintf(part, sizeof(part), "%s.part", fl->path);
		fl->fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
			      0644);
		if (fl->fd >= 0) {
			fl->opened_ns = now;
			fl->file_bytes = 0;
			return 0;
		}
		if (errno != EEXIST) {
			io_error(fl, "cannot create %s", part);
			return -1;
		}
	}
	errno = EEXIST;
	io_error(fl, "no free file name for %s/flows-%s-%s*", fl->dir, fl->prefix,
		 stamp);
	return -1;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Write p (whole lines) to the open file. On failure the file is cut back
 * to its last whole line, so a partial write never leaves half a JSON
 * object for the next line to be glued to.
 */
static int
write_lines(struct flowlog *fl, const char *p, size_t n, uint64_t records)
{
	if (write_all(fl->fd, p, n) == 0) {
		fl->file_bytes += n;
		fl->failing = false;
		return 0;
	}
	io_error(fl, "cannot write %s.part", fl->path);
	fl->st.records_lost += records;
	if (ftruncate(fl->fd, (off_t)fl->file_bytes) < 0) {
		io_error(fl, "cannot truncate %s.part", fl->path);
	}
	return -1;
}

static int
flush_buffer(struct flowlog *fl)
{
	int rc = 0;

	if (fl->buflen > 0 && fl->fd >= 0) {
		rc = write_lines(fl, fl->buf, fl->buflen, fl->buf_records);
	}
	fl->buflen = 0;
	fl->buf_records = 0;
	return rc;
}

/* Flush, close and rename (or remove, when empty) the open file. */
static int
close_file(struct flowlog *fl)
{
	char part[PATH_MAX + 8];
	int rc = 0;

	if (fl->fd < 0) {
		return 0;
	}
	if (flush_buffer(fl) < 0) {
		rc = -1;
	}
	snprintf(part, sizeof(part), "%s.part", fl->path);
	if (close(fl->fd) < 0) {
		io_error(fl, "cannot close %s", part);
		rc = -1;
	}
	fl->fd = -1;
	if (fl->file_bytes == 0) {
		unlink(part); /* nothing reached it: hand over no empty file */
		return rc;
	}
	if (rename(part, fl->path) < 0) {
		io_error(fl, "cannot rename %s", part);
		return -1;
	}
	fl->st.files++;
	return rc;
}

static bool
rotate_is_due(const struct flowlog *fl, uint64_t now)
{
	return fl->fd >= 0 && fl->cfg.rotate_seconds != 0 && now >= fl->opened_ns &&
	       now - fl->opened_ns >= fl->cfg.rotate_seconds * NS_PER_SEC;
}

int
flowlog_write(struct flowlog *fl, const struct flow *f)
{
	uint64_t now = now_ns(fl);
	const char *line;
	size_t len;

	if (rotate_is_due(fl, now)) {
		close_file(fl);
	}
	jsonw_reset(&fl->line);
	if (!flowlog_format(f, fl->cfg.geoip, fl->cfg.community_id_seed, &fl->line) ||
	    (jsonw_raw(&fl->line, "\n", 1), fl->line.failed)) {
		errno = ENOMEM;
		io_error(fl, "cannot build a record");
		fl->st.records_lost++;
		return -1;
	}
	line = fl->line.buf;
	len = fl->line.len;

	/* size rotation: keep each file under the limit unless one line alone passes it */
	if (fl->fd >= 0 && fl->cfg.rotate_bytes != 0) {
		uint64_t pending = fl->file_bytes + fl->buflen;

		if (pending > 0 && pending + len > fl->cfg.rotate_bytes) {
			close_file(fl);
		}
	}
	if (fl->fd < 0 && open_file(fl, now) < 0) {
		fl->st.records_lost++;
		return -1;
	}
	if (fl->buflen + len > fl->bufcap) {
		/* on failure the buffered lines are counted lost; this one may still go */
		(void)flush_buffer(fl);
	}
	if (len > fl->bufcap) {
		if (write_lines(fl, line, len, 1) < 0) {
			return -1;
		}
	} else {
		memcpy(fl->buf + fl->buflen, line, len);
		fl->buflen += len;
		fl->buf_records++;
	}
	fl->st.records++;
	fl->st.bytes += len;
	return 0;
}

int
flowlog_tick(struct flowlog *fl)
{
	if (rotate_is_due(fl, now_ns(fl))) {
		return close_file(fl);
	}
	return flush_buffer(fl);
}

int
flowlog_rotate(struct flowlog *fl)
{
	return close_file(fl);
}

void
flowlog_get_stats(const struct flowlog *fl, struct flowlog_stats *out)
{
	*out = fl->st;
}

void
flowlog_destroy(struct flowlog *fl)
{
	if (fl == NULL) {
		return;
	}
	close_file(fl);
	jsonw_finish(&fl->line);
	free(fl->buf);
	free(fl->dir);
	free(fl->prefix);
	free(fl);
}
