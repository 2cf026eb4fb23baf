/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vtap-sender's arguments: modes, defaults, ranges refused with one
 * message each, and a config file whose values the command line overrides.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sender/options.h"

static enum sender_parse
parse(struct sender_options *o, char *err, int argc, char **argv)
{
	return sender_options_parse(argc, argv, o, err, 256);
}

#define PARSE(o, err, ...) ({ \
	char *argv_[] = { "vtap-sender", __VA_ARGS__, NULL }; \
	parse(o, err, (int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_); })

Test(sender_options, direct_mode_with_defaults)
{
	struct sender_options o;
	char err[256];

	cr_assert_eq(PARSE(&o, err, "--interface", "eth0", "--destination", "10.0.0.2"), SENDER_PARSE_OK);
	cr_assert_eq(o.mode, SENDER_DIRECT);
	cr_assert_str_eq(o.interface, "eth0");
	cr_assert_eq(o.port, 4789);
	cr_assert_eq(o.vni, 0);
	cr_assert_eq(o.truncate, 0);
	cr_assert_eq(o.batch_ms, 5);
	sender_options_finish(&o);
	cr_assert_eq(PARSE(&o, err, "-i", "eth0", "-d", "x", "--batch-ms", "0"), SENDER_PARSE_OK);
	cr_assert_eq(o.batch_ms, 0);
	sender_options_finish(&o);
}

Test(sender_options, replay_and_daemon_modes)
{
	struct sender_options o;
	char err[256];

	cr_assert_eq(PARSE(&o, err, "-r", "f.pcap", "-d", "::1", "-p", "8472", "--vni", "16777215"), SENDER_PARSE_OK);
	cr_assert_eq(o.mode, SENDER_REPLAY);
	cr_assert_eq(o.port, 8472);
	cr_assert_eq(o.vni, 16777215);
	sender_options_finish(&o);
	cr_assert_eq(PARSE(&o, err, "--socket", "/tmp/s"), SENDER_PARSE_OK);
	cr_assert_eq(o.mode, SENDER_DAEMON);
	sender_options_finish(&o);
}

Test(sender_options, bad_values_are_usage_errors)
{
	struct sender_options o;
	char err[256];

	cr_assert_eq(PARSE(&o, err, "-i", "e", "-d", "x", "--port", "0"), SENDER_PARSE_USAGE);
	cr_assert(strstr(err, "--port") != NULL, "%s", err);
	sender_options_finish(&o);
	cr_assert_eq(PARSE(&o, err, "-i", "e", "-d", "x", "--vni", "16777216"), SENDER_PARSE_USAGE);
	sender_options_finish(&o);
	cr_assert_eq(PARSE(&o, err, "-i", "e", "-d", "x", "--truncate", "13"), SENDER_PARSE_USAGE);
	sender_options_finish(&o);
	cr_assert_eq(PARSE(&o, err, "-i", "e"), SENDER_PARSE_USAGE);
	cr_assert(strstr(err, "--destination") != NULL, "%s", err);
	sender_options_finish(&o);
	cr_assert_eq(PARSE(&o, err, "-i", "e", "-r", "f", "-d", "x"), SENDER_PARSE_USAGE);
	sender_options_finish(&o);
	cr_assert_eq(PARSE(&o, err, "-i", "e", "-d", "x", "--batch-ms", "101"), SENDER_PARSE_USAGE);
	cr_assert(strstr(err, "--batch-ms must be 0..100") != NULL, "%s", err);
	sender_options_finish(&o);
	cr_assert_eq(PARSE(&o, err, "--bogus"), SENDER_PARSE_USAGE);
	sender_options_finish(&o);
}

Test(sender_options, the_command_line_overrides_the_config_file)
{
	char path[] = "/tmp/vtap-sender-conf-XXXXXX";
	struct sender_options o;
	char err[256];
	int fd = mkstemp(path);
	FILE *f;

	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "interface = eth1\ndestination = 10.0.0.9\nvni = 7\nport = 4790\n");
	fclose(f);
	cr_assert_eq(PARSE(&o, err, "--config", path, "--vni", "8"), SENDER_PARSE_OK, "%s", err);
	cr_assert_str_eq(o.interface, "eth1");
	cr_assert_eq(o.vni, 8);
	cr_assert_eq(o.port, 4790);
	sender_options_finish(&o);
	f = fopen(path, "w");
	fprintf(f, "interface = eth1\nwhat = 1\n");
	fclose(f);
	cr_assert_eq(PARSE(&o, err, "--config", path), SENDER_PARSE_CONFIG);
	cr_assert(strstr(err, ":2: unknown key 'what'") != NULL, "%s", err);
	sender_options_finish(&o);
	unlink(path);
}
