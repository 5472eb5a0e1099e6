/* The I/O around the pure policy decision, shared by the PAM module and
 * `cvmkey why`: resolve the account, read the effective sshd settings for
 * it, gather its keys, decide. */
#ifndef CVM_EVALUATE_H
#define CVM_EVALUATE_H
#include <sys/types.h>
#include "policy.h"

struct cvm_acctinfo {
	char *name;
	int exists;
	uid_t uid;
	gid_t gid;
	char *home;
	char *shell;
	gid_t *gids;		/* getgrouplist(), NULL until needed */
	size_t ngids;
	int names_done;
	struct cvm_strv groups;	/* their names, see cvm_acct_group_names */
};

/* Resolves through NSS: the passwd entry and the group list.  Returns 0
 * (exists may be 0), -1 on an NSS or memory error. */
int cvm_acct_lookup(const char *name, struct cvm_acctinfo *a);
/* Fills a->groups with the names of a->gids, once (a getgrgid per group:
 * done only when exempt_groups or a Match Group needs them).  0 or -1. */
int cvm_acct_group_names(struct cvm_acctinfo *a);
void cvm_acct_free(struct cvm_acctinfo *a);

struct cvm_eval {
	struct cvm_acctinfo acct;
	struct cvm_sshd *sshd;
	char sshd_err[512];
	struct cvm_keyset keys;
	struct cvm_decision d;
};

/* Runs the whole decision for req->... and `user`.  conf_err (may be NULL)
 * is a configuration problem found earlier: it makes the decision an
 * error (on_error).  Always fills ev; free with cvm_eval_free. */
void cvm_evaluate(const struct cvm_conf *conf, const char *conf_err,
    const char *user, const struct cvm_request *req, struct cvm_eval *ev);
void cvm_eval_free(struct cvm_eval *ev);

/* Sets ks->akc_problem when sshd could not run the effective
 * AuthorizedKeysCommand (its user missing, its program not an executable
 * file): db keys then do not count.  r: an audited tree, or NULL. */
struct cvm_root;
void cvm_akc_check(const struct cvm_sshd *sshd, const struct cvm_root *r,
    struct cvm_keyset *ks);

#endif
