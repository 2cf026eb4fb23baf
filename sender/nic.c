/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading this host's interfaces (if_nameindex, getifaddrs) into the
 * resources of nic.h. It knows nothing of tap configurations; it never
 * changes an interface and never logs.
 */
#include "sender/nic.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sender/resource.h"

bool
nic_exists(const char *name)
{
	return resource_nic_name_is_valid(name) && if_nametoindex(name) != 0;
}

/* Prefix length of a netmask. */
static int
prefix_of(const struct sockaddr *mask)
{
	const unsigned char *b;
	size_t len;
	int bits = 0;

	if (mask == NULL) {
		return -1;
	}
	if (mask->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)mask)->sin_addr;
		len = 4;
	} else {
		b = (const unsigned char *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
		len = 16;
	}
	for (size_t i = 0; i < len; i++) {
		bits += __builtin_popcount(b[i]);
	}
	return bits;
}

/* Fill nic (an entry of the list) from one getifaddrs record. */
static void
add_record(json_t *nic, const struct ifaddrs *ifa)
{
	char ip[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 16];
	const struct sockaddr *sa = ifa->ifa_addr;
	const void *a;

	json_object_set_new(nic, "state", json_string(ifa->ifa_flags & IFF_UP ? "up" : "down"));
	if (sa == NULL) {
		return;
	}
	if (sa->sa_family == AF_PACKET) {
		const struct sockaddr_ll *ll = (const struct sockaddr_ll *)sa;
		char mac[3 * 8] = "";
		size_t n = 0;

		for (int i = 0; i < ll->sll_halen && i < 8; i++) {
			n += (size_t)snprintf(mac + n, sizeof(mac) - n, "%s%02X",
					      i > 0 ? "-" : "", ll->sll_addr[i]);
		}
		json_object_set_new(nic, "macAddress", json_string(mac));
		return;
	}
	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) {
		return;
	}
	a = sa->sa_family == AF_INET
		? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
		: (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (inet_ntop(sa->sa_family, a, ip, sizeof(ip)) == NULL) {
		return;
	}
	snprintf(text, sizeof(text), "%s/%d", ip, prefix_of(ifa->ifa_netmask));
	json_array_append_new(json_object_get(nic, "ipAddresses"), json_string(text));
}

json_t *
nic_list(char *err, size_t errlen)
{
	struct if_nameindex *names = NULL;
	struct ifaddrs *addrs = NULL;
	json_t *list = NULL;

	if ((names = if_nameindex()) == NULL || getifaddrs(&addrs) != 0) {
		snprintf(err, errlen, "cannot list interfaces: %s", strerror(errno));
		goto done;
	}
	list = json_array();
	for (struct if_nameindex *n = names; n->if_index != 0; n++) {
		char id[IF_NAMESIZE + 8];
		json_t *nic;

		snprintf(id, sizeof(id), "/nics/%s", n->if_name);
		nic = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[], s:[]}",
				"id", id, "name", n->if_name,
				"type", "vtap/networkInterfaces",
				"macAddress", "", "state", "down",
				"ipAddresses", "tapConfigurations");
		for (const struct ifaddrs *ifa = addrs; ifa != NULL; ifa = ifa->ifa_next) {
			if (strcmp(ifa->ifa_name, n->if_name) == 0) {
				add_record(nic, ifa);
			}
		}
		json_array_append_new(list, nic);
	}
done:
	if (addrs != NULL) {
		freeifaddrs(addrs);
	}
	if (names != NULL) {
		if_freenameindex(names);
	}
	return list;
}
