/* cvmkey authorized-keys USER: sshd's AuthorizedKeysCommand (DESIGN §5).
 * sshd throws away stderr and discards all output on a non-zero exit, so
 * problems go to syslog and the exit status is 0 unless the database is
 * bad and no chain_command is set. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "db.h"
#include "sshkey.h"
#include "strutil.h"

#define AKC_DEADLINE 20		/* seconds; sshd itself has no limit */

static void
emit_syslog(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	syslog(prio, "%s", msg);
}

static const struct cvm_log akc_log = { emit_syslog, NULL, 0 };

static int
print_db_keys(const char *path, const char *user)
{
	struct cvm_db *db = NULL;
	struct cvm_db_user u;
	char err[512], *b64 = NULL;
	int st;

	st = cvm_db_open(path, 1, &db, err, sizeof(err));
	if (st == CVM_DB_MISSING)
		return 0;
	if (st != CVM_DB_OK) {
		syslog(LOG_ERR, "authorized-keys %s: %s", user, err);
		return -1;
	}
	st = cvm_db_user_byname(db, user, &u);
	if (st != CVM_DB_OK) {
		cvm_db_close(db);
		if (st == CVM_DB_NOTFOUND)
			return 0;
		syslog(LOG_ERR, "authorized-keys %s: %s: %s", user, path,
		    cvm_db_strstatus(st));
		return -1;
	}
	for (uint32_t i = 0; i < u.nkeys; i++) {
		const struct cvm_db_key *k = &u.keys[i];
		size_t cap = ((size_t)k->bloblen + 2) / 3 * 4 + 1;
		char *nb = realloc(b64, cap);

		if (nb == NULL || cvm_b64_encode(k->blob, k->bloblen, nb, cap, 1) < 0) {
			free(nb != NULL ? nb : b64);
			cvm_db_user_free(&u);
			cvm_db_close(db);
			syslog(LOG_ERR, "authorized-keys %s: out of memory", user);
			return -1;
		}
		b64 = nb;
		if (k->expiry >= 0) {
			/* sshd enforces the binding's expiry too. */
			char ts[32];
			time_t t = (time_t)k->expiry;
			struct tm tm;

			if (gmtime_r(&t, &tm) != NULL &&
			    strftime(ts, sizeof(ts), "%Y%m%d%H%M%SZ", &tm) > 0)
				printf("expiry-time=\"%s\" ", ts);
		}
		/* The label is not printed: it is free text and sshd would
		 * only log it. */
		printf("%s %s\n", k->type, b64);
	}
	free(b64);
	cvm_db_user_free(&u);
	cvm_db_close(db);
	return 0;
}

/* The chained command runs in its own process group, killed with us at
 * the deadline: a survivor would hold sshd's pipe open until
 * LoginGraceTime. */
static volatile sig_atomic_t chain_pgid;

static void
on_deadline(int sig)
{
	(void)sig;
	if (chain_pgid > 0)
		kill(-(pid_t)chain_pgid, SIGKILL);
	_exit(EXIT_INTERNAL);	/* non-zero: sshd uses none of the output */
}

/* Runs chain_command with %u replaced, without a shell, copying its
 * standard output. */
static void
run_chain(const char *cmd, const char *user)
{
	struct cvm_strv av = { NULL, 0 };
	pid_t pid, w;
	int status = 0;

	if (cvm_strv_split(&av, cmd, " \t") != 0 || av.n == 0 || av.v[0][0] != '/') {
		syslog(LOG_ERR, "chain_command \"%s\": needs an absolute path", cmd);
		goto out;
	}
	for (size_t i = 1; i < av.n; i++) {
		if (strcmp(av.v[i], "%u") == 0) {
			char *u = strdup(user);

			if (u == NULL)
				goto out;
			free(av.v[i]);
			av.v[i] = u;
		}
	}
	fflush(stdout);
	if ((pid = fork()) == -1) {
		syslog(LOG_ERR, "chain_command: fork: %m");
		goto out;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

		setpgid(0, 0);
		signal(SIGALRM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (devnull != -1)
			dup2(devnull, STDIN_FILENO);
		execv(av.v[0], av.v);
		syslog(LOG_ERR, "chain_command %s: %m", av.v[0]);
		_exit(127);
	}
	setpgid(pid, pid);	/* also here: no race with the deadline */
	chain_pgid = pid;
	while ((w = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
		;
	chain_pgid = 0;
	if (w != pid)
		syslog(LOG_WARNING, "chain_command %s: lost track of it", av.v[0]);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		syslog(LOG_WARNING, "chain_command %s exited with status %d",
		    av.v[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
out:
	cvm_strv_free(&av);
}

int
cmd_authorized_keys(struct cli *c, int argc, char **argv)
{
	int bad;

	openlog("cvmkey", LOG_PID, LOG_AUTHPRIV);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_deadline);
	alarm(AKC_DEADLINE);
	c->log = &akc_log;
	if (argc != 2) {
		syslog(LOG_ERR, "authorized-keys: expected one user name "
		    "(AuthorizedKeysCommand ... authorized-keys %%u)");
		return EXIT_USAGE;
	}
	if (c->conf_failed)
		syslog(LOG_ERR, "authorized-keys: %s unusable, using defaults",
		    c->config_path);
	bad = print_db_keys(c->conf.db, argv[1]) != 0;
	if (c->conf.chain_command != NULL && *c->conf.chain_command != '\0') {
		run_chain(c->conf.chain_command, argv[1]);
		bad = 0;
	}
	if (fflush(stdout) != 0 && errno != EPIPE)
		return EXIT_INTERNAL;
	return bad ? EXIT_INTERNAL : EXIT_OK;
}
