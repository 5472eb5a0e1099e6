/* NSS lookups against the peer modules (issue 5, item 5).  One program,
 * four modes (bench/nss_bench.sh drives them; see bench/README.md):
 *
 *   nss_bench gen DIR N      the same N users in every module's format:
 *                            DIR/passwd (nss_files, extrausers, and
 *                            libnss-cache's passwd.cache), DIR/passwd.cache
 *                            .ixname/.ixuid (libnss-cache's sorted
 *                            indexes), DIR/passwd.makedb (input for
 *                            libnss-db's makedb) and DIR/bindings.db
 *                            (cvmkey's database, through lib/dbwrite.h)
 *   nss_bench gendoc FILE N  a `cvmkey apply` document of N accounts, each
 *                            with its user-private group and one key
 *   nss_bench run N MODULE=PATH...
 *                            dlopen()s each module (in a child process of
 *                            its own) and times its _nss_MODULE_getpwnam_r
 *                            and _nss_MODULE_getpwuid_r; run inside the
 *                            private mount namespace the script sets up
 *   nss_bench memfloor FILE  the machine's random-load latency over a
 *                            mapping of FILE's size (what a lookup's two
 *                            dependent reads cannot beat)
 *   nss_bench time PROG ARGS...
 *                            wall time and peak RSS of one command
 *
 * User k (0 <= k < N) is "user%07u" of 2k with uid = gid = 100000 + 2k;
 * the misses are the odd numbers in between (same name length, uids inside
 * the database's range), so no module answers a miss from a range check. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <nss.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "db.h"
#include "dbwrite.h"

#define UID_BASE 100000u
#define SEED 0x63766d6b6579ULL	/* fixed: every run, every module, the same sequence */

typedef enum nss_status (*getpwnam_fn)(const char *, struct passwd *, char *,
    size_t, int *);
typedef enum nss_status (*getpwuid_fn)(uid_t, struct passwd *, char *,
    size_t, int *);

static void
die(const char *what)
{
	fprintf(stderr, "nss_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
user_name(char *buf, size_t len, uint32_t num)
{
	snprintf(buf, len, "user%07u", num);
}

/* ---- gen ------------------------------------------------------------------ */

struct ixent {
	char key[32];
	long off;
};

static int
ixcmp(const void *a, const void *b)
{
	return strcmp(((const struct ixent *)a)->key, ((const struct ixent *)b)->key);
}

/* libnss-cache's index (its scripts/index.sh, nsscache's files.py): one
 * fixed-width entry per line, "KEY\0OFFSET\0" padded with NULs, then "\n",
 * sorted with strcmp (bsearch over the mapped file); written after
 * passwd.cache, as the module refuses an index older than the file. */
static void
write_index(const char *path, struct ixent *e, size_t n)
{
	size_t width = 0, i;
	char *line;
	FILE *f;

	qsort(e, n, sizeof(*e), ixcmp);
	for (i = 0; i < n; i++) {
		size_t w = strlen(e[i].key) + 1 + (size_t)snprintf(NULL, 0, "%ld", e[i].off) + 1;

		if (w > width)
			width = w;
	}
	if ((line = malloc(width + 1)) == NULL || (f = fopen(path, "w")) == NULL)
		die(path);
	for (i = 0; i < n; i++) {
		int k;

		memset(line, 0, width + 1);
		k = snprintf(line, width, "%s", e[i].key);
		snprintf(line + k + 1, width - (size_t)k - 1, "%ld", e[i].off);
		line[width] = '\n';
		if (fwrite(line, 1, width + 1, f) != width + 1)
			die(path);
	}
	if (fclose(f) != 0)
		die(path);
	free(line);
}

static void
gen(const char *dir, uint32_t n)
{
	struct ixent *byname, *byuid;
	struct cvm_dbm m;
	char path[4096], name[32], err[256];
	FILE *pw, *mk;
	long off = 0;
	int lock;

	if ((byname = calloc(n, sizeof(*byname))) == NULL ||
	    (byuid = calloc(n, sizeof(*byuid))) == NULL)
		die("calloc");
	snprintf(path, sizeof(path), "%s/passwd", dir);
	if ((pw = fopen(path, "w")) == NULL)
		die(path);
	snprintf(path, sizeof(path), "%s/passwd.makedb", dir);
	if ((mk = fopen(path, "w")) == NULL)
		die(path);
	cvm_dbm_init(&m);
	m.uid_min = m.gid_min = UID_BASE;
	m.uid_max = m.gid_max = UID_BASE + 2 * n;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t id = UID_BASE + 2 * k;
		struct cvm_dbm_user *u;
		char line[256], home[64], gecos[32];
		int len;

		user_name(name, sizeof(name), 2 * k);
		snprintf(home, sizeof(home), "/home/%s", name);
		snprintf(gecos, sizeof(gecos), "User %u", 2 * k);
		len = snprintf(line, sizeof(line), "%s:x:%u:%u:%s:%s:/bin/bash\n",
		    name, id, id, gecos, home);
		if (fputs(line, pw) == EOF)
			die("passwd");
		snprintf(byname[k].key, sizeof(byname[k].key), "%s", name);
		snprintf(byuid[k].key, sizeof(byuid[k].key), "%u", id);
		byname[k].off = byuid[k].off = off;
		off += len;
		/* libnss-db's /var/lib/misc/Makefile: "0<n>", ".<name>" and
		 * "=<uid>" keys, each followed by the passwd line */
		line[len - 1] = '\0';
		if (fprintf(mk, "0%u %s\n.%s %s\n=%u %s\n", k, line, name, line,
		    id, line) < 0)
			die("passwd.makedb");
		if ((u = cvm_dbm_add_user(&m, name)) == NULL)
			die("cvm_dbm_add_user");
		u->uid = u->gid = id;
		u->flags = CVM_DBU_PROVISIONED;
		if (cvm_dbm_set_str(&u->gecos, gecos) != 0 ||
		    cvm_dbm_set_str(&u->home, home) != 0 ||
		    cvm_dbm_set_str(&u->shell, "/bin/bash") != 0)
			die("cvm_dbm_set_str");
	}
	if (fclose(pw) != 0 || fclose(mk) != 0)
		die("fclose");
	snprintf(path, sizeof(path), "%s/passwd.cache.ixname", dir);
	write_index(path, byname, n);
	snprintf(path, sizeof(path), "%s/passwd.cache.ixuid", dir);
	write_index(path, byuid, n);
	free(byname);
	free(byuid);

	snprintf(path, sizeof(path), "%s/bindings.db", dir);
	unlink(path);
	if ((lock = cvm_db_lock(path, err, sizeof(err))) < 0 ||
	    cvm_dbm_write(path, &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "nss_bench: %s: %s\n", path, err);
		exit(1);
	}
	cvm_db_unlock(lock);
	cvm_dbm_free(&m);
}

/* ---- gendoc --------------------------------------------------------------- */

static void
b64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = tab[(v >> 6) & 63];
		*out++ = tab[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);

		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

static void
gendoc(const char *path, uint32_t n)
{
	/* an ssh-ed25519 public key blob: string "ssh-ed25519", string 32 bytes */
	unsigned char blob[4 + 11 + 4 + 32] = { 0, 0, 0, 11, 's', 's', 'h', '-',
		'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32 };
	char key[128], name[32];
	uint64_t s = SEED;
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		die(path);
	fputs("{\"schema\":1,\"accounts\":[\n", f);
	for (uint32_t k = 0; k < n; k++) {
		for (int i = 0; i < 32; i += 8) {
			uint64_t r = splitmix(&s);

			memcpy(blob + 19 + i, &r, 8);
		}
		b64(blob, sizeof(blob), key);
		user_name(name, sizeof(name), k);
		fprintf(f, "%s{\"name\":\"%s\",\"uid\":%u,\"gid\":%u,\"gecos\":\"User %u\","
		    "\"home\":\"/home/%s\",\"shell\":\"/bin/bash\",\"keys\":[{\"key\":"
		    "\"ssh-ed25519 %s\",\"label\":\"console\"}]}\n", k ? "," : "",
		    name, UID_BASE + k, UID_BASE + k, k, name, key);
	}
	fputs("],\"groups\":[\n", f);
	for (uint32_t k = 0; k < n; k++) {
		user_name(name, sizeof(name), k);
		fprintf(f, "%s{\"name\":\"%s\",\"gid\":%u,\"members\":[]}\n",
		    k ? "," : "", name, UID_BASE + k);
	}
	fputs("]}\n", f);
	if (fclose(f) != 0)
		die(path);
}

/* ---- time ----------------------------------------------------------------- */

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int
time_cmd(char **argv)
{
	struct rusage ru;
	double t0 = now_ns();
	pid_t pid;
	int st;

	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (devnull >= 0)
			dup2(devnull, 1);	/* apply prints one line per change */
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) != pid)
		die("wait4");
	printf("wall %.2f s, peak RSS %ld MiB, user %.2f s, system %.2f s, exit %d\n",
	    (now_ns() - t0) / 1e9, ru.ru_maxrss / 1024,
	    (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
	    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* ---- run ------------------------------------------------------------------ */

/* Files each module reads for passwd (its fixed paths; cvm: CVMKEY_DB). */
static const struct {
	const char *module, *files[3];
} module_files[] = {
	{ "files", { "/etc/passwd" } },
	{ "extrausers", { "/var/lib/extrausers/passwd" } },
	{ "cache", { "/etc/passwd.cache", "/etc/passwd.cache.ixname", "/etc/passwd.cache.ixuid" } },
	{ "db", { "/var/lib/misc/passwd.db" } },
	{ "cvm", { NULL } },
};

/* The i-th data file of module, or NULL. */
static const char *
module_file(const char *module, size_t i)
{
	for (size_t k = 0; k < sizeof(module_files) / sizeof(module_files[0]); k++) {
		if (strcmp(module_files[k].module, module) != 0 || i >= 3)
			continue;
		if (strcmp(module, "cvm") == 0)
			return i == 0 ? getenv("CVMKEY_DB") : NULL;
		return module_files[k].files[i];
	}
	return NULL;
}

static long
files_kib(const char *module)
{
	struct stat st;
	const char *p;
	long sum = 0;

	for (size_t i = 0; (p = module_file(module, i)) != NULL; i++)
		if (stat(p, &st) == 0)
			sum += (long)st.st_size;
	return sum / 1024;
}

/* Resident KiB of the process's mappings of module's data files (smaps). */
static long
mapped_kib(const char *module)
{
	char line[4352];
	long sum = 0, v;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (f == NULL)
		die("/proc/self/smaps");
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long a, b;
		const char *p;
		char *path;

		if (sscanf(line, "%lx-%lx ", &a, &b) == 2) {
			line[strcspn(line, "\n")] = '\0';
			path = strchr(line, '/');
			in = 0;
			for (size_t i = 0; path != NULL && (p = module_file(module, i)) != NULL; i++)
				in |= strcmp(path, p) == 0;
		} else if (in && sscanf(line, "Rss: %ld", &v) == 1)
			sum += v;
	}
	fclose(f);
	return sum;
}

struct rss {
	long total, anon, file;	/* KiB: VmRSS, RssAnon, RssFile + RssShmem */
};

static void
rss_kib(struct rss *r)
{
	char line[256];
	long v;
	FILE *f = fopen("/proc/self/status", "re");

	if (f == NULL)
		die("/proc/self/status");
	memset(r, 0, sizeof(*r));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			r->total = v;
		else if (sscanf(line, "RssAnon: %ld", &v) == 1)
			r->anon = v;
		else if (sscanf(line, "RssFile: %ld", &v) == 1 ||
		    sscanf(line, "RssShmem: %ld", &v) == 1)
			r->file += v;
	}
	fclose(f);
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct seq {
	uint32_t num;	/* the name's number: even = a user, odd = a miss */
};

struct opts {
	size_t max_iter, min_iter;
	double budget_ns;
};

/* Times lookups over seq until max_iter or the budget (at least min_iter);
 * returns how many ran, their times in t; counts wrong answers. */
static size_t
time_lookups(getpwnam_fn nam, getpwuid_fn uid, const struct seq *seq,
    const struct opts *o, double *t, long *wrong, const char *module)
{
	char buf[4096], name[32];
	double start = now_ns(), t1 = start;
	size_t i;

	for (i = 0; i < o->max_iter; i++) {
		struct passwd pw;
		uint32_t num = seq[i].num, id = UID_BASE + num;
		int hit = num % 2 == 0, e = 0, ok;
		enum nss_status st;
		double t0;

		if (i >= o->min_iter && t1 - start > o->budget_ns)
			break;
		memset(&pw, 0, sizeof(pw));
		if (nam != NULL) {
			user_name(name, sizeof(name), num);
			t0 = now_ns();
			st = nam(name, &pw, buf, sizeof(buf), &e);
			t1 = now_ns();
		} else {
			t0 = now_ns();
			st = uid(id, &pw, buf, sizeof(buf), &e);
			t1 = now_ns();
			user_name(name, sizeof(name), num);
		}
		t[i] = t1 - t0;
		ok = hit ? st == NSS_STATUS_SUCCESS && pw.pw_name != NULL &&
		    strcmp(pw.pw_name, name) == 0 && pw.pw_uid == id && pw.pw_gid == id :
		    st == NSS_STATUS_NOTFOUND;
		if (!ok && (*wrong)++ == 0)
			fprintf(stderr, "nss_bench: %s: wrong answer for %s %s (uid %u):"
			    " status %d, errno %d\n", module, hit ? "user" : "miss",
			    name, id, (int)st, e);
	}
	return i;
}

static void
run_module(uint32_t n, const char *spec, const struct seq *seq, const struct opts *o)
{
	char module[64], sym[128];
	const char *path = strchr(spec, '=');
	getpwnam_fn nam;
	getpwuid_fn uid;
	double *tn, *tu;
	size_t nn, nu;
	struct rss rss0, rss1;
	long wrong = 0, mapped;
	void *h;

	if (path == NULL || (size_t)(path - spec) >= sizeof(module)) {
		fprintf(stderr, "nss_bench: bad module %s (NAME=PATH)\n", spec);
		exit(2);
	}
	memcpy(module, spec, (size_t)(path - spec));
	module[path - spec] = '\0';
	path++;
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "nss_bench: %s\n", dlerror());
		exit(1);
	}
	snprintf(sym, sizeof(sym), "_nss_%s_getpwnam_r", module);
	*(void **)&nam = dlsym(h, sym);
	snprintf(sym, sizeof(sym), "_nss_%s_getpwuid_r", module);
	*(void **)&uid = dlsym(h, sym);
	if (nam == NULL || uid == NULL) {
		fprintf(stderr, "nss_bench: %s: no %s\n", path, sym);
		exit(1);
	}
	if ((tn = calloc(o->max_iter, sizeof(double))) == NULL ||
	    (tu = calloc(o->max_iter, sizeof(double))) == NULL)
		die("calloc");
	memset(tn, 1, o->max_iter * sizeof(double));	/* resident before rss0 */
	memset(tu, 1, o->max_iter * sizeof(double));
	rss_kib(&rss0);
	nn = time_lookups(nam, NULL, seq, o, tn, &wrong, module);
	nu = time_lookups(NULL, uid, seq, o, tu, &wrong, module);
	rss_kib(&rss1);
	mapped = mapped_kib(module);
	/* after the RSS reading: glibc's qsort allocates a copy */
	qsort(tn, nn, sizeof(double), dcmp);
	qsort(tu, nu, sizeof(double), dcmp);
	printf("%u %s %.0f %.0f %.0f %.0f %zu %zu %ld %ld %ld %ld %ld %ld\n", n,
	    module, tn[nn / 2], tn[nn * 99 / 100], tu[nu / 2], tu[nu * 99 / 100],
	    nn, nu, rss1.total - rss0.total, rss1.anon - rss0.anon,
	    rss1.file - rss0.file, mapped, files_kib(module), wrong);
	fflush(stdout);
	exit(wrong == 0 ? 0 : 3);
}

static double
timer_overhead(void)
{
	double t[10001];

	for (int i = 0; i < 10001; i++) {
		double t0 = now_ns();

		t[i] = now_ns() - t0;
	}
	qsort(t, 10001, sizeof(double), dcmp);
	return t[5000];
}

static int
run(uint32_t n, int nmod, char **mods)
{
	struct opts o = { 200000, 200, 2e9 };
	struct seq *seq;
	uint64_t s = SEED;
	const char *v;
	int fails = 0;

	if ((v = getenv("NSS_BENCH_ITER")) != NULL)
		o.max_iter = strtoul(v, NULL, 10);
	if ((v = getenv("NSS_BENCH_BUDGET")) != NULL)
		o.budget_ns = strtod(v, NULL) * 1e9;
	if (o.min_iter > o.max_iter)
		o.min_iter = o.max_iter;
	if (o.max_iter == 0 || (seq = calloc(o.max_iter, sizeof(*seq))) == NULL)
		die("calloc");
	/* 90 % hits, uniform over the users; 10 % misses */
	for (size_t i = 0; i < o.max_iter; i++) {
		uint32_t k = (uint32_t)(splitmix(&s) % n);

		seq[i].num = splitmix(&s) % 10 == 0 ? 2 * k + 1 : 2 * k;
	}
	printf("# timer overhead %.0f ns (median of a back-to-back clock_gettime pair)\n",
	    timer_overhead());
	printf("# users module nam_median_ns nam_p99_ns uid_median_ns uid_p99_ns"
	    " nam_lookups uid_lookups rss_growth_kib anon_kib file_kib"
	    " mapped_data_kib data_size_kib wrong\n");
	fflush(stdout);
	for (int i = 0; i < nmod; i++) {
		pid_t pid;
		int st;

		/* a process per module: its RSS growth is its own */
		if ((pid = fork()) == -1)
			die("fork");
		if (pid == 0)
			run_module(n, mods[i], seq, &o);
		if (waitpid(pid, &st, 0) != pid)
			die("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "nss_bench: %s failed (status %d)\n", mods[i], st);
			fails++;
		}
	}
	free(seq);
	return fails ? 1 : 0;
}

/* The memory floor at this file size: median ns of one, and of two
 * dependent, 8-byte loads at random offsets of the file mapped whole and
 * resident (a hash-slot read, then the record it points to). */
static int
memfloor(const char *path)
{
	enum { N = 200001 };
	static double t1[N], t2[N];
	volatile uint64_t sink = 0;
	const unsigned char *base;
	uint64_t s = SEED, words;
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 || fstat(fd, &st) == -1)
		die(path);
	words = (uint64_t)st.st_size / 8;
	base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (base == MAP_FAILED || words == 0)
		die("mmap");
	close(fd);
	for (int i = 0; i < N; i++) {
		uint64_t a = splitmix(&s) % words, v;
		double t0 = now_ns();

		memcpy(&v, base + a * 8, 8);
		t1[i] = now_ns() - t0;
		sink += v;
		a = splitmix(&s) % words;
		t0 = now_ns();
		memcpy(&v, base + a * 8, 8);
		memcpy(&v, base + ((v ^ a) % words) * 8, 8);
		t2[i] = now_ns() - t0;
		sink += v;
	}
	qsort(t1, N, sizeof(double), dcmp);
	qsort(t2, N, sizeof(double), dcmp);
	printf("# memory floor, %lld KiB mapped: one random load %.0f ns, two dependent %.0f ns (medians)\n",
	    (long long)st.st_size / 1024, t1[N / 2], t2[N / 2]);
	(void)sink;
	return 0;
}

static uint32_t
parse_n(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > 2000000) {
		fprintf(stderr, "nss_bench: bad user count %s (1..2000000)\n", s);
		exit(2);
	}
	return (uint32_t)v;
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "gen") == 0) {
		gen(argv[2], parse_n(argv[3]));
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "gendoc") == 0) {
		gendoc(argv[2], parse_n(argv[3]));
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "run") == 0)
		return run(parse_n(argv[2]), argc - 3, argv + 3);
	if (argc == 3 && strcmp(argv[1], "memfloor") == 0)
		return memfloor(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "time") == 0)
		return time_cmd(argv + 2);
	fprintf(stderr, "usage: nss_bench gen DIR N | gendoc FILE N | "
	    "run N MODULE=PATH... | memfloor FILE | time PROG ARGS...\n");
	return 2;
}
