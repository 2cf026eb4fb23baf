/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Talking to vtap-sender over its unix socket (see client.h): connect,
 * write one request line, read the answer to the end. Blocking, with a
 * timeout; it neither prints nor exits.
 */
#include "sender/client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_RESPONSE (16 * 1024 * 1024)

static int
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
client_call(const char *path, const json_t *request, json_t **response,
	    char *err, size_t errlen)
{
	struct timeval tmo = { CLIENT_TIMEOUT_SECONDS, 0 };
	struct sockaddr_un sun;
	char *text = NULL, *buf = NULL;
	size_t len = 0, cap = 0;
	json_error_t je;
	int fd = -1, rc = -1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		goto done;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto done;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		snprintf(err, errlen, "cannot connect to %s: %s (is vtap-sender running in daemon mode? see --socket)",
			 path, strerror(errno));
		goto done;
	}
	if ((text = json_dumps(request, JSON_COMPACT)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (send_all(fd, text, strlen(text)) != 0 || send_all(fd, "\n", 1) != 0) {
		snprintf(err, errlen, "cannot send to %s: %s", path, strerror(errno));
		goto done;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t n;

		if (len + 4096 > cap) {
			char *bigger;

			cap = cap * 2 + 4096;
			if (cap > MAX_RESPONSE || (bigger = realloc(buf, cap)) == NULL) {
				snprintf(err, errlen, "response from %s too large", path);
				goto done;
			}
			buf = bigger;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			snprintf(err, errlen, "no answer from %s: %s", path,
				 errno == EAGAIN ? "timed out" : strerror(errno));
			goto done;
		}
		if (n == 0) {
			break;
		}
		len += (size_t)n;
	}
	if ((*response = json_loadb(buf != NULL ? buf : "", len, 0, &je)) == NULL) {
		snprintf(err, errlen, "bad answer from %s: %s", path,
			 len == 0 ? "connection closed" : je.text);
		goto done;
	}
	rc = 0;
done:
	if (fd >= 0) {
		close(fd);
	}
	free(text);
	free(buf);
	return rc;
}
