/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: what the sender's control socket takes from local users
 * (a root daemon, socket mode 0666): requests through service_handle
 * (sender/service.h) with the role checks of sender/rbac.h, and the
 * roles file through rbac_parse. The first input byte chooses:
 *
 *   0..3 (mod 5)  the caller (root, alice: network-contributor, bob:
 *                 tap-operator, an unnamed uid with no role); the rest is
 *                 requests, one JSON document a line, as control.c reads
 *                 them, against a fresh store holding one TAP
 *   4 (mod 5)     the rest is a roles file
 *
 * Checked besides the sanitizers: every response is {"ok": true, ...} or
 * {"ok": false, "code", "error"}; after every request the store file on
 * disk still loads and equals the document in memory (no request can
 * leave a file the daemon would refuse at its next start); root may do
 * every action whatever the roles file says.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "sender/rbac.h"
#include "sender/service.h"
#include "sender/store.h"

static const char roles_text[] =
	"{\"roles\": {\"tap-operator\": {\"actions\": [\"taps/read\","
	" \"tapConfigurations/*\"], \"notActions\": [\"taps/delete\"]}},"
	" \"assignments\": [{\"user\": \"alice\", \"role\": \"network-contributor\"},"
	" {\"group\": \"netops\", \"role\": \"reader\"},"
	" {\"uid\": 1001, \"role\": \"tap-operator\"}]}";

static const char store_text[] =
	"{\"version\": 1, \"taps\": [{\"id\": \"/taps/tap1\", \"name\": \"tap1\","
	" \"type\": \"vtap/virtualNetworkTaps\", \"etag\": \"W/\\\"e\\\"\","
	" \"tags\": {}, \"properties\": {\"destination\": \"192.0.2.5\","
	" \"destinationType\": \"nic\", \"destinationNetworkInterfaceIPConfiguration\":"
	" {\"privateIPAddress\": \"192.0.2.5\"}, \"destinationPort\": 4789,"
	" \"vni\": 0, \"networkInterfaceTapConfigurations\": [],"
	" \"provisioningState\": \"Succeeded\", \"resourceGuid\": \"g\"}}],"
	" \"nics\": {}}\n";

static const uint32_t alice_gids[] = { 1000, 2000 };
static const char *const alice_groups[] = { "alice", "netops" };
static const uint32_t bob_gids[] = { 1001 };
static const char *const bob_groups[] = { "bob" };
static const uint32_t anon_gids[] = { 4242 };
static const char *const anon_groups[] = { NULL };

static const struct rbac_principal callers[] = {
	{ .uid = 0, .user = "root", .gids = (const uint32_t[]){ 0 },
	  .groups = (const char *const[]){ "root" }, .ngroups = 1 },
	{ .uid = 1000, .user = "alice", .gids = alice_gids,
	  .groups = alice_groups, .ngroups = 2 },
	{ .uid = 1001, .user = "bob", .gids = bob_gids, .groups = bob_groups,
	  .ngroups = 1 },
	{ .uid = 4242, .user = NULL, .gids = anon_gids, .groups = anon_groups,
	  .ngroups = 1 },
};

static char dir[PATH_MAX], path[PATH_MAX];
static struct rbac roles;

static void
check_response(const json_t *resp)
{
	json_t *ok;

	FUZZ_CHECK(json_is_object(resp), "response is not an object");
	ok = json_object_get(resp, "ok");
	FUZZ_CHECK(json_is_boolean(ok), "no \"ok\"");
	if (json_is_false(ok)) {
		FUZZ_CHECK(json_is_string(json_object_get(resp, "code")) &&
			   json_is_string(json_object_get(resp, "error")),
			   "a refusal without code and error");
	}
}

static void
requests(const struct rbac_principal *who, const uint8_t *data, size_t size)
{
	struct service svc = { .roles_path = NULL, .daemon = NULL };
	struct store st, again;
	char err[512];

	fuzz_write_file(dir, "store.json", (const uint8_t *)store_text,
			strlen(store_text));
	FUZZ_CHECK(store_open(&st, path, err, sizeof(err)) == 0, "%s", err);
	svc.store = &st;
	svc.rbac = &roles;
	while (size > 0) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t len = nl != NULL ? (size_t)(nl - data) : size;
		json_t *req = json_loadb((const char *)data, len, 0, NULL), *resp;

		data += len + (nl != NULL);
		size -= len + (nl != NULL);
		if (req == NULL) {
			continue; /* control.c answers "bad request" itself */
		}
		resp = service_handle(&svc, who, req);
		check_response(resp);
		json_decref(resp);
		json_decref(req);
		FUZZ_CHECK(store_open(&again, path, err, sizeof(err)) == 0,
			   "a request left a store that does not load: %s", err);
		FUZZ_CHECK(json_equal(again.doc, st.doc),
			   "the store on disk differs from memory");
		store_finish(&again);
	}
	store_finish(&st);
	fuzz_empty_dir(dir, NULL);
}

static void
roles_file(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), err[512], buf[256];
	struct rbac r;

	memset(&r, 0, sizeof(r));
	err[0] = '\0';
	if (rbac_parse(&r, text, "roles.json", err, sizeof(err)) != 0) {
		FUZZ_CHECK(err[0] != '\0', "refused without a reason");
	}
	for (size_t c = 0; c < sizeof(callers) / sizeof(callers[0]); c++) {
		for (size_t a = 0; rbac_actions[a] != NULL; a++) {
			bool ok = rbac_allows(&r, &callers[c], rbac_actions[a]);

			FUZZ_CHECK(ok || callers[c].uid != 0, "root refused %s",
				   rbac_actions[a]);
		}
		FUZZ_CHECK(rbac_roles_of(&r, &callers[c], buf, sizeof(buf)) == buf,
			   "roles_of");
		FUZZ_CHECK(memchr(buf, '\0', sizeof(buf)) != NULL, "roles_of");
	}
	rbac_finish(&r);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	unsigned mode;

	if (dir[0] == '\0') {
		fuzz_tmpdir("control", dir);
		snprintf(path, sizeof(path), "%s/store.json", dir);
		FUZZ_CHECK(rbac_parse(&roles, roles_text, "roles", err,
				      sizeof(err)) == 0, "fixed roles: %s", err);
	}
	if (size < 1) {
		return 0;
	}
	mode = data[0] % 5;
	if (mode == 4) {
		roles_file(data + 1, size - 1);
	} else {
		requests(&callers[mode], data + 1, size - 1);
	}
	return 0;
}
