/* Account lookup, key gathering and the decision, for every front end. */
#include "config.h"
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include "audit_acct.h"
#include "db.h"
#include "evaluate.h"

int
cvm_acct_lookup(const char *name, struct cvm_acctinfo *a)
{
	struct passwd pw, *res = NULL;
	size_t blen = 4096;
	char *buf = NULL;
	int r, ret = -1;

	memset(a, 0, sizeof(*a));
	if ((a->name = strdup(name)) == NULL)
		return -1;
	for (;;) {
		char *nb = realloc(buf, blen);

		if (nb == NULL)
			goto out;
		buf = nb;
		r = getpwnam_r(name, &pw, buf, blen, &res);
		if (r != ERANGE || blen > (1u << 20))
			break;
		blen *= 2;
	}
	if (res == NULL) {
		/* Not found (r == 0), or an NSS error: either way the name
		 * does not resolve for sshd either. */
		ret = 0;
		goto out;
	}
	a->exists = 1;
	free(a->name);
	if ((a->name = strdup(pw.pw_name)) == NULL)
		goto out;
	a->uid = pw.pw_uid;
	a->gid = pw.pw_gid;
	if ((a->home = strdup(pw.pw_dir)) == NULL ||
	    (a->shell = strdup(pw.pw_shell)) == NULL)
		goto out;
	ret = 0;
out:
	free(buf);
	if (ret != 0) {
		char *keep = a->name;

		a->name = NULL;
		cvm_acct_free(a);
		a->name = keep;
	}
	return ret;
}

int
cvm_acct_group_names(struct cvm_acctinfo *a)
{
	size_t blen = 16384;
	char *buf = NULL;
	int ret = -1;

	if (a->names_done)
		return 0;
	if (a->gids == NULL && cvm_user_groups(a->name, a->gid, &a->gids, &a->ngids) != 0)
		return -1;
	cvm_strv_free(&a->groups);
	if ((a->groups.v = calloc(a->ngids + 1, sizeof(char *))) == NULL)
		goto out;
	for (size_t i = 0; i < a->ngids; i++) {
		struct group gr, *gres = NULL;
		int r;

		for (;;) {
			char *nb = realloc(buf, blen);

			if (nb == NULL)
				goto out;
			buf = nb;
			r = getgrgid_r(a->gids[i], &gr, buf, blen, &gres);
			if (r != ERANGE || blen >= (1u << 24))
				break;
			blen *= 2;	/* a group with many members */
		}
		if (r == 0 && gres != NULL) {
			if ((a->groups.v[a->groups.n] = strdup(gr.gr_name)) == NULL)
				goto out;
			a->groups.n++;
		}
	}
	a->names_done = 1;
	ret = 0;
out:
	free(buf);
	return ret;
}

static int
resolve_groups(void *ctx, const char *const **groups, size_t *n)
{
	struct cvm_acctinfo *a = ctx;

	if (cvm_acct_group_names(a) != 0)
		return -1;
	*groups = (const char *const *)a->groups.v;
	*n = a->groups.n;
	return 0;
}

void
cvm_acct_free(struct cvm_acctinfo *a)
{
	free(a->name);
	free(a->home);
	free(a->shell);
	free(a->gids);
	cvm_strv_free(&a->groups);
	memset(a, 0, sizeof(*a));
}

/* sshd's default AuthorizedKeysFile: used to look for keys when
 * sshd_config cannot be read, to tell "nothing bound" from "cannot
 * decide". */
#define DEFAULT_AKFILES ".ssh/authorized_keys .ssh/authorized_keys2"

static void
cannot_decide(struct cvm_eval *ev, int status, const char *why)
{
	ev->keys.db_status = status;
	snprintf(ev->keys.db_error, sizeof(ev->keys.db_error), "%s", why);
}

/* Would sshd be able to run the AuthorizedKeysCommand at all?  Its user
 * must exist and its program must be an executable file; otherwise sshd
 * serves no db keys and they must not refuse a password.  r: the audited
 * tree (its passwd file), or NULL for this system (NSS). */
void
cvm_akc_check(const struct cvm_sshd *sshd, const struct cvm_root *r,
    struct cvm_keyset *ks)
{
	const char *akc = cvm_sshd_get(sshd, "authorizedkeyscommand");
	const char *user = cvm_sshd_get(sshd, "authorizedkeyscommanduser");
	char prog[1024];
	struct stat st;
	size_t n;

	if (akc == NULL || strcasecmp(akc, "none") == 0)
		return;
	if (user != NULL && strcmp(user, "none") != 0 && strchr(user, '%') == NULL &&
	    (r != NULL && r->rooted ? cvm_audit_files_user(r, user, NULL) != 1 :
	    getpwnam(user) == NULL)) {
		snprintf(ks->akc_problem, sizeof(ks->akc_problem),
		    "AuthorizedKeysCommandUser %s does not exist", user);
		return;
	}
	n = strcspn(akc, " \t");
	if (n >= sizeof(prog))
		return;
	memcpy(prog, akc, n);
	prog[n] = '\0';
	if (prog[0] != '/')
		return;
	if (cvm_root_stat(r, prog, &st, 1) != 0)
		snprintf(ks->akc_problem, sizeof(ks->akc_problem),
		    "AuthorizedKeysCommand %.200s: %s", prog, strerror(errno));
	else if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		snprintf(ks->akc_problem, sizeof(ks->akc_problem),
		    "AuthorizedKeysCommand %.200s is not an executable file", prog);
}

void
cvm_evaluate(const struct cvm_conf *conf, const char *conf_err,
    const char *user, const struct cvm_request *req, struct cvm_eval *ev)
{
	struct cvm_sshd_conn conn;
	struct cvm_account acct;
	const char *name = user, *akfiles = DEFAULT_AKFILES;
	int strict = 1;

	memset(ev, 0, sizeof(*ev));
	cvm_keyset_init(&ev->keys);
	if (cvm_acct_lookup(user, &ev->acct) != 0) {
		cannot_decide(ev, CVM_DB_NOMEM, "cannot resolve the account "
		    "(NSS error or out of memory)");
		goto decide;
	}
	/* sshd passes pw_name, not the name as typed, to AuthorizedKeysFile's
	 * %u and to the AuthorizedKeysCommand: with a case-insensitive NSS
	 * source they differ. */
	if (ev->acct.exists)
		name = ev->acct.name;
	if (conf_err != NULL) {
		cannot_decide(ev, CVM_DB_IOERR, conf_err);
		goto decide;
	}
	if (!cvm_policy_covers(conf, req->service, req->tty))
		goto decide;

	memset(&conn, 0, sizeof(conn));
	conn.user = user;	/* Match User sees the name as typed */
	if (ev->acct.exists) {
		conn.resolve_groups = resolve_groups;
		conn.resolve_ctx = &ev->acct;
	}
	conn.host = req->rhost;
	conn.addr = req->addr;
	conn.laddr = req->laddr;
	conn.lport = req->lport;
	if (cvm_sshd_load(NULL, conf->sshd_config, &conn, &ev->sshd,
	    ev->sshd_err, sizeof(ev->sshd_err)) == 0) {
		cvm_akc_check(ev->sshd, NULL, &ev->keys);
		akfiles = cvm_sshd_get(ev->sshd, "authorizedkeysfile");
		strict = cvm_sshd_flag(ev->sshd, "strictmodes") != 0;
		if (cvm_keys_load_revoked(&ev->keys,
		    cvm_sshd_get(ev->sshd, "revokedkeys")) != 0)
			goto nomem;
	} else
		ev->sshd = NULL;
	if (cvm_keys_from_db(&ev->keys, conf->db, 1, name) != 0)
		goto nomem;
	if (ev->acct.exists) {
		struct cvm_creds cr = {
			ev->acct.name, ev->acct.uid, ev->acct.gid,
			ev->acct.home, ev->acct.gids, ev->acct.ngids
		};

		if (cvm_keys_from_akfiles(&ev->keys, &cr, akfiles, strict,
		    CVM_AKFILE_TIMEOUT_MS) != 0)
			goto nomem;
	}
	if (conf->exempt_groups.n > 0 && ev->acct.exists &&
	    cvm_acct_group_names(&ev->acct) != 0)
		goto nomem;
	goto decide;
nomem:
	cannot_decide(ev, CVM_DB_NOMEM, "out of memory");
	cvm_sshd_free(ev->sshd);
	ev->sshd = NULL;
decide:
	acct.name = name;
	acct.exists = ev->acct.exists;
	acct.groups = &ev->acct.groups;
	cvm_decide(conf, ev->sshd, ev->sshd_err, &acct, req, &ev->keys, &ev->d);
}

void
cvm_eval_free(struct cvm_eval *ev)
{
	cvm_acct_free(&ev->acct);
	cvm_sshd_free(ev->sshd);
	cvm_keyset_free(&ev->keys);
	memset(ev, 0, sizeof(*ev));
}
