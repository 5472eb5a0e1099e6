/* Gathering the keys bound to an account from the database and from the
 * authorized_keys files sshd would read. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "authkeys.h"
#include "db.h"
#include "keysrc.h"

void
cvm_keyset_init(struct cvm_keyset *ks)
{
	memset(ks, 0, sizeof(*ks));
	ks->db_status = CVM_DB_MISSING;
}

static void
key_free(struct cvm_key *k)
{
	free(k->file);
	free(k->parse_error);
	cvm_pubkey_free(&k->key);
	free(k->label);
	free(k->from);
	free(k->command);
}

void
cvm_keyset_free(struct cvm_keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		key_free(&ks->k[i]);
	free(ks->k);
	cvm_strv_free(&ks->notes);
	for (size_t i = 0; i < ks->nrevoked; i++)
		cvm_pubkey_free(&ks->revoked[i]);
	free(ks->revoked);
	cvm_keyset_init(ks);
}

static struct cvm_key *
key_new(struct cvm_keyset *ks)
{
	struct cvm_key *nk;

	if ((nk = realloc(ks->k, (ks->n + 1) * sizeof(*nk))) == NULL)
		return NULL;
	ks->k = nk;
	nk = &ks->k[ks->n++];
	memset(nk, 0, sizeof(*nk));
	nk->expiry = -1;
	return nk;
}

static int
note(struct cvm_keyset *ks, const char *where, unsigned line, const char *why)
{
	char buf[1024], **nv;

	if (line)
		snprintf(buf, sizeof(buf), "%s:%u: %s", where, line, why);
	else
		snprintf(buf, sizeof(buf), "%s: %s", where, why);
	if ((nv = realloc(ks->notes.v, (ks->notes.n + 2) * sizeof(*nv))) == NULL)
		return -1;
	ks->notes.v = nv;
	if ((nv[ks->notes.n] = strdup(buf)) == NULL)
		return -1;
	nv[++ks->notes.n] = NULL;
	return 0;
}

static char *
dup_or_null(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

int
cvm_keys_from_db(struct cvm_keyset *ks, const char *dbpath, int check_owner,
    const char *user)
{
	struct cvm_db *db = NULL;
	struct cvm_db_user u;
	char err[256];
	int st, ret = 0;

	st = cvm_db_open(dbpath, check_owner, &db, err, sizeof(err));
	ks->db_status = st;
	if (st == CVM_DB_MISSING)
		return 0;
	if (st != CVM_DB_OK) {
		snprintf(ks->db_error, sizeof(ks->db_error), "%s", err);
		return st == CVM_DB_NOMEM ? -1 : 0;
	}
	st = cvm_db_user_byname(db, user, &u);
	if (st == CVM_DB_NOTFOUND) {
		ks->db_status = CVM_DB_OK;
		goto out;
	}
	if (st != CVM_DB_OK) {
		ks->db_status = st;
		snprintf(ks->db_error, sizeof(ks->db_error), "%s: %s", dbpath,
		    cvm_db_strstatus(st));
		ret = st == CVM_DB_NOMEM ? -1 : 0;
		goto out;
	}
	for (uint32_t i = 0; i < u.nkeys && ret == 0; i++) {
		const struct cvm_db_key *dk = &u.keys[i];
		struct cvm_key *k;
		char perr[256];

		if ((k = key_new(ks)) == NULL) {
			ret = -1;
			break;
		}
		k->source = CVM_SRC_DB;
		k->expiry = dk->expiry;
		k->bound_at = dk->bound_at;
		if ((k->label = strdup(dk->label)) == NULL)
			ret = -1;
		if (cvm_pubkey_from_blob(dk->blob, dk->bloblen, &k->key, perr,
		    sizeof(perr)) == 0)
			k->parsed = 1;
		else if ((k->parse_error = strdup(perr)) == NULL)
			ret = -1;
	}
	cvm_db_user_free(&u);
out:
	cvm_db_close(db);
	return ret;
}

int
cvm_keys_from_text(struct cvm_keyset *ks, int source, const char *file,
    const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		struct cvm_akline al;
		struct cvm_key *k;
		char err[256];

		lineno++;
		if (cvm_akline_parse(p, ll, &al, err, sizeof(err)) != 0) {
			cvm_akline_free(&al);
			if (note(ks, file, lineno, err) != 0)
				return -1;
		} else if (al.has_key) {
			if ((k = key_new(ks)) == NULL) {
				cvm_akline_free(&al);
				return -1;
			}
			k->source = source;
			k->line = lineno;
			k->parsed = 1;
			k->key = al.key;
			memset(&al.key, 0, sizeof(al.key));
			k->cert_authority = al.cert_authority;
			k->principals = al.principals != NULL;
			k->expiry = al.expiry;
			if ((k->file = strdup(file)) == NULL ||
			    (al.comment != NULL && (k->label = strdup(al.comment)) == NULL) ||
			    (al.from != NULL && (k->from = dup_or_null(al.from)) == NULL) ||
			    (al.command != NULL && (k->command = dup_or_null(al.command)) == NULL)) {
				cvm_akline_free(&al);
				return -1;
			}
			cvm_akline_free(&al);
		} else
			cvm_akline_free(&al);
		p += ll + 1;
	}
	return 0;
}

int
cvm_keys_from_akfiles(struct cvm_keyset *ks, const struct cvm_creds *cr,
    const char *akfiles, int strict_modes, unsigned timeout_ms)
{
	struct cvm_strv files = { NULL, 0 };
	struct cvm_akread *rd = NULL;
	size_t n = 0;
	int ret = 0;

	if (akfiles == NULL || strcmp(akfiles, "none") == 0)
		return 0;
	if (cvm_strv_split(&files, akfiles, " ") != 0 ||
	    (rd = calloc(files.n + 1, sizeof(*rd))) == NULL) {
		cvm_strv_free(&files);
		return -1;
	}
	for (size_t i = 0; i < files.n && ret == 0; i++) {
		char *path;

		if (strcmp(files.v[i], "none") == 0)
			continue;
		if ((path = cvm_akfile_expand(files.v[i], cr)) == NULL)
			ret = note(ks, files.v[i], 0, "cannot expand (unknown %-token)");
		else
			rd[n++].path = path;
	}
	/* One reader thread for all of them. */
	if (ret == 0)
		(void)cvm_akfile_read_all(cr, rd, n, strict_modes, timeout_ms);
	for (size_t i = 0; i < n; i++) {
		if (ret == 0 && rd[i].status == 0)
			ret = cvm_keys_from_text(ks, CVM_SRC_AK, rd[i].path,
			    rd[i].buf, rd[i].len);
		else if (ret == 0 && rd[i].status < 0)
			ret = note(ks, rd[i].path, 0, rd[i].why);
		free(rd[i].buf);
		free((char *)rd[i].path);
	}
	free(rd);
	cvm_strv_free(&files);
	return ret;
}

#define REVOKED_MAX (64u * 1024 * 1024)

int
cvm_keys_load_revoked(struct cvm_keyset *ks, const char *path)
{
	char err[512], *buf = NULL;
	size_t len;
	int r;

	if (path == NULL || strcasecmp(path, "none") == 0)
		return 0;
	ks->revoked_state = CVM_REVOKED_ALL;
	r = cvm_read_file(path, REVOKED_MAX, 0, 0, &buf, &len, err, sizeof(err));
	if (r != 0) {
		snprintf(ks->revoked_why, sizeof(ks->revoked_why), "RevokedKeys %s: %s "
		    "(sshd then refuses every key)", path, r == 1 ? "does not exist" : err);
		return 0;
	}
	if (len >= 8 && memcmp(buf, "SSHKRL\n\0", 8) == 0) {
		snprintf(ks->revoked_why, sizeof(ks->revoked_why), "RevokedKeys %s is "
		    "a KRL, which cvmkey does not evaluate: keys are not counted", path);
		free(buf);
		return 0;
	}
	for (const char *p = buf; p < buf + len;) {
		const char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		size_t ll = nl != NULL ? (size_t)(nl - p) : (size_t)(buf + len - p);
		struct cvm_akline al;
		struct cvm_pubkey *nv;

		if (cvm_akline_parse(p, ll, &al, err, sizeof(err)) == 0 && al.has_key) {
			if ((nv = realloc(ks->revoked, (ks->nrevoked + 1) * sizeof(*nv))) == NULL) {
				cvm_akline_free(&al);
				free(buf);
				return -1;
			}
			ks->revoked = nv;
			ks->revoked[ks->nrevoked++] = al.key;
			memset(&al.key, 0, sizeof(al.key));
		}
		cvm_akline_free(&al);
		p += ll + 1;
	}
	free(buf);
	ks->revoked_state = CVM_REVOKED_LIST;
	return 0;
}

int
cvm_key_revoked(const struct cvm_keyset *ks, const struct cvm_key *k)
{
	if (ks->revoked_state == CVM_REVOKED_ALL)
		return 1;
	for (size_t i = 0; i < ks->nrevoked; i++)
		if (ks->revoked[i].bloblen == k->key.bloblen &&
		    memcmp(ks->revoked[i].blob, k->key.blob, k->key.bloblen) == 0)
			return 1;
	return 0;
}

const struct cvm_key *
cvm_keyset_find(const struct cvm_keyset *ks, const unsigned char *blob,
    size_t len)
{
	for (size_t i = 0; i < ks->n; i++)
		if (ks->k[i].parsed && ks->k[i].key.bloblen == len &&
		    memcmp(ks->k[i].key.blob, blob, len) == 0)
			return &ks->k[i];
	return NULL;
}
