/* Detached signatures of apply documents (DESIGN §5 "Signed documents").
 *
 * The trusted_signer key is a PEM public key (SubjectPublicKeyInfo,
 * "-----BEGIN PUBLIC KEY-----") holding Ed25519, ECDSA P-256 or ECDSA
 * P-384; the key fixes the algorithm (and, for ECDSA, the digest:
 * SHA-256 for P-256, SHA-384 for P-384).  A signature file holds the
 * signature's raw bytes or their base64 (whitespace ignored): Ed25519
 * (RFC 8032, pure) 64 bytes; ECDSA a DER ECDSA-Sig-Value or the fixed-size
 * r||s (64 or 96 bytes).  `openssl pkeyutl -sign -rawin` makes them. */
#ifndef CVM_SIGVERIFY_H
#define CVM_SIGVERIFY_H
#include <stddef.h>

enum cvm_sig_alg {
	CVM_SIG_ED25519 = 1,
	CVM_SIG_P256,		/* ECDSA P-256 with SHA-256 */
	CVM_SIG_P384,		/* ECDSA P-384 with SHA-384 */
};

/* A signature file is at most this long (base64 with line breaks
 * included); the trusted_signer file at most CVM_SIGKEY_FILE_MAX. */
#define CVM_SIG_FILE_MAX	4096
#define CVM_SIGKEY_FILE_MAX	65536

struct cvm_sigkey;

/* Loads the trusted_signer file: opened O_NOFOLLOW, a regular file owned
 * by root and not group or world writable, in a directory owned by root
 * and not group or world writable; exactly one PUBLIC KEY block and no
 * other PEM block (a private key there is refused).  0, or -1 with err
 * naming the file. */
int cvm_sigkey_load(const char *path, struct cvm_sigkey **out, char *err,
    size_t errlen);
/* The same from PEM text in memory (name is used in messages). */
int cvm_sigkey_from_pem(const char *pem, size_t len, const char *name,
    struct cvm_sigkey **out, char *err, size_t errlen);
void cvm_sigkey_free(struct cvm_sigkey *k);
enum cvm_sig_alg cvm_sigkey_alg(const struct cvm_sigkey *k);
/* "Ed25519", "ECDSA P-256 with SHA-256", "ECDSA P-384 with SHA-384". */
const char *cvm_sig_alg_name(enum cvm_sig_alg alg);

/* The forms a signature file's bytes can stand for, normalised: 64 raw
 * bytes for Ed25519, strict DER for ECDSA.  At most two byte strings (the
 * bytes as given, and their base64 decoding when they are base64) times
 * two readings for ECDSA (r||s when the length fits, DER when they parse as
 * DER): at most 4 candidates, every one well-formed for alg. */
#define CVM_SIG_MAX_CANDIDATES	4
#define CVM_SIG_DER_MAX		128	/* P-384 DER is at most 104 bytes */
struct cvm_sig_candidates {
	size_t n;
	size_t len[CVM_SIG_MAX_CANDIDATES];
	unsigned char sig[CVM_SIG_MAX_CANDIDATES][CVM_SIG_DER_MAX];
};
/* 0 with at least one candidate; -1 with err saying what the bytes are
 * not (none is a well-formed signature of alg). */
int cvm_sig_decode(enum cvm_sig_alg alg, const unsigned char *in, size_t len,
    struct cvm_sig_candidates *out, char *err, size_t errlen);

/* Verifies the signature file's bytes (sig, siglen) over msg[0..msglen)
 * with k: 1 verified, 0 not (err says why: malformed, or does not
 * match), -1 an internal error (err). */
int cvm_sig_verify(const struct cvm_sigkey *k, const unsigned char *msg,
    size_t msglen, const unsigned char *sig, size_t siglen, char *err,
    size_t errlen);

#endif
