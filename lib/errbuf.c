/* Error messages into a caller's buffer. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include "errbuf.h"

int
cvm_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}
