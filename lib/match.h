/* Pattern matching as OpenSSH's match.c / addrmatch.c do it: '*' and '?'
 * wildcards, comma lists, '!' negation, CIDR address lists. */
#ifndef CVM_MATCH_H
#define CVM_MATCH_H

/* 1 if s matches the wildcard pattern (case-sensitive). */
int cvm_match_pattern(const char *s, const char *pattern);
/* Comma list: 1 match, 0 no match, -1 a negated pattern matched (which
 * wins). icase lowers s before matching (patterns are compared as given,
 * as sshd does: it expects lower-case patterns for host names). */
int cvm_match_pattern_list(const char *s, const char *list, int icase);
/* Host name: case-insensitive pattern list. */
int cvm_match_hostname(const char *host, const char *list);
/* addr against a list of addresses / CIDR blocks / wildcard patterns.
 * 1 match, 0 none, -1 negated match, -2 malformed list. */
int cvm_addr_match_list(const char *addr, const char *list);
/* Like sshd's match_host_and_ip (used for from=): 1 allowed, 0 not
 * matched, -1 negated (denied). */
int cvm_match_host_and_ip(const char *host, const char *ipaddr, const char *patterns);
/* 1 if the user name matches a "user[@host]" pattern list as sshd's
 * match_user does. */
int cvm_match_user(const char *user, const char *host, const char *ipaddr,
    const char *pattern);

#endif
