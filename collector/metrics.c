/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renders collector_stats_json and the disk and health figures as
 * Prometheus text. It formats; the numbers come from collector.c.
 */
#include "collector/metrics.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

#include "collector/collector.h"

/* Label values escape backslash, double quote and newline. */
static void
add_label_value(struct evbuffer *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"') {
			evbuffer_add_printf(b, "\\%c", *v);
		} else if (*v == '\n') {
			evbuffer_add(b, "\\n", 2);
		} else {
			evbuffer_add(b, v, 1);
		}
	}
}

static void
family(struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample(struct evbuffer *b, const char *name, const char *l1, const char *v1,
       const char *l2, const char *v2, json_int_t value)
{
	evbuffer_add_printf(b, "%s", name);
	if (l1 != NULL) {
		evbuffer_add_printf(b, "{%s=\"", l1);
		add_label_value(b, v1);
		evbuffer_add(b, "\"", 1);
		if (l2 != NULL) {
			evbuffer_add_printf(b, ",%s=\"", l2);
			add_label_value(b, v2);
			evbuffer_add(b, "\"", 1);
		}
		evbuffer_add(b, "}", 1);
	}
	evbuffer_add_printf(b, " %lld\n", (long long)value);
}

static void
simple(struct evbuffer *b, json_t *j, const char *key, const char *name,
       const char *type, const char *help)
{
	family(b, name, type, help);
	sample(b, name, NULL, NULL, NULL, NULL,
	       json_integer_value(json_object_get(j, key)));
}

/* Per-sender or per-VNI families from an array of entries. */
static void
per_entry(struct evbuffer *b, json_t *arr, const char *label, const char *what)
{
	char name[96], help[160];
	const char *fields[] = { "datagrams", "bytes", "written" };
	const char *helps[] = { "UDP datagrams received", "UDP payload bytes received",
				"inner frames written" };
	const char *reason;
	size_t i;
	json_t *e, *v;

	for (int f = 0; f < 3; f++) {
		snprintf(name, sizeof(name), "vtap_%s_%s_total", what, fields[f]);
		snprintf(help, sizeof(help), "%s, by %s.", helps[f], label);
		family(b, name, "counter", help);
		json_array_foreach(arr, i, e) {
			sample(b, name, label, json_string_value(json_object_get(e, "name")),
			       NULL, NULL, json_integer_value(json_object_get(e, fields[f])));
		}
	}
	snprintf(name, sizeof(name), "vtap_%s_dropped_total", what);
	snprintf(help, sizeof(help), "Datagrams dropped, by %s and reason.", label);
	family(b, name, "counter", help);
	json_array_foreach(arr, i, e) {
		json_object_foreach(json_object_get(e, "dropped"), reason, v) {
			sample(b, name, label, json_string_value(json_object_get(e, "name")),
			       "reason", reason, json_integer_value(v));
		}
	}
}

void
metrics_reply(struct collector *c, struct evhttp_request *req,
	      const char *rest, const struct evkeyvalq *q)
{
	struct evbuffer *b = evbuffer_new();
	json_t *s = collector_stats_json(c), *disk = collector_disk_json(c), *v;
	char reason_text[256];
	const char *k;
	bool ok;

	(void)rest;
	(void)q;
	ok = collector_health(c, reason_text, sizeof(reason_text));
	simple(b, s, "datagrams", "vtap_datagrams_total", "counter", "UDP datagrams received.");
	simple(b, s, "datagram_bytes", "vtap_datagram_bytes_total", "counter", "UDP payload bytes received.");
	family(b, "vtap_dropped_total", "counter", "Datagrams dropped, by reason.");
	json_object_foreach(json_object_get(s, "dropped"), k, v) {
		sample(b, "vtap_dropped_total", "reason", k, NULL, NULL, json_integer_value(v));
	}
	family(b, "vtap_malformed_frames_total", "counter",
	       "Inner frames the parser stopped in (still stored), by reason.");
	json_object_foreach(json_object_get(s, "malformed"), k, v) {
		sample(b, "vtap_malformed_frames_total", "reason", k, NULL, NULL, json_integer_value(v));
	}
	simple(b, s, "reserved_bits_set", "vtap_reserved_bits_set_total", "counter",
	       "VXLAN headers accepted with reserved bits set.");
	simple(b, s, "frames", "vtap_frames_total", "counter", "Inner frames admitted.");
	simple(b, s, "frame_bytes", "vtap_frame_bytes_total", "counter", "Inner frame bytes admitted.");
	simple(b, s, "written", "vtap_written_frames_total", "counter", "Frames written to pcap files.");
	simple(b, s, "written_bytes", "vtap_written_bytes_total", "counter", "Frame bytes written to pcap files.");
	simple(b, s, "write_errors", "vtap_write_errors_total", "counter", "Frames that could not be written.");
	simple(b, s, "kernel_drops", "vtap_kernel_drops_total", "counter", "Datagrams the kernel dropped on full receive queues.");
	simple(b, s, "flows_active", "vtap_flows_active", "gauge", "Flows tracked now.");
	simple(b, s, "flows_created", "vtap_flows_created_total", "counter", "Flows started.");
	simple(b, s, "flows_evicted", "vtap_flows_evicted_total", "counter", "Flows evicted by --max-flows.");
	simple(b, s, "flows_logged", "vtap_flows_logged_total", "counter", "Closed flows written as JSON lines.");
	per_entry(b, json_object_get(s, "vnis"), "vni", "vni");
	per_entry(b, json_object_get(s, "senders"), "sender", "sender");
	simple(b, disk, "files", "vtap_disk_files", "gauge", "pcap files in the store.");
	simple(b, disk, "pcap_bytes", "vtap_disk_pcap_bytes", "gauge", "Bytes of pcap files and indexes.");
	simple(b, disk, "free_bytes", "vtap_disk_free_bytes", "gauge", "Free bytes on the pcap disk.");
	simple(b, disk, "horizon_s", "vtap_retention_horizon_seconds", "gauge", "Time the stored pcaps cover.");
	family(b, "vtap_healthy", "gauge", "1 when /healthz answers 200.");
	sample(b, "vtap_healthy", NULL, NULL, NULL, NULL, ok);
	family(b, "vtap_draining", "gauge", "1 while draining.");
	sample(b, "vtap_draining", NULL, NULL, NULL, NULL, atomic_load(&c->draining));
	json_decref(s);
	json_decref(disk);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4; charset=utf-8");
	http_send(req, 200, b);
	evbuffer_free(b);
}
