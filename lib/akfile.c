/* authorized_keys, read as sshd reads it (auth2-pubkeyfile.c auth_openfile,
 * misc.c safe_path), in a forked child holding the user's credentials.
 *
 * Why a child process and not a thread: a thread could take the user's
 * credentials with raw system calls (they are per thread in the kernel),
 * but glibc's set*id()/setgroups() broadcast to every thread and abort()
 * when one of them cannot follow, and a thread blocked in a hung file
 * system blocks that broadcast for good: sshd's next seteuid() would then
 * abort or hang.  A child is killed at the deadline and left behind. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "akfile.h"
#include "strutil.h"

char *
cvm_akfile_expand(const char *tmpl, const struct cvm_creds *cr)
{
	char uidstr[24], *exp = NULL, *out = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(uidstr, sizeof(uidstr), "%lu", (unsigned long)cr->uid);
	if ((f = open_memstream(&exp, &len)) == NULL)
		return NULL;
	for (const char *p = tmpl; *p != '\0'; p++) {
		if (*p != '%') {
			fputc(*p, f);
			continue;
		}
		switch (*++p) {
		case 'h': fputs(cr->home, f); break;
		case 'u': fputs(cr->name, f); break;
		case 'U': fputs(uidstr, f); break;
		case '%': fputc('%', f); break;
		default:	/* sshd: fatal "unknown key" */
			fclose(f);
			free(exp);
			return NULL;
		}
	}
	if (fclose(f) != 0) {
		free(exp);
		return NULL;
	}
	/* Like sshd: a path that is not absolute after expansion is
	 * relative to the home directory. */
	if (exp[0] == '/')
		return exp;
	if (asprintf(&out, "%s/%s", cr->home, exp) == -1)
		out = NULL;
	free(exp);
	return out;
}

/* sshd's safe_path: the file and every directory above it up to the home
 * (or /) owned by root or the user and not group/world-writable. */
static int
safe_path(const char *path, const struct stat *fst, const char *home,
    uid_t uid, char *why, size_t whylen)
{
	char buf[PATH_MAX], homedir[PATH_MAX];
	int comparehome = 0;
	struct stat st;

	if (realpath(path, buf) == NULL) {
		snprintf(why, whylen, "realpath %s failed: %s", path, strerror(errno));
		return -1;
	}
	if (home != NULL && realpath(home, homedir) != NULL)
		comparehome = 1;
	if ((fst->st_uid != 0 && fst->st_uid != uid) || (fst->st_mode & 022) != 0) {
		snprintf(why, whylen, "bad ownership or modes for file %s", buf);
		return -1;
	}
	for (;;) {
		char *slash = strrchr(buf, '/');

		if (slash == NULL)
			break;
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(buf, &st) == -1 ||
		    (st.st_uid != 0 && st.st_uid != uid) || (st.st_mode & 022) != 0) {
			snprintf(why, whylen, "bad ownership or modes for directory %s", buf);
			return -1;
		}
		if (comparehome && strcmp(homedir, buf) == 0)
			break;
		if (strcmp(buf, "/") == 0)
			break;
	}
	return 0;
}

int
cvm_user_groups(const char *name, gid_t gid, gid_t **gids, size_t *n)
{
	int cap = 32;

	*gids = NULL;
	*n = 0;
	for (;;) {
		int got = cap;
		gid_t *g = realloc(*gids, (size_t)cap * sizeof(gid_t));

		if (g == NULL)
			break;
		*gids = g;
		if (getgrouplist(name, gid, g, &got) != -1) {
			*n = (size_t)got;
			return 0;
		}
		if (got <= cap || got > 65536)
			break;
		cap = got;
	}
	free(*gids);
	*gids = NULL;
	return -1;
}

static void
read_one(const struct cvm_creds *cr, int strict, struct cvm_akread *f)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd = -1;

	f->status = -1;
	if ((fd = open(f->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			f->status = 1;
		snprintf(f->why, sizeof(f->why), "%s: %s", f->path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(f->why, sizeof(f->why), "%s is not a regular file", f->path);
		goto out;
	}
	if (strict && safe_path(f->path, &st, cr->home, cr->uid, f->why,
	    sizeof(f->why)) != 0)
		goto out;
	if ((size_t)st.st_size > CVM_AKFILE_MAX) {
		snprintf(f->why, sizeof(f->why), "%s is larger than %u bytes",
		    f->path, CVM_AKFILE_MAX);
		goto out;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* Read to EOF, not to st_size: the file may grow meanwhile. */
	for (size_t cap = (size_t)st.st_size + 1;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap > CVM_AKFILE_MAX) {
				snprintf(f->why, sizeof(f->why), "%s is larger than "
				    "%u bytes", f->path, CVM_AKFILE_MAX);
				goto out;
			}
			cap = cap * 2 > CVM_AKFILE_MAX + 1 ? CVM_AKFILE_MAX + 1 : cap * 2;
			if ((nb = realloc(buf, cap + 1)) == NULL)
				goto nomem;
			buf = nb;
		} else if (buf == NULL && (buf = malloc(cap + 1)) == NULL)
			goto nomem;
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(f->why, sizeof(f->why), "%s: %s", f->path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	f->buf = buf;
	f->len = n;
	buf = NULL;
	f->status = 0;
	goto out;
nomem:
	snprintf(f->why, sizeof(f->why), "%s: out of memory", f->path);
out:
	free(buf);
	close(fd);
}


/* Child side.  The reply, per file in order: a status byte ('0' contents
 * follow, '1' missing, '2' gives no keys), a NUL-terminated reason, and for
 * '0' a 4-byte length and the bytes. */
static void
put(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(1);
		c += w;
		n -= (size_t)w;
	}
}

static int
become_user(const struct cvm_creds *cr, gid_t **gids, char *why, size_t wl)
{
	const gid_t *g = cr->gids;
	size_t ng = cr->ngids;

	if (geteuid() != 0 || cr->uid == 0)
		return 0;
	if (g == NULL) {
		/* Unknown groups would be no groups: a file sshd cannot read
		 * (a group with fewer rights than others) could then be read. */
		if (cvm_user_groups(cr->name, cr->gid, gids, &ng) != 0) {
			snprintf(why, wl, "cannot look up the groups of %s", cr->name);
			return -1;
		}
		g = *gids;
	}
	if (setgroups(ng, g) == -1 || setresgid(cr->gid, cr->gid, cr->gid) == -1 ||
	    setresuid(cr->uid, cr->uid, cr->uid) == -1) {
		snprintf(why, wl, "cannot switch to uid %lu: %s",
		    (unsigned long)cr->uid, strerror(errno));
		return -1;
	}
	return 0;
}

static void __attribute__((noreturn))
child(int out, const struct cvm_creds *cr, struct cvm_akread *files, size_t n,
    int strict)
{
	char why[sizeof(files[0].why)] = "";
	gid_t *gids = NULL;
	int any = 0, creds;

	/* A file root cannot find does not exist for the user either
	 * (ENOENT, not EACCES: a root-squashed NFS home falls through); then
	 * the group list is never looked up, which with nss_systemd costs
	 * more than the rest of the decision. */
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		files[i].status = 1;
		if (stat(files[i].path, &st) == 0 || errno != ENOENT) {
			files[i].status = 0;
			any = 1;
		}
	}
	creds = any ? become_user(cr, &gids, why, sizeof(why)) : 0;
	for (size_t i = 0; i < n; i++) {
		struct cvm_akread *f = &files[i];
		char st;
		uint32_t len;

		if (f->status == 1) {
			snprintf(f->why, sizeof(f->why), "%s: %s", f->path, strerror(ENOENT));
		} else if (creds != 0) {
			f->status = -1;
			cvm_strlcpy(f->why, why, sizeof(f->why));
		} else
			read_one(cr, strict, f);
		st = f->status == 0 ? '0' : f->status == 1 ? '1' : '2';
		put(out, &st, 1);
		put(out, f->why, strlen(f->why) + 1);
		if (f->status == 0) {
			len = (uint32_t)f->len;
			put(out, &len, sizeof(len));
			put(out, f->buf, f->len);
		}
	}
	_exit(0);
}

/* Parent side: reads the whole reply by the deadline. */
static int
collect(int fd, pid_t pid, unsigned timeout_ms, char **reply, size_t *rlen)
{
	size_t cap = 65536, n = 0;
	struct timespec t0, now;
	char *buf = malloc(cap);
	int done = 0;

	if (buf == NULL)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!done) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		long left;
		ssize_t r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (long)timeout_ms - ((now.tv_sec - t0.tv_sec) * 1000 +
		    (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || timeout_ms == 0)
			break;
		r = poll(&pfd, 1, (int)left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (n == cap) {
			char *nb;

			/* All files at their cap, plus the reasons. */
			if (cap >= 8 * ((size_t)CVM_AKFILE_MAX + 8192) ||
			    (nb = realloc(buf, cap * 2)) == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			done = r == 0;
			break;
		}
		n += (size_t)r;
	}
	if (!done) {
		/* Too slow (a hung file system) or too much: the child is
		 * killed; one stuck in the kernel is left for init. */
		kill(pid, SIGKILL);
		for (int i = 0; i < 50 && waitpid(pid, NULL, WNOHANG) == 0; i++)
			usleep(2000);
		free(buf);
		return -1;
	}
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
	*reply = buf;
	*rlen = n;
	return 0;
}

/* Parses the child's reply into files[]; -1 if it is cut short. */
static int
unpack(const char *r, size_t n, struct cvm_akread *files, size_t nfiles)
{
	size_t off = 0;

	for (size_t i = 0; i < nfiles; i++) {
		struct cvm_akread *f = &files[i];
		const char *nul;
		uint32_t len;

		if (n - off < 2 || (nul = memchr(r + off + 1, '\0', n - off - 1)) == NULL)
			return -1;
		f->status = r[off] == '0' ? 0 : r[off] == '1' ? 1 : -1;
		cvm_strlcpy(f->why, r + off + 1, sizeof(f->why));
		off = (size_t)(nul - r) + 1;
		if (f->status != 0)
			continue;
		if (n - off < sizeof(len))
			return -1;
		memcpy(&len, r + off, sizeof(len));
		off += sizeof(len);
		if (len > CVM_AKFILE_MAX || n - off < len ||
		    (f->buf = malloc((size_t)len + 1)) == NULL)
			return -1;
		memcpy(f->buf, r + off, len);
		f->buf[len] = '\0';
		f->len = len;
		off += len;
	}
	return off == n ? 0 : -1;
}

int
cvm_akfile_read_all(const struct cvm_creds *cr, struct cvm_akread *files,
    size_t n, int strict_modes, unsigned timeout_ms)
{
	char *reply = NULL;
	size_t rlen = 0;
	int p[2], ret = -1;
	pid_t pid;

	for (size_t i = 0; i < n; i++) {
		files[i].status = -1;
		files[i].buf = NULL;
		files[i].len = 0;
		files[i].why[0] = '\0';
	}
	if (n == 0)
		return 0;
	if (pipe2(p, O_CLOEXEC) == -1)
		goto fail;
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		goto fail;
	}
	if (pid == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_DFL);
		child(p[1], cr, files, n, strict_modes);
	}
	close(p[1]);
	if (collect(p[0], pid, timeout_ms, &reply, &rlen) == 0)
		ret = unpack(reply, rlen, files, n);
	close(p[0]);
	free(reply);
	if (ret == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		free(files[i].buf);
		files[i].buf = NULL;
		files[i].status = -1;
		snprintf(files[i].why, sizeof(files[i].why), "%s: no answer "
		    "within %u ms (hung file system?)", files[i].path, timeout_ms);
	}
	return -1;
fail:
	for (size_t i = 0; i < n; i++)
		snprintf(files[i].why, sizeof(files[i].why), "%s: cannot start "
		    "the reader: %s", files[i].path, strerror(errno));
	return -1;
}

int
cvm_akfile_read(const struct cvm_creds *cr, const char *path,
    int strict_modes, unsigned timeout_ms, char **bufp, size_t *lenp,
    char *why, size_t whylen)
{
	struct cvm_akread f;

	memset(&f, 0, sizeof(f));
	f.path = path;
	(void)cvm_akfile_read_all(cr, &f, 1, strict_modes, timeout_ms);
	*bufp = f.buf;
	*lenp = f.len;
	cvm_strlcpy(why, f.status == 0 ? "" : f.why, whylen);
	return f.status;
}
