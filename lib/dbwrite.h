/* Bindings database writer (DESIGN §4 "Replacement, exactly"): an
 * in-memory model, loaded from the current file (verified whole) and
 * written back as a new generation. */
#ifndef CVM_DBWRITE_H
#define CVM_DBWRITE_H
#include <stddef.h>
#include <stdint.h>

struct cvm_dbm_key {
	char *type;
	unsigned char *blob;
	uint32_t bloblen;
	char *label;
	char *fp;
	int64_t bound_at;
	int64_t expiry;		/* -1 none */
};

struct cvm_dbm_user {
	char *name;
	uint32_t uid, gid, flags;	/* CVM_DBU_* */
	char *gecos, *home, *shell;	/* "" when not provisioned */
	uint32_t ngroups;
	uint32_t *groups;
	uint32_t nkeys;
	struct cvm_dbm_key *keys;
};

struct cvm_dbm_group {
	char *name;
	uint32_t gid;
	uint32_t nmembers;
	char **members;
};

struct cvm_dbm {
	uint32_t uid_min, uid_max, gid_min, gid_max, admin_gid;
	uint64_t serial;
	unsigned char doc_sha256[32];
	size_t nusers, ngroups;
	struct cvm_dbm_user *users;
	struct cvm_dbm_group *groups;
};

void cvm_dbm_init(struct cvm_dbm *m);	/* empty, default id ranges */
void cvm_dbm_free(struct cvm_dbm *m);
/* Loads the file at path into m, verifying all of it.  A missing file
 * gives an empty model and returns 0.  Returns 0 or -1 with err. */
int cvm_dbm_load(const char *path, int check_owner, struct cvm_dbm *m,
    char *err, size_t errlen);
/* Model helpers (all copy their arguments). */
struct cvm_dbm_user *cvm_dbm_find_user(struct cvm_dbm *m, const char *name);
struct cvm_dbm_user *cvm_dbm_add_user(struct cvm_dbm *m, const char *name);
int cvm_dbm_remove_user(struct cvm_dbm *m, const char *name);
int cvm_dbm_add_key(struct cvm_dbm_user *u, const char *type,
    const unsigned char *blob, uint32_t bloblen, const char *label,
    const char *fp, int64_t bound_at, int64_t expiry);
int cvm_dbm_remove_key(struct cvm_dbm_user *u, uint32_t index);

/* The writers' lock: flock(LOCK_EX) on "<path>.lock", created 0600 if
 * needed, never removed (a kill -9 drops the lock with the process).
 * Returns the descriptor or -1 with err. */
int cvm_db_lock(const char *path, char *err, size_t errlen);
void cvm_db_unlock(int fd);

/* Writes m as the new generation of path, with the lock held: opens the
 * current file, writes "<path>.new" (mode 0644), fsyncs, links the current
 * file to "<path>.prev", renames the new one over path, fsyncs the
 * directory, then sets the old file's retired word through the descriptor
 * opened first.  The ids, names and keys are validated first (no
 * duplicates).  Returns 0 or -1 with err; on failure the old file stays. */
int cvm_dbm_write(const char *path, const struct cvm_dbm *m, char *err, size_t errlen);

#endif
