/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON API (see api.h). It shapes numbers the collector and its
 * workers keep; it computes nothing on the packet path.
 */
#include "collector/api.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/collector.h"
#include "collector/options.h"
#include "collector/pcapstore.h"
#include "collector/worker.h"
#include "shared/log.h"
#include "vtap-build.h"

#define LIMIT_DEFAULT 20
#define LIMIT_MAX 1000

void
api_healthz(struct collector *c, struct evhttp_request *req, const char *rest,
	    const struct evkeyvalq *q)
{
	char reason[256];
	bool ok;

	(void)rest;
	(void)q;
	ok = collector_health(c, reason, sizeof(reason));
	http_reply_json(req, ok ? 200 : 503,
			json_pack("{s:b, s:s}", "ok", ok, "reason", reason));
}

void
api_status(struct collector *c, struct evhttp_request *req, const char *rest,
	   const struct evkeyvalq *q)
{
	json_t *counters = collector_stats_json(c), *senders, *vnis;
	char reason[256];
	bool ok;

	(void)rest;
	(void)q;
	ok = collector_health(c, reason, sizeof(reason));
	senders = json_incref(json_object_get(counters, "senders"));
	vnis = json_incref(json_object_get(counters, "vnis"));
	json_object_del(counters, "senders");
	json_object_del(counters, "vnis");
	json_object_del(counters, "protocols");
	http_reply_json(req, 200, json_pack("{s:s, s:I, s:{s:b, s:s}, s:b, s:i, s:o, s:o, s:o, s:o}",
		"version", VTAP_VERSION,
		"uptime_s", (json_int_t)(time(NULL) - c->started),
		"health", "ok", ok, "reason", reason,
		"draining", atomic_load(&c->draining),
		"workers", (int)c->nworkers,
		"counters", counters,
		"senders", senders,
		"vnis", vnis,
		"disk", collector_disk_json(c)));
}

void
api_timeseries(struct collector *c, struct evhttp_request *req,
	       const char *rest, const struct evkeyvalq *q)
{
	uint64_t seconds = 300;

	(void)rest;
	if (!http_query_u64(req, q, "seconds", 1, TIMESERIES_POINTS, &seconds)) {
		return;
	}
	http_reply_json(req, 200, timeseries_json(&c->rates, (size_t)seconds));
}

/* Sort helpers: arrays of objects by an integer member, largest first. */
static const char *sort_key;

static int
by_key_desc(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, sort_key));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, sort_key));

	return x < y ? 1 : x > y ? -1 : 0;
}

/* A new array of the first limit items of arr sorted by key, largest first. */
static json_t *
top(json_t *arr, const char *key, size_t limit)
{
	size_t n = json_array_size(arr);
	json_t **v = calloc(n + 1, sizeof(*v)), *out = json_array();

	for (size_t i = 0; i < n; i++) {
		v[i] = json_array_get(arr, i);
	}
	sort_key = key;
	qsort(v, n, sizeof(*v), by_key_desc);
	for (size_t i = 0; i < n && i < limit; i++) {
		json_array_append(out, v[i]);
	}
	free(v);
	return out;
}

/* Merge object-of-objects b into a, adding the integer members. */
static void
add_counts(json_t *a, json_t *b)
{
	const char *name, *k;
	json_t *item, *v;

	json_object_foreach(b, name, item) {
		json_t *dst = json_object_get(a, name);

		if (dst == NULL) {
			json_object_set_new(a, name, json_deep_copy(item));
			continue;
		}
		json_object_foreach(item, k, v) {
			json_object_set_new(dst, k, json_integer(
				json_integer_value(json_object_get(dst, k)) +
				json_integer_value(v)));
		}
	}
}

void
api_protocols(struct collector *c, struct evhttp_request *req,
	      const char *rest, const struct evkeyvalq *q)
{
	json_t *counters = collector_stats_json(c), *all = json_object(), *arr;
	uint64_t limit = LIMIT_DEFAULT;
	const char *name;
	json_t *item;

	(void)rest;
	if (!http_query_u64(req, q, "limit", 1, LIMIT_MAX, &limit)) {
		json_decref(counters);
		json_decref(all);
		return;
	}
	/* closed flows' tallies plus the flows still open */
	add_counts(all, json_object_get(counters, "protocols"));
	for (unsigned i = 0; i < c->nworkers; i++) {
		json_t *snap = worker_snapshot(c->workers[i]);

		add_counts(all, json_object_get(snap, "protocols"));
		json_decref(snap);
	}
	arr = json_array();
	json_int_t tf = 0, tp = 0, tb = 0;
	json_object_foreach(all, name, item) {
		json_t *o = json_deep_copy(item);

		tf += json_integer_value(json_object_get(item, "flows"));
		tp += json_integer_value(json_object_get(item, "packets"));
		tb += json_integer_value(json_object_get(item, "bytes"));
		json_object_set_new(o, "name", json_string(name));
		json_array_append_new(arr, o);
	}
	/* the total lets a client show shares of all traffic, not of the top */
	http_reply_json(req, 200, json_pack("{s:o, s:{s:I, s:I, s:I}}", "protocols",
					    top(arr, "bytes", (size_t)limit), "total",
					    "flows", tf, "packets", tp, "bytes", tb));
	json_decref(arr);
	json_decref(all);
	json_decref(counters);
}

/* Concatenate member `key` (an array) of every worker's snapshot. */
static json_t *
gather(struct collector *c, const char *key)
{
	json_t *all = json_array();

	for (unsigned i = 0; i < c->nworkers; i++) {
		json_t *snap = worker_snapshot(c->workers[i]);

		json_array_extend(all, json_object_get(snap, key));
		json_decref(snap);
	}
	return all;
}

void
api_flows(struct collector *c, struct evhttp_request *req, const char *rest,
	  const struct evkeyvalq *q)
{
	uint64_t limit = LIMIT_DEFAULT;
	json_t *all;

	(void)rest;
	if (!http_query_u64(req, q, "limit", 1, LIMIT_MAX, &limit)) {
		return;
	}
	all = gather(c, "flows");
	http_reply_json(req, 200, json_pack("{s:o}", "flows",
					    top(all, "bytes", (size_t)limit)));
	json_decref(all);
}

void
api_talkers(struct collector *c, struct evhttp_request *req, const char *rest,
	    const struct evkeyvalq *q)
{
	uint64_t limit = LIMIT_DEFAULT;
	json_t *all, *merged = json_object(), *arr = json_array(), *t;
	const char *addr;
	size_t i;

	(void)rest;
	if (!http_query_u64(req, q, "limit", 1, LIMIT_MAX, &limit)) {
		json_decref(merged);
		json_decref(arr);
		return;
	}
	/* a host may talk through several workers: sum by address */
	all = gather(c, "talkers");
	json_array_foreach(all, i, t) {
		const char *a = json_string_value(json_object_get(t, "addr"));
		json_t *m = json_object_get(merged, a);

		if (m == NULL) {
			json_object_set_new(merged, a, json_deep_copy(t));
			continue;
		}
		for (const char *const *k = (const char *const[]){ "packets", "bytes", "flows", NULL }; *k != NULL; k++) {
			json_object_set_new(m, *k, json_integer(
				json_integer_value(json_object_get(m, *k)) +
				json_integer_value(json_object_get(t, *k))));
		}
	}
	json_object_foreach(merged, addr, t) {
		json_array_append(arr, t);
	}
	http_reply_json(req, 200, json_pack("{s:o}", "talkers",
					    top(arr, "bytes", (size_t)limit)));
	json_decref(arr);
	json_decref(merged);
	json_decref(all);
}

void
api_files(struct collector *c, struct evhttp_request *req, const char *rest,
	  const struct evkeyvalq *q)
{
	struct pcapstore_file *files = NULL;
	size_t n = 0;
	json_t *arr;

	(void)rest;
	(void)q;
	if (pcapstore_list(c->o->pcap_dir, PCAPSTORE_LIST_SUMMARY, &files, &n) != 0) {
		http_reply_error(req, 500, "cannot list the pcap directory");
		return;
	}
	arr = json_array();
	/* newest first: the listing is sorted oldest first */
	for (size_t i = n; i-- > 0;) {
		const struct pcapstore_file *f = &files[i];

		if (f->state == PCAPSTORE_FILE_ORPHAN_INDEX) {
			continue;
		}
		json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:I, s:I, s:b, s:b}",
			"name", f->name,
			"size", (json_int_t)f->size,
			"first_ns", (json_int_t)(f->has_summary ? f->first_ns : f->start_ns),
			"last_ns", (json_int_t)(f->has_summary ? f->last_ns : (uint64_t)f->mtime_ns),
			"packets", (json_int_t)(f->has_summary ? f->packets : 0),
			"open", f->state == PCAPSTORE_FILE_OPEN,
			"compressed", f->compressed));
	}
	pcapstore_list_free(files);
	http_reply_json(req, 200, json_pack("{s:o}", "files", arr));
}

static void
set_drain(struct collector *c, struct evhttp_request *req, bool on)
{
	bool was = atomic_exchange(&c->draining, on);

	if (was != on) {
		log_info("%s by an API request", on ? "draining" : "drain ended");
	}
	http_reply_json(req, 200, json_pack("{s:b}", "draining", on));
}

void
api_drain(struct collector *c, struct evhttp_request *req, const char *rest,
	  const struct evkeyvalq *q)
{
	(void)rest;
	(void)q;
	set_drain(c, req, true);
}

void
api_undrain(struct collector *c, struct evhttp_request *req, const char *rest,
	    const struct evkeyvalq *q)
{
	(void)rest;
	(void)q;
	set_drain(c, req, false);
}
