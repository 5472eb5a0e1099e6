/* Helpers of the live and system audit steps: see audit_util.h. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "audit_util.h"
#include "sshdcfg.h"

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
cvm_run(const char *const argv[], int timeout_ms, size_t cap, char **out,
    size_t *len, int *truncated)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	    "LC_ALL=C", NULL };
	int p[2] = { -1, -1 }, st, killed = 0;
	char *buf = NULL, junk[4096];
	size_t n = 0;
	long deadline = now_ms() + timeout_ms;
	pid_t pid;

	*out = NULL;
	*len = 0;
	*truncated = 0;
	if (access(argv[0], X_OK) != 0)
		return -1;
	if ((buf = malloc(cap + 1)) == NULL || pipe2(p, O_CLOEXEC) != 0)
		goto fail;
	if ((pid = fork()) < 0)
		goto fail;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		if (nul < 0 || dup2(nul, 0) < 0 || dup2(p[1], 1) < 0 ||
		    dup2(nul, 2) < 0)
			_exit(127);
		execve(argv[0], (char *const *)argv, envp);
		_exit(127);
	}
	close(p[1]);
	p[1] = -1;
	for (;;) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0) {
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		if (n < cap)
			r = read(p[0], buf + n, cap - n);
		else
			r = read(p[0], junk, sizeof(junk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (n < cap)
			n += (size_t)r;
		else
			*truncated = 1;
	}
	close(p[0]);
	p[0] = -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			killed = 1;
			break;
		}
	if (killed || !WIFEXITED(st))
		goto fail;
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return WEXITSTATUS(st);
fail:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	free(buf);
	return -1;
}

int
cvm_find_tool(const char *name, char *buf, size_t len)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin",
	    "/bin" };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int n = snprintf(buf, len, "%s/%s", dirs[i], name);

		if (n > 0 && (size_t)n < len && access(buf, X_OK) == 0)
			return 0;
	}
	return -1;
}

int
cvm_root_readlink(const struct cvm_root *r, const char *path, char *buf,
    size_t len)
{
	int fd = cvm_root_open(r, path, O_PATH, 0), saved;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = readlinkat(fd, "", buf, len);
	saved = errno;
	close(fd);
	if (n < 0 || (size_t)n >= len) {
		errno = n < 0 ? saved : ENAMETOOLONG;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

DIR *
cvm_root_opendir(const struct cvm_root *r, const char *path)
{
	int fd = cvm_root_open(r, path, O_RDONLY | O_DIRECTORY, 1);
	DIR *d;

	if (fd < 0)
		return NULL;
	if ((d = fdopendir(fd)) == NULL)
		close(fd);
	return d;
}

int
cvm_root_exists(const struct cvm_root *r, const char *path)
{
	struct stat st;

	return cvm_root_stat(r, path, &st, 0) == 0;
}

size_t
cvm_audit_ports(const struct cvm_audit *a, int *ports, size_t max)
{
	size_t i, k = 0, n = a->sshd ? cvm_sshd_count(a->sshd, "port") : 0;

	for (i = 0; i < n && k < max; i++) {
		const char *v = cvm_sshd_value(a->sshd, "port", i);
		char *e;
		long p;
		size_t j;

		if (v == NULL)
			continue;
		errno = 0;
		p = strtol(v, &e, 10);
		if (errno || *e != '\0' || p <= 0 || p > 65535)
			continue;
		for (j = 0; j < k && ports[j] != p; j++)
			;
		if (j == k)
			ports[k++] = (int)p;
	}
	if (k == 0 && max > 0)
		ports[k++] = 22;
	return k;
}

const char *const cvm_unit_dirs[] = {
	"/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system",
	"/usr/lib/systemd/system", NULL
};

int
cvm_unit_find(const struct cvm_root *r, const char *name, char *path,
    size_t len)
{
	size_t i;

	for (i = 0; cvm_unit_dirs[i]; i++) {
		int n = snprintf(path, len, "%s/%s", cvm_unit_dirs[i], name);

		if (n > 0 && (size_t)n < len && cvm_root_exists(r, path))
			return 0;
	}
	return -1;
}

int
cvm_unit_masked(const struct cvm_root *r, const char *name)
{
	char path[512], lnk[512];
	struct stat st;

	if (cvm_unit_find(r, name, path, sizeof(path)) != 0)
		return 0;
	if (cvm_root_readlink(r, path, lnk, sizeof(lnk)) == 0)
		return strcmp(lnk, "/dev/null") == 0;
	/* systemd also treats an empty unit file as masked */
	return cvm_root_stat(r, path, &st, 0) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == 0;
}

int
cvm_systemd_running(const struct cvm_audit *a)
{
	struct stat st;

	return a->live && stat("/run/systemd/system", &st) == 0 &&
	    S_ISDIR(st.st_mode);
}

int
cvm_unit_active(const struct cvm_audit *a, const char *name)
{
	char tool[64], *out = NULL;
	const char *argv[5];
	size_t len;
	int trunc, rc;

	if (!cvm_systemd_running(a) ||
	    cvm_find_tool("systemctl", tool, sizeof(tool)) != 0)
		return 0;
	argv[0] = tool;
	argv[1] = "is-active";
	argv[2] = "--quiet";
	argv[3] = name;
	argv[4] = NULL;
	rc = cvm_run(argv, 3000, 256, &out, &len, &trunc);
	free(out);
	return rc == 0;
}
