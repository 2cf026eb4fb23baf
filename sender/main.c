/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vtap-sender's entry point: parse options, then run one of the three
 * modes. It orchestrates only; the work lives in the sender library.
 */
#include <event2/event.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "sender/control.h"
#include "sender/daemon.h"
#include "sender/mirror.h"
#include "sender/options.h"
#include "sender/rbac.h"
#include "sender/service.h"
#include "sender/store.h"
#include "shared/log.h"
#include "vtap-build.h"

struct direct {
	struct event_base *base;  /* borrowed */
	struct mirror *mirror;    /* borrowed */
};

static void
print_counters(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	if (s != NULL) {
		printf("%s\n", s);
		fflush(stdout);
		free(s);
	}
	json_decref(j);
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct direct *d = arg;

	(void)what;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopbreak(d->base);
}

static void
usr1_cb(evutil_socket_t sig, short what, void *arg)
{
	struct direct *d = arg;

	(void)sig;
	(void)what;
	print_counters(mirror_counters_json(d->mirror));
}

static int
run_direct(const struct sender_options *o)
{
	struct mirror_config cfg = {
		.interface = o->interface,
		.destination = o->destination,
		.port = o->port,
		.vni = o->vni,
		.truncate = o->truncate,
		.max_pps = o->max_pps,
		.max_bps = o->max_mbps * 1000000,
		.ring_bytes = (int)o->ring_bytes,
		.batch_ms = (int)o->batch_ms,
	};
	struct event *sigs[3] = { NULL, NULL, NULL };
	struct direct d = { NULL, NULL };
	char err[512];
	int rc = 1;

	signal(SIGPIPE, SIG_IGN);
	if ((d.base = event_base_new()) == NULL) {
		fatalx("cannot create event base");
	}
	if ((d.mirror = mirror_create(d.base, &cfg, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		goto done;
	}
	if (o->check_only) {
		log_info("configuration OK");
		rc = 0;
		goto done;
	}
	sigs[0] = evsignal_new(d.base, SIGINT, stop_cb, &d);
	sigs[1] = evsignal_new(d.base, SIGTERM, stop_cb, &d);
	sigs[2] = evsignal_new(d.base, SIGUSR1, usr1_cb, &d);
	for (int i = 0; i < 3; i++) {
		if (sigs[i] == NULL || event_add(sigs[i], NULL) != 0) {
			fatalx("cannot install signal handlers");
		}
	}
	log_info("mirroring %s to %s, VNI %u", o->interface,
		 d.mirror->dest_text, o->vni);
	event_base_dispatch(d.base);
	print_counters(mirror_counters_json(d.mirror));
	rc = 0;
done:
	for (int i = 0; i < 3; i++) {
		if (sigs[i] != NULL) {
			event_free(sigs[i]);
		}
	}
	mirror_destroy(d.mirror);
	event_base_free(d.base);
	return rc;
}

static int
run_replay(const struct sender_options *o)
{
	struct mirror_config cfg = {
		.read_path = o->read_path,
		.destination = o->destination,
		.port = o->port,
		.vni = o->vni,
		.truncate = o->truncate,
		.max_pps = o->max_pps,
		.max_bps = o->max_mbps * 1000000,
	};
	json_t *counters = NULL;
	char err[512];

	if (mirror_replay(&cfg, &counters, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		return 1;
	}
	print_counters(counters);
	return 0;
}

/* What daemon mode's signal callbacks reach. */
struct daemon_run {
	struct event_base *base;   /* borrowed */
	struct service *svc;       /* borrowed */
	struct daemon *daemon;     /* borrowed */
};

static void
daemon_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon_run *r = arg;

	(void)what;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopbreak(r->base);
}

static void
daemon_hup_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon_run *r = arg;

	(void)sig;
	(void)what;
	service_reload(r->svc);
}

static void
daemon_usr1_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon_run *r = arg;

	(void)sig;
	(void)what;
	daemon_print_counters(r->daemon, stdout);
}

/*
 * Daemon mode: load the store and the roles (either broken stops the
 * start, the files untouched), start the mirrors the store names, then
 * serve the control socket. It keeps its privileges: a tap configuration
 * created later needs a new capture.
 */
static int
run_daemon(const struct sender_options *o)
{
	struct mirror_config defaults = {
		.truncate = o->truncate,
		.max_pps = o->max_pps,
		.max_bps = o->max_mbps * 1000000,
		.ring_bytes = (int)o->ring_bytes,
		.batch_ms = (int)o->batch_ms,
	};
	static const int signos[4] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1 };
	event_callback_fn cbs[4] = { daemon_stop_cb, daemon_stop_cb,
				     daemon_hup_cb, daemon_usr1_cb };
	struct event *sigs[4] = { NULL, NULL, NULL, NULL };
	struct control ctl = { .fd = -1 };
	struct store st = { 0 };
	struct rbac roles = { 0 };
	struct service svc = { &st, &roles, o->roles_path, NULL };
	struct daemon_run run = { NULL, &svc, NULL };
	char err[1024];
	int rc = 1;

	signal(SIGPIPE, SIG_IGN);
	if (store_open(&st, o->state_path, err, sizeof(err)) != 0) {
		log_warnx("cannot start: %s (the store is left as it is; fix or move it)", err);
		goto done;
	}
	if (rbac_load(&roles, o->roles_path, err, sizeof(err)) != 0) {
		log_warnx("cannot start: %s", err);
		goto done;
	}
	if (!roles.configured) {
		log_info("no roles file %s: only root may use the control socket",
			 o->roles_path);
	}
	if (o->check_only) {
		log_info("configuration OK");
		rc = 0;
		goto done;
	}
	if ((run.base = event_base_new()) == NULL) {
		fatalx("cannot create event base");
	}
	if ((run.daemon = daemon_create(run.base, &defaults)) == NULL) {
		fatalx("cannot create the mirror set");
	}
	svc.daemon = run.daemon;
	daemon_apply(run.daemon, st.doc);
	if (control_open(&ctl, run.base, o->socket_path, service_handle, &svc,
			 err, sizeof(err)) != 0) {
		log_warnx("cannot start: %s", err);
		goto done;
	}
	for (int i = 0; i < 4; i++) {
		sigs[i] = evsignal_new(run.base, signos[i], cbs[i], &run);
		if (sigs[i] == NULL || event_add(sigs[i], NULL) != 0) {
			fatalx("cannot install signal handlers");
		}
	}
	log_info("daemon: store %s, control socket %s", o->state_path, o->socket_path);
	event_base_dispatch(run.base);
	daemon_print_counters(run.daemon, stdout);
	rc = 0;
done:
	for (int i = 0; i < 4; i++) {
		if (sigs[i] != NULL) {
			event_free(sigs[i]);
		}
	}
	control_close(&ctl);
	daemon_destroy(run.daemon);
	if (run.base != NULL) {
		event_base_free(run.base);
	}
	rbac_finish(&roles);
	store_finish(&st);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct sender_options o;
	enum sender_parse p;
	char err[512];
	int rc;

	log_init("vtap-sender", 0, false);
	p = sender_options_parse(argc, argv, &o, err, sizeof(err));
	switch (p) {
	case SENDER_PARSE_OK:
		break;
	case SENDER_PARSE_HELP:
		fputs(sender_usage, stdout);
		sender_options_finish(&o);
		return 0;
	case SENDER_PARSE_VERSION:
		printf("vtap-sender %s\n", VTAP_VERSION);
		sender_options_finish(&o);
		return 0;
	case SENDER_PARSE_USAGE:
		log_warnx("%s", err);
		sender_options_finish(&o);
		return 2;
	case SENDER_PARSE_CONFIG:
		log_warnx("%s", err);
		sender_options_finish(&o);
		return 1;
	}
	log_init("vtap-sender", o.verbose, o.use_syslog);
	switch (o.mode) {
	case SENDER_DIRECT:
		rc = run_direct(&o);
		break;
	case SENDER_REPLAY:
		rc = run_replay(&o);
		break;
	case SENDER_DAEMON:
	default:
		rc = run_daemon(&o);
		break;
	}
	sender_options_finish(&o);
	return rc;
}
