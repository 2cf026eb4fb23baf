/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket's operations (see service.h): the table of ops, the
 * role check before each, the store change or read it makes, and telling
 * the mirrors. It owns no state of its own and knows nothing of sockets.
 */
#include "sender/service.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sender/nic.h"
#include "shared/log.h"

/* What one write op is given and what it gives back. */
struct edit {
	const json_t *args;  /* borrowed */
	json_t *result;      /* owned until handed to the response */
};

struct op {
	const char *name;
	const char *action;
	/* a write: run under store_update; NULL for reads */
	store_edit_fn edit;
	/* a read */
	enum resource_status (*read)(struct service *svc, const json_t *args,
				     json_t **result, char *err, size_t errlen);
};

/* A string argument; NULL (and INVALID, when required) when absent. */
static enum resource_status
arg_str(const json_t *args, const char *key, bool required, const char **out,
	char *err, size_t errlen)
{
	json_t *v = json_object_get(args, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required) {
			snprintf(err, errlen, "missing argument '%s'", key);
			return RESOURCE_INVALID;
		}
		return RESOURCE_OK;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "argument '%s' must be a string", key);
		return RESOURCE_INVALID;
	}
	*out = json_string_value(v);
	return RESOURCE_OK;
}

static enum resource_status
arg_int(const json_t *args, const char *key, bool *has, int64_t *out,
	char *err, size_t errlen)
{
	json_t *v = json_object_get(args, key);

	*has = false;
	if (v == NULL || json_is_null(v)) {
		return RESOURCE_OK;
	}
	if (!json_is_integer(v)) {
		snprintf(err, errlen, "argument '%s' must be an integer", key);
		return RESOURCE_INVALID;
	}
	*has = true;
	*out = json_integer_value(v);
	return RESOURCE_OK;
}

static enum resource_status
tap_spec(const json_t *args, struct resource_tap_spec *spec, bool create,
	 char *err, size_t errlen)
{
	enum resource_status s;

	memset(spec, 0, sizeof(*spec));
	if ((s = arg_str(args, "name", true, &spec->name, err, errlen)) != RESOURCE_OK ||
	    (s = arg_str(args, "destination", create, &spec->destination, err, errlen)) != RESOURCE_OK ||
	    (s = arg_str(args, "destinationType", false, &spec->destination_type, err, errlen)) != RESOURCE_OK ||
	    (s = arg_int(args, "port", &spec->has_port, &spec->port, err, errlen)) != RESOURCE_OK ||
	    (s = arg_int(args, "vni", &spec->has_vni, &spec->vni, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	spec->tags = json_object_get(args, "tags");
	if (spec->tags != NULL && json_is_null(spec->tags)) {
		spec->tags = NULL;
	}
	return RESOURCE_OK;
}

static enum resource_status
edit_tap_create(json_t *doc, void *arg, char *err, size_t errlen)
{
	struct edit *e = arg;
	struct resource_tap_spec spec;
	enum resource_status s;

	if ((s = tap_spec(e->args, &spec, true, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	return resource_tap_create(doc, &spec, &e->result, err, errlen);
}

static enum resource_status
edit_tap_update(json_t *doc, void *arg, char *err, size_t errlen)
{
	struct edit *e = arg;
	struct resource_tap_spec spec;
	enum resource_status s;

	if ((s = tap_spec(e->args, &spec, false, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	return resource_tap_update(doc, &spec, &e->result, err, errlen);
}

static enum resource_status
edit_tap_delete(json_t *doc, void *arg, char *err, size_t errlen)
{
	struct edit *e = arg;
	enum resource_status s;
	const char *name;

	if ((s = arg_str(e->args, "name", true, &name, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	return resource_tap_delete(doc, name, err, errlen);
}

static enum resource_status
edit_config_create(json_t *doc, void *arg, char *err, size_t errlen)
{
	struct edit *e = arg;
	const char *nic, *name, *tap;
	enum resource_status s;

	if ((s = arg_str(e->args, "nic", true, &nic, err, errlen)) != RESOURCE_OK ||
	    (s = arg_str(e->args, "name", true, &name, err, errlen)) != RESOURCE_OK ||
	    (s = arg_str(e->args, "vnetTap", true, &tap, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	if (resource_nic_name_is_valid(nic) && !nic_exists(nic)) {
		snprintf(err, errlen, "NIC '%s' not found on this host (see 'vtap nic list')", nic);
		return RESOURCE_NOT_FOUND;
	}
	return resource_config_create(doc, nic, name, tap, &e->result, err, errlen);
}

static enum resource_status
edit_config_delete(json_t *doc, void *arg, char *err, size_t errlen)
{
	struct edit *e = arg;
	const char *nic, *name;
	enum resource_status s;

	if ((s = arg_str(e->args, "nic", true, &nic, err, errlen)) != RESOURCE_OK ||
	    (s = arg_str(e->args, "name", true, &name, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	return resource_config_delete(doc, nic, name, err, errlen);
}

static enum resource_status
read_tap_show(struct service *svc, const json_t *args, json_t **result,
	      char *err, size_t errlen)
{
	enum resource_status s;
	const char *name;

	if ((s = arg_str(args, "name", true, &name, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	return resource_tap_show(svc->store->doc, name, result, err, errlen);
}

static enum resource_status
read_tap_list(struct service *svc, const json_t *args, json_t **result,
	      char *err, size_t errlen)
{
	(void)args;
	(void)err;
	(void)errlen;
	*result = resource_tap_list(svc->store->doc);
	return RESOURCE_OK;
}

static enum resource_status
read_config_show(struct service *svc, const json_t *args, json_t **result,
		 char *err, size_t errlen)
{
	enum resource_status s;
	const char *nic, *name;

	if ((s = arg_str(args, "nic", true, &nic, err, errlen)) != RESOURCE_OK ||
	    (s = arg_str(args, "name", true, &name, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	return resource_config_show(svc->store->doc, nic, name, result, err, errlen);
}

static enum resource_status
read_config_list(struct service *svc, const json_t *args, json_t **result,
		 char *err, size_t errlen)
{
	enum resource_status s;
	const char *nic;

	if ((s = arg_str(args, "nic", true, &nic, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	*result = resource_config_list(svc->store->doc, nic);
	if (json_array_size(*result) == 0 && !nic_exists(nic)) {
		json_decref(*result);
		*result = NULL;
		snprintf(err, errlen, "NIC '%.100s' not found on this host (see 'vtap nic list')",
			 nic);
		return RESOURCE_NOT_FOUND;
	}
	return RESOURCE_OK;
}

static enum resource_status
read_nic_list(struct service *svc, const json_t *args, json_t **result,
	      char *err, size_t errlen)
{
	json_t *nic;
	size_t i;

	(void)args;
	if ((*result = nic_list(err, errlen)) == NULL) {
		return RESOURCE_UNAVAILABLE;
	}
	json_array_foreach(*result, i, nic) {
		const char *name = json_string_value(json_object_get(nic, "name"));

		json_object_set_new(nic, "tapConfigurations",
				    resource_config_list(svc->store->doc, name));
	}
	return RESOURCE_OK;
}

static enum resource_status
read_status(struct service *svc, const json_t *args, json_t **result,
	    char *err, size_t errlen)
{
	(void)args;
	(void)err;
	(void)errlen;
	*result = svc->daemon != NULL ? daemon_status_json(svc->daemon) : json_array();
	return RESOURCE_OK;
}

static const struct op ops[] = {
	{ "tap.create", "taps/write", edit_tap_create, NULL },
	{ "tap.update", "taps/write", edit_tap_update, NULL },
	{ "tap.show", "taps/read", NULL, read_tap_show },
	{ "tap.list", "taps/read", NULL, read_tap_list },
	{ "tap.delete", "taps/delete", edit_tap_delete, NULL },
	{ "config.create", "tapConfigurations/write", edit_config_create, NULL },
	{ "config.show", "tapConfigurations/read", NULL, read_config_show },
	{ "config.list", "tapConfigurations/read", NULL, read_config_list },
	{ "config.delete", "tapConfigurations/delete", edit_config_delete, NULL },
	{ "nic.list", "nics/read", NULL, read_nic_list },
	{ "status", "nics/read", NULL, read_status },
};

static const struct op *
find_op(const char *name)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (name != NULL && strcmp(ops[i].name, name) == 0) {
			return &ops[i];
		}
	}
	return NULL;
}

/* "user 'alice' (uid 1000)" */
static const char *
who_text(const struct rbac_principal *who, char *buf, size_t len)
{
	if (who->user != NULL) {
		snprintf(buf, len, "user '%s' (uid %u)", who->user, who->uid);
	} else {
		snprintf(buf, len, "uid %u", who->uid);
	}
	return buf;
}

static json_t *
refusal(enum resource_status s, const char *err)
{
	return json_pack("{s:b, s:s, s:s}", "ok", 0, "code", resource_status_code(s),
			 "error", err);
}

json_t *
service_handle(void *arg, const struct rbac_principal *who,
	       const json_t *request)
{
	struct service *svc = arg;
	const char *name = json_string_value(json_object_get(request, "op"));
	const json_t *args = json_object_get(request, "args");
	struct edit e = { .args = args, .result = NULL };
	const struct op *op = find_op(name);
	char err[1024], whom[320], roles[256];
	enum resource_status s;

	if (op == NULL) {
		snprintf(err, sizeof(err), "unknown operation '%.100s'",
			 name != NULL ? name : "(none)");
		return refusal(RESOURCE_INVALID, err);
	}
	if (args != NULL && !json_is_object(args)) {
		return refusal(RESOURCE_INVALID, "\"args\" must be an object");
	}
	if (!rbac_allows(svc->rbac, who, op->action)) {
		if (svc->rbac->configured) {
			snprintf(err, sizeof(err),
				 "%s does not have authorization to perform action '%s' (roles: %s)",
				 who_text(who, whom, sizeof(whom)), op->action,
				 rbac_roles_of(svc->rbac, who, roles, sizeof(roles)));
		} else {
			snprintf(err, sizeof(err),
				 "%s does not have authorization to perform action '%s' (no roles file %s: only root may act)",
				 who_text(who, whom, sizeof(whom)), op->action,
				 svc->roles_path != NULL ? svc->roles_path : "");
		}
		return refusal(RESOURCE_FORBIDDEN, err);
	}
	if (op->read != NULL) {
		if ((s = op->read(svc, args, &e.result, err, sizeof(err))) != RESOURCE_OK) {
			return refusal(s, err);
		}
		return json_pack("{s:b, s:o}", "ok", 1, "result", e.result);
	}
	s = store_update(svc->store, op->edit, &e, err, sizeof(err));
	if (s != RESOURCE_OK) {
		json_decref(e.result);
		if (s == RESOURCE_UNAVAILABLE || s == RESOURCE_CORRUPT) {
			log_warnx("%s: %s", op->name, err);
		}
		return refusal(s, err);
	}
	log_info("%s: %s %s", who_text(who, whom, sizeof(whom)), op->name,
		 json_string_value(json_object_get(args, "name")));
	if (svc->daemon != NULL) {
		daemon_apply(svc->daemon, svc->store->doc);
	}
	return json_pack("{s:b, s:o}", "ok", 1, "result",
			 e.result != NULL ? e.result : json_null());
}

void
service_reload(struct service *svc)
{
	struct rbac fresh;
	char err[1024];

	if (store_reload(svc->store, err, sizeof(err)) != 0) {
		log_warnx("reload: keeping the store in memory: %s", err);
	} else {
		log_info("reload: store %s read", svc->store->path);
	}
	if (rbac_load(&fresh, svc->roles_path, err, sizeof(err)) != 0) {
		log_warnx("reload: keeping the roles in force: %s", err);
		rbac_finish(&fresh);
	} else {
		rbac_finish(svc->rbac);
		*svc->rbac = fresh;
		log_info("reload: roles %s", fresh.configured ? "read" : "file missing: only root may act");
	}
	if (svc->daemon != NULL) {
		daemon_apply(svc->daemon, svc->store->doc);
	}
}
