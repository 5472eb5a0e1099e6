/* lib/tcpw.c against the real libwrap (Debian's libwrap0, linked only
 * here): generated hosts.allow/hosts.deny pairs x client addresses, each
 * verdict the evaluator gives must be hosts_ctl()'s, and must not change
 * whatever host name, ident user or server address libwrap is handed;
 * the ones it calls undecidable are checked to depend on those.  Then the
 * options language and file-reading details one by one, lib/elfdeps.c on
 * real and broken ELF files, and cvm_audit_tcpw() on --root trees. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <tcpd.h>

#include "audit.h"
#include "elfdeps.h"
#include "rootfs.h"
#include "sshdcfg.h"
#include "tcpw.h"

/* libwrap logs every complaint with syslog(): keep the oracle runs out of
 * the machine's journal (these calls from libwrap bind to the program's
 * definitions first). */
__attribute__((visibility("default"))) void __syslog_chk(int pri, int flag,
    const char *fmt, ...);
__attribute__((visibility("default"))) void __vsyslog_chk(int pri, int flag,
    const char *fmt, va_list ap);
void
__syslog_chk(int pri, int flag, const char *fmt, ...)
{
	(void)pri;
	(void)flag;
	(void)fmt;
}
void
__vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)pri;
	(void)flag;
	(void)fmt;
	(void)ap;
}

static char tmpdir[64];
static char allow_path[128], deny_path[128], file_path[128];
static struct cvm_root live_root;

static void
write_file(const char *path, const char *s, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* hosts_access() with what the evaluator treats as unknown set. */
static int
oracle4(const char *addr, const char *name, const char *user, const char *saddr,
    const char *sname)
{
	struct request_info req;

	request_init(&req, RQ_DAEMON, "sshd", RQ_CLIENT_NAME, name,
	    RQ_CLIENT_ADDR, addr, RQ_USER, user, 0);
	if (saddr != NULL)
		request_set(&req, RQ_SERVER_ADDR, saddr, 0);
	if (sname != NULL)
		request_set(&req, RQ_SERVER_NAME, sname, 0);
	return hosts_access(&req);
}

static int
oracle(const char *addr, const char *name, const char *user, const char *saddr)
{
	return oracle4(addr, name, user, saddr, NULL);
}

/* Host names, ident users and server addresses that the rule pools'
 * name-dependent patterns can tell apart. */
static const char *const panel[][4] = {
	{ "unknown", "unknown", NULL, NULL },
	{ "paranoid", "unknown", NULL, NULL },
	{ "localhost", "alice", "192.0.2.1", "ssh.example.com" },
	{ "host", "alice", NULL, NULL },
	{ "www.example.com", "unknown", "10.9.9.9", NULL },
	{ "192.0.2.evil.org", "alice", "192.0.2.1", NULL },
	{ "unknown", "alice", "192.0.2.1", NULL },
	{ "mail.example.com", "root", "2001:db8::1", "ssh.example.com" },
	/* odd, but not numeric IPv6: sshd's libwrap (sock_hostname) turns
	 * a name that parses as an address of the client's family, or whose
	 * forward lookup lacks the address, into "paranoid"; glibc refuses
	 * PTR names with ':' */
	{ "10.1.2.3", "unknown", NULL, NULL },
	{ "ALL@ALL", "unknown", NULL, NULL },
};
#define NPANEL (sizeof(panel) / sizeof(panel[0]))

/* ---- generated rule files ------------------------------------------------ */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

#define PICK(a) ((a)[rnd(sizeof(a) / sizeof((a)[0]))])

static const char *const daemons[] = {
	"sshd", "ALL", "sshd,ftpd", "ftpd", "ALL EXCEPT sshd", "ALL EXCEPT ftpd",
	"ss*", "s?hd", "SSHD", "in.telnetd sshd", "KNOWN", "sshd@ALL",
	"sshd@192.0.2.1", "ssh.", "*d EXCEPT ftpd", "ALL EXCEPT ss* EXCEPT sshd",
	"sshd@[2001:db8::1]", "sshd@.example.com",
};
static const char *const clients_fixed[] = {
	"ALL", "192.0.2.1", "192.0.2.77", "10.1.2.3", "127.0.0.1", "192.0.2.",
	"10.", "192.0.2.0/255.255.255.0", "192.0.2.0/24", "10.0.0.0/8",
	"192.0.2.5/24", "0.0.0.0/0.0.0.0", "192.0.2.1/255.255.255.255",
	"192.0.2.0/25", "0300.0.02.0/0377.0377.0377.0", "192.0.2.0/0",
	"192.0.2.1/32", "2001:db8::1", "[2001:db8::1]", "[2001:db8::]/32",
	"[2001:db8::]/64", "[::]/0", "[::1]/128", "::1", "[::ffff:192.0.2.1]",
	"[::ffff:192.0.2.0]/120", "::ffff:192.0.2.1", "*", "2001:DB8::1",
	"[2001:db8::1]/x", "[2001:db8::abcd]", "192.0.2.0/255.0.255.0",
	"127.", "::ffff:192.0.2.", "[fe80::]/10", "2001:db8::abcd",
	"ALL@192.0.2.1", "ALL@ALL", "10.1.2.3/33", "[2001:db8::]/129", "1.",
};
static const char *const clients_named[] = {
	".example.com", "LOCAL", "KNOWN", "UNKNOWN", "PARANOID", "@ng",
	"alice@ALL", "KNOWN@10.0.0.0/8", "host", "localhost", "*.example.com",
	"192.0.2.*", "2001:db8::?", "1?.1.2.3", ".1", "/nonexistent",
	"alice@192.0.2.0/24", "www.example.com", ".org",
};
static const char *const options[] = {
	"", "", "", "", ": allow", ": deny", ": ALLOW", ": Deny",
	": severity auth.info", ": severity bogus", ": severity local0.debug",
	": severity warning", ": severity auth.nope", ": keepalive",
	": keepalive 1", ": umask 022", ": umask 999", ": bogus",
	": allow : deny", ": deny : allow", ": severity info : allow",
	": setenv CVM_T bar", ": setenv A=b c", ": linger 5", ": linger x",
	": rfc931 5", ": rfc931 x", ":", ": : allow", ": allow :",
	": allow\\: x", ": rfc931 : deny", ": severity=info : deny",
	": nice 5 : allow", ": nice x : allow", ": allow=1", ": deny extra",
	": umask=022 : allow", ":  allow  ", ": ALLOW\t",
};
static const char *const addrs[] = {
	"192.0.2.1", "192.0.2.77", "192.0.2.200", "10.1.2.3", "127.0.0.1",
	"198.51.100.1", "2001:db8::1", "2001:db8::abcd", "2001:db9::1", "::1",
	"fe80::1", "::ffff:192.0.2.1", "::ffff:10.1.2.3",
};

static const char *
client_tok(int named)
{
	if (named && rnd(4) == 0) {
		if (rnd(6) == 0)
			return file_path;
		return PICK(clients_named);
	}
	return PICK(clients_fixed);
}

/* One rule line (or a comment / blank / broken line) appended to b. */
static size_t
gen_line(char *b, size_t cap, size_t k, int named)
{
	int n = 1 + (int)rnd(3), form = (int)rnd(40);
	size_t start = k;

#define ADD(...) do { int w_ = snprintf(b + k, cap - k, __VA_ARGS__); \
	if (w_ > 0 && (size_t)w_ < cap - k) k += (size_t)w_; } while (0)
	if (form == 0)
		ADD("# sshd: ALL\n");
	else if (form == 1)
		ADD("\n");
	else if (form == 2)
		ADD("  # indented: comment\n");
	else if (form == 3)
		ADD("no separator\n");
	else {
		ADD("%s:", PICK(daemons));
		for (int i = 0; i < n; i++) {
			ADD("%s%s", i ? (rnd(2) ? ", " : " ") : " ", client_tok(named));
			if (rnd(8) == 0)
				ADD(" EXCEPT %s", client_tok(named));
		}
		if (form == 4) {	/* backslash continuation */
			ADD(" \\\n");
			ADD("%s", client_tok(named));
		}
		ADD("%s", PICK(options));
		ADD(form == 5 ? "\r\n" : "\n");
		if (form == 6 && k > start + 4) {	/* a NUL byte inside */
			b[start + 3] = '\0';
		}
	}
#undef ADD
	return k;
}

static size_t
gen_table(char *b, size_t cap, int named)
{
	size_t k = 0;
	int lines = (int)rnd(5);

	for (int i = 0; i < lines; i++)
		k = gen_line(b, cap, k, named);
	switch (rnd(20)) {
	case 0:			/* last line without newline */
		if (k > 0)
			k--;
		break;
	case 1:			/* a line too long for libwrap */
		if (cap - k > 3000) {
			memcpy(b + k, "sshd: ", 6);
			memset(b + k + 6, ' ', 2100);
			memcpy(b + k + 2106, "ALL\n", 4);
			k += 2110;
		}
		break;
	default:
		break;
	}
	return k;
}

struct stats {
	unsigned decided, maybe, maybe_dependent;
};

static void
check_case(const char *al, size_t alen, int have_al, const char *de,
    size_t dlen, int have_de, struct stats *st)
{
	struct cvm_tcpw w;

	unlink(allow_path);
	unlink(deny_path);
	if (have_al)
		write_file(allow_path, al, alen);
	if (have_de)
		write_file(deny_path, de, dlen);
	assert_int_equal(cvm_tcpw_load(&w, &live_root, allow_path, deny_path), 0);
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		struct cvm_tcpw_conn c = { "sshd", addrs[i], NULL, 0 };
		struct cvm_tcpw_result r;
		int want, differs = 0, first;

		cvm_tcpw_eval(&w, &c, &r);
		assert_true(r.set != 0);
		first = oracle4(addrs[i], panel[0][0], panel[0][1], panel[0][2],
		    panel[0][3]);
		for (size_t p = 1; p < NPANEL; p++)
			differs |= oracle4(addrs[i], panel[p][0], panel[p][1],
			    panel[p][2], panel[p][3]) != first;
		if (r.set == (CVM_TCPW_ALLOW | CVM_TCPW_DENY)) {
			st->maybe++;
			st->maybe_dependent += differs;
			if (!differs && getenv("CVM_TCPW_SHOW") != NULL)
				fprintf(stderr, "# undecided, same for the panel: %s (%s:%d: %s)\n"
				    "# allow:\n%.*s\n# deny:\n%.*s\n", addrs[i],
				    r.maybe.file ? r.maybe.file : "-", r.maybe.line,
				    r.maybe_why, have_al ? (int)alen : 0, al,
				    have_de ? (int)dlen : 0, de);
			continue;
		}
		st->decided++;
		want = hosts_ctl("sshd", STRING_UNKNOWN, (char *)addrs[i], STRING_UNKNOWN);
		if ((r.set == CVM_TCPW_ALLOW) != (want != 0) || differs) {
			fprintf(stderr, "# MISMATCH addr %s: ours %s, hosts_ctl %s%s\n"
			    "# hosts.allow%s:\n%.*s\n# hosts.deny%s:\n%.*s\n", addrs[i],
			    r.set == CVM_TCPW_ALLOW ? "allow" : "deny",
			    want ? "allow" : "deny",
			    differs ? ", and libwrap's answer changes with the name" : "",
			    have_al ? "" : " (missing)", (int)alen, al,
			    have_de ? "" : " (missing)", (int)dlen, de);
			if (getenv("CVM_TCPW_KEEP") != NULL) {
				write_file("/tmp/tcpw-fail.allow", al, alen);
				write_file("/tmp/tcpw-fail.deny", de, dlen);
				write_file("/tmp/tcpw-fail.file", "", 0);
				(void)!system("cp /tmp/cvm-tcpw.*/patterns /tmp/tcpw-fail.file");
				exit(1);
			}
			fail();
		}
	}
	cvm_tcpw_free(&w);
}

static void
oracle_random(void **state, int named, unsigned cases, struct stats *st)
{
	static char al[8192], de[8192], fl[512];

	(void)state;
	for (unsigned n = 0; n < cases; n++) {
		size_t alen = gen_table(al, sizeof(al), named);
		size_t dlen = gen_table(de, sizeof(de), named);
		size_t flen = 0;

		for (int i = 0; i < 3; i++)
			flen += (size_t)snprintf(fl + flen, sizeof(fl) - flen, "%s%s",
			    PICK(clients_fixed), rnd(2) ? "\n" : "  ");
		write_file(file_path, fl, flen);
		check_case(al, alen, rnd(8) != 0, de, dlen, rnd(8) != 0, st);
	}
}

/* CVM_TCPW_CASES (default 600 per run) and CVM_TCPW_SEED for longer or
 * other runs. */
static unsigned
ncases(void)
{
	const char *e = getenv("CVM_TCPW_CASES"), *seed = getenv("CVM_TCPW_SEED");

	if (seed != NULL && strtoull(seed, NULL, 10) != 0)
		rng = strtoull(seed, NULL, 10);
	return e != NULL ? (unsigned)strtoul(e, NULL, 10) : 600;
}

/* Address-only rules: every verdict decided, and hosts_ctl's. */
static void
oracle_addresses(void **state)
{
	struct stats st = { 0, 0, 0 };

	oracle_random(state, 0, ncases(), &st);
	print_message("# address-only: %u verdicts equal to hosts_ctl, %u undecided\n",
	    st.decided, st.maybe);
	assert_true(st.decided > 0);
	/* only server-address ("sshd@...") daemon lists leave them open */
	assert_true(st.maybe < st.decided / 4);
}

/* With names, ident users, /file and netgroups mixed in. */
static void
oracle_names(void **state)
{
	struct stats st = { 0, 0, 0 };

	oracle_random(state, 1, ncases(), &st);
	print_message("# with names: %u verdicts equal to hosts_ctl, %u undecided "
	    "(%u of them shown to depend on the name, user or server address)\n",
	    st.decided, st.maybe, st.maybe_dependent);
	assert_true(st.decided > 0 && st.maybe > 0);
	/* three-valued logic may call a few more undecided than needed (a
	 * rule and its own exception both on the name), never fewer */
	assert_true(st.maybe_dependent * 4 >= st.maybe * 3);
}

/* ---- one by one ------------------------------------------------------------ */

static unsigned
eval_ports(const char *al, const char *de, const char *addr,
    const unsigned *ports, size_t nports, struct cvm_tcpw_result *r)
{
	struct cvm_tcpw w;
	struct cvm_tcpw_conn c = { "sshd", addr, ports, nports };

	assert_int_equal(cvm_tcpw_load_mem(&w, &live_root, al, al ? strlen(al) : 0,
	    de, de ? strlen(de) : 0), 0);
	cvm_tcpw_eval(&w, &c, r);
	cvm_tcpw_free(&w);
	return r->set;
}

static unsigned
eval(const char *al, const char *de, const char *addr, struct cvm_tcpw_result *r)
{
	return eval_ports(al, de, addr, NULL, 0, r);
}

/* The same rule files through hosts_ctl(): for the cases below that are
 * safe to hand to libwrap (no command runs). */
static int
ctl(const char *al, const char *de, const char *addr)
{
	unlink(allow_path);
	unlink(deny_path);
	if (al != NULL)
		write_file(allow_path, al, strlen(al));
	if (de != NULL)
		write_file(deny_path, de, strlen(de));
	return hosts_ctl("sshd", STRING_UNKNOWN, (char *)addr, STRING_UNKNOWN);
}

#define A CVM_TCPW_ALLOW
#define D CVM_TCPW_DENY
#define AD (CVM_TCPW_ALLOW | CVM_TCPW_DENY)

/* Both the evaluator and libwrap, when the evaluator decides. */
static void
both(const char *al, const char *de, const char *addr, unsigned want)
{
	struct cvm_tcpw_result r;

	if (eval(al, de, addr, &r) != want || (want != AD &&
	    (ctl(al, de, addr) != 0) != (want == A)))
		print_error("# case: allow [%s] deny [%s] addr %s: ours %u, libwrap %d, "
		    "want %u\n", al ? al : "(none)", de ? de : "(none)", addr, r.set,
		    want != AD ? ctl(al, de, addr) : -1, want);
	assert_int_equal(eval(al, de, addr, &r), want);
	if (want != AD)
		assert_int_equal(ctl(al, de, addr) != 0, want == A);
}

static void
basics(void **state)
{
	struct cvm_tcpw_result r;

	(void)state;
	both(NULL, NULL, "192.0.2.1", A);
	both(NULL, "sshd: ALL\n", "192.0.2.1", D);
	assert_int_equal(eval(NULL, "sshd: ALL\n", "192.0.2.1", &r), D);
	assert_string_equal(r.at[1].file, "/etc/hosts.deny");
	assert_int_equal(r.at[1].line, 1);
	both("sshd: 192.0.2.0/24\n", "ALL: ALL\n", "192.0.2.9", A);
	assert_int_equal(eval("sshd: 192.0.2.0/24\n", "ALL: ALL\n", "192.0.2.9", &r), A);
	assert_string_equal(r.at[0].file, "/etc/hosts.allow");
	both("sshd: 192.0.2.0/24\n", "ALL: ALL\n", "10.0.0.1", D);
	/* first match wins, allow before deny */
	both("sshd: 10.0.0.1 : deny\nsshd: ALL\n", "ALL: ALL\n", "10.0.0.1", D);
	both("sshd: ALL : deny\n", NULL, "10.0.0.1", D);
	both(NULL, "sshd: ALL : allow\n", "10.0.0.1", A);
	/* comments only in column 1; continuation; later lines after a match */
	both("# sshd: ALL : deny\n", NULL, "10.0.0.1", A);
	both(NULL, "#\nsshd: \\\n 10.0.0.1\n", "10.0.0.1", D);
	assert_int_equal(eval(NULL, "#\nsshd: \\\n 10.0.0.1\n", "10.0.0.1", &r), D);
	assert_int_equal(r.at[1].line, 2);
	/* EXCEPT nesting: ALL EXCEPT (10/8 EXCEPT 10.0.0.1) */
	both(NULL, "sshd: ALL EXCEPT 10.0.0.0/8 EXCEPT 10.0.0.1\n", "10.0.0.1", D);
	both(NULL, "sshd: ALL EXCEPT 10.0.0.0/8 EXCEPT 10.0.0.1\n", "10.0.0.2", A);
	both(NULL, "ALL EXCEPT sshd: ALL\n", "10.0.0.2", A);
	/* v4-mapped client addresses match v4 patterns */
	both(NULL, "sshd: 192.0.2.0/24\n", "::ffff:192.0.2.5", D);
	both(NULL, "sshd: 192.0.2.5\n", "::ffff:192.0.2.5", D);
	both(NULL, "sshd: [::ffff:192.0.2.5]\n", "::ffff:192.0.2.5", A);
	both(NULL, "sshd: [2001:db8::]/32\n", "2001:db8:1::5", D);
	both(NULL, "sshd: [2001:db8::]/33\n", "2001:db8:8000::5", A);
	/* a dotted-quad net with host bits never matches; /255.255.255.255 neither */
	both(NULL, "sshd: 192.0.2.5/24\n", "192.0.2.5", A);
	both(NULL, "sshd: 192.0.2.5/255.255.255.255\n", "192.0.2.5", A);
	both(NULL, "sshd: 192.0.2.5/32\n", "192.0.2.5", D);
	/* the daemon name */
	both(NULL, "SSHD: ALL\n", "10.0.0.1", D);
	both(NULL, "ftpd: ALL\n", "10.0.0.1", A);
}

static void
undecidable(void **state)
{
	struct cvm_tcpw_result r;

	(void)state;
	assert_int_equal(eval("sshd: .example.com\n", "ALL: ALL\n", "10.0.0.1", &r), AD);
	assert_string_equal(r.maybe.file, "/etc/hosts.allow");
	assert_int_equal(r.maybe.line, 1);
	assert_non_null(strstr(r.maybe_why, ".example.com"));
	/* ...but not when the address decides first or anyway */
	assert_int_equal(eval("sshd: 10.0.0.1, .example.com\n", "ALL: ALL\n", "10.0.0.1", &r), A);
	assert_int_equal(eval("sshd: .example.com\nsshd: ALL\n", "ALL: ALL\n", "10.0.0.1", &r), A);
	assert_int_equal(eval(NULL, "sshd: LOCAL\n", "10.0.0.1", &r), AD);
	assert_int_equal(eval(NULL, "sshd: KNOWN\n", "10.0.0.1", &r), AD);
	assert_int_equal(eval(NULL, "sshd: UNKNOWN\n", "10.0.0.1", &r), AD);
	assert_int_equal(eval(NULL, "sshd: PARANOID\n", "10.0.0.1", &r), AD);
	assert_int_equal(eval(NULL, "sshd: @admins\n", "10.0.0.1", &r), AD);
	assert_int_equal(eval(NULL, "sshd: alice@10.0.0.1\n", "10.0.0.1", &r), AD);
	assert_int_equal(eval(NULL, "sshd: alice@10.0.0.2\n", "10.0.0.1", &r), A);
	assert_int_equal(eval(NULL, "sshd: ALL@10.0.0.1\n", "10.0.0.1", &r), D);
	assert_int_equal(eval(NULL, "sshd: host\n", "10.0.0.1", &r), AD);
	/* digits, dots and slashes are never compared with the name */
	assert_int_equal(eval(NULL, "sshd: 10.0.0.2\n", "10.0.0.1", &r), A);
	/* "[v6]" cannot be a host name */
	assert_int_equal(eval(NULL, "sshd: [2001:db8::1]\n", "10.0.0.1", &r), A);
	/* and each of them really depends on the name: libwrap's answer
	 * changes with it */
	ctl(NULL, "sshd: .example.com\n", "10.0.0.1");
	assert_int_not_equal(oracle("10.0.0.1", "a.example.com", "unknown", NULL),
	    oracle("10.0.0.1", "unknown", "unknown", NULL));
	ctl(NULL, "sshd: LOCAL\n", "10.0.0.1");
	assert_int_not_equal(oracle("10.0.0.1", "host", "unknown", NULL),
	    oracle("10.0.0.1", "host.example.com", "unknown", NULL));
	ctl(NULL, "sshd: KNOWN\n", "10.0.0.1");
	assert_int_not_equal(oracle("10.0.0.1", "host", "unknown", NULL),
	    oracle("10.0.0.1", "unknown", "unknown", NULL));
	ctl(NULL, "sshd: PARANOID\n", "10.0.0.1");
	assert_int_not_equal(oracle("10.0.0.1", "paranoid", "unknown", NULL),
	    oracle("10.0.0.1", "host", "unknown", NULL));
	ctl(NULL, "sshd: alice@10.0.0.1\n", "10.0.0.1");
	assert_int_not_equal(oracle("10.0.0.1", "unknown", "alice", NULL),
	    oracle("10.0.0.1", "unknown", "bob", NULL));
	ctl(NULL, "sshd@192.0.2.1: ALL\n", "10.0.0.1");
	assert_int_not_equal(oracle("10.0.0.1", "unknown", "unknown", "192.0.2.1"),
	    oracle("10.0.0.1", "unknown", "unknown", "192.0.2.2"));
	assert_int_equal(eval(NULL, "sshd@192.0.2.1: ALL\n", "10.0.0.1", &r), AD);
}

/* Options that run commands or look up users: the evaluator only (they
 * would run in the test process). */
static void
options_language(void **state)
{
	struct cvm_tcpw_result r;
	const unsigned p22[] = { 22 }, p22_2222[] = { 22, 2222 };

	(void)state;
	assert_int_equal(eval("sshd: ALL : twist /bin/echo no\n", NULL, "10.0.0.1", &r), D);
	assert_non_null(strstr(r.why[1], "twist"));
	assert_int_equal(eval(NULL, "sshd: ALL : spawn /bin/echo %a\n", "10.0.0.1", &r), D);
	assert_int_equal(eval("sshd: ALL : spawn /bin/echo %a\n", "ALL: ALL\n", "10.0.0.1", &r), A);
	assert_int_equal(eval("sshd: ALL : spawn x : allow\n", NULL, "10.0.0.1", &r), A);
	assert_int_equal(eval("sshd: ALL : twist x : allow\n", NULL, "10.0.0.1", &r), D);
	assert_int_equal(eval("sshd: ALL : aclexec /bin/false\n", "ALL: ALL\n", "10.0.0.1", &r), AD);
	assert_non_null(strstr(r.maybe_why, "aclexec"));
	assert_int_equal(eval("sshd: ALL : aclexec x : allow\n", "ALL: ALL\n", "10.0.0.1", &r), A);
	assert_int_equal(eval("sshd: ALL : user nobody\n", NULL, "10.0.0.1", &r), AD);
	assert_int_equal(eval("sshd: ALL : banners /etc/banners\n", NULL, "10.0.0.1", &r), A);
	assert_int_equal(eval("sshd: ALL : setenv %u x\n", NULL, "10.0.0.1", &r), AD);
	/* port patterns: decided when sshd's ports are known */
	assert_int_equal(eval(NULL, "22: ALL\n", "10.0.0.1", &r), AD);
	assert_int_equal(eval_ports(NULL, "22: ALL\n", "10.0.0.1", p22, 1, &r), D);
	assert_int_equal(eval_ports(NULL, "2222: ALL\n", "10.0.0.1", p22, 1, &r), A);
	assert_int_equal(eval_ports(NULL, "22: ALL\n", "10.0.0.1", p22_2222, 2, &r), AD);
	/* the decidable ones against libwrap */
	both("sshd: ALL : severity auth.info : allow\n", "ALL: ALL\n", "10.0.0.1", A);
	both("sshd: ALL : severity nonsense : allow\n", NULL, "10.0.0.1", D);
	both("sshd: ALL : allow : deny\n", NULL, "10.0.0.1", D);
	both("sshd: ALL : umask 022\n", "ALL: ALL\n", "10.0.0.1", A);
	both("sshd: ALL : umask 1777\n", NULL, "10.0.0.1", D);
	both("sshd: ALL : keepalive 1\n", NULL, "10.0.0.1", D);
	both("sshd: ALL : bogus\n", NULL, "10.0.0.1", D);
	both("sshd: ALL : : allow\n", NULL, "10.0.0.1", D);
	/* an empty option field: "\n" is one, with no name: denied */
	both("sshd: ALL :\n", "ALL: ALL\n", "10.0.0.1", D);
	both("sshd: ALL : allow :\n", NULL, "10.0.0.1", D);
	both("sshd: ALL : allow\\: x\n", NULL, "10.0.0.1", D);
	both("sshd: ALL : setenv A=b c\n", NULL, "10.0.0.1", D);
	both("sshd: ALL : setenv CVM_T b : deny\n", NULL, "10.0.0.1", D);
	both("sshd: ALL : rfc931 0\n", NULL, "10.0.0.1", D);
	both("sshd: ALL : linger -1\n", NULL, "10.0.0.1", D);
	both("sshd: ALL : allow=\n", NULL, "10.0.0.1", A);
	both("sshd: ALL : severity \vinfo\n", NULL, "10.0.0.1", D);
}

static void
reading(void **state)
{
	struct cvm_tcpw_result r;
	char big[3000];

	(void)state;
	/* a last line without newline: hosts.deny answers "error": denied */
	both(NULL, "ftpd: ALL", "10.0.0.1", D);
	assert_int_equal(eval(NULL, "ftpd: ALL", "10.0.0.1", &r), D);
	assert_non_null(strstr(r.why[1], "newline"));
	/* in hosts.allow the error only ends that table */
	both("sshd: 10.0.0.2", NULL, "10.0.0.1", A);
	both("ftpd: ALL\nsshd: 10.0.0.1\n", "ALL: ALL", "10.0.0.1", A);
	both("ftpd: ALL\nsshd: 10.0.0.2\n", "ALL: ALL", "10.0.0.1", D);
	/* ...and a match before the bad line stands */
	both("sshd: 10.0.0.1\nftpd: ALL", "ALL: ALL\n", "10.0.0.1", A);
	/* continuation on the last line: no newline left */
	both(NULL, "sshd: 10.0.0.9 \\\n", "10.0.0.1", D);
	/* a line over 2047 bytes */
	memcpy(big, "ftpd: ", 6);
	memset(big + 6, ' ', 2100);
	strcpy(big + 2106, "ALL\n");
	both(NULL, big, "10.0.0.1", D);
	both(big, NULL, "10.0.0.1", A);
	/* CR LF */
	both(NULL, "sshd: 10.0.0.1\r\n", "10.0.0.1", D);
	/* a line with no ':' is skipped */
	both(NULL, "sshd ALL\n", "10.0.0.1", A);
	/* /file patterns, missing ones, nested ones */
	write_file(file_path, "10.0.0.0/8\n[2001:db8::]/32", 27);
	{
		char rule[200];

		snprintf(rule, sizeof(rule), "sshd: %s\n", file_path);
		both(NULL, rule, "10.0.0.1", D);
		both(NULL, rule, "2001:db8::1", D);
		both(NULL, rule, "192.0.2.1", A);
		snprintf(rule, sizeof(rule), "sshd: %s.missing\n", file_path);
		both(NULL, rule, "10.0.0.1", A);
		/* a file naming itself: libwrap would recurse without end */
		snprintf(rule, sizeof(rule), "%s", file_path);
		write_file(file_path, rule, strlen(rule));
		snprintf(rule, sizeof(rule), "sshd: %s\n", file_path);
		assert_int_equal(eval(NULL, rule, "10.0.0.1", &r), AD);
		/* ...a thousand times: a budget of reads, no explosion */
		{
			char *many = malloc(1000 * (strlen(file_path) + 1) + 1);
			size_t k = 0;

			assert_non_null(many);
			for (int i = 0; i < 1000; i++)
				k += (size_t)sprintf(many + k, "%s ", file_path);
			write_file(file_path, many, k);
			free(many);
			assert_int_equal(eval(NULL, rule, "10.0.0.1", &r), AD);
			assert_non_null(strstr(r.maybe_why, "too many"));
		}
	}
	/* NUL bytes: the chunk is cut there and the next line glued on */
	{
		static const char nul[] = "ftpd: \0junk\nsshd: 10.0.0.1\nsshd: ALL\n";
		struct cvm_tcpw w;
		struct cvm_tcpw_conn c = { "sshd", "10.0.0.1", NULL, 0 };

		write_file(deny_path, nul, sizeof(nul) - 1);
		unlink(allow_path);
		assert_int_equal(cvm_tcpw_load_mem(&w, &live_root, NULL, 0, nul,
		    sizeof(nul) - 1), 0);
		cvm_tcpw_eval(&w, &c, &r);
		cvm_tcpw_free(&w);
		assert_int_equal(hosts_ctl("sshd", STRING_UNKNOWN, "10.0.0.1",
		    STRING_UNKNOWN) != 0, r.set == A);
		c.addr = "10.0.0.2";
		assert_int_equal(cvm_tcpw_load_mem(&w, &live_root, NULL, 0, nul,
		    sizeof(nul) - 1), 0);
		cvm_tcpw_eval(&w, &c, &r);
		cvm_tcpw_free(&w);
		assert_int_equal(hosts_ctl("sshd", STRING_UNKNOWN, "10.0.0.2",
		    STRING_UNKNOWN) != 0, r.set == A);
	}
}

static int
collect(const char *addr, void *arg)
{
	int *seen = arg;

	if (strcmp(addr, "10.1.0.0") == 0)
		seen[0] = 1;
	if (strcmp(addr, "10.2.0.0") == 0)	/* one past 10.1.0.0/16 */
		seen[1] = 1;
	if (strcmp(addr, "2001:db9::") == 0)	/* one past 2001:db8::/32 */
		seen[2] = 1;
	return 0;
}

static void
witnesses_and_names(void **state)
{
	struct cvm_tcpw w;
	struct cvm_tcpw_loc loc;
	int seen[3] = { 0, 0, 0 };
	static const char al[] = "ftpd: ALL\nsshd: 10.1.0.0/16 [2001:db8::]/32\n";

	(void)state;
	assert_int_equal(cvm_tcpw_load_mem(&w, &live_root, al, strlen(al), NULL, 0), 0);
	cvm_tcpw_witnesses(&w, "sshd", collect, seen);
	assert_true(seen[0] && seen[1] && seen[2]);
	assert_int_equal(cvm_tcpw_names_daemon(&w, "sshd", &loc), 1);
	assert_int_equal(loc.line, 2);
	assert_int_equal(cvm_tcpw_names_daemon(&w, "telnetd", &loc), 0);
	cvm_tcpw_free(&w);
}

/* ---- ELF ------------------------------------------------------------------ */

static int
has(char **v, size_t n, const char *prefix)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(v[i], prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

/* What readelf -d says, in order. */
static void
elf_vs_readelf(const char *path)
{
	char cmd[300], line[512], **v;
	size_t n, k = 0;
	FILE *p;

	assert_int_equal(cvm_elf_needed_file(&live_root, path, &v, &n, NULL, 0), 0);
	snprintf(cmd, sizeof(cmd), "readelf -d '%s'", path);
	assert_non_null(p = popen(cmd, "r"));
	while (fgets(line, sizeof(line), p) != NULL) {
		char *s = strstr(line, "(NEEDED)"), *b, *e;

		if (s == NULL)
			continue;
		assert_non_null(b = strchr(s, '['));
		assert_non_null(e = strrchr(s, ']'));
		*e = '\0';
		assert_true(k < n);
		assert_string_equal(v[k], b + 1);
		k++;
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(k, n);
	cvm_elf_needed_free(v, n);
}

static void
elf_real(void **state)
{
	char **v;
	size_t n;

	(void)state;
	/* Debian 12's sshd links libwrap.so.0 */
	assert_int_equal(cvm_elf_needed_file(&live_root, "/usr/sbin/sshd", &v, &n,
	    NULL, 0), 0);
	assert_true(has(v, n, "libwrap.so."));
	assert_true(has(v, n, "libc.so."));
	cvm_elf_needed_free(v, n);
	elf_vs_readelf("/usr/sbin/sshd");
	/* and ls does not */
	assert_int_equal(cvm_elf_needed_file(&live_root, "/bin/ls", &v, &n, NULL, 0), 0);
	assert_false(has(v, n, "libwrap.so"));
	assert_true(has(v, n, "libc.so."));
	cvm_elf_needed_free(v, n);
	elf_vs_readelf("/bin/ls");
	elf_vs_readelf("/lib/x86_64-linux-gnu/libwrap.so.0");
	/* the fuzz seeds: 32/64-bit, both byte orders, as readelf reads them */
	elf_vs_readelf(TEST_SRCDIR "/../fuzz/corpus/elf/min32le.elf");
	elf_vs_readelf(TEST_SRCDIR "/../fuzz/corpus/elf/min32be.elf");
	elf_vs_readelf(TEST_SRCDIR "/../fuzz/corpus/elf/min64le.elf");
	elf_vs_readelf(TEST_SRCDIR "/../fuzz/corpus/elf/min64be.elf");
	/* not ELF, missing, a directory */
	assert_int_equal(cvm_elf_needed_file(&live_root, "/etc/passwd", &v, &n, NULL, 0), -1);
	assert_int_equal(cvm_elf_needed_file(&live_root, "/nonexistent", &v, &n, NULL, 0), -1);
	assert_int_equal(cvm_elf_needed_file(&live_root, "/etc", &v, &n, NULL, 0), -1);
}

/* A minimal ELF file of either class and byte order: one PT_LOAD, one
 * PT_DYNAMIC with two DT_NEEDED, DT_STRTAB, DT_STRSZ. */
static size_t
mkelf(unsigned char *b, int is64, int be)
{
	size_t w = is64 ? 8 : 4, eh = is64 ? 64 : 52, ph = is64 ? 56 : 32;
	size_t dyn = eh + 2 * ph, ndyn = 5, str = dyn + ndyn * 2 * w;
	static const char strs[] = "\0libwrap.so.0\0libc.so.6\0";
	uint64_t vbase = 0x400000;

#define PUT(off, val, width) do { uint64_t v_ = (val); \
	for (size_t i_ = 0; i_ < (width); i_++) \
		b[(off) + (be ? (width) - 1 - i_ : i_)] = (unsigned char)(v_ >> (8 * i_)); \
	} while (0)
	memset(b, 0, 1024);
	memcpy(b, "\177ELF", 4);
	b[4] = is64 ? 2 : 1;
	b[5] = be ? 2 : 1;
	b[6] = 1;
	PUT(16, 3, 2);			/* ET_DYN */
	PUT(is64 ? 32 : 28, eh, w);	/* e_phoff */
	PUT(is64 ? 54 : 42, ph, 2);	/* e_phentsize */
	PUT(is64 ? 56 : 44, 2, 2);	/* e_phnum */
	/* PT_LOAD covering the whole file at vbase */
	PUT(eh, 1, 4);
	if (is64) {
		PUT(eh + 8, 0, 8);
		PUT(eh + 16, vbase, 8);
		PUT(eh + 32, str + sizeof(strs), 8);
	} else {
		PUT(eh + 4, 0, 4);
		PUT(eh + 8, vbase, 4);
		PUT(eh + 16, str + sizeof(strs), 4);
	}
	/* PT_DYNAMIC */
	PUT(eh + ph, 2, 4);
	if (is64) {
		PUT(eh + ph + 8, dyn, 8);
		PUT(eh + ph + 32, ndyn * 2 * w, 8);
	} else {
		PUT(eh + ph + 4, dyn, 4);
		PUT(eh + ph + 16, ndyn * 2 * w, 4);
	}
	PUT(dyn + 0 * w, 1, w); PUT(dyn + 1 * w, 1, w);		/* NEEDED */
	PUT(dyn + 2 * w, 1, w); PUT(dyn + 3 * w, 14, w);	/* NEEDED */
	PUT(dyn + 4 * w, 5, w); PUT(dyn + 5 * w, vbase + str, w); /* STRTAB */
	PUT(dyn + 6 * w, 10, w); PUT(dyn + 7 * w, sizeof(strs), w); /* STRSZ */
	PUT(dyn + 8 * w, 0, w); PUT(dyn + 9 * w, 0, w);		/* NULL */
	memcpy(b + str, strs, sizeof(strs));
#undef PUT
	return str + sizeof(strs);
}

static void
elf_synthetic(void **state)
{
	unsigned char b[1024];
	char **v;
	size_t n, len;

	(void)state;
	for (int is64 = 0; is64 < 2; is64++)
		for (int be = 0; be < 2; be++) {
			len = mkelf(b, is64, be);
			assert_int_equal(cvm_elf_needed(b, len, &v, &n, NULL, 0), 0);
			assert_int_equal(n, 2);
			assert_string_equal(v[0], "libwrap.so.0");
			assert_string_equal(v[1], "libc.so.6");
			cvm_elf_needed_free(v, n);
			/* every truncation: an error or a subset, never a crash */
			for (size_t cut = 0; cut < len; cut++) {
				unsigned char *t = malloc(cut ? cut : 1);

				memcpy(t, b, cut);
				if (cvm_elf_needed(t, cut, &v, &n, NULL, 0) == 0)
					cvm_elf_needed_free(v, n);
				free(t);
			}
			/* a name offset past the string table */
			b[is64 ? 64 + 112 + 8 + (be ? 7 : 0) : 52 + 64 + 4 + (be ? 3 : 0)] = 200;
			assert_int_equal(cvm_elf_needed(b, len, &v, &n, NULL, 0), -1);
		}
}

static void
elf_corrupted(void **state)
{
	char *buf;
	size_t len;
	char **v;
	size_t n;
	unsigned char *t;

	(void)state;
	assert_int_equal(cvm_root_read(&live_root, "/usr/sbin/sshd", CVM_ELF_CAP,
	    &buf, &len), 0);
	assert_non_null(t = malloc(len));
	/* truncated at many lengths */
	for (size_t cut = 0; cut < len; cut += cut < 8192 ? 61 : 65521) {
		memcpy(t, buf, cut);
		if (cvm_elf_needed(t, cut, &v, &n, NULL, 0) == 0)
			cvm_elf_needed_free(v, n);
	}
	/* random bytes flipped in the headers and the dynamic section (and
	 * put back after each round) */
	memcpy(t, buf, len);
	for (int round = 0; round < 3000; round++) {
		size_t at[4];

		for (int k = 0; k < 4; k++) {
			at[k] = rnd(round % 2 ? 4096 : (unsigned)(len < 65536 ? len : 65536));
			t[at[k]] = (unsigned char)rnd(256);
		}
		if (cvm_elf_needed(t, len, &v, &n, NULL, 0) == 0)
			cvm_elf_needed_free(v, n);
		for (int k = 0; k < 4; k++)
			t[at[k]] = (unsigned char)buf[at[k]];
	}
	free(t);
	free(buf);
}

/* ---- the audit step on --root trees ------------------------------------ */

static void
tree_file(const char *root, const char *rel, const char *text)
{
	char p[512];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	if (text == NULL)
		unlink(p);
	else
		write_file(p, text, strlen(text));
}

static void
tree_copy(const char *root, const char *rel, const char *src)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s%s')\" && cp '%s' '%s%s'",
	    root, rel, src, root, rel);
	assert_int_equal(system(cmd), 0);
}

static const struct cvm_finding *
finding(const struct cvm_audit *a, const char *id)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->f[i].check->id, id) == 0)
			return &a->f[i];
	return NULL;
}

static const struct cvm_finding *
must_find(const struct cvm_audit *a, const char *id)
{
	const struct cvm_finding *f = finding(a, id);

	if (f == NULL) {
		print_error("no %s finding\n", id);
		fail();
		abort();
	}
	return f;
}

/* Runs the step on tree dir; returns the audit (free it). */
static void
run_audit(struct cvm_audit *a, const char *dir, const char *from,
    const char *version, const char *session)
{
	memset(a, 0, sizeof(*a));
	assert_int_equal(cvm_root_init(&a->root, dir), 0);
	a->from = from;
	a->sshd_version = version;
	a->sshd_bin = "/usr/sbin/sshd";
	a->sshd_session_bin = session;
	cvm_audit_tcpw(a);
	assert_int_equal(a->oom, 0);
}

static void
run_audit_cfg(struct cvm_audit *a, const char *dir, const char *from,
    const struct cvm_sshd *cfg)
{
	memset(a, 0, sizeof(*a));
	assert_int_equal(cvm_root_init(&a->root, dir), 0);
	a->from = from;
	a->sshd_version = "9.2";
	a->sshd_bin = "/usr/sbin/sshd";
	a->sshd = cfg;
	cvm_audit_tcpw(a);
	assert_int_equal(a->oom, 0);
}

static void
done_audit(struct cvm_audit *a)
{
	cvm_root_close(&a->root);
	cvm_audit_free(a);
}

/* Every TCPW-* finding recorded, each once, and nothing else. */
static void
one_of_each(const struct cvm_audit *a)
{
	static const char *const ids[] = { "TCPW-DENY", "TCPW-INDETERMINATE", "TCPW-INERT" };

	assert_int_equal(a->n, 3);
	for (size_t i = 0; i < 3; i++)
		assert_non_null(finding(a, ids[i]));
}

static void
audit_trees(void **state)
{
	char dir[128];
	struct cvm_audit a;
	const struct cvm_finding *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tree", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	tree_copy(dir, "/usr/sbin/sshd", "/usr/sbin/sshd");
	tree_copy(dir, "/etc/hosts.allow", "/dev/null");

	/* clean: Debian's stock files (comments only) */
	tree_file(dir, "/etc/hosts.allow", "# /etc/hosts.allow: list of hosts that are "
	    "allowed to access the system.\n#\n# Example:    ALL: LOCAL @some_netgroup\n"
	    "#             ALL: .foobar.edu EXCEPT terminalserver.foobar.edu\n");
	tree_file(dir, "/etc/hosts.deny", "# /etc/hosts.deny\n# Example:    ALL: "
	    "some.host.name, .some.domain\n#             ALL EXCEPT in.fingerd: "
	    "other.host.name, .other.domain\n#\n# ALL: PARANOID\n");
	run_audit(&a, dir, NULL, "9.2", NULL);
	one_of_each(&a);
	for (size_t i = 0; i < a.n; i++)
		assert_int_equal(a.f[i].sev, CVM_SEV_PASS);
	done_audit(&a);
	/* clean with rules: the admin's subnet allowed, the rest denied */
	tree_file(dir, "/etc/hosts.allow", "sshd: 192.0.2.0/24\n");
	tree_file(dir, "/etc/hosts.deny", "ALL: ALL\n");
	run_audit(&a, dir, NULL, "9.2", NULL);
	one_of_each(&a);
	assert_false(cvm_audit_has(&a, "TCPW-DENY", CVM_SEV_INFO));
	done_audit(&a);
	run_audit(&a, dir, "192.0.2.7", "9.2", NULL);
	assert_false(cvm_audit_has(&a, "TCPW-DENY", CVM_SEV_INFO));
	done_audit(&a);

	/* TCPW-DENY: the same rules, from outside the subnet */
	run_audit(&a, dir, "198.51.100.7", "9.2", NULL);
	one_of_each(&a);
	f = must_find(&a, "TCPW-DENY");
	assert_int_equal(f->sev, CVM_SEV_FAIL);
	assert_int_equal(f->blocks, CVM_M_ALL);
	assert_string_equal(f->file, "/etc/hosts.deny");
	assert_int_equal(f->line, 1);
	assert_non_null(f->fix);
	assert_false(cvm_audit_has(&a, "TCPW-INDETERMINATE", CVM_SEV_INFO));
	done_audit(&a);
	/* TCPW-DENY without --from: every address refused */
	tree_file(dir, "/etc/hosts.allow", "sshd: 192.0.2.0/24 EXCEPT 192.0.2.0/24\n");
	tree_file(dir, "/etc/hosts.deny", "# refuse all\nsshd: ALL\n");
	run_audit(&a, dir, NULL, "9.2", NULL);
	f = must_find(&a, "TCPW-DENY");
	assert_int_equal(f->sev, CVM_SEV_FAIL);
	assert_string_equal(f->file, "/etc/hosts.deny");
	assert_int_equal(f->line, 2);
	done_audit(&a);
	/* ...from a missing newline at the end of hosts.deny */
	tree_file(dir, "/etc/hosts.allow", NULL);
	tree_file(dir, "/etc/hosts.deny", "ftpd: ALL");
	run_audit(&a, dir, NULL, "9.2", NULL);
	f = must_find(&a, "TCPW-DENY");
	assert_int_equal(f->sev, CVM_SEV_FAIL);
	assert_non_null(strstr(f->fix, "newline"));
	done_audit(&a);

	/* TCPW-INDETERMINATE: a domain decides */
	tree_file(dir, "/etc/hosts.allow", "sshd: .example.com\n");
	tree_file(dir, "/etc/hosts.deny", "ALL: ALL\n");
	run_audit(&a, dir, "198.51.100.7", "9.2", NULL);
	one_of_each(&a);
	f = must_find(&a, "TCPW-INDETERMINATE");
	assert_int_equal(f->sev, CVM_SEV_INFO);
	assert_int_equal(f->blocks, 0);
	assert_string_equal(f->file, "/etc/hosts.allow");
	assert_int_equal(f->line, 1);
	assert_false(cvm_audit_has(&a, "TCPW-DENY", CVM_SEV_INFO));
	done_audit(&a);
	run_audit(&a, dir, NULL, "9.2", NULL);
	assert_true(cvm_audit_has(&a, "TCPW-INDETERMINATE", CVM_SEV_INFO));
	assert_false(cvm_audit_has(&a, "TCPW-DENY", CVM_SEV_INFO));
	done_audit(&a);

	/* TCPW-INERT: an sshd without libwrap (RHEL >= 8, Fedora) */
	tree_copy(dir, "/usr/sbin/sshd", "/bin/true");
	tree_file(dir, "/etc/hosts.allow", NULL);
	tree_file(dir, "/etc/hosts.deny", "\n# no\nsshd: ALL\n");
	run_audit(&a, dir, NULL, "9.2", NULL);
	one_of_each(&a);
	f = must_find(&a, "TCPW-INERT");
	assert_int_equal(f->sev, CVM_SEV_WARN);
	assert_int_equal(f->blocks, 0);
	assert_string_equal(f->file, "/etc/hosts.deny");
	assert_int_equal(f->line, 3);
	assert_false(cvm_audit_has(&a, "TCPW-DENY", CVM_SEV_INFO));
	done_audit(&a);
	/* >= 9.8: sshd-session does the check: libwrap there counts */
	tree_copy(dir, "/usr/lib/openssh/sshd-session", "/usr/sbin/sshd");
	run_audit(&a, dir, NULL, "9.8", "/usr/lib/openssh/sshd-session");
	assert_false(cvm_audit_has(&a, "TCPW-INERT", CVM_SEV_INFO));
	assert_true(cvm_audit_has(&a, "TCPW-DENY", CVM_SEV_FAIL));
	done_audit(&a);
	/* sshd's own config: a v4-only sshd is refused by a v4-wide rule,
	 * a port rule decides with the configured port */
	tree_copy(dir, "/usr/sbin/sshd", "/usr/sbin/sshd");
	tree_file(dir, "/etc/hosts.deny", "sshd: 0.0.0.0/0.0.0.0\n");
	run_audit(&a, dir, NULL, "9.2", NULL);
	assert_false(cvm_audit_has(&a, "TCPW-DENY", CVM_SEV_INFO));	/* v6 gets in */
	done_audit(&a);
	{
		struct cvm_sshd *cfg = NULL;
		char err[300], path[300];

		snprintf(path, sizeof(path), "%s/etc/ssh", dir);
		assert_int_equal(mkdir(path, 0755), 0);
		tree_file(dir, "/etc/ssh/sshd_config", "Port 2222\nListenAddress 0.0.0.0\n");
		if (cvm_sshd_load(dir, "/etc/ssh/sshd_config", NULL, &cfg, err, sizeof(err)) != 0)
			print_error("%s\n", err);
		assert_non_null(cfg);
		run_audit_cfg(&a, dir, NULL, cfg);
		f = must_find(&a, "TCPW-DENY");
		assert_int_equal(f->sev, CVM_SEV_FAIL);
		done_audit(&a);
		tree_file(dir, "/etc/hosts.deny", "2222: ALL\n");
		run_audit_cfg(&a, dir, NULL, cfg);
		assert_true(cvm_audit_has(&a, "TCPW-DENY", CVM_SEV_FAIL));
		done_audit(&a);
		tree_file(dir, "/etc/hosts.deny", "22: ALL\n");
		run_audit_cfg(&a, dir, NULL, cfg);
		assert_false(cvm_audit_has(&a, "TCPW-DENY", CVM_SEV_INFO));
		assert_false(cvm_audit_has(&a, "TCPW-INDETERMINATE", CVM_SEV_INFO));
		done_audit(&a);
		/* without the config the port is unknown */
		run_audit(&a, dir, NULL, "9.2", NULL);
		assert_true(cvm_audit_has(&a, "TCPW-INDETERMINATE", CVM_SEV_INFO));
		done_audit(&a);
		cvm_sshd_free(cfg);
	}

	/* more address patterns than the witness budget: no verdict for
	 * "every address" (a later one might be let in) */
	{
		char *big = malloc(600 * 24 + 64);
		size_t k = 0;

		assert_non_null(big);
		for (int i = 0; i < 600; i++)
			k += (size_t)sprintf(big + k, "sshd: 10.%d.%d.0/24\n", i / 250, i % 250);
		strcpy(big + k, "sshd: ALL\n");
		tree_file(dir, "/etc/hosts.deny", big);
		free(big);
		run_audit(&a, dir, NULL, "9.2", NULL);
		assert_false(cvm_audit_has(&a, "TCPW-DENY", CVM_SEV_INFO));
		assert_true(cvm_audit_has(&a, "TCPW-INDETERMINATE", CVM_SEV_INFO));
		done_audit(&a);
		run_audit(&a, dir, "10.0.0.1", "9.2", NULL);
		assert_true(cvm_audit_has(&a, "TCPW-DENY", CVM_SEV_FAIL));
		done_audit(&a);
	}

	/* rules for other daemons only: nothing to say */
	tree_file(dir, "/etc/hosts.deny", "in.telnetd: ALL\n");
	run_audit(&a, dir, NULL, "9.2", NULL);
	for (size_t i = 0; i < a.n; i++)
		assert_int_equal(a.f[i].sev, CVM_SEV_PASS);
	done_audit(&a);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cvm-tcpw.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(allow_path, sizeof(allow_path), "%s/hosts.allow", tmpdir);
	snprintf(deny_path, sizeof(deny_path), "%s/hosts.deny", tmpdir);
	snprintf(file_path, sizeof(file_path), "%s/patterns", tmpdir);
	hosts_allow_table = allow_path;
	hosts_deny_table = deny_path;
	return cvm_root_init(&live_root, "/");
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	cvm_root_close(&live_root);
	if (strncmp(tmpdir, "/tmp/cvm-tcpw.", 14) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(basics),
		cmocka_unit_test(undecidable),
		cmocka_unit_test(options_language),
		cmocka_unit_test(reading),
		cmocka_unit_test(witnesses_and_names),
		cmocka_unit_test(oracle_addresses),
		cmocka_unit_test(oracle_names),
		cmocka_unit_test(elf_real),
		cmocka_unit_test(elf_synthetic),
		cmocka_unit_test(elf_corrupted),
		cmocka_unit_test(audit_trees),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
