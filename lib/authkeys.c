/* One authorized_keys line, read as sshd 9.x reads it (auth2-pubkeyfile.c
 * auth_check_authkey_line, authfile.c sshkey_advance_past_options,
 * auth-options.c sshauthopt_parse, misc.c opt_* and parse_absolute_time).
 * Written from a reading of that behaviour, not from its code.
 *
 * Where sshd would ignore a line (no key after the options) or reject it
 * (bad options), we return an error with the reason: either way the line
 * gives no key.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "errbuf.h"
#include "authkeys.h"

#define PERMIT_MAX 4096		/* sshd's SSH_AUTHOPT_PERMIT_MAX */
#define ENV_MAX 1024		/* sshd's SSH_AUTHOPT_ENV_MAX */
#define TUNID_MAX (0x7fffffff - 2)
#define HOSTNAME_MAX 1025	/* NI_MAXHOST */

struct actx {
	char *err;
	size_t errlen;
};

#define aerr(c, ...) cvm_seterr((c)->err, (c)->errlen, __VA_ARGS__)

static int
is_sp(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Text from the line for a message: at most 40 bytes, escaped. */
static void
shown(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t i, o = 0;
	unsigned char ch;

	for (i = 0; i < n && i < 40 && o + 5 < dstlen; i++) {
		ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			dst[o++] = (char)ch;
		else
			o += (size_t)snprintf(dst + o, dstlen - o, "\\x%02x", ch);
	}
	if (i < n && o + 4 <= dstlen) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

void
cvm_akline_free(struct cvm_akline *l)
{
	if (l == NULL)
		return;
	cvm_pubkey_free(&l->key);
	free(l->comment);
	free(l->command);
	free(l->from);
	free(l->principals);
	memset(l, 0, sizeof(*l));
	l->expiry = -1;
}

/* ---- expiry-time ----------------------------------------------------- */

static int
digits(const char *s, size_t n, int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
cvm_parse_expiry(const char *s, int64_t *t)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	size_t l;
	int utc = 0, y, mo, d, h = 0, mi = 0, se = 0;
	struct tm tm;
	time_t tt;

	if (s == NULL || t == NULL)
		return -1;
	l = strlen(s);
	if (l > 1 && (s[l - 1] == 'Z' || s[l - 1] == 'z')) {
		utc = 1;
		l--;
	} else if (l > 3 && strcasecmp(s + l - 3, "UTC") == 0) {
		utc = 1;
		l -= 3;
	}
	if (l != 8 && l != 12 && l != 14)
		return -1;
	if (digits(s, 4, &y) != 0 || digits(s + 4, 2, &mo) != 0 ||
	    digits(s + 6, 2, &d) != 0)
		return -1;
	if (l >= 12 && (digits(s + 8, 2, &h) != 0 || digits(s + 10, 2, &mi) != 0))
		return -1;
	if (l == 14 && digits(s + 12, 2, &se) != 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)) ||
	    h > 23 || mi > 59 || se > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	/* tm_isdst = 0, as sshd leaves it: local times are read as standard
	 * time even in summer. */
	tt = utc ? timegm(&tm) : mktime(&tm);
	if (tt < 0)
		return -1;
	*t = (int64_t)tt;
	return 0;
}

/* ---- options ----------------------------------------------------------- */

struct opts {
	const char *p, *end;	/* the options text; end: first unquoted space */
	int at_eol;		/* nothing follows the options */
	size_t npermitopen, npermitlisten, nenv;
	char **env;		/* environment names seen (first one wins) */
};

/* Case-insensitive prefix; returns its length or 0. */
static size_t
ci_prefix(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - p) < n || strncasecmp(p, word, n) != 0)
		return 0;
	return n;
}

/* sshd's opt_flag: "name" or, when negatable, "no-name".  1 set, 0
 * negated, -1 no match. */
static int
opt_flag(struct opts *o, const char *name, int negatable)
{
	const char *p = o->p;
	size_t n;
	int neg = 0;

	if (negatable && (n = ci_prefix(p, o->end, "no-")) != 0) {
		p += n;
		neg = 1;
	}
	if ((n = ci_prefix(p, o->end, name)) == 0)
		return -1;
	o->p = p + n;
	return !neg;
}

/* sshd's opt_match: "name=". */
static int
opt_match(struct opts *o, const char *name)
{
	size_t n = ci_prefix(o->p, o->end, name);

	if (n == 0 || o->p + n >= o->end || o->p[n] != '=')
		return 0;
	o->p += n + 1;
	return 1;
}

/* A double-quoted value, \" standing for a quote. */
static char *
opt_dequote(struct actx *c, struct opts *o, const char *name)
{
	const char *s = o->p;
	char *v;
	size_t i = 0;

	if (s >= o->end || *s != '"') {
		aerr(c, "option %s: missing start quote", name);
		return NULL;
	}
	s++;
	if ((v = malloc((size_t)(o->end - s) + 1)) == NULL) {
		aerr(c, "out of memory");
		return NULL;
	}
	while (s < o->end && *s != '"') {
		if (*s == '\\' && s + 1 < o->end && s[1] == '"')
			s++;
		v[i++] = *s++;
	}
	if (s >= o->end) {
		free(v);
		aerr(c, "option %s: missing end quote", name);
		return NULL;
	}
	v[i] = '\0';
	o->p = s + 1;
	return v;
}

/* strtonum(s, lo, hi) as OpenBSD has it (strtoll: leading space, sign). */
static int
num_in(const char *s, long long lo, long long hi, long long *v)
{
	char *ep;
	long long ll;

	errno = 0;
	ll = strtoll(s, &ep, 10);
	if (ep == s || *ep != '\0' || errno == ERANGE || ll < lo || ll > hi)
		return -1;
	*v = ll;
	return 0;
}

/* sshd's a2port: a number 0..65535, or a tcp service name. */
static int
a2port(const char *s)
{
	long long v;
	struct servent *se;

	if (num_in(s, 0, 65535, &v) == 0)
		return (int)v;
	if ((se = getservbyname(s, "tcp")) != NULL)
		return ntohs((uint16_t)se->s_port);
	return -1;
}

/* permitopen="host:port" / permitlisten="[host:]port" syntax, as sshd's
 * handle_permit checks it. */
static int
check_permit(struct actx *c, struct opts *o, const char *name, int bare_port,
    size_t *count)
{
	char *v, *port, *s;
	const char *host;
	int ret = -1;

	if (*count > PERMIT_MAX)
		return aerr(c, "too many %s options", name);
	if ((v = opt_dequote(c, o, name)) == NULL)
		return -1;
	host = v;
	if (bare_port && strchr(v, ':') == NULL) {
		port = v;
		host = "*";
	} else {
		if (*v == '[') {
			if ((s = strchr(v, ']')) == NULL) {
				aerr(c, "option %s: invalid permission hostname", name);
				goto out;
			}
			s++;
		} else if ((s = strpbrk(v, ":/")) == NULL)
			s = v + strlen(v);
		if (*s == '\0')
			port = NULL;
		else if (*s == ':' || *s == '/') {
			*s = '\0';
			port = s + 1;
		} else {
			aerr(c, "option %s: invalid permission hostname", name);
			goto out;
		}
	}
	if (strlen(host) >= HOSTNAME_MAX) {
		aerr(c, "option %s: invalid permission hostname", name);
		goto out;
	}
	if (port == NULL || (strcmp(port, "*") != 0 && a2port(port) <= 0)) {
		aerr(c, "option %s: invalid permission port", name);
		goto out;
	}
	(*count)++;
	ret = 0;
out:
	free(v);
	return ret;
}

static int
valid_env_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int
check_env(struct actx *c, struct opts *o)
{
	char *v, *eq, **nenv;
	size_t i;

	if (o->nenv > ENV_MAX)
		return aerr(c, "too many environment options");
	if ((v = opt_dequote(c, o, "environment")) == NULL)
		return -1;
	if ((eq = strchr(v, '=')) == NULL || !valid_env_name(v, (size_t)(eq - v))) {
		free(v);
		return aerr(c, "option environment: invalid environment string");
	}
	*eq = '\0';
	for (i = 0; i < o->nenv; i++)
		if (strcmp(o->env[i], v) == 0)
			break;
	if (i < o->nenv) {		/* the first one wins */
		free(v);
		return 0;
	}
	if ((nenv = realloc(o->env, (o->nenv + 1) * sizeof(*o->env))) == NULL) {
		free(v);
		return aerr(c, "out of memory");
	}
	o->env = nenv;
	o->env[o->nenv++] = v;
	return 0;
}

static int
set_once(struct actx *c, struct opts *o, const char *name, char **dst)
{
	if (*dst != NULL)
		return aerr(c, "multiple \"%s\" options", name);
	if ((*dst = opt_dequote(c, o, name)) == NULL)
		return -1;
	return 0;
}

static int
parse_options(struct actx *c, struct opts *o, struct cvm_akline *out)
{
	const char *start;
	char *v, what[64];
	int64_t t;
	long long tun;
	size_t n;

	while (o->p < o->end) {
		start = o->p;
		if (opt_flag(o, "restrict", 0) != -1)
			out->restrict_ = 1;
		else if (opt_flag(o, "cert-authority", 0) != -1)
			out->cert_authority = 1;
		else if (opt_flag(o, "port-forwarding", 1) != -1 ||
		    opt_flag(o, "agent-forwarding", 1) != -1 ||
		    opt_flag(o, "x11-forwarding", 1) != -1 ||
		    opt_flag(o, "touch-required", 1) != -1 ||
		    opt_flag(o, "verify-required", 1) != -1 ||
		    opt_flag(o, "pty", 1) != -1 ||
		    opt_flag(o, "user-rc", 1) != -1)
			;	/* accepted; not needed by the policy */
		else if (opt_match(o, "command")) {
			if (set_once(c, o, "command", &out->command) != 0)
				return -1;
		} else if (opt_match(o, "principals")) {
			if (set_once(c, o, "principals", &out->principals) != 0)
				return -1;
		} else if (opt_match(o, "from")) {
			if (set_once(c, o, "from", &out->from) != 0)
				return -1;
		} else if (opt_match(o, "expiry-time")) {
			if ((v = opt_dequote(c, o, "expiry-time")) == NULL)
				return -1;
			if (cvm_parse_expiry(v, &t) != 0 || t == 0) {
				shown(what, sizeof(what), v, strlen(v));
				free(v);
				return aerr(c, "invalid expiry-time \"%s\"", what);
			}
			free(v);
			if (out->expiry < 0 || t < out->expiry)
				out->expiry = t;	/* the earliest wins */
		} else if (opt_match(o, "environment")) {
			if (check_env(c, o) != 0)
				return -1;
		} else if (opt_match(o, "permitopen")) {
			if (check_permit(c, o, "permitopen", 0, &o->npermitopen) != 0)
				return -1;
		} else if (opt_match(o, "permitlisten")) {
			if (check_permit(c, o, "permitlisten", 1,
			    &o->npermitlisten) != 0)
				return -1;
		} else if (opt_match(o, "tunnel")) {
			if ((v = opt_dequote(c, o, "tunnel")) == NULL)
				return -1;
			if (strcasecmp(v, "any") != 0 &&
			    num_in(v, 0, TUNID_MAX, &tun) != 0) {
				free(v);
				return aerr(c, "option tunnel: invalid tun device");
			}
			free(v);
		}
		if (o->p >= o->end)
			break;
		if (*o->p != ',') {
			/* Name the option: up to '=', ',' or the end. */
			for (n = 0; start + n < o->end && start[n] != ',' &&
			    start[n] != '='; n++)
				;
			if (n == 0)
				n = 1;
			shown(what, sizeof(what), start, n);
			return aerr(c, "unknown option \"%s\"", what);
		}
		o->p++;
		if (o->p >= o->end && o->at_eol)
			return aerr(c, "options end with a comma and no key follows");
	}
	return 0;
}

/* ---- the line ---------------------------------------------------------- */

/* "type base64 [comment]" at p. */
static int
parse_key(struct actx *c, const char *p, const char *end,
    struct cvm_akline *out)
{
	const char *w, *b;
	char type[CVM_KEYTYPE_MAX], what[64], *clean;
	size_t tl, bl, i, n;
	int r;

	for (w = p; p < end && !is_sp(*p); p++)
		;
	tl = (size_t)(p - w);
	if (!cvm_keytype_known(w, tl)) {
		shown(what, sizeof(what), w, tl);
		return aerr(c, "unknown key type \"%s\"", what);
	}
	memcpy(type, w, tl);
	type[tl] = '\0';
	while (p < end && is_sp(*p))
		p++;
	if (p >= end)
		return aerr(c, "no key data after %s", type);
	for (b = p; p < end && !is_sp(*p); p++)
		;
	bl = (size_t)(p - b);
	/* sshd's base64 decoder skips the other whitespace (\r \n \v \f) and
	 * requires the padding. */
	if ((clean = malloc(bl + 1)) == NULL)
		return aerr(c, "out of memory");
	for (i = n = 0; i < bl; i++)
		if (b[i] != '\r' && b[i] != '\n' && b[i] != '\v' && b[i] != '\f')
			clean[n++] = b[i];
	if (n % 4 != 0) {
		free(clean);
		return aerr(c, "bad base64: length %zu is not a multiple of 4 "
		    "(sshd requires the '=' padding)", n);
	}
	r = cvm_pubkey_from_base64(type, clean, n, &out->key, c->err, c->errlen);
	free(clean);
	if (r != 0)
		return -1;
	out->has_key = 1;
	while (p < end && is_sp(*p))
		p++;
	while (end > p && (is_sp(end[-1]) || end[-1] == '\r'))
		end--;
	if (end > p) {
		if ((out->comment = malloc((size_t)(end - p) + 1)) == NULL) {
			cvm_akline_free(out);
			return aerr(c, "out of memory");
		}
		memcpy(out->comment, p, (size_t)(end - p));
		out->comment[end - p] = '\0';
	}
	return 0;
}

/* The first word is a key type followed by more text: the key comes first
 * (sshd's first sshkey_read at the start of the line). */
static int
starts_with_key(const char *p, const char *end)
{
	const char *w = p;

	while (p < end && !is_sp(*p))
		p++;
	return cvm_keytype_known(w, (size_t)(p - w));
}

int
cvm_akline_parse(const char *line, size_t len, struct cvm_akline *out,
    char *err, size_t errlen)
{
	struct actx c = { err, errlen };
	struct opts o;
	const char *p, *end, *q;
	int quoted = 0, r;
	size_t i;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL)
		return aerr(&c, "internal error: no output");
	memset(out, 0, sizeof(*out));
	out->expiry = -1;
	if (line == NULL)
		return aerr(&c, "internal error: no line");
	if (memchr(line, '\0', len) != NULL)
		return aerr(&c, "NUL byte in line");
	end = line + len;
	if (end > line && end[-1] == '\n')
		end--;
	if (end > line && end[-1] == '\r')
		end--;
	for (p = line; p < end && is_sp(*p); p++)
		;
	if (p >= end || *p == '#')
		return 0;

	if (starts_with_key(p, end)) {
		if (parse_key(&c, p, end, out) != 0) {
			cvm_akline_free(out);
			return -1;
		}
		return 0;
	}

	/* Options: they end at the first space or tab outside quotes. */
	memset(&o, 0, sizeof(o));
	o.p = p;
	for (q = p; q < end && (quoted || !is_sp(*q)); q++) {
		if (*q == '\\' && q + 1 < end && q[1] == '"')
			q++;
		else if (*q == '"')
			quoted = !quoted;
	}
	if (quoted)
		return aerr(&c, "unterminated quote in options");
	o.end = q;
	o.at_eol = q >= end;
	r = parse_options(&c, &o, out);
	for (i = 0; i < o.nenv; i++)
		free(o.env[i]);
	free(o.env);
	for (; q < end && is_sp(*q); q++)
		;
	if (r != 0) {
		if (q >= end || !starts_with_key(q, end)) {
			/* sshd only reads options in front of a key: the
			 * first word was probably meant as a key type. */
			char what[64], tmp[512];
			const char *w = p;

			while (w < end && !is_sp(*w))
				w++;
			shown(what, sizeof(what), p, (size_t)(w - p));
			snprintf(tmp, sizeof(tmp), "%s", err != NULL ? err : "");
			aerr(&c, "\"%s\" is not a key type (and as options: %s)",
			    what, tmp);
		}
		cvm_akline_free(out);
		return -1;
	}
	if (q >= end) {
		cvm_akline_free(out);
		return aerr(&c, "no key after the options");
	}
	if (parse_key(&c, q, end, out) != 0) {
		cvm_akline_free(out);
		return -1;
	}
	return 0;
}
