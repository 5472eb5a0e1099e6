/* nscd cache invalidation after a database write (DESIGN §4). */
#ifndef CVM_NSCD_H
#define CVM_NSCD_H
#include <stddef.h>

#define CVM_NSCD_SOCKET "/var/run/nscd/socket"	/* glibc's _PATH_NSCDSOCKET */
#define CVM_NSCD_PROGRAM "/usr/sbin/nscd"

/* When nscd runs (its socket accepts a connection), runs "nscd -i passwd"
 * and "nscd -i group" (as shadow's useradd does), each given 10 seconds,
 * with standard input from /dev/null and standard output sent to standard
 * error.  Returns 0 when done or when nscd does not run; -1 with err
 * otherwise (the caller warns: the write itself has happened). */
int cvm_nscd_invalidate(char *err, size_t errlen);

#endif
