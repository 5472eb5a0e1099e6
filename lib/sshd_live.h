/* The running sshd as /proc shows it (lib/audit_sshd.c). */
#ifndef CVM_SSHD_LIVE_H
#define CVM_SSHD_LIVE_H
#include <stddef.h>
#include <sys/types.h>
#include "audit.h"

/* Pids of sshd listener processes: comm "sshd" or the executable bin,
 * not inetd mode (-i), whose parent is not an sshd (per-connection
 * children are).  At most max. */
size_t cvm_sshd_listeners(const char *bin, pid_t *pids, size_t max);
/* SSHD-NOT-RUNNING and SSHD-NOT-LISTENING (live). */
void cvm_sshd_check_running(struct cvm_audit *a);
#endif
