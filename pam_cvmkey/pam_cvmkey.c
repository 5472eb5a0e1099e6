/* pam_cvmkey: refuses password / keyboard-interactive login for accounts
 * with a usable bound SSH key, and logs why (DESIGN §2, §3).  A thin front
 * end: the decision is lib/policy.c, the I/O lib/evaluate.c. */
#include "config.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include "conf.h"
#include "diagnose.h"
#include "events.h"
#include "strutil.h"
#include "evaluate.h"
#include "log.h"

#define EXPORT __attribute__((visibility("default")))

struct ctx {
	pam_handle_t *pamh;
	struct cvm_conf conf;
	struct cvm_log log;
	int conf_failed;
	char conf_err[256];
	int diagnose;
};

static void
emit_pam(void *c, int prio, const char *msg)
{
	pam_syslog(c, prio, "%s", msg);
}

/* Defaults, then config= (or the default file), then the arguments, all
 * through cvm_conf_set (pam_faillock's order). */
static int
setup(struct ctx *x, pam_handle_t *pamh, int argc, const char **argv)
{
	const char *cfg = CVM_CONF_PATH;

	memset(x, 0, sizeof(*x));
	x->pamh = pamh;
	x->log.emit = emit_pam;
	x->log.ctx = pamh;
	if (cvm_conf_init(&x->conf) != 0)
		return -1;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "config=", 7) == 0)
			cfg = argv[i] + 7;
		else if (strcmp(argv[i], "debug") == 0)
			x->log.debug = 1;
	}
	if (cvm_conf_load(&x->conf, cfg, &x->log) != 0) {
		x->conf_failed = 1;
		snprintf(x->conf_err, sizeof(x->conf_err),
		    "%s cannot be used (see the previous message)", cfg);
	}
	for (int i = 0; i < argc; i++) {
		char key[64];
		const char *eq = strchr(argv[i], '=');
		size_t kl;

		if (strncmp(argv[i], "config=", 7) == 0)
			continue;
		if (strcmp(argv[i], "diagnose") == 0) {
			x->diagnose = 1;
			continue;
		}
		if (strcmp(argv[i], "debug") == 0) {
			x->conf.debug = 1;
			continue;
		}
		if (eq == NULL || (kl = (size_t)(eq - argv[i])) >= sizeof(key)) {
			pam_syslog(pamh, LOG_WARNING, "unknown argument \"%s\" ignored",
			    argv[i]);
			continue;
		}
		memcpy(key, argv[i], kl);
		key[kl] = '\0';
		(void)cvm_conf_set(&x->conf, key, eq + 1, &x->log, "argument");
	}
	x->log.debug = x->conf.debug;
	return 0;
}

static const char *
item(pam_handle_t *pamh, int type)
{
	const void *v = NULL;

	if (pam_get_item(pamh, type, &v) != PAM_SUCCESS)
		return NULL;
	return v;
}

/* SSH_CONNECTION, which sshd puts in the PAM environment: "client-address
 * client-port server-address server-port".  Only well-formed addresses are
 * taken. */
struct conninfo {
	char addr[64], laddr[64];	/* INET6_ADDRSTRLEN and then some */
	int lport;
};

static int
is_addr(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

static void
parse_connection(const char *sc, const char *rhost, struct conninfo *ci)
{
	char a[64], la[64];
	unsigned rport, lport;

	memset(ci, 0, sizeof(*ci));
	ci->lport = -1;
	if (sc != NULL && sscanf(sc, "%63s %u %63s %u", a, &rport, la, &lport) == 4 &&
	    is_addr(a) && is_addr(la) && lport <= 65535) {
		snprintf(ci->addr, sizeof(ci->addr), "%s", a);
		snprintf(ci->laddr, sizeof(ci->laddr), "%s", la);
		ci->lport = (int)lport;
	} else if (rhost != NULL && is_addr(rhost))
		snprintf(ci->addr, sizeof(ci->addr), "%s", rhost);
}

static void
request(pam_handle_t *pamh, struct cvm_request *req, struct conninfo *ci)
{
	memset(req, 0, sizeof(*req));
	req->service = item(pamh, PAM_SERVICE);
	req->tty = item(pamh, PAM_TTY);
	req->rhost = item(pamh, PAM_RHOST);
	req->auth_info = pam_getenv(pamh, "SSH_AUTH_INFO_0");
	/* OpenSSH 9.2 puts SSH_AUTH_INFO_0 into the PAM environment when it
	 * starts keyboard-interactive (sshpam_init_ctx), not on the password
	 * path (sshpam_auth_passwd): a best guess, DESIGN §3. */
	req->method = req->auth_info != NULL ? "keyboard-interactive" : "password";
	req->now = time(NULL);
	parse_connection(pam_getenv(pamh, "SSH_CONNECTION"), req->rhost, ci);
	req->addr = ci->addr[0] != '\0' ? ci->addr : NULL;
	req->laddr = ci->laddr[0] != '\0' ? ci->laddr : NULL;
	req->lport = ci->lport;
}

static void
log_decision(struct ctx *x, const struct cvm_eval *ev,
    const struct cvm_request *req, const char *result)
{
	const struct cvm_decision *d = &ev->d;
	struct cvm_line l;
	int prio = d->refuse ? LOG_NOTICE : LOG_INFO;

	if (!d->notable && !x->conf.debug)
		return;
	if (d->refuse || strcmp(d->reason, "key_unusable") == 0 ||
	    strcmp(d->reason, "db_error") == 0)
		prio = LOG_NOTICE;
	cvm_line_init(&l, d->verdict);
	/* A name that does not resolve may be a password typed into the
	 * user name prompt: not logged verbatim unless debug. */
	cvm_line_kv(&l, "user", ev->acct.exists || x->conf.debug ?
	    ev->acct.name : "(unknown)");
	cvm_line_kv(&l, "rhost", req->rhost != NULL ? req->rhost : "");
	cvm_line_kv(&l, "method", req->method);
	cvm_line_kv(&l, "reason", d->reason);
	if (d->nusable > 0) {
		cvm_line_kvu(&l, "keys", d->nusable);
		cvm_line_kv(&l, "source", d->sources == (CVM_SRC_DB | CVM_SRC_AK) ?
		    "db,authorized_keys" : d->sources == CVM_SRC_DB ? "db" :
		    "authorized_keys");
		cvm_line_kv(&l, "fp", d->fp);
	}
	if (result != NULL)
		cvm_line_kv(&l, "result", result);
	if (d->detail[0] != '\0')
		cvm_line_kv(&l, "detail", d->detail);
	pam_syslog(x->pamh, prio, "%s", l.buf);
	if (x->conf.debug)
		for (size_t i = 0; i < ev->keys.notes.n; i++)
			pam_syslog(x->pamh, LOG_DEBUG, "note: %s", ev->keys.notes.v[i]);
}

/* How did the login that reached the account stage authenticate?  sshd
 * (monitor.c, every version up to 10.x) runs the PAM account stack before
 * it appends the method that just succeeded to SSH_AUTH_INFO_0, which then
 * lists only earlier steps of a multi-step login.  So the auth stage
 * remembers, in the PAM handle, that a password was checked in this
 * connection; the account stage takes that, unless SSH_AUTH_INFO_0 shows a
 * key.  A login whose client tried a password, failed, and then succeeded
 * by key is reported as a password login: clients try keys first, so this
 * is rare, and cvmkey(8) documents it. */
#define ATTEMPT_DATA "pam_cvmkey_password_attempt"

static void
cleanup_attempt(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	free(data);
}

static void
remember_attempt(pam_handle_t *pamh, const char *method)
{
	char *m = strdup(method);

	if (m != NULL && pam_set_data(pamh, ATTEMPT_DATA, m, cleanup_attempt) != PAM_SUCCESS)
		free(m);
}

static const char *
password_login(pam_handle_t *pamh, const char *info)
{
	const void *m = NULL;

	for (const char *p = info; p != NULL && *p != '\0';) {
		if (strncmp(p, "publickey", 9) == 0 || strncmp(p, "hostbased", 9) == 0)
			return NULL;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	if (pam_get_data(pamh, ATTEMPT_DATA, &m) != PAM_SUCCESS)
		return NULL;
	return m;
}

/* One event in the kernel keyring (lib/events.c); a failure is logged
 * once per process and otherwise ignored: syslog still has the line. */
static void
record_event(struct ctx *x, const struct cvm_eval *ev,
    const struct cvm_request *req, const char *result, const char *reason)
{
	static int warned;
	struct cvm_event e;
	char err[256];

	memset(&e, 0, sizeof(e));
	cvm_strlcpy(e.service, req->service != NULL ? req->service : "", sizeof(e.service));
	cvm_strlcpy(e.rhost, req->rhost != NULL ? req->rhost : "", sizeof(e.rhost));
	cvm_strlcpy(e.method, req->method, sizeof(e.method));
	cvm_strlcpy(e.result, result, sizeof(e.result));
	cvm_strlcpy(e.reason, reason, sizeof(e.reason));
	if (cvm_events_record(ev->acct.exists ? ev->acct.name : NULL, &e,
	    (unsigned)x->conf.event_ttl, (unsigned)x->conf.events_per_user,
	    err, sizeof(err)) != 0 && !warned) {
		warned = 1;
		pam_syslog(x->pamh, LOG_WARNING, "login events not kept (%s); "
		    "syslog only", err);
	}
}

/* Password attempts against a key-bound account are someone guessing (the
 * owner uses the key): over guess_threshold of them within guess_window,
 * one warning line, at most once per user per window.  The counter is the
 * number of live attempt events in the window (no shared counter to race
 * on between sshd processes). */
static void
guessing_warning(struct ctx *x, const struct cvm_eval *ev,
    const struct cvm_request *req)
{
	struct cvm_event *evs = NULL;
	size_t n = 0, attempts = 0;
	char err[128];
	struct cvm_line l;

	if (!ev->acct.exists || strcmp(ev->d.reason, "key_bound") != 0 ||
	    x->conf.guess_threshold == 0 ||
	    cvm_events_read(ev->acct.name, &evs, &n, err, sizeof(err)) != 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (evs[i].when + (time_t)x->conf.guess_window >= req->now &&
		    strcmp(evs[i].reason, "key_bound") == 0)
			attempts++;
	free(evs);
	/* The window can hold at most events_per_user events: a threshold at
	 * or above that is taken as events_per_user - 1 (cvmkey.conf(5)). */
	if (attempts <= x->conf.guess_threshold &&
	    (x->conf.events_per_user < 2 || attempts < x->conf.events_per_user))
		return;
	if (!cvm_events_warn_once(ev->acct.name, (unsigned)x->conf.guess_window))
		return;
	cvm_line_init(&l, "warning");
	cvm_line_kv(&l, "user", ev->acct.name);
	cvm_line_kv(&l, "rhost", req->rhost != NULL ? req->rhost : "");
	cvm_line_kv(&l, "method", req->method);
	cvm_line_kv(&l, "reason", "password_guessing");
	cvm_line_kvu(&l, "attempts", attempts);
	cvm_line_kvu(&l, "window", x->conf.guess_window);
	pam_syslog(x->pamh, LOG_WARNING, "%s", l.buf);
}

/* On the failure path of the auth stack (after the password modules):
 * name the most likely reason this attempt failed.  The typed password
 * (PAM_AUTHTOK, still set inside pam_authenticate) is only compared with
 * sshd's substitute, never logged or kept. */
static void
diagnose(struct ctx *x, const struct cvm_request *req)
{
	const char *user = item(x->pamh, PAM_USER), *authtok = NULL;
	const void *tok = NULL;
	struct cvm_diag dg;
	struct cvm_eval ev;
	struct cvm_line l;

	if (user == NULL || !cvm_policy_covers(&x->conf, req->service, req->tty))
		return;
	if (pam_get_item(x->pamh, PAM_AUTHTOK, &tok) == PAM_SUCCESS)
		authtok = tok;
	cvm_evaluate(&x->conf, x->conf_failed ? x->conf_err : NULL, user, req, &ev);
	cvm_diagnose(&ev, authtok, NULL, req->now, &dg);
	cvm_line_init(&l, "diagnosed");
	cvm_line_kv(&l, "user", ev.acct.exists || x->conf.debug ? ev.acct.name :
	    "(unknown)");
	cvm_line_kv(&l, "rhost", req->rhost != NULL ? req->rhost : "");
	cvm_line_kv(&l, "method", req->method);
	cvm_line_kv(&l, "reason", dg.reason);
	cvm_line_kv(&l, "result", "failure");
	cvm_line_kv(&l, "detail", dg.detail);
	pam_syslog(x->pamh, LOG_NOTICE, "%s", l.buf);
	record_event(x, &ev, req, "failure", dg.reason);
	cvm_eval_free(&ev);
}

EXPORT int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct cvm_request req;
	struct conninfo ci;
	struct cvm_eval ev;
	const char *user;
	struct ctx x;
	int ret = PAM_IGNORE;

	(void)flags;
	if (setup(&x, pamh, argc, argv) != 0) {
		/* Without a configuration the policy is the compiled-in
		 * "audit": refuse nothing. */
		pam_syslog(pamh, LOG_CRIT, "out of memory: not deciding");
		return PAM_IGNORE;
	}
	request(pamh, &req, &ci);
	if (x.diagnose) {
		diagnose(&x, &req);
		goto out;	/* the diagnose line never changes the result */
	}
	/* Never prompt: sshd has set the user; without one there is
	 * nothing to decide. */
	user = item(pamh, PAM_USER);
	if (user == NULL || *user == '\0' ||
	    !cvm_policy_covers(&x.conf, req.service, req.tty))
		goto out;
	cvm_evaluate(&x.conf, x.conf_failed ? x.conf_err : NULL, user, &req, &ev);
	log_decision(&x, &ev, &req, NULL);
	record_event(&x, &ev, &req, ev.d.verdict, ev.d.reason);
	guessing_warning(&x, &ev, &req);
	if (ev.d.enforce)
		ret = PAM_AUTH_ERR;
	remember_attempt(pamh, req.method);
	cvm_eval_free(&ev);
out:
	cvm_conf_free(&x.conf);
	return ret;
}

EXPORT int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh; (void)flags; (void)argc; (void)argv;
	return PAM_IGNORE;
}

/* The account stack refuses logins that passed authentication (by key
 * too) for causes this line can see: /etc/nologin, an expired account, an
 * unusable shell.  A `required` module's refusal lets the stack run on to
 * this line; it names the cause once (result=failure), and changes
 * nothing. */
static void
account_refusal(struct ctx *x, const char *user, const struct cvm_request *req)
{
	struct cvm_acctinfo a;
	struct cvm_diag d;
	struct cvm_line l;

	if (cvm_acct_lookup(user, &a) != 0)
		return;
	if (a.exists && cvm_diag_account(&a, NULL, req->now, &d) && d.blocks_key) {
		cvm_line_init(&l, "diagnosed");
		cvm_line_kv(&l, "user", a.name);
		cvm_line_kv(&l, "rhost", req->rhost != NULL ? req->rhost : "");
		cvm_line_kv(&l, "method", "account");
		cvm_line_kv(&l, "reason", d.reason);
		cvm_line_kv(&l, "result", "failure");
		cvm_line_kv(&l, "detail", d.detail);
		pam_syslog(x->pamh, LOG_NOTICE, "%s", l.buf);
	}
	cvm_acct_free(&a);
}

EXPORT int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct cvm_request req;
	struct conninfo ci;
	struct cvm_eval ev;
	const char *user, *method;
	struct ctx x;

	(void)flags;
	if (setup(&x, pamh, argc, argv) != 0)
		return PAM_IGNORE;
	request(pamh, &req, &ci);
	user = item(pamh, PAM_USER);
	if (user != NULL && cvm_policy_covers(&x.conf, req.service, req.tty))
		account_refusal(&x, user, &req);
	/* Under policy=audit, a key-bound user who got in by password is the
	 * line the roll-out needs: real users, not attackers' guesses. */
	if (x.conf.policy != CVM_POLICY_AUDIT || user == NULL ||
	    (method = password_login(pamh, req.auth_info)) == NULL ||
	    !cvm_policy_covers(&x.conf, req.service, req.tty))
		goto out;
	req.method = method;
	req.auth_info = NULL;	/* the password was the only factor */
	cvm_evaluate(&x.conf, x.conf_failed ? x.conf_err : NULL, user, &req, &ev);
	if (ev.d.refuse)
		log_decision(&x, &ev, &req, "success");
	cvm_eval_free(&ev);
out:
	cvm_conf_free(&x.conf);
	return PAM_IGNORE;
}

/* The methods in SSH_AUTH_INFO_0 ("publickey,password"), and the last
 * publickey line's key. */
static void
session_methods(const char *info, char *methods, size_t mlen,
    struct cvm_pubkey *key, int *have_key)
{
	size_t n = 0;

	methods[0] = '\0';
	*have_key = 0;
	for (const char *p = info; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl != NULL ? (size_t)(nl - p) : strlen(p);
		size_t wl = strcspn(p, " \n");
		char line[16384 + 128], err[128];

		if (wl > 0 && n + wl + 2 < mlen) {
			n += (size_t)snprintf(methods + n, mlen - n, "%s%.*s",
			    n ? "," : "", (int)wl, p);
		}
		/* "publickey <type> <base64>" */
		if (strncmp(p, "publickey ", 10) == 0 && ll < sizeof(line)) {
			char *type, *b64, *sp;

			memcpy(line, p, ll);
			line[ll] = '\0';
			type = line + 10;
			if ((sp = strchr(type, ' ')) != NULL) {
				*sp = '\0';
				b64 = sp + 1;
				b64[strcspn(b64, " ")] = '\0';
				if (*have_key)
					cvm_pubkey_free(key);
				*have_key = cvm_pubkey_from_base64(type, b64,
				    strlen(b64), key, err, sizeof(err)) == 0;
			}
		}
		p = nl != NULL ? nl + 1 : NULL;
	}
}

/* One line naming how the session was opened: the method(s) and, for a
 * key, its fingerprint and which binding it is (DESIGN §3 session). */
EXPORT int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	char methods[128];
	struct cvm_request req;
	struct conninfo ci;
	struct cvm_pubkey key;
	struct cvm_eval ev;
	struct cvm_line l;
	const struct cvm_key *k = NULL;
	const char *user;
	struct ctx x;
	int have_key = 0;

	(void)flags;
	memset(&key, 0, sizeof(key));
	if (setup(&x, pamh, argc, argv) != 0)
		return PAM_IGNORE;
	request(pamh, &req, &ci);
	user = item(pamh, PAM_USER);
	if (user == NULL || req.auth_info == NULL ||
	    !cvm_policy_covers(&x.conf, req.service, req.tty))
		goto out;
	session_methods(req.auth_info, methods, sizeof(methods), &key, &have_key);
	cvm_evaluate(&x.conf, x.conf_failed ? x.conf_err : NULL, user, &req, &ev);
	if (have_key)
		k = cvm_keyset_find(&ev.keys, key.blob, key.bloblen);
	cvm_line_init(&l, "session");
	cvm_line_kv(&l, "user", ev.acct.name);
	cvm_line_kv(&l, "rhost", req.rhost != NULL ? req.rhost : "");
	cvm_line_kv(&l, "method", methods[0] != '\0' ? methods : "unknown");
	cvm_line_kv(&l, "reason", !have_key ? "no_key" : k != NULL ? "key_bound" :
	    "key_other");
	if (have_key) {
		cvm_line_kv(&l, "fp", key.fp);
		cvm_line_kv(&l, "label", k != NULL && k->label != NULL ? k->label : "");
		cvm_line_kv(&l, "source", k == NULL ? "" :
		    k->source == CVM_SRC_DB ? "db" : "authorized_keys");
		if (k != NULL && k->bound_at > 0) {
			char day[16];
			time_t t = (time_t)k->bound_at;
			struct tm tm;

			if (gmtime_r(&t, &tm) != NULL &&
			    strftime(day, sizeof(day), "%Y-%m-%d", &tm) > 0)
				cvm_line_kv(&l, "bound", day);
		}
	}
	pam_syslog(pamh, LOG_INFO, "%s", l.buf);
	cvm_eval_free(&ev);
out:
	if (have_key)
		cvm_pubkey_free(&key);
	cvm_conf_free(&x.conf);
	return PAM_IGNORE;
}

EXPORT int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh; (void)flags; (void)argc; (void)argv;
	return PAM_IGNORE;
}
