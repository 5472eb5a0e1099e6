#define _GNU_SOURCE
/* lib/sigverify.c: detached signatures of apply documents, with keys and
 * signatures made here with OpenSSL's EVP (every accepted form, and the
 * ways a signature or a trusted_signer file must be refused). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/pem.h>
#include "sigverify.h"
#include "sshkey.h"

static const unsigned char doc[] =
    "{\"schema\":1,\"serial\":7,\"accounts\":[],\"groups\":[]}\n";
#define DOCLEN (sizeof(doc) - 1)

struct sig {
	unsigned char b[512];
	size_t n;
};

/* EVP_PKEY_CTX keygen (not EVP_PKEY_Q_keygen): OpenSSL 1.1.1 too. */
static EVP_PKEY *
keygen(const char *kind)
{
	EVP_PKEY_CTX *c;
	EVP_PKEY *k = NULL;
	int id = strcmp(kind, "ED25519") == 0 ? EVP_PKEY_ED25519 :
	    strcmp(kind, "ED448") == 0 ? EVP_PKEY_ED448 :
	    strcmp(kind, "RSA") == 0 ? EVP_PKEY_RSA : EVP_PKEY_EC;

	c = EVP_PKEY_CTX_new_id(id, NULL);
	assert_non_null(c);
	assert_int_equal(EVP_PKEY_keygen_init(c), 1);
	if (id == EVP_PKEY_RSA)
		assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(c, 1024), 1);
	if (id == EVP_PKEY_EC) {
		int nid = EC_curve_nist2nid(kind);

		if (nid == NID_undef)
			nid = OBJ_sn2nid(kind);
		assert_int_not_equal(nid, NID_undef);
		assert_int_equal(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(c, nid), 1);
	}
	assert_int_equal(EVP_PKEY_keygen(c, &k), 1);
	assert_non_null(k);
	EVP_PKEY_CTX_free(c);
	return k;
}

static char *
pem_of(EVP_PKEY *k, int private_too)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	assert_non_null(b);
	if (private_too)
		assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
	assert_int_equal(PEM_write_bio_PUBKEY(b, k), 1);
	n = BIO_get_mem_data(b, &p);
	out = malloc((size_t)n + 1);
	assert_non_null(out);
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	BIO_free(b);
	return out;
}

static struct cvm_sigkey *
sigkey(EVP_PKEY *k)
{
	struct cvm_sigkey *sk = NULL;
	char *pem = pem_of(k, 0), err[256] = "";

	if (cvm_sigkey_from_pem(pem, strlen(pem), "test", &sk, err, sizeof(err)) != 0)
		fail_msg("key refused: %s", err);
	free(pem);
	return sk;
}

/* md NULL: Ed25519 (pure); else ECDSA over md, DER. */
static struct sig
sign(EVP_PKEY *k, const EVP_MD *md, const unsigned char *m, size_t mlen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	struct sig s;

	assert_non_null(c);
	s.n = sizeof(s.b);
	assert_int_equal(EVP_DigestSignInit(c, NULL, md, NULL, k), 1);
	assert_int_equal(EVP_DigestSign(c, s.b, &s.n, m, mlen), 1);
	EVP_MD_CTX_free(c);
	return s;
}

static struct sig
der_to_rs(const struct sig *der, size_t n)
{
	const unsigned char *p = der->b;
	ECDSA_SIG *e = d2i_ECDSA_SIG(NULL, &p, (long)der->n);
	const BIGNUM *r, *s;
	struct sig out;

	assert_non_null(e);
	ECDSA_SIG_get0(e, &r, &s);
	assert_int_equal(BN_bn2binpad(r, out.b, (int)n), (int)n);
	assert_int_equal(BN_bn2binpad(s, out.b + n, (int)n), (int)n);
	out.n = 2 * n;
	ECDSA_SIG_free(e);
	return out;
}

/* base64 with a line break every 20 characters, a leading space and a
 * trailing newline: whitespace is ignored. */
static struct sig
b64_of(const struct sig *raw)
{
	char tmp[1024];
	struct sig out;
	long n = cvm_b64_encode(raw->b, raw->n, tmp, sizeof(tmp), 1);

	assert_true(n > 0);
	out.n = 0;
	out.b[out.n++] = ' ';
	for (long i = 0; i < n; i++) {
		out.b[out.n++] = (unsigned char)tmp[i];
		if (i % 20 == 19)
			out.b[out.n++] = i % 40 == 39 ? '\n' : '\r';
	}
	out.b[out.n++] = '\n';
	return out;
}

static int
verify(const struct cvm_sigkey *k, const unsigned char *m, size_t mlen,
    const struct sig *s, char *err)
{
	err[0] = '\0';
	return cvm_sig_verify(k, m, mlen, s->b, s->n, err, 256);
}

static void
expect_ok(const struct cvm_sigkey *k, const struct sig *s, const char *what)
{
	char err[256];
	int r = verify(k, doc, DOCLEN, s, err);

	if (r != 1)
		fail_msg("%s: not verified (%d): %s", what, r, err);
}

static void
expect_refused(const struct cvm_sigkey *k, const unsigned char *m, size_t mlen,
    const struct sig *s, const char *what, const char *msg)
{
	char err[256];
	int r = verify(k, m, mlen, s, err);

	if (r != 0)
		fail_msg("%s: verify gave %d, not 0 (%s)", what, r, err);
	if (msg != NULL && strstr(err, msg) == NULL)
		fail_msg("%s: message \"%s\" lacks \"%s\"", what, err, msg);
}

/* The refusals every algorithm shares: a changed document, a changed
 * signature byte (each byte in turn), a truncated or empty signature. */
static void
common_refusals(const struct cvm_sigkey *k, const struct sig *good)
{
	unsigned char m[sizeof(doc)];
	struct sig s;

	memcpy(m, doc, sizeof(doc));
	m[10] ^= 1;
	expect_refused(k, m, DOCLEN, good, "document byte flipped", "does not match");
	expect_refused(k, doc, DOCLEN - 1, good, "document truncated", "does not match");
	for (size_t i = 0; i < good->n; i++) {
		s = *good;
		s.b[i] ^= 0x01;
		expect_refused(k, doc, DOCLEN, &s, "signature byte flipped", NULL);
	}
	s = *good;
	s.n--;
	expect_refused(k, doc, DOCLEN, &s, "signature truncated", "not an");
	s.n = 0;
	expect_refused(k, doc, DOCLEN, &s, "empty signature", "got 0 bytes");
}

static void
ed25519_forms(void **state)
{
	EVP_PKEY *k = keygen("ED25519"), *other = keygen("ED25519");
	struct cvm_sigkey *sk = sigkey(k), *sko = sigkey(other);
	struct sig raw = sign(k, NULL, doc, DOCLEN), b64 = b64_of(&raw), s;
	char err[256];

	(void)state;
	assert_int_equal(cvm_sigkey_alg(sk), CVM_SIG_ED25519);
	assert_int_equal(raw.n, 64);
	expect_ok(sk, &raw, "raw");
	expect_ok(sk, &b64, "base64 with whitespace");
	common_refusals(sk, &raw);
	expect_refused(sko, doc, DOCLEN, &raw, "another Ed25519 key", "does not match");
	/* base64 of a truncated signature: named as such */
	s = raw;
	s.n = 63;
	s = b64_of(&s);
	expect_refused(sk, doc, DOCLEN, &s, "base64 of 63 bytes", "base64 of 63 bytes");
	/* 65 bytes */
	s = raw;
	s.b[64] = 0;
	s.n = 65;
	expect_refused(sk, doc, DOCLEN, &s, "65 bytes", "64 bytes");
	/* a signature over the empty document */
	s = sign(k, NULL, (const unsigned char *)"", 0);
	assert_int_equal(cvm_sig_verify(sk, NULL, 0, s.b, s.n, err, sizeof(err)), 1);
	assert_int_equal(cvm_sig_verify(sk, doc, DOCLEN, s.b, s.n, err, sizeof(err)), 0);
	cvm_sigkey_free(sk);
	cvm_sigkey_free(sko);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

static void
ecdsa_forms(const char *curve, const EVP_MD *md, const EVP_MD *wrong_md,
    size_t n, enum cvm_sig_alg alg)
{
	EVP_PKEY *k = keygen(curve), *other = keygen(curve);
	struct cvm_sigkey *sk = sigkey(k), *sko = sigkey(other);
	struct sig der = sign(k, md, doc, DOCLEN), rs = der_to_rs(&der, n);
	struct sig der64 = b64_of(&der), rs64 = b64_of(&rs), s;
	struct cvm_sig_candidates c;
	char err[256];

	assert_int_equal(cvm_sigkey_alg(sk), alg);
	expect_ok(sk, &der, "DER");
	expect_ok(sk, &der64, "base64 DER");
	expect_ok(sk, &rs, "r||s");
	expect_ok(sk, &rs64, "base64 r||s");
	/* r||s and DER stand for the same signature */
	assert_int_equal(cvm_sig_decode(alg, rs.b, rs.n, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.len[0], der.n);
	assert_memory_equal(c.sig[0], der.b, der.n);
	common_refusals(sk, &der);
	common_refusals(sk, &rs);
	expect_refused(sko, doc, DOCLEN, &der, "another key, same curve", "does not match");
	/* the curve fixes the digest: the other SHA-2 does not verify */
	s = sign(k, wrong_md, doc, DOCLEN);
	expect_refused(sk, doc, DOCLEN, &s, "wrong digest for the curve", "does not match");
	s = der_to_rs(&s, n);
	expect_refused(sk, doc, DOCLEN, &s, "wrong digest for the curve, r||s", "does not match");
	/* BER, not DER: the same values with a long-form sequence length */
	assert_true(der.n < 128 && der.b[1] < 128);
	s.b[0] = 0x30;
	s.b[1] = 0x81;
	s.b[2] = der.b[1];
	memcpy(s.b + 3, der.b + 2, der.n - 2);
	s.n = der.n + 1;
	expect_refused(sk, doc, DOCLEN, &s, "BER length", "not an");
	/* trailing garbage after the DER */
	s = der;
	s.b[s.n++] = 0;
	expect_refused(sk, doc, DOCLEN, &s, "DER + trailing byte", "not an");
	/* r = 0 in r||s */
	s = rs;
	memset(s.b, 0, n);
	expect_refused(sk, doc, DOCLEN, &s, "r = 0", "not an");
	cvm_sigkey_free(sk);
	cvm_sigkey_free(sko);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

static void
p256_forms(void **state)
{
	(void)state;
	ecdsa_forms("P-256", EVP_sha256(), EVP_sha384(), 32, CVM_SIG_P256);
}

static void
p384_forms(void **state)
{
	(void)state;
	ecdsa_forms("P-384", EVP_sha384(), EVP_sha256(), 48, CVM_SIG_P384);
}

/* A signature of one curve under a key of the other, and Ed25519
 * signatures under ECDSA keys: never accepted. */
static void
cross_algorithms(void **state)
{
	EVP_PKEY *ed = keygen("ED25519"), *p256 = keygen("P-256"), *p384 = keygen("P-384");
	struct cvm_sigkey *sed = sigkey(ed), *s256 = sigkey(p256), *s384 = sigkey(p384);
	struct sig e = sign(ed, NULL, doc, DOCLEN);
	struct sig a = sign(p256, EVP_sha256(), doc, DOCLEN);
	struct sig b = sign(p384, EVP_sha384(), doc, DOCLEN);
	struct sig ars = der_to_rs(&a, 32);

	(void)state;
	expect_refused(s384, doc, DOCLEN, &a, "P-256 DER under P-384", NULL);
	expect_refused(s256, doc, DOCLEN, &b, "P-384 DER under P-256", NULL);
	expect_refused(s256, doc, DOCLEN, &e, "Ed25519 under P-256", NULL);
	expect_refused(sed, doc, DOCLEN, &ars, "P-256 r||s (64 bytes) under Ed25519",
	    "does not match");
	expect_refused(s384, doc, DOCLEN, &ars, "64-byte r||s under P-384", "96-byte");
	cvm_sigkey_free(sed);
	cvm_sigkey_free(s256);
	cvm_sigkey_free(s384);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p384);
}

static void
expect_key_refused(const char *pem, const char *msg)
{
	struct cvm_sigkey *sk = NULL;
	char err[256] = "";

	if (cvm_sigkey_from_pem(pem, strlen(pem), "K", &sk, err, sizeof(err)) == 0) {
		cvm_sigkey_free(sk);
		fail_msg("key accepted, expected \"%s\"", msg);
	}
	assert_null(sk);
	if (strstr(err, msg) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err, msg);
}

static void
unsupported_keys(void **state)
{
	static const char *const kinds[] = { "RSA", "ED448", "P-521", "secp256k1", "P-224" };
	EVP_PKEY *k = keygen("P-256");
	char *pem, *two;

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		EVP_PKEY *o = keygen(kinds[i]);

		pem = pem_of(o, 0);
		expect_key_refused(pem, "not supported: use Ed25519, P-256 or P-384");
		free(pem);
		EVP_PKEY_free(o);
	}
	pem = pem_of(k, 1);
	expect_key_refused(pem, "private key");
	free(pem);
	pem = pem_of(k, 0);
	if (asprintf(&two, "%s%s", pem, pem) < 0)
		fail();
	expect_key_refused(two, "more than one PEM block");
	free(two);
	/* text around the one block is allowed */
	if (asprintf(&two, "# release signer\n%s\n", pem) < 0)
		fail();
	{
		struct cvm_sigkey *sk = NULL;
		char err[256];

		assert_int_equal(cvm_sigkey_from_pem(two, strlen(two), "K", &sk, err,
		    sizeof(err)), 0);
		cvm_sigkey_free(sk);
	}
	free(two);
	pem[40] ^= 0x20;	/* inside the base64 */
	expect_key_refused(pem, "K: ");
	free(pem);
	expect_key_refused("-----BEGIN PUBLIC KEY-----\nM!A=\n-----END PUBLIC KEY-----\n",
	    "a malformed PEM block");
	expect_key_refused("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n",
	    "a malformed PEM block");
	expect_key_refused("", "no PEM \"PUBLIC KEY\" block");
	expect_key_refused("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA x\n",
	    "no PEM \"PUBLIC KEY\" block");
	expect_key_refused("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
	    "\"CERTIFICATE\" PEM block");
	expect_key_refused("-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n",
	    "does not decode");
	EVP_PKEY_free(k);
}

static void
write_file(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
expect_load(const char *path, int ok, const char *msg)
{
	struct cvm_sigkey *sk = NULL;
	char err[512] = "";
	int r = cvm_sigkey_load(path, &sk, err, sizeof(err));

	if (ok && r != 0)
		fail_msg("%s refused: %s", path, err);
	if (!ok && r == 0)
		fail_msg("%s accepted, expected \"%s\"", path, msg);
	if (!ok && strstr(err, msg) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err, msg);
	cvm_sigkey_free(sk);
}

/* The trusted_signer file: root's, not group/world writable, no symlink,
 * in a directory only root can write. */
static void
key_file(void **state)
{
	char dir[] = "/tmp/cvm-sigkey.XXXXXX", p[512], l[512], sub[256], q[512];
	EVP_PKEY *k = keygen("ED25519");
	char *pem = pem_of(k, 0);
	int root = geteuid() == 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/signer.pem", dir);
	write_file(p, pem, 0644);
	if (!root) {	/* the files made here are not root's */
		expect_load(p, 0, "must be owned by root");
		unlink(p);
		rmdir(dir);
		free(pem);
		EVP_PKEY_free(k);
		return;
	}
	expect_load(p, 1, NULL);
	assert_int_equal(chown(p, 1, 1), 0);
	expect_load(p, 0, "must be owned by root");
	assert_int_equal(chown(p, 0, 0), 0);
	assert_int_equal(chmod(p, 0664), 0);
	expect_load(p, 0, "not group or world writable");
	assert_int_equal(chmod(p, 0646), 0);
	expect_load(p, 0, "not group or world writable");
	assert_int_equal(chmod(p, 0444), 0);
	snprintf(l, sizeof(l), "%s/link.pem", dir);
	assert_int_equal(symlink(p, l), 0);
	expect_load(l, 0, "symbolic link");
	snprintf(q, sizeof(q), "%s/none.pem", dir);
	expect_load(q, 0, "no such file");
	snprintf(q, sizeof(q), "%s/adir", dir);
	assert_int_equal(mkdir(q, 0755), 0);
	expect_load(q, 0, "not a regular file");
	rmdir(q);
	/* a directory others can write */
	snprintf(sub, sizeof(sub), "%s/d", dir);
	assert_int_equal(mkdir(sub, 0775), 0);
	assert_int_equal(chmod(sub, 0775), 0);
	snprintf(q, sizeof(q), "%s/signer.pem", sub);
	write_file(q, pem, 0644);
	expect_load(q, 0, "its directory");
	assert_int_equal(chmod(sub, 0755), 0);
	expect_load(q, 1, NULL);
	assert_int_equal(chown(sub, 1, 1), 0);
	expect_load(q, 0, "its directory");
	/* a private key in the file */
	free(pem);
	pem = pem_of(k, 1);
	assert_int_equal(chmod(p, 0644), 0);
	write_file(p, pem, 0644);
	expect_load(p, 0, "private key");
	unlink(q);
	rmdir(sub);
	unlink(l);
	unlink(p);
	rmdir(dir);
	free(pem);
	EVP_PKEY_free(k);
}

/* cvm_sig_decode: the candidates for hostile bytes are few and
 * well-formed. */
static void
decode_bounds(void **state)
{
	struct cvm_sig_candidates c;
	unsigned char big[CVM_SIG_FILE_MAX + 1], junk[64];
	char err[256];

	(void)state;
	memset(big, 'A', sizeof(big));
	assert_int_equal(cvm_sig_decode(CVM_SIG_ED25519, big, sizeof(big), &c, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	/* 64 base64 characters: raw 64 bytes is a candidate, their 48
	 * decoded bytes are not */
	assert_int_equal(cvm_sig_decode(CVM_SIG_ED25519, big, 64, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 1);
	assert_memory_equal(c.sig[0], big, 64);
	/* 64 bytes: P-256 r||s, never Ed25519 and P-384 */
	memset(junk, 0x5a, sizeof(junk));
	assert_int_equal(cvm_sig_decode(CVM_SIG_P256, junk, 64, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.sig[0][0], 0x30);
	assert_int_equal(cvm_sig_decode(CVM_SIG_P384, junk, 64, &c, err, sizeof(err)), -1);
	assert_int_equal(cvm_sig_decode((enum cvm_sig_alg)0, junk, 64, &c, err,
	    sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ed25519_forms),
		cmocka_unit_test(p256_forms),
		cmocka_unit_test(p384_forms),
		cmocka_unit_test(cross_algorithms),
		cmocka_unit_test(unsupported_keys),
		cmocka_unit_test(key_file),
		cmocka_unit_test(decode_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
