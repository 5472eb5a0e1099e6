/* tests/tcpw_sshd.test's probe: prints lib/tcpw.c's verdict ("allow",
 * "deny" or "maybe") for DAEMON and client ADDR from the running
 * system's /etc/hosts.allow and /etc/hosts.deny, with sshd's local PORT
 * when given.  With --audit SSHD_BIN ADDR: runs the audit step live (the
 * daemon name read from the running sshd) and prints "ID severity" for
 * each TCPW-* finding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "rootfs.h"
#include "tcpw.h"

static int
audit(const char *bin, const char *from)
{
	struct cvm_audit a;

	memset(&a, 0, sizeof(a));
	if (cvm_root_init(&a.root, "/") != 0)
		return 3;
	a.live = 1;
	a.from = from;
	a.sshd_version = "9.2";
	a.sshd_bin = bin;
	cvm_audit_tcpw(&a);
	for (size_t i = 0; i < a.n; i++)
		printf("%s %s\n", a.f[i].check->id, cvm_sev_name(a.f[i].sev));
	cvm_root_close(&a.root);
	cvm_audit_free(&a);
	return 0;
}

int
main(int argc, char **argv)
{
	struct cvm_root root;
	struct cvm_tcpw w;
	struct cvm_tcpw_result r;
	unsigned port;
	struct cvm_tcpw_conn c;

	if (argc == 4 && strcmp(argv[1], "--audit") == 0)
		return audit(argv[2], argv[3]);
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: tcpw-eval DAEMON ADDR [PORT]\n");
		return 2;
	}
	port = argc == 4 ? (unsigned)strtoul(argv[3], NULL, 10) : 0;
	c.daemon = argv[1];
	c.addr = argv[2];
	c.ports = &port;
	c.nports = argc == 4;
	if (cvm_root_init(&root, "/") != 0 ||
	    cvm_tcpw_load(&w, &root, "/etc/hosts.allow", "/etc/hosts.deny") != 0)
		return 3;
	cvm_tcpw_eval(&w, &c, &r);
	printf("%s\n", r.set == CVM_TCPW_ALLOW ? "allow" :
	    r.set == CVM_TCPW_DENY ? "deny" : "maybe");
	cvm_tcpw_free(&w);
	cvm_root_close(&root);
	return 0;
}
