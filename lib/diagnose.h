/* The most likely reason a password login failed, from system state
 * (DESIGN §3 "auth diagnose"), shared by the PAM module's diagnose line
 * and `cvmkey why`.  It only reads; it never changes a result. */
#ifndef CVM_DIAGNOSE_H
#define CVM_DIAGNOSE_H
#include <stdint.h>
#include <time.h>
#include "evaluate.h"

struct cvm_diag {
	const char *reason;	/* DESIGN §3 reason code */
	char detail[512];	/* for people: what and how to fix it */
	int blocks_key;		/* the cause stops key logins too */
};

/* Where the checks look; NULL members take the system's paths. */
struct cvm_diag_paths {
	const char *faillock_conf;	/* /etc/security/faillock.conf */
	const char *shells;		/* /etc/shells */
	const char *nologin[2];		/* /etc/nologin, /run/nologin */
};

/* Account checks only (no password involved): password locked or
 * expired, account expired, nologin, faillock, shell, home.  Returns 1
 * and fills d when one applies, else 0.  a must exist. */
int cvm_diag_account(const struct cvm_acctinfo *a, const struct cvm_diag_paths *p,
    time_t now, struct cvm_diag *d);

/* The whole diagnosis of a failed password attempt: sshd's substituted
 * password (authtok), unknown user, the policy's refusal (ev), the account
 * checks, else wrong_password. */
void cvm_diagnose(const struct cvm_eval *ev, const char *authtok,
    const struct cvm_diag_paths *p, time_t now, struct cvm_diag *d);

/* pam_faillock's tally file (64-byte records: status at 54, time at 56,
 * host order as pam_faillock writes them): the valid failures within
 * interval seconds of the latest one, and the latest's time. */
void cvm_faillock_count(const char *buf, size_t len, uint64_t interval,
    unsigned long *failures, uint64_t *latest);

#endif
