/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resource model: virtual network TAPs and NIC tap configurations
 * kept in one JSON document, their validation and their referential rules
 * (a NIC has at most one configuration, a referenced TAP cannot be
 * deleted). Pure: no file, no socket, no logging; store.c persists the
 * document and service.c decides who may change it.
 *
 * The document, as written to the store file:
 *
 *   {
 *     "version": 1,
 *     "taps": [ TAP, ... ],
 *     "nics": { "IFACE": { "tapConfigurations": [ CONFIG ] }, ... }
 *   }
 *
 * A TAP and a CONFIG are shaped like Azure's REST resources (properties
 * nested under "properties"; the CLI flattens them for output):
 *
 *   { "id": "/taps/NAME", "name": "NAME", "type": "vtap/virtualNetworkTaps",
 *     "etag": "W/\"uuid\"", "tags": {},
 *     "properties": { "destination": "10.0.0.5", "destinationType": "nic",
 *       "destinationNetworkInterfaceIPConfiguration": { "privateIPAddress": ... },
 *       "destinationPort": 4789, "vni": 0,
 *       "networkInterfaceTapConfigurations": [ { "id": CONFIG-ID } ],
 *       "provisioningState": "Succeeded", "resourceGuid": "uuid" } }
 *
 *   { "id": "/nics/IFACE/tapConfigurations/NAME", "name": "NAME",
 *     "type": "vtap/networkInterfaces/tapConfigurations", "etag": ...,
 *     "properties": { "virtualNetworkTap": { "id": "/taps/TAP" },
 *       "provisioningState": "Succeeded" } }
 *
 * With --destination-type lb the destination object is stored under
 * "destinationLoadBalancerFrontEndIPConfiguration" instead. An address
 * literal goes in "privateIPAddress", a DNS name in "fqdn".
 */
#ifndef VTAP_SENDER_RESOURCE_H
#define VTAP_SENDER_RESOURCE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RESOURCE_VERSION 1
#define RESOURCE_NAME_MAX 80
#define RESOURCE_TAP_TYPE "vtap/virtualNetworkTaps"
#define RESOURCE_CONFIG_TYPE "vtap/networkInterfaces/tapConfigurations"
#define RESOURCE_DEFAULT_PORT 4789

enum resource_status {
	RESOURCE_OK = 0,
	RESOURCE_INVALID,      /* a bad value: name, port, VNI, destination */
	RESOURCE_NOT_FOUND,    /* no such TAP, configuration or NIC */
	RESOURCE_CONFLICT,     /* exists already, one per NIC, still referenced */
	RESOURCE_CORRUPT,      /* the document itself breaks a rule */
	RESOURCE_UNAVAILABLE,  /* the store could not be read or written */
	RESOURCE_FORBIDDEN,    /* the caller lacks a role (service.c) */
};

/*
 * What tap create and tap update are given. On update, NULL pointers and
 * numbers not given (has_port, has_vni false) mean "unchanged"; on create
 * they mean the defaults (type "nic", port 4789, VNI 0, no tags). Numbers
 * are as typed, so the range checks here see out-of-range values.
 */
struct resource_tap_spec {
	const char *name;              /* borrowed */
	const char *destination;       /* borrowed: address or DNS name */
	const char *destination_type;  /* borrowed: "nic" or "lb" */
	bool has_port;
	int64_t port;
	bool has_vni;
	int64_t vni;
	const json_t *tags;            /* borrowed: object of strings */
};

/* The one target the daemon mirrors a NIC to; strings point into the document. */
struct resource_target {
	const char *nic;
	const char *config;
	const char *tap;
	const char *destination;
	uint16_t port;
	uint32_t vni;
};

/* A short stable word for a status ("invalid", "not-found", ...). */
const char *resource_status_code(enum resource_status s);

/*
 * Azure's name rule: 1-80 characters among letters, digits, '_', '.' and
 * '-', starting with a letter or digit, ending with a letter, digit or '_'.
 */
bool resource_name_is_valid(const char *name);

/* A Linux interface name: 1-15 bytes, no '/', blank or ':', not "." or "..". */
bool resource_nic_name_is_valid(const char *nic);

/* A destination: an IPv4/IPv6 literal or a DNS host name (RFC 1123). */
bool resource_destination_is_valid(const char *destination);

/* An empty document (new reference). */
json_t *resource_document_new(void);

/*
 * Check a document read from disk against every rule above. Returns
 * RESOURCE_OK or RESOURCE_CORRUPT with the first broken rule in err.
 */
enum resource_status resource_document_check(const json_t *doc, char *err,
					     size_t errlen);

/*
 * Add a TAP. *out receives a copy of the new resource (new reference).
 * INVALID for a bad value, CONFLICT when the name is taken.
 */
enum resource_status resource_tap_create(json_t *doc,
					 const struct resource_tap_spec *spec,
					 json_t **out, char *err,
					 size_t errlen);

/* Change a TAP's destination, type, port, VNI or tags; *out as above. */
enum resource_status resource_tap_update(json_t *doc,
					 const struct resource_tap_spec *spec,
					 json_t **out, char *err,
					 size_t errlen);

/* Remove a TAP; CONFLICT (naming them) while configurations reference it. */
enum resource_status resource_tap_delete(json_t *doc, const char *name,
					 char *err, size_t errlen);

/* A copy of one TAP (new reference) in *out, or NOT_FOUND. */
enum resource_status resource_tap_show(const json_t *doc, const char *name,
				       json_t **out, char *err, size_t errlen);

/* A copy of every TAP, as an array (new reference). */
json_t *resource_tap_list(const json_t *doc);

/*
 * Add NIC nic's tap configuration name referring to tap_ref (a TAP name
 * or id "/taps/NAME"). Whether the NIC exists on this host is the
 * caller's question. CONFLICT when the NIC already has a configuration.
 */
enum resource_status resource_config_create(json_t *doc, const char *nic,
					    const char *name,
					    const char *tap_ref, json_t **out,
					    char *err, size_t errlen);

/* Remove one configuration and its back-reference in the TAP. */
enum resource_status resource_config_delete(json_t *doc, const char *nic,
					    const char *name, char *err,
					    size_t errlen);

/* A copy of one configuration (new reference) in *out, or NOT_FOUND. */
enum resource_status resource_config_show(const json_t *doc, const char *nic,
					  const char *name, json_t **out,
					  char *err, size_t errlen);

/* A copy of the NIC's configurations (zero or one), as an array. */
json_t *resource_config_list(const json_t *doc, const char *nic);

/*
 * What should be mirrored: up to max targets written to out, one per NIC
 * configuration. Returns how many there are (which may exceed max). The
 * strings point into doc and live as long as it is unchanged.
 */
size_t resource_targets(const json_t *doc, struct resource_target *out,
			size_t max);

#endif
