/* Error messages into a caller's buffer (libc only: libnss_cvm uses it). */
#ifndef CVM_ERRBUF_H
#define CVM_ERRBUF_H
#include <stddef.h>

/* Formats into err (if err is non-NULL and errlen > 0); returns -1, so
 * that "return cvm_seterr(...)" reports a failure. */
int cvm_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
