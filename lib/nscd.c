/* nscd cache invalidation (nscd.h). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "errbuf.h"
#include "nscd.h"

#define seterr(err, errlen, ...) (void)cvm_seterr(err, errlen, __VA_ARGS__)
#define NSCD_TIMEOUT_MS 10000

/* 1 when something accepts connections on nscd's socket. */
static int
nscd_running(void)
{
	struct sockaddr_un sun;
	int fd, r;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, CVM_NSCD_SOCKET, sizeof(CVM_NSCD_SOCKET));
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	/* EAGAIN: a full backlog is a running nscd too */
	r = r == 0 || errno == EAGAIN || errno == EINPROGRESS;
	close(fd);
	return r;
}

static int
run_invalidate(const char *table, char *err, size_t errlen)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char *argv[] = { "nscd", "-i", (char *)table, NULL };
	posix_spawn_file_actions_t fa;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t pid, w;
	int r, status = 0, waited = 0;

	if ((r = posix_spawn_file_actions_init(&fa)) != 0) {
		seterr(err, errlen, "nscd -i %s: %s", table, strerror(r));
		return -1;
	}
	if ((r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
	    O_RDONLY, 0)) == 0)
		r = posix_spawn_file_actions_adddup2(&fa, 2, 1);
	if (r == 0)
		r = posix_spawn(&pid, CVM_NSCD_PROGRAM, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		seterr(err, errlen, "nscd runs, but %s -i %s: %s",
		    CVM_NSCD_PROGRAM, table, strerror(r));
		return -1;
	}
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 ||
	    (w == -1 && errno == EINTR)) {
		if (waited >= NSCD_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			seterr(err, errlen, "nscd -i %s: no answer in %d seconds",
			    table, NSCD_TIMEOUT_MS / 1000);
			return -1;
		}
		nanosleep(&tick, NULL);
		waited += 10;
	}
	if (w == -1) {
		seterr(err, errlen, "nscd -i %s: waitpid: %s", table,
		    strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		seterr(err, errlen, "nscd -i %s: %s %d", table,
		    WIFEXITED(status) ? "exit status" : "killed by signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

int
cvm_nscd_invalidate(char *err, size_t errlen)
{
	char e2[256];
	int r1, r2;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (!nscd_running())
		return 0;
	r1 = run_invalidate("passwd", err, errlen);
	r2 = run_invalidate("group", r1 == 0 ? err : e2, r1 == 0 ? errlen : sizeof(e2));
	return r1 == 0 && r2 == 0 ? 0 : -1;
}
