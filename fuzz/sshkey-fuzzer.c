/* SSH public key wire blob: cvm_pubkey_from_blob, and the same bytes as
 * the base64 text of an authorized_keys key (cvm_pubkey_from_base64). */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "sshkey.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cvm_pubkey k;
	char err[256], fp[CVM_FP_MAX];

	memset(&k, 0, sizeof(k));
	if (cvm_pubkey_from_blob(data, size, &k, err, sizeof(err)) == 0) {
		(void)cvm_pubkey_sigalgs(&k);
		/* a plain key's fingerprint is its blob's (a certificate's
		 * is its certified key's, as ssh-keygen -l shows) */
		cvm_fingerprint(k.blob, k.bloblen, fp);
		if (k.kt != CVM_KT_CERT && strcmp(fp, k.fp) != 0)
			abort();
		cvm_pubkey_free(&k);
	}
	memset(&k, 0, sizeof(k));
	if (cvm_pubkey_from_base64(NULL, (const char *)data, size, &k, err,
	    sizeof(err)) == 0)
		cvm_pubkey_free(&k);
	(void)cvm_keytype_known((const char *)data, size);

	/* base64: whatever decodes re-encodes to the same bytes */
	if (size <= 4096) {
		unsigned char bin[4096], bin2[4096];
		char txt[8192];
		long n = cvm_b64_decode((const char *)data, size, bin, sizeof(bin));

		if (n >= 0) {
			long t = cvm_b64_encode(bin, (size_t)n, txt, sizeof(txt), 1);

			if (t < 0 || cvm_b64_decode(txt, (size_t)t, bin2,
			    sizeof(bin2)) != n || memcmp(bin, bin2, (size_t)n) != 0)
				abort();
		}
	}
	return 0;
}
