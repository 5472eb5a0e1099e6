/* Pattern matching with the semantics of OpenSSH 9.x match.c and
 * addrmatch.c (libc only).
 *
 * Which sshd function is used where (and which cvm_ function mirrors it):
 *   Match User LIST          match_usergroup_pattern_list = match_pattern_list
 *                            (case-sensitive, '!' negation, no "@host")
 *                            -> cvm_match_pattern_list(user, LIST, 0)
 *   Match Group LIST         the same list match against each group name; a
 *                            negated match on any group fails the criterion
 *   Match Host LIST          match_hostname -> cvm_match_hostname
 *   Match Address / LocalAddress LIST
 *                            addr_match_list -> cvm_addr_match_list
 *   Match RDomain LIST       match_pattern_list(rdomain, LIST, 0)
 *   AllowUsers / DenyUsers   each whitespace-separated entry separately with
 *                            match_user: ONE wildcard pattern for the user
 *                            (no comma list, no negation), optionally
 *                            "@HOSTLIST" checked with match_host_and_ip
 *                            -> cvm_match_user
 *   AllowGroups / DenyGroups each entry a single match_pattern (no list, no
 *                            negation) -> cvm_match_pattern
 *   authorized_keys from=    match_host_and_ip -> cvm_match_host_and_ip
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

static int
lower_c(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Wildcard match of s[0..slen) against p[0..plen) ('*' any run, '?' one
 * char).  The iterative form with one backtrack point gives the same answer
 * as OpenSSH's recursive match_pattern in O(slen*plen) worst case. */
static int
wild_match(const char *s, size_t slen, const char *p, size_t plen, int plower)
{
	size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;

	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			star_p = pi++;
			star_s = si;
			continue;
		}
		if (pi < plen && (p[pi] == '?' ||
		    (plower ? lower_c((unsigned char)p[pi]) : p[pi]) == s[si])) {
			pi++;
			si++;
			continue;
		}
		if (star_p != (size_t)-1) {
			pi = star_p + 1;
			si = ++star_s;
			continue;
		}
		return 0;
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

int
cvm_match_pattern(const char *s, const char *pattern)
{
	if (s == NULL || pattern == NULL)
		return 0;
	return wild_match(s, strlen(s), pattern, strlen(pattern), 0);
}

/* sshd copies each sub-pattern into a 1024-byte buffer and gives up (no
 * match at all) on one of 1023 bytes or more. */
#define SUBPATTERN_MAX 1023

static int
pattern_list(const char *s, const char *list, int plower)
{
	size_t slen, i = 0, len, start;
	int neg, positive = 0;

	if (s == NULL || list == NULL)
		return 0;
	slen = strlen(s);
	len = strlen(list);
	while (i < len) {
		neg = 0;
		if (list[i] == '!') {
			neg = 1;
			i++;
		}
		start = i;
		while (i < len && list[i] != ',' && i - start < SUBPATTERN_MAX)
			i++;
		if (i - start >= SUBPATTERN_MAX)
			return 0;
		if (wild_match(s, slen, list + start, i - start, plower)) {
			if (neg)
				return -1;
			positive = 1;
		}
		if (i < len && list[i] == ',')
			i++;
	}
	return positive;
}

/* As sshd's match_pattern_list(s, list, dolower): with icase the
 * *patterns* are lowered (sshd expects s to be lower case already, as
 * match_hostname makes it). */
int
cvm_match_pattern_list(const char *s, const char *list, int icase)
{
	return pattern_list(s, list, icase != 0);
}

int
cvm_match_hostname(const char *host, const char *list)
{
	char buf[256], *h;
	size_t n, i;
	int r;

	if (host == NULL || list == NULL)
		return 0;
	n = strlen(host);
	h = n < sizeof(buf) ? buf : malloc(n + 1);
	if (h == NULL)
		return 0;
	for (i = 0; i <= n; i++)
		h[i] = (char)lower_c((unsigned char)host[i]);
	r = pattern_list(h, list, 1);
	if (h != buf)
		free(h);
	return r;
}

/* ---- addresses (addr.c / addrmatch.c) ---------------------------------- */

struct xaddr {
	int af;
	unsigned char a[16];
	uint32_t scope;
};

/* As addr_pton: getaddrinfo(AI_NUMERICHOST), which also takes inet_aton
 * forms ("10.1", "0x7f.1") and "%scope" suffixes.  inet_pton first: when it
 * accepts a string the result is the same and much cheaper. */
static int
xaddr_pton(const char *p, struct xaddr *n)
{
	struct addrinfo hints, *ai = NULL;

	memset(n, 0, sizeof(*n));
	if (p == NULL)
		return -1;
	if (inet_pton(AF_INET, p, n->a) == 1) {
		n->af = AF_INET;
		return 0;
	}
	if (strchr(p, '%') == NULL && inet_pton(AF_INET6, p, n->a) == 1) {
		n->af = AF_INET6;
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(p, NULL, &hints, &ai) != 0 || ai == NULL)
		return -1;
	if (ai->ai_addr == NULL) {
		freeaddrinfo(ai);
		return -1;
	}
	memset(n, 0, sizeof(*n));
	if (ai->ai_family == AF_INET &&
	    ai->ai_addrlen >= (socklen_t)sizeof(struct sockaddr_in)) {
		n->af = AF_INET;
		memcpy(n->a, &((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr, 4);
	} else if (ai->ai_family == AF_INET6 &&
	    ai->ai_addrlen >= (socklen_t)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ai->ai_addr;
		n->af = AF_INET6;
		memcpy(n->a, &s6->sin6_addr, 16);
		n->scope = s6->sin6_scope_id;
	} else {
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return 0;
}

static unsigned
af_bits(int af)
{
	return af == AF_INET ? 32 : 128;
}

/* 1 if the bits of a past masklen are all zero. */
static int
host_bits_zero(const struct xaddr *a, unsigned masklen)
{
	unsigned bits = af_bits(a->af), i;

	for (i = masklen; i < bits; i++)
		if (a->a[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

/* As addr_pton_cidr: 0 ok, -1 not an address (caller falls back to a
 * wildcard match), -2 an address with an impossible mask or host bits set. */
static int
xaddr_pton_cidr(const char *p, struct xaddr *n, unsigned *l)
{
	char buf[64], *mp, *ep;
	unsigned long masklen = 999;
	size_t len = strlen(p);

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, p, len + 1);
	if ((mp = strchr(buf, '/')) != NULL) {
		*mp++ = '\0';
		if (*mp < '0' || *mp > '9')
			return -1;
		masklen = strtoul(mp, &ep, 10);
		if (*ep != '\0' || masklen > 128)
			return -1;
	}
	if (xaddr_pton(buf, n) == -1)
		return -1;
	if (mp == NULL)
		masklen = af_bits(n->af);
	if (masklen > af_bits(n->af))
		return -2;
	if (!host_bits_zero(n, (unsigned)masklen))
		return -2;
	*l = (unsigned)masklen;
	return 0;
}

/* addr_netmatch: same family, equal under the mask, and (IPv6) the same
 * scope id. */
static int
xaddr_netmatch(const struct xaddr *host, const struct xaddr *net, unsigned masklen)
{
	unsigned i, bits;

	if (host->af != net->af)
		return 0;
	bits = af_bits(host->af);
	for (i = 0; i < masklen && i < bits; i++) {
		unsigned m = 0x80u >> (i % 8);
		if ((host->a[i / 8] & m) != (net->a[i / 8] & m))
			return 0;
	}
	if (host->af == AF_INET6 && host->scope != net->scope)
		return 0;
	return 1;
}

int
cvm_addr_match_list(const char *addr, const char *list)
{
	struct xaddr try, net;
	unsigned masklen;
	const char *cp, *end;
	char item[1100], *big = NULL, *it;
	size_t n;
	int neg, r, ret = 0;

	if (list == NULL)
		return 0;
	if (addr != NULL && xaddr_pton(addr, &try) != 0)
		return 0;
	for (cp = list;; cp = end + 1) {
		end = strchr(cp, ',');
		if (end == NULL)
			end = cp + strlen(cp);
		n = (size_t)(end - cp);
		if (n < sizeof(item))
			it = item;
		else {
			free(big);
			if ((big = malloc(n + 1)) == NULL)
				return -2;
			it = big;
		}
		memcpy(it, cp, n);
		it[n] = '\0';
		neg = *it == '!';
		if (neg)
			it++;
		if (*it == '\0') {
			ret = -2;
			break;
		}
		r = xaddr_pton_cidr(it, &net, &masklen);
		if (r == -2) {
			ret = -2;
			break;
		}
		if ((r == 0 && addr != NULL && xaddr_netmatch(&try, &net, masklen)) ||
		    (r != 0 && addr != NULL && cvm_match_pattern(addr, it))) {
			if (neg) {
				ret = -1;
				break;
			}
			ret = 1;
		}
		if (*end == '\0')
			break;
	}
	free(big);
	return ret;
}

/* sshd's match_host_and_ip: 1 match, 0 no match or negated, -1 bad list. */
static int
host_and_ip(const char *host, const char *ipaddr, const char *patterns)
{
	int mhost, mip;

	if ((mip = cvm_addr_match_list(ipaddr, patterns)) == -2)
		return -1;
	if (host == NULL || ipaddr == NULL || mip == -1)
		return 0;
	if ((mhost = cvm_match_hostname(host, patterns)) == -1)
		return 0;
	if (mhost == 0 && mip == 0)
		return 0;
	return 1;
}

int
cvm_match_host_and_ip(const char *host, const char *ipaddr, const char *patterns)
{
	int mip, mhost;

	if (patterns == NULL)
		return 0;
	if ((mip = cvm_addr_match_list(ipaddr, patterns)) == -2)
		return -2;
	if (host == NULL || ipaddr == NULL)
		return 0;
	if (mip == -1)
		return -1;
	if ((mhost = cvm_match_hostname(host, patterns)) == -1)
		return -1;
	return (mhost == 0 && mip == 0) ? 0 : 1;
}

int
cvm_match_user(const char *user, const char *host, const char *ipaddr,
    const char *pattern)
{
	const char *at;
	char buf[256], *pat;
	size_t n;
	int ret;

	if (pattern == NULL)
		return 0;
	at = strchr(pattern, '@');
	if (user == NULL && host == NULL && ipaddr == NULL) {
		/* validation only, as match_user(NULL, NULL, NULL, p) */
		if (at != NULL && host_and_ip(NULL, NULL, at + 1) < 0)
			return -1;
		return 0;
	}
	if (user == NULL)
		return 0;
	if (at == NULL)
		return cvm_match_pattern(user, pattern);
	n = (size_t)(at - pattern);
	pat = n < sizeof(buf) ? buf : malloc(n + 1);
	if (pat == NULL)
		return 0;
	memcpy(pat, pattern, n);
	pat[n] = '\0';
	ret = cvm_match_pattern(user, pat);
	if (ret == 1)
		ret = host_and_ip(host, ipaddr, at + 1);
	if (pat != buf)
		free(pat);
	return ret;
}
