/* cvmkey why USER [--from ADDR] [--json]: can USER log in now, by which
 * method, and why not (DESIGN §5).  The policy answer is the PAM module's
 * own (lib/evaluate.c); the account checks read shadow as pam_unix does. */
#include "config.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "diagnose.h"
#include "events.h"
#include "evaluate.h"
#include "jsonw.h"

struct method {
	int allowed;
	const char *reason;
	char detail[512];
};

/* The account checks of pam_unix, pam_nologin, pam_faillock, shells and
 * home (lib/diagnose.c): a cause that blocks keys too refuses both. */
static void
account_checks(const struct cvm_acctinfo *a, struct method *pw, struct method *pk)
{
	struct cvm_diag d;

	if (!cvm_diag_account(a, NULL, time(NULL), &d))
		return;
	if (d.blocks_key) {
		pk->allowed = 0;
		pk->reason = d.reason;
		snprintf(pk->detail, sizeof(pk->detail), "%s", d.detail);
	}
	if (pw->allowed || d.blocks_key) {
		pw->allowed = 0;
		pw->reason = d.reason;
		snprintf(pw->detail, sizeof(pw->detail), "%s", d.detail);
	}
}

/* The last lines about user from the system's auth log (Debian's
 * auth.log, RHEL's secure, or the file given), at most 20, from the
 * file's last MiB; on a journald-only system, from `journalctl -t sshd`. */
#define LOG_TAIL (1024 * 1024)

static size_t
auth_log_lines(const char *file, const char *user, char ***out)
{
	static const char *defaults[] = { "/var/log/auth.log", "/var/log/secure" };
	char pat[3][300], err[256], *buf = NULL, **lines = NULL;
	size_t len = 0, n = 0;
	FILE *f = NULL;

	*out = NULL;
	for (size_t i = 0; file == NULL && i < 2; i++)
		if (access(defaults[i], R_OK) == 0)
			file = defaults[i];
	if (file == NULL && access("/usr/bin/journalctl", X_OK) == 0)
		/* fixed arguments: nothing of the user's reaches the shell */
		f = popen("/usr/bin/journalctl -q --no-pager -o short -t sshd -n 2000 2>/dev/null", "re");
	else if (file != NULL && (f = fopen(file, "re")) != NULL) {
		if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > LOG_TAIL)
			fseek(f, -LOG_TAIL, SEEK_END);
		else
			rewind(f);
	}
	if (f == NULL)
		return 0;
	(void)err;
	if ((buf = malloc(LOG_TAIL + 1)) == NULL) {
		if (file == NULL)
			pclose(f);
		else
			fclose(f);
		return 0;
	}
	len = fread(buf, 1, LOG_TAIL, f);
	buf[len] = '\0';
	if (file == NULL)
		pclose(f);
	else
		fclose(f);
	snprintf(pat[0], sizeof(pat[0]), "user=%s ", user);
	snprintf(pat[1], sizeof(pat[1]), " for %s from ", user);
	snprintf(pat[2], sizeof(pat[2]), " user %s ", user);
	for (char *line = buf, *next; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strstr(line, pat[0]) == NULL && strstr(line, pat[1]) == NULL &&
		    strstr(line, pat[2]) == NULL)
			continue;
		if (n == 20) {	/* keep the last 20 */
			free(lines[0]);
			memmove(lines, lines + 1, 19 * sizeof(*lines));
			n--;
		} else {
			char **nl = realloc(lines, (n + 1) * sizeof(*lines));

			if (nl == NULL)
				break;
			lines = nl;
		}
		if ((lines[n] = strdup(line)) != NULL)
			n++;
	}
	free(buf);
	*out = lines;
	return n;
}

static void
json_method(const char *name, const struct method *m, int last)
{
	printf("\"%s\":{\"allowed\":%s,\"reason\":", name, m->allowed ? "true" : "false");
	cvm_json_str(stdout, m->reason);
	printf(",\"detail\":");
	cvm_json_str(stdout, m->detail);
	printf("}%s", last ? "" : ",");
}

int
cmd_why(struct cli *c, int argc, char **argv)
{
	const char *user = NULL, *from = NULL;
	struct cvm_request req;
	struct method pw, pk;
	struct cvm_eval ev;
	unsigned char ab[16];
	struct cvm_event *events = NULL;
	size_t nevents = 0;
	char everr[256], **loglines = NULL;
	const char *logfile = NULL;
	size_t nlog;
	int json = 0, r, ret;

	for (int i = 1; i < argc; i++) {
		if ((r = cli_common_option(c, argc, argv, i)) < 0)
			return EXIT_USAGE;
		if (r > 0) {
			i += r - 1;
			continue;
		}
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
			from = argv[++i];
		else if (strncmp(argv[i], "--from=", 7) == 0)
			from = argv[i] + 7;
		else if (strcmp(argv[i], "--log") == 0 && i + 1 < argc)
			logfile = argv[++i];
		else if (argv[i][0] == '-' || user != NULL) {
			usage(stderr);
			return EXIT_USAGE;
		} else
			user = argv[i];
	}
	if (user == NULL) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (from != NULL && inet_pton(AF_INET, from, ab) != 1 &&
	    inet_pton(AF_INET6, from, ab) != 1) {
		fprintf(stderr, "cvmkey: why: --from takes an IPv4 or IPv6 address\n");
		return EXIT_USAGE;
	}
	memset(&req, 0, sizeof(req));
	req.service = "sshd";
	req.tty = "ssh";
	req.rhost = from;
	req.addr = from;
	req.lport = -1;
	req.method = "password";
	req.now = time(NULL);
	cvm_evaluate(&c->conf, c->conf_failed ? "cvmkey.conf cannot be used" : NULL,
	    user, &req, &ev);
	nlog = auth_log_lines(logfile, ev.acct.exists ? ev.acct.name : user, &loglines);
	/* Names that do not resolve share one bucket: not this name's own. */
	if (ev.acct.exists && cvm_events_read(ev.acct.name, &events, &nevents,
	    everr, sizeof(everr)) != 0 && !json)
		fprintf(stderr, "cvmkey: login events unavailable: %s\n", everr);

	memset(&pw, 0, sizeof(pw));
	memset(&pk, 0, sizeof(pk));
	pw.allowed = !ev.d.enforce;
	pw.reason = ev.d.reason;
	if (ev.d.refuse && !ev.d.enforce)
		snprintf(pw.detail, sizeof(pw.detail), "policy = audit: would be "
		    "refused (%s), not enforced", ev.d.reason);
	else if (ev.d.refuse)
		snprintf(pw.detail, sizeof(pw.detail), "refused by the policy: %s%s%s",
		    ev.d.reason, ev.d.detail[0] ? ": " : "", ev.d.detail);
	else
		snprintf(pw.detail, sizeof(pw.detail), "%s", ev.d.detail);
	pk.allowed = ev.d.nusable > 0;
	pk.reason = pk.allowed ? "key_bound" : ev.keys.n > 0 ? "key_unusable" : "no_key";
	if (!pk.allowed && ev.keys.n > 0)
		snprintf(pk.detail, sizeof(pk.detail), "%s", ev.keys.k[0].problem);
	if (!ev.acct.exists) {
		pw.allowed = pk.allowed = 0;
		pw.reason = pk.reason = "user_unknown";
		snprintf(pw.detail, sizeof(pw.detail), "no such user (through NSS)");
		snprintf(pk.detail, sizeof(pk.detail), "no such user (through NSS)");
	} else
		account_checks(&ev.acct, &pw, &pk);

	if (json) {
		printf("{\"schema\":1,\"user\":");
		cvm_json_str(stdout, ev.acct.name);
		printf(",\"exists\":%s,\"policy\":\"%s\",\"methods\":{",
		    ev.acct.exists ? "true" : "false", cvm_policy_name(c->conf.policy));
		json_method("password", &pw, 0);
		json_method("publickey", &pk, 1);
		printf("},\"keys\":[");
		for (size_t i = 0; i < ev.keys.n; i++) {
			const struct cvm_key *k = &ev.keys.k[i];

			printf("%s{\"fingerprint\":", i ? "," : "");
			cvm_json_str(stdout, k->parsed ? k->key.fp : NULL);
			printf(",\"type\":");
			cvm_json_str(stdout, k->parsed ? k->key.type : NULL);
			printf(",\"bits\":%u,\"source\":\"%s\",\"label\":",
			    k->parsed ? k->key.bits : 0,
			    k->source == CVM_SRC_DB ? "db" : "authorized_keys");
			cvm_json_str(stdout, k->label != NULL ? k->label : "");
			printf(",\"valid\":%s,\"problem\":", k->usable ? "true" : "false");
			cvm_json_str(stdout, k->usable ? NULL : k->problem);
			printf("}");
		}
		printf("],\"events\":[");
		for (size_t i = 0; i < nevents; i++) {
			const struct cvm_event *e = &events[i];

			printf("%s{\"time\":%lld,\"service\":", i ? "," : "",
			    (long long)e->when);
			cvm_json_str(stdout, e->service);
			printf(",\"rhost\":");
			cvm_json_str(stdout, e->rhost);
			printf(",\"method\":");
			cvm_json_str(stdout, e->method);
			printf(",\"result\":");
			cvm_json_str(stdout, e->result);
			printf(",\"reason\":");
			cvm_json_str(stdout, e->reason);
			printf("}");
		}
		printf("],\"log\":[");
		for (size_t i = 0; i < nlog; i++) {
			printf("%s", i ? "," : "");
			cvm_json_str(stdout, loglines[i]);
		}
		printf("]}\n");
	} else {
		printf("%s: %s\n", ev.acct.exists ? ev.acct.name : user,
		    ev.acct.exists ? "account exists" : "no such user");
		printf("  password:  %s (%s)%s%s\n", pw.allowed ? "allowed" : "refused",
		    pw.reason, pw.detail[0] ? " — " : "", pw.detail);
		printf("  publickey: %s (%s)%s%s\n", pk.allowed ? "allowed" : "refused",
		    pk.reason, pk.detail[0] ? " — " : "", pk.detail);
		for (size_t i = 0; i < ev.keys.n; i++) {
			const struct cvm_key *k = &ev.keys.k[i];

			printf("  key %s %s (%s%s%s): %s\n",
			    k->parsed ? k->key.fp : "(undecodable)",
			    k->parsed ? k->key.type : "",
			    k->source == CVM_SRC_DB ? "db" : k->file,
			    k->label != NULL && *k->label ? ", " : "",
			    k->label != NULL ? k->label : "",
			    k->usable ? "usable" : k->problem);
		}
		for (size_t i = 0; i < ev.keys.notes.n; i++)
			printf("  note: %s\n", ev.keys.notes.v[i]);
		if (nevents > 0)
			printf("  recent decisions (newest first):\n");
		for (size_t i = 0; i < nevents; i++) {
			char ts[32];
			time_t t = events[i].when;
			struct tm tm;

			char rhost[256];

			if (localtime_r(&t, &tm) == NULL ||
			    strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm) == 0)
				snprintf(ts, sizeof(ts), "%lld", (long long)t);
			cvm_escape_value(rhost, sizeof(rhost), events[i].rhost);
			printf("    %s %s from %s by %s: %s (%s)\n", ts,
			    events[i].service, rhost, events[i].method,
			    events[i].result, events[i].reason);
		}
	}
	if (!json && nlog > 0) {
		printf("  auth log:\n");
		for (size_t i = 0; i < nlog; i++)
			printf("    %s\n", loglines[i]);
	}
	ret = pw.allowed || pk.allowed ? EXIT_OK : EXIT_REFUSED;
	free(events);
	for (size_t i = 0; i < nlog; i++)
		free(loglines[i]);
	free(loglines);
	if (strcmp(ev.d.reason, "db_error") == 0 && !pk.allowed)
		ret = EXIT_INTERNAL;
	cvm_eval_free(&ev);
	return ret;
}
