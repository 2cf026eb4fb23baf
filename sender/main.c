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

#include "sender/mirror.h"
#include "sender/options.h"
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
		log_warnx("daemon mode is not available yet: give --interface or --read (see --help)");
		rc = 2;
		break;
	}
	sender_options_finish(&o);
	return rc;
}
