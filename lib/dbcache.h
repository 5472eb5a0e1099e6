/* A shared, reference-counted mapping of the bindings database for
 * long-lived readers (libnss_cvm), following DESIGN §4 "Replacement,
 * exactly".  libc only, no logging.
 *
 * Per cvm_dbc_get: the current mapping's retired word is loaded (a relaxed
 * atomic load, no system call); at most once a second
 * (CLOCK_MONOTONIC_COARSE) the path is stat()ed and its dev, ino, size and
 * mtime compared with the mapped file's.  A retired or changed file is
 * reopened (cvm_db_open: O_CLOEXEC|O_NOFOLLOW, owner and mode checks, no
 * descriptor kept).  If the path is gone, the old mapping is kept only when
 * "/" changed since it was mapped (a chroot: glibc's nss_database.c rule),
 * otherwise the answer is "no database".  A mapping replaced while readers
 * hold it is unmapped when the last reference is put back.  A failed open
 * (missing, refused, corrupt) is remembered for a second as well; a change
 * of path (CVMKEY_DB in tests) reopens at once. */
#ifndef CVM_DBCACHE_H
#define CVM_DBCACHE_H
#include <limits.h>
#include <pthread.h>
#include <sys/types.h>
#include <time.h>

struct cvm_db;
struct cvm_dbc_map;		/* one mapping and its reference count */

struct cvm_dbc {
	pthread_mutex_t lock;
	struct cvm_dbc_map *cur;	/* the cache's own reference, or NULL */
	int status;			/* CVM_DB_* of the last open when cur == NULL */
	int checked;			/* last_check is valid */
	struct timespec last_check;	/* CLOCK_MONOTONIC_COARSE */
	char path[PATH_MAX];
};

#define CVM_DBC_INIT { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, { 0, 0 }, "" }

/* The mapping for path, with a reference the caller puts back with
 * cvm_dbc_put.  Returns CVM_DB_OK (*mapp and *dbp set), CVM_DB_MISSING,
 * CVM_DB_REFUSED, CVM_DB_CORRUPT, CVM_DB_IOERR or CVM_DB_NOMEM. */
int cvm_dbc_get(struct cvm_dbc *c, const char *path, struct cvm_dbc_map **mapp,
    struct cvm_db **dbp);
/* Takes an extra reference on a mapping already held (a cursor). */
void cvm_dbc_hold(struct cvm_dbc *c, struct cvm_dbc_map *m);
void cvm_dbc_put(struct cvm_dbc *c, struct cvm_dbc_map *m);
struct cvm_db *cvm_dbc_db(const struct cvm_dbc_map *m);
/* Drops the cache's own mapping (mappings still held stay until put). */
void cvm_dbc_flush(struct cvm_dbc *c);
/* For a pthread_atfork child handler: the lock may have been held by a
 * thread that does not exist in the child. */
void cvm_dbc_atfork_prepare(struct cvm_dbc *c);
void cvm_dbc_atfork_parent(struct cvm_dbc *c);
void cvm_dbc_atfork_child(struct cvm_dbc *c);

#endif
