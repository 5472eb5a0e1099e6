/* Firewall evaluation for a new SSH connection: see fwrules.h.
 *
 * A chain's result is the set of outcomes the packet can reach in it
 * (ACCEPT, DROP, RETURN), built rule by rule: a rule that surely matches
 * ends the walk with its target's outcomes, one that surely does not is
 * skipped, one that might match adds its target's outcomes and the walk
 * goes on.  A base chain whose set is {DROP} blocks the connection; one
 * whose set holds DROP among others makes the answer unknown. */
#include "config.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fwrules.h"
#include "json.h"

#define O_ACC	1u
#define O_DROP	2u
#define O_RET	4u
#define O_CONT	8u
#define O_ANY	(O_ACC | O_DROP | O_CONT)

enum tri { T_NO, T_YES, T_MAYBE };

#define MAXDEPTH 32
/* Rule visits one evaluation may make: a bound on top of the memo
 * (below), for nat chains and whatever it misses. */
#define BUDGET 1000000L

/* ---- shared ---- */

static enum tri
tri_not(enum tri t)
{
	return t == T_YES ? T_NO : t == T_NO ? T_YES : T_MAYBE;
}

static enum tri
tri_and(enum tri a, enum tri b)
{
	if (a == T_NO || b == T_NO)
		return T_NO;
	return a == T_MAYBE || b == T_MAYBE ? T_MAYBE : T_YES;
}

/* A prefix length: only decimal digits, at most 128; -1 otherwise (a
 * mangled one must not make a net look like loopback). */
static long
prefix_len(const char *s)
{
	char *e;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &e, 10);
	return errno != 0 || *e != '\0' || v > 128 ? -1 : v;
}

/* The port a NAT target names: the leading decimal number of "2222" or
 * "2222-2223" (the first of a range, as before); 0 when there is none or
 * it is out of range, so the caller doubts the rule. */
static int
nat_port(const char *s)
{
	char *e;
	long v;

	errno = 0;
	v = strtol(s, &e, 10);
	return e == s || errno != 0 || v < 1 || v > 65535 ? 0 : (int)v;
}

/* addr[/prefix] or addr/dotted-mask; 1 src inside, 0 not, -1 cannot tell */
static int
cidr_match(const char *spec, int family, const unsigned char *src)
{
	char buf[128], *slash;
	unsigned char net[16], mask[16];
	int bits = family == AF_INET ? 32 : 128, i;
	size_t alen = family == AF_INET ? 4 : 16;

	if (strlen(spec) >= sizeof(buf))
		return -1;
	memcpy(buf, spec, strlen(spec) + 1);	/* fits: checked above */
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(family, buf, net) != 1)
		return -1;
	memset(mask, 0, sizeof(mask));
	if (slash && strchr(slash, '.') == NULL && strchr(slash, ':') == NULL) {
		char *e;
		long l = strtol(slash, &e, 10);

		if (*e != '\0' || l < 0 || l > bits)
			return -1;
		bits = (int)l;
		for (i = 0; i < bits; i++)
			mask[i / 8] |= (unsigned char)(0x80 >> (i % 8));
	} else if (slash) {
		if (inet_pton(family, slash, mask) != 1)
			return -1;
	} else
		memset(mask, 0xff, alen);
	for (i = 0; i < (int)alen; i++)
		if ((src[i] & mask[i]) != (net[i] & mask[i]))
			return 0;
	return 1;
}

static int
loopback_src(const struct cvm_fw_pkt *p)
{
	static const unsigned char lo6[16] = { [15] = 1 };

	if (!p->has_src)
		return 0;
	return p->family == AF_INET ? p->src[0] == 127 :
	    memcmp(p->src, lo6, 16) == 0;
}

/* A destination spec inside 127.0.0.0/8 or ::1: only the machine's own
 * traffic goes there (the kernel drops such packets from the network as
 * martians). */
static int
loopback_net(const char *spec)
{
	char buf[64], *slash;
	unsigned char a[16];

	if (strlen(spec) >= sizeof(buf))
		return 0;
	memcpy(buf, spec, strlen(spec) + 1);	/* fits: checked above */
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		return a[0] == 127 && (slash == NULL ||
		    (prefix_len(slash) >= 8 && prefix_len(slash) <= 32) ||
		    strncmp(slash, "255.", 4) == 0);
	if (inet_pton(AF_INET6, buf, a) == 1)
		return strcmp(buf, "::1") == 0 && (slash == NULL ||
		    strcmp(slash, "128") == 0);
	return 0;
}

static void
note(char *dst, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
note(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (dst[0] != '\0')
		return;		/* the first one is the one to name */
	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

/* ==== iptables-save ==================================================== */

struct irule {
	char *chain;
	char **tok;
	size_t ntok;
	int line;
};

struct ichain {
	char *name;
	char *policy;		/* "-" for a user chain */
};

#define NONE ((size_t)-1)
/* A chain's outcomes depend only on the packet: each is walked once per
 * base chain (not in nat, whose walk also sets the new port).  A chain
 * entered again while it is being walked is a loop. */
#define MEMO_DONE 0x100u
#define MEMO_BUSY 0x200u
struct memo {
	unsigned st;		/* MEMO_DONE|outcomes, or MEMO_BUSY */
	int port;		/* the REDIRECT port its walk set (nat), or 0 */
};
/* Entry of chain k: walked for sure, or only maybe (a jump whose rule
 * might not match: a REDIRECT there is not certain). */
#define MEMO_AT(k, maybe) ((k) * 2 + ((maybe) > 0))

struct itable {
	char name[16];
	struct ichain *c;
	size_t nc;
	struct irule *r;
	size_t nr;
	size_t *head;		/* per chain: its first rule, or NONE */
	size_t *next;		/* per rule: the next of its chain, or NONE */
};

struct ipt {
	struct itable t[8];
	size_t nt;
};

static void
ipt_free(struct ipt *x)
{
	size_t i, j, k;

	for (i = 0; i < x->nt; i++) {
		for (j = 0; j < x->t[i].nc; j++) {
			free(x->t[i].c[j].name);
			free(x->t[i].c[j].policy);
		}
		for (j = 0; j < x->t[i].nr; j++) {
			for (k = 0; k < x->t[i].r[j].ntok; k++)
				free(x->t[i].r[j].tok[k]);
			free(x->t[i].r[j].tok);
			free(x->t[i].r[j].chain);
		}
		free(x->t[i].c);
		free(x->t[i].r);
		free(x->t[i].head);
		free(x->t[i].next);
	}
}

/* Splits a line into words; "..." quoted with \" and \\ escapes (as
 * iptables-save writes comments).  -1 on an unterminated quote. */
static int
words(const char *s, char ***out, size_t *n)
{
	char **v = NULL, **nv, *w;
	size_t cap = 0, k, len = strlen(s);

	*out = NULL;
	*n = 0;
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (*s == '\0')
			break;
		if ((w = malloc(len + 1)) == NULL)
			goto fail;
		k = 0;
		if (*s == '"') {
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				w[k++] = *s;
			}
			if (*s != '"') {
				free(w);
				goto fail;
			}
			s++;
		} else
			while (*s && *s != ' ' && *s != '\t' && *s != '\r')
				w[k++] = *s++;
		w[k] = '\0';
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if (cap > 4096 || (nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(w);
				goto fail;
			}
			v = nv;
		}
		v[(*n)++] = w;
	}
	*out = v;
	return 0;
fail:
	while (*n > 0)
		free(v[--*n]);
	free(v);
	return -1;
}

/* Links each chain's rules in order, so a walk reads only its own. */
static int
ipt_index(struct itable *t)
{
	size_t i, k, *tail;

	t->head = malloc((t->nc + 1) * sizeof(*t->head));
	t->next = malloc((t->nr + 1) * sizeof(*t->next));
	tail = malloc((t->nc + 1) * sizeof(*tail));
	if (t->head == NULL || t->next == NULL || tail == NULL) {
		free(tail);
		return -1;
	}
	for (k = 0; k < t->nc; k++)
		t->head[k] = tail[k] = NONE;
	for (i = 0; i < t->nr; i++) {
		t->next[i] = NONE;
		for (k = 0; k < t->nc && strcmp(t->c[k].name, t->r[i].chain) != 0; k++)
			;
		if (k == t->nc)
			continue;	/* an undeclared chain: never reached */
		if (tail[k] == NONE)
			t->head[k] = i;
		else
			t->next[tail[k]] = i;
		tail[k] = i;
	}
	free(tail);
	return 0;
}

static int
ipt_parse(const char *text, struct ipt *x, char *err, size_t errlen)
{
	const char *p = text, *nl;
	struct itable *cur = NULL;
	int ln = 0;
	char line[8192];

	memset(x, 0, sizeof(*x));
	for (; *p; p = nl ? nl + 1 : p + strlen(p)) {
		size_t l;

		ln++;
		nl = strchr(p, '\n');
		l = nl ? (size_t)(nl - p) : strlen(p);
		if (l >= sizeof(line)) {
			snprintf(err, errlen, "line %d: too long", ln);
			return -1;
		}
		memcpy(line, p, l);
		line[l] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (line[0] == '*') {
			if (x->nt == 8) {
				snprintf(err, errlen, "line %d: too many tables", ln);
				return -1;
			}
			if (strlen(line + 1) >= sizeof(cur->name)) {
				snprintf(err, errlen, "line %d: bad table", ln);
				return -1;
			}
			cur = &x->t[x->nt++];
			memcpy(cur->name, line + 1, strlen(line + 1) + 1);
			continue;
		}
		if (strcmp(line, "COMMIT") == 0) {
			cur = NULL;
			continue;
		}
		if (cur == NULL) {
			snprintf(err, errlen, "line %d: outside a table", ln);
			return -1;
		}
		if (line[0] == ':') {
			char name[64], pol[32];
			struct ichain *nc;

			if (sscanf(line + 1, "%63s %31s", name, pol) != 2) {
				snprintf(err, errlen, "line %d: bad chain", ln);
				return -1;
			}
			if ((nc = realloc(cur->c, (cur->nc + 1) * sizeof(*nc))) == NULL)
				return -1;
			cur->c = nc;
			nc[cur->nc].name = strdup(name);
			nc[cur->nc].policy = strdup(pol);
			if (nc[cur->nc].name == NULL || nc[cur->nc].policy == NULL) {
				free(nc[cur->nc].name);
				free(nc[cur->nc].policy);
				return -1;
			}
			cur->nc++;
			continue;
		}
		{
			char **w;
			size_t nw, skip = 0;
			struct irule *nr;

			if (words(line, &w, &nw) != 0) {
				snprintf(err, errlen, "line %d: bad quoting", ln);
				return -1;
			}
			if (nw > 0 && w[0][0] == '[')	/* -c counters */
				skip = 1;
			if (nw < skip + 2 || strcmp(w[skip], "-A") != 0 ||
			    (nr = realloc(cur->r, (cur->nr + 1) * sizeof(*nr))) == NULL) {
				while (nw > 0)
					free(w[--nw]);
				free(w);
				snprintf(err, errlen, "line %d: not a rule", ln);
				return -1;
			}
			cur->r = nr;
			nr[cur->nr].chain = w[skip + 1];
			if (skip)
				free(w[0]);
			free(w[skip]);
			memmove(w, w + skip + 2, (nw - skip - 2) * sizeof(*w));
			nr[cur->nr].tok = w;
			nr[cur->nr].ntok = nw - skip - 2;
			nr[cur->nr].line = ln;
			cur->nr++;
		}
	}
	return 0;
}

struct ictx {
	const struct itable *t;
	const struct cvm_fw_pkt *pkt;
	const char *source;
	char why[256];
	char where[256];
	int nat;		/* evaluating nat PREROUTING */
	int newport;		/* a definite REDIRECT/DNAT port */
	int maybe;		/* inside a jump that might not happen */
	int natdoubt;		/* a NAT rule may (or surely does) send the
				   connection elsewhere: never "blocked" */
	int *untracked;		/* conntrack off for it (raw NOTRACK / CT
				   --notrack): 0 no, 1 maybe, 2 surely */
	long *budget;
	struct memo *memo;	/* 2 per chain (MEMO_AT) */
};

static const struct ichain *
ichain(const struct itable *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nc; i++)
		if (strcmp(t->c[i].name, name) == 0)
			return &t->c[i];
	return NULL;
}

static void
rule_text(const struct irule *r, char *buf, size_t len)
{
	size_t i, o;

	o = (size_t)snprintf(buf, len, "-A %s", r->chain);
	for (i = 0; i < r->ntok && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, " %s", r->tok[i]);
}

/* port list "22", "1000:2000", "22,80,8000:8100"; -1 unparsable */
static int
port_in(const char *spec, int port)
{
	char buf[512], *tok, *save = NULL;
	int hit = 0;

	if (strlen(spec) >= sizeof(buf))
		return -1;
	memcpy(buf, spec, strlen(spec) + 1);	/* fits: checked above */
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *c = strchr(tok, ':'), *e;
		long lo, hi;

		if (c) {
			*c = '\0';
			lo = *tok ? strtol(tok, &e, 10) : 0;
			if (*tok && *e)
				return -1;
			hi = c[1] ? strtol(c + 1, &e, 10) : 65535;
			if (c[1] && *e)
				return -1;
		} else {
			lo = hi = strtol(tok, &e, 10);
			if (*e || !*tok)
				return -1;
		}
		if (port >= lo && port <= hi)
			hit = 1;
	}
	return hit;
}

/* tcp flags of a SYN against "--tcp-flags MASK COMP" */
static enum tri
tcpflags(const char *mask, const char *comp)
{
	static const struct { const char *n; unsigned v; } f[] = {
		{ "FIN", 1 }, { "SYN", 2 }, { "RST", 4 }, { "PSH", 8 },
		{ "ACK", 16 }, { "URG", 32 }, { "ECE", 64 }, { "CWR", 128 },
		{ "ALL", 255 }, { "NONE", 0 } };
	const char *s[2] = { mask, comp };
	unsigned v[2] = { 0, 0 }, k;
	size_t i;

	for (k = 0; k < 2; k++) {
		char buf[128], *tok, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", s[k]);
		for (tok = strtok_r(buf, ",", &save); tok;
		    tok = strtok_r(NULL, ",", &save)) {
			for (i = 0; i < sizeof(f) / sizeof(f[0]) &&
			    strcmp(f[i].n, tok) != 0; i++)
				;
			if (i == sizeof(f) / sizeof(f[0]))
				return T_MAYBE;
			v[k] |= f[i].v;
		}
	}
	return (2u & v[0]) == v[1] ? T_YES : T_NO;
}

/* How many values an option takes, -1 unknown. */
static int
arity(const char *o)
{
	static const char *const one[] = { "-m", "--match", "-p", "--protocol",
	    "-s", "--source", "-d", "--destination", "-i", "--in-interface",
	    "-o", "--out-interface", "--dport", "--destination-port",
	    "--dports", "--destination-ports", "--sport", "--source-port",
	    "--sports", "--source-ports", "--ports", "--state", "--ctstate",
	    "--comment", "--dst-type", "--src-type",
	    "--name", "--seconds", "--hitcount", "--limit", "--limit-burst",
	    "--mark", "--log-prefix", "--log-level", "--uid-owner",
	    "--icmp-type", "--icmpv6-type", NULL };
	static const char *const zero[] = { "--syn", "-f", "--fragment",
	    "--rcheck", "--update", "--set", "--remove", "--rsource",
	    "--rdest", NULL };
	size_t i;

	if (strcmp(o, "--tcp-flags") == 0 || strcmp(o, "--match-set") == 0)
		return 2;
	for (i = 0; one[i]; i++)
		if (strcmp(o, one[i]) == 0)
			return 1;
	for (i = 0; zero[i]; i++)
		if (strcmp(o, zero[i]) == 0)
			return 0;
	return -1;
}

/* Whether a rule matches the packet; *tgt the index of -j/-g (or ntok). */
static enum tri
ipt_match(const struct ictx *x, const struct irule *r, size_t *tgt)
{
	const struct cvm_fw_pkt *p = x->pkt;
	enum tri m = T_YES, c;
	size_t i = 0, n = r->ntok;
	int neg = 0;

	*tgt = n;
	while (i < n) {
		const char *o = r->tok[i];
		const char *a1;
		size_t used = 1;

		if (strcmp(o, "!") == 0) {
			neg = 1;
			i++;
			continue;
		}
		if (strcmp(o, "-j") == 0 || strcmp(o, "-g") == 0 ||
		    strcmp(o, "--jump") == 0 || strcmp(o, "--goto") == 0) {
			*tgt = i;
			break;
		}
		/* an option's values: a known count (a quoted value may
		 * start with '-'), else the words up to the next option */
		if (arity(o) >= 0)
			used = 1 + (size_t)arity(o);
		else
			while (i + used < n && r->tok[i + used][0] != '-' &&
			    strcmp(r->tok[i + used], "!") != 0)
				used++;
		if (i + used > n)
			return T_MAYBE;		/* a value missing */
		a1 = used > 1 ? r->tok[i + 1] : NULL;
		c = T_MAYBE;
		if (strcmp(o, "-m") == 0 || strcmp(o, "--match") == 0 ||
		    strcmp(o, "--comment") == 0 ||
		    strcmp(o, "--syn") == 0)	/* a SYN is what a new connection sends */
			c = T_YES;
		else if ((strcmp(o, "-p") == 0 || strcmp(o, "--protocol") == 0) && a1)
			c = strcmp(a1, "tcp") == 0 || strcmp(a1, "6") == 0 ||
			    strcmp(a1, "all") == 0 || strcmp(a1, "0") == 0 ?
			    T_YES : T_NO;
		else if ((strcmp(o, "-s") == 0 || strcmp(o, "--source") == 0) && a1) {
			if (p->has_src) {
				char buf[512], *tok, *save = NULL;
				int any = 0, bad = 0, rr;

				snprintf(buf, sizeof(buf), "%s", a1);
				for (tok = strtok_r(buf, ",", &save); tok;
				    tok = strtok_r(NULL, ",", &save)) {
					rr = cidr_match(tok, p->family, p->src);
					any |= rr == 1;
					bad |= rr < 0;
				}
				c = any ? T_YES : bad ? T_MAYBE : T_NO;
			} else
				c = cidr_match(a1, p->family, p->src) >= 0 &&
				    (strcmp(a1, "0.0.0.0/0") == 0 ||
				    strcmp(a1, "::/0") == 0) ? T_YES : T_MAYBE;
		} else if ((strcmp(o, "-d") == 0 || strcmp(o, "--destination") == 0) && a1)
			c = strcmp(a1, "0.0.0.0/0") == 0 || strcmp(a1, "::/0") == 0 ?
			    T_YES : loopback_net(a1) && !loopback_src(p) ? T_NO :
			    T_MAYBE;
		else if ((strcmp(o, "-i") == 0 || strcmp(o, "--in-interface") == 0) && a1) {
			/* from the network: not lo (lo carries only the
			 * machine's own traffic) */
			if (strcmp(a1, "+") == 0)
				c = T_YES;
			else if (strcmp(a1, "lo") == 0)
				c = loopback_src(p) ? T_YES : T_NO;
			else
				c = T_MAYBE;
		} else if (strcmp(o, "-f") == 0 || strcmp(o, "--fragment") == 0)
			c = T_NO;
		else if ((strcmp(o, "--dport") == 0 ||
		    strcmp(o, "--destination-port") == 0 ||
		    strcmp(o, "--dports") == 0 ||
		    strcmp(o, "--destination-ports") == 0) && a1) {
			int rr = port_in(a1, p->dport);

			c = rr < 0 ? T_MAYBE : rr ? T_YES : T_NO;
		} else if ((strcmp(o, "--sport") == 0 ||
		    strcmp(o, "--source-port") == 0 ||
		    strcmp(o, "--sports") == 0 ||
		    strcmp(o, "--source-ports") == 0) && a1)
			c = strcmp(a1, "0:65535") == 0 || strcmp(a1, "1:65535") == 0 ?
			    T_YES : T_MAYBE;
		else if (strcmp(o, "--ports") == 0 && a1) {
			int rr = port_in(a1, p->dport);

			c = rr > 0 ? T_YES : T_MAYBE;
		} else if (strcmp(o, "--tcp-flags") == 0 && used >= 3)
			c = tcpflags(r->tok[i + 1], r->tok[i + 2]);
		else if ((strcmp(o, "--state") == 0 || strcmp(o, "--ctstate") == 0) && a1) {
			char buf[256], *tok, *save = NULL;

			int isnew = 0, isuntr = 0, other = 0;
			int u = x->untracked ? *x->untracked : 0;

			snprintf(buf, sizeof(buf), "%s", a1);
			for (tok = strtok_r(buf, ",", &save); tok;
			    tok = strtok_r(NULL, ",", &save)) {
				if (strcmp(tok, "NEW") == 0)
					isnew = 1;
				else if (strcmp(tok, "UNTRACKED") == 0)
					isuntr = 1;
				else if (strcmp(tok, "DNAT") == 0 ||
				    strcmp(tok, "SNAT") == 0)
					other = 1;
			}
			/* the first packet is NEW, or UNTRACKED when raw
			 * switched conntrack off for it */
			if (u == 2)
				c = isuntr ? T_YES : T_NO;
			else if (u == 1)
				c = isnew && isuntr ? T_YES : isnew || isuntr ?
				    T_MAYBE : T_NO;
			else
				c = isnew ? T_YES : T_NO;
			if (c == T_NO && other)
				c = T_MAYBE;
		} else if ((strcmp(o, "--dst-type") == 0 ||
		    strcmp(o, "--src-type") == 0) && a1) {
			/* addrtype: a connection to one of the machine's
			 * addresses (type LOCAL) from a remote unicast one */
			const char *want = o[2] == 'd' || loopback_src(p) ?
			    "LOCAL" : "UNICAST";
			char buf[256], *tok, *save = NULL;

			snprintf(buf, sizeof(buf), "%s", a1);
			c = T_NO;
			for (tok = strtok_r(buf, ",", &save); tok;
			    tok = strtok_r(NULL, ",", &save))
				if (strcmp(tok, want) == 0)
					c = T_YES;
		} else if (strcmp(o, "--limit-iface-in") == 0 ||
		    strcmp(o, "--limit-iface-out") == 0)
			c = T_MAYBE;
		if (neg)
			c = tri_not(c);
		neg = 0;
		m = tri_and(m, c);
		i += used;
	}
	return m;
}

static unsigned ipt_chain(struct ictx *x, const char *chain, int depth);

/* The outcomes of a rule's target (O_CONT: the walk goes on). */
static unsigned
ipt_target(struct ictx *x, const struct irule *r, size_t ti, enum tri m,
    const char *text, int depth)
{
	const char *t, *opt;
	int go;
	size_t i;

	if (ti >= r->ntok)
		return O_CONT;		/* no target: counts only */
	if (ti + 1 >= r->ntok)
		return O_ANY;
	go = strcmp(r->tok[ti], "-g") == 0 || strcmp(r->tok[ti], "--goto") == 0;
	t = r->tok[ti + 1];
	if (strcmp(t, "ACCEPT") == 0)
		return O_ACC;
	if (strcmp(t, "DROP") == 0 || strcmp(t, "REJECT") == 0 ||
	    strcmp(t, "TARPIT") == 0)
		return O_DROP;
	if (strcmp(t, "RETURN") == 0)
		return O_RET;
	if (strcmp(t, "NOTRACK") == 0 || strcmp(t, "CT") == 0) {
		int off = t[0] == 'N';

		for (i = ti + 2; i < r->ntok; i++)
			if (strcmp(r->tok[i], "--notrack") == 0)
				off = 1;
		if (off && x->untracked && m != T_NO &&
		    *x->untracked < (m == T_YES && x->maybe == 0 ? 2 : 1))
			*x->untracked = m == T_YES && x->maybe == 0 ? 2 : 1;
		return O_CONT;
	}
	if (strcmp(t, "LOG") == 0 || strcmp(t, "NFLOG") == 0 ||
	    strcmp(t, "ULOG") == 0 || strcmp(t, "MARK") == 0 ||
	    strcmp(t, "CONNMARK") == 0 || strcmp(t, "TRACE") == 0 ||
	    strcmp(t, "AUDIT") == 0 || strcmp(t, "CT") == 0 ||
	    strcmp(t, "TCPMSS") == 0 || strcmp(t, "CLASSIFY") == 0 ||
	    strcmp(t, "DSCP") == 0 || strcmp(t, "TOS") == 0 ||
	    strcmp(t, "TTL") == 0 || strcmp(t, "HL") == 0 ||
	    strcmp(t, "SET") == 0 || strcmp(t, "CHECKSUM") == 0 ||
	    strcmp(t, "CONNSECMARK") == 0 || strcmp(t, "SECMARK") == 0)
		return O_CONT;
	if (x->nat && (strcmp(t, "REDIRECT") == 0 || strcmp(t, "DNAT") == 0)) {
		int port = 0, addr = 0;

		for (i = ti + 2; i + 1 < r->ntok; i++) {
			opt = r->tok[i];
			if (strcmp(opt, "--to-ports") == 0 ||
			    strcmp(opt, "--to-port") == 0)
				port = nat_port(r->tok[i + 1]);
			else if (strcmp(opt, "--to-destination") == 0) {
				const char *v = r->tok[i + 1], *c;

				/* [addr][:port]; v6 as [addr]:port */
				c = strrchr(v, ':');
				if (v[0] == ':')
					port = nat_port(v + 1);
				else if (v[0] == '[' && (c = strstr(v, "]:")) != NULL) {
					port = nat_port(c + 2);
					addr = 1;
				} else if (x->pkt->family == AF_INET && c) {
					port = nat_port(c + 1);
					addr = 1;
				} else
					addr = 1;
			}
		}
		if (m == T_YES && x->maybe == 0 && !addr && port > 0 &&
		    port <= 65535) {
			x->newport = port;
			return O_ACC;
		}
		note(x->why, sizeof(x->why), "%s nat: %s (%s)", x->source, text,
		    addr ? "the connection may be sent to another address" :
		    "may change the port");
		x->natdoubt = 1;
		return O_ACC | O_CONT;
	}
	if (ichain(x->t, t) != NULL && strcmp(ichain(x->t, t)->policy, "-") == 0) {
		unsigned s;

		x->maybe += m != T_YES;
		s = ipt_chain(x, t, depth + 1);
		x->maybe -= m != T_YES;

		if (!go && (s & O_RET))
			s = (s & ~O_RET) | O_CONT;
		return s;
	}
	note(x->why, sizeof(x->why), "%s %s: %s (target %s)", x->source,
	    x->t->name, text, t);
	return O_ANY;
}

static unsigned ipt_walk(struct ictx *x, size_t k, int depth);

static unsigned
ipt_chain(struct ictx *x, const char *chain, int depth)
{
	unsigned s;
	size_t k;

	if (depth > MAXDEPTH) {
		note(x->why, sizeof(x->why), "%s: chains nested too deep",
		    x->source);
		return O_ANY;
	}
	for (k = 0; k < x->t->nc && strcmp(x->t->c[k].name, chain) != 0; k++)
		;
	if (k < x->t->nc && x->memo) {
		struct memo *me = &x->memo[MEMO_AT(k, x->maybe)];
		int before = x->newport;

		if (me->st & MEMO_BUSY) {
			note(x->why, sizeof(x->why), "%s: chain %s loops",
			    x->source, chain);
			return O_ANY;
		}
		if (me->st & MEMO_DONE) {
			if (me->port)
				x->newport = me->port;
			return me->st & ~MEMO_DONE;
		}
		me->st = MEMO_BUSY;
		s = ipt_walk(x, k, depth);
		me = &x->memo[MEMO_AT(k, x->maybe)];
		me->st = MEMO_DONE | s;
		me->port = x->newport != before ? x->newport : 0;
		return s;
	}
	return ipt_walk(x, k, depth);
}

static unsigned
ipt_walk(struct ictx *x, size_t k, int depth)
{
	unsigned acc = 0, s;
	size_t i, ti;
	char text[200];

	for (i = k < x->t->nc ? x->t->head[k] : NONE; i != NONE;
	    i = x->t->next[i]) {
		const struct irule *r = &x->t->r[i];
		enum tri m;

		if (--*x->budget < 0) {
			note(x->why, sizeof(x->why), "%s: ruleset too complex to "
			    "walk", x->source);
			return acc | O_ANY;
		}
		if ((m = ipt_match(x, r, &ti)) == T_NO)
			continue;
		rule_text(r, text, sizeof(text));
		if (m == T_MAYBE && ti < r->ntok)
			note(x->why, sizeof(x->why), "%s %s: %s", x->source,
			    x->t->name, text);
		s = ipt_target(x, r, ti, m, text, depth);
		if (m == T_YES && !(s & O_CONT)) {
			if (s == O_DROP && !(acc & (O_ACC | O_RET)))
				note(x->where, sizeof(x->where), "%s %s: %s",
				    x->source, x->t->name, text);
			return acc | s;
		}
		acc |= s & ~O_CONT;
	}
	return acc | O_RET;
}

/* Folds one base chain's outcomes into the verdict. */
static void
fold(struct cvm_fw_verdict *v, unsigned s, const char *where, const char *why)
{
	if (s == O_DROP) {
		if (v->state != CVM_FW_BLOCKED)
			snprintf(v->where, sizeof(v->where), "%s", where);
		v->state = CVM_FW_BLOCKED;
	} else if ((s & O_DROP) && v->state == CVM_FW_OPEN) {
		v->state = CVM_FW_UNKNOWN;
		snprintf(v->why, sizeof(v->why), "%s", why[0] ? why :
		    "a rule that cannot be decided");
	}
}

/* A NAT rule that may send the connection elsewhere: what the input
 * path does to the original port does not decide it. */
static void
undoubt(struct cvm_fw_verdict *v, const char *doubt)
{
	if (doubt[0] == '\0' || v->state != CVM_FW_BLOCKED)
		return;
	v->state = CVM_FW_UNKNOWN;
	snprintf(v->why, sizeof(v->why), "%s", doubt);
}

static void
verdict_init(struct cvm_fw_verdict *v, const struct cvm_fw_pkt *pkt)
{
	memset(v, 0, sizeof(*v));
	v->state = CVM_FW_OPEN;
	v->dport = pkt->dport;
}

int
cvm_fw_iptables(const char *text, const struct cvm_fw_pkt *pkt,
    const char *source, struct cvm_fw_verdict *v, char *err, size_t errlen)
{
	/* the input path, in the kernel's order of hooks and priorities */
	static const char *const path[][2] = {
		{ "raw", "PREROUTING" }, { "mangle", "PREROUTING" },
		{ "nat", "PREROUTING" }, { "mangle", "INPUT" },
		{ "filter", "INPUT" }, { "security", "INPUT" } };
	struct cvm_fw_pkt p = *pkt;
	struct ipt x;
	size_t i, k;
	long budget = BUDGET;
	char doubt[256] = "";
	int untracked = 0;

	verdict_init(v, pkt);
	if (ipt_parse(text, &x, err, errlen) != 0) {
		ipt_free(&x);
		return -1;
	}
	for (k = 0; k < x.nt; k++)
		if (ipt_index(&x.t[k]) != 0) {
			snprintf(err, errlen, "out of memory");
			ipt_free(&x);
			return -1;
		}
	for (i = 0; i < sizeof(path) / sizeof(path[0]); i++)
		for (k = 0; k < x.nt; k++) {
			const struct ichain *c;
			struct ictx cx;
			unsigned s;

			if (strcmp(x.t[k].name, path[i][0]) != 0 ||
			    (c = ichain(&x.t[k], path[i][1])) == NULL ||
			    strcmp(c->policy, "-") == 0)
				continue;
			memset(&cx, 0, sizeof(cx));
			cx.t = &x.t[k];
			cx.pkt = &p;
			cx.source = source;
			cx.nat = strcmp(path[i][0], "nat") == 0;
			cx.budget = &budget;
			cx.untracked = &untracked;
			cx.memo = calloc(2 * x.t[k].nc + 2, sizeof(*cx.memo));
			s = ipt_chain(&cx, c->name, 0);
			free(cx.memo);
			if (s & O_RET) {
				s &= ~O_RET;
				if (strcmp(c->policy, "DROP") == 0) {
					s |= O_DROP;
					note(cx.where, sizeof(cx.where),
					    "%s %s: chain %s policy DROP", source,
					    x.t[k].name, c->name);
				} else
					s |= O_ACC;
			}
			if (cx.nat && cx.newport)
				p.dport = v->dport = cx.newport;
			if (cx.natdoubt && !doubt[0])
				snprintf(doubt, sizeof(doubt), "%s", cx.why);
			fold(v, s, cx.where, cx.why);
		}
	undoubt(v, doubt);
	ipt_free(&x);
	return 0;
}

/* ==== nft -j list ruleset ============================================= */

/* The rules of one chain, linked in order (nft lists them in order). */
struct nchain {
	const char *family, *table, *name;
	size_t head, tail;
};

struct nidx {
	struct nchain *c;
	size_t nc;
	size_t *next;		/* per item: the next rule of its chain */
	const struct cvm_json **rule;	/* per item: its "rule" object */
};

struct nctx {
	const struct nidx *ix;
	const struct cvm_json *items;	/* the "nftables" array */
	const struct cvm_fw_pkt *pkt;
	const char *family, *table;
	char why[256];
	char where[256];
	int nat;
	int newport;
	int redirected;		/* a NAT rule changed the port before */
	int maybe;		/* inside a jump that might not happen */
	int natdoubt;		/* as struct ictx's */
	int *untracked;		/* as struct ictx's */
	long *budget;
	struct memo *memo;	/* 2 per ix chain (MEMO_AT) */
};

static const char *
jstr(const struct cvm_json *o, const char *k)
{
	const struct cvm_json *v = o ? cvm_json_get(o, k) : NULL;

	return v && v->type == CVM_JSON_STRING ? v->s : NULL;
}

/* The kinds of packet property an expression can name. */
enum kind { K_UNKNOWN, K_DPORT, K_SRC, K_DST, K_L4, K_NFPROTO, K_IIF,
	K_CTSTATE, K_CTSTATUS, K_TCPFLAGS, K_DTYPE, K_FAMILY_MISMATCH, K_ANY };

static enum kind
left_kind(const struct nctx *x, const struct cvm_json *l)
{
	const struct cvm_json *pl = cvm_json_get(l, "payload"),
	    *meta = cvm_json_get(l, "meta"), *ct = cvm_json_get(l, "ct"),
	    *fib = cvm_json_get(l, "fib");
	int v4 = x->pkt->family == AF_INET;

	if (l->type != CVM_JSON_OBJECT)
		return K_UNKNOWN;
	if (pl) {
		const char *proto = jstr(pl, "protocol"), *f = jstr(pl, "field");

		if (proto == NULL || f == NULL)
			return K_UNKNOWN;
		if (strcmp(proto, "tcp") == 0 || strcmp(proto, "th") == 0) {
			if (strcmp(f, "dport") == 0)
				return K_DPORT;
			if (strcmp(f, "flags") == 0 && strcmp(proto, "tcp") == 0)
				return K_TCPFLAGS;
			return K_UNKNOWN;
		}
		if (strcmp(proto, "ip") == 0 || strcmp(proto, "ip6") == 0) {
			/* an ip expression never matches an IPv6 packet */
			if (v4 != (strcmp(proto, "ip") == 0))
				return K_FAMILY_MISMATCH;
			if (strcmp(f, "saddr") == 0)
				return K_SRC;
			if (strcmp(f, "daddr") == 0)
				return K_DST;
			if (strcmp(f, "protocol") == 0 || strcmp(f, "nexthdr") == 0)
				return K_L4;
			return K_UNKNOWN;
		}
		/* udp, icmp, sctp...: never a TCP packet */
		if (strcmp(proto, "udp") == 0 || strcmp(proto, "icmp") == 0 ||
		    strcmp(proto, "icmpv6") == 0 || strcmp(proto, "sctp") == 0 ||
		    strcmp(proto, "udplite") == 0 || strcmp(proto, "dccp") == 0)
			return K_FAMILY_MISMATCH;
		return K_UNKNOWN;
	}
	if (meta) {
		const char *k = jstr(meta, "key");

		if (k == NULL)
			return K_UNKNOWN;
		if (strcmp(k, "l4proto") == 0)
			return K_L4;
		if (strcmp(k, "nfproto") == 0)
			return K_NFPROTO;
		if (strcmp(k, "iifname") == 0 || strcmp(k, "iif") == 0)
			return K_IIF;
		return K_UNKNOWN;
	}
	if (ct && jstr(ct, "key") && strcmp(jstr(ct, "key"), "state") == 0)
		return K_CTSTATE;
	if (ct && jstr(ct, "key") && strcmp(jstr(ct, "key"), "status") == 0)
		return K_CTSTATUS;
	/* fib daddr type: the address type of the destination */
	if (fib && jstr(fib, "result") && strcmp(jstr(fib, "result"), "type") == 0) {
		const struct cvm_json *fl = cvm_json_get(fib, "flags");

		if (fl && ((fl->type == CVM_JSON_STRING && strcmp(fl->s, "daddr") == 0) ||
		    (fl->type == CVM_JSON_ARRAY && fl->n == 1 &&
		    fl->items[0].type == CVM_JSON_STRING &&
		    strcmp(fl->items[0].s, "daddr") == 0)))
			return K_DTYPE;
	}
	return K_UNKNOWN;
}

/* One value against the packet's: 1, 0, -1 cannot tell. */
static int
value_is(const struct nctx *x, enum kind k, const struct cvm_json *r)
{
	const struct cvm_fw_pkt *p = x->pkt;

	if (r->type == CVM_JSON_OBJECT) {
		const struct cvm_json *rg = cvm_json_get(r, "range"),
		    *pf = cvm_json_get(r, "prefix");

		if (rg && rg->type == CVM_JSON_ARRAY && rg->n == 2 && k == K_DPORT &&
		    rg->items[0].type == CVM_JSON_INT &&
		    rg->items[1].type == CVM_JSON_INT)
			return p->dport >= rg->items[0].i && p->dport <= rg->items[1].i;
		if (pf && k == K_DST) {
			const char *ad = jstr(pf, "addr");
			const struct cvm_json *len = cvm_json_get(pf, "len");
			char spec[160];

			if (ad == NULL || len == NULL || len->type != CVM_JSON_INT)
				return -1;
			snprintf(spec, sizeof(spec), "%s/%lld", ad, (long long)len->i);
			return loopback_net(spec) && !loopback_src(p) ? 0 : -1;
		}
		if (pf && k == K_SRC && p->has_src) {
			const char *ad = jstr(pf, "addr");
			const struct cvm_json *len = cvm_json_get(pf, "len");
			char spec[160];

			if (ad == NULL || len == NULL || len->type != CVM_JSON_INT)
				return -1;
			snprintf(spec, sizeof(spec), "%s/%lld", ad, (long long)len->i);
			return cidr_match(spec, p->family, p->src);
		}
		return -1;
	}
	switch (k) {
	case K_DPORT:
		if (r->type == CVM_JSON_INT)
			return r->i == p->dport;
		if (r->type == CVM_JSON_STRING && strcmp(r->s, "ssh") == 0)
			return p->dport == 22;
		return -1;
	case K_SRC:
		if (r->type != CVM_JSON_STRING || r->s[0] == '@' || !p->has_src)
			return -1;
		return cidr_match(r->s, p->family, p->src);
	case K_DST:
		/* only the machine's own traffic goes to loopback */
		if (r->type == CVM_JSON_STRING && loopback_net(r->s) &&
		    !loopback_src(p))
			return 0;
		return -1;
	case K_DTYPE:
		if (r->type != CVM_JSON_STRING)
			return -1;
		return strcmp(r->s, "local") == 0;
	case K_L4:
		if (r->type == CVM_JSON_INT)
			return r->i == 6;
		if (r->type == CVM_JSON_STRING)
			return strcmp(r->s, "tcp") == 0 ? 1 : r->s[0] == '@' ? -1 : 0;
		return -1;
	case K_NFPROTO:
		if (r->type != CVM_JSON_STRING)
			return -1;
		return strcmp(r->s, p->family == AF_INET ? "ipv4" : "ipv6") == 0;
	case K_IIF:
		if (r->type == CVM_JSON_STRING && strcmp(r->s, "lo") == 0)
			return loopback_src(p);
		return -1;
	case K_CTSTATE:
		if (r->type != CVM_JSON_STRING)
			return -1;
		switch (x->untracked ? *x->untracked : 0) {
		case 2:
			return strcmp(r->s, "untracked") == 0;
		case 1:
			return strcmp(r->s, "new") == 0 ||
			    strcmp(r->s, "untracked") == 0 ? -1 : 0;
		default:
			return strcmp(r->s, "new") == 0;
		}
	case K_CTSTATUS:
		/* the first packet: dnat only when a NAT rule above took it
		 * (firewalld's "ct status dnat accept") */
		if (r->type != CVM_JSON_STRING)
			return -1;
		if (strcmp(r->s, "dnat") == 0)
			return x->redirected;
		if (strcmp(r->s, "snat") == 0 || strcmp(r->s, "expected") == 0 ||
		    strcmp(r->s, "seen-reply") == 0 || strcmp(r->s, "assured") == 0)
			return 0;
		return -1;
	case K_TCPFLAGS:
		if (r->type != CVM_JSON_STRING)
			return -1;
		return strcmp(r->s, "syn") == 0;
	default:
		return -1;
	}
}

static enum tri
nft_match(const struct nctx *x, const struct cvm_json *m)
{
	const char *op = jstr(m, "op");
	const struct cvm_json *l = cvm_json_get(m, "left"),
	    *r = cvm_json_get(m, "right"), *set;
	enum kind k;
	enum tri t = T_NO;
	int neg = 0;
	size_t i;

	if (op == NULL || l == NULL || r == NULL)
		return T_MAYBE;
	if ((k = left_kind(x, l)) == K_FAMILY_MISMATCH)
		return T_NO;	/* the expression itself fails to load */
	if (k == K_UNKNOWN)
		return T_MAYBE;
	if (strcmp(op, "!=") == 0)
		neg = 1;
	else if (strcmp(op, "<") == 0 || strcmp(op, ">") == 0 ||
	    strcmp(op, "<=") == 0 || strcmp(op, ">=") == 0) {
		long long v;

		if (k != K_DPORT || r->type != CVM_JSON_INT)
			return T_MAYBE;
		v = r->i;
		return (op[0] == '<' ? (op[1] ? x->pkt->dport <= v :
		    x->pkt->dport < v) : (op[1] ? x->pkt->dport >= v :
		    x->pkt->dport > v)) ? T_YES : T_NO;
	} else if (strcmp(op, "==") != 0 && strcmp(op, "in") != 0)
		return T_MAYBE;
	/* a list (ct state, tcp flags) or an anonymous set: any element;
	 * for flags and states "in" tests bits, equally any element here
	 * since the packet has exactly one (NEW, SYN) */
	if (r->type == CVM_JSON_ARRAY ||
	    (r->type == CVM_JSON_OBJECT && (set = cvm_json_get(r, "set")) &&
	    set->type == CVM_JSON_ARRAY)) {
		const struct cvm_json *arr = r->type == CVM_JSON_ARRAY ? r :
		    cvm_json_get(r, "set");

		for (i = 0; i < arr->n; i++) {
			int v = value_is(x, k, &arr->items[i]);

			if (v == 1) {
				t = T_YES;
				break;
			}
			if (v < 0)
				t = T_MAYBE;
		}
	} else {
		int v = value_is(x, k, r);

		t = v == 1 ? T_YES : v == 0 ? T_NO : T_MAYBE;
	}
	return neg ? tri_not(t) : t;
}

static unsigned nft_chain(struct nctx *x, const char *chain, int depth);

static unsigned
verdict_of(struct nctx *x, const char *name, const struct cvm_json *arg,
    enum tri m, int depth, int *known)
{
	*known = 1;
	if (strcmp(name, "accept") == 0)
		return O_ACC;
	if (strcmp(name, "drop") == 0 || strcmp(name, "reject") == 0)
		return O_DROP;
	if (strcmp(name, "return") == 0)
		return O_RET;
	if (strcmp(name, "continue") == 0)
		return O_CONT;
	if (strcmp(name, "jump") == 0 || strcmp(name, "goto") == 0) {
		const char *t = jstr(arg, "target");
		unsigned s;

		if (t == NULL)
			return O_ANY;
		x->maybe += m != T_YES;
		s = nft_chain(x, t, depth + 1);
		x->maybe -= m != T_YES;
		if (name[0] == 'j' && (s & O_RET))
			s = (s & ~O_RET) | O_CONT;
		return s;
	}
	*known = 0;
	return 0;
}

/* statements that do not change the verdict */
static int
passive(const char *name)
{
	static const char *const n[] = { "counter", "log", "comment", "mangle",
	    "notrack", "set", "ct helper", "ct timeout", "ct expectation",
	    "meter", "dup", "fwd", "flow", "tproxy", "synproxy", "secmark",
	    NULL };
	size_t i;

	for (i = 0; n[i]; i++)
		if (strcmp(n[i], name) == 0)
			return strcmp(name, "fwd") != 0 && strcmp(name, "tproxy")
			    != 0 && strcmp(name, "synproxy") != 0;
	return 0;
}

/* A rule: its match state and the outcomes of its verdict. */
static unsigned
nft_rule(struct nctx *x, const struct cvm_json *expr, enum tri *mout,
    int depth, const char *text)
{
	enum tri m = T_YES;
	size_t i;

	*mout = T_YES;
	for (i = 0; i < expr->n; i++) {
		const struct cvm_json *st = &expr->items[i];
		const char *name;
		const struct cvm_json *arg;
		unsigned s;
		int known;

		if (st->type != CVM_JSON_OBJECT || st->n != 1) {
			*mout = m == T_NO ? T_NO : T_MAYBE;
			return O_ANY;
		}
		name = st->keys[0];
		arg = &st->items[0];
		if (strcmp(name, "match") == 0) {
			enum tri t = nft_match(x, arg);

			if (t == T_MAYBE)
				note(x->why, sizeof(x->why), "nft %s %s: %s",
				    x->family, x->table, text);
			if ((m = tri_and(m, t)) == T_NO) {
				*mout = T_NO;
				return 0;
			}
			continue;
		}
		if (strcmp(name, "limit") == 0 || strcmp(name, "quota") == 0 ||
		    strcmp(name, "xt") == 0) {
			if (strcmp(name, "xt") == 0 && jstr(arg, "type") &&
			    strcmp(jstr(arg, "type"), "target") == 0) {
				note(x->why, sizeof(x->why), "nft %s %s: %s (an "
				    "iptables target)", x->family, x->table, text);
				*mout = m;
				return O_ANY;
			}
			note(x->why, sizeof(x->why), "nft %s %s: %s", x->family,
			    x->table, text);
			m = tri_and(m, T_MAYBE);
			continue;
		}
		if (strcmp(name, "notrack") == 0) {
			int u = m == T_YES && x->maybe == 0 ? 2 : 1;

			if (x->untracked && *x->untracked < u)
				*x->untracked = u;
			continue;
		}
		if (passive(name))
			continue;
		if (x->nat && (strcmp(name, "redirect") == 0 ||
		    strcmp(name, "dnat") == 0)) {
			const struct cvm_json *port = cvm_json_get(arg, "port");
			int addr = cvm_json_get(arg, "addr") != NULL;

			*mout = m;
			if (m == T_YES && x->maybe == 0 && !addr && port &&
			    port->type == CVM_JSON_INT && port->i > 0 &&
			    port->i <= 65535) {
				x->newport = (int)port->i;
				return O_ACC;
			}
			note(x->why, sizeof(x->why), "nft %s %s: %s (%s)",
			    x->family, x->table, text, addr ? "the connection "
			    "may be sent to another address" : "may change the "
			    "port");
			x->natdoubt = 1;
			return O_ACC | O_CONT;
		}
		if (strcmp(name, "vmap") == 0) {
			const struct cvm_json *key = cvm_json_get(arg, "key"),
			    *data = cvm_json_get(arg, "data"), *set;
			unsigned acc = 0;
			size_t j;
			int decided = 0;

			*mout = m;
			set = data ? cvm_json_get(data, "set") : NULL;
			if (key == NULL || set == NULL || set->type != CVM_JSON_ARRAY) {
				note(x->why, sizeof(x->why), "nft %s %s: %s",
				    x->family, x->table, text);
				return O_ANY;
			}
			for (j = 0; j < set->n && !decided; j++) {
				const struct cvm_json *e = &set->items[j], *vv;
				struct cvm_json mm, kv[3];
				char *keys[3] = { "op", "left", "right" };
				enum tri t;

				if (e->type != CVM_JSON_ARRAY || e->n != 2 ||
				    e->items[1].type != CVM_JSON_OBJECT ||
				    e->items[1].n != 1)
					return O_ANY;
				/* key == element, as a match */
				memset(&mm, 0, sizeof(mm));
				memset(kv, 0, sizeof(kv));
				mm.type = CVM_JSON_OBJECT;
				mm.n = 3;
				mm.items = kv;
				mm.keys = keys;
				kv[0].type = CVM_JSON_STRING;
				kv[0].s = (char *)"==";
				kv[1] = *key;
				kv[2] = e->items[0];
				t = nft_match(x, &mm);
				if (t == T_NO)
					continue;
				vv = &e->items[1];
				s = verdict_of(x, vv->keys[0], &vv->items[0],
				    tri_and(m, t), depth, &known);
				if (!known)
					s = O_ANY;
				if (t == T_YES) {
					acc |= s;
					decided = 1;
				} else {
					note(x->why, sizeof(x->why), "nft %s %s: "
					    "%s", x->family, x->table, text);
					acc |= s & ~O_CONT;
				}
			}
			if (!decided)
				acc |= O_CONT;
			if (m == T_MAYBE)
				acc |= O_CONT;
			return acc;
		}
		s = verdict_of(x, name, arg, m, depth, &known);
		if (!known) {
			/* queue, unknown statements: anything may happen */
			note(x->why, sizeof(x->why), "nft %s %s: %s (%s)",
			    x->family, x->table, text, name);
			*mout = m;
			return O_ANY;
		}
		*mout = m;
		return s;
	}
	*mout = m;
	return O_CONT;
}

static void
nft_text(const struct nctx *x, const char *chain, const struct cvm_json *rule,
    char *buf, size_t len)
{
	const struct cvm_json *h = cvm_json_get(rule, "handle");

	snprintf(buf, len, "chain %s rule handle %lld", chain,
	    h && h->type == CVM_JSON_INT ? (long long)h->i : -1LL);
	(void)x;
}

static unsigned nft_walk(struct nctx *x, size_t k, const char *chain,
    int depth);

static unsigned
nft_chain(struct nctx *x, const char *chain, int depth)
{
	unsigned s;
	size_t k;

	if (depth > MAXDEPTH) {
		note(x->why, sizeof(x->why), "nft: chains nested too deep");
		return O_ANY;
	}
	for (k = 0; k < x->ix->nc; k++)
		if (strcmp(x->ix->c[k].family, x->family) == 0 &&
		    strcmp(x->ix->c[k].table, x->table) == 0 &&
		    strcmp(x->ix->c[k].name, chain) == 0)
			break;
	if (k < x->ix->nc && x->memo) {
		struct memo *me = &x->memo[MEMO_AT(k, x->maybe)];
		int before = x->newport;

		if (me->st & MEMO_BUSY) {
			note(x->why, sizeof(x->why), "nft: chain %s loops", chain);
			return O_ANY;
		}
		if (me->st & MEMO_DONE) {
			if (me->port)
				x->newport = me->port;
			return me->st & ~MEMO_DONE;
		}
		me->st = MEMO_BUSY;
		s = nft_walk(x, k, chain, depth);
		me = &x->memo[MEMO_AT(k, x->maybe)];
		me->st = MEMO_DONE | s;
		me->port = x->newport != before ? x->newport : 0;
		return s;
	}
	return nft_walk(x, k, chain, depth);
}

static unsigned
nft_walk(struct nctx *x, size_t k, const char *chain, int depth)
{
	unsigned acc = 0, s;
	size_t i;
	char text[160];

	for (i = k < x->ix->nc ? x->ix->c[k].head : NONE; i != NONE;
	    i = x->ix->next[i]) {
		const struct cvm_json *r = x->ix->rule[i], *expr;
		enum tri m;

		if (--*x->budget < 0) {
			note(x->why, sizeof(x->why), "nft: ruleset too complex "
			    "to walk");
			return acc | O_ANY;
		}
		nft_text(x, chain, r, text, sizeof(text));
		if ((expr = cvm_json_get(r, "expr")) == NULL ||
		    expr->type != CVM_JSON_ARRAY) {
			note(x->why, sizeof(x->why), "nft %s %s: %s", x->family,
			    x->table, text);
			acc |= O_ANY & ~O_CONT;
			continue;
		}
		s = nft_rule(x, expr, &m, depth, text);
		if (m == T_NO)
			continue;
		if (m == T_YES && !(s & O_CONT)) {
			if (s == O_DROP && !(acc & (O_ACC | O_RET)))
				note(x->where, sizeof(x->where), "nft %s %s: %s",
				    x->family, x->table, text);
			return acc | s;
		}
		acc |= s & ~O_CONT;
	}
	return acc | O_RET;
}

static void
nft_index_free(struct nidx *ix)
{
	free(ix->c);
	free(ix->next);
	free(ix->rule);
}

static int
nft_index(const struct cvm_json *items, struct nidx *ix)
{
	size_t i, k, cap = 0;

	memset(ix, 0, sizeof(*ix));
	ix->next = malloc((items->n + 1) * sizeof(*ix->next));
	ix->rule = calloc(items->n + 1, sizeof(*ix->rule));
	if (ix->next == NULL || ix->rule == NULL)
		goto fail;
	for (i = 0; i < items->n; i++) {
		const struct cvm_json *r = cvm_json_get(&items->items[i], "rule");
		const char *f, *t, *c;

		ix->next[i] = NONE;
		if (r == NULL || (f = jstr(r, "family")) == NULL ||
		    (t = jstr(r, "table")) == NULL || (c = jstr(r, "chain")) == NULL)
			continue;
		ix->rule[i] = r;
		for (k = 0; k < ix->nc; k++)
			if (strcmp(ix->c[k].family, f) == 0 &&
			    strcmp(ix->c[k].table, t) == 0 &&
			    strcmp(ix->c[k].name, c) == 0)
				break;
		if (k == ix->nc) {
			if (ix->nc == cap) {
				struct nchain *nc;

				cap = cap ? cap * 2 : 16;
				if ((nc = realloc(ix->c, cap * sizeof(*nc))) == NULL)
					goto fail;
				ix->c = nc;
			}
			ix->c[k].family = f;
			ix->c[k].table = t;
			ix->c[k].name = c;
			ix->c[k].head = i;
			ix->nc++;
		} else
			ix->next[ix->c[k].tail] = i;
		ix->c[k].tail = i;
	}
	return 0;
fail:
	nft_index_free(ix);
	return -1;
}

static int
ipt_table(const char *family, const char *name)
{
	static const char *const n[] = { "filter", "nat", "mangle", "raw",
	    "security", NULL };
	size_t i;

	if (strcmp(family, "ip") != 0 && strcmp(family, "ip6") != 0)
		return 0;
	for (i = 0; n[i]; i++)
		if (strcmp(n[i], name) == 0)
			return 1;
	return 0;
}

/* hook order on the input path, -1 for chains off it */
static int
hook_rank(const char *hook)
{
	return strcmp(hook, "ingress") == 0 ? 0 :
	    strcmp(hook, "prerouting") == 0 ? 1 :
	    strcmp(hook, "input") == 0 ? 2 : -1;
}

int
cvm_fw_nft(const char *json, size_t len, const struct cvm_fw_pkt *pkt,
    int skip_ipt, struct cvm_fw_verdict *v, char *err, size_t errlen)
{
	struct cvm_json root;
	const struct cvm_json *items;
	struct cvm_fw_pkt p = *pkt;
	long budget = BUDGET;
	char doubt[256] = "";
	int untracked = 0;
	struct nidx ix;
	int rank;
	size_t i;

	verdict_init(v, pkt);
	if (cvm_json_parse(json, len, &root, err, errlen) != 0)
		return -1;
	items = cvm_json_get(&root, "nftables");
	if (items == NULL || items->type != CVM_JSON_ARRAY) {
		snprintf(err, errlen, "no \"nftables\" array");
		cvm_json_free(&root);
		return -1;
	}
	if (nft_index(items, &ix) != 0) {
		snprintf(err, errlen, "out of memory");
		cvm_json_free(&root);
		return -1;
	}
	/* base chains by hook, then priority (ties: listed order) */
	for (rank = 0; rank < 3; rank++) {
		long long prio, best_done = LLONG_MIN;
		int more = 1;

		while (more) {
			long long best = LLONG_MAX;

			more = 0;
			for (i = 0; i < items->n; i++) {
				const struct cvm_json *c = cvm_json_get(&items->items[i],
				    "chain"), *pr;
				const char *hook;

				if (c == NULL || (hook = jstr(c, "hook")) == NULL ||
				    hook_rank(hook) != rank ||
				    (pr = cvm_json_get(c, "prio")) == NULL ||
				    pr->type != CVM_JSON_INT)
					continue;
				prio = pr->i;
				if (prio > best_done && prio < best)
					best = prio;
			}
			if (best == LLONG_MAX)
				break;
			more = 1;
			best_done = best;
			for (i = 0; i < items->n; i++) {
				const struct cvm_json *c = cvm_json_get(&items->items[i],
				    "chain"), *pr;
				const char *hook, *fam, *tab, *name, *type, *pol;
				struct nctx x;
				unsigned s;

				if (c == NULL || (hook = jstr(c, "hook")) == NULL ||
				    hook_rank(hook) != rank ||
				    (pr = cvm_json_get(c, "prio")) == NULL ||
				    pr->type != CVM_JSON_INT || pr->i != best ||
				    (fam = jstr(c, "family")) == NULL ||
				    (tab = jstr(c, "table")) == NULL ||
				    (name = jstr(c, "name")) == NULL)
					continue;
				type = jstr(c, "type");
				pol = jstr(c, "policy");
				if (strcmp(fam, "inet") != 0 && strcmp(fam, "netdev") != 0 &&
				    strcmp(fam, p.family == AF_INET ? "ip" : "ip6") != 0)
					continue;
				if (skip_ipt && ipt_table(fam, tab))
					continue;
				memset(&x, 0, sizeof(x));
				x.items = items;
				x.ix = &ix;
				x.memo = calloc(2 * ix.nc + 2, sizeof(*x.memo));
				x.pkt = &p;
				x.family = fam;
				x.table = tab;
				x.nat = type && strcmp(type, "nat") == 0;
				x.redirected = p.dport != pkt->dport;
				x.budget = &budget;
				x.untracked = &untracked;
				s = nft_chain(&x, name, 0);
				free(x.memo);
				if (s & O_RET) {
					s &= ~O_RET;
					if (pol && strcmp(pol, "drop") == 0) {
						s |= O_DROP;
						note(x.where, sizeof(x.where),
						    "nft %s %s: chain %s policy drop",
						    fam, tab, name);
					} else
						s |= O_ACC;
				}
				if (x.nat && x.newport)
					p.dport = v->dport = x.newport;
				if (x.natdoubt && !doubt[0])
					snprintf(doubt, sizeof(doubt), "%s", x.why);
				fold(v, s, x.where, x.why);
			}
		}
	}
	undoubt(v, doubt);
	nft_index_free(&ix);
	cvm_json_free(&root);
	return 0;
}
