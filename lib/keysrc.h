/* The keys bound to an account, gathered from the enabled sources
 * (DESIGN §1): the bindings database and the authorized_keys files sshd
 * would read.  Usability is decided later by the policy. */
#ifndef CVM_KEYSRC_H
#define CVM_KEYSRC_H
#include <stddef.h>
#include <stdint.h>
#include "akfile.h"
#include "sshkey.h"
#include "strutil.h"

#define CVM_SRC_DB 0x1
#define CVM_SRC_AK 0x2

struct cvm_key {
	int source;		/* CVM_SRC_DB or CVM_SRC_AK */
	char *file;		/* authorized_keys file, NULL for db */
	unsigned line;
	int parsed;		/* key blob decoded */
	char *parse_error;	/* why not, when !parsed */
	struct cvm_pubkey key;
	char *label;		/* db label or authorized_keys comment */
	char *from;		/* from= pattern list */
	char *command;		/* forced command */
	int cert_authority;
	int principals;		/* principals= given */
	int64_t expiry;		/* -1 none */
	int64_t bound_at;	/* db only; 0 unknown */
	/* set by cvm_decide */
	int usable;
	char problem[192];
};

struct cvm_keyset {
	struct cvm_key *k;
	size_t n;
	int db_status;		/* CVM_DB_OK / MISSING / NOTFOUND: fine */
	char db_error[256];	/* set when the database could not be used */
	struct cvm_strv notes;	/* "file: reason" for files that gave no keys,
				 * "file:line: reason" for lines sshd skips */
	/* RevokedKeys (sshd checks it as root; an unreadable file, or one
	 * this reader cannot evaluate, revokes every key) */
	/* Set by the caller when sshd could not run the AuthorizedKeysCommand
	 * (its program or its user missing): db keys then do not count. */
	char akc_problem[256];
	int revoked_state;	/* CVM_REVOKED_* */
	char revoked_why[640];
	struct cvm_pubkey *revoked;
	size_t nrevoked;
};

enum { CVM_REVOKED_NONE = 0, CVM_REVOKED_LIST, CVM_REVOKED_ALL };

/* The bound key with this blob, or NULL. */
const struct cvm_key *cvm_keyset_find(const struct cvm_keyset *ks,
    const unsigned char *blob, size_t len);

/* Loads the effective RevokedKeys file ("none": nothing).  A missing or
 * unreadable file, or a binary KRL (not evaluated here), revokes every
 * key, as it does in sshd or more.  Returns 0, -1 on ENOMEM. */
int cvm_keys_load_revoked(struct cvm_keyset *ks, const char *path);
/* 1 when k is revoked (or everything is). */
int cvm_key_revoked(const struct cvm_keyset *ks, const struct cvm_key *k);

void cvm_keyset_init(struct cvm_keyset *ks);
void cvm_keyset_free(struct cvm_keyset *ks);

/* Adds the account's db bindings.  A missing file is "no bindings"; any
 * other failure sets db_status/db_error (the caller applies on_error).
 * Returns 0, -1 on ENOMEM. */
int cvm_keys_from_db(struct cvm_keyset *ks, const char *dbpath,
    int check_owner, const char *user);

/* Adds keys from the effective AuthorizedKeysFile list (a space-separated
 * list as sshd -T prints it, or "none").  Returns 0, -1 on ENOMEM. */
int cvm_keys_from_akfiles(struct cvm_keyset *ks, const struct cvm_creds *cr,
    const char *akfiles, int strict_modes, unsigned timeout_ms);

/* Adds the keys in an authorized_keys text (tests, and `cvmkey bind`'s
 * key files).  Unparseable lines become notes. */
int cvm_keys_from_text(struct cvm_keyset *ks, int source, const char *file,
    const char *text, size_t len);

#endif
