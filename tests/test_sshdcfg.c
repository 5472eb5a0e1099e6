/* lib/sshdcfg.c against the real sshd: every config under
 * tests/data/sshd/cases (and Debian's stock sshd_config) is read by
 * `sshd -T [-C ...]` and by cvm_sshd_load for the same connections, and
 * the outputs must be equal; configs sshd refuses must be refused (at the
 * same line).  Then the reader's own promises: problems, origins, root,
 * hostile files, speed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sshdcfg.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "tests"
#endif

static char tmp[256];		/* the test's directory */
static char cases[300];		/* its copy of tests/data/sshd/cases */
static char sshd[256];
static char hostkey[300];
static int have_sshd;		/* root, sshd, host key: comparisons run */

/* ---- helpers ------------------------------------------------------------ */

static char *
slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "r");
	char *b;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (b == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		fclose(f);
		return NULL;
	}
	b[n] = '\0';
	fclose(f);
	if (lenp)
		*lenp = (size_t)n;
	return b;
}

static void
put(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
puts_file(const char *path, const char *s)
{
	put(path, s, strlen(s));
}

static char *
path2(const char *a, const char *b)
{
	static char buf[8][600];
	static int i;

	size_t la = strlen(a), lb = strlen(b);

	i = (i + 1) % 8;
	assert_true(la + lb + 2 <= sizeof(buf[i]));
	memcpy(buf[i], a, la);
	buf[i][la] = '/';
	memcpy(buf[i] + la + 1, b, lb + 1);
	return buf[i];
}

/* copies src into dst replacing "@D@" with the copy's path */
static int
copy_tree(const char *src, const char *dst)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char s[600], t[600];

	if (mkdir(dst, 0755) != 0 && errno != EEXIST)
		return -1;
	if ((d = opendir(src)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(s, sizeof(s), "%s/%s", src, de->d_name);
		snprintf(t, sizeof(t), "%s/%s", dst, de->d_name);
		if (lstat(s, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (copy_tree(s, t) != 0) {
				closedir(d);
				return -1;
			}
		} else if (S_ISREG(st.st_mode)) {
			size_t n;
			char *b = slurp(s, &n), *p, *q;
			FILE *f = fopen(t, "w");

			if (b == NULL || f == NULL) {
				free(b);
				if (f)
					fclose(f);
				closedir(d);
				return -1;
			}
			for (p = b; (q = strstr(p, "@D@")) != NULL; p = q + 3) {
				fwrite(p, 1, (size_t)(q - p), f);
				fputs(cases, f);
			}
			fwrite(p, 1, n - (size_t)(p - b), f);
			fclose(f);
			free(b);
		}
	}
	closedir(d);
	return 0;
}

static void
rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	char p[600];

	if (d == NULL) {
		unlink(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rmtree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

/* runs argv with stdout/stderr to files; exit status (-1 if not run) */
static int
run(char *const argv[], const char *out, const char *err)
{
	pid_t pid;
	int st, fd;

	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0)
			dup2(fd, 1);
		if ((fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0)
			dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A -C spec turned into a conn; groups as sshd gets them (getgrouplist) */
struct conn {
	struct cvm_sshd_conn c;
	char buf[256];
	char *groups[64];
};

static void
conn_from_spec(struct conn *k, const char *spec)
{
	char *p, *s;
	struct passwd *pw;
	gid_t gids[64];
	int ng = 64, i;

	memset(k, 0, sizeof(*k));
	k->c.lport = -1;
	snprintf(k->buf, sizeof(k->buf), "%s", spec);
	for (s = k->buf; (p = strsep(&s, ",")) != NULL;) {
		if (strncmp(p, "user=", 5) == 0)
			k->c.user = p + 5;
		else if (strncmp(p, "host=", 5) == 0)
			k->c.host = p + 5;
		else if (strncmp(p, "addr=", 5) == 0)
			k->c.addr = p + 5;
		else if (strncmp(p, "laddr=", 6) == 0)
			k->c.laddr = p + 6;
		else if (strncmp(p, "lport=", 6) == 0)
			k->c.lport = atoi(p + 6);
		else if (strncmp(p, "rdomain=", 8) == 0)
			k->c.rdomain = p + 8;
	}
	if (k->c.user != NULL && (pw = getpwnam(k->c.user)) != NULL &&
	    getgrouplist(k->c.user, pw->pw_gid, gids, &ng) >= 0) {
		for (i = 0; i < ng && i < 64; i++) {
			struct group *g = getgrgid(gids[i]);
			if (g != NULL)
				k->groups[k->c.ngroups++] = strdup(g->gr_name);
		}
		k->c.groups = (const char *const *)k->groups;
	}
}

static void
conn_free(struct conn *k)
{
	size_t i;

	for (i = 0; i < k->c.ngroups; i++)
		free(k->groups[i]);
}

static char *
print_all(const struct cvm_sshd *c, int all)
{
	char *b = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&b, &n);

	assert_non_null(f);
	cvm_sshd_print(c, f, all);
	fclose(f);
	return b;
}

/* text without the hostkey lines (sshd -T gets -h) */
static void
drop_hostkeys(char *s)
{
	char *r = s, *w = s, *nl;

	while (*r) {
		nl = strchr(r, '\n');
		size_t len = nl ? (size_t)(nl - r + 1) : strlen(r);
		if (strncmp(r, "hostkey ", 8) != 0) {
			memmove(w, r, len);
			w += len;
		}
		r += len;
	}
	*w = '\0';
}

/* all values of one keyword in sshd -T output, joined with '\n' */
static char *
sshd_value(const char *out, const char *kw)
{
	size_t kl = strlen(kw), n = 0;
	char *res = calloc(1, strlen(out) + 1);
	const char *p = out, *nl;

	assert_non_null(res);
	while (*p) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if ((size_t)(nl - p) > kl && strncmp(p, kw, kl) == 0 && p[kl] == ' ') {
			if (n)
				res[n++] = '\n';
			memcpy(res + n, p + kl + 1, (size_t)(nl - p) - kl - 1);
			n += (size_t)(nl - p) - kl - 1;
		}
		p = *nl ? nl + 1 : nl;
	}
	res[n] = '\0';
	return res;
}

static const char *const login_set[] = {
	"usepam", "passwordauthentication", "kbdinteractiveauthentication",
	"pubkeyauthentication", "authenticationmethods", "permitrootlogin",
	"permitemptypasswords", "authorizedkeysfile", "authorizedkeyscommand",
	"authorizedkeyscommanduser", "trustedusercakeys",
	"authorizedprincipalsfile", "authorizedprincipalscommand",
	"pubkeyacceptedalgorithms", "requiredrsasize", "strictmodes",
	"maxauthtries", "allowusers", "denyusers", "allowgroups", "denygroups",
	"port", "usedns", "exposeauthinfo", NULL
};

static const char *const specs[] = {
	"",
	"user=root,host=client.example.com,addr=192.0.2.10,laddr=10.0.0.1,lport=22",
	"user=nobody,host=other.example.org,addr=10.1.2.3,laddr=10.0.0.1,lport=22",
	"user=alice,host=laptop.corp.example,addr=2001:db8::5,laddr=2001:db8::1,lport=2222",
	"user=daemon,host=h.EXAMPLE.com,addr=10.2.0.1,lport=22",
	"user=root,host=Client.Example.Com,addr=10.1.2.3,laddr=10.0.0.2,"
	    "lport=2222,rdomain=rd0",
	NULL
};

/* line number sshd names ("line N"), 0 if none */
static int
sshd_err_line(const char *err)
{
	const char *p = err;
	int n, last = 0;

	/* the last one: warnings about earlier lines come first */
	while ((p = strstr(p, "line ")) != NULL) {
		if (sscanf(p + 5, "%d", &n) == 1)
			last = n;
		p += 5;
	}
	return last;
}

static int ncompared, nfailcompared;

/* One config, one spec: sshd -T and the reader must agree. */
static void
compare_one(const char *file, const char *spec)
{
	char out[600], err[600], msg[1024];
	char *argv[10], *sout, *serr, *mine;
	struct cvm_sshd *c = NULL;
	struct conn k;
	int rc, r, i = 0, j;

	snprintf(out, sizeof(out), "%s/sshd.out", tmp);
	snprintf(err, sizeof(err), "%s/sshd.err", tmp);
	argv[i++] = sshd;
	argv[i++] = (char *)"-T";
	argv[i++] = (char *)"-h";
	argv[i++] = hostkey;
	argv[i++] = (char *)"-f";
	argv[i++] = (char *)file;
	if (*spec) {
		argv[i++] = (char *)"-C";
		argv[i++] = (char *)spec;
	}
	argv[i] = NULL;
	rc = run(argv, out, err);
	sout = slurp(out, NULL);
	serr = slurp(err, NULL);
	assert_non_null(sout);
	assert_non_null(serr);
	if (rc != 0 && strstr(serr, "not in connection test specification")) {
		/* sshd -T wants lport= for Match LocalPort; nothing to say */
		free(sout);
		free(serr);
		return;
	}
	conn_from_spec(&k, spec);
	msg[0] = '\0';
	r = cvm_sshd_load(NULL, file, *spec ? &k.c : NULL, &c, msg, sizeof(msg));
	conn_free(&k);
	if (rc != 0) {
		int sl = sshd_err_line(serr), ml = 0;
		const char *colon = strstr(msg, ".conf:");

		if (r == 0)
			print_message("sshd refused %s [%s]: %s\n", file, spec, serr);
		assert_int_equal(r, -1);
		assert_null(c);
		if (colon != NULL)
			ml = atoi(colon + 6);
		if (sl != 0 && ml != sl)
			print_message("%s [%s]\n sshd: %s me: %s\n", file, spec,
			    serr, msg);
		if (sl != 0)
			assert_int_equal(ml, sl);
		nfailcompared++;
		free(sout);
		free(serr);
		return;
	}
	if (r != 0)
		print_message("sshd accepted %s [%s], we said: %s\n", file, spec, msg);
	assert_int_equal(r, 0);
	mine = print_all(c, 1);
	drop_hostkeys(mine);
	drop_hostkeys(sout);
	if (strcmp(mine, sout) != 0)
		print_message("%s [%s]\n--- sshd -T\n%s--- cvm_sshd_print\n%s",
		    file, spec, sout, mine);
	assert_string_equal(mine, sout);
	/* and keyword by keyword through the API */
	for (j = 0; login_set[j] != NULL; j++) {
		char *want = sshd_value(sout, login_set[j]);
		const char *got = cvm_sshd_get(c, login_set[j]);

		assert_non_null(got);
		if (strcmp(want, got) != 0)
			print_message("%s [%s] %s: sshd '%s' us '%s'\n", file,
			    spec, login_set[j], want, got);
		assert_string_equal(got, want);
		free(want);
	}
	ncompared++;
	free(mine);
	cvm_sshd_free(c);
	free(sout);
	free(serr);
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- setup -------------------------------------------------------------- */

static void
make_chain(const char *name, int depth)
{
	char p[600], q[600], body[700];
	int i;

	/* name.conf includes name-1.conf ... includes name-<depth>.conf */
	for (i = 0; i <= depth; i++) {
		if (i == 0)
			snprintf(p, sizeof(p), "%s/%s.conf", cases, name);
		else
			snprintf(p, sizeof(p), "%s/%s.chain/%d.conf", cases, name, i);
		snprintf(q, sizeof(q), "%s/%s.chain/%d.conf", cases, name, i + 1);
		if (i < depth)
			snprintf(body, sizeof(body), "MaxAuthTries %d\nInclude %s\n",
			    i + 1, q);
		else
			snprintf(body, sizeof(body), "PasswordAuthentication no\n");
		puts_file(p, body);
	}
}

static int
setup(void **state)
{
	const char *env = getenv("SSHD");
	char out[600], err[600];
	struct stat st;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/cvm-sshdcfg-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return -1;
	chmod(tmp, 0755);
	snprintf(cases, sizeof(cases), "%s/cases", tmp);
	if (copy_tree(TEST_SRCDIR "/data/sshd/cases", cases) != 0)
		return -1;
	if (mkdir(path2(cases, "err-depth17.chain"), 0755) != 0 ||
	    mkdir(path2(cases, "depth16.chain"), 0755) != 0)
		return -1;
	make_chain("depth16", 16);		/* sshd's limit: accepted */
	make_chain("err-depth17", 17);		/* one more: refused */

	snprintf(sshd, sizeof(sshd), "%s", env && *env ? env : "/usr/sbin/sshd");
	have_sshd = geteuid() == 0 && access(sshd, X_OK) == 0;
	if (have_sshd && stat("/run/sshd", &st) != 0)
		(void)mkdir("/run/sshd", 0755);	/* sshd -T insists on it */
	if (have_sshd) {
		char *kg[] = { (char *)"/usr/bin/ssh-keygen", (char *)"-q",
		    (char *)"-t", (char *)"ed25519", (char *)"-N", (char *)"",
		    (char *)"-f", hostkey, NULL };

		snprintf(hostkey, sizeof(hostkey), "%s/hostkey", tmp);
		snprintf(out, sizeof(out), "%s/kg.out", tmp);
		snprintf(err, sizeof(err), "%s/kg.err", tmp);
		if (run(kg, out, err) != 0)
			have_sshd = 0;
	}
	if (have_sshd) {
		/* the defaults are one build's: compare with that version only */
		char *v[] = { sshd, (char *)"-V", NULL }, *txt, want[32];
		const char *hit;

		snprintf(out, sizeof(out), "%s/v.out", tmp);
		snprintf(err, sizeof(err), "%s/v.err", tmp);
		(void)run(v, out, err);
		txt = slurp(err, NULL);
		snprintf(want, sizeof(want), "OpenSSH_%s",
		    cvm_sshd_defaults_version());
		hit = txt ? strstr(txt, want) : NULL;
		if (hit == NULL || isdigit((unsigned char)hit[strlen(want)])) {
			print_message("# installed sshd is not %s: comparisons "
			    "not run\n", want);
			have_sshd = 0;
		}
		free(txt);
	}
	if (!have_sshd)
		print_message("# sshd comparisons not run: need root, %s and "
		    "ssh-keygen\n", sshd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (tmp[0])
		rmtree(tmp);
	return 0;
}

/* ---- comparisons with sshd ---------------------------------------------- */

static void
compare_cases(void **state)
{
	DIR *d;
	struct dirent *de;
	char *names[256];
	size_t n = 0, i, s;

	(void)state;
	if (!have_sshd)
		return;
	d = opendir(cases);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l > 5 && strcmp(de->d_name + l - 5, ".conf") == 0 && n < 256)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), strp_cmp);
	assert_true(n >= 55);
	for (i = 0; i < n; i++) {
		for (s = 0; specs[s] != NULL; s++)
			compare_one(path2(cases, names[i]), specs[s]);
		free(names[i]);
	}
	print_message("# %d configs x connections identical to sshd -T, "
	    "%d refused by both\n", ncompared, nfailcompared);
	assert_true(ncompared >= 150);
	assert_true(nfailcompared >= 150);
}

/* Debian's stock file as shipped (its Include names the live
 * /etc/ssh/sshd_config.d, which both read) */
static void
compare_debian_stock(void **state)
{
	size_t s;

	(void)state;
	if (!have_sshd)
		return;
	for (s = 0; specs[s] != NULL; s++)
		compare_one(TEST_SRCDIR "/data/sshd/debian/sshd_config", specs[s]);
	/* the built-in defaults themselves */
	compare_one("/dev/null", specs[0]);
	compare_one("/dev/null", specs[1]);
}

/* Hostile bytes: sshd's reading of them, not ours, decides. */
static void
compare_hostile(void **state)
{
	static const char nul1[] = "PermitRootLogin no\0garbage\n"
	    "PasswordAuthentication no\n\0\nUsePAM yes\n";
	static const char nul2[] = "PasswordAuthentication no\0\nPort 2222\n";
	static const char nul3[] = "  \0Port 2\nUsePAM yes\n";
	static const char crlf[] = "PasswordAuthentication no\r\nPort 2222\r\n"
	    "\tMaxAuthTries 3\f\n";
	static const char odd[] = "\"Port\" 2222\nPort=\"22\"\n=UsePAM yes\n"
	    "MaxAuthTries = = 3\n\"AuthorizedKeysFile .ssh/x\n"
	    "PermitRootLogin=no # c\n";
	const struct { const char *name; const char *data; size_t len; } f[] = {
		{ "h-nul1.conf", nul1, sizeof(nul1) - 1 },
		{ "h-nul2.conf", nul2, sizeof(nul2) - 1 },
		{ "h-nul3.conf", nul3, sizeof(nul3) - 1 },
		{ "h-crlf.conf", crlf, sizeof(crlf) - 1 },
		{ "h-odd.conf", odd, sizeof(odd) - 1 },
	};
	char *big, *p;
	size_t i, s, n = 200000;

	(void)state;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		put(path2(tmp, f[i].name), f[i].data, f[i].len);
	/* a very long line (sshd 9.x has no line length limit) */
	big = malloc(n + 64);
	assert_non_null(big);
	p = big + sprintf(big, "AllowUsers");
	for (i = 0; (size_t)(p - big) < n; i++)
		p += sprintf(p, " u%zu", i);
	p += sprintf(p, "\nPasswordAuthentication no\n");
	put(path2(tmp, "h-long.conf"), big, (size_t)(p - big));
	free(big);
	if (!have_sshd)
		return;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		for (s = 0; specs[s] != NULL; s++)
			compare_one(path2(tmp, f[i].name), specs[s]);
	compare_one(path2(tmp, "h-long.conf"), specs[1]);
}

/* ---- the reader's own promises (no sshd needed) -------------------------- */

static struct cvm_sshd *
load(const char *file, const struct cvm_sshd_conn *conn)
{
	struct cvm_sshd *c = NULL;
	char err[512];

	if (cvm_sshd_load(NULL, file, conn, &c, err, sizeof(err)) != 0)
		print_message("load %s: %s\n", file, err);
	assert_non_null(c);
	return c;
}

static int
has_problem(const struct cvm_sshd *c, const char *needle)
{
	size_t i;

	for (i = 0; i < cvm_sshd_nproblems(c); i++)
		if (strstr(cvm_sshd_problem(c, i), needle) != NULL)
			return 1;
	return 0;
}

static void
cloud_init_first_wins(void **state)
{
	struct cvm_sshd *c;
	const char *o;
	int line;

	(void)state;
	c = load(path2(cases, "cloud.conf"), NULL);
	/* 50-cloud-init.conf comes before 60-hardening.conf and before the
	 * main file's own lines: its "yes" is the one sshd uses */
	assert_string_equal(cvm_sshd_get(c, "PasswordAuthentication"), "yes");
	assert_int_equal(cvm_sshd_flag(c, "passwordauthentication"), 1);
	o = cvm_sshd_origin(c, "passwordauthentication", &line);
	assert_non_null(o);
	assert_non_null(strstr(o, "/cloud.d/50-cloud-init.conf"));
	assert_int_equal(line, 1);
	/* the drop-in's KbdInteractiveAuthentication beats the main file's */
	assert_int_equal(cvm_sshd_flag(c, "kbdinteractiveauthentication"), 1);
	assert_int_equal(cvm_sshd_flag(c, "ChallengeResponseAuthentication"), 1);
	assert_string_equal(cvm_sshd_get(c, "permitrootlogin"), "no");
	/* the main file's UsePAM yes, line 86 of Debian's file */
	assert_int_equal(cvm_sshd_flag(c, "usepam"), 1);
	o = cvm_sshd_origin(c, "usepam", &line);
	assert_non_null(strstr(o, "cloud.conf"));
	assert_true(line > 1);
	/* defaults have no origin */
	assert_null(cvm_sshd_origin(c, "maxauthtries", &line));
	assert_int_equal(line, 0);
	assert_string_equal(cvm_sshd_get(c, "maxauthtries"), "6");
	/* hidden and non-.conf files are not included */
	assert_int_equal(cvm_sshd_nproblems(c), 0);
	cvm_sshd_free(c);
}

static void
api(void **state)
{
	struct cvm_sshd *c;
	struct cvm_sshd_conn k = { .user = "root", .host = "client.example.com",
	    .addr = "192.0.2.10", .laddr = "10.0.0.1", .lport = 22 };
	char *s;

	(void)state;
	c = load(path2(cases, "glob.conf"), NULL);
	/* drop-ins first, main file's Port 2222 last */
	assert_string_equal(cvm_sshd_get(c, "port"), "22\n2200\n2222");
	assert_int_equal(cvm_sshd_count(c, "Port"), 3);
	assert_string_equal(cvm_sshd_value(c, "port", 2), "2222");
	assert_null(cvm_sshd_value(c, "port", 3));
	assert_string_equal(cvm_sshd_get(c, "allowusers"),
	    "root\nalice@192.0.2.0/24\nbob");
	assert_int_equal(cvm_sshd_count(c, "allowusers"), 3);
	assert_string_equal(cvm_sshd_get(c, "maxauthtries"), "4");
	assert_int_equal(cvm_sshd_flag(c, "pubkeyauthentication"), 1);
	/* no DenyUsers in denyusers? there is one: mallory */
	assert_string_equal(cvm_sshd_get(c, "denyusers"), "mallory");
	/* a plain Include that names nothing is a problem, an empty glob not */
	assert_true(has_problem(c, "missing.conf"));
	assert_false(has_problem(c, "none-"));
	/* single-valued keywords count 1; unknown ones 0 / NULL / -1 */
	assert_int_equal(cvm_sshd_count(c, "maxauthtries"), 1);
	assert_string_equal(cvm_sshd_value(c, "maxauthtries", 0), "4");
	assert_null(cvm_sshd_get(c, "nosuchkeyword"));
	assert_null(cvm_sshd_get(c, "include"));
	assert_int_equal(cvm_sshd_count(c, "nosuchkeyword"), 0);
	assert_int_equal(cvm_sshd_flag(c, "nosuchkeyword"), -1);
	assert_int_equal(cvm_sshd_flag(c, "permitrootlogin"), -1);
	assert_int_equal(cvm_sshd_flag(c, "maxauthtries"), -1);
	/* empty lists: "" (sshd -T prints no line) */
	assert_string_equal(cvm_sshd_get(c, "acceptenv"), "");
	assert_int_equal(cvm_sshd_count(c, "acceptenv"), 0);
	/* the fixed strings the policy code tests */
	assert_string_equal(cvm_sshd_get(c, "authorizedkeyscommand"), "none");
	assert_string_equal(cvm_sshd_get(c, "authenticationmethods"), "any");
	assert_string_equal(cvm_sshd_get(c, "trustedusercakeys"), "none");
	assert_string_equal(cvm_sshd_get(c, "authorizedkeysfile"),
	    ".ssh/authorized_keys .ssh/authorized_keys2");
	assert_string_equal(cvm_sshd_get(c, "requiredrsasize"), "1024");
	assert_string_equal(cvm_sshd_defaults_version(), "9.2");
	/* print: login set only, in sshd order */
	s = print_all(c, 0);
	assert_non_null(strstr(s, "port 22\nport 2200\nport 2222\n"));
	assert_non_null(strstr(s, "\npasswordauthentication yes\n"));
	assert_null(strstr(s, "ciphers"));
	assert_null(strstr(s, "acceptenv"));
	free(s);
	cvm_sshd_free(c);

	/* Match: values and origins for one connection */
	c = load(path2(cases, "match.conf"), &k);
	assert_int_equal(cvm_sshd_flag(c, "passwordauthentication"), 1);
	assert_string_equal(cvm_sshd_get(c, "permitrootlogin"),
	    "without-password");	/* prohibit-password prints like this */
	assert_string_equal(cvm_sshd_get(c, "authorizedkeysfile"),
	    "/etc/ssh/keys/%u %h/.ssh/authorized_keys");
	assert_string_equal(cvm_sshd_get(c, "authenticationmethods"),
	    "publickey,password publickey,keyboard-interactive");
	assert_string_equal(cvm_sshd_get(c, "requiredrsasize"), "3072");
	/* no groups given: Match Group root does not apply */
	assert_string_equal(cvm_sshd_get(c, "allowusers"), "");
	assert_int_equal(cvm_sshd_flag(c, "exposeauthinfo"), 0);
	{
		const char *o;
		int line;
		o = cvm_sshd_origin(c, "passwordauthentication", &line);
		assert_non_null(strstr(o, "match.conf"));
		assert_int_equal(line, 6);
	}
	cvm_sshd_free(c);
	/* Match Group uses the groups given */
	{
		static const char *const g[] = { "staff", "root" };
		k.groups = g;
		k.ngroups = 2;
		c = load(path2(cases, "match.conf"), &k);
		assert_int_equal(cvm_sshd_flag(c, "exposeauthinfo"), 1);
		assert_string_equal(cvm_sshd_get(c, "allowusers"), "root");
		cvm_sshd_free(c);
		k.groups = NULL;
		k.ngroups = 0;
	}
	/* NULL conn == a conn that knows nothing (only Match All applies) */
	{
		struct cvm_sshd_conn none = { .lport = -1 };
		struct cvm_sshd *a = load(path2(cases, "match.conf"), NULL);
		struct cvm_sshd *b = load(path2(cases, "match.conf"), &none);
		char *sa = print_all(a, 1), *sb = print_all(b, 1);
		assert_string_equal(sa, sb);
		assert_string_equal(cvm_sshd_get(a, "maxauthtries"), "5");
		assert_int_equal(cvm_sshd_flag(a, "passwordauthentication"), 0);
		free(sa);
		free(sb);
		cvm_sshd_free(a);
		cvm_sshd_free(b);
	}
	/* LocalPort: -1 is unknown, never a match */
	k.lport = -1;
	c = load(path2(cases, "negation.conf"), &k);
	assert_string_equal(cvm_sshd_get(c, "maxsessions"), "10");
	cvm_sshd_free(c);
	k.lport = 22;
	c = load(path2(cases, "negation.conf"), &k);
	assert_string_equal(cvm_sshd_get(c, "maxsessions"), "2");
	cvm_sshd_free(c);
}

static void
problems(void **state)
{
	struct cvm_sshd *c;
	char p[600];

	(void)state;
	c = load(path2(cases, "misc.conf"), NULL);
	assert_true(has_problem(c, "Protocol"));
	assert_true(has_problem(c, "UsePrivilegeSeparation"));
	assert_true(has_problem(c, "RSAAuthentication"));
	assert_non_null(strstr(cvm_sshd_problem(c, 0), "misc.conf:"));
	assert_null(cvm_sshd_problem(c, cvm_sshd_nproblems(c)));
	{
		const char *f;
		int line;

		assert_int_equal(cvm_sshd_problem_info(c, 0, &f, &line),
		    CVM_SSHD_PROBLEM_DEPRECATED);
		assert_non_null(strstr(f, "misc.conf"));
		assert_true(line > 40);
		assert_int_equal(cvm_sshd_problem_info(c, 99, &f, &line), -1);
		assert_null(f);
		assert_int_equal(line, 0);
	}
	cvm_sshd_free(c);
	c = load(path2(cases, "glob.conf"), NULL);
	assert_int_equal(cvm_sshd_nproblems(c), 1);
	{
		const char *f;
		int line;

		assert_int_equal(cvm_sshd_problem_info(c, 0, &f, &line),
		    CVM_SSHD_PROBLEM_INCLUDE_MISSING);
		assert_non_null(strstr(f, "glob.conf"));
		assert_int_equal(line, 4);
	}
	cvm_sshd_free(c);

	/* keywords of later OpenSSH versions: problems, not errors */
	snprintf(p, sizeof(p), "%s/newer.conf", tmp);
	puts_file(p, "PAMServiceName sshd\nPerSourcePenalties no\n"
	    "RefuseConnection no\nSshdSessionPath /usr/lib/openssh/sshd-session\n"
	    "Match User root\n\tPAMServiceName other\n\tPasswordAuthentication no\n");
	c = load(p, NULL);
	assert_int_equal(cvm_sshd_problem_info(c, 0, NULL, NULL),
	    CVM_SSHD_PROBLEM_NEWER);
	assert_true(has_problem(c, "newer.conf:1: PAMServiceName"));
	assert_true(has_problem(c, "PerSourcePenalties"));
	assert_true(has_problem(c, "RefuseConnection"));
	assert_true(has_problem(c, "SshdSessionPath"));
	assert_null(cvm_sshd_get(c, "pamservicename"));
	cvm_sshd_free(c);

	/* an Include naming a directory: read as empty, with a problem */
	snprintf(p, sizeof(p), "%s/incdir.conf", tmp);
	puts_file(p, "Include /tmp\nPort 2\n");
	c = load(p, NULL);
	assert_true(has_problem(c, "is a directory"));
	assert_int_equal(cvm_sshd_problem_info(c, 0, NULL, NULL),
	    CVM_SSHD_PROBLEM_INCLUDE_DIR);
	assert_string_equal(cvm_sshd_get(c, "port"), "2");
	cvm_sshd_free(c);

	/* a disabled method in one AuthenticationMethods list */
	snprintf(p, sizeof(p), "%s/am.conf", tmp);
	puts_file(p, "PasswordAuthentication no\n"
	    "AuthenticationMethods publickey,password publickey\n");
	c = load(p, NULL);
	assert_true(has_problem(c, "publickey,password"));
	assert_int_equal(cvm_sshd_problem_info(c, 0, NULL, NULL),
	    CVM_SSHD_PROBLEM_METHODS);
	cvm_sshd_free(c);
}

static void
expect_error(const char *name, const char *text, size_t len,
    const char *needle)
{
	struct cvm_sshd *c = (struct cvm_sshd *)1;
	char p[600], err[512];

	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	put(p, text, len);
	assert_int_equal(cvm_sshd_load(NULL, p, NULL, &c, err, sizeof(err)), -1);
	assert_null(c);
	if (strstr(err, needle) == NULL)
		print_message("%s: '%s' lacks '%s'\n", name, err, needle);
	assert_non_null(strstr(err, needle));
}

static void
errors(void **state)
{
	char p[600], q[700], err[64];
	struct cvm_sshd *c;

	(void)state;
	expect_error("e1.conf", "UsePAM yes\nBogus 1\n", 18,
	    "e1.conf:2: Bad configuration option: Bogus");
	expect_error("e2.conf", "UsePAM perhaps\n", 15,
	    "e2.conf:1: UsePAM: unsupported option \"perhaps\"");
	expect_error("e3.conf", "MaxAuthTries 99999999999\n", 25,
	    "e3.conf:1: MaxAuthTries integer value too large");
	expect_error("e4.conf", "Banner \"/etc/issue\n", 19,
	    "e4.conf:1: invalid quotes");
	expect_error("e5.conf", "Match User root\n  UseDNS yes\n", 28,
	    "e5.conf:2: Directive 'UseDNS' is not allowed within a Match block");
	expect_error("e6.conf", "Match Address 10.0.0.1/8\n", 25,
	    "e6.conf:1: Invalid Match Address argument '10.0.0.1/8'");
	expect_error("e7.conf", "Include /nonexistent-dir/*\nPort x\n", 33,
	    "e7.conf:2: Badly formatted port number.");
	/* the main file itself */
	assert_int_equal(cvm_sshd_load(NULL, "/nonexistent/sshd_config", NULL,
	    &c, err, sizeof(err)), -1);
	assert_null(c);
	assert_non_null(strstr(err, "/nonexistent/sshd_config"));
	/* a tiny error buffer still terminates */
	assert_int_equal(cvm_sshd_load(NULL, path2(cases, "err-bad-option.conf"),
	    NULL, &c, err, 8), -1);
	assert_true(strlen(err) < 8);
	assert_int_equal(cvm_sshd_load(NULL, path2(cases, "err-bad-option.conf"),
	    NULL, &c, NULL, 0), -1);
	/* an Include cycle stops at the depth limit */
	snprintf(p, sizeof(p), "%s/cycle.conf", tmp);
	snprintf(q, sizeof(q), "Include %s\n", p);
	puts_file(p, q);
	expect_error("cycle.conf", q, strlen(q), "Too many recursive");
}

static void
alarm_handler(int sig)
{
	(void)sig;
	_exit(99);	/* a hang fails the test binary loudly */
}

static void
hostile_files(void **state)
{
	char p[600], q[600], body[700];
	struct cvm_sshd *c;

	(void)state;
	signal(SIGALRM, alarm_handler);
	alarm(20);
	/* a FIFO as Include target: refused at once, no hang */
	snprintf(p, sizeof(p), "%s/fifo", tmp);
	assert_int_equal(mkfifo(p, 0600), 0);
	snprintf(body, sizeof(body), "Include %s\n", p);
	expect_error("fifo.conf", body, strlen(body), "not a regular file");
	/* ... or as the main file */
	assert_int_equal(cvm_sshd_load(NULL, p, NULL, &c, body, sizeof(body)), -1);
	/* a symlink loop */
	snprintf(p, sizeof(p), "%s/loop1", tmp);
	snprintf(q, sizeof(q), "%s/loop2", tmp);
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(symlink(p, q), 0);
	snprintf(body, sizeof(body), "Include %s\n", p);
	expect_error("loop.conf", body, strlen(body), "symbolic links");
	/* a glob matching the loop too */
	snprintf(body, sizeof(body), "Include %s/loop*\n", tmp);
	expect_error("loop2.conf", body, strlen(body), "symbolic links");
	/* /dev/zero: endless NULs are capped, not read forever */
	expect_error("zero.conf", "Include /dev/zero\n", 18, "too large");
	/* /dev/null reads as empty, as in sshd */
	c = load("/dev/null", NULL);
	assert_string_equal(cvm_sshd_get(c, "passwordauthentication"), "yes");
	cvm_sshd_free(c);
	alarm(0);
}

/* --root: absolute paths and symlinks resolve inside the tree */
static void
rooted(void **state)
{
	char r[600], p[700], err[512];
	struct cvm_sshd *c;

	(void)state;
	snprintf(r, sizeof(r), "%s/root", tmp);
	assert_int_equal(mkdir(r, 0755), 0);
	assert_int_equal(mkdir(path2(r, "etc"), 0755), 0);
	assert_int_equal(mkdir(path2(r, "etc/ssh"), 0755), 0);
	assert_int_equal(mkdir(path2(r, "etc/ssh/real.d"), 0755), 0);
	/* relative Include: against /etc/ssh of the tree; a directory symlink
	 * with an absolute target; a file symlink with an absolute target;
	 * a ".." escape attempt that must stop at the tree's root */
	puts_file(path2(r, "etc/ssh/sshd_config"),
	    "Include sshd_config.d/*.conf\n"
	    "Include /etc/ssh/abs.conf\n"
	    "Include ../../../../../escape.conf\n"
	    "PermitRootLogin yes\n");
	assert_int_equal(symlink("/etc/ssh/real.d", path2(r, "etc/ssh/sshd_config.d")), 0);
	puts_file(path2(r, "etc/ssh/real.d/10-a.conf"), "PasswordAuthentication no\n");
	assert_int_equal(symlink("/etc/ssh/target.conf", path2(r, "etc/ssh/abs.conf")), 0);
	puts_file(path2(r, "etc/ssh/target.conf"), "MaxAuthTries 2\n");
	puts_file(path2(r, "escape.conf"), "UsePAM yes\n");
	/* what an escape would find instead */
	puts_file(path2(tmp, "escape.conf"), "UsePAM no\nPermitRootLogin no\n");

	assert_int_equal(cvm_sshd_load(r, "/etc/ssh/sshd_config", NULL, &c, err,
	    sizeof(err)), 0);
	assert_int_equal(cvm_sshd_flag(c, "passwordauthentication"), 0);
	assert_string_equal(cvm_sshd_get(c, "maxauthtries"), "2");
	assert_int_equal(cvm_sshd_flag(c, "usepam"), 1);
	assert_string_equal(cvm_sshd_get(c, "permitrootlogin"), "yes");
	/* names as seen on the audited system */
	{
		int line;
		const char *o = cvm_sshd_origin(c, "passwordauthentication", &line);
		assert_string_equal(o, "/etc/ssh/sshd_config.d/10-a.conf");
		o = cvm_sshd_origin(c, "permitrootlogin", &line);
		assert_string_equal(o, "/etc/ssh/sshd_config");
		assert_int_equal(line, 4);
	}
	assert_int_equal(cvm_sshd_nproblems(c), 0);
	cvm_sshd_free(c);

	/* a symlink pointing at a host file resolves inside the tree */
	unlink(path2(r, "etc/ssh/sshd_config"));
	puts_file(path2(r, "etc/ssh/sshd_config"), "Include /etc/ssh/host.conf\n");
	assert_int_equal(symlink("../../../../../../../../etc/hostname",
	    path2(r, "etc/ssh/host.conf")), 0);
	assert_int_equal(cvm_sshd_load(r, "/etc/ssh/sshd_config", NULL, &c, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	/* the main file as a symlink with an absolute target */
	unlink(path2(r, "etc/ssh/sshd_config"));
	assert_int_equal(symlink("/etc/ssh/target.conf",
	    path2(r, "etc/ssh/sshd_config")), 0);
	assert_int_equal(cvm_sshd_load(r, "/etc/ssh/sshd_config", NULL, &c, err,
	    sizeof(err)), 0);
	assert_string_equal(cvm_sshd_get(c, "maxauthtries"), "2");
	cvm_sshd_free(c);
	/* "/" is the live system */
	snprintf(p, sizeof(p), "%s/etc/ssh/target.conf", r);
	assert_int_equal(cvm_sshd_load("/", p, NULL, &c, err, sizeof(err)), 0);
	cvm_sshd_free(c);
	/* a root that is not there */
	assert_int_equal(cvm_sshd_load("/nonexistent-root", "/etc/ssh/sshd_config",
	    NULL, &c, err, sizeof(err)), -1);
}


/* The PAM module reads the config on every password login. */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(compare_cases),
		cmocka_unit_test(compare_debian_stock),
		cmocka_unit_test(compare_hostile),
		cmocka_unit_test(cloud_init_first_wins),
		cmocka_unit_test(api),
		cmocka_unit_test(problems),
		cmocka_unit_test(errors),
		cmocka_unit_test(hostile_files),
		cmocka_unit_test(rooted),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
