/* Account lookup, key gathering and the decision, for every front end. */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
	char *buf;
	int ret = -1;

	if (a->names_done)
		return 0;
	if (a->gids == NULL && cvm_user_groups(a->name, a->gid, &a->gids, &a->ngids) != 0)
		return -1;
	if ((buf = malloc(blen)) == NULL ||
	    (a->groups.v = calloc(a->ngids + 1, sizeof(char *))) == NULL)
		goto out;
	for (size_t i = 0; i < a->ngids; i++) {
		struct group gr, *gres = NULL;

		if (getgrgid_r(a->gids[i], &gr, buf, blen, &gres) == 0 && gres != NULL) {
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

void
cvm_evaluate(const struct cvm_conf *conf, const char *conf_err,
    const char *user, const struct cvm_request *req, struct cvm_eval *ev)
{
	struct cvm_sshd_conn conn;
	struct cvm_account acct;
	unsigned char addrbuf[16];
	int nomem = 0;

	memset(ev, 0, sizeof(*ev));
	cvm_keyset_init(&ev->keys);
	if (cvm_acct_lookup(user, &ev->acct) != 0) {
		snprintf(ev->sshd_err, sizeof(ev->sshd_err),
		    "cannot resolve the account (NSS error or out of memory)");
		nomem = 1;
	}
	acct.name = user;
	acct.exists = ev->acct.exists;
	acct.groups = &ev->acct.groups;

	if (conf_err != NULL)
		snprintf(ev->sshd_err, sizeof(ev->sshd_err), "%s", conf_err);
	else if (!nomem && cvm_policy_covers(conf, req->service, req->tty)) {
		memset(&conn, 0, sizeof(conn));
		conn.user = user;
		if (ev->acct.exists) {
			conn.resolve_groups = resolve_groups;
			conn.resolve_ctx = &ev->acct;
		}
		conn.host = req->rhost;
		/* PAM_RHOST is a name under UseDNS yes: then the address
		 * is not known here. */
		if (req->rhost != NULL && (inet_pton(AF_INET, req->rhost, addrbuf) == 1 ||
		    inet_pton(AF_INET6, req->rhost, addrbuf) == 1))
			conn.addr = req->rhost;
		conn.lport = -1;
		if (cvm_sshd_load(NULL, conf->sshd_config, &conn, &ev->sshd,
		    ev->sshd_err, sizeof(ev->sshd_err)) != 0)
			ev->sshd = NULL;
		if (cvm_keys_from_db(&ev->keys, conf->db, 1, user) != 0)
			nomem = 1;
		if (ev->sshd != NULL && ev->acct.exists) {
			struct cvm_creds cr = {
				ev->acct.name, ev->acct.uid, ev->acct.gid,
				ev->acct.home, ev->acct.gids, ev->acct.ngids
			};
			int sm = cvm_sshd_flag(ev->sshd, "strictmodes");

			if (cvm_keys_from_akfiles(&ev->keys, &cr,
			    cvm_sshd_get(ev->sshd, "authorizedkeysfile"),
			    sm != 0, CVM_AKFILE_TIMEOUT_MS) != 0)
				nomem = 1;
		}
		if (nomem && ev->sshd_err[0] == '\0')
			snprintf(ev->sshd_err, sizeof(ev->sshd_err), "out of memory");
	}
	if (conf->exempt_groups.n > 0 && ev->acct.exists &&
	    cvm_acct_group_names(&ev->acct) != 0) {
		snprintf(ev->sshd_err, sizeof(ev->sshd_err), "out of memory");
		nomem = 1;
	}
	if (nomem || conf_err != NULL) {
		/* Cannot decide: the policy's on_error path. */
		cvm_sshd_free(ev->sshd);
		ev->sshd = NULL;
	}
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
