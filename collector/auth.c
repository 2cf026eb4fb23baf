/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The --auth-file users and HTTP Basic verification (see auth.h). It
 * answers "who is this and what may they do"; routes decide what needs
 * which role.
 */
#include "collector/auth.h"

#include <crypt.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUTH_MAX_USERS 1024
#define AUTH_MAX_LINE 1024

struct auth_user {
	char *name;          /* owned */
	char *hash;          /* owned: crypt(3) setting + hash */
	enum auth_role role;
};

struct auth {
	struct auth_user *users; /* owned */
	size_t n;
};

const char *
auth_role_name(enum auth_role r)
{
	switch (r) {
	case AUTH_VIEWER:
		return "viewer";
	case AUTH_ANALYST:
		return "analyst";
	case AUTH_ADMIN:
		return "admin";
	case AUTH_NONE:
		break;
	}
	return "none";
}

static enum auth_role
role_from(const char *s)
{
	for (enum auth_role r = AUTH_VIEWER; r <= AUTH_ADMIN; r++) {
		if (strcmp(s, auth_role_name(r)) == 0) {
			return r;
		}
	}
	return AUTH_NONE;
}

void
auth_destroy(struct auth *a)
{
	if (a == NULL) {
		return;
	}
	for (size_t i = 0; i < a->n; i++) {
		free(a->users[i].name);
		free(a->users[i].hash);
	}
	free(a->users);
	free(a);
}

/* Parse one "name:hash:role" line into u. False with a reason. */
static bool
parse_line(char *line, struct auth_user *u, const char **why)
{
	char *c1 = strchr(line, ':'), *c2 = c1 != NULL ? strrchr(line, ':') : NULL;

	if (c1 == NULL || c2 == c1) {
		*why = "expected name:hash:role";
		return false;
	}
	*c1 = '\0';
	*c2 = '\0';
	if (line[0] == '\0' || strpbrk(line, " \t") != NULL) {
		*why = "empty user name or blanks in it";
		return false;
	}
	if (c1[1] == '\0' || c1[1] != '$') {
		*why = "the hash must be a crypt(3) hash starting with '$'";
		return false;
	}
	if ((u->role = role_from(c2 + 1)) == AUTH_NONE) {
		*why = "role must be viewer, analyst or admin";
		return false;
	}
	u->name = strdup(line);
	u->hash = strdup(c1 + 1);
	if (u->name == NULL || u->hash == NULL) {
		free(u->name);
		free(u->hash);
		*why = "out of memory";
		return false;
	}
	return true;
}

struct auth *
auth_parse(const char *text, const char *name, char *err, size_t errlen)
{
	struct auth *a = calloc(1, sizeof(*a));
	const char *p = text, *why = NULL;
	char line[AUTH_MAX_LINE];
	int lineno = 0;

	if (a == NULL || (a->users = calloc(AUTH_MAX_USERS, sizeof(*a->users))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		goto fail;
	}
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		struct auth_user u;

		lineno++;
		if (len >= sizeof(line)) {
			why = "line too long";
			goto bad;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl != NULL ? 1 : 0);
		if (len > 0 && line[len - 1] == '\r') {
			line[--len] = '\0';
		}
		if (line[strspn(line, " \t")] == '\0' || line[strspn(line, " \t")] == '#') {
			continue;
		}
		if (a->n == AUTH_MAX_USERS) {
			why = "too many users";
			goto bad;
		}
		if (!parse_line(line, &u, &why)) {
			goto bad;
		}
		for (size_t i = 0; i < a->n; i++) {
			if (strcmp(a->users[i].name, u.name) == 0) {
				free(u.name);
				free(u.hash);
				why = "duplicate user";
				goto bad;
			}
		}
		a->users[a->n++] = u;
	}
	return a;
bad:
	snprintf(err, errlen, "%s:%d: %s", name, lineno, why);
fail:
	auth_destroy(a);
	return NULL;
}

struct auth *
auth_load(const char *path, char *err, size_t errlen)
{
	char *text = NULL;
	struct auth *a = NULL;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((text = calloc(1, 1 << 20)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto done;
	}
	n = fread(text, 1, (1 << 20) - 1, f);
	if (!feof(f)) {
		snprintf(err, errlen, "%s: larger than 1 MiB or unreadable", path);
		goto done;
	}
	text[n] = '\0';
	a = auth_parse(text, path, err, errlen);
done:
	free(text);
	fclose(f);
	return a;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	if (c == '+') {
		return 62;
	}
	if (c == '/') {
		return 63;
	}
	return -1;
}

/* Decode standard base64 (with padding) into out; false on bad input. */
static bool
b64decode(const char *in, char *out, size_t outlen)
{
	size_t n = strlen(in), o = 0;
	uint32_t acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		int v;

		if (in[i] == '=') {
			if (strspn(in + i, "=") != n - i) {
				return false;
			}
			break;
		}
		if ((v = b64val((unsigned char)in[i])) < 0) {
			return false;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= outlen) {
				return false;
			}
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return memchr(out, '\0', o) == NULL;
}

enum auth_role
auth_check(const struct auth *a, const char *header, const char **user)
{
	struct crypt_data cd;
	char cred[512], *colon;
	const char *h;

	if (a == NULL || header == NULL || strncasecmp(header, "Basic ", 6) != 0) {
		return AUTH_NONE;
	}
	h = header + 6 + strspn(header + 6, " ");
	if (!b64decode(h, cred, sizeof(cred)) ||
	    (colon = strchr(cred, ':')) == NULL) {
		return AUTH_NONE;
	}
	*colon = '\0';
	for (size_t i = 0; i < a->n; i++) {
		const char *got;

		if (strcmp(a->users[i].name, cred) != 0) {
			continue;
		}
		memset(&cd, 0, sizeof(cd));
		got = crypt_rn(colon + 1, a->users[i].hash, &cd, (int)sizeof(cd));
		/* crypt_rn, not crypt_r: ASan intercepts crypt_r but not libxcrypt's crypt_rn */
		if (got != NULL && got[0] != '*' &&
		    strcmp(got, a->users[i].hash) == 0) {
			if (user != NULL) {
				*user = a->users[i].name;
			}
			return a->users[i].role;
		}
		return AUTH_NONE;
	}
	return AUTH_NONE;
}
