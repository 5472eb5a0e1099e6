/* sshd_config: cvm_sshd_load on a file inside a private directory passed
 * as `root`, so every absolute path (Include, AuthorizedKeysFile...)
 * resolves inside it and an Include can reach nothing else; relative
 * Includes resolve to root/etc/ssh, which does not exist.  The first
 * byte picks the connection Match blocks are evaluated for (none, or
 * one of two), the rest is the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "sshdcfg.h"

static const char *const kw[] = {
	"authenticationmethods", "passwordauthentication", "pubkeyauthentication",
	"authorizedkeysfile", "authorizedkeyscommand", "include", "port",
	"kbdinteractiveauthentication", "usepam", "revokedkeys",
	"pubkeyacceptedalgorithms", "permitrootlogin", "strictmodes",
	"listenaddress", "hostkey", "notakeyword",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	static const char *const grp[] = { "wheel", "users", "cvm-admins" };
	struct cvm_sshd_conn c1 = {
		.user = "alice", .groups = grp, .ngroups = 3, .host = "client.example",
		.addr = "192.0.2.7", .laddr = "198.51.100.1", .lport = 22,
		.rdomain = NULL,
	}, c2 = {
		.user = "root", .groups = grp, .ngroups = 0, .host = "2001:db8::5",
		.addr = "2001:db8::5", .laddr = "::1", .lport = 2222, .rdomain = "vrf1",
	};
	const struct cvm_sshd_conn *conn;
	struct cvm_sshd *c = NULL;
	char err[512], root[128];
	int line;

	if (size < 1)
		return 0;
	conn = data[0] % 3 == 0 ? NULL : data[0] % 3 == 1 ? &c1 : &c2;
	(void)fuzz_write("sshd_config", data + 1, size - 1);
	snprintf(root, sizeof(root), "%s", fuzz_tmpdir());
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	if (cvm_sshd_load(root, "/sshd_config", conn, &c, err, sizeof(err)) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++) {
		size_t n = cvm_sshd_count(c, kw[i]);

		(void)cvm_sshd_get(c, kw[i]);
		(void)cvm_sshd_flag(c, kw[i]);
		(void)cvm_sshd_origin(c, kw[i], &line);
		for (size_t j = 0; j <= n; j++)
			(void)cvm_sshd_value(c, kw[i], j);
	}
	for (size_t i = 0; i < cvm_sshd_nproblems(c); i++) {
		const char *file;

		(void)cvm_sshd_problem(c, i);
		(void)cvm_sshd_problem_info(c, i, &file, &line);
	}
	cvm_sshd_print(c, devnull, data[0] & 4);
	cvm_sshd_free(c);
	return 0;
}
