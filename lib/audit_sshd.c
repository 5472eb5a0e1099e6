/* `cvmkey audit`, step 3 from the effective sshd_config (lib/sshdcfg.c, the
 * one reader), the cvmkey wiring (POLICY-AKC-MISSING, -CERT-USERS,
 * -AUDIT-MODE) and step 9 CVM-ID-COLLISION. */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "audit.h"
#include "audit_acct.h"
#include "db.h"
#include "match.h"
#include "policy.h"
#include "sshdcfg.h"

/* The file:line to show for a keyword: where its value came from, or the
 * main config for a default (that is where the admin adds the line). */
static const char *
origin(const struct cvm_audit *a, const char *kw, int *line)
{
	const char *f = cvm_sshd_origin(a->sshd, kw, line);

	if (f == NULL) {
		*line = 0;
		return a->sshd_config;
	}
	return f;
}

static void
flag_check(struct cvm_audit *a, const char *id, const char *kw, int bad,
    unsigned blocks, enum cvm_sev sev, const char *fix, const char *what)
{
	const char *file;
	int line;

	if (cvm_sshd_flag(a->sshd, kw) != bad) {
		cvm_audit_pass(a, id);
		return;
	}
	file = origin(a, kw, &line);
	cvm_audit_add(a, id, sev, blocks, file, line, fix, "%s", what);
}

/* sshd's allowed_user() order (auth.c): DenyUsers, AllowUsers, DenyGroups,
 * AllowGroups; the first that refuses decides. */
static void
user_denied(struct cvm_audit *a)
{
	static const char *const kws[] = { "denyusers", "allowusers",
	    "denygroups", "allowgroups" };
	const char *host = a->from, *file;
	int line;

	if (a->user == NULL)
		return;
	for (size_t k = 0; k < 4; k++) {
		size_t n = cvm_sshd_count(a->sshd, kws[k]), i;
		int users = k < 2, deny = (k % 2) == 0, hit = 0, unsure = 0;

		if (n == 0)
			continue;
		for (i = 0; i < n && !hit; i++) {
			const char *pat = cvm_sshd_value(a->sshd, kws[k], i);

			if (users) {
				if (strchr(pat, '@') != NULL && host == NULL) {
					unsure = 1;	/* needs the client address */
					continue;
				}
				hit = cvm_match_user(a->user, host, host, pat) == 1;
			} else
				for (size_t g = 0; g < a->ngroups && !hit; g++)
					hit = cvm_match_pattern(a->groups[g], pat);
		}
		if (hit == deny && !(unsure && !deny)) {
			char fix[128];

			file = origin(a, kws[k], &line);
			snprintf(fix, sizeof(fix), "edit the %s line%s", kws[k],
			    deny ? "" : " to include the user");
			cvm_audit_add(a, "SSHD-USER-DENIED", cvm_audit_sev(a,
			    CVM_M_ALL), CVM_M_ALL, file, line, fix, "%s %s %s",
			    a->user, deny ? "matches" : "matches no entry of",
			    kws[k]);
			return;
		}
	}
	cvm_audit_pass(a, "SSHD-USER-DENIED");
}

static void
root_login(struct cvm_audit *a)
{
	const char *v = cvm_sshd_get(a->sshd, "permitrootlogin");
	const char *file;
	unsigned b = 0;
	int line;

	if (v == NULL)
		return;
	file = origin(a, "permitrootlogin", &line);
	if (strcmp(v, "yes") == 0)
		cvm_audit_add(a, "SSHD-ROOT-LOGIN", CVM_SEV_WARN, 0, file, line,
		    "PermitRootLogin prohibit-password", "root may log in "
		    "with a password");
	else
		cvm_audit_pass(a, "SSHD-ROOT-LOGIN");
	if (a->user == NULL || a->pw == NULL || a->pw->pw_uid != 0)
		return;
	if (strcmp(v, "no") == 0)
		b = CVM_M_ALL;
	else if (strcmp(v, "without-password") == 0 ||
	    strcmp(v, "forced-commands-only") == 0)
		b = CVM_M_PASSWORD | (strcmp(v, "forced-commands-only") == 0 ?
		    CVM_M_PUBKEY : 0);
	if (b != 0)
		cvm_audit_add(a, "SSHD-ROOT-DENIED", cvm_audit_sev(a, b), b, file,
		    line, "log in as another user and use sudo",
		    "PermitRootLogin %s refuses %s for root%s", v,
		    b == CVM_M_ALL ? "every method" : "passwords",
		    (b & CVM_M_PUBKEY) ? " (keys only with a forced command)" : "");
}

static void
methods(struct cvm_audit *a)
{
	int pw = cvm_sshd_flag(a->sshd, "passwordauthentication") == 1;
	int kbd = cvm_sshd_flag(a->sshd, "kbdinteractiveauthentication") == 1 &&
	    cvm_sshd_flag(a->sshd, "usepam") == 1;
	const char *am = cvm_sshd_get(a->sshd, "authenticationmethods");
	const char *file;
	int line;

	if (!pw && !kbd) {
		file = origin(a, "passwordauthentication", &line);
		cvm_audit_add(a, "SSHD-PASSWORD-OFF", CVM_SEV_INFO,
		    CVM_M_PASSWORD, file, line, "PasswordAuthentication yes, if "
		    "password logins are wanted", "PasswordAuthentication and "
		    "KbdInteractiveAuthentication (with UsePAM) are off: no "
		    "password login");
	} else
		cvm_audit_pass(a, "SSHD-PASSWORD-OFF");
	if (am != NULL && strcmp(am, "any") != 0) {
		/* A list made of one method alone lets that method in. */
		int pk_alone = 0, pw_alone = 0;
		char *dup = strdup(am), *l, *save = NULL;

		if (dup == NULL) {
			a->oom = 1;
			return;
		}
		for (l = strtok_r(dup, " ", &save); l; l = strtok_r(NULL, " ", &save)) {
			pk_alone |= strcmp(l, "publickey") == 0;
			pw_alone |= strcmp(l, "password") == 0 ||
			    strncmp(l, "keyboard-interactive", 20) == 0;
		}
		free(dup);
		file = origin(a, "authenticationmethods", &line);
		if (!pk_alone || !pw_alone) {
			unsigned b = (pk_alone ? 0 : CVM_M_PUBKEY) |
			    (pw_alone ? 0 : CVM_M_PASSWORD);

			cvm_audit_add(a, "SSHD-METHODS", CVM_SEV_INFO, b, file, line,
			    NULL, "AuthenticationMethods %s: %s alone does not "
			    "log in", am, b == CVM_M_ALL ? "neither method" :
			    b == CVM_M_PUBKEY ? "a key" : "a password");
			return;
		}
	}
	cvm_audit_pass(a, "SSHD-METHODS");
}

/* sshd's safe_path() for the AuthorizedKeysCommand program (misc.c, used
 * by subprocess()): the file and every directory above it root-owned and
 * not group/world-writable.  NULL when fine, else why. */
static const char *
unsafe_program(const struct cvm_audit *a, const char *akc, char *why, size_t wl)
{
	char buf[PATH_MAX], *sl;
	size_t n = strcspn(akc, " \t");
	struct stat st;

	if (akc[0] != '/') {
		snprintf(why, wl, "the program path is not absolute");
		return why;
	}
	if (n >= sizeof(buf))
		return NULL;
	memcpy(buf, akc, n);
	buf[n] = '\0';
	if (cvm_root_stat(&a->root, buf, &st, 1) != 0) {
		snprintf(why, wl, "%s: %s", buf, strerror(errno));
		return why;
	}
	for (;;) {
		if (st.st_uid != 0 || (st.st_mode & 022)) {
			snprintf(why, wl, "%s is not root-owned or is group/"
			    "world-writable: sshd refuses to run it", buf);
			return why;
		}
		if ((sl = strrchr(buf, '/')) == NULL || strcmp(buf, "/") == 0)
			return NULL;
		if (sl == buf)
			sl[1] = '\0';
		else
			*sl = '\0';
		if (cvm_root_stat(&a->root, buf, &st, 1) != 0)
			return NULL;
	}
}

/* Whether the tree's database has bindings (any account with a key), and
 * CVM-ID-COLLISION for its provisioned accounts and groups against the
 * tree's own passwd/group files. */
static int
db_scan(struct cvm_audit *a, int *user_has_keys)
{
	char path[PATH_MAX], err[256];
	struct cvm_db *db;
	const struct cvm_db_header *h;
	int bound = 0, coll = 0;

	*user_has_keys = 0;
	if (cvm_root_join(&a->root, a->conf->db, path, sizeof(path)) == NULL ||
	    cvm_db_open(path, 1, &db, err, sizeof(err)) != CVM_DB_OK)
		return 0;
	h = cvm_db_header(db);
	for (uint32_t i = 0; i < h->nusers; i++) {
		struct cvm_db_user u;

		if (cvm_db_user_at(db, i, &u) != CVM_DB_OK)
			continue;
		if (u.nkeys > 0) {
			bound = 1;
			if (a->user && a->pw && strcmp(u.name, a->pw->pw_name) == 0)
				*user_has_keys = 1;
		}
		if ((u.flags & CVM_DBU_PROVISIONED) &&
		    (cvm_audit_files_has(&a->root, 0, u.name, ULONG_MAX) == 1 ||
		    cvm_audit_files_has(&a->root, 0, NULL, u.uid) == 1)) {
			coll++;
			cvm_audit_add(a, "CVM-ID-COLLISION", CVM_SEV_WARN, 0,
			    "/etc/passwd", 0, "remove one of the two (cvmkey "
			    "unbind --all, or userdel)", "cvmkey's account %s "
			    "(uid %u) also resolves from /etc/passwd: which one a "
			    "process sees depends on nsswitch.conf's order",
			    u.name, u.uid);
		}
		cvm_db_user_free(&u);
	}
	for (uint32_t i = 0; i < h->ngroups; i++) {
		struct cvm_db_group g;

		if (cvm_db_group_at(db, i, &g) != CVM_DB_OK)
			continue;
		if (cvm_audit_files_has(&a->root, 1, g.name, ULONG_MAX) == 1 ||
		    cvm_audit_files_has(&a->root, 1, NULL, g.gid) == 1) {
			coll++;
			cvm_audit_add(a, "CVM-ID-COLLISION", CVM_SEV_WARN, 0,
			    "/etc/group", 0, "remove one of the two",
			    "cvmkey's group %s (gid %u) also resolves from "
			    "/etc/group", g.name, g.gid);
		}
		cvm_db_group_free(&g);
	}
	cvm_db_close(db);
	if (coll == 0)
		cvm_audit_pass(a, "CVM-ID-COLLISION");
	return bound;
}

static void
wiring(struct cvm_audit *a)
{
	const char *akc = cvm_sshd_get(a->sshd, "authorizedkeyscommand");
	const char *ca = cvm_sshd_get(a->sshd, "trustedusercakeys");
	const char *file, *bad = NULL;
	char why[PATH_MAX + 96];
	int line, user_keys, bound = db_scan(a, &user_keys);

	if (bound) {
		if (akc == NULL || !cvm_akc_is_ours(akc))
			bad = "the effective AuthorizedKeysCommand is not "
			    "`cvmkey authorized-keys %u`: sshd never sees the "
			    "bound keys";
		else
			bad = unsafe_program(a, akc, why, sizeof(why));
	}
	if (bad != NULL) {
		unsigned b = user_keys ? CVM_M_PUBKEY : 0;

		file = origin(a, "authorizedkeyscommand", &line);
		cvm_audit_add(a, "POLICY-AKC-MISSING", CVM_SEV_FAIL, b, file,
		    line, "copy /usr/share/doc/cvmkey/examples/sshd_config.d/"
		    "cvmkey.conf into /etc/ssh/sshd_config.d/ and reload sshd",
		    "the database has bindings but %s (AuthorizedKeysCommand "
		    "%s)", bad, akc ? akc : "none");
	} else
		cvm_audit_pass(a, "POLICY-AKC-MISSING");
	if (ca != NULL && strcasecmp(ca, "none") != 0) {
		file = origin(a, "trustedusercakeys", &line);
		cvm_audit_add(a, "POLICY-CERT-USERS", CVM_SEV_INFO, 0, file, line,
		    NULL, "TrustedUserCAKeys %s: users who log in by "
		    "certificate have no bound key, so the policy never "
		    "refuses their passwords", ca);
	} else
		cvm_audit_pass(a, "POLICY-CERT-USERS");
	if (a->conf->policy == CVM_POLICY_AUDIT)
		cvm_audit_add(a, "POLICY-AUDIT-MODE", CVM_SEV_INFO, 0,
		    a->conf_path, 0, "set policy = bound in cvmkey.conf once "
		    "the would_refuse log lines are as expected",
		    "policy = audit: pam_cvmkey logs what it would refuse and "
		    "refuses nothing");
}

void
cvm_audit_sshd(struct cvm_audit *a)
{
	if (a->sshd == NULL)
		return;	/* SSHD-CONFIG-ERROR was reported by the caller */
	for (size_t i = 0; i < cvm_sshd_nproblems(a->sshd); i++) {
		const char *file;
		int line, kind = cvm_sshd_problem_info(a->sshd, i, &file, &line);

		if (kind == CVM_SSHD_PROBLEM_INCLUDE_MISSING)
			cvm_audit_add(a, "SSHD-INCLUDE-MISSING", CVM_SEV_WARN, 0,
			    file, line, "create the file or remove the Include",
			    "%s", cvm_sshd_problem(a->sshd, i));
	}
	if (!cvm_audit_has(a, "SSHD-INCLUDE-MISSING", CVM_SEV_WARN))
		cvm_audit_pass(a, "SSHD-INCLUDE-MISSING");
	cvm_audit_pass(a, "SSHD-CONFIG-ERROR");
	flag_check(a, "SSHD-PUBKEY-OFF", "pubkeyauthentication", 0, CVM_M_PUBKEY,
	    cvm_audit_sev(a, CVM_M_PUBKEY), "PubkeyAuthentication yes",
	    "PubkeyAuthentication no: sshd accepts no key");
	flag_check(a, "SSHD-USEPAM-OFF", "usepam", 0, 0, CVM_SEV_WARN,
	    "UsePAM yes", "UsePAM no: sshd checks passwords itself and "
	    "pam_cvmkey never runs");
	flag_check(a, "SSHD-EMPTY-PASSWORDS", "permitemptypasswords", 1, 0,
	    CVM_SEV_WARN, "PermitEmptyPasswords no",
	    "PermitEmptyPasswords yes: an account without a password logs "
	    "in with none");
	root_login(a);
	user_denied(a);
	methods(a);
	wiring(a);
}
