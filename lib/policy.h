/* The policy decision (DESIGN §1, §2): one pure function that the PAM
 * module, `cvmkey why` and `cvmkey audit --user` all call. */
#ifndef CVM_POLICY_H
#define CVM_POLICY_H
#include <stddef.h>
#include <time.h>
#include "conf.h"
#include "keysrc.h"
#include "sshdcfg.h"

struct cvm_account {
	const char *name;		/* as asked for */
	int exists;			/* resolves through NSS */
	const struct cvm_strv *groups;	/* names of primary + supplementary groups */
};

struct cvm_request {
	const char *service;	/* PAM_SERVICE */
	const char *tty;	/* PAM_TTY ("ssh" under sshd) */
	const char *rhost;	/* PAM_RHOST: address, or a name under UseDNS */
	const char *method;	/* "password" or "keyboard-interactive" */
	const char *auth_info;	/* SSH_AUTH_INFO_0, NULL if unset */
	time_t now;
	/* From SSH_CONNECTION ("client port server port"), NULL/-1 if not
	 * known.  addr is what from= and Match Address compare. */
	const char *addr;
	const char *laddr;
	int lport;
};

struct cvm_decision {
	int refuse;		/* the policy refuses this login */
	int enforce;		/* ...and it is enforced (policy is not audit) */
	int pam_ignore;		/* on_error=ignore: let the stack decide */
	int notable;		/* log even without debug */
	const char *verdict;	/* "refused" "would_refuse" "allowed" */
	const char *reason;	/* DESIGN §3 reason code */
	char detail[256];
	size_t nusable;		/* usable keys */
	int sources;		/* CVM_SRC_* of the usable keys */
	const char *fp;		/* first usable key's fingerprint */
};

/* 1 when the policy covers this PAM transaction (service listed, or
 * PAM_TTY "ssh"). */
int cvm_policy_covers(const struct cvm_conf *conf, const char *service,
    const char *tty);

/* 1 when password/keyboard-interactive can only ever be a second factor
 * after publickey under this AuthenticationMethods value. */
int cvm_password_is_second_factor(const char *authmethods, const char *auth_info);

/* 1 when an AuthorizedKeysCommand value is cvmkey's: program base name
 * "cvmkey", first argument "authorized-keys", %u passed. */
int cvm_akc_is_ours(const char *akc);

/* Decides.  sshd is the effective config for this user and address, or NULL
 * when it could not be read (sshd_err says why).  Sets usable/problem on
 * every key in ks.  Never fails. */
void cvm_decide(const struct cvm_conf *conf, const struct cvm_sshd *sshd,
    const char *sshd_err, const struct cvm_account *acct,
    const struct cvm_request *req, struct cvm_keyset *ks,
    struct cvm_decision *d);

/* Evaluates one key against the effective settings (DESIGN §1) for this
 * request, with ks's RevokedKeys; returns 1 usable, or 0 with the reason
 * in problem. */
int cvm_key_usable(const struct cvm_sshd *sshd, const struct cvm_request *req,
    const struct cvm_keyset *ks, const struct cvm_key *k, char *problem,
    size_t problemlen);

/* 1 when a key opens some AuthenticationMethods list: "any", or a list
 * that starts with publickey and then needs only more keys or a password
 * (left alone as a second factor).  Otherwise refusing the first-factor
 * password would leave a key holder no way in. */
int cvm_publickey_suffices(const char *authmethods);

/* Whether a key may be bound at all (DESIGN §5): decodable, a plain key
 * (not a certificate), no DSA, RSA of at least 2048 bits.  1 yes, or 0
 * with the reason in err. */
int cvm_key_bindable(const struct cvm_pubkey *k, char *err, size_t errlen);
#endif
