/* cvmkey.conf and the PAM module's arguments: defaults, then the file,
 * then arguments, all through one setter (DESIGN §3, §7). */
#ifndef CVM_CONF_H
#define CVM_CONF_H
#include <stdint.h>
#include "log.h"
#include "strutil.h"

#define CVM_CONF_PATH CVM_SYSCONFDIR "/cvmkey/cvmkey.conf"
#define CVM_SSHD_CONFIG "/etc/ssh/sshd_config"

enum cvm_policy { CVM_POLICY_AUDIT = 0, CVM_POLICY_BOUND, CVM_POLICY_ALL };
enum cvm_onerr { CVM_ONERR_DENY = 0, CVM_ONERR_IGNORE };

struct cvm_conf {
	enum cvm_policy policy;
	struct cvm_strv services;
	enum cvm_onerr on_error;
	struct cvm_strv exempt_users;
	struct cvm_strv exempt_groups;
	char *db;
	char *sshd_config;
	int debug;
	char *chain_command;
	char *trusted_signer;
	int trusted_signer_bad;	/* a trusted_signer value was refused: apply
				 * must refuse every document (fail closed) */
	unsigned long uid_min, uid_max, gid_min, gid_max;
	char *admin_group;
	unsigned long guess_threshold, guess_window;
	unsigned long events_per_user, event_ttl;
};

/* Compiled-in defaults (policy = audit). 0, or -1 on ENOMEM. */
int cvm_conf_init(struct cvm_conf *c);
void cvm_conf_free(struct cvm_conf *c);

/* Sets one key.  `where` names the origin for messages ("file:line" or
 * "argument").  Returns 0; 1 for an unknown key (warned, not fatal); -1 for
 * a bad value (logged; the setting keeps its previous value). */
int cvm_conf_set(struct cvm_conf *c, const char *key, const char *val,
    const struct cvm_log *log, const char *where);

/* Reads `key = value` lines.  The file must be a regular file owned by
 * root and not group/world-writable.  Returns 0 (also when the file does
 * not exist), or -1 when it exists but cannot be trusted or read (logged);
 * bad lines are logged and skipped. */
int cvm_conf_load(struct cvm_conf *c, const char *path, const struct cvm_log *log);

const char *cvm_policy_name(enum cvm_policy p);

#endif
