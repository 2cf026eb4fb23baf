/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP users: the file format is refused line by line with reasons, and
 * Basic credentials map to the user's role only with the right password.
 */
#include <crypt.h>
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "collector/auth.h"

/* "Basic base64(user:pass)" for a few fixed pairs. */
static const char *
basic(const char *userpass)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static char out[256];
	size_t n = strlen(userpass), o = 6;

	memcpy(out, "Basic ", 6);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(uint8_t)userpass[i] << 16;

		if (i + 1 < n) {
			v |= (uint32_t)(uint8_t)userpass[i + 1] << 8;
		}
		if (i + 2 < n) {
			v |= (uint8_t)userpass[i + 2];
		}
		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
		out[o++] = i + 1 < n ? tbl[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

static struct auth *
users(void)
{
	struct crypt_data cd;
	char text[1024], err[256], alice[256], bob[256];
	struct auth *a;

	memset(&cd, 0, sizeof(cd));
	snprintf(alice, sizeof(alice), "%s", crypt_rn("wonderland", "$6$saltsalt$", &cd, (int)sizeof(cd)));
	memset(&cd, 0, sizeof(cd));
	snprintf(bob, sizeof(bob), "%s", crypt_rn("builder", "$6$pepper$", &cd, (int)sizeof(cd)));
	snprintf(text, sizeof(text), "# users\nalice:%s:analyst\n\nbob:%s:viewer\n", alice, bob);
	a = auth_parse(text, "users", err, sizeof(err));
	cr_assert_not_null(a, "%s", err);
	return a;
}

Test(auth, the_right_password_grants_the_role)
{
	struct auth *a = users();
	const char *who = NULL;

	cr_assert_eq(auth_check(a, basic("alice:wonderland"), &who), AUTH_ANALYST);
	cr_assert_str_eq(who, "alice");
	cr_assert_eq(auth_check(a, basic("bob:builder"), &who), AUTH_VIEWER);
	auth_destroy(a);
}

Test(auth, anything_else_is_refused)
{
	struct auth *a = users();

	cr_assert_eq(auth_check(a, basic("alice:builder"), NULL), AUTH_NONE);
	cr_assert_eq(auth_check(a, basic("carol:wonderland"), NULL), AUTH_NONE);
	cr_assert_eq(auth_check(a, basic("alice"), NULL), AUTH_NONE);
	cr_assert_eq(auth_check(a, "Basic !!!", NULL), AUTH_NONE);
	cr_assert_eq(auth_check(a, "Bearer abc", NULL), AUTH_NONE);
	cr_assert_eq(auth_check(a, NULL, NULL), AUTH_NONE);
	auth_destroy(a);
}

Test(auth, bad_files_are_refused_with_the_line)
{
	char err[256];

	cr_assert_null(auth_parse("alice:$6$x$y:root\n", "f", err, sizeof(err)));
	cr_assert(strstr(err, "f:1:") != NULL && strstr(err, "role") != NULL, "%s", err);
	cr_assert_null(auth_parse("\n\nalice:plain:viewer\n", "f", err, sizeof(err)));
	cr_assert(strstr(err, "f:3:") != NULL, "%s", err);
	cr_assert_null(auth_parse("a:$6$x$y:viewer\na:$6$x$z:admin\n", "f", err, sizeof(err)));
	cr_assert(strstr(err, "duplicate") != NULL, "%s", err);
	cr_assert_null(auth_parse("justaname\n", "f", err, sizeof(err)));
}
