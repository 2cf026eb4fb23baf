/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vtap-sender's command line and config file (the same keys), parsed into
 * one struct. Pure apart from reading the config file: no logging, no
 * exit, so tests can feed it argument vectors.
 */
#ifndef VTAP_SENDER_OPTIONS_H
#define VTAP_SENDER_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/config.h"

#define SENDER_DEFAULT_SOCKET "/run/vtap/sender.sock"
#define SENDER_DEFAULT_STATE "/var/lib/vtap/store.json"
#define SENDER_DEFAULT_ROLES "/etc/vtap/roles.json"
#define SENDER_DEFAULT_RING (32 << 20)

enum sender_mode {
	SENDER_DIRECT,  /* --interface: mirror one NIC */
	SENDER_REPLAY,  /* --read: encapsulate a capture file */
	SENDER_DAEMON,  /* neither: mirror what the resource store says */
};

enum sender_parse {
	SENDER_PARSE_OK = 0,
	SENDER_PARSE_HELP,     /* --help: print usage, exit 0 */
	SENDER_PARSE_VERSION,  /* --version: exit 0 */
	SENDER_PARSE_USAGE,    /* bad arguments: message in err, exit 2 */
	SENDER_PARSE_CONFIG,   /* unreadable or bad config file: exit 1 */
};

struct sender_options {
	enum sender_mode mode;
	const char *interface;    /* points into argv or config words */
	const char *read_path;
	const char *destination;
	uint16_t port;
	uint32_t vni;
	uint32_t truncate;
	uint64_t max_pps;
	uint64_t max_mbps;
	uint64_t ring_bytes;
	uint64_t batch_ms;         /* capture batching delay, 0..100 ms */
	const char *config_path;
	const char *state_path;
	const char *socket_path;
	const char *roles_path;
	int verbose;
	bool use_syslog;
	bool check_only;          /* -n: check the configuration and exit */
	struct config_argv file;  /* owned: the config file's words */
	char **words;             /* owned array; the strings are borrowed */
};

/*
 * Parse argv (and the --config file, whose values the command line
 * overrides). On anything but SENDER_PARSE_OK, err holds one line.
 * Call sender_options_finish afterwards in every case.
 */
enum sender_parse sender_options_parse(int argc, char *argv[],
				       struct sender_options *o, char *err,
				       size_t errlen);

void sender_options_finish(struct sender_options *o);

/* The --help text. */
extern const char sender_usage[];

#endif
