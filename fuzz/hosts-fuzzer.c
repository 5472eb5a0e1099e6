/* hosts.allow / hosts.deny: cvm_tcpw_eval for one client address, then
 * cvm_tcpw_names_daemon and cvm_tcpw_witnesses (each witness evaluated).
 * Byte 0 picks the address and whether sshd's ports are known; the rest
 * is split at the first two 0xff bytes into hosts.allow, hosts.deny and
 * the text of a pattern file "/p" (written into a private directory
 * passed as root, so "/p" and every other /file pattern resolve inside
 * it).  Checks: the verdict set is never empty, and a decided verdict
 * names the file it came from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "rootfs.h"
#include "tcpw.h"

static const char *const addrs[] = {
	"192.0.2.1", "10.1.2.3", "2001:db8::1", "::1", "::ffff:192.0.2.1",
	"fe80::1", "127.0.0.1", "198.51.100.77",
};

struct ctx {
	const struct cvm_tcpw *w;
	unsigned n;
};

static int
each(const char *addr, void *arg)
{
	struct ctx *c = arg;
	struct cvm_tcpw_conn conn = { "sshd", addr, NULL, 0 };
	struct cvm_tcpw_result r;

	cvm_tcpw_eval(c->w, &conn, &r);
	if (r.set == 0)
		abort();
	return ++c->n >= 64;	/* bounded work per input */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned ports[] = { 22, 2222 };
	const uint8_t *p, *al, *de, *fl = NULL, *end = data + size;
	size_t alen, dlen = 0, flen = 0;
	struct cvm_root root;
	struct cvm_tcpw w;
	struct cvm_tcpw_conn c;
	struct cvm_tcpw_result r;
	struct cvm_tcpw_loc loc;
	struct ctx cx;

	if (size < 1)
		return 0;
	c.daemon = "sshd";
	c.addr = addrs[data[0] % (sizeof(addrs) / sizeof(addrs[0]))];
	c.ports = ports;
	c.nports = (data[0] >> 4) % 3;
	al = data + 1;
	if ((p = memchr(al, 0xff, (size_t)(end - al))) == NULL) {
		alen = (size_t)(end - al);
		de = NULL;
	} else {
		alen = (size_t)(p - al);
		de = p + 1;
		if ((p = memchr(de, 0xff, (size_t)(end - de))) == NULL)
			dlen = (size_t)(end - de);
		else {
			dlen = (size_t)(p - de);
			fl = p + 1;
			flen = (size_t)(end - fl);
		}
	}
	(void)fuzz_write("p", fl ? fl : (const uint8_t *)"", flen);
	if (cvm_root_init(&root, fuzz_tmpdir()) != 0)
		abort();
	if (cvm_tcpw_load_mem(&w, &root, (const char *)al, alen,
	    (const char *)de, dlen) != 0)
		abort();
	cvm_tcpw_eval(&w, &c, &r);
	if (r.set == 0 || (r.set == CVM_TCPW_DENY && r.at[1].file == NULL))
		abort();
	(void)cvm_tcpw_names_daemon(&w, "sshd", &loc);
	cx.w = &w;
	cx.n = 0;
	(void)cvm_tcpw_witnesses(&w, "sshd", each, &cx);
	cvm_tcpw_free(&w);
	cvm_root_close(&root);
	return 0;
}
