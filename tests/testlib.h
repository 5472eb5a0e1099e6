/* Test sandbox: a private mount namespace in which /dev/log is our own
 * socket and /etc/passwd, shadow, group and gshadow are private copies, so
 * tests add users and read syslog without touching the machine's files. */
#ifndef CVM_TESTLIB_H
#define CVM_TESTLIB_H
#include <stddef.h>
#include <sys/types.h>

/* Enters the sandbox, with its files under `dir` (created by the caller,
 * e.g. mkdtemp).  Returns the non-blocking /dev/log socket, or -1 with a
 * message on stderr (needs root: unshare and mount). */
int tl_sandbox(const char *dir);

/* Appends a user (and its group with gid = uid) to the private files.
 * hash: the crypt(3) hash for shadow ("*" for none), or, when it holds a
 * ':', every shadow field after the name.  Creates the home
 * directory (mode 0755, owned by the user) unless home is NULL. */
int tl_add_user(const char *name, uid_t uid, const char *hash,
    const char *home, const char *shell);
/* Appends a group with members (comma list). */
int tl_add_group(const char *name, gid_t gid, const char *members);

/* Drains the log socket; returns every message received since the last
 * call, one per line (malloc'd, never NULL). */
char *tl_read_log(int fd);

/* A fresh temporary directory, mode 0755, under /tmp. */
char *tl_tmpdir(void);
/* rm -rf */
void tl_rmtree(const char *dir);
/* Writes a file (mode given). */
int tl_write(const char *path, mode_t mode, const char *content);

#endif
