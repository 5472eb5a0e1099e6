/* PAM stack files: cvm_pam_stack_load on a private directory passed as
 * the root, then cvm_pam_eval of every type.  The input holds up to seven
 * files separated by a line "----": /etc/pam.d/sshd, /etc/pam.d/common
 * (for include/substack/@include), /etc/pam.d/other, then the files the
 * audit's module predictions read: /etc/security/access.conf, time.conf,
 * faillock.conf and /etc/list (for pam_listfile file=/etc/list).  Each
 * module's return is first derived from its line, so walks take every
 * action; then the whole audit step (cvm_audit_pam) runs on the tree,
 * every module of the stack installed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pwd.h>
#include "audit.h"
#include "fuzz.h"
#include "pamstack.h"

static int
predict(void *ctx, const struct cvm_pam_line *l, size_t idx)
{
	unsigned h = (unsigned)idx * 31u + (unsigned)l->line;

	(void)ctx;
	(void)cvm_pam_arg(l, "file");
	for (int i = 0; i < l->argc; i++)
		for (const char *p = l->argv[i]; *p; p++)
			h = h * 33u + (unsigned char)*p;
	return (int)(h % 33u);	/* 32 is out of range: must be handled */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"etc/pam.d/sshd", "etc/pam.d/common", "etc/pam.d/other",
		"etc/security/access.conf", "etc/security/time.conf",
		"etc/security/faillock.conf", "etc/list",
	};
	static const char *const mods[] = {
		"pam_unix", "pam_deny", "pam_permit", "pam_nologin", "pam_access",
		"pam_listfile", "pam_faillock", "pam_succeed_if", "pam_time",
		"pam_tally2", "pam_cvmkey",
	};
	static const char *const groups[] = { "alice", "staff" };
	struct passwd pw = { (char *)"alice", (char *)"x", 1000, 1000,
		(char *)"", (char *)"/home/alice", (char *)"/bin/sh" };
	struct cvm_audit a;
	static int made;
	struct cvm_root r;
	struct cvm_pam_opts o = { NULL, NULL, NULL, 1 };
	struct cvm_pam_stack s;
	char dir[256];
	size_t off = 0;

	snprintf(dir, sizeof(dir), "%s/etc", fuzz_tmpdir());
	if (!made) {
		static const char *const dirs[] = {
			"etc", "etc/pam.d", "etc/security", "lib", "lib/security",
		};

		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			snprintf(dir, sizeof(dir), "%s/%s", fuzz_tmpdir(), dirs[i]);
			if (mkdir(dir, 0700) != 0 && errno != EEXIST)
				abort();
		}
		for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
			snprintf(dir, sizeof(dir), "lib/security/%s.so", mods[i]);
			(void)fuzz_write(dir, (const uint8_t *)"", 0);
		}
		made = 1;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const uint8_t *end = NULL;
		size_t n = size - off;

		for (size_t k = off; k + 5 <= size; k++)
			if (memcmp(data + k, "----\n", 5) == 0 &&
			    (k == off || data[k - 1] == '\n')) {
				end = data + k;
				break;
			}
		if (end != NULL)
			n = (size_t)(end - (data + off));
		(void)fuzz_write(names[i], data + off, n);
		off += n;
		if (end != NULL)
			off += 5;
	}
	if (cvm_root_init(&r, fuzz_tmpdir()) != 0)
		abort();
	o.root = &r;
	if (cvm_pam_stack_load(&s, "sshd", &o) == 0) {
		for (int t = 0; t < CVM_PAMT_N; t++) {
			size_t n;
			const struct cvm_pam_line *h = cvm_pam_chain(&s, t, &n);
			struct cvm_pam_step *st = calloc(n + 1, sizeof(*st));
			int rc = cvm_pam_eval(&s, t, predict, NULL, st, SIZE_MAX, 0);

			if (rc < 0 || rc >= CVM_PAM_NRET)
				abort();
			for (size_t i = 0; i < n; i++) {
				if (h[i].level < 0 || h[i].level > 16)
					abort();
				if (st[i].ran)
					(void)cvm_pam_eval(&s, t, predict, NULL, NULL, i, 0);
			}
			free(st);
		}
		for (size_t i = 0; i < s.nprob; i++)
			if (s.prob[i].msg == NULL)
				abort();
		cvm_pam_stack_free(&s);
	}
	/* the audit step on the same tree, for alice from an address */
	memset(&a, 0, sizeof(a));
	a.root = r;
	a.user = size & 1 ? "alice" : NULL;
	a.pw = size & 1 ? &pw : NULL;
	a.groups = groups;
	a.ngroups = 2;
	a.from = size & 2 ? "192.0.2.7" : "2001:db8::5";
	a.methods = CVM_M_ALL;
	a.pam_service = "sshd";
	a.now = 1700000000;
	cvm_audit_pam(&a);
	if (a.oom)
		abort();
	for (size_t i = 0; i < a.n; i++)
		if (a.f[i].detail == NULL)
			abort();
	cvm_audit_free(&a);
	cvm_root_close(&r);
	return 0;
}
