/* Rooted path resolution: see rootfs.h. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "rootfs.h"

#define MAXSYMLINKS 40

/* Re-opens the directory root/comp1/comp2/... (all already resolved),
 * one component at a time without following links. */
static int
reopen_dir(int rootfd, const char *stack)
{
	char comp[NAME_MAX + 1];
	const char *p = stack, *e;
	int fd, nfd;
	size_t n;

	if ((fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	while (*p != '\0') {
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n > NAME_MAX) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		if (nfd < 0)
			return -1;
		fd = nfd;
		p += n;
		if (*p == '/')
			p++;
	}
	return fd;
}

/* Opens path (absolute) inside the directory rootfd as if chrooted there:
 * ".." stops at the root, symbolic links (absolute ones from the root) are
 * followed by hand, at most MAXSYMLINKS.  follow_last 0: the last component
 * itself is opened with O_NOFOLLOW. */
int
cvm_rooted_open(int rootfd, const char *path, int oflags, int follow_last)
{
	char pend[PATH_MAX * 2], tmp[PATH_MAX * 2], lnk[PATH_MAX];
	char stack[PATH_MAX];
	size_t slen = 0, clen;
	char *cur, *comp, *rest;
	int dfd, fd, nlinks = 0, last, saved;
	struct stat st;
	ssize_t n;

	if (strlen(path) >= sizeof(pend)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(pend, path);
	stack[0] = '\0';
	if ((dfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	cur = pend;
	for (;;) {
		cur += strspn(cur, "/");
		if (*cur == '\0') {
			/* the path names a directory already walked */
			fd = openat(dfd, ".", oflags | O_CLOEXEC);
			goto done;
		}
		comp = cur;
		clen = strcspn(comp, "/");
		rest = comp + clen;
		rest += strspn(rest, "/");
		last = *rest == '\0';
		comp[clen] = '\0';
		cur = rest;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *sl = strrchr(stack, '/');
			if (sl != NULL)
				*sl = '\0';
			else
				stack[0] = '\0';
			slen = strlen(stack);
			close(dfd);
			if ((dfd = reopen_dir(rootfd, stack)) < 0)
				return -1;
			if (last) {
				fd = openat(dfd, ".", oflags | O_CLOEXEC);
				goto done;
			}
			continue;
		}
		if (last && !follow_last) {
			fd = openat(dfd, comp, oflags | O_NOFOLLOW | O_CLOEXEC);
			goto done;
		}
		fd = openat(dfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			goto fail;
		if (S_ISLNK(st.st_mode)) {
			n = readlinkat(fd, "", lnk, sizeof(lnk));
			close(fd);
			if (n <= 0 || (size_t)n >= sizeof(lnk)) {
				errno = n < 0 ? errno : ENAMETOOLONG;
				fd = -1;
				goto fail;
			}
			lnk[n] = '\0';
			if (++nlinks > MAXSYMLINKS) {
				errno = ELOOP;
				fd = -1;
				goto fail;
			}
			if ((size_t)n + strlen(rest) + 2 >= sizeof(tmp)) {
				errno = ENAMETOOLONG;
				fd = -1;
				goto fail;
			}
			snprintf(tmp, sizeof(tmp), "%s%s%s", lnk,
			    *rest ? "/" : "", rest);
			strcpy(pend, tmp);
			cur = pend;
			if (lnk[0] == '/') {
				stack[0] = '\0';
				slen = 0;
				close(dfd);
				if ((dfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0)) < 0)
					return -1;
			}
			continue;
		}
		if (last) {
			close(fd);
			fd = openat(dfd, comp, oflags | O_NOFOLLOW | O_CLOEXEC);
			goto done;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			errno = ENOTDIR;
			fd = -1;
			goto fail;
		}
		if (slen + clen + 2 >= sizeof(stack)) {
			close(fd);
			errno = ENAMETOOLONG;
			fd = -1;
			goto fail;
		}
		if (slen > 0)
			stack[slen++] = '/';
		memcpy(stack + slen, comp, clen + 1);
		slen += clen;
		close(dfd);
		dfd = fd;
	}
fail:
	fd = -1;
done:
	saved = errno;
	close(dfd);
	errno = saved;
	return fd;
}

int
cvm_root_init(struct cvm_root *r, const char *dir)
{
	r->fd = -1;
	r->rooted = 0;
	r->dir = "/";
	if (dir == NULL || *dir == '\0' || strcmp(dir, "/") == 0)
		return 0;
	r->fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0)
		return -1;
	r->rooted = 1;
	r->dir = dir;
	return 0;
}

void
cvm_root_close(struct cvm_root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->rooted = 0;
}

int
cvm_root_open(const struct cvm_root *r, const char *path, int oflags,
    int follow_last)
{
	if (r != NULL && r->rooted && path[0] == '/')
		return cvm_rooted_open(r->fd, path, oflags, follow_last);
	return open(path, oflags | (follow_last ? 0 : O_NOFOLLOW) | O_CLOEXEC);
}

int
cvm_root_stat(const struct cvm_root *r, const char *path, struct stat *st,
    int follow)
{
	int fd, rc, saved;

	if (r == NULL || !r->rooted || path[0] != '/')
		return follow ? stat(path, st) : lstat(path, st);
	if ((fd = cvm_rooted_open(r->fd, path, O_PATH, follow)) < 0)
		return -1;
	rc = fstat(fd, st);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
cvm_root_read(const struct cvm_root *r, const char *path, size_t cap,
    char **buf, size_t *len)
{
	struct stat st;
	size_t n = 0, size;
	ssize_t got;
	char *b = NULL, *nb;
	int fd, saved;

	*buf = NULL;
	*len = 0;
	if ((fd = cvm_root_open(r, path, O_RDONLY | O_NONBLOCK, 1)) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	size = (size_t)st.st_size < cap ? (size_t)st.st_size + 1 : cap + 1;
	if ((b = malloc(size + 1)) == NULL)
		goto fail;
	for (;;) {
		if (n == size) {
			if (n > cap) {
				errno = EFBIG;
				goto fail;
			}
			size = size * 2 > cap + 1 ? cap + 1 : size * 2;
			if ((nb = realloc(b, size + 1)) == NULL)
				goto fail;
			b = nb;
		}
		got = read(fd, b + n, size - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > cap) {
		errno = EFBIG;
		goto fail;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
fail:
	saved = errno;
	free(b);
	close(fd);
	errno = saved;
	return -1;
}

const char *
cvm_root_join(const struct cvm_root *r, const char *path, char *buf,
    size_t len)
{
	int n;

	if (r == NULL || !r->rooted || path[0] != '/')
		n = snprintf(buf, len, "%s", path);
	else
		n = snprintf(buf, len, "%s%s", r->dir, path);
	return n < 0 || (size_t)n >= len ? NULL : buf;
}
