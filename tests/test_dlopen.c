/* The module loads with RTLD_NOW (no undefined symbol) and exports the
 * pam_sm_* entry points and nothing of lib/ (Linux-PAM tst-dlopen). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <stdio.h>
#include <security/pam_modules.h>

static void *h;

static void
loads_now(void **state)
{
	char p[512];

	(void)state;
	snprintf(p, sizeof(p), "%s/.libs/pam_cvmkey.so", TEST_BUILDDIR);
	h = dlopen(p, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		fail_msg("dlopen: %s", dlerror());
}

static void
exports_entry_points(void **state)
{
	static const char *syms[] = { "pam_sm_authenticate", "pam_sm_setcred",
	    "pam_sm_acct_mgmt", "pam_sm_open_session", "pam_sm_close_session" };

	(void)state;
	assert_non_null(h);
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if (dlsym(h, syms[i]) == NULL)
			fail_msg("%s not exported", syms[i]);
}

static void
hides_internals(void **state)
{
	static const char *syms[] = { "cvm_decide", "cvm_conf_set",
	    "cvm_db_open", "cvm_sshd_load", "cvm_pubkey_from_blob", "setup" };

	(void)state;
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if (dlsym(h, syms[i]) != NULL)
			fail_msg("%s is exported", syms[i]);
}

static void
setcred_ignores(void **state)
{
	int (*fn)(pam_handle_t *, int, int, const char **);

	(void)state;
	*(void **)&fn = dlsym(h, "pam_sm_setcred");
	assert_non_null(fn);
	/* Without pam_sm_setcred returning PAM_IGNORE, pam_setcred would
	 * fail for every user of common-auth. */
	assert_int_equal(fn(NULL, 0, 0, NULL), PAM_IGNORE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_now),
		cmocka_unit_test(exports_entry_points),
		cmocka_unit_test(hides_internals),
		cmocka_unit_test(setcred_ignores),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	if (h != NULL)
		dlclose(h);
	return r;
}
