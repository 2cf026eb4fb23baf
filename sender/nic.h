/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * This host's network interfaces, as the resources `vtap nic list` shows:
 *
 *   { "id": "/nics/eth0", "name": "eth0", "type": "vtap/networkInterfaces",
 *     "macAddress": "52-54-00-12-34-56", "state": "up",
 *     "ipAddresses": [ "10.0.0.4/24", "fe80::1/64" ], "tapConfigurations": [] }
 *
 * The caller fills "tapConfigurations" from the store.
 */
#ifndef VTAP_SENDER_NIC_H
#define VTAP_SENDER_NIC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Every interface of this host (of the sender's network namespace), in
 * index order, as an array (new reference). Returns NULL with the reason
 * in err when the interfaces cannot be read. Does not log.
 */
json_t *nic_list(char *err, size_t errlen);

/* Does this host have an interface of that name? */
bool nic_exists(const char *name);

#endif
