/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket of vtap-sender: a unix stream socket on which each
 * connection carries one request and one response, each a JSON document
 * on one line (see service.h for their shape). The caller is identified
 * by SO_PEERCRED (uid, gid) and the groups of that user (getgrouplist);
 * access control is the role check, so the socket itself is mode 0666.
 */
#ifndef VTAP_SENDER_CONTROL_H
#define VTAP_SENDER_CONTROL_H

#include <jansson.h>
#include <stddef.h>

#include "sender/rbac.h"

#define CONTROL_MAX_REQUEST (64 * 1024)

struct event_base;
struct event;

/*
 * Answer one request from who; returns the response (new reference).
 * request is borrowed and may be any JSON value.
 */
typedef json_t *(*control_request_cb)(void *arg,
				      const struct rbac_principal *who,
				      const json_t *request);

struct control {
	struct event_base *base;   /* borrowed */
	char *path;                /* owned: the socket's path */
	int fd;                    /* listening socket, -1 when closed */
	struct event *ev_accept;   /* owned */
	control_request_cb cb;
	void *cb_arg;              /* borrowed */
};

/*
 * Listen on path (its directory is created, mode 0755, if missing; a
 * stale socket left by a dead sender is replaced, a live one is not).
 * Returns 0, or -1 with a one-line reason in err. Does not log.
 */
int control_open(struct control *c, struct event_base *base, const char *path,
		 control_request_cb cb, void *cb_arg, char *err, size_t errlen);

/* Stop listening and remove the socket file. Accepts a closed control. */
void control_close(struct control *c);

#endif
