/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The operations of the control socket: each request names one, the
 * caller's roles are checked for its action, and the store and mirrors
 * are changed or read. The wire format, one JSON document per line:
 *
 *   request   {"op": "tap.create", "args": {"name": "myTap", ...}}
 *   response  {"ok": true, "result": ANY}
 *             {"ok": false, "code": "forbidden", "error": "one line"}
 *
 *   op              action                     args
 *   tap.create      taps/write                 name destination [destinationType
 *                                              port vni tags]
 *   tap.update      taps/write                 name [destination destinationType
 *                                              port vni tags]
 *   tap.show        taps/read                  name
 *   tap.list        taps/read
 *   tap.delete      taps/delete                name
 *   config.create   tapConfigurations/write    nic name vnetTap
 *   config.show     tapConfigurations/read     nic name
 *   config.list     tapConfigurations/read     nic
 *   config.delete   tapConfigurations/delete   nic name
 *   nic.list        nics/read
 *   status          nics/read
 *
 * Codes are resource_status_code()'s words; port and vni are integers
 * (range-checked here, so out-of-range values are refusals, not usage
 * errors), tags an object of strings.
 */
#ifndef VTAP_SENDER_SERVICE_H
#define VTAP_SENDER_SERVICE_H

#include <jansson.h>

#include "sender/daemon.h"
#include "sender/rbac.h"
#include "sender/store.h"

struct service {
	struct store *store;     /* borrowed */
	struct rbac *rbac;       /* borrowed */
	const char *roles_path;  /* borrowed: re-read by service_reload */
	struct daemon *daemon;   /* borrowed; NULL in tests: nothing mirrored */
};

/*
 * Answer one request (a control_request_cb; arg is a struct service).
 * Logs each change made, with who made it. Returns a new reference.
 */
json_t *service_handle(void *arg, const struct rbac_principal *who,
		       const json_t *request);

/*
 * SIGHUP: read the store and the roles file again and apply the store.
 * Either one that fails to load is kept as it was (and logged).
 */
void service_reload(struct service *svc);

#endif
