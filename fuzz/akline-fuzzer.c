/* One authorized_keys line: cvm_akline_parse (the same line is also fed to
 * cvm_parse_expiry as an expiry-time value). */
#include <stdlib.h>
#include <string.h>
#include "authkeys.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cvm_akline l;
	char err[256], *s;
	int64_t t;

	if (cvm_akline_parse((const char *)data, size, &l, err, sizeof(err)) == 0 &&
	    l.has_key && l.key.blob == NULL)
		abort();
	cvm_akline_free(&l);

	s = fuzz_strdup(data, size);
	(void)cvm_parse_expiry(s, &t);
	free(s);
	return 0;
}
