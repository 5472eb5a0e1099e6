/* ELF DT_NEEDED reader: cvm_elf_needed on the input as it is.  Checks:
 * on success every name is a NUL-terminated string (strlen runs under
 * ASan over the copy made), on failure nothing is returned. */
#include <stdlib.h>
#include <string.h>
#include "elfdeps.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **v, err[200];
	size_t n;

	if (cvm_elf_needed(data, size, &v, &n, err, sizeof(err)) != 0) {
		if (v != NULL || n != 0 || err[0] == '\0')
			abort();
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		(void)strlen(v[i]);
	cvm_elf_needed_free(v, n);
	return 0;
}
