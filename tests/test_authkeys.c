/* lib/authkeys.c: authorized_keys lines as sshd reads them. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "authkeys.h"

#define KEYDIR TEST_SRCDIR "/data/keys"

static char *ed_line;		/* "ssh-ed25519 AAAA... test-ed25519" */
static char *ed_key;		/* "ssh-ed25519 AAAA..." */
static char *ed_b64;
static char *ed_fp;
static char *rsa_b64;
static char *cert_key;		/* "ssh-ed25519-cert-v01@openssh.com AAAA..." */

static void *
xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		abort();
	return p;
}

static char *
first_line(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[8192];

	if (f == NULL || fgets(buf, sizeof(buf), f) == NULL) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

static char *
field(const char *line, int n)
{
	const char *p = line;
	size_t l;

	while (n-- > 0) {
		p = strchr(p, ' ');
		if (p == NULL)
			return NULL;
		p++;
	}
	l = strcspn(p, " ");
	return strndup(p, l);
}

static int
setup(void **state)
{
	char *l, *p;

	(void)state;
	if ((ed_line = first_line(KEYDIR "/ed25519.pub")) == NULL ||
	    (ed_b64 = field(ed_line, 1)) == NULL)
		return -1;
	ed_key = xmalloc(strlen(ed_b64) + 20);
	sprintf(ed_key, "ssh-ed25519 %s", ed_b64);
	if ((l = first_line(KEYDIR "/rsa2048.pub")) == NULL)
		return -1;
	rsa_b64 = field(l, 1);
	free(l);
	if ((l = first_line(KEYDIR "/ed25519-cert.pub")) == NULL)
		return -1;
	cert_key = xmalloc(strlen(l) + 1);
	p = field(l, 1);
	sprintf(cert_key, "ssh-ed25519-cert-v01@openssh.com %s", p);
	free(p);
	free(l);
	/* expected.txt: "ed25519 256 SHA256:..." is the line after rsa/dsa/ecdsa */
	{
		FILE *f = fopen(KEYDIR "/expected.txt", "r");
		char buf[256], name[64], fp[64];
		unsigned bits;

		if (f == NULL)
			return -1;
		while (fgets(buf, sizeof(buf), f) != NULL)
			if (sscanf(buf, "%63s %u %63s", name, &bits, fp) == 3 &&
			    strcmp(name, "ed25519") == 0)
				ed_fp = strdup(fp);
		fclose(f);
	}
	return ed_fp == NULL || rsa_b64 == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(ed_line);
	free(ed_key);
	free(ed_b64);
	free(ed_fp);
	free(rsa_b64);
	free(cert_key);
	return 0;
}

/* "prefix" + ed25519 key + "suffix" */
static char *
with_key(const char *prefix, const char *suffix)
{
	char *s = xmalloc(strlen(prefix) + strlen(ed_key) + strlen(suffix) + 1);

	sprintf(s, "%s%s%s", prefix, ed_key, suffix);
	return s;
}

static int
parse(const char *s, struct cvm_akline *l, char *err, size_t errlen)
{
	return cvm_akline_parse(s, strlen(s), l, err, errlen);
}

/* The options in front of the ed25519 key must parse. */
static void
ok_opts(const char *opts, struct cvm_akline *l)
{
	char err[256] = "", *s = with_key(opts, " c");

	if (parse(s, l, err, sizeof(err)) != 0)
		fail_msg("[%s] refused: %s", s, err);
	assert_int_equal(l->has_key, 1);
	assert_string_equal(l->key.fp, ed_fp);
	assert_string_equal(l->comment, "c");
	free(s);
}

/* The options in front of the ed25519 key must be refused, with `want`. */
static void
bad_opts(const char *opts, const char *want)
{
	struct cvm_akline l;
	char err[256] = "", *s = with_key(opts, "");

	memset(&l, 0x5a, sizeof(l));
	if (parse(s, &l, err, sizeof(err)) != -1)
		fail_msg("[%s] accepted", s);
	assert_int_equal(l.has_key, 0);
	assert_null(l.key.blob);
	assert_null(l.command);
	assert_null(l.from);
	assert_null(l.comment);
	if (strstr(err, want) == NULL)
		fail_msg("[%s]: error \"%s\" does not contain \"%s\"", s, err, want);
	cvm_akline_free(&l);
	free(s);
}

static void
bad_line(const char *s, size_t len, const char *want)
{
	struct cvm_akline l;
	char err[256] = "";

	memset(&l, 0x5a, sizeof(l));
	if (cvm_akline_parse(s, len, &l, err, sizeof(err)) != -1)
		fail_msg("[%.*s] accepted", (int)(len > 80 ? 80 : len), s);
	assert_int_equal(l.has_key, 0);
	assert_null(l.key.blob);
	assert_null(l.comment);
	assert_int_equal(l.expiry, -1);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
	cvm_akline_free(&l);
}

/* ---- lines without a key ------------------------------------------------ */

static void
test_blank_and_comments(void **state)
{
	static const char *const lines[] = {
		"", " ", "\t", "  \t  ", "#", "# ssh-ed25519 AAAA", "   # indented",
		"\t#x", "\r", "  \r", "\n", "\r\n", "#\r",
	};
	struct cvm_akline l;
	char err[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		memset(&l, 0x5a, sizeof(l));
		strcpy(err, "untouched");
		if (parse(lines[i], &l, err, sizeof(err)) != 0)
			fail_msg("line %zu refused: %s", i, err);
		assert_int_equal(l.has_key, 0);
		assert_null(l.key.blob);
		assert_null(l.comment);
		assert_null(l.command);
		assert_int_equal(l.expiry, -1);
		cvm_akline_free(&l);
	}
	/* len 0 with a NULL-free pointer */
	assert_int_equal(cvm_akline_parse("ignored", 0, &l, err, sizeof(err)), 0);
	assert_int_equal(l.has_key, 0);
}

/* ---- plain keys ------------------------------------------------------------ */

static void
test_plain_key(void **state)
{
	struct cvm_akline l;
	char err[256];

	(void)state;
	assert_int_equal(parse(ed_line, &l, err, sizeof(err)), 0);
	assert_int_equal(l.has_key, 1);
	assert_int_equal(l.key.kt, CVM_KT_ED25519);
	assert_string_equal(l.key.type, "ssh-ed25519");
	assert_string_equal(l.key.fp, ed_fp);
	assert_string_equal(l.comment, "test-ed25519");
	assert_null(l.command);
	assert_null(l.from);
	assert_null(l.principals);
	assert_int_equal(l.cert_authority, 0);
	assert_int_equal(l.restrict_, 0);
	assert_int_equal(l.expiry, -1);
	cvm_akline_free(&l);
	assert_null(l.comment);
	assert_null(l.key.blob);
	cvm_akline_free(&l);	/* twice is fine */
}

static void
test_spacing_crlf_comment(void **state)
{
	struct cvm_akline l;
	char err[256], *s;

	(void)state;
	/* leading blanks, tabs between fields, CRLF, comment with spaces */
	s = xmalloc(strlen(ed_b64) + 64);
	sprintf(s, "  \tssh-ed25519\t \t%s \t my key  here \t\r\n", ed_b64);
	assert_int_equal(parse(s, &l, err, sizeof(err)), 0);
	assert_string_equal(l.key.fp, ed_fp);
	assert_string_equal(l.comment, "my key  here");
	cvm_akline_free(&l);
	/* no comment, CR */
	sprintf(s, "ssh-ed25519 %s\r", ed_b64);
	assert_int_equal(parse(s, &l, err, sizeof(err)), 0);
	assert_int_equal(l.has_key, 1);
	assert_null(l.comment);
	cvm_akline_free(&l);
	/* trailing blanks only */
	sprintf(s, "ssh-ed25519 %s  \t ", ed_b64);
	assert_int_equal(parse(s, &l, err, sizeof(err)), 0);
	assert_null(l.comment);
	cvm_akline_free(&l);
	/* non-UTF-8 comment bytes are kept as they are */
	sprintf(s, "ssh-ed25519 %s caf\xe9 \xff\xfe\x01x", ed_b64);
	assert_int_equal(parse(s, &l, err, sizeof(err)), 0);
	assert_string_equal(l.comment, "caf\xe9 \xff\xfe\x01x");
	cvm_akline_free(&l);
	/* sshd's base64 reader skips a CR (or \v \f) inside the key data */
	sprintf(s, "ssh-ed25519 %.20s\r\v%s x", ed_b64, ed_b64 + 20);
	assert_int_equal(parse(s, &l, err, sizeof(err)), 0);
	assert_string_equal(l.key.fp, ed_fp);
	cvm_akline_free(&l);
	free(s);
}

static void
test_key_types_and_certs(void **state)
{
	struct cvm_akline l;
	char err[256], *s;

	(void)state;
	s = xmalloc(strlen(rsa_b64) + 64);
	/* sshd reads rsa-sha2-* at the start of a line as ssh-rsa */
	sprintf(s, "rsa-sha2-512 %s", rsa_b64);
	assert_int_equal(parse(s, &l, err, sizeof(err)), 0);
	assert_int_equal(l.key.kt, CVM_KT_RSA);
	assert_int_equal(l.key.bits, 2048);
	assert_string_equal(l.key.type, "ssh-rsa");
	cvm_akline_free(&l);
	/* the type word must name the blob's type */
	sprintf(s, "ssh-ed25519 %s comment", rsa_b64);
	bad_line(s, strlen(s), "type in blob (ssh-rsa) differs from line (ssh-ed25519)");
	sprintf(s, "ssh-rsa %s", ed_b64);
	bad_line(s, strlen(s), "type in blob (ssh-ed25519) differs from line (ssh-rsa)");
	free(s);
	/* certificates parse, as certificates */
	assert_int_equal(parse(cert_key, &l, err, sizeof(err)), 0);
	assert_int_equal(l.key.kt, CVM_KT_CERT);
	assert_string_equal(l.key.fp, ed_fp);
	cvm_akline_free(&l);
	/* cert-authority on a plain key */
	s = with_key("cert-authority,principals=\"alice,bob\" ", " ca");
	assert_int_equal(parse(s, &l, err, sizeof(err)), 0);
	assert_int_equal(l.cert_authority, 1);
	assert_string_equal(l.principals, "alice,bob");
	assert_int_equal(l.key.kt, CVM_KT_ED25519);
	cvm_akline_free(&l);
	free(s);
}

static void
test_bad_keys(void **state)
{
	char *s;

	(void)state;
	s = xmalloc(strlen(ed_b64) + 64);
	bad_line("ssh-ed25519", 11, "no key data after ssh-ed25519");
	bad_line("ssh-ed25519   ", 14, "no key data after ssh-ed25519");
	bad_line("ssh-ed25519 AAAA!!!!", 20, "bad base64: invalid character 0x21");
	/* unpadded base64: sshd's decoder requires the padding */
	{
		char *ec = first_line(KEYDIR "/ecdsa256.pub");	/* 104 bytes: one '=' */
		struct cvm_akline l;
		char err[256];
		size_t n;

		assert_non_null(ec);
		n = strcspn(ec, " ") + 1 + strcspn(ec + strcspn(ec, " ") + 1, " ");
		assert_int_equal(ec[n - 1], '=');
		assert_int_equal(cvm_akline_parse(ec, n, &l, err, sizeof(err)), 0);
		assert_int_equal(l.key.kt, CVM_KT_ECDSA);
		cvm_akline_free(&l);
		bad_line(ec, n - 1, "not a multiple of 4");
		free(ec);
	}
	/* truncated base64 (whole quanta) */
	sprintf(s, "ssh-ed25519 %.40s x", ed_b64);
	bad_line(s, strlen(s), "truncated");
	/* an unknown type word with no options in front */
	sprintf(s, "ssh-foo %s x", ed_b64);
	bad_line(s, strlen(s), "\"ssh-foo\" is not a key type");
	/* the line's type words are case-sensitive */
	sprintf(s, "SSH-ED25519 %s x", ed_b64);
	bad_line(s, strlen(s), "\"SSH-ED25519\" is not a key type");
	/* a vertical tab is not leading whitespace for sshd */
	sprintf(s, "\vssh-ed25519 %s x", ed_b64);
	bad_line(s, strlen(s), "is not a key type");
	/* NUL bytes inside the given length */
	sprintf(s, "ssh-ed25519 %s x", ed_b64);
	s[5] = '\0';
	bad_line(s, strlen(ed_b64) + 14, "NUL byte in line");
	bad_line("\0", 1, "NUL byte in line");
	bad_line("# comment\0", 10, "NUL byte in line");
	free(s);
}

/* ---- options ------------------------------------------------------------------ */

static void
test_options_extracted(void **state)
{
	struct cvm_akline l;

	(void)state;
	ok_opts("restrict,command=\"echo \\\"hi\\\", there\",from=\"10.0.0.0/8,!10.1.*\","
	    "principals=\"a,b\",expiry-time=\"20300101Z\",cert-authority ", &l);
	assert_int_equal(l.restrict_, 1);
	assert_int_equal(l.cert_authority, 1);
	assert_string_equal(l.command, "echo \"hi\", there");
	assert_string_equal(l.from, "10.0.0.0/8,!10.1.*");
	assert_string_equal(l.principals, "a,b");
	assert_int_equal(l.expiry, 1893456000);
	cvm_akline_free(&l);
	assert_null(l.command);
	assert_int_equal(l.expiry, -1);

	/* names are case-insensitive; values keep spaces, tabs and commas */
	ok_opts("NO-PTY,Command=\"a b\tc, d\",FROM=\"*\" ", &l);
	assert_string_equal(l.command, "a b\tc, d");
	assert_string_equal(l.from, "*");
	cvm_akline_free(&l);

	/* an empty command is still a forced command */
	ok_opts("command=\"\" ", &l);
	assert_non_null(l.command);
	assert_string_equal(l.command, "");
	cvm_akline_free(&l);

	/* a backslash not before a quote is literal */
	ok_opts("command=\"a\\b\\\\c\" ", &l);
	assert_string_equal(l.command, "a\\b\\\\c");
	cvm_akline_free(&l);
	/* \\" : the backslash stays, the quote is escaped */
	ok_opts("command=\"x\\\\\" y\" ", &l);
	assert_string_equal(l.command, "x\\\" y");
	cvm_akline_free(&l);

	/* the earliest expiry-time wins */
	ok_opts("expiry-time=\"20300101Z\",expiry-time=\"202001010000Z\","
	    "expiry-time=\"20400101Z\" ", &l);
	assert_int_equal(l.expiry, 1577836800);
	cvm_akline_free(&l);

	/* options end at a tab as well */
	ok_opts("no-pty,restrict\t", &l);
	assert_int_equal(l.restrict_, 1);
	cvm_akline_free(&l);
}

static void
test_options_all_known(void **state)
{
	static const char *const good[] = {
		"agent-forwarding", "no-agent-forwarding", "cert-authority",
		"command=\"x\"", "environment=\"FOO=bar\"", "environment=\"_A1=\"",
		"expiry-time=\"20991231\"", "from=\"1.2.3.4\"", "no-port-forwarding",
		"no-pty", "no-user-rc", "no-X11-forwarding", "x11-forwarding",
		"permitlisten=\"8080\"", "permitlisten=\"localhost:8080\"",
		"permitlisten=\"*:*\"", "permitopen=\"host:22\"", "permitopen=\"[::1]:*\"",
		"permitopen=\"192.0.2.1:65535\"", "permitopen=\":22\"",
		"permitopen=\"h/22\"", "port-forwarding", "principals=\"a\"", "pty",
		"restrict", "tunnel=\"0\"", "tunnel=\"ANY\"", "tunnel=\"2147483645\"",
		"user-rc", "X11-Forwarding", "no-touch-required", "touch-required",
		"verify-required", "no-verify-required",
		/* sshd skips empty items and allows a comma before the key */
		",no-pty", "no-pty,,pty", "no-pty,",
		/* duplicates sshd accepts: flags, environment (first wins),
		 * permitopen (all kept), expiry-time (earliest wins) */
		"no-pty,no-pty", "environment=\"A=1\",environment=\"A=2\"",
		"permitopen=\"a:1\",permitopen=\"b:2\"", "restrict,restrict",
		"cert-authority,cert-authority", "tunnel=\"1\",tunnel=\"2\"",
	};
	struct cvm_akline l;
	char opts[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(opts, sizeof(opts), "%s ", good[i]);
		ok_opts(opts, &l);
		cvm_akline_free(&l);
	}
}

static void
test_options_refused(void **state)
{
	(void)state;
	bad_opts("foo ", "unknown option \"foo\"");
	bad_opts("no-pty,foo=\"x\" ", "unknown option \"foo\"");
	bad_opts("restrictx ", "unknown option \"restrictx\"");
	bad_opts("no-restrict ", "unknown option \"no-restrict\"");
	bad_opts("no-cert-authority ", "unknown option");
	bad_opts("pty=\"x\" ", "unknown option \"pty\"");
	bad_opts("command ", "unknown option \"command\"");
	bad_opts("command=x ", "option command: missing start quote");
	bad_opts("command=\"x\"y ", "unknown option");
	bad_opts("command=\"x ", "unterminated quote");
	bad_opts("command=\"x\\\" ", "unterminated quote");
	bad_opts("command=\"a b\" no-pty ", "unknown key type \"no-pty\"");
	bad_opts("command=\"a\",command=\"b\" ", "multiple \"command\" options");
	bad_opts("from=\"a\",from=\"b\" ", "multiple \"from\" options");
	bad_opts("principals=\"a\",principals=\"b\" ", "multiple \"principals\" options");
	bad_opts("expiry-time=\"20231301\" ", "invalid expiry-time \"20231301\"");
	bad_opts("expiry-time=\"19700101Z\" ", "invalid expiry-time");
	bad_opts("expiry-time=\"tomorrow\" ", "invalid expiry-time");
	bad_opts("environment=\"FOO\" ", "invalid environment string");
	bad_opts("environment=\"1 X=y\" ", "invalid environment string");
	bad_opts("environment=\"=y\" ", "invalid environment string");
	bad_opts("permitopen=\"host\" ", "invalid permission port");
	bad_opts("permitopen=\"host:0\" ", "invalid permission port");
	bad_opts("permitopen=\"host:65536\" ", "invalid permission port");
	bad_opts("permitopen=\"host:no-such-service-xyz\" ", "invalid permission port");
	bad_opts("permitopen=\"[::1\" ", "invalid permission hostname");
	bad_opts("permitopen=\"[::1]x:22\" ", "invalid permission hostname");
	bad_opts("permitlisten=\"0\" ", "invalid permission port");
	bad_opts("tunnel=\"x\" ", "invalid tun device");
	bad_opts("tunnel=\"2147483646\" ", "invalid tun device");
	bad_opts("\"quoted\" ", "unknown option");
	bad_opts("no-pty\"x y\" ", "unknown option");
	bad_opts("=x ", "unknown option \"=\"");
}

static void
test_options_without_key(void **state)
{
	(void)state;
	bad_line("no-pty", 6, "no key after the options");
	bad_line("no-pty   ", 9, "no key after the options");
	bad_line("no-pty,", 7, "options end with a comma");
	bad_line("no-pty ssh-ed25519", 18, "no key data after ssh-ed25519");
	bad_line("no-pty AAAAC3NzaC1lZDI1NTE5", 27, "unknown key type \"AAAAC3NzaC1lZDI1NTE5\"");
	bad_line("command=\"unterminated", 21, "unterminated quote");
	bad_line("ssh-foo AAAA", 12, "\"ssh-foo\" is not a key type");
}

static void
test_long_lines(void **state)
{
	size_t big = 1 << 20, n, i;
	char *s = xmalloc(big + 4096), err[256];
	struct cvm_akline l;

	(void)state;
	/* 1 MiB of key data */
	n = (size_t)sprintf(s, "ssh-ed25519 ");
	memset(s + n, 'A', big);
	n += big;
	bad_line(s, n, "key blob too large");
	/* 1 MiB of one unknown option */
	memset(s, 'x', big);
	bad_line(s, big, "is not a key type");
	/* 1 MiB of commas */
	memset(s, ',', big);
	bad_line(s, big, "options end with a comma");
	/* 1 MiB of quote characters (even count: balanced) */
	memset(s, '"', big);
	bad_line(s, big, "unknown option");
	/* a 1 MiB forced command in front of a good key */
	n = (size_t)sprintf(s, "command=\"");
	memset(s + n, 'c', big);
	n += big;
	n += (size_t)sprintf(s + n, "\" %s", ed_key);
	assert_int_equal(cvm_akline_parse(s, n, &l, err, sizeof(err)), 0);
	assert_int_equal(strlen(l.command), big);
	assert_string_equal(l.key.fp, ed_fp);
	cvm_akline_free(&l);
	/* a 1 MiB comment */
	n = (size_t)sprintf(s, "%s ", ed_key);
	for (i = 0; i < big; i++)
		s[n + i] = (char)('a' + i % 26);
	n += big;
	assert_int_equal(cvm_akline_parse(s, n, &l, err, sizeof(err)), 0);
	assert_int_equal(strlen(l.comment), big);
	cvm_akline_free(&l);
	/* sshd allows 1025 environment names, refuses the 1026th */
	n = 0;
	for (i = 0; i < 1026; i++)
		n += (size_t)sprintf(s + n, "environment=\"V%zu=x\",", i);
	n += (size_t)sprintf(s + n, " %s", ed_key);
	bad_line(s, n, "too many environment options");
	n = 0;
	for (i = 0; i < 1025; i++)
		n += (size_t)sprintf(s + n, "environment=\"V%zu=x\",", i);
	n += (size_t)sprintf(s + n, " %s", ed_key);
	assert_int_equal(cvm_akline_parse(s, n, &l, err, sizeof(err)), 0);
	cvm_akline_free(&l);
	free(s);
}

/* ---- expiry-time ---------------------------------------------------------------- */

static void
test_parse_expiry(void **state)
{
	static const struct { const char *s; int64_t t; } good[] = {
		{ "20300101Z", 1893456000 },
		{ "20300101z", 1893456000 },
		{ "20300101UTC", 1893456000 },
		{ "20300101utc", 1893456000 },
		{ "203001011230Z", 1893456000 + 12 * 3600 + 30 * 60 },
		{ "20300101123045Z", 1893456000 + 12 * 3600 + 30 * 60 + 45 },
		{ "20240229Z", 1709164800 },
		{ "20000229Z", 951782400 },
		{ "19700101000001Z", 1 },
		{ "19700101Z", 0 },
		{ "99991231235959Z", 253402300799LL },
	};
	static const char *const bad[] = {
		"", "Z", "UTC", "2030010", "2030010Z", "203001011", "2030010112",
		"2030010112301", "203001011230456", "2023010a", "2023-1-01",
		"20230229Z", "21000229Z", "20231301", "20230001", "20230100",
		"20230431", "202301012400", "202301011260", "20230101235960",
		"19691231Z", "+2030101", " 20300101", "20300101 ", "20300101ZZ",
		"20300101GMT", "２０３００１０１",
	};
	int64_t t;
	size_t i;
	char *tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		t = -5;
		if (cvm_parse_expiry(good[i].s, &t) != 0)
			fail_msg("%s refused", good[i].s);
		if (t != good[i].t)
			fail_msg("%s: %lld, want %lld", good[i].s, (long long)t,
			    (long long)good[i].t);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cvm_parse_expiry(bad[i], &t) != -1)
			fail_msg("%s accepted", bad[i]);
	assert_int_equal(cvm_parse_expiry(NULL, &t), -1);

	/* Local time without Z. */
	setenv("TZ", "UTC0", 1);
	tzset();
	assert_int_equal(cvm_parse_expiry("20300101", &t), 0);
	assert_int_equal(t, 1893456000);
	setenv("TZ", "JST-9", 1);
	tzset();
	assert_int_equal(cvm_parse_expiry("203001010900", &t), 0);
	assert_int_equal(t, 1893456000);
	/* sshd leaves tm_isdst 0: a summer date is read as standard time
	 * (EST, -5h), not as EDT. */
	setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
	tzset();
	assert_int_equal(cvm_parse_expiry("20240701", &t), 0);
	assert_int_equal(t, 1719792000 + 5 * 3600);
	assert_int_equal(cvm_parse_expiry("20240101", &t), 0);
	assert_int_equal(t, 1704067200 + 5 * 3600);
	if (tz != NULL) {
		setenv("TZ", tz, 1);
		free(tz);
	} else
		unsetenv("TZ");
	tzset();
}

static void
test_null_args(void **state)
{
	struct cvm_akline l;
	char err[64];

	(void)state;
	assert_int_equal(cvm_akline_parse(NULL, 5, &l, err, sizeof(err)), -1);
	assert_int_equal(l.has_key, 0);
	assert_int_equal(cvm_akline_parse("x", 1, NULL, err, sizeof(err)), -1);
	/* no error buffer */
	assert_int_equal(cvm_akline_parse("foo ssh-ed25519 AAAA", 20, &l, NULL, 0), -1);
	cvm_akline_free(&l);
	cvm_akline_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blank_and_comments),
		cmocka_unit_test(test_plain_key),
		cmocka_unit_test(test_spacing_crlf_comment),
		cmocka_unit_test(test_key_types_and_certs),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_options_extracted),
		cmocka_unit_test(test_options_all_known),
		cmocka_unit_test(test_options_refused),
		cmocka_unit_test(test_options_without_key),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_parse_expiry),
		cmocka_unit_test(test_null_args),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
