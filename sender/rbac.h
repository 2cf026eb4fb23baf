/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Roles: which callers of the control socket may perform which actions.
 * A role is a list of actions ("taps/read") or wildcard patterns of them
 * ("*" matches any text, so "tapConfigurations/" followed by "*" grants all
 * three tapConfigurations actions), optionally minus some ("notActions");
 * the roles file assigns roles to users and groups. Built in: "network-contributor" (every action) and
 * "reader" (every read). root may always do everything; without a roles
 * file only root may. The roles file:
 *
 *   {
 *     "roles": {
 *       "tap-operator": { "actions": [ "taps/read", "tapConfigurations/write" ],
 *                         "notActions": [ "taps/delete" ] }
 *     },
 *     "assignments": [
 *       { "user": "alice", "role": "network-contributor" },
 *       { "group": "netops", "role": "reader" },
 *       { "uid": 1001, "role": "tap-operator" },
 *       { "gid": 2000, "role": "reader" }
 *     ]
 *   }
 *
 * Patterns are shell wildcards (fnmatch, case-insensitive) and each must
 * match at least one known action. Parsing and checking are pure.
 */
#ifndef VTAP_SENDER_RBAC_H
#define VTAP_SENDER_RBAC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every action a request can need, NULL-terminated. */
extern const char *const rbac_actions[];

/* Who is asking, as control.c learnt it from SO_PEERCRED. */
struct rbac_principal {
	uint32_t uid;
	const char *user;           /* borrowed; NULL when the uid has no name */
	const uint32_t *gids;       /* borrowed: primary and supplementary groups */
	const char *const *groups;  /* borrowed: their names, NULL if unnamed */
	size_t ngroups;
};

struct rbac {
	json_t *roles;        /* owned: name -> {actions, notActions}, built-ins too */
	json_t *assignments;  /* owned: array of assignment objects */
	bool configured;      /* false: no roles file, only root may act */
};

/*
 * Read the roles file at path. A missing file is not an error: r then
 * lets only root act. Returns 0, or -1 with "PATH: reason" in err (bad
 * JSON, unknown key, unknown role, a pattern that matches no action); r
 * is then root-only. Call rbac_finish in every case. Does not log.
 */
int rbac_load(struct rbac *r, const char *path, char *err, size_t errlen);

/* The same for text in memory; name is used in messages. */
int rbac_parse(struct rbac *r, const char *text, const char *name, char *err,
	       size_t errlen);

/* Does the wildcard pattern match the action? */
bool rbac_action_matches(const char *pattern, const char *action);

/* May p perform action? */
bool rbac_allows(const struct rbac *r, const struct rbac_principal *p,
		 const char *action);

/*
 * The names of the roles assigned to p, joined by ", " into buf ("none"
 * when there are none). Returns buf.
 */
const char *rbac_roles_of(const struct rbac *r, const struct rbac_principal *p,
			  char *buf, size_t len);

/* Free what r holds; r is root-only afterwards. Accepts a zeroed rbac. */
void rbac_finish(struct rbac *r);

#endif
