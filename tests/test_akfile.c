/* authorized_keys read as sshd reads it: as the user (uid, gid and
 * supplementary groups), regular files only, StrictModes, size cap,
 * deadline. */
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
#include "akfile.h"
#include "testlib.h"

#define UID 70500
#define GID 70500
#define OTHER 70501
#define SUPP 70600

static char *dir, home[512];
static const gid_t gids_with[] = { GID, SUPP };
static struct cvm_creds cr = { "keyuser", UID, GID, NULL, gids_with, 2 };

static int
setup(void **state)
{
	(void)state;
	if ((dir = tl_tmpdir()) == NULL)
		return -1;
	snprintf(home, sizeof(home), "%s/home", dir);
	cr.home = home;
	if (mkdir(home, 0755) != 0 || chown(home, UID, GID) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tl_rmtree(dir);
	free(dir);
	return 0;
}

static void
put(const char *name, const char *content, uid_t uid, gid_t gid, mode_t mode)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", home, name);
	unlink(p);
	assert_int_equal(tl_write(p, mode, content), 0);
	assert_int_equal(chown(p, uid, gid), 0);
	assert_int_equal(chmod(p, mode), 0);
}

static int
rd(const char *name, int strict, char **buf, char *why, size_t wl)
{
	char p[600];
	size_t len;

	snprintf(p, sizeof(p), "%s/%s", home, name);
	return cvm_akfile_read(&cr, p, strict, 2000, buf, &len, why, wl);
}

static void
expand(void **state)
{
	struct cvm_creds c = { "bob", 1234, 1234, "/home/bob", NULL, 0 };
	char *s;

	(void)state;
	assert_string_equal(s = cvm_akfile_expand(".ssh/authorized_keys", &c),
	    "/home/bob/.ssh/authorized_keys");
	free(s);
	assert_string_equal(s = cvm_akfile_expand("%h/.ssh/k_%u_%U_%%", &c),
	    "/home/bob/.ssh/k_bob_1234_%");
	free(s);
	assert_string_equal(s = cvm_akfile_expand("/etc/ssh/keys/%u", &c),
	    "/etc/ssh/keys/bob");
	free(s);
	assert_string_equal(s = cvm_akfile_expand("%u/keys", &c), "/home/bob/bob/keys");
	free(s);
	assert_null(cvm_akfile_expand("/x/%x", &c));
	assert_null(cvm_akfile_expand("/x/%", &c));
}

static void
reads_as_the_user(void **state)
{
	char *buf = NULL, why[512];

	(void)state;
	put("ak", "ssh-ed25519 AAAA x\n", UID, GID, 0600);
	assert_int_equal(rd("ak", 1, &buf, why, sizeof(why)), 0);
	assert_string_equal(buf, "ssh-ed25519 AAAA x\n");
	free(buf);
	/* root-owned is fine too (sshd's platform_sys_dir_uid) */
	put("ak", "k\n", 0, 0, 0644);
	assert_int_equal(rd("ak", 1, &buf, why, sizeof(why)), 0);
	free(buf);
	/* readable through a supplementary group only */
	put("ak", "grp\n", 0, SUPP, 0640);
	assert_int_equal(rd("ak", 1, &buf, why, sizeof(why)), 0);
	assert_string_equal(buf, "grp\n");
	free(buf);
	cr.ngids = 1;
	assert_int_equal(rd("ak", 1, &buf, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "Permission denied"));
	cr.ngids = 2;
	/* a file only root may read is not read by root on the user's behalf */
	put("ak", "secret\n", 0, 0, 0600);
	assert_int_equal(rd("ak", 0, &buf, why, sizeof(why)), -1);
}

static void
missing_and_special_files(void **state)
{
	char *buf = NULL, why[512], p[600];

	(void)state;
	assert_int_equal(rd("absent", 1, &buf, why, sizeof(why)), 1);
	snprintf(p, sizeof(p), "%s/fifo", home);
	assert_int_equal(mkfifo(p, 0644), 0);
	/* a FIFO with no writer would block a plain open(): no hang */
	assert_int_equal(rd("fifo", 0, &buf, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a regular file"));
	snprintf(p, sizeof(p), "%s/dir", home);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(rd("dir", 0, &buf, why, sizeof(why)), -1);
	snprintf(p, sizeof(p), "%s/zero", home);
	assert_int_equal(symlink("/dev/zero", p), 0);
	assert_int_equal(rd("zero", 0, &buf, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a regular file"));
	/* NUL bytes come back whole: the parser rejects those lines */
	snprintf(p, sizeof(p), "%s/nul", home);
	{
		FILE *f = fopen(p, "w");
		size_t len;

		fwrite("a\0b\n", 1, 4, f);
		fclose(f);
		assert_int_equal(cvm_akfile_read(&cr, p, 0, 2000, &buf, &len, why,
		    sizeof(why)), 0);
		assert_int_equal(len, 4);
		assert_memory_equal(buf, "a\0b\n", 4);
		free(buf);
	}
}

static void
size_cap(void **state)
{
	char *buf = NULL, why[512], p[600];
	FILE *f;

	(void)state;
	snprintf(p, sizeof(p), "%s/huge", home);
	assert_non_null(f = fopen(p, "w"));
	assert_int_equal(ftruncate(fileno(f), CVM_AKFILE_MAX + 1), 0);
	fclose(f);
	assert_int_equal(rd("huge", 0, &buf, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "larger than"));
}

static void
strict_modes(void **state)
{
	char *buf = NULL, why[512];

	(void)state;
	put("ak", "k\n", UID, GID, 0620);
	assert_int_equal(rd("ak", 1, &buf, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "bad ownership or modes for file"));
	assert_int_equal(rd("ak", 0, &buf, why, sizeof(why)), 0);
	free(buf);
	put("ak", "k\n", OTHER, GID, 0644);
	assert_int_equal(rd("ak", 1, &buf, why, sizeof(why)), -1);
	put("ak", "k\n", UID, GID, 0600);
	assert_int_equal(chmod(home, 0775), 0);
	assert_int_equal(rd("ak", 1, &buf, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "bad ownership or modes for directory"));
	assert_int_equal(chmod(home, 0755), 0);
	/* the walk stops at the home: above it only matters up to there */
	assert_int_equal(rd("ak", 1, &buf, why, sizeof(why)), 0);
	free(buf);
}

static void
deadline(void **state)
{
	char *buf = NULL, why[512], p[600];
	size_t len;

	(void)state;
	put("ak", "k\n", UID, GID, 0600);
	snprintf(p, sizeof(p), "%s/ak", home);
	assert_int_equal(cvm_akfile_read(&cr, p, 1, 0, &buf, &len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no answer within 0 ms"));
	assert_null(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(expand),
		cmocka_unit_test(reads_as_the_user),
		cmocka_unit_test(missing_and_special_files),
		cmocka_unit_test(size_cap),
		cmocka_unit_test(strict_modes),
		cmocka_unit_test(deadline),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
