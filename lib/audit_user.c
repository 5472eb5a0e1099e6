/* `cvmkey audit --user`: the account (step 8 ACCT-*), its keys (step 1
 * KEY-*) and the policy's answer for a password login (POLICY-KEY-BOUND),
 * through cvm_decide(), the PAM module's own decision.  Keys are read
 * through the audited tree as root; the StrictModes walk of sshd's
 * auth_secure_path() (auth.c) decides whether sshd would read a file at
 * all, and a file it would refuse contributes no key, as in sshd. */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include "audit.h"
#include "audit_acct.h"
#include "db.h"
#include "evaluate.h"
#include "keysrc.h"
#include "policy.h"
#include "sshdcfg.h"

#define AK_CAP (4u << 20)
#define DEFAULT_AKFILES ".ssh/authorized_keys .ssh/authorized_keys2"

static const char *
sshd_get(const struct cvm_audit *a, const char *kw, const char *dflt)
{
	const char *v = a->sshd ? cvm_sshd_get(a->sshd, kw) : NULL;

	return v ? v : dflt;
}

static int
sshd_flag(const struct cvm_audit *a, const char *kw, int dflt)
{
	int v = a->sshd ? cvm_sshd_flag(a->sshd, kw) : -1;

	return v < 0 ? dflt : v;
}

/* ---- account (step 8) ---- */

static void
check_password(struct cvm_audit *a, const struct cvm_audit_acct *ac)
{
	const char *pwd = ac->has_shadow ? ac->sp_pwdp : ac->pw.pw_passwd;
	const char *file = ac->has_shadow ? "/etc/shadow" : ac->source;
	const char *u = ac->pw.pw_name;
	unsigned blocks = CVM_M_PASSWORD;
	char fix[160];

	if (pwd == NULL)
		return;
	if (ac->provisioned) {
		cvm_audit_add(a, "ACCT-LOCKED", CVM_SEV_INFO, CVM_M_PASSWORD,
		    file, 0, NULL, "%s was provisioned by cvmkey with no "
		    "password ('*'): it logs in by key only, by design", u);
		return;
	}
	if (pwd[0] == '!') {
		/* sshd without PAM refuses a locked account outright
		 * (auth.c allowed_user, LOCKED_PASSWD_PREFIX "!"); with PAM a
		 * key still gets in. */
		if (!sshd_flag(a, "usepam", 1))
			blocks |= CVM_M_PUBKEY;
		snprintf(fix, sizeof(fix), "usermod -U %s (or set a password "
		    "with passwd %s)", u, u);
		cvm_audit_add(a, "ACCT-LOCKED", cvm_audit_sev(a, blocks), blocks,
		    file, 0, fix, "the password of %s is locked (its hash "
		    "starts with '!')%s", u, (blocks & CVM_M_PUBKEY) ?
		    "; with UsePAM no sshd refuses keys for it too" : "");
	} else if (pwd[0] == '*' || (pwd[0] != '\0' && pwd[0] != '$' &&
	    strlen(pwd) != 13)) {
		snprintf(fix, sizeof(fix), "passwd %s, if a password login is "
		    "wanted", u);
		cvm_audit_add(a, "ACCT-LOCKED", cvm_audit_sev(a, blocks), blocks,
		    file, 0, fix, "%s has no usable password hash (\"%.8s\"): "
		    "no password can match", u, pwd);
	} else if (pwd[0] == '\0' && !sshd_flag(a, "permitemptypasswords", 0)) {
		snprintf(fix, sizeof(fix), "passwd %s", u);
		cvm_audit_add(a, "ACCT-LOCKED", cvm_audit_sev(a, blocks), blocks,
		    file, 0, fix, "%s has an empty password and "
		    "PermitEmptyPasswords is no: sshd refuses it", u);
	} else
		cvm_audit_pass(a, "ACCT-LOCKED");
}

static void
check_expiry(struct cvm_audit *a, const struct cvm_audit_acct *ac)
{
	long today = (long)(time(NULL) / 86400);
	const char *u = ac->pw.pw_name;
	char fix[128];

	if (!ac->has_shadow) {
		cvm_audit_pass(a, "ACCT-EXPIRED");
		return;
	}
	/* pam_unix's check_shadow_expiry(): an expire day of 0 counts too. */
	if (ac->sp_expire >= 0 && today >= ac->sp_expire) {
		snprintf(fix, sizeof(fix), "chage -E -1 %s", u);
		cvm_audit_add(a, "ACCT-EXPIRED", cvm_audit_sev(a, CVM_M_ALL),
		    CVM_M_ALL, "/etc/shadow", 0, fix, "the account %s expired "
		    "on day %ld (today is day %ld since 1970)", u,
		    ac->sp_expire, today);
	} else if (ac->sp_max >= 0 && ac->sp_inact >= 0 && ac->sp_lstchg > 0 &&
	    today - ac->sp_lstchg > ac->sp_max + ac->sp_inact) {
		snprintf(fix, sizeof(fix), "chage -d $(date +%%F) %s (then "
		    "set a new password)", u);
		cvm_audit_add(a, "ACCT-EXPIRED", cvm_audit_sev(a, CVM_M_ALL),
		    CVM_M_ALL, "/etc/shadow", 0, fix, "the password of %s "
		    "expired and the inactivity period (%ld days) is over: "
		    "pam_unix refuses every login", u, ac->sp_inact);
	} else
		cvm_audit_pass(a, "ACCT-EXPIRED");
}

static int
in_shells(const struct cvm_audit *a, const char *shell)
{
	char *buf, *line, *save = NULL;
	size_t len;
	int found = 0;

	if (cvm_root_read(&a->root, "/etc/shells", 1u << 20, &buf, &len) != 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line && !found;
	    line = strtok_r(NULL, "\n", &save))
		found = line[0] != '#' && strcmp(line, shell) == 0;
	free(buf);
	return found;
}

static void
check_shell(struct cvm_audit *a, const struct cvm_audit_acct *ac)
{
	const char *shell = *ac->pw.pw_shell ? ac->pw.pw_shell : "/bin/sh";
	const char *base = strrchr(shell, '/'), *u = ac->pw.pw_name;
	struct stat st;
	char fix[160];

	base = base ? base + 1 : shell;
	snprintf(fix, sizeof(fix), "usermod -s /bin/bash %s", u);
	/* sshd's allowed_user() refuses a shell that is not an executable
	 * regular file, whatever the method. */
	if (cvm_root_stat(&a->root, shell, &st, 1) != 0 || !S_ISREG(st.st_mode) ||
	    !(st.st_mode & 0111)) {
		cvm_audit_add(a, "ACCT-SHELL", cvm_audit_sev(a, CVM_M_ALL),
		    CVM_M_ALL, ac->source, 0, fix, "the shell of %s, %s, is "
		    "not an executable file: sshd refuses the user", u, shell);
	} else if (strcmp(base, "nologin") == 0 || strcmp(base, "false") == 0) {
		cvm_audit_add(a, "ACCT-SHELL", cvm_audit_sev(a, CVM_M_ALL),
		    CVM_M_ALL, ac->source, 0, fix, "the shell of %s is %s: "
		    "the session ends as soon as it starts", u, shell);
	} else if (in_shells(a, shell) == 0) {
		cvm_audit_add(a, "ACCT-SHELL", CVM_SEV_WARN, 0, "/etc/shells", 0,
		    "add it to /etc/shells, or pick a listed shell",
		    "the shell of %s, %s, is not in /etc/shells (pam_shells "
		    "and some daemons refuse it)", u, shell);
	} else
		cvm_audit_pass(a, "ACCT-SHELL");
}

static void
check_home(struct cvm_audit *a, const struct cvm_audit_acct *ac)
{
	struct stat st;

	if (cvm_root_stat(&a->root, ac->pw.pw_dir, &st, 1) == 0 &&
	    S_ISDIR(st.st_mode)) {
		cvm_audit_pass(a, "ACCT-NO-HOME");
		return;
	}
	cvm_audit_add(a, "ACCT-NO-HOME", CVM_SEV_WARN, 0, ac->source, 0,
	    "create it (mkhomedir_helper USER), or add pam_mkhomedir to the "
	    "session stack", "the home directory of %s, %s, does not exist: "
	    "sshd starts the session in / and finds no ~/.ssh keys",
	    ac->pw.pw_name, ac->pw.pw_dir);
}

/* ---- keys (step 1) ---- */

/* sshd's auth_secure_path(): the file and each directory up to the home
 * (or /) owned by root or the user and not group/world-writable.
 * 0 fine, 1 file absent, -1 refused (why set). */
static int
secure_path(const struct cvm_audit *a, const char *path, uid_t uid,
    const char *home, char *why, size_t wl)
{
	char buf[PATH_MAX], *sl;
	struct stat st;

	if (cvm_root_stat(&a->root, path, &st, 1) != 0)
		return errno == ENOENT ? 1 : (snprintf(why, wl, "%s: %s", path,
		    strerror(errno)), -1);
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, wl, "%s is not a regular file", path);
		return -1;
	}
	if ((st.st_uid != 0 && st.st_uid != uid) || (st.st_mode & 022)) {
		snprintf(why, wl, "bad ownership or modes for file %s (owner "
		    "%u, mode %03o)", path, (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 0777));
		return -1;
	}
	if (cvm_strlcpy(buf, path, sizeof(buf)) >= sizeof(buf))
		return -1;
	while ((sl = strrchr(buf, '/')) != NULL) {
		if (sl == buf)
			sl[1] = '\0';
		else
			*sl = '\0';
		if (cvm_root_stat(&a->root, buf, &st, 1) != 0)
			break;
		if ((st.st_uid != 0 && st.st_uid != uid) || (st.st_mode & 022)) {
			snprintf(why, wl, "bad ownership or modes for directory "
			    "%s (owner %u, mode %03o)", buf, (unsigned)st.st_uid,
			    (unsigned)(st.st_mode & 0777));
			return -1;
		}
		if (strcmp(buf, home) == 0 || strcmp(buf, "/") == 0)
			break;
	}
	return 0;
}

struct permsbad {
	char file[PATH_MAX];
	char why[PATH_MAX + 96];
};

static int
gather(struct cvm_audit *a, const struct cvm_audit_acct *ac,
    struct cvm_keyset *ks, struct permsbad *pb, size_t *npb)
{
	struct cvm_creds cr = { ac->pw.pw_name, ac->pw.pw_uid, ac->pw.pw_gid,
	    ac->pw.pw_dir, ac->gids, ac->ngids };
	const char *akfiles = sshd_get(a, "authorizedkeysfile", DEFAULT_AKFILES);
	const char *revoked = sshd_get(a, "revokedkeys", "none");
	int strict = sshd_flag(a, "strictmodes", 1);
	char path[PATH_MAX], why[PATH_MAX + 96];
	struct cvm_strv files = { NULL, 0 };
	size_t len;
	char *buf;
	int ret = -1;

	if (strcasecmp(revoked, "none") != 0 &&
	    cvm_keys_load_revoked(ks, cvm_root_join(&a->root, revoked, path,
	    sizeof(path)) ? path : revoked) != 0)
		return -1;
	if (a->sshd)
		cvm_akc_check(a->sshd, &a->root, ks);
	if (cvm_root_join(&a->root, a->conf->db, path, sizeof(path)) == NULL ||
	    cvm_keys_from_db(ks, path, 1, ac->pw.pw_name) != 0)
		return -1;
	if (strcasecmp(akfiles, "none") == 0)
		return 0;
	if (cvm_strv_split(&files, akfiles, " ") != 0)
		return -1;
	for (size_t i = 0; i < files.n; i++) {
		char *f = cvm_akfile_expand(files.v[i], &cr);
		int st;

		if (f == NULL)
			continue;
		st = strict ? secure_path(a, f, ac->pw.pw_uid, ac->pw.pw_dir,
		    why, sizeof(why)) : 0;
		if (st < 0 && *npb < 8) {
			cvm_strlcpy(pb[*npb].file, f, sizeof(pb[*npb].file));
			cvm_strlcpy(pb[*npb].why, why, sizeof(pb[*npb].why));
			(*npb)++;
		}
		if (st == 0 && cvm_root_read(&a->root, f, AK_CAP, &buf, &len) == 0) {
			int r = cvm_keys_from_text(ks, CVM_SRC_AK, f, buf, len);

			free(buf);
			if (r != 0) {
				free(f);
				goto out;
			}
		}
		free(f);
	}
	ret = 0;
out:
	cvm_strv_free(&files);
	return ret;
}

static void
key_findings(struct cvm_audit *a, const struct cvm_keyset *ks,
    const struct cvm_decision *d, const struct permsbad *pb, size_t npb)
{
	unsigned pkblock = d->nusable == 0 ? CVM_M_PUBKEY : 0;
	size_t nparsed = 0, nweak = 0, nalgo = 0, nunusable = 0, nsyntax = 0;
	const char *u = a->user;

	for (size_t i = 0; i < ks->n; i++) {
		const struct cvm_key *k = &ks->k[i];
		const char *file = k->file ? k->file : a->conf->db;
		int line = k->file ? (int)k->line : 0;
		char err[160];

		if (!k->parsed) {
			nsyntax++;
			cvm_audit_add(a, "KEY-SYNTAX", CVM_SEV_WARN, 0, file, line,
			    "fix or remove the line", "%s", k->parse_error ?
			    k->parse_error : "unparseable key");
			continue;
		}
		nparsed++;
		if (!cvm_key_bindable(&k->key, err, sizeof(err))) {
			nweak++;
			cvm_audit_add(a, "KEY-WEAK", CVM_SEV_WARN, 0, file, line,
			    "replace it with an Ed25519 key (ssh-keygen -t "
			    "ed25519)", "%s %s: %s", k->key.type,
			    k->label ? k->label : "", err);
		}
		if (k->usable)
			continue;
		nunusable++;
		if (strstr(k->problem, "PubkeyAcceptedAlgorithms") != NULL ||
		    strstr(k->problem, "RequiredRSASize") != NULL) {
			nalgo++;
			cvm_audit_add(a, "KEY-ALGO-REFUSED", cvm_audit_sev(a,
			    pkblock), pkblock, file, line, "bind a key of an "
			    "accepted type (Ed25519), or widen "
			    "PubkeyAcceptedAlgorithms", "%s", k->problem);
		}
		cvm_audit_add(a, "KEY-UNUSABLE", d->nusable == 0 ? CVM_SEV_FAIL :
		    CVM_SEV_WARN, pkblock, file, line, "see the problem: fix "
		    "the key or sshd_config, or unbind the key",
		    "%s key %s%s%s: %s", k->source == CVM_SRC_DB ? "bound" :
		    "authorized_keys", k->key.type, k->label ? " " : "",
		    k->label ? k->label : "", k->problem);
	}
	for (size_t i = 0; i < ks->notes.n; i++) {
		const char *nt = ks->notes.v[i], *c;
		char file[PATH_MAX];
		size_t nd = 0;

		/* "file:line: reason" notes are lines sshd skips */
		for (c = strchr(nt, ':'); c != NULL; c = strchr(c + 1, ':')) {
			nd = strspn(c + 1, "0123456789");
			if (nd > 0 && c[1 + nd] == ':' && (size_t)(c - nt) < sizeof(file))
				break;
		}
		if (c == NULL)
			continue;
		memcpy(file, nt, (size_t)(c - nt));
		file[c - nt] = '\0';
		nsyntax++;
		cvm_audit_add(a, "KEY-SYNTAX", CVM_SEV_WARN, 0, file, atoi(c + 1),
		    "fix or remove the line", "%s", c + 1 + nd + 1 +
		    (c[1 + nd + 1] == ' '));
	}
	for (size_t i = 0; i < npb; i++)
		cvm_audit_add(a, "KEY-PERMS", cvm_audit_sev(a, pkblock), pkblock,
		    pb[i].file, 0, "chown the user (or root) and chmod go-w "
		    "the file and each directory above it up to the home",
		    "StrictModes: sshd ignores %s: %s", pb[i].file, pb[i].why);
	if (nparsed == 0)
		cvm_audit_add(a, "KEY-NONE", cvm_audit_sev(a, CVM_M_PUBKEY),
		    CVM_M_PUBKEY, NULL, 0, "cvmkey bind USER KEYFILE",
		    "%s has no valid key (bound in cvmkey or in the "
		    "authorized_keys files sshd reads)", u);
	else
		cvm_audit_pass(a, "KEY-NONE");
	if (nweak == 0)
		cvm_audit_pass(a, "KEY-WEAK");
	if (nalgo == 0)
		cvm_audit_pass(a, "KEY-ALGO-REFUSED");
	if (nunusable == 0)
		cvm_audit_pass(a, "KEY-UNUSABLE");
	if (nsyntax == 0)
		cvm_audit_pass(a, "KEY-SYNTAX");
	if (npb == 0)
		cvm_audit_pass(a, "KEY-PERMS");
}

static void
policy_findings(struct cvm_audit *a, const struct cvm_decision *d)
{
	if (!d->refuse) {
		cvm_audit_pass(a, "POLICY-KEY-BOUND");
		return;
	}
	if (strcmp(d->reason, "key_bound") != 0) {
		unsigned b = d->enforce ? CVM_M_PASSWORD : 0;

		cvm_audit_add(a, "POLICY-ERROR", d->enforce ? cvm_audit_sev(a, b) :
		    CVM_SEV_INFO, b, a->conf_path, 0, "fix the cause, or "
		    "set on_error = ignore", "pam_cvmkey %s the password "
		    "login of %s: %s (%s)", d->enforce ? "refuses" :
		    "would refuse", a->user, d->reason, d->detail);
	} else if (d->enforce)
		cvm_audit_add(a, "POLICY-KEY-BOUND", CVM_SEV_INFO, CVM_M_PASSWORD,
		    NULL, 0, NULL, "pam_cvmkey refuses the password login of %s: "
		    "%zu usable key%s bound (%s)", a->user, d->nusable,
		    d->nusable == 1 ? "" : "s", d->fp ? d->fp : "");
	else
		cvm_audit_add(a, "POLICY-AUDIT-MODE", CVM_SEV_INFO, 0,
		    a->conf_path, 0, "set policy = bound once the would_refuse "
		    "lines are as expected", "policy = audit: pam_cvmkey would "
		    "refuse the password login of %s (%zu usable key%s bound) but "
		    "lets it through", a->user, d->nusable, d->nusable == 1 ? "" : "s");
}

void
cvm_audit_user(struct cvm_audit *a)
{
	const struct cvm_audit_acct *ac = a->acct;
	struct permsbad pb[8];
	size_t npb = 0;
	struct cvm_keyset ks;
	struct cvm_decision d;
	struct cvm_account acct;
	struct cvm_request req;

	if (a->user == NULL)
		return;
	if (ac == NULL || !ac->exists) {
		cvm_audit_add(a, "ACCT-UNKNOWN", CVM_SEV_FAIL, CVM_M_ALL, NULL, 0,
		    "check the name, or create the account (cvmkey bind USER "
		    "KEY --create)", "%s does not resolve%s", a->user,
		    a->root.rooted ? " in the tree's /etc/passwd or cvmkey "
		    "database" : " through NSS");
		return;
	}
	check_password(a, ac);
	check_expiry(a, ac);
	check_shell(a, ac);
	check_home(a, ac);

	cvm_keyset_init(&ks);
	memset(&req, 0, sizeof(req));
	req.service = a->pam_service;
	req.tty = "ssh";
	req.rhost = req.addr = a->from;
	req.lport = -1;
	req.method = "password";
	req.now = time(NULL);
	acct.name = ac->pw.pw_name;
	acct.exists = 1;
	acct.groups = &ac->groups;
	if (gather(a, ac, &ks, pb, &npb) != 0) {
		a->oom = 1;
		cvm_keyset_free(&ks);
		return;
	}
	cvm_decide(a->conf, a->sshd, a->sshd ? NULL : "sshd_config cannot be "
	    "read", &acct, &req, &ks, &d);
	/* the PAM step predicts pam_cvmkey's auth line from this */
	a->policy_refuses = d.refuse && d.enforce;
	key_findings(a, &ks, &d, pb, npb);
	policy_findings(a, &d);
	cvm_keyset_free(&ks);
}
