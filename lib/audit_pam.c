/* `cvmkey audit` step 8 (PAM-*) and step 3 POLICY-NOT-ENFORCED (DESIGN
 * §6): the sshd PAM service's stacks read and walked as libpam does
 * (lib/pamstack.c), each module's return predicted from the audited
 * tree's files, and a finding for each reachable line that refuses.
 *
 * Which stacks a method walks (OpenSSH 9.2p1 with UsePAM yes):
 * password and keyboard-interactive call pam_authenticate
 * (auth-passwd.c auth_password -> auth-pam.c sshpam_auth_passwd; kbd-int
 * via sshpam_thread), a public key never does (auth2-pubkey.c checks
 * the key itself); every method that succeeds then goes through
 * pam_acct_mgmt (auth2.c userauth_finish -> do_pam_account).  So
 * `password` = auth + account, `publickey` = account only.  The session
 * stack is walked too, but a failure there only restricts the session
 * (see type_blocks).  Module predictions: lib/audit_pam_modules.c. */
#include "config.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "audit.h"
#include "audit_pam.h"
#include "pamstack.h"
#include "policy.h"
#include "sshdcfg.h"

/* ---- the walk ------------------------------------------------------ */

/* What a refusal in that stack stops.  The session stack stops nothing:
 * OpenSSH 9.2 logs a failed pam_open_session and restricts the session
 * (auth-pam.c do_pam_session -> auth.c auth_restrict_session: no
 * forwarding, no agent, no ~/.ssh/rc), but the login goes on. */
static unsigned
type_blocks(int type)
{
	return type == CVM_PAMT_AUTH ? CVM_M_PASSWORD :
	    type == CVM_PAMT_ACCOUNT ? CVM_M_ALL : 0;
}

static const char *
stack_note(int type)
{
	return type == CVM_PAMT_SESSION ? " (session stack: sshd logs the "
	    "failure and restricts the session: no forwarding, no agent)" : "";
}

static void
add_finding(struct cvm_audit *a, const char *id, enum cvm_sev sev,
    unsigned blocks, const char *file, int line, const char *fix,
    const char *detail, int type)
{
	cvm_audit_add(a, id, sev, blocks, file, line, fix, "%s%s", detail,
	    stack_note(type));
}

/* What a walk saw of each line of its chain: for PAM-SYNTAX. */
struct walked {
	const struct cvm_pam_line *h;
	size_t n;
	unsigned char *ran, *contrib;
};

/* Walks one stack; records findings; returns the stack's result. */
static int
walk(struct cvm_audit *a, const struct cvm_pam_stack *s, int type,
    time_t now, int usedns, struct walked *w)
{
	struct pctx c = { a, type, now, usedns, NULL };
	struct cvm_pam_step *st = NULL;
	const struct cvm_pam_line *h;
	size_t n;
	int res = CVM_PAM_PERM_DENIED;

	h = cvm_pam_chain(s, type, &n);
	if (n == 0) {
		cvm_audit_add(a, "PAM-SYNTAX", type_blocks(type) ?
		    CVM_SEV_FAIL : CVM_SEV_WARN, type_blocks(type),
		    s->service_file, 0, "add the service's lines (or an "
		    "`other` file)", "no %s lines for %s nor in `other`: "
		    "libpam fails every %s call%s", cvm_pam_type_name(type),
		    a->pam_service ? a->pam_service : "sshd",
		    cvm_pam_type_name(type), stack_note(type));
		return CVM_PAM_PERM_DENIED;
	}
	c.v = calloc(n, sizeof(*c.v));
	st = calloc(n, sizeof(*st));
	w->h = h;
	w->n = n;
	w->ran = calloc(n, 1);
	w->contrib = calloc(n, 1);
	if (c.v == NULL || st == NULL || w->ran == NULL || w->contrib == NULL) {
		a->oom = 1;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		c.v[i].ret = -1;
	res = cvm_pam_eval(s, type, cvm_pam_predict, &c, st, SIZE_MAX, 0);
	for (size_t i = 0; i < n; i++) {
		const struct cvm_pam_line *l = &h[i];
		struct verdict *v = &c.v[i];
		int contributes = 0;

		if (!st[i].ran)
			continue;
		if (res != CVM_PAM_SUCCESS) {
			/* would it pass were this line to succeed?  (one walk
			 * per line: skipped for a hostile-sized stack, where
			 * the line's own action decides) */
			int alt = n > 500 ? res : cvm_pam_eval(s, type,
			    cvm_pam_predict, &c, NULL, i, CVM_PAM_SUCCESS);

			contributes = alt == CVM_PAM_SUCCESS ||
			    st[i].action == CVM_PAMA_BAD ||
			    st[i].action == CVM_PAMA_DIE;
		}
		w->ran[i] = 1;
		w->contrib[i] = (unsigned char)contributes;
		if (l->ht == CVM_PAMHT_MUST_FAIL)
			continue;	/* PAM-SYNTAX, from the problems */
		if (l->ht != CVM_PAMHT_MUST_FAIL && l->path == NULL) {
			int act = l->actions[CVM_PAM_MODULE_UNKNOWN];
			int bad = act == CVM_PAMA_BAD || act == CVM_PAMA_DIE;
			char d[600];

			snprintf(d, sizeof(d), "%s:%d: %s %s %s: module not "
			    "installed; %s", l->file, l->line,
			    cvm_pam_type_name(l->type), l->control ? l->control : "",
			    l->module ? l->module : "", bad ?
			    "libpam fails the stack (module_unknown is bad here)" :
			    "the line is skipped (optional, '-' or module_unknown=ignore)");
			add_finding(a, "PAM-MODULE-MISSING", !bad ? CVM_SEV_INFO :
			    type_blocks(type) ? CVM_SEV_FAIL : CVM_SEV_WARN,
			    bad && contributes ? type_blocks(type) : 0,
			    l->file, l->line, bad ? "install the module's package, or "
			    "remove the line" : "install the module, or remove the line",
			    d, type);
			continue;
		}
		if (v->id == NULL || v->detail == NULL)
			continue;
		if (v->indeterminate) {
			add_finding(a, v->id, CVM_SEV_INFO, 0,
			    v->file ? v->file : l->file, v->file ? v->line : l->line,
			    NULL, v->detail, type);
		} else if (v->ret != CVM_PAM_SUCCESS && v->ret != CVM_PAM_IGNORE) {
			add_finding(a, v->id, contributes && type_blocks(type) ?
			    CVM_SEV_FAIL : CVM_SEV_WARN,
			    contributes ? type_blocks(type) : 0,
			    v->file ? v->file : l->file, v->file ? v->line : l->line,
			    v->fix, v->detail, type);
		}
	}
out:
	for (size_t i = 0; c.v != NULL && i < n; i++) {
		free(c.v[i].file);
		free(c.v[i].detail);
	}
	free(c.v);
	free(st);
	return res;
}

/* POLICY-NOT-ENFORCED: can pam_cvmkey refuse a right password? */
static void
policy_check(struct cvm_audit *a, const struct cvm_pam_stack *s, time_t now,
    int usedns)
{
	struct cvm_audit probe;
	struct pctx c;
	struct cvm_pam_step *st;
	const struct cvm_pam_line *h;
	const char *why = NULL;
	char m[128], d[700];
	size_t n, k = SIZE_MAX;
	const char *am;
	int pa, kbd;

	if (a->sshd == NULL || cvm_sshd_flag(a->sshd, "usepam") != 1)
		return;
	pa = cvm_sshd_flag(a->sshd, "passwordauthentication") == 1;
	kbd = cvm_sshd_flag(a->sshd, "kbdinteractiveauthentication") == 1;
	am = cvm_sshd_get(a->sshd, "authenticationmethods");
	/* only after a key (AuthenticationMethods publickey,password): the
	 * policy leaves a second factor alone anyway (DESIGN §2) */
	if ((!pa && !kbd) || (am != NULL && cvm_password_is_second_factor(am, NULL))) {
		cvm_audit_pass(a, "POLICY-NOT-ENFORCED");
		return;
	}
	h = cvm_pam_chain(s, CVM_PAMT_AUTH, &n);
	for (size_t i = 0; i < n; i++) {
		if ((h[i].ht == CVM_PAMHT_MODULE || h[i].ht == CVM_PAMHT_SILENT) &&
		    !strcmp(cvm_pam_modname(&h[i], m, sizeof(m)), "pam_cvmkey") &&
		    cvm_pam_arg(&h[i], "diagnose") == NULL) {
			k = i;
			break;
		}
	}
	if (k == SIZE_MAX) {
		why = "pam_cvmkey.so is not in the auth stack";
	} else if (h[k].path == NULL) {
		why = "pam_cvmkey.so is named but not installed";
	} else if (h[k].actions[CVM_PAM_AUTH_ERR] != CVM_PAMA_BAD &&
	    h[k].actions[CVM_PAM_AUTH_ERR] != CVM_PAMA_DIE) {
		why = "pam_cvmkey.so's control ignores its refusal (use "
		    "[success=ok ignore=ignore module_unknown=ignore default=bad])";
	} else {
		/* Does a right password reach it, for a user it refuses?
		 * Walk as if it refused: the lines before decide. */
		probe = *a;
		probe.f = NULL;
		probe.n = probe.cap = 0;
		probe.policy_refuses = 1;
		memset(&c, 0, sizeof(c));
		c.a = &probe;
		c.type = CVM_PAMT_AUTH;
		c.now = now;
		c.usedns = usedns;
		c.v = calloc(n, sizeof(*c.v));
		st = calloc(n, sizeof(*st));
		if (c.v == NULL || st == NULL) {
			free(c.v);
			free(st);
			a->oom = 1;
			return;
		}
		for (size_t i = 0; i < n; i++)
			c.v[i].ret = -1;
		(void)cvm_pam_eval(s, CVM_PAMT_AUTH, cvm_pam_predict, &c, st, SIZE_MAX, 0);
		if (!st[k].ran) {
			why = "a right password ends the auth stack before "
			    "pam_cvmkey.so runs (a sufficient pam_unix, a jump or "
			    "done before it)";
			for (size_t i = 0; i < k; i++)
				if (st[i].ended || st[i].action > 0) {
					snprintf(d, sizeof(d), "%s (%s:%d)", why,
					    h[i].file, h[i].line);
					why = d;
					k = i;
					break;
				}
		}
		for (size_t i = 0; i < n; i++) {
			free(c.v[i].file);
			free(c.v[i].detail);
		}
		free(c.v);
		free(st);
	}
	if (why == NULL) {
		cvm_audit_pass(a, "POLICY-NOT-ENFORCED");
		return;
	}
	cvm_audit_add(a, "POLICY-NOT-ENFORCED", CVM_SEV_WARN, 0,
	    k < n ? h[k].file : s->service_file, k < n ? h[k].line : 0,
	    "add 'auth [success=ok ignore=ignore module_unknown=ignore "
	    "default=bad] pam_cvmkey.so' before the password modules "
	    "(pam-auth-update --enable cvmkey on Debian)",
	    "password login is reachable (UsePAM yes, %s) but the policy "
	    "cannot refuse it: %s", pa ? "PasswordAuthentication yes" :
	    "KbdInteractiveAuthentication yes", why);
}

/* The stacks sshd calls for a login: auth (password methods), account
 * (every method), session (every method: sshd's do_pam_session is fatal
 * when pam_open_session fails). */
static const int walked_types[3] = {
	CVM_PAMT_AUTH, CVM_PAMT_ACCOUNT, CVM_PAMT_SESSION,
};

/* A problem blocks what its line blocks when a walk reached it; a line no
 * walk reached (after a sufficient success, in an unused `other` type, a
 * password-change line) only warns. */
static void
syntax_finding(struct cvm_audit *a, const struct cvm_pam_problem *p,
    const struct walked *w)
{
	unsigned blocks = 0;
	int ran = 0, located = 0;

	if (p->type == CVM_PAMT_ANY) {
		blocks = CVM_M_ALL;
		ran = located = 1;
	}
	for (int t = 0; t < 3 && !located; t++)
		for (size_t i = 0; i < w[t].n; i++) {
			const struct cvm_pam_line *l = &w[t].h[i];

			if (l->line != p->line || l->file == NULL || p->file == NULL ||
			    strcmp(l->file, p->file) != 0)
				continue;
			if (w[t].ran[i]) {
				ran = 1;
				if (w[t].contrib[i])
					blocks |= type_blocks(walked_types[t]);
			}
		}
	cvm_audit_add(a, "PAM-SYNTAX", blocks ? CVM_SEV_FAIL : CVM_SEV_WARN,
	    blocks, p->file, p->line,
	    "fix the line (libpam makes a broken line fail when it runs)",
	    "%s (%s stack)%s", p->msg, cvm_pam_type_name(p->type),
	    ran ? "" : "; no login of this audit reaches it");
}

void
cvm_audit_pam(struct cvm_audit *a)
{
	struct cvm_pam_opts o = { &a->root, a->pam_confdir, NULL, -1 };
	struct cvm_pam_stack s;
	struct walked w[3];
	const char *svc = a->pam_service ? a->pam_service : "sshd";
	time_t now = a->now ? a->now : time(NULL);
	int usedns = 0;
	size_t before = a->n;

	if (a->sshd != NULL) {
		if (cvm_sshd_flag(a->sshd, "usepam") == 0)
			return;	/* SSHD-USEPAM-OFF says it: no PAM at all */
		usedns = cvm_sshd_flag(a->sshd, "usedns") == 1;
	}
	memset(w, 0, sizeof(w));
	if (cvm_pam_stack_load(&s, svc, &o) != 0) {
		a->oom = 1;
		return;
	}
	if (s.broken) {
		/* one finding, at the line that broke the file when known */
		const struct cvm_pam_problem *p = NULL;

		for (size_t i = 0; i < s.nprob && p == NULL; i++)
			if (s.prob[i].type == CVM_PAMT_ANY)
				p = &s.prob[i];
		cvm_audit_add(a, "PAM-SYNTAX", CVM_SEV_FAIL, CVM_M_ALL,
		    p ? p->file : s.service_file, p ? p->line : 0,
		    "fix the file (libpam reads lines of at most 1023 bytes; a "
		    "last line must not end in '\\'; Debian's @include must "
		    "name an existing file)", "%s%s%s", p ? p->msg : "",
		    p ? ": " : "", s.broken_why);
	} else {
		for (int t = 0; t < 3; t++)
			walk(a, &s, walked_types[t], now, usedns, &w[t]);
		policy_check(a, &s, now, usedns);
	}
	for (size_t i = 0; i < s.nprob; i++)
		if (!s.broken || s.prob[i].type != CVM_PAMT_ANY)
			syntax_finding(a, &s.prob[i], w);
	for (int t = 0; t < 3; t++) {
		free(w[t].ran);
		free(w[t].contrib);
	}
	/* a pass for each check that ran and found nothing */
	{
		static const char *const ids[] = {
			"PAM-NOLOGIN", "PAM-MODULE-MISSING", "PAM-SYNTAX",
		};
		static const char *const user_ids[] = {
			"PAM-ACCESS-DENY", "PAM-LISTFILE-DENY",
			"PAM-FAILLOCK-LOCKED", "PAM-SUCCEED-IF-DENY", "PAM-TIME-DENY",
		};
		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			int found = 0;

			for (size_t j = before; j < a->n; j++)
				found |= strcmp(a->f[j].check->id, ids[i]) == 0;
			if (!found)
				cvm_audit_pass(a, ids[i]);
		}
		for (size_t i = 0; a->user != NULL &&
		    i < sizeof(user_ids) / sizeof(user_ids[0]); i++) {
			int found = 0;

			for (size_t j = before; j < a->n; j++)
				found |= strcmp(a->f[j].check->id, user_ids[i]) == 0;
			if (!found)
				cvm_audit_pass(a, user_ids[i]);
		}
	}
	cvm_pam_stack_free(&s);
}
