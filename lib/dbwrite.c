/* Bindings database writer (DESIGN §4 "Replacement, exactly"; the format is
 * in dbformat.h).  libc only.
 *
 * A write validates the model, plans the file (record sizes and offsets,
 * hash tables built with a fresh random seed), streams it to "<path>.new"
 * through a buffer, fsyncs it, opens and verifies it with the reader, copies
 * the current generation to "<path>.prev" (temp file, fsync, rename: never a
 * hard link of the live file), renames the new file over path, fsyncs the
 * directory, and finally sets the old file's retired word through the
 * descriptor opened before anything else. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "errbuf.h"
#include "db.h"
#include "dbformat.h"
#include "dbhash.h"
#include "dbwrite.h"

#define seterr(err, errlen, ...) (void)cvm_seterr(err, errlen, __VA_ARGS__)

static char *
xstrdup0(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/* ---- the model ---------------------------------------------------------- */

/* Room for one more element after n in p (which may have been allocated
 * by the caller: its real size comes from malloc_usable_size), growing
 * geometrically so that building a model of n entries costs O(n). */
static void *
grow(void *p, size_t n, size_t elem)
{
	size_t cap = p != NULL ? malloc_usable_size(p) / elem : 0, want;

	if (n < cap)
		return p;
	want = n < 4 ? 8 : 2 * n;
	if (want > SIZE_MAX / elem) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, want * elem);
}

void
cvm_dbm_init(struct cvm_dbm *m)
{
	memset(m, 0, sizeof(*m));
	m->uid_min = m->gid_min = 70000;
	m->uid_max = m->gid_max = 99999;
}

static void
key_free(struct cvm_dbm_key *k)
{
	free(k->type);
	free(k->blob);
	free(k->label);
	free(k->fp);
	memset(k, 0, sizeof(*k));
}

static void
user_free(struct cvm_dbm_user *u)
{
	uint32_t i;

	free(u->name);
	free(u->gecos);
	free(u->home);
	free(u->shell);
	free(u->groups);
	if (u->keys != NULL)
		for (i = 0; i < u->nkeys; i++)
			key_free(&u->keys[i]);
	free(u->keys);
	memset(u, 0, sizeof(*u));
}

static void
group_free(struct cvm_dbm_group *g)
{
	uint32_t i;

	free(g->name);
	if (g->members != NULL)
		for (i = 0; i < g->nmembers; i++)
			free(g->members[i]);
	free(g->members);
	memset(g, 0, sizeof(*g));
}

void
cvm_dbm_free(struct cvm_dbm *m)
{
	size_t i;

	if (m == NULL)
		return;
	if (m->users != NULL)
		for (i = 0; i < m->nusers; i++)
			user_free(&m->users[i]);
	if (m->groups != NULL)
		for (i = 0; i < m->ngroups; i++)
			group_free(&m->groups[i]);
	free(m->users);
	free(m->groups);
	memset(m, 0, sizeof(*m));
}

struct cvm_dbm_user *
cvm_dbm_find_user(struct cvm_dbm *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nusers; i++)
		if (m->users[i].name != NULL && strcmp(m->users[i].name, name) == 0)
			return &m->users[i];
	return NULL;
}

struct cvm_dbm_user *
cvm_dbm_add_user(struct cvm_dbm *m, const char *name)
{
	struct cvm_dbm_user *nu, *u;

	if (m->nusers >= CVM_DB_MAX_USERS) {
		errno = E2BIG;
		return NULL;
	}
	if ((nu = grow(m->users, m->nusers, sizeof(*nu))) == NULL)
		return NULL;
	m->users = nu;
	u = &nu[m->nusers];
	memset(u, 0, sizeof(*u));
	if ((u->name = strdup(name)) == NULL || (u->gecos = strdup("")) == NULL ||
	    (u->home = strdup("")) == NULL || (u->shell = strdup("")) == NULL) {
		user_free(u);
		return NULL;
	}
	m->nusers++;
	return u;
}

int
cvm_dbm_remove_user(struct cvm_dbm *m, const char *name)
{
	struct cvm_dbm_user *u;
	size_t i;

	if ((u = cvm_dbm_find_user(m, name)) == NULL)
		return -1;
	i = (size_t)(u - m->users);
	user_free(u);
	memmove(&m->users[i], &m->users[i + 1],
	    (m->nusers - i - 1) * sizeof(*u));
	m->nusers--;
	return 0;
}

int
cvm_dbm_add_key(struct cvm_dbm_user *u, const char *type,
    const unsigned char *blob, uint32_t bloblen, const char *label,
    const char *fp, int64_t bound_at, int64_t expiry)
{
	struct cvm_dbm_key *nk, k;

	if (u->nkeys >= CVM_DB_MAX_KEYS || bloblen > CVM_DB_MAX_BLOB ||
	    type == NULL || (blob == NULL && bloblen > 0)) {
		errno = EINVAL;
		return -1;
	}
	memset(&k, 0, sizeof(k));
	k.bloblen = bloblen;
	k.bound_at = bound_at;
	k.expiry = expiry;
	if ((k.type = strdup(type)) == NULL || (k.label = xstrdup0(label)) == NULL ||
	    (k.fp = xstrdup0(fp)) == NULL ||
	    (k.blob = malloc(bloblen > 0 ? bloblen : 1)) == NULL) {
		key_free(&k);
		return -1;
	}
	if (bloblen > 0)
		memcpy(k.blob, blob, bloblen);
	if ((nk = realloc(u->keys, (u->nkeys + 1) * sizeof(*nk))) == NULL) {
		key_free(&k);
		return -1;
	}
	u->keys = nk;
	nk[u->nkeys++] = k;
	return 0;
}

int
cvm_dbm_remove_key(struct cvm_dbm_user *u, uint32_t index)
{
	if (index >= u->nkeys)
		return -1;
	key_free(&u->keys[index]);
	memmove(&u->keys[index], &u->keys[index + 1],
	    (u->nkeys - index - 1) * sizeof(*u->keys));
	u->nkeys--;
	return 0;
}

int
cvm_dbm_set_str(char **field, const char *value)
{
	char *s;

	if ((s = xstrdup0(value)) == NULL)
		return -1;
	free(*field);
	*field = s;
	return 0;
}

int
cvm_dbm_user_add_gid(struct cvm_dbm_user *u, uint32_t gid)
{
	uint32_t i, *ng;

	for (i = 0; i < u->ngroups; i++)
		if (u->groups[i] == gid)
			return 0;
	if (u->ngroups >= CVM_DB_MAX_UGROUPS) {
		errno = E2BIG;
		return -1;
	}
	if ((ng = grow(u->groups, u->ngroups, sizeof(*ng))) == NULL)
		return -1;
	u->groups = ng;
	ng[u->ngroups++] = gid;
	return 0;
}

int
cvm_dbm_user_remove_gid(struct cvm_dbm_user *u, uint32_t gid)
{
	uint32_t i;

	for (i = 0; i < u->ngroups; i++)
		if (u->groups[i] == gid) {
			memmove(&u->groups[i], &u->groups[i + 1],
			    (u->ngroups - i - 1) * sizeof(*u->groups));
			u->ngroups--;
			return 0;
		}
	return -1;
}

struct cvm_dbm_group *
cvm_dbm_find_group(struct cvm_dbm *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->ngroups; i++)
		if (m->groups[i].name != NULL && strcmp(m->groups[i].name, name) == 0)
			return &m->groups[i];
	return NULL;
}

struct cvm_dbm_group *
cvm_dbm_find_gid(struct cvm_dbm *m, uint32_t gid)
{
	size_t i;

	for (i = 0; i < m->ngroups; i++)
		if (m->groups[i].gid == gid)
			return &m->groups[i];
	return NULL;
}

struct cvm_dbm_group *
cvm_dbm_add_group(struct cvm_dbm *m, const char *name, uint32_t gid)
{
	struct cvm_dbm_group *ng, *g;

	if (m->ngroups >= CVM_DB_MAX_GROUPS) {
		errno = E2BIG;
		return NULL;
	}
	if ((ng = grow(m->groups, m->ngroups, sizeof(*ng))) == NULL)
		return NULL;
	m->groups = ng;
	g = &ng[m->ngroups];
	memset(g, 0, sizeof(*g));
	if ((g->name = strdup(name)) == NULL)
		return NULL;
	g->gid = gid;
	m->ngroups++;
	return g;
}

int
cvm_dbm_remove_group(struct cvm_dbm *m, const char *name)
{
	struct cvm_dbm_group *g;
	size_t i;

	if ((g = cvm_dbm_find_group(m, name)) == NULL)
		return -1;
	i = (size_t)(g - m->groups);
	group_free(g);
	memmove(&m->groups[i], &m->groups[i + 1],
	    (m->ngroups - i - 1) * sizeof(*g));
	m->ngroups--;
	return 0;
}

int
cvm_dbm_group_add_member(struct cvm_dbm_group *g, const char *name)
{
	char **nm, *s;
	uint32_t i;

	for (i = 0; i < g->nmembers; i++)
		if (strcmp(g->members[i], name) == 0)
			return 0;
	if (g->nmembers >= CVM_DB_MAX_MEMBERS) {
		errno = E2BIG;
		return -1;
	}
	if ((s = strdup(name)) == NULL)
		return -1;
	if ((nm = grow(g->members, g->nmembers, sizeof(*nm))) == NULL) {
		free(s);
		return -1;
	}
	g->members = nm;
	nm[g->nmembers++] = s;
	return 0;
}

int
cvm_dbm_group_remove_member(struct cvm_dbm_group *g, const char *name)
{
	uint32_t i;

	for (i = 0; i < g->nmembers; i++)
		if (strcmp(g->members[i], name) == 0) {
			free(g->members[i]);
			memmove(&g->members[i], &g->members[i + 1],
			    (g->nmembers - i - 1) * sizeof(*g->members));
			g->nmembers--;
			return 0;
		}
	return -1;
}

/* ---- loading ------------------------------------------------------------ */

static int
load_user(struct cvm_dbm_user *d, const struct cvm_db_user *s)
{
	uint32_t i;

	memset(d, 0, sizeof(*d));
	d->uid = s->uid;
	d->gid = s->gid;
	d->flags = s->flags;
	if ((d->name = strdup(s->name)) == NULL ||
	    (d->gecos = strdup(s->gecos)) == NULL ||
	    (d->home = strdup(s->home)) == NULL ||
	    (d->shell = strdup(s->shell)) == NULL)
		return -1;
	if (s->ngroups > 0) {
		if ((d->groups = malloc(s->ngroups * sizeof(*d->groups))) == NULL)
			return -1;
		memcpy(d->groups, s->groups, s->ngroups * sizeof(*d->groups));
		d->ngroups = s->ngroups;
	}
	for (i = 0; i < s->nkeys; i++) {
		const struct cvm_db_key *k = &s->keys[i];

		if (cvm_dbm_add_key(d, k->type, k->blob, k->bloblen, k->label,
		    k->fp, k->bound_at, k->expiry) == -1)
			return -1;
	}
	return 0;
}

static int
load_group(struct cvm_dbm_group *d, const struct cvm_db_group *s)
{
	uint32_t i;

	memset(d, 0, sizeof(*d));
	d->gid = s->gid;
	if ((d->name = strdup(s->name)) == NULL)
		return -1;
	if (s->nmembers > 0 &&
	    (d->members = calloc(s->nmembers, sizeof(*d->members))) == NULL)
		return -1;
	for (i = 0; i < s->nmembers; i++) {
		if ((d->members[i] = strdup(s->members[i])) == NULL)
			return -1;
		d->nmembers = i + 1;
	}
	return 0;
}

int
cvm_dbm_load(const char *path, int check_owner, struct cvm_dbm *m,
    char *err, size_t errlen)
{
	struct cvm_db *db = NULL;
	const struct cvm_db_header *h;
	struct cvm_db_user u;
	struct cvm_db_group g;
	char why[256];
	uint32_t i;
	int rc, ret = -1;

	cvm_dbm_init(m);
	rc = cvm_db_open(path, check_owner, &db, err, errlen);
	if (rc == CVM_DB_MISSING)
		return 0;
	if (rc != CVM_DB_OK)
		return -1;
	if ((rc = cvm_db_verify(db, why, sizeof(why))) != CVM_DB_OK) {
		seterr(err, errlen, "%s: %s: %s", path, cvm_db_strstatus(rc), why);
		goto out;
	}
	h = cvm_db_header(db);
	m->uid_min = h->uid_min;
	m->uid_max = h->uid_max;
	m->gid_min = h->gid_min;
	m->gid_max = h->gid_max;
	m->admin_gid = h->admin_gid;
	m->serial = h->serial;
	memcpy(m->doc_sha256, h->doc_sha256, sizeof(m->doc_sha256));
	if ((h->nusers > 0 &&
	    (m->users = calloc(h->nusers, sizeof(*m->users))) == NULL) ||
	    (h->ngroups > 0 &&
	    (m->groups = calloc(h->ngroups, sizeof(*m->groups))) == NULL)) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < h->nusers; i++) {
		if ((rc = cvm_db_user_at(db, i, &u)) != CVM_DB_OK) {
			seterr(err, errlen, "%s: user %u: %s", path, (unsigned)i,
			    cvm_db_strstatus(rc));
			goto out;
		}
		m->nusers = i + 1;
		rc = load_user(&m->users[i], &u);
		cvm_db_user_free(&u);
		if (rc == -1) {
			seterr(err, errlen, "out of memory");
			goto out;
		}
	}
	for (i = 0; i < h->ngroups; i++) {
		if ((rc = cvm_db_group_at(db, i, &g)) != CVM_DB_OK) {
			seterr(err, errlen, "%s: group %u: %s", path, (unsigned)i,
			    cvm_db_strstatus(rc));
			goto out;
		}
		m->ngroups = i + 1;
		rc = load_group(&m->groups[i], &g);
		cvm_db_group_free(&g);
		if (rc == -1) {
			seterr(err, errlen, "out of memory");
			goto out;
		}
	}
	ret = 0;
out:
	cvm_db_close(db);
	if (ret == -1) {
		cvm_dbm_free(m);
		cvm_dbm_init(m);
	}
	return ret;
}

/* ---- the lock ----------------------------------------------------------- */

static int
lock_open(const char *path, char *err, size_t errlen)
{
	char lp[PATH_MAX];
	struct stat st;
	int fd;

	if ((size_t)snprintf(lp, sizeof(lp), "%s.lock", path) >= sizeof(lp)) {
		seterr(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK, 0600);
	if (fd == -1) {
		seterr(err, errlen, "%s: %s", lp, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		seterr(err, errlen, "%s: not a regular file", lp);
		close(fd);
		return -1;
	}
	return fd;
}

int
cvm_db_lock(const char *path, char *err, size_t errlen)
{
	int fd;

	if ((fd = lock_open(path, err, errlen)) == -1)
		return -1;
	while (flock(fd, LOCK_EX) == -1) {
		if (errno == EINTR)
			continue;
		seterr(err, errlen, "%s.lock: flock: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
cvm_db_trylock(const char *path, char *err, size_t errlen)
{
	int fd;

	if ((fd = lock_open(path, err, errlen)) == -1)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EINTR)
			continue;
		close(fd);
		if (errno == EWOULDBLOCK) {
			seterr(err, errlen, "%s.lock: held by another writer",
			    path);
			return -2;
		}
		seterr(err, errlen, "%s.lock: flock: %s", path, strerror(errno));
		return -1;
	}
	return fd;
}

void
cvm_db_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* drops the flock */
}

/* ---- validation and planning -------------------------------------------- */

static const char *
bad_name(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0)
		return "empty name";
	if (n > CVM_DB_MAX_NAME)
		return "name longer than 255 bytes";
	if (strpbrk(s, ":\n") != NULL)
		return "':' or newline in name";
	return NULL;
}

/* gecos, home, shell: NULL is "", no ':' or newline (passwd lines) */
static const char *
bad_field(const char *s)
{
	if (s == NULL)
		return NULL;
	if (strlen(s) > CVM_DB_MAX_FIELD)
		return "field longer than 4096 bytes";
	if (strpbrk(s, ":\n") != NULL)
		return "':' or newline in a passwd field";
	return NULL;
}

/* key text: no control characters (it ends up in authorized_keys lines) */
static const char *
bad_keytext(const char *s, size_t max, int spaces_ok)
{
	const unsigned char *p;

	if (s == NULL)
		return NULL;
	if (strlen(s) > max)
		return "key text too long";
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || (!spaces_ok && *p == ' '))
			return "control character or space in key text";
	return NULL;
}

static size_t
str_size(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return 4 + ((n + 1 + 3) & ~(size_t)3);
}

static size_t
blob_size(size_t n)
{
	return 4 + ((n + 3) & ~(size_t)3);
}

static size_t
user_rec_size(const struct cvm_dbm_user *u)
{
	size_t n = CVM_DBR_SIZE + CVM_DBR_USER_FIXED;
	uint32_t i;

	n += str_size(u->name) + str_size(u->gecos) + str_size(u->home) +
	    str_size(u->shell);
	n += 4 * (size_t)u->ngroups;
	for (i = 0; i < u->nkeys; i++)
		n += CVM_DBR_KEY_FIXED + str_size(u->keys[i].type) +
		    blob_size(u->keys[i].bloblen) +
		    str_size(u->keys[i].label) + str_size(u->keys[i].fp);
	return (n + 7) & ~(size_t)7;
}

static size_t
group_rec_size(const struct cvm_dbm_group *g)
{
	size_t n = CVM_DBR_SIZE + CVM_DBR_GROUP_FIXED + str_size(g->name);
	uint32_t i;

	for (i = 0; i < g->nmembers; i++)
		n += str_size(g->members[i]);
	return (n + 7) & ~(size_t)7;
}

static int
validate_fields(const struct cvm_dbm *m, char *err, size_t errlen)
{
	const char *why;
	size_t i;
	uint32_t j;

	if (m->nusers > CVM_DB_MAX_USERS || m->ngroups > CVM_DB_MAX_GROUPS) {
		seterr(err, errlen, "too many accounts or groups (at most %u "
		    "and %u)", CVM_DB_MAX_USERS, CVM_DB_MAX_GROUPS);
		return -1;
	}
	if ((m->nusers > 0 && m->users == NULL) ||
	    (m->ngroups > 0 && m->groups == NULL)) {
		seterr(err, errlen, "invalid model");
		return -1;
	}
	if (m->uid_min > m->uid_max || m->gid_min > m->gid_max) {
		seterr(err, errlen, "empty uid or gid range");
		return -1;
	}
	for (i = 0; i < m->nusers; i++) {
		const struct cvm_dbm_user *u = &m->users[i];

		if ((why = bad_name(u->name)) != NULL ||
		    (why = bad_field(u->gecos)) != NULL ||
		    (why = bad_field(u->home)) != NULL ||
		    (why = bad_field(u->shell)) != NULL)
			goto bad_user;
		why = "unknown flags";
		if ((u->flags & ~(uint32_t)(CVM_DBU_PROVISIONED | CVM_DBU_ADMIN)) != 0)
			goto bad_user;
		why = "too many supplementary groups";
		if (u->ngroups > CVM_DB_MAX_UGROUPS ||
		    (u->ngroups > 0 && u->groups == NULL))
			goto bad_user;
		why = "more than 32 keys";
		if (u->nkeys > CVM_DB_MAX_KEYS || (u->nkeys > 0 && u->keys == NULL))
			goto bad_user;
		for (j = 0; j < u->nkeys; j++) {
			const struct cvm_dbm_key *k = &u->keys[j];

			why = "key without type";
			if (k->type == NULL || k->type[0] == '\0')
				goto bad_user;
			why = "key blob empty or larger than 16 KiB";
			if (k->bloblen == 0 || k->bloblen > CVM_DB_MAX_BLOB ||
			    k->blob == NULL)
				goto bad_user;
			if ((why = bad_keytext(k->type, CVM_DB_MAX_KEYWORD, 0)) ||
			    (why = bad_keytext(k->fp, CVM_DB_MAX_KEYWORD, 0)) ||
			    (why = bad_keytext(k->label, CVM_DB_MAX_LABEL, 1)))
				goto bad_user;
		}
		if (user_rec_size(u) > CVM_DB_REC_MAX) {
			why = "record too large";
			goto bad_user;
		}
		continue;
bad_user:
		seterr(err, errlen, "account %zu (%.64s): %s", i,
		    u->name != NULL ? u->name : "(null)", why);
		return -1;
	}
	for (i = 0; i < m->ngroups; i++) {
		const struct cvm_dbm_group *g = &m->groups[i];

		if ((why = bad_name(g->name)) != NULL)
			goto bad_group;
		why = "more than 1024 members";
		if (g->nmembers > CVM_DB_MAX_MEMBERS ||
		    (g->nmembers > 0 && g->members == NULL))
			goto bad_group;
		for (j = 0; j < g->nmembers; j++)
			if ((why = bad_name(g->members[j])) != NULL)
				goto bad_group;
		if (group_rec_size(g) > CVM_DB_REC_MAX) {
			why = "record too large";
			goto bad_group;
		}
		continue;
bad_group:
		seterr(err, errlen, "group %zu (%.64s): %s", i,
		    g->name != NULL ? g->name : "(null)", why);
		return -1;
	}
	return 0;
}

/* One hash table under construction: slots as on disk (offset and aux
 * filled by insert, checks by table_seal), and who[] (model index + 1) to
 * find duplicates. */
struct htab {
	uint32_t id, size;
	unsigned char *slots;
	uint32_t *who;
};

enum keykind { K_UNAME, K_UID, K_GNAME, K_GID };

static int
same_key(const struct cvm_dbm *m, enum keykind kind, size_t a, size_t b)
{
	switch (kind) {
	case K_UNAME:
		return strcmp(m->users[a].name, m->users[b].name) == 0;
	case K_UID:
		return m->users[a].uid == m->users[b].uid;
	case K_GNAME:
		return strcmp(m->groups[a].name, m->groups[b].name) == 0;
	case K_GID:
		return m->groups[a].gid == m->groups[b].gid;
	}
	return 0;
}

static uint32_t
table_size(size_t entries)
{
	uint32_t n = CVM_DB_TABLE_MIN;

	while (n < 2 * entries)
		n <<= 1;
	return n;
}

static int
htab_init(struct htab *t, uint32_t id, size_t entries)
{
	t->id = id;
	t->size = table_size(entries);
	t->slots = calloc(t->size, CVM_DB_SLOT_SIZE);
	t->who = calloc(t->size, sizeof(*t->who));
	return t->slots != NULL && t->who != NULL ? 0 : -1;
}

static void
htab_free(struct htab *t)
{
	free(t->slots);
	free(t->who);
	t->slots = NULL;
	t->who = NULL;
}

/* Returns 0, or -1 when an entry with the same key is already there. */
static int
htab_insert(struct htab *t, const struct cvm_dbm *m, enum keykind kind,
    size_t idx, uint64_t h, uint64_t off)
{
	uint32_t mask = t->size - 1, i = (uint32_t)h & mask;
	unsigned char *s;

	while (t->who[i] != 0) {
		s = t->slots + (size_t)i * CVM_DB_SLOT_SIZE;
		if (cvm_le32(s + 8) == (uint32_t)(h >> 32) &&
		    same_key(m, kind, t->who[i] - 1, idx))
			return -1;
		i = (i + 1) & mask;
	}
	s = t->slots + (size_t)i * CVM_DB_SLOT_SIZE;
	cvm_put64(s, off);
	cvm_put32(s + 8, (uint32_t)(h >> 32));
	t->who[i] = (uint32_t)idx + 1;
	return 0;
}

static void
table_seal(unsigned char *slots, uint32_t id, uint32_t size)
{
	uint32_t i;
	unsigned char *s;

	for (i = 0; i < size; i++) {
		s = slots + (size_t)i * CVM_DB_SLOT_SIZE;
		cvm_put32(s + 12, cvm_dbh_slot(id, i, s));
	}
}

struct plan {
	unsigned char seed[16];
	uint32_t nprov;
	uint64_t *uoff, *goff;		/* record offsets */
	unsigned char *ulist, *glist;	/* list tables */
	struct htab uname, uuid, gname, ggid;
	uint64_t ulist_off, uname_off, uuid_off, glist_off, gname_off,
	    ggid_off, rec_off, length;
	size_t maxrec;
};

static void
plan_free(struct plan *p)
{
	free(p->uoff);
	free(p->goff);
	free(p->ulist);
	free(p->glist);
	htab_free(&p->uname);
	htab_free(&p->uuid);
	htab_free(&p->gname);
	htab_free(&p->ggid);
	memset(p, 0, sizeof(*p));
}

/* Lays the file out and builds every index table; finds duplicates. */
static int
plan_build(struct plan *p, const struct cvm_dbm *m, char *err, size_t errlen)
{
	size_t i, sz;
	uint64_t pos;
	const char *dup = NULL;
	unsigned char *s;

	for (i = 0; i < m->nusers; i++)
		if (m->users[i].flags & CVM_DBU_PROVISIONED)
			p->nprov++;
	if ((p->uoff = calloc(m->nusers + 1, sizeof(*p->uoff))) == NULL ||
	    (p->goff = calloc(m->ngroups + 1, sizeof(*p->goff))) == NULL ||
	    (p->ulist = calloc(m->nusers + 1, CVM_DB_SLOT_SIZE)) == NULL ||
	    (p->glist = calloc(m->ngroups + 1, CVM_DB_SLOT_SIZE)) == NULL ||
	    htab_init(&p->uname, CVM_DBT_UNAME, m->nusers) == -1 ||
	    htab_init(&p->uuid, CVM_DBT_UUID, p->nprov) == -1 ||
	    htab_init(&p->gname, CVM_DBT_GNAME, m->ngroups) == -1 ||
	    htab_init(&p->ggid, CVM_DBT_GGID, m->ngroups) == -1) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	pos = CVM_DB_DATA_OFF;
	p->ulist_off = pos;
	pos += (uint64_t)m->nusers * CVM_DB_SLOT_SIZE;
	p->uname_off = pos;
	pos += (uint64_t)p->uname.size * CVM_DB_SLOT_SIZE;
	p->uuid_off = pos;
	pos += (uint64_t)p->uuid.size * CVM_DB_SLOT_SIZE;
	p->glist_off = pos;
	pos += (uint64_t)m->ngroups * CVM_DB_SLOT_SIZE;
	p->gname_off = pos;
	pos += (uint64_t)p->gname.size * CVM_DB_SLOT_SIZE;
	p->ggid_off = pos;
	pos += (uint64_t)p->ggid.size * CVM_DB_SLOT_SIZE;
	p->rec_off = pos;
	for (i = 0; i < m->nusers; i++) {
		const struct cvm_dbm_user *u = &m->users[i];

		p->uoff[i] = pos;
		sz = user_rec_size(u);
		if (sz > p->maxrec)
			p->maxrec = sz;
		pos += sz;
		s = p->ulist + i * CVM_DB_SLOT_SIZE;
		cvm_put64(s, p->uoff[i]);
		cvm_put32(s + 8, (uint32_t)i);
		if (htab_insert(&p->uname, m, K_UNAME, i,
		    cvm_dbh_name(p->seed, CVM_DBT_UNAME, u->name, strlen(u->name)),
		    p->uoff[i]) == -1) {
			dup = "duplicate account name";
			goto dup;
		}
		if ((u->flags & CVM_DBU_PROVISIONED) &&
		    htab_insert(&p->uuid, m, K_UID, i,
		    cvm_dbh_id(p->seed, CVM_DBT_UUID, u->uid), p->uoff[i]) == -1) {
			dup = "duplicate uid among provisioned accounts";
			goto dup;
		}
	}
	for (i = 0; i < m->ngroups; i++) {
		const struct cvm_dbm_group *g = &m->groups[i];

		p->goff[i] = pos;
		sz = group_rec_size(g);
		if (sz > p->maxrec)
			p->maxrec = sz;
		pos += sz;
		s = p->glist + i * CVM_DB_SLOT_SIZE;
		cvm_put64(s, p->goff[i]);
		cvm_put32(s + 8, (uint32_t)i);
		if (htab_insert(&p->gname, m, K_GNAME, i,
		    cvm_dbh_name(p->seed, CVM_DBT_GNAME, g->name, strlen(g->name)),
		    p->goff[i]) == -1) {
			dup = "duplicate group name";
			goto gdup;
		}
		if (htab_insert(&p->ggid, m, K_GID, i,
		    cvm_dbh_id(p->seed, CVM_DBT_GGID, g->gid), p->goff[i]) == -1) {
			dup = "duplicate gid";
			goto gdup;
		}
	}
	p->length = pos;
	table_seal(p->ulist, CVM_DBT_ULIST, (uint32_t)m->nusers);
	table_seal(p->glist, CVM_DBT_GLIST, (uint32_t)m->ngroups);
	table_seal(p->uname.slots, p->uname.id, p->uname.size);
	table_seal(p->uuid.slots, p->uuid.id, p->uuid.size);
	table_seal(p->gname.slots, p->gname.id, p->gname.size);
	table_seal(p->ggid.slots, p->ggid.id, p->ggid.size);
	return 0;
dup:
	seterr(err, errlen, "%s: %.64s", dup, m->users[i].name);
	return -1;
gdup:
	seterr(err, errlen, "%s: %.64s", dup, m->groups[i].name);
	return -1;
}

int
cvm_dbm_validate(const struct cvm_dbm *m, char *err, size_t errlen)
{
	struct plan p;
	int rc;

	if (validate_fields(m, err, errlen) == -1)
		return -1;
	memset(&p, 0, sizeof(p));
	rc = plan_build(&p, m, err, errlen);
	plan_free(&p);
	return rc;
}

/* ---- serialising -------------------------------------------------------- */

struct sbuf {
	unsigned char *p;
	size_t len, cap;
};

/* The record buffer is sized for the largest record up front. */
static void
sb_u32(struct sbuf *b, uint32_t v)
{
	cvm_put32(b->p + b->len, v);
	b->len += 4;
}

static void
sb_u64(struct sbuf *b, uint64_t v)
{
	cvm_put64(b->p + b->len, v);
	b->len += 8;
}

static void
sb_bytes(struct sbuf *b, const void *d, size_t n, int str)
{
	size_t padded = (n + (str ? 1 : 0) + 3) & ~(size_t)3;

	sb_u32(b, (uint32_t)n);
	if (n > 0)
		memcpy(b->p + b->len, d, n);
	memset(b->p + b->len + n, 0, padded - n);
	b->len += padded;
}

static void
sb_str(struct sbuf *b, const char *s)
{
	if (s == NULL)
		s = "";
	sb_bytes(b, s, strlen(s), 1);
}

static void
sb_begin(struct sbuf *b, uint32_t kind, uint32_t seq)
{
	b->len = 0;
	sb_u32(b, kind);
	sb_u32(b, 0);	/* length, set by sb_end */
	sb_u32(b, seq);
	sb_u32(b, 0);	/* checksum, set by sb_end */
}

static void
sb_end(struct sbuf *b)
{
	size_t padded = (b->len + 7) & ~(size_t)7;

	memset(b->p + b->len, 0, padded - b->len);
	b->len = padded;
	cvm_put32(b->p + CVM_DBR_LEN, (uint32_t)b->len);
	cvm_put32(b->p + CVM_DBR_CRC, cvm_dbh_record(b->p, b->len));
}

static void
ser_user(struct sbuf *b, const struct cvm_dbm_user *u, uint32_t seq)
{
	uint32_t i;

	sb_begin(b, CVM_DBR_USER, seq);
	sb_u32(b, u->uid);
	sb_u32(b, u->gid);
	sb_u32(b, u->flags);
	sb_u32(b, u->ngroups);
	sb_u32(b, u->nkeys);
	sb_u32(b, 0);
	sb_str(b, u->name);
	sb_str(b, u->gecos);
	sb_str(b, u->home);
	sb_str(b, u->shell);
	for (i = 0; i < u->ngroups; i++)
		sb_u32(b, u->groups[i]);
	for (i = 0; i < u->nkeys; i++) {
		const struct cvm_dbm_key *k = &u->keys[i];

		sb_u64(b, (uint64_t)k->bound_at);
		sb_u64(b, (uint64_t)k->expiry);
		sb_str(b, k->type);
		sb_bytes(b, k->blob, k->bloblen, 0);
		sb_str(b, k->label);
		sb_str(b, k->fp);
	}
	sb_end(b);
}

static void
ser_group(struct sbuf *b, const struct cvm_dbm_group *g, uint32_t seq)
{
	uint32_t i;

	sb_begin(b, CVM_DBR_GROUP, seq);
	sb_u32(b, g->gid);
	sb_u32(b, g->nmembers);
	sb_str(b, g->name);
	for (i = 0; i < g->nmembers; i++)
		sb_str(b, g->members[i]);
	sb_end(b);
}

static void
ser_header(unsigned char *h, const struct cvm_dbm *m, const struct plan *p)
{
	memset(h, 0, CVM_DB_DATA_OFF);	/* reserved and retired word: 0 */
	memcpy(h + CVM_DBH_MAGIC, CVM_DB_MAGIC, CVM_DB_MAGIC_LEN);
	cvm_put32(h + CVM_DBH_VERSION, CVM_DB_FORMAT_VERSION);
	cvm_put32(h + CVM_DBH_HDRSIZE, CVM_DBH_SIZE);
	cvm_put64(h + CVM_DBH_LENGTH, p->length);
	cvm_put32(h + CVM_DBH_UID_MIN, m->uid_min);
	cvm_put32(h + CVM_DBH_UID_MAX, m->uid_max);
	cvm_put32(h + CVM_DBH_GID_MIN, m->gid_min);
	cvm_put32(h + CVM_DBH_GID_MAX, m->gid_max);
	cvm_put32(h + CVM_DBH_ADMIN_GID, m->admin_gid);
	cvm_put32(h + CVM_DBH_NUSERS, (uint32_t)m->nusers);
	cvm_put32(h + CVM_DBH_NGROUPS, (uint32_t)m->ngroups);
	cvm_put32(h + CVM_DBH_NPROV, p->nprov);
	cvm_put64(h + CVM_DBH_SERIAL, m->serial);
	memcpy(h + CVM_DBH_DOC_SHA256, m->doc_sha256, 32);
	memcpy(h + CVM_DBH_SEED, p->seed, 16);
	cvm_put64(h + CVM_DBH_ULIST_OFF, p->ulist_off);
	cvm_put64(h + CVM_DBH_UNAME_OFF, p->uname_off);
	cvm_put64(h + CVM_DBH_UUID_OFF, p->uuid_off);
	cvm_put32(h + CVM_DBH_UNAME_SIZE, p->uname.size);
	cvm_put32(h + CVM_DBH_UUID_SIZE, p->uuid.size);
	cvm_put64(h + CVM_DBH_GLIST_OFF, p->glist_off);
	cvm_put64(h + CVM_DBH_GNAME_OFF, p->gname_off);
	cvm_put64(h + CVM_DBH_GGID_OFF, p->ggid_off);
	cvm_put32(h + CVM_DBH_GNAME_SIZE, p->gname.size);
	cvm_put32(h + CVM_DBH_GGID_SIZE, p->ggid.size);
	cvm_put32(h + CVM_DBH_INCOMPAT, 0);
	cvm_put32(h + CVM_DBH_CRC_OFF, cvm_dbh_header(h));
}

/* ---- file output -------------------------------------------------------- */

static int
write_all(int fd, const void *data, size_t n)
{
	const unsigned char *p = data;
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

#define BW_CAP (256 * 1024)

struct bwriter {
	int fd;
	unsigned char *buf;
	size_t len;
	uint64_t total;
};

static int
bw_flush(struct bwriter *w)
{
	if (w->len > 0 && write_all(w->fd, w->buf, w->len) == -1)
		return -1;
	w->len = 0;
	return 0;
}

static int
bw_put(struct bwriter *w, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t c;

	w->total += n;
	while (n > 0) {
		if (w->len == BW_CAP && bw_flush(w) == -1)
			return -1;
		c = BW_CAP - w->len;
		if (c > n)
			c = n;
		memcpy(w->buf + w->len, p, c);
		w->len += c;
		p += c;
		n -= c;
	}
	return 0;
}

static int
write_file(int fd, const struct cvm_dbm *m, const struct plan *p,
    char *err, size_t errlen)
{
	struct bwriter w;
	struct sbuf rec;
	unsigned char hdr[CVM_DB_DATA_OFF];
	size_t i;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	memset(&rec, 0, sizeof(rec));
	w.fd = fd;
	if ((w.buf = malloc(BW_CAP)) == NULL ||
	    (rec.p = malloc(p->maxrec + 8)) == NULL) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	rec.cap = p->maxrec + 8;
	ser_header(hdr, m, p);
	if (bw_put(&w, hdr, sizeof(hdr)) == -1 ||
	    bw_put(&w, p->ulist, m->nusers * CVM_DB_SLOT_SIZE) == -1 ||
	    bw_put(&w, p->uname.slots, (size_t)p->uname.size * CVM_DB_SLOT_SIZE) == -1 ||
	    bw_put(&w, p->uuid.slots, (size_t)p->uuid.size * CVM_DB_SLOT_SIZE) == -1 ||
	    bw_put(&w, p->glist, m->ngroups * CVM_DB_SLOT_SIZE) == -1 ||
	    bw_put(&w, p->gname.slots, (size_t)p->gname.size * CVM_DB_SLOT_SIZE) == -1 ||
	    bw_put(&w, p->ggid.slots, (size_t)p->ggid.size * CVM_DB_SLOT_SIZE) == -1)
		goto ioerr;
	for (i = 0; i < m->nusers; i++) {
		if (w.total != p->uoff[i])
			goto internal;
		ser_user(&rec, &m->users[i], (uint32_t)i);
		if (rec.len > rec.cap - 8)
			goto internal;
		if (bw_put(&w, rec.p, rec.len) == -1)
			goto ioerr;
	}
	for (i = 0; i < m->ngroups; i++) {
		if (w.total != p->goff[i])
			goto internal;
		ser_group(&rec, &m->groups[i], (uint32_t)i);
		if (rec.len > rec.cap - 8)
			goto internal;
		if (bw_put(&w, rec.p, rec.len) == -1)
			goto ioerr;
	}
	if (w.total != p->length)
		goto internal;
	if (bw_flush(&w) == -1)
		goto ioerr;
	rc = 0;
	goto out;
internal:
	seterr(err, errlen, "internal error: layout mismatch");
	goto out;
ioerr:
	seterr(err, errlen, "write: %s", strerror(errno));
out:
	free(w.buf);
	free(rec.p);
	return rc;
}

static int
get_seed(unsigned char seed[16])
{
	size_t got = 0;
	ssize_t r;
	int fd;

	while (got < 16) {
		r = getrandom(seed + got, 16 - got, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got == 16)
		return 0;
	/* no getrandom (old kernel, seccomp): /dev/urandom */
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -1;
	got = 0;
	while (got < 16) {
		r = read(fd, seed + got, 16 - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return got == 16 ? 0 : -1;
}

static int
dir_of(const char *path, char *dir, size_t dirlen)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		if (dirlen < 2)
			return -1;
		memcpy(dir, ".", 2);
		return 0;
	}
	n = (size_t)(slash - path);
	if (n == 0)
		n = 1;
	if (n >= dirlen)
		return -1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

/* Creates `tmp` (removing a stale one first): O_EXCL, no symlinks, 0644. */
static int
create_excl(const char *tmp, char *err, size_t errlen)
{
	int fd;

	if (unlink(tmp) == -1 && errno != ENOENT) {
		seterr(err, errlen, "%s: unlink: %s", tmp, strerror(errno));
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY, 0644);
	if (fd == -1) {
		seterr(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0644) == -1) {
		seterr(err, errlen, "%s: fchmod: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	return fd;
}

/* fsync and close; -1 with err on failure of either. */
static int
sync_close(int fd, const char *name, char *err, size_t errlen)
{
	if (fsync(fd) == -1) {
		seterr(err, errlen, "%s: fsync: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		seterr(err, errlen, "%s: close: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

/* "<path>.prev" becomes a copy of the current generation (cur, size
 * bytes), through a temp file, fsync and rename; its retired word is left
 * zero so that it can be restored. */
static int
write_prev(int cur, uint64_t size, const char *path, char *err, size_t errlen)
{
	char tmp[PATH_MAX], prev[PATH_MAX];
	unsigned char *buf = NULL;
	uint64_t pos = 0, b;
	size_t want;
	ssize_t r;
	int fd = -1, ours = 0, rc = -1;

	if ((size_t)snprintf(prev, sizeof(prev), "%s.prev", path) >= sizeof(prev) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.prev.new", path) >= sizeof(tmp)) {
		seterr(err, errlen, "%s: path too long", path);
		return -1;
	}
	if ((buf = malloc(BW_CAP)) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	if ((fd = create_excl(tmp, err, errlen)) == -1)
		goto out;
	while (pos < size) {
		want = size - pos < BW_CAP ? (size_t)(size - pos) : BW_CAP;
		r = pread(cur, buf, want, (off_t)pos);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			seterr(err, errlen, "%s: read: %s", path,
			    r == 0 ? "file shrank" : strerror(errno));
			goto out;
		}
		if (pos == 0 && (size_t)r >= CVM_DB_MAGIC_LEN &&
		    memcmp(buf, CVM_DB_MAGIC, CVM_DB_MAGIC_LEN) == 0)
			ours = 1;
		for (b = CVM_DB_RETIRED_OFF; ours && b < CVM_DB_DATA_OFF; b++)
			if (b >= pos && b < pos + (uint64_t)r)
				buf[b - pos] = 0;
		if (write_all(fd, buf, (size_t)r) == -1) {
			seterr(err, errlen, "%s: write: %s", tmp, strerror(errno));
			goto out;
		}
		pos += (uint64_t)r;
	}
	rc = sync_close(fd, tmp, err, errlen);
	fd = -1;
	if (rc == 0 && rename(tmp, prev) == -1) {
		seterr(err, errlen, "%s: rename: %s", prev, strerror(errno));
		rc = -1;
	}
out:
	if (fd != -1)
		close(fd);
	if (rc == -1)
		unlink(tmp);
	free(buf);
	return rc;
}

int
cvm_dbm_write(const char *path, const struct cvm_dbm *m, char *err,
    size_t errlen)
{
	char tmp[PATH_MAX], dir[PATH_MAX], why[256];
	static const unsigned char retired[8] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	struct plan p;
	struct stat cst;
	struct cvm_db *db = NULL;
	int cur = -1, fd = -1, dfd, created = 0, rc = -1, st;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&p, 0, sizeof(p));
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp) ||
	    dir_of(path, dir, sizeof(dir)) == -1) {
		seterr(err, errlen, "%s: path too long", path);
		return -1;
	}
	if (validate_fields(m, err, errlen) == -1)
		return -1;
	if (get_seed(p.seed) == -1) {
		seterr(err, errlen, "no random seed: %s", strerror(errno));
		return -1;
	}
	if (plan_build(&p, m, err, errlen) == -1)
		goto out;

	/* the current generation, opened first: its retired word is set
	 * through this descriptor once the new one is in place */
	cur = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (cur == -1 && errno != ENOENT) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (cur != -1 && (fstat(cur, &cst) == -1 || !S_ISREG(cst.st_mode))) {
		seterr(err, errlen, "%s: not a regular file", path);
		goto out;
	}

	if ((fd = create_excl(tmp, err, errlen)) == -1)
		goto out;
	created = 1;
	if (write_file(fd, m, &p, why, sizeof(why)) == -1) {
		seterr(err, errlen, "%s: %s", tmp, why);
		goto out;
	}
	st = sync_close(fd, tmp, err, errlen);
	fd = -1;
	if (st == -1)
		goto out;
	/* read back what we wrote, as a reader would */
	if ((st = cvm_db_open(tmp, 0, &db, why, sizeof(why))) != CVM_DB_OK ||
	    (st = cvm_db_verify(db, why, sizeof(why))) != CVM_DB_OK) {
		seterr(err, errlen, "%s: written file does not verify: %s",
		    tmp, why);
		goto out;
	}
	cvm_db_close(db);
	db = NULL;

	if (cur != -1 && write_prev(cur, (uint64_t)cst.st_size, path, err,
	    errlen) == -1)
		goto out;
	if (rename(tmp, path) == -1) {
		seterr(err, errlen, "%s: rename: %s", path, strerror(errno));
		goto out;
	}
	created = 0;
	rc = 0;

	/* The new generation is in place: what follows cannot undo it.  A
	 * failure is reported in err with a 0 return. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 || fsync(dfd) == -1)
		seterr(err, errlen, "%s: fsync: %s", dir, strerror(errno));
	if (dfd != -1)
		close(dfd);
	if (cur != -1 && cst.st_size >= CVM_DB_DATA_OFF) {
		ssize_t w;

		do
			w = pwrite(cur, retired, sizeof(retired),
			    CVM_DB_RETIRED_OFF);
		while (w == -1 && errno == EINTR);
		if (w != (ssize_t)sizeof(retired) || fsync(cur) == -1)
			seterr(err, errlen, "%s: old generation not marked "
			    "retired: %s", path, w == -1 ? strerror(errno) :
			    "short write");
	}
out:
	cvm_db_close(db);
	if (fd != -1)
		close(fd);
	if (created)
		unlink(tmp);
	if (cur != -1)
		close(cur);
	plan_free(&p);
	return rc;
}
