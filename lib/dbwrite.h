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
/* Notes on the helpers above: cvm_dbm_add_user does not look for an
 * existing name (call cvm_dbm_find_user first; cvm_dbm_write refuses
 * duplicates) and, like every add, may move the array, so earlier
 * pointers into m->users / m->groups are invalid after it.  New users
 * have "" gecos/home/shell, ids 0, no flags.  cvm_dbm_add_key refuses a
 * 33rd key or a blob over 16 KiB (-1, errno EINVAL). */

/* Added helpers (all copy their arguments; 0 or -1). */
/* Replaces *field with a copy of value (NULL: ""). */
int cvm_dbm_set_str(char **field, const char *value);
/* Supplementary gids of a user (the per-user list initgroups reads; the
 * writer stores it as given, it does not derive it from group members).
 * Adding a gid already there is a no-op; removing one not there is -1. */
int cvm_dbm_user_add_gid(struct cvm_dbm_user *u, uint32_t gid);
int cvm_dbm_user_remove_gid(struct cvm_dbm_user *u, uint32_t gid);
struct cvm_dbm_group *cvm_dbm_find_group(struct cvm_dbm *m, const char *name);
struct cvm_dbm_group *cvm_dbm_find_gid(struct cvm_dbm *m, uint32_t gid);
/* Does not look for an existing name or gid (cvm_dbm_write refuses them). */
struct cvm_dbm_group *cvm_dbm_add_group(struct cvm_dbm *m, const char *name,
    uint32_t gid);
int cvm_dbm_remove_group(struct cvm_dbm *m, const char *name);
/* Adding a member already there is a no-op; at most 1,024 members. */
int cvm_dbm_group_add_member(struct cvm_dbm_group *g, const char *name);
int cvm_dbm_group_remove_member(struct cvm_dbm_group *g, const char *name);
/* The checks cvm_dbm_write makes before writing anything: names non-empty,
 * <= 255 bytes, no ':' or newline; gecos/home/shell no ':' or newline,
 * <= 4096 bytes; known flags only; <= 32 keys, each with a type and a blob
 * of 1..16384 bytes, no control characters in type/label/fingerprint;
 * <= 1,024 members per group; <= 100,000 accounts; no duplicate account
 * names, uids among provisioned accounts, group names or gids.  0 or -1
 * with err. */
int cvm_dbm_validate(const struct cvm_dbm *m, char *err, size_t errlen);

/* The writers' lock: flock(LOCK_EX) on "<path>.lock", created 0600 if
 * needed, never removed (a kill -9 drops the lock with the process).
 * Returns the descriptor or -1 with err. */
int cvm_db_lock(const char *path, char *err, size_t errlen);
void cvm_db_unlock(int fd);
/* As cvm_db_lock without waiting: the descriptor, -2 when another process
 * holds the lock, -1 on error (err set in both cases). */
int cvm_db_trylock(const char *path, char *err, size_t errlen);

/* Writes m as the new generation of path, with the lock held: opens the
 * current file, writes "<path>.new" (mode 0644), fsyncs, reads it back and
 * verifies it, copies the current file to "<path>.prev" (a copy through
 * "<path>.prev.new", fsync, rename: never a hard link, so the live file
 * keeps one link), renames the new one over path, fsyncs the directory,
 * then sets the old file's retired word through the descriptor opened
 * first.  The ids, names and keys are validated first (cvm_dbm_validate).
 * Returns 0 or -1 with err; on failure the old file stays.  Once the new
 * file is renamed into place the write has happened and 0 is returned; if
 * the directory fsync or the retired word then failed, err says so
 * (err[0] != '\0' after a 0 return: worth a warning, nothing to undo). */
int cvm_dbm_write(const char *path, const struct cvm_dbm *m, char *err, size_t errlen);

#endif
