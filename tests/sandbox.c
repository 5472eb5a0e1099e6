/* sandbox DIR LOGFILE COMMAND [ARGS]: runs COMMAND in the test sandbox
 * (testlib.h), copying every /dev/log message to LOGFILE until COMMAND
 * exits; exits with its status.  Used by the shell tests. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

int
main(int argc, char **argv)
{
	char buf[8192];
	FILE *log;
	pid_t pid;
	int fd, status = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: sandbox DIR LOGFILE COMMAND [ARGS]\n");
		return 2;
	}
	if ((log = fopen(argv[2], "a")) == NULL) {
		perror(argv[2]);
		return 2;
	}
	if ((fd = tl_sandbox(argv[1])) == -1)
		return 2;
	if ((pid = fork()) == -1)
		return 2;
	if (pid == 0) {
		close(fd);
		execvp(argv[3], argv + 3);
		perror(argv[3]);
		_exit(127);
	}
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		pid_t w;

		if (poll(&pfd, 1, 50) > 0) {
			ssize_t n;

			while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
				buf[n] = '\0';
				fprintf(log, "%s\n", buf);
			}
			fflush(log);
		}
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w == -1 && errno != EINTR)
			break;
	}
	/* Last messages sent just before the command exited. */
	for (ssize_t n; (n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0;) {
		buf[n] = '\0';
		fprintf(log, "%s\n", buf);
	}
	fclose(log);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
