/* Inside the audit's PAM step (lib/audit_pam.c): each module's
 * predicted return (lib/audit_pam_modules.c). */
#ifndef CVM_AUDIT_PAM_H
#define CVM_AUDIT_PAM_H
#include <stddef.h>
#include <time.h>
#include "audit.h"
#include "pamstack.h"

/* Verdict of one module line. */
struct verdict {
	int ret;
	const char *id;		/* a finding when it refuses, or NULL */
	char *file;		/* what to fix (malloc'd) or NULL: the PAM line */
	int line;
	char *detail;		/* malloc'd */
	const char *fix;
	int indeterminate;	/* could not decide: an info finding */
};

struct pctx {
	struct cvm_audit *a;
	int type;
	time_t now;
	int usedns;		/* sshd resolves PAM_RHOST to a name */
	struct verdict *v;	/* one per chain line, ret -1 until predicted */
};

/* A cvm_pam_predict_fn (ctx a struct pctx): the line's return, from the
 * audited tree's files, with c->v[idx] filled (a finding's ID, file,
 * detail, fix when it refuses or cannot tell). */
int cvm_pam_predict(void *ctx, const struct cvm_pam_line *l, size_t idx);
/* The module's name without directory and ".so". */
const char *cvm_pam_modname(const struct cvm_pam_line *l, char *buf, size_t len);

#endif
