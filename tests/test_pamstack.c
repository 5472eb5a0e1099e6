/* lib/pamstack.c against the real libpam as the oracle: many generated
 * stacks (pam_debug returning chosen codes, pam_permit, pam_deny, a module
 * that does not exist; include, substack, @include, jumps, overruns,
 * requisite, die/done/bad/ignore/reset, broken lines), written to a
 * private confdir and run through pam_start_confdir() + pam_authenticate()
 * and pam_acct_mgmt(); the evaluator must predict the same return code,
 * and that pam_start fails, for each. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <security/pam_appl.h>
#include "pamstack.h"

static char confdir[] = "/tmp/cvm-pamstack-XXXXXX";
static unsigned long rng = 12345;

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rng >> 33) % n);
}

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)msg;
	(void)data;
	*resp = calloc((size_t)n, sizeof(**resp));
	return *resp ? PAM_SUCCESS : PAM_BUF_ERR;
}

/* What each test module returns: pam_debug's "auth=" / "acct=" (its
 * parse_args: the first argument naming the event), pam_permit success,
 * pam_deny auth_err. */
static int
predict(void *ctx, const struct cvm_pam_line *l, size_t idx)
{
	const char *base = strrchr(l->path, '/') + 1;
	const char *ev = *(const int *)ctx == CVM_PAMT_AUTH ? "auth=" : "acct=";

	(void)idx;
	if (strcmp(base, "pam_permit.so") == 0)
		return CVM_PAM_SUCCESS;
	if (strcmp(base, "pam_deny.so") == 0)
		return CVM_PAM_AUTH_ERR;
	assert_string_equal(base, "pam_debug.so");
	for (int i = 0; i < l->argc; i++)
		if (strncmp(l->argv[i], ev, 5) == 0) {
			int r = cvm_pam_ret_from_name(l->argv[i] + 5);

			return r < 0 ? CVM_PAM_SUCCESS : r;
		}
	return CVM_PAM_SUCCESS;
}

/* Writes confdir/name; "@D@" in text stands for confdir. */
static void
put(const char *name, const char *text)
{
	char p[512];
	const char *m;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", confdir, name);
	assert_non_null(f = fopen(p, "w"));
	while ((m = strstr(text, "@D@")) != NULL) {
		fwrite(text, 1, (size_t)(m - text), f);
		fputs(confdir, f);
		text = m + 3;
	}
	fputs(text, f);
	fclose(f);
}

/* Runs one configuration (files already written) through both and
 * compares.  Returns the number of mismatches. */
static int
compare(const char *what)
{
	struct pam_conv pc = { conv, NULL };
	struct cvm_pam_opts o = { NULL, confdir, NULL, 1 };
	struct cvm_pam_stack s;
	pam_handle_t *ph = NULL;
	int real_start, real[2], mine[2], bad = 0;

	/* libpam runs in a child: when pam_start fails it leaks its
	 * handlers, and Debian's @include patch reads an uninitialised
	 * control array for a missing file (valgrind sees both). */
	{
		int p[2], res[3] = { -1, -1, -1 }, st;
		pid_t pid;

		assert_int_equal(pipe(p), 0);
		assert_true((pid = fork()) >= 0);
		if (pid == 0) {
			close(p[0]);
			res[0] = pam_start_confdir("svc", "nobody", &pc, confdir, &ph);
			if (res[0] == PAM_SUCCESS) {
				res[1] = pam_authenticate(ph, 0);
				res[2] = pam_acct_mgmt(ph, 0);
				pam_end(ph, res[2]);
			}
			_exit(write(p[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
		}
		close(p[1]);
		assert_int_equal(read(p[0], res, sizeof(res)), sizeof(res));
		close(p[0]);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		real_start = res[0];
		real[0] = res[1];
		real[1] = res[2];
	}
	assert_int_equal(cvm_pam_stack_load(&s, "svc", &o), 0);
	if ((real_start != PAM_SUCCESS) != (s.broken != 0)) {
		fprintf(stderr, "# pam_start %d, broken %d for:\n%s\n", real_start,
		    s.broken, what);
		bad = 1;
	} else if (real_start == PAM_SUCCESS) {
		int t = CVM_PAMT_AUTH;

		mine[0] = cvm_pam_eval(&s, t, predict, &t, NULL, SIZE_MAX, 0);
		t = CVM_PAMT_ACCOUNT;
		mine[1] = cvm_pam_eval(&s, t, predict, &t, NULL, SIZE_MAX, 0);
		for (int i = 0; i < 2; i++)
			if (real[i] != mine[i]) {
				fprintf(stderr, "# %s: libpam %d, evaluator %d for:\n%s\n",
				    i ? "account" : "auth", real[i], mine[i], what);
				bad = 1;
			}
	}
	cvm_pam_stack_free(&s);
	return bad;
}

static const char *const controls[] = {
	"required", "requisite", "sufficient", "optional", "Required",
	"[success=1 default=ignore]", "[success=2 default=ignore]",
	"[success=ok default=bad]", "[default=die]", "[success=done default=ignore]",
	"[success=ok ignore=ignore default=bad]", "[default=reset success=ok]",
	"[success=1 default=2]", "[success=3]", "[auth_err=die default=ok]",
	"[success=ok auth_err=done perm_denied=1 default=bad]", "[bogus]",
	"[success=0]", "[ignore=ignore success=ok module_unknown=ignore default=bad]",
	"[success=done new_authtok_reqd=done default=ignore]",
	"[ success = ok default=bad ]", "[default=1]", "[user_unknown=reset default=ok]",
};
static const char *const rets[] = {
	"success", "auth_err", "perm_denied", "ignore", "user_unknown",
	"new_authtok_reqd", "acct_expired",
};

/* One random line into buf; may name include files inc0..inc2. */
static void
gen_line(char *buf, size_t len, int allow_inc, int level)
{
	static const char *const types[] = { "auth", "account", "-auth", "AUTH", "-account" };
	const char *type = types[rnd(5)];
	const char *ctl = controls[rnd(sizeof(controls) / sizeof(controls[0]))];
	unsigned k = rnd(allow_inc ? 14 : 10);
	char *p = buf;

	p += snprintf(p, len, "%s %s ", type, ctl);
	len -= (size_t)(p - buf);
	if (k < 6)
		snprintf(p, len, "pam_debug.so auth=%s acct=%s\n", rets[rnd(7)], rets[rnd(7)]);
	else if (k == 6)
		snprintf(p, len, "pam_permit.so\n");
	else if (k == 7)
		snprintf(p, len, "pam_deny.so\n");
	else if (k == 8)
		snprintf(p, len, "pam_cvm_nonexistent.so\n");
	else if (k == 9)
		snprintf(p, len, "pam_debug.so auth=%s \\\n   acct=%s # comment\n",
		    rets[rnd(7)], rets[rnd(7)]);
	else if (k == 10)
		snprintf(buf, len + (size_t)(p - buf), "%s include %s%sinc%u\n",
		    rnd(2) ? "auth" : "account", rnd(8) ? confdir : "",
		    "/", level + 1);
	else if (k == 11)
		snprintf(buf, len + (size_t)(p - buf), "%s substack %s/inc%u\n",
		    rnd(2) ? "auth" : "account", confdir, level + 1);
	else if (k == 12)
		snprintf(buf, len + (size_t)(p - buf), "@include %s/inc%u\n",
		    confdir, level + 1);
	else
		snprintf(buf, len + (size_t)(p - buf), "auth include missing-file\n");
}

static void
gen_file(const char *name, int level, char *all, size_t alllen)
{
	char text[4096] = "", line[512];
	unsigned n = 1 + rnd(6);

	for (unsigned i = 0; i < n; i++) {
		gen_line(line, sizeof(line), level < 2, level);
		if (strlen(text) + strlen(line) < sizeof(text))
			strcat(text, line);
	}
	put(name, text);
	snprintf(all + strlen(all), alllen - strlen(all), "== %s\n%s", name, text);
}

static void
test_random_stacks(void **state)
{
	char all[32768];
	int bad = 0;

	(void)state;
	for (int i = 0; i < 600; i++) {
		all[0] = '\0';
		gen_file("svc", 0, all, sizeof(all));
		gen_file("inc1", 1, all, sizeof(all));
		gen_file("inc2", 2, all, sizeof(all));
		if (rnd(3) == 0)
			gen_file("other", 2, all, sizeof(all));
		else {
			char p[512];

			snprintf(p, sizeof(p), "%s/other", confdir);
			unlink(p);
		}
		bad += compare(all);
	}
	assert_int_equal(bad, 0);
}

/* Hand-written cases for the syntax corners. */
static void
test_fixed(void **state)
{
	static const char *const cases[] = {
		/* jump over a substack counts one line */
		"auth [success=1 default=bad] pam_permit.so\n"
		"auth substack @D@/inc1\nauth required pam_deny.so\n",
		/* a jump leaving an included file */
		"auth include @D@/inc1\nauth required pam_deny.so\nauth required pam_permit.so\n",
		/* done inside a substack ends only the substack */
		"auth substack @D@/inc2\nauth required pam_deny.so\n",
		/* overrun at the end */
		"auth [success=5 default=bad] pam_permit.so\nauth required pam_permit.so\n",
		/* continuation, comments, case, brackets with \\] */
		"  # leading comment\n\nAuth \\\n  REQUIRED \\\n\n pam_permit.so # x\n"
		"account [success=ok\\] default=bad] pam_permit.so\n",
		/* no control, no module, bad type */
		"auth\naccount required pam_permit.so\n",
		"auth required\naccount required pam_permit.so\n",
		"bogus required pam_permit.so\naccount required pam_permit.so\n",
		/* @include of a missing file (Debian) */
		"@include nothere\naccount required pam_permit.so\n",
		"auth include nothere\naccount required pam_permit.so\n",
		/* continued line at the end of the file */
		"auth required pam_permit.so \\",
		/* only account lines: auth comes from other */
		"account required pam_permit.so\n",
		/* reset */
		"auth required pam_deny.so\nauth [default=reset] pam_permit.so\nauth optional pam_permit.so\n",
		/* ignore alone is a failure */
		"auth required pam_debug.so auth=ignore\n",
		"auth optional pam_debug.so auth=ignore\nauth [success=ok default=ignore] pam_debug.so auth=ignore\n",
	};
	int bad = 0;
	char p[512];

	(void)state;
	put("inc1", "auth [success=1 default=bad] pam_permit.so\n");
	put("inc2", "auth sufficient pam_permit.so\nauth required pam_deny.so\n");
	snprintf(p, sizeof(p), "%s/other", confdir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int with_other = 0; with_other < 2; with_other++) {
			if (with_other)
				put("other", "auth required pam_permit.so\naccount required pam_deny.so\n");
			else
				unlink(p);
			put("svc", cases[i]);
			bad += compare(cases[i]);
		}
	}
	/* a line over libpam's 1024-byte buffer (joined by continuations) */
	{
		char big[3000] = "auth required pam_permit.so";

		for (int i = 0; i < 60; i++)
			strcat(big, " \\\n arg_arg_arg_arg_arg");
		strcat(big, "\n");
		put("svc", big);
		bad += compare("(long continued line)");
	}
	assert_int_equal(bad, 0);
}

/* The return codes and names are libpam's. */
static void
test_codes(void **state)
{
	(void)state;
	assert_int_equal(CVM_PAM_PERM_DENIED, PAM_PERM_DENIED);
	assert_int_equal(CVM_PAM_AUTH_ERR, PAM_AUTH_ERR);
	assert_int_equal(CVM_PAM_IGNORE, PAM_IGNORE);
	assert_int_equal(CVM_PAM_ABORT, PAM_ABORT);
	assert_int_equal(CVM_PAM_MODULE_UNKNOWN, PAM_MODULE_UNKNOWN);
	assert_int_equal(CVM_PAM_ACCT_EXPIRED, PAM_ACCT_EXPIRED);
	assert_int_equal(CVM_PAM_USER_UNKNOWN, PAM_USER_UNKNOWN);
	assert_int_equal(cvm_pam_ret_from_name("module_unknown"), PAM_MODULE_UNKNOWN);
	assert_int_equal(cvm_pam_ret_from_name("incomplete"), PAM_INCOMPLETE);
}

/* Problems carry file and line. */
static void
test_problems(void **state)
{
	struct cvm_pam_opts o = { NULL, confdir, NULL, 1 };
	struct cvm_pam_stack s;
	int found = 0;

	(void)state;
	put("svc", "# c\nauth required pam_permit.so\n\nauth include nothere\nbogus required pam_permit.so\n");
	assert_int_equal(cvm_pam_stack_load(&s, "svc", &o), 0);
	for (size_t i = 0; i < s.nprob; i++) {
		if (s.prob[i].line == 4 && strstr(s.prob[i].msg, "nothere"))
			found |= 1;
		if (s.prob[i].line == 5 && strstr(s.prob[i].msg, "bogus"))
			found |= 2;
		assert_non_null(strstr(s.prob[i].file, "/svc"));
	}
	assert_int_equal(found, 3);
	cvm_pam_stack_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_random_stacks),
	};
	int rc;

	if (mkdtemp(confdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", confdir);
		if (system(cmd) != 0)
			rc = 1;
	}
	return rc;
}
