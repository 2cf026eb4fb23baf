/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vtap CLI's option parser, with az's conventions: options in any
 * order, "--opt VALUE" or "--opt=VALUE", short forms ("-n NAME"), long
 * aliases ("--nic" for "--nic-name"), and list options that take every
 * following word up to the next option ("--tags a=b c=d"). Errors read
 * like argparse's, as az users know them. Pure: no output, no exit.
 */
#ifndef VTAP_SENDER_ARGS_H
#define VTAP_SENDER_ARGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum args_kind {
	ARGS_FLAG,     /* no value: true */
	ARGS_STRING,   /* one value */
	ARGS_INTEGER,  /* one decimal integer, any sign (ranges are the sender's) */
	ARGS_LIST,     /* zero or more values, as an array of strings */
};

struct args_option {
	const char *name;        /* long name, without "--"; NULL ends a table */
	char short_name;         /* or 0 */
	const char *alias;       /* another long name, or NULL */
	enum args_kind kind;
	bool required;
	const char *key;         /* the key of the value in the result */
};

enum args_result {
	ARGS_OK = 0,
	ARGS_HELP,       /* -h or --help was given */
	ARGS_ERROR,      /* usage error, one line in err */
};

/*
 * Parse argv[0..argc) against the options of every table in tables (a
 * NULL-terminated array of tables). On ARGS_OK, *out is an object of
 * key -> string, integer, true or array of strings (new reference).
 * Positional words are errors ("unrecognized arguments: ...").
 */
enum args_result args_parse(int argc, char *const argv[],
			    const struct args_option *const *tables,
			    json_t **out, char *err, size_t errlen);

#endif
