/* DESIGN §4's rules for what `bind --create` and `apply` may write into
 * an account: names, gecos, home, shell.  One set of rules for both. */
#ifndef CVM_NAMES_H
#define CVM_NAMES_H

/* An account or group name cvmkey creates: ^[a-z_][a-z0-9_-]{0,30}$ (at
 * most 31 bytes: utmp's ut_user) and not one of Debian's base-passwd
 * names.  NULL when acceptable, else why not. */
const char *cvm_name_problem(const char *name);
/* 1 for a name in Debian's base-passwd passwd.master or group.master. */
int cvm_name_reserved(const char *name);

/* A name sshd can pass for an account that exists elsewhere (a
 * binding-only account, a group member): 1..255 bytes, not starting with
 * '-', no blanks, control characters, ':' or '/'. */
int cvm_binding_name_ok(const char *name);

/* gecos: printable UTF-8 (the caller checked the encoding) without ':',
 * C0/C1 control characters or DEL, at most 255 bytes. */
int cvm_gecos_ok(const char *gecos);

/* home or shell: absolute and normalised (no empty, "." or ".."
 * component, no trailing '/' except "/" itself), no control characters
 * or ':', at most 4096 bytes. */
int cvm_path_ok(const char *path);

/* 1 when shell is listed in /etc/shells (read once per process; a missing
 * or unreadable file lists nothing). */
int cvm_shell_listed(const char *shell);

#endif
