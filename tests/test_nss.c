/* libnss_cvm.so.2 through dlopen(RTLD_NOW), its _nss_cvm_* entry points
 * called directly (DESIGN §4): status/errno table, buffer-size sweeps of
 * every packer, enumeration cursor, initgroups_dyn contract, id ranges,
 * replacement while mapped, threads, exports.  Runs as root (the module
 * refuses files not owned by root). */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "db.h"
#include "dbwrite.h"

#define SENTINEL 4242
#define POISON 0xa5
#define BUFSZ 4096

typedef enum nss_status (*pwnam_fn)(const char *, struct passwd *, char *,
    size_t, int *);
typedef enum nss_status (*pwuid_fn)(uid_t, struct passwd *, char *, size_t,
    int *);
typedef enum nss_status (*pwent_fn)(struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grnam_fn)(const char *, struct group *, char *,
    size_t, int *);
typedef enum nss_status (*grgid_fn)(gid_t, struct group *, char *, size_t,
    int *);
typedef enum nss_status (*grent_fn)(struct group *, char *, size_t, int *);
typedef enum nss_status (*setent_fn)(int);
typedef enum nss_status (*endent_fn)(void);
typedef enum nss_status (*initgr_fn)(const char *, gid_t, long int *,
    long int *, gid_t **, long int, int *);

static struct {
	void *h;
	pwnam_fn getpwnam_r;
	pwuid_fn getpwuid_r;
	setent_fn setpwent;
	pwent_fn getpwent_r;
	endent_fn endpwent;
	grnam_fn getgrnam_r;
	grgid_fn getgrgid_r;
	setent_fn setgrent;
	grent_fn getgrent_r;
	endent_fn endgrent;
	initgr_fn initgroups_dyn;
} M;

static char dir[64];
static char path[256];
static int dbseq;

/* ---- fixture -------------------------------------------------------- */

static void *
sym(const char *name)
{
	void *p = dlsym(M.h, name);

	if (p == NULL)
		fprintf(stderr, "# %s not exported\n", name);
	return p;
}

static int
rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static int
group_setup(void **state)
{
	char so[512];

	(void)state;
	snprintf(so, sizeof(so), "%s/.libs/libnss_cvm.so.2", TEST_BUILDDIR);
	if ((M.h = dlopen(so, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "# dlopen: %s\n", dlerror());
		return -1;
	}
	*(void **)&M.getpwnam_r = sym("_nss_cvm_getpwnam_r");
	*(void **)&M.getpwuid_r = sym("_nss_cvm_getpwuid_r");
	*(void **)&M.setpwent = sym("_nss_cvm_setpwent");
	*(void **)&M.getpwent_r = sym("_nss_cvm_getpwent_r");
	*(void **)&M.endpwent = sym("_nss_cvm_endpwent");
	*(void **)&M.getgrnam_r = sym("_nss_cvm_getgrnam_r");
	*(void **)&M.getgrgid_r = sym("_nss_cvm_getgrgid_r");
	*(void **)&M.setgrent = sym("_nss_cvm_setgrent");
	*(void **)&M.getgrent_r = sym("_nss_cvm_getgrent_r");
	*(void **)&M.endgrent = sym("_nss_cvm_endgrent");
	*(void **)&M.initgroups_dyn = sym("_nss_cvm_initgroups_dyn");
	if (!M.getpwnam_r || !M.getpwuid_r || !M.setpwent || !M.getpwent_r ||
	    !M.endpwent || !M.getgrnam_r || !M.getgrgid_r || !M.setgrent ||
	    !M.getgrent_r || !M.endgrent || !M.initgroups_dyn)
		return -1;
	strcpy(dir, "/tmp/cvmkey-test-nss.XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) == -1)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	if (M.h != NULL) {
		M.endpwent();
		M.endgrent();
		dlclose(M.h);
	}
	if (dir[0] != '\0')
		nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* A fresh path for each database (the module reopens at once when the
 * path changes; a missing/refused file is otherwise remembered 1 s). */
static const char *
new_path(const char *tag)
{
	snprintf(path, sizeof(path), "%s/%s-%d.db", dir, tag, ++dbseq);
	assert_int_equal(setenv("CVMKEY_DB", path, 1), 0);
	return path;
}

static void
write_model(const char *p, const struct cvm_dbm *m)
{
	char err[256];
	int fd;

	assert_true((fd = cvm_db_lock(p, err, sizeof(err))) >= 0);
	if (cvm_dbm_write(p, m, err, sizeof(err)) != 0)
		fail_msg("write: %s", err);
	cvm_db_unlock(fd);
}

static struct cvm_dbm_user *
prov(struct cvm_dbm *m, const char *name, uint32_t uid, uint32_t gid,
    const char *gecos)
{
	struct cvm_dbm_user *u;
	char home[64];

	assert_non_null(u = cvm_dbm_add_user(m, name));
	u->uid = uid;
	u->gid = gid;
	u->flags = CVM_DBU_PROVISIONED;
	snprintf(home, sizeof(home), "/home/%s", name);
	assert_int_equal(cvm_dbm_set_str(&u->gecos, gecos), 0);
	assert_int_equal(cvm_dbm_set_str(&u->home, home), 0);
	assert_int_equal(cvm_dbm_set_str(&u->shell, "/bin/bash"), 0);
	return u;
}

/* Served: alice (admin, 70001), carol (70002), gina (70005); groups alice
 * (70001), devs (70100: alice, carol), empty (70200).  Not served: bob and
 * dave (binding-only), edgar (uid 100, out of range), frank (gid 100),
 * groups wheel0 (0), low (100), nog (65534).  admin_gid 27 (out of the
 * range: initgroups grants it to admins only). */
static void
base_model(struct cvm_dbm *m, const char *alice_gecos)
{
	struct cvm_dbm_user *u;
	struct cvm_dbm_group *g;
	unsigned char blob[51];

	cvm_dbm_init(m);
	m->admin_gid = 27;
	u = prov(m, "alice", 70001, 70001, alice_gecos);
	u->flags |= CVM_DBU_ADMIN;
	assert_int_equal(cvm_dbm_user_add_gid(u, 70100), 0);
	assert_int_equal(cvm_dbm_user_add_gid(u, 0), 0);
	assert_int_equal(cvm_dbm_user_add_gid(u, 6), 0);
	assert_int_equal(cvm_dbm_user_add_gid(u, 100), 0);
	assert_int_equal(cvm_dbm_user_add_gid(u, 65534), 0);
	assert_int_equal(cvm_dbm_user_add_gid(u, 70200), 0);
	memset(blob, 0x11, sizeof(blob));
	assert_int_equal(cvm_dbm_add_key(u, "ssh-ed25519", blob, sizeof(blob),
	    "alice@laptop", "SHA256:x", 1700000000, -1), 0);
	assert_non_null(u = cvm_dbm_add_user(m, "bob"));
	assert_int_equal(cvm_dbm_add_key(u, "ssh-ed25519", blob, sizeof(blob),
	    "", "SHA256:y", 1700000000, -1), 0);
	prov(m, "carol", 70002, 70002, "");
	assert_non_null(u = cvm_dbm_add_user(m, "dave"));
	u->uid = 70003;
	prov(m, "edgar", 100, 70004, "out of range uid");
	prov(m, "frank", 70006, 100, "out of range gid");
	u = prov(m, "gina", 70005, 70005, "Gina");
	assert_int_equal(cvm_dbm_user_add_gid(u, 27), 0);	/* not admin */
	assert_non_null(cvm_dbm_add_group(m, "alice", 70001));
	assert_non_null(g = cvm_dbm_add_group(m, "devs", 70100));
	assert_int_equal(cvm_dbm_group_add_member(g, "alice"), 0);
	assert_int_equal(cvm_dbm_group_add_member(g, "carol"), 0);
	assert_non_null(cvm_dbm_add_group(m, "empty", 70200));
	assert_non_null(cvm_dbm_add_group(m, "wheel0", 0));
	assert_non_null(cvm_dbm_add_group(m, "low", 100));
	assert_non_null(cvm_dbm_add_group(m, "nog", 65534));
}

static void
write_base(const char *tag, const char *alice_gecos)
{
	struct cvm_dbm m;

	base_model(&m, alice_gecos);
	write_model(new_path(tag), &m);
	cvm_dbm_free(&m);
}

/* ---- small helpers --------------------------------------------------- */

static enum nss_status
pwnam(const char *name, struct passwd *pw, char *buf, int *e)
{
	return M.getpwnam_r(name, pw, buf, BUFSZ, e);
}

static void
expect_pw(const char *name, uid_t uid, const char *gecos)
{
	struct passwd pw;
	char buf[BUFSZ], home[64];
	int e = SENTINEL;

	assert_int_equal(pwnam(name, &pw, buf, &e), NSS_STATUS_SUCCESS);
	assert_string_equal(pw.pw_name, name);
	assert_string_equal(pw.pw_passwd, "*");
	assert_int_equal(pw.pw_uid, uid);
	assert_int_equal(pw.pw_gid, uid);
	assert_string_equal(pw.pw_gecos, gecos);
	snprintf(home, sizeof(home), "/home/%s", name);
	assert_string_equal(pw.pw_dir, home);
	assert_string_equal(pw.pw_shell, "/bin/bash");
	assert_int_equal(e, SENTINEL);
}

/* Every entry point answers st (and errno e, or unchanged when e == 0). */
static void
expect_all(enum nss_status st, int e_want)
{
	struct passwd pw;
	struct group gr;
	char buf[BUFSZ];
	gid_t *groups;
	long int start = 1, size = 1;
	int e;

	assert_non_null(groups = malloc(sizeof(gid_t)));
	groups[0] = 70001;
	e = SENTINEL;
	assert_int_equal(M.getpwnam_r("alice", &pw, buf, BUFSZ, &e), st);
	assert_int_equal(e, e_want ? e_want : SENTINEL);
	e = SENTINEL;
	assert_int_equal(M.getpwuid_r(70001, &pw, buf, BUFSZ, &e), st);
	assert_int_equal(e, e_want ? e_want : SENTINEL);
	e = SENTINEL;
	assert_int_equal(M.getgrnam_r("devs", &gr, buf, BUFSZ, &e), st);
	assert_int_equal(e, e_want ? e_want : SENTINEL);
	e = SENTINEL;
	assert_int_equal(M.getgrgid_r(70100, &gr, buf, BUFSZ, &e), st);
	assert_int_equal(e, e_want ? e_want : SENTINEL);
	e = SENTINEL;
	assert_int_equal(M.initgroups_dyn("alice", 70001, &start, &size,
	    &groups, -1, &e), st);
	assert_int_equal(e, e_want ? e_want : SENTINEL);
	assert_int_equal(start, 1);
	free(groups);
	M.setpwent(1);
	e = SENTINEL;
	assert_int_equal(M.getpwent_r(&pw, buf, BUFSZ, &e), st);
	assert_int_equal(e, e_want ? e_want : SENTINEL);
	M.endpwent();
	M.setgrent(0);
	e = SENTINEL;
	assert_int_equal(M.getgrent_r(&gr, buf, BUFSZ, &e), st);
	assert_int_equal(e, e_want ? e_want : SENTINEL);
	M.endgrent();
}

static unsigned char *
slurp(const char *p, size_t *len)
{
	struct stat st;
	unsigned char *b;
	int fd;

	assert_true((fd = open(p, O_RDONLY | O_CLOEXEC)) >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_non_null(b = malloc((size_t)st.st_size + 1));
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static void
spill(const char *p, const unsigned char *b, size_t len)
{
	int fd;

	assert_true((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) >= 0);
	assert_int_equal(fchmod(fd, 0644), 0);
	if (len > 0)
		assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
}

/* ---- status table ---------------------------------------------------- */

static void
t_found(void **state)
{
	struct passwd pw;
	struct group gr;
	char buf[BUFSZ];
	int e = SENTINEL;

	(void)state;
	write_base("found", "Alice Example,,,");
	expect_pw("alice", 70001, "Alice Example,,,");
	expect_pw("carol", 70002, "");
	expect_pw("gina", 70005, "Gina");
	assert_int_equal(M.getpwuid_r(70002, &pw, buf, BUFSZ, &e),
	    NSS_STATUS_SUCCESS);
	assert_string_equal(pw.pw_name, "carol");
	assert_int_equal(M.getgrnam_r("devs", &gr, buf, BUFSZ, &e),
	    NSS_STATUS_SUCCESS);
	assert_int_equal(gr.gr_gid, 70100);
	assert_string_equal(gr.gr_name, "devs");
	assert_string_equal(gr.gr_mem[0], "alice");
	assert_string_equal(gr.gr_mem[1], "carol");
	assert_null(gr.gr_mem[2]);
	assert_int_equal(M.getgrgid_r(70200, &gr, buf, BUFSZ, &e),
	    NSS_STATUS_SUCCESS);
	assert_string_equal(gr.gr_name, "empty");
	assert_null(gr.gr_mem[0]);
	assert_int_equal(e, SENTINEL);
}

static void
t_notfound(void **state)
{
	static const char *names[] = { "nosuch", "bob", "dave", "edgar",
	    "frank", "", "ALICE", "alice ", "root" };
	static const uid_t uids[] = { 70099, 70003, 100, 70006, 0, 65534,
	    65535, (uid_t)-1, 1000 };
	static const char *gnames[] = { "nosuch", "wheel0", "low", "nog", "" };
	static const gid_t gids[] = { 70099, 0, 100, 65534, 65535, (gid_t)-1 };
	struct passwd pw;
	struct group gr;
	char buf[BUFSZ];
	size_t i;
	int e = SENTINEL;

	(void)state;
	write_base("notfound", "A");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_int_equal(M.getpwnam_r(names[i], &pw, buf, BUFSZ, &e),
		    NSS_STATUS_NOTFOUND);
	for (i = 0; i < sizeof(uids) / sizeof(uids[0]); i++)
		assert_int_equal(M.getpwuid_r(uids[i], &pw, buf, BUFSZ, &e),
		    NSS_STATUS_NOTFOUND);
	for (i = 0; i < sizeof(gnames) / sizeof(gnames[0]); i++)
		assert_int_equal(M.getgrnam_r(gnames[i], &gr, buf, BUFSZ, &e),
		    NSS_STATUS_NOTFOUND);
	for (i = 0; i < sizeof(gids) / sizeof(gids[0]); i++)
		assert_int_equal(M.getgrgid_r(gids[i], &gr, buf, BUFSZ, &e),
		    NSS_STATUS_NOTFOUND);
	assert_int_equal(e, SENTINEL);
}

static void
t_missing(void **state)
{
	(void)state;
	new_path("missing");
	expect_all(NSS_STATUS_NOTFOUND, 0);
	/* a missing directory too */
	assert_int_equal(setenv("CVMKEY_DB", "/nonexistent-cvmkey/x.db", 1), 0);
	expect_all(NSS_STATUS_NOTFOUND, 0);
}

static void
refuse_file(const unsigned char *good, size_t len, int how)
{
	char lnk[300];
	unsigned char *b;
	const char *p = new_path("refused");

	assert_non_null(b = malloc(len));
	memcpy(b, good, len);
	switch (how) {
	case 0:			/* header byte flipped */
		b[20] ^= 1;
		break;
	case 1:			/* truncated */
		len -= 8;
		break;
	case 2:			/* empty */
		len = 0;
		break;
	case 3:			/* extended */
		break;
	case 4:			/* shorter than a header */
		len = 100;
		break;
	case 5:			/* garbage */
		memset(b, 'x', len);
		break;
	}
	spill(p, b, len);
	if (how == 3) {
		int fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "zzzzzzzz", 8), 8);
		close(fd);
	}
	switch (how) {
	case 6:			/* not root-owned */
		assert_int_equal(chown(p, 1000, 1000), 0);
		break;
	case 7:			/* group-writable */
		assert_int_equal(chmod(p, 0664), 0);
		break;
	case 8:			/* world-writable */
		assert_int_equal(chmod(p, 0646), 0);
		break;
	case 9:			/* a symlink to a good file */
		snprintf(lnk, sizeof(lnk), "%s.lnk", p);
		assert_int_equal(symlink(p, lnk), 0);
		assert_int_equal(setenv("CVMKEY_DB", lnk, 1), 0);
		break;
	case 10:		/* two hard links */
		snprintf(lnk, sizeof(lnk), "%s.hard", p);
		assert_int_equal(link(p, lnk) == 0 ? 0 : errno, 0);
		break;
	case 11:		/* a directory */
		assert_int_equal(unlink(p), 0);
		assert_int_equal(mkdir(p, 0755), 0);
		break;
	}
	free(b);
	expect_all(NSS_STATUS_UNAVAIL, ENOENT);
}

static void
t_refused_corrupt(void **state)
{
	unsigned char *good;
	size_t len;
	int how;

	(void)state;
	write_base("good", "A");
	good = slurp(path, &len);
	for (how = 0; how <= 11; how++)
		refuse_file(good, len, how);
	free(good);
}

static void
t_refused_dir(void **state)
{
	char sub[128];

	(void)state;
	snprintf(sub, sizeof(sub), "%s/gw", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(setenv("CVMKEY_DB", "", 1), 0);
	{
		struct cvm_dbm m;
		char p[200];

		base_model(&m, "A");
		snprintf(p, sizeof(p), "%s/bindings.db", sub);
		write_model(p, &m);
		cvm_dbm_free(&m);
		assert_int_equal(chmod(sub, 0775), 0);
		assert_int_equal(setenv("CVMKEY_DB", p, 1), 0);
	}
	expect_all(NSS_STATUS_UNAVAIL, ENOENT);
	assert_int_equal(chmod(sub, 0755), 0);
}

/* A record whose checksum fails: that lookup is UNAVAIL, others work. */
static void
t_corrupt_record(void **state)
{
	struct passwd pw;
	char buf[BUFSZ];
	unsigned char *b, *hit;
	size_t len;
	int e;

	(void)state;
	write_base("rec", "Alice Example,,,");
	b = slurp(path, &len);
	assert_non_null(hit = memmem(b, len, "Alice Example", 13));
	hit[0] = 'B';
	new_path("rec");
	spill(path, b, len);
	free(b);
	e = SENTINEL;
	assert_int_equal(M.getpwnam_r("alice", &pw, buf, BUFSZ, &e),
	    NSS_STATUS_UNAVAIL);
	assert_int_equal(e, ENOENT);
	e = SENTINEL;
	assert_int_equal(M.getpwuid_r(70001, &pw, buf, BUFSZ, &e),
	    NSS_STATUS_UNAVAIL);
	assert_int_equal(e, ENOENT);
	expect_pw("carol", 70002, "");
	/* enumeration stops at the bad record with UNAVAIL */
	M.setpwent(0);
	e = SENTINEL;
	assert_int_equal(M.getpwent_r(&pw, buf, BUFSZ, &e), NSS_STATUS_UNAVAIL);
	assert_int_equal(e, ENOENT);
	M.endpwent();
}

/* ---- buffer-size sweeps ---------------------------------------------- */

enum kind { K_PWNAM, K_PWUID, K_PWENT, K_GRNAM, K_GRGID, K_GRENT };

static enum nss_status
call(enum kind k, void *out, char *buf, size_t len, int *e)
{
	switch (k) {
	case K_PWNAM:
		return M.getpwnam_r("alice", out, buf, len, e);
	case K_PWUID:
		return M.getpwuid_r(70001, out, buf, len, e);
	case K_PWENT:
		return M.getpwent_r(out, buf, len, e);
	case K_GRNAM:
		return M.getgrnam_r("devs", out, buf, len, e);
	case K_GRGID:
		return M.getgrgid_r(70100, out, buf, len, e);
	case K_GRENT:
		return M.getgrent_r(out, buf, len, e);
	}
	return NSS_STATUS_UNAVAIL;
}

static void
check_entry(enum kind k, const void *out)
{
	const struct passwd *pw = out;
	const struct group *gr = out;

	if (k <= K_PWENT) {
		assert_string_equal(pw->pw_name, "alice");
		assert_string_equal(pw->pw_passwd, "*");
		assert_int_equal(pw->pw_uid, 70001);
		assert_string_equal(pw->pw_gecos, "Alice Example,,,");
		assert_string_equal(pw->pw_dir, "/home/alice");
		assert_string_equal(pw->pw_shell, "/bin/bash");
	} else if (k == K_GRENT) {
		assert_string_equal(gr->gr_name, "alice");	/* first */
		assert_int_equal(gr->gr_gid, 70001);
		assert_null(gr->gr_mem[0]);
	} else {
		assert_string_equal(gr->gr_name, "devs");
		assert_string_equal(gr->gr_passwd, "*");
		assert_int_equal(gr->gr_gid, 70100);
		assert_string_equal(gr->gr_mem[0], "alice");
		assert_string_equal(gr->gr_mem[1], "carol");
		assert_null(gr->gr_mem[2]);
	}
}

static int
poisoned(const unsigned char *b, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (b[i] != POISON)
			return 0;
	return 1;
}

/* Every length from 0 up: ERANGE (and not a byte written) below the need,
 * success at and above it with nothing written past the length; for the
 * enumerations a short buffer does not move the cursor. */
static void
sweep(enum kind k, size_t off, size_t expect_need)
{
	unsigned char *mem;
	union {
		struct passwd pw;
		struct group gr;
	} out;
	size_t len, need = 0;
	enum nss_status st;
	int e;

	assert_non_null(mem = malloc(BUFSZ + 64));
	if (k == K_PWENT)
		M.setpwent(0);
	if (k == K_GRENT)
		M.setgrent(0);
	for (len = 0; len <= 600; len++) {
		memset(mem, POISON, BUFSZ + 64);
		e = SENTINEL;
		st = call(k, &out, (char *)mem + off, len, &e);
		if (st == NSS_STATUS_TRYAGAIN) {
			assert_int_equal(e, ERANGE);
			assert_int_equal(need, 0);
			assert_true(poisoned(mem, 0, BUFSZ + 64));
			continue;
		}
		assert_int_equal(st, NSS_STATUS_SUCCESS);
		assert_int_equal(e, SENTINEL);
		if (need == 0)
			need = len;
		assert_true(poisoned(mem, 0, off));
		assert_true(poisoned(mem, off + len, BUFSZ + 64));
		check_entry(k, &out);
		/* restart the enumeration: the next call gives the first
		 * entry again */
		if (k == K_PWENT)
			M.setpwent(0);
		if (k == K_GRENT)
			M.setgrent(0);
	}
	if (k == K_PWENT)
		M.endpwent();
	if (k == K_GRENT)
		M.endgrent();
	free(mem);
	assert_true(need > 0);
	if (expect_need != 0)
		assert_int_equal(need, expect_need);
}

static void
t_sweeps(void **state)
{
	/* alice + "*" + gecos + home + shell, NULs included */
	size_t pwneed = 6 + 2 + 17 + 12 + 10;
	size_t off;

	(void)state;
	write_base("sweep", "Alice Example,,,");
	sweep(K_PWNAM, 0, pwneed);
	sweep(K_PWUID, 0, pwneed);
	sweep(K_PWENT, 0, pwneed);
	sweep(K_PWNAM, 3, pwneed);
	/* groups: the member array is aligned inside the buffer */
	for (off = 0; off < sizeof(char *); off++) {
		size_t pad = (sizeof(char *) - off % sizeof(char *)) %
		    sizeof(char *);

		sweep(K_GRNAM, off, pad + 3 * sizeof(char *) + 5 + 2 + 6 + 6);
		sweep(K_GRGID, off, pad + 3 * sizeof(char *) + 5 + 2 + 6 + 6);
		sweep(K_GRENT, off, pad + sizeof(char *) + 6 + 2);
	}
}

/* ---- enumeration ------------------------------------------------------- */

static void
t_enumeration(void **state)
{
	static const char *users[] = { "alice", "carol", "gina" };
	static const char *groups[] = { "alice", "devs", "empty" };
	struct passwd pw;
	struct group gr;
	char buf[BUFSZ];
	size_t i;
	int e = SENTINEL, round;

	(void)state;
	write_base("enum", "A");
	for (round = 0; round < 2; round++) {
		M.setpwent(round);
		for (i = 0; i < 3; i++) {
			/* a too-small buffer first: the same entry follows */
			assert_int_equal(M.getpwent_r(&pw, buf, 4, &e),
			    NSS_STATUS_TRYAGAIN);
			assert_int_equal(e, ERANGE);
			e = SENTINEL;
			assert_int_equal(M.getpwent_r(&pw, buf, BUFSZ, &e),
			    NSS_STATUS_SUCCESS);
			assert_string_equal(pw.pw_name, users[i]);
		}
		assert_int_equal(M.getpwent_r(&pw, buf, BUFSZ, &e),
		    NSS_STATUS_NOTFOUND);
		assert_int_equal(M.getpwent_r(&pw, buf, BUFSZ, &e),
		    NSS_STATUS_NOTFOUND);
		assert_int_equal(e, SENTINEL);
		M.endpwent();
		M.setgrent(round);
		for (i = 0; i < 3; i++) {
			assert_int_equal(M.getgrent_r(&gr, buf, 4, &e),
			    NSS_STATUS_TRYAGAIN);
			assert_int_equal(e, ERANGE);
			e = SENTINEL;
			assert_int_equal(M.getgrent_r(&gr, buf, BUFSZ, &e),
			    NSS_STATUS_SUCCESS);
			assert_string_equal(gr.gr_name, groups[i]);
		}
		assert_int_equal(M.getgrent_r(&gr, buf, BUFSZ, &e),
		    NSS_STATUS_NOTFOUND);
		assert_int_equal(e, SENTINEL);
		M.endgrent();
	}
	/* interleaved passwd and group cursors are independent */
	M.setpwent(0);
	M.setgrent(0);
	assert_int_equal(M.getpwent_r(&pw, buf, BUFSZ, &e), NSS_STATUS_SUCCESS);
	assert_int_equal(M.getgrent_r(&gr, buf, BUFSZ, &e), NSS_STATUS_SUCCESS);
	assert_int_equal(M.getpwent_r(&pw, buf, BUFSZ, &e), NSS_STATUS_SUCCESS);
	assert_string_equal(pw.pw_name, "carol");
	assert_int_equal(M.getgrent_r(&gr, buf, BUFSZ, &e), NSS_STATUS_SUCCESS);
	assert_string_equal(gr.gr_name, "devs");
	M.endpwent();
	M.endgrent();
}

/* ---- initgroups_dyn ---------------------------------------------------- */

static enum nss_status
initgr(const char *user, gid_t group, long int *start, long int *size,
    gid_t **groups, long int limit, int *e)
{
	return M.initgroups_dyn(user, group, start, size, groups, limit, e);
}

static void
t_initgroups(void **state)
{
	gid_t *g;
	long int start, size;
	int e = SENTINEL;

	(void)state;
	write_base("initgr", "A");
	/* alice: 70100, 70200 (in range), 27 (admin), never 0, 6, 100, 65534 */
	assert_non_null(g = malloc(sizeof(gid_t)));
	g[0] = 70001;
	start = 1;
	size = 1;
	assert_int_equal(initgr("alice", 70001, &start, &size, &g, 0, &e),
	    NSS_STATUS_SUCCESS);
	assert_int_equal(start, 4);
	assert_true(size >= 4);
	assert_int_equal(g[0], 70001);
	assert_int_equal(g[1], 70100);
	assert_int_equal(g[2], 70200);
	assert_int_equal(g[3], 27);
	/* again: all present, nothing added */
	assert_int_equal(initgr("alice", 70001, &start, &size, &g, 0, &e),
	    NSS_STATUS_NOTFOUND);
	assert_int_equal(start, 4);
	free(g);

	/* `group` is skipped, a gid already there is skipped */
	assert_non_null(g = malloc(2 * sizeof(gid_t)));
	g[0] = 5;
	g[1] = 70200;
	start = 2;
	size = 2;
	assert_int_equal(initgr("alice", 70100, &start, &size, &g, -1, &e),
	    NSS_STATUS_SUCCESS);
	assert_int_equal(start, 3);
	assert_int_equal(g[0], 5);
	assert_int_equal(g[1], 70200);
	assert_int_equal(g[2], 27);
	free(g);

	/* limit: grows only up to it */
	assert_non_null(g = malloc(sizeof(gid_t)));
	g[0] = 70001;
	start = 1;
	size = 1;
	assert_int_equal(initgr("alice", 70001, &start, &size, &g, 2, &e),
	    NSS_STATUS_SUCCESS);
	assert_int_equal(start, 2);
	assert_int_equal(size, 2);
	assert_int_equal(g[1], 70100);
	/* full at the limit: none added */
	assert_int_equal(initgr("alice", 70001, &start, &size, &g, 2, &e),
	    NSS_STATUS_NOTFOUND);
	assert_int_equal(start, 2);
	assert_int_equal(size, 2);
	free(g);

	/* plenty of room: no realloc needed, appended at *start */
	assert_non_null(g = calloc(16, sizeof(gid_t)));
	start = 0;
	size = 16;
	assert_int_equal(initgr("alice", 70001, &start, &size, &g, 16, &e),
	    NSS_STATUS_SUCCESS);
	assert_int_equal(start, 3);
	assert_int_equal(size, 16);

	/* gina: 27 listed but she is not admin and 27 is out of range */
	start = 0;
	assert_int_equal(initgr("gina", 70005, &start, &size, &g, -1, &e),
	    NSS_STATUS_NOTFOUND);
	assert_int_equal(start, 0);
	/* carol: none; bob: binding-only; unknown; out of range */
	assert_int_equal(initgr("carol", 70002, &start, &size, &g, -1, &e),
	    NSS_STATUS_NOTFOUND);
	assert_int_equal(initgr("bob", 100, &start, &size, &g, -1, &e),
	    NSS_STATUS_NOTFOUND);
	assert_int_equal(initgr("nosuch", 100, &start, &size, &g, -1, &e),
	    NSS_STATUS_NOTFOUND);
	assert_int_equal(initgr("edgar", 100, &start, &size, &g, -1, &e),
	    NSS_STATUS_NOTFOUND);
	assert_int_equal(start, 0);
	assert_int_equal(e, SENTINEL);
	free(g);
}

/* The admin gid is never 0 or disk (6), whatever the header says. */
static void
t_admin_gid_refused(void **state)
{
	static const uint32_t bad[] = { 0, 6, 65534 };
	struct cvm_dbm m;
	gid_t *g;
	long int start, size;
	size_t i;
	int e = SENTINEL;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		base_model(&m, "A");
		m.admin_gid = bad[i];
		write_model(new_path("admin"), &m);
		cvm_dbm_free(&m);
		assert_non_null(g = malloc(sizeof(gid_t)));
		g[0] = 70001;
		start = 1;
		size = 1;
		assert_int_equal(initgr("alice", 70001, &start, &size, &g, -1,
		    &e), NSS_STATUS_SUCCESS);
		assert_int_equal(start, 3);	/* 70100, 70200 only */
		assert_int_equal(g[1], 70100);
		assert_int_equal(g[2], 70200);
		free(g);
	}
}

/* ---- id ranges ------------------------------------------------------- */

/* Ranges covering everything: 0, 65534, 65535 and -1 still never served. */
static void
t_forbidden_ids(void **state)
{
	static const uint32_t ids[] = { 0, 65534, 65535, UINT32_MAX };
	static const char *names[] = { "zero", "nob", "n16", "neg" };
	struct cvm_dbm m;
	struct cvm_dbm_user *u;
	struct passwd pw;
	struct group gr;
	char buf[BUFSZ], gname[16];
	gid_t *g;
	long int start = 0, size = 4;
	size_t i;
	int e = SENTINEL;

	(void)state;
	cvm_dbm_init(&m);
	m.uid_min = m.gid_min = 0;
	m.uid_max = m.gid_max = UINT32_MAX;
	for (i = 0; i < 4; i++) {
		prov(&m, names[i], ids[i], 1234, "");
		snprintf(gname, sizeof(gname), "g%s", names[i]);
		assert_non_null(cvm_dbm_add_group(&m, gname, ids[i]));
	}
	prov(&m, "gidzero", 4321, 0, "");
	u = prov(&m, "ok", 1234, 1234, "");
	for (i = 0; i < 4; i++)
		assert_int_equal(cvm_dbm_user_add_gid(u, ids[i]), 0);
	assert_int_equal(cvm_dbm_user_add_gid(u, 5000), 0);
	assert_non_null(cvm_dbm_add_group(&m, "ok", 1234));
	write_model(new_path("forbidden"), &m);
	cvm_dbm_free(&m);

	for (i = 0; i < 4; i++) {
		assert_int_equal(M.getpwnam_r(names[i], &pw, buf, BUFSZ, &e),
		    NSS_STATUS_NOTFOUND);
		assert_int_equal(M.getpwuid_r(ids[i], &pw, buf, BUFSZ, &e),
		    NSS_STATUS_NOTFOUND);
		assert_int_equal(M.getgrgid_r(ids[i], &gr, buf, BUFSZ, &e),
		    NSS_STATUS_NOTFOUND);
		snprintf(gname, sizeof(gname), "g%s", names[i]);
		assert_int_equal(M.getgrnam_r(gname, &gr, buf, BUFSZ, &e),
		    NSS_STATUS_NOTFOUND);
	}
	assert_int_equal(M.getpwnam_r("gidzero", &pw, buf, BUFSZ, &e),
	    NSS_STATUS_NOTFOUND);
	assert_int_equal(M.getpwnam_r("ok", &pw, buf, BUFSZ, &e),
	    NSS_STATUS_SUCCESS);
	assert_int_equal(M.getpwuid_r(1234, &pw, buf, BUFSZ, &e),
	    NSS_STATUS_SUCCESS);
	M.setpwent(0);
	assert_int_equal(M.getpwent_r(&pw, buf, BUFSZ, &e), NSS_STATUS_SUCCESS);
	assert_string_equal(pw.pw_name, "ok");
	assert_int_equal(M.getpwent_r(&pw, buf, BUFSZ, &e), NSS_STATUS_NOTFOUND);
	M.endpwent();
	M.setgrent(0);
	assert_int_equal(M.getgrent_r(&gr, buf, BUFSZ, &e), NSS_STATUS_SUCCESS);
	assert_string_equal(gr.gr_name, "ok");
	assert_int_equal(M.getgrent_r(&gr, buf, BUFSZ, &e), NSS_STATUS_NOTFOUND);
	M.endgrent();
	assert_non_null(g = calloc(4, sizeof(gid_t)));
	assert_int_equal(initgr("ok", 1234, &start, &size, &g, -1, &e),
	    NSS_STATUS_SUCCESS);
	assert_int_equal(start, 1);
	assert_int_equal(g[0], 5000);
	free(g);
	assert_int_equal(e, SENTINEL);
}

/* ---- replacement ------------------------------------------------------- */

static void
t_replace(void **state)
{
	struct cvm_dbm m;
	struct passwd pw;
	char buf[BUFSZ], tmp[300];
	int e = SENTINEL, i;

	(void)state;
	write_base("replace", "gen1");
	expect_pw("alice", 70001, "gen1");
	/* an enumeration holds its generation across a replacement */
	M.setpwent(0);
	assert_int_equal(M.getpwent_r(&pw, buf, BUFSZ, &e), NSS_STATUS_SUCCESS);
	assert_string_equal(pw.pw_gecos, "gen1");
	/* cvmkey's writer sets the retired word: the next lookup sees it */
	for (i = 2; i < 6; i++) {
		char gecos[16];

		snprintf(gecos, sizeof(gecos), "gen%d", i);
		base_model(&m, gecos);
		assert_int_equal(cvm_dbm_remove_user(&m, "carol"), 0);
		write_model(path, &m);
		cvm_dbm_free(&m);
		expect_pw("alice", 70001, gecos);
		assert_int_equal(M.getpwnam_r("carol", &pw, buf, BUFSZ, &e),
		    NSS_STATUS_NOTFOUND);
	}
	assert_int_equal(M.getpwent_r(&pw, buf, BUFSZ, &e), NSS_STATUS_SUCCESS);
	assert_string_equal(pw.pw_name, "carol");	/* gen1's */
	M.endpwent();
	M.setpwent(0);
	assert_int_equal(M.getpwent_r(&pw, buf, BUFSZ, &e), NSS_STATUS_SUCCESS);
	assert_string_equal(pw.pw_gecos, "gen5");
	M.endpwent();

	/* a rename without the retired word: seen within about a second
	 * (the coarse-clock stat) */
	base_model(&m, "renamed");
	snprintf(tmp, sizeof(tmp), "%s.other", path);
	write_model(tmp, &m);
	cvm_dbm_free(&m);
	assert_int_equal(rename(tmp, path), 0);
	usleep(1100 * 1000);
	expect_pw("alice", 70001, "renamed");

	/* removed: within a second, no database (NOTFOUND) */
	assert_int_equal(unlink(path), 0);
	usleep(1100 * 1000);
	assert_int_equal(M.getpwnam_r("alice", &pw, buf, BUFSZ, &e),
	    NSS_STATUS_NOTFOUND);
	/* and back */
	write_base("replace", "back");
	expect_pw("alice", 70001, "back");
	assert_int_equal(e, SENTINEL);
}

/* After fork the child's lookups work (atfork resets the lock). */
static void
t_fork(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	write_base("fork", "forked");
	expect_pw("alice", 70001, "forked");
	if ((pid = fork()) == 0) {
		struct passwd pw;
		char buf[BUFSZ];
		int e = 0;

		_exit(M.getpwnam_r("alice", &pw, buf, BUFSZ, &e) ==
		    NSS_STATUS_SUCCESS && strcmp(pw.pw_gecos, "forked") == 0 ?
		    0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* glibc's chroot rule: the path gone because the process changed its
 * root keeps the mapping; gone without a root change: no database. */
static void
t_chroot(void **state)
{
	char root[128];
	pid_t pid;
	int status;

	(void)state;
	write_base("chroot", "kept");
	expect_pw("alice", 70001, "kept");
	snprintf(root, sizeof(root), "%s/newroot", dir);
	assert_int_equal(mkdir(root, 0755), 0);
	if ((pid = fork()) == 0) {
		struct passwd pw;
		char buf[BUFSZ];
		int e = 0;

		if (chroot(root) == -1 || chdir("/") == -1)
			_exit(2);
		usleep(1100 * 1000);	/* past the once-a-second stat */
		_exit(M.getpwnam_r("alice", &pw, buf, BUFSZ, &e) ==
		    NSS_STATUS_SUCCESS && strcmp(pw.pw_gecos, "kept") == 0 ?
		    0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- threads -------------------------------------------------------- */

#define NTHREADS 8
#define NLOOKUPS 20000

struct tstate {
	unsigned seed;
	int wrong;
};

static void *
worker(void *arg)
{
	static const char *names[] = { "alice", "carol", "gina", "bob",
	    "nosuch" };
	static const uid_t uids[] = { 70001, 70002, 70005, 70003, 70099 };
	struct tstate *t = arg;
	struct passwd pw;
	struct group gr;
	char buf[1024];
	gid_t *g;
	long int start, size;
	int i, j, e;
	enum nss_status st;

	for (i = 0; i < NLOOKUPS; i++) {
		j = (int)(rand_r(&t->seed) % 5);
		e = SENTINEL;
		switch (rand_r(&t->seed) % 4) {
		case 0:
			st = M.getpwnam_r(names[j], &pw, buf, sizeof(buf), &e);
			if (j < 3 ? (st != NSS_STATUS_SUCCESS ||
			    pw.pw_uid != uids[j] ||
			    strcmp(pw.pw_name, names[j]) != 0) :
			    st != NSS_STATUS_NOTFOUND)
				t->wrong++;
			break;
		case 1:
			st = M.getpwuid_r(uids[j], &pw, buf, sizeof(buf), &e);
			if (j < 3 ? (st != NSS_STATUS_SUCCESS ||
			    pw.pw_uid != uids[j] ||
			    strcmp(pw.pw_name, names[j]) != 0) :
			    st != NSS_STATUS_NOTFOUND)
				t->wrong++;
			break;
		case 2:
			st = M.getgrgid_r(70100, &gr, buf, sizeof(buf), &e);
			if (st != NSS_STATUS_SUCCESS ||
			    strcmp(gr.gr_name, "devs") != 0 ||
			    gr.gr_mem[0] == NULL || gr.gr_mem[2] != NULL)
				t->wrong++;
			break;
		default:
			if ((g = malloc(sizeof(gid_t))) == NULL) {
				t->wrong++;
				break;
			}
			g[0] = 70001;
			start = size = 1;
			st = M.initgroups_dyn("alice", 70001, &start, &size,
			    &g, -1, &e);
			if (st != NSS_STATUS_SUCCESS || start != 4 ||
			    g[1] != 70100 || g[3] != 27)
				t->wrong++;
			free(g);
			break;
		}
		if (e != SENTINEL)
			t->wrong++;
	}
	return NULL;
}

static void
t_threads(void **state)
{
	pthread_t th[NTHREADS];
	struct tstate ts[NTHREADS];
	struct cvm_dbm m;
	char gecos[16];
	int i, wrong = 0;

	(void)state;
	write_base("threads", "t0");
	for (i = 0; i < NTHREADS; i++) {
		ts[i].seed = (unsigned)i * 7919u + 1;
		ts[i].wrong = 0;
		assert_int_equal(pthread_create(&th[i], NULL, worker, &ts[i]),
		    0);
	}
	/* replace the generation under them: the checked answers stay */
	for (i = 1; i <= 10; i++) {
		snprintf(gecos, sizeof(gecos), "t%d", i);
		base_model(&m, gecos);
		write_model(path, &m);
		cvm_dbm_free(&m);
		usleep(2000);
	}
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		wrong += ts[i].wrong;
	}
	assert_int_equal(wrong, 0);
}

/* ---- exports ---------------------------------------------------------- */

static void
t_exports(void **state)
{
	static const char *internal[] = { "cvm_db_open", "cvm_db_user_byname",
	    "cvm_dbc_get", "cvm_dbc_put", "cvm_seterr", "cvm_dbh_name",
	    "user_lookup", "pack_pw", "pack_gr", "cache", "nss_cvm_init",
	    "db_path" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(internal) / sizeof(internal[0]); i++)
		if (dlsym(M.h, internal[i]) != NULL)
			fail_msg("%s is exported", internal[i]);
}

/* tests/nss.test's fixture: `test_nss --write-db PATH GECOS` writes the
 * base model (alice's gecos given) and exits. */
static int
write_fixture(const char *p, const char *gecos)
{
	struct cvm_dbm m;
	char err[256];
	int fd, rc;

	base_model(&m, gecos);
	if ((fd = cvm_db_lock(p, err, sizeof(err))) < 0) {
		fprintf(stderr, "%s\n", err);
		cvm_dbm_free(&m);
		return 1;
	}
	rc = cvm_dbm_write(p, &m, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "%s\n", err);
	cvm_db_unlock(fd);
	cvm_dbm_free(&m);
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_exports),
		cmocka_unit_test(t_found),
		cmocka_unit_test(t_notfound),
		cmocka_unit_test(t_missing),
		cmocka_unit_test(t_refused_corrupt),
		cmocka_unit_test(t_refused_dir),
		cmocka_unit_test(t_corrupt_record),
		cmocka_unit_test(t_sweeps),
		cmocka_unit_test(t_enumeration),
		cmocka_unit_test(t_initgroups),
		cmocka_unit_test(t_admin_gid_refused),
		cmocka_unit_test(t_forbidden_ids),
		cmocka_unit_test(t_replace),
		cmocka_unit_test(t_fork),
		cmocka_unit_test(t_chroot),
		cmocka_unit_test(t_threads),
	};

	if (argc == 4 && strcmp(argv[1], "--write-db") == 0)
		return write_fixture(argv[2], argv[3]);
	return cmocka_run_group_tests_name("nss_cvm", tests, group_setup,
	    group_teardown);
}
