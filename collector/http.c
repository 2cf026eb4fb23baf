/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The evhttp server: binding, limits, TLS, the route table with the role
 * each route needs, the page's static files, and reply helpers. What an
 * endpoint answers lives in api.c, download.c, pcapmerge.c and metrics.c.
 */
#include "collector/http.h"

#include <dirent.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/api.h"
#include "collector/auth.h"
#include "collector/collector.h"
#include "collector/download.h"
#include "collector/metrics.h"
#include "collector/pcapmerge.h"
#include "shared/addr.h"
#include "shared/log.h"
#include "shared/number.h"

#define MAX_HEADERS_SIZE 8192
#define MAX_BODY_SIZE 4096
#define IDLE_TIMEOUT_S 30
#define HTTP_MAX_CONNECTIONS 512 /* connections open at once, at most */
#define HTTP_FD_RESERVE 128      /* descriptors always left to the capture side */
#define HTTP_GOVERNOR_SLACK 16   /* resume this far under the limit */

struct http {
	struct collector *c;            /* borrowed */
	struct evhttp *evh;             /* owned */
	SSL_CTX *ssl;                   /* owned, NULL without TLS */
	struct http_config cfg;         /* strings borrowed */
	struct evconnlistener *lev;     /* owned by evh: the listening socket */
	struct event *governor;         /* owned: the connection governor */
	unsigned fd_limit;              /* stop accepting at this many fds */
	bool paused;                    /* accepting is off */
};

struct route {
	const char *path;
	bool prefix;                    /* path is a prefix; rest follows it */
	int methods;                    /* EVHTTP_REQ_* allowed */
	enum auth_role role;            /* needed when auth is configured */
	bool probe;                     /* served on the --probe listener too */
	http_handler fn;                /* NULL: the page's static files */
};

void
http_send(struct evhttp_request *req, int code, struct evbuffer *body)
{
	char len[32];

	snprintf(len, sizeof(len), "%zu", body != NULL ? evbuffer_get_length(body) : 0);
	evhttp_remove_header(evhttp_request_get_output_headers(req), "Content-Length");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Length", len);
	/* libevent 2.1 sends a body even to HEAD: leave it out here */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		body = NULL;
	}
	evhttp_send_reply(req, code, NULL, body);
}

void
http_reply_json(struct evhttp_request *req, int code, json_t *j)
{
	struct evbuffer *b = evbuffer_new();
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Content-Type", "application/json");
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Cache-Control", "no-store");
	if (s != NULL) {
		evbuffer_add(b, s, strlen(s));
		evbuffer_add(b, "\n", 1);
		free(s);
	}
	http_send(req, code, b);
	evbuffer_free(b);
}

void
http_reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_reply_json(req, code, json_pack("{s:s}", "error", msg));
}

bool
http_query_u64(struct evhttp_request *req, const struct evkeyvalq *q,
	       const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *v = evhttp_find_header(q, key);

	if (v == NULL || v[0] == '\0') {
		return true;
	}
	if (!number_parse_u64(v, min, max, out)) {
		http_reply_error(req, 400, "%s must be a number in %llu..%llu",
				 key, (unsigned long long)min,
				 (unsigned long long)max);
		return false;
	}
	return true;
}

/* The page's files: a fixed table of names, never a path from the URL. */
static void
serve_static(struct http *h, struct evhttp_request *req, const char *rest)
{
	static const struct {
		const char *name, *file, *type;
	} files[] = {
		{ "", "index.html", "text/html; charset=utf-8" },
		{ "app.js", "app.js", "text/javascript; charset=utf-8" },
		{ "style.css", "style.css", "text/css; charset=utf-8" },
		{ "chart.js", NULL, "text/javascript; charset=utf-8" },
	};
	char path[4096];
	struct evbuffer *b;
	struct stat st;
	int fd;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (strcmp(rest, files[i].name) != 0) {
			continue;
		}
		if (files[i].file == NULL) {
			snprintf(path, sizeof(path), "%s", h->cfg.chartjs);
		} else {
			snprintf(path, sizeof(path), "%s/%s", h->cfg.web_dir, files[i].file);
		}
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
		    fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			if (fd >= 0) {
				close(fd);
			}
			http_reply_error(req, 500, "page file missing: %s", files[i].file != NULL ? files[i].file : "chart.js");
			return;
		}
		b = evbuffer_new();
		evbuffer_add_file(b, fd, 0, st.st_size); /* takes fd */
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Content-Type", files[i].type);
		http_send(req, 200, b);
		evbuffer_free(b);
		return;
	}
	http_reply_error(req, 404, "not found");
}

#define GET_HEAD (EVHTTP_REQ_GET | EVHTTP_REQ_HEAD)

static const struct route routes[] = {
	{ "/healthz", false, GET_HEAD, AUTH_NONE, true, api_healthz },
	{ "/metrics", false, GET_HEAD, AUTH_VIEWER, false, metrics_reply },
	{ "/api/v1/status", false, GET_HEAD, AUTH_VIEWER, false, api_status },
	{ "/api/v1/timeseries", false, GET_HEAD, AUTH_VIEWER, false, api_timeseries },
	{ "/api/v1/protocols", false, GET_HEAD, AUTH_VIEWER, false, api_protocols },
	{ "/api/v1/flows", false, GET_HEAD, AUTH_VIEWER, false, api_flows },
	{ "/api/v1/talkers", false, GET_HEAD, AUTH_VIEWER, false, api_talkers },
	{ "/api/v1/files", false, GET_HEAD, AUTH_VIEWER, false, api_files },
	{ "/api/v1/pcap/estimate", false, GET_HEAD, AUTH_ANALYST, false, pcapmerge_estimate },
	{ "/api/v1/pcap", false, GET_HEAD, AUTH_ANALYST, false, pcapmerge_download },
	{ "/api/v1/drain", false, EVHTTP_REQ_POST, AUTH_ADMIN, false, api_drain },
	{ "/api/v1/undrain", false, EVHTTP_REQ_POST, AUTH_ADMIN, false, api_undrain },
	{ "/files/", true, GET_HEAD, AUTH_ANALYST, false, download_file },
	{ "/static/", true, GET_HEAD, AUTH_VIEWER, false, NULL },
	{ "/", false, GET_HEAD, AUTH_VIEWER, false, NULL },
};

/* Decide who may do what; false after replying 401/403. */
static bool
authorised(struct http *h, struct evhttp_request *req, enum auth_role need)
{
	const char *user = NULL;
	enum auth_role got;

	if (need == AUTH_NONE || h->cfg.auth == NULL) {
		return true;
	}
	got = auth_check(h->cfg.auth,
			 evhttp_find_header(evhttp_request_get_input_headers(req),
					    "Authorization"), &user);
	if (got == AUTH_NONE) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "WWW-Authenticate", "Basic realm=\"vtap\", charset=\"UTF-8\"");
		http_reply_error(req, 401, "authentication required");
		return false;
	}
	if (got < need) {
		http_reply_error(req, 403, "user '%s' (%s) needs the %s role for this",
				 user, auth_role_name(got), auth_role_name(need));
		return false;
	}
	return true;
}

static void
dispatch_cb(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char *query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	struct evkeyvalq q;
	char *decoded = NULL;
	size_t dlen;

	TAILQ_INIT(&q);
	if (path == NULL || path[0] != '/') {
		http_reply_error(req, 400, "bad request path");
		return;
	}
	/* decode once; a NUL or a '/' produced by decoding is refused */
	decoded = evhttp_uridecode(path, 0, &dlen);
	if (decoded == NULL || strlen(decoded) != dlen) {
		http_reply_error(req, 400, "bad request path");
		goto done;
	}
	if (query != NULL && evhttp_parse_query_str(query, &q) != 0) {
		http_reply_error(req, 400, "bad query string");
		goto done;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];
		size_t n = strlen(r->path);

		if (r->prefix ? strncmp(decoded, r->path, n) != 0
			      : strcmp(decoded, r->path) != 0) {
			continue;
		}
		if (h->cfg.probe_only && !r->probe) {
			break;
		}
		if (!(evhttp_request_get_command(req) & r->methods)) {
			http_reply_error(req, 405, "method not allowed");
			goto done;
		}
		if (!authorised(h, req, r->role)) {
			goto done;
		}
		if (r->fn == NULL) {
			serve_static(h, req, r->prefix ? decoded + n : "");
		} else {
			r->fn(h->c, req, r->prefix ? decoded + n : "", &q);
		}
		goto done;
	}
	http_reply_error(req, 404, "not found");
done:
	evhttp_clear_headers(&q);
	free(decoded);
}

/*
 * Every new connection passes here (evhttp asks for its bufferevent):
 * the governor's check runs at once, so a burst of connections cannot
 * outrun its tick; then a plain or a TLS bufferevent.
 */
static bool descriptors_short(struct http *h);
static void set_paused(struct http *h, bool pause, const char *why);

static struct bufferevent *
bev_cb(struct event_base *base, void *arg)
{
	struct http *h = arg;

	if (descriptors_short(h)) {
		set_paused(h, true, "too many open connections");
	}
	if (h->ssl != NULL) {
		return bufferevent_openssl_socket_new(base, -1, SSL_new(h->ssl),
						      BUFFEREVENT_SSL_ACCEPTING,
						      BEV_OPT_CLOSE_ON_FREE);
	}
	return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
}

static int
setup_tls(struct http *h, char *err, size_t errlen)
{
	if ((h->ssl = SSL_CTX_new(TLS_server_method())) == NULL) {
		snprintf(err, errlen, "TLS: cannot create context");
		return -1;
	}
	SSL_CTX_set_min_proto_version(h->ssl, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(h->ssl, h->cfg.tls_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(h->ssl, h->cfg.tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(h->ssl) != 1) {
		snprintf(err, errlen, "TLS: %s / %s: %s", h->cfg.tls_cert,
			 h->cfg.tls_key, ERR_reason_error_string(ERR_get_error()));
		return -1;
	}
	return 0;
}

/*
 * libevent 2.1 has no cap on an evhttp's connections, and idle ones hold a
 * file descriptor each until the idle timeout: enough of them would leave
 * the pcap writers none. So the server watches the process's descriptors
 * (ten times a second, /proc/self/fd) and stops accepting while they pass
 * fd_limit, which keeps HTTP_FD_RESERVE of them for the capture side and
 * allows at most HTTP_MAX_CONNECTIONS at once. Waiting clients stay in the
 * kernel's backlog; nothing already accepted is cut.
 */
static unsigned
open_fds(void)
{
	unsigned n = 0;
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");

	if (d == NULL) {
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		n += e->d_name[0] != '.';
	}
	closedir(d);
	return n > 0 ? n - 1 : 0; /* the directory's own descriptor */
}

static void
set_paused(struct http *h, bool pause, const char *why)
{
	if (pause == h->paused) {
		return;
	}
	h->paused = pause;
	if (pause) {
		evconnlistener_disable(h->lev);
		log_warnx("HTTP %s: not accepting connections for now (%s)",
			  h->cfg.listen, why);
	} else {
		evconnlistener_enable(h->lev);
		log_info("HTTP %s: accepting connections again", h->cfg.listen);
	}
}

/* True when one more connection would pass the limit. */
static bool
descriptors_short(struct http *h)
{
	return open_fds() + 1 >= h->fd_limit;
}

static void
governor_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	unsigned n = open_fds();

	(void)fd;
	(void)what;
	if (n >= h->fd_limit) {
		set_paused(h, true, "too many open connections");
	} else if (n + HTTP_GOVERNOR_SLACK < h->fd_limit) {
		set_paused(h, false, NULL);
	}
}

/*
 * The listener's error callback gets the listener's user data, which
 * evhttp owns (its own struct evhttp): so servers are found by listener.
 * There are at most two of them (--http and --probe), all on the main
 * thread.
 */
#define HTTP_SERVERS_MAX 4
static struct http *servers[HTTP_SERVERS_MAX]; /* borrowed */

static void
register_server(struct http *h, bool on)
{
	for (int i = 0; i < HTTP_SERVERS_MAX; i++) {
		if (on && servers[i] == NULL) {
			servers[i] = h;
			return;
		}
		if (!on && servers[i] == h) {
			servers[i] = NULL;
			return;
		}
	}
}

/* accept() failed (EMFILE, ENFILE, ...): pause; the governor resumes. */
static void
accept_error_cb(struct evconnlistener *lev, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();

	(void)arg; /* evhttp's, not ours */
	for (int i = 0; i < HTTP_SERVERS_MAX; i++) {
		if (servers[i] != NULL && servers[i]->lev == lev) {
			set_paused(servers[i], true, evutil_socket_error_to_string(err));
			return;
		}
	}
	evconnlistener_disable(lev); /* not ours: never spin on it */
}

/* Our own listener, so the governor can pause it; evhttp then owns it. */
static int
bind_listener(struct http *h, struct event_base *base, const char *host,
	      uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (addr_resolve(host, port, &ss, &len, err, errlen) != 0) {
		return -1;
	}
	h->lev = evconnlistener_new_bind(base, NULL, NULL,
		LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC |
		LEV_OPT_DISABLED, 128, (struct sockaddr *)&ss, (int)len);
	if (h->lev == NULL) {
		snprintf(err, errlen, "cannot listen on %s: %s", h->cfg.listen,
			 strerror(errno));
		return -1;
	}
	if (evhttp_bind_listener(h->evh, h->lev) == NULL) {
		evconnlistener_free(h->lev);
		h->lev = NULL;
		snprintf(err, errlen, "cannot serve HTTP on %s", h->cfg.listen);
		return -1;
	}
	evconnlistener_enable(h->lev);
	return 0;
}

static int
start_governor(struct http *h, struct event_base *base, char *err, size_t errlen)
{
	const struct timeval tick = { 0, 100000 };
	struct rlimit rl;
	unsigned by_limit = 1u << 20, by_cap;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		by_limit = rl.rlim_cur > HTTP_FD_RESERVE ? (unsigned)rl.rlim_cur - HTTP_FD_RESERVE : 1;
	}
	by_cap = open_fds() + HTTP_MAX_CONNECTIONS;
	h->fd_limit = by_limit < by_cap ? by_limit : by_cap;
	register_server(h, true);
	evconnlistener_set_error_cb(h->lev, accept_error_cb);
	h->governor = event_new(base, -1, EV_PERSIST, governor_cb, h);
	if (h->governor == NULL || event_add(h->governor, &tick) != 0) {
		snprintf(err, errlen, "cannot start the HTTP connection governor");
		return -1;
	}
	return 0;
}

struct http *
http_create(struct event_base *base, struct collector *c,
	    const struct http_config *cfg, char *err, size_t errlen)
{
	struct http *h = calloc(1, sizeof(*h));
	char host[256];
	uint16_t port;

	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->c = c;
	h->cfg = *cfg;
	if (!addr_split(cfg->listen, 0, host, sizeof(host), &port)) {
		snprintf(err, errlen, "bad HTTP address '%s'", cfg->listen);
		goto fail;
	}
	if ((h->evh = evhttp_new(base)) == NULL) {
		snprintf(err, errlen, "cannot create the HTTP server");
		goto fail;
	}
	evhttp_set_max_headers_size(h->evh, MAX_HEADERS_SIZE);
	evhttp_set_max_body_size(h->evh, MAX_BODY_SIZE);
	evhttp_set_timeout(h->evh, IDLE_TIMEOUT_S);
	evhttp_set_allowed_methods(h->evh, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
				   EVHTTP_REQ_POST);
	evhttp_set_gencb(h->evh, dispatch_cb, h);
	evhttp_set_bevcb(h->evh, bev_cb, h);
	if (cfg->tls_cert != NULL && setup_tls(h, err, errlen) != 0) {
		goto fail;
	}
	if (bind_listener(h, base, host, port, err, errlen) != 0 ||
	    start_governor(h, base, err, errlen) != 0) {
		goto fail;
	}
	return h;
fail:
	http_destroy(h);
	return NULL;
}

void
http_destroy(struct http *h)
{
	if (h == NULL) {
		return;
	}
	register_server(h, false);
	if (h->governor != NULL) {
		event_free(h->governor);
	}
	if (h->evh != NULL) {
		evhttp_free(h->evh); /* frees the listener too */
	}
	if (h->ssl != NULL) {
		SSL_CTX_free(h->ssl);
	}
	free(h);
}
