/* Pattern matching as OpenSSH's match.c / addrmatch.c do it: '*' and '?'
 * wildcards, comma lists, '!' negation, CIDR address lists. */
#ifndef CVM_MATCH_H
#define CVM_MATCH_H

/* 1 if s matches the wildcard pattern (case-sensitive). */
int cvm_match_pattern(const char *s, const char *pattern);
/* Comma list: 1 match, 0 no match, -1 a negated pattern matched (which
 * wins).  As sshd's match_pattern_list(s, list, dolower): icase lowers the
 * *patterns*, s is compared as given (sshd lowers host names first, see
 * cvm_match_hostname).  A sub-pattern of 1023 bytes or more gives 0. */
int cvm_match_pattern_list(const char *s, const char *list, int icase);
/* Host name: case-insensitive pattern list (match_hostname). */
int cvm_match_hostname(const char *host, const char *list);
/* addr against a list of addresses / CIDR blocks / wildcard patterns.
 * 1 match, 0 none, -1 negated match, -2 malformed list. */
int cvm_addr_match_list(const char *addr, const char *list);
/* Like sshd's match_host_and_ip (used for from=): 1 allowed, 0 not
 * matched (or host/ipaddr NULL), -1 negated (denied), -2 malformed address
 * list.  sshd lets a key in only on 1. */
int cvm_match_host_and_ip(const char *host, const char *ipaddr, const char *patterns);
/* One AllowUsers/DenyUsers entry, as sshd's match_user: "USERPAT" or
 * "USERPAT@HOSTLIST" (USERPAT a single wildcard pattern, HOSTLIST a
 * match_host_and_ip list).  1 match, 0 no match, -1 invalid entry.  With
 * user, host and ipaddr all NULL it only validates (0 or -1).
 * Match User is NOT this: it is cvm_match_pattern_list(user, list, 0).
 * AllowGroups/DenyGroups entries are single cvm_match_pattern patterns. */
int cvm_match_user(const char *user, const char *host, const char *ipaddr,
    const char *pattern);

#endif
