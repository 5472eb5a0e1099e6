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
	/* input (copies: the caller may be gone) */
	struct cvm_creds cr;
	gid_t *gids;
	char *name, *home, *path;
	int strict;
	/* output */
	int status;		/* 0 contents, 1 missing, -1 refused */
	char *buf;
	size_t len;
	char why[PATH_MAX + 128];
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
	free(j->gids);
	free(j->name);
	free(j->home);
	free(j->path);
	free(j->buf);
	free(j);
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
read_as_user(struct job *j)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd = -1;

	j->status = -1;
	if (become_user(&j->cr) != 0) {
		snprintf(j->why, sizeof(j->why), "cannot switch to uid %lu: %s",
		    (unsigned long)j->cr.uid, strerror(errno));
		return;
	}
	if ((fd = open(j->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			j->status = 1;
		snprintf(j->why, sizeof(j->why), "%s: %s", j->path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(j->why, sizeof(j->why), "%s is not a regular file", j->path);
		goto out;
	}
	if (j->strict && safe_path(j->path, &st, j->cr.home, j->cr.uid, j->why,
	    sizeof(j->why)) != 0)
		goto out;
	if ((size_t)st.st_size > CVM_AKFILE_MAX) {
		snprintf(j->why, sizeof(j->why), "%s is larger than %u bytes",
		    j->path, CVM_AKFILE_MAX);
		goto out;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* Read to EOF, not to st_size: the file may grow meanwhile. */
	for (size_t cap = (size_t)st.st_size + 1;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap > CVM_AKFILE_MAX) {
				snprintf(j->why, sizeof(j->why), "%s is larger than "
				    "%u bytes", j->path, CVM_AKFILE_MAX);
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
			snprintf(j->why, sizeof(j->why), "%s: %s", j->path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	j->buf = buf;
	j->len = n;
	buf = NULL;
	j->status = 0;
	goto out;
nomem:
	snprintf(j->why, sizeof(j->why), "%s: out of memory", j->path);
out:
	free(buf);
	close(fd);
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
job_new(const struct cvm_creds *cr, const char *path, int strict)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->refs = 2;
	j->strict = strict;
	j->cr = *cr;
	if ((j->gids = calloc(cr->ngids + 1, sizeof(gid_t))) == NULL ||
	    (j->name = strdup(cr->name)) == NULL ||
	    (j->home = strdup(cr->home)) == NULL ||
	    (j->path = strdup(path)) == NULL) {
		free(j->gids);
		free(j->name);
		free(j->home);
		free(j->path);
		free(j);
		return NULL;
	}
	if (cr->ngids > 0)
		memcpy(j->gids, cr->gids, cr->ngids * sizeof(gid_t));
	j->cr.gids = j->gids;
	j->cr.name = j->name;
	j->cr.home = j->home;
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&j->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	pthread_mutex_init(&j->lock, NULL);
	return j;
}

int
cvm_akfile_read(const struct cvm_creds *cr, const char *path,
    int strict_modes, unsigned timeout_ms, char **bufp, size_t *lenp,
    char *why, size_t whylen)
{
	struct timespec deadline;
	pthread_attr_t attr;
	pthread_t tid;
	struct job *j;
	int ret, r, timedout = 0;

	*bufp = NULL;
	*lenp = 0;
	if ((j = job_new(cr, path, strict_modes)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
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
		snprintf(why, whylen, "cannot start a reader thread: %s", strerror(r));
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
	if (timedout) {
		snprintf(why, whylen, "%s: no answer within %u ms (hung file system?)",
		    path, timeout_ms);
		job_unref(j);
		return -1;
	}
	ret = j->status;
	cvm_strlcpy(why, ret == 0 ? "" : j->why, whylen);
	if (ret == 0) {
		*bufp = j->buf;
		*lenp = j->len;
		j->buf = NULL;
	}
	job_unref(j);
	return ret;
}
