/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: the sender's resource store loader (sender/store.h:
 * store_open reads and checks the file with resource_document_check).
 * The input is the store file. Checked besides the sanitizers: a refused
 * file leaves the store empty with a reason; an accepted document yields
 * complete mirror targets, and the model's edits (create, update and
 * delete of TAPs and configurations) keep it valid, as does a change
 * written with store_update and read back.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "sender/resource.h"
#include "sender/store.h"

#define TARGETS_MAX 64

static char dir[PATH_MAX], path[PATH_MAX];

static void
still_valid(const json_t *doc, const char *after)
{
	char why[512];

	FUZZ_CHECK(resource_document_check(doc, why, sizeof(why)) == RESOURCE_OK,
		   "document broken by %s: %s", after, why);
}

static void
check_targets(const json_t *doc)
{
	struct resource_target t[TARGETS_MAX];
	size_t n = resource_targets(doc, t, TARGETS_MAX);

	for (size_t i = 0; i < n && i < TARGETS_MAX; i++) {
		FUZZ_CHECK(t[i].nic != NULL && t[i].config != NULL &&
			   t[i].tap != NULL && t[i].destination != NULL,
			   "target %zu incomplete", i);
		FUZZ_CHECK(t[i].port != 0, "target %zu: port 0", i);
		FUZZ_CHECK(t[i].vni <= 0xffffffu, "target %zu: vni", i);
		FUZZ_CHECK(resource_destination_is_valid(t[i].destination),
			   "target %zu: destination", i);
	}
}

/* Edit a copy the way the CLI would, checking the rules after each step. */
static void
edit(const json_t *loaded)
{
	json_t *doc = json_deep_copy(loaded), *out = NULL, *taps, *nics;
	struct resource_tap_spec spec = {
		.name = "fuzz-tap", .destination = "192.0.2.9",
		.destination_type = "lb", .has_port = true, .port = 4790,
		.has_vni = true, .vni = 77,
	};
	char err[512];
	const char *nic;
	json_t *nicobj, *tap;
	size_t i;

	FUZZ_CHECK(doc != NULL, "deep copy");
	if (resource_tap_create(doc, &spec, &out, err, sizeof(err)) == RESOURCE_OK) {
		still_valid(doc, "tap create");
	}
	json_decref(out);
	out = NULL;
	if (resource_config_create(doc, "fz0", "fuzz-cfg", "/taps/fuzz-tap",
				   &out, err, sizeof(err)) == RESOURCE_OK) {
		still_valid(doc, "config create");
	}
	json_decref(out);
	out = NULL;

	/* every TAP: update it, then every NIC: drop its configurations */
	taps = resource_tap_list(doc);
	json_array_foreach(taps, i, tap) {
		struct resource_tap_spec up = {
			.name = json_string_value(json_object_get(tap, "name")),
			.has_port = true, .port = 6081,
		};

		if (up.name != NULL &&
		    resource_tap_update(doc, &up, &out, err, sizeof(err)) ==
			    RESOURCE_OK) {
			still_valid(doc, "tap update");
		}
		json_decref(out);
		out = NULL;
	}
	nics = json_deep_copy(json_object_get(doc, "nics"));
	json_object_foreach(nics, nic, nicobj) {
		json_t *cfgs = resource_config_list(doc, nic), *cfg;
		size_t j;

		json_array_foreach(cfgs, j, cfg) {
			const char *name = json_string_value(json_object_get(cfg, "name"));

			FUZZ_CHECK(name != NULL, "listed configuration without a name");
			FUZZ_CHECK(resource_config_delete(doc, nic, name, err,
							  sizeof(err)) == RESOURCE_OK,
				   "cannot delete a listed configuration: %s", err);
			still_valid(doc, "config delete");
		}
		json_decref(cfgs);
	}
	json_decref(nics);
	/* nothing references a TAP now: every one must go */
	json_array_foreach(taps, i, tap) {
		const char *name = json_string_value(json_object_get(tap, "name"));

		FUZZ_CHECK(name != NULL, "listed TAP without a name");
		FUZZ_CHECK(resource_tap_delete(doc, name, err, sizeof(err)) ==
				   RESOURCE_OK,
			   "cannot delete unreferenced TAP %s: %s", name, err);
		still_valid(doc, "tap delete");
	}
	FUZZ_CHECK(json_array_size(json_object_get(doc, "taps")) == 0,
		   "TAPs left after deleting every one");
	json_decref(taps);
	json_decref(doc);
}

static enum resource_status
add_tap_cb(json_t *doc, void *arg, char *err, size_t errlen)
{
	struct resource_tap_spec spec = {
		.name = "stored-tap", .destination = "collector.example",
	};
	json_t *out = NULL;
	enum resource_status s = resource_tap_create(doc, &spec, &out, err, errlen);

	json_decref(out);
	return s;
}

/* A change written by store_update reads back as the same document. */
static void
write_back(struct store *st)
{
	struct store again;
	char err[512];
	enum resource_status s = store_update(st, add_tap_cb, NULL, err, sizeof(err));

	FUZZ_CHECK(s == RESOURCE_OK || s == RESOURCE_CONFLICT,
		   "store_update: %s: %s", resource_status_code(s), err);
	if (s != RESOURCE_OK) {
		return;
	}
	still_valid(st->doc, "store_update");
	FUZZ_CHECK(store_open(&again, path, err, sizeof(err)) == 0,
		   "written store refused: %s", err);
	FUZZ_CHECK(json_equal(again.doc, st->doc), "store changed on disk");
	store_finish(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store st;
	char err[512];

	if (dir[0] == '\0') {
		fuzz_tmpdir("store", dir);
		snprintf(path, sizeof(path), "%s/store.json", dir);
	}
	fuzz_write_file(dir, "store.json", data, size);
	err[0] = '\0';
	if (store_open(&st, path, err, sizeof(err)) != 0) {
		FUZZ_CHECK(st.doc == NULL, "refused store kept a document");
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0,
			   "reason without the path: '%s'", err);
		store_finish(&st);
		fuzz_empty_dir(dir, NULL);
		return 0;
	}
	still_valid(st.doc, "store_open");
	check_targets(st.doc);
	edit(st.doc);
	write_back(&st);
	store_finish(&st);
	fuzz_empty_dir(dir, NULL);
	return 0;
}
