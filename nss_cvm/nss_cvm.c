/* libnss_cvm: passwd, group and initgroups from the bindings database
 * (DESIGN §4).  Thin entry points over lib/db.c (reader) and lib/dbcache.c
 * (reference-counted mapping, replacement protocol).
 *
 * Loaded into every process that looks up a user: libc only, no logging,
 * no descriptor kept, thread-safe.  Status and errno:
 *   found                          SUCCESS
 *   no such entry, no db file      NOTFOUND  (*errnop unchanged)
 *   db refused, corrupt, unreadable UNAVAIL   ENOENT
 *   buffer too small               TRYAGAIN  ERANGE (nothing changes)
 *   out of memory                  TRYAGAIN  ENOMEM
 * Only provisioned accounts (CVM_DBU_PROVISIONED) are passwd entries;
 * no uid or gid outside the header's ranges is ever served, nor 0, 65534,
 * 65535 or (uid_t)-1; initgroups may add the header's admin gid for
 * accounts flagged admin (never 0 or disk). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1	/* secure_getenv */
#endif
#include "config.h"
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "db.h"
#include "dbcache.h"

#define EXPORT __attribute__((visibility("default")))

#ifndef CVM_DBPATH
#error CVM_DBPATH must be defined at build time
#endif

/* The entry points (glibc's nss module interface). */
#define NSS_CVM_PROTO(ret, name, args) EXPORT ret name args
NSS_CVM_PROTO(enum nss_status, _nss_cvm_getpwnam_r, (const char *,
    struct passwd *, char *, size_t, int *));
NSS_CVM_PROTO(enum nss_status, _nss_cvm_getpwuid_r, (uid_t, struct passwd *,
    char *, size_t, int *));
NSS_CVM_PROTO(enum nss_status, _nss_cvm_setpwent, (int));
NSS_CVM_PROTO(enum nss_status, _nss_cvm_getpwent_r, (struct passwd *, char *,
    size_t, int *));
NSS_CVM_PROTO(enum nss_status, _nss_cvm_endpwent, (void));
NSS_CVM_PROTO(enum nss_status, _nss_cvm_getgrnam_r, (const char *,
    struct group *, char *, size_t, int *));
NSS_CVM_PROTO(enum nss_status, _nss_cvm_getgrgid_r, (gid_t, struct group *,
    char *, size_t, int *));
NSS_CVM_PROTO(enum nss_status, _nss_cvm_setgrent, (int));
NSS_CVM_PROTO(enum nss_status, _nss_cvm_getgrent_r, (struct group *, char *,
    size_t, int *));
NSS_CVM_PROTO(enum nss_status, _nss_cvm_endgrent, (void));
NSS_CVM_PROTO(enum nss_status, _nss_cvm_initgroups_dyn, (const char *, gid_t,
    long int *, long int *, gid_t **, long int, int *));

/* Debian's base-passwd fixes group disk at gid 6: never granted. */
#define CVM_DISK_GID 6u

static struct cvm_dbc cache = CVM_DBC_INIT;

/* One process-global cursor per database, under ent_lock, each holding a
 * reference to the mapping it walks (lock order: ent_lock, then the
 * cache's lock). */
struct cursor {
	struct cvm_dbc_map *map;
	uint32_t idx;
};
static pthread_mutex_t ent_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cursor pwent, grent;

/* Both locks are held across fork() (enumeration before cache: the order
 * the lookups take them), so the child never inherits a half-updated
 * cursor or cache; it then starts fresh locks. */
static void
atfork_prepare(void)
{
	pthread_mutex_lock(&ent_lock);
	cvm_dbc_atfork_prepare(&cache);
}

static void
atfork_parent(void)
{
	cvm_dbc_atfork_parent(&cache);
	pthread_mutex_unlock(&ent_lock);
}

static void
atfork_child(void)
{
	pthread_mutex_init(&ent_lock, NULL);
	cvm_dbc_atfork_child(&cache);
}

__attribute__((constructor)) static void
nss_cvm_init(void)
{
	(void)pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

static const char *
db_path(void)
{
	const char *p = secure_getenv("CVMKEY_DB");

	return p != NULL && p[0] != '\0' ? p : CVM_DBPATH;
}

static enum nss_status
db_status(int rc, int *errnop)
{
	switch (rc) {
	case CVM_DB_OK:
		return NSS_STATUS_SUCCESS;
	case CVM_DB_NOTFOUND:
	case CVM_DB_MISSING:
		return NSS_STATUS_NOTFOUND;
	case CVM_DB_NOMEM:
		*errnop = ENOMEM;
		return NSS_STATUS_TRYAGAIN;
	default:		/* refused, corrupt, unreadable */
		*errnop = ENOENT;
		return NSS_STATUS_UNAVAIL;
	}
}

static enum nss_status
erange(int *errnop)
{
	*errnop = ERANGE;
	return NSS_STATUS_TRYAGAIN;
}

/* ---- what may be served ---------------------------------------------- */

static int
id_forbidden(uint32_t id)
{
	return id == 0 || id == 65534 || id == 65535 || id == UINT32_MAX;
}

static int
uid_ok(const struct cvm_db_header *h, uint32_t uid)
{
	return !id_forbidden(uid) && uid >= h->uid_min && uid <= h->uid_max;
}

static int
gid_ok(const struct cvm_db_header *h, uint32_t gid)
{
	return !id_forbidden(gid) && gid >= h->gid_min && gid <= h->gid_max;
}

/* A field that cannot break the passwd/group line format. */
static int
field_ok(const char *s)
{
	return strpbrk(s, ":\n") == NULL;
}

static int
name_ok(const char *s)
{
	return s[0] != '\0' && strpbrk(s, ":,\n") == NULL;
}

static int
user_ok(const struct cvm_db_header *h, const struct cvm_db_user *u)
{
	return (u->flags & CVM_DBU_PROVISIONED) != 0 && uid_ok(h, u->uid) &&
	    gid_ok(h, u->gid) && name_ok(u->name) && field_ok(u->gecos) &&
	    field_ok(u->home) && field_ok(u->shell);
}

static int
group_ok(const struct cvm_db_header *h, const struct cvm_db_group *g)
{
	uint32_t i;

	if (!gid_ok(h, g->gid) || !name_ok(g->name))
		return 0;
	for (i = 0; i < g->nmembers; i++)
		if (!name_ok(g->members[i]))
			return 0;
	return 1;
}

static int
admin_gid_ok(const struct cvm_db_header *h)
{
	return h->admin_gid != 0 && h->admin_gid != CVM_DISK_GID &&
	    !id_forbidden(h->admin_gid);
}

/* ---- packers: size first, then write (nothing past buflen) ----------- */

static char *
put_str(char **p, const char *s, size_t n)
{
	char *r = *p;

	memcpy(r, s, n);
	*p += n;
	return r;
}

static enum nss_status
pack_pw(const struct cvm_db_user *u, struct passwd *pw, char *buf,
    size_t buflen, int *errnop)
{
	size_t ln = strlen(u->name) + 1, lg = strlen(u->gecos) + 1,
	    lh = strlen(u->home) + 1, ls = strlen(u->shell) + 1;
	char *p = buf;

	/* each field <= 4096 bytes (reader caps): no overflow */
	if (buf == NULL || buflen < ln + 2 + lg + lh + ls)
		return erange(errnop);
	pw->pw_name = put_str(&p, u->name, ln);
	pw->pw_passwd = put_str(&p, "*", 2);
	pw->pw_uid = (uid_t)u->uid;
	pw->pw_gid = (gid_t)u->gid;
	pw->pw_gecos = put_str(&p, u->gecos, lg);
	pw->pw_dir = put_str(&p, u->home, lh);
	pw->pw_shell = put_str(&p, u->shell, ls);
	return NSS_STATUS_SUCCESS;
}

static enum nss_status
pack_gr(const struct cvm_db_group *g, struct group *gr, char *buf,
    size_t buflen, int *errnop)
{
	size_t pad, need, ln = strlen(g->name) + 1, n;
	uint32_t i;
	char **mem, *p;

	if (buf == NULL)
		return erange(errnop);
	pad = (sizeof(char *) - (uintptr_t)buf % sizeof(char *)) %
	    sizeof(char *);
	/* nmembers <= 1,024, names <= 255 bytes (reader caps) */
	need = pad + ((size_t)g->nmembers + 1) * sizeof(char *) + ln + 2;
	for (i = 0; i < g->nmembers; i++)
		need += strlen(g->members[i]) + 1;
	if (buflen < need)
		return erange(errnop);
	mem = (char **)(void *)(buf + pad);
	p = (char *)(mem + g->nmembers + 1);
	gr->gr_name = put_str(&p, g->name, ln);
	gr->gr_passwd = put_str(&p, "*", 2);
	gr->gr_gid = (gid_t)g->gid;
	for (i = 0; i < g->nmembers; i++) {
		n = strlen(g->members[i]) + 1;
		mem[i] = put_str(&p, g->members[i], n);
	}
	mem[g->nmembers] = NULL;
	gr->gr_mem = mem;
	return NSS_STATUS_SUCCESS;
}

/* ---- passwd ------------------------------------------------------------ */

static enum nss_status
user_lookup(const char *name, uint32_t uid, struct passwd *pw, char *buf,
    size_t buflen, int *errnop)
{
	struct cvm_dbc_map *map = NULL;
	struct cvm_db *db;
	struct cvm_db_user u;
	const struct cvm_db_header *h;
	enum nss_status st;
	int rc;

	memset(&u, 0, sizeof(u));
	if (name == NULL && id_forbidden(uid))
		return NSS_STATUS_NOTFOUND;
	if ((rc = cvm_dbc_get(&cache, db_path(), &map, &db)) != CVM_DB_OK)
		return db_status(rc, errnop);
	h = cvm_db_header(db);
	if (name != NULL)
		rc = cvm_db_user_byname(db, name, &u);
	else if (uid_ok(h, uid))
		rc = cvm_db_user_byuid(db, uid, &u);
	else
		rc = CVM_DB_NOTFOUND;
	if (rc != CVM_DB_OK)
		st = db_status(rc, errnop);
	else if (!user_ok(h, &u))
		st = NSS_STATUS_NOTFOUND;
	else
		st = pack_pw(&u, pw, buf, buflen, errnop);
	cvm_db_user_free(&u);
	cvm_dbc_put(&cache, map);
	return st;
}

EXPORT enum nss_status
_nss_cvm_getpwnam_r(const char *name, struct passwd *pw, char *buf,
    size_t buflen, int *errnop)
{
	if (name == NULL)
		return NSS_STATUS_NOTFOUND;
	return user_lookup(name, 0, pw, buf, buflen, errnop);
}

EXPORT enum nss_status
_nss_cvm_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen,
    int *errnop)
{
	return user_lookup(NULL, (uint32_t)uid, pw, buf, buflen, errnop);
}

/* ---- enumeration ----------------------------------------------------- */

static void
cursor_reset(struct cursor *c)
{
	cvm_dbc_put(&cache, c->map);
	c->map = NULL;
	c->idx = 0;
}

/* The cursor's mapping, taken on first use after set*ent. */
static int
cursor_db(struct cursor *c, struct cvm_db **dbp)
{
	struct cvm_dbc_map *map;
	int rc;

	if (c->map == NULL) {
		if ((rc = cvm_dbc_get(&cache, db_path(), &map, dbp)) != CVM_DB_OK)
			return rc;
		c->map = map;
		c->idx = 0;
	}
	*dbp = cvm_dbc_db(c->map);
	return CVM_DB_OK;
}

EXPORT enum nss_status
_nss_cvm_setpwent(int stayopen)
{
	(void)stayopen;
	pthread_mutex_lock(&ent_lock);
	cursor_reset(&pwent);
	pthread_mutex_unlock(&ent_lock);
	return NSS_STATUS_SUCCESS;
}

EXPORT enum nss_status
_nss_cvm_endpwent(void)
{
	pthread_mutex_lock(&ent_lock);
	cursor_reset(&pwent);
	pthread_mutex_unlock(&ent_lock);
	return NSS_STATUS_SUCCESS;
}

EXPORT enum nss_status
_nss_cvm_getpwent_r(struct passwd *pw, char *buf, size_t buflen, int *errnop)
{
	struct cvm_db *db;
	struct cvm_db_user u;
	enum nss_status st;
	uint32_t i;
	int rc;

	pthread_mutex_lock(&ent_lock);
	if ((rc = cursor_db(&pwent, &db)) != CVM_DB_OK) {
		st = db_status(rc, errnop);
		goto out;
	}
	for (i = pwent.idx;; i++) {
		if ((rc = cvm_db_user_at(db, i, &u)) != CVM_DB_OK) {
			st = db_status(rc, errnop);
			pwent.idx = i;
			break;
		}
		if (!user_ok(cvm_db_header(db), &u)) {
			cvm_db_user_free(&u);
			continue;
		}
		st = pack_pw(&u, pw, buf, buflen, errnop);
		cvm_db_user_free(&u);
		/* a short buffer returns the same entry next time */
		pwent.idx = st == NSS_STATUS_SUCCESS ? i + 1 : i;
		break;
	}
out:
	pthread_mutex_unlock(&ent_lock);
	return st;
}

/* ---- group ------------------------------------------------------------- */

static enum nss_status
group_lookup(const char *name, uint32_t gid, struct group *gr, char *buf,
    size_t buflen, int *errnop)
{
	struct cvm_dbc_map *map = NULL;
	struct cvm_db *db;
	struct cvm_db_group g;
	const struct cvm_db_header *h;
	enum nss_status st;
	int rc;

	memset(&g, 0, sizeof(g));
	if (name == NULL && id_forbidden(gid))
		return NSS_STATUS_NOTFOUND;
	if ((rc = cvm_dbc_get(&cache, db_path(), &map, &db)) != CVM_DB_OK)
		return db_status(rc, errnop);
	h = cvm_db_header(db);
	if (name != NULL)
		rc = cvm_db_group_byname(db, name, &g);
	else if (gid_ok(h, gid))
		rc = cvm_db_group_bygid(db, gid, &g);
	else
		rc = CVM_DB_NOTFOUND;
	if (rc != CVM_DB_OK)
		st = db_status(rc, errnop);
	else if (!group_ok(h, &g))
		st = NSS_STATUS_NOTFOUND;
	else
		st = pack_gr(&g, gr, buf, buflen, errnop);
	cvm_db_group_free(&g);
	cvm_dbc_put(&cache, map);
	return st;
}

EXPORT enum nss_status
_nss_cvm_getgrnam_r(const char *name, struct group *gr, char *buf,
    size_t buflen, int *errnop)
{
	if (name == NULL)
		return NSS_STATUS_NOTFOUND;
	return group_lookup(name, 0, gr, buf, buflen, errnop);
}

EXPORT enum nss_status
_nss_cvm_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t buflen,
    int *errnop)
{
	return group_lookup(NULL, (uint32_t)gid, gr, buf, buflen, errnop);
}

EXPORT enum nss_status
_nss_cvm_setgrent(int stayopen)
{
	(void)stayopen;
	pthread_mutex_lock(&ent_lock);
	cursor_reset(&grent);
	pthread_mutex_unlock(&ent_lock);
	return NSS_STATUS_SUCCESS;
}

EXPORT enum nss_status
_nss_cvm_endgrent(void)
{
	pthread_mutex_lock(&ent_lock);
	cursor_reset(&grent);
	pthread_mutex_unlock(&ent_lock);
	return NSS_STATUS_SUCCESS;
}

EXPORT enum nss_status
_nss_cvm_getgrent_r(struct group *gr, char *buf, size_t buflen, int *errnop)
{
	struct cvm_db *db;
	struct cvm_db_group g;
	enum nss_status st;
	uint32_t i;
	int rc;

	pthread_mutex_lock(&ent_lock);
	if ((rc = cursor_db(&grent, &db)) != CVM_DB_OK) {
		st = db_status(rc, errnop);
		goto out;
	}
	for (i = grent.idx;; i++) {
		if ((rc = cvm_db_group_at(db, i, &g)) != CVM_DB_OK) {
			st = db_status(rc, errnop);
			grent.idx = i;
			break;
		}
		if (!group_ok(cvm_db_header(db), &g)) {
			cvm_db_group_free(&g);
			continue;
		}
		st = pack_gr(&g, gr, buf, buflen, errnop);
		cvm_db_group_free(&g);
		grent.idx = st == NSS_STATUS_SUCCESS ? i + 1 : i;
		break;
	}
out:
	pthread_mutex_unlock(&ent_lock);
	return st;
}

/* ---- initgroups ------------------------------------------------------ */

/* glibc grp/initgroups.c contract: 1 added, 0 skipped (the primary group
 * or already present), 2 limit reached, -1 out of memory. */
static int
add_gid(gid_t gid, gid_t group, long int *start, long int *size,
    gid_t **groupsp, long int limit)
{
	gid_t *ng;
	long int i, newsize;

	if (gid == group)
		return 0;
	for (i = 0; i < *start; i++)
		if ((*groupsp)[i] == gid)
			return 0;
	if (*start >= *size) {
		if (limit > 0 && *size >= limit)
			return 2;
		if (*size <= 0)
			newsize = 8;
		else if (*size > LONG_MAX / 2 ||
		    (unsigned long)*size > SIZE_MAX / 2 / sizeof(gid_t))
			return -1;
		else
			newsize = 2 * *size;
		if (limit > 0 && newsize > limit)
			newsize = limit;
		if (newsize <= *start)
			return 2;
		if ((ng = realloc(*groupsp, (size_t)newsize * sizeof(gid_t))) ==
		    NULL)
			return -1;
		*groupsp = ng;
		*size = newsize;
	}
	(*groupsp)[*start] = gid;
	(*start)++;
	return 1;
}

EXPORT enum nss_status
_nss_cvm_initgroups_dyn(const char *user, gid_t group, long int *start,
    long int *size, gid_t **groupsp, long int limit, int *errnop)
{
	struct cvm_dbc_map *map = NULL;
	struct cvm_db *db;
	struct cvm_db_user u;
	const struct cvm_db_header *h;
	enum nss_status st;
	uint32_t i, g;
	int rc, r = 0, added = 0, admin;

	memset(&u, 0, sizeof(u));
	if (user == NULL)
		return NSS_STATUS_NOTFOUND;
	if ((rc = cvm_dbc_get(&cache, db_path(), &map, &db)) != CVM_DB_OK)
		return db_status(rc, errnop);
	h = cvm_db_header(db);
	if ((rc = cvm_db_user_byname(db, user, &u)) != CVM_DB_OK) {
		st = db_status(rc, errnop);
		goto out;
	}
	if (!user_ok(h, &u)) {
		st = NSS_STATUS_NOTFOUND;
		goto out;
	}
	admin = (u.flags & CVM_DBU_ADMIN) != 0 && admin_gid_ok(h);
	for (i = 0; i <= u.ngroups && r != 2; i++) {
		if (i < u.ngroups) {
			g = u.groups[i];
			if (!gid_ok(h, g) && !(admin && g == h->admin_gid))
				continue;
		} else if (admin)
			g = h->admin_gid;	/* last: the flag grants it */
		else
			break;
		if ((r = add_gid((gid_t)g, group, start, size, groupsp,
		    limit)) == -1) {
			*errnop = ENOMEM;
			st = NSS_STATUS_TRYAGAIN;
			goto out;
		}
		if (r == 1)
			added++;
	}
	st = added > 0 ? NSS_STATUS_SUCCESS : NSS_STATUS_NOTFOUND;
out:
	cvm_db_user_free(&u);
	cvm_dbc_put(&cache, map);
	return st;
}
