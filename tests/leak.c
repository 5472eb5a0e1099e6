/* Leak and descriptor test (issue 8, item 2).  Many calls in one process;
 * open descriptors (/proc/self/fd) and resident memory (/proc/self/statm)
 * compared after a warm-up and at the end.  TAP output.
 *
 *   leak pam N [--no-rss]   N PAM transactions through the real libpam
 *       (pam_start_confdir, a private service dir) with pam_cvmkey.so from
 *       the build tree, in the test sandbox (private passwd and /dev/log, so
 *       N log lines reach no journald rate limit): a key-bound user
 *       (refused), an unbound user (allowed, then account + session), a
 *       service whose database is corrupt (refused, reason=db_error) and an
 *       unknown user, in turn.  Every result and log line is checked.
 *   leak nss N [--no-rss]   N lookups through libnss_cvm.so.2 (dlopen,
 *       RTLD_NOW; CVMKEY_DB names a private database): by name and id, hits
 *       and misses, groups, initgroups_dyn, a too-small buffer, a full
 *       enumeration now and then, and the database replaced every N/20
 *       lookups (each generation adds an account that must then resolve).
 *
 * --no-rss: skip the memory check (under valgrind, whose own leak check
 * is the stronger one).  --no-syslog: /dev/log removed in the sandbox
 * (syslog socket absent: the decisions must not change).  --keyquota:
 * with tests/libkeyquota.so preloaded (every new key refused, EDQUOT):
 * the decisions must not change and the module says so once.
 * Needs root (sandbox, root-owned database). */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <security/pam_appl.h>
#include "authkeys.h"
#include "db.h"
#include "dbwrite.h"
#include "events.h"
#include "testlib.h"

/* Growth allowed between the warm-up and the end: allocator noise.  A
 * leak of 32 bytes per call over 90,000 transactions or 900,000 lookups
 * is 2.7 MiB or more. */
#define RSS_SLACK_KIB 2048

static int tap_n, tap_failed;

static void
ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failed++;
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

static long
rss_kib(void)
{
	long size, res;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = -1;
	fclose(f);
	return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

struct usage {
	int fds;
	long rss;
};

static void
measure(struct usage *u)
{
	u->fds = count_fds();
	u->rss = rss_kib();
}

static void
compare(const char *what, const struct usage *a, const struct usage *b, int check_rss)
{
	ok(a->fds >= 0 && a->fds == b->fds, "%s: open descriptors %d after the warm-up, %d at the end",
	    what, a->fds, b->fds);
	if (check_rss)
		ok(a->rss > 0 && b->rss - a->rss <= RSS_SLACK_KIB,
		    "%s: resident memory %ld KiB after the warm-up, %ld KiB at the end (allowed +%d)",
		    what, a->rss, b->rss, RSS_SLACK_KIB);
}

/* ---- PAM --------------------------------------------------------------- */

static char *dir;
static int logfd = -1;

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	(void)msg;
	(void)data;
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++)
		r[i].resp = strdup("a password");
	*resp = r;
	return PAM_SUCCESS;
}

/* Drains the log socket, counting lines that contain each needle. */
static void
drain_log(const char *const *needles, long *counts, size_t n)
{
	char buf[8192];
	ssize_t r;

	while ((r = recv(logfd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[r] = '\0';
		for (size_t i = 0; i < n; i++)
			if (strstr(buf, needles[i]) != NULL)
				counts[i]++;
	}
}

static int
bind_key(const char *db, const char *user)
{
	char cmd[1024], p[512], line[4096], err[256];
	struct cvm_akline l;
	struct cvm_dbm m;
	struct cvm_dbm_user *u;
	FILE *f;
	int lk, r;

	snprintf(p, sizeof(p), "%s/%s.key", dir, user);
	snprintf(cmd, sizeof(cmd), "ssh-keygen -q -t ed25519 -N '' -C %s -f %s", user, p);
	if (system(cmd) != 0)
		return -1;
	strcat(p, ".pub");
	if ((f = fopen(p, "r")) == NULL || fgets(line, sizeof(line), f) == NULL)
		return -1;
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	if (cvm_akline_parse(line, strlen(line), &l, err, sizeof(err)) != 0)
		return -1;
	cvm_dbm_init(&m);
	if ((u = cvm_dbm_add_user(&m, user)) == NULL ||
	    cvm_dbm_add_key(u, l.key.type, l.key.blob, (uint32_t)l.key.bloblen,
	    "laptop", l.key.fp, 1, -1) != 0)
		return -1;
	if ((lk = cvm_db_lock(db, err, sizeof(err))) < 0)
		return -1;
	r = cvm_dbm_write(db, &m, err, sizeof(err));
	cvm_db_unlock(lk);
	cvm_dbm_free(&m);
	cvm_akline_free(&l);
	if (r != 0)
		fprintf(stderr, "# %s\n", err);
	return r;
}

static int
run_pam(long n, int check_rss, int no_syslog, int keyquota)
{
	static const char *const users[] = { "leakbound", "leakfree", "leakerr", "leakghost" };
	static const char *const needles[] = { "refused user=leakbound ",
	    "refused user=leakerr rhost=127.0.0.1 method=password reason=db_error",
	    "session user=leakfree", "login events not kept (" };
	char confdir[512], db[512], bad[512], sshdcfg[512], conf[512], svc[12288], p[600];
	long counts[4] = { 0 }, expect_bound = 0, expect_err = 0, expect_sess = 0;
	long wrong = 0, warm = n / 10 > 0 ? n / 10 : 1;
	struct usage u0 = { 0 }, u1;
	struct pam_conv pc = { conv, NULL };

	if ((dir = tl_tmpdir()) == NULL || (logfd = tl_sandbox(dir)) == -1)
		return 2;
	if (no_syslog && unlink("/dev/log") != 0)	/* nobody listens: ECONNREFUSED */
		return 2;
	snprintf(confdir, sizeof(confdir), "%s/pam.d", dir);
	snprintf(db, sizeof(db), "%s/bindings.db", dir);
	snprintf(bad, sizeof(bad), "%s/corrupt.db", dir);
	snprintf(sshdcfg, sizeof(sshdcfg), "%s/sshd_config", dir);
	snprintf(conf, sizeof(conf), "%s/cvmkey.conf", dir);
	mkdir(confdir, 0755);
	snprintf(p, sizeof(p), "%s/home", dir);
	mkdir(p, 0755);
	for (size_t i = 0; i < 3; i++) {
		char home[512];

		snprintf(home, sizeof(home), "%s/home/%s", dir, users[i]);
		if (tl_add_user(users[i], (uid_t)(70301 + i), "*", home, "/bin/sh") != 0)
			return 2;
	}
	if (tl_add_user("_cvmkeyleak", 70399, "*", NULL, "/usr/sbin/nologin") != 0 ||
	    bind_key(db, "leakbound") != 0 ||
	    tl_write(bad, 0644, "not a database at all\n") != 0 ||
	    tl_write(conf, 0644, "# defaults\n") != 0)
		return 2;
	/* The module counts db keys only while the AuthorizedKeysCommand is
	 * executable: a private copy, so a rebuild of the tree during a long
	 * run cannot make them briefly unusable (and the bound user allowed). */
	snprintf(svc, sizeof(svc), "cp %s/cvmkey %s/cvmkey", TEST_BUILDDIR, dir);
	if (system(svc) != 0)
		return 2;
	snprintf(svc, sizeof(svc), "AuthorizedKeysFile .ssh/authorized_keys\n"
	    "AuthorizedKeysCommand %s/cvmkey authorized-keys %%u\n"
	    "AuthorizedKeysCommandUser _cvmkeyleak\n", dir);
	if (tl_write(sshdcfg, 0644, svc) != 0)
		return 2;
	/* leaktest: the good database; leakbad: the corrupt one */
	for (int k = 0; k < 2; k++) {
		char args[2048];

		snprintf(args, sizeof(args), "%s/.libs/pam_cvmkey.so config=%s db=%s "
		    "sshd_config=%s policy=bound", TEST_BUILDDIR, conf, k ? bad : db, sshdcfg);
		snprintf(svc, sizeof(svc),
		    "auth [success=ok ignore=ignore module_unknown=ignore default=bad] %s\n"
		    "auth required pam_permit.so\n"
		    "auth optional %s diagnose\n"
		    "account optional %s\naccount required pam_permit.so\n"
		    "session optional %s\nsession required pam_permit.so\n",
		    args, args, args, args);
		snprintf(p, sizeof(p), "%s/%s", confdir, k ? "leakbad" : "leaktest");
		if (tl_write(p, 0644, svc) != 0)
			return 2;
	}
	for (size_t i = 0; i < 3; i++)
		cvm_events_forget(users[i]);
	for (long i = 0; i < n; i++) {
		int which = (int)(i % 4), r, want;
		pam_handle_t *ph = NULL;

		if (i == warm)
			measure(&u0);
		if (pam_start_confdir(which == 2 ? "leakbad" : "leaktest", users[which],
		    &pc, confdir, &ph) != PAM_SUCCESS) {
			wrong++;
			continue;
		}
		pam_set_item(ph, PAM_TTY, "ssh");
		pam_set_item(ph, PAM_RHOST, "127.0.0.1");
		r = pam_authenticate(ph, 0);
		want = which == 0 || which == 2 ? PAM_AUTH_ERR : PAM_SUCCESS;
		if (r == PAM_SUCCESS && which == 1) {
			pam_putenv(ph, "SSH_AUTH_INFO_0=password\n");
			r = pam_acct_mgmt(ph, 0);
			if (r == PAM_SUCCESS)
				r = pam_open_session(ph, 0);
			if (r == PAM_SUCCESS)
				r = pam_close_session(ph, 0);
			expect_sess++;
		}
		if (r != want && wrong++ < 5)
			fprintf(stderr, "# transaction %ld (%s): %s, expected %s\n", i,
			    users[which], pam_strerror(ph, r), pam_strerror(ph, want));
		expect_bound += which == 0;
		expect_err += which == 2;
		pam_end(ph, r);
		drain_log(needles, counts, 4);
	}
	usleep(100000);
	drain_log(needles, counts, 4);
	measure(&u1);
	ok(wrong == 0, "pam: %ld transactions, every result right (%ld wrong)", n, wrong);
	if (!no_syslog) {
		ok(counts[0] == expect_bound, "pam: %ld key_bound refusals logged (of %ld)", counts[0], expect_bound);
		ok(counts[1] == expect_err, "pam: %ld db_error refusals logged (of %ld)", counts[1], expect_err);
		ok(counts[2] == expect_sess, "pam: %ld session lines logged (of %ld)", counts[2], expect_sess);
	}
	/* events not kept: said once per process, never more */
	if (keyquota)
		ok(counts[3] == 1, "pam: \"login events not kept\" logged once (%ld)", counts[3]);
	else if (!no_syslog)
		ok(counts[3] == 0, "pam: events kept (%ld \"not kept\" lines)", counts[3]);
	compare("pam", &u0, &u1, check_rss);
	for (size_t i = 0; i < 3; i++)
		cvm_events_forget(users[i]);
	close(logfd);
	tl_rmtree(dir);
	free(dir);
	return 0;
}

/* ---- NSS --------------------------------------------------------------- */

typedef enum nss_status (*pwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*pwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*pwent_fn)(struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*grgid_fn)(gid_t, struct group *, char *, size_t, int *);
typedef enum nss_status (*setent_fn)(int);
typedef enum nss_status (*endent_fn)(void);
typedef enum nss_status (*initgr_fn)(const char *, gid_t, long int *, long int *,
    gid_t **, long int, int *);

#define NSS_USERS 50

/* Generation g: users u00..u49 (uid 71000+i, in group staff 71900) and
 * gen<g> (uid 72000+g). */
static int
write_gen(const char *path, int g)
{
	struct cvm_dbm m;
	char name[32], err[256];
	int lk, r = -1;

	cvm_dbm_init(&m);
	if (cvm_dbm_add_group(&m, "staff", 71900) == NULL)
		goto out;
	for (int i = 0; i <= NSS_USERS; i++) {
		struct cvm_dbm_user *u;
		uint32_t uid = i < NSS_USERS ? 71000u + (uint32_t)i : 72000u + (uint32_t)g;

		if (i < NSS_USERS)
			snprintf(name, sizeof(name), "u%02d", i);
		else
			snprintf(name, sizeof(name), "gen%d", g);
		if ((u = cvm_dbm_add_user(&m, name)) == NULL)
			goto out;
		u->uid = u->gid = uid;
		u->flags = CVM_DBU_PROVISIONED;
		if (cvm_dbm_set_str(&u->gecos, "leak test") != 0 ||
		    cvm_dbm_set_str(&u->home, "/nonexistent") != 0 ||
		    cvm_dbm_set_str(&u->shell, "/bin/sh") != 0 ||
		    cvm_dbm_user_add_gid(u, 71900) != 0 ||
		    /* found again: adding groups moves the array */
		    cvm_dbm_group_add_member(cvm_dbm_find_group(&m, "staff"), name) != 0 ||
		    cvm_dbm_add_group(&m, name, uid) == NULL)
			goto out;
	}
	if ((lk = cvm_db_lock(path, err, sizeof(err))) < 0)
		goto out;
	r = cvm_dbm_write(path, &m, err, sizeof(err));
	cvm_db_unlock(lk);
	if (r != 0)
		fprintf(stderr, "# write: %s\n", err);
out:
	cvm_dbm_free(&m);
	return r;
}

static int
run_nss(long n, int check_rss)
{
	char so[512], path[256], tdir[] = "/tmp/cvm-leak-nss.XXXXXX", name[32];
	char buf[4096];
	struct passwd pw;
	struct group gr;
	struct usage u0 = { 0 }, u1;
	long wrong = 0, warm = n / 10 > 0 ? n / 10 : 1, every = n / 20 > 0 ? n / 20 : 1;
	int gen = 0, e;
	void *h;
	pwnam_fn getpwnam_r;
	pwuid_fn getpwuid_r;
	pwent_fn getpwent_r;
	grnam_fn getgrnam_r;
	grgid_fn getgrgid_r;
	setent_fn setpwent;
	endent_fn endpwent;
	initgr_fn initgroups_dyn;

	if (mkdtemp(tdir) == NULL || chmod(tdir, 0755) != 0)
		return 2;
	snprintf(path, sizeof(path), "%s/bindings.db", tdir);
	if (setenv("CVMKEY_DB", path, 1) != 0 || write_gen(path, gen) != 0)
		return 2;
	snprintf(so, sizeof(so), "%s/.libs/libnss_cvm.so.2", TEST_BUILDDIR);
	if ((h = dlopen(so, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "# dlopen: %s\n", dlerror());
		return 2;
	}
	*(void **)&getpwnam_r = dlsym(h, "_nss_cvm_getpwnam_r");
	*(void **)&getpwuid_r = dlsym(h, "_nss_cvm_getpwuid_r");
	*(void **)&getpwent_r = dlsym(h, "_nss_cvm_getpwent_r");
	*(void **)&setpwent = dlsym(h, "_nss_cvm_setpwent");
	*(void **)&endpwent = dlsym(h, "_nss_cvm_endpwent");
	*(void **)&getgrnam_r = dlsym(h, "_nss_cvm_getgrnam_r");
	*(void **)&getgrgid_r = dlsym(h, "_nss_cvm_getgrgid_r");
	*(void **)&initgroups_dyn = dlsym(h, "_nss_cvm_initgroups_dyn");
	if (!getpwnam_r || !getpwuid_r || !getpwent_r || !setpwent || !endpwent ||
	    !getgrnam_r || !getgrgid_r || !initgroups_dyn)
		return 2;
	for (long i = 0; i < n; i++) {
		int k = (int)(i % NSS_USERS);
		enum nss_status st;

		if (i == warm)
			measure(&u0);
		if (i > 0 && i % every == 0) {
			if (write_gen(path, ++gen) != 0)
				return 2;
			snprintf(name, sizeof(name), "gen%d", gen);
			/* the new generation is served at once (retired word) */
			e = 0;
			if (getpwnam_r(name, &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS ||
			    pw.pw_uid != 72000u + (uid_t)gen)
				wrong++;
			snprintf(name, sizeof(name), "gen%d", gen - 1);
			if (getpwnam_r(name, &pw, buf, sizeof(buf), &e) != NSS_STATUS_NOTFOUND)
				wrong++;
		}
		snprintf(name, sizeof(name), "u%02d", k);
		e = 0;
		switch (i % 9) {
		case 0:
			st = getpwnam_r(name, &pw, buf, sizeof(buf), &e);
			if (st != NSS_STATUS_SUCCESS || pw.pw_uid != 71000u + (uid_t)k)
				wrong++;
			break;
		case 1:
			st = getpwuid_r(71000u + (uid_t)k, &pw, buf, sizeof(buf), &e);
			if (st != NSS_STATUS_SUCCESS || strcmp(pw.pw_name, name) != 0)
				wrong++;
			break;
		case 2:
			if (getpwnam_r("nosuchuser", &pw, buf, sizeof(buf), &e) != NSS_STATUS_NOTFOUND)
				wrong++;
			break;
		case 3:
			if (getpwuid_r(70999, &pw, buf, sizeof(buf), &e) != NSS_STATUS_NOTFOUND)
				wrong++;
			break;
		case 4:
			st = getgrnam_r("staff", &gr, buf, sizeof(buf), &e);
			if (st != NSS_STATUS_SUCCESS || gr.gr_gid != 71900)
				wrong++;
			break;
		case 5:
			st = getgrgid_r(71000u + (gid_t)k, &gr, buf, sizeof(buf), &e);
			if (st != NSS_STATUS_SUCCESS || strcmp(gr.gr_name, name) != 0)
				wrong++;
			break;
		case 6: {
			long start = 0, size = 1;
			gid_t *groups = malloc(sizeof(gid_t));

			if (groups == NULL)
				return 2;
			st = initgroups_dyn(name, 71000u + (gid_t)k, &start, &size, &groups, 0, &e);
			if (st != NSS_STATUS_SUCCESS || start != 1 || groups[0] != 71900)
				wrong++;
			free(groups);
			break;
		}
		case 7:	/* too small: ERANGE, nothing kept */
			st = getpwnam_r(name, &pw, buf, 8, &e);
			if (st != NSS_STATUS_TRYAGAIN || e != ERANGE)
				wrong++;
			break;
		default:
			if (i % 9000 == 8) {	/* a whole enumeration */
				long users = 0;

				setpwent(1);
				while (getpwent_r(&pw, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS)
					users++;
				endpwent();
				if (users != NSS_USERS + 1)
					wrong++;
			} else if (getgrnam_r("nosuchgroup", &gr, buf, sizeof(buf), &e) != NSS_STATUS_NOTFOUND)
				wrong++;
		}
	}
	measure(&u1);
	ok(wrong == 0, "nss: %ld lookups, %d database replacements, every answer right (%ld wrong)",
	    n, gen, wrong);
	compare("nss", &u0, &u1, check_rss);
	dlclose(h);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bindings.db.prev", tdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bindings.db.lock", tdir);
	unlink(path);
	rmdir(tdir);
	return 0;
}

/* ---- NSS under replacement --------------------------------------------------
 * leak hammer CVMKEY CONFIG DOC_A DOC_B N: 8 threads look up accounts
 * through libnss_cvm.so.2 (CVMKEY_DB set by the caller) while `cvmkey
 * --config CONFIG apply` alternates DOC_A and DOC_B N times.  Both
 * documents hold u00..u49 (uid 71000+i, home /home/uNN, gecos "A" or
 * "B"); only A holds gena (uid 72001), only B genb (72002).  Every answer
 * must be one of the two generations': found with exactly these fields, or
 * (for gena/genb) not found; never UNAVAIL, never a mix. */

#define HAMMER_THREADS 8

struct hammer {
	pwnam_fn getpwnam_r;
	pwuid_fn getpwuid_r;
	grnam_fn getgrnam_r;
	volatile int stop;
	long lookups[HAMMER_THREADS], wrong[HAMMER_THREADS];
	char first_wrong[256];
	pthread_mutex_t mu;
};

static struct hammer H;

static void
hammer_wrong(int t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
hammer_wrong(int t, const char *fmt, ...)
{
	va_list ap;

	H.wrong[t]++;
	pthread_mutex_lock(&H.mu);
	if (H.first_wrong[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(H.first_wrong, sizeof(H.first_wrong), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&H.mu);
}

static void *
hammer_thread(void *arg)
{
	int t = (int)(intptr_t)arg;
	unsigned seed = (unsigned)t * 7919u + 1;
	char buf[4096], name[32], home[64];
	struct passwd pw;
	struct group gr;

	while (!H.stop) {
		int k = (int)(rand_r(&seed) % 50), e = 0, op = (int)(rand_r(&seed) % 4);
		enum nss_status st;

		snprintf(name, sizeof(name), "u%02d", k);
		snprintf(home, sizeof(home), "/home/u%02d", k);
		if (op == 0 || op == 1) {
			st = op == 0 ? H.getpwnam_r(name, &pw, buf, sizeof(buf), &e) :
			    H.getpwuid_r(71000u + (uid_t)k, &pw, buf, sizeof(buf), &e);
			if (st != NSS_STATUS_SUCCESS)
				hammer_wrong(t, "%s: status %d errno %d", name, st, e);
			else if (pw.pw_uid != 71000u + (uid_t)k || strcmp(pw.pw_name, name) != 0 ||
			    strcmp(pw.pw_dir, home) != 0 ||
			    (strcmp(pw.pw_gecos, "A") != 0 && strcmp(pw.pw_gecos, "B") != 0))
				hammer_wrong(t, "%s: wrong entry %s %u %s %s", name, pw.pw_name,
				    (unsigned)pw.pw_uid, pw.pw_gecos, pw.pw_dir);
		} else if (op == 2) {
			const char *m = rand_r(&seed) % 2 ? "gena" : "genb";
			const char *g = m[3] == 'a' ? "A" : "B";

			st = H.getpwnam_r(m, &pw, buf, sizeof(buf), &e);
			if (st == NSS_STATUS_SUCCESS ? pw.pw_uid != (m[3] == 'a' ? 72001u : 72002u) ||
			    strcmp(pw.pw_gecos, g) != 0 : st != NSS_STATUS_NOTFOUND)
				hammer_wrong(t, "%s: status %d", m, st);
		} else {
			st = H.getgrnam_r(name, &gr, buf, sizeof(buf), &e);
			if (st != NSS_STATUS_SUCCESS || gr.gr_gid != 71000u + (gid_t)k)
				hammer_wrong(t, "group %s: status %d", name, st);
		}
		H.lookups[t]++;
	}
	return NULL;
}

static int
run_hammer(int argc, char **argv)
{
	pthread_t th[HAMMER_THREADS];
	char so[512];
	long lookups = 0, wrong = 0, applies_failed = 0, n;
	void *h;

	if (argc != 7 || (n = strtol(argv[6], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: leak hammer CVMKEY CONFIG DOC_A DOC_B N\n");
		return 2;
	}
	snprintf(so, sizeof(so), "%s/.libs/libnss_cvm.so.2", TEST_BUILDDIR);
	if ((h = dlopen(so, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return 2;
	*(void **)&H.getpwnam_r = dlsym(h, "_nss_cvm_getpwnam_r");
	*(void **)&H.getpwuid_r = dlsym(h, "_nss_cvm_getpwuid_r");
	*(void **)&H.getgrnam_r = dlsym(h, "_nss_cvm_getgrnam_r");
	if (!H.getpwnam_r || !H.getpwuid_r || !H.getgrnam_r)
		return 2;
	pthread_mutex_init(&H.mu, NULL);
	for (int t = 0; t < HAMMER_THREADS; t++)
		if (pthread_create(&th[t], NULL, hammer_thread, (void *)(intptr_t)t) != 0)
			return 2;
	for (long i = 0; i < n; i++) {
		char *const av[] = { argv[2], "--config", argv[3], "apply",
			argv[i % 2 ? 5 : 4], NULL };
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			execv(av[0], av);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			applies_failed++;
	}
	H.stop = 1;
	for (int t = 0; t < HAMMER_THREADS; t++) {
		pthread_join(th[t], NULL);
		lookups += H.lookups[t];
		wrong += H.wrong[t];
	}
	ok(applies_failed == 0, "hammer: %ld applies replaced the database (%ld failed)", n, applies_failed);
	ok(wrong == 0 && lookups > 0, "hammer: %d threads, %ld lookups during the replacements, "
	    "%ld wrong%s%s", HAMMER_THREADS, lookups, wrong, wrong ? ": first: " : "", H.first_wrong);
	dlclose(h);
	return 0;
}

int
main(int argc, char **argv)
{
	long n;
	int check_rss = 1, no_syslog = 0, keyquota = 0, r;

	if (argc > 1 && strcmp(argv[1], "hammer") == 0) {
		r = run_hammer(argc, argv);
		goto done;
	}
	if (argc < 3 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: leak pam|nss N [--no-rss] [--no-syslog] [--keyquota]\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--no-rss") == 0)
			check_rss = 0;
		else if (strcmp(argv[i], "--no-syslog") == 0)
			no_syslog = 1;
		else if (strcmp(argv[i], "--keyquota") == 0)
			keyquota = 1;
		else {
			fprintf(stderr, "leak: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (strcmp(argv[1], "pam") == 0)
		r = run_pam(n, check_rss, no_syslog, keyquota);
	else if (strcmp(argv[1], "nss") == 0)
		r = run_nss(n, check_rss);
	else
		r = 2;
done:
	if (r != 0) {
		printf("not ok %d - %s: setup failed\n", ++tap_n, argv[1]);
		tap_failed++;
	}
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
