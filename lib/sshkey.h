/* OpenSSH public keys: the wire blob, its type and size, and the
 * "SHA256:<base64 without padding>" fingerprint of ssh-keygen -lf. */
#ifndef CVM_SSHKEY_H
#define CVM_SSHKEY_H
#include <stddef.h>

enum cvm_keytype {
	CVM_KT_UNKNOWN = 0,
	CVM_KT_RSA,
	CVM_KT_DSA,
	CVM_KT_ECDSA,		/* nistp256/384/521; bits = curve size */
	CVM_KT_ED25519,
	CVM_KT_SK_ECDSA,	/* sk-ecdsa-sha2-nistp256@openssh.com */
	CVM_KT_SK_ED25519,	/* sk-ssh-ed25519@openssh.com */
	CVM_KT_CERT,		/* any *-cert-v01@openssh.com: never a bound key */
};

#define CVM_FP_MAX 52		/* "SHA256:" + 43 + NUL, rounded */
#define CVM_KEYTYPE_MAX 64

struct cvm_pubkey {
	enum cvm_keytype kt;
	char type[CVM_KEYTYPE_MAX];	/* the blob's own type string */
	unsigned bits;			/* RSA/DSA modulus, EC curve, 256 for ed25519 */
	unsigned char *blob;		/* malloc'd wire blob */
	size_t bloblen;
	char fp[CVM_FP_MAX];		/* SHA256:... */
};

/* Maximum accepted blob size (OpenSSH's own limit for RSA 16384 plus room). */
#define CVM_BLOB_MAX 16384

/* Decode and validate a blob: the type string, every field for the type
 * (RSA e and n, DSA p q g y, EC curve name matching the type and a point on
 * the curve, 32-byte ed25519, sk application string), no trailing bytes.
 * Returns 0, or -1 with a message in err.
 * As sshd does, a blob in a non-canonical form sshd accepts (a short type
 * name like "RSA", zero-padded mpints, a NUL ending a string) is
 * re-serialised: k->blob, k->type and k->fp are then the canonical ones that
 * ssh-keygen -lf shows.  Certificates keep their blob as given, k->type is
 * the cert type, and k->fp is the certified key's (as ssh-keygen -lf); the
 * CA signature is not verified.  k is zeroed on failure. */
int cvm_pubkey_from_blob(const unsigned char *blob, size_t len,
    struct cvm_pubkey *k, char *err, size_t errlen);

/* As above from the base64 text of an authorized_keys line; `type` is the
 * line's key type word, which must equal the blob's type (NULL: not checked). */
int cvm_pubkey_from_base64(const char *type, const char *b64, size_t b64len,
    struct cvm_pubkey *k, char *err, size_t errlen);

void cvm_pubkey_free(struct cvm_pubkey *k);

/* The SHA256 fingerprint of a blob, into fp (CVM_FP_MAX). */
void cvm_fingerprint(const unsigned char *blob, size_t len, char fp[CVM_FP_MAX]);

/* 1 when s is a key type word OpenSSH accepts at the start of a key. */
int cvm_keytype_known(const char *s, size_t len);

/* The signature algorithms a key of this kind can be used with, as a comma
 * list for PubkeyAcceptedAlgorithms matching, e.g. for RSA
 * "rsa-sha2-512,rsa-sha2-256,ssh-rsa".  "" for an unparsed key. */
const char *cvm_pubkey_sigalgs(const struct cvm_pubkey *k);

/* Base64 (RFC 4648, standard alphabet).  decode: whitespace not allowed,
 * padding optional; returns decoded length or -1.  out needs 3*len/4+3. */
long cvm_b64_decode(const char *in, size_t len, unsigned char *out, size_t outlen);
/* encode: NUL-terminated, `pad` selects '=' padding; returns length or -1. */
long cvm_b64_encode(const unsigned char *in, size_t len, char *out, size_t outlen, int pad);

#endif
