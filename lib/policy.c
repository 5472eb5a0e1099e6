/* The policy decision: pure, no I/O.  Keys that are bound but that sshd
 * would not accept never refuse a password (DESIGN §1): that rule is what
 * keeps a typo in sshd_config from locking people out. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db.h"
#include "match.h"
#include "policy.h"

int
cvm_policy_covers(const struct cvm_conf *conf, const char *service,
    const char *tty)
{
	/* Only sshd sets PAM_TTY to "ssh", whatever its service name. */
	if (tty != NULL && strcmp(tty, "ssh") == 0)
		return 1;
	return service != NULL && cvm_strv_contains(&conf->services, service);
}

static int
is_password_method(const char *m, size_t len)
{
	/* "password", "keyboard-interactive", "keyboard-interactive:pam" */
	if (len == 8 && strncmp(m, "password", 8) == 0)
		return 1;
	return len >= 20 && strncmp(m, "keyboard-interactive", 20) == 0 &&
	    (len == 20 || m[20] == ':');
}

/* Returns 1 when, in every method list that allows a password, publickey
 * comes before it. */
static int
authmethods_need_key_first(const char *am)
{
	int any_password_list = 0;
	const char *p = am;

	if (am == NULL || strcmp(am, "any") == 0 || *am == '\0')
		return 0;
	while (*p != '\0') {
		size_t ll = strcspn(p, " \t");
		const char *le = p + ll, *m = p;
		int seen_pubkey = 0;

		while (m < le) {
			size_t ml = strcspn(m, ",");

			if (m + ml > le)
				ml = (size_t)(le - m);
			if (ml >= 9 && strncmp(m, "publickey", 9) == 0 &&
			    (ml == 9 || m[9] == ':'))
				seen_pubkey = 1;
			else if (is_password_method(m, ml)) {
				any_password_list = 1;
				if (!seen_pubkey)
					return 0;
			}
			m += ml;
			if (m < le && *m == ',')
				m++;
		}
		p = le;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	/* No list allows a password at all: sshd never asks PAM for one, and
	 * there is nothing for the policy to refuse. */
	(void)any_password_list;
	return 1;
}

int
cvm_password_is_second_factor(const char *authmethods, const char *auth_info)
{
	/* SSH_AUTH_INFO_0 lists completed methods, one per line
	 * ("publickey ssh-ed25519 AAAA..."). */
	for (const char *p = auth_info; p != NULL && *p != '\0';) {
		if (strncmp(p, "publickey ", 10) == 0)
			return 1;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return authmethods_need_key_first(authmethods);
}

int
cvm_akc_is_ours(const char *akc)
{
	struct cvm_strv av = { NULL, 0 };
	const char *base;
	int ok = 0;

	if (akc == NULL || strcmp(akc, "none") == 0)
		return 0;
	/* sshd splits the command on whitespace (argv_split, quotes
	 * honoured); cvmkey's own line never needs quoting. */
	if (cvm_strv_split(&av, akc, " \t") != 0 || av.n < 2)
		goto out;
	base = strrchr(av.v[0], '/');
	base = base != NULL ? base + 1 : av.v[0];
	if (strcmp(base, "cvmkey") != 0 || strcmp(av.v[1], "authorized-keys") != 0)
		goto out;
	for (size_t i = 2; i < av.n; i++)
		if (strcmp(av.v[i], "%u") == 0)
			ok = 1;
out:
	cvm_strv_free(&av);
	return ok;
}

static int
alg_accepted(const char *accepted, const char *sigalgs)
{
	char alg[128];

	for (const char *p = sigalgs; *p != '\0';) {
		size_t l = strcspn(p, ",");

		if (l < sizeof(alg)) {
			memcpy(alg, p, l);
			alg[l] = '\0';
			if (cvm_match_pattern_list(alg, accepted, 0) == 1)
				return 1;
		}
		p += l;
		if (*p == ',')
			p++;
	}
	return 0;
}

int
cvm_publickey_suffices(const char *am)
{
	if (am == NULL || strcmp(am, "any") == 0 || *am == '\0')
		return 1;
	for (const char *p = am; *p != '\0';) {
		size_t ll = strcspn(p, " \t");
		int ok = ll > 0, first = 1;

		for (const char *m = p; m < p + ll;) {
			size_t ml = strcspn(m, ",");
			int pk;

			if (m + ml > p + ll)
				ml = (size_t)(p + ll - m);
			pk = ml >= 9 && strncmp(m, "publickey", 9) == 0 &&
			    (ml == 9 || m[9] == ':');
			/* A key first; after it only more keys or a password,
			 * which the policy leaves alone as a second factor. */
			if ((first && !pk) || (!pk && !is_password_method(m, ml)))
				ok = 0;
			first = 0;
			m += ml;
			if (m < p + ll && *m == ',')
				m++;
		}
		if (ok)
			return 1;
		p += ll;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	return 0;
}

int
cvm_key_usable(const struct cvm_sshd *sshd, const struct cvm_request *req,
    const struct cvm_keyset *ks, const struct cvm_key *k, char *problem,
    size_t plen)
{
	const char *v, *rhost = req->rhost;
	long minrsa;

	if (!k->parsed) {
		snprintf(problem, plen, "key does not decode: %s",
		    k->parse_error != NULL ? k->parse_error : "unknown error");
		return 0;
	}
	if (cvm_sshd_flag(sshd, "pubkeyauthentication") != 1) {
		snprintf(problem, plen, "PubkeyAuthentication is not yes");
		return 0;
	}
	if (k->source == CVM_SRC_DB) {
		v = cvm_sshd_get(sshd, "authorizedkeyscommand");
		if (!cvm_akc_is_ours(v)) {
			snprintf(problem, plen, "bound in the database, but "
			    "AuthorizedKeysCommand is not \"cvmkey authorized-keys %%u\"");
			return 0;
		}
		v = cvm_sshd_get(sshd, "authorizedkeyscommanduser");
		if (v == NULL || strcmp(v, "none") == 0) {
			/* sshd skips the command without a user to run it as. */
			snprintf(problem, plen, "AuthorizedKeysCommandUser is not set");
			return 0;
		}
		if (ks->akc_problem[0] != '\0') {
			snprintf(problem, plen, "%s", ks->akc_problem);
			return 0;
		}
	}
	if (k->key.kt == CVM_KT_CERT) {
		snprintf(problem, plen, "a certificate, not a plain key");
		return 0;
	}
	if (k->cert_authority) {
		snprintf(problem, plen, "cert-authority line (trusts a CA, "
		    "not this key)");
		return 0;
	}
	if (k->principals) {
		/* sshd rejects the line: "principals on non-CA key". */
		snprintf(problem, plen, "principals= on a key that is not a "
		    "cert-authority");
		return 0;
	}
	if (k->command != NULL) {
		snprintf(problem, plen, "restricted to a forced command");
		return 0;
	}
	/* sshd: expired when expiry-time < now. */
	if (k->expiry >= 0 && (int64_t)req->now > k->expiry) {
		snprintf(problem, plen, "expired (expiry-time)");
		return 0;
	}
	v = cvm_sshd_get(sshd, "pubkeyacceptedalgorithms");
	if (v == NULL || !alg_accepted(v, cvm_pubkey_sigalgs(&k->key))) {
		snprintf(problem, plen, "key type %s not in PubkeyAcceptedAlgorithms",
		    k->key.type);
		return 0;
	}
	v = cvm_sshd_get(sshd, "requiredrsasize");
	minrsa = v != NULL ? strtol(v, NULL, 10) : 1024;
	/* sshd refuses RSA below 1024 bits when it reads the key, whatever
	 * RequiredRSASize says. */
	if (minrsa < 1024)
		minrsa = 1024;
	if (k->key.kt == CVM_KT_RSA && (long)k->key.bits < minrsa) {
		snprintf(problem, plen, "RSA key of %u bits, below RequiredRSASize %ld",
		    k->key.bits, minrsa);
		return 0;
	}
	if (k->from != NULL) {
		/* sshd matches from= against the client's name (PAM_RHOST:
		 * the address under UseDNS no) and its address. */
		const char *addr = req->addr != NULL ? req->addr : rhost;

		if (rhost == NULL || *rhost == '\0' || addr == NULL) {
			snprintf(problem, plen, "from=\"%s\" and the client address "
			    "is not known", k->from);
			return 0;
		}
		if (cvm_match_host_and_ip(rhost, addr, k->from) != 1) {
			snprintf(problem, plen, "from=\"%s\" does not match %s",
			    k->from, addr);
			return 0;
		}
	}
	if (!cvm_publickey_suffices(cvm_sshd_get(sshd, "authenticationmethods"))) {
		/* e.g. "password,publickey": refusing the password would
		 * leave no way in. */
		snprintf(problem, plen, "AuthenticationMethods has no list that "
		    "a key completes alone");
		return 0;
	}
	if (cvm_key_revoked(ks, k)) {
		snprintf(problem, plen, "%s", ks->revoked_state == CVM_REVOKED_ALL ?
		    ks->revoked_why : "listed in RevokedKeys");
		return 0;
	}
	return 1;
}

static int
in_groups(const struct cvm_strv *exempt, const struct cvm_strv *groups)
{
	if (groups == NULL)
		return 0;
	for (size_t i = 0; i < groups->n; i++)
		if (cvm_strv_contains(exempt, groups->v[i]))
			return 1;
	return 0;
}

static void
set(struct cvm_decision *d, int refuse, const char *reason, int notable)
{
	d->refuse = refuse;
	d->reason = reason;
	d->notable = notable;
}

void
cvm_decide(const struct cvm_conf *conf, const struct cvm_sshd *sshd,
    const char *sshd_err, const struct cvm_account *acct,
    const struct cvm_request *req, struct cvm_keyset *ks,
    struct cvm_decision *d)
{
	size_t nkeys = 0;

	memset(d, 0, sizeof(*d));
	if (!cvm_policy_covers(conf, req->service, req->tty)) {
		set(d, 0, "not_covered", 0);
		goto out;
	}
	if (cvm_strv_contains(&conf->exempt_users, acct->name) ||
	    in_groups(&conf->exempt_groups, acct->groups)) {
		set(d, 0, "exempt", 0);
		goto out;
	}
	if (sshd != NULL && cvm_password_is_second_factor(
	    cvm_sshd_get(sshd, "authenticationmethods"), req->auth_info)) {
		set(d, 0, "second_factor", 0);
		goto out;
	}
	if (conf->policy == CVM_POLICY_ALL) {
		set(d, 1, "policy_all", 1);
		goto out;
	}
	/* Usable keys decide first: a broken database does not matter when
	 * authorized_keys already holds a usable key. */
	for (size_t i = 0; i < ks->n; i++) {
		struct cvm_key *k = &ks->k[i];

		nkeys++;
		k->usable = sshd != NULL && cvm_key_usable(sshd, req, ks, k,
		    k->problem, sizeof(k->problem));
		if (sshd == NULL)
			snprintf(k->problem, sizeof(k->problem),
			    "sshd_config unreadable");
		if (k->usable) {
			if (d->nusable++ == 0)
				d->fp = k->key.fp;
			d->sources |= k->source;
		}
	}
	if (d->nusable > 0) {
		set(d, 1, "key_bound", 1);
		goto out;
	}
	/* sshd_config unusable but nothing bound anywhere: nothing to
	 * decide, so no error (an error would refuse every account). */
	if (sshd == NULL && nkeys == 0 && (ks->db_status == CVM_DB_OK ||
	    ks->db_status == CVM_DB_MISSING || ks->db_status == CVM_DB_NOTFOUND)) {
		set(d, 0, "no_key", 0);
		goto out;
	}
	if (sshd == NULL || (ks->db_status != CVM_DB_OK &&
	    ks->db_status != CVM_DB_MISSING && ks->db_status != CVM_DB_NOTFOUND)) {
		snprintf(d->detail, sizeof(d->detail), "%s",
		    sshd == NULL ? (sshd_err != NULL ? sshd_err : "sshd_config unreadable")
		    : ks->db_error);
		if (conf->on_error == CVM_ONERR_IGNORE) {
			d->pam_ignore = 1;
			set(d, 0, "db_error", 1);
		} else
			set(d, 1, "db_error", 1);
		goto out;
	}
	if (nkeys > 0) {
		/* Bound, but sshd would accept none of them. */
		snprintf(d->detail, sizeof(d->detail), "%zu key(s) bound, none "
		    "usable: %s", nkeys, ks->k[0].problem);
		set(d, 0, "key_unusable", 1);
		goto out;
	}
	set(d, 0, "no_key", 0);
out:
	d->enforce = d->refuse && conf->policy != CVM_POLICY_AUDIT;
	d->verdict = !d->refuse ? "allowed" :
	    d->enforce ? "refused" : "would_refuse";
}

int
cvm_key_bindable(const struct cvm_pubkey *k, char *err, size_t errlen)
{
	switch (k->kt) {
	case CVM_KT_DSA:
		snprintf(err, errlen, "DSA keys are refused (OpenSSH disabled "
		    "them in 7.0)");
		return 0;
	case CVM_KT_CERT:
		snprintf(err, errlen, "certificates cannot be bound; bind the key");
		return 0;
	case CVM_KT_RSA:
		if (k->bits < 2048) {
			snprintf(err, errlen, "RSA key of %u bits is too small "
			    "(at least 2048)", k->bits);
			return 0;
		}
		return 1;
	case CVM_KT_UNKNOWN:
		snprintf(err, errlen, "unknown key type");
		return 0;
	default:
		return 1;
	}
}
