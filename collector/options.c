/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option and config-file parsing for vtap-collector, and its usage text.
 * It validates values; it opens nothing but the config file.
 */
#include "collector/options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/addr.h"
#include "shared/number.h"
#include "shared/vxlan.h"
#include "vtap-build.h"

const char collector_usage[] =
"Usage:\n"
"  vtap-collector [--config FILE] --listen ADDR:PORT --pcap-dir DIR [--http ADDR:PORT]\n"
"                 [options]\n"
"  vtap-collector --read FILE.pcap --pcap-dir DIR [--inner] [--json] [options]\n"
"\n"
"Receive VXLAN (RFC 7348) from vtap-sender, a Linux VXLAN device or a cloud\n"
"TAP; decapsulate, classify flows with nDPI and keep the inner frames as\n"
"rotated pcap files with a flow index, and closed flows as JSON lines.\n"
"Offline mode (--read) runs the same pipeline on a capture of VXLAN\n"
"datagrams (or, with --inner, of plain frames), prints a summary and exits.\n"
"\n"
"Receive:\n"
"  -l, --listen ADDR:PORT    UDP address to receive on ([::]:4789 takes both\n"
"                            families); offline mode uses its port as the\n"
"                            VXLAN port (4789)\n"
"      --workers N           receive workers, one socket each (one per core);\n"
"                            offline, workers fed by flow from the reader\n"
"      --allow CIDR          accept only senders in CIDR (repeatable)\n"
"      --vni LIST            accept only these VNIs, e.g. 100,200-299\n"
"      --rcvbuf BYTES        socket receive buffer per worker (64M)\n"
"Store:\n"
"  -w, --pcap-dir DIR        directory of pcap files and flow logs\n"
"      --rotate-size BYTES   start a new file at this size (64M)\n"
"      --rotate-seconds S    start a new file every S seconds, aligned to\n"
"                            the clock (3600; 0: never)\n"
"      --retain-bytes BYTES  keep at most this much (0: no limit)\n"
"      --retain-days D       delete files older than D days (0: no limit)\n"
"      --min-free BYTES      keep this much free on the disk (256M)\n"
"      --compress lz4        compress closed files (.pcap.lz4)\n"
"Classify:\n"
"      --geoip FILE.mmdb     country and ASN of public addresses (MaxMind\n"
"                            format, e.g. DB-IP Lite or ip-location-db);\n"
"                            repeatable: a country and an ASN database\n"
"      --max-flows N         flows tracked per worker (262144)\n"
"      --idle-timeout S      close a flow idle this long (60)\n"
"      --active-timeout S    close a flow open this long (1800)\n"
"Serve:\n"
"      --http ADDR:PORT      status page, API and downloads\n"
"      --probe ADDR:PORT     /healthz alone, for a load balancer\n"
"      --auth-file FILE      users (name:crypt-hash:role; roles viewer,\n"
"                            analyst, admin) for HTTP Basic authentication\n"
"      --tls-cert FILE, --tls-key FILE   serve HTTPS\n"
"      --insecure-no-auth    without --auth-file, serve beyond loopback anyway\n"
"      --web-dir DIR         the status page's files (" VTAP_DATADIR "/web)\n"
"      --chartjs FILE        Chart.js (" COLLECTOR_DEFAULT_CHARTJS ")\n"
"      --download-cap BYTES  largest merged download (4G)\n"
"Offline:\n"
"  -r, --read FILE           process a capture file and exit\n"
"      --inner               the file holds plain frames, not VXLAN\n"
"      --json                print the summary as JSON\n"
"Other:\n"
"  -c, --config FILE         read options from FILE (key = value, long names)\n"
"  -u, --user USER           after opening sockets and files, drop root and\n"
"                            run as USER (who must be able to write DIR)\n"
"  -n, --check               check the configuration and exit\n"
"  -v, --verbose             log debug messages\n"
"      --syslog              log to syslog instead of stderr\n"
"  -h, --help                show this help and exit\n"
"  -V, --version             show the version and exit\n"
"\n"
"Sizes take K, M, G, T suffixes (powers of 1024). Signals: SIGHUP rotates\n"
"files now; SIGINT and SIGTERM close files and stop.\n"
"Exit status: 0 on success, 1 on a runtime error, 2 on a usage error.\n";

enum {
	OPT_WORKERS = 256,
	OPT_ALLOW,
	OPT_VNI,
	OPT_RCVBUF,
	OPT_ROTATE_SIZE,
	OPT_ROTATE_SECONDS,
	OPT_RETAIN_BYTES,
	OPT_RETAIN_DAYS,
	OPT_MIN_FREE,
	OPT_COMPRESS,
	OPT_GEOIP,
	OPT_MAX_FLOWS,
	OPT_IDLE,
	OPT_ACTIVE,
	OPT_HTTP,
	OPT_PROBE,
	OPT_AUTH,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_INSECURE,
	OPT_WEB_DIR,
	OPT_CHARTJS,
	OPT_DOWNLOAD_CAP,
	OPT_INNER,
	OPT_JSON,
	OPT_SYSLOG,
};

static const struct option longopts[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "allow", required_argument, NULL, OPT_ALLOW },
	{ "vni", required_argument, NULL, OPT_VNI },
	{ "rcvbuf", required_argument, NULL, OPT_RCVBUF },
	{ "pcap-dir", required_argument, NULL, 'w' },
	{ "rotate-size", required_argument, NULL, OPT_ROTATE_SIZE },
	{ "rotate-seconds", required_argument, NULL, OPT_ROTATE_SECONDS },
	{ "retain-bytes", required_argument, NULL, OPT_RETAIN_BYTES },
	{ "retain-days", required_argument, NULL, OPT_RETAIN_DAYS },
	{ "min-free", required_argument, NULL, OPT_MIN_FREE },
	{ "compress", required_argument, NULL, OPT_COMPRESS },
	{ "geoip", required_argument, NULL, OPT_GEOIP },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "active-timeout", required_argument, NULL, OPT_ACTIVE },
	{ "http", required_argument, NULL, OPT_HTTP },
	{ "probe", required_argument, NULL, OPT_PROBE },
	{ "auth-file", required_argument, NULL, OPT_AUTH },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "insecure-no-auth", no_argument, NULL, OPT_INSECURE },
	{ "web-dir", required_argument, NULL, OPT_WEB_DIR },
	{ "chartjs", required_argument, NULL, OPT_CHARTJS },
	{ "download-cap", required_argument, NULL, OPT_DOWNLOAD_CAP },
	{ "read", required_argument, NULL, 'r' },
	{ "inner", no_argument, NULL, OPT_INNER },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "config", required_argument, NULL, 'c' },
	{ "user", required_argument, NULL, 'u' },
	{ "check", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

#define USAGE(...) do { snprintf(err, errlen, __VA_ARGS__); return COLLECTOR_PARSE_USAGE; } while (0)

static bool
size_in(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return number_parse_size(s, out) && *out >= min && *out <= max;
}

enum collector_parse
collector_options_parse(int argc, char *argv[], struct collector_options *o,
			char *err, size_t errlen)
{
	uint64_t v;
	long cores;
	int c, n = 0;
	char hp[300];

	memset(o, 0, sizeof(*o));
	snprintf(o->listen_host, sizeof(o->listen_host), "0.0.0.0");
	o->listen_port = VXLAN_PORT;
	o->rotate_size = 64ULL << 20;
	o->rotate_seconds = 3600;
	o->min_free = 256ULL << 20;
	o->max_flows = 262144;
	o->idle_timeout = 60;
	o->active_timeout = 1800;
	o->rcvbuf = 64ULL << 20;
	o->web_dir = VTAP_DATADIR "/web";
	o->chartjs = COLLECTOR_DEFAULT_CHARTJS;
	o->download_cap = 4ULL << 30;
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	o->workers = cores > 0 ? (unsigned)cores : 1;

	if (config_argv_words(argc, argv, longopts, &o->file, &o->words, &n,
			      err, errlen) != 0) {
		return COLLECTOR_PARSE_CONFIG;
	}

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(n, o->words, ":l:w:r:c:u:nvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (!addr_split(optarg, 0, o->listen_host,
					sizeof(o->listen_host), &o->listen_port)) {
				USAGE("--listen must be ADDR:PORT (IPv6 in brackets), not '%s'", optarg);
			}
			o->listen_set = true;
			break;
		case OPT_WORKERS:
			if (!number_parse_u64(optarg, 1, 64, &v)) {
				USAGE("--workers must be 1..64, not '%s'", optarg);
			}
			o->workers = (unsigned)v;
			break;
		case OPT_ALLOW:
			if (!decap_policy_allow(&o->policy, optarg)) {
				USAGE("--allow needs an address or CIDR prefix, not '%s'", optarg);
			}
			break;
		case OPT_VNI:
			if (!decap_policy_vnis(&o->policy, optarg)) {
				USAGE("--vni needs VNIs 0..16777215 and ranges like 100,200-299, not '%s'", optarg);
			}
			break;
		case OPT_RCVBUF:
			if (!size_in(optarg, 1ULL << 16, 1ULL << 30, &o->rcvbuf)) {
				USAGE("--rcvbuf must be 64K..1G, not '%s'", optarg);
			}
			break;
		case 'w':
			o->pcap_dir = optarg;
			break;
		case OPT_ROTATE_SIZE:
			if (!size_in(optarg, 64ULL << 10, 1ULL << 40, &o->rotate_size)) {
				USAGE("--rotate-size must be 64K..1T, not '%s'", optarg);
			}
			break;
		case OPT_ROTATE_SECONDS:
			if (!number_parse_duration(optarg, &o->rotate_seconds) ||
			    o->rotate_seconds > 7 * 86400) {
				USAGE("--rotate-seconds must be 0..604800 (or 30s, 5m, 1h), not '%s'", optarg);
			}
			break;
		case OPT_RETAIN_BYTES:
			if (!number_parse_size(optarg, &o->retain_bytes)) {
				USAGE("--retain-bytes must be a size like 10G, not '%s'", optarg);
			}
			break;
		case OPT_RETAIN_DAYS:
			if (!number_parse_u64(optarg, 0, 36500, &v)) {
				USAGE("--retain-days must be 0..36500, not '%s'", optarg);
			}
			o->retain_seconds = v * 86400;
			break;
		case OPT_MIN_FREE:
			if (!number_parse_size(optarg, &o->min_free)) {
				USAGE("--min-free must be a size like 1G, not '%s'", optarg);
			}
			break;
		case OPT_COMPRESS:
			if (strcmp(optarg, "lz4") == 0) {
				o->compress_lz4 = true;
			} else if (strcmp(optarg, "none") == 0) {
				o->compress_lz4 = false;
			} else {
				USAGE("--compress takes lz4 or none, not '%s'", optarg);
			}
			break;
		case OPT_GEOIP:
			if (o->ngeoip == sizeof(o->geoip) / sizeof(o->geoip[0])) {
				USAGE("--geoip may be given at most 8 times");
			}
			o->geoip[o->ngeoip++] = optarg;
			break;
		case OPT_MAX_FLOWS:
			if (!number_parse_u64(optarg, 16, 100000000, &o->max_flows)) {
				USAGE("--max-flows must be 16..100000000, not '%s'", optarg);
			}
			break;
		case OPT_IDLE:
			if (!number_parse_duration(optarg, &o->idle_timeout) ||
			    o->idle_timeout == 0) {
				USAGE("--idle-timeout must be a positive duration, not '%s'", optarg);
			}
			break;
		case OPT_ACTIVE:
			if (!number_parse_duration(optarg, &o->active_timeout) ||
			    o->active_timeout == 0) {
				USAGE("--active-timeout must be a positive duration, not '%s'", optarg);
			}
			break;
		case OPT_HTTP:
		case OPT_PROBE:
			if (!addr_split(optarg, 0, hp, sizeof(hp), &(uint16_t){ 0 })) {
				USAGE("--%s must be ADDR:PORT, not '%s'",
				      c == OPT_HTTP ? "http" : "probe", optarg);
			}
			if (c == OPT_HTTP) {
				o->http = optarg;
			} else {
				o->probe = optarg;
			}
			break;
		case OPT_AUTH:
			o->auth_file = optarg;
			break;
		case OPT_TLS_CERT:
			o->tls_cert = optarg;
			break;
		case OPT_TLS_KEY:
			o->tls_key = optarg;
			break;
		case OPT_INSECURE:
			o->insecure_no_auth = true;
			break;
		case OPT_WEB_DIR:
			o->web_dir = optarg;
			break;
		case OPT_CHARTJS:
			o->chartjs = optarg;
			break;
		case OPT_DOWNLOAD_CAP:
			if (!size_in(optarg, 1ULL << 20, 1ULL << 50, &o->download_cap)) {
				USAGE("--download-cap must be 1M..1P, not '%s'", optarg);
			}
			break;
		case 'r':
			o->read_path = optarg;
			break;
		case OPT_INNER:
			o->inner = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'c':
			o->config_path = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'n':
			o->check_only = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case OPT_SYSLOG:
			o->use_syslog = true;
			break;
		case 'h':
			return COLLECTOR_PARSE_HELP;
		case 'V':
			return COLLECTOR_PARSE_VERSION;
		case ':':
			USAGE("option '%s' needs a value", o->words[optind - 1]);
		default:
			USAGE("unknown option '%s' (see --help)", o->words[optind - 1]);
		}
	}
	if (optind < n) {
		USAGE("unexpected argument '%s' (see --help)", o->words[optind]);
	}
	if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
		USAGE("--tls-cert and --tls-key go together");
	}
	if (o->pcap_dir == NULL) {
		USAGE("--pcap-dir DIR is required");
	}
	if (o->read_path == NULL) {
		if (o->inner || o->json) {
			USAGE("--inner and --json go with --read");
		}
		if (!o->listen_set) {
			USAGE("--listen ADDR:PORT is required (or --read FILE for offline mode)");
		}
	}
	return COLLECTOR_PARSE_OK;
}

void
collector_options_finish(struct collector_options *o)
{
	decap_policy_finish(&o->policy);
	config_argv_finish(&o->file);
	free(o->words);
	o->words = NULL;
}
