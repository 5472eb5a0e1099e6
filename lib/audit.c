/* The audit catalogue and findings list: see audit.h. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"

/* DESIGN §6, in checklist order.  IDs are stable: never rename one. */
const struct cvm_check cvm_checks[] = {
	{ "KEY-NONE", 1, "no valid bound key" },
	{ "KEY-UNUSABLE", 1, "bound keys sshd would not accept" },
	{ "KEY-WEAK", 1, "weak bound key (DSA or RSA < 2048 bits)" },
	{ "KEY-SYNTAX", 1, "unparseable authorized_keys lines" },
	{ "KEY-PERMS", 1, "ownership or mode StrictModes rejects" },
	{ "KEY-ALGO-REFUSED", 1, "key type not in PubkeyAcceptedAlgorithms" },
	{ "SSHD-PUBKEY-OFF", 3, "PubkeyAuthentication is off" },
	{ "SSHD-USEPAM-OFF", 3, "UsePAM is off: the PAM policy cannot act" },
	{ "SSHD-EMPTY-PASSWORDS", 3, "PermitEmptyPasswords is on" },
	{ "SSHD-ROOT-LOGIN", 3, "PermitRootLogin yes" },
	{ "SSHD-USER-DENIED", 3, "AllowUsers/DenyUsers/AllowGroups/DenyGroups exclude the user" },
	{ "SSHD-CONFIG-ERROR", 3, "sshd_config line sshd would reject" },
	{ "SSHD-INCLUDE-MISSING", 3, "Include names a file that does not exist" },
	{ "SSHD-PASSWORD-OFF", 3, "password authentication is off in sshd" },
	{ "SSHD-ROOT-DENIED", 3, "PermitRootLogin refuses this login for root" },
	{ "SSHD-METHODS", 3, "AuthenticationMethods needs more than this method" },
	{ "POLICY-NOT-ENFORCED", 3, "password login reachable without pam_cvmkey" },
	{ "POLICY-KEY-BOUND", 3, "password login refused: a key is bound" },
	{ "POLICY-AKC-MISSING", 3, "bindings exist but sshd does not run cvmkey authorized-keys" },
	{ "POLICY-CERT-USERS", 3, "certificate users are not covered by the policy" },
	{ "POLICY-AUDIT-MODE", 3, "policy is audit: nothing is refused yet" },
	{ "POLICY-ERROR", 3, "the policy cannot decide (on_error applies)" },
	{ "NET-LINK-DOWN", 4, "no non-loopback interface is up" },
	{ "NET-NO-ADDR", 4, "no global address on an up interface" },
	{ "SSHD-NOT-RUNNING", 5, "no sshd process" },
	{ "SSHD-CMDLINE-OVERRIDE", 5, "sshd command line overrides sshd_config" },
	{ "SSHD-NOT-LISTENING", 5, "configured Port/ListenAddress not listening" },
	{ "SSHD-HOSTKEY", 5, "host key missing, unreadable or exposed" },
	{ "FW-SSH-BLOCKED", 6, "firewall drops new SSH connections" },
	{ "FW-SSH-INDETERMINATE", 6, "firewall verdict for SSH cannot be decided offline" },
	{ "TCPW-DENY", 7, "tcp_wrappers deny sshd" },
	{ "TCPW-INDETERMINATE", 7, "tcp_wrappers verdict depends on DNS or host names" },
	{ "TCPW-INERT", 7, "tcp_wrappers rules name sshd but sshd does not use libwrap" },
	{ "PAM-NOLOGIN", 8, "nologin file blocks non-root logins" },
	{ "PAM-ACCESS-DENY", 8, "pam_access denies the user" },
	{ "PAM-LISTFILE-DENY", 8, "pam_listfile denies the user" },
	{ "PAM-FAILLOCK-LOCKED", 8, "user locked out by pam_faillock" },
	{ "PAM-SUCCEED-IF-DENY", 8, "pam_succeed_if refuses the user" },
	{ "PAM-TIME-DENY", 8, "pam_time refuses the user now" },
	{ "PAM-MODULE-MISSING", 8, "PAM module not installed" },
	{ "PAM-SYNTAX", 8, "malformed PAM line or missing include" },
	{ "ACCT-UNKNOWN", 8, "no such user" },
	{ "ACCT-LOCKED", 8, "password locked" },
	{ "ACCT-EXPIRED", 8, "account expired" },
	{ "ACCT-SHELL", 8, "login shell missing, not in /etc/shells, or nologin" },
	{ "ACCT-NO-HOME", 8, "home directory missing" },
	{ "SYS-RESCUE-TARGET", 9, "default target is rescue/emergency/single-user" },
	{ "SYS-SSHD-DISABLED", 9, "ssh is not started at boot" },
	{ "CVM-ID-COLLISION", 9, "a cvmkey name or id also resolves from another source" },
};
const size_t cvm_nchecks = sizeof(cvm_checks) / sizeof(cvm_checks[0]);

const struct cvm_check *
cvm_check_find(const char *id)
{
	size_t i;

	for (i = 0; i < cvm_nchecks; i++)
		if (strcmp(cvm_checks[i].id, id) == 0)
			return &cvm_checks[i];
	return NULL;
}

const char *
cvm_sev_name(enum cvm_sev s)
{
	static const char *const names[] = { "pass", "info", "warn", "fail" };

	return (unsigned)s < 4 ? names[s] : "?";
}

enum cvm_sev
cvm_audit_sev(const struct cvm_audit *a, unsigned blocks)
{
	unsigned all = a->user ? a->methods : CVM_M_ALL;

	return all != 0 && (blocks & all) == all ? CVM_SEV_FAIL : CVM_SEV_WARN;
}

static int
push(struct cvm_audit *a, const struct cvm_check *c, enum cvm_sev sev,
    unsigned blocks, const char *file, int line, const char *fix, char *detail)
{
	struct cvm_finding *nf, *f;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		if ((nf = realloc(a->f, cap * sizeof(*nf))) == NULL)
			goto oom;
		a->f = nf;
		a->cap = cap;
	}
	f = &a->f[a->n];
	memset(f, 0, sizeof(*f));
	f->check = c;
	f->sev = sev;
	f->blocks = blocks;
	f->line = file ? line : 0;
	f->detail = detail;
	if ((file && (f->file = strdup(file)) == NULL) ||
	    (fix && (f->fix = strdup(fix)) == NULL)) {
		free(f->file);
		free(f->fix);
		goto oom;
	}
	a->n++;
	return 0;
oom:
	free(detail);
	a->oom = 1;
	return -1;
}

void
cvm_audit_add(struct cvm_audit *a, const char *id, enum cvm_sev sev,
    unsigned blocks, const char *file, int line, const char *fix,
    const char *fmt, ...)
{
	const struct cvm_check *c = cvm_check_find(id);
	va_list ap;
	char *detail;

	if (c == NULL) {
		fprintf(stderr, "cvmkey: internal: unknown check ID %s\n", id);
		abort();
	}
	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0) {
		a->oom = 1;
		va_end(ap);
		return;
	}
	va_end(ap);
	(void)push(a, c, sev, blocks, file, line, fix, detail);
}

void
cvm_audit_pass(struct cvm_audit *a, const char *id)
{
	cvm_audit_add(a, id, CVM_SEV_PASS, 0, NULL, 0, NULL, "%s", "");
}

int
cvm_audit_has(const struct cvm_audit *a, const char *id, enum cvm_sev sev)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->f[i].sev >= sev && strcmp(a->f[i].check->id, id) == 0)
			return 1;
	return 0;
}

void
cvm_audit_free(struct cvm_audit *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->f[i].detail);
		free(a->f[i].file);
		free(a->f[i].fix);
	}
	free(a->f);
	a->f = NULL;
	a->n = a->cap = 0;
}

static int
nstrcmp(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return (x != NULL) - (y != NULL);
	return strcmp(x, y);
}

static int
finding_cmp(const void *pa, const void *pb)
{
	const struct cvm_finding *x = pa, *y = pb;
	int r;

	if (x->check->step != y->check->step)
		return x->check->step < y->check->step ? -1 : 1;
	if (x->check != y->check)
		return x->check < y->check ? -1 : 1;
	if ((r = nstrcmp(x->file, y->file)) != 0)
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->sev != y->sev)
		return x->sev > y->sev ? -1 : 1;
	return strcmp(x->detail, y->detail);
}

void
cvm_audit_sort(struct cvm_audit *a)
{
	if (a->n > 1)
		qsort(a->f, a->n, sizeof(*a->f), finding_cmp);
}
