/* Reading a user's authorized_keys files the way sshd does (DESIGN §1):
 * in a forked helper running with the user's uid, gid and supplementary
 * groups, opened non-blocking, regular files only, size-capped, with
 * sshd's StrictModes walk, and a deadline so a hung home directory never
 * hangs the caller. */
#ifndef CVM_AKFILE_H
#define CVM_AKFILE_H
#include <stddef.h>
#include <sys/types.h>

#define CVM_AKFILE_MAX (4u * 1024 * 1024)
#define CVM_AKFILE_TIMEOUT_MS 3000

struct cvm_creds {
	const char *name;
	uid_t uid;
	gid_t gid;
	const char *home;
	const gid_t *gids;	/* supplementary groups (initgroups list) */
	size_t ngids;
};

/* Expands an AuthorizedKeysFile entry (%h %u %U %%; relative paths are
 * relative to the home directory).  NULL for an unknown %-token or ENOMEM. */
char *cvm_akfile_expand(const char *tmpl, const struct cvm_creds *cr);

/* Reads `path` as the user.  Returns 0 with the contents in *buf (malloc'd,
 * NUL-terminated), 1 when the file does not exist, -1 when it gives no keys
 * for another reason (not a regular file, StrictModes refusal, too large,
 * timeout...), with the reason in why. */
int cvm_akfile_read(const struct cvm_creds *cr, const char *path,
    int strict_modes, unsigned timeout_ms, char **buf, size_t *len,
    char *why, size_t whylen);

#endif
