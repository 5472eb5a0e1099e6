/* authorized_keys, read as sshd reads it (auth2-pubkeyfile.c auth_openfile,
 * misc.c safe_path), in a thread holding the user's credentials.
 *
 * Why a thread: on Linux, uid, gids and supplementary groups belong to each
 * thread in the kernel; glibc's setresuid() and setgroups() broadcast the
 * change to every thread of the process, the raw system calls do not.  So
 * a thread that makes the raw calls reads as the user while the caller
 * (sshd's monitor, as root) is never touched, and the caller can stop
 * waiting at a deadline, which an in-process seteuid() dance cannot do.
 * A fork() costs 0.3-1 ms here; a thread ~20 us.  A thread left behind by
 * a hung file system finishes (or stays blocked) on its own, holding only
 * its own credentials and the job it shares by reference count; the PAM
 * module is linked -z nodelete so its code stays mapped for it. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

struct job {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs;		/* caller + thread; the last one frees */
	int done;
	/* copies: the caller may be gone when the thread finishes */
	struct cvm_creds cr;
	gid_t *gids;
	char *name, *home;
	int strict;
	size_t n;
	struct cvm_akread *files;	/* paths strdup'd */
};

static void
job_unref(struct job *j)
{
	int last;

	pthread_mutex_lock(&j->lock);
	last = --j->refs == 0;
	pthread_mutex_unlock(&j->lock);
	if (!last)
		return;
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	for (size_t i = 0; i < j->n; i++) {
		free((char *)j->files[i].path);
		free(j->files[i].buf);
	}
	free(j->files);
	free(j->gids);
	free(j->name);
	free(j->home);
	free(j);
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

/* Switches this thread, and only this thread, to the user. */
static int
become_user(const struct cvm_creds *cr)
{
	if (geteuid() != 0 || cr->uid == 0)
		return 0;
	if (syscall(SYS_setgroups, cr->ngids, cr->gids) == -1 ||
	    syscall(SYS_setresgid, cr->gid, cr->gid, cr->gid) == -1 ||
	    syscall(SYS_setresuid, cr->uid, cr->uid, cr->uid) == -1)
		return -1;
	return 0;
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

static void
read_as_user(struct job *j)
{
	int any = 0;

	/* A file that root cannot find does not exist for the user either
	 * (ENOENT, not EACCES: a root-squashed NFS home falls through). */
	for (size_t i = 0; i < j->n; i++) {
		struct stat st;

		if (stat(j->files[i].path, &st) == -1 && errno == ENOENT) {
			j->files[i].status = 1;
			snprintf(j->files[i].why, sizeof(j->files[i].why), "%s: %s",
			    j->files[i].path, strerror(ENOENT));
		} else
			any = 1;
	}
	if (!any)
		return;
	if (j->cr.gids == NULL && geteuid() == 0 && j->cr.uid != 0) {
		size_t n;

		if (cvm_user_groups(j->cr.name, j->cr.gid, &j->gids, &n) != 0)
			n = 0;	/* become_user then fails: no keys, reason given */
		j->cr.gids = j->gids;
		j->cr.ngids = n;
	}
	if (become_user(&j->cr) != 0) {
		for (size_t i = 0; i < j->n; i++) {
			j->files[i].status = -1;
			snprintf(j->files[i].why, sizeof(j->files[i].why),
			    "cannot switch to uid %lu: %s", (unsigned long)j->cr.uid,
			    strerror(errno));
		}
		return;
	}
	for (size_t i = 0; i < j->n; i++)
		if (j->files[i].status != 1)
			read_one(&j->cr, j->strict, &j->files[i]);
}

static void *
reader_thread(void *arg)
{
	struct job *j = arg;

	read_as_user(j);
	pthread_mutex_lock(&j->lock);
	j->done = 1;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	job_unref(j);
	return NULL;
}

static struct job *
job_new(const struct cvm_creds *cr, const struct cvm_akread *files, size_t n,
    int strict)
{
	struct job *j = calloc(1, sizeof(*j));
	pthread_condattr_t ca;

	if (j == NULL)
		return NULL;
	pthread_mutex_init(&j->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cond, &ca);
	pthread_condattr_destroy(&ca);
	j->refs = 1;	/* until the thread exists: job_unref frees on failure */
	j->strict = strict;
	j->cr = *cr;
	if ((cr->gids != NULL &&
	    (j->gids = calloc(cr->ngids + 1, sizeof(gid_t))) == NULL) ||
	    (j->name = strdup(cr->name)) == NULL ||
	    (j->home = strdup(cr->home)) == NULL ||
	    (j->files = calloc(n, sizeof(*j->files))) == NULL) {
		job_unref(j);
		return NULL;
	}
	for (; j->n < n; j->n++) {
		if ((j->files[j->n].path = strdup(files[j->n].path)) == NULL) {
			job_unref(j);
			return NULL;
		}
	}
	if (cr->gids != NULL && cr->ngids > 0)
		memcpy(j->gids, cr->gids, cr->ngids * sizeof(gid_t));
	j->cr.gids = j->gids;
	j->cr.name = j->name;
	j->cr.home = j->home;
	j->refs = 2;	/* the caller and the thread */
	return j;
}

int
cvm_akfile_read_all(const struct cvm_creds *cr, struct cvm_akread *files,
    size_t n, int strict_modes, unsigned timeout_ms)
{
	struct timespec deadline;
	pthread_attr_t attr;
	pthread_t tid;
	struct job *j;
	int r, timedout;

	for (size_t i = 0; i < n; i++) {
		files[i].status = -1;
		files[i].buf = NULL;
		files[i].len = 0;
		snprintf(files[i].why, sizeof(files[i].why), "out of memory");
	}
	if (n == 0)
		return 0;
	if ((j = job_new(cr, files, n, strict_modes)) == NULL)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	r = pthread_create(&tid, &attr, reader_thread, j);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		for (size_t i = 0; i < n; i++)
			snprintf(files[i].why, sizeof(files[i].why),
			    "cannot start a reader thread: %s", strerror(r));
		j->refs = 1;	/* the thread never ran */
		job_unref(j);
		return -1;
	}
	pthread_mutex_lock(&j->lock);
	/* The condition variable runs on CLOCK_MONOTONIC (job_new).  A zero
	 * timeout always times out, which the tests rely on. */
	timedout = timeout_ms == 0;
	while (!j->done && !timedout)
		timedout = pthread_cond_timedwait(&j->cond, &j->lock,
		    &deadline) == ETIMEDOUT;
	pthread_mutex_unlock(&j->lock);
	for (size_t i = 0; i < n; i++) {
		if (timedout) {
			snprintf(files[i].why, sizeof(files[i].why), "%s: no "
			    "answer within %u ms (hung file system?)",
			    files[i].path, timeout_ms);
			continue;
		}
		files[i].status = j->files[i].status;
		files[i].buf = j->files[i].buf;
		files[i].len = j->files[i].len;
		j->files[i].buf = NULL;
		memcpy(files[i].why, j->files[i].why, sizeof(files[i].why));
	}
	job_unref(j);
	return timedout ? -1 : 0;
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
