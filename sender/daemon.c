/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reconciling mirrors with the resource store (see daemon.h). It decides
 * which mirrors exist and where they point; how a mirror captures and
 * sends is mirror.c's. It reads the document it is given, never the file.
 */
#include "sender/daemon.h"

#include <event2/event.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sender/resource.h"
#include "shared/log.h"

#define MAX_TARGETS 4096

/* One NIC with a tap configuration: what the store wants and what runs. */
struct slot {
	char nic[IF_NAMESIZE];
	char config[RESOURCE_NAME_MAX + 1];
	char tap[RESOURCE_NAME_MAX + 1];
	char destination[256];       /* what the store says */
	uint16_t port;
	uint32_t vni;
	struct mirror *mirror;       /* owned; NULL while it cannot start */
	bool stale;                  /* mirror still points at an old target */
	bool wanted;                 /* scratch for daemon_apply */
	char error[512];             /* last failure, logged once */
};

struct daemon {
	struct event_base *base;     /* borrowed */
	struct mirror_config defaults;
	struct slot *slots;          /* owned: n used of cap */
	size_t n, cap;
	struct event *ev_retry;      /* owned: the one-second retry timer */
};

/* Remember a failure; log it only when it differs from the last one. */
static void
failed(struct slot *s, const char *what, const char *err)
{
	if (strcmp(s->error, err) != 0) {
		log_warnx("%s: cannot %s: %s; retrying every second", s->nic, what, err);
		snprintf(s->error, sizeof(s->error), "%s", err);
	}
}

/* Bring one slot to its target: start or re-target its mirror. */
static void
settle(struct daemon *d, struct slot *s)
{
	struct mirror_config cfg = d->defaults;
	char err[512];

	if (s->mirror == NULL) {
		cfg.interface = s->nic;
		cfg.read_path = NULL;
		cfg.destination = s->destination;
		cfg.port = s->port;
		cfg.vni = s->vni;
		if ((s->mirror = mirror_create(d->base, &cfg, err, sizeof(err))) == NULL) {
			failed(s, "start mirroring", err);
			return;
		}
		s->stale = false;
		s->error[0] = '\0';
		log_info("%s: mirroring to %s, VNI %u (tap %s, configuration %s)",
			 s->nic, s->mirror->dest_text, s->vni, s->tap, s->config);
		return;
	}
	if (!s->stale) {
		return;
	}
	if (mirror_retarget(s->mirror, s->destination, s->port, s->vni, err,
			    sizeof(err)) != 0) {
		failed(s, "re-target", err);
		return;
	}
	s->stale = false;
	s->error[0] = '\0';
	log_info("%s: re-targeted to %s, VNI %u (tap %s)", s->nic,
		 s->mirror->dest_text, s->vni, s->tap);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	for (size_t i = 0; i < d->n; i++) {
		if (d->slots[i].mirror == NULL || d->slots[i].stale) {
			settle(d, &d->slots[i]);
		}
	}
}

struct daemon *
daemon_create(struct event_base *base, const struct mirror_config *defaults)
{
	struct timeval second = { 1, 0 };
	struct daemon *d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		return NULL;
	}
	d->base = base;
	d->defaults = *defaults;
	d->ev_retry = event_new(base, -1, EV_PERSIST, retry_cb, d);
	if (d->ev_retry == NULL || event_add(d->ev_retry, &second) != 0) {
		daemon_destroy(d);
		return NULL;
	}
	return d;
}

static struct slot *
find_slot(struct daemon *d, const char *nic)
{
	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->slots[i].nic, nic) == 0) {
			return &d->slots[i];
		}
	}
	return NULL;
}

static struct slot *
add_slot(struct daemon *d, const char *nic)
{
	struct slot *s;

	if (d->n == d->cap) {
		size_t cap = d->cap == 0 ? 8 : d->cap * 2;
		struct slot *bigger = realloc(d->slots, cap * sizeof(*bigger));

		if (bigger == NULL) {
			return NULL;
		}
		d->slots = bigger;
		d->cap = cap;
	}
	s = &d->slots[d->n++];
	*s = (struct slot){ .mirror = NULL };
	strncpy(s->nic, nic, sizeof(s->nic) - 1);
	return s;
}

static void
print_counters(struct mirror *m, FILE *out)
{
	json_t *j = mirror_counters_json(m);
	char *text = json_dumps(j, JSON_COMPACT);

	if (text != NULL) {
		fprintf(out, "%s\n", text);
		fflush(out);
		free(text);
	}
	json_decref(j);
}

void
daemon_apply(struct daemon *d, const json_t *doc)
{
	static struct resource_target t[MAX_TARGETS];
	size_t n = resource_targets(doc, t, MAX_TARGETS), i;

	if (n > MAX_TARGETS) {
		log_warnx("%zu tap configurations: only the first %d are mirrored",
			  n, MAX_TARGETS);
		n = MAX_TARGETS;
	}
	for (i = 0; i < d->n; i++) {
		d->slots[i].wanted = false;
	}
	for (i = 0; i < n; i++) {
		struct slot *s = find_slot(d, t[i].nic);

		if (s == NULL && (s = add_slot(d, t[i].nic)) == NULL) {
			log_warnx("%s: out of memory", t[i].nic);
			continue;
		}
		s->wanted = true;
		snprintf(s->config, sizeof(s->config), "%s", t[i].config);
		snprintf(s->tap, sizeof(s->tap), "%s", t[i].tap);
		if (strcmp(s->destination, t[i].destination) != 0 ||
		    s->port != t[i].port || s->vni != t[i].vni) {
			snprintf(s->destination, sizeof(s->destination), "%s",
				 t[i].destination);
			s->port = t[i].port;
			s->vni = t[i].vni;
			s->stale = s->mirror != NULL;
			s->error[0] = '\0';
		}
	}
	/* stop what the store no longer has, keeping the order of the rest */
	for (i = 0; i < d->n;) {
		struct slot *s = &d->slots[i];

		if (s->wanted) {
			i++;
			continue;
		}
		if (s->mirror != NULL) {
			log_info("%s: stopped mirroring (configuration %s removed)",
				 s->nic, s->config);
			print_counters(s->mirror, stdout);
			mirror_destroy(s->mirror);
		}
		memmove(s, s + 1, (d->n - i - 1) * sizeof(*s));
		d->n--;
	}
	for (i = 0; i < d->n; i++) {
		settle(d, &d->slots[i]);
	}
}

json_t *
daemon_status_json(struct daemon *d)
{
	json_t *list = json_array();

	for (size_t i = 0; i < d->n; i++) {
		struct slot *s = &d->slots[i];
		json_t *j;

		if (s->mirror != NULL) {
			j = mirror_counters_json(s->mirror);
			json_object_del(j, "interface");
			json_object_set_new(j, "state", json_string(s->mirror->down ? "interface down"
										   : "mirroring"));
		} else {
			char target[300];

			snprintf(target, sizeof(target), "%s:%u", s->destination, s->port);
			j = json_pack("{s:s, s:I, s:s, s:I, s:I, s:{}}",
				      "destination", target, "vni", (json_int_t)s->vni,
				      "state", "waiting", "captured", (json_int_t)0,
				      "sent", (json_int_t)0, "dropped");
		}
		json_object_set_new(j, "nic", json_string(s->nic));
		json_object_set_new(j, "tap", json_string(s->tap));
		json_object_set_new(j, "tapConfiguration", json_string(s->config));
		if (s->error[0] != '\0') {
			json_object_set_new(j, "error", json_string(s->error));
		}
		json_array_append_new(list, j);
	}
	return list;
}

void
daemon_print_counters(struct daemon *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->slots[i].mirror != NULL) {
			print_counters(d->slots[i].mirror, out);
		}
	}
}

void
daemon_destroy(struct daemon *d)
{
	if (d == NULL) {
		return;
	}
	for (size_t i = 0; i < d->n; i++) {
		mirror_destroy(d->slots[i].mirror);
	}
	if (d->ev_retry != NULL) {
		event_free(d->ev_retry);
	}
	free(d->slots);
	free(d);
}
