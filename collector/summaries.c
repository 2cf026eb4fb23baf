/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The summary cache (see summaries.h): one array sorted by file name,
 * under one mutex. Sidecars are parsed outside the lock.
 */
#include "collector/summaries.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collector/sidecar.h"

struct entry {
	char name[PCAPSTORE_NAME_MAX];
	uint64_t size;
	int64_t mtime_ns;
	uint64_t sidecar_size;
	uint64_t gen;            /* when it was stored */
	uint64_t first_ns, last_ns, packets, bytes, flow_count;
	bool flows_truncated;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char cache_dir[PATH_MAX];
static struct entry *entries;    /* owned, sorted by name */
static size_t count, alloc;
static uint64_t generation;

static int
name_cmp(const void *key, const void *e)
{
	return strcmp((const char *)key, ((const struct entry *)e)->name);
}

/* Under lock: make dir the cache's directory, emptying it for another. */
static void
use_dir(const char *dir)
{
	if (strcmp(cache_dir, dir) != 0) {
		snprintf(cache_dir, sizeof(cache_dir), "%s", dir);
		count = 0;
	}
}

/* Under lock: insert e, or replace the entry of the same name. */
static void
upsert(const struct entry *e)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(e->name, entries[mid].name);

		if (c == 0) {
			entries[mid] = *e;
			return;
		}
		if (c < 0) {
			hi = mid;
		} else {
			lo = mid + 1;
		}
	}
	if (count == alloc) {
		size_t n = alloc == 0 ? 64 : alloc * 2;
		struct entry *grown = realloc(entries, n * sizeof(*grown));

		if (grown == NULL) {
			return; /* not remembered: read again next time */
		}
		entries = grown;
		alloc = n;
	}
	memmove(&entries[lo + 1], &entries[lo], (count - lo) * sizeof(*entries));
	entries[lo] = *e;
	count++;
}

static void
to_file(const struct entry *e, struct pcapstore_file *f)
{
	f->has_summary = true;
	f->first_ns = e->first_ns;
	f->last_ns = e->last_ns;
	f->packets = e->packets;
	f->bytes = e->bytes;
	f->flow_count = e->flow_count;
	f->flows_truncated = e->flows_truncated;
}

void
summaries_get(const char *dir, struct pcapstore_file *f, const char *index)
{
	char path[PATH_MAX];
	const struct entry *hit;
	struct entry e;
	struct sidecar sc;

	pthread_mutex_lock(&lock);
	use_dir(dir);
	hit = count == 0 ? NULL : bsearch(f->name, entries, count, sizeof(*entries), name_cmp);
	if (hit != NULL && hit->size == f->size && hit->mtime_ns == f->mtime_ns &&
	    hit->sidecar_size == f->sidecar_size) {
		to_file(hit, f);
		pthread_mutex_unlock(&lock);
		return;
	}
	pthread_mutex_unlock(&lock);

	if (snprintf(path, sizeof(path), "%s/%s", dir, index) >= (int)sizeof(path) ||
	    sidecar_read(path, true, &sc, NULL, 0) != SIDECAR_OK) {
		return;
	}
	memset(&e, 0, sizeof(e));
	snprintf(e.name, sizeof(e.name), "%s", f->name);
	e.size = f->size;
	e.mtime_ns = f->mtime_ns;
	e.sidecar_size = f->sidecar_size;
	e.first_ns = sc.first_ns;
	e.last_ns = sc.last_ns;
	e.packets = sc.packets;
	e.bytes = sc.bytes;
	e.flow_count = sc.flow_count;
	e.flows_truncated = sc.flows_truncated;
	sidecar_finish(&sc);
	to_file(&e, f);

	pthread_mutex_lock(&lock);
	use_dir(dir);
	e.gen = generation;
	upsert(&e);
	pthread_mutex_unlock(&lock);
}

void
summaries_put_sealed(const char *dir, const char *data_name, const char *index,
		     uint64_t first_ns, uint64_t last_ns, uint64_t packets,
		     uint64_t bytes, uint64_t flow_count, bool flows_truncated)
{
	char path[PATH_MAX];
	struct stat data, side;
	struct entry e;

	if (snprintf(path, sizeof(path), "%s/%s", dir, data_name) >= (int)sizeof(path) ||
	    stat(path, &data) != 0 ||
	    snprintf(path, sizeof(path), "%s/%s", dir, index) >= (int)sizeof(path) ||
	    stat(path, &side) != 0) {
		return;
	}
	memset(&e, 0, sizeof(e));
	snprintf(e.name, sizeof(e.name), "%s", data_name);
	e.size = (uint64_t)data.st_size;
	e.mtime_ns = (int64_t)data.st_mtim.tv_sec * 1000000000 + data.st_mtim.tv_nsec;
	e.sidecar_size = (uint64_t)side.st_size;
	e.first_ns = first_ns;
	e.last_ns = last_ns;
	e.packets = packets;
	e.bytes = bytes;
	e.flow_count = flow_count;
	e.flows_truncated = flows_truncated;

	pthread_mutex_lock(&lock);
	use_dir(dir);
	e.gen = ++generation;
	upsert(&e);
	pthread_mutex_unlock(&lock);
}

uint64_t
summaries_generation(void)
{
	uint64_t g;

	pthread_mutex_lock(&lock);
	g = generation;
	pthread_mutex_unlock(&lock);
	return g;
}

static int
ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
summaries_prune(const char *dir, const struct pcapstore_file *files, size_t n,
		uint64_t gen)
{
	const char **names = n == 0 ? NULL : malloc(n * sizeof(*names));
	size_t kept = 0;

	if (n > 0 && names == NULL) {
		return; /* kept: pruning is only about memory */
	}
	for (size_t i = 0; i < n; i++) {
		names[i] = files[i].name;
	}
	if (n > 0) {
		qsort(names, n, sizeof(*names), ptr_cmp);
	}
	pthread_mutex_lock(&lock);
	if (strcmp(cache_dir, dir) == 0) {
		for (size_t i = 0; i < count; i++) {
			const char *key = entries[i].name;

			if (entries[i].gen > gen ||
			    (n > 0 && bsearch(&key, names, n, sizeof(*names), ptr_cmp) != NULL)) {
				entries[kept++] = entries[i];
			}
		}
		count = kept;
	}
	pthread_mutex_unlock(&lock);
	free(names);
}

size_t
summaries_count(void)
{
	size_t n;

	pthread_mutex_lock(&lock);
	n = count;
	pthread_mutex_unlock(&lock);
	return n;
}
