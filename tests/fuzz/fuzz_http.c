/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: what the collector's HTTP side parses from a request and
 * its configuration: download_parse_range (the Range header),
 * pcapmerge_parse_query (the query of /api/v1/pcap, split by libevent's
 * evhttp_parse_query_str as the server does), auth_check (the
 * Authorization header, against fixed users) and auth_parse (an
 * --auth-file). The input is
 *
 *   8 bytes   the resource size for the Range (big-endian)
 *   RANGE \0 QUERY \0 AUTHORIZATION \0 AUTH-FILE
 *
 * (missing parts are absent headers). Checked besides the sanitizers: a
 * satisfiable range lies inside the resource; an accepted query is in
 * order; a refusal always says why.
 */
#include <crypt.h>
#include <sys/queue.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "collector/auth.h"
#include "collector/download.h"
#include "collector/pcapmerge.h"
#include "fuzz-common.h"
#include "shared/vxlan.h"

static struct auth *users;

/* Users with cheap hashes (md5crypt, an invalid setting): the fuzzer can
 * reach a match without spending seconds in a slow hash. */
static void
make_users(void)
{
	struct crypt_data cd;
	char text[512], err[256];
	const char *h;

	memset(&cd, 0, sizeof(cd));
	h = crypt_rn("secret", "$1$fuzzsalt$", &cd, (int)sizeof(cd));
	FUZZ_CHECK(h != NULL && h[0] == '$', "md5crypt unavailable");
	snprintf(text, sizeof(text),
		 "# fixed users\nalice:%s:admin\ncarol:$x$not-a-hash:analyst\n",
		 h);
	users = auth_parse(text, "users", err, sizeof(err));
	FUZZ_CHECK(users != NULL, "fixed users refused: %s", err);
}

/* The next part of the input up to a NUL (or the end); NULL when none. */
static char *
next_part(const uint8_t **p, size_t *left)
{
	const uint8_t *nul;
	size_t n;
	char *s;

	if (*left == 0) {
		return NULL;
	}
	nul = memchr(*p, '\0', *left);
	n = nul != NULL ? (size_t)(nul - *p) : *left;
	s = fuzz_strndup(*p, n);
	*p += n;
	*left -= n;
	if (nul != NULL) {
		(*p)++;
		(*left)--;
	}
	return s;
}

static void
check_range(const char *value, uint64_t size)
{
	uint64_t first = 0, last = 0;
	int r = download_parse_range(value, size, &first, &last);

	FUZZ_CHECK(r >= -1 && r <= 1, "returned %d", r);
	if (r == 1) {
		FUZZ_CHECK(first <= last && last < size,
			   "range %llu-%llu of %llu", (unsigned long long)first,
			   (unsigned long long)last, (unsigned long long)size);
	}
}

static void
check_query(const char *query)
{
	struct evkeyvalq q;
	struct pcapmerge_query pq;
	char err[256];

	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(query, &q) != 0) {
		evhttp_clear_headers(&q);
		return; /* the server answers 400 before parsing further */
	}
	err[0] = '\0';
	if (pcapmerge_parse_query(&q, &pq, err, sizeof(err))) {
		FUZZ_CHECK(pq.from_ns <= pq.to_ns, "from after to");
		FUZZ_CHECK(!pq.has_vni || pq.vni <= VXLAN_VNI_MAX, "vni %u",
			   pq.vni);
		FUZZ_CHECK(pq.filter == NULL ||
			   pq.filter[strspn(pq.filter, " \t")] != '\0',
			   "blank filter kept");
	} else {
		FUZZ_CHECK(err[0] != '\0', "refused without a reason");
	}
	evhttp_clear_headers(&q);
}

static void
check_authorization(const char *header)
{
	const char *user = NULL;
	enum auth_role r = auth_check(users, header, &user);

	FUZZ_CHECK(r == AUTH_NONE || r == AUTH_ADMIN, "role %d", (int)r);
	if (r != AUTH_NONE) {
		FUZZ_CHECK(user != NULL && strcmp(user, "alice") == 0, "user");
	}
	FUZZ_CHECK(strcmp(auth_role_name(r), "") != 0, "role name");
}

static void
check_auth_file(const char *text)
{
	char err[256];
	struct auth *a;

	err[0] = '\0';
	a = auth_parse(text, "fuzz", err, sizeof(err));
	if (a == NULL) {
		FUZZ_CHECK(err[0] != '\0', "refused without a reason");
		return;
	}
	/* a well-formed header naming nobody: no crypt(3) of fuzzed settings */
	FUZZ_CHECK(auth_check(a, "Basic Og==", NULL) == AUTH_NONE, "':' granted");
	auth_destroy(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t rsize = 0;
	char *range, *query, *authz, *file;

	if (users == NULL) {
		make_users();
	}
	for (size_t i = 0; i < 8; i++) {
		rsize = rsize << 8 | (i < size ? data[i] : 0);
	}
	if (size < 8) {
		return 0;
	}
	data += 8;
	size -= 8;
	range = next_part(&data, &size);
	query = next_part(&data, &size);
	authz = next_part(&data, &size);
	file = next_part(&data, &size);
	if (range != NULL) {
		check_range(range, rsize);
	}
	if (query != NULL) {
		check_query(query);
	}
	check_authorization(authz);
	if (file != NULL) {
		check_auth_file(file);
	}
	free(range);
	free(query);
	free(authz);
	free(file);
	return 0;
}
