/* Signed documents: the --signature file's decoding (raw or base64,
 * whitespace ignored; Ed25519 64 bytes, ECDSA DER or r||s) with
 * cvm_sig_decode, then cvm_sig_verify against fixed keys over a fixed
 * message; and the trusted_signer PEM parser (cvm_sigkey_from_pem).
 * First byte: 0 Ed25519, 1 P-256, 2 P-384 (signature = the rest),
 * 3 the rest is a trusted_signer file.  The corpus holds valid signatures
 * of MSG under these keys (made with openssl pkeyutl -sign -rawin), so
 * mutations start from the accepting path. */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "sigverify.h"

static const char msg[] = "cvmkey sig-fuzzer\n";

static const char *const pems[3] = {
	"-----BEGIN PUBLIC KEY-----\n"
	"MCowBQYDK2VwAyEAEq8uRClabf1HfKvhmyNh3H4Ehpv6q9KxTNf4JZsTgA0=\n"
	"-----END PUBLIC KEY-----\n",
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE9rkglXZGrp/0Z31dsk5colFpgu/v\n"
	"gMvu/7kzztWF/DWFaGvt4vo80/japs5qHaMjQJQ99TzeO6wc/Mu5k6pZuQ==\n"
	"-----END PUBLIC KEY-----\n",
	"-----BEGIN PUBLIC KEY-----\n"
	"MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEfhAzHW9LZmvVl5OQqOMq31njEOt42XNN\n"
	"CL+8GZeKrLuo+3AodzyxkW1cJU7WZeZoeGFoOMoIXfr3yU3rcer0T6QAONqzQXl4\n"
	"NCtb5+9y0Amzl2LDNpIrdGPdsrhOBf/2\n"
	"-----END PUBLIC KEY-----\n",
};
static const enum cvm_sig_alg algs[3] = { CVM_SIG_ED25519, CVM_SIG_P256, CVM_SIG_P384 };
static struct cvm_sigkey *keys[3];

static void
free_keys(void)
{
	for (int i = 0; i < 3; i++)
		cvm_sigkey_free(keys[i]);
}

static void
load_keys(void)
{
	char err[256];

	if (keys[0] != NULL)
		return;
	for (int i = 0; i < 3; i++)
		if (cvm_sigkey_from_pem(pems[i], strlen(pems[i]), "fuzz", &keys[i],
		    err, sizeof(err)) != 0 || cvm_sigkey_alg(keys[i]) != algs[i])
			abort();
	atexit(free_keys);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cvm_sig_candidates c, again;
	char err[256];
	int mode, r;

	if (size == 0)
		return 0;
	load_keys();
	mode = data[0] % 4;
	data++;
	size--;
	if (mode == 3) {
		struct cvm_sigkey *k = NULL;

		if (cvm_sigkey_from_pem((const char *)data, size, "fuzz", &k, err,
		    sizeof(err)) == 0) {
			enum cvm_sig_alg a = cvm_sigkey_alg(k);

			if (a != CVM_SIG_ED25519 && a != CVM_SIG_P256 && a != CVM_SIG_P384)
				abort();
			(void)cvm_sig_verify(k, (const unsigned char *)msg, strlen(msg),
			    (const unsigned char *)msg, strlen(msg), err, sizeof(err));
		} else if (k != NULL || err[0] == '\0')
			abort();
		cvm_sigkey_free(k);
		return 0;
	}
	if (cvm_sig_decode(algs[mode], data, size, &c, err, sizeof(err)) == 0) {
		if (c.n == 0 || c.n > CVM_SIG_MAX_CANDIDATES)
			abort();
		/* every candidate is in normal form: decoding it as raw bytes
		 * gives it back */
		for (size_t i = 0; i < c.n; i++) {
			int found = 0;

			if (c.len[i] == 0 || c.len[i] > CVM_SIG_DER_MAX ||
			    (algs[mode] == CVM_SIG_ED25519 && c.len[i] != 64) ||
			    (algs[mode] != CVM_SIG_ED25519 && c.sig[i][0] != 0x30))
				abort();
			if (cvm_sig_decode(algs[mode], c.sig[i], c.len[i], &again, err,
			    sizeof(err)) != 0)
				abort();
			for (size_t j = 0; j < again.n; j++)
				found |= again.len[j] == c.len[i] &&
				    memcmp(again.sig[j], c.sig[i], c.len[i]) == 0;
			if (!found)
				abort();
		}
	} else if (c.n != 0 || err[0] == '\0')
		abort();
	r = cvm_sig_verify(keys[mode], (const unsigned char *)msg, strlen(msg),
	    data, size, err, sizeof(err));
	if (r != 0 && r != 1)
		abort();	/* never an internal error for any input */
	return 0;
}
