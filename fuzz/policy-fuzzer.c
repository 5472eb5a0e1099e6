/* The policy's small parsers: an AuthenticationMethods value
 * (cvm_publickey_suffices, cvm_password_is_second_factor with the part
 * after the first newline as SSH_AUTH_INFO_0) and an
 * AuthorizedKeysCommand value (cvm_akc_is_ours). */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "policy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size), *info;

	(void)cvm_publickey_suffices(s);
	(void)cvm_akc_is_ours(s);
	(void)cvm_password_is_second_factor(s, NULL);
	if ((info = strchr(s, '\n')) != NULL) {
		*info++ = '\0';
		(void)cvm_password_is_second_factor(s, info);
	}
	free(s);
	return 0;
}
