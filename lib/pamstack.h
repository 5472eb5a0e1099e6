/* PAM stacks read and evaluated the way Linux-PAM 1.5.2 does it
 * (libpam/pam_handlers.c: parsing, include/substack, module loading;
 * libpam/pam_dispatch.c: the impression/status walk), plus Debian's
 * `@include`.  Every file is read through lib/rootfs.h, so a stack can be
 * evaluated for a mounted image (`cvmkey audit --root`). */
#ifndef CVM_PAMSTACK_H
#define CVM_PAMSTACK_H
#include <stddef.h>
#include "rootfs.h"

/* Stack types (libpam's PAM_T_*, as indexes). */
enum { CVM_PAMT_AUTH, CVM_PAMT_ACCOUNT, CVM_PAMT_PASSWORD, CVM_PAMT_SESSION,
	CVM_PAMT_N };
#define CVM_PAMT_ANY (-1)

/* Return codes and actions, numbered as in <security/_pam_types.h> and
 * libpam's pam_private.h (the tests check them against the real ones). */
#define CVM_PAM_SUCCESS		0
#define CVM_PAM_PERM_DENIED	6
#define CVM_PAM_AUTH_ERR	7
#define CVM_PAM_USER_UNKNOWN	10
#define CVM_PAM_ACCT_EXPIRED	13
#define CVM_PAM_IGNORE		25
#define CVM_PAM_ABORT		26
#define CVM_PAM_MODULE_UNKNOWN	28
#define CVM_PAM_NRET		32
#define CVM_PAMA_IGNORE		0
#define CVM_PAMA_OK		(-1)
#define CVM_PAMA_DONE		(-2)
#define CVM_PAMA_BAD		(-3)
#define CVM_PAMA_DIE		(-4)
#define CVM_PAMA_RESET		(-5)
#define CVM_PAMA_UNDEF		(-6)	/* only while parsing */

/* What libpam made of a line. */
enum cvm_pam_ht {
	CVM_PAMHT_MODULE,	/* a module to call */
	CVM_PAMHT_SILENT,	/* "-type": same, load errors not logged */
	CVM_PAMHT_MUST_FAIL,	/* broken line: returns PAM_PERM_DENIED */
	CVM_PAMHT_SUBSTACK,	/* a substack's own line: skipped when run */
};

struct cvm_pam_line {
	int type;		/* CVM_PAMT_* */
	enum cvm_pam_ht ht;
	int level;		/* substack depth, 0 = the service's stack */
	int actions[CVM_PAM_NRET];	/* CVM_PAMA_* or a jump (> 0) */
	char *control;		/* as written ("required", "[...]"), or NULL */
	char *module;		/* as written, or NULL */
	char *path;		/* the module file found (inside the root), or
				   NULL: not installed (PAM_MODULE_UNKNOWN) */
	int argc;
	char **argv;
	char *file;		/* the config file, as on the audited system */
	int line;		/* its line (first physical line), 0 for none */
	int other;		/* read from the "other" service */
};

/* A problem libpam would log: a malformed line, a missing include. */
struct cvm_pam_problem {
	char *file;
	int line;
	int type;		/* the stack it breaks, CVM_PAMT_ANY: all */
	char *msg;
};

struct cvm_pam_stack {
	/* libpam's handlers.conf and handlers.other, per type; a call uses
	 * other's only when the service has no line of that type. */
	struct cvm_pam_line *lines[2][CVM_PAMT_N];
	size_t nlines[2][CVM_PAMT_N];
	size_t caplines[2][CVM_PAMT_N];	/* allocated (grown by doubling) */
	struct cvm_pam_problem *prob;
	size_t nprob;
	/* libpam would refuse to start at all (pam_start fails: every call
	 * fails): unreadable/overlong service file, or nothing to read. */
	int broken;
	char *broken_why;
	char *service_file;	/* the file read for the service, or NULL */
	size_t total;		/* lines kept, for the size cap */
};

struct cvm_pam_opts {
	const struct cvm_root *root;	/* NULL: the live system */
	/* pam_start_confdir(): only this directory (absolute, inside root,
	 * or relative to the working directory); NULL: /etc/pam.d, then
	 * /usr/lib/pam.d, then /usr/etc/pam.d (libpam's vendor dir). */
	const char *confdir;
	/* Module directories tried for a relative module name, in order;
	 * NULL: cvm_pam_module_dirs. */
	const char *const *moddirs;
	/* Debian's libpam (its @include patch) resolves a relative include
	 * or substack name in /etc/pam.d only, even under confdir.  1 yes,
	 * 0 no (upstream: the same search as for the service), -1: yes when
	 * the tree has /etc/debian_version. */
	int debian;
};

/* The platform module directories (NULL-terminated): Debian multiarch
 * /lib/<triplet>/security and /usr/lib/<triplet>/security, RHEL
 * /usr/lib64/security, then /lib/security and /usr/lib/security. */
extern const char *const cvm_pam_module_dirs[];

/* Reads the service's configuration (the service name as pam_start
 * takes it: its base name, lower-cased).  Returns 0 (problems and `broken`
 * are in *s), -1 on ENOMEM.  Free with cvm_pam_stack_free. */
int cvm_pam_stack_load(struct cvm_pam_stack *s, const char *service,
    const struct cvm_pam_opts *o);
void cvm_pam_stack_free(struct cvm_pam_stack *s);
/* The lines a call of that type walks (the service's, else other's). */
const struct cvm_pam_line *cvm_pam_chain(const struct cvm_pam_stack *s,
    int type, size_t *n);

/* Predicted return of one module line that runs (only called for lines
 * whose module is installed): a CVM_PAM_* code, 0..31. */
typedef int (*cvm_pam_predict_fn)(void *ctx, const struct cvm_pam_line *l,
    size_t idx);

/* Per line of the chain, filled by cvm_pam_eval. */
struct cvm_pam_step {
	int ran;		/* the walk reached it */
	int ret;		/* its return */
	int action;		/* the action taken (CVM_PAMA_* or jump) */
	int ended;		/* it ended the walk (done/die/decision) */
};

/* Walks the chain as pam_dispatch.c does and returns what
 * pam_authenticate/pam_acct_mgmt would (CVM_PAM_SUCCESS or an error).
 * steps (may be NULL) has one entry per chain line.  `override`
 * (idx, ret; idx SIZE_MAX for none) replaces one line's prediction. */
int cvm_pam_eval(const struct cvm_pam_stack *s, int type,
    cvm_pam_predict_fn fn, void *ctx, struct cvm_pam_step *steps,
    size_t override_idx, int override_ret);

/* "auth", "account"... */
const char *cvm_pam_type_name(int type);
/* Return code from its libpam token ("perm_denied"), -1 if unknown. */
int cvm_pam_ret_from_name(const char *name);
const char *cvm_pam_ret_name(int ret);
/* Value of a "name=value" module argument (the last one wins, as most
 * modules parse in order), or NULL; "name" alone gives "". */
const char *cvm_pam_arg(const struct cvm_pam_line *l, const char *name);

#endif
