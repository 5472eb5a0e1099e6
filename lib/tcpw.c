/* hosts.allow / hosts.deny evaluated as Debian's libwrap 7.6.q-32 does
 * (tcpd.h, hosts_access.c, misc.c, options.c with the Debian patches
 * 10_usagi-ipv6, 11_usagi_fix, 14_cidr_support, 05_wildcard_matching,
 * aclexec; built with -DPROCESS_OPTIONS -DACLEXEC -DNETGROUP -DINET6).
 * What it does, as read from that source:
 *
 *  - a table is read with xgets(): fgets() chunks of the 2048-byte line
 *    buffer, "\\\n" joins lines, a chunk holding a NUL byte is cut there
 *    and the next line is glued on; a logical line that does not end in
 *    '\n' (too long, or the last line without newline) stops the table
 *    with an error: in hosts.deny that is a denial;
 *  - '#' only in column 1 starts a comment; a line without ':' is
 *    skipped; fields split at ':' outside [brackets];
 *  - lists split at ", \t\r\n"; "a b EXCEPT c EXCEPT d" = (a|b) & !(c & !d);
 *  - daemon tokens: a number <= 65535 (sscanf "%u%c") is the local port,
 *    else the daemon name; "daemon@host" also matches the server address;
 *  - client tokens: "user@host" (ident lookup), "@netgroup", "/file" (each
 *    whitespace-separated word a pattern), KNOWN, LOCAL, "net/mask"
 *    (dotted-quad mask, or /bits 1..32, or "[v6]/bits"), then a string
 *    match against the address, and against the host name unless the
 *    token is only digits, dots and slashes;
 *  - string match: a "::ffff:a.b.c.d" string is compared as "a.b.c.d";
 *    '*'/'?' wildcards (case-insensitive), ".suffix", ALL, KNOWN,
 *    "prefix.", "[v6]" (address compare), else case-insensitive equality;
 *  - the third field is the options language: allow/deny (last), twist
 *    (replaces sshd: no login), aclexec (a command's status), a bad
 *    option, value or place ends in a denial (tcpd_jump); spawn, banners,
 *    keepalive, linger, umask, nice, setenv, severity, rfc931 only act.
 *
 * Three-valued throughout: whatever needs DNS, NIS, ident, the server's
 * address or port, or a command is "maybe"; the final answer is the set of
 * verdicts reachable when each maybe goes either way. */
#include "config.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include "tcpw.h"

#define TBL_CAP		(1024 * 1024)	/* a rule table or /file */
#define LINE_BUF	2048		/* libwrap's BUFLEN */
#define WORD_MAX	8191		/* fscanf("%s") into char[BUFSIZ] */
#define FILE_DEPTH	8		/* /file inside /file */
#define FILE_READS	64		/* /file reads per evaluation */
#define MAX_WITNESSES	512

enum tri { NO = 0, YES = 1, MAYBE = 2 };

static enum tri
tri_and(enum tri a, enum tri b)
{
	if (a == NO || b == NO)
		return NO;
	return a == YES && b == YES ? YES : MAYBE;
}

static enum tri
tri_or(enum tri a, enum tri b)
{
	if (a == YES || b == YES)
		return YES;
	return a == NO && b == NO ? NO : MAYBE;
}

static enum tri
tri_not(enum tri a)
{
	return a == MAYBE ? MAYBE : a == YES ? NO : YES;
}

struct ev {
	const struct cvm_tcpw *w;
	const struct cvm_tcpw_conn *c;
	char why[160];		/* first "maybe" of the current rule */
	int depth;
	int reads;		/* /file reads so far (a budget: files
				   naming each other would explode) */
};

static void note(struct ev *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct ev *e, const char *fmt, ...)
{
	va_list ap;

	if (e->why[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
}

/* ---- libwrap's string helpers ------------------------------------------ */

/* split_at(): cut at the first delimiter outside [brackets]. */
static char *
split_at(char *s, int delim)
{
	int bracket = 0;

	for (; *s; s++) {
		if (*s == '[')
			bracket++;
		else if (*s == ']')
			bracket--;
		else if (bracket == 0 && *s == delim) {
			*s++ = '\0';
			return s;
		}
	}
	return NULL;
}

/* dot_quad_addr(): exactly four runs of non-dots, then inet_addr(). */
static in_addr_t
dot_quad(const char *s)
{
	int runs = 0, in_run = 0;

	for (const char *p = s; *p; p++) {
		if (*p == '.')
			in_run = 0;
		else if (!in_run) {
			in_run = 1;
			runs++;
		}
	}
	return runs == 4 ? inet_addr(s) : INADDR_NONE;
}

/* glibc's atoi. */
static int
c_atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

/* cidr_mask_addr(): 1..32 bits, else 0. */
static in_addr_t
cidr_mask(const char *s)
{
	int bits = c_atoi(s);

	if (bits < 1 || bits > 32)
		return 0;
	return htonl(0xFFFFFFFFu << (32 - bits));
}

static int
v6_parse(const char *s, struct in6_addr *a)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET6;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
	if (getaddrinfo(s, NULL, &hints, &res) != 0)
		return -1;
	memcpy(a, &((struct sockaddr_in6 *)(void *)res->ai_addr)->sin6_addr,
	    sizeof(*a));
	freeaddrinfo(res);
	return 0;
}

/* "[v6]" (without the brackets) into a; -1 if tok is not that. */
static int
v6_bracketed(const char *tok, struct in6_addr *a)
{
	size_t len = strlen(tok);
	char buf[256];

	if (len < 2 || tok[0] != '[' || tok[len - 1] != ']' || len - 2 >= sizeof(buf))
		return -1;
	memcpy(buf, tok + 1, len - 2);
	buf[len - 2] = '\0';
	return v6_parse(buf, a);
}

/* match_pattern_ylo(): '*' and '?', case-insensitive. */
static int
glob_match(const char *s, const char *p)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*p == '*') {
			star = ++p;
			resume = s;
		} else if (*p != '\0' && (*p == '?' ||
		    toupper((unsigned char)*p) == toupper((unsigned char)*s))) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star;
			s = ++resume;
		} else
			return 0;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* A mapped "::ffff:a.b.c.d" string is compared as "a.b.c.d". */
static const char *
unmap(const char *s)
{
	if (strncasecmp(s, "::ffff:", 7) == 0 && dot_quad(s + 7) != INADDR_NONE)
		return s + 7;
	return s;
}

/* string_match() against a known string. */
static int
string_match(const char *tok, const char *s)
{
	size_t tl = strlen(tok), sl;
	struct in6_addr pa, sa;

	s = unmap(s);
	sl = strlen(s);
	if (tl == 0)		/* libwrap reads tok[-1]: a NUL there */
		return 0;
	if (strchr(tok, '*') || strchr(tok, '?'))
		return glob_match(s, tok);
	if (tok[0] == '.')
		return sl > tl && strcasecmp(tok, s + (sl - tl)) == 0;
	if (strcasecmp(tok, "ALL") == 0)
		return 1;
	if (strcasecmp(tok, "KNOWN") == 0)
		return strcasecmp(s, "unknown") != 0;
	if (tok[tl - 1] == '.')
		return strncasecmp(tok, s, tl) == 0;
	if (tok[0] == '[' && tok[tl - 1] == ']') {
		if (v6_bracketed(tok, &pa) != 0 || v6_parse(s, &sa) != 0)
			return 0;
		return memcmp(&pa, &sa, sizeof(pa)) == 0;
	}
	return strcasecmp(tok, s) == 0;
}

/* string_match() against something only known at connection time (a
 * host name, an ident user, the server address): only ALL is certain. */
static enum tri
string_match_unknown(struct ev *e, const char *tok, const char *what)
{
	if (strcasecmp(tok, "ALL") == 0)
		return YES;
	note(e, "\"%s\" needs the %s", tok, what);
	return MAYBE;
}

/* NOT_INADDR(): more than digits, dots and slashes. */
static int
not_inaddr(const char *s)
{
	return s[strspn(s, "01234567890./")] != '\0';
}

/* Could a host name (a checked DNS name, "unknown" or "paranoid") match
 * this token in string_match()?  Only the "[v6]" form cannot: a name is
 * not a numeric IPv6 address. */
static int
name_could_match(const char *tok)
{
	size_t tl = strlen(tok);

	if (tl == 0 || strchr(tok, '*') || strchr(tok, '?') || tok[0] == '.')
		return tl != 0;
	if (strcasecmp(tok, "ALL") == 0 || strcasecmp(tok, "KNOWN") == 0 ||
	    tok[tl - 1] == '.')
		return 1;
	return !(tok[0] == '[' && tok[tl - 1] == ']');
}

/* ---- masks -------------------------------------------------------------- */

static int
masked4(const char *net_tok, const char *mask_tok, const char *s)
{
	in_addr_t addr, net, mask;

	if ((addr = dot_quad(s)) == INADDR_NONE)
		return 0;
	if ((net = dot_quad(net_tok)) == INADDR_NONE)
		return 0;
	if ((mask = dot_quad(mask_tok)) == INADDR_NONE &&
	    (mask = cidr_mask(mask_tok)) == 0)
		return 0;
	return (addr & mask) == net;
}

static int
masked6(const char *net_tok, const char *mask_tok, const char *s)
{
	struct in6_addr addr, net;
	int bits;

	if (strncasecmp(s, "::ffff:", 7) == 0 && dot_quad(s + 7) != INADDR_NONE)
		return masked4(net_tok, mask_tok, s + 7);
	if (v6_parse(s, &addr) != 0 || v6_bracketed(net_tok, &net) != 0)
		return 0;
	if ((bits = c_atoi(mask_tok)) < 0 || bits > 128)
		return 0;
	for (int i = 0; i < 16 && bits > 0; i++, bits -= 8) {
		unsigned m = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;

		if ((addr.s6_addr[i] & m) != (net.s6_addr[i] & m))
			return 0;
	}
	return 1;
}

/* ---- host patterns ------------------------------------------------------ */

static enum tri host_match(struct ev *e, char *tok, const char *addr);

/* A /file pattern: every whitespace-separated word is a host pattern. */
static enum tri
hostfile_match(struct ev *e, const char *path, const char *addr)
{
	char *buf = NULL, *p, *end, word[WORD_MAX + 1];
	size_t len;
	enum tri r = NO;

	if (e->depth >= FILE_DEPTH || e->reads >= FILE_READS) {
		note(e, "%s: /file patterns nested too deep or too many", path);
		return MAYBE;
	}
	e->reads++;
	if (cvm_root_read(e->w->root, path, TBL_CAP, &buf, &len) != 0) {
		/* libwrap: a missing file matches nothing, nor does a
		 * directory (fopen succeeds, fscanf reads nothing) */
		if (errno == ENOENT || errno == EISDIR)
			return NO;
		note(e, "%s: %s", path, strerror(errno));
		return MAYBE;
	}
	e->depth++;
	for (p = buf, end = buf + len; p < end && r != YES; ) {
		size_t n;

		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end)
			break;
		for (n = 0; p + n < end && !isspace((unsigned char)p[n]); n++)
			;
		if (n > WORD_MAX) {	/* overflows libwrap's buffer */
			note(e, "%s: a word longer than %d bytes", path, WORD_MAX);
			r = tri_or(r, MAYBE);
			break;
		}
		memcpy(word, p, n);
		word[n] = '\0';		/* a NUL inside cuts it, as in C */
		p += n;
		r = tri_or(r, host_match(e, word, addr));
	}
	e->depth--;
	free(buf);
	return r;
}

/* host_match(); addr NULL: the server's address (unknown here). */
static enum tri
host_match(struct ev *e, char *tok, const char *addr)
{
	char *mask;
	enum tri r;

	if (tok[0] == '@') {
		note(e, "\"%s\" needs NIS netgroups", tok);
		return MAYBE;
	}
	if (tok[0] == '/')
		return hostfile_match(e, tok, addr);
	if (strcasecmp(tok, "KNOWN") == 0 || strcasecmp(tok, "LOCAL") == 0) {
		note(e, "\"%s\" needs the client's host name", tok);
		return MAYBE;
	}
	if ((mask = split_at(tok, '/')) != NULL) {
		if (addr == NULL) {
			note(e, "\"%s/%s\" needs the server address", tok, mask);
			return MAYBE;
		}
		return masked4(tok, mask, addr) || masked6(tok, mask, addr) ? YES : NO;
	}
	if (addr == NULL)
		r = string_match_unknown(e, tok, "server address");
	else
		r = string_match(tok, addr) ? YES : NO;
	if (r != YES && not_inaddr(tok) && name_could_match(tok)) {
		note(e, "\"%s\" needs the %s host name", tok,
		    addr == NULL ? "server's" : "client's");
		r = MAYBE;
	}
	return r;
}

/* ---- daemon and client lists --------------------------------------------- */

static enum tri
daemon_or_port(struct ev *e, const char *tok)
{
	unsigned port, hits = 0;
	char junk;

	if (sscanf(tok, "%u%c", &port, &junk) != 1 || port > 65535)
		return string_match(tok, e->c->daemon) ? YES : NO;
	if (e->c->nports == 0) {
		note(e, "port pattern \"%s\" needs the local port", tok);
		return MAYBE;
	}
	for (size_t i = 0; i < e->c->nports; i++)
		hits += e->c->ports[i] == port;
	if (hits == 0)
		return NO;
	if (hits == e->c->nports)
		return YES;
	note(e, "port pattern \"%s\": sshd listens on other ports too", tok);
	return MAYBE;
}

/* The second part is asked only when the first may match (libwrap's &&),
 * so that only a "maybe" that counts is noted. */
static enum tri
server_match(struct ev *e, char *tok)
{
	char *host;
	enum tri m;

	if ((host = split_at(tok + 1, '@')) == NULL)
		return daemon_or_port(e, tok);
	if ((m = daemon_or_port(e, tok)) == NO)
		return NO;
	return tri_and(m, host_match(e, host, NULL));
}

static enum tri
client_match(struct ev *e, char *tok)
{
	char *host;
	enum tri m;

	if ((host = split_at(tok + 1, '@')) == NULL)
		return host_match(e, tok, e->c->addr);
	if ((m = host_match(e, host, e->c->addr)) == NO)
		return NO;
	return tri_and(m, string_match_unknown(e, tok, "ident (RFC 931) user name"));
}

static const char list_sep[] = ", \t\r\n";

/* list_match(), continuing a strtok_r scan in *save. */
static enum tri
list_match(struct ev *e, char *list, char **save,
    enum tri (*fn)(struct ev *, char *))
{
	enum tri m = NO;
	char *tok;

	for (tok = strtok_r(list, list_sep, save); tok != NULL;
	    tok = strtok_r(NULL, list_sep, save)) {
		if (strcasecmp(tok, "EXCEPT") == 0)
			break;
		if (m != YES)
			m = tri_or(m, fn(e, tok));
	}
	if (m == NO || tok == NULL)
		return m;
	return tri_and(m, tri_not(list_match(e, NULL, save, fn)));
}

/* ---- the options language ------------------------------------------------ */

/* Table-level outcomes of one rule or one table. */
enum { O_YES, O_NO, O_ERR, O_PERMIT, O_DENY, O_N };

struct outs {
	unsigned set;			/* 1u << O_* */
	struct cvm_tcpw_loc at[O_N];
	char why[O_N][160];
};

static void
out_add(struct outs *o, int k, const char *file, int line, const char *why)
{
	if (o->set & (1u << k))
		return;
	o->set |= 1u << k;
	o->at[k].file = file;
	o->at[k].line = line;
	snprintf(o->why[k], sizeof(o->why[k]), "%s", why);
}

#define NEED_ARG	1
#define OPT_ARG		2
#define USE_LAST	4

static const struct opt {
	const char *name;
	int flags;
} opts[] = {
	{ "user", NEED_ARG }, { "group", NEED_ARG }, { "umask", NEED_ARG },
	{ "linger", NEED_ARG }, { "keepalive", 0 }, { "aclexec", NEED_ARG },
	{ "spawn", NEED_ARG }, { "twist", NEED_ARG | USE_LAST },
	{ "rfc931", OPT_ARG }, { "setenv", NEED_ARG }, { "nice", OPT_ARG },
	{ "severity", NEED_ARG }, { "allow", USE_LAST }, { "deny", USE_LAST },
	{ "banners", NEED_ARG },
};

static const char *const facilities[] = {
	"kern", "user", "mail", "daemon", "auth", "lpr", "news", "uucp",
	"cron", "local0", "local1", "local2", "local3", "local4", "local5",
	"local6", "local7",
};
static const char *const levels[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static int
in_names(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(names[i], s) == 0)
			return 1;
	return 0;
}

/* chop_string(): trim isspace() both ends. */
static char *
chop(char *s)
{
	char *start = NULL, *last = NULL;

	for (char *p = s; *p; p++)
		if (!isspace((unsigned char)*p)) {
			if (start == NULL)
				start = p;
			last = p;
		}
	if (start == NULL)
		return s + strlen(s);
	last[1] = '\0';
	return start;
}

/* What one option does: 0 nothing for the verdict, or an outcome. */
enum { OPT_OK, OPT_DENY, OPT_PERMIT, OPT_MAYBE_DENY, OPT_ACLEXEC };

static int
run_option(const struct opt *op, char *value, char *why, size_t whylen)
{
	int i1;
	unsigned u1;
	char junk, *level, *name;

	switch (op - opts) {
	case 0:	/* user [name.group]: getpwnam/getgrnam or a denial */
	case 1:
		snprintf(why, whylen, "option %s looks up \"%s\"", op->name, value);
		return OPT_MAYBE_DENY;
	case 2:	/* umask */
		if (sscanf(value, "%o%c", &u1, &junk) != 1 || (u1 & 0777) != u1)
			return snprintf(why, whylen, "bad umask value \"%s\"", value), OPT_DENY;
		return OPT_OK;
	case 3:	/* linger */
		if (sscanf(value, "%d%c", &i1, &junk) != 1 || i1 < 0)
			return snprintf(why, whylen, "bad linger value \"%s\"", value), OPT_DENY;
		return OPT_OK;
	case 5:	/* aclexec */
		snprintf(why, whylen, "option aclexec runs \"%s\"", value);
		return OPT_ACLEXEC;
	case 7:	/* twist: the command replaces sshd */
		snprintf(why, whylen, "twist replaces sshd by \"%s\"", value);
		return OPT_DENY;
	case 8:	/* rfc931 [timeout] */
		if (value != NULL && (sscanf(value, "%d%c", &i1, &junk) != 1 || i1 <= 0))
			return snprintf(why, whylen, "bad rfc931 timeout \"%s\"", value), OPT_DENY;
		return OPT_OK;
	case 9:	/* setenv NAME value: setenv() refuses a name with '=' */
		name = chop(value);	/* after %-expansion, as libwrap */
		name[strcspn(name, " \t\r\n")] = '\0';
		name = chop(name);
		if (*name == '\0')
			return snprintf(why, whylen, "setenv: empty name"), OPT_DENY;
		if (strchr(name, '%') != NULL) {
			snprintf(why, whylen, "setenv name \"%s\" is expanded", name);
			return OPT_MAYBE_DENY;
		}
		if (strchr(name, '=') != NULL)
			return snprintf(why, whylen, "setenv: bad name \"%s\"", name), OPT_DENY;
		return OPT_OK;
	case 10: /* nice [value] */
		if (value != NULL && sscanf(value, "%d%c", &i1, &junk) != 1)
			return snprintf(why, whylen, "bad nice value \"%s\"", value), OPT_DENY;
		return OPT_OK;
	case 11: /* severity [facility.]level */
		level = split_at(value, '.');
		if (level != NULL ? !in_names(facilities, sizeof(facilities) /
		    sizeof(facilities[0]), value) || !in_names(levels,
		    sizeof(levels) / sizeof(levels[0]), level) :
		    !in_names(levels, sizeof(levels) / sizeof(levels[0]), value))
			return snprintf(why, whylen, "bad syslog facility or severity"), OPT_DENY;
		return OPT_OK;
	case 12:
		return snprintf(why, whylen, "option allow"), OPT_PERMIT;
	case 13:
		return snprintf(why, whylen, "option deny"), OPT_DENY;
	default: /* keepalive, spawn, banners: act, decide nothing */
		return OPT_OK;
	}
}

/* process_options() for a matched rule: adds its outcomes to o. */
static void
process_options(char *s, const char *file, int line, struct outs *o,
    struct ev *e)
{
	char *fields[LINE_BUF], *src, *dst;
	size_t nf = 0;
	int aclexec = 0;
	char why[160];

	/* get_field(): split at ':', "\:" is a literal ':' */
	src = s;
	while (*src != '\0' && nf < LINE_BUF) {
		fields[nf++] = dst = src;
		while (*src != '\0') {
			if (*src == ':') {
				src++;
				break;
			}
			if (src[0] == '\\' && src[1] == ':')
				src++;
			*dst++ = *src++;
		}
		*dst = '\0';	/* dst is at or before src */
	}
	for (size_t i = 0; i < nf; i++) {
		char *opt = chop(fields[i]), *value, *key;
		const struct opt *op = NULL;
		int r;

		value = opt + strcspn(opt, "= \t\r\n");
		if (*value != '\0') {
			if (*value != '=') {
				*value++ = '\0';
				value += strspn(value, " \t\r\n");
			}
			if (*value == '=') {
				*value++ = '\0';
				value += strspn(value, " \t\r\n");
			}
		}
		if (*value == '\0')
			value = NULL;
		key = opt;
		if (*key == '\0') {
			out_add(o, O_DENY, file, line, "missing option name");
			return;
		}
		for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (strcasecmp(opts[k].name, key) == 0) {
				op = &opts[k];
				break;
			}
		why[0] = '\0';
		if (op == NULL)
			snprintf(why, sizeof(why), "bad option name \"%s\"", key);
		else if (value == NULL && (op->flags & NEED_ARG))
			snprintf(why, sizeof(why), "option \"%s\" requires value", key);
		else if (value != NULL && !(op->flags & (NEED_ARG | OPT_ARG)))
			snprintf(why, sizeof(why), "option \"%s\" requires no value", key);
		else if (i + 1 < nf && (op->flags & USE_LAST))
			snprintf(why, sizeof(why), "option \"%s\" must be at end", key);
		if (why[0] != '\0') {
			out_add(o, O_DENY, file, line, why);
			return;
		}
		r = run_option(op, value, why, sizeof(why));
		switch (r) {
		case OPT_DENY:
			out_add(o, O_DENY, file, line, why);
			return;
		case OPT_PERMIT:
			out_add(o, O_PERMIT, file, line, why);
			return;
		case OPT_MAYBE_DENY:
			note(e, "%s", why);
			out_add(o, O_DENY, file, line, why);
			break;
		case OPT_ACLEXEC:
			note(e, "%s", why);
			aclexec = 1;
			break;
		default:
			break;
		}
	}
	out_add(o, O_YES, file, line, nf ? "matched (options do not decide)" : "matched");
	if (aclexec)
		out_add(o, O_NO, file, line, "aclexec command fails");
}

/* ---- tables -------------------------------------------------------------- */

struct rd {
	const char *b;
	size_t len, pos;
	int line;
};

/* fgets() on memory. */
static int
mem_fgets(struct rd *r, char *ptr, size_t n)
{
	size_t k = 0;

	if (r->pos >= r->len)
		return 0;
	while (k + 1 < n && r->pos < r->len) {
		char ch = r->b[r->pos++];

		ptr[k++] = ch;
		if (ch == '\n')
			break;
	}
	ptr[k] = '\0';
	return 1;
}

/* xgets(): one logical line into buf[LINE_BUF]; 0 at the end. */
static int
xgets(struct rd *r, char *buf)
{
	char *ptr = buf;
	size_t len = LINE_BUF, got;

	while (mem_fgets(r, ptr, len)) {
		got = strlen(ptr);
		if (got >= 1 && ptr[got - 1] == '\n') {
			r->line++;
			if (got >= 2 && ptr[got - 2] == '\\')
				got -= 2;
			else
				return 1;
		}
		ptr += got;
		len -= got;
		if (len == 1)
			return 1;
		ptr[0] = '\0';
	}
	return ptr > buf;
}

/* table_match() for one table: its possible outcomes. */
static void
table_eval(struct ev *e, const struct cvm_tcpw_table *t, struct outs *o,
    struct cvm_tcpw_result *res)
{
	struct rd r = { t->buf, t->len, 0, 0 };
	char line[LINE_BUF];

	memset(o, 0, sizeof(*o));
	if (t->err != 0) {
		char why[160];

		snprintf(why, sizeof(why), "cannot read it: %s", strerror(t->err));
		out_add(o, O_YES, t->path, 0, why);
		out_add(o, O_NO, t->path, 0, why);
		out_add(o, O_ERR, t->path, 0, why);
		if (res->maybe.file == NULL) {
			res->maybe.file = t->path;
			res->maybe.line = 0;
			snprintf(res->maybe_why, sizeof(res->maybe_why), "%s", why);
		}
		return;
	}
	if (t->buf == NULL) {
		out_add(o, O_NO, NULL, 0, "");
		return;
	}
	for (;;) {
		char *cl, *sh, *save;
		int start = r.line + 1;
		enum tri m;
		size_t n;

		if (!xgets(&r, line))
			break;
		n = strlen(line);
		if (n == 0 || line[n - 1] != '\n') {
			/* libwrap: "missing newline or line too long", the
			 * rest of the table is ignored and it answers ERR */
			out_add(o, O_ERR, t->path, start,
			    "line too long or without newline: libwrap stops reading there");
			return;
		}
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if ((cl = split_at(line, ':')) == NULL)
			continue;
		sh = split_at(cl, ':');
		e->why[0] = '\0';
		save = NULL;
		m = list_match(e, line, &save, server_match);
		if (m != NO) {
			save = NULL;
			m = tri_and(m, list_match(e, cl, &save, client_match));
		}
		if (m == NO)
			continue;
		if (m == YES)	/* a "maybe" on the way did not count */
			e->why[0] = '\0';
		if (sh != NULL)
			process_options(sh, t->path, start, o, e);
		else
			out_add(o, O_YES, t->path, start, "matched");
		if (e->why[0] != '\0' && res->maybe.file == NULL) {
			res->maybe.file = t->path;
			res->maybe.line = start;
			snprintf(res->maybe_why, sizeof(res->maybe_why), "%s", e->why);
		}
		if (m == YES)
			return;
	}
	out_add(o, O_NO, NULL, 0, "");
}

static void
final_add(struct cvm_tcpw_result *res, unsigned v, const struct outs *o, int k)
{
	int i = v == CVM_TCPW_ALLOW ? 0 : 1;

	if (res->set & v)
		return;
	res->set |= v;
	res->at[i] = o->at[k];
	snprintf(res->why[i], sizeof(res->why[i]), "%s", o->why[k]);
}

void
cvm_tcpw_eval(const struct cvm_tcpw *w, const struct cvm_tcpw_conn *c,
    struct cvm_tcpw_result *res)
{
	struct ev e;
	struct outs a, d;

	memset(res, 0, sizeof(*res));
	memset(&e, 0, sizeof(e));
	e.w = w;
	e.c = c;
	table_eval(&e, &w->t[0], &a, res);
	if (a.set & (1u << O_YES))
		final_add(res, CVM_TCPW_ALLOW, &a, O_YES);
	if (a.set & (1u << O_PERMIT))
		final_add(res, CVM_TCPW_ALLOW, &a, O_PERMIT);
	if (a.set & (1u << O_DENY))
		final_add(res, CVM_TCPW_DENY, &a, O_DENY);
	if (!(a.set & (1u << O_NO | 1u << O_ERR)))
		return;
	table_eval(&e, &w->t[1], &d, res);
	if (d.set & (1u << O_YES))
		final_add(res, CVM_TCPW_DENY, &d, O_YES);
	if (d.set & (1u << O_ERR))
		final_add(res, CVM_TCPW_DENY, &d, O_ERR);
	if (d.set & (1u << O_DENY))
		final_add(res, CVM_TCPW_DENY, &d, O_DENY);
	if (d.set & (1u << O_NO))
		final_add(res, CVM_TCPW_ALLOW, &d, O_NO);
	if (d.set & (1u << O_PERMIT))
		final_add(res, CVM_TCPW_ALLOW, &d, O_PERMIT);
}

/* ---- loading ------------------------------------------------------------- */

static int
load_one(struct cvm_tcpw_table *t, const struct cvm_root *root, const char *path)
{
	memset(t, 0, sizeof(*t));
	t->path = path;
	if (path == NULL)
		return 0;
	if (cvm_root_read(root, path, TBL_CAP, &t->buf, &t->len) != 0) {
		if (errno == ENOMEM)
			return -1;
		/* a directory reads as empty (fopen succeeds, fgets fails) */
		if (errno != ENOENT && errno != EISDIR)
			t->err = errno;
		t->buf = NULL;
	}
	return 0;
}

int
cvm_tcpw_load(struct cvm_tcpw *w, const struct cvm_root *root,
    const char *allow, const char *deny)
{
	memset(w, 0, sizeof(*w));
	w->root = root;
	if (load_one(&w->t[0], root, allow) != 0 || load_one(&w->t[1], root, deny) != 0) {
		cvm_tcpw_free(w);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static int
mem_one(struct cvm_tcpw_table *t, const char *name, const char *s, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->path = name;
	if (s == NULL)
		return 0;
	if ((t->buf = malloc(n + 1)) == NULL)
		return -1;
	memcpy(t->buf, s, n);
	t->buf[n] = '\0';
	t->len = n;
	return 0;
}

int
cvm_tcpw_load_mem(struct cvm_tcpw *w, const struct cvm_root *root,
    const char *allow, size_t allow_len, const char *deny, size_t deny_len)
{
	memset(w, 0, sizeof(*w));
	w->root = root;
	if (mem_one(&w->t[0], "/etc/hosts.allow", allow, allow_len) != 0 ||
	    mem_one(&w->t[1], "/etc/hosts.deny", deny, deny_len) != 0) {
		cvm_tcpw_free(w);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
cvm_tcpw_free(struct cvm_tcpw *w)
{
	for (int i = 0; i < 2; i++) {
		free(w->t[i].buf);
		w->t[i].buf = NULL;
	}
}

/* ---- whole-table questions ----------------------------------------------- */

/* Calls fn(e, rule fields, loc) for every rule libwrap would read (and
 * with NULL fields for a line that ends hosts.deny with an error). */
static int
each_rule(struct ev *e, int (*fn)(struct ev *, char *, char *, const char *,
    int, void *), void *arg)
{
	char line[LINE_BUF];

	for (int i = 0; i < 2; i++) {
		const struct cvm_tcpw_table *t = &e->w->t[i];
		struct rd r = { t->buf, t->len, 0, 0 };
		int ret;

		if (t->buf == NULL)
			continue;
		for (;;) {
			char *cl;
			int start = r.line + 1;
			size_t n;

			if (!xgets(&r, line))
				break;
			n = strlen(line);
			if (n == 0 || line[n - 1] != '\n') {
				/* a bad line in hosts.deny refuses every
				 * daemon that gets there: fn sees NULLs */
				if (i == 1 && (ret = fn(e, NULL, NULL, t->path,
				    start, arg)) != 0)
					return ret;
				break;
			}
			if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
				continue;
			if ((cl = split_at(line, ':')) == NULL)
				continue;
			(void)split_at(cl, ':');
			if ((ret = fn(e, line, cl, t->path, start, arg)) != 0)
				return ret;
		}
	}
	return 0;
}

static int
names_fn(struct ev *e, char *sv, char *cl, const char *file, int line, void *arg)
{
	struct cvm_tcpw_loc *loc = arg;
	char *save = NULL;

	(void)cl;
	if (sv != NULL && list_match(e, sv, &save, server_match) == NO)
		return 0;
	loc->file = file;
	loc->line = line;
	return 1;
}

int
cvm_tcpw_names_daemon(const struct cvm_tcpw *w, const char *daemon,
    struct cvm_tcpw_loc *loc)
{
	struct cvm_tcpw_conn c = { daemon, "192.0.2.1", NULL, 0 };
	struct ev e;

	memset(&e, 0, sizeof(e));
	memset(loc, 0, sizeof(*loc));
	e.w = w;
	e.c = &c;
	return each_rule(&e, names_fn, loc);
}

int
cvm_tcpw_canon_addr(const char *in, char *out, size_t outlen)
{
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(in, NULL, &hints, &res) != 0)
		return -1;
	rc = getnameinfo(res->ai_addr, res->ai_addrlen, out, (socklen_t)outlen,
	    NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(res);
	return rc == 0 ? 0 : -1;
}

struct wit {
	int (*fn)(const char *, void *);
	void *arg;
	unsigned n;
};

/* Stops the walk when the budget is spent: the caller learns the list
 * was cut short. */
static int
wit_call(struct wit *wt, const char *s)
{
	if (wt->n >= MAX_WITNESSES)
		return CVM_TCPW_WITNESSES_CUT;
	wt->n++;
	return wt->fn(s, wt->arg);
}

/* Addresses no TCP client can have (0/8, multicast, reserved and
 * broadcast; ::, ff00::/8) are no witnesses: libwrap cannot even parse
 * 255.255.255.255, so it would "allow" it. */
static int
wit_v4(struct wit *wt, uint32_t host_order)
{
	struct in_addr a = { htonl(host_order) };
	char s[INET_ADDRSTRLEN];

	if ((host_order >> 24) == 0 || (host_order >> 29) == 7)
		return 0;
	inet_ntop(AF_INET, &a, s, sizeof(s));
	return wit_call(wt, s);
}

static int
wit_v6(struct wit *wt, const struct in6_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	if (a->s6_addr[0] == 0xff || IN6_IS_ADDR_UNSPECIFIED(a))
		return 0;
	if (IN6_IS_ADDR_V4MAPPED(a))
		return wit_v4(wt, (uint32_t)a->s6_addr[12] << 24 |
		    (uint32_t)a->s6_addr[13] << 16 | (uint32_t)a->s6_addr[14] << 8 |
		    a->s6_addr[15]);
	inet_ntop(AF_INET6, a, s, sizeof(s));
	return wit_call(wt, s);
}

static int
wit_str(struct wit *wt, const char *s)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, s, &a4) == 1)
		return wit_v4(wt, ntohl(a4.s_addr));
	if (inet_pton(AF_INET6, s, &a6) == 1)
		return wit_v6(wt, &a6);
	return 0;
}

/* The first address of a range and the one after its end: every
 * stretch of addresses that interval patterns treat alike starts at one
 * of these. */
static int
wit_token(struct wit *wt, char *tok)
{
	char *mask, buf[LINE_BUF + 16];
	struct in6_addr a;
	int ret;

	if ((mask = split_at(tok + (tok[0] != '\0'), '@')) != NULL)
		tok = mask;
	if (tok[0] == '/' || tok[0] == '@' || tok[0] == '\0')
		return 0;
	if ((mask = split_at(tok, '/')) != NULL) {
		in_addr_t net = dot_quad(tok), m;

		if (net != INADDR_NONE) {
			if ((m = dot_quad(mask)) == INADDR_NONE)
				m = cidr_mask(mask);
			if ((ret = wit_v4(wt, ntohl(net))) != 0 ||
			    (ret = wit_v4(wt, ntohl(net) + 1)) != 0 ||
			    (ret = wit_v4(wt, (ntohl(net) | ~ntohl(m)) + 1)) != 0)
				return ret;
			return wit_v4(wt, ntohl(net) - 1);
		}
		if (v6_bracketed(tok, &a) == 0) {
			int bits = c_atoi(mask), i;

			if ((ret = wit_v6(wt, &a)) != 0)
				return ret;
			if (bits < 0 || bits > 128)
				return 0;
			/* one past the end: set the host bits, add one */
			for (i = bits; i < 128; i++)
				a.s6_addr[i / 8] |= (uint8_t)(0x80u >> (i % 8));
			for (i = 15; i >= 0 && ++a.s6_addr[i] == 0; i--)
				;
			return wit_v6(wt, &a);
		}
		return 0;
	}
	if (v6_bracketed(tok, &a) == 0) {
		if ((ret = wit_v6(wt, &a)) != 0)
			return ret;
		for (int i = 15; i >= 0 && ++a.s6_addr[i] == 0; i--)
			;
		return wit_v6(wt, &a);
	}
	/* prefixes, wildcards, suffixes, exact strings: fill them in */
	{
		static const char *const fills[][2] = {
			{ "", "" }, { "", "1" }, { "", "1.1" }, { "", "1.1.1" },
			{ "", ".1" }, { "", ":1" }, { "", "1::1" }, { "", "::1" },
			{ "1.1.1", "" }, { "10.0", "" }, { "2001:db8::", "" },
		};
		for (size_t i = 0; i < sizeof(fills) / sizeof(fills[0]); i++) {
			size_t k = 0;

			k += (size_t)snprintf(buf, sizeof(buf), "%s", fills[i][0]);
			for (const char *p = tok; *p && k + 2 < sizeof(buf); p++)
				buf[k++] = (char)(*p == '*' || *p == '?' ? '1' : *p);
			buf[k] = '\0';
			if (strlen(buf) + strlen(fills[i][1]) + 1 > sizeof(buf))
				continue;	/* so the copy below fits */
			memcpy(buf + strlen(buf), fills[i][1],
			    strlen(fills[i][1]) + 1);
			if ((ret = wit_str(wt, buf)) != 0)
				return ret;
		}
	}
	return 0;
}

static int
wit_fn(struct ev *e, char *sv, char *cl, const char *file, int line, void *arg)
{
	char *tok, *save = NULL;
	int ret;

	(void)file;
	(void)line;
	/* only rules that may apply to the daemon */
	if (cl == NULL || list_match(e, sv, &save, server_match) == NO)
		return 0;
	save = NULL;
	for (tok = strtok_r(cl, list_sep, &save); tok != NULL;
	    tok = strtok_r(NULL, list_sep, &save))
		if ((ret = wit_token(arg, tok)) != 0)
			return ret;
	return 0;
}

int
cvm_tcpw_witnesses(const struct cvm_tcpw *w, const char *daemon,
    int (*fn)(const char *addr, void *arg), void *arg)
{
	static const char *const generic[] = {
		"192.0.2.123", "198.51.100.200", "203.0.113.45", "10.250.1.2",
		"172.31.200.1", "100.64.7.8", "8.8.4.4", "1.0.0.1",
		"223.255.255.254", "2001:db8:ffff::1234", "fd00:abcd::5",
		"2a00:1450::77", "::2", "fe80::1234",
	};
	struct cvm_tcpw_conn c = { daemon, "192.0.2.1", NULL, 0 };
	struct wit wt = { fn, arg, 0 };
	struct ev e;
	int ret;

	for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
		if ((ret = wit_call(&wt, generic[i])) != 0)
			return ret;
	memset(&e, 0, sizeof(e));
	e.w = w;
	e.c = &c;
	return each_rule(&e, wit_fn, &wt);
}
