/* Hash indexes over an in-memory database model (dbwrite.h) for apply,
 * export's diff and restore: cvm_dbm_find_* scan linearly, which made a
 * 100,000-account document cost O(n^2) (about 30 s of CPU under the
 * writers' lock).  Keyed SipHash with a random key, so a document cannot
 * choose colliding names.  Entries are array indices, so they survive the
 * arrays moving as entries are added.  An index that could not be
 * allocated (slot == NULL) falls back to the linear scan. */
#ifndef CVM_APPLY_INDEX_H
#define CVM_APPLY_INDEX_H
#include <stddef.h>
#include <stdint.h>
#include "dbwrite.h"

enum aidx_kind { AIDX_USER, AIDX_UID, AIDX_GROUP, AIDX_GID };

struct aidx {
	enum aidx_kind kind;
	size_t mask;		/* slots - 1 */
	size_t *slot;		/* entry index + 1; 0 empty */
	unsigned char key[16];
};

/* Room for max entries; 0, or -1 (no memory: the index then scans). */
int aidx_init(struct aidx *x, enum aidx_kind kind, size_t max);
void aidx_free(struct aidx *x);
/* All of m's users (AIDX_USER), provisioned users (AIDX_UID), groups
 * (AIDX_GROUP, AIDX_GID). */
int aidx_build(struct aidx *x, enum aidx_kind kind, const struct cvm_dbm *m);
/* Adds entry i of m (its name or id must not be there yet). */
void aidx_add(struct aidx *x, const struct cvm_dbm *m, size_t i);

struct cvm_dbm_user *aidx_user(const struct aidx *x, const struct cvm_dbm *m,
    const char *name);
/* A provisioned user with this uid. */
struct cvm_dbm_user *aidx_uid(const struct aidx *x, const struct cvm_dbm *m,
    uint32_t uid);
struct cvm_dbm_group *aidx_group(const struct aidx *x, const struct cvm_dbm *m,
    const char *name);
struct cvm_dbm_group *aidx_gid(const struct aidx *x, const struct cvm_dbm *m,
    uint32_t gid);

#endif
