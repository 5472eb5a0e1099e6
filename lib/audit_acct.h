/* The audited account (`cvmkey audit --user`): from NSS on the live
 * system, from the tree's passwd/group/shadow (and cvmkey's own database,
 * as libnss_cvm would serve it) under --root. */
#ifndef CVM_AUDIT_ACCT_H
#define CVM_AUDIT_ACCT_H
#include <pwd.h>
#include <sys/types.h>
#include "rootfs.h"
#include "strutil.h"

struct cvm_audit_acct {
	int exists;
	int provisioned;	/* served by cvmkey's database */
	struct passwd pw;	/* strings owned by this struct */
	gid_t *gids;		/* primary first */
	size_t ngids;
	struct cvm_strv groups;	/* their names, primary first */
	int has_shadow;		/* a shadow entry was found */
	char *sp_pwdp;
	long sp_lstchg, sp_max, sp_inact, sp_expire;	/* -1: empty field */
	const char *source;	/* where it came from, for messages */
};

/* 0 (exists may be 0), -1 on an I/O or memory error (errno). dbpath is
 * cvmkey's database as seen on the audited system. */
int cvm_audit_acct_load(const struct cvm_root *r, const char *dbpath,
    const char *user, struct cvm_audit_acct *ac);
void cvm_audit_acct_free(struct cvm_audit_acct *ac);

/* The tree's passwd entry for name (files only): 1 found (*uid set), 0
 * not, -1 error.  For AuthorizedKeysCommandUser and collisions. */
int cvm_audit_files_user(const struct cvm_root *r, const char *name,
    uid_t *uid);
/* A passwd or group line of the tree's files with that name or id: 1, 0. */
int cvm_audit_files_has(const struct cvm_root *r, int group,
    const char *name, unsigned long id);

#endif
