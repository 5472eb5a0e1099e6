/* Diagnosis of failed logins: reads shadow, nologin files, pam_faillock's
 * tally, /etc/shells and the home directory, as the modules that refuse on
 * those grounds do. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <shadow.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "diagnose.h"
#include "strutil.h"

void
cvm_faillock_count(const char *buf, size_t len, uint64_t interval,
    unsigned long *failures, uint64_t *latest)
{
	*failures = 0;
	*latest = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t off = 0; len - off >= 64; off += 64) {
			uint16_t status;
			uint64_t t;

			memcpy(&status, buf + off + 54, 2);
			memcpy(&t, buf + off + 56, 8);
			if (!(status & 1))
				continue;
			if (pass == 0 && t > *latest)
				*latest = t;
			if (pass == 1 && *latest - t < interval)
				(*failures)++;
		}
}

#define SET(d, r, ...) do { (d)->reason = (r); \
	snprintf((d)->detail, sizeof((d)->detail), __VA_ARGS__); } while (0)

/* sshd's replacement for the password of an invalid user, or of root when
 * PermitRootLogin forbids passwords (auth-pam.c fake_password). */
static const char sshd_fake[] = "\b\n\r\177INCORRECT";

static int
shadow_checks(const struct cvm_acctinfo *a, time_t now, struct cvm_diag *d)
{
	struct spwd *sp = getspnam(a->name);
	long today = (long)(now / 86400);

	if (sp == NULL)
		return 0;
	if (sp->sp_expire >= 0 && today >= sp->sp_expire) {	/* -1: none; chage -E 0 */
		d->blocks_key = 1;	/* pam_unix's account stack, every method */
		SET(d, "account_expired", "the account expired on day %ld "
		    "(shadow); fix: chage -E -1 %s", sp->sp_expire, a->name);
		return 1;
	}
	if (sp->sp_pwdp != NULL && (sp->sp_pwdp[0] == '!' || sp->sp_pwdp[0] == '*')) {
		SET(d, "password_locked", "the password is %s (shadow begins with "
		    "'%c'); keys still work; fix: passwd -u %s or set one",
		    sp->sp_pwdp[0] == '!' ? "locked" : "not set", sp->sp_pwdp[0],
		    a->name);
		return 1;
	}
	/* Past max + inactive days the password no longer authenticates
	 * (lstchg 0, "change at next login", does not fail authentication). */
	if (sp->sp_max >= 0 && sp->sp_lstchg > 0 && sp->sp_max < 99999 &&
	    sp->sp_inact >= 0 && today > sp->sp_lstchg + sp->sp_max + sp->sp_inact) {
		SET(d, "password_expired", "the password expired (shadow last "
		    "change day %ld, max %ld days); fix: passwd %s",
		    sp->sp_lstchg, sp->sp_max, a->name);
		return 1;
	}
	return 0;
}

struct faillock_opts {
	char dir[256];
	unsigned long deny, fail_interval, unlock_time;
	int even_deny_root;
};

static void
faillock_conf(const char *path, struct faillock_opts *o)
{
	char err[256], *buf = NULL, *line, *next;
	size_t len;

	snprintf(o->dir, sizeof(o->dir), "/var/run/faillock");
	o->deny = 3;
	o->fail_interval = 900;
	o->unlock_time = 600;
	o->even_deny_root = 0;
	if (cvm_read_file(path, 65536, 0, 0, &buf, &len, err, sizeof(err)) != 0)
		return;
	for (line = buf; line != NULL; line = next) {
		char key[32], val[256];

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (sscanf(line, " %31[a-z_] = %255s", key, val) == 2) {
			unsigned long v;

			if (strcmp(key, "dir") == 0 && val[0] == '/')
				snprintf(o->dir, sizeof(o->dir), "%s", val);
			else if (strcmp(key, "unlock_time") == 0 &&
			    strcmp(val, "never") == 0)
				o->unlock_time = 0;
			else if (cvm_parse_ulong(val, 0, 1UL << 31, &v) == 0) {
				if (strcmp(key, "deny") == 0)
					o->deny = v;
				else if (strcmp(key, "fail_interval") == 0)
					o->fail_interval = v;
				else if (strcmp(key, "unlock_time") == 0)
					o->unlock_time = v;
			}
		} else if (sscanf(line, " %31[a-z_]", key) == 1 &&
		    strcmp(key, "even_deny_root") == 0)
			o->even_deny_root = 1;
	}
	free(buf);
}

/* pam_faillock's tally: 64-byte records {source[52], reserved u16,
 * status u16, time u64}; locked when deny or more valid failures fall in
 * fail_interval of the latest and unlock_time has not passed. */
static int
faillock_check(const struct cvm_acctinfo *a, const char *conf, time_t now,
    struct cvm_diag *d)
{
	struct faillock_opts o;
	char path[512], err[256], *buf = NULL;
	uint64_t latest = 0;
	unsigned long failures = 0;
	size_t len;

	faillock_conf(conf, &o);
	if (o.deny == 0 || (a->uid == 0 && !o.even_deny_root))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", o.dir, a->name);
	if (cvm_read_file(path, 64 * 65536, 1, 0, &buf, &len, err, sizeof(err)) != 0)
		return 0;
	cvm_faillock_count(buf, len, o.fail_interval, &failures, &latest);
	free(buf);
	if (failures < o.deny)
		return 0;
	if (o.unlock_time != 0 && latest + o.unlock_time < (uint64_t)now)
		return 0;
	SET(d, "faillock", "pam_faillock locked the account after %lu failures "
	    "(deny = %lu)%s; fix: faillock --user %s --reset", failures, o.deny,
	    o.unlock_time ? ", until it unlocks itself" : "", a->name);
	return 1;
}

static int
shell_ok(const char *shell, const char *shells)
{
	char err[128], *buf = NULL;
	size_t len;
	int ok = 0;

	if (cvm_read_file(shells, 65536, 0, 0, &buf, &len, err, sizeof(err)) != 0)
		return 1;	/* no /etc/shells: nothing to hold the shell to */
	for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n"))
		if (line[0] != '#' && strcmp(line, shell) == 0)
			ok = 1;
	free(buf);
	return ok;
}

int
cvm_diag_account(const struct cvm_acctinfo *a, const struct cvm_diag_paths *p,
    time_t now, struct cvm_diag *d)
{
	const char *nologin[2] = { "/etc/nologin", "/run/nologin" };
	struct stat st;

	memset(d, 0, sizeof(*d));
	if (p != NULL && p->nologin[0] != NULL) {
		nologin[0] = p->nologin[0];
		nologin[1] = p->nologin[1];
	}
	if (shadow_checks(a, now, d))
		return 1;
	for (int i = 0; i < 2; i++) {
		if (a->uid != 0 && nologin[i] != NULL && stat(nologin[i], &st) == 0) {
			d->blocks_key = 1;
			SET(d, "nologin", "%s exists: pam_nologin refuses every user "
			    "but root; fix: rm %s (systemd removes /run/nologin "
			    "once boot is done)", nologin[i], nologin[i]);
			return 1;
		}
	}
	if (faillock_check(a, p != NULL && p->faillock_conf != NULL ?
	    p->faillock_conf : "/etc/security/faillock.conf", now, d))
		return 1;
	if (a->shell != NULL && (a->shell[0] == '\0' ||
	    strstr(a->shell, "nologin") != NULL || strcmp(a->shell, "/bin/false") == 0 ||
	    access(a->shell, X_OK) != 0 ||
	    !shell_ok(a->shell, p != NULL && p->shells != NULL ? p->shells : "/etc/shells"))) {
		/* sshd itself only needs an executable shell (an sftp-only
		 * account has a nologin shell and ForceCommand). */
		d->blocks_key = a->shell[0] == '\0' || access(a->shell, X_OK) != 0;
		SET(d, "bad_shell", "the login shell %s is missing, not executable, "
		    "not in /etc/shells or a nologin shell; fix: chsh -s /bin/bash %s",
		    *a->shell ? a->shell : "(empty)", a->name);
		return 1;
	}
	if (a->home != NULL && stat(a->home, &st) != 0) {
		SET(d, "no_home", "the home directory %s does not exist; fix: "
		    "mkhomedir_helper %s, or a pam_mkhomedir session line",
		    a->home, a->name);
		return 1;
	}
	return 0;
}

void
cvm_diagnose(const struct cvm_eval *ev, const char *authtok,
    const struct cvm_diag_paths *p, time_t now, struct cvm_diag *d)
{
	memset(d, 0, sizeof(*d));
	if (authtok != NULL && strcmp(authtok, sshd_fake) == 0) {
		if (ev->acct.exists && ev->acct.uid == 0)
			SET(d, "root_login_refused", "sshd replaced the password: "
			    "PermitRootLogin does not allow root a password");
		else
			SET(d, "sshd_invalid_user", "sshd replaced the password: "
			    "it does not accept this user (unknown, or refused by "
			    "AllowUsers/DenyUsers/AllowGroups/DenyGroups)");
		return;
	}
	if (!ev->acct.exists) {
		SET(d, "user_unknown", "no such user (through NSS)");
		return;
	}
	if (ev->d.enforce) {
		SET(d, ev->d.reason, "refused by the cvmkey policy%s%s",
		    ev->d.detail[0] ? ": " : "", ev->d.detail);
		return;
	}
	if (cvm_diag_account(&ev->acct, p, now, d))
		return;
	SET(d, "wrong_password", "nothing else explains it: the password typed "
	    "was wrong");
}
