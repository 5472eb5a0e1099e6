/* `cvmkey audit` (DESIGN §6): the check catalogue, the findings list, and
 * the state every step reads.  Each step lives in its own file and only
 * adds findings; tools/cmd_audit.c sets the state up, runs the steps and
 * prints. */
#ifndef CVM_AUDIT_H
#define CVM_AUDIT_H
#include <stddef.h>
#include <sys/types.h>
#include <time.h>
#include "conf.h"
#include "rootfs.h"

enum cvm_sev { CVM_SEV_PASS, CVM_SEV_INFO, CVM_SEV_WARN, CVM_SEV_FAIL };

/* Login methods a finding blocks (the `login` verdict of §6). */
#define CVM_M_PUBKEY	1u
#define CVM_M_PASSWORD	2u
#define CVM_M_ALL	(CVM_M_PUBKEY | CVM_M_PASSWORD)

/* One entry of the catalogue: stable ID, checklist step, title. */
struct cvm_check {
	const char *id;
	int step;
	const char *title;
};
extern const struct cvm_check cvm_checks[];
extern const size_t cvm_nchecks;
const struct cvm_check *cvm_check_find(const char *id);

struct cvm_finding {
	const struct cvm_check *check;
	enum cvm_sev sev;
	unsigned blocks;	/* CVM_M_* this finding stops */
	char *detail;		/* never NULL */
	char *file;		/* as seen on the audited system, or NULL */
	int line;		/* 0: none */
	char *fix;		/* or NULL */
};

struct cvm_sshd;
struct passwd;
struct cvm_audit_acct;

struct cvm_audit {
	/* ---- set up by cmd_audit before any step runs ---- */
	struct cvm_root root;		/* everything is read through it */
	int live;			/* processes/sockets/firewall/... may be
					   examined: root is "/" and not --offline */
	const char *user;		/* --user, or NULL */
	const struct passwd *pw;	/* its entry (the tree's passwd under
					   --root, NSS on "/"), NULL if unknown */
	const struct cvm_audit_acct *acct; /* all of it (audit_acct.h) */
	const char *const *groups;	/* the user's group names (primary
					   first), ngroups of them */
	size_t ngroups;
	const char *from;		/* --from address, or NULL */
	unsigned methods;		/* CVM_M_* asked about */
	const struct cvm_sshd *sshd;	/* the effective sshd config for
					   user/from; NULL if it could not be
					   loaded (SSHD-CONFIG-ERROR said why) */
	const char *sshd_config;	/* its path as seen on the system */
	const char *sshd_version;	/* "9.2": of the audited sshd binary */
	const char *sshd_bin;		/* "/usr/sbin/sshd" (inside root) */
	const char *sshd_session_bin;	/* sshd-session path (>= 9.8), or NULL */
	const struct cvm_conf *conf;	/* the tree's cvmkey.conf */
	const char *conf_path;		/* its path as seen on the system */
	const char *pam_service;	/* "sshd" (or PAMServiceName) */
	int policy_refuses;		/* pam_cvmkey's auth line refuses USER
					   (its decision, cvm_decide, is
					   enforced): the PAM walk predicts
					   PAM_AUTH_ERR for it, else PAM_IGNORE */
	time_t now;			/* the audit's "now" (pam_time,
					   faillock), 0: time(NULL) */
	const char *pam_confdir;	/* NULL; tests: read the PAM service
					   from this directory only, as
					   pam_start_confdir() does */
	/* ---- output ---- */
	struct cvm_finding *f;
	size_t n, cap;
	int oom;			/* an add failed: the run is internal error */
};

/* Records a finding.  id must be in the catalogue (else it aborts: a
 * programming error).  file/line/fix may be NULL/0/NULL. */
void cvm_audit_add(struct cvm_audit *a, const char *id, enum cvm_sev sev,
    unsigned blocks, const char *file, int line, const char *fix,
    const char *fmt, ...) __attribute__((format(printf, 8, 9)));
/* "The check ran and found nothing" (severity pass). */
void cvm_audit_pass(struct cvm_audit *a, const char *id);
/* Whether a finding with that ID and severity >= sev was recorded. */
int cvm_audit_has(const struct cvm_audit *a, const char *id, enum cvm_sev sev);
void cvm_audit_free(struct cvm_audit *a);
/* Sorts findings by step, then catalogue order, then file, line, detail:
 * the same output for the same inputs. */
void cvm_audit_sort(struct cvm_audit *a);

const char *cvm_sev_name(enum cvm_sev s);
/* The severity of a finding that stops the methods in `blocks`: fail when
 * it alone stops the audited login (every method asked about; without
 * --user, every method), else warn. */
enum cvm_sev cvm_audit_sev(const struct cvm_audit *a, unsigned blocks);

/* ---- the steps (one file each) ---- */
/* lib/audit_sshd.c: step 3 SSHD-* from the effective config, and
 * POLICY-AKC-MISSING, POLICY-CERT-USERS, POLICY-AUDIT-MODE, and step 9
 * CVM-ID-COLLISION. */
void cvm_audit_sshd(struct cvm_audit *a);
/* lib/audit_user.c (with --user): step 1 KEY-*, POLICY-KEY-BOUND, step 8
 * ACCT-*, through the same policy function as the PAM module. */
void cvm_audit_user(struct cvm_audit *a);
/* lib/audit_pam.c: step 8 PAM-* and step 3 POLICY-NOT-ENFORCED. */
void cvm_audit_pam(struct cvm_audit *a);
/* lib/audit_tcpw.c: step 7 TCPW-*. */
void cvm_audit_tcpw(struct cvm_audit *a);
/* Step 4 NET-* (lib/audit_net.c), step 5 SSHD-NOT-RUNNING,
 * SSHD-NOT-LISTENING, SSHD-CMDLINE-OVERRIDE, SSHD-HOSTKEY
 * (lib/audit_sshd.c), step 6 FW-* (lib/audit_fw.c, lib/fwrules.c), step 9
 * SYS-* (lib/audit_system.c).  Each skips what needs a live system when
 * !a->live; they may run subprocesses (nft, iptables-*-save, systemctl)
 * with fixed argv and deadlines. */
void cvm_audit_net(struct cvm_audit *a);
void cvm_audit_sshd_live(struct cvm_audit *a);
void cvm_audit_firewall(struct cvm_audit *a);
void cvm_audit_system(struct cvm_audit *a);

#endif
