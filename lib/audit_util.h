/* Helpers the live and system audit steps share: running a tool with a
 * fixed argv and a deadline, reading links and directories inside the
 * audited root, the SSH ports, systemd unit lookup. */
#ifndef CVM_AUDIT_UTIL_H
#define CVM_AUDIT_UTIL_H
#include <dirent.h>
#include <stddef.h>
#include "audit.h"

/* Runs argv[0] (an absolute path; no shell, no PATH search) with stdin
 * /dev/null, stderr discarded, LC_ALL=C, and collects at most cap bytes of
 * stdout (more: the rest is discarded and *truncated set).  Killed after
 * timeout_ms.  Returns the exit status (0-255), or -1 when it could not
 * run, was killed or timed out (*out is then NULL). */
int cvm_run(const char *const argv[], int timeout_ms, size_t cap,
    char **out, size_t *len, int *truncated);
/* The first of dirs/name that is executable, written to buf; 0 or -1. */
int cvm_find_tool(const char *name, char *buf, size_t len);

/* readlink(2) of path inside the root (the last component not followed).
 * 0 (buf NUL-terminated) or -1 with errno. */
int cvm_root_readlink(const struct cvm_root *r, const char *path,
    char *buf, size_t len);
/* opendir(3) of path inside the root, or NULL with errno. */
DIR *cvm_root_opendir(const struct cvm_root *r, const char *path);
/* 1 if path exists inside the root (lstat), else 0. */
int cvm_root_exists(const struct cvm_root *r, const char *path);

/* The TCP ports sshd is configured to listen on (a->sshd's Port values,
 * 22 when there is no config), at most max; returns how many. */
size_t cvm_audit_ports(const struct cvm_audit *a, int *ports, size_t max);

/* systemd unit directories, in precedence order (under the root). */
extern const char *const cvm_unit_dirs[];
/* Where the unit file of name lives: the first of cvm_unit_dirs holding
 * it (as a file or a link), written to path; 0, or -1 when none does. */
int cvm_unit_find(const struct cvm_root *r, const char *name, char *path,
    size_t len);
/* 1 if name is masked (its first unit file is a link to /dev/null). */
int cvm_unit_masked(const struct cvm_root *r, const char *name);
/* Live only: 1 if systemd runs (/run/systemd/system) and says the unit
 * is active (systemctl is-active, fixed argv, with a deadline). */
int cvm_unit_active(const struct cvm_audit *a, const char *name);
/* 1 when systemd is the running init (live and /run/systemd/system). */
int cvm_systemd_running(const struct cvm_audit *a);

#endif
