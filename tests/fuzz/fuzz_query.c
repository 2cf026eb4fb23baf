/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: the vtap CLI's --query (sender/query.h), compiled and
 * applied. The input is the expression, optionally followed by a NUL and
 * a JSON document to apply it to; without one (or when it does not parse)
 * the expression runs on an az-shaped TAP and on a list of them, the
 * documents of the unit tests. Checked besides the sanitizers: a refusal
 * says why, and applying always gives a value that serialises.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "sender/query.h"

static const char tap_text[] =
	"{\"id\": \"/taps/t\", \"name\": \"t\", \"destinationPort\": 4789,"
	" \"tags\": {\"env\": \"test\"},"
	" \"networkInterfaceTapConfigurations\": [{\"id\": \"/nics/a/c\"}, {\"id\": \"/nics/b/c\"}],"
	" \"nested\": [[1, 2], [3], 4]}";

static const char list_text[] =
	"[{\"name\": \"a\", \"p\": 1, \"cfg\": [{\"id\": \"x\"}]},"
	" {\"name\": \"b\", \"p\": 2, \"cfg\": []},"
	" {\"other\": true}]";

static json_t *tap, *list;

static void
apply(const struct query *q, const json_t *data)
{
	json_t *got = query_apply(q, data);
	char *text;

	FUZZ_CHECK(got != NULL, "query_apply returned NULL");
	text = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT);
	FUZZ_CHECK(text != NULL, "result does not serialise");
	free(text);
	json_decref(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t elen = nul != NULL ? (size_t)(nul - data) : size;
	char *expr, err[256];
	struct query *q;
	json_t *doc = NULL;

	if (tap == NULL) {
		tap = json_loads(tap_text, 0, NULL);
		list = json_loads(list_text, 0, NULL);
		FUZZ_CHECK(tap != NULL && list != NULL, "fixed documents");
	}
	expr = fuzz_strndup(data, elen);
	err[0] = '\0';
	q = query_compile(expr, err, sizeof(err));
	if (q == NULL) {
		FUZZ_CHECK(err[0] != '\0', "'%s' refused without a reason", expr);
		free(expr);
		return 0;
	}
	if (nul != NULL) {
		doc = json_loadb((const char *)nul + 1, size - elen - 1,
				 JSON_DECODE_ANY, NULL);
	}
	if (doc != NULL) {
		apply(q, doc);
		json_decref(doc);
	} else {
		apply(q, tap);
		apply(q, list);
	}
	query_free(q);
	free(expr);
	return 0;
}
