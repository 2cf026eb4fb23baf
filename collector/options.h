/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vtap-collector's command line and config file (same keys), parsed into
 * one struct. Pure apart from reading the config file: no logging, no exit.
 */
#ifndef VTAP_COLLECTOR_OPTIONS_H
#define VTAP_COLLECTOR_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/decap.h"
#include "shared/config.h"

#define COLLECTOR_DEFAULT_CHARTJS "/usr/share/javascript/chart.js/chart.min.js"

enum collector_parse {
	COLLECTOR_PARSE_OK = 0,
	COLLECTOR_PARSE_HELP,
	COLLECTOR_PARSE_VERSION,
	COLLECTOR_PARSE_USAGE,   /* exit 2 */
	COLLECTOR_PARSE_CONFIG,  /* exit 1 */
};

struct collector_options {
	char listen_host[256];
	uint16_t listen_port;
	bool listen_set;
	const char *pcap_dir;      /* points into argv or config words */
	const char *http;          /* ADDR:PORT or NULL */
	const char *probe;         /* ADDR:PORT or NULL */
	uint64_t rotate_size;
	uint64_t rotate_seconds;
	uint64_t retain_bytes;     /* 0: no limit */
	uint64_t retain_seconds;   /* 0: no limit */
	uint64_t min_free;
	bool compress_lz4;
	const char *geoip[8];      /* --geoip, repeatable (country, ASN) */
	size_t ngeoip;
	unsigned workers;
	uint64_t max_flows;        /* per worker */
	uint64_t idle_timeout;     /* seconds */
	uint64_t active_timeout;   /* seconds */
	uint64_t rcvbuf;
	struct decap_policy policy; /* owned: --allow and --vni */
	const char *auth_file;     /* users, password hashes and roles */
	const char *tls_cert;
	const char *tls_key;
	bool insecure_no_auth;     /* serve beyond loopback without auth */
	const char *web_dir;       /* the page's files */
	const char *chartjs;       /* Debian's Chart.js */
	uint64_t download_cap;     /* bytes one merged download may carry */
	const char *user;          /* drop root for this user once ports are open */
	const char *read_path;     /* offline mode */
	bool inner;                /* offline: plain frames, not VXLAN */
	bool json;                 /* offline: JSON summary */
	const char *config_path;
	int verbose;
	bool use_syslog;
	bool check_only;
	struct config_argv file;   /* owned: the config file's words */
	char **words;              /* owned array; strings borrowed */
};

enum collector_parse collector_options_parse(int argc, char *argv[],
					     struct collector_options *o,
					     char *err, size_t errlen);

void collector_options_finish(struct collector_options *o);

extern const char collector_usage[];

#endif
