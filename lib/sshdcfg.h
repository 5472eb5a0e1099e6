/* The one sshd_config reader (DESIGN §1, §6): Include with globs, Match for
 * a given connection, first value wins (except the keywords sshd
 * accumulates), keywords case-insensitive, quoting, "Keyword=value", and
 * the built-in defaults of the OpenSSH this was built for.  Values are kept
 * in the form `sshd -T` prints them. */
#ifndef CVM_SSHDCFG_H
#define CVM_SSHDCFG_H
#include <stddef.h>
#include <stdio.h>

/* The connection Match blocks are evaluated for.  A NULL field is "not
 * known": criteria on it do not match (as sshd -T without that -C item). */
struct cvm_sshd_conn {
	const char *user;
	const char *const *groups;	/* the user's group names */
	size_t ngroups;
	const char *host;		/* remote host name (the address under UseDNS no) */
	const char *addr;		/* remote address */
	const char *laddr;		/* local address */
	int lport;			/* local port, -1 unknown */
	const char *rdomain;
};

struct cvm_sshd;

/* Reads `path` (normally /etc/ssh/sshd_config).  conn NULL: no Match block
 * applies (sshd -T without -C).  `root` (NULL or "/" for the live system)
 * resolves every absolute path, Include included, inside that directory.
 * Returns 0, or -1 when the config cannot be used (unreadable main file,
 * a line sshd would reject, Include nesting too deep) with "file:line:
 * message" in err.  Recoverable findings (e.g. an Include without wildcards
 * naming a missing file) are kept as problems, see below. */
int cvm_sshd_load(const char *root, const char *path,
    const struct cvm_sshd_conn *conn, struct cvm_sshd **out,
    char *err, size_t errlen);
void cvm_sshd_free(struct cvm_sshd *c);

/* Effective value of a keyword (any case), exactly as `sshd -T` prints it
 * after the keyword; NULL for a keyword this reader does not know. */
const char *cvm_sshd_get(const struct cvm_sshd *c, const char *keyword);
/* yes/no keywords: 1 or 0 (-1 unknown keyword or not a flag). */
int cvm_sshd_flag(const struct cvm_sshd *c, const char *keyword);
/* Where the effective value came from: file and line, or NULL/0 for the
 * built-in default. */
const char *cvm_sshd_origin(const struct cvm_sshd *c, const char *keyword, int *line);

/* Problems found while reading that did not stop it: "file:line: text". */
size_t cvm_sshd_nproblems(const struct cvm_sshd *c);
const char *cvm_sshd_problem(const struct cvm_sshd *c, size_t i);

/* Prints every keyword in sshd -T form ("keyword value\n"). */
void cvm_sshd_print(const struct cvm_sshd *c, FILE *fp, int all);

/* The OpenSSH version the defaults are for, e.g. "9.2". */
const char *cvm_sshd_defaults_version(void);

#endif
