/* Account provisioning (DESIGN §4): the configured id ranges, what the
 * system's NSS already knows, and the lowest free uid/gid. */
#ifndef CVM_PROVISION_H
#define CVM_PROVISION_H
#include <stddef.h>
#include <stdint.h>
#include "log.h"

struct cvm_dbm;

/* Refuses (logged LOG_ERR, -1) a uid or gid range that is empty or meets
 * 0-999, 60000-65535 (systemd homed, dynamic users, nobody), 524288 and
 * above (containers), or a range of /etc/subuid (uids) or /etc/subgid
 * (gids); an unreadable or malformed subuid/subgid file refuses too.
 * Warns (LOG_WARNING) on overlap with login.defs' UID_MIN..UID_MAX or
 * GID_MIN..GID_MAX (useradd's own range).  0 when acceptable. */
int cvm_idrange_check(unsigned long uid_min, unsigned long uid_max,
    unsigned long gid_min, unsigned long gid_max, const struct cvm_log *log);
/* The same with subuid, subgid and login.defs read from etc (tests). */
int cvm_idrange_check_at(const char *etc, unsigned long uid_min,
    unsigned long uid_max, unsigned long gid_min, unsigned long gid_max,
    const struct cvm_log *log);

/* What NSS (every source nsswitch.conf names) says about a user or group,
 * by name (name != NULL) or by id.  An entry that is exactly one of m's
 * own (a provisioned account, or a group, with the same name, id and, for
 * accounts, gid, gecos, home, shell and "*") does not count.
 * CVM_NSS_NONE: no other entry; CVM_NSS_FOUND: another entry (described
 * in who, e.g. "alice (uid 1000)"); CVM_NSS_ERROR: NSS could not answer
 * (a source unavailable: err says so; callers refuse, as they cannot
 * tell). */
enum { CVM_NSS_NONE = 0, CVM_NSS_FOUND = 1, CVM_NSS_ERROR = -1 };
int cvm_nss_user(const char *name, uint32_t uid, const struct cvm_dbm *m,
    char *who, size_t wholen, char *err, size_t errlen);
int cvm_nss_group(const char *name, uint32_t gid, const struct cvm_dbm *m,
    char *who, size_t wholen, char *err, size_t errlen);

/* Is uid (gid) free: not used by m (a provisioned account's uid; a
 * group's gid or an account's primary gid) and unknown to NSS?  Returns
 * CVM_NSS_NONE (free), CVM_NSS_FOUND (taken, who says by what) or
 * CVM_NSS_ERROR. */
int cvm_uid_free(const struct cvm_dbm *m, uint32_t uid, char *who,
    size_t wholen, char *err, size_t errlen);
int cvm_gid_free(const struct cvm_dbm *m, uint32_t gid, char *who,
    size_t wholen, char *err, size_t errlen);

/* The lowest free uid in [min, max] as above; the highest free gid (the
 * fallback when gid = uid is taken: taken from the top, it leaves the
 * gids that later accounts' uids will want, so they still get gid = uid).
 * 0 with *out set, 1 when every id is taken, -1 with err (NSS error, out
 * of memory). */
int cvm_alloc_uid(const struct cvm_dbm *m, uint32_t min, uint32_t max,
    uint32_t *out, char *err, size_t errlen);
int cvm_alloc_gid(const struct cvm_dbm *m, uint32_t min, uint32_t max,
    uint32_t *out, char *err, size_t errlen);

/* admin_group (cvmkey.conf): its gid through NSS, for the database header
 * (nss_cvm adds it in initgroups for accounts flagged admin).  0 with
 * *gid (0 when name is NULL or empty); -1 with err when the group does
 * not resolve or is gid 0, disk (by name or gid) or nogroup. */
int cvm_admin_gid(const char *name, uint32_t *gid, char *err, size_t errlen);

#endif
