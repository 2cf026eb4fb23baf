/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: the collector's per-packet pipeline (collector/worker.h):
 * admission, frame parsing, the flow table, nDPI, the pcap store and the
 * flow log of one offline worker. The input is a sequence of datagrams,
 * each
 *
 *   flags (1 byte)  bits 0-5: clock step before it, in 25 ms units
 *                   (63: 20 s, past the idle timeout);
 *                   bits 6-7: 0 from 192.0.2.1, 1 from 2001:db8::1,
 *                   2 from 198.51.100.1 (not allowed), 3 cut by recv
 *   length (2 bytes, big-endian), then that many bytes (fewer at the end)
 *
 * nDPI's set-up costs milliseconds, so one worker serves many inputs. To
 * keep runs independent and state bounded, each input starts an hour
 * later than the one before: every flow of the previous input has expired
 * and its pcap and flow-log files have closed; closed files are deleted.
 * The worker is rebuilt every RECYCLE inputs, closing its files with LZ4
 * every other time. VTAP_FUZZ_FRESH=1 builds a
 * fresh worker for every input (slow; for reproducing a finding exactly).
 */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "collector/decap.h"
#include "collector/worker.h"
#include "fuzz-common.h"

#define NS 1000000000ULL
#define RECYCLE 20000
#define START_NS (1767225600ULL * NS) /* 2026-01-01T00:00:00Z */

static char dir[PATH_MAX];
static struct decap_policy policy;
static struct worker *w;
static unsigned runs, workers;
static bool fresh;
static uint64_t now_ns = START_NS;
static struct sockaddr_in from4, denied4;
static struct sockaddr_in6 from6;

static void
setup(void)
{
	fuzz_tmpdir("pipeline", dir);
	FUZZ_CHECK(decap_policy_allow(&policy, "192.0.2.0/24") &&
		   decap_policy_allow(&policy, "2001:db8::/32") &&
		   decap_policy_vnis(&policy, "0-4095,100000-100100,16777215"),
		   "policy");
	from4.sin_family = AF_INET;
	from4.sin_port = htons(40000);
	inet_pton(AF_INET, "192.0.2.1", &from4.sin_addr);
	denied4 = from4;
	inet_pton(AF_INET, "198.51.100.1", &denied4.sin_addr);
	from6.sin6_family = AF_INET6;
	from6.sin6_port = htons(40001);
	inet_pton(AF_INET6, "2001:db8::1", &from6.sin6_addr);
	fresh = getenv("VTAP_FUZZ_FRESH") != NULL;
}

static void
make_worker(void)
{
	struct worker_config cfg = {
		.id = 0,
		.fd = -1,
		.pcap_dir = dir,
		.rotate_bytes = 1u << 20,
		.rotate_seconds = 60,
		.compress_lz4 = workers++ % 2 == 1,
		.max_flows = 256,
		.idle_ns = 10 * NS,
		.active_ns = 30 * NS,
		.policy = &policy,
		.geoip = NULL,
		.offline = true,
	};
	char err[256];

	w = worker_create(&cfg, err, sizeof(err));
	FUZZ_CHECK(w != NULL, "worker_create: %s", err);
}

static bool
is_open_file(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".part") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];

	if (dir[0] == '\0') {
		setup();
	}
	if (w == NULL) {
		make_worker();
	}
	/* a new hour: the last input's flows expire, its files close */
	now_ns += 3600 * NS;
	worker_clock(w, now_ns);

	while (size >= 3) {
		unsigned flags = data[0], step = flags & 0x3f;
		size_t len = (size_t)data[1] << 8 | data[2];
		const struct sockaddr *from = (const struct sockaddr *)&from4;
		struct timespec ts;

		data += 3;
		size -= 3;
		if (len > size) {
			len = size;
		}
		now_ns += step == 63 ? 20 * NS : step * 25000000ULL;
		ts.tv_sec = (time_t)(now_ns / NS);
		ts.tv_nsec = (long)(now_ns % NS);
		switch (flags >> 6) {
		case 1:
			from = (const struct sockaddr *)&from6;
			break;
		case 2:
			from = (const struct sockaddr *)&denied4;
			break;
		}
		worker_datagram(w, &ts, from, data, len, flags >> 6 == 3);
		worker_clock(w, now_ns);
		data += len;
		size -= len;
	}
	FUZZ_CHECK(worker_store_healthy(w, why, sizeof(why)),
		   "pcap store failing: %s", why);

	if (fresh || ++runs % RECYCLE == 0) {
		worker_destroy(w);
		w = NULL;
		fuzz_empty_dir(dir, NULL);
	} else {
		fuzz_empty_dir(dir, is_open_file);
	}
	return 0;
}
