/* Loading the audited account: see audit_acct.h. */
#include "config.h"
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "akfile.h"
#include "audit_acct.h"
#include "db.h"

#define FILE_CAP (64u << 20)

/* Splits a colon line into at most n fields in place; returns the count. */
static size_t
fields(char *line, char **f, size_t n)
{
	size_t i = 0;

	while (i < n) {
		f[i++] = line;
		if ((line = strchr(line, ':')) == NULL)
			break;
		*line++ = '\0';
	}
	return i;
}

static long
num(const char *s)
{
	char *end;
	long v;

	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return (errno || *end != '\0' || v < 0) ? -1 : v;
}

/* Calls fn for each line of a colon file of the tree (files skipped when
 * missing).  fn returns non-zero to stop.  -1 on a read error. */
static int
each_line(const struct cvm_root *r, const char *path,
    int (*fn)(char **f, size_t n, void *arg), size_t nf, void *arg)
{
	char *buf, *line, *next, *f[16];
	size_t len;
	int stop = 0;

	if (cvm_root_read(r, path, FILE_CAP, &buf, &len) != 0)
		return errno == ENOENT ? 0 : -1;
	for (line = buf; !stop && line < buf + len; line = next) {
		char *nl = memchr(line, '\n', (size_t)(buf + len - line));
		size_t ll = nl ? (size_t)(nl - line) : (size_t)(buf + len - line);

		next = line + ll + (nl != NULL);
		line[ll] = '\0';	/* the newline, or buf's own NUL */
		if (*line == '\0' || *line == '#' || *line == '+' || *line == '-')
			continue;	/* compat entries: not followed here */
		if (strlen(line) != ll)
			continue;	/* a NUL byte inside: nss_files would not match it */
		stop = fn(f, fields(line, f, nf), arg);
	}
	free(buf);
	return 0;
}

struct find {
	const char *name;
	unsigned long id;
	int byid;
	struct cvm_audit_acct *ac;
	int found, err;
};

static int
dup_to(char **dst, const char *s, struct find *q)
{
	if ((*dst = strdup(s)) == NULL)
		q->err = 1;
	return q->err;
}

static int
pw_line(char **f, size_t n, void *arg)
{
	struct find *q = arg;
	struct passwd *pw = &q->ac->pw;

	if (n < 7 || strcmp(f[0], q->name) != 0)
		return 0;
	q->found = 1;
	pw->pw_uid = (uid_t)num(f[2]);
	pw->pw_gid = (gid_t)num(f[3]);
	if (dup_to(&pw->pw_name, f[0], q) || dup_to(&pw->pw_passwd, f[1], q) ||
	    dup_to(&pw->pw_gecos, f[4], q) || dup_to(&pw->pw_dir, f[5], q) ||
	    dup_to(&pw->pw_shell, f[6], q))
		return 1;
	return 1;
}

static int
sp_line(char **f, size_t n, void *arg)
{
	struct find *q = arg;
	struct cvm_audit_acct *ac = q->ac;

	if (n < 8 || strcmp(f[0], q->name) != 0)
		return 0;
	ac->has_shadow = 1;
	ac->sp_lstchg = num(f[2]);
	ac->sp_max = num(f[4]);
	ac->sp_inact = num(f[6]);
	ac->sp_expire = num(f[7]);
	dup_to(&ac->sp_pwdp, f[1], q);
	return 1;
}

static int
add_group(struct cvm_audit_acct *ac, gid_t gid, const char *name)
{
	gid_t *ng;

	for (size_t i = 0; i < ac->ngids; i++)
		if (ac->gids[i] == gid)
			return 0;
	if ((ng = realloc(ac->gids, (ac->ngids + 1) * sizeof(*ng))) == NULL)
		return -1;
	ac->gids = ng;
	ac->gids[ac->ngids++] = gid;
	return name ? cvm_strv_push(&ac->groups, name) : 0;
}

static int
gr_line(char **f, size_t n, void *arg)
{
	struct find *q = arg;
	struct cvm_audit_acct *ac = q->ac;
	char *m, *save = NULL;
	long gid;

	if (n < 4 || (gid = num(f[2])) < 0)
		return 0;
	if ((gid_t)gid == ac->pw.pw_gid) {
		/* the primary group's name goes first */
		if (ac->groups.n == 0 || strcmp(ac->groups.v[0], f[0]) != 0)
			if (cvm_strv_insert0(&ac->groups, f[0]) != 0)
				q->err = 1;
		return q->err;
	}
	for (m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save))
		if (strcmp(m, q->name) == 0) {
			if (add_group(ac, (gid_t)gid, f[0]) != 0)
				q->err = 1;
			break;
		}
	return q->err;
}

static int
load_tree(const struct cvm_root *r, const char *dbpath, const char *user,
    struct cvm_audit_acct *ac)
{
	struct find q = { user, 0, 0, ac, 0, 0 };

	ac->source = "/etc/passwd";
	if (each_line(r, "/etc/passwd", pw_line, 7, &q) != 0 || q.err)
		return -1;
	if (!q.found) {
		/* as libnss_cvm would serve it: the tree's own database */
		struct cvm_db *db;
		struct cvm_db_user u;
		char err[256], path[PATH_MAX];

		snprintf(path, sizeof(path), "%s%s", r->rooted ? r->dir : "", dbpath);
		if (cvm_db_open(path, 1, &db, err, sizeof(err)) != CVM_DB_OK)
			return 0;
		if (cvm_db_user_byname(db, user, &u) == CVM_DB_OK) {
			if (u.flags & CVM_DBU_PROVISIONED) {
				q.found = ac->provisioned = 1;
				ac->source = dbpath;
				ac->pw.pw_uid = u.uid;
				ac->pw.pw_gid = u.gid;
				(void)(dup_to(&ac->pw.pw_name, u.name, &q) ||
				    dup_to(&ac->pw.pw_passwd, "*", &q) ||
				    dup_to(&ac->pw.pw_gecos, u.gecos, &q) ||
				    dup_to(&ac->pw.pw_dir, u.home, &q) ||
				    dup_to(&ac->pw.pw_shell, u.shell, &q));
				for (uint32_t i = 0; !q.err && i < u.ngroups; i++)
					if (add_group(ac, u.groups[i], NULL) != 0)
						q.err = 1;
			}
			cvm_db_user_free(&u);
		}
		cvm_db_close(db);
		if (q.err)
			return -1;
		if (!q.found)
			return 0;
	}
	ac->exists = 1;
	if (add_group(ac, ac->pw.pw_gid, NULL) != 0)
		return -1;
	if (each_line(r, "/etc/group", gr_line, 4, &q) != 0 || q.err)
		return -1;
	if (each_line(r, "/etc/shadow", sp_line, 9, &q) != 0 || q.err)
		return -1;
	return 0;
}

static int
load_live(const char *user, struct cvm_audit_acct *ac)
{
	struct passwd pw, *res = NULL;
	struct spwd sp, *sres = NULL;
	char buf[16384];
	struct find q = { user, 0, 0, ac, 0, 0 };

	ac->source = "NSS";
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return 0;
	ac->exists = 1;
	ac->pw.pw_uid = pw.pw_uid;
	ac->pw.pw_gid = pw.pw_gid;
	if (dup_to(&ac->pw.pw_name, pw.pw_name, &q) ||
	    dup_to(&ac->pw.pw_passwd, pw.pw_passwd, &q) ||
	    dup_to(&ac->pw.pw_gecos, pw.pw_gecos, &q) ||
	    dup_to(&ac->pw.pw_dir, pw.pw_dir, &q) ||
	    dup_to(&ac->pw.pw_shell, pw.pw_shell, &q))
		return -1;
	if (cvm_user_groups(ac->pw.pw_name, ac->pw.pw_gid, &ac->gids, &ac->ngids) != 0)
		return -1;
	for (size_t i = 0; i < ac->ngids; i++) {
		struct group gr, *gres = NULL;

		if (getgrgid_r(ac->gids[i], &gr, buf, sizeof(buf), &gres) == 0 &&
		    gres != NULL && cvm_strv_push(&ac->groups, gr.gr_name) != 0)
			return -1;
	}
	if (getspnam_r(ac->pw.pw_name, &sp, buf, sizeof(buf), &sres) == 0 &&
	    sres != NULL) {
		ac->has_shadow = 1;
		ac->sp_lstchg = sp.sp_lstchg;
		ac->sp_max = sp.sp_max;
		ac->sp_inact = sp.sp_inact;
		ac->sp_expire = sp.sp_expire;
		if (dup_to(&ac->sp_pwdp, sp.sp_pwdp, &q))
			return -1;
	}
	return 0;
}

int
cvm_audit_acct_load(const struct cvm_root *r, const char *dbpath,
    const char *user, struct cvm_audit_acct *ac)
{
	memset(ac, 0, sizeof(*ac));
	ac->sp_lstchg = ac->sp_max = ac->sp_inact = ac->sp_expire = -1;
	if (r->rooted ? load_tree(r, dbpath, user, ac) : load_live(user, ac)) {
		cvm_audit_acct_free(ac);
		return -1;
	}
	return 0;
}

void
cvm_audit_acct_free(struct cvm_audit_acct *ac)
{
	free(ac->pw.pw_name);
	free(ac->pw.pw_passwd);
	free(ac->pw.pw_gecos);
	free(ac->pw.pw_dir);
	free(ac->pw.pw_shell);
	free(ac->gids);
	free(ac->sp_pwdp);
	cvm_strv_free(&ac->groups);
	memset(ac, 0, sizeof(*ac));
}

static int
has_line(char **f, size_t n, void *arg)
{
	struct find *q = arg;

	if (n < 3)
		return 0;
	if ((q->name && strcmp(f[0], q->name) == 0) ||
	    (q->byid && num(f[2]) >= 0 && (unsigned long)num(f[2]) == q->id)) {
		q->found = 1;
		if (q->ac == NULL && q->byid == 0)
			q->id = (unsigned long)num(f[2]);
		return 1;
	}
	return 0;
}

int
cvm_audit_files_user(const struct cvm_root *r, const char *name, uid_t *uid)
{
	struct find q = { name, 0, 0, NULL, 0, 0 };

	if (each_line(r, "/etc/passwd", has_line, 7, &q) != 0)
		return -1;
	if (q.found && uid)
		*uid = (uid_t)q.id;
	return q.found;
}

int
cvm_audit_files_has(const struct cvm_root *r, int group, const char *name,
    unsigned long id)
{
	struct find q = { name, id, 1, NULL, 0, 0 };

	if (each_line(r, group ? "/etc/group" : "/etc/passwd", has_line, 4, &q) != 0)
		return -1;
	return q.found;
}
