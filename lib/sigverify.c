/* Detached signatures of apply documents: see sigverify.h.  OpenSSL EVP
 * (3.0; 1.1.1 where noted). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sigverify.h"
#include "sshkey.h"
#include "strutil.h"

struct cvm_sigkey {
	EVP_PKEY *pkey;
	enum cvm_sig_alg alg;
};

const char *
cvm_sig_alg_name(enum cvm_sig_alg alg)
{
	switch (alg) {
	case CVM_SIG_ED25519:
		return "Ed25519";
	case CVM_SIG_P256:
		return "ECDSA P-256 with SHA-256";
	case CVM_SIG_P384:
		return "ECDSA P-384 with SHA-384";
	}
	return "?";
}

enum cvm_sig_alg
cvm_sigkey_alg(const struct cvm_sigkey *k)
{
	return k->alg;
}

void
cvm_sigkey_free(struct cvm_sigkey *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/* The named curve of an EC key: NID_undef when it has none. */
static int
ec_curve_nid(EVP_PKEY *pkey)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	char name[80];
	size_t nlen = 0;
	int nid;

	if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &nlen) != 1 ||
	    nlen == 0 || nlen >= sizeof(name))
		return NID_undef;
	if ((nid = OBJ_sn2nid(name)) == NID_undef)
		nid = EC_curve_nist2nid(name);
	return nid;
#else
	const EC_KEY *ec = EVP_PKEY_get0_EC_KEY(pkey);
	const EC_GROUP *g = ec ? EC_KEY_get0_group(ec) : NULL;

	return g ? EC_GROUP_get_curve_name(g) : NID_undef;
#endif
}

static int
key_from_der(const unsigned char *der, long len, const char *name,
    struct cvm_sigkey **out, char *err, size_t errlen)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, len);
	struct cvm_sigkey *k;
	enum cvm_sig_alg alg;
	int id;

	if (pkey == NULL || p != der + len) {
		snprintf(err, errlen, "%s: the PUBLIC KEY block does not decode "
		    "(not a SubjectPublicKeyInfo, or an invalid key)", name);
		EVP_PKEY_free(pkey);
		return -1;
	}
	id = EVP_PKEY_base_id(pkey);
	if (id == EVP_PKEY_ED25519)
		alg = CVM_SIG_ED25519;
	else if (id == EVP_PKEY_EC) {
		int nid = ec_curve_nid(pkey);
		EVP_PKEY_CTX *ctx;
		int ok;

		if (nid == NID_X9_62_prime256v1)
			alg = CVM_SIG_P256;
		else if (nid == NID_secp384r1)
			alg = CVM_SIG_P384;
		else {
			snprintf(err, errlen, "%s: ECDSA key on curve %s is not "
			    "supported: use Ed25519, P-256 or P-384", name,
			    nid == NID_undef ? "(explicit parameters)" : OBJ_nid2sn(nid));
			EVP_PKEY_free(pkey);
			return -1;
		}
		/* on the curve, not the point at infinity */
		ctx = EVP_PKEY_CTX_new(pkey, NULL);
		ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;
		EVP_PKEY_CTX_free(ctx);
		if (!ok) {
			snprintf(err, errlen, "%s: invalid ECDSA public key", name);
			EVP_PKEY_free(pkey);
			return -1;
		}
	} else {
		const char *t = OBJ_nid2sn(id);

		snprintf(err, errlen, "%s: a %s key is not supported: use "
		    "Ed25519, P-256 or P-384", name,
		    id == EVP_PKEY_RSA ? "RSA" : t != NULL ? t : "unknown");
		EVP_PKEY_free(pkey);
		return -1;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		EVP_PKEY_free(pkey);
		return -1;
	}
	k->pkey = pkey;
	k->alg = alg;
	*out = k;
	return 0;
}

int
cvm_sigkey_from_pem(const char *pem, size_t len, const char *name,
    struct cvm_sigkey **out, char *err, size_t errlen)
{
	BIO *bio;
	char *bname = NULL, *header = NULL;
	unsigned char *data = NULL, *der = NULL;
	long dlen, derlen = 0;
	int blocks = 0, ret = -1;
	unsigned long e;

	*out = NULL;
	if (len > CVM_SIGKEY_FILE_MAX || memchr(pem, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: not a PEM file (NUL byte, or larger "
		    "than %d bytes)", name, CVM_SIGKEY_FILE_MAX);
		return -1;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	ERR_clear_error();
	/* Every PEM block: exactly one, a PUBLIC KEY, unencrypted. */
	while (PEM_read_bio(bio, &bname, &header, &data, &dlen) == 1) {
		blocks++;
		if (strstr(bname, "PRIVATE KEY") != NULL) {
			snprintf(err, errlen, "%s: holds a private key: "
			    "trusted_signer must hold only the signer's public "
			    "key (openssl pkey -pubout)", name);
			goto out;
		}
		if (strcmp(bname, "PUBLIC KEY") != 0) {
			snprintf(err, errlen, "%s: a \"%.40s\" PEM block: expected "
			    "one \"PUBLIC KEY\" block only", name, bname);
			goto out;
		}
		if (header[0] != '\0' || blocks > 1) {
			snprintf(err, errlen, "%s: %s", name, blocks > 1 ?
			    "more than one PEM block" : "an encrypted PEM block");
			goto out;
		}
		der = data;
		derlen = dlen;
		data = NULL;
		OPENSSL_free(bname);
		OPENSSL_free(header);
		bname = header = NULL;
	}
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) != ERR_LIB_PEM || ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
		snprintf(err, errlen, "%s: a malformed PEM block", name);
		goto out;
	}
	if (blocks == 0) {
		snprintf(err, errlen, "%s: no PEM \"PUBLIC KEY\" block", name);
		goto out;
	}
	ret = key_from_der(der, derlen, name, out, err, errlen);
out:
	OPENSSL_free(bname);
	OPENSSL_free(header);
	OPENSSL_free(data);
	OPENSSL_free(der);
	BIO_free(bio);
	ERR_clear_error();
	return ret;
}

int
cvm_sigkey_load(const char *path, struct cvm_sigkey **out, char *err,
    size_t errlen)
{
	char *buf = NULL, *dir;
	const char *slash;
	struct stat st;
	size_t len;
	int r;

	*out = NULL;
	/* Whoever can write the directory can rename another key over the
	 * file: it must be root's as much as the file. */
	slash = strrchr(path, '/');
	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "%s: %s: %s", path, dir, strerror(errno));
		free(dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0) {
		snprintf(err, errlen, "%s: refused: its directory %s must be "
		    "owned by root and not group or world writable", path, dir);
		free(dir);
		return -1;
	}
	free(dir);
	r = cvm_read_file(path, CVM_SIGKEY_FILE_MAX, 1, 1, &buf, &len, err, errlen);
	if (r == 1)
		snprintf(err, errlen, "%s: no such file", path);
	if (r != 0)
		return -1;
	r = cvm_sigkey_from_pem(buf, len, path, out, err, errlen);
	free(buf);
	return r;
}

/* ---- signature decoding ------------------------------------------------ */

static size_t
field_bytes(enum cvm_sig_alg alg)
{
	return alg == CVM_SIG_P384 ? 48 : 32;
}

static void
add_candidate(struct cvm_sig_candidates *c, const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->len[i] == len && memcmp(c->sig[i], s, len) == 0)
			return;
	if (c->n < CVM_SIG_MAX_CANDIDATES && len <= CVM_SIG_DER_MAX) {
		memcpy(c->sig[c->n], s, len);
		c->len[c->n++] = len;
	}
}

/* r||s (n bytes each) as DER; 0 or -1 (r or s zero, no memory). */
static int
rs_to_der(const unsigned char *b, size_t n, unsigned char *out, size_t *outlen)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(b, (int)n, NULL), *ss = BN_bin2bn(b + n, (int)n, NULL);
	unsigned char *p = out;
	int l, ret = -1;

	if (s == NULL || r == NULL || ss == NULL || BN_is_zero(r) || BN_is_zero(ss))
		goto out;
	if (ECDSA_SIG_set0(s, r, ss) != 1)
		goto out;
	r = ss = NULL;
	if ((l = i2d_ECDSA_SIG(s, NULL)) <= 0 || l > CVM_SIG_DER_MAX ||
	    i2d_ECDSA_SIG(s, &p) != l)
		goto out;
	*outlen = (size_t)l;
	ret = 0;
out:
	BN_free(r);
	BN_free(ss);
	ECDSA_SIG_free(s);
	return ret;
}

/* 1 when b is a strict DER ECDSA-Sig-Value with 0 < r, s < 2^(8n). */
static int
der_ok(const unsigned char *b, size_t len, size_t n)
{
	const unsigned char *p = b;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig;
	unsigned char *der = NULL;
	int dl, ok = 0;

	if (len < 8 || len > CVM_SIG_DER_MAX || b[0] != 0x30)
		return 0;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		return 0;
	ECDSA_SIG_get0(sig, &r, &s);
	/* d2i takes some BER: only the one DER encoding counts */
	if (p == b + len && !BN_is_negative(r) && !BN_is_negative(s) &&
	    !BN_is_zero(r) && !BN_is_zero(s) && (size_t)BN_num_bytes(r) <= n &&
	    (size_t)BN_num_bytes(s) <= n && (dl = i2d_ECDSA_SIG(sig, &der)) > 0 &&
	    (size_t)dl == len && memcmp(der, b, len) == 0)
		ok = 1;
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	return ok;
}

static void
readings(enum cvm_sig_alg alg, const unsigned char *b, size_t len,
    struct cvm_sig_candidates *c)
{
	size_t n = field_bytes(alg), dl;
	unsigned char der[CVM_SIG_DER_MAX];

	if (alg == CVM_SIG_ED25519) {
		if (len == 64)
			add_candidate(c, b, len);
		return;
	}
	if (len == 2 * n && rs_to_der(b, n, der, &dl) == 0)
		add_candidate(c, der, dl);
	if (der_ok(b, len, n))
		add_candidate(c, b, len);
}

static int
is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\v' || ch == '\f';
}

int
cvm_sig_decode(enum cvm_sig_alg alg, const unsigned char *in, size_t len,
    struct cvm_sig_candidates *out, char *err, size_t errlen)
{
	char *text = NULL;
	unsigned char *bin = NULL;
	size_t tl = 0;
	long bl = -1;

	memset(out, 0, sizeof(*out));
	if (alg != CVM_SIG_ED25519 && alg != CVM_SIG_P256 && alg != CVM_SIG_P384) {
		snprintf(err, errlen, "unknown signature algorithm");
		return -1;
	}
	if (len > CVM_SIG_FILE_MAX) {
		snprintf(err, errlen, "larger than %d bytes: not a signature",
		    CVM_SIG_FILE_MAX);
		return -1;
	}
	/* base64, whitespace ignored */
	if (len > 0 && (text = malloc(len)) != NULL &&
	    (bin = malloc(len)) != NULL) {
		for (size_t i = 0; i < len; i++)
			if (!is_space(in[i]))
				text[tl++] = (char)in[i];
		if (tl > 0)
			bl = cvm_b64_decode(text, tl, bin, len);
	}
	if (bl > 0)
		readings(alg, bin, (size_t)bl, out);
	readings(alg, in, len, out);
	ERR_clear_error();
	free(text);
	free(bin);
	if (out->n > 0)
		return 0;
	if (alg == CVM_SIG_ED25519)
		snprintf(err, errlen, "not an Ed25519 signature: 64 bytes, raw or "
		    "base64, expected; got %zu bytes", len);
	else
		snprintf(err, errlen, "not an %s signature: a DER ECDSA-Sig-Value or "
		    "%zu-byte r||s, raw or base64, expected; got %zu bytes",
		    cvm_sig_alg_name(alg), 2 * field_bytes(alg), len);
	if (bl > 0) {
		size_t l = strlen(err);

		snprintf(err + l, errlen - l, " (base64 of %ld bytes)", bl);
	}
	return -1;
}

/* ---- verification ------------------------------------------------------- */

int
cvm_sig_verify(const struct cvm_sigkey *k, const unsigned char *msg,
    size_t msglen, const unsigned char *sig, size_t siglen, char *err,
    size_t errlen)
{
	struct cvm_sig_candidates c;
	unsigned char dgst[EVP_MAX_MD_SIZE];
	static const unsigned char empty[1];
	unsigned int dlen = 0;
	const EVP_MD *md = NULL;
	int ok = 0, setup;

	if (cvm_sig_decode(k->alg, sig, siglen, &c, err, errlen) != 0)
		return 0;
	if (msg == NULL)
		msg = empty;	/* an empty document is still signed bytes */
	if (k->alg != CVM_SIG_ED25519) {
		/* ECDSA: the curve fixes the digest; hash the document once */
		md = k->alg == CVM_SIG_P384 ? EVP_sha384() : EVP_sha256();
		if (EVP_Digest(msg, msglen, dgst, &dlen, md, NULL) != 1) {
			snprintf(err, errlen, "cannot compute the digest");
			ERR_clear_error();
			return -1;
		}
	}
	for (size_t i = 0; i < c.n && !ok; i++) {
		if (k->alg == CVM_SIG_ED25519) {
			EVP_MD_CTX *mctx = EVP_MD_CTX_new();

			/* pure Ed25519 (RFC 8032): one-shot, no digest */
			setup = mctx != NULL &&
			    EVP_DigestVerifyInit(mctx, NULL, NULL, NULL, k->pkey) == 1;
			if (setup)
				ok = EVP_DigestVerify(mctx, c.sig[i], c.len[i], msg, msglen) == 1;
			EVP_MD_CTX_free(mctx);
		} else {
			EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(k->pkey, NULL);

			setup = pctx != NULL && EVP_PKEY_verify_init(pctx) == 1 &&
			    EVP_PKEY_CTX_set_signature_md(pctx, md) == 1;
			/* anything but 1 (0, or < 0 for r or s out of range)
			 * is "does not verify" */
			if (setup)
				ok = EVP_PKEY_verify(pctx, c.sig[i], c.len[i], dgst, dlen) == 1;
			EVP_PKEY_CTX_free(pctx);
		}
		if (!setup) {
			snprintf(err, errlen, "cannot set up %s verification",
			    cvm_sig_alg_name(k->alg));
			ERR_clear_error();
			return -1;
		}
	}
	ERR_clear_error();
	if (ok)
		return 1;
	snprintf(err, errlen, "the %s signature does not match: the document "
	    "was changed, or not signed with the trusted_signer key",
	    cvm_sig_alg_name(k->alg));
	return 0;
}
