/* authorized_keys, read as sshd reads it (auth2-pubkeyfile.c auth_openfile,
 * misc.c safe_path), in a child process holding the user's credentials. */
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

static void
write_all(int fd, const void *p, size_t n)
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

/* Child: reply is one status byte ('0' contents follow, '1' missing, '2'
 * refused), a NUL-terminated reason, then the file's bytes. */
static void __attribute__((noreturn))
child_read(int out, const struct cvm_creds *cr, const char *path, int strict)
{
	char why[PATH_MAX + 128] = "", *buf = NULL;
	char status = '2';
	size_t n = 0;
	struct stat st;
	int fd = -1;

	if (geteuid() == 0 && cr->uid != 0) {
		if (setgroups(cr->ngids, cr->gids) == -1 ||
		    setresgid(cr->gid, cr->gid, cr->gid) == -1 ||
		    setresuid(cr->uid, cr->uid, cr->uid) == -1) {
			snprintf(why, sizeof(why), "cannot switch to uid %lu: %s",
			    (unsigned long)cr->uid, strerror(errno));
			goto reply;
		}
	}
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			status = '1';
		snprintf(why, sizeof(why), "%s: %s", path, strerror(errno));
		goto reply;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(why, sizeof(why), "%s is not a regular file", path);
		goto reply;
	}
	if (strict && safe_path(path, &st, cr->home, cr->uid, why, sizeof(why)) != 0)
		goto reply;
	if ((size_t)st.st_size > CVM_AKFILE_MAX ||
	    (buf = malloc(CVM_AKFILE_MAX + 1)) == NULL) {
		snprintf(why, sizeof(why), "%s is larger than %u bytes", path,
		    CVM_AKFILE_MAX);
		goto reply;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	for (;;) {
		ssize_t r = read(fd, buf + n, CVM_AKFILE_MAX + 1 - n);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(why, sizeof(why), "%s: %s", path, strerror(errno));
			goto reply;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > CVM_AKFILE_MAX) {
			snprintf(why, sizeof(why), "%s is larger than %u bytes",
			    path, CVM_AKFILE_MAX);
			goto reply;
		}
	}
	status = '0';
reply:
	write_all(out, &status, 1);
	write_all(out, why, strlen(why) + 1);
	if (status == '0')
		write_all(out, buf, n);
	_exit(0);
}

static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static void
reap(pid_t pid)
{
	/* A child stuck in the kernel (a hung NFS home) may not die at
	 * once: wait a little, then leave it rather than hang sshd. */
	for (int i = 0; i < 50; i++) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r == -1 && errno != EINTR))
			return;
		usleep(2000);
	}
}

int
cvm_akfile_read(const struct cvm_creds *cr, const char *path,
    int strict_modes, unsigned timeout_ms, char **bufp, size_t *lenp,
    char *why, size_t whylen)
{
	size_t cap = CVM_AKFILE_MAX + PATH_MAX + 256, n = 0;
	struct timespec deadline;
	char *buf = NULL, *nul;
	int p[2], ret = -1, timedout = 0;
	pid_t pid;

	*bufp = NULL;
	*lenp = 0;
	if ((buf = malloc(cap + 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		free(buf);
		return -1;
	}
	if ((pid = fork()) == -1) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		free(buf);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_DFL);
		child_read(p[1], cr, path, strict_modes);
	}
	close(p[1]);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	for (;;) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		long left = ms_left(&deadline);
		ssize_t r;

		if (left <= 0) {
			timedout = 1;
			break;
		}
		r = poll(&pfd, 1, (int)left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			timedout = r == 0;
			break;
		}
		r = read(p[0], buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == cap)
			break;
	}
	close(p[0]);
	if (timedout)
		kill(pid, SIGKILL);
	reap(pid);
	buf[n] = '\0';
	if (timedout) {
		snprintf(why, whylen, "%s: no answer within %u ms (hung file system?)",
		    path, timeout_ms);
		goto out;
	}
	if (n < 2 || (nul = memchr(buf + 1, '\0', n - 1)) == NULL) {
		snprintf(why, whylen, "%s: reader failed", path);
		goto out;
	}
	cvm_strlcpy(why, buf + 1, whylen);
	if (buf[0] == '1') {
		ret = 1;
		goto out;
	}
	if (buf[0] != '0')
		goto out;
	/* Move the contents to the front, give back the unused room. */
	n -= (size_t)(nul + 1 - buf);
	memmove(buf, nul + 1, n);
	buf[n] = '\0';
	*bufp = realloc(buf, n + 1);
	if (*bufp == NULL)
		*bufp = buf;
	*lenp = n;
	why[0] = '\0';
	return 0;
out:
	free(buf);
	return ret;
}
