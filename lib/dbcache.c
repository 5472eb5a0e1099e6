/* Reference-counted mapping of the bindings database (see dbcache.h).
 * libc only, no logging: linked into libnss_cvm. */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "db.h"
#include "dbcache.h"

struct cvm_dbc_map {
	struct cvm_db *db;
	unsigned long refs;
	dev_t root_dev;		/* "/" when mapped (glibc's chroot rule) */
	ino_t root_ino;
	int root_known;
	int pinned;		/* kept after the path vanished in a chroot */
};

static void
map_put_locked(struct cvm_dbc_map *m)
{
	if (m == NULL)
		return;
	if (--m->refs == 0) {
		cvm_db_close(m->db);
		free(m);
	}
}

static void
drop_cur(struct cvm_dbc *c)
{
	map_put_locked(c->cur);
	c->cur = NULL;
}

static int
root_changed(const struct cvm_dbc_map *m)
{
	struct stat st;

	if (!m->root_known || stat("/", &st) == -1)
		return 0;
	return st.st_dev != m->root_dev || st.st_ino != m->root_ino;
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Opens c->path again.  On success the new mapping replaces c->cur; when
 * the file is gone and "/" changed since c->cur was mapped, c->cur is kept
 * (pinned); otherwise c->cur is dropped and c->status remembers why. */
static void
reload(struct cvm_dbc *c)
{
	struct cvm_dbc_map *m = NULL;
	struct cvm_db *db = NULL;
	struct stat st;
	int rc;

	rc = cvm_db_open(c->path, 1, &db, NULL, 0);
	if (rc == CVM_DB_OK) {
		if ((m = calloc(1, sizeof(*m))) == NULL) {
			cvm_db_close(db);
			rc = CVM_DB_NOMEM;
		} else {
			m->db = db;
			m->refs = 1;
			if (stat("/", &st) == 0) {
				m->root_dev = st.st_dev;
				m->root_ino = st.st_ino;
				m->root_known = 1;
			}
			drop_cur(c);
			c->cur = m;
			c->status = CVM_DB_OK;
			return;
		}
	}
	/* A transient failure (out of descriptors or memory) keeps the
	 * mapping in hand: the next check tries again. */
	if ((rc == CVM_DB_IOERR || rc == CVM_DB_NOMEM) && c->cur != NULL)
		return;
	if (rc == CVM_DB_MISSING && c->cur != NULL && root_changed(c->cur)) {
		c->cur->pinned = 1;
		return;
	}
	drop_cur(c);
	c->status = rc;
}

static int
second_passed(const struct timespec *last, const struct timespec *now)
{
	long long ns;

	ns = ((long long)now->tv_sec - (long long)last->tv_sec) * 1000000000LL +
	    ((long long)now->tv_nsec - (long long)last->tv_nsec);
	return ns >= 1000000000LL || ns < 0;
}

int
cvm_dbc_get(struct cvm_dbc *c, const char *path, struct cvm_dbc_map **mapp,
    struct cvm_db **dbp)
{
	struct timespec now;
	struct stat st;
	size_t n;
	int rc, due, reopen = 0;

	*mapp = NULL;
	*dbp = NULL;
	n = strlen(path);
	if (n == 0 || n >= sizeof(c->path))
		return CVM_DB_MISSING;
	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &now) == -1)
		now.tv_sec = now.tv_nsec = 0;	/* cannot happen: check always */
	pthread_mutex_lock(&c->lock);
	if (strcmp(c->path, path) != 0) {
		drop_cur(c);
		memcpy(c->path, path, n + 1);
		c->checked = 0;
	}
	due = !c->checked || second_passed(&c->last_check, &now) ||
	    (now.tv_sec == 0 && now.tv_nsec == 0);
	if (c->cur != NULL) {
		if (!c->cur->pinned && cvm_db_retired(c->cur->db))
			reopen = 1;
		else if (due) {
			if (stat(path, &st) == -1) {
				if (errno == ENOENT || errno == ENOTDIR) {
					if (root_changed(c->cur))
						c->cur->pinned = 1;
					else {
						drop_cur(c);
						c->status = CVM_DB_MISSING;
					}
				} else
					reopen = 1;
			} else if (!same_file(&st, cvm_db_stat(c->cur->db)))
				reopen = 1;
			c->last_check = now;
			c->checked = 1;
		}
	} else if (due || c->status == CVM_DB_NOMEM)
		reopen = 1;
	if (reopen) {
		reload(c);
		c->last_check = now;
		c->checked = c->status != CVM_DB_NOMEM;
	}
	if (c->cur != NULL) {
		c->cur->refs++;
		*mapp = c->cur;
		*dbp = c->cur->db;
		rc = CVM_DB_OK;
	} else
		rc = c->status;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void
cvm_dbc_hold(struct cvm_dbc *c, struct cvm_dbc_map *m)
{
	pthread_mutex_lock(&c->lock);
	m->refs++;
	pthread_mutex_unlock(&c->lock);
}

void
cvm_dbc_put(struct cvm_dbc *c, struct cvm_dbc_map *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	map_put_locked(m);
	pthread_mutex_unlock(&c->lock);
}

struct cvm_db *
cvm_dbc_db(const struct cvm_dbc_map *m)
{
	return m->db;
}

void
cvm_dbc_flush(struct cvm_dbc *c)
{
	pthread_mutex_lock(&c->lock);
	drop_cur(c);
	c->checked = 0;
	c->path[0] = '\0';
	pthread_mutex_unlock(&c->lock);
}

/* fork(): the lock is held across it, so the child's copy of the cache
 * is never caught half-updated; the child then starts a fresh lock. */
void
cvm_dbc_atfork_prepare(struct cvm_dbc *c)
{
	pthread_mutex_lock(&c->lock);
}

void
cvm_dbc_atfork_parent(struct cvm_dbc *c)
{
	pthread_mutex_unlock(&c->lock);
}

void
cvm_dbc_atfork_child(struct cvm_dbc *c)
{
	pthread_mutex_init(&c->lock, NULL);
}
