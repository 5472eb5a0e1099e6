/* PAM stack files: cvm_pam_stack_load on a private directory passed as
 * the root, then cvm_pam_eval of every type.  The input holds up to three
 * files separated by a line "----": /etc/pam.d/sshd, /etc/pam.d/common
 * (for include/substack/@include) and /etc/pam.d/other.  Each module's
 * predicted return is derived from its line, so walks take every
 * action. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	};
	static int made;
	struct cvm_root r;
	struct cvm_pam_opts o = { NULL, NULL, NULL, 1 };
	struct cvm_pam_stack s;
	char dir[256];
	size_t off = 0;

	snprintf(dir, sizeof(dir), "%s/etc", fuzz_tmpdir());
	if (!made) {
		if ((mkdir(dir, 0700) != 0 && errno != EEXIST))
			abort();
		snprintf(dir, sizeof(dir), "%s/etc/pam.d", fuzz_tmpdir());
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			abort();
		made = 1;
	}
	for (size_t i = 0; i < 3; i++) {
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
	cvm_root_close(&r);
	return 0;
}
