/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option and config-file parsing for vtap-sender, and its usage text. It
 * validates values; it opens nothing but the config file.
 */
#include "sender/options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sender/capture.h"
#include "shared/number.h"
#include "shared/vxlan.h"

const char sender_usage[] =
"Usage:\n"
"  vtap-sender --interface IFACE --destination ADDR [--port 4789] [--vni N] [options]\n"
"  vtap-sender --read FILE.pcap --destination ADDR [--port 4789] [--vni N] [options]\n"
"  vtap-sender [--config FILE] [--state FILE] [--socket PATH] [--roles FILE]\n"
"\n"
"Mirror a network interface's frames, both directions, as VXLAN (RFC 7348)\n"
"datagrams to a collector. The outer UDP source port is a symmetric hash of\n"
"the inner flow, so both directions of a flow reach the same collector.\n"
"The sender never mirrors its own tunnel traffic.\n"
"\n"
"Modes:\n"
"  direct   --interface: mirror one NIC until SIGINT or SIGTERM.\n"
"  replay   --read: encapsulate an Ethernet capture file (pcap or pcapng)\n"
"           and exit; waits for socket space instead of dropping, and\n"
"           paces to --max-pps/--max-mbps instead of dropping.\n"
"  daemon   neither: mirror what the resource store says, managed with the\n"
"           vtap CLI over the control socket.\n"
"\n"
"Options:\n"
"  -i, --interface IFACE     network interface to mirror\n"
"  -r, --read FILE           capture file to encapsulate (replay mode)\n"
"  -d, --destination ADDR    collector or load balancer address or DNS name\n"
"  -p, --port PORT           outer UDP destination port, 1..65535 (4789)\n"
"      --vni N               VXLAN network identifier, 0..16777215 (0)\n"
"      --truncate BYTES      copy at most BYTES of each frame, 14..65535, for\n"
"                            paths that drop IP fragments (default: whole frames;\n"
"                            the kernel fragments datagrams over the path MTU)\n"
"      --max-pps N           mirror at most N frames per second (0: no limit)\n"
"      --max-mbps N          mirror at most N megabits per second (0: no limit)\n"
"      --ring-size BYTES     capture ring size, e.g. 64M (32M)\n"
"      --batch-ms MS         hand captured frames over in batches, at most MS\n"
"                            milliseconds after capture, 0..100 (5); fewer\n"
"                            wake-ups and system calls, but gaps between\n"
"                            frames as the collector stamps them may shrink\n"
"                            by up to MS; 0 wakes the sender for every frame\n"
"  -c, --config FILE         read options from FILE (key = value, long names)\n"
"      --state FILE          resource store (" SENDER_DEFAULT_STATE ")\n"
"      --socket PATH         control socket (" SENDER_DEFAULT_SOCKET ")\n"
"      --roles FILE          role assignments (" SENDER_DEFAULT_ROLES ")\n"
"  -n, --check               check the configuration and exit\n"
"  -v, --verbose             log debug messages\n"
"      --syslog              log to syslog instead of stderr\n"
"  -h, --help                show this help and exit\n"
"  -V, --version             show the version and exit\n"
"\n"
"Signals: SIGUSR1 prints the counters as one JSON line on stdout; SIGINT and\n"
"SIGTERM stop and print them. Counters: captured, sent, bytes, truncated,\n"
"dropped by reason (kernel ring, socket full, oversize, budget, send error),\n"
"and unreachable: ICMP errors returned for sent datagrams (a lower bound on\n"
"what did not arrive: routers rate-limit ICMP).\n"
"In daemon mode there is one line per mirrored NIC, and SIGHUP re-reads the\n"
"store and the roles file (a broken one is reported and the old kept).\n"
"\n"
"Daemon mode keeps the resources (TAPs, NIC tap configurations) in the store,\n"
"a JSON file written atomically; one that does not parse stops the start and\n"
"is never overwritten. Restarted, the sender mirrors what the store says. The\n"
"control socket (mode 0666) serves the vtap CLI; each request is checked\n"
"against the caller's roles (SO_PEERCRED): see 'vtap --help', ROLES. Without\n"
"a roles file only root may act.\n"
"\n"
"Exit status: 0 on success, 1 on a runtime error, 2 on a usage error.\n";

enum {
	OPT_VNI = 256,
	OPT_TRUNCATE,
	OPT_MAX_PPS,
	OPT_MAX_MBPS,
	OPT_RING,
	OPT_BATCH,
	OPT_STATE,
	OPT_SOCKET,
	OPT_ROLES,
	OPT_SYSLOG,
};

static const struct option longopts[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "read", required_argument, NULL, 'r' },
	{ "destination", required_argument, NULL, 'd' },
	{ "port", required_argument, NULL, 'p' },
	{ "vni", required_argument, NULL, OPT_VNI },
	{ "truncate", required_argument, NULL, OPT_TRUNCATE },
	{ "max-pps", required_argument, NULL, OPT_MAX_PPS },
	{ "max-mbps", required_argument, NULL, OPT_MAX_MBPS },
	{ "ring-size", required_argument, NULL, OPT_RING },
	{ "batch-ms", required_argument, NULL, OPT_BATCH },
	{ "config", required_argument, NULL, 'c' },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "roles", required_argument, NULL, OPT_ROLES },
	{ "check", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static bool
num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return number_parse_u64(s, min, max, out);
}

enum sender_parse
sender_options_parse(int argc, char *argv[], struct sender_options *o,
		     char *err, size_t errlen)
{
	uint64_t v;
	int c, n = 0;

	memset(o, 0, sizeof(*o));
	o->port = VXLAN_PORT;
	o->ring_bytes = SENDER_DEFAULT_RING;
	o->batch_ms = CAPTURE_BATCH_MS;
	o->state_path = SENDER_DEFAULT_STATE;
	o->socket_path = SENDER_DEFAULT_SOCKET;
	o->roles_path = SENDER_DEFAULT_ROLES;

	if (config_argv_words(argc, argv, longopts, &o->file, &o->words, &n,
			      err, errlen) != 0) {
		return SENDER_PARSE_CONFIG;
	}

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(n, o->words, ":i:r:d:p:c:nvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->interface = optarg;
			break;
		case 'r':
			o->read_path = optarg;
			break;
		case 'd':
			o->destination = optarg;
			break;
		case 'p':
			if (!num(optarg, 1, 65535, &v)) {
				snprintf(err, errlen, "--port must be 1..65535, not '%s'", optarg);
				return SENDER_PARSE_USAGE;
			}
			o->port = (uint16_t)v;
			break;
		case OPT_VNI:
			if (!num(optarg, 0, VXLAN_VNI_MAX, &v)) {
				snprintf(err, errlen, "--vni must be 0..16777215, not '%s'", optarg);
				return SENDER_PARSE_USAGE;
			}
			o->vni = (uint32_t)v;
			break;
		case OPT_TRUNCATE:
			if (!num(optarg, 14, 65535, &v)) {
				snprintf(err, errlen, "--truncate must be 14..65535 bytes, not '%s'", optarg);
				return SENDER_PARSE_USAGE;
			}
			o->truncate = (uint32_t)v;
			break;
		case OPT_MAX_PPS:
			if (!num(optarg, 0, 100000000, &o->max_pps)) {
				snprintf(err, errlen, "--max-pps must be 0..100000000, not '%s'", optarg);
				return SENDER_PARSE_USAGE;
			}
			break;
		case OPT_MAX_MBPS:
			if (!num(optarg, 0, 1000000, &o->max_mbps)) {
				snprintf(err, errlen, "--max-mbps must be 0..1000000, not '%s'", optarg);
				return SENDER_PARSE_USAGE;
			}
			break;
		case OPT_RING:
			if (!number_parse_size(optarg, &v) || v < (1 << 20) || v > (1u << 30)) {
				snprintf(err, errlen, "--ring-size must be 1M..1G, not '%s'", optarg);
				return SENDER_PARSE_USAGE;
			}
			o->ring_bytes = v;
			break;
		case OPT_BATCH:
			if (!num(optarg, 0, CAPTURE_BATCH_MS_MAX, &o->batch_ms)) {
				snprintf(err, errlen, "--batch-ms must be 0..100, not '%s'", optarg);
				return SENDER_PARSE_USAGE;
			}
			break;
		case 'c':
			o->config_path = optarg;
			break;
		case OPT_STATE:
			o->state_path = optarg;
			break;
		case OPT_SOCKET:
			o->socket_path = optarg;
			break;
		case OPT_ROLES:
			o->roles_path = optarg;
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
			return SENDER_PARSE_HELP;
		case 'V':
			return SENDER_PARSE_VERSION;
		case ':':
			snprintf(err, errlen, "option '%s' needs a value", o->words[optind - 1]);
			return SENDER_PARSE_USAGE;
		default:
			snprintf(err, errlen, "unknown option '%s' (see --help)", o->words[optind - 1]);
			return SENDER_PARSE_USAGE;
		}
	}
	if (optind < n) {
		snprintf(err, errlen, "unexpected argument '%s' (see --help)", o->words[optind]);
		return SENDER_PARSE_USAGE;
	}
	if (o->interface != NULL && o->read_path != NULL) {
		snprintf(err, errlen, "--interface and --read cannot be used together");
		return SENDER_PARSE_USAGE;
	}
	if (o->interface != NULL || o->read_path != NULL) {
		o->mode = o->interface != NULL ? SENDER_DIRECT : SENDER_REPLAY;
		if (o->destination == NULL) {
			snprintf(err, errlen, "%s needs --destination ADDR",
				 o->interface != NULL ? "--interface" : "--read");
			return SENDER_PARSE_USAGE;
		}
	} else {
		o->mode = SENDER_DAEMON;
		if (o->destination != NULL) {
			snprintf(err, errlen, "--destination needs --interface or --read");
			return SENDER_PARSE_USAGE;
		}
	}
	return SENDER_PARSE_OK;
}

void
sender_options_finish(struct sender_options *o)
{
	config_argv_finish(&o->file);
	free(o->words);
	o->words = NULL;
}
