/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The roles file and the permission check (see rbac.h). It knows nothing
 * of sockets or of how a caller's groups are found: control.c hands it a
 * principal. Never logs.
 */
#include "sender/rbac.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const rbac_actions[] = {
	"taps/read",
	"taps/write",
	"taps/delete",
	"nics/read",
	"tapConfigurations/read",
	"tapConfigurations/write",
	"tapConfigurations/delete",
	NULL,
};

bool
rbac_action_matches(const char *pattern, const char *action)
{
	return fnmatch(pattern, action, FNM_CASEFOLD) == 0;
}

static bool
pattern_is_known(const char *pattern)
{
	for (size_t i = 0; rbac_actions[i] != NULL; i++) {
		if (rbac_action_matches(pattern, rbac_actions[i])) {
			return true;
		}
	}
	return false;
}

static json_t *
builtin_roles(void)
{
	return json_pack("{s:{s:[s], s:[]}, s:{s:[s], s:[]}}",
			 "network-contributor", "actions", "*", "notActions",
			 "reader", "actions", "*/read", "notActions");
}

/* Check one list of patterns; name and key for messages. */
static int
check_patterns(const json_t *list, const char *file, const char *role,
	       const char *key, char *err, size_t errlen)
{
	json_t *v;
	size_t i;

	if (!json_is_array(list)) {
		snprintf(err, errlen, "%s: role '%s': \"%s\" must be an array of strings",
			 file, role, key);
		return -1;
	}
	json_array_foreach(list, i, v) {
		if (!json_is_string(v) || !pattern_is_known(json_string_value(v))) {
			snprintf(err, errlen, "%s: role '%s': %s[%zu] matches no action (actions: taps/read|write|delete, nics/read, tapConfigurations/read|write|delete)",
				 file, role, key, i);
			return -1;
		}
	}
	return 0;
}

static int
parse_roles(json_t *roles, const json_t *in, const char *file, char *err,
	    size_t errlen)
{
	const char *name, *key;
	json_t *def, *v;

	if (in == NULL) {
		return 0;
	}
	if (!json_is_object(in)) {
		snprintf(err, errlen, "%s: \"roles\" must be an object of role definitions", file);
		return -1;
	}
	json_object_foreach((json_t *)in, name, def) {
		json_t *actions, *not_actions;

		if (json_object_get(roles, name) != NULL) {
			snprintf(err, errlen, "%s: role '%s' is built in and cannot be redefined",
				 file, name);
			return -1;
		}
		if (!json_is_object(def)) {
			snprintf(err, errlen, "%s: role '%s' must be an object", file, name);
			return -1;
		}
		json_object_foreach(def, key, v) {
			if (strcmp(key, "actions") != 0 && strcmp(key, "notActions") != 0 &&
			    strcmp(key, "description") != 0) {
				snprintf(err, errlen, "%s: role '%s': unknown key \"%s\"",
					 file, name, key);
				return -1;
			}
		}
		actions = json_object_get(def, "actions");
		not_actions = json_object_get(def, "notActions");
		if (actions == NULL) {
			snprintf(err, errlen, "%s: role '%s' has no \"actions\"", file, name);
			return -1;
		}
		if (check_patterns(actions, file, name, "actions", err, errlen) != 0 ||
		    (not_actions != NULL &&
		     check_patterns(not_actions, file, name, "notActions", err, errlen) != 0)) {
			return -1;
		}
		json_object_set_new(roles, name,
				    json_pack("{s:O, s:o}", "actions", actions,
					      "notActions",
					      not_actions != NULL ? json_incref(not_actions)
								  : json_array()));
	}
	return 0;
}

static int
parse_assignment(const json_t *roles, const json_t *a, size_t i,
		 const char *file, char *err, size_t errlen)
{
	int who = 0;
	const char *key, *role;
	json_t *v;

	if (!json_is_object(a)) {
		snprintf(err, errlen, "%s: assignments[%zu] must be an object", file, i);
		return -1;
	}
	json_object_foreach((json_t *)a, key, v) {
		if (strcmp(key, "user") == 0 || strcmp(key, "group") == 0) {
			if (!json_is_string(v) || json_string_length(v) == 0) {
				snprintf(err, errlen, "%s: assignments[%zu]: \"%s\" must be a name",
					 file, i, key);
				return -1;
			}
			who++;
		} else if (strcmp(key, "uid") == 0 || strcmp(key, "gid") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > UINT32_MAX) {
				snprintf(err, errlen, "%s: assignments[%zu]: \"%s\" must be a number",
					 file, i, key);
				return -1;
			}
			who++;
		} else if (strcmp(key, "role") != 0) {
			snprintf(err, errlen, "%s: assignments[%zu]: unknown key \"%s\"",
				 file, i, key);
			return -1;
		}
	}
	if (who != 1) {
		snprintf(err, errlen, "%s: assignments[%zu] needs exactly one of user, group, uid, gid",
			 file, i);
		return -1;
	}
	role = json_string_value(json_object_get(a, "role"));
	if (role == NULL || json_object_get(roles, role) == NULL) {
		snprintf(err, errlen, "%s: assignments[%zu]: unknown role '%s'", file, i,
			 role != NULL ? role : "(none)");
		return -1;
	}
	return 0;
}

int
rbac_parse(struct rbac *r, const char *text, const char *name, char *err,
	   size_t errlen)
{
	json_t *doc = NULL, *roles = NULL, *assignments, *a, *v;
	const char *key;
	json_error_t je;
	size_t i;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if ((doc = json_loads(text, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(err, errlen, "%s: line %d column %d: %s", name, je.line,
			 je.column, je.text);
		goto fail;
	}
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "%s: not a JSON object", name);
		goto fail;
	}
	json_object_foreach(doc, key, v) {
		if (strcmp(key, "roles") != 0 && strcmp(key, "assignments") != 0) {
			snprintf(err, errlen, "%s: unknown key \"%s\" (roles, assignments)",
				 name, key);
			goto fail;
		}
	}
	roles = builtin_roles();
	if (parse_roles(roles, json_object_get(doc, "roles"), name, err, errlen) != 0) {
		goto fail;
	}
	assignments = json_object_get(doc, "assignments");
	if (assignments == NULL) {
		assignments = json_array();
	} else if (!json_is_array(assignments)) {
		snprintf(err, errlen, "%s: \"assignments\" must be an array", name);
		goto fail;
	} else {
		json_incref(assignments);
	}
	json_array_foreach(assignments, i, a) {
		if (parse_assignment(roles, a, i, name, err, errlen) != 0) {
			json_decref(assignments);
			goto fail;
		}
	}
	r->roles = roles;
	r->assignments = assignments;
	r->configured = true;
	roles = NULL;
	rc = 0;
fail:
	json_decref(roles);
	json_decref(doc);
	return rc;
}

int
rbac_load(struct rbac *r, const char *path, char *err, size_t errlen)
{
	char *text = NULL, *bigger;
	size_t len = 0, cap = 0, n;
	FILE *f = NULL;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT) {
			return 0;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap * 2 + 4096 + 1;
			if (cap > (1u << 20) || (bigger = realloc(text, cap)) == NULL) {
				snprintf(err, errlen, "%s: too large", path);
				goto done;
			}
			text = bigger;
		}
		n = fread(text + len, 1, 4096, f);
		len += n;
	} while (n == 4096);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	text[len] = '\0';
	rc = rbac_parse(r, text, path, err, errlen);
done:
	if (f != NULL) {
		fclose(f);
	}
	free(text);
	return rc;
}

/* Is assignment a about p? */
static bool
assigned(const json_t *a, const struct rbac_principal *p)
{
	const char *user = json_string_value(json_object_get(a, "user"));
	const char *group = json_string_value(json_object_get(a, "group"));
	json_t *uid = json_object_get(a, "uid"), *gid = json_object_get(a, "gid");

	if (user != NULL) {
		return p->user != NULL && strcmp(user, p->user) == 0;
	}
	if (uid != NULL) {
		return (uint32_t)json_integer_value(uid) == p->uid;
	}
	for (size_t i = 0; i < p->ngroups; i++) {
		if (group != NULL && p->groups != NULL && p->groups[i] != NULL &&
		    strcmp(group, p->groups[i]) == 0) {
			return true;
		}
		if (gid != NULL && (uint32_t)json_integer_value(gid) == p->gids[i]) {
			return true;
		}
	}
	return false;
}

static bool
list_matches(const json_t *list, const char *action)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v) {
		if (rbac_action_matches(json_string_value(v), action)) {
			return true;
		}
	}
	return false;
}

bool
rbac_allows(const struct rbac *r, const struct rbac_principal *p,
	    const char *action)
{
	json_t *a, *role;
	size_t i;

	if (p->uid == 0) {
		return true;
	}
	if (!r->configured) {
		return false;
	}
	json_array_foreach(r->assignments, i, a) {
		if (!assigned(a, p)) {
			continue;
		}
		role = json_object_get(r->roles, json_string_value(json_object_get(a, "role")));
		if (list_matches(json_object_get(role, "actions"), action) &&
		    !list_matches(json_object_get(role, "notActions"), action)) {
			return true;
		}
	}
	return false;
}

const char *
rbac_roles_of(const struct rbac *r, const struct rbac_principal *p, char *buf,
	      size_t len)
{
	size_t used = 0, i;
	json_t *a;

	snprintf(buf, len, "none");
	if (!r->configured) {
		return buf;
	}
	json_array_foreach(r->assignments, i, a) {
		const char *role = json_string_value(json_object_get(a, "role"));
		int n;

		if (!assigned(a, p) || used >= len) {
			continue;
		}
		n = snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "", role);
		if (n > 0) {
			used += (size_t)n;
		}
	}
	return buf;
}

void
rbac_finish(struct rbac *r)
{
	json_decref(r->roles);
	json_decref(r->assignments);
	memset(r, 0, sizeof(*r));
}
