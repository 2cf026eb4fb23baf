/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: config files (shared/config.h). The input is one file's
 * text. It goes through config_argv_parse with a table that has every
 * argument kind, and through the real option parsers of both daemons
 * (sender_options_parse, collector_options_parse) as their --config file,
 * so each option's value checks see the words the file produces.
 * Checked besides the sanitizers: every word is a "--key" or "--key=value"
 * of a known key, the vector is NULL-terminated, a refusal says why.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef FUZZ_WITH_COLLECTOR
#include "collector/options.h"
#endif
#include "fuzz-common.h"
#include "sender/options.h"
#include "shared/config.h"

static const struct option table[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "vni", required_argument, NULL, 1 },
	{ "rotate-size", required_argument, NULL, 2 },
	{ "color", optional_argument, NULL, 3 },
	{ "inner", no_argument, NULL, 4 },
	{ "check", no_argument, NULL, 'n' },
	{ NULL, 0, NULL, 0 },
};

static char dir[PATH_MAX], path[PATH_MAX];

static void
check_words(const struct config_argv *cv)
{
	FUZZ_CHECK(cv->argc == 0 || cv->argv[cv->argc] == NULL,
		   "vector not NULL-terminated");
	for (int i = 0; i < cv->argc; i++) {
		const char *w = cv->argv[i], *eq;
		size_t n;
		bool known = false;

		FUZZ_CHECK(w != NULL && strncmp(w, "--", 2) == 0, "word %d", i);
		eq = strchr(w + 2, '=');
		n = eq != NULL ? (size_t)(eq - (w + 2)) : strlen(w + 2);
		for (const struct option *o = table; o->name != NULL; o++) {
			if (strlen(o->name) == n && strncmp(o->name, w + 2, n) == 0) {
				known = true;
				FUZZ_CHECK(o->has_arg != no_argument || eq == NULL,
					   "flag with a value: %s", w);
				FUZZ_CHECK(o->has_arg != required_argument ||
					   (eq != NULL && eq[1] != '\0'),
					   "required value missing: %s", w);
			}
		}
		FUZZ_CHECK(known, "unknown key became a word: %s", w);
	}
}

static void
daemons(void)
{
	char *sargv[] = { "vtap-sender", "--config", path, NULL };
	struct sender_options so;
	enum sender_parse sp;
	char err[512];

	err[0] = '\0';
	sp = sender_options_parse(3, sargv, &so, err, sizeof(err));
	if (sp == SENDER_PARSE_USAGE || sp == SENDER_PARSE_CONFIG) {
		FUZZ_CHECK(err[0] != '\0', "sender refused without a reason");
	}
	sender_options_finish(&so);
#ifdef FUZZ_WITH_COLLECTOR
	char *cargv[] = { "vtap-collector", "--config", path, NULL };
	struct collector_options co;
	enum collector_parse cp;

	err[0] = '\0';
	cp = collector_options_parse(3, cargv, &co, err, sizeof(err));
	if (cp == COLLECTOR_PARSE_USAGE || cp == COLLECTOR_PARSE_CONFIG) {
		FUZZ_CHECK(err[0] != '\0', "collector refused without a reason");
	}
	collector_options_finish(&co);
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_argv cv;
	char err[512], *text;

	if (dir[0] == '\0') {
		fuzz_tmpdir("config", dir);
		snprintf(path, sizeof(path), "%s/fuzz.conf", dir);
	}
	text = fuzz_strndup(data, size);
	memset(&cv, 0, sizeof(cv));
	err[0] = '\0';
	if (config_argv_parse(text, "fuzz.conf", table, &cv, err,
			      sizeof(err)) != 0) {
		FUZZ_CHECK(strncmp(err, "fuzz.conf:", 10) == 0,
			   "message without FILE:LINE: '%s'", err);
	}
	check_words(&cv);
	config_argv_finish(&cv);
	FUZZ_CHECK(cv.argc == 0 && cv.argv == NULL, "finish left words");
	free(text);

	/* the daemons read files: NULs and all, as a file would hold them */
	fuzz_write_file(dir, "fuzz.conf", data, size);
	daemons();
	return 0;
}
