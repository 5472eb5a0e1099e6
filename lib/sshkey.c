/* OpenSSH public key blobs, parsed as OpenSSH 9.x's sshkey_fromb() does.
 *
 * Written from a reading of OpenSSH's behaviour (sshkey.c, ssh-*.c,
 * sshbuf-getput-*.c), not from its code.  Where sshd is laxer than a key
 * anyone could use (even RSA exponent, DSA parameters out of range) we are
 * stricter: such a key can never authenticate, so it must not count as
 * "bound".  Where sshd accepts a non-canonical encoding (a short type name
 * such as "RSA" in the blob, zero-padded mpints, a NUL ending a string) we
 * accept it too and, like sshd and ssh-keygen, re-serialise the key: the
 * blob we keep and the fingerprint are the canonical ones.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "errbuf.h"
#include "sshkey.h"

/* ---- key type table ------------------------------------------------- */

enum base {
	B_RSA, B_DSA, B_ECDSA, B_ED25519, B_ECDSA_SK, B_ED25519_SK
};

struct ktinfo {
	const char *name;	/* the wire / authorized_keys name */
	const char *shortname;	/* matched case-insensitively in blobs */
	enum base base;
	int cert;
	int sigonly;		/* a signature algorithm name, not a key's */
	int nid;		/* ECDSA curve, 0 otherwise */
};

#define P256 NID_X9_62_prime256v1
#define P384 NID_secp384r1
#define P521 NID_secp521r1

/* In OpenSSH's keyimpls[] order: the first match wins, as there. */
static const struct ktinfo ktab[] = {
	{ "ssh-ed25519", "ED25519", B_ED25519, 0, 0, 0 },
	{ "ssh-ed25519-cert-v01@openssh.com", "ED25519-CERT", B_ED25519, 1, 0, 0 },
	{ "sk-ssh-ed25519@openssh.com", "ED25519-SK", B_ED25519_SK, 0, 0, 0 },
	{ "sk-ssh-ed25519-cert-v01@openssh.com", "ED25519-SK-CERT", B_ED25519_SK, 1, 0, 0 },
	{ "ecdsa-sha2-nistp256", "ECDSA", B_ECDSA, 0, 0, P256 },
	{ "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ECDSA-CERT", B_ECDSA, 1, 0, P256 },
	{ "ecdsa-sha2-nistp384", "ECDSA", B_ECDSA, 0, 0, P384 },
	{ "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ECDSA-CERT", B_ECDSA, 1, 0, P384 },
	{ "ecdsa-sha2-nistp521", "ECDSA", B_ECDSA, 0, 0, P521 },
	{ "ecdsa-sha2-nistp521-cert-v01@openssh.com", "ECDSA-CERT", B_ECDSA, 1, 0, P521 },
	{ "sk-ecdsa-sha2-nistp256@openssh.com", "ECDSA-SK", B_ECDSA_SK, 0, 0, P256 },
	{ "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", "ECDSA-SK-CERT", B_ECDSA_SK, 1, 0, P256 },
	{ "webauthn-sk-ecdsa-sha2-nistp256@openssh.com", "ECDSA-SK", B_ECDSA_SK, 0, 1, P256 },
	{ "ssh-dss", "DSA", B_DSA, 0, 0, 0 },
	{ "ssh-dss-cert-v01@openssh.com", "DSA-CERT", B_DSA, 1, 0, 0 },
	{ "ssh-rsa", "RSA", B_RSA, 0, 0, 0 },
	{ "ssh-rsa-cert-v01@openssh.com", "RSA-CERT", B_RSA, 1, 0, 0 },
	{ "rsa-sha2-256", "RSA", B_RSA, 0, 1, 0 },
	{ "rsa-sha2-256-cert-v01@openssh.com", "RSA-CERT", B_RSA, 1, 1, 0 },
	{ "rsa-sha2-512", "RSA", B_RSA, 0, 1, 0 },
	{ "rsa-sha2-512-cert-v01@openssh.com", "RSA-CERT", B_RSA, 1, 1, 0 },
};
#define NKT (sizeof(ktab) / sizeof(ktab[0]))

static int
is_ecdsa(enum base b)
{
	return b == B_ECDSA || b == B_ECDSA_SK;
}

/* Exact (case-sensitive) name, as at the start of an authorized_keys key. */
static const struct ktinfo *
kt_by_name(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < NKT; i++)
		if (strlen(ktab[i].name) == len && memcmp(ktab[i].name, s, len) == 0)
			return &ktab[i];
	return NULL;
}

/* The type string inside a blob: an exact name, or a plain type's short
 * name in any case (OpenSSH's sshkey_type_from_name). */
static const struct ktinfo *
kt_from_blob_name(const char *s)
{
	size_t i;

	for (i = 0; i < NKT; i++)
		if (strcmp(ktab[i].name, s) == 0 ||
		    (!ktab[i].cert && strcasecmp(ktab[i].shortname, s) == 0))
			return &ktab[i];
	return NULL;
}

/* The canonical entry for a kind of key. */
static const struct ktinfo *
kt_canonical(enum base b, int cert, int nid)
{
	size_t i;

	for (i = 0; i < NKT; i++)
		if (ktab[i].base == b && ktab[i].cert == cert && !ktab[i].sigonly &&
		    (!is_ecdsa(b) || ktab[i].nid == nid))
			return &ktab[i];
	return NULL;
}

int
cvm_keytype_known(const char *s, size_t len)
{
	return s != NULL && kt_by_name(s, len) != NULL;
}

const char *
cvm_pubkey_sigalgs(const struct cvm_pubkey *k)
{
	const struct ktinfo *t;

	if (k == NULL || k->kt == CVM_KT_UNKNOWN ||
	    (t = kt_by_name(k->type, strnlen(k->type, sizeof(k->type)))) == NULL)
		return "";
	if (t->base == B_RSA)
		return t->cert ? "rsa-sha2-512-cert-v01@openssh.com,"
		    "rsa-sha2-256-cert-v01@openssh.com,"
		    "ssh-rsa-cert-v01@openssh.com" :
		    "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
	t = kt_canonical(t->base, t->cert, t->nid);
	return t != NULL ? t->name : "";
}

/* ---- errors ---------------------------------------------------------- */

struct pctx {
	char *err;
	size_t errlen;
};

#define seterr(c, ...) cvm_seterr((c)->err, (c)->errlen, __VA_ARGS__)

/* A type name from a blob, fit to print. */
static void
printable(char *dst, size_t dstlen, const unsigned char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < dstlen; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			dst[o++] = (char)s[i];
		else
			o += (size_t)snprintf(dst + o, dstlen - o, "\\x%02x", s[i]);
	}
	if (i < n && o + 4 <= dstlen) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

/* ---- reading the wire format ---------------------------------------- */

struct rd {
	const unsigned char *p;
	size_t left;
};

#define MPINT_MAX_BYTES (16384 / 8)	/* OpenSSH's SSHBUF_MAX_BIGNUM */
#define ECPOINT_MAX_BYTES (2 * 66 + 1)	/* SSHBUF_MAX_ECPOINT */
#define CERT_MAX_PRINCIPALS 256

static int
rd_u32(struct pctx *c, struct rd *r, const char *what, uint32_t *v)
{
	if (r->left < 4)
		return seterr(c, "key blob truncated in %s", what);
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int
rd_u64(struct pctx *c, struct rd *r, const char *what, uint64_t *v)
{
	uint32_t hi, lo;

	if (r->left < 8)
		return seterr(c, "key blob truncated in %s", what);
	if (rd_u32(c, r, what, &hi) != 0 || rd_u32(c, r, what, &lo) != 0)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static int
rd_string(struct pctx *c, struct rd *r, const char *what,
    const unsigned char **s, size_t *n)
{
	uint32_t len;

	if (r->left < 4)
		return seterr(c, "key blob truncated in %s", what);
	if (rd_u32(c, r, what, &len) != 0)
		return -1;
	if (len > r->left)
		return seterr(c, "key blob truncated in %s (length %lu, %zu bytes left)",
		    what, (unsigned long)len, r->left);
	*s = r->p;
	*n = len;
	r->p += len;
	r->left -= len;
	return 0;
}

/* A string that must not hold a NUL, except one at its very end (which
 * OpenSSH's sshbuf_get_cstring drops). */
static int
rd_cstring(struct pctx *c, struct rd *r, const char *what,
    const unsigned char **s, size_t *n)
{
	const unsigned char *z;

	if (rd_string(c, r, what, s, n) != 0)
		return -1;
	if (*n > 0 && (z = memchr(*s, '\0', *n)) != NULL) {
		if (z != *s + *n - 1)
			return seterr(c, "NUL byte inside %s", what);
		(*n)--;
	}
	return 0;
}

/* An mpint: non-negative, at most 16384 bits; leading zeros allowed (and
 * stripped).  Returns the magnitude. */
static int
rd_mpint(struct pctx *c, struct rd *r, const char *what,
    const unsigned char **m, size_t *n)
{
	const unsigned char *s;
	size_t len;

	if (rd_string(c, r, what, &s, &len) != 0)
		return -1;
	if (len > 0 && (s[0] & 0x80) != 0)
		return seterr(c, "%s is negative", what);
	if (len > MPINT_MAX_BYTES + 1 || (len == MPINT_MAX_BYTES + 1 && s[0] != 0))
		return seterr(c, "%s is too large (%zu bytes)", what, len);
	while (len > 0 && s[0] == 0) {
		s++;
		len--;
	}
	*m = s;
	*n = len;
	return 0;
}

/* ---- writing the canonical form -------------------------------------- */

struct wr {
	unsigned char *p;
	size_t len, cap;
	int overflow;
};

static void
wr_bytes(struct wr *w, const void *s, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = 1;
		return;
	}
	if (n > 0)
		memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void
wr_u32(struct wr *w, size_t v)
{
	unsigned char b[4];

	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
	wr_bytes(w, b, 4);
}

static void
wr_string(struct wr *w, const void *s, size_t n)
{
	wr_u32(w, n);
	wr_bytes(w, s, n);
}

static void
wr_mpint(struct wr *w, const unsigned char *m, size_t n)
{
	static const unsigned char zero = 0;

	if (n > 0 && (m[0] & 0x80) != 0) {
		wr_u32(w, n + 1);
		wr_bytes(w, &zero, 1);
		wr_bytes(w, m, n);
	} else
		wr_string(w, m, n);
}

/* ---- per-type checks --------------------------------------------------- */

static BIGNUM *
bn_from(const unsigned char *m, size_t n)
{
	return BN_bin2bn(m, (int)n, NULL);
}

static int
check_rsa(struct pctx *c, struct rd *r, struct wr *w, unsigned *bits)
{
	const unsigned char *em, *nm;
	size_t el, nl;
	BIGNUM *e = NULL, *n = NULL;
	int ret = -1;

	if (rd_mpint(c, r, "RSA public exponent", &em, &el) != 0 ||
	    rd_mpint(c, r, "RSA modulus", &nm, &nl) != 0)
		return -1;
	if ((e = bn_from(em, el)) == NULL || (n = bn_from(nm, nl)) == NULL) {
		seterr(c, "out of memory");
		goto out;
	}
	if (!BN_is_odd(e)) {
		seterr(c, "RSA public exponent is even");
		goto out;
	}
	if (BN_is_one(e)) {
		seterr(c, "RSA public exponent is 1");
		goto out;
	}
	if (!BN_is_odd(n)) {
		seterr(c, "RSA modulus is even");
		goto out;
	}
	if (BN_ucmp(n, e) <= 0) {
		seterr(c, "RSA modulus is not larger than the exponent");
		goto out;
	}
	/* OpenSSL refuses to verify with these (RSA_R_BAD_E_VALUE). */
	if (BN_num_bits(n) > 3072 && BN_num_bits(e) > 64) {
		seterr(c, "RSA public exponent is too large (%d bits)",
		    BN_num_bits(e));
		goto out;
	}
	*bits = (unsigned)BN_num_bits(n);
	wr_mpint(w, em, el);
	wr_mpint(w, nm, nl);
	ret = 0;
out:
	BN_free(e);
	BN_free(n);
	return ret;
}

static int
check_dsa(struct pctx *c, struct rd *r, struct wr *w, unsigned *bits)
{
	static const char *const what[4] = {
		"DSA p", "DSA q", "DSA g", "DSA public value"
	};
	const unsigned char *m[4];
	size_t l[4];
	BIGNUM *v[4] = { NULL, NULL, NULL, NULL };
	int i, qbits, ret = -1;

	for (i = 0; i < 4; i++)
		if (rd_mpint(c, r, what[i], &m[i], &l[i]) != 0)
			return -1;
	for (i = 0; i < 4; i++)
		if ((v[i] = bn_from(m[i], l[i])) == NULL) {
			seterr(c, "out of memory");
			goto out;
		}
	/* v: p q g y */
	if (!BN_is_odd(v[0]) || BN_num_bits(v[0]) > 10000) {
		seterr(c, "DSA p is invalid");
		goto out;
	}
	qbits = BN_num_bits(v[1]);
	if (qbits != 160 && qbits != 224 && qbits != 256) {
		seterr(c, "DSA q is %d bits (not 160, 224 or 256)", qbits);
		goto out;
	}
	if (BN_cmp(v[1], v[0]) >= 0) {
		seterr(c, "DSA q is not smaller than p");
		goto out;
	}
	for (i = 2; i < 4; i++)
		if (BN_is_zero(v[i]) || BN_is_one(v[i]) || BN_cmp(v[i], v[0]) >= 0) {
			seterr(c, "%s is out of range", what[i]);
			goto out;
		}
	*bits = (unsigned)BN_num_bits(v[0]);
	for (i = 0; i < 4; i++)
		wr_mpint(w, m[i], l[i]);
	ret = 0;
out:
	for (i = 0; i < 4; i++)
		BN_free(v[i]);
	return ret;
}

static const char *
curve_name(int nid)
{
	switch (nid) {
	case P256: return "nistp256";
	case P384: return "nistp384";
	case P521: return "nistp521";
	default: return NULL;
	}
}

static unsigned
curve_bits(int nid)
{
	switch (nid) {
	case P256: return 256;
	case P384: return 384;
	case P521: return 521;
	default: return 0;
	}
}

/* The point must decode on the curve, and pass OpenSSH's
 * sshkey_ec_validate_public: not infinity, both coordinates longer than
 * half the order and below order-1, order*Q = infinity. */
static int
check_ec_point(struct pctx *c, int nid, const unsigned char *pt, size_t len)
{
	EC_GROUP *g = NULL;
	EC_POINT *q = NULL, *nq = NULL;
	BIGNUM *x = NULL, *y = NULL, *lim = NULL;
	BN_CTX *bnctx = NULL;
	const BIGNUM *order;
	size_t flen;
	int obits, ret = -1;

	if (len == 0 || len > ECPOINT_MAX_BYTES)
		return seterr(c, "EC point has bad length %zu", len);
	if (pt[0] != POINT_CONVERSION_UNCOMPRESSED)
		return seterr(c, "EC point is not in uncompressed form");
	if ((g = EC_GROUP_new_by_curve_name(nid)) == NULL ||
	    (q = EC_POINT_new(g)) == NULL || (nq = EC_POINT_new(g)) == NULL ||
	    (x = BN_new()) == NULL || (y = BN_new()) == NULL ||
	    (lim = BN_new()) == NULL || (bnctx = BN_CTX_new()) == NULL) {
		seterr(c, "out of memory");
		goto out;
	}
	flen = (size_t)(EC_GROUP_get_degree(g) + 7) / 8;
	if (len != 1 + 2 * flen) {
		seterr(c, "EC point is %zu bytes, expected %zu for %s", len,
		    1 + 2 * flen, curve_name(nid));
		goto out;
	}
	if (EC_POINT_oct2point(g, q, pt, len, bnctx) != 1 ||
	    EC_POINT_is_on_curve(g, q, bnctx) != 1) {
		seterr(c, "EC point is not on the curve %s", curve_name(nid));
		goto out;
	}
	if (EC_POINT_is_at_infinity(g, q)) {
		seterr(c, "EC point is at infinity");
		goto out;
	}
	order = EC_GROUP_get0_order(g);
	obits = BN_num_bits(order);
	if (EC_POINT_get_affine_coordinates(g, q, x, y, bnctx) != 1) {
		seterr(c, "EC point coordinates unavailable");
		goto out;
	}
	if (BN_num_bits(x) <= obits / 2 || BN_num_bits(y) <= obits / 2) {
		seterr(c, "EC point coordinate is too small");
		goto out;
	}
	if (EC_POINT_mul(g, nq, NULL, q, order, bnctx) != 1 ||
	    EC_POINT_is_at_infinity(g, nq) != 1) {
		seterr(c, "EC point is not in the prime-order subgroup");
		goto out;
	}
	if (BN_sub(lim, order, BN_value_one()) != 1) {
		seterr(c, "out of memory");
		goto out;
	}
	if (BN_cmp(x, lim) >= 0 || BN_cmp(y, lim) >= 0) {
		seterr(c, "EC point coordinate is out of range");
		goto out;
	}
	ret = 0;
out:
	BN_CTX_free(bnctx);
	BN_free(lim);
	BN_free(x);
	BN_free(y);
	EC_POINT_free(nq);
	EC_POINT_free(q);
	EC_GROUP_free(g);
	return ret;
}

static int
check_ecdsa(struct pctx *c, struct rd *r, struct wr *w, int nid, unsigned *bits)
{
	const unsigned char *cv, *pt;
	size_t cvl, ptl;
	const char *want = curve_name(nid);
	char shown[64];

	if (rd_cstring(c, r, "ECDSA curve name", &cv, &cvl) != 0)
		return -1;
	if (want == NULL || strlen(want) != cvl || memcmp(want, cv, cvl) != 0) {
		printable(shown, sizeof(shown), cv, cvl);
		return seterr(c, "curve %s does not match key type (%s)", shown,
		    want != NULL ? want : "?");
	}
	if (rd_string(c, r, "ECDSA public point", &pt, &ptl) != 0)
		return -1;
	if (check_ec_point(c, nid, pt, ptl) != 0)
		return -1;
	*bits = curve_bits(nid);
	wr_string(w, want, cvl);
	wr_string(w, pt, ptl);
	return 0;
}

static int
check_ed25519(struct pctx *c, struct rd *r, struct wr *w, unsigned *bits)
{
	const unsigned char *pk;
	size_t n;

	if (rd_string(c, r, "ed25519 public key", &pk, &n) != 0)
		return -1;
	if (n != 32)
		return seterr(c, "ed25519 public key is %zu bytes, not 32", n);
	*bits = 256;
	wr_string(w, pk, n);
	return 0;
}

static int
check_sk_app(struct pctx *c, struct rd *r, struct wr *w)
{
	const unsigned char *app;
	size_t n;

	if (rd_cstring(c, r, "security key application", &app, &n) != 0)
		return -1;
	wr_string(w, app, n);
	return 0;
}

/* The public key fields of one kind of key (after its type string, and for
 * a certificate after the nonce), appended canonically to w. */
static int
check_body(struct pctx *c, struct rd *r, struct wr *w, const struct ktinfo *t,
    int nid, unsigned *bits)
{
	switch (t->base) {
	case B_RSA:
		return check_rsa(c, r, w, bits);
	case B_DSA:
		return check_dsa(c, r, w, bits);
	case B_ECDSA:
		return check_ecdsa(c, r, w, nid, bits);
	case B_ED25519:
		return check_ed25519(c, r, w, bits);
	case B_ECDSA_SK:
		if (check_ecdsa(c, r, w, nid, bits) != 0)
			return -1;
		return check_sk_app(c, r, w);
	case B_ED25519_SK:
		if (check_ed25519(c, r, w, bits) != 0)
			return -1;
		return check_sk_app(c, r, w);
	}
	return seterr(c, "internal error: key kind");
}

struct parsed {
	const struct ktinfo *t;	/* entry the blob's type string named */
	int nid;
	unsigned bits;
	char typestr[CVM_KEYTYPE_MAX];
};

static int parse_key(struct pctx *c, struct rd *r, struct wr *plain,
    int allow_cert, struct parsed *out);

/* A list of (name, data) string pairs: certificate options/extensions. */
static int
check_pairs(struct pctx *c, const unsigned char *s, size_t n, const char *what)
{
	struct rd l = { s, n };
	const unsigned char *a;
	size_t al;

	while (l.left > 0)
		if (rd_cstring(c, &l, what, &a, &al) != 0 ||
		    rd_string(c, &l, what, &a, &al) != 0)
			return -1;
	return 0;
}

/* Structure of the certificate after the certified key.  The CA signature is
 * not verified: certificate lines never bind a key. */
static int
check_cert_tail(struct pctx *c, struct rd *r)
{
	const unsigned char *s, *princ, *crit, *ext, *ca, *sig;
	size_t n, princl, critl, extl, cal, sigl, np = 0;
	uint64_t u64;
	uint32_t ctype;
	struct rd l;
	struct wr scratch;
	struct parsed cak;
	int ret;

	if (rd_u64(c, r, "certificate serial", &u64) != 0 ||
	    rd_u32(c, r, "certificate type", &ctype) != 0 ||
	    rd_cstring(c, r, "certificate key id", &s, &n) != 0 ||
	    rd_string(c, r, "certificate principals", &princ, &princl) != 0 ||
	    rd_u64(c, r, "certificate valid-after", &u64) != 0 ||
	    rd_u64(c, r, "certificate valid-before", &u64) != 0 ||
	    rd_string(c, r, "certificate critical options", &crit, &critl) != 0 ||
	    rd_string(c, r, "certificate extensions", &ext, &extl) != 0 ||
	    rd_string(c, r, "certificate reserved field", &s, &n) != 0 ||
	    rd_string(c, r, "certificate signature key", &ca, &cal) != 0 ||
	    rd_string(c, r, "certificate signature", &sig, &sigl) != 0)
		return -1;
	if (ctype != 1 && ctype != 2)
		return seterr(c, "certificate type %lu is neither user nor host",
		    (unsigned long)ctype);
	l.p = princ;
	l.left = princl;
	while (l.left > 0) {
		if (++np > CERT_MAX_PRINCIPALS)
			return seterr(c, "certificate has too many principals");
		if (rd_cstring(c, &l, "certificate principal", &s, &n) != 0)
			return -1;
	}
	if (check_pairs(c, crit, critl, "certificate critical option") != 0 ||
	    check_pairs(c, ext, extl, "certificate extension") != 0)
		return -1;
	if (sigl == 0)
		return seterr(c, "certificate signature is empty");
	/* The CA key: a plain key of any kind. */
	l.p = ca;
	l.left = cal;
	scratch.cap = cal + 64;
	scratch.len = 0;
	scratch.overflow = 0;
	if ((scratch.p = malloc(scratch.cap)) == NULL)
		return seterr(c, "out of memory");
	ret = parse_key(c, &l, &scratch, 0, &cak);
	free(scratch.p);
	if (ret != 0)
		return -1;
	if (l.left != 0)
		return seterr(c, "certificate signature key has %zu trailing bytes",
		    l.left);
	return 0;
}

/* One key from r: writes the canonical plain serialisation to `plain`. */
static int
parse_key(struct pctx *c, struct rd *r, struct wr *plain, int allow_cert,
    struct parsed *out)
{
	const unsigned char *ts, *nonce;
	size_t tl, nl;
	const struct ktinfo *t, *canon;
	char name[CVM_KEYTYPE_MAX], shown[64];
	int nid = 0;

	if (rd_cstring(c, r, "key type", &ts, &tl) != 0)
		return -1;
	t = NULL;
	if (tl < sizeof(name)) {
		memcpy(name, ts, tl);
		name[tl] = '\0';
		t = kt_from_blob_name(name);
	}
	if (t == NULL) {
		printable(shown, sizeof(shown), ts, tl);
		return seterr(c, "unknown key type \"%s\"", shown);
	}
	if (t->cert && !allow_cert)
		return seterr(c, "certificate key type %s not allowed here", t->name);
	if (is_ecdsa(t->base)) {
		/* The curve comes from the exact name (a short name has none). */
		const struct ktinfo *e = kt_by_name(name, tl);

		if (e == NULL || !is_ecdsa(e->base))
			return seterr(c, "key type \"%s\" names no curve", name);
		nid = e->nid;
	}
	if ((canon = kt_canonical(t->base, 0, nid)) == NULL)
		return seterr(c, "internal error: no canonical name for %s", name);
	if (t->cert && rd_string(c, r, "certificate nonce", &nonce, &nl) != 0)
		return -1;
	wr_string(plain, canon->name, strlen(canon->name));
	if (check_body(c, r, plain, t, nid, &out->bits) != 0)
		return -1;
	if (t->cert && check_cert_tail(c, r) != 0)
		return -1;
	if (plain->overflow)
		return seterr(c, "internal error: key re-serialisation overflow");
	out->t = t;
	out->nid = nid;
	snprintf(out->typestr, sizeof(out->typestr), "%s",
	    t->cert ? name : canon->name);
	return 0;
}

static enum cvm_keytype
kt_of(const struct ktinfo *t)
{
	if (t->cert)
		return CVM_KT_CERT;
	switch (t->base) {
	case B_RSA: return CVM_KT_RSA;
	case B_DSA: return CVM_KT_DSA;
	case B_ECDSA: return CVM_KT_ECDSA;
	case B_ED25519: return CVM_KT_ED25519;
	case B_ECDSA_SK: return CVM_KT_SK_ECDSA;
	case B_ED25519_SK: return CVM_KT_SK_ED25519;
	}
	return CVM_KT_UNKNOWN;
}

/* ---- public interface -------------------------------------------------- */

void
cvm_fingerprint(const unsigned char *blob, size_t len, char fp[CVM_FP_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	static const unsigned char empty[1] = { 0 };

	fp[0] = '\0';
	if (EVP_Digest(len > 0 ? blob : empty, len, md, &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen != 32) {
		ERR_clear_error();
		return;
	}
	memcpy(fp, "SHA256:", 7);
	if (cvm_b64_encode(md, mdlen, fp + 7, CVM_FP_MAX - 7, 0) < 0)
		fp[0] = '\0';
}

void
cvm_pubkey_free(struct cvm_pubkey *k)
{
	if (k == NULL)
		return;
	free(k->blob);
	memset(k, 0, sizeof(*k));
}

int
cvm_pubkey_from_blob(const unsigned char *blob, size_t len,
    struct cvm_pubkey *k, char *err, size_t errlen)
{
	struct pctx c = { err, errlen };
	struct rd r;
	struct wr plain = { NULL, 0, 0, 0 };
	struct parsed p;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (k == NULL)
		return seterr(&c, "internal error: no key");
	memset(k, 0, sizeof(*k));
	if (blob == NULL || len == 0)
		return seterr(&c, "empty key blob");
	if (len > CVM_BLOB_MAX)
		return seterr(&c, "key blob too large (%zu bytes, limit %d)", len,
		    CVM_BLOB_MAX);
	/* The canonical form is never longer than the input but for a short
	 * type name replaced by a long one. */
	plain.cap = len + CVM_KEYTYPE_MAX;
	if ((plain.p = malloc(plain.cap)) == NULL)
		return seterr(&c, "out of memory");
	r.p = blob;
	r.left = len;
	if (parse_key(&c, &r, &plain, 1, &p) != 0)
		goto fail;
	if (r.left != 0) {
		seterr(&c, "key blob has %zu trailing bytes", r.left);
		goto fail;
	}
	ERR_clear_error();
	k->kt = kt_of(p.t);
	memcpy(k->type, p.typestr, sizeof(k->type));
	k->bits = p.bits;
	/* ssh-keygen -lf fingerprints a certificate's certified key. */
	cvm_fingerprint(plain.p, plain.len, k->fp);
	if (p.t->cert) {
		/* A certificate is kept as it came: its signature covers it. */
		memcpy(plain.p, blob, len);
		plain.len = len;
	}
	k->blob = plain.p;
	k->bloblen = plain.len;
	return 0;
fail:
	ERR_clear_error();
	free(plain.p);
	memset(k, 0, sizeof(*k));
	return -1;
}

/* Why a base64 string did not decode. */
static void
b64_diagnose(struct pctx *c, const char *b64, size_t n)
{
	size_t i, pad = 0;
	unsigned char ch;

	while (pad < n && b64[n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < n - pad; i++) {
		ch = (unsigned char)b64[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '+' || ch == '/')) {
			if (ch == '=')
				seterr(c, "bad base64: '=' before the end, at offset %zu", i);
			else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
				seterr(c, "bad base64: whitespace at offset %zu", i);
			else
				seterr(c, "bad base64: invalid character 0x%02x at offset %zu",
				    ch, i);
			return;
		}
	}
	if ((n - pad) % 4 == 1 || pad > 2 || (pad != 0 && n % 4 != 0))
		seterr(c, "bad base64: wrong length or padding");
	else
		seterr(c, "bad base64: non-zero bits after the last byte");
}

int
cvm_pubkey_from_base64(const char *type, const char *b64, size_t b64len,
    struct cvm_pubkey *k, char *err, size_t errlen)
{
	struct pctx c = { err, errlen };
	unsigned char *blob;
	size_t cap;
	long n;
	const struct ktinfo *lt = NULL, *bt;
	char shown[64];

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (k == NULL)
		return seterr(&c, "internal error: no key");
	memset(k, 0, sizeof(*k));
	if (type != NULL && (lt = kt_by_name(type, strlen(type))) == NULL) {
		printable(shown, sizeof(shown), (const unsigned char *)type,
		    strlen(type));
		return seterr(&c, "unknown key type \"%s\"", shown);
	}
	if (b64 == NULL || b64len == 0)
		return seterr(&c, "no key data");
	if (b64len / 4 * 3 > CVM_BLOB_MAX + 2)
		return seterr(&c, "key blob too large (%zu base64 characters)", b64len);
	cap = b64len / 4 * 3 + 3;
	if ((blob = malloc(cap)) == NULL)
		return seterr(&c, "out of memory");
	if ((n = cvm_b64_decode(b64, b64len, blob, cap)) < 0) {
		b64_diagnose(&c, b64, b64len);
		free(blob);
		return -1;
	}
	if (cvm_pubkey_from_blob(blob, (size_t)n, k, err, errlen) != 0) {
		free(blob);
		return -1;
	}
	free(blob);
	if (lt == NULL)
		return 0;
	/* Same kind of key as the line says: "rsa-sha2-512" names an ssh-rsa
	 * key, as in sshd; for ECDSA the curve must match too. */
	bt = kt_by_name(k->type, strnlen(k->type, sizeof(k->type)));
	if (bt == NULL || bt->base != lt->base || bt->cert != lt->cert ||
	    (is_ecdsa(lt->base) && bt->nid != lt->nid)) {
		seterr(&c, "type in blob (%s) differs from line (%s)", k->type,
		    lt->name);
		cvm_pubkey_free(k);
		return -1;
	}
	return 0;
}
