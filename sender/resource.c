/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TAPs and NIC tap configurations in one JSON document (see resource.h):
 * building them, checking them and keeping their cross references. It
 * neither reads nor writes files and never logs.
 */
#include "sender/resource.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#define VNI_MAX 16777215

static const char name_rule[] =
	"use 1-80 letters, digits, '_', '.' or '-', starting with a letter "
	"or digit and ending with a letter, digit or '_'";

const char *
resource_status_code(enum resource_status s)
{
	switch (s) {
	case RESOURCE_OK:
		return "ok";
	case RESOURCE_INVALID:
		return "invalid";
	case RESOURCE_NOT_FOUND:
		return "not-found";
	case RESOURCE_CONFLICT:
		return "conflict";
	case RESOURCE_CORRUPT:
		return "corrupt";
	case RESOURCE_UNAVAILABLE:
		return "unavailable";
	case RESOURCE_FORBIDDEN:
		return "forbidden";
	}
	return "unknown";
}

bool
resource_name_is_valid(const char *name)
{
	size_t len;
	char last;

	if (name == NULL || (len = strlen(name)) == 0 || len > RESOURCE_NAME_MAX) {
		return false;
	}
	if (!isalnum((unsigned char)name[0])) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 0x80 || !(isalnum(c) || c == '_' || c == '.' || c == '-')) {
			return false;
		}
	}
	last = name[len - 1];
	return isalnum((unsigned char)last) || last == '_';
}

bool
resource_nic_name_is_valid(const char *nic)
{
	size_t len;

	if (nic == NULL || (len = strlen(nic)) == 0 || len >= IFNAMSIZ) {
		return false;
	}
	if (strcmp(nic, ".") == 0 || strcmp(nic, "..") == 0) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)nic[i];

		if (c <= ' ' || c >= 0x7f || c == '/' || c == ':') {
			return false;
		}
	}
	return true;
}

static bool
is_address(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

bool
resource_destination_is_valid(const char *s)
{
	size_t len, start = 0;
	bool digits = false;

	if (s == NULL || (len = strlen(s)) == 0) {
		return false;
	}
	if (is_address(s)) {
		return true;
	}
	if (s[len - 1] == '.') {
		len--; /* a fully qualified name */
	}
	if (len == 0 || len > 253 || s[len - 1] == '.') {
		return false;
	}
	/* RFC 1123 labels; the last is not all digits (that is a bad IPv4) */
	while (start < len) {
		size_t end = start;

		digits = true;
		while (end < len && s[end] != '.') {
			unsigned char c = (unsigned char)s[end];

			if (c >= 0x80 || !(isalnum(c) || c == '-')) {
				return false;
			}
			if (!isdigit(c)) {
				digits = false;
			}
			end++;
		}
		if (end == start || end - start > 63 || s[start] == '-' ||
		    s[end - 1] == '-') {
			return false;
		}
		start = end + 1;
	}
	return !digits;
}

/* A random (version 4) UUID in its text form. */
static void
uuid_text(char out[37])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n <= 0) {
			/* only on a kernel without getrandom: still unique enough */
			memset(b + got, 0x5a, sizeof(b) - got);
			break;
		}
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

static json_t *
new_etag(void)
{
	char u[37], tag[48];

	uuid_text(u);
	snprintf(tag, sizeof(tag), "W/\"%s\"", u);
	return json_string(tag);
}

static json_t *
taps_of(const json_t *doc)
{
	return json_object_get(doc, "taps");
}

static json_t *
nics_of(const json_t *doc)
{
	return json_object_get(doc, "nics");
}

static const char *
str_at(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static json_t *
props(const json_t *res)
{
	return json_object_get(res, "properties");
}

/* The TAP named name, and its index in "taps"; borrowed. */
static json_t *
find_tap(const json_t *doc, const char *name, size_t *index)
{
	json_t *tap;
	size_t i;

	json_array_foreach(taps_of(doc), i, tap) {
		const char *n = str_at(tap, "name");

		if (n != NULL && strcmp(n, name) == 0) {
			if (index != NULL) {
				*index = i;
			}
			return tap;
		}
	}
	return NULL;
}

/* The NIC's array of configurations (borrowed), or NULL. */
static json_t *
configs_of(const json_t *doc, const char *nic)
{
	return json_object_get(json_object_get(nics_of(doc), nic),
			       "tapConfigurations");
}

/* "NAME" or "/taps/NAME" to NAME; NULL for any other id shape. */
static const char *
tap_name_of_ref(const char *ref)
{
	static const char prefix[] = "/taps/";

	if (strncmp(ref, prefix, sizeof(prefix) - 1) == 0) {
		return ref + sizeof(prefix) - 1;
	}
	if (ref[0] == '/') {
		return NULL;
	}
	return ref;
}

json_t *
resource_document_new(void)
{
	return json_pack("{s:i, s:[], s:{}}", "version", RESOURCE_VERSION,
			 "taps", "nics");
}

static enum resource_status
check_port(int64_t port, char *err, size_t errlen)
{
	if (port < 1 || port > 65535) {
		snprintf(err, errlen, "invalid destination port %lld: must be 1..65535",
			 (long long)port);
		return RESOURCE_INVALID;
	}
	return RESOURCE_OK;
}

static enum resource_status
check_vni(int64_t vni, char *err, size_t errlen)
{
	if (vni < 0 || vni > VNI_MAX) {
		snprintf(err, errlen, "invalid VNI %lld: must be 0..16777215",
			 (long long)vni);
		return RESOURCE_INVALID;
	}
	return RESOURCE_OK;
}

static enum resource_status
check_name(const char *what, const char *name, char *err, size_t errlen)
{
	if (!resource_name_is_valid(name)) {
		snprintf(err, errlen, "invalid %s name '%.100s': %s", what,
			 name != NULL ? name : "", name_rule);
		return RESOURCE_INVALID;
	}
	return RESOURCE_OK;
}

static enum resource_status
check_nic(const char *nic, char *err, size_t errlen)
{
	if (!resource_nic_name_is_valid(nic)) {
		snprintf(err, errlen, "invalid NIC name '%.100s'", nic != NULL ? nic : "");
		return RESOURCE_INVALID;
	}
	return RESOURCE_OK;
}

static enum resource_status
check_destination(const char *d, char *err, size_t errlen)
{
	if (!resource_destination_is_valid(d)) {
		snprintf(err, errlen,
			 "invalid destination '%.100s': give an IP address or a DNS name",
			 d != NULL ? d : "");
		return RESOURCE_INVALID;
	}
	return RESOURCE_OK;
}

static enum resource_status
check_type(const char *t, char *err, size_t errlen)
{
	if (t == NULL || (strcmp(t, "nic") != 0 && strcmp(t, "lb") != 0)) {
		snprintf(err, errlen, "invalid destination type '%.100s': must be nic or lb",
			 t != NULL ? t : "");
		return RESOURCE_INVALID;
	}
	return RESOURCE_OK;
}

static enum resource_status
check_tags(const json_t *tags, char *err, size_t errlen)
{
	const char *k;
	json_t *v;

	if (!json_is_object(tags)) {
		snprintf(err, errlen, "invalid tags: must be an object of strings");
		return RESOURCE_INVALID;
	}
	json_object_foreach((json_t *)tags, k, v) {
		if (!json_is_string(v) || k[0] == '\0' || strlen(k) > 512) {
			snprintf(err, errlen, "invalid tag '%.100s': keys are 1-512 characters, values strings", k);
			return RESOURCE_INVALID;
		}
	}
	return RESOURCE_OK;
}

/* Write destination, its type and its Azure-shaped object into p. */
static void
set_destination(json_t *p, const char *destination, const char *type)
{
	bool lb = strcmp(type, "lb") == 0;
	json_t *dest, *kind, *conf;

	/* both may point into p (an update keeping them): copy before replacing */
	dest = json_string(destination);
	kind = json_string(type);
	conf = json_pack("{s:s}", is_address(destination) ? "privateIPAddress" : "fqdn",
			 destination);
	json_object_set_new(p, "destination", dest);
	json_object_set_new(p, "destinationType", kind);
	json_object_del(p, lb ? "destinationNetworkInterfaceIPConfiguration"
			      : "destinationLoadBalancerFrontEndIPConfiguration");
	json_object_set_new(p, lb ? "destinationLoadBalancerFrontEndIPConfiguration"
				  : "destinationNetworkInterfaceIPConfiguration",
			    conf);
}

enum resource_status
resource_tap_create(json_t *doc, const struct resource_tap_spec *spec,
		    json_t **out, char *err, size_t errlen)
{
	const char *type = spec->destination_type != NULL ? spec->destination_type : "nic";
	int64_t port = spec->has_port ? spec->port : RESOURCE_DEFAULT_PORT;
	int64_t vni = spec->has_vni ? spec->vni : 0;
	enum resource_status s;
	char guid[37], id[128];
	json_t *tap, *p;

	if ((s = check_name("tap", spec->name, err, errlen)) != RESOURCE_OK ||
	    (s = check_destination(spec->destination, err, errlen)) != RESOURCE_OK ||
	    (s = check_type(type, err, errlen)) != RESOURCE_OK ||
	    (s = check_port(port, err, errlen)) != RESOURCE_OK ||
	    (s = check_vni(vni, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	if (spec->tags != NULL && (s = check_tags(spec->tags, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	if (find_tap(doc, spec->name, NULL) != NULL) {
		snprintf(err, errlen, "tap '%s' already exists (change it with 'vtap tap update')",
			 spec->name);
		return RESOURCE_CONFLICT;
	}
	uuid_text(guid);
	snprintf(id, sizeof(id), "/taps/%s", spec->name);
	p = json_object();
	set_destination(p, spec->destination, type);
	json_object_set_new(p, "destinationPort", json_integer(port));
	json_object_set_new(p, "vni", json_integer(vni));
	json_object_set_new(p, "networkInterfaceTapConfigurations", json_array());
	json_object_set_new(p, "provisioningState", json_string("Succeeded"));
	json_object_set_new(p, "resourceGuid", json_string(guid));
	tap = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}",
			"id", id,
			"name", spec->name,
			"type", RESOURCE_TAP_TYPE,
			"etag", new_etag(),
			"tags", spec->tags != NULL ? json_deep_copy(spec->tags) : json_object(),
			"properties", p);
	json_array_append_new(taps_of(doc), tap);
	*out = json_deep_copy(tap);
	return RESOURCE_OK;
}

enum resource_status
resource_tap_update(json_t *doc, const struct resource_tap_spec *spec,
		    json_t **out, char *err, size_t errlen)
{
	enum resource_status s;
	const char *dest, *type;
	json_t *tap, *p;

	if ((s = check_name("tap", spec->name, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	if ((tap = find_tap(doc, spec->name, NULL)) == NULL) {
		snprintf(err, errlen, "tap '%s' not found", spec->name);
		return RESOURCE_NOT_FOUND;
	}
	p = props(tap);
	dest = spec->destination != NULL ? spec->destination : str_at(p, "destination");
	type = spec->destination_type != NULL ? spec->destination_type
					      : str_at(p, "destinationType");
	if ((s = check_destination(dest, err, errlen)) != RESOURCE_OK ||
	    (s = check_type(type, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	if (spec->has_port && (s = check_port(spec->port, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	if (spec->has_vni && (s = check_vni(spec->vni, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	if (spec->tags != NULL && (s = check_tags(spec->tags, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	/* everything is checked: from here on nothing fails half-way */
	set_destination(p, dest, type);
	if (spec->has_port) {
		json_object_set_new(p, "destinationPort", json_integer(spec->port));
	}
	if (spec->has_vni) {
		json_object_set_new(p, "vni", json_integer(spec->vni));
	}
	if (spec->tags != NULL) {
		json_object_set_new(tap, "tags", json_deep_copy(spec->tags));
	}
	json_object_set_new(tap, "etag", new_etag());
	*out = json_deep_copy(tap);
	return RESOURCE_OK;
}

enum resource_status
resource_tap_delete(json_t *doc, const char *name, char *err, size_t errlen)
{
	enum resource_status s;
	json_t *tap, *refs, *ref;
	size_t index, i;
	int n;

	if ((s = check_name("tap", name, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	if ((tap = find_tap(doc, name, &index)) == NULL) {
		snprintf(err, errlen, "tap '%s' not found", name);
		return RESOURCE_NOT_FOUND;
	}
	refs = json_object_get(props(tap), "networkInterfaceTapConfigurations");
	if (json_array_size(refs) > 0) {
		n = snprintf(err, errlen, "tap '%s' is still referenced by tap configuration%s",
			     name, json_array_size(refs) > 1 ? "s" : "");
		json_array_foreach(refs, i, ref) {
			if (n >= 0 && (size_t)n < errlen) {
				n += snprintf(err + n, errlen - (size_t)n, "%s %s",
					      i > 0 ? "," : "", str_at(ref, "id"));
			}
		}
		if (n >= 0 && (size_t)n < errlen) {
			snprintf(err + n, errlen - (size_t)n, "; delete %s first",
				 json_array_size(refs) > 1 ? "them" : "it");
		}
		return RESOURCE_CONFLICT;
	}
	json_array_remove(taps_of(doc), index);
	return RESOURCE_OK;
}

enum resource_status
resource_tap_show(const json_t *doc, const char *name, json_t **out, char *err,
		  size_t errlen)
{
	enum resource_status s;
	json_t *tap;

	if ((s = check_name("tap", name, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	if ((tap = find_tap(doc, name, NULL)) == NULL) {
		snprintf(err, errlen, "tap '%s' not found", name);
		return RESOURCE_NOT_FOUND;
	}
	*out = json_deep_copy(tap);
	return RESOURCE_OK;
}

json_t *
resource_tap_list(const json_t *doc)
{
	return json_deep_copy(taps_of(doc));
}

enum resource_status
resource_config_create(json_t *doc, const char *nic, const char *name,
		       const char *tap_ref, json_t **out, char *err,
		       size_t errlen)
{
	enum resource_status s;
	const char *tap_name;
	json_t *tap, *configs, *cfg, *nicobj;
	char id[160], tap_id[128];

	if ((s = check_nic(nic, err, errlen)) != RESOURCE_OK ||
	    (s = check_name("tap configuration", name, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	if (tap_ref == NULL || (tap_name = tap_name_of_ref(tap_ref)) == NULL ||
	    !resource_name_is_valid(tap_name)) {
		snprintf(err, errlen, "invalid --vnet-tap '%.100s': give a tap name or an id /taps/NAME",
			 tap_ref != NULL ? tap_ref : "");
		return RESOURCE_INVALID;
	}
	if ((tap = find_tap(doc, tap_name, NULL)) == NULL) {
		snprintf(err, errlen, "tap '%s' not found", tap_name);
		return RESOURCE_NOT_FOUND;
	}
	configs = configs_of(doc, nic);
	if (json_array_size(configs) > 0) {
		const char *have = str_at(json_array_get(configs, 0), "name");

		if (strcmp(have, name) == 0) {
			snprintf(err, errlen, "tap configuration '%s' already exists on NIC '%s'",
				 name, nic);
		} else {
			snprintf(err, errlen,
				 "NIC '%s' already has tap configuration '%s' (a NIC has at most one)",
				 nic, have);
		}
		return RESOURCE_CONFLICT;
	}
	snprintf(id, sizeof(id), "/nics/%s/tapConfigurations/%s", nic, name);
	snprintf(tap_id, sizeof(tap_id), "/taps/%s", tap_name);
	cfg = json_pack("{s:s, s:s, s:s, s:o, s:{s:{s:s}, s:s}}",
			"id", id,
			"name", name,
			"type", RESOURCE_CONFIG_TYPE,
			"etag", new_etag(),
			"properties",
			"virtualNetworkTap", "id", tap_id,
			"provisioningState", "Succeeded");
	if ((nicobj = json_object_get(nics_of(doc), nic)) == NULL) {
		nicobj = json_pack("{s:[]}", "tapConfigurations");
		json_object_set_new(nics_of(doc), nic, nicobj);
	}
	if ((configs = json_object_get(nicobj, "tapConfigurations")) == NULL) {
		configs = json_array();
		json_object_set_new(nicobj, "tapConfigurations", configs);
	}
	json_array_append_new(configs, cfg);
	json_array_append_new(json_object_get(props(tap), "networkInterfaceTapConfigurations"),
			      json_pack("{s:s}", "id", id));
	json_object_set_new(tap, "etag", new_etag());
	*out = json_deep_copy(cfg);
	return RESOURCE_OK;
}

/* The configuration named name on nic, and its index; borrowed. */
static json_t *
find_config(const json_t *doc, const char *nic, const char *name, size_t *index)
{
	json_t *cfg;
	size_t i;

	json_array_foreach(configs_of(doc, nic), i, cfg) {
		const char *n = str_at(cfg, "name");

		if (n != NULL && strcmp(n, name) == 0) {
			*index = i;
			return cfg;
		}
	}
	return NULL;
}

static enum resource_status
config_lookup(const json_t *doc, const char *nic, const char *name,
	      json_t **cfg, size_t *index, char *err, size_t errlen)
{
	enum resource_status s;

	if ((s = check_nic(nic, err, errlen)) != RESOURCE_OK ||
	    (s = check_name("tap configuration", name, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	if ((*cfg = find_config(doc, nic, name, index)) == NULL) {
		snprintf(err, errlen, "NIC '%s' has no tap configuration '%s'", nic, name);
		return RESOURCE_NOT_FOUND;
	}
	return RESOURCE_OK;
}

enum resource_status
resource_config_delete(json_t *doc, const char *nic, const char *name,
		       char *err, size_t errlen)
{
	enum resource_status s;
	const char *tap_id, *id;
	json_t *cfg, *tap, *refs, *ref;
	size_t index, i;

	if ((s = config_lookup(doc, nic, name, &cfg, &index, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	id = str_at(cfg, "id");
	tap_id = str_at(json_object_get(props(cfg), "virtualNetworkTap"), "id");
	if (tap_id != NULL && (tap = find_tap(doc, tap_name_of_ref(tap_id), NULL)) != NULL) {
		refs = json_object_get(props(tap), "networkInterfaceTapConfigurations");
		json_array_foreach(refs, i, ref) {
			if (strcmp(str_at(ref, "id"), id) == 0) {
				json_array_remove(refs, i);
				break;
			}
		}
		json_object_set_new(tap, "etag", new_etag());
	}
	json_array_remove(configs_of(doc, nic), index);
	if (json_array_size(configs_of(doc, nic)) == 0) {
		json_object_del(nics_of(doc), nic);
	}
	return RESOURCE_OK;
}

enum resource_status
resource_config_show(const json_t *doc, const char *nic, const char *name,
		     json_t **out, char *err, size_t errlen)
{
	enum resource_status s;
	json_t *cfg;
	size_t index;

	if ((s = config_lookup(doc, nic, name, &cfg, &index, err, errlen)) != RESOURCE_OK) {
		return s;
	}
	*out = json_deep_copy(cfg);
	return RESOURCE_OK;
}

json_t *
resource_config_list(const json_t *doc, const char *nic)
{
	json_t *configs = configs_of(doc, nic);

	return configs != NULL ? json_deep_copy(configs) : json_array();
}

size_t
resource_targets(const json_t *doc, struct resource_target *out, size_t max)
{
	const char *nic;
	json_t *nicobj, *cfg, *tap, *p;
	size_t n = 0, i;

	json_object_foreach(nics_of(doc), nic, nicobj) {
		json_array_foreach(json_object_get(nicobj, "tapConfigurations"), i, cfg) {
			const char *tap_id = str_at(json_object_get(props(cfg), "virtualNetworkTap"), "id");
			const char *tap_name = tap_id != NULL ? tap_name_of_ref(tap_id) : NULL;

			if (tap_name == NULL || (tap = find_tap(doc, tap_name, NULL)) == NULL) {
				continue;
			}
			if (n < max) {
				p = props(tap);
				out[n].nic = nic;
				out[n].config = str_at(cfg, "name");
				out[n].tap = tap_name;
				out[n].destination = str_at(p, "destination");
				out[n].port = (uint16_t)json_integer_value(json_object_get(p, "destinationPort"));
				out[n].vni = (uint32_t)json_integer_value(json_object_get(p, "vni"));
			}
			n++;
		}
	}
	return n;
}

/* --- checking a whole document ------------------------------------------ */

static bool
int_in(const json_t *v, int64_t min, int64_t max)
{
	return json_is_integer(v) && json_integer_value(v) >= min &&
	       json_integer_value(v) <= max;
}

static bool
id_is(const json_t *res, const char *want)
{
	const char *id = str_at(res, "id");

	return id != NULL && strcmp(id, want) == 0;
}

static enum resource_status
corrupt(char *err, size_t errlen, const char *what, const char *name,
	const char *why)
{
	snprintf(err, errlen, "%s '%.100s': %s", what, name, why);
	return RESOURCE_CORRUPT;
}

static enum resource_status
check_tap_resource(const json_t *doc, const json_t *tap, size_t index,
		   char *err, size_t errlen)
{
	const char *name = str_at(tap, "name"), *dest, *type;
	char id[128];
	json_t *p, *refs, *ref;
	size_t i, j;

	if (!json_is_object(tap) || name == NULL || !resource_name_is_valid(name)) {
		snprintf(err, errlen, "taps[%zu]: not a tap with a valid name", index);
		return RESOURCE_CORRUPT;
	}
	snprintf(id, sizeof(id), "/taps/%s", name);
	if (!id_is(tap, id)) {
		return corrupt(err, errlen, "tap", name, "id is not /taps/NAME");
	}
	if (find_tap(doc, name, &j) != NULL && j != index) {
		return corrupt(err, errlen, "tap", name, "defined twice");
	}
	if (!json_is_object(p = props(tap))) {
		return corrupt(err, errlen, "tap", name, "no properties object");
	}
	dest = str_at(p, "destination");
	type = str_at(p, "destinationType");
	if (!resource_destination_is_valid(dest)) {
		return corrupt(err, errlen, "tap", name, "destination is not an address or DNS name");
	}
	if (type == NULL || (strcmp(type, "nic") != 0 && strcmp(type, "lb") != 0)) {
		return corrupt(err, errlen, "tap", name, "destinationType is not nic or lb");
	}
	if (!int_in(json_object_get(p, "destinationPort"), 1, 65535)) {
		return corrupt(err, errlen, "tap", name, "destinationPort is not 1..65535");
	}
	if (!int_in(json_object_get(p, "vni"), 0, VNI_MAX)) {
		return corrupt(err, errlen, "tap", name, "vni is not 0..16777215");
	}
	if (json_object_get(tap, "tags") != NULL &&
	    check_tags(json_object_get(tap, "tags"), err, errlen) != RESOURCE_OK) {
		return corrupt(err, errlen, "tap", name, "tags is not an object of strings");
	}
	refs = json_object_get(p, "networkInterfaceTapConfigurations");
	if (!json_is_array(refs)) {
		return corrupt(err, errlen, "tap", name,
			       "networkInterfaceTapConfigurations is not an array");
	}
	json_array_foreach(refs, i, ref) {
		const char *rid = str_at(ref, "id");
		bool found = false;
		const char *nic;
		json_t *nicobj, *cfg;

		json_object_foreach(nics_of(doc), nic, nicobj) {
			json_array_foreach(json_object_get(nicobj, "tapConfigurations"), j, cfg) {
				/* and names this TAP back: deleting it must
				 * leave no reference behind (config_delete) */
				if (rid != NULL && id_is(cfg, rid) &&
				    id_is(json_object_get(props(cfg), "virtualNetworkTap"), id)) {
					found = true;
				}
			}
		}
		if (!found) {
			return corrupt(err, errlen, "tap", name,
				       "lists a tap configuration that does not exist or names another tap");
		}
		for (j = 0; j < i; j++) {
			if (id_is(json_array_get(refs, j), rid)) {
				return corrupt(err, errlen, "tap", name,
					       "lists a tap configuration twice");
			}
		}
	}
	return RESOURCE_OK;
}

static enum resource_status
check_config_resource(const json_t *doc, const char *nic, const json_t *cfg,
		      char *err, size_t errlen)
{
	const char *name = str_at(cfg, "name"), *tap_id, *tap_name;
	char id[160];
	json_t *tap, *ref;
	bool listed = false;
	size_t i;

	if (!json_is_object(cfg) || name == NULL || !resource_name_is_valid(name)) {
		return corrupt(err, errlen, "NIC", nic,
			       "a tap configuration without a valid name");
	}
	snprintf(id, sizeof(id), "/nics/%s/tapConfigurations/%s", nic, name);
	if (!id_is(cfg, id)) {
		return corrupt(err, errlen, "tap configuration", name,
			       "id is not /nics/NIC/tapConfigurations/NAME");
	}
	tap_id = str_at(json_object_get(props(cfg), "virtualNetworkTap"), "id");
	if (tap_id == NULL || (tap_name = tap_name_of_ref(tap_id)) == NULL ||
	    tap_id[0] != '/' || (tap = find_tap(doc, tap_name, NULL)) == NULL) {
		return corrupt(err, errlen, "tap configuration", id,
			       "virtualNetworkTap.id names no tap");
	}
	json_array_foreach(json_object_get(props(tap), "networkInterfaceTapConfigurations"), i, ref) {
		if (id_is(ref, id)) {
			listed = true;
		}
	}
	if (!listed) {
		return corrupt(err, errlen, "tap configuration", id,
			       "its tap does not list it in networkInterfaceTapConfigurations");
	}
	return RESOURCE_OK;
}

enum resource_status
resource_document_check(const json_t *doc, char *err, size_t errlen)
{
	enum resource_status s;
	const char *nic;
	json_t *tap, *nicobj, *configs, *cfg;
	size_t i;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "not a JSON object");
		return RESOURCE_CORRUPT;
	}
	if (!int_in(json_object_get(doc, "version"), RESOURCE_VERSION, RESOURCE_VERSION)) {
		snprintf(err, errlen, "\"version\" is not %d", RESOURCE_VERSION);
		return RESOURCE_CORRUPT;
	}
	if (!json_is_array(taps_of(doc)) || !json_is_object(nics_of(doc))) {
		snprintf(err, errlen, "\"taps\" must be an array and \"nics\" an object");
		return RESOURCE_CORRUPT;
	}
	json_array_foreach(taps_of(doc), i, tap) {
		if ((s = check_tap_resource(doc, tap, i, err, errlen)) != RESOURCE_OK) {
			return s;
		}
	}
	json_object_foreach(nics_of(doc), nic, nicobj) {
		if (!resource_nic_name_is_valid(nic)) {
			return corrupt(err, errlen, "NIC", nic, "not a valid interface name");
		}
		configs = json_object_get(nicobj, "tapConfigurations");
		if (!json_is_array(configs)) {
			return corrupt(err, errlen, "NIC", nic, "tapConfigurations is not an array");
		}
		if (json_array_size(configs) > 1) {
			return corrupt(err, errlen, "NIC", nic, "more than one tap configuration");
		}
		json_array_foreach(configs, i, cfg) {
			if ((s = check_config_resource(doc, nic, cfg, err, errlen)) != RESOURCE_OK) {
				return s;
			}
		}
	}
	return RESOURCE_OK;
}
