/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The privilege drop (see privdrop.h). It changes credentials; deciding
 * when is the daemon's start-up order.
 */
#include "shared/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shared/number.h"

static int
set_caps(const int *keep, size_t nkeep)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	for (size_t i = 0; i < nkeep; i++) {
		d[keep[i] / 32].permitted |= 1u << (keep[i] % 32);
		d[keep[i] / 32].effective |= 1u << (keep[i] % 32);
	}
	return (int)syscall(SYS_capset, &h, d);
}

int
privdrop_to(const char *user, const int *keep, size_t nkeep, char *err,
	    size_t errlen)
{
	struct passwd *pw;
	uid_t uid, ruid, euid, suid;
	gid_t gid, rgid, egid, sgid;
	uint64_t n;

	errno = 0;
	if ((pw = getpwnam(user)) != NULL) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	} else if (number_parse_u64(user, 1, 0xfffffffe, &n)) {
		uid = (uid_t)n;
		gid = (gid_t)n;
	} else {
		snprintf(err, errlen, "no such user '%s'", user);
		return -1;
	}
	if (uid == 0) {
		snprintf(err, errlen, "refusing to \"drop\" to root ('%s')", user);
		return -1;
	}
	if (geteuid() != 0) {
		snprintf(err, errlen, "cannot become '%s': not running as root", user);
		return -1;
	}
	if (nkeep > 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "PR_SET_KEEPCAPS: %s", strerror(errno));
		return -1;
	}
	if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		snprintf(err, errlen, "cannot become '%s': %s", user, strerror(errno));
		return -1;
	}
	/* keep exactly the listed capabilities (or none) */
	if (set_caps(keep, nkeep) != 0) {
		snprintf(err, errlen, "capset: %s", strerror(errno));
		return -1;
	}
	if (nkeep > 0) {
		(void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	}
	/* root must be out of reach now */
	if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0 ||
	    ruid != uid || euid != uid || suid != uid ||
	    rgid != gid || egid != gid || sgid != gid ||
	    setuid(0) == 0 || seteuid(0) == 0) {
		snprintf(err, errlen, "root could still be regained after becoming '%s'", user);
		return -1;
	}
	return 0;
}
