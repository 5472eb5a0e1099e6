/* IPV6_V6ONLY of a listening TCP socket, from the kernel's inet_diag
 * (NETLINK_SOCK_DIAG): whether an IPv6 wildcard listener also takes IPv4
 * connections. */
#ifndef CVM_INETDIAG_H
#define CVM_INETDIAG_H
#include <sys/types.h>

/* 1 or 0 for the IPv6 LISTEN socket with that inode, -1 when it cannot be
 * told: the socket lives in another network namespace than ours (pid's
 * /proc/PID/ns/net differs; pid 0: ours), it is not found, or netlink
 * fails.  Gives up after two seconds. */
int cvm_inet_diag_v6only(pid_t pid, unsigned long inode);
#endif
