/* Test sandbox helpers (see testlib.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "testlib.h"

static char sandbox_dir[256];

static int
copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	ssize_t n;
	int in, out, ret = 0;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? tl_write(to, mode, "") : -1;
	if ((out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) == -1) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			ret = -1;
	close(in);
	close(out);
	return n < 0 ? -1 : ret;
}

static int
bind_file(const char *src, const char *dst)
{
	if (mount(src, dst, "none", MS_BIND, NULL) == -1) {
		fprintf(stderr, "testlib: bind %s on %s: %s\n", src, dst, strerror(errno));
		return -1;
	}
	return 0;
}

int
tl_sandbox(const char *dir)
{
	static const char *etc[] = { "passwd", "shadow", "group", "gshadow" };
	static const char *nodes[] = { "null", "zero", "full", "random",
	    "urandom", "tty" };
	struct sockaddr_un sun;
	char p[512], q[512];
	int fd;

	snprintf(sandbox_dir, sizeof(sandbox_dir), "%s", dir);
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == -1) {
		fprintf(stderr, "testlib: mount namespace: %s (tests need root)\n",
		    strerror(errno));
		return -1;
	}
	snprintf(p, sizeof(p), "%s/etc", dir);
	mkdir(p, 0755);
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/etc/%s", dir, etc[i]);
		snprintf(q, sizeof(q), "/etc/%s", etc[i]);
		if (copy_file(q, p, i % 2 ? 0640 : 0644) != 0 || bind_file(p, q) != 0)
			return -1;
	}
	/* nscd would answer from the machine's own files. */
	if (access("/run/nscd", F_OK) == 0)
		mount("tmpfs", "/run/nscd", "tmpfs", 0, "mode=0755");
	/* A private /dev holding the usual nodes and our /dev/log. */
	snprintf(p, sizeof(p), "%s/olddev", dir);
	mkdir(p, 0755);
	if (mount("/dev", p, "none", MS_BIND | MS_REC, NULL) == -1 ||
	    mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755") == -1) {
		fprintf(stderr, "testlib: private /dev: %s\n", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(p, sizeof(p), "%s/olddev/%s", dir, nodes[i]);
		snprintf(q, sizeof(q), "/dev/%s", nodes[i]);
		if (access(p, F_OK) != 0)
			continue;
		close(open(q, O_CREAT | O_WRONLY | O_CLOEXEC, 0666));
		if (bind_file(p, q) != 0)
			return -1;
	}
	mkdir("/dev/pts", 0755);
	mkdir("/dev/shm", 01777);
	/* A private pty instance: sshpass and sshd need ptys. */
	if (mount("devpts", "/dev/pts", "devpts", 0, "newinstance,ptmxmode=0666,mode=0620") == -1 ||
	    symlink("pts/ptmx", "/dev/ptmx") == -1) {
		fprintf(stderr, "testlib: devpts: %s\n", strerror(errno));
		return -1;
	}
	snprintf(p, sizeof(p), "%s/olddev/shm", dir);
	mount(p, "/dev/shm", "none", MS_BIND | MS_REC, NULL);
	if (symlink("/proc/self/fd", "/dev/fd") == -1 ||
	    symlink("/proc/self/fd/0", "/dev/stdin") == -1 ||
	    symlink("/proc/self/fd/1", "/dev/stdout") == -1 ||
	    symlink("/proc/self/fd/2", "/dev/stderr") == -1)
		return -1;

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/dev/log");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "testlib: bind /dev/log: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	chmod("/dev/log", 0666);
	/* Big enough that a burst of log lines is never dropped. */
	{
		int sz = 4 << 20;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	return fd;
}

static int
append(const char *name, const char *line)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/etc/%s", sandbox_dir, name);
	if ((f = fopen(p, "a")) == NULL)
		return -1;
	fputs(line, f);
	return fclose(f);
}

int
tl_add_user(const char *name, uid_t uid, const char *hash, const char *home,
    const char *shell)
{
	char line[1024];

	snprintf(line, sizeof(line), "%s:x:%u:%u:test user:%s:%s\n", name,
	    (unsigned)uid, (unsigned)uid, home ? home : "/nonexistent", shell);
	if (append("passwd", line) != 0)
		return -1;
	/* hash: the crypt(3) hash, or all of shadow's fields after the name */
	if (strchr(hash, ':') != NULL)
		snprintf(line, sizeof(line), "%s:%s\n", name, hash);
	else
		snprintf(line, sizeof(line), "%s:%s:19000:0:99999:7:::\n", name, hash);
	if (append("shadow", line) != 0)
		return -1;
	if (tl_add_group(name, uid, "") != 0)
		return -1;
	if (home != NULL) {
		if (mkdir(home, 0755) == -1 && errno != EEXIST)
			return -1;
		if (chown(home, uid, uid) == -1)
			return -1;
	}
	return 0;
}

int
tl_add_group(const char *name, gid_t gid, const char *members)
{
	char line[1024];

	snprintf(line, sizeof(line), "%s:x:%u:%s\n", name, (unsigned)gid, members);
	if (append("group", line) != 0)
		return -1;
	snprintf(line, sizeof(line), "%s:!::%s\n", name, members);
	return append("gshadow", line);
}

char *
tl_read_log(int fd)
{
	char buf[8192], *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n <= 0)
			break;
		buf[n] = '\0';
		fprintf(f, "%s\n", buf);
	}
	fclose(f);
	return out;
}

char *
tl_tmpdir(void)
{
	char *d = strdup("/tmp/cvmtest.XXXXXX");

	if (d == NULL || mkdtemp(d) == NULL || chmod(d, 0755) == -1) {
		free(d);
		return NULL;
	}
	return d;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) == -1 ? 0 : 0;
	unlink(path);
	return 0;
}

void
tl_rmtree(const char *dir)
{
	char p[512];

	if (dir == NULL)
		return;
	snprintf(p, sizeof(p), "%s/olddev", dir);
	umount2(p, MNT_DETACH);
	if (dir != NULL)
		nftw(dir, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int
tl_write(const char *path, mode_t mode, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	size_t n = strlen(content);

	if (fd == -1)
		return -1;
	if (write(fd, content, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	fchmod(fd, mode);
	return close(fd);
}
