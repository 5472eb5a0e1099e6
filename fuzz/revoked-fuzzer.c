/* RevokedKeys file: cvm_keys_load_revoked, then a lookup against it; and
 * the same bytes as an authorized_keys text (cvm_keys_from_text). */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "keysrc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cvm_keyset ks;
	struct cvm_key k;
	const char *path = fuzz_write("revoked_keys", data, size);

	cvm_keyset_init(&ks);
	(void)cvm_keys_load_revoked(&ks, path);
	memset(&k, 0, sizeof(k));
	if (ks.nrevoked > 0) {
		k.key = ks.revoked[0];
		if (!cvm_key_revoked(&ks, &k))
			abort();
	}
	cvm_keyset_free(&ks);

	cvm_keyset_init(&ks);
	(void)cvm_keys_from_text(&ks, CVM_SRC_AK, "fuzz", (const char *)data, size);
	for (size_t i = 0; i < ks.n; i++)
		if (ks.k[i].parsed)
			(void)cvm_keyset_find(&ks, ks.k[i].key.blob, ks.k[i].key.bloblen);
	cvm_keyset_free(&ks);
	return 0;
}
