/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CLI's end of the control socket: one request, one response, one
 * connection (the wire format is drawn in service.h).
 */
#ifndef VTAP_SENDER_CLIENT_H
#define VTAP_SENDER_CLIENT_H

#include <jansson.h>
#include <stddef.h>

#define CLIENT_DEFAULT_SOCKET "/run/vtap/sender.sock"
#define CLIENT_TIMEOUT_SECONDS 30

/*
 * Send request to the sender listening on path and read its response
 * into *response (new reference). Returns 0, or -1 with a one-line reason
 * in err: the socket is missing or refuses, the sender did not answer in
 * CLIENT_TIMEOUT_SECONDS, or the answer is not JSON. Does not print.
 */
int client_call(const char *path, const json_t *request, json_t **response,
		char *err, size_t errlen);

#endif
