/* cvmkey bind USER --create: provisions an account served by libnss_cvm
 * (DESIGN §4, §5), then binds its keys, in one database write. */
#include "config.h"
#include <errno.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "db.h"
#include "dbwrite.h"
#include "names.h"
#include "provision.h"

struct create_ctx {
	struct cli *c;
	struct bind_args *b;
	const struct create_opts *o;
	const char *home, *shell;
	int admin_known;	/* admin_gid below is what the header records */
	uint32_t admin_gid;
};

/* admin_group (cvmkey.conf) resolved: 0 with *gid (0 when unset), -1
 * refused (said why). */
static int
admin_group_gid(struct cli *c, uint32_t *gid)
{
	char err[256];

	if (cvm_admin_gid(c->conf.admin_group, gid, err, sizeof(err)) != 0) {
		fprintf(stderr, "cvmkey: %s\n", err);
		return -1;
	}
	return 0;
}

/* Every provisioned account and group of m within the configured ranges:
 * the header records the ranges, and libnss_cvm serves nothing outside. */
static int
model_in_range(const struct cvm_dbm *m, const struct cvm_conf *cf)
{
	for (size_t i = 0; i < m->nusers; i++) {
		const struct cvm_dbm_user *u = &m->users[i];

		if ((u->flags & CVM_DBU_PROVISIONED) &&
		    (u->uid < cf->uid_min || u->uid > cf->uid_max ||
		    u->gid < cf->gid_min || u->gid > cf->gid_max)) {
			fprintf(stderr, "cvmkey: account %s (uid %u, gid %u) is "
			    "outside the configured ranges (uid %lu-%lu, gid "
			    "%lu-%lu): fix cvmkey.conf or the account\n", u->name,
			    u->uid, u->gid, cf->uid_min, cf->uid_max, cf->gid_min,
			    cf->gid_max);
			return 0;
		}
	}
	for (size_t i = 0; i < m->ngroups; i++)
		if (m->groups[i].gid < cf->gid_min || m->groups[i].gid > cf->gid_max) {
			fprintf(stderr, "cvmkey: group %s (gid %u) is outside the "
			    "configured gid range %lu-%lu\n", m->groups[i].name,
			    m->groups[i].gid, cf->gid_min, cf->gid_max);
			return 0;
		}
	return 1;
}

/* An account provisioned already: the request must agree with it. */
static int
existing_account(struct create_ctx *x, const struct cvm_dbm_user *u)
{
	const struct create_opts *o = x->o;
	const char *what = NULL;

	if (o->uid >= 0 && (uint32_t)o->uid != u->uid)
		what = "uid";
	else if (o->shell != NULL && strcmp(o->shell, u->shell) != 0)
		what = "shell";
	else if (o->home != NULL && strcmp(o->home, u->home) != 0)
		what = "home";
	else if (o->admin && !(u->flags & CVM_DBU_ADMIN))
		what = "admin";
	if (what != NULL) {
		fprintf(stderr, "cvmkey: %s: provisioned already, with another "
		    "%s (change it with cvmkey apply)\n", u->name, what);
		return EXIT_REFUSED;
	}
	printf("%s: provisioned already (uid %u)\n", u->name, u->uid);
	return EXIT_OK;
}

static int
create_edit(struct cvm_dbm *m, void *arg)
{
	struct create_ctx *x = arg;
	const struct cvm_conf *cf = &x->c->conf;
	const char *name = x->b->user;
	struct cvm_dbm_user *u;
	struct cvm_dbm_group *g;
	char who[200], err[512];
	struct stat st;
	uint32_t uid, gid;
	int r;

	if (x->admin_known && m->admin_gid != x->admin_gid) {
		if (x->admin_gid != 0)
			printf("admin_group %s: gid %u recorded for admin accounts\n",
			    cf->admin_group, x->admin_gid);
		else
			printf("admin_group unset: admin accounts get no extra "
			    "group\n");
		m->admin_gid = x->admin_gid;
	}
	if ((u = cvm_dbm_find_user(m, name)) != NULL &&
	    (u->flags & CVM_DBU_PROVISIONED)) {
		/* sshd must see this account, not another of the same name */
		r = cvm_nss_user(name, 0, m, who, sizeof(who), err, sizeof(err));
		if (r == CVM_NSS_ERROR) {
			fprintf(stderr, "cvmkey: %s; nothing bound\n", err);
			return EXIT_INTERNAL;
		}
		if (r == CVM_NSS_FOUND) {
			fprintf(stderr, "cvmkey: %s: the system resolves this name "
			    "to another entry (%s), not cvmkey's account\n", name,
			    who);
			return EXIT_REFUSED;
		}
		if ((r = existing_account(x, u)) != EXIT_OK)
			return r;
		return bind_edit(m, x->b);
	}
	/* The name: no other account or group, in any NSS source. */
	if ((r = cvm_nss_user(name, 0, m, who, sizeof(who), err, sizeof(err))) ==
	    CVM_NSS_NONE)
		r = cvm_nss_group(name, 0, m, who, sizeof(who), err, sizeof(err));
	if (r == CVM_NSS_ERROR) {
		fprintf(stderr, "cvmkey: %s; nothing created\n", err);
		return EXIT_INTERNAL;
	}
	if (r == CVM_NSS_FOUND) {
		fprintf(stderr, "cvmkey: %s: the name is taken: %s exists\n",
		    name, who);
		return EXIT_REFUSED;
	}
	if (cvm_dbm_find_group(m, name) != NULL) {
		fprintf(stderr, "cvmkey: %s: cvmkey's database has a group of "
		    "that name\n", name);
		return EXIT_REFUSED;
	}
	if (!model_in_range(m, cf))
		return EXIT_REFUSED;
	m->uid_min = (uint32_t)cf->uid_min;
	m->uid_max = (uint32_t)cf->uid_max;
	m->gid_min = (uint32_t)cf->gid_min;
	m->gid_max = (uint32_t)cf->gid_max;

	/* The uid: the one asked for, or the lowest free one. */
	if (x->o->uid >= 0) {
		uid = (uint32_t)x->o->uid;
		if (uid < cf->uid_min || uid > cf->uid_max) {
			fprintf(stderr, "cvmkey: --uid %u: outside the configured "
			    "range %lu-%lu\n", uid, cf->uid_min, cf->uid_max);
			return EXIT_REFUSED;
		}
		r = cvm_uid_free(m, uid, who, sizeof(who), err, sizeof(err));
		if (r == CVM_NSS_FOUND) {
			fprintf(stderr, "cvmkey: --uid %u: taken by %s\n", uid, who);
			return EXIT_REFUSED;
		}
	} else if ((r = cvm_alloc_uid(m, m->uid_min, m->uid_max, &uid, err,
	    sizeof(err))) == 1) {
		fprintf(stderr, "cvmkey: no free uid in %u-%u\n", m->uid_min,
		    m->uid_max);
		return EXIT_REFUSED;
	}
	if (r == CVM_NSS_ERROR) {
		fprintf(stderr, "cvmkey: %s; nothing created\n", err);
		return EXIT_INTERNAL;
	}
	/* The user-private group: gid = uid when that gid is free. */
	gid = uid;
	if (uid < m->gid_min || uid > m->gid_max ||
	    (r = cvm_gid_free(m, gid, who, sizeof(who), err, sizeof(err))) ==
	    CVM_NSS_FOUND) {
		if ((r = cvm_alloc_gid(m, m->gid_min, m->gid_max, &gid, err,
		    sizeof(err))) == 1) {
			fprintf(stderr, "cvmkey: no free gid in %u-%u\n",
			    m->gid_min, m->gid_max);
			return EXIT_REFUSED;
		}
	}
	if (r == CVM_NSS_ERROR) {
		fprintf(stderr, "cvmkey: %s; nothing created\n", err);
		return EXIT_INTERNAL;
	}

	/* A binding-only record of that name (its account gone from the
	 * other sources) keeps its keys and becomes the account. */
	if ((u = cvm_dbm_find_user(m, name)) == NULL &&
	    (u = cvm_dbm_add_user(m, name)) == NULL)
		return EXIT_INTERNAL;
	u->uid = uid;
	u->gid = gid;
	u->flags = CVM_DBU_PROVISIONED | (x->o->admin ? CVM_DBU_ADMIN : 0);
	if (cvm_dbm_set_str(&u->gecos, "") != 0 ||
	    cvm_dbm_set_str(&u->home, x->home) != 0 ||
	    cvm_dbm_set_str(&u->shell, x->shell) != 0)
		return EXIT_INTERNAL;
	if ((g = cvm_dbm_add_group(m, name, gid)) == NULL)
		return EXIT_INTERNAL;
	printf("%s: created uid %u gid %u home %s shell %s%s%s\n", name, uid,
	    gid, x->home, x->shell, x->o->shell == NULL ? " (default)" : "",
	    x->o->admin ? " admin" : "");
	/* pam_mkhomedir leaves an existing directory as it is: a former
	 * account's home would be handed over with its files */
	if (lstat(x->home, &st) == 0 && st.st_uid != uid)
		fprintf(stderr, "cvmkey: warning: %s exists, owned by uid %u: "
		    "pam_mkhomedir will not make %s a home of its own\n",
		    x->home, (unsigned)st.st_uid, name);
	return bind_edit(m, x->b);
}

int
bind_create(struct cli *c, struct bind_args *b, const struct create_opts *o)
{
	struct create_ctx x;
	char *home = NULL;
	int ret;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.b = b;
	x.o = o;
	if (c->conf_failed) {
		fprintf(stderr, "cvmkey: %s: cannot use this configuration\n",
		    c->config_path);
		return EXIT_INTERNAL;
	}
	/* shell: absolute and in /etc/shells; by default /bin/bash, else
	 * /bin/sh, whichever /etc/shells lists */
	if (o->shell != NULL)
		x.shell = o->shell;
	else if (cvm_shell_listed("/bin/bash"))
		x.shell = "/bin/bash";
	else if (cvm_shell_listed("/bin/sh"))
		x.shell = "/bin/sh";
	else {
		fprintf(stderr, "cvmkey: bind --create: /etc/shells lists neither "
		    "/bin/bash nor /bin/sh: give --shell\n");
		return EXIT_REFUSED;
	}
	if (!cvm_path_ok(x.shell) || !cvm_shell_listed(x.shell)) {
		fprintf(stderr, "cvmkey: --shell %.64s: must be an absolute path "
		    "listed in /etc/shells\n", x.shell);
		return EXIT_REFUSED;
	}
	if (o->home != NULL)
		x.home = o->home;
	else if (asprintf(&home, "/home/%s", b->user) < 0)
		return EXIT_INTERNAL;
	else
		x.home = home;
	if (!cvm_path_ok(x.home)) {
		fprintf(stderr, "cvmkey: --home %.64s: must be absolute and "
		    "normalised (no \"..\", \".\" or \"//\")\n", x.home);
		ret = EXIT_REFUSED;
		goto out;
	}
	if (cvm_idrange_check(c->conf.uid_min, c->conf.uid_max, c->conf.gid_min,
	    c->conf.gid_max, c->log) != 0) {
		ret = EXIT_REFUSED;
		goto out;
	}
	if (admin_group_gid(c, &x.admin_gid) == 0)
		x.admin_known = 1;
	else if (o->admin) {
		ret = EXIT_REFUSED;
		goto out;
	} else
		fprintf(stderr, "cvmkey: warning: the admin gid recorded in the "
		    "database stays as it was\n");
	if (o->admin && x.admin_gid == 0) {
		fprintf(stderr, "cvmkey: --admin: no admin_group in %s\n",
		    c->config_path);
		ret = EXIT_REFUSED;
		goto out;
	}
	/* The system's account files, then cvmkey's own lock (useradd and
	 * friends take the first: no one allocates the same id meanwhile). */
	if (lckpwdf() != 0) {
		fprintf(stderr, "cvmkey: cannot lock the account files "
		    "(lckpwdf: %s)\n", strerror(errno));
		ret = EXIT_INTERNAL;
		goto out;
	}
	ret = db_update(c, create_edit, &x);
	ulckpwdf();
out:
	free(home);
	return ret;
}
