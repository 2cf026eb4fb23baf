/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The collector's HTTP server (libevent evhttp, on the main thread): the
 * route table, authentication and roles, limits, TLS, static files of the
 * page, and the reply helpers the endpoint modules (api.c, download.c,
 * pcapmerge.c, metrics.c) share. Paths are matched as names in a fixed
 * table, never mapped onto the file system, so traversal cannot happen.
 */
#ifndef VTAP_COLLECTOR_HTTP_H
#define VTAP_COLLECTOR_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct auth;
struct collector;
struct event_base;
struct evhttp_request;
struct evkeyvalq;

/*
 * An endpoint: rest is the decoded path after a prefix route's prefix
 * ("" for exact routes), q the parsed query. It must reply exactly once
 * (or start a streamed reply that it finishes later).
 */
typedef void (*http_handler)(struct collector *c, struct evhttp_request *req,
			     const char *rest, const struct evkeyvalq *q);

struct http_config {
	const char *listen;      /* borrowed: "ADDR:PORT" */
	bool probe_only;         /* serve /healthz alone (the --probe listener) */
	const char *web_dir;     /* borrowed: index.html, app.js, style.css */
	const char *chartjs;     /* borrowed: Debian's Chart.js */
	struct auth *auth;       /* borrowed; NULL: no authentication */
	const char *tls_cert;    /* borrowed; both or neither */
	const char *tls_key;
};

struct http;

/*
 * Bind and start serving on base. Returns NULL with a reason in err
 * (address in use, bad certificate, ...).
 */
struct http *http_create(struct event_base *base, struct collector *c,
			 const struct http_config *cfg, char *err,
			 size_t errlen);

/* Stop serving and free. Accepts NULL. */
void http_destroy(struct http *h);

/*
 * Send a complete reply: code, and body (may be NULL) with its
 * Content-Length. A HEAD request gets the same headers and no body.
 * Every non-streamed reply goes through here.
 */
struct evbuffer;
void http_send(struct evhttp_request *req, int code, struct evbuffer *body);

/* Reply with a JSON document (takes the reference) and a status code. */
void http_reply_json(struct evhttp_request *req, int code, json_t *j);

/* Reply {"error": "..."} with a status code. */
void http_reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Read query parameter key as an unsigned number in [min, max]; *out keeps
 * its default when the key is absent. False (after replying 400) when the
 * value is malformed.
 */
bool http_query_u64(struct evhttp_request *req, const struct evkeyvalq *q,
		    const char *key, uint64_t min, uint64_t max, uint64_t *out);

#endif
