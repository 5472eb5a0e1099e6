/* Reading a user's authorized_keys files the way sshd does (DESIGN §1):
 * in a forked helper running with the user's uid, gid and supplementary
 * groups, opened non-blocking, regular files only, size-capped, with
 * sshd's StrictModes walk, and a deadline so a hung home directory never
 * hangs the caller. */
#ifndef CVM_AKFILE_H
#define CVM_AKFILE_H
#include <stddef.h>
#include <limits.h>
#include <sys/types.h>

#define CVM_AKFILE_MAX (4u * 1024 * 1024)
#define CVM_AKFILE_TIMEOUT_MS 3000

struct cvm_creds {
	const char *name;
	uid_t uid;
	gid_t gid;
	const char *home;
	const gid_t *gids;	/* supplementary groups (initgroups list), or */
	size_t ngids;		/* NULL: looked up (getgrouplist) when needed */
};

/* getgrouplist() into a malloc'd array.  0 or -1. */
int cvm_user_groups(const char *name, gid_t gid, gid_t **gids, size_t *n);

/* Expands an AuthorizedKeysFile entry (%h %u %U %%; relative paths are
 * relative to the home directory).  NULL for an unknown %-token or ENOMEM. */
char *cvm_akfile_expand(const char *tmpl, const struct cvm_creds *cr);

/* One file to read, and what came of it. */
struct cvm_akread {
	const char *path;
	int status;		/* 0 read, 1 does not exist, -1 gives no keys */
	char *buf;		/* status 0: malloc'd, NUL-terminated */
	size_t len;
	char why[PATH_MAX + 128];	/* status -1: the reason */
};

/* Reads the files in order, as the user, in one child process, waiting
 * at most timeout_ms for all of them (on timeout every file gets status
 * -1).  Files that do not exist even for root are skipped without
 * switching credentials, so the group list is only looked up when a file
 * exists.  Returns 0, or -1 when the reader could not run or timed out. */
int cvm_akfile_read_all(const struct cvm_creds *cr, struct cvm_akread *files,
    size_t n, int strict_modes, unsigned timeout_ms);

/* One file: returns its status, contents in *buf, reason in why. */
int cvm_akfile_read(const struct cvm_creds *cr, const char *path,
    int strict_modes, unsigned timeout_ms, char **buf, size_t *len,
    char *why, size_t whylen);

#endif
