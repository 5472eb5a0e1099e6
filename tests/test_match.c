/* lib/match.c: OpenSSH match.c / addrmatch.c semantics. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

static void
wildcards(void **state)
{
	(void)state;
	assert_int_equal(cvm_match_pattern("root", "root"), 1);
	assert_int_equal(cvm_match_pattern("root", "Root"), 0);
	assert_int_equal(cvm_match_pattern("root", "r*"), 1);
	assert_int_equal(cvm_match_pattern("root", "*t"), 1);
	assert_int_equal(cvm_match_pattern("root", "r??t"), 1);
	assert_int_equal(cvm_match_pattern("root", "r?t"), 0);
	assert_int_equal(cvm_match_pattern("root", "*"), 1);
	assert_int_equal(cvm_match_pattern("", "*"), 1);
	assert_int_equal(cvm_match_pattern("", "?"), 0);
	assert_int_equal(cvm_match_pattern("", ""), 1);
	assert_int_equal(cvm_match_pattern("a", ""), 0);
	assert_int_equal(cvm_match_pattern("abcabd", "*ab?"), 1);
	assert_int_equal(cvm_match_pattern("abcabd", "a*b*d"), 1);
	assert_int_equal(cvm_match_pattern("abcabe", "a*b*d"), 0);
	assert_int_equal(cvm_match_pattern("a.b.c", "a**c"), 1);
	assert_int_equal(cvm_match_pattern("ssh-rsa-cert-v01@openssh.com",
	    "*-cert-v01@openssh.com"), 1);
	/* no character classes: '[' is literal */
	assert_int_equal(cvm_match_pattern("a", "[a]"), 0);
	assert_int_equal(cvm_match_pattern("[a]", "[a]"), 1);
	/* pathological pattern stays fast (no exponential backtracking) */
	{
		char s[4097], p[64];
		memset(s, 'a', sizeof(s) - 1);
		s[sizeof(s) - 1] = '\0';
		strcpy(p, "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
		assert_int_equal(cvm_match_pattern(s, p), 0);
	}
	assert_int_equal(cvm_match_pattern(NULL, "*"), 0);
}

static void
lists(void **state)
{
	char big[1100];

	(void)state;
	assert_int_equal(cvm_match_pattern_list("root", "alice,root", 0), 1);
	assert_int_equal(cvm_match_pattern_list("root", "alice,bob", 0), 0);
	/* a negated match wins whatever the order */
	assert_int_equal(cvm_match_pattern_list("root", "*,!root", 0), -1);
	assert_int_equal(cvm_match_pattern_list("root", "!root,*", 0), -1);
	assert_int_equal(cvm_match_pattern_list("bob", "!root,*", 0), 1);
	assert_int_equal(cvm_match_pattern_list("bob", "!root", 0), 0);
	/* empty list and empty items */
	assert_int_equal(cvm_match_pattern_list("root", "", 0), 0);
	assert_int_equal(cvm_match_pattern_list("root", ",,root,", 0), 1);
	assert_int_equal(cvm_match_pattern_list("", ",", 0), 1);
	assert_int_equal(cvm_match_pattern_list("", "!", 0), -1);
	/* dolower lowers the patterns, not the string */
	assert_int_equal(cvm_match_pattern_list("root", "ROOT", 1), 1);
	assert_int_equal(cvm_match_pattern_list("ROOT", "ROOT", 1), 0);
	assert_int_equal(cvm_match_pattern_list("root", "ROOT", 0), 0);
	/* a sub-pattern of 1023 bytes or more: no match at all */
	memset(big, 'x', sizeof(big));
	big[1023] = '\0';
	assert_int_equal(cvm_match_pattern_list(big, big, 0), 0);
	big[1022] = '\0';
	assert_int_equal(cvm_match_pattern_list(big, big, 0), 1);
	/* ... even when an earlier item matched */
	memcpy(big, "a,", 2);
	memset(big + 2, 'y', 1030);
	big[1032] = '\0';
	assert_int_equal(cvm_match_pattern_list("a", big, 0), 0);
}

static void
hostnames(void **state)
{
	(void)state;
	assert_int_equal(cvm_match_hostname("Host.Example.COM", "*.example.com"), 1);
	assert_int_equal(cvm_match_hostname("host.example.com", "*.EXAMPLE.com"), 1);
	assert_int_equal(cvm_match_hostname("host.example.com",
	    "!*.example.com,*"), -1);
	assert_int_equal(cvm_match_hostname("host.example.org",
	    "!*.example.com,*"), 1);
	assert_int_equal(cvm_match_hostname("x", ""), 0);
}

static void
addr_v4(void **state)
{
	(void)state;
	assert_int_equal(cvm_addr_match_list("10.1.2.3", "10.0.0.0/8"), 1);
	assert_int_equal(cvm_addr_match_list("11.1.2.3", "10.0.0.0/8"), 0);
	assert_int_equal(cvm_addr_match_list("10.1.2.3", "10.1.2.3"), 1);
	assert_int_equal(cvm_addr_match_list("10.1.2.3", "10.1.2.3/32"), 1);
	assert_int_equal(cvm_addr_match_list("10.1.2.4", "10.1.2.3/32"), 0);
	/* /0 matches everything of the family */
	assert_int_equal(cvm_addr_match_list("203.0.113.9", "0.0.0.0/0"), 1);
	assert_int_equal(cvm_addr_match_list("::1", "0.0.0.0/0"), 0);
	/* host bits set or a mask too long for the family: malformed */
	assert_int_equal(cvm_addr_match_list("10.1.2.3", "10.0.0.1/8"), -2);
	assert_int_equal(cvm_addr_match_list("10.1.2.3", "10.0.0.0/33"), -2);
	assert_int_equal(cvm_addr_match_list(NULL, "10.0.0.0/33"), -2);
	assert_int_equal(cvm_addr_match_list(NULL, "10.0.0.0/8"), 0);
	/* masks past 128 or not numbers are no CIDR: wildcard match */
	assert_int_equal(cvm_addr_match_list("10.0.0.0/129", "10.0.0.0/129"), 0);
	assert_int_equal(cvm_addr_match_list("10.1.2.3", "10.0.0.0/129"), 0);
	assert_int_equal(cvm_addr_match_list("10.1.2.3", "10.0.0.0/"), 0);
	/* wildcards */
	assert_int_equal(cvm_addr_match_list("10.1.2.3", "10.1.*"), 1);
	assert_int_equal(cvm_addr_match_list("10.1.2.3", "192.0.2.*,10.1.2.?"), 1);
	/* negation wins */
	assert_int_equal(cvm_addr_match_list("10.1.2.3",
	    "10.0.0.0/8,!10.1.0.0/16"), -1);
	assert_int_equal(cvm_addr_match_list("10.2.2.3",
	    "10.0.0.0/8,!10.1.0.0/16"), 1);
	/* empty entries are malformed */
	assert_int_equal(cvm_addr_match_list("10.1.2.3", ""), -2);
	assert_int_equal(cvm_addr_match_list("10.1.2.3", "10.0.0.0/8,"), -2);
	assert_int_equal(cvm_addr_match_list("10.1.2.3", "!"), -2);
	/* ... but only reached after a match stops the walk */
	assert_int_equal(cvm_addr_match_list("10.1.2.3", "!10.1.2.3,"), -1);
	/* an address that does not parse matches nothing, unvalidated */
	assert_int_equal(cvm_addr_match_list("not-an-ip", "10.0.0.0/33"), 0);
	/* inet_aton forms, as getaddrinfo(AI_NUMERICHOST) takes them */
	assert_int_equal(cvm_addr_match_list("10.1", "10.0.0.1"), 1);
	assert_int_equal(cvm_addr_match_list("10.0.0.1", "10.1"), 1);
}

static void
addr_v6(void **state)
{
	(void)state;
	assert_int_equal(cvm_addr_match_list("2001:db8::5", "2001:db8::/32"), 1);
	assert_int_equal(cvm_addr_match_list("2001:db9::5", "2001:db8::/32"), 0);
	assert_int_equal(cvm_addr_match_list("2001:db8::5", "2001:db8::5"), 1);
	assert_int_equal(cvm_addr_match_list("2001:DB8::5", "2001:db8:0::5/128"), 1);
	assert_int_equal(cvm_addr_match_list("::1", "::/0"), 1);
	assert_int_equal(cvm_addr_match_list("10.0.0.1", "::/0"), 0);
	assert_int_equal(cvm_addr_match_list("2001:db8::5", "2001:db8::1/64"), -2);
	assert_int_equal(cvm_addr_match_list("2001:db8::5", "2001:db8::/129"), 0);
	assert_int_equal(cvm_addr_match_list("2001:db8::5", "2001:db8::/12x"), 0);
	assert_int_equal(cvm_addr_match_list("2001:db8::1:5",
	    "2001:db8::/32,!2001:db8::1:0/112"), -1);
	/* odd prefix lengths */
	assert_int_equal(cvm_addr_match_list("2001:db8:8000::1", "2001:db8:8000::/33"), 1);
	assert_int_equal(cvm_addr_match_list("2001:db8:7fff::1", "2001:db8:8000::/33"), 0);
	/* a v4-mapped address is IPv6, not IPv4 */
	assert_int_equal(cvm_addr_match_list("::ffff:10.0.0.1", "10.0.0.0/8"), 0);
	/* wildcard on the text */
	assert_int_equal(cvm_addr_match_list("fe80::1", "fe80:*"), 1);
}

static void
host_and_ip(void **state)
{
	(void)state;
	assert_int_equal(cvm_match_host_and_ip("a.example.com", "10.1.2.3",
	    "*.example.com"), 1);
	assert_int_equal(cvm_match_host_and_ip("a.example.com", "10.1.2.3",
	    "10.0.0.0/8"), 1);
	assert_int_equal(cvm_match_host_and_ip("a.example.org", "192.0.2.1",
	    "*.example.com,10.0.0.0/8"), 0);
	assert_int_equal(cvm_match_host_and_ip("a.example.com", "10.1.2.3",
	    "*.example.com,!10.1.0.0/16"), -1);
	assert_int_equal(cvm_match_host_and_ip("bad.example.com", "10.1.2.3",
	    "10.0.0.0/8,!bad.example.com"), -1);
	assert_int_equal(cvm_match_host_and_ip("a", "10.1.2.3", "10.0.0.0/33"), -2);
	/* without host or address: no match */
	assert_int_equal(cvm_match_host_and_ip(NULL, "10.1.2.3", "*"), 0);
	assert_int_equal(cvm_match_host_and_ip("a", NULL, "*"), 0);
}

static void
users(void **state)
{
	(void)state;
	assert_int_equal(cvm_match_user("root", "h", "10.1.2.3", "root"), 1);
	assert_int_equal(cvm_match_user("root", "h", "10.1.2.3", "r*"), 1);
	/* one pattern per entry: a comma is literal in the user part */
	assert_int_equal(cvm_match_user("root", "h", "10.1.2.3", "alice,root"), 0);
	assert_int_equal(cvm_match_user("root", "h", "10.1.2.3",
	    "root@10.0.0.0/8"), 1);
	assert_int_equal(cvm_match_user("root", "h", "192.0.2.1",
	    "root@10.0.0.0/8"), 0);
	assert_int_equal(cvm_match_user("root", "h.example.com", "192.0.2.1",
	    "root@*.example.com"), 1);
	/* negated host in the host part: no match (sshd treats it as 0) */
	assert_int_equal(cvm_match_user("root", "h", "10.1.2.3",
	    "root@*,!10.1.2.3"), 0);
	assert_int_equal(cvm_match_user("alice", "h", "10.1.2.3",
	    "root@10.0.0.0/8"), 0);
	/* validation mode */
	assert_int_equal(cvm_match_user(NULL, NULL, NULL, "root@10.0.0.0/8"), 0);
	assert_int_equal(cvm_match_user(NULL, NULL, NULL, "root@10.0.0.1/8"), -1);
	assert_int_equal(cvm_match_user(NULL, NULL, NULL, "root@10.0.0.0/33"), -1);
	assert_int_equal(cvm_match_user(NULL, NULL, NULL, "root"), 0);
	/* a malformed host list found while matching */
	assert_int_equal(cvm_match_user("root", "h", "10.1.2.3",
	    "root@10.0.0.0/33"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wildcards),
		cmocka_unit_test(lists),
		cmocka_unit_test(hostnames),
		cmocka_unit_test(addr_v4),
		cmocka_unit_test(addr_v6),
		cmocka_unit_test(host_and_ip),
		cmocka_unit_test(users),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
