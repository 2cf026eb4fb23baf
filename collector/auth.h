/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP users and their roles, from an --auth-file of lines
 *
 *   # name:crypt(3)-hash:role
 *   alice:$y$j9T$...:analyst
 *
 * Roles, each including the ones before it: viewer (page and API),
 * analyst (also downloads), admin (also drain). Hashes are whatever
 * crypt(3) (libxcrypt) verifies: yescrypt, SHA-512, bcrypt; make one with
 * `mkpasswd -m yescrypt` or `openssl passwd -6`. Pure apart from reading
 * the file.
 */
#ifndef VTAP_COLLECTOR_AUTH_H
#define VTAP_COLLECTOR_AUTH_H

#include <stddef.h>

enum auth_role {
	AUTH_NONE = 0,   /* not authenticated */
	AUTH_VIEWER,
	AUTH_ANALYST,
	AUTH_ADMIN,
};

struct auth;

/*
 * Load the users file. Returns NULL with "FILE:LINE: reason" in err for a
 * missing file, a malformed line, an unknown role or a duplicate user.
 */
struct auth *auth_load(const char *path, char *err, size_t errlen);

/* Parse text already in memory (tests, fuzzing); name is used in messages. */
struct auth *auth_parse(const char *text, const char *name, char *err,
			size_t errlen);

void auth_destroy(struct auth *a);

/*
 * The role granted by an "Authorization: Basic ..." header value, or
 * AUTH_NONE for a missing, malformed or wrong one. *user receives the
 * user name (borrowed from a, valid until auth_destroy) when granted.
 */
enum auth_role auth_check(const struct auth *a, const char *header,
			  const char **user);

/* "viewer", "analyst", "admin" or "none". */
const char *auth_role_name(enum auth_role r);

#endif
