/* One authorized_keys line, parsed as sshd's auth2-pubkey/auth-options do. */
#ifndef CVM_AUTHKEYS_H
#define CVM_AUTHKEYS_H
#include <stdint.h>
#include "sshkey.h"

struct cvm_akline {
	int has_key;		/* 0: blank line or comment */
	struct cvm_pubkey key;
	char *comment;		/* text after the key, NULL if none */
	/* options (NULL / 0 when absent) */
	int cert_authority;
	int restrict_;		/* "restrict" */
	char *command;		/* command="..." (forced command) */
	char *from;		/* from="pattern-list" */
	char *principals;	/* principals="..." */
	int64_t expiry;		/* expiry-time=, seconds since epoch; -1 none */
};

/* Parses one line (without its newline; a trailing CR is ignored).  Returns
 * 0 (out filled; has_key 0 for blank/comment), or -1 with a message in err
 * naming what is wrong (unknown option, bad quoting, bad base64, key type
 * mismatch, bad expiry-time...).  NUL bytes inside `len` are an error.
 * Always leaves `out` safe to cvm_akline_free. */
int cvm_akline_parse(const char *line, size_t len, struct cvm_akline *out,
    char *err, size_t errlen);
void cvm_akline_free(struct cvm_akline *l);

/* Parses sshd's expiry-time format YYYYMMDD[HHMM[SS]][Z] (local time unless
 * Z).  Returns 0 and *t, or -1. */
int cvm_parse_expiry(const char *s, int64_t *t);

#endif
