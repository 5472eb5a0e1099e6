/* cvmkey.conf and the one setter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "conf.h"
#include "testlib.h"

static char lastmsg[1024];
static int nmsgs;

static void
capture(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	(void)prio;
	snprintf(lastmsg, sizeof(lastmsg), "%s", msg);
	nmsgs++;
}

static const struct cvm_log caplog = { capture, NULL, 1 };

static void
defaults(void **state)
{
	struct cvm_conf c;

	(void)state;
	assert_int_equal(cvm_conf_init(&c), 0);
	assert_int_equal(c.policy, CVM_POLICY_AUDIT);	/* never enforce unasked */
	assert_int_equal(c.on_error, CVM_ONERR_DENY);
	assert_int_equal(c.services.n, 1);
	assert_string_equal(c.services.v[0], "sshd");
	assert_string_equal(c.sshd_config, "/etc/ssh/sshd_config");
	assert_int_equal(c.uid_min, 70000);
	assert_int_equal(c.uid_max, 99999);
	assert_int_equal(c.guess_threshold, 5);
	assert_int_equal(c.guess_window, 600);
	assert_int_equal(c.events_per_user, 16);
	assert_int_equal(c.event_ttl, 86400);
	cvm_conf_free(&c);
}

static void
setter(void **state)
{
	struct cvm_conf c;

	(void)state;
	assert_int_equal(cvm_conf_init(&c), 0);
	assert_int_equal(cvm_conf_set(&c, "policy", "bound", &caplog, "t"), 0);
	assert_int_equal(c.policy, CVM_POLICY_BOUND);
	nmsgs = 0;
	assert_int_equal(cvm_conf_set(&c, "policy", "Bound", &caplog, "t:3"), -1);
	assert_int_equal(c.policy, CVM_POLICY_BOUND);	/* kept */
	assert_int_equal(nmsgs, 1);
	assert_non_null(strstr(lastmsg, "t:3: bad value for policy"));
	assert_int_equal(cvm_conf_set(&c, "services", " sshd , sshd-alt,,", &caplog, "t"), 0);
	assert_int_equal(c.services.n, 2);
	assert_string_equal(c.services.v[1], "sshd-alt");
	assert_int_equal(cvm_conf_set(&c, "exempt_groups", "wheel,admin", &caplog, "t"), 0);
	assert_int_equal(c.exempt_groups.n, 2);
	assert_int_equal(cvm_conf_set(&c, "on_error", "ignore", &caplog, "t"), 0);
	assert_int_equal(c.on_error, CVM_ONERR_IGNORE);
	assert_int_equal(cvm_conf_set(&c, "db", "relative/path", &caplog, "t"), -1);
	assert_int_equal(cvm_conf_set(&c, "debug", "yes", &caplog, "t"), 0);
	assert_int_equal(c.debug, 1);
	assert_int_equal(cvm_conf_set(&c, "debug", "maybe", &caplog, "t"), -1);
	assert_int_equal(cvm_conf_set(&c, "guess_window", "10m", &caplog, "t"), 0);
	assert_int_equal(c.guess_window, 600);
	assert_int_equal(cvm_conf_set(&c, "event_ttl", "2d", &caplog, "t"), 0);
	assert_int_equal(c.event_ttl, 172800);
	assert_int_equal(cvm_conf_set(&c, "event_ttl", "-1", &caplog, "t"), -1);
	assert_int_equal(cvm_conf_set(&c, "event_ttl", "99999999999999999999h", &caplog, "t"), -1);
	assert_int_equal(cvm_conf_set(&c, "uid_min", "70000x", &caplog, "t"), -1);
	/* a refused trusted_signer is remembered (apply fails closed) */
	assert_int_equal(c.trusted_signer_bad, 0);
	assert_int_equal(cvm_conf_set(&c, "trusted_signer", "/etc/cvmkey/s.pem", &caplog, "t"), 0);
	assert_int_equal(c.trusted_signer_bad, 0);
	assert_int_equal(cvm_conf_set(&c, "trusted_signer", "s.pem", &caplog, "t"), -1);
	assert_int_equal(c.trusted_signer_bad, 1);
	assert_int_equal(cvm_conf_set(&c, "frobnicate", "1", &caplog, "t"), 1);
	assert_non_null(strstr(lastmsg, "unknown option \"frobnicate\""));
	cvm_conf_free(&c);
}

static void
file(void **state)
{
	struct cvm_conf c;
	char *dir = tl_tmpdir(), p[512];

	(void)state;
	assert_non_null(dir);
	snprintf(p, sizeof(p), "%s/cvmkey.conf", dir);
	assert_int_equal(tl_write(p, 0644,
	    "# comment\n\n  policy = all  \nservices=sshd,login\r\n"
	    "no equals sign here\nexempt_users = root\nbogus = 1\n"), 0);
	assert_int_equal(cvm_conf_init(&c), 0);
	nmsgs = 0;
	assert_int_equal(cvm_conf_load(&c, p, &caplog), 0);
	assert_int_equal(c.policy, CVM_POLICY_ALL);
	assert_int_equal(c.services.n, 2);
	assert_string_equal(c.services.v[1], "login");	/* CR trimmed */
	assert_int_equal(c.exempt_users.n, 1);
	assert_int_equal(nmsgs, 2);	/* the bad line and the unknown key */
	cvm_conf_free(&c);

	/* missing file: defaults, no error */
	assert_int_equal(cvm_conf_init(&c), 0);
	snprintf(p, sizeof(p), "%s/absent.conf", dir);
	assert_int_equal(cvm_conf_load(&c, p, &caplog), 0);
	cvm_conf_free(&c);

	/* untrusted files are refused whole */
	snprintf(p, sizeof(p), "%s/ww.conf", dir);
	assert_int_equal(tl_write(p, 0666, "policy = all\n"), 0);
	assert_int_equal(cvm_conf_init(&c), 0);
	assert_int_equal(cvm_conf_load(&c, p, &caplog), -1);
	assert_int_equal(c.policy, CVM_POLICY_AUDIT);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(chown(p, 1, 0), 0);
	assert_int_equal(cvm_conf_load(&c, p, &caplog), -1);
	assert_non_null(strstr(lastmsg, "owned by root"));
	cvm_conf_free(&c);

	/* NUL byte, FIFO, directory */
	snprintf(p, sizeof(p), "%s/nul.conf", dir);
	{
		FILE *f = fopen(p, "w");

		fwrite("policy = all\0x\n", 1, 15, f);
		fclose(f);
	}
	assert_int_equal(cvm_conf_init(&c), 0);
	assert_int_equal(cvm_conf_load(&c, p, &caplog), -1);
	snprintf(p, sizeof(p), "%s/fifo.conf", dir);
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_int_equal(cvm_conf_load(&c, p, &caplog), -1);
	assert_non_null(strstr(lastmsg, "not a regular file"));
	assert_int_equal(cvm_conf_load(&c, dir, &caplog), -1);
	assert_int_equal(c.policy, CVM_POLICY_AUDIT);
	cvm_conf_free(&c);
	tl_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(setter),
		cmocka_unit_test(file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
