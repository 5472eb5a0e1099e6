/* cvm_audit_pam on --root trees: for each finding ID a tree that
 * triggers it and one that does not; Debian 12's stock sshd stack (this
 * machine's /etc/pam.d, copied unmodified) gives no PAM-* finding. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <security/pam_appl.h>
#include "audit.h"
#include "sshdcfg.h"
#include "testlib.h"

#define MODDIR "lib/x86_64-linux-gnu/security"

static char *root;
static struct cvm_audit A;
static struct cvm_sshd *sshd;
static struct passwd pw;
static const char *groups[] = { "alice", "staff", NULL };

static void
mkparents(const char *path)
{
	char p[1024], *s;

	snprintf(p, sizeof(p), "%s", path);
	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", p, strerror(errno));
		*s = '/';
	}
}

/* Writes root/rel (parents made). */
static void
put(const char *rel, const char *text)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	mkparents(p);
	assert_int_equal(tl_write(p, 0644, text), 0);
}

static void
put_bytes(const char *rel, const void *data, size_t len)
{
	char p[1024];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	mkparents(p);
	assert_true((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void
modules(const char *const *names)
{
	char rel[256];

	for (size_t i = 0; names[i] != NULL; i++) {
		snprintf(rel, sizeof(rel), MODDIR "/%s.so", names[i]);
		put(rel, "");
	}
}

static const char *const std_modules[] = {
	"pam_unix", "pam_deny", "pam_permit", "pam_nologin", "pam_access",
	"pam_listfile", "pam_faillock", "pam_succeed_if", "pam_time",
	"pam_cvmkey", "pam_env", "pam_limits", NULL,
};

/* A fresh tree with the modules installed and an sshd_config. */
static int
setup(void **state)
{
	(void)state;
	root = tl_tmpdir();
	put("etc/debian_version", "12.11\n");
	modules(std_modules);
	memset(&A, 0, sizeof(A));
	pw.pw_name = (char *)"alice";
	pw.pw_uid = 1000;
	pw.pw_gid = 1000;
	pw.pw_dir = (char *)"/home/alice";
	pw.pw_shell = (char *)"/bin/bash";
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cvm_audit_free(&A);
	cvm_root_close(&A.root);
	cvm_sshd_free(sshd);
	sshd = NULL;
	tl_rmtree(root);
	free(root);
	return 0;
}

/* Fills the audit state (as cmd_audit does) and runs the step. */
static void
run_as(const char *user, const char *from, const char *sshd_config)
{
	char err[512];

	cvm_audit_free(&A);
	cvm_root_close(&A.root);
	cvm_sshd_free(sshd);
	sshd = NULL;
	memset(&A, 0, sizeof(A));
	put("etc/ssh/sshd_config", sshd_config ? sshd_config :
	    "UsePAM yes\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\n");
	assert_int_equal(cvm_sshd_load(root, "/etc/ssh/sshd_config", NULL, &sshd,
	    err, sizeof(err)), 0);
	assert_int_equal(cvm_root_init(&A.root, root), 0);
	A.user = user;
	if (user != NULL && strcmp(user, "alice") == 0) {
		A.pw = &pw;
		A.groups = groups;
		A.ngroups = 2;
	}
	A.from = from;
	A.methods = CVM_M_ALL;
	A.sshd = sshd;
	A.pam_service = "sshd";
	cvm_audit_pam(&A);
	assert_int_equal(A.oom, 0);
}

static void
run(const char *from)
{
	run_as("alice", from, NULL);
}

/* The first finding with that ID above pass, or NULL. */
static const struct cvm_finding *
get(const char *id)
{
	for (size_t i = 0; i < A.n; i++)
		if (A.f[i].sev > CVM_SEV_PASS && strcmp(A.f[i].check->id, id) == 0)
			return &A.f[i];
	return NULL;
}

static int
passed(const char *id)
{
	for (size_t i = 0; i < A.n; i++)
		if (A.f[i].sev == CVM_SEV_PASS && strcmp(A.f[i].check->id, id) == 0)
			return 1;
	return 0;
}

static void
dump(void)
{
	for (size_t i = 0; i < A.n; i++)
		if (A.f[i].sev > CVM_SEV_PASS || getenv("CVM_TEST_DUMP"))
			fprintf(stderr, "# %s %s blocks=%u %s:%d %s\n", A.f[i].check->id,
			    cvm_sev_name(A.f[i].sev), A.f[i].blocks,
			    A.f[i].file ? A.f[i].file : "-", A.f[i].line, A.f[i].detail);
}

/* No PAM-* finding above pass. */
static void
assert_no_pam(void)
{
	for (size_t i = 0; i < A.n; i++)
		if (A.f[i].sev > CVM_SEV_PASS && strncmp(A.f[i].check->id, "PAM-", 4) == 0) {
			dump();
			fail_msg("unexpected %s", A.f[i].check->id);
		}
}

static const char cvm_line[] =
    "auth [success=ok ignore=ignore module_unknown=ignore default=bad] pam_cvmkey.so\n";

/* A simple stack: auth = pam_cvmkey then pam_unix, account = extra. */
static void
stack(const char *auth_extra, const char *account_extra)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s%s"
	    "auth [success=1 default=ignore] pam_unix.so nullok\n"
	    "auth requisite pam_deny.so\nauth required pam_permit.so\n"
	    "%saccount required pam_unix.so\nsession required pam_unix.so\n", cvm_line,
	    auth_extra ? auth_extra : "", account_extra ? account_extra : "");
	put("etc/pam.d/sshd", buf);
}

/* ---- Debian's stock stack --------------------------------------------- */

static void
copy_host(const char *name)
{
	char p[256], *buf = NULL, rel[256];
	size_t len;
	FILE *f;

	snprintf(p, sizeof(p), "/etc/pam.d/%s", name);
	assert_non_null(f = fopen(p, "r"));
	assert_true(getdelim(&buf, &len, '\0', f) > 0);
	fclose(f);
	snprintf(rel, sizeof(rel), "etc/pam.d/%s", name);
	put(rel, buf);
	free(buf);
}

static void
test_debian_stock(void **state)
{
	static const char *const files[] = {
		"sshd", "common-auth", "common-account", "common-session",
		"common-session-noninteractive", "common-password", "other",
	};
	DIR *d;
	struct dirent *e;

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		copy_host(files[i]);
	/* the machine's installed modules, as empty files in the tree */
	assert_non_null(d = opendir("/lib/x86_64-linux-gnu/security"));
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".so") != NULL) {
			char rel[512];

			snprintf(rel, sizeof(rel), MODDIR "/%s", e->d_name);
			put(rel, "");
		}
	closedir(d);
	run("192.0.2.7");
	if (getenv("CVM_TEST_DUMP"))
		dump();
	assert_no_pam();
	assert_true(passed("PAM-NOLOGIN"));
	assert_true(passed("PAM-SYNTAX"));
	assert_true(passed("PAM-MODULE-MISSING"));
	assert_non_null(get("POLICY-NOT-ENFORCED"));
	assert_int_equal(get("POLICY-NOT-ENFORCED")->sev, CVM_SEV_WARN);
	/* no --user: still nothing */
	run_as(NULL, NULL, NULL);
	assert_no_pam();
	/* /etc/nologin on the stock stack: sshd's account line */
	put("etc/nologin", "maintenance\n");
	run(NULL);
	assert_non_null(get("PAM-NOLOGIN"));
	assert_int_equal(get("PAM-NOLOGIN")->blocks, CVM_M_ALL);
	assert_string_equal(get("PAM-NOLOGIN")->file, "/etc/nologin");
	assert_non_null(strstr(get("PAM-NOLOGIN")->detail, "/etc/pam.d/sshd:"));
}

/* ---- PAM-NOLOGIN ------------------------------------------------------- */

static void
test_nologin(void **state)
{
	const struct cvm_finding *f;

	(void)state;
	stack(NULL, "account required pam_nologin.so\n");
	run(NULL);
	assert_null(get("PAM-NOLOGIN"));
	assert_true(passed("PAM-NOLOGIN"));
	/* /run/nologin, reached through /var/run -> ../run */
	put("run/nologin", "booting\n");
	{
		char p[1024];

		snprintf(p, sizeof(p), "%s/var", root);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/var/run", root);
		assert_int_equal(symlink("/run", p), 0);	/* absolute: inside the tree */
	}
	run(NULL);
	assert_non_null(f = get("PAM-NOLOGIN"));
	assert_int_equal(f->sev, CVM_SEV_FAIL);
	assert_int_equal(f->blocks, CVM_M_ALL);
	assert_string_equal(f->file, "/run/nologin");
	/* root is exempt */
	pw.pw_uid = 0;
	run(NULL);
	pw.pw_uid = 1000;
	assert_null(get("PAM-NOLOGIN"));
	/* file= names another file: /run/nologin no longer counts */
	stack(NULL, "account required pam_nologin.so file=/etc/maint\n");
	run(NULL);
	assert_null(get("PAM-NOLOGIN"));
	put("etc/maint", "x\n");
	run(NULL);
	assert_non_null(f = get("PAM-NOLOGIN"));
	assert_string_equal(f->file, "/etc/maint");
	/* in auth only: blocks the password only */
	stack("auth requisite pam_nologin.so file=/etc/maint\n", NULL);
	run(NULL);
	assert_non_null(f = get("PAM-NOLOGIN"));
	assert_int_equal(f->blocks, CVM_M_PASSWORD);
	/* optional: reported, blocks nothing */
	stack(NULL, "account optional pam_nologin.so file=/etc/maint\n");
	run(NULL);
	assert_non_null(f = get("PAM-NOLOGIN"));
	assert_int_equal(f->sev, CVM_SEV_WARN);
	assert_int_equal(f->blocks, 0);
}

/* ---- PAM-ACCESS-DENY ---------------------------------------------------- */

static void
access_case(const char *conf, const char *args, const char *from, int deny)
{
	char line[256];

	snprintf(line, sizeof(line), "account required pam_access.so %s\n", args);
	stack(NULL, line);
	put("etc/security/access.conf", conf);
	run(from);
	if (deny) {
		if (get("PAM-ACCESS-DENY") == NULL || get("PAM-ACCESS-DENY")->sev != CVM_SEV_FAIL) {
			dump();
			fail_msg("expected a deny for [%s] from %s", conf, from);
		}
		assert_int_equal(get("PAM-ACCESS-DENY")->blocks, CVM_M_ALL);
	} else if (get("PAM-ACCESS-DENY") != NULL &&
	    get("PAM-ACCESS-DENY")->sev > CVM_SEV_INFO) {
		dump();
		fail_msg("unexpected deny for [%s] from %s", conf, from);
	}
}

static void
test_access(void **state)
{
	const struct cvm_finding *f;

	(void)state;
	access_case("# nothing\n", "", "192.0.2.7", 0);
	access_case("-:ALL EXCEPT root:ALL\n", "", "192.0.2.7", 1);
	access_case("-:ALL EXCEPT alice:ALL\n", "", "192.0.2.7", 0);
	access_case("-:ALL EXCEPT (staff):ALL\n", "", "192.0.2.7", 0);
	access_case("-:(staff):ALL\n", "", "192.0.2.7", 1);
	access_case("-:(wheel):ALL\n", "", "192.0.2.7", 0);
	access_case("-:staff:ALL\n", "", "192.0.2.7", 1);	/* group by name */
	access_case("-:staff:ALL\n", "nodefgroup", "192.0.2.7", 0);
	access_case("-:ALL:LOCAL\n", "", "192.0.2.7", 0);	/* ssh is never LOCAL */
	access_case("+:alice:LOCAL\n-:ALL:ALL\n", "", "192.0.2.7", 1);
	access_case("+:alice:192.0.2.0/24\n-:ALL:ALL\n", "", "192.0.2.7", 0);
	access_case("+:alice:192.0.2.0/24\n-:ALL:ALL\n", "", "198.51.100.1", 1);
	access_case("+:alice:192.0.2.\n-:ALL:ALL\n", "", "192.0.2.7", 0);
	access_case("-:alice:2001:db8::/32\n", "fieldsep=|", "2001:db8::5", 0); /* one field */
	access_case("-|alice|2001:db8::/32\n", "fieldsep=|", "2001:db8::5", 1);
	access_case("-:alice;bob:ALL\n", "listsep=;", "192.0.2.7", 1);
	access_case("-:alice bob:ALL\n", "listsep=;", "192.0.2.7", 0);
	access_case("-:ALL:ALL EXCEPT 192.0.2.7\n", "", "192.0.2.7", 0);
	access_case("-:ALL:.example.com\n", "", "192.0.2.7", 0);	/* an address never ends so */
	/* a host name in the origin: resolved by DNS, cannot tell */
	access_case("-:alice:gw.example.com\n", "", "192.0.2.7", 0);
	assert_non_null(f = get("PAM-ACCESS-DENY"));
	assert_int_equal(f->sev, CVM_SEV_INFO);
	assert_int_equal(f->blocks, 0);
	/* no --from: an address rule cannot be decided, ALL can */
	access_case("-:alice:192.0.2.0/24\n", "", NULL, 0);
	assert_non_null(f = get("PAM-ACCESS-DENY"));
	assert_int_equal(f->sev, CVM_SEV_INFO);
	access_case("-:alice:ALL\n", "", NULL, 1);
	assert_string_equal(get("PAM-ACCESS-DENY")->file, "/etc/security/access.conf");
	assert_int_equal(get("PAM-ACCESS-DENY")->line, 1);
	/* access.d is read when access.conf has no match */
	put("etc/security/access.d/50-ops.conf", "\n# x\n-:alice:ALL\n");
	access_case("+:bob:ALL\n", "", "192.0.2.7", 1);
	f = get("PAM-ACCESS-DENY");
	assert_string_equal(f->file, "/etc/security/access.d/50-ops.conf");
	assert_int_equal(f->line, 3);
	access_case("+:alice:ALL\n", "", "192.0.2.7", 0);	/* decided before */
	/* accessfile= replaces both */
	put("etc/ssh/access", "-:alice:ALL\n");
	access_case("+:ALL:ALL\n", "accessfile=/etc/ssh/access", "192.0.2.7", 1);
	/* UseDNS yes: PAM_RHOST is a name: an address rule is undecidable */
	stack(NULL, "account required pam_access.so\n");
	put("etc/security/access.d/50-ops.conf", "\n");
	put("etc/security/access.conf", "-:alice:192.0.2.0/24\n");
	run_as("alice", "192.0.2.7", "UsePAM yes\nUseDNS yes\n");
	assert_non_null(f = get("PAM-ACCESS-DENY"));
	assert_int_equal(f->sev, CVM_SEV_INFO);
	/* pam_access in auth: blocks the password only */
	stack("auth required pam_access.so\n", NULL);
	put("etc/security/access.conf", "-:alice:ALL\n");
	run("192.0.2.7");
	assert_int_equal(get("PAM-ACCESS-DENY")->blocks, CVM_M_PASSWORD);
}

/* ---- PAM-LISTFILE-DENY -------------------------------------------------- */

static void
listfile_case(const char *args, const char *list, int deny)
{
	char line[512];

	snprintf(line, sizeof(line), "auth required pam_listfile.so %s\n", args);
	stack(line, NULL);
	if (list != NULL)
		put("etc/ssh/users", list);
	else {
		char p[1024];

		snprintf(p, sizeof(p), "%s/etc/ssh/users", root);
		unlink(p);
	}
	run(NULL);
	if (!!get("PAM-LISTFILE-DENY") != deny) {
		dump();
		fail_msg("listfile %s [%s]: expected %s", args, list ? list : "(none)",
		    deny ? "deny" : "allow");
	}
	if (deny) {
		assert_int_equal(get("PAM-LISTFILE-DENY")->sev, CVM_SEV_FAIL);
		assert_int_equal(get("PAM-LISTFILE-DENY")->blocks, CVM_M_PASSWORD);
	}
}

static void
test_listfile(void **state)
{
	(void)state;
	listfile_case("item=user sense=deny file=/etc/ssh/users onerr=succeed", "bob\nalice\n", 1);
	listfile_case("item=user sense=deny file=/etc/ssh/users onerr=succeed", "bob\n", 0);
	listfile_case("item=user sense=allow file=/etc/ssh/users onerr=succeed", "bob\n", 1);
	listfile_case("item=user sense=allow file=/etc/ssh/users onerr=succeed", "alice\r\n", 0);
	listfile_case("item=group sense=allow file=/etc/ssh/users", "staff\n", 0);
	listfile_case("item=group sense=deny file=/etc/ssh/users", "staff\n", 1);
	listfile_case("item=shell sense=allow file=/etc/ssh/users", "/bin/bash\n", 0);
	/* a missing file resolves by onerr (default fail) */
	listfile_case("item=user sense=deny file=/etc/ssh/users onerr=succeed", NULL, 0);
	listfile_case("item=user sense=deny file=/etc/ssh/users onerr=fail", NULL, 1);
	listfile_case("item=user sense=deny file=/etc/ssh/users", NULL, 1);
	/* apply= another user: ignored for item=tty, meaningless for user */
	listfile_case("item=tty sense=deny file=/etc/ssh/users apply=bob", "ssh\n", 0);
	listfile_case("item=tty sense=deny file=/etc/ssh/users apply=alice", "ssh\n", 1);
	listfile_case("item=user sense=allow file=/etc/ssh/users apply=bob", "bob\n", 1);
	/* no sense: onerr */
	listfile_case("item=user file=/etc/ssh/users onerr=succeed", "x\n", 0);
	listfile_case("item=user file=/etc/ssh/users", "x\n", 1);
}

/* ---- PAM-FAILLOCK-LOCKED ------------------------------------------------ */

static void
tally(int n, uint64_t t0, uint64_t step)
{
	unsigned char rec[64 * 16];

	memset(rec, 0, sizeof(rec));
	for (int i = 0; i < n; i++) {
		uint16_t status = 1;
		uint64_t t = t0 + (uint64_t)i * step;

		snprintf((char *)rec + i * 64, 52, "192.0.2.%d", i);
		memcpy(rec + i * 64 + 54, &status, 2);
		memcpy(rec + i * 64 + 56, &t, 8);
	}
	put_bytes("var/run/faillock/alice", rec, (size_t)n * 64);
}

static void
test_faillock(void **state)
{
	const struct cvm_finding *f;
	time_t now = time(NULL);

	(void)state;
	stack("auth requisite pam_faillock.so preauth\n", NULL);
	run(NULL);
	assert_null(get("PAM-FAILLOCK-LOCKED"));
	assert_true(passed("PAM-FAILLOCK-LOCKED"));
	tally(3, (uint64_t)now - 30, 5);
	run(NULL);
	assert_non_null(f = get("PAM-FAILLOCK-LOCKED"));
	assert_int_equal(f->sev, CVM_SEV_FAIL);
	assert_int_equal(f->blocks, CVM_M_PASSWORD);
	assert_string_equal(f->file, "/var/run/faillock/alice");
	assert_non_null(strstr(f->fix, "faillock --user alice --reset"));
	/* two failures: not yet */
	tally(2, (uint64_t)now - 30, 5);
	run(NULL);
	assert_null(get("PAM-FAILLOCK-LOCKED"));
	/* unlock_time (600 s) has passed */
	tally(3, (uint64_t)now - 4000, 5);
	run(NULL);
	assert_null(get("PAM-FAILLOCK-LOCKED"));
	/* ... unless faillock.conf says never */
	put("etc/security/faillock.conf", "# conf\nunlock_time = never\n");
	run(NULL);
	assert_non_null(get("PAM-FAILLOCK-LOCKED"));
	/* failures spread wider than fail_interval do not add up */
	put("etc/security/faillock.conf", "fail_interval = 60\n");
	tally(3, (uint64_t)now - 300, 100);
	run(NULL);
	assert_null(get("PAM-FAILLOCK-LOCKED"));
	/* the line's deny= overrides the file */
	put("etc/security/faillock.conf", "deny = 2\n");
	tally(2, (uint64_t)now - 30, 5);
	run(NULL);
	assert_non_null(get("PAM-FAILLOCK-LOCKED"));
	stack("auth requisite pam_faillock.so preauth deny=5\n", NULL);
	run(NULL);
	assert_null(get("PAM-FAILLOCK-LOCKED"));
	/* dir= from faillock.conf */
	put("etc/security/faillock.conf", "dir = /var/lib/fl\n");
	stack("auth requisite pam_faillock.so preauth\n", NULL);
	run(NULL);
	assert_null(get("PAM-FAILLOCK-LOCKED"));
	tally(3, (uint64_t)now - 30, 5);
	{
		char a[1024], b[1024];

		snprintf(a, sizeof(a), "%s/var/run/faillock/alice", root);
		snprintf(b, sizeof(b), "%s/var/lib/fl/alice", root);
		mkparents(b);
		assert_int_equal(rename(a, b), 0);
	}
	run(NULL);
	assert_non_null(get("PAM-FAILLOCK-LOCKED"));
	/* root: exempt unless even_deny_root */
	put("var/lib/fl/root", "");
	pw.pw_name = (char *)"root";
	pw.pw_uid = 0;
	run_as("root", NULL, NULL);
	assert_null(get("PAM-FAILLOCK-LOCKED"));
	pw.pw_name = (char *)"alice";
	pw.pw_uid = 1000;
	/* an expired pam_tally2 record and a live one */
	{
		unsigned char rec[64 * 1001];
		uint16_t cnt = 5;
		uint64_t t = (uint64_t)now - 10;

		memset(rec, 0, sizeof(rec));
		memcpy(rec + 1000 * 64 + 54, &cnt, 2);
		memcpy(rec + 1000 * 64 + 56, &t, 8);
		put_bytes("var/log/tallylog", rec, sizeof(rec));
		put(MODDIR "/pam_tally2.so", "");
		stack("auth required pam_tally2.so deny=3 unlock_time=600\n", NULL);
		run(NULL);
		assert_non_null(f = get("PAM-FAILLOCK-LOCKED"));
		assert_string_equal(f->file, "/var/log/tallylog");
		t = (uint64_t)now - 1000;
		memcpy(rec + 1000 * 64 + 56, &t, 8);
		put_bytes("var/log/tallylog", rec, sizeof(rec));
		run(NULL);
		assert_null(get("PAM-FAILLOCK-LOCKED"));
	}
}

/* ---- PAM-SUCCEED-IF-DENY / PAM-TIME-DENY --------------------------------- */

static void
test_succeed_if(void **state)
{
	const struct cvm_finding *f;

	(void)state;
	stack(NULL, "account requisite pam_succeed_if.so uid >= 1000 quiet\n");
	run(NULL);
	assert_null(get("PAM-SUCCEED-IF-DENY"));
	stack(NULL, "account requisite pam_succeed_if.so uid < 1000\n");
	run(NULL);
	assert_non_null(f = get("PAM-SUCCEED-IF-DENY"));
	assert_int_equal(f->sev, CVM_SEV_FAIL);
	assert_int_equal(f->blocks, CVM_M_ALL);
	assert_int_equal(f->line, 5);
	stack(NULL, "account required pam_succeed_if.so user ingroup wheel\n");
	run(NULL);
	assert_non_null(get("PAM-SUCCEED-IF-DENY"));
	stack(NULL, "account required pam_succeed_if.so user notingroup wheel shell =~ /bin/*sh\n");
	run(NULL);
	assert_null(get("PAM-SUCCEED-IF-DENY"));
	stack(NULL, "account required pam_succeed_if.so service in sshd:login user = alice\n");
	run(NULL);
	assert_null(get("PAM-SUCCEED-IF-DENY"));
	/* a sufficient line that fails just falls through */
	stack(NULL, "account sufficient pam_succeed_if.so uid < 1000\n");
	run(NULL);
	assert_non_null(f = get("PAM-SUCCEED-IF-DENY"));
	assert_int_equal(f->sev, CVM_SEV_WARN);
	assert_int_equal(f->blocks, 0);
	/* rhost without --from: cannot tell */
	stack(NULL, "account required pam_succeed_if.so rhost = 192.0.2.7\n");
	run(NULL);
	assert_non_null(f = get("PAM-SUCCEED-IF-DENY"));
	assert_int_equal(f->sev, CVM_SEV_INFO);
	run("192.0.2.7");
	assert_null(get("PAM-SUCCEED-IF-DENY"));
	run("192.0.2.8");
	assert_non_null(get("PAM-SUCCEED-IF-DENY"));
}

static void
test_time(void **state)
{
	const struct cvm_finding *f;

	(void)state;
	stack(NULL, "account required pam_time.so\n");
	put("etc/security/time.conf", "# comment\nsshd;*;alice;Al0000-2400\n");
	run(NULL);
	assert_null(get("PAM-TIME-DENY"));
	assert_true(passed("PAM-TIME-DENY"));
	put("etc/security/time.conf", "# comment\nsshd;*;alice;!Al0000-2400\n");
	run(NULL);
	assert_non_null(f = get("PAM-TIME-DENY"));
	assert_string_equal(f->file, "/etc/security/time.conf");
	assert_int_equal(f->line, 2);
	assert_int_equal(f->blocks, CVM_M_ALL);
	/* other services and users are not concerned */
	put("etc/security/time.conf", "login;*;alice;!Al0000-2400\nsshd;*;!alice;!Al0000-2400\n");
	run(NULL);
	assert_null(get("PAM-TIME-DENY"));
	/* a fixed "now": Wednesday 2026-11-25 12:00 local */
	{
		struct tm tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = 25,
			.tm_hour = 12, .tm_isdst = -1 };

		put("etc/security/time.conf", "sshd;*;alice;Wk0900-1700\n");
		A.now = mktime(&tm);
		cvm_audit_free(&A);
		cvm_audit_pam(&A);
		assert_null(get("PAM-TIME-DENY"));
		put("etc/security/time.conf", "sshd;*;alice;Wd0000-2400\n");
		cvm_audit_free(&A);
		cvm_audit_pam(&A);
		assert_non_null(get("PAM-TIME-DENY"));
	}
}

/* ---- PAM-MODULE-MISSING, PAM-SYNTAX -------------------------------------- */

static void
test_module_missing(void **state)
{
	const struct cvm_finding *f;

	(void)state;
	stack(NULL, "account required pam_gone.so\n");
	run(NULL);
	assert_non_null(f = get("PAM-MODULE-MISSING"));
	assert_int_equal(f->sev, CVM_SEV_FAIL);
	assert_int_equal(f->blocks, CVM_M_ALL);
	assert_string_equal(f->file, "/etc/pam.d/sshd");
	assert_int_equal(f->line, 5);
	stack(NULL, "account optional pam_gone.so\n");
	run(NULL);
	assert_non_null(f = get("PAM-MODULE-MISSING"));
	assert_int_equal(f->sev, CVM_SEV_INFO);
	assert_int_equal(f->blocks, 0);
	stack(NULL, "account [success=ok module_unknown=ignore default=bad] pam_gone.so\n");
	run(NULL);
	assert_int_equal(get("PAM-MODULE-MISSING")->sev, CVM_SEV_INFO);
	/* '-' only silences libpam's log: required still fails
	 * (tests/test_pamstack.c checks it against libpam) */
	stack(NULL, "-account required pam_gone.so\n");
	run(NULL);
	assert_int_equal(get("PAM-MODULE-MISSING")->sev, CVM_SEV_FAIL);
	/* an auth line: blocks the password only */
	stack("auth required /opt/pam/pam_gone.so\n", NULL);
	run(NULL);
	assert_int_equal(get("PAM-MODULE-MISSING")->blocks, CVM_M_PASSWORD);
	/* a session line: a restricted session, not a refusal */
	stack(NULL, NULL);
	put("etc/pam.d/sshd", "auth required pam_unix.so\naccount required pam_unix.so\n"
	    "session required pam_gone.so\n");
	run(NULL);
	assert_int_equal(get("PAM-MODULE-MISSING")->sev, CVM_SEV_WARN);
	assert_int_equal(get("PAM-MODULE-MISSING")->blocks, 0);
	/* not reached (after a sufficient success): not reported */
	put("etc/pam.d/sshd", "account sufficient pam_permit.so\naccount required pam_gone.so\n"
	    "auth required pam_unix.so\n");
	run(NULL);
	assert_null(get("PAM-MODULE-MISSING"));
}

static void
test_syntax(void **state)
{
	const struct cvm_finding *f;

	(void)state;
	stack(NULL, "bogus required pam_permit.so\n");
	run(NULL);
	assert_non_null(f = get("PAM-SYNTAX"));
	assert_int_equal(f->sev, CVM_SEV_FAIL);
	assert_string_equal(f->file, "/etc/pam.d/sshd");
	assert_int_equal(f->line, 5);
	/* a missing include */
	stack(NULL, "account include common-nothere\n");
	run(NULL);
	assert_non_null(f = get("PAM-SYNTAX"));
	assert_int_equal(f->line, 5);
	assert_non_null(strstr(f->detail, "common-nothere"));
	assert_int_equal(f->blocks, CVM_M_ALL);
	/* Debian's @include of a missing file: libpam refuses to start */
	put("etc/pam.d/sshd", "# x\n@include common-nothere\n");
	run(NULL);
	assert_non_null(f = get("PAM-SYNTAX"));
	assert_int_equal(f->blocks, CVM_M_ALL);
	assert_int_equal(f->line, 2);
	assert_non_null(strstr(f->detail, "every PAM call fails"));
	{
		int n = 0;

		for (size_t i = 0; i < A.n; i++)
			n += A.f[i].sev > CVM_SEV_PASS;
		assert_int_equal(n, 1);	/* one cause, one finding */
	}
	/* no session lines anywhere: pam_open_session fails (a restricted
	 * session); no account lines: every login fails */
	put("etc/pam.d/sshd", "auth required pam_unix.so\naccount required pam_unix.so\n");
	run(NULL);
	assert_non_null(f = get("PAM-SYNTAX"));
	assert_int_equal(f->sev, CVM_SEV_WARN);
	assert_non_null(strstr(f->detail, "session"));
	put("etc/pam.d/sshd", "auth required pam_unix.so\nsession required pam_unix.so\n");
	run(NULL);
	assert_non_null(f = get("PAM-SYNTAX"));
	assert_int_equal(f->sev, CVM_SEV_FAIL);
	assert_int_equal(f->blocks, CVM_M_ALL);
	/* a broken line nothing reaches only warns */
	put("etc/pam.d/sshd", "auth sufficient pam_permit.so\nauth\n"
	    "account required pam_unix.so\nsession required pam_unix.so\n");
	run(NULL);
	assert_non_null(f = get("PAM-SYNTAX"));
	assert_int_equal(f->sev, CVM_SEV_WARN);
	assert_int_equal(f->line, 2);
	/* a broken session line: sshd restricts the session, the login
	 * goes on */
	put("etc/pam.d/sshd", "auth required pam_unix.so\naccount required pam_unix.so\n"
	    "session required\n");
	run(NULL);
	assert_non_null(f = get("PAM-SYNTAX"));
	assert_int_equal(f->sev, CVM_SEV_WARN);
	assert_int_equal(f->blocks, 0);
	/* a good include */
	put("etc/pam.d/common-account", "account required pam_permit.so\n");
	stack(NULL, "@include common-account\n");
	run(NULL);
	assert_null(get("PAM-SYNTAX"));
	assert_true(passed("PAM-SYNTAX"));
	/* the service file missing: libpam uses other */
	{
		char p[1024];

		snprintf(p, sizeof(p), "%s/etc/pam.d/sshd", root);
		unlink(p);
	}
	put("etc/pam.d/other", "auth required pam_deny.so\naccount required pam_deny.so\n"
	    "session required pam_permit.so\n");
	run(NULL);
	assert_null(get("PAM-SYNTAX"));
	/* an include found only in /usr/lib/pam.d: upstream libpam (RHEL)
	 * finds it there, Debian's looks in /etc/pam.d only */
	put("usr/lib/pam.d/password-auth", "auth required pam_unix.so\n"
	    "account required pam_unix.so\nsession required pam_unix.so\n");
	put("etc/pam.d/sshd", "auth include password-auth\n"
	    "account include password-auth\nsession include password-auth\n");
	run(NULL);
	assert_non_null(f = get("PAM-SYNTAX"));
	assert_non_null(strstr(f->detail, "password-auth"));
	{
		char p[1024];

		snprintf(p, sizeof(p), "%s/etc/debian_version", root);
		assert_int_equal(unlink(p), 0);
	}
	run(NULL);
	assert_null(get("PAM-SYNTAX"));
	put("etc/debian_version", "12.11\n");
	/* /usr/lib/pam.d is read when /etc/pam.d has no file */
	put("etc/pam.d/sshd", "");
	{
		char p[1024];

		snprintf(p, sizeof(p), "%s/etc/pam.d/sshd", root);
		unlink(p);
	}
	put("usr/lib/pam.d/sshd", "auth required pam_unix.so\naccount required pam_nologin.so\n");
	put("etc/nologin", "x\n");
	run(NULL);
	assert_non_null(get("PAM-NOLOGIN"));
}

/* ---- POLICY-NOT-ENFORCED ------------------------------------------------ */

static void
test_policy_not_enforced(void **state)
{
	const struct cvm_finding *f;

	(void)state;
	stack(NULL, NULL);
	run(NULL);
	assert_null(get("POLICY-NOT-ENFORCED"));
	assert_true(passed("POLICY-NOT-ENFORCED"));
	/* without pam_cvmkey */
	put("etc/pam.d/sshd", "auth required pam_unix.so\naccount required pam_unix.so\n");
	run(NULL);
	assert_non_null(f = get("POLICY-NOT-ENFORCED"));
	assert_int_equal(f->sev, CVM_SEV_WARN);
	assert_int_equal(f->blocks, 0);
	/* after a sufficient pam_unix */
	put("etc/pam.d/sshd", "auth sufficient pam_unix.so\n"
	    "auth [success=ok ignore=ignore module_unknown=ignore default=bad] pam_cvmkey.so\n"
	    "auth required pam_deny.so\naccount required pam_unix.so\n");
	run(NULL);
	assert_non_null(f = get("POLICY-NOT-ENFORCED"));
	assert_int_equal(f->line, 1);
	/* Debian's common-auth jump skips to pam_permit: a pam_cvmkey after
	 * it in common-auth is never reached */
	put("etc/pam.d/common-auth", "auth [success=1 default=ignore] pam_unix.so\n"
	    "auth requisite pam_deny.so\nauth required pam_permit.so\n"
	    "auth [success=ok ignore=ignore module_unknown=ignore default=bad] pam_cvmkey.so\n");
	put("etc/pam.d/sshd", "@include common-auth\naccount required pam_unix.so\n");
	run(NULL);
	assert_null(get("POLICY-NOT-ENFORCED"));	/* reached: the jump lands on permit */
	put("etc/pam.d/common-auth", "auth [success=3 default=ignore] pam_unix.so\n"
	    "auth requisite pam_deny.so\nauth required pam_permit.so\n"
	    "auth [success=ok ignore=ignore module_unknown=ignore default=bad] pam_cvmkey.so\n"
	    "auth optional pam_permit.so\n");
	run(NULL);
	assert_non_null(get("POLICY-NOT-ENFORCED"));
	/* optional: its refusal is ignored */
	put("etc/pam.d/sshd", "auth optional pam_cvmkey.so\nauth required pam_unix.so\n"
	    "account required pam_unix.so\n");
	run(NULL);
	assert_non_null(get("POLICY-NOT-ENFORCED"));
	/* the diagnose line does not count */
	put("etc/pam.d/sshd", "auth required pam_unix.so\nauth optional pam_cvmkey.so diagnose\n"
	    "account required pam_unix.so\n");
	run(NULL);
	assert_non_null(get("POLICY-NOT-ENFORCED"));
	/* named but not installed */
	put("etc/pam.d/sshd", cvm_line);
	{
		char p[1024];

		snprintf(p, sizeof(p), "%s/" MODDIR "/pam_cvmkey.so", root);
		unlink(p);
	}
	run(NULL);
	assert_non_null(get("POLICY-NOT-ENFORCED"));
	/* no password reachable: nothing to enforce */
	put("etc/pam.d/sshd", "auth required pam_unix.so\naccount required pam_unix.so\n");
	run_as("alice", NULL, "UsePAM yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n");
	assert_null(get("POLICY-NOT-ENFORCED"));
	/* a password only after a key: a second factor, left alone */
	run_as("alice", NULL, "UsePAM yes\nPasswordAuthentication yes\n"
	    "AuthenticationMethods publickey,password\n");
	assert_null(get("POLICY-NOT-ENFORCED"));
	run_as("alice", NULL, "UsePAM yes\nPasswordAuthentication yes\n"
	    "AuthenticationMethods publickey,password password\n");
	assert_non_null(get("POLICY-NOT-ENFORCED"));
	/* kbd-interactive alone is enough */
	run_as("alice", NULL, "UsePAM yes\nPasswordAuthentication no\nKbdInteractiveAuthentication yes\n");
	assert_non_null(get("POLICY-NOT-ENFORCED"));
	/* UsePAM no: PAM is not used at all (SSHD-USEPAM-OFF is elsewhere) */
	put("etc/nologin", "x\n");
	run_as("alice", NULL, "UsePAM no\n");
	assert_null(get("POLICY-NOT-ENFORCED"));
	assert_null(get("PAM-NOLOGIN"));
}

/* A clean tree: every check ran and passed. */
static void
test_clean(void **state)
{
	(void)state;
	stack("auth requisite pam_faillock.so preauth\n",
	    "account required pam_nologin.so\naccount required pam_access.so\n"
	    "account required pam_time.so\n"
	    "account [success=ok default=bad] pam_succeed_if.so uid >= 1000\n"
	    "account required pam_listfile.so item=user sense=deny file=/etc/ssh/deny onerr=succeed\n");
	put("etc/security/access.conf", "+:ALL:ALL\n");
	put("etc/ssh/deny", "root\n");
	run("192.0.2.7");
	assert_no_pam();
	assert_null(get("POLICY-NOT-ENFORCED"));
	for (size_t i = 0; i < cvm_nchecks; i++)
		if (cvm_checks[i].step == 8 && !strncmp(cvm_checks[i].id, "PAM-", 4))
			assert_true(passed(cvm_checks[i].id));
}


/* ---- the predictions against the real modules ----------------------------
 * The same line and files run through libpam (pam_start_confdir, PAM_RHOST
 * and PAM_TTY as sshd sets them, user nobody of this machine) and through
 * the audit on the live root ("/", the stack read from the same confdir,
 * the files in a temporary directory): the module refuses exactly when
 * the audit reports a failing finding. */

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)msg;
	(void)data;
	*resp = calloc((size_t)n, sizeof(**resp));
	return *resp ? PAM_SUCCESS : PAM_BUF_ERR;
}

/* libpam's verdict (in a child: modules may leak), auth or account. */
static int
real_pam(const char *dir, int account, const char *rhost)
{
	int p[2], res = -1, st;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		struct pam_conv pc = { conv, NULL };
		pam_handle_t *ph;

		close(p[0]);
		res = pam_start_confdir("svc", "nobody", &pc, dir, &ph);
		if (res == PAM_SUCCESS) {
			if (rhost != NULL)
				pam_set_item(ph, PAM_RHOST, rhost);
			pam_set_item(ph, PAM_TTY, "ssh");
			res = account ? pam_acct_mgmt(ph, 0) : pam_authenticate(ph, 0);
			pam_end(ph, res);
		}
		_exit(write(p[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &res, sizeof(res)), sizeof(res));
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return res;
}

static int
audit_live(const char *dir, const char *id, const char *rhost)
{
	static const char *const nogroup[] = { "nogroup", NULL };
	struct passwd *nb = getpwnam("nobody");
	const struct cvm_finding *f;
	int refused;

	assert_non_null(nb);
	cvm_audit_free(&A);
	cvm_root_close(&A.root);
	memset(&A, 0, sizeof(A));
	assert_int_equal(cvm_root_init(&A.root, "/"), 0);
	A.user = "nobody";
	A.pw = nb;
	A.groups = nogroup;
	A.ngroups = 1;
	A.from = rhost;
	A.methods = CVM_M_ALL;
	A.pam_service = "SVC";		/* pam_start lower-cases it */
	A.pam_confdir = dir;		/* as pam_start_confdir() */
	cvm_audit_pam(&A);
	f = get(id);
	refused = f != NULL && f->sev == CVM_SEV_FAIL;
	return refused;
}

static void
oracle(const char *dir, const char *line, const char *file, const char *content,
    const char *id, const char *rhost)
{
	char svc[512], path[512], text[1024];
	int account = strncmp(line, "account", 7) == 0, real, mine;

	snprintf(svc, sizeof(svc), "%s/svc", dir);
	/* a permit after the line: an ignoring module leaves success */
	snprintf(text, sizeof(text), "auth required pam_permit.so\n%s\n"
	    "account required pam_permit.so\nsession required pam_permit.so\n",
	    line);
	assert_int_equal(tl_write(svc, 0644, text), 0);
	if (file != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		if (content != NULL)
			assert_int_equal(tl_write(path, 0644, content), 0);
		else
			unlink(path);
	}
	real = real_pam(dir, account, rhost);
	mine = audit_live(dir, id, rhost);
	if (getenv("CVM_TEST_DUMP"))
		fprintf(stderr, "# %d %d %s [%s]\n", real, mine, line,
		    content ? content : "");
	if ((real != PAM_SUCCESS) != mine) {
		dump();
		fail_msg("%s [%s] from %s: libpam %d, audit %s", line,
		    content ? content : "(no file)", rhost ? rhost : "-", real,
		    mine ? "refuses" : "lets in");
	}
}

static void
test_modules_vs_libpam(void **state)
{
	static const struct { const char *conf, *args, *rhost; } acc[] = {
		{ "+:ALL:ALL\n", "", "192.0.2.7" },
		{ "-:ALL EXCEPT root:ALL\n", "", "192.0.2.7" },
		{ "-:ALL EXCEPT nobody:ALL\n", "", "192.0.2.7" },
		{ "-:ALL EXCEPT (nogroup):ALL\n", "", "192.0.2.7" },
		{ "-:(nogroup):ALL\n", "", "192.0.2.7" },
		{ "-:(wheel):ALL\n", "", "192.0.2.7" },
		{ "-:nogroup:ALL\n", "", "192.0.2.7" },
		{ "-:nogroup:ALL\n", "nodefgroup", "192.0.2.7" },
		{ "-:ALL:LOCAL\n", "", "192.0.2.7" },
		{ "+:nobody:LOCAL\n-:ALL:ALL\n", "", "192.0.2.7" },
		{ "+:nobody:192.0.2.0/24\n-:ALL:ALL\n", "", "192.0.2.7" },
		{ "+:nobody:192.0.2.0/24\n-:ALL:ALL\n", "", "198.51.100.1" },
		{ "+:nobody:192.0.2.0/255.255.255.0\n-:ALL:ALL\n", "", "198.51.100.1" },
		{ "+:nobody:192.0.2.\n-:ALL:ALL\n", "", "192.0.2.7" },
		{ "+:nobody:192.0.2.\n-:ALL:ALL\n", "", "192.0.20.7" },
		{ "-:nobody:2001:db8::/32\n", "fieldsep=|", "2001:db8::5" },
		{ "-|nobody|2001:db8::/32\n", "fieldsep=|", "2001:db8::5" },
		{ "-|nobody|2001:db8::/32\n", "fieldsep=|", "2001:db9::5" },
		{ "-:nobody;bob:ALL\n", "listsep=;", "192.0.2.7" },
		{ "-:nobody bob:ALL\n", "listsep=;", "192.0.2.7" },
		{ "-:ALL:ALL EXCEPT 192.0.2.7\n", "", "192.0.2.7" },
		{ "-:ALL:ALL EXCEPT 192.0.2.7\n", "", "192.0.2.8" },
		{ "-:ALL EXCEPT bob EXCEPT nobody:ALL\n", "", "192.0.2.7" },
		{ "-:ALL:.example.com\n", "", "192.0.2.7" },
		{ "#-:ALL:ALL\n  \n-:NOBODY:ALL\n", "", "192.0.2.7" },
		{ "bad line\n+:ALL\n-:ALL:ALL", "", "192.0.2.7" },	/* no final \n */
		{ "x:ALL:ALL\n-:ALL:ALL\n", "", "192.0.2.7" },
	};
	static const struct { const char *args, *list; } lf[] = {
		{ "item=user sense=deny onerr=succeed", "bob\nnobody\n" },
		{ "item=user sense=deny onerr=succeed", "bob\n" },
		{ "item=user sense=allow onerr=succeed", "bob\n" },
		{ "item=user sense=allow onerr=succeed", "nobody\r\n" },
		{ "item=group sense=allow", "nogroup\n" },
		{ "item=group sense=deny", "nogroup\n" },
		{ "item=shell sense=allow", "/usr/sbin/nologin\n" },
		{ "item=tty sense=deny", "ssh\n" },
		{ "item=rhost sense=deny", "192.0.2.7\n" },
		{ "item=user sense=deny onerr=succeed", NULL },
		{ "item=user sense=deny onerr=fail", NULL },
		{ "item=user sense=deny", NULL },
		{ "item=user sense=allow apply=bob", "bob\n" },
		{ "item=user sense=allow apply=@nogroup", "bob\n" },
		{ "item=tty sense=deny apply=bob", "ssh\n" },
		{ "item=tty sense=deny apply=nobody", "ssh\n" },
		{ "item=tty sense=deny apply=@nogroup", "ssh\n" },
		{ "item=user sense=deny apply=", "bob\n" },
		{ "item=user sense=deny bogus=1 onerr=succeed", "nobody\n" },
		{ "item=user sense=deny onerr=succeed bogus=1", "nobody\n" },
		{ "item=user sense=deny onerr=succeed nonsense", "nobody\n" },
		{ "item=bogus sense=deny", "nobody\n" },
		{ "item=user onerr=succeed", "x\n" },
		{ "item=user", "x\n" },
	};
	static const char *const si[] = {
		"uid >= 1000", "uid < 1000", "user ingroup nogroup", "user ingroup wheel",
		"user notingroup wheel shell =~ */nologin", "user = nobody",
		"user in bob:nobody", "user notin bob:nobody", "gid eq 65534",
		"home != /nonexistent", "uid le 65534 uid gt 65533", "uid <",
		"bogusfield = 1", "rhost = 192.0.2.7", "tty = ssh", "user =~ no*",
		"service = svc", "service = sshd",
	};
	char *dir = tl_tmpdir(), line[1024];
	time_t now = time(NULL);

	(void)state;
	for (size_t i = 0; i < sizeof(acc) / sizeof(acc[0]); i++) {
		snprintf(line, sizeof(line), "account required pam_access.so "
		    "accessfile=%s/access.conf %s", dir, acc[i].args);
		oracle(dir, line, "access.conf", acc[i].conf, "PAM-ACCESS-DENY",
		    acc[i].rhost);
	}
	for (size_t i = 0; i < sizeof(lf) / sizeof(lf[0]); i++) {
		snprintf(line, sizeof(line), "account required pam_listfile.so "
		    "file=%s/list %s", dir, lf[i].args);
		oracle(dir, line, "list", lf[i].list, "PAM-LISTFILE-DENY", "192.0.2.7");
	}
	for (size_t i = 0; i < sizeof(si) / sizeof(si[0]); i++) {
		snprintf(line, sizeof(line), "account required pam_succeed_if.so "
		    "quiet %s", si[i]);
		oracle(dir, line, NULL, NULL, "PAM-SUCCEED-IF-DENY", "192.0.2.7");
	}
	/* faillock: tallies of 2, 3, old 3, spread 3 (fail_interval 60) */
	{
		static const struct { int n; long age, step; const char *args; } fl[] = {
			{ 2, 30, 5, "" }, { 3, 30, 5, "" }, { 3, 4000, 5, "" },
			{ 3, 4000, 5, "unlock_time=never" }, { 3, 300, 100, "fail_interval=60" },
			{ 3, 30, 5, "deny=4" }, { 5, 30, 1, "deny=5 unlock_time=20" },
		};
		char p[512];

		snprintf(p, sizeof(p), "%s/fl", dir);
		mkdir(p, 0755);
		for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
			unsigned char rec[64 * 8];

			memset(rec, 0, sizeof(rec));
			for (int k = 0; k < fl[i].n; k++) {
				uint16_t status = 1;
				uint64_t t = (uint64_t)(now - fl[i].age + k * fl[i].step);

				memcpy(rec + k * 64 + 54, &status, 2);
				memcpy(rec + k * 64 + 56, &t, 8);
			}
			snprintf(p, sizeof(p), "%s/fl/nobody", dir);
			{
				int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

				assert_true(fd >= 0);
				assert_int_equal(write(fd, rec, (size_t)fl[i].n * 64),
				    fl[i].n * 64);
				close(fd);
			}
			snprintf(line, sizeof(line), "auth requisite pam_faillock.so "
			    "preauth dir=%s/fl %s", dir, fl[i].args);
			oracle(dir, line, NULL, NULL, "PAM-FAILLOCK-LOCKED", NULL);
		}
	}
	/* pam_nologin with file= (the machine's own nologin files are not
	 * touched): present, absent, in auth and in account */
	snprintf(line, sizeof(line), "account required pam_nologin.so file=%s/nl", dir);
	oracle(dir, line, "nl", "maintenance\n", "PAM-NOLOGIN", NULL);
	oracle(dir, line, "nl", NULL, "PAM-NOLOGIN", NULL);
	snprintf(line, sizeof(line), "auth requisite pam_nologin.so file=%s/nl", dir);
	oracle(dir, line, "nl", "", "PAM-NOLOGIN", NULL);
	snprintf(line, sizeof(line), "account [success=ok ignore=ignore default=bad] "
	    "pam_nologin.so successok file=%s/nl", dir);
	oracle(dir, line, "nl", NULL, "PAM-NOLOGIN", NULL);
	/* pam_time: rules around this minute (away from its edges) */
	{
		static const char *const dn[] = { "Su", "Mo", "Tu", "We", "Th", "Fr", "Sa" };
		struct tm tm;
		char rule[256];
		int hm, lo, hi;

		localtime_r(&now, &tm);
		if (tm.tm_min >= 58 || tm.tm_hour == 0 || tm.tm_hour == 23)
			goto skip_time;	/* too close to an edge: these cases only */
		hm = tm.tm_hour * 100;
		lo = hm - 100;
		hi = hm + 100;
		{
			const char *rules[] = {
				"*;*;nobody;Al0000-2400\n", "*;*;nobody;!Al0000-2400\n",
				"*;*;bob;!Al0000-2400\n", "*;*;!bob;!Al0000-2400\n",
				"*;s*;nobody;!Al0000-2400\n", "*;*;no*;!al0000-2400\n",
				"*;*;nobody;Al0000-2400;x\n", "*;tty*;nobody;!Al0000-2400\n",
				"*;*;nobody & bob;!Al0000-2400\n", "*;*;nobody | bob;!Al0000-2400\n",
				"svc;*;nobody;!Al0000-2400\n", "sshd;*;nobody;!Al0000-2400\n",
				NULL,
			};
			for (size_t i = 0; rules[i] != NULL; i++) {
				snprintf(line, sizeof(line), "account required pam_time.so "
				    "conffile=%s/time.conf", dir);
				oracle(dir, line, "time.conf", rules[i], "PAM-TIME-DENY", NULL);
			}
		}
		snprintf(rule, sizeof(rule), "*;*;nobody;%s%04d-%04d\n", dn[tm.tm_wday], lo, hi);
		oracle(dir, line, "time.conf", rule, "PAM-TIME-DENY", NULL);
		snprintf(rule, sizeof(rule), "*;*;nobody;%s%04d-%04d\n", dn[(tm.tm_wday + 1) % 7], lo, hi);
		oracle(dir, line, "time.conf", rule, "PAM-TIME-DENY", NULL);
		snprintf(rule, sizeof(rule), "*;*;nobody;%s%s%04d-%04d\n", dn[tm.tm_wday],
		    dn[tm.tm_wday], lo, hi);	/* a day twice cancels */
		oracle(dir, line, "time.conf", rule, "PAM-TIME-DENY", NULL);
		snprintf(rule, sizeof(rule), "*;*;nobody;Wk%04d-%04d | Wd%04d-%04d\n",
		    hi, lo, hi, lo);	/* over midnight: now is outside */
		oracle(dir, line, "time.conf", rule, "PAM-TIME-DENY", NULL);
		snprintf(rule, sizeof(rule), "*;*;nobody;Al%04d-%04d\n", lo, hi);
		oracle(dir, line, "time.conf", rule, "PAM-TIME-DENY", NULL);
		snprintf(rule, sizeof(rule), "*;*;nobody;Al%04d-%04d\n", hi, hi + 100);
		oracle(dir, line, "time.conf", rule, "PAM-TIME-DENY", NULL);
	}
skip_time:
	tl_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_debian_stock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nologin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listfile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faillock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_succeed_if, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_module_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_not_enforced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modules_vs_libpam, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
