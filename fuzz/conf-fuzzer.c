/* cvmkey.conf: cvm_conf_load on a private root-owned 0600 file. */
#include <stdlib.h>
#include "conf.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cvm_conf c;
	const char *path = fuzz_write("cvmkey.conf", data, size);

	if (cvm_conf_init(&c) != 0)
		abort();
	(void)cvm_conf_load(&c, path, NULL);
	(void)cvm_policy_name(c.policy);
	cvm_conf_free(&c);
	return 0;
}
