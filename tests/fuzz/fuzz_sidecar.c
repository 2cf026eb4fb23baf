/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: sidecar_parse (collector/sidecar.h), the reader of index
 * files an attacker may have written. Checked besides the sanitizers: the
 * summary-only and the full parse agree; an accepted index names a plain
 * file name and holds times in order; a refused one leaves *out zeroed;
 * and what sidecar_write makes of an accepted index reads back equal.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "collector/sidecar.h"
#include "fuzz-common.h"

static char dir[PATH_MAX];

static void
check_accepted(const struct sidecar *sc)
{
	FUZZ_CHECK(sidecar_file_name_ok(sc->file), "file name '%s'", sc->file);
	FUZZ_CHECK(sc->first_ns <= sc->last_ns, "first %llu > last %llu",
		   (unsigned long long)sc->first_ns,
		   (unsigned long long)sc->last_ns);
	FUZZ_CHECK(sc->flow_count <= SIDECAR_FLOWS_MAX, "%zu flows",
		   sc->flow_count);
	for (size_t i = 0; sc->flows != NULL && i < sc->flow_count; i++) {
		const struct sidecar_flow *f = &sc->flows[i];

		FUZZ_CHECK(memchr(f->proto, '\0', sizeof(f->proto)) != NULL,
			   "flow %zu: proto not terminated", i);
		FUZZ_CHECK(f->first_ns <= f->last_ns, "flow %zu: times", i);
		FUZZ_CHECK(f->key.family == 0 || f->key.family == 4 ||
			   f->key.family == 6, "flow %zu: family %u", i,
			   f->key.family);
		FUZZ_CHECK(f->key.vni <= 0xffffffu, "flow %zu: vni %u", i,
			   f->key.vni);
	}
}

static bool
same_summary(const struct sidecar *a, const struct sidecar *b)
{
	return strcmp(a->file, b->file) == 0 && a->compressed == b->compressed &&
	       a->first_ns == b->first_ns && a->last_ns == b->last_ns &&
	       a->packets == b->packets && a->bytes == b->bytes &&
	       a->pcap_size == b->pcap_size && a->file_size == b->file_size &&
	       a->flows_truncated == b->flows_truncated &&
	       a->flow_count == b->flow_count;
}

/* sidecar_write, then sidecar_read: the same index comes back. */
static void
round_trip(const struct sidecar *sc)
{
	char err[256], detail[256], name[SIDECAR_NAME_MAX], path[PATH_MAX];
	struct sidecar back;
	enum sidecar_err e;

	if (sidecar_write(dir, sc, err, sizeof(err)) != 0) {
		fuzz_fail(__FILE__, __LINE__, "sidecar_write", "%s", err);
	}
	FUZZ_CHECK(sidecar_name_for(sc->file, name, sizeof(name)), "%s",
		   sc->file);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	e = sidecar_read(path, false, &back, detail, sizeof(detail));
	FUZZ_CHECK(e == SIDECAR_OK, "written index refused: %s: %s",
		   sidecar_strerror(e), detail);
	FUZZ_CHECK(same_summary(sc, &back), "summary changed in the round trip");
	for (size_t i = 0; i < sc->flow_count; i++) {
		const struct sidecar_flow *a = &sc->flows[i], *b = &back.flows[i];

		FUZZ_CHECK(flowkey_equal(&a->key, &b->key) &&
			   strcmp(a->proto, b->proto) == 0 &&
			   a->packets == b->packets && a->bytes == b->bytes &&
			   a->first_ns == b->first_ns && a->last_ns == b->last_ns,
			   "flow %zu changed in the round trip", i);
	}
	sidecar_finish(&back);
	fuzz_empty_dir(dir, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sidecar zero;
	struct sidecar full, summary;
	char detail[256];
	enum sidecar_err e1, e2;

	if (dir[0] == '\0') {
		fuzz_tmpdir("sidecar", dir);
	}
	e1 = sidecar_parse((const char *)data, size, false, &full, detail,
			   sizeof(detail));
	FUZZ_CHECK(memchr(detail, '\0', sizeof(detail)) != NULL, "detail");
	e2 = sidecar_parse((const char *)data, size, true, &summary, NULL, 0);
	FUZZ_CHECK(e1 < SIDECAR_ERR__COUNT, "error %d", (int)e1);
	FUZZ_CHECK(e1 == e2, "full parse %s, summary parse %s",
		   sidecar_strerror(e1), sidecar_strerror(e2));
	if (e1 != SIDECAR_OK) {
		FUZZ_CHECK(memcmp(&full, &zero, sizeof(zero)) == 0,
			   "refused index left data behind");
		FUZZ_CHECK(memcmp(&summary, &zero, sizeof(zero)) == 0,
			   "refused index left data behind");
		return 0;
	}
	check_accepted(&full);
	FUZZ_CHECK(same_summary(&full, &summary), "summary-only parse differs");
	FUZZ_CHECK(summary.flows == NULL, "summary-only parse kept flows");
	FUZZ_CHECK(full.flow_count == 0 || full.flows != NULL, "flows lost");
	round_trip(&full);
	sidecar_finish(&full);
	sidecar_finish(&summary);
	return 0;
}
