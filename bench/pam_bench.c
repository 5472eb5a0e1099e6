/* The cost of the PAM decision (issue: core, item 9).  In one run:
 * pam_start_confdir + pam_authenticate + pam_end through a stack with only
 * pam_permit (the floor libpam itself costs), and through pam_cvmkey then
 * pam_permit, for databases of 10, 10,000 and 1,000,000 bindings, for a
 * bound and an unbound user, db and authorized_keys sources, with Debian's
 * stock sshd_config; and, for scale, pam_unix checking one password.
 * Runs in the test sandbox (private passwd, /dev/log): needs root.
 * Usage: pam_bench [ITERATIONS [MAX_BINDINGS]]   (see bench/README.md) */
#define _GNU_SOURCE
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <security/pam_appl.h>
#include "authkeys.h"
#include "dbwrite.h"
#include "../tests/testlib.h"

static char *dir;
static int logfd;

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp, void *d)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	(void)msg;
	(void)d;
	for (int i = 0; i < n; i++)
		r[i].resp = strdup("wrong password");
	*resp = r;
	return PAM_SUCCESS;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median and p99 of n transactions of `service` for `user`. */
static void
measure(const char *label, const char *service, const char *user, int n,
    double *median)
{
	struct pam_conv pc = { conv, NULL };
	char confdir[512];
	double *t = calloc((size_t)n, sizeof(double));

	snprintf(confdir, sizeof(confdir), "%s/pam.d", dir);
	for (int i = 0; i < n; i++) {
		pam_handle_t *ph;
		double t0 = now_us();

		pam_start_confdir(service, user, &pc, confdir, &ph);
		pam_set_item(ph, PAM_TTY, "ssh");
		pam_set_item(ph, PAM_RHOST, "192.0.2.7");
		(void)pam_authenticate(ph, 0);
		pam_end(ph, PAM_SUCCESS);
		t[i] = now_us() - t0;
		/* Drain /dev/log outside the timed part: a full datagram
		 * queue (net.unix.max_dgram_qlen) would block syslog(). */
		free(tl_read_log(logfd));
	}
	qsort(t, (size_t)n, sizeof(double), cmp);
	printf("%-44s %9.1f %9.1f\n", label, t[n / 2], t[(n * 99) / 100]);
	fflush(stdout);
	if (median != NULL)
		*median = t[n / 2];
	free(t);
	free(tl_read_log(logfd));
}

static void
service(const char *name, const char *lines)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/pam.d/%s", dir, name);
	tl_write(p, 0644, lines);
}

static char keyline[4096];

static void
make_db(const char *path, long n)
{
	struct cvm_dbm m;
	struct cvm_akline l;
	char err[256], name[64];
	int lock;

	cvm_akline_parse(keyline, strlen(keyline), &l, err, sizeof(err));
	cvm_dbm_init(&m);
	/* alice is bound; the rest are filler accounts */
	for (long i = 0; i < n; i++) {
		struct cvm_dbm_user *u;

		if (i == 0)
			snprintf(name, sizeof(name), "alice");
		else
			snprintf(name, sizeof(name), "user%07ld", i);
		if ((u = cvm_dbm_add_user(&m, name)) == NULL) {
			fprintf(stderr, "cannot add user %ld\n", i);
			exit(1);
		}
		cvm_dbm_add_key(u, l.key.type, l.key.blob, (uint32_t)l.key.bloblen,
		    "laptop", l.key.fp, 1700000000, -1);
	}
	unlink(path);
	lock = cvm_db_lock(path, err, sizeof(err));
	if (cvm_dbm_write(path, &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "write %s: %s\n", path, err);
		exit(1);
	}
	cvm_db_unlock(lock);
	cvm_dbm_free(&m);
	cvm_akline_free(&l);
}

int
main(int argc, char **argv)
{
	static const long sizes[] = { 10, 10000, 1000000 };
	int n = argc > 1 ? atoi(argv[1]) : 5000;
	long maxsize = argc > 2 ? atol(argv[2]) : 1000000;
	char p[2048], mod[600], buf[4096], home[600], cfg[600];
	double floor_us, m;
	FILE *f;

	if ((dir = tl_tmpdir()) == NULL || (logfd = tl_sandbox(dir)) == -1)
		return 1;
	snprintf(mod, sizeof(mod), "%s/.libs/pam_cvmkey.so", BENCH_BUILDDIR);
	snprintf(p, sizeof(p), "%s/pam.d", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/home", dir);
	mkdir(p, 0755);
	/* alice: db-bound; carol: authorized_keys-bound; bob: nothing */
	const char *users[] = { "alice", "bob", "carol" };
	for (int i = 0; i < 3; i++) {
		snprintf(home, sizeof(home), "%s/home/%s", dir, users[i]);
		tl_add_user(users[i], 70101 + (uid_t)i,
		    crypt("secret", "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$"), home, "/bin/sh");
	}
	snprintf(p, sizeof(p), "ssh-keygen -q -t ed25519 -N '' -f %s/k", dir);
	if (system(p) != 0)
		return 1;
	snprintf(p, sizeof(p), "%s/k.pub", dir);
	f = fopen(p, "r");
	if (f == NULL || fgets(keyline, sizeof(keyline), f) == NULL)
		return 1;
	fclose(f);
	keyline[strcspn(keyline, "\n")] = '\0';
	snprintf(p, sizeof(p), "%s/home/carol/.ssh", dir);
	mkdir(p, 0700);
	chown(p, 70103, 70103);
	strcat(p, "/authorized_keys");
	snprintf(buf, sizeof(buf), "%s\n", keyline);
	tl_write(p, 0600, buf);
	chown(p, 70103, 70103);

	/* Debian's stock sshd_config (its Include finds no drop-ins here)
	 * plus the AuthorizedKeysCommand lines. */
	snprintf(cfg, sizeof(cfg), "%s/sshd_config", dir);
	snprintf(p, sizeof(p), "cp %s/tests/data/sshd/debian/sshd_config %s && "
	    "printf 'AuthorizedKeysCommand %s/cvmkey authorized-keys %%%%u\\n"
	    "AuthorizedKeysCommandUser root\\n' >> %s", BENCH_SRCDIR, cfg,
	    BENCH_BUILDDIR, cfg);
	if (system(p) != 0)
		return 1;

	service("floor", "auth required pam_permit.so\n");
	service("unix", "auth required pam_unix.so nodelay\n");
	printf("%d transactions each; microseconds       median       p99\n", n);
	measure("pam_permit only (the floor)", "floor", "bob", n, &floor_us);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]) && sizes[s] <= maxsize; s++) {
		char db[600], label[128];

		snprintf(db, sizeof(db), "%s/bindings-%ld.db", dir, sizes[s]);
		make_db(db, sizes[s]);
		snprintf(buf, sizeof(buf),
		    "auth [success=ok ignore=ignore module_unknown=ignore default=bad] %s "
		    "policy=bound db=%s sshd_config=%s config=/nonexistent\n"
		    "auth required pam_permit.so\n", mod, db, cfg);
		service("cvm", buf);
		snprintf(label, sizeof(label), "%ld bindings, bound (db)", sizes[s]);
		measure(label, "cvm", "alice", n, &m);
		printf("%44s +%.1f over the floor\n", "", m - floor_us);
		snprintf(label, sizeof(label), "%ld bindings, unbound", sizes[s]);
		measure(label, "cvm", "bob", n, &m);
		printf("%44s +%.1f over the floor\n", "", m - floor_us);
		snprintf(label, sizeof(label), "%ld bindings, bound (authorized_keys)", sizes[s]);
		measure(label, "cvm", "carol", n / 4 > 0 ? n / 4 : 1, &m);
		printf("%44s +%.1f over the floor\n", "", m - floor_us);
	}
	measure("pam_unix, one yescrypt password check", "unix", "bob", 20, NULL);
	tl_rmtree(dir);
	return 0;
}
