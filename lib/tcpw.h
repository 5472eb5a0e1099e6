/* tcp_wrappers access control (hosts.allow / hosts.deny) evaluated as
 * Debian's libwrap 7.6.q does it for sshd (DESIGN §6, TCPW-*): the files
 * read as libwrap's xgets reads them (backslash continuation, 2047-byte
 * logical lines, a last line without newline ends the table with an
 * error), first match wins, allow on no match, the options language
 * (PROCESS_OPTIONS, ACLEXEC), IPv6 and CIDR patches, wildcards.
 *
 * Whatever depends on a host name, DNS, NIS, an ident lookup, the
 * server's own address, a command's exit status or the user database is
 * "maybe": a verdict is given only when every such pattern or option that
 * could change it does not. */
#ifndef CVM_TCPW_H
#define CVM_TCPW_H
#include <stddef.h>
#include "rootfs.h"

/* Final verdicts, as a set: ALLOW|DENY means "cannot tell". */
#define CVM_TCPW_ALLOW	1u
#define CVM_TCPW_DENY	2u

/* The connection asked about. */
struct cvm_tcpw_conn {
	const char *daemon;	/* libwrap's daemon name: "sshd" */
	const char *addr;	/* client address as libwrap sees it (the
				   numeric form getnameinfo gives, e.g.
				   "192.0.2.7", "2001:db8::1",
				   "::ffff:192.0.2.7"), never NULL */
	const unsigned *ports;	/* sshd's local ports, for port patterns */
	size_t nports;		/* 0: unknown (port patterns are "maybe") */
};

/* A place in a table: file as given ("/etc/hosts.allow"), line number of
 * the first physical line of the rule; line 0: none. */
struct cvm_tcpw_loc {
	const char *file;
	int line;
};

struct cvm_tcpw_result {
	unsigned set;			/* CVM_TCPW_ALLOW and/or _DENY */
	struct cvm_tcpw_loc at[2];	/* first rule giving ALLOW ([0]) /
					   DENY ([1]); line 0 with file NULL:
					   no rule matched (default allow) */
	char why[2][160];		/* how that rule gives it */
	struct cvm_tcpw_loc maybe;	/* first rule that could not be
					   decided, if any */
	char maybe_why[160];
};

/* Both tables, read once (a missing file is an empty table). */
struct cvm_tcpw {
	const struct cvm_root *root;	/* for the tables and /file patterns */
	struct cvm_tcpw_table {
		const char *path;
		char *buf;		/* NULL: missing (empty) */
		size_t len;
		int err;		/* errno when it could not be read
					   (not ENOENT): "maybe" */
	} t[2];				/* [0] allow, [1] deny */
};

/* Reads root's /etc/hosts.allow and /etc/hosts.deny (paths may be NULL for
 * those).  0, or -1 with errno on allocation failure only: a table that
 * cannot be read is kept as an error the evaluation reports. */
int cvm_tcpw_load(struct cvm_tcpw *w, const struct cvm_root *root,
    const char *allow, const char *deny);
/* The same from memory (tests, fuzzing): copies the texts (NULL: missing). */
int cvm_tcpw_load_mem(struct cvm_tcpw *w, const struct cvm_root *root,
    const char *allow, size_t allow_len, const char *deny, size_t deny_len);
void cvm_tcpw_free(struct cvm_tcpw *w);

/* hosts_access() for c; fills *res. */
void cvm_tcpw_eval(const struct cvm_tcpw *w, const struct cvm_tcpw_conn *c,
    struct cvm_tcpw_result *res);

/* Whether some rule of either table could apply to the daemon (its daemon
 * list matches or may match it), or hosts.deny has a line that makes
 * libwrap refuse whatever reaches it: *loc gets the first. */
int cvm_tcpw_names_daemon(const struct cvm_tcpw *w, const char *daemon,
    struct cvm_tcpw_loc *loc);

/* Addresses worth asking about when no client address is given: a few
 * generic ones of each family plus, for every address pattern of the
 * rules whose daemon list may match daemon, the first address of its range and the one after its end (so
 * every stretch of addresses the rules treat alike has one).  Calls fn
 * for each (canonical numeric form); stops when it returns non-zero and
 * returns that, or CVM_TCPW_WITNESSES_CUT after 512 addresses. */
#define CVM_TCPW_WITNESSES_CUT	(-2)
int cvm_tcpw_witnesses(const struct cvm_tcpw *w, const char *daemon,
    int (*fn)(const char *addr, void *arg), void *arg);

/* The canonical numeric form of an address given by a user (what
 * getnameinfo(NI_NUMERICHOST) gives for it), into out; -1 if it is not a
 * numeric address. */
int cvm_tcpw_canon_addr(const char *in, char *out, size_t outlen);

#endif
