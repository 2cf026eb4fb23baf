/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vtap, the command line of vtap-sender's daemon mode, modelled on az's
 * "network vnet tap" and "network nic vtap-config": a table of commands,
 * their help, and the path of one call (parse, confirm, ask the sender,
 * flatten, query, print). What is allowed is decided by the sender.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sender/args.h"
#include "sender/client.h"
#include "sender/output.h"
#include "sender/query.h"
#include "vtap-build.h"

/* Exit status: as az's. */
enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

/* One command of the table below; every pointer is to static data. */
struct command {
	const char *path;                     /* "tap create" */
	const char *op;                       /* the sender's operation (service.h) */
	const struct args_option *options;    /* its own options */
	bool confirm;                         /* a delete: -y/--yes, prompt on a tty */
	const char *table;                    /* -o table's transformer (a query) */
	const char *summary;                  /* one line, for the group's help */
	const char *help;                     /* --help, man-page style */
};

/* A command group ("tap", "nic vtap-config"); pointers to static data. */
struct group {
	const char *path;
	const char *summary;
};

#define GLOBAL_HELP \
"GLOBAL OPTIONS\n" \
"       -o, --output FORMAT\n" \
"              json (the default: indented, keys sorted), tsv (values only,\n" \
"              tab-separated, one line per resource; for scripts), table (for\n" \
"              people) or none. Resources are shown with their properties\n" \
"              flattened, as az shows them.\n" \
"\n" \
"       --query EXPR\n" \
"              A JMESPath expression applied to the result before it is\n" \
"              printed. Supported: a field (id), a dotted path\n" \
"              (virtualNetworkTap.id), an element ([0], [-1]), a projection\n" \
"              ([].name, [*].name), a multiselect hash ({Name:name, Port:\n" \
"              destinationPort}) and list ([name, vni]). Filters, slices,\n" \
"              pipes and functions are refused.\n" \
"\n" \
"       --socket PATH\n" \
"              vtap-sender's control socket (default: $VTAP_SOCKET, else\n" \
"              " CLIENT_DEFAULT_SOCKET ").\n" \
"\n" \
"       -h, --help\n" \
"              Show this help and exit.\n" \
"\n" \
"EXIT STATUS\n" \
"       0 on success; 1 when the sender refuses or fails (one line on standard\n" \
"       error says why, and nothing stored has changed); 2 on a usage error.\n"

#define NAME_RULE \
"              Names are 1-80 characters: letters, digits, '_', '.' and '-',\n" \
"              starting with a letter or digit and ending with a letter, digit\n" \
"              or '_' (Azure's rule).\n"

static const struct args_option common_options[] = {
	{ "output", 'o', NULL, ARGS_STRING, false, "_output" },
	{ "query", 0, NULL, ARGS_STRING, false, "_query" },
	{ "socket", 0, NULL, ARGS_STRING, false, "_socket" },
	{ NULL, 0, NULL, ARGS_FLAG, false, NULL },
};

static const struct args_option yes_options[] = {
	{ "yes", 'y', NULL, ARGS_FLAG, false, "_yes" },
	{ NULL, 0, NULL, ARGS_FLAG, false, NULL },
};

static const struct args_option no_options[] = {
	{ NULL, 0, NULL, ARGS_FLAG, false, NULL },
};

static const struct args_option tap_create_options[] = {
	{ "name", 'n', NULL, ARGS_STRING, true, "name" },
	{ "destination", 0, NULL, ARGS_STRING, true, "destination" },
	{ "destination-type", 0, NULL, ARGS_STRING, false, "destinationType" },
	{ "port", 0, "destination-port", ARGS_INTEGER, false, "port" },
	{ "vni", 0, NULL, ARGS_INTEGER, false, "vni" },
	{ "tags", 0, NULL, ARGS_LIST, false, "tags" },
	{ NULL, 0, NULL, ARGS_FLAG, false, NULL },
};

static const struct args_option tap_update_options[] = {
	{ "name", 'n', NULL, ARGS_STRING, true, "name" },
	{ "destination", 0, NULL, ARGS_STRING, false, "destination" },
	{ "destination-type", 0, NULL, ARGS_STRING, false, "destinationType" },
	{ "port", 0, "destination-port", ARGS_INTEGER, false, "port" },
	{ "vni", 0, NULL, ARGS_INTEGER, false, "vni" },
	{ "tags", 0, NULL, ARGS_LIST, false, "tags" },
	{ NULL, 0, NULL, ARGS_FLAG, false, NULL },
};

static const struct args_option name_options[] = {
	{ "name", 'n', NULL, ARGS_STRING, true, "name" },
	{ NULL, 0, NULL, ARGS_FLAG, false, NULL },
};

static const struct args_option config_create_options[] = {
	{ "nic-name", 0, "nic", ARGS_STRING, true, "nic" },
	{ "name", 'n', NULL, ARGS_STRING, true, "name" },
	{ "vnet-tap", 0, NULL, ARGS_STRING, true, "vnetTap" },
	{ NULL, 0, NULL, ARGS_FLAG, false, NULL },
};

static const struct args_option config_name_options[] = {
	{ "nic-name", 0, "nic", ARGS_STRING, true, "nic" },
	{ "name", 'n', NULL, ARGS_STRING, true, "name" },
	{ NULL, 0, NULL, ARGS_FLAG, false, NULL },
};

static const struct args_option config_list_options[] = {
	{ "nic-name", 0, "nic", ARGS_STRING, true, "nic" },
	{ NULL, 0, NULL, ARGS_FLAG, false, NULL },
};

#define TAP_COLUMNS "{Name:name, Destination:destination, DestinationType:destinationType, " \
	"DestinationPort:destinationPort, Vni:vni, ProvisioningState:provisioningState}"
#define CONFIG_COLUMNS "{Name:name, VirtualNetworkTap:virtualNetworkTap.id, " \
	"ProvisioningState:provisioningState, Id:id}"

static const struct group groups[] = {
	{ "tap", "Manage virtual network TAPs." },
	{ "nic", "Show this host's NICs and manage their tap configurations." },
	{ "nic vtap-config", "Manage the tap configuration of a NIC." },
};

static const struct command commands[] = {
	{ "tap create", "tap.create", tap_create_options, false, TAP_COLUMNS,
	  "Create a virtual network TAP.",
"NAME\n"
"       vtap tap create - create a virtual network TAP\n"
"\n"
"SYNOPSIS\n"
"       vtap tap create -n NAME --destination ADDR [--destination-type nic|lb]\n"
"                       [--port PORT] [--vni N] [--tags KEY[=VALUE] ...]\n"
"\n"
"DESCRIPTION\n"
"       Create a virtual network TAP: the place mirrored traffic is sent to.\n"
"       Nothing is mirrored until a NIC's tap configuration refers to the TAP\n"
"       (vtap nic vtap-config create). Creating a TAP whose name is taken is\n"
"       refused; change an existing TAP with vtap tap update.\n"
"       Needs the action taps/write.\n"
"\n"
"OPTIONS\n"
"       -n, --name NAME\n"
"              The TAP's name; its id is /taps/NAME.\n"
NAME_RULE
"\n"
"       --destination ADDR\n"
"              The collector: an IPv4 or IPv6 address or a DNS name (resolved\n"
"              when mirroring starts), of a collector NIC or of a load\n"
"              balancer's frontend.\n"
"\n"
"       --destination-type nic|lb\n"
"              What the destination is (default nic). It decides the key the\n"
"              address is kept under: destinationNetworkInterfaceIPConfiguration\n"
"              or destinationLoadBalancerFrontEndIPConfiguration.\n"
"\n"
"       --port PORT\n"
"              The outer UDP destination port, 1..65535 (default 4789, VXLAN's).\n"
"\n"
"       --vni N\n"
"              The VXLAN network identifier, 0..16777215 (default 0).\n"
"\n"
"       --tags KEY[=VALUE] ...\n"
"              Space-separated tags.\n"
"\n"
GLOBAL_HELP
"\n"
"EXAMPLES\n"
"       vtap tap create -n myTap --destination 10.0.0.5 --port 4789\n"
"       vtap tap create -n toIlb --destination 10.1.0.100 --destination-type lb \\\n"
"           --vni 100 --tags env=test\n" },

	{ "tap show", "tap.show", name_options, false, TAP_COLUMNS,
	  "Show one virtual network TAP.",
"NAME\n"
"       vtap tap show - show one virtual network TAP\n"
"\n"
"SYNOPSIS\n"
"       vtap tap show -n NAME\n"
"\n"
"DESCRIPTION\n"
"       Show the TAP: id, name, type, etag, tags, destination (and its\n"
"       Azure-shaped object), destinationPort, vni, provisioningState,\n"
"       resourceGuid and networkInterfaceTapConfigurations (the ids of the\n"
"       tap configurations that use it). Needs the action taps/read.\n"
"\n"
"OPTIONS\n"
"       -n, --name NAME\n"
"              The TAP's name.\n"
"\n"
GLOBAL_HELP
"\n"
"EXAMPLES\n"
"       vtap tap show -n myTap\n"
"       vtap tap show -n myTap --query id --output tsv\n" },

	{ "tap list", "tap.list", no_options, false, "[]." TAP_COLUMNS,
	  "List virtual network TAPs.",
"NAME\n"
"       vtap tap list - list virtual network TAPs\n"
"\n"
"SYNOPSIS\n"
"       vtap tap list\n"
"\n"
"DESCRIPTION\n"
"       List every TAP, in the order they were created. Needs the action\n"
"       taps/read.\n"
"\n"
GLOBAL_HELP
"\n"
"EXAMPLES\n"
"       vtap tap list -o table\n"
"       vtap tap list --query \"[].{name:name, port:destinationPort}\"\n" },

	{ "tap update", "tap.update", tap_update_options, false, TAP_COLUMNS,
	  "Change a virtual network TAP.",
"NAME\n"
"       vtap tap update - change a virtual network TAP\n"
"\n"
"SYNOPSIS\n"
"       vtap tap update -n NAME [--destination ADDR] [--destination-type nic|lb]\n"
"                       [--port PORT] [--vni N] [--tags [KEY[=VALUE] ...]]\n"
"\n"
"DESCRIPTION\n"
"       Change what is given and keep the rest. NICs already mirrored to this\n"
"       TAP are re-targeted within a second, without restarting capture.\n"
"       --tags replaces every tag (with no value: removes them all).\n"
"       Needs the action taps/write.\n"
"\n"
"OPTIONS\n"
"       -n, --name NAME\n"
"              The TAP's name.\n"
"\n"
"       --destination, --destination-type, --port, --vni, --tags\n"
"              As for vtap tap create.\n"
"\n"
GLOBAL_HELP
"\n"
"EXAMPLES\n"
"       vtap tap update -n myTap --destination 10.0.0.6 --port 4790\n" },

	{ "tap delete", "tap.delete", name_options, true, NULL,
	  "Delete a virtual network TAP.",
"NAME\n"
"       vtap tap delete - delete a virtual network TAP\n"
"\n"
"SYNOPSIS\n"
"       vtap tap delete -n NAME [-y]\n"
"\n"
"DESCRIPTION\n"
"       Delete the TAP. A TAP that tap configurations still refer to cannot be\n"
"       deleted: the refusal names them; delete them first. When standard\n"
"       input is a terminal, vtap asks for confirmation first. Needs the\n"
"       action taps/delete.\n"
"\n"
"OPTIONS\n"
"       -n, --name NAME\n"
"              The TAP's name.\n"
"\n"
"       -y, --yes\n"
"              Do not ask for confirmation.\n"
"\n"
GLOBAL_HELP
"\n"
"EXAMPLES\n"
"       vtap tap delete -n myTap --yes\n" },

	{ "nic list", "nic.list", no_options, false,
	  "[].{Name:name, State:state, MacAddress:macAddress, "
	  "TapConfiguration:tapConfigurations[0].name, "
	  "VirtualNetworkTap:tapConfigurations[0].virtualNetworkTap.id}",
	  "List this host's NICs and their tap configuration.",
"NAME\n"
"       vtap nic list - list this host's NICs and their tap configuration\n"
"\n"
"SYNOPSIS\n"
"       vtap nic list\n"
"\n"
"DESCRIPTION\n"
"       List the network interfaces of the host vtap-sender runs on (of its\n"
"       network namespace): id (/nics/NAME), name, macAddress, state (up or\n"
"       down), ipAddresses and tapConfigurations (zero or one). Needs the\n"
"       action nics/read.\n"
"\n"
GLOBAL_HELP
"\n"
"EXAMPLES\n"
"       vtap nic list -o table\n"
"       vtap nic list --query \"[].name\" -o tsv\n" },

	{ "nic vtap-config create", "config.create", config_create_options, false,
	  CONFIG_COLUMNS,
	  "Attach a NIC to a virtual network TAP.",
"NAME\n"
"       vtap nic vtap-config create - attach a NIC to a virtual network TAP\n"
"\n"
"SYNOPSIS\n"
"       vtap nic vtap-config create --nic-name IFACE -n NAME --vnet-tap TAP\n"
"\n"
"DESCRIPTION\n"
"       Create the NIC's tap configuration: vtap-sender starts mirroring\n"
"       every frame the NIC receives or sends (a full copy, no filter) to the\n"
"       TAP's destination within a second. A NIC has at most one tap\n"
"       configuration; the NIC must exist on this host and the TAP in the\n"
"       store. Needs the action tapConfigurations/write.\n"
"\n"
"OPTIONS\n"
"       --nic-name IFACE, --nic IFACE\n"
"              The network interface, as vtap nic list names it.\n"
"\n"
"       -n, --name NAME\n"
"              The configuration's name; its id is\n"
"              /nics/IFACE/tapConfigurations/NAME.\n"
NAME_RULE
"\n"
"       --vnet-tap TAP\n"
"              The TAP, by name or by id (/taps/NAME).\n"
"\n"
GLOBAL_HELP
"\n"
"EXAMPLES\n"
"       vtap nic vtap-config create --nic-name eth0 -n myTapConfig --vnet-tap myTap\n" },

	{ "nic vtap-config show", "config.show", config_name_options, false,
	  CONFIG_COLUMNS,
	  "Show a NIC's tap configuration.",
"NAME\n"
"       vtap nic vtap-config show - show a NIC's tap configuration\n"
"\n"
"SYNOPSIS\n"
"       vtap nic vtap-config show --nic-name IFACE -n NAME\n"
"\n"
"DESCRIPTION\n"
"       Show the configuration: id, name, type, etag, virtualNetworkTap (the\n"
"       TAP's id) and provisioningState. Needs the action\n"
"       tapConfigurations/read.\n"
"\n"
"OPTIONS\n"
"       --nic-name IFACE, --nic IFACE\n"
"              The network interface.\n"
"\n"
"       -n, --name NAME\n"
"              The configuration's name.\n"
"\n"
GLOBAL_HELP
"\n"
"EXAMPLES\n"
"       vtap nic vtap-config show --nic eth0 -n myTapConfig --query virtualNetworkTap.id\n" },

	{ "nic vtap-config list", "config.list", config_list_options, false,
	  "[]." CONFIG_COLUMNS,
	  "List a NIC's tap configurations.",
"NAME\n"
"       vtap nic vtap-config list - list a NIC's tap configurations\n"
"\n"
"SYNOPSIS\n"
"       vtap nic vtap-config list --nic-name IFACE\n"
"\n"
"DESCRIPTION\n"
"       List the NIC's tap configurations (zero or one). Refused for a NIC\n"
"       that is neither on this host nor in the store. Needs the action\n"
"       tapConfigurations/read.\n"
"\n"
"OPTIONS\n"
"       --nic-name IFACE, --nic IFACE\n"
"              The network interface.\n"
"\n"
GLOBAL_HELP
"\n"
"EXAMPLES\n"
"       vtap nic vtap-config list --nic-name eth0 -o table\n" },

	{ "nic vtap-config delete", "config.delete", config_name_options, true, NULL,
	  "Detach a NIC from its virtual network TAP.",
"NAME\n"
"       vtap nic vtap-config delete - detach a NIC from its virtual network TAP\n"
"\n"
"SYNOPSIS\n"
"       vtap nic vtap-config delete --nic-name IFACE -n NAME [-y]\n"
"\n"
"DESCRIPTION\n"
"       Delete the configuration: vtap-sender stops mirroring the NIC within\n"
"       a second and prints the mirror's final counters as a JSON line on its\n"
"       standard output. When standard input is a terminal, vtap asks for\n"
"       confirmation first. Needs the action tapConfigurations/delete.\n"
"\n"
"OPTIONS\n"
"       --nic-name IFACE, --nic IFACE\n"
"              The network interface.\n"
"\n"
"       -n, --name NAME\n"
"              The configuration's name.\n"
"\n"
"       -y, --yes\n"
"              Do not ask for confirmation.\n"
"\n"
GLOBAL_HELP
"\n"
"EXAMPLES\n"
"       vtap nic vtap-config delete --nic-name eth0 -n myTapConfig --yes\n" },

	{ "status", "status", no_options, false,
	  "[].{Nic:nic, Tap:tap, Destination:destination, Vni:vni, State:state, "
	  "Captured:captured, Sent:sent, DropKernel:dropped.kernel, "
	  "DropSocketFull:dropped.socket_full, DropOversize:dropped.oversize, "
	  "DropBudget:dropped.budget, DropSendError:dropped.send_error}",
	  "Show what each mirrored NIC captured, sent and dropped.",
"NAME\n"
"       vtap status - show what each mirrored NIC captured, sent and dropped\n"
"\n"
"SYNOPSIS\n"
"       vtap status\n"
"\n"
"DESCRIPTION\n"
"       For each NIC with a tap configuration: nic, tapConfiguration, tap,\n"
"       destination (the resolved address and port), vni, state (mirroring,\n"
"       interface down, or waiting, with an error, when mirroring cannot\n"
"       start yet), captured and captured_bytes, sent and sent_bytes,\n"
"       truncated, and dropped by reason: kernel (capture ring full),\n"
"       socket_full, oversize, budget (--max-pps/--max-mbps), send_error,\n"
"       interface_down. Counters start when the mirror starts. Needs the\n"
"       action nics/read.\n"
"\n"
GLOBAL_HELP
"\n"
"EXAMPLES\n"
"       vtap status -o table\n"
"       vtap status --query \"[].{nic:nic, sent:sent}\"\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char main_help[] =
"NAME\n"
"       vtap - manage virtual network TAPs and NIC tap configurations\n"
"\n"
"SYNOPSIS\n"
"       vtap GROUP [SUBGROUP] COMMAND [OPTIONS]\n"
"       vtap [GROUP ...] --help\n"
"       vtap --version\n"
"\n"
"DESCRIPTION\n"
"       vtap is the command line of vtap-sender's daemon mode, modelled on\n"
"       az network vnet tap and az network nic vtap-config. A virtual network\n"
"       TAP names a destination (a collector NIC or a load balancer frontend),\n"
"       a UDP port and a VNI. A NIC's tap configuration attaches one of this\n"
"       host's NICs to a TAP; vtap-sender then mirrors every frame the NIC\n"
"       receives or sends, as VXLAN (RFC 7348), to the TAP's destination,\n"
"       within a second and until the configuration is deleted. A NIC has at\n"
"       most one tap configuration.\n"
"\n"
"       vtap only asks; vtap-sender keeps the resources in its store and\n"
"       decides, from the caller's user and groups, whether the action is\n"
"       allowed (see ROLES). A refused request changes nothing.\n"
"\n"
"COMMANDS\n"
"       tap create               Create a virtual network TAP.\n"
"       tap show                 Show one TAP.\n"
"       tap list                 List TAPs.\n"
"       tap update               Change a TAP (re-targets live mirroring).\n"
"       tap delete               Delete a TAP no configuration uses.\n"
"       nic list                 List this host's NICs and their configuration.\n"
"       nic vtap-config create   Attach a NIC to a TAP (starts mirroring).\n"
"       nic vtap-config show     Show a NIC's tap configuration.\n"
"       nic vtap-config list     List a NIC's tap configurations.\n"
"       nic vtap-config delete   Detach a NIC (stops mirroring).\n"
"       status                   Per NIC: TAP, destination, captured, sent,\n"
"                                dropped by reason.\n"
"\n"
"       Each command has its own --help.\n"
"\n"
"RESOURCES\n"
"       Every resource has an id (/taps/NAME, /nics/IFACE/tapConfigurations/\n"
"       NAME), a name, a type, an etag and a provisioningState, plus the\n"
"       properties of its Azure counterpart.\n"
"\n"
"ROLES\n"
"       Actions: taps/read, taps/write, taps/delete, nics/read,\n"
"       tapConfigurations/read, tapConfigurations/write,\n"
"       tapConfigurations/delete. Built-in roles: network-contributor (every\n"
"       action) and reader (every read). vtap-sender's roles file (--roles,\n"
"       default /etc/vtap/roles.json) assigns roles to users and groups and\n"
"       may define more roles with wildcards:\n"
"\n"
"           { \"roles\": { \"tap-operator\": { \"actions\": [\"*/read\",\n"
"                                                \"tapConfigurations/*\"] } },\n"
"             \"assignments\": [ { \"user\": \"alice\", \"role\": \"network-contributor\" },\n"
"                              { \"group\": \"netops\", \"role\": \"reader\" } ] }\n"
"\n"
"       root may do everything; without a roles file only root may act.\n"
"\n"
GLOBAL_HELP
"\n"
"ENVIRONMENT\n"
"       VTAP_SOCKET    the control socket, when --socket is not given.\n"
"\n"
"EXAMPLES\n"
"       vtap tap create -n myTap --destination 10.0.0.5 --port 4789\n"
"       vtap nic vtap-config create --nic-name eth0 -n myTapConfig --vnet-tap myTap\n"
"       vtap tap show -n myTap --query id --output tsv\n"
"       vtap status -o table\n"
"       vtap nic vtap-config delete --nic-name eth0 -n myTapConfig --yes\n"
"       vtap tap delete -n myTap --yes\n";

static const struct command *
find_command(const char *path)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].path, path) == 0) {
			return &commands[i];
		}
	}
	return NULL;
}

static bool
is_group(const char *path)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (strcmp(groups[i].path, path) == 0) {
			return true;
		}
	}
	return false;
}

/* A group's help: its commands and subgroups with their summaries. */
static void
group_help(FILE *f, const char *path)
{
	size_t plen = strlen(path);

	fprintf(f, "Usage: vtap %s COMMAND [OPTIONS]\n\n", path);
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (strcmp(groups[i].path, path) == 0) {
			fprintf(f, "%s\n\n", groups[i].summary);
		}
	}
	fprintf(f, "Commands:\n");
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		const char *g = groups[i].path;

		if (strncmp(g, path, plen) == 0 && g[plen] == ' ' &&
		    strchr(g + plen + 1, ' ') == NULL) {
			fprintf(f, "  %-14s %s (subgroup)\n", g + plen + 1, groups[i].summary);
		}
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const char *c = commands[i].path;

		if (strncmp(c, path, plen) == 0 && c[plen] == ' ' &&
		    strchr(c + plen + 1, ' ') == NULL) {
			fprintf(f, "  %-14s %s\n", c + plen + 1, commands[i].summary);
		}
	}
	fprintf(f, "\nSee 'vtap %s COMMAND --help' for a command's options.\n", path);
}

/* "vtap tap create: " then the message, on one line, to stderr. */
static int
usage_error(const char *path, const char *msg)
{
	fprintf(stderr, "vtap%s%s: %s (see 'vtap%s%s --help')\n",
		path[0] != '\0' ? " " : "", path, msg,
		path[0] != '\0' ? " " : "", path);
	return EXIT_USAGE;
}

/* Print the sender's one-line refusal, newlines made blanks. */
static int
refused(const char *msg)
{
	char *line = strdup(msg != NULL ? msg : "refused");

	if (line == NULL) {
		fputs("vtap: out of memory\n", stderr);
		return EXIT_REFUSED;
	}
	for (char *p = line; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r') {
			*p = ' ';
		}
	}
	fprintf(stderr, "vtap: %s\n", line);
	free(line);
	return EXIT_REFUSED;
}

/* --tags a=b c -> {"a": "b", "c": ""} */
static json_t *
tags_object(const json_t *list)
{
	json_t *tags = json_object(), *e;
	size_t i;

	json_array_foreach(list, i, e) {
		const char *w = json_string_value(e), *eq = strchr(w, '=');

		if (eq == NULL) {
			json_object_set_new(tags, w, json_string(""));
		} else {
			json_object_setn_new(tags, w, (size_t)(eq - w), json_string(eq + 1));
		}
	}
	return tags;
}

static bool
confirmed(void)
{
	char line[64];

	fputs("Are you sure you want to perform this operation? (y/n): ", stderr);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL) {
		return false;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
}

/* Run one command with its option words. */
static int
run(const struct command *cmd, int argc, char *argv[])
{
	const struct args_option *const tables[] = {
		cmd->options, common_options, cmd->confirm ? yes_options : NULL, NULL,
	};
	enum output_format fmt = OUTPUT_JSON;
	struct query *q = NULL;
	json_t *args = NULL, *req = NULL, *resp = NULL, *flat = NULL, *shown = NULL;
	const char *fmt_name, *expr, *socket_path;
	char err[1024], *text = NULL;
	int rc = EXIT_USAGE;

	switch (args_parse(argc, argv, tables, &args, err, sizeof(err))) {
	case ARGS_HELP:
		fputs(cmd->help, stdout);
		return EXIT_OK;
	case ARGS_ERROR:
		return usage_error(cmd->path, err);
	case ARGS_OK:
		break;
	}
	fmt_name = json_string_value(json_object_get(args, "_output"));
	if (fmt_name != NULL && !output_parse_format(fmt_name, &fmt)) {
		snprintf(err, sizeof(err),
			 "argument --output/-o: invalid choice: '%s' (choose from 'json', 'tsv', 'table', 'none')",
			 fmt_name);
		rc = usage_error(cmd->path, err);
		goto done;
	}
	expr = json_string_value(json_object_get(args, "_query"));
	if (expr != NULL && (q = query_compile(expr, err, sizeof(err))) == NULL) {
		rc = usage_error(cmd->path, err);
		goto done;
	}
	socket_path = json_string_value(json_object_get(args, "_socket"));
	if (socket_path == NULL) {
		socket_path = getenv("VTAP_SOCKET");
	}
	if (socket_path == NULL || socket_path[0] == '\0') {
		socket_path = CLIENT_DEFAULT_SOCKET;
	}
	if (cmd->confirm && json_object_get(args, "_yes") == NULL &&
	    isatty(STDIN_FILENO) && !confirmed()) {
		rc = EXIT_OK; /* as az: declining is not an error */
		goto done;
	}
	if (json_object_get(args, "tags") != NULL) {
		json_object_set_new(args, "tags", tags_object(json_object_get(args, "tags")));
	}
	/* the options meant for vtap itself ("_...") are not sent */
	req = json_pack("{s:s, s:o}", "op", cmd->op, "args", json_deep_copy(args));
	json_object_del(json_object_get(req, "args"), "_output");
	json_object_del(json_object_get(req, "args"), "_query");
	json_object_del(json_object_get(req, "args"), "_yes");
	json_object_del(json_object_get(req, "args"), "_socket");
	if (client_call(socket_path, req, &resp, err, sizeof(err)) != 0) {
		rc = refused(err);
		goto done;
	}
	if (!json_is_true(json_object_get(resp, "ok"))) {
		rc = refused(json_string_value(json_object_get(resp, "error")));
		goto done;
	}
	flat = output_flatten(json_object_get(resp, "result") != NULL
				      ? json_object_get(resp, "result") : json_null());
	if (q != NULL) {
		shown = query_apply(q, flat);
	} else if (fmt == OUTPUT_TABLE && cmd->table != NULL &&
		   (q = query_compile(cmd->table, err, sizeof(err))) != NULL) {
		shown = query_apply(q, flat);
	} else {
		shown = json_incref(flat);
	}
	if ((text = output_render(shown, fmt)) == NULL) {
		rc = refused("out of memory");
		goto done;
	}
	fputs(text, stdout);
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_REFUSED;
done:
	free(text);
	json_decref(shown);
	json_decref(flat);
	json_decref(resp);
	json_decref(req);
	json_decref(args);
	query_free(q);
	return rc;
}

static bool
wants_help(int argc, char *argv[])
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			return true;
		}
	}
	return false;
}

/* Does w take the next word as its value, before the command is known? */
static bool
global_with_value(const char *w)
{
	return strcmp(w, "-o") == 0 || strcmp(w, "--output") == 0 ||
	       strcmp(w, "--query") == 0 || strcmp(w, "--socket") == 0;
}

int
main(int argc, char *argv[])
{
	const struct command *cmd = NULL;
	char path[128] = "", next[128];
	char **rest;
	int nrest = 0, rc;

	if (argc < 2) {
		return usage_error("", "give a command: tap, nic or status");
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(main_help, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("vtap %s\n", VTAP_VERSION);
		return EXIT_OK;
	}
	if ((rest = calloc((size_t)argc, sizeof(*rest))) == NULL) {
		fputs("vtap: out of memory\n", stderr);
		return EXIT_REFUSED;
	}
	/*
	 * Walk the words down the groups to one command; options may come
	 * first ("vtap --socket S tap list") and are handed on with the rest.
	 */
	for (int i = 1; i < argc; i++) {
		if (cmd != NULL || argv[i][0] == '-') {
			rest[nrest++] = argv[i];
			if (cmd == NULL && global_with_value(argv[i]) && i + 1 < argc) {
				rest[nrest++] = argv[++i];
			}
			continue;
		}
		snprintf(next, sizeof(next), "%s%s%s", path, path[0] != '\0' ? " " : "",
			 argv[i]);
		if ((cmd = find_command(next)) != NULL) {
			continue;
		}
		if (!is_group(next)) {
			char msg[256];

			if (path[0] == '\0') {
				snprintf(msg, sizeof(msg), "'%s' is not a vtap command", argv[i]);
			} else {
				snprintf(msg, sizeof(msg), "'%s' is not in the 'vtap %s' command group",
					 argv[i], path);
			}
			free(rest);
			return usage_error(path, msg);
		}
		snprintf(path, sizeof(path), "%s", next);
	}
	if (cmd != NULL) {
		rc = run(cmd, nrest, rest);
	} else if (path[0] == '\0' && wants_help(nrest, rest)) {
		fputs(main_help, stdout);
		rc = EXIT_OK;
	} else if (path[0] == '\0') {
		rc = usage_error("", "give a command: tap, nic or status");
	} else if (wants_help(nrest, rest)) {
		group_help(stdout, path);
		rc = EXIT_OK;
	} else {
		rc = usage_error(path, "give a command");
	}
	free(rest);
	return rc;
}
