/* Bindings database reader (DESIGN §4).  libc only: libnss_cvm links it.
 * The file is mapped, checked (root-owned, not group/world-writable,
 * regular, header checksum, length), and the descriptor closed.  Every
 * record is copied out of the mapping once, its checksum verified on the
 * copy, and only the copy is parsed: a hostile or corrupted file can never
 * make a reader read outside it or misread it. */
#ifndef CVM_DB_H
#define CVM_DB_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cvm_db_status {
	CVM_DB_OK = 0,
	CVM_DB_NOTFOUND,	/* no such entry */
	CVM_DB_MISSING,		/* no database file: no bindings (fresh install) */
	CVM_DB_REFUSED,		/* owner, mode, type or link count refused */
	CVM_DB_CORRUPT,		/* truncated, bad magic/version/checksum */
	CVM_DB_NOMEM,
	CVM_DB_IOERR,		/* open/mmap failed otherwise */
};
const char *cvm_db_strstatus(int status);

#define CVM_DBU_PROVISIONED 0x1	/* account served by libnss_cvm */
#define CVM_DBU_ADMIN 0x2	/* member of admin_group */

struct cvm_db_key {
	const char *type;	/* key type word, e.g. "ssh-ed25519" */
	const unsigned char *blob;
	uint32_t bloblen;
	const char *label;	/* "" if none */
	const char *fp;		/* SHA256:... as bound */
	int64_t bound_at;	/* seconds since epoch */
	int64_t expiry;		/* -1: none */
};

struct cvm_db_user {
	const char *name;
	uint32_t uid, gid, flags;
	const char *gecos, *home, *shell;
	uint32_t ngroups;
	const uint32_t *groups;	/* supplementary gids */
	uint32_t nkeys;
	struct cvm_db_key *keys;
	void *mem_;		/* private copy everything above points into */
};

struct cvm_db_group {
	const char *name;
	uint32_t gid;
	uint32_t nmembers;
	const char *const *members;
	void *mem_;
};

struct cvm_db_header {
	uint32_t version;
	uint64_t length;
	uint32_t uid_min, uid_max, gid_min, gid_max;
	uint32_t admin_gid;	/* 0: none */
	uint32_t nusers, ngroups;
	uint64_t serial;	/* highest signed-document serial applied */
	unsigned char doc_sha256[32];
};

struct cvm_db;

/* Open and map.  `check_owner` 0 skips the root-owner check (tests that
 * cannot chown).  Returns a status; *out set only on CVM_DB_OK.  err gets a
 * human-readable reason on failure. */
int cvm_db_open(const char *path, int check_owner, struct cvm_db **out,
    char *err, size_t errlen);
void cvm_db_close(struct cvm_db *db);
const struct cvm_db_header *cvm_db_header(const struct cvm_db *db);
/* 1 once a writer has replaced this file (its retired word is non-zero). */
int cvm_db_retired(const struct cvm_db *db);
/* The fstat() of the mapped file taken at open (dev, ino, size, mtime for
 * the once-a-second path check, DESIGN §4). */
struct stat;
const struct stat *cvm_db_stat(const struct cvm_db *db);

/* Lookups: CVM_DB_OK (out filled, free with cvm_db_user_free),
 * CVM_DB_NOTFOUND, CVM_DB_CORRUPT, CVM_DB_NOMEM.  byuid finds provisioned
 * accounts only. */
int cvm_db_user_byname(struct cvm_db *db, const char *name, struct cvm_db_user *out);
int cvm_db_user_byuid(struct cvm_db *db, uint32_t uid, struct cvm_db_user *out);
void cvm_db_user_free(struct cvm_db_user *u);
int cvm_db_group_byname(struct cvm_db *db, const char *name, struct cvm_db_group *out);
int cvm_db_group_bygid(struct cvm_db *db, uint32_t gid, struct cvm_db_group *out);
void cvm_db_group_free(struct cvm_db_group *g);

/* Enumeration by position, 0 .. nusers-1 / ngroups-1 (stable order). */
int cvm_db_user_at(struct cvm_db *db, uint32_t i, struct cvm_db_user *out);
int cvm_db_group_at(struct cvm_db *db, uint32_t i, struct cvm_db_group *out);

/* Reads and checks every record and index slot. */
int cvm_db_verify(struct cvm_db *db, char *err, size_t errlen);

#endif
