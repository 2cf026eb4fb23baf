/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Turns a config file into long-option words (see config.h). It knows
 * option names and their argument kind, never what an option means.
 */
#include "shared/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parse_ctx {
	const struct option *longopts;
	struct config_argv *out;
	char reason[256];
	bool failed;
};

static const struct option *
find_option(const struct option *o, const char *name)
{
	for (; o->name != NULL; o++) {
		if (strcmp(o->name, name) == 0) {
			return o;
		}
	}
	return NULL;
}

static int
push(struct config_argv *out, char *word)
{
	char **v = realloc(out->argv, sizeof(*v) * ((size_t)out->argc + 2));

	if (v == NULL) {
		free(word);
		return -1;
	}
	v[out->argc++] = word;
	v[out->argc] = NULL;
	out->argv = v;
	return 0;
}

static int
bool_value(const char *v)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "1") == 0) {
		return 1;
	}
	if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
	    strcmp(v, "off") == 0 || strcmp(v, "0") == 0) {
		return 0;
	}
	return -1;
}

/*
 * Length of a value without a trailing " # comment": inih ends values only
 * at inline ';' comments, but config.h documents '#' ones as well.
 */
static size_t
value_len(const char *v)
{
	size_t n = strlen(v);

	for (size_t i = 1; v[i] != '\0'; i++) {
		if (v[i] == '#' && isspace((unsigned char)v[i - 1])) {
			n = i;
			break;
		}
	}
	while (n > 0 && isspace((unsigned char)v[n - 1])) {
		n--;
	}
	return n;
}

/* inih handler: returning 0 makes ini_parse report this line. */
static int
handler(void *user, const char *section, const char *name, const char *raw)
{
	struct parse_ctx *ctx = user;
	const struct option *o;
	char *value = NULL, *word = NULL;
	size_t n;
	int b;

	if (ctx->failed) {
		return 1; /* only the first error is reported */
	}
	if (section[0] != '\0') {
		snprintf(ctx->reason, sizeof(ctx->reason),
			 "sections are not supported ([%s])", section);
		goto fail;
	}
	if (strcmp(name, "config") == 0 ||
	    (o = find_option(ctx->longopts, name)) == NULL) {
		snprintf(ctx->reason, sizeof(ctx->reason), "unknown key '%s'",
			 name);
		goto fail;
	}
	if ((value = strndup(raw, value_len(raw))) == NULL) {
		goto nomem;
	}
	if (o->has_arg == no_argument) {
		if ((b = bool_value(value)) < 0) {
			snprintf(ctx->reason, sizeof(ctx->reason),
				 "'%s' takes true or false, not '%s'", name,
				 value);
			goto fail;
		}
		if (b == 0) {
			free(value);
			return 1;
		}
		n = strlen(name) + 3;
		if ((word = malloc(n)) == NULL) {
			goto nomem;
		}
		snprintf(word, n, "--%s", name);
	} else {
		if (value[0] == '\0' && o->has_arg == required_argument) {
			snprintf(ctx->reason, sizeof(ctx->reason),
				 "'%s' needs a value", name);
			goto fail;
		}
		n = strlen(name) + strlen(value) + 4;
		if ((word = malloc(n)) == NULL) {
			goto nomem;
		}
		snprintf(word, n, "--%s=%s", name, value);
	}
	free(value);
	value = NULL;
	if (push(ctx->out, word) == 0) { /* on failure push frees word */
		return 1;
	}
nomem:
	snprintf(ctx->reason, sizeof(ctx->reason), "out of memory");
fail:
	free(value);
	ctx->failed = true;
	return 0;
}

int
config_argv_parse(const char *text, const char *name,
		  const struct option *longopts, struct config_argv *out,
		  char *err, size_t errlen)
{
	struct parse_ctx ctx = { .longopts = longopts, .out = out };
	int line;

	line = ini_parse_string(text, handler, &ctx);
	if (line != 0) {
		if (!ctx.failed) {
			snprintf(ctx.reason, sizeof(ctx.reason),
				 "not a 'key = value' line");
		}
		snprintf(err, errlen, "%s:%d: %s", name, line, ctx.reason);
		return -1;
	}
	return 0;
}

int
config_argv_load(const char *path, const struct option *longopts,
		 struct config_argv *out, char *err, size_t errlen)
{
	FILE *f = NULL;
	char *text = NULL;
	long size;
	int rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (size > 1 << 20) {
		snprintf(err, errlen, "%s: larger than 1 MiB", path);
		goto done;
	}
	if ((text = malloc((size_t)size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto done;
	}
	if (fread(text, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, errlen, "%s: read error", path);
		goto done;
	}
	text[size] = '\0';
	if (strlen(text) != (size_t)size) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		goto done;
	}
	rc = config_argv_parse(text, path, longopts, out, err, errlen);
done:
	free(text);
	if (f != NULL) {
		fclose(f);
	}
	return rc;
}

void
config_argv_finish(struct config_argv *out)
{
	for (int i = 0; i < out->argc; i++) {
		free(out->argv[i]);
	}
	free(out->argv);
	out->argc = 0;
	out->argv = NULL;
}

const char *
config_path_from_args(int argc, char *const argv[])
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			break;
		}
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			return argv[i + 1];
		}
		if (strncmp(argv[i], "--config=", 9) == 0) {
			return argv[i] + 9;
		}
	}
	return NULL;
}

int
config_argv_words(int argc, char *argv[], const struct option *longopts,
		  struct config_argv *file, char ***words, int *nwords,
		  char *err, size_t errlen)
{
	const char *path = config_path_from_args(argc, argv);
	char **w;
	int n = 0;

	if (path != NULL &&
	    config_argv_load(path, longopts, file, err, errlen) != 0) {
		return -1;
	}
	w = calloc((size_t)argc + (size_t)file->argc + 1, sizeof(char *));
	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w[n++] = argv[0];
	for (int i = 0; i < file->argc; i++) {
		w[n++] = file->argv[i];
	}
	for (int i = 1; i < argc; i++) {
		w[n++] = argv[i];
	}
	*words = w;
	*nwords = n;
	return 0;
}
