/* The pure policy decision (lib/policy.c): every rule of DESIGN §1 and §2
 * that decides whether a password is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "db.h"
#include "policy.h"
#include "testlib.h"

static char *dir;

static char *
keyline(const char *name)
{
	static char line[8192];
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/data/keys/%s.pub", TEST_SRCDIR, name);
	f = fopen(p, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/* Loads an sshd_config made of `text` for user alice from `addr`. */
static struct cvm_sshd *
sshd(const char *text, const char *addr)
{
	static const char *groups[] = { "alice", "staff" };
	struct cvm_sshd_conn conn = { .user = "alice", .groups = groups, .ngroups = 2,
	    .host = addr, .addr = addr, .lport = -1 };
	struct cvm_sshd *c = NULL;
	char p[512], err[512];

	snprintf(p, sizeof(p), "%s/sshd_config", dir);
	assert_int_equal(tl_write(p, 0644, text), 0);
	if (cvm_sshd_load(NULL, p, &conn, &c, err, sizeof(err)) != 0)
		fail_msg("sshd_config: %s", err);
	return c;
}

#define AKC "AuthorizedKeysCommand /usr/sbin/cvmkey authorized-keys %u\n" \
	"AuthorizedKeysCommandUser _cvmkey\n"

static void
akc_is_ours(void **state)
{
	(void)state;
	assert_true(cvm_akc_is_ours("/usr/sbin/cvmkey authorized-keys %u"));
	assert_true(cvm_akc_is_ours("/opt/bin/cvmkey authorized-keys --x %u"));
	assert_false(cvm_akc_is_ours("none"));
	assert_false(cvm_akc_is_ours(NULL));
	assert_false(cvm_akc_is_ours("/usr/sbin/cvmkey authorized-keys"));
	assert_false(cvm_akc_is_ours("/usr/sbin/cvmkey list %u"));
	assert_false(cvm_akc_is_ours("/usr/sbin/cvmkeyx authorized-keys %u"));
	assert_false(cvm_akc_is_ours("/usr/bin/sss_ssh_authorizedkeys %u"));
	assert_false(cvm_akc_is_ours("/usr/sbin/cvmkey authorized-keys %u%u"));
}

static void
publickey_suffices(void **state)
{
	(void)state;
	assert_true(cvm_publickey_suffices("any"));
	assert_true(cvm_publickey_suffices("publickey"));
	assert_true(cvm_publickey_suffices("publickey,publickey"));
	assert_true(cvm_publickey_suffices("password publickey"));
	assert_false(cvm_publickey_suffices("password,publickey"));
	assert_true(cvm_publickey_suffices("publickey,password"));
	assert_true(cvm_publickey_suffices("publickey,keyboard-interactive:pam"));
	assert_false(cvm_publickey_suffices("publickey,hostbased"));
	assert_false(cvm_publickey_suffices("keyboard-interactive"));
	assert_false(cvm_publickey_suffices("publickeyx"));
}

static void
second_factor(void **state)
{
	(void)state;
	assert_false(cvm_password_is_second_factor("any", NULL));
	assert_true(cvm_password_is_second_factor("publickey,password", NULL));
	assert_true(cvm_password_is_second_factor(
	    "publickey,password publickey,keyboard-interactive:pam", NULL));
	assert_false(cvm_password_is_second_factor("publickey,password password", NULL));
	assert_false(cvm_password_is_second_factor("password,publickey", NULL));
	assert_false(cvm_password_is_second_factor("publickey,password keyboard-interactive", NULL));
	assert_true(cvm_password_is_second_factor("publickey", NULL));
	assert_false(cvm_password_is_second_factor("publickeyx,password", NULL));
	assert_true(cvm_password_is_second_factor("any", "publickey ssh-ed25519 AAAA\n"));
	assert_true(cvm_password_is_second_factor("any",
	    "keyboard-interactive/pam\npublickey ssh-ed25519 AAAA\n"));
	assert_false(cvm_password_is_second_factor("any", "password\n"));
	assert_false(cvm_password_is_second_factor("any", ""));
}

static void
bindable(void **state)
{
	static const struct { const char *name; int ok; } cases[] = {
		{ "ed25519", 1 }, { "rsa2048", 1 }, { "rsa3072", 1 }, { "ecdsa384", 1 },
		{ "sk-ed25519", 1 }, { "rsa1024", 0 }, { "dsa", 0 }, { "ed25519-cert", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cvm_keyset ks;
		char err[256];
		const char *l = keyline(cases[i].name);

		cvm_keyset_init(&ks);
		assert_int_equal(cvm_keys_from_text(&ks, CVM_SRC_AK, "t", l, strlen(l)), 0);
		assert_int_equal(ks.n, 1);
		if (cvm_key_bindable(&ks.k[0].key, err, sizeof(err)) != cases[i].ok)
			fail_msg("%s: bindable should be %d", cases[i].name, cases[i].ok);
		cvm_keyset_free(&ks);
	}
}

/* One authorized_keys line, judged against one sshd_config. */
static int
usable(const char *cfg, const char *line, const char *rhost, time_t now,
    char *problem, size_t plen)
{
	struct cvm_sshd *c = sshd(cfg, rhost);
	struct cvm_request req = { .rhost = rhost, .addr = rhost, .now = now, .lport = -1 };
	struct cvm_keyset ks;
	int u;

	cvm_keyset_init(&ks);
	assert_int_equal(cvm_keys_from_text(&ks, CVM_SRC_AK, "ak", line, strlen(line)), 0);
	assert_int_equal(ks.n, 1);
	assert_int_equal(cvm_keys_load_revoked(&ks, cvm_sshd_get(c, "revokedkeys")), 0);
	u = cvm_key_usable(c, &req, &ks, &ks.k[0], problem, plen);
	cvm_keyset_free(&ks);
	cvm_sshd_free(c);
	return u;
}

static void
key_usability(void **state)
{
	char line[8300], pr[256];
	time_t now = 1700000000;	/* 2023-11-14 */

	(void)state;
	assert_true(usable("", keyline("ed25519"), "192.0.2.1", now, pr, sizeof(pr)));
	assert_false(usable("PubkeyAuthentication no\n", keyline("ed25519"), "192.0.2.1", now, pr, sizeof(pr)));
	assert_non_null(strstr(pr, "PubkeyAuthentication"));
	/* Match applies: no pubkey from this network */
	assert_false(usable("Match Address 192.0.2.0/24\n PubkeyAuthentication no\n",
	    keyline("ed25519"), "192.0.2.1", now, pr, sizeof(pr)));
	assert_true(usable("Match Address 192.0.2.0/24\n PubkeyAuthentication no\n",
	    keyline("ed25519"), "198.51.100.1", now, pr, sizeof(pr)));
	/* algorithms */
	assert_false(usable("PubkeyAcceptedAlgorithms -ssh-ed25519\n", keyline("ed25519"),
	    "192.0.2.1", now, pr, sizeof(pr)));
	assert_non_null(strstr(pr, "PubkeyAcceptedAlgorithms"));
	assert_true(usable("PubkeyAcceptedAlgorithms rsa-sha2-256\n", keyline("rsa2048"),
	    "192.0.2.1", now, pr, sizeof(pr)));
	assert_false(usable("", keyline("dsa"), "192.0.2.1", now, pr, sizeof(pr)));
	/* RSA size */
	assert_false(usable("RequiredRSASize 3072\n", keyline("rsa2048"), "192.0.2.1", now, pr, sizeof(pr)));
	assert_non_null(strstr(pr, "RequiredRSASize"));
	assert_true(usable("RequiredRSASize 3072\n", keyline("rsa3072"), "192.0.2.1", now, pr, sizeof(pr)));
	assert_true(usable("", keyline("rsa1024"), "192.0.2.1", now, pr, sizeof(pr)));
	/* from= */
	snprintf(line, sizeof(line), "from=\"10.0.0.0/8,!10.9.9.9\" %s", keyline("ed25519"));
	assert_true(usable("", line, "10.1.2.3", now, pr, sizeof(pr)));
	assert_false(usable("", line, "10.9.9.9", now, pr, sizeof(pr)));
	assert_false(usable("", line, "192.0.2.1", now, pr, sizeof(pr)));
	assert_false(usable("", line, NULL, now, pr, sizeof(pr)));
	/* forced command, cert-authority, principals, certificates */
	snprintf(line, sizeof(line), "command=\"echo 'Please login as ubuntu'\" %s", keyline("ed25519"));
	assert_false(usable("", line, "192.0.2.1", now, pr, sizeof(pr)));
	snprintf(line, sizeof(line), "restrict %s", keyline("ed25519"));
	assert_true(usable("", line, "192.0.2.1", now, pr, sizeof(pr)));
	snprintf(line, sizeof(line), "cert-authority %s", keyline("ed25519"));
	assert_false(usable("", line, "192.0.2.1", now, pr, sizeof(pr)));
	snprintf(line, sizeof(line), "principals=\"alice\" %s", keyline("ed25519"));
	assert_false(usable("", line, "192.0.2.1", now, pr, sizeof(pr)));
	assert_false(usable("", keyline("ed25519-cert"), "192.0.2.1", now, pr, sizeof(pr)));
	/* AuthenticationMethods: a key must be able to finish a login alone */
	assert_false(usable("AuthenticationMethods password,publickey\n", keyline("ed25519"),
	    "192.0.2.1", now, pr, sizeof(pr)));
	assert_non_null(strstr(pr, "AuthenticationMethods"));
	assert_false(usable("AuthenticationMethods keyboard-interactive\n", keyline("ed25519"),
	    "192.0.2.1", now, pr, sizeof(pr)));
	assert_true(usable("AuthenticationMethods password,publickey publickey\n",
	    keyline("ed25519"), "192.0.2.1", now, pr, sizeof(pr)));
	/* RevokedKeys: listed, missing file, KRL */
	{
		char cfg[1200], rk[600];

		snprintf(rk, sizeof(rk), "%s/revoked", dir);
		snprintf(line, sizeof(line), "# revoked\n%s\n", keyline("rsa2048"));
		assert_int_equal(tl_write(rk, 0644, line), 0);
		snprintf(cfg, sizeof(cfg), "RevokedKeys %s\n", rk);
		assert_true(usable(cfg, keyline("ed25519"), "192.0.2.1", now, pr, sizeof(pr)));
		assert_false(usable(cfg, keyline("rsa2048"), "192.0.2.1", now, pr, sizeof(pr)));
		assert_non_null(strstr(pr, "RevokedKeys"));
		assert_int_equal(tl_write(rk, 0644, "SSHKRL\n"), 0);
		{
			FILE *f = fopen(rk, "w");

			fwrite("SSHKRL\n\0\0\0\0\1", 1, 12, f);
			fclose(f);
		}
		assert_false(usable(cfg, keyline("ed25519"), "192.0.2.1", now, pr, sizeof(pr)));
		assert_non_null(strstr(pr, "KRL"));
		unlink(rk);
		assert_false(usable(cfg, keyline("ed25519"), "192.0.2.1", now, pr, sizeof(pr)));
		assert_non_null(strstr(pr, "does not exist"));
	}
	/* expiry-time: expired only once it is in the past */
	snprintf(line, sizeof(line), "expiry-time=\"20231114221320Z\" %s", keyline("ed25519"));
	assert_true(usable("", line, "192.0.2.1", 1700000000, pr, sizeof(pr)));
	assert_false(usable("", line, "192.0.2.1", 1700000001, pr, sizeof(pr)));
	assert_non_null(strstr(pr, "expired"));
}

struct run {
	struct cvm_conf conf;
	struct cvm_keyset ks;
	struct cvm_decision d;
	struct cvm_strv groups;
};

/* Decides for alice with the given policy, keys (authorized_keys text),
 * and sshd_config. */
static void
decide(struct run *r, const char *policy, const char *aktext,
    const char *cfg, int db_status, const char *service, const char *tty)
{
	struct cvm_sshd *c = cfg != NULL ? sshd(cfg, "192.0.2.1") : NULL;
	struct cvm_account a = { "alice", 1, &r->groups };
	struct cvm_request req = { .service = service, .tty = tty, .rhost = "192.0.2.1",
	    .method = "password", .now = 1700000000, .addr = "192.0.2.1", .lport = -1 };

	memset(r, 0, sizeof(*r));
	assert_int_equal(cvm_conf_init(&r->conf), 0);
	assert_int_equal(cvm_conf_set(&r->conf, "policy", policy, NULL, "t"), 0);
	assert_int_equal(cvm_strv_split(&r->groups, "alice,staff", ","), 0);
	cvm_keyset_init(&r->ks);
	if (aktext != NULL)
		assert_int_equal(cvm_keys_from_text(&r->ks, CVM_SRC_AK, "ak", aktext,
		    strlen(aktext)), 0);
	r->ks.db_status = db_status;
	if (db_status == CVM_DB_CORRUPT)
		snprintf(r->ks.db_error, sizeof(r->ks.db_error), "bindings.db: corrupt");
	cvm_decide(&r->conf, c, "sshd_config: cannot open", &a, &req, &r->ks, &r->d);
	cvm_sshd_free(c);
}

static void
run_free(struct run *r)
{
	cvm_conf_free(&r->conf);
	cvm_keyset_free(&r->ks);
	cvm_strv_free(&r->groups);
}

static void
decisions(void **state)
{
	struct run r;
	char two[17000];

	(void)state;
	decide(&r, "bound", keyline("ed25519"), "", CVM_DB_OK, "sshd", "ssh");
	assert_true(r.d.refuse && r.d.enforce);
	assert_string_equal(r.d.verdict, "refused");
	assert_string_equal(r.d.reason, "key_bound");
	assert_int_equal(r.d.nusable, 1);
	assert_int_equal(r.d.sources, CVM_SRC_AK);
	assert_string_equal(r.d.fp, r.ks.k[0].key.fp);
	run_free(&r);

	decide(&r, "audit", keyline("ed25519"), "", CVM_DB_OK, "sshd", "ssh");
	assert_true(r.d.refuse && !r.d.enforce);
	assert_string_equal(r.d.verdict, "would_refuse");
	run_free(&r);

	decide(&r, "bound", NULL, "", CVM_DB_MISSING, "sshd", "ssh");
	assert_false(r.d.refuse);
	assert_string_equal(r.d.reason, "no_key");
	assert_false(r.d.notable);
	run_free(&r);

	decide(&r, "all", NULL, "", CVM_DB_OK, "sshd", "ssh");
	assert_true(r.d.enforce);
	assert_string_equal(r.d.reason, "policy_all");
	run_free(&r);

	/* not covered: su, console */
	decide(&r, "all", keyline("ed25519"), "", CVM_DB_OK, "su", "pts/0");
	assert_false(r.d.refuse);
	assert_string_equal(r.d.reason, "not_covered");
	run_free(&r);
	decide(&r, "bound", keyline("ed25519"), "", CVM_DB_OK, "sshd-other", "ssh");
	assert_true(r.d.refuse);
	run_free(&r);

	/* only unusable keys: never refuse, always logged */
	decide(&r, "bound", keyline("ed25519"), "PubkeyAuthentication no\n", CVM_DB_OK, "sshd", "ssh");
	assert_false(r.d.refuse);
	assert_string_equal(r.d.reason, "key_unusable");
	assert_true(r.d.notable);
	assert_string_equal(r.d.verdict, "allowed");
	run_free(&r);

	/* one usable of two */
	snprintf(two, sizeof(two), "%s\n", keyline("dsa"));
	strcat(two, keyline("ed25519"));
	decide(&r, "bound", two, "", CVM_DB_OK, "sshd", "ssh");
	assert_true(r.d.refuse);
	assert_int_equal(r.d.nusable, 1);
	assert_false(r.ks.k[0].usable);
	assert_true(r.ks.k[1].usable);
	run_free(&r);

	/* database errors: deny, ignore, audit; a usable key still decides */
	decide(&r, "bound", NULL, "", CVM_DB_CORRUPT, "sshd", "ssh");
	assert_true(r.d.enforce);
	assert_string_equal(r.d.reason, "db_error");
	assert_non_null(strstr(r.d.detail, "corrupt"));
	run_free(&r);
	decide(&r, "bound", keyline("ed25519"), "", CVM_DB_CORRUPT, "sshd", "ssh");
	assert_string_equal(r.d.reason, "key_bound");
	run_free(&r);
	decide(&r, "audit", NULL, "", CVM_DB_CORRUPT, "sshd", "ssh");
	assert_true(r.d.refuse && !r.d.enforce);
	run_free(&r);
	/* sshd_config unusable: an error only when something is bound */
	decide(&r, "bound", keyline("ed25519"), NULL, CVM_DB_OK, "sshd", "ssh");
	assert_string_equal(r.d.reason, "db_error");
	assert_non_null(strstr(r.d.detail, "sshd_config"));
	run_free(&r);
	decide(&r, "bound", NULL, NULL, CVM_DB_OK, "sshd", "ssh");
	assert_false(r.d.refuse);
	assert_string_equal(r.d.reason, "no_key");
	run_free(&r);

	/* exempt by group; second factor from AuthenticationMethods */
	decide(&r, "all", NULL, "", CVM_DB_OK, "sshd", "ssh");
	assert_true(r.d.refuse);
	run_free(&r);
	decide(&r, "bound", keyline("ed25519"), "AuthenticationMethods publickey,password\n",
	    CVM_DB_OK, "sshd", "ssh");
	assert_false(r.d.refuse);
	assert_string_equal(r.d.reason, "second_factor");
	run_free(&r);
}

static void
exempt_and_ignore(void **state)
{
	struct cvm_sshd *c;
	struct cvm_strv groups = { NULL, 0 };
	struct cvm_account a = { "alice", 1, &groups };
	struct cvm_request req = { .service = "sshd", .tty = "ssh", .rhost = "192.0.2.1",
	    .method = "password", .addr = "192.0.2.1", .lport = -1 };
	struct cvm_conf conf;
	struct cvm_keyset ks;
	struct cvm_decision d;

	(void)state;
	c = sshd("", "192.0.2.1");
	assert_int_equal(cvm_strv_split(&groups, "alice,wheel", ","), 0);
	assert_int_equal(cvm_conf_init(&conf), 0);
	cvm_conf_set(&conf, "policy", "all", NULL, "t");
	cvm_conf_set(&conf, "exempt_groups", "wheel", NULL, "t");
	cvm_keyset_init(&ks);
	cvm_decide(&conf, c, NULL, &a, &req, &ks, &d);
	assert_false(d.refuse);
	assert_string_equal(d.reason, "exempt");
	cvm_conf_set(&conf, "exempt_groups", "", NULL, "t");
	cvm_conf_set(&conf, "exempt_users", "bob,alice", NULL, "t");
	cvm_decide(&conf, c, NULL, &a, &req, &ks, &d);
	assert_false(d.refuse);
	cvm_conf_set(&conf, "exempt_users", "", NULL, "t");
	cvm_conf_set(&conf, "policy", "bound", NULL, "t");
	cvm_conf_set(&conf, "on_error", "ignore", NULL, "t");
	ks.db_status = CVM_DB_REFUSED;
	cvm_decide(&conf, c, NULL, &a, &req, &ks, &d);
	assert_false(d.refuse);
	assert_true(d.pam_ignore);
	assert_string_equal(d.reason, "db_error");
	cvm_conf_free(&conf);
	cvm_keyset_free(&ks);
	cvm_strv_free(&groups);
	cvm_sshd_free(c);
}

static int
setup(void **state)
{
	(void)state;
	return (dir = tl_tmpdir()) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	tl_rmtree(dir);
	free(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(akc_is_ours),
		cmocka_unit_test(second_factor),
		cmocka_unit_test(publickey_suffices),
		cmocka_unit_test(bindable),
		cmocka_unit_test(key_usability),
		cmocka_unit_test(decisions),
		cmocka_unit_test(exempt_and_ignore),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
