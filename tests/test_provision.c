/* Provisioning rules: names, gecos, paths (lib/names.c); id ranges
 * against reserved ranges, subuid/subgid and login.defs, and allocation
 * over a model (lib/provision.c). */
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
#include "db.h"
#include "dbwrite.h"
#include "names.h"
#include "provision.h"
#include "testlib.h"

static char msgs[8192];

static void
capture(void *ctx, int prio, const char *msg)
{
	size_t n = strlen(msgs);

	(void)ctx;
	snprintf(msgs + n, sizeof(msgs) - n, "%s:%s\n",
	    prio == LOG_WARNING ? "W" : prio == LOG_ERR ? "E" : "I", msg);
}

static const struct cvm_log caplog = { capture, NULL, 1 };

static void
names(void **state)
{
	static const char *const good[] = { "a", "_", "alice", "_svc",
	    "a-b_1", "x0", "abcdefghijklmnopqrstuvwxyz01234", NULL };
	static const char *const bad[] = { "", "Alice", "1a", "-a", "a.b",
	    "a b", "a:b", "a\tb", "a\nb", "a\001", "a\177", "caf\303\251",
	    "abcdefghijklmnopqrstuvwxyz012345", "root", "nobody", "nogroup",
	    "disk", "sudo", "www-data", "_apt", "gnats", NULL };

	(void)state;
	for (size_t i = 0; good[i] != NULL; i++)
		assert_null(cvm_name_problem(good[i]));
	for (size_t i = 0; bad[i] != NULL; i++) {
		if (cvm_name_problem(bad[i]) == NULL)
			fail_msg("name \"%s\" accepted", bad[i]);
	}
	assert_true(cvm_name_reserved("root"));
	assert_false(cvm_name_reserved("rooty"));
	assert_string_equal(cvm_name_problem("root"), "reserved by Debian's base-passwd");
	/* binding-only names: what sshd can pass */
	assert_true(cvm_binding_name_ok("Alice.Smith@CORP"));
	assert_false(cvm_binding_name_ok("-oProxyCommand"));
	assert_false(cvm_binding_name_ok("a b"));
	assert_false(cvm_binding_name_ok("a/b"));
	assert_false(cvm_binding_name_ok(""));
}

static void
fields(void **state)
{
	char long_gecos[300];

	(void)state;
	assert_true(cvm_gecos_ok(""));
	assert_true(cvm_gecos_ok("Zoë Example,Room 1,,"));
	assert_false(cvm_gecos_ok("a:b"));
	assert_false(cvm_gecos_ok("a\nb"));
	assert_false(cvm_gecos_ok("a\033[31m"));
	assert_false(cvm_gecos_ok("a\302\233b"));	/* C1 CSI */
	memset(long_gecos, 'g', sizeof(long_gecos) - 1);
	long_gecos[sizeof(long_gecos) - 1] = '\0';
	assert_false(cvm_gecos_ok(long_gecos));
	long_gecos[255] = '\0';
	assert_true(cvm_gecos_ok(long_gecos));

	assert_true(cvm_path_ok("/"));
	assert_true(cvm_path_ok("/home/alice"));
	assert_true(cvm_path_ok("/srv/a.b/..c"));
	assert_false(cvm_path_ok(""));
	assert_false(cvm_path_ok("home/alice"));
	assert_false(cvm_path_ok("/home/../etc"));
	assert_false(cvm_path_ok("/home/.."));
	assert_false(cvm_path_ok("/home/./a"));
	assert_false(cvm_path_ok("//home"));
	assert_false(cvm_path_ok("/home//a"));
	assert_false(cvm_path_ok("/home/a/"));
	assert_false(cvm_path_ok("/home/a:b"));
	assert_false(cvm_path_ok("/home/a\nb"));
}

static char *dir;

static void
put(const char *name, const char *content)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (content == NULL)
		unlink(p);
	else
		assert_int_equal(tl_write(p, 0644, content), 0);
}

static int
check(unsigned long umin, unsigned long umax, unsigned long gmin,
    unsigned long gmax)
{
	msgs[0] = '\0';
	return cvm_idrange_check_at(dir, umin, umax, gmin, gmax, &caplog);
}

static void
ranges(void **state)
{
	(void)state;
	assert_non_null(dir = tl_tmpdir());
	/* no subuid, subgid, login.defs */
	assert_int_equal(check(70000, 99999, 70000, 99999), 0);
	assert_string_equal(msgs, "");
	/* the reserved ranges, at their edges */
	assert_int_equal(check(999, 2000, 70000, 99999), -1);
	assert_non_null(strstr(msgs, "uid range 999-2000 meets 0-999"));
	assert_int_equal(check(1000, 2000, 70000, 99999), 0);
	assert_int_equal(check(70000, 99999, 59000, 60000), -1);
	assert_non_null(strstr(msgs, "gid range 59000-60000 meets 60000-65535"));
	assert_int_equal(check(65535, 70000, 70000, 99999), -1);
	assert_int_equal(check(65536, 70000, 70000, 99999), 0);
	assert_int_equal(check(70000, 524288, 70000, 99999), -1);
	assert_non_null(strstr(msgs, "containers"));
	assert_int_equal(check(70000, 524287, 70000, 99999), 0);
	assert_int_equal(check(80000, 70000, 70000, 99999), -1);
	assert_non_null(strstr(msgs, "is empty"));
	/* subuid for uids, subgid for gids; comments, blanks, count 0 */
	put("subuid", "# comment\n\n  alice:100000:65536\nbob:200000:0\r\n");
	put("subgid", "carol:90000:10\n");
	assert_int_equal(check(70000, 99999, 70000, 89999), 0);
	assert_int_equal(check(70000, 100000, 70000, 89999), -1);
	assert_non_null(strstr(msgs, "uid range 70000-100000 meets"));
	assert_non_null(strstr(msgs, "subuid's range 100000-165535 (line 3)"));
	assert_int_equal(check(200000, 200010, 70000, 89999), 0);	/* count 0 */
	assert_int_equal(check(70000, 99999, 70000, 90000), -1);
	assert_non_null(strstr(msgs, "subgid's range 90000-90009"));
	assert_int_equal(check(70000, 99999, 90010, 99999), 0);
	/* malformed lines refuse: the range cannot be checked */
	put("subuid", "alice:100000\n");
	assert_int_equal(check(70000, 99999, 70000, 89999), -1);
	assert_non_null(strstr(msgs, "subuid:1: expected owner:start:count"));
	put("subuid", "alice:x:1\n");
	assert_int_equal(check(70000, 99999, 70000, 89999), -1);
	put("subuid", "alice:1:99999999999\n");
	assert_int_equal(check(70000, 99999, 70000, 89999), -1);
	put("subuid", "a\0b:1:1\n");	/* tl_write stops at the NUL: "a" */
	assert_int_equal(check(70000, 99999, 70000, 89999), -1);
	put("subuid", NULL);
	put("subgid", NULL);
	/* login.defs: warned, not refused; defaults 1000-60000 */
	put("login.defs", "# UID_MIN 70000\nUID_MIN\t\t 80000\nUID_MAX 0x15f8f\nGID_MAX 59999 # c\n");
	assert_int_equal(check(70000, 79999, 70000, 79999), 0);
	assert_string_equal(msgs, "");
	assert_int_equal(check(70000, 80000, 50000, 59999), 0);
	assert_non_null(strstr(msgs, "W:warning: uid range 70000-80000 overlaps"));
	assert_non_null(strstr(msgs, "UID_MIN..UID_MAX (80000-89999)"));
	assert_non_null(strstr(msgs, "W:warning: gid range 50000-59999 overlaps"));
	assert_non_null(strstr(msgs, "(1000-59999)"));
	put("login.defs", NULL);
	tl_rmtree(dir);
	free(dir);
}

static void
user(struct cvm_dbm *m, const char *name, uint32_t uid, uint32_t gid)
{
	struct cvm_dbm_user *u = cvm_dbm_add_user(m, name);

	assert_non_null(u);
	u->uid = uid;
	u->gid = gid;
	u->flags = CVM_DBU_PROVISIONED;
	assert_non_null(cvm_dbm_add_group(m, name, gid));
}

/* Ids far above anything this machine's NSS knows: the model decides. */
static void
allocation(void **state)
{
	struct cvm_dbm m;
	char err[256], who[256];
	uint32_t id;

	(void)state;
	cvm_dbm_init(&m);
	assert_int_equal(cvm_alloc_uid(&m, 4000000, 4000003, &id, err, sizeof(err)), 0);
	assert_int_equal(id, 4000000);
	user(&m, "a", 4000000, 4000000);
	user(&m, "b", 4000001, 4000003);
	assert_int_equal(cvm_alloc_uid(&m, 4000000, 4000003, &id, err, sizeof(err)), 0);
	assert_int_equal(id, 4000002);
	/* gids from the top, skipping groups and primary gids */
	assert_int_equal(cvm_alloc_gid(&m, 4000000, 4000003, &id, err, sizeof(err)), 0);
	assert_int_equal(id, 4000002);
	assert_int_equal(cvm_uid_free(&m, 4000001, who, sizeof(who), err, sizeof(err)), CVM_NSS_FOUND);
	assert_string_equal(who, "cvmkey's account b");
	assert_int_equal(cvm_gid_free(&m, 4000003, who, sizeof(who), err, sizeof(err)), CVM_NSS_FOUND);
	assert_string_equal(who, "cvmkey's group b");
	assert_int_equal(cvm_gid_free(&m, 4000002, who, sizeof(who), err, sizeof(err)), CVM_NSS_NONE);
	user(&m, "c", 4000002, 4000002);
	user(&m, "d", 4000003, 4000001);
	assert_int_equal(cvm_alloc_uid(&m, 4000000, 4000003, &id, err, sizeof(err)), 1);
	assert_int_equal(cvm_alloc_gid(&m, 4000000, 4000003, &id, err, sizeof(err)), 1);
	/* never 65534, 65535 */
	assert_int_equal(cvm_uid_free(&m, 65534, who, sizeof(who), err, sizeof(err)), CVM_NSS_FOUND);
	assert_int_equal(cvm_gid_free(&m, 65535, who, sizeof(who), err, sizeof(err)), CVM_NSS_FOUND);
	/* ids NSS knows (root, from files) are taken */
	assert_int_equal(cvm_nss_user("root", 0, &m, who, sizeof(who), err, sizeof(err)), CVM_NSS_FOUND);
	assert_string_equal(who, "account root (uid 0)");
	assert_int_equal(cvm_nss_user("no-such-user-cvm", 0, &m, who, sizeof(who), err, sizeof(err)), CVM_NSS_NONE);
	cvm_dbm_free(&m);
}

/* admin_group through the machine's NSS (files: base-passwd's groups). */
static void
admin_group(void **state)
{
	char err[256];
	uint32_t gid = 1;

	(void)state;
	assert_int_equal(cvm_admin_gid(NULL, &gid, err, sizeof(err)), 0);
	assert_int_equal(gid, 0);
	assert_int_equal(cvm_admin_gid("", &gid, err, sizeof(err)), 0);
	assert_int_equal(cvm_admin_gid("no-such-group-cvm", &gid, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no such group"));
	assert_int_equal(cvm_admin_gid("root", &gid, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "(gid 0) refused"));
	assert_int_equal(cvm_admin_gid("disk", &gid, err, sizeof(err)), -1);
	assert_int_equal(cvm_admin_gid("nogroup", &gid, err, sizeof(err)), -1);
	assert_int_equal(cvm_admin_gid("adm", &gid, err, sizeof(err)), 0);
	assert_int_not_equal(gid, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(fields),
		cmocka_unit_test(ranges),
		cmocka_unit_test(allocation),
		cmocka_unit_test(admin_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
