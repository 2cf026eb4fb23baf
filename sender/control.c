/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket (see control.h): listening, reading one request
 * line per connection, learning who sent it, and writing the answer. What
 * a request means is service.c's business; this file never reads the
 * store or the roles. It logs only socket failures, never per request.
 */
#include "sender/control.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "shared/log.h"

#define MAX_GROUPS 1024
#define IO_TIMEOUT_SECONDS 10

/* One client connection, from accept to the last byte of its answer. */
struct conn {
	struct control *ctl;          /* borrowed */
	struct bufferevent *bev;      /* owned */
	uid_t uid;
	char *user;                   /* owned; NULL when the uid has no name */
	uint32_t *gids;               /* owned: ngroups entries */
	char **groups;                /* owned: ngroups names, NULL if unnamed */
	size_t ngroups;
	int answered;
};

static void
conn_free(struct conn *k)
{
	if (k == NULL) {
		return;
	}
	if (k->bev != NULL) {
		bufferevent_free(k->bev);
	}
	for (size_t i = 0; i < k->ngroups; i++) {
		free(k->groups[i]);
	}
	free(k->groups);
	free(k->gids);
	free(k->user);
	free(k);
}

/* A group's name, or NULL; buffers grow on ERANGE up to 1 MiB. */
static char *
group_name(gid_t gid)
{
	size_t len = 16384;
	struct group gr, *res = NULL;
	char *buf = NULL, *name = NULL;

	for (;;) {
		char *bigger = realloc(buf, len);
		int e;

		if (bigger == NULL) {
			break;
		}
		buf = bigger;
		e = getgrgid_r(gid, &gr, buf, len, &res);
		if (e == ERANGE && len < (1u << 20)) {
			len *= 2;
			continue;
		}
		if (e == 0 && res != NULL) {
			name = strdup(gr.gr_name);
		}
		break;
	}
	free(buf);
	return name;
}

/*
 * Who is on the other end: SO_PEERCRED's uid and gid, the user's name
 * and every group getgrouplist gives for it (the primary gid when the
 * uid has no name). Returns 0 or -1 (logged).
 */
static int
identify(struct conn *k, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct passwd pw, *res = NULL;
	char pwbuf[16384];
	gid_t *list = NULL, *bigger;
	int n = 32, rc = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		log_warn("control: SO_PEERCRED");
		goto done;
	}
	k->uid = cred.uid;
	if (getpwuid_r(cred.uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res != NULL) {
		k->user = strdup(pw.pw_name);
	}
	for (;;) {
		if ((bigger = realloc(list, (size_t)n * sizeof(*list))) == NULL) {
			goto done;
		}
		list = bigger;
		if (k->user == NULL) {
			list[0] = cred.gid;
			n = 1;
			break;
		}
		if (getgrouplist(k->user, cred.gid, list, &n) >= 0) {
			break;
		}
		if (n > MAX_GROUPS) {
			n = MAX_GROUPS;
			(void)getgrouplist(k->user, cred.gid, list, &n);
			break;
		}
	}
	k->gids = calloc((size_t)n, sizeof(*k->gids));
	k->groups = calloc((size_t)n, sizeof(*k->groups));
	if (k->gids == NULL || k->groups == NULL) {
		goto done;
	}
	for (int i = 0; i < n; i++) {
		k->gids[i] = list[i];
		k->groups[i] = group_name(list[i]);
	}
	k->ngroups = (size_t)n;
	rc = 0;
done:
	free(list);
	return rc;
}

static void
write_done_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_free(arg);
}

static void answer(struct conn *k, const char *line, size_t len);

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *k = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);

	/* a client that sends no newline but closes its side is fine too */
	if ((what & BEV_EVENT_EOF) && !k->answered && len > 0) {
		char *line = (char *)evbuffer_pullup(in, (ssize_t)len);

		answer(k, line, len);
		return;
	}
	conn_free(k);
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *k = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr eol;
	size_t eol_len = 0;

	if (k->answered) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
	if (eol.pos >= 0) {
		char *line = (char *)evbuffer_pullup(in, eol.pos);

		answer(k, line != NULL ? line : "", (size_t)eol.pos);
		return;
	}
	if (evbuffer_get_length(in) > CONTROL_MAX_REQUEST) {
		answer(k, NULL, 0);
	}
}

/* Parse the request, have the callback answer it, send the answer. */
static void
answer(struct conn *k, const char *line, size_t len)
{
	const struct rbac_principal who = {
		.uid = k->uid,
		.user = k->user,
		.gids = k->gids,
		.groups = (const char *const *)k->groups,
		.ngroups = k->ngroups,
	};
	json_t *req = NULL, *resp;
	json_error_t je;
	char *text;

	k->answered = 1;
	if (line == NULL) {
		resp = json_pack("{s:b, s:s, s:s}", "ok", 0, "code", "invalid",
				 "error", "request too large");
	} else if ((req = json_loadb(line, len, 0, &je)) == NULL) {
		resp = json_pack("{s:b, s:s, s:s+}", "ok", 0, "code", "invalid",
				 "error", "bad request: ", je.text);
	} else {
		resp = k->ctl->cb(k->ctl->cb_arg, &who, req);
	}
	json_decref(req);
	text = resp != NULL ? json_dumps(resp, JSON_COMPACT) : NULL;
	json_decref(resp);
	bufferevent_disable(k->bev, EV_READ);
	if (text == NULL) {
		conn_free(k);
		return;
	}
	bufferevent_setcb(k->bev, NULL, write_done_cb, event_cb, k);
	bufferevent_write(k->bev, text, strlen(text));
	bufferevent_write(k->bev, "\n", 1);
	free(text);
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct control *c = arg;
	struct timeval tmo = { IO_TIMEOUT_SECONDS, 0 };
	struct conn *k = NULL;
	int fd;

	(void)what;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
			log_warn("control: accept");
		}
		return;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL || identify(k, fd) != 0) {
		close(fd);
		conn_free(k);
		return;
	}
	k->ctl = c;
	if ((k->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		conn_free(k);
		return;
	}
	bufferevent_setcb(k->bev, read_cb, NULL, event_cb, k);
	bufferevent_set_timeouts(k->bev, &tmo, &tmo);
	bufferevent_enable(k->bev, EV_READ);
}

/* Remove a socket file no sender answers on; refuse a live one. */
static int
clear_stale(const char *path, const struct sockaddr_un *sun, char *err,
	    size_t errlen)
{
	struct stat sb;
	int fd, live;

	if (lstat(path, &sb) != 0) {
		return 0;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	if (live) {
		snprintf(err, errlen, "another vtap-sender is listening on %s", path);
		return -1;
	}
	if (unlink(path) != 0) {
		snprintf(err, errlen, "cannot remove stale %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
control_open(struct control *c, struct event_base *base, const char *path,
	     control_request_cb cb, void *cb_arg, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	char *copy = NULL;
	const char *dir;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->base = base;
	c->cb = cb;
	c->cb_arg = cb_arg;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		goto fail;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((copy = strdup(path)) == NULL || (c->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	dir = dirname(copy);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (clear_stale(path, &sun, err, errlen) != 0) {
		goto fail;
	}
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto fail;
	}
	if (bind(c->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		snprintf(err, errlen, "cannot bind %s: %s", sun.sun_path, strerror(errno));
		goto fail;
	}
	/* who may act is decided by roles, not by the file mode */
	if (chmod(path, 0666) != 0 || listen(c->fd, 16) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", sun.sun_path, strerror(errno));
		unlink(path);
		goto fail;
	}
	c->ev_accept = event_new(base, c->fd, EV_READ | EV_PERSIST, accept_cb, c);
	if (c->ev_accept == NULL || event_add(c->ev_accept, NULL) != 0) {
		snprintf(err, errlen, "cannot watch %s", sun.sun_path);
		unlink(path);
		goto fail;
	}
	free(copy);
	return 0;
fail:
	free(copy);
	if (c->ev_accept != NULL) {
		event_free(c->ev_accept);
		c->ev_accept = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	free(c->path);
	c->path = NULL;
	return -1;
}

void
control_close(struct control *c)
{
	if (c->ev_accept != NULL) {
		event_free(c->ev_accept);
		c->ev_accept = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
		unlink(c->path);
	}
	free(c->path);
	c->path = NULL;
}
