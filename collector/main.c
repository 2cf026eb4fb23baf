/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vtap-collector's entry point: parse options, repair what a crash left,
 * then either run the offline pipeline over a file or start the receive
 * workers and the event loop (signals, retention). It orchestrates only.
 */
#include <errno.h>
#include <event2/event.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "collector/auth.h"
#include "collector/collector.h"
#include "collector/flowlogs.h"
#include "collector/geoip.h"
#include "collector/http.h"
#include "collector/offline.h"
#include "collector/options.h"
#include "collector/recv.h"
#include "collector/repair.h"
#include "collector/retention.h"
#include "collector/worker.h"
#include "shared/addr.h"
#include "shared/log.h"
#include "shared/privdrop.h"
#include "vtap-build.h"

#define RETENTION_EVERY_S 1

/* What only the main loop holds: the collector plus its servers. */
struct app {
	struct collector c;
	struct auth *auth;          /* owned, may be NULL */
	struct http *http;          /* owned */
	struct http *probe;         /* owned */
	unsigned ticks;
};

static void
run_retention(struct collector *c)
{
	struct retention_result r;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	/* retention logs each deletion itself; failures are logged there too */
	if (retention_run(c->o->pcap_dir, c->o->retain_bytes,
			  c->o->retain_seconds, c->o->min_free,
			  (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec,
			  &r) == 0) {
		/* flow logs go with the pcaps they describe */
		if (r.count > 0) {
			flowlogs_expire(c->o->pcap_dir, r.horizon_ns);
		}
		retention_result_finish(&r);
	}
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct app *a = arg;

	(void)fd;
	(void)what;
	collector_sample_rates(&a->c);
	if (++a->ticks % RETENTION_EVERY_S == 0) {
		run_retention(&a->c);
	}
}

static void
drain_cb(evutil_socket_t sig, short what, void *arg)
{
	struct collector *c = arg;
	bool was = atomic_exchange(&c->draining, true);

	(void)sig;
	(void)what;
	if (!was) {
		log_info("SIGUSR1: draining (/healthz answers 503; SIGUSR2 ends it)");
	}
}

static void
undrain_cb(evutil_socket_t sig, short what, void *arg)
{
	struct collector *c = arg;

	(void)sig;
	(void)what;
	if (atomic_exchange(&c->draining, false)) {
		log_info("SIGUSR2: drain ended");
	}
}

/*
 * Without an auth file the page and downloads stay on loopback unless the
 * operator says otherwise: rewrite a wider address to the loopback one.
 */
/* True when every address host resolves to is a loopback one. */
static bool
is_loopback(const char *host, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];

	if (addr_resolve(host, port, &ss, &len, err, sizeof(err)) != 0) {
		return false;
	}
	if (ss.ss_family == AF_INET) {
		const uint8_t *a = (const uint8_t *)&((struct sockaddr_in *)&ss)->sin_addr;

		return a[0] == 127;
	}
	return ss.ss_family == AF_INET6 &&
	       IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr);
}

/*
 * Without an auth file the page and downloads stay on loopback unless the
 * operator says otherwise: a wider address (judged by what it resolves
 * to, not by its spelling) is replaced by the loopback one.
 */
static const char *
safe_http_address(const struct collector_options *o, char *buf, size_t len)
{
	char host[256];
	uint16_t port;

	if (o->auth_file != NULL || o->insecure_no_auth ||
	    !addr_split(o->http, 0, host, sizeof(host), &port) ||
	    is_loopback(host, port)) {
		return o->http;
	}
	snprintf(buf, len, "%s:%u", strchr(host, ':') != NULL ? "[::1]" : "127.0.0.1", port);
	log_warnx("no --auth-file: serving HTTP on %s instead of %s "
		  "(give --auth-file, or --insecure-no-auth to serve it unauthenticated)",
		  buf, o->http);
	return buf;
}

static int
start_http(struct app *a)
{
	const struct collector_options *o = a->c.o;
	struct http_config hc = {
		.web_dir = o->web_dir,
		.chartjs = o->chartjs,
		.tls_cert = o->tls_cert,
		.tls_key = o->tls_key,
	};
	char err[512], addr[300];

	if (o->auth_file != NULL &&
	    (a->auth = auth_load(o->auth_file, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	hc.auth = a->auth;
	if (o->http != NULL) {
		hc.listen = safe_http_address(o, addr, sizeof(addr));
		if ((a->http = http_create(a->c.base, &a->c, &hc, err, sizeof(err))) == NULL) {
			log_warnx("%s", err);
			return -1;
		}
		log_info("HTTP on %s%s", hc.listen, o->tls_cert != NULL ? " (TLS)" : "");
	}
	if (o->probe != NULL) {
		hc.listen = o->probe;
		hc.probe_only = true;
		hc.tls_cert = hc.tls_key = NULL;
		if ((a->probe = http_create(a->c.base, &a->c, &hc, err, sizeof(err))) == NULL) {
			log_warnx("%s", err);
			return -1;
		}
		log_info("health probe on %s", o->probe);
	}
	return 0;
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct collector *c = arg;

	(void)what;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopbreak(c->base);
}

static void
hup_cb(evutil_socket_t sig, short what, void *arg)
{
	struct collector *c = arg;

	(void)sig;
	(void)what;
	log_info("SIGHUP: rotating files");
	for (unsigned i = 0; i < c->nworkers; i++) {
		worker_request_rotate(c->workers[i]);
	}
}

static void
worker_config_from(const struct collector_options *o, unsigned id, int fd,
		   const struct geoip *g, struct worker_config *wc)
{
	memset(wc, 0, sizeof(*wc));
	wc->id = id;
	wc->fd = fd;
	wc->pcap_dir = o->pcap_dir;
	wc->rotate_bytes = o->rotate_size;
	wc->rotate_seconds = o->rotate_seconds;
	wc->compress_lz4 = o->compress_lz4;
	wc->max_flows = (size_t)o->max_flows;
	wc->idle_ns = o->idle_timeout * 1000000000ULL;
	wc->active_ns = o->active_timeout * 1000000000ULL;
	wc->policy = &o->policy;
	wc->geoip = g;
	wc->offline = fd < 0;
}

static void
print_summary_text(json_t *j)
{
	const char *k;
	json_t *v;

	printf("datagrams %lld, frames %lld (%lld bytes), written %lld, write errors %lld\n",
	       json_integer_value(json_object_get(j, "datagrams")),
	       json_integer_value(json_object_get(j, "frames")),
	       json_integer_value(json_object_get(j, "frame_bytes")),
	       json_integer_value(json_object_get(j, "written")),
	       json_integer_value(json_object_get(j, "write_errors")));
	printf("flows %lld; not VXLAN %lld, outer fragments %lld\n",
	       json_integer_value(json_object_get(j, "flows_created")),
	       json_integer_value(json_object_get(j, "not_vxlan")),
	       json_integer_value(json_object_get(j, "outer_fragments")));
	printf("dropped:");
	json_object_foreach(json_object_get(j, "dropped"), k, v) {
		printf(" %s %lld", k, json_integer_value(v));
	}
	printf("\nprotocols (flows):");
	json_object_foreach(json_object_get(j, "protocols"), k, v) {
		printf(" %s %lld", k, json_integer_value(json_object_get(v, "flows")));
	}
	printf("\n");
}

/*
 * The file through --workers workers (one per core by default), then the
 * summary of them all, as live mode prints it.
 */
static int
run_offline(struct collector *c)
{
	const struct collector_options *o = c->o;
	struct worker_config wc;
	char err[512];
	json_t *j;
	int rc = 0;

	for (unsigned i = 0; i < o->workers; i++) {
		worker_config_from(o, i, -1, c->geoip, &wc);
		if ((c->workers[i] = worker_create(&wc, err, sizeof(err))) == NULL) {
			log_warnx("%s", err);
			return 1;
		}
		c->nworkers++;
	}
	if (offline_run(c->workers, c->nworkers, o->read_path, o->inner,
			o->listen_port, err, sizeof(err)) != 0) {
		/* a damaged file: what was read is kept and summarised */
		log_warnx("%s", err);
		rc = 1;
	}
	for (unsigned i = 0; i < c->nworkers; i++) {
		worker_finish(c->workers[i]);
	}
	j = collector_stats_json(c);
	if (o->json) {
		json_dumpf(j, stdout, JSON_COMPACT);
		printf("\n");
	} else {
		print_summary_text(j);
	}
	json_decref(j);
	return rc;
}

/* What a crash left behind is closed and indexed before anything new. */
static int
repair(const struct collector_options *o)
{
	struct repair_report rr;

	(void)flowlogs_repair(o->pcap_dir);
	return repair_dir(o->pcap_dir, o->compress_lz4 ? PCAPSTORE_COMPRESS_LZ4
						       : PCAPSTORE_COMPRESS_NONE, &rr);
}

/*
 * Start-up order (OpenBSD style): open the privileged resources (UDP
 * sockets, HTTP listeners), drop root, then touch the pcap directory
 * (repair) and start the workers as the unprivileged user.
 */
static int
run_live(struct app *a)
{
	struct collector *c = &a->c;
	const struct collector_options *o = c->o;
	struct event *evs[6] = { NULL, NULL, NULL, NULL, NULL, NULL };
	struct timeval second = { 1, 0 };
	int fds[COLLECTOR_MAX_WORKERS];
	struct worker_config wc;
	unsigned nfds = 0;
	char err[512];
	int rc = 1;
	json_t *j;

	for (; nfds < o->workers; nfds++) {
		fds[nfds] = recv_open(o->listen_host, o->listen_port,
				      (int)o->rcvbuf, err, sizeof(err));
		if (fds[nfds] < 0) {
			log_warnx("%s", err);
			goto done;
		}
	}
	if ((c->base = event_base_new()) == NULL) {
		fatalx("cannot create event base");
	}
	if (!o->check_only && start_http(a) != 0) {
		goto done;
	}
	if (o->user != NULL && !o->check_only) {
		if (privdrop_to(o->user, NULL, 0, err, sizeof(err)) != 0) {
			log_warnx("%s", err);
			goto done;
		}
		log_info("running as %s", o->user);
	}
	if (!o->check_only && repair(o) != 0) {
		goto done;
	}
	for (unsigned i = 0; i < nfds; i++) {
		worker_config_from(o, i, fds[i], c->geoip, &wc);
		fds[i] = -1; /* the worker owns it now, even on failure */
		if ((c->workers[i] = worker_create(&wc, err, sizeof(err))) == NULL) {
			log_warnx("%s", err);
			goto done;
		}
		c->nworkers++;
	}
	if (o->check_only) {
		log_info("configuration OK");
		rc = 0;
		goto done;
	}
	evs[0] = evsignal_new(c->base, SIGINT, stop_cb, c);
	evs[1] = evsignal_new(c->base, SIGTERM, stop_cb, c);
	evs[2] = evsignal_new(c->base, SIGHUP, hup_cb, c);
	evs[3] = evsignal_new(c->base, SIGUSR1, drain_cb, c);
	evs[4] = evsignal_new(c->base, SIGUSR2, undrain_cb, c);
	evs[5] = event_new(c->base, -1, EV_PERSIST, tick_cb, a);
	for (int i = 0; i < 6; i++) {
		if (evs[i] == NULL || event_add(evs[i], i == 5 ? &second : NULL) != 0) {
			fatalx("cannot install event handlers");
		}
	}
	for (unsigned i = 0; i < c->nworkers; i++) {
		if (worker_start(c->workers[i], err, sizeof(err)) != 0) {
			log_warnx("%s", err);
			goto done;
		}
	}
	log_info("receiving VXLAN on %s port %u with %u workers; pcaps in %s",
		 o->listen_host, o->listen_port, c->nworkers, o->pcap_dir);
	run_retention(c);
	event_base_dispatch(c->base);
	rc = 0;
done:
	for (unsigned i = 0; i < nfds; i++) {
		if (fds[i] >= 0 && i >= c->nworkers) {
			close(fds[i]);
		}
	}
	for (unsigned i = 0; i < c->nworkers; i++) {
		worker_stop(c->workers[i]);
		worker_finish(c->workers[i]);
	}
	if (c->nworkers > 0 && !o->check_only) {
		j = collector_stats_json(c);
		json_dumpf(j, stdout, JSON_COMPACT);
		printf("\n");
		json_decref(j);
	}
	http_destroy(a->http);
	http_destroy(a->probe);
	a->http = a->probe = NULL;
	for (int i = 0; i < 6; i++) {
		if (evs[i] != NULL) {
			event_free(evs[i]);
		}
	}
	return rc;
}

/* Descriptors: as many as allowed (connections and files share them). */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * Create the pcap directory if needed; with --user, hand it to that user
 * (the directory itself: files already in it keep their owner).
 */
static int
prepare_dir(const char *dir, const char *user)
{
	struct passwd *pw;
	struct stat st;

	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		log_warn("cannot create pcap directory %s", dir);
		return -1;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_warnx("%s is not a directory", dir);
		return -1;
	}
	if (user != NULL && geteuid() == 0 && (pw = getpwnam(user)) != NULL &&
	    st.st_uid != pw->pw_uid && chown(dir, pw->pw_uid, pw->pw_gid) != 0) {
		log_warn("cannot give %s to %s", dir, user);
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct collector_options o;
	struct app a;
	struct collector *c = &a.c;
	char err[512];
	int rc = 1;

	memset(&a, 0, sizeof(a));
	log_init("vtap-collector", 0, false);
	switch (collector_options_parse(argc, argv, &o, err, sizeof(err))) {
	case COLLECTOR_PARSE_OK:
		break;
	case COLLECTOR_PARSE_HELP:
		fputs(collector_usage, stdout);
		collector_options_finish(&o);
		return 0;
	case COLLECTOR_PARSE_VERSION:
		printf("vtap-collector %s\n", VTAP_VERSION);
		collector_options_finish(&o);
		return 0;
	case COLLECTOR_PARSE_USAGE:
		log_warnx("%s", err);
		collector_options_finish(&o);
		return 2;
	case COLLECTOR_PARSE_CONFIG:
		log_warnx("%s", err);
		collector_options_finish(&o);
		return 1;
	}
	log_init("vtap-collector", o.verbose, o.use_syslog);
	c->o = &o;
	c->started = time(NULL);
	raise_fd_limit();
	timeseries_init(&c->rates);
	signal(SIGPIPE, SIG_IGN);
	if (prepare_dir(o.pcap_dir, o.read_path == NULL ? o.user : NULL) != 0) {
		goto done;
	}
	if (o.ngeoip > 0 &&
	    (c->geoip = geoip_create(o.geoip, o.ngeoip, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		goto done;
	}
	if (o.read_path != NULL) {
		rc = repair(&o) == 0 ? run_offline(c) : 1;
	} else {
		rc = run_live(&a);
	}
done:
	for (unsigned i = 0; i < c->nworkers; i++) {
		worker_destroy(c->workers[i]);
	}
	geoip_destroy(c->geoip);
	auth_destroy(a.auth);
	if (c->base != NULL) {
		event_base_free(c->base);
	}
	collector_options_finish(&o);
	return rc;
}
