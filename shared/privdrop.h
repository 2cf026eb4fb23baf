/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dropping root for good, as OpenBSD daemons do: after the privileged
 * resources are open, become an unprivileged user (setgroups to that
 * user's primary group only, setresgid, setresuid) and check that root
 * cannot be regained. Optionally keep a few capabilities (the sender keeps
 * CAP_NET_RAW so it can open captures of NICs configured later).
 */
#ifndef VTAP_SHARED_PRIVDROP_H
#define VTAP_SHARED_PRIVDROP_H

#include <stddef.h>

/*
 * Become user (a name or a numeric uid) with only the capabilities in
 * keep[0..nkeep) (CAP_* numbers from <linux/capability.h>), in the
 * permitted and effective sets and no others. Returns 0, or -1 with a
 * one-line reason in err (unknown user, not root, a step refused, or root
 * still reachable afterwards). Call once, at start-up.
 */
int privdrop_to(const char *user, const int *keep, size_t nkeep, char *err,
		size_t errlen);

#endif
