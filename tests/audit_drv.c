/* Test driver for the audit's live and system steps: fills struct
 * cvm_audit the way `cvmkey audit` does and prints every finding, one per
 * line: "SEVERITY ID [file:line] detail".  Used by tests/audit_live.test
 * inside private namespaces.
 *   audit_drv [--root DIR] [--config SSHD_CONFIG] [--from ADDR] [--live]
 *             [--sshd BIN] STEP...      (STEP: net sshd fw system) */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"
#include "sshdcfg.h"

int
main(int argc, char **argv)
{
	struct cvm_audit a;
	const char *root = "/", *config = "/etc/ssh/sshd_config";
	struct cvm_sshd *c = NULL;
	char err[512];
	size_t i;
	int k;

	memset(&a, 0, sizeof(a));
	a.sshd_bin = "/usr/sbin/sshd";
	for (k = 1; k < argc && strncmp(argv[k], "--", 2) == 0; k++) {
		if (strcmp(argv[k], "--live") == 0)
			a.live = 1;
		else if (k + 1 < argc && strcmp(argv[k], "--root") == 0)
			root = argv[++k];
		else if (k + 1 < argc && strcmp(argv[k], "--config") == 0)
			config = argv[++k];
		else if (k + 1 < argc && strcmp(argv[k], "--from") == 0)
			a.from = argv[++k];
		else if (k + 1 < argc && strcmp(argv[k], "--sshd") == 0)
			a.sshd_bin = argv[++k];
		else {
			fprintf(stderr, "audit_drv: bad option %s\n", argv[k]);
			return 3;
		}
	}
	if (cvm_root_init(&a.root, root) != 0) {
		perror(root);
		return 3;
	}
	if (cvm_sshd_load(root, config, NULL, &c, err, sizeof(err)) == 0)
		a.sshd = c;
	else
		fprintf(stderr, "audit_drv: %s\n", err);
	a.sshd_config = config;
	a.methods = CVM_M_ALL;
	for (; k < argc; k++) {
		if (strcmp(argv[k], "net") == 0)
			cvm_audit_net(&a);
		else if (strcmp(argv[k], "sshd") == 0)
			cvm_audit_sshd_live(&a);
		else if (strcmp(argv[k], "fw") == 0)
			cvm_audit_firewall(&a);
		else if (strcmp(argv[k], "system") == 0)
			cvm_audit_system(&a);
		else {
			fprintf(stderr, "audit_drv: bad step %s\n", argv[k]);
			return 3;
		}
	}
	cvm_audit_sort(&a);
	for (i = 0; i < a.n; i++) {
		const struct cvm_finding *f = &a.f[i];

		if (f->file)
			printf("%s %s %s:%d %s\n", cvm_sev_name(f->sev),
			    f->check->id, f->file, f->line, f->detail);
		else
			printf("%s %s - %s\n", cvm_sev_name(f->sev),
			    f->check->id, f->detail);
	}
	k = a.oom ? 3 : 0;
	cvm_audit_free(&a);
	cvm_sshd_free(c);
	cvm_root_close(&a.root);
	return k;
}
