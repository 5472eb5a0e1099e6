/* Bindings database: reader (lib/db.c), writer (lib/dbwrite.c), hashes
 * (lib/dbhash.c).  Runs as root (owner checks, chown). */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "db.h"
#include "dbformat.h"
#include "dbhash.h"
#include "dbwrite.h"

struct fx {
	char dir[64];
	char path[128];
};

static int
rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	strcpy(fx->dir, "/tmp/cvmkey-test-db.XXXXXX");
	if (mkdtemp(fx->dir) == NULL || chmod(fx->dir, 0755) == -1) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/bindings.db", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	chmod(fx->dir, 0755);
	nftw(fx->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

static unsigned char *
read_file(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void
write_bytes(const char *path, const unsigned char *buf, size_t len)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, 0644), 0);
	if (len > 0)
		assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void
add_key(struct cvm_dbm_user *u, const char *type, unsigned char fill,
    uint32_t len, const char *label, int64_t expiry)
{
	unsigned char blob[64];
	char fp[64];

	assert_true(len <= sizeof(blob));
	memset(blob, fill, len);
	snprintf(fp, sizeof(fp), "SHA256:fake%02x%u", fill, (unsigned)len);
	assert_int_equal(cvm_dbm_add_key(u, type, blob, len, label, fp,
	    1700000000 + fill, expiry), 0);
}

/* alice: provisioned admin, 2 keys, groups; bob: binding-only, 1 key;
 * carol: provisioned, no keys; dave: binding-only with alice's uid.
 * Groups alice (70001) and devs (70100: alice, carol), empty (70200). */
static void
small_model(struct cvm_dbm *m)
{
	struct cvm_dbm_user *u;
	struct cvm_dbm_group *g;
	int i;

	cvm_dbm_init(m);
	m->admin_gid = 70100;
	m->serial = 42;
	for (i = 0; i < 32; i++)
		m->doc_sha256[i] = (unsigned char)(0xa0 + i);

	assert_non_null(u = cvm_dbm_add_user(m, "alice"));
	u->uid = 70001;
	u->gid = 70001;
	u->flags = CVM_DBU_PROVISIONED | CVM_DBU_ADMIN;
	assert_int_equal(cvm_dbm_set_str(&u->gecos, "Alice Example,,,"), 0);
	assert_int_equal(cvm_dbm_set_str(&u->home, "/home/alice"), 0);
	assert_int_equal(cvm_dbm_set_str(&u->shell, "/bin/bash"), 0);
	assert_int_equal(cvm_dbm_user_add_gid(u, 70100), 0);
	assert_int_equal(cvm_dbm_user_add_gid(u, 70200), 0);
	assert_int_equal(cvm_dbm_user_add_gid(u, 70100), 0);	/* no-op */
	assert_int_equal(u->ngroups, 2);
	add_key(u, "ssh-ed25519", 0x11, 51, "alice@laptop", -1);
	add_key(u, "ecdsa-sha2-nistp256", 0x22, 33, "", 1900000000);

	assert_non_null(u = cvm_dbm_add_user(m, "bob"));
	add_key(u, "ssh-rsa", 0x33, 64, "bob key with spaces", -1);

	assert_non_null(u = cvm_dbm_add_user(m, "carol"));
	u->uid = 70002;
	u->gid = 70002;
	u->flags = CVM_DBU_PROVISIONED;
	assert_int_equal(cvm_dbm_set_str(&u->home, "/home/carol"), 0);
	assert_int_equal(cvm_dbm_set_str(&u->shell, "/bin/sh"), 0);

	assert_non_null(u = cvm_dbm_add_user(m, "dave"));
	u->uid = 70001;		/* binding-only: its uid is not indexed */
	add_key(u, "ssh-ed25519", 0x44, 51, NULL, -1);

	assert_non_null(g = cvm_dbm_add_group(m, "alice", 70001));
	assert_non_null(g = cvm_dbm_add_group(m, "devs", 70100));
	assert_int_equal(cvm_dbm_group_add_member(g, "alice"), 0);
	assert_int_equal(cvm_dbm_group_add_member(g, "carol"), 0);
	assert_int_equal(cvm_dbm_group_add_member(g, "alice"), 0);	/* no-op */
	assert_int_equal(g->nmembers, 2);
	assert_non_null(cvm_dbm_add_group(m, "empty", 70200));
}

static void
write_model(const char *path, const struct cvm_dbm *m)
{
	char err[256];
	int fd;

	assert_true((fd = cvm_db_lock(path, err, sizeof(err))) >= 0);
	if (cvm_dbm_write(path, m, err, sizeof(err)) != 0)
		fail_msg("write: %s", err);
	assert_string_equal(err, "");
	cvm_db_unlock(fd);
}

static int
s_eq(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* 1 when the reader's user equals the model's */
static int
user_eq(const struct cvm_dbm_user *e, const struct cvm_db_user *g)
{
	uint32_t i;

	if (!s_eq(e->name, g->name) || e->uid != g->uid || e->gid != g->gid ||
	    e->flags != g->flags || !s_eq(e->gecos, g->gecos) ||
	    !s_eq(e->home, g->home) || !s_eq(e->shell, g->shell) ||
	    e->ngroups != g->ngroups || e->nkeys != g->nkeys)
		return 0;
	for (i = 0; i < e->ngroups; i++)
		if (e->groups[i] != g->groups[i])
			return 0;
	for (i = 0; i < e->nkeys; i++) {
		const struct cvm_dbm_key *a = &e->keys[i];
		const struct cvm_db_key *b = &g->keys[i];

		if (!s_eq(a->type, b->type) || a->bloblen != b->bloblen ||
		    memcmp(a->blob, b->blob, a->bloblen) != 0 ||
		    !s_eq(a->label, b->label) || !s_eq(a->fp, b->fp) ||
		    a->bound_at != b->bound_at || a->expiry != b->expiry)
			return 0;
	}
	return 1;
}

static int
group_eq(const struct cvm_dbm_group *e, const struct cvm_db_group *g)
{
	uint32_t i;

	if (!s_eq(e->name, g->name) || e->gid != g->gid ||
	    e->nmembers != g->nmembers || g->members[g->nmembers] != NULL)
		return 0;
	for (i = 0; i < e->nmembers; i++)
		if (!s_eq(e->members[i], g->members[i]))
			return 0;
	return 1;
}

static int
models_eq(const struct cvm_dbm *a, const struct cvm_dbm *b)
{
	size_t i;
	uint32_t j, k;

	if (a->uid_min != b->uid_min || a->uid_max != b->uid_max ||
	    a->gid_min != b->gid_min || a->gid_max != b->gid_max ||
	    a->admin_gid != b->admin_gid || a->serial != b->serial ||
	    memcmp(a->doc_sha256, b->doc_sha256, 32) != 0 ||
	    a->nusers != b->nusers || a->ngroups != b->ngroups)
		return 0;
	for (i = 0; i < a->nusers; i++) {
		const struct cvm_dbm_user *x = &a->users[i], *y = &b->users[i];

		if (!s_eq(x->name, y->name) || x->uid != y->uid ||
		    x->gid != y->gid || x->flags != y->flags ||
		    !s_eq(x->gecos, y->gecos) || !s_eq(x->home, y->home) ||
		    !s_eq(x->shell, y->shell) || x->ngroups != y->ngroups ||
		    x->nkeys != y->nkeys)
			return 0;
		for (j = 0; j < x->ngroups; j++)
			if (x->groups[j] != y->groups[j])
				return 0;
		for (j = 0; j < x->nkeys; j++)
			if (!s_eq(x->keys[j].type, y->keys[j].type) ||
			    x->keys[j].bloblen != y->keys[j].bloblen ||
			    memcmp(x->keys[j].blob, y->keys[j].blob,
			    x->keys[j].bloblen) != 0 ||
			    !s_eq(x->keys[j].label, y->keys[j].label) ||
			    !s_eq(x->keys[j].fp, y->keys[j].fp) ||
			    x->keys[j].bound_at != y->keys[j].bound_at ||
			    x->keys[j].expiry != y->keys[j].expiry)
				return 0;
	}
	for (i = 0; i < a->ngroups; i++) {
		const struct cvm_dbm_group *x = &a->groups[i], *y = &b->groups[i];

		if (!s_eq(x->name, y->name) || x->gid != y->gid ||
		    x->nmembers != y->nmembers)
			return 0;
		for (k = 0; k < x->nmembers; k++)
			if (!s_eq(x->members[k], y->members[k]))
				return 0;
	}
	return 1;
}

/* Every lookup of the model's data on db.  strict: all must succeed with
 * the right answer.  Otherwise each must give the right answer or
 * CORRUPT/NOTFOUND (never a wrong answer); returns the number of lookups
 * that did not give the right answer. */
static int
check_lookups(struct cvm_db *db, const struct cvm_dbm *m, int strict)
{
	struct cvm_db_user u;
	struct cvm_db_group g;
	const char *nosuch[] = { "nosuch", "", "alic", "alicee", "ALICE" };
	char longname[300];
	int bad = 0, rc;
	size_t i, j;

#define CHECK(rc, ok) do {						\
	if ((rc) == CVM_DB_OK) {					\
		assert_true(ok);					\
	} else {							\
		assert_false(strict);					\
		assert_true((rc) == CVM_DB_CORRUPT || (rc) == CVM_DB_NOTFOUND); \
		bad++;							\
	}								\
} while (0)
#define ABSENT(rc) do {							\
	assert_true((rc) == CVM_DB_NOTFOUND ||				\
	    (!strict && (rc) == CVM_DB_CORRUPT));			\
} while (0)

	for (i = 0; i < m->nusers; i++) {
		const struct cvm_dbm_user *e = &m->users[i];

		rc = cvm_db_user_byname(db, e->name, &u);
		CHECK(rc, user_eq(e, &u));
		cvm_db_user_free(&u);
		rc = cvm_db_user_at(db, (uint32_t)i, &u);
		CHECK(rc, user_eq(e, &u));
		cvm_db_user_free(&u);
		rc = cvm_db_user_byuid(db, e->uid, &u);
		/* the provisioned account with this uid, if any */
		for (j = 0; j < m->nusers; j++)
			if ((m->users[j].flags & CVM_DBU_PROVISIONED) &&
			    m->users[j].uid == e->uid)
				break;
		if (j < m->nusers) {
			CHECK(rc, user_eq(&m->users[j], &u));
		} else
			ABSENT(rc);
		cvm_db_user_free(&u);
	}
	for (i = 0; i < m->ngroups; i++) {
		const struct cvm_dbm_group *e = &m->groups[i];

		rc = cvm_db_group_byname(db, e->name, &g);
		CHECK(rc, group_eq(e, &g));
		cvm_db_group_free(&g);
		rc = cvm_db_group_bygid(db, e->gid, &g);
		CHECK(rc, group_eq(e, &g));
		cvm_db_group_free(&g);
		rc = cvm_db_group_at(db, (uint32_t)i, &g);
		CHECK(rc, group_eq(e, &g));
		cvm_db_group_free(&g);
	}
	for (i = 0; i < sizeof(nosuch) / sizeof(nosuch[0]); i++) {
		rc = cvm_db_user_byname(db, nosuch[i], &u);
		ABSENT(rc);
		cvm_db_user_free(&u);
		rc = cvm_db_group_byname(db, nosuch[i], &g);
		ABSENT(rc);
		cvm_db_group_free(&g);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	rc = cvm_db_user_byname(db, longname, &u);
	ABSENT(rc);
	rc = cvm_db_user_byuid(db, 12345, &u);
	ABSENT(rc);
	rc = cvm_db_user_byuid(db, 0, &u);
	ABSENT(rc);
	rc = cvm_db_group_bygid(db, 12345, &g);
	ABSENT(rc);
	rc = cvm_db_user_at(db, (uint32_t)m->nusers, &u);
	ABSENT(rc);
	rc = cvm_db_group_at(db, (uint32_t)m->ngroups, &g);
	ABSENT(rc);
#undef CHECK
#undef ABSENT
	return bad;
}

/* ---- hashes ------------------------------------------------------------- */

static void
t_hash_vectors(void **state)
{
	/* SipHash-2-4 reference vectors: key 00..0f, message 00..len-1 */
	static const struct { size_t len; uint64_t h; } v[] = {
		{ 0, UINT64_C(0x726fdb47dd0e0e31) },
		{ 1, UINT64_C(0x74f839c593dc67fd) },
		{ 7, UINT64_C(0xab0200f58b01d137) },
		{ 8, UINT64_C(0x93f5f5799a932462) },
		{ 15, UINT64_C(0xa129ca6149be45e5) },
		{ 63, UINT64_C(0x958a324ceb064572) },
	};
	unsigned char key[16], msg[64];
	size_t i;

	(void)state;
	for (i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < 64; i++)
		msg[i] = (unsigned char)i;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_true(cvm_siphash24(key, msg, v[i].len) == v[i].h);
	assert_int_equal(cvm_crc32c(0, "123456789", 9), 0xe3069283u);
	assert_int_equal(cvm_crc32c(cvm_crc32c(0, "1234", 4), "56789", 5),
	    0xe3069283u);
	assert_int_equal(cvm_crc32c(0, "", 0), 0);
	/* the eight-bytes-a-step path equals the byte-by-byte one, at every
	 * length and every start alignment */
	{
		unsigned char big[300];
		uint32_t whole, bytewise;

		for (i = 0; i < sizeof(big); i++)
			big[i] = (unsigned char)(i * 151u + 7u);
		for (size_t off = 0; off < 8; off++)
			for (size_t n = 0; n + off <= sizeof(big); n += 13) {
				whole = cvm_crc32c(0, big + off, n);
				bytewise = 0;
				for (size_t k = 0; k < n; k++)
					bytewise = cvm_crc32c(bytewise, big + off + k, 1);
				assert_int_equal(whole, bytewise);
			}
	}
	/* per-table keys differ */
	assert_true(cvm_dbh_name(key, CVM_DBT_UNAME, "a", 1) !=
	    cvm_dbh_name(key, CVM_DBT_GNAME, "a", 1));
}

/* ---- round trip ---------------------------------------------------------- */

static void
t_roundtrip(void **state)
{
	struct fx *fx = *state;
	struct cvm_dbm m, m2;
	struct cvm_db *db;
	const struct cvm_db_header *h;
	struct cvm_db_user u;
	struct cvm_db_group g;
	struct stat st;
	char err[256];

	small_model(&m);
	write_model(fx->path, &m);
	assert_int_equal(stat(fx->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_nlink, 1);

	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)), CVM_DB_OK);
	assert_int_equal(cvm_db_retired(db), 0);
	assert_true(cvm_db_stat(db)->st_ino == st.st_ino);
	h = cvm_db_header(db);
	assert_int_equal(h->version, CVM_DB_FORMAT_VERSION);
	assert_true(h->length == (uint64_t)st.st_size);
	assert_int_equal(h->uid_min, 70000);
	assert_int_equal(h->uid_max, 99999);
	assert_int_equal(h->gid_min, 70000);
	assert_int_equal(h->gid_max, 99999);
	assert_int_equal(h->admin_gid, 70100);
	assert_int_equal(h->nusers, 4);
	assert_int_equal(h->ngroups, 3);
	assert_true(h->serial == 42);
	assert_memory_equal(h->doc_sha256, m.doc_sha256, 32);
	assert_int_equal(cvm_db_verify(db, err, sizeof(err)), CVM_DB_OK);
	assert_int_equal(check_lookups(db, &m, 1), 0);

	/* spot checks of the reader's view */
	assert_int_equal(cvm_db_user_byuid(db, 70001, &u), CVM_DB_OK);
	assert_string_equal(u.name, "alice");	/* not dave: binding-only */
	assert_string_equal(u.gecos, "Alice Example,,,");
	assert_int_equal(u.ngroups, 2);
	assert_int_equal(u.groups[0], 70100);
	assert_int_equal(u.groups[1], 70200);
	assert_int_equal(u.nkeys, 2);
	assert_string_equal(u.keys[0].type, "ssh-ed25519");
	assert_string_equal(u.keys[0].label, "alice@laptop");
	assert_true(u.keys[0].expiry == -1);
	assert_true(u.keys[1].expiry == 1900000000);
	assert_int_equal(u.keys[1].bloblen, 33);
	cvm_db_user_free(&u);
	assert_int_equal(cvm_db_user_byname(db, "bob", &u), CVM_DB_OK);
	assert_int_equal(u.flags, 0);
	assert_string_equal(u.home, "");
	assert_int_equal(u.nkeys, 1);
	assert_string_equal(u.keys[0].label, "bob key with spaces");
	cvm_db_user_free(&u);
	assert_int_equal(cvm_db_user_byname(db, "dave", &u), CVM_DB_OK);
	assert_string_equal(u.keys[0].label, "");
	cvm_db_user_free(&u);
	assert_int_equal(cvm_db_user_byname(db, "carol", &u), CVM_DB_OK);
	assert_int_equal(u.nkeys, 0);
	assert_null(u.keys);
	cvm_db_user_free(&u);
	assert_int_equal(cvm_db_group_bygid(db, 70100, &g), CVM_DB_OK);
	assert_string_equal(g.name, "devs");
	assert_int_equal(g.nmembers, 2);
	assert_string_equal(g.members[0], "alice");
	assert_string_equal(g.members[1], "carol");
	assert_null(g.members[2]);
	cvm_db_group_free(&g);
	assert_int_equal(cvm_db_group_byname(db, "empty", &g), CVM_DB_OK);
	assert_int_equal(g.nmembers, 0);
	cvm_db_group_free(&g);
	cvm_db_close(db);

	/* load gives the same model back; writing it again too */
	assert_int_equal(cvm_dbm_load(fx->path, 1, &m2, err, sizeof(err)), 0);
	assert_true(models_eq(&m, &m2));
	write_model(fx->path, &m2);
	cvm_dbm_free(&m2);
	assert_int_equal(cvm_dbm_load(fx->path, 1, &m2, err, sizeof(err)), 0);
	assert_true(models_eq(&m, &m2));
	cvm_dbm_free(&m2);
	cvm_dbm_free(&m);
}

static void
t_empty_db(void **state)
{
	struct fx *fx = *state;
	struct cvm_dbm m;
	struct cvm_db *db;
	struct cvm_db_user u;
	struct cvm_db_group g;
	char err[256];

	cvm_dbm_init(&m);
	write_model(fx->path, &m);
	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)), CVM_DB_OK);
	assert_int_equal(cvm_db_header(db)->nusers, 0);
	assert_int_equal(cvm_db_verify(db, err, sizeof(err)), CVM_DB_OK);
	assert_int_equal(cvm_db_user_byname(db, "root", &u), CVM_DB_NOTFOUND);
	assert_int_equal(cvm_db_user_byuid(db, 0, &u), CVM_DB_NOTFOUND);
	assert_int_equal(cvm_db_group_bygid(db, 0, &g), CVM_DB_NOTFOUND);
	assert_int_equal(cvm_db_user_at(db, 0, &u), CVM_DB_NOTFOUND);
	cvm_db_close(db);
}

static void
t_model_helpers(void **state)
{
	struct cvm_dbm m;
	struct cvm_dbm_user *u;
	struct cvm_dbm_group *g;
	unsigned char blob[CVM_DB_MAX_BLOB + 1];
	int i;

	(void)state;
	small_model(&m);
	assert_non_null(u = cvm_dbm_find_user(&m, "alice"));
	assert_null(cvm_dbm_find_user(&m, "nosuch"));
	assert_int_equal(cvm_dbm_remove_key(u, 0), 0);
	assert_int_equal(u->nkeys, 1);
	assert_string_equal(u->keys[0].type, "ecdsa-sha2-nistp256");
	assert_int_equal(cvm_dbm_remove_key(u, 5), -1);
	assert_int_equal(cvm_dbm_user_remove_gid(u, 70100), 0);
	assert_int_equal(cvm_dbm_user_remove_gid(u, 70100), -1);
	assert_int_equal(u->ngroups, 1);
	memset(blob, 1, sizeof(blob));
	for (i = 1; i < CVM_DB_MAX_KEYS; i++)
		assert_int_equal(cvm_dbm_add_key(u, "ssh-ed25519", blob, 32,
		    "", "", 0, -1), 0);
	assert_int_equal(u->nkeys, 32);
	assert_int_equal(cvm_dbm_add_key(u, "ssh-ed25519", blob, 32, "", "",
	    0, -1), -1);
	assert_int_equal(cvm_dbm_remove_key(u, 31), 0);
	assert_int_equal(cvm_dbm_add_key(u, "ssh-rsa", blob, CVM_DB_MAX_BLOB + 1,
	    "", "", 0, -1), -1);
	assert_int_equal(cvm_dbm_add_key(u, "ssh-rsa", blob, CVM_DB_MAX_BLOB,
	    "", "", 0, -1), 0);
	assert_int_equal(cvm_dbm_remove_user(&m, "bob"), 0);
	assert_int_equal(cvm_dbm_remove_user(&m, "bob"), -1);
	assert_int_equal(m.nusers, 3);
	assert_string_equal(m.users[1].name, "carol");
	assert_non_null(g = cvm_dbm_find_group(&m, "devs"));
	assert_ptr_equal(cvm_dbm_find_gid(&m, 70100), g);
	assert_int_equal(cvm_dbm_group_remove_member(g, "alice"), 0);
	assert_int_equal(cvm_dbm_group_remove_member(g, "alice"), -1);
	assert_int_equal(g->nmembers, 1);
	assert_int_equal(cvm_dbm_remove_group(&m, "alice"), 0);
	assert_int_equal(cvm_dbm_remove_group(&m, "alice"), -1);
	assert_int_equal(m.ngroups, 2);
	assert_int_equal(cvm_dbm_validate(&m, NULL, 0), 0);
	cvm_dbm_free(&m);
}

/* ---- damaged files ------------------------------------------------------- */

static void
t_missing_empty(void **state)
{
	struct fx *fx = *state;
	struct cvm_dbm m;
	struct cvm_db *db = (struct cvm_db *)1;
	char err[256];

	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)),
	    CVM_DB_MISSING);
	assert_null(db);
	assert_int_equal(cvm_dbm_load(fx->path, 1, &m, err, sizeof(err)), 0);
	assert_int_equal(m.nusers, 0);
	assert_int_equal(m.uid_min, 70000);
	cvm_dbm_free(&m);
	write_bytes(fx->path, NULL, 0);
	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)),
	    CVM_DB_CORRUPT);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(cvm_dbm_load(fx->path, 1, &m, err, sizeof(err)), -1);
	assert_int_equal(m.nusers, 0);
	cvm_dbm_free(&m);
	write_bytes(fx->path, (const unsigned char *)"not a database\n", 15);
	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)),
	    CVM_DB_CORRUPT);
	assert_non_null(cvm_db_strstatus(CVM_DB_CORRUPT));
}

static void
t_truncated(void **state)
{
	struct fx *fx = *state;
	struct cvm_dbm m;
	struct cvm_db *db;
	unsigned char *orig, *buf;
	size_t len, l;
	char err[256];
	int rc, opened = 0;

	small_model(&m);
	write_model(fx->path, &m);
	orig = read_file(fx->path, &len);
	buf = malloc(len);
	assert_non_null(buf);
	for (l = 0; l < len; l++) {
		write_bytes(fx->path, orig, l);
		assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)),
		    CVM_DB_CORRUPT);
		/* the same with the header's length (and checksum) fixed up
		 * to match: now every table and record bound is tested */
		if (l < CVM_DB_DATA_OFF)
			continue;
		memcpy(buf, orig, l);
		cvm_put64(buf + CVM_DBH_LENGTH, l);
		cvm_put32(buf + CVM_DBH_CRC_OFF, cvm_dbh_header(buf));
		write_bytes(fx->path, buf, l);
		rc = cvm_db_open(fx->path, 1, &db, err, sizeof(err));
		if (rc != CVM_DB_OK) {
			assert_int_equal(rc, CVM_DB_CORRUPT);
			continue;
		}
		opened++;
		check_lookups(db, &m, 0);
		assert_int_equal(cvm_db_verify(db, err, sizeof(err)),
		    CVM_DB_CORRUPT);
		cvm_db_close(db);
	}
	assert_true(opened > 0);	/* the record area was exercised */
	write_bytes(fx->path, orig, len);
	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)), CVM_DB_OK);
	cvm_db_close(db);
	/* one byte too many is as bad as one too few */
	memcpy(buf, orig, len);
	write_bytes(fx->path, orig, len);
	{
		int fd = open(fx->path, O_WRONLY | O_APPEND);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "", 1), 1);
		close(fd);
	}
	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)),
	    CVM_DB_CORRUPT);
	free(orig);
	free(buf);
	cvm_dbm_free(&m);
}

static void
t_byte_flips(void **state)
{
	static const unsigned char flips[] = { 0x01, 0x80, 0xff };
	struct fx *fx = *state;
	struct cvm_dbm m;
	struct cvm_db *db;
	unsigned char *orig, *buf;
	size_t len, i, f;
	char err[256];
	int rc, answered = 0, refused = 0;

	small_model(&m);
	write_model(fx->path, &m);
	orig = read_file(fx->path, &len);
	buf = malloc(len);
	assert_non_null(buf);
	for (i = 0; i < len; i++) {
		for (f = 0; f < sizeof(flips); f++) {
			memcpy(buf, orig, len);
			buf[i] ^= flips[f];
			write_bytes(fx->path, buf, len);
			rc = cvm_db_open(fx->path, 1, &db, err, sizeof(err));
			if (rc != CVM_DB_OK) {
				if (rc != CVM_DB_CORRUPT)
					fail_msg("byte %zu: open: %d", i, rc);
				refused++;
				continue;
			}
			if (i >= CVM_DB_RETIRED_OFF && i < CVM_DB_DATA_OFF) {
				/* the retired word: not corruption */
				assert_int_equal(cvm_db_retired(db), 1);
				assert_int_equal(cvm_db_verify(db, err,
				    sizeof(err)), CVM_DB_OK);
				assert_int_equal(check_lookups(db, &m, 1), 0);
			} else {
				assert_int_equal(cvm_db_retired(db), 0);
				if (check_lookups(db, &m, 0) == 0)
					answered++;
				rc = cvm_db_verify(db, err, sizeof(err));
				if (rc != CVM_DB_CORRUPT)
					fail_msg("byte %zu ^ %02x not detected "
					    "by verify (%d)", i, flips[f], rc);
			}
			cvm_db_close(db);
		}
	}
	/* both kinds happened: header damage refuses the file, damage
	 * elsewhere only the lookups that touch it */
	assert_true(refused > 0);
	assert_true(answered > 0);
	/* cvm_dbm_load refuses a damaged file */
	memcpy(buf, orig, len);
	buf[len - 3] ^= 1;
	write_bytes(fx->path, buf, len);
	{
		struct cvm_dbm m2;

		assert_int_equal(cvm_dbm_load(fx->path, 1, &m2, err, sizeof(err)), -1);
		assert_int_equal(m2.nusers, 0);
		cvm_dbm_free(&m2);
	}
	free(orig);
	free(buf);
	cvm_dbm_free(&m);
}

/* ---- owner, mode, type ---------------------------------------------------- */

static void
t_refused(void **state)
{
	struct fx *fx = *state;
	struct cvm_dbm m;
	struct cvm_db *db;
	char err[256], p2[160];
	int rc;

	small_model(&m);
	write_model(fx->path, &m);

	assert_int_equal(chmod(fx->path, 0664), 0);
	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)),
	    CVM_DB_REFUSED);
	assert_int_equal(cvm_db_open(fx->path, 0, &db, err, sizeof(err)),
	    CVM_DB_REFUSED);
	assert_int_equal(chmod(fx->path, 0646), 0);
	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)),
	    CVM_DB_REFUSED);
	assert_int_equal(chmod(fx->path, 0644), 0);

	assert_int_equal(chown(fx->path, 1, 1), 0);
	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)),
	    CVM_DB_REFUSED);
	assert_non_null(strstr(err, "root"));
	assert_int_equal(cvm_db_open(fx->path, 0, &db, err, sizeof(err)), CVM_DB_OK);
	cvm_db_close(db);
	assert_int_equal(chown(fx->path, 0, 0), 0);

	/* the directory */
	assert_int_equal(chmod(fx->dir, 0775), 0);
	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)),
	    CVM_DB_REFUSED);
	assert_int_equal(chmod(fx->dir, 0755), 0);
	assert_int_equal(chown(fx->dir, 1, 0), 0);
	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)),
	    CVM_DB_REFUSED);
	assert_int_equal(chown(fx->dir, 0, 0), 0);

	/* a second hard link */
	snprintf(p2, sizeof(p2), "%s/hardlink", fx->dir);
	assert_int_equal(link(fx->path, p2), 0);
	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)),
	    CVM_DB_REFUSED);
	assert_int_equal(cvm_db_open(p2, 1, &db, err, sizeof(err)),
	    CVM_DB_REFUSED);
	assert_int_equal(unlink(p2), 0);

	/* a symlink to a good file */
	snprintf(p2, sizeof(p2), "%s/symlink", fx->dir);
	assert_int_equal(symlink(fx->path, p2), 0);
	rc = cvm_db_open(p2, 1, &db, err, sizeof(err));
	assert_true(rc == CVM_DB_REFUSED || rc == CVM_DB_IOERR);

	/* a FIFO: no hang (alarm kills the test rather than hanging) */
	snprintf(p2, sizeof(p2), "%s/fifo", fx->dir);
	assert_int_equal(mkfifo(p2, 0600), 0);
	alarm(10);
	assert_int_equal(cvm_db_open(p2, 1, &db, err, sizeof(err)),
	    CVM_DB_REFUSED);
	alarm(0);

	/* a directory */
	snprintf(p2, sizeof(p2), "%s/dir", fx->dir);
	assert_int_equal(mkdir(p2, 0755), 0);
	assert_int_equal(cvm_db_open(p2, 1, &db, err, sizeof(err)),
	    CVM_DB_REFUSED);
	/* /dev/null: a character device */
	assert_int_equal(cvm_db_open("/dev/null", 0, &db, err, sizeof(err)),
	    CVM_DB_REFUSED);

	/* back to normal */
	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)), CVM_DB_OK);
	cvm_db_close(db);
	cvm_dbm_free(&m);
}

/* ---- generations ----------------------------------------------------------- */

static void
t_generations(void **state)
{
	struct fx *fx = *state;
	struct cvm_dbm m, m2;
	struct cvm_db *db1, *db2, *dbp;
	struct cvm_db_user u;
	unsigned char *gen1, *prev;
	size_t len1, lenp;
	char err[256], path[160];
	struct stat st, stp;

	small_model(&m);
	write_model(fx->path, &m);
	snprintf(path, sizeof(path), "%s.prev", fx->path);
	assert_false(exists(path));	/* no previous generation yet */
	gen1 = read_file(fx->path, &len1);
	assert_int_equal(cvm_db_open(fx->path, 1, &db1, err, sizeof(err)), CVM_DB_OK);
	assert_int_equal(cvm_db_retired(db1), 0);

	/* second generation: bob loses his key, erin arrives */
	assert_int_equal(cvm_dbm_load(fx->path, 1, &m2, err, sizeof(err)), 0);
	assert_int_equal(cvm_dbm_remove_user(&m2, "bob"), 0);
	assert_non_null(cvm_dbm_add_user(&m2, "erin"));
	write_model(fx->path, &m2);

	/* the old mapping: retired, and still readable as it was */
	assert_int_equal(cvm_db_retired(db1), 1);
	assert_int_equal(cvm_db_user_byname(db1, "bob", &u), CVM_DB_OK);
	cvm_db_user_free(&u);
	assert_int_equal(cvm_db_user_byname(db1, "erin", &u), CVM_DB_NOTFOUND);
	cvm_db_close(db1);

	/* the new file opens fresh */
	assert_int_equal(cvm_db_open(fx->path, 1, &db2, err, sizeof(err)), CVM_DB_OK);
	assert_int_equal(cvm_db_retired(db2), 0);
	assert_int_equal(cvm_db_user_byname(db2, "bob", &u), CVM_DB_NOTFOUND);
	assert_int_equal(cvm_db_user_byname(db2, "erin", &u), CVM_DB_OK);
	cvm_db_user_free(&u);
	assert_int_equal(cvm_db_verify(db2, err, sizeof(err)), CVM_DB_OK);
	assert_int_equal(check_lookups(db2, &m2, 1), 0);
	cvm_db_close(db2);

	/* .prev: the first generation byte for byte, its own inode */
	prev = read_file(path, &lenp);
	assert_int_equal(lenp, len1);
	assert_memory_equal(prev, gen1, len1);
	assert_int_equal(stat(fx->path, &st), 0);
	assert_int_equal(stat(path, &stp), 0);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(stp.st_nlink, 1);
	assert_true(st.st_ino != stp.st_ino);
	assert_int_equal(stp.st_mode & 07777, 0644);
	assert_int_equal(cvm_db_open(path, 1, &dbp, err, sizeof(err)), CVM_DB_OK);
	assert_int_equal(cvm_db_retired(dbp), 0);
	assert_int_equal(check_lookups(dbp, &m, 1), 0);
	cvm_db_close(dbp);
	free(prev);

	/* restore = load .prev, write it as the next generation */
	cvm_dbm_free(&m2);
	assert_int_equal(cvm_dbm_load(path, 1, &m2, err, sizeof(err)), 0);
	assert_true(models_eq(&m, &m2));
	write_model(fx->path, &m2);
	assert_int_equal(cvm_db_open(fx->path, 1, &db2, err, sizeof(err)), CVM_DB_OK);
	assert_int_equal(check_lookups(db2, &m, 1), 0);
	cvm_db_close(db2);

	/* no temporary files left behind */
	snprintf(path, sizeof(path), "%s.new", fx->path);
	assert_false(exists(path));
	snprintf(path, sizeof(path), "%s.prev.new", fx->path);
	assert_false(exists(path));
	free(gen1);
	cvm_dbm_free(&m);
	cvm_dbm_free(&m2);
}

/* ---- the lock -------------------------------------------------------------- */

static void
t_lock(void **state)
{
	struct fx *fx = *state;
	struct pollfd pfd;
	struct stat st;
	char err[256], lp[160], c;
	int fd, fd2, pfds[2], status;
	pid_t pid;

	assert_true((fd = cvm_db_lock(fx->path, err, sizeof(err))) >= 0);
	snprintf(lp, sizeof(lp), "%s.lock", fx->path);
	assert_int_equal(stat(lp, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(pipe(pfds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the inherited descriptor shares the parent's lock */
		close(fd);
		close(pfds[0]);
		alarm(30);
		/* busy while the parent holds it */
		if (cvm_db_trylock(fx->path, err, sizeof(err)) != -2)
			_exit(2);
		if ((fd2 = cvm_db_lock(fx->path, err, sizeof(err))) < 0)
			_exit(3);
		if (write(pfds[1], "L", 1) != 1)
			_exit(4);
		cvm_db_unlock(fd2);
		_exit(0);
	}
	close(pfds[1]);
	pfd.fd = pfds[0];
	pfd.events = POLLIN;
	/* the child blocks: nothing within 300 ms */
	assert_int_equal(poll(&pfd, 1, 300), 0);
	cvm_db_unlock(fd);
	/* released: the child gets the lock */
	assert_int_equal(poll(&pfd, 1, 20000), 1);
	assert_int_equal(read(pfds[0], &c, 1), 1);
	assert_int_equal(c, 'L');
	close(pfds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* never removed; free again */
	assert_true(exists(lp));
	assert_true((fd = cvm_db_trylock(fx->path, err, sizeof(err))) >= 0);
	cvm_db_unlock(fd);
	/* a lock file that is not a regular file */
	assert_int_equal(unlink(lp), 0);
	assert_int_equal(mkfifo(lp, 0600), 0);
	assert_int_equal(cvm_db_lock(fx->path, err, sizeof(err)), -1);
}

/* ---- failed writes ------------------------------------------------------------ */

static void
expect_write_fails(struct fx *fx, const struct cvm_dbm *m,
    const unsigned char *orig, size_t len, const char *what)
{
	unsigned char *now;
	size_t nlen;
	char err[256], path[160];
	int fd;

	assert_true((fd = cvm_db_lock(fx->path, err, sizeof(err))) >= 0);
	err[0] = '\0';
	if (cvm_dbm_write(fx->path, m, err, sizeof(err)) != -1)
		fail_msg("write did not fail: %s", what);
	cvm_db_unlock(fd);
	assert_true(err[0] != '\0');
	now = read_file(fx->path, &nlen);
	assert_int_equal(nlen, len);
	assert_memory_equal(now, orig, len);
	free(now);
	snprintf(path, sizeof(path), "%s.new", fx->path);
	if (exists(path)) {
		struct stat st;

		/* only the directory the test put there */
		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
	}
	snprintf(path, sizeof(path), "%s.prev", fx->path);
	assert_false(exists(path));
}

static void
t_failed_writes(void **state)
{
	struct fx *fx = *state;
	struct cvm_dbm m;
	struct cvm_dbm_user *u;
	struct cvm_dbm_group *g;
	struct cvm_dbm_key *k;
	unsigned char *orig;
	size_t len;
	char name[300], path[160], err[256];
	uint32_t i;

	small_model(&m);
	write_model(fx->path, &m);
	orig = read_file(fx->path, &len);

#define RESET() do { cvm_dbm_free(&m); small_model(&m); } while (0)
	assert_non_null(cvm_dbm_add_user(&m, "alice"));
	expect_write_fails(fx, &m, orig, len, "duplicate name");
	RESET();
	assert_non_null(u = cvm_dbm_add_user(&m, "zed"));
	u->uid = 70002;
	u->flags = CVM_DBU_PROVISIONED;
	expect_write_fails(fx, &m, orig, len, "duplicate uid");
	RESET();
	assert_non_null(cvm_dbm_add_group(&m, "devs", 71000));
	expect_write_fails(fx, &m, orig, len, "duplicate group name");
	RESET();
	assert_non_null(cvm_dbm_add_group(&m, "other", 70100));
	expect_write_fails(fx, &m, orig, len, "duplicate gid");
	RESET();
	assert_non_null(cvm_dbm_add_user(&m, "a:b"));
	expect_write_fails(fx, &m, orig, len, "colon");
	RESET();
	assert_non_null(cvm_dbm_add_user(&m, "a\nb"));
	expect_write_fails(fx, &m, orig, len, "newline");
	RESET();
	assert_non_null(cvm_dbm_add_user(&m, ""));
	expect_write_fails(fx, &m, orig, len, "empty name");
	RESET();
	memset(name, 'x', 256);
	name[256] = '\0';
	assert_non_null(cvm_dbm_add_user(&m, name));
	expect_write_fails(fx, &m, orig, len, "long name");
	RESET();
	assert_int_equal(cvm_dbm_set_str(&m.users[0].shell, "/bin/sh:x"), 0);
	expect_write_fails(fx, &m, orig, len, "colon in shell");
	RESET();
	assert_non_null(g = cvm_dbm_find_group(&m, "devs"));
	assert_int_equal(cvm_dbm_group_add_member(g, "bad:member"), 0);
	expect_write_fails(fx, &m, orig, len, "bad member");
	RESET();
	m.users[1].keys[0].label[0] = '\n';
	expect_write_fails(fx, &m, orig, len, "newline in label");
	RESET();
	m.users[0].flags |= 0x100;
	expect_write_fails(fx, &m, orig, len, "unknown flag");
	RESET();
	/* 33 keys, built by hand (cvm_dbm_add_key refuses the 33rd) */
	u = &m.users[1];
	k = realloc(u->keys, 33 * sizeof(*k));
	assert_non_null(k);
	u->keys = k;
	for (i = 1; i < 33; i++) {
		k[i] = k[0];
		k[i].type = strdup(k[0].type);
		k[i].label = strdup(k[0].label);
		k[i].fp = strdup(k[0].fp);
		k[i].blob = malloc(k[0].bloblen);
		memcpy(k[i].blob, k[0].blob, k[0].bloblen);
	}
	u->nkeys = 33;
	expect_write_fails(fx, &m, orig, len, "33 keys");
	u->nkeys = 32;
	for (i = 32; i < 33; i++) {
		free(k[i].type);
		free(k[i].label);
		free(k[i].fp);
		free(k[i].blob);
	}
	assert_int_equal(cvm_dbm_validate(&m, err, sizeof(err)), 0);
	RESET();
	/* a blob over 16 KiB */
	k = &m.users[1].keys[0];
	free(k->blob);
	k->bloblen = CVM_DB_MAX_BLOB + 1;
	k->blob = calloc(1, k->bloblen);
	assert_non_null(k->blob);
	expect_write_fails(fx, &m, orig, len, "large blob");
	RESET();

	/* binding-only accounts may share a uid (it is not served) */
	assert_non_null(u = cvm_dbm_add_user(&m, "zed"));
	u->uid = 70002;
	assert_int_equal(cvm_dbm_validate(&m, err, sizeof(err)), 0);
	RESET();

	/* I/O failures: "<path>.new" cannot be created */
	snprintf(path, sizeof(path), "%s.new", fx->path);
	assert_int_equal(mkdir(path, 0755), 0);
	expect_write_fails(fx, &m, orig, len, "new is a directory");
	assert_int_equal(rmdir(path), 0);
	/* ...or the .prev copy cannot be made (after .new was written) */
	snprintf(path, sizeof(path), "%s.prev.new", fx->path);
	assert_int_equal(mkdir(path, 0755), 0);
	expect_write_fails(fx, &m, orig, len, "prev.new is a directory");
	snprintf(path, sizeof(path), "%s.new", fx->path);
	assert_false(exists(path));	/* the new file was removed */
	snprintf(path, sizeof(path), "%s.prev.new", fx->path);
	assert_int_equal(rmdir(path), 0);
	/* a stale .new is replaced */
	snprintf(path, sizeof(path), "%s.new", fx->path);
	write_bytes(path, (const unsigned char *)"stale", 5);
	write_model(fx->path, &m);
	assert_false(exists(path));
	/* a directory that does not exist */
	assert_int_equal(cvm_dbm_write("/nonexistent-cvmkey-dir/b.db", &m, err,
	    sizeof(err)), -1);
#undef RESET
	free(orig);
	cvm_dbm_free(&m);
}

/* ---- scale ------------------------------------------------------------------ */

static void
t_100k(void **state)
{
	struct fx *fx = *state;
	struct cvm_dbm m, m2;
	struct cvm_dbm_user *u;
	struct cvm_dbm_group *g;
	struct cvm_db *db;
	struct cvm_db_user du;
	struct cvm_db_group dg;
	unsigned char *file, blob[32], seed[16];
	const unsigned char *s;
	size_t len, i;
	uint64_t uname_off, ulist_off, off, steps, total = 0, maxsteps = 0;
	uint32_t size, mask, idx;
	char name[32], err[256];
	const size_t n = 100000;

	cvm_dbm_init(&m);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "user%06zu", i);
		assert_non_null(u = cvm_dbm_add_user(&m, name));
		if (i % 2 == 0) {
			u->uid = 200000 + (uint32_t)i;
			u->gid = u->uid;
			u->flags = CVM_DBU_PROVISIONED;
		}
		memset(blob, (int)(i & 0xff), sizeof(blob));
		assert_int_equal(cvm_dbm_add_key(u, "ssh-ed25519", blob,
		    sizeof(blob), name, "SHA256:x", 0, -1), 0);
	}
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "grp%04zu", i);
		assert_non_null(g = cvm_dbm_add_group(&m, name, 300000 + (uint32_t)i));
		snprintf(name, sizeof(name), "user%06zu", i);
		assert_int_equal(cvm_dbm_group_add_member(g, name), 0);
	}
	write_model(fx->path, &m);

	assert_int_equal(cvm_db_open(fx->path, 1, &db, err, sizeof(err)), CVM_DB_OK);
	assert_int_equal(cvm_db_header(db)->nusers, n);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "user%06zu", i);
		assert_int_equal(cvm_db_user_byname(db, name, &du), CVM_DB_OK);
		assert_string_equal(du.name, name);
		assert_string_equal(du.keys[0].label, name);
		cvm_db_user_free(&du);
		if (i % 2 == 0) {
			assert_int_equal(cvm_db_user_byuid(db,
			    200000 + (uint32_t)i, &du), CVM_DB_OK);
			assert_string_equal(du.name, name);
			cvm_db_user_free(&du);
		} else
			assert_int_equal(cvm_db_user_byuid(db,
			    200000 + (uint32_t)i, &du), CVM_DB_NOTFOUND);
	}
	assert_int_equal(cvm_db_user_byname(db, "user100000", &du),
	    CVM_DB_NOTFOUND);
	assert_int_equal(cvm_db_group_bygid(db, 300999, &dg), CVM_DB_OK);
	assert_string_equal(dg.members[0], "user000999");
	cvm_db_group_free(&dg);
	assert_int_equal(cvm_db_verify(db, err, sizeof(err)), CVM_DB_OK);
	cvm_db_close(db);

	/* Not O(n): walk the name index as a lookup does and count the
	 * slots each user's probe touches. */
	file = read_file(fx->path, &len);
	memcpy(seed, file + CVM_DBH_SEED, 16);
	ulist_off = cvm_le64(file + CVM_DBH_ULIST_OFF);
	uname_off = cvm_le64(file + CVM_DBH_UNAME_OFF);
	size = cvm_le32(file + CVM_DBH_UNAME_SIZE);
	assert_true(size >= 2 * n);
	mask = size - 1;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "user%06zu", i);
		off = cvm_le64(file + ulist_off + i * CVM_DB_SLOT_SIZE);
		idx = (uint32_t)cvm_dbh_name(seed, CVM_DBT_UNAME, name,
		    strlen(name)) & mask;
		for (steps = 1;; steps++, idx = (idx + 1) & mask) {
			s = file + uname_off + (uint64_t)idx * CVM_DB_SLOT_SIZE;
			assert_true(cvm_le64(s) != 0);
			if (cvm_le64(s) == off)
				break;
			assert_true(steps < size);
		}
		total += steps;
		if (steps > maxsteps)
			maxsteps = steps;
	}
	assert_true(total < 3 * n);		/* mean < 3 slots */
	assert_true(maxsteps < 256);		/* and no long chains */
	free(file);

	/* and the model loads back whole */
	assert_int_equal(cvm_dbm_load(fx->path, 1, &m2, err, sizeof(err)), 0);
	assert_true(models_eq(&m, &m2));
	cvm_dbm_free(&m2);
	cvm_dbm_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_hash_vectors),
		cmocka_unit_test_setup_teardown(t_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(t_empty_db, setup, teardown),
		cmocka_unit_test(t_model_helpers),
		cmocka_unit_test_setup_teardown(t_missing_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(t_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(t_byte_flips, setup, teardown),
		cmocka_unit_test_setup_teardown(t_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(t_generations, setup, teardown),
		cmocka_unit_test_setup_teardown(t_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(t_failed_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(t_100k, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
