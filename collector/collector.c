/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whole-collector views over the workers: summed counters, health, disk
 * use and the rate samples (see collector.h). Starting and stopping the
 * workers is main.c's.
 */
#include "collector/collector.h"

#include <stdlib.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "collector/health.h"
#include "collector/options.h"
#include "collector/pcapstore.h"
#include "collector/worker.h"

json_t *
collector_stats_json(struct collector *c)
{
	struct stats *s[COLLECTOR_MAX_WORKERS];

	for (unsigned i = 0; i < c->nworkers; i++) {
		s[i] = worker_stats(c->workers[i]);
	}
	return stats_json(s, c->nworkers);
}

static uint64_t
free_bytes(const char *dir, uint64_t *total)
{
	struct statvfs sv;

	if (statvfs(dir, &sv) != 0) {
		*total = 0;
		return 0;
	}
	*total = (uint64_t)sv.f_blocks * sv.f_frsize;
	return (uint64_t)sv.f_bavail * sv.f_frsize;
}

bool
collector_health(struct collector *c, char *reason, size_t len)
{
	struct health_input in = {
		.workers = c->nworkers,
		.store_ok = true,
		.min_free = c->o->min_free,
		.draining = atomic_load(&c->draining),
	};
	char why[256] = "";
	uint64_t total;

	for (unsigned i = 0; i < c->nworkers; i++) {
		if (worker_is_alive(c->workers[i])) {
			in.workers_alive++;
		}
		if (in.store_ok && !worker_store_healthy(c->workers[i], why, sizeof(why))) {
			in.store_ok = false;
			in.store_error = why;
		}
	}
	in.dir_ok = access(c->o->pcap_dir, W_OK | X_OK) == 0;
	in.free_bytes = free_bytes(c->o->pcap_dir, &total);
	return health_evaluate(&in, reason, len);
}

json_t *
collector_disk_json(struct collector *c)
{
	struct pcapstore_file *files = NULL;
	uint64_t total, avail, pcap = 0, oldest = 0, newest = 0;
	size_t n = 0;

	avail = free_bytes(c->o->pcap_dir, &total);
	if (pcapstore_list(c->o->pcap_dir, 0, &files, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			pcap += files[i].size + files[i].sidecar_size;
			if (oldest == 0 || files[i].start_ns < oldest) {
				oldest = files[i].start_ns;
			}
			if ((uint64_t)files[i].mtime_ns > newest) {
				newest = (uint64_t)files[i].mtime_ns;
			}
		}
		pcapstore_list_free(files);
	}
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"dir", c->o->pcap_dir,
		"total_bytes", (json_int_t)total,
		"free_bytes", (json_int_t)avail,
		"pcap_bytes", (json_int_t)pcap,
		"files", (json_int_t)n,
		"oldest_ns", (json_int_t)oldest,
		"newest_ns", (json_int_t)newest,
		"horizon_s", (json_int_t)(newest > oldest && oldest != 0
					  ? (newest - oldest) / 1000000000ULL : 0));
}

void
collector_sample_rates(struct collector *c)
{
	uint64_t packets = 0, bytes = 0, dropped = 0;

	for (unsigned i = 0; i < c->nworkers; i++) {
		struct stats *s = worker_stats(c->workers[i]);

		packets += stat_get(&s->frames);
		bytes += stat_get(&s->frame_bytes);
		for (int r = 1; r < DECAP__COUNT; r++) {
			dropped += stat_get(&s->drops[r]);
		}
	}
	timeseries_sample(&c->rates, (int64_t)time(NULL), packets, bytes, dropped);
}
