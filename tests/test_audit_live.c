/* The audit's live/system steps that do not need a namespace:
 * lib/fwrules.c fed iptables-save text and nft JSON directly (the shapes
 * the real tools print: tests/audit_live.test runs the real ones), and
 * the file-based checks (SSHD-HOSTKEY, SSHD-CMDLINE-OVERRIDE,
 * SYS-RESCUE-TARGET, SYS-SSHD-DISABLED) on --root trees built here: each
 * planted fault reported, the clean tree (Debian 12's unit layout) not. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "fwrules.h"
#include "inetdiag.h"
#include "sshdcfg.h"
#include "testlib.h"

/* ---- firewall ---------------------------------------------------------- */

static enum cvm_fw_state
ipt(const char *text, int family, const char *from, int port,
    struct cvm_fw_verdict *v)
{
	struct cvm_fw_pkt p;
	char err[256];

	memset(&p, 0, sizeof(p));
	p.family = family;
	p.dport = port;
	if (from) {
		assert_int_equal(inet_pton(family, from, p.src), 1);
		p.has_src = 1;
	}
	assert_int_equal(cvm_fw_iptables(text, &p, "t", v, err, sizeof(err)), 0);
	return v->state;
}

#define FILTER(rules) "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n" rules "COMMIT\n"
#define FILTER_DROP(rules) "*filter\n:INPUT DROP [0:0]\n" rules "COMMIT\n"

static void
fw_iptables(void **state)
{
	struct cvm_fw_verdict v;

	(void)state;
	assert_int_equal(ipt(FILTER(""), AF_INET, NULL, 22, &v), CVM_FW_OPEN);
	assert_int_equal(ipt(FILTER("-A INPUT -p tcp -m tcp --dport 22 -j DROP\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);
	assert_non_null(strstr(v.where, "--dport 22 -j DROP"));
	assert_int_equal(ipt(FILTER("-A INPUT -p udp -m udp --dport 22 -j DROP\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_OPEN);
	assert_int_equal(ipt(FILTER("-A INPUT -p tcp -m tcp ! --dport 22 -j DROP\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_OPEN);
	assert_int_equal(ipt(FILTER("-A INPUT -p tcp -m tcp --dport 20:30 -j REJECT --reject-with tcp-reset\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);
	/* ACCEPT first wins; a possible accept first makes it unknown */
	assert_int_equal(ipt(FILTER("-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_OPEN);
	assert_int_equal(ipt(FILTER("-A INPUT -m recent --rcheck --name x -j ACCEPT\n-A INPUT -j DROP\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_UNKNOWN);
	assert_non_null(strstr(v.why, "recent"));
	/* a possible DROP followed by a sure one: dropped either way */
	assert_int_equal(ipt(FILTER("-A INPUT -m set --match-set bad src -j DROP\n-A INPUT -j DROP\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);
	/* conntrack: the first packet is NEW, a SYN, not on lo */
	assert_int_equal(ipt(FILTER_DROP("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
	    "-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -m tcp ! --syn -j ACCEPT\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);
	assert_int_equal(ipt(FILTER_DROP("-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m state --state NEW -j ACCEPT\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_OPEN);
	assert_int_equal(ipt(FILTER_DROP("-A INPUT -i lo -j ACCEPT\n"),
	    AF_INET, "127.0.0.1", 22, &v), CVM_FW_OPEN);
	/* source: decided only with --from */
	assert_int_equal(ipt(FILTER("-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j DROP\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_UNKNOWN);
	assert_int_equal(ipt(FILTER("-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j DROP\n"),
	    AF_INET, "10.9.8.7", 22, &v), CVM_FW_BLOCKED);
	assert_int_equal(ipt(FILTER("-A INPUT -s 10.0.0.0/255.0.0.0 -p tcp --dport 22 -j DROP\n"),
	    AF_INET, "11.9.8.7", 22, &v), CVM_FW_OPEN);
	assert_int_equal(ipt(FILTER("-A INPUT ! -s 10.0.0.0/8 -p tcp --dport 22 -j DROP\n"),
	    AF_INET, "11.9.8.7", 22, &v), CVM_FW_BLOCKED);
	assert_int_equal(ipt(FILTER("-A INPUT -s 2001:db8::/32 -p tcp --dport 22 -j DROP\n"),
	    AF_INET6, "2001:db8::1", 22, &v), CVM_FW_BLOCKED);
	/* user chains: jump and RETURN, goto, loops */
	assert_int_equal(ipt("*filter\n:INPUT ACCEPT [0:0]\n:c - [0:0]\n"
	    "-A INPUT -j c\n-A INPUT -p tcp --dport 22 -j DROP\n"
	    "-A c -p tcp --dport 22 -j ACCEPT\nCOMMIT\n", AF_INET, NULL, 22, &v),
	    CVM_FW_OPEN);
	assert_int_equal(ipt("*filter\n:INPUT ACCEPT [0:0]\n:c - [0:0]\n"
	    "-A INPUT -j c\n-A INPUT -p tcp --dport 22 -j DROP\n"
	    "-A c -p tcp --dport 22 -j RETURN\n-A c -j ACCEPT\nCOMMIT\n",
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);
	assert_int_equal(ipt("*filter\n:INPUT DROP [0:0]\n:c - [0:0]\n"
	    "-A INPUT -g c\n-A INPUT -j ACCEPT\n-A c -p udp -j ACCEPT\nCOMMIT\n",
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);	/* goto: back to the policy */
	assert_int_equal(ipt("*filter\n:INPUT ACCEPT [0:0]\n:c - [0:0]\n"
	    "-A INPUT -j c\n-A c -j c\nCOMMIT\n", AF_INET, NULL, 22, &v),
	    CVM_FW_UNKNOWN);
	/* an unknown target: anything may happen */
	assert_int_equal(ipt(FILTER("-A INPUT -p tcp --dport 22 -j NFQUEUE --queue-num 1\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_UNKNOWN);
	/* LOG goes on */
	assert_int_equal(ipt(FILTER("-A INPUT -j LOG --log-prefix \"in: \"\n-A INPUT -p tcp --dport 22 -j DROP\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);
	/* a comment with quotes and words that look like options */
	assert_int_equal(ipt(FILTER("-A INPUT -p tcp -m comment --comment \"-j DROP \\\"x\\\"\" -j ACCEPT\n"
	    "-A INPUT -j DROP\n"), AF_INET, NULL, 22, &v), CVM_FW_OPEN);
	/* nat: a redirect of the SSH port, followed into filter */
	assert_int_equal(ipt("*nat\n:PREROUTING ACCEPT [0:0]\n"
	    "-A PREROUTING -p tcp --dport 22 -j REDIRECT --to-ports 2222\nCOMMIT\n"
	    FILTER("-A INPUT -p tcp --dport 2222 -j DROP\n"), AF_INET, NULL, 22, &v),
	    CVM_FW_BLOCKED);
	assert_int_equal(v.dport, 2222);
	assert_int_equal(ipt("*nat\n:PREROUTING ACCEPT [0:0]\n"
	    "-A PREROUTING -p tcp --dport 22 -j DNAT --to-destination 10.0.0.9:22\nCOMMIT\n",
	    AF_INET, NULL, 22, &v), CVM_FW_OPEN);	/* nothing drops it here */
	/* sent to another host: INPUT's DROP is not the answer */
	assert_int_equal(ipt("*nat\n:PREROUTING ACCEPT [0:0]\n"
	    "-A PREROUTING -p tcp --dport 22 -j DNAT --to-destination 10.0.0.9:22\nCOMMIT\n"
	    FILTER("-A INPUT -p tcp --dport 22 -j DROP\n"), AF_INET, NULL, 22, &v),
	    CVM_FW_UNKNOWN);
	/* a redirect reached only through a jump that may not happen is
	 * not certain: the port stays, the answer is unknown */
	assert_int_equal(ipt("*nat\n:PREROUTING ACCEPT [0:0]\n:r - [0:0]\n"
	    "-A PREROUTING -m recent --rcheck -j r\n-A PREROUTING -p udp -j r\n"
	    "-A r -p tcp --dport 22 -j REDIRECT --to-ports 2222\nCOMMIT\n"
	    FILTER("-A INPUT -p tcp --dport 22 -j DROP\n"), AF_INET, NULL, 22, &v),
	    CVM_FW_UNKNOWN);
	assert_int_equal(v.dport, 22);
	assert_non_null(strstr(v.why, "nat"));
	/* ...and the same chain reached for sure afterwards does redirect */
	assert_int_equal(ipt("*nat\n:PREROUTING ACCEPT [0:0]\n:r - [0:0]\n"
	    "-A PREROUTING -m recent --rcheck -j r\n-A PREROUTING -j r\n"
	    "-A r -p tcp --dport 22 -j REDIRECT --to-ports 2222\nCOMMIT\n"
	    FILTER("-A INPUT -p tcp --dport 22 -j DROP\n"), AF_INET, NULL, 22, &v),
	    CVM_FW_OPEN);
	assert_int_equal(v.dport, 2222);
	/* raw table drops before filter */
	assert_int_equal(ipt("*raw\n:PREROUTING ACCEPT [0:0]\n"
	    "-A PREROUTING -p tcp --dport 22 -j DROP\nCOMMIT\n" FILTER(""),
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);
	/* addrtype, loopback destinations (kube-proxy's KUBE-FIREWALL) */
	assert_int_equal(ipt(FILTER_DROP("-A INPUT -m addrtype --dst-type MULTICAST -j DROP\n"
	    "-A INPUT -m addrtype --src-type UNICAST -m addrtype --dst-type LOCAL -p tcp --dport 22 -j ACCEPT\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_OPEN);
	assert_int_equal(ipt(FILTER("-A INPUT ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_OPEN);
	assert_int_equal(ipt(FILTER("-A INPUT -d 192.0.2.10/32 -p tcp --dport 22 -j DROP\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_UNKNOWN);
	/* raw NOTRACK: the packet is UNTRACKED, not NEW */
	assert_int_equal(ipt("*raw\n:PREROUTING ACCEPT [0:0]\n"
	    "-A PREROUTING -p tcp --dport 22 -j CT --notrack\nCOMMIT\n"
	    FILTER("-A INPUT -m conntrack --ctstate NEW -j DROP\n"), AF_INET, NULL, 22, &v),
	    CVM_FW_OPEN);
	assert_int_equal(ipt("*raw\n:PREROUTING ACCEPT [0:0]\n"
	    "-A PREROUTING -p tcp --dport 22 -j CT --notrack\nCOMMIT\n"
	    FILTER_DROP("-A INPUT -m conntrack --ctstate NEW -j ACCEPT\n"), AF_INET, NULL, 22, &v),
	    CVM_FW_BLOCKED);
	assert_int_equal(ipt("*raw\n:PREROUTING ACCEPT [0:0]\n"
	    "-A PREROUTING -s 10.0.0.0/8 -j NOTRACK\nCOMMIT\n"
	    FILTER("-A INPUT -m state --state NEW -j DROP\n"), AF_INET, NULL, 22, &v),
	    CVM_FW_UNKNOWN);
	/* counters form (-c) */
	assert_int_equal(ipt(FILTER("[5:300] -A INPUT -p tcp --dport 22 -j DROP\n"),
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);
}

static void
fw_iptables_hostile(void **state)
{
	struct cvm_fw_pkt p = { AF_INET, 0, { 0 }, 22 };
	struct cvm_fw_verdict v;
	char err[256], *big;

	(void)state;
	assert_int_equal(cvm_fw_iptables("-A INPUT -j DROP\n", &p, "t", &v, err,
	    sizeof(err)), -1);
	assert_int_equal(cvm_fw_iptables("*filter\n-A INPUT -m comment --comment \"x -j DROP\n",
	    &p, "t", &v, err, sizeof(err)), -1);
	assert_int_equal(cvm_fw_iptables("*filter\n:INPUT\n", &p, "t", &v, err,
	    sizeof(err)), -1);
	big = malloc(20000);
	assert_non_null(big);
	memset(big, 'a', 19999);
	big[19999] = '\0';
	memcpy(big, "*filter\n", 8);
	assert_int_equal(cvm_fw_iptables(big, &p, "t", &v, err, sizeof(err)), -1);
	free(big);
	/* chains jumping four times each to the next, 30 deep: 4^30
	 * walks if nothing bounded it */
	{
		char *doc = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&doc, &len);
		int c;
		time_t t0 = time(NULL);

		fputs("*filter\n:INPUT ACCEPT [0:0]\n", m);
		for (c = 0; c < 30; c++)
			fprintf(m, ":c%d - [0:0]\n", c);
		fputs("-A INPUT -j c0\n", m);
		for (c = 0; c < 29; c++)
			fprintf(m, "-A c%d -m recent --rcheck -j c%d\n-A c%d -j c%d\n"
			    "-A c%d -m recent --rcheck -j c%d\n-A c%d -j c%d\n",
			    c, c + 1, c, c + 1, c, c + 1, c, c + 1);
		fputs("-A c29 -m recent --rcheck -j DROP\nCOMMIT\n", m);
		fclose(m);
		assert_int_equal(cvm_fw_iptables(doc, &p, "t", &v, err, sizeof(err)), 0);
		assert_int_equal(v.state, CVM_FW_UNKNOWN);
		assert_true(time(NULL) - t0 < 10);
		free(doc);
	}
	/* an option at the end without a value, a lone "!" */
	assert_int_equal(cvm_fw_iptables(FILTER("-A INPUT -p\n-A INPUT !\n-A INPUT -j\n"),
	    &p, "t", &v, err, sizeof(err)), 0);
	assert_int_equal(v.state, CVM_FW_UNKNOWN);
}

static enum cvm_fw_state
nft(const char *rules, int family, const char *from, int port,
    struct cvm_fw_verdict *v)
{
	struct cvm_fw_pkt p;
	char err[256], *doc;
	int n;

	memset(&p, 0, sizeof(p));
	p.family = family;
	p.dport = port;
	if (from) {
		assert_int_equal(inet_pton(family, from, p.src), 1);
		p.has_src = 1;
	}
	n = asprintf(&doc, "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}, %s]}",
	    rules);
	assert_true(n > 0);
	assert_int_equal(cvm_fw_nft(doc, strlen(doc), &p, 0, v, err, sizeof(err)), 0);
	free(doc);
	return v->state;
}

#define CHAIN(fam, pol) "{\"table\": {\"family\": \"" fam "\", \"name\": \"f\", \"handle\": 1}}, " \
	"{\"chain\": {\"family\": \"" fam "\", \"table\": \"f\", \"name\": \"input\", \"handle\": 1, " \
	"\"type\": \"filter\", \"hook\": \"input\", \"prio\": 0, \"policy\": \"" pol "\"}}"
#define RULE(fam, h, expr) ", {\"rule\": {\"family\": \"" fam "\", \"table\": \"f\", \"chain\": \"input\", " \
	"\"handle\": " #h ", \"expr\": [" expr "]}}"
#define DPORT(v) "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": " v "}}"
#define ACCEPT "{\"accept\": null}"
#define DROP "{\"drop\": null}"

static void
fw_nft(void **state)
{
	struct cvm_fw_verdict v;

	(void)state;
	assert_int_equal(nft(CHAIN("inet", "accept") RULE("inet", 2, DPORT("22") ", " DROP),
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);
	assert_non_null(strstr(v.where, "handle 2"));
	assert_int_equal(nft(CHAIN("inet", "accept") RULE("inet", 2, DPORT("22") ", " DROP),
	    AF_INET, NULL, 2222, &v), CVM_FW_OPEN);
	/* ip-family tables only see their family */
	assert_int_equal(nft(CHAIN("ip", "drop"), AF_INET6, NULL, 22, &v), CVM_FW_OPEN);
	assert_int_equal(nft(CHAIN("ip6", "drop"), AF_INET6, NULL, 22, &v), CVM_FW_BLOCKED);
	/* an ip expression in an inet chain does not match IPv6 */
	assert_int_equal(nft(CHAIN("inet", "accept") RULE("inet", 2,
	    "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\": \"saddr\"}}, \"right\": {\"prefix\": {\"addr\": \"10.0.0.0\", \"len\": 8}}}}, " DROP),
	    AF_INET6, "2001:db8::1", 22, &v), CVM_FW_OPEN);
	assert_int_equal(nft(CHAIN("inet", "accept") RULE("inet", 2,
	    "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\": \"saddr\"}}, \"right\": {\"prefix\": {\"addr\": \"10.0.0.0\", \"len\": 8}}}}, " DROP),
	    AF_INET, "10.1.1.1", 22, &v), CVM_FW_BLOCKED);
	/* sets: anonymous decided, named not */
	assert_int_equal(nft(CHAIN("inet", "drop") RULE("inet", 2,
	    DPORT("{\"set\": [80, {\"range\": [20, 30]}]}") ", " ACCEPT), AF_INET, NULL, 22, &v),
	    CVM_FW_OPEN);
	assert_int_equal(nft(CHAIN("inet", "drop") RULE("inet", 2, DPORT("\"@ports\"") ", " ACCEPT),
	    AF_INET, NULL, 22, &v), CVM_FW_UNKNOWN);
	/* ct state / tcp flags / iifname lo as nft -j prints them */
	assert_int_equal(nft(CHAIN("inet", "drop")
	    RULE("inet", 2, "{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}}, \"right\": [\"established\", \"related\"]}}, " ACCEPT)
	    RULE("inet", 3, "{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"iifname\"}}, \"right\": \"lo\"}}, " ACCEPT)
	    RULE("inet", 4, "{\"match\": {\"op\": \"in\", \"left\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"flags\"}}, \"right\": \"syn\"}}, "
	        "{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}}, \"right\": \"new\"}}, {\"counter\": {\"packets\": 0, \"bytes\": 0}}, " DPORT("8080") ", " ACCEPT),
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);
	/* limit: a possible accept */
	assert_int_equal(nft(CHAIN("inet", "drop") RULE("inet", 2, DPORT("22")
	    ", {\"limit\": {\"rate\": 5, \"per\": \"second\"}}, " ACCEPT), AF_INET, NULL, 22, &v),
	    CVM_FW_UNKNOWN);
	/* vmap decided by the port */
	assert_int_equal(nft(CHAIN("inet", "accept") RULE("inet", 2,
	    "{\"vmap\": {\"key\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"data\": {\"set\": [[22, {\"drop\": null}], [23, {\"accept\": null}]]}}}"),
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);
	assert_int_equal(nft(CHAIN("inet", "accept") RULE("inet", 2,
	    "{\"vmap\": {\"key\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"data\": {\"set\": [[22, {\"drop\": null}], [23, {\"accept\": null}]]}}}"),
	    AF_INET, NULL, 23, &v), CVM_FW_OPEN);
	/* an iptables-nft compat match cannot be decided */
	assert_int_equal(nft(CHAIN("ip", "accept") RULE("ip", 2, DPORT("22")
	    ", {\"xt\": {\"type\": \"match\", \"name\": \"recent\"}}, " DROP), AF_INET, NULL, 22, &v),
	    CVM_FW_UNKNOWN);
	/* jump to a chain that loops */
	assert_int_equal(nft(CHAIN("inet", "accept")
	    ", {\"chain\": {\"family\": \"inet\", \"table\": \"f\", \"name\": \"loop\", \"handle\": 3}}"
	    RULE("inet", 2, "{\"jump\": {\"target\": \"loop\"}}")
	    ", {\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"loop\", \"handle\": 4, \"expr\": [{\"jump\": {\"target\": \"loop\"}}]}}",
	    AF_INET, NULL, 22, &v), CVM_FW_UNKNOWN);
	/* fib daddr type, loopback destinations */
	assert_int_equal(nft(CHAIN("inet", "drop")
	    RULE("inet", 2, "{\"match\": {\"op\": \"==\", \"left\": {\"fib\": {\"result\": \"type\", \"flags\": [\"daddr\"]}}, \"right\": \"broadcast\"}}, " DROP)
	    RULE("inet", 3, "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\": \"daddr\"}}, \"right\": {\"prefix\": {\"addr\": \"127.0.0.0\", \"len\": 8}}}}, " DROP)
	    RULE("inet", 4, "{\"match\": {\"op\": \"==\", \"left\": {\"fib\": {\"result\": \"type\", \"flags\": [\"daddr\"]}}, \"right\": \"local\"}}, " DPORT("22") ", " ACCEPT),
	    AF_INET, NULL, 22, &v), CVM_FW_OPEN);
	/* firewalld's shape: ct status dnat (no NAT here), a zone by
	 * interface or the default one, reject at the end */
	assert_int_equal(nft(CHAIN("inet", "accept")
	    ", {\"chain\": {\"family\": \"inet\", \"table\": \"f\", \"name\": \"zone\", \"handle\": 9}}"
	    RULE("inet", 2, "{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"status\"}}, \"right\": \"dnat\"}}, " ACCEPT)
	    RULE("inet", 3, "{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"iifname\"}}, \"right\": \"eth0\"}}, {\"goto\": {\"target\": \"zone\"}}")
	    RULE("inet", 4, "{\"goto\": {\"target\": \"zone\"}}")
	    ", {\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"zone\", \"handle\": 10, \"expr\": [" DPORT("80") ", " ACCEPT "]}}"
	    ", {\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"zone\", \"handle\": 11, \"expr\": [{\"reject\": {\"type\": \"icmpx\", \"expr\": \"admin-prohibited\"}}]}}",
	    AF_INET, NULL, 22, &v), CVM_FW_BLOCKED);
	/* notrack in a raw-priority prerouting chain */
	assert_int_equal(nft("{\"chain\": {\"family\": \"inet\", \"table\": \"f\", \"name\": \"raw\", \"handle\": 5, "
	    "\"type\": \"filter\", \"hook\": \"prerouting\", \"prio\": -300, \"policy\": \"accept\"}}, "
	    CHAIN("inet", "accept")
	    ", {\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"raw\", \"handle\": 6, \"expr\": [" DPORT("22") ", {\"notrack\": null}]}}"
	    RULE("inet", 2, "{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}}, \"right\": \"new\"}}, " DROP),
	    AF_INET, NULL, 22, &v), CVM_FW_OPEN);
	/* an unknown statement */
	assert_int_equal(nft(CHAIN("inet", "accept") RULE("inet", 2, DPORT("22") ", {\"queue\": {\"num\": 1}}"),
	    AF_INET, NULL, 22, &v), CVM_FW_UNKNOWN);
}

static void
fw_nft_hostile(void **state)
{
	struct cvm_fw_pkt p = { AF_INET, 0, { 0 }, 22 };
	struct cvm_fw_verdict v;
	char err[256];
	static const char *const bad[] = { "", "[]", "{\"nftables\": 1}",
	    "{\"nftables\": [", "{\"nftables\": [{\"rule\": 1}], \"x\": }" };
	static const char *const odd[] = {
	    "{\"nftables\": [{\"chain\": {\"hook\": \"input\"}}]}",
	    "{\"nftables\": [{\"chain\": {\"family\": \"inet\", \"table\": \"f\", \"name\": \"i\", \"hook\": \"input\", \"prio\": 0}},"
	    " {\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"i\", \"expr\": [1, {\"match\": {}}, {\"a\": 1, \"b\": 2}]}}]}",
	    "{\"nftables\": [{\"chain\": {\"family\": \"inet\", \"table\": \"f\", \"name\": \"i\", \"hook\": \"input\", \"prio\": 0}},"
	    " {\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"i\", \"expr\": [{\"vmap\": {\"key\": 1, \"data\": {\"set\": [1, [2], [3, 4]]}}}]}}]}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cvm_fw_nft(bad[i], strlen(bad[i]), &p, 0, &v, err,
		    sizeof(err)), -1);
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		assert_int_equal(cvm_fw_nft(odd[i], strlen(odd[i]), &p, 0, &v, err,
		    sizeof(err)), 0);
		assert_int_not_equal(v.state, CVM_FW_BLOCKED);
	}
}

/* ---- --root trees ------------------------------------------------------ */

static char *tree;

static void
put(const char *rel, mode_t mode, const char *content)
{
	char path[1024], *s;

	snprintf(path, sizeof(path), "%s%s", tree, rel);
	for (s = strchr(path + strlen(tree) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		(void)mkdir(path, 0755);
		*s = '/';
	}
	assert_int_equal(tl_write(path, mode, content), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
lnk(const char *target, const char *rel)
{
	char path[1024], *s;

	snprintf(path, sizeof(path), "%s%s", tree, rel);
	for (s = strchr(path + strlen(tree) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		(void)mkdir(path, 0755);
		*s = '/';
	}
	(void)unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

static void
rm(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s%s", tree, rel);
	assert_int_equal(unlink(path), 0);
}

/* Debian 12's unit layout (systemd 252, openssh-server 9.2) as the
 * packages install it and the postinst enables ssh.service. */
static void
debian_tree(void)
{
	tree = tl_tmpdir();
	assert_non_null(tree);
	put("/lib/systemd/system/graphical.target", 0644, "[Unit]\n"
	    "Description=Graphical Interface\nDocumentation=man:systemd.special(7)\n"
	    "Requires=multi-user.target\nWants=display-manager.service\n"
	    "Conflicts=rescue.service rescue.target\n"
	    "After=multi-user.target rescue.service rescue.target display-manager.service\n"
	    "AllowIsolate=yes\n");
	put("/lib/systemd/system/multi-user.target", 0644, "[Unit]\n"
	    "Description=Multi-User System\nRequires=basic.target\n"
	    "Conflicts=rescue.service rescue.target\n"
	    "After=basic.target rescue.service rescue.target\nAllowIsolate=yes\n");
	put("/lib/systemd/system/basic.target", 0644, "[Unit]\n"
	    "Description=Basic System\nRequires=sysinit.target\n"
	    "Wants=sockets.target timers.target paths.target slices.target\n"
	    "After=sysinit.target sockets.target paths.target slices.target tmp.mount\n");
	put("/lib/systemd/system/sockets.target", 0644, "[Unit]\nDescription=Sockets\n");
	put("/lib/systemd/system/sysinit.target", 0644, "[Unit]\nDescription=System Initialization\n");
	put("/lib/systemd/system/rescue.target", 0644, "[Unit]\nDescription=Rescue Mode\n"
	    "Requires=sysinit.target rescue.service\n");
	put("/lib/systemd/system/emergency.target", 0644, "[Unit]\nDescription=Emergency Mode\n");
	lnk("graphical.target", "/lib/systemd/system/default.target");
	lnk("rescue.target", "/lib/systemd/system/runlevel1.target");
	lnk("multi-user.target", "/lib/systemd/system/runlevel3.target");
	put("/lib/systemd/system/ssh.service", 0644, "[Unit]\n"
	    "Description=OpenBSD Secure Shell server\n"
	    "After=network.target auditd.service\n"
	    "ConditionPathExists=!/etc/ssh/sshd_not_to_be_run\n\n[Service]\n"
	    "EnvironmentFile=-/etc/default/ssh\nExecStartPre=/usr/sbin/sshd -t\n"
	    "ExecStart=/usr/sbin/sshd -D $SSHD_OPTS\n"
	    "ExecReload=/usr/sbin/sshd -t\nExecReload=/bin/kill -HUP $MAINPID\n"
	    "KillMode=process\nRestart=on-failure\nRestartPreventExitStatus=255\n"
	    "Type=notify\nRuntimeDirectory=sshd\nRuntimeDirectoryMode=0755\n\n"
	    "[Install]\nWantedBy=multi-user.target\nAlias=sshd.service\n");
	put("/lib/systemd/system/ssh.socket", 0644, "[Unit]\n"
	    "Description=OpenBSD Secure Shell server socket\n"
	    "Before=sockets.target\nConditionPathExists=!/etc/ssh/sshd_not_to_be_run\n\n"
	    "[Socket]\nListenStream=22\nAccept=yes\n\n[Install]\nWantedBy=sockets.target\n");
	lnk("/lib/systemd/system/ssh.service",
	    "/etc/systemd/system/multi-user.target.wants/ssh.service");
	lnk("/lib/systemd/system/ssh.service", "/etc/systemd/system/sshd.service");
	/* the real files where this machine has them (a Debian host:
	 * systemd's targets, openssh-server's units) */
	{
		static const char *const real[] = { "graphical.target",
		    "multi-user.target", "basic.target", "sockets.target",
		    "sysinit.target", "rescue.target", "emergency.target",
		    "ssh.service", "ssh.socket", NULL };
		char hp[256], *buf;
		size_t i, n = 0;
		FILE *fp;

		for (i = 0; real[i]; i++) {
			snprintf(hp, sizeof(hp), "/lib/systemd/system/%s", real[i]);
			if ((fp = fopen(hp, "r")) == NULL)
				continue;
			buf = calloc(1, 65536);
			assert_non_null(buf);
			if (fread(buf, 1, 65535, fp) > 0) {
				snprintf(hp, sizeof(hp), "/lib/systemd/system/%s", real[i]);
				put(hp, 0644, buf);
				n++;
			}
			free(buf);
			fclose(fp);
		}
		if (n == 0)
			print_message("# no host unit files: the tree keeps "
			    "its Debian 12 copies\n");
	}
	put("/etc/default/ssh", 0644, "# Default settings for openssh-server. This file is sourced by /bin/sh from\n"
	    "# /etc/init.d/ssh.\n\n# Options to pass to sshd\nSSHD_OPTS=\n");
	put("/etc/ssh/sshd_config", 0644, "Include /etc/ssh/sshd_config.d/*.conf\n"
	    "KbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\n"
	    "PrintMotd no\nAcceptEnv LANG LC_*\n"
	    "Subsystem\tsftp\t/usr/lib/openssh/sftp-server\n");
	put("/etc/ssh/ssh_host_ed25519_key", 0600, "k\n");
	put("/etc/ssh/ssh_host_ecdsa_key", 0600, "k\n");
	put("/etc/ssh/ssh_host_rsa_key", 0600, "k\n");
	put("/etc/group", 0644, "root:x:0:\nssh_keys:x:998:\n");
}

static void
run(struct cvm_audit *a, struct cvm_sshd **c)
{
	char err[512];

	memset(a, 0, sizeof(*a));
	assert_int_equal(cvm_root_init(&a->root, tree), 0);
	a->live = 0;
	a->sshd_config = "/etc/ssh/sshd_config";
	a->sshd_bin = "/usr/sbin/sshd";
	*c = NULL;
	if (cvm_sshd_load(tree, "/etc/ssh/sshd_config", NULL, c, err, sizeof(err)) != 0)
		fail_msg("sshd_config: %s", err);
	a->sshd = *c;
	cvm_audit_sshd_live(a);
	cvm_audit_system(a);
	cvm_audit_net(a);
	cvm_audit_firewall(a);
	cvm_audit_sort(a);
}

static void
done(struct cvm_audit *a, struct cvm_sshd *c)
{
	cvm_audit_free(a);
	cvm_sshd_free(c);
	cvm_root_close(&a->root);
}

/* the finding with that ID and severity, or NULL */
static const struct cvm_finding *
find(const struct cvm_audit *a, const char *id, enum cvm_sev sev)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->f[i].sev == sev && strcmp(a->f[i].check->id, id) == 0)
			return &a->f[i];
	return NULL;
}

static void
print(const struct cvm_audit *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->f[i].sev != CVM_SEV_PASS)
			print_message("#   %s %s %s:%d %s\n", cvm_sev_name(a->f[i].sev),
			    a->f[i].check->id, a->f[i].file ? a->f[i].file : "-",
			    a->f[i].line, a->f[i].detail);
}

/* ...which must be there */
static const struct cvm_finding *
need(const struct cvm_audit *a, const char *id, enum cvm_sev sev)
{
	const struct cvm_finding *f = find(a, id, sev);

	if (f == NULL) {
		print(a);
		fail_msg("no %s %s", cvm_sev_name(sev), id);
		abort();
	}
	return f;
}

static void
no_findings(const struct cvm_audit *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->f[i].sev != CVM_SEV_PASS) {
			print(a);
			fail_msg("unexpected %s", a->f[i].check->id);
		}
}

static void
clean_debian(void **state)
{
	struct cvm_audit a;
	struct cvm_sshd *c;

	(void)state;
	debian_tree();
	run(&a, &c);
	no_findings(&a);
	/* every file-based check ran; the live ones did not (not live) */
	assert_non_null(find(&a, "SYS-SSHD-DISABLED", CVM_SEV_PASS));
	assert_non_null(find(&a, "SYS-RESCUE-TARGET", CVM_SEV_PASS));
	assert_non_null(find(&a, "SSHD-HOSTKEY", CVM_SEV_PASS));
	assert_non_null(find(&a, "SSHD-CMDLINE-OVERRIDE", CVM_SEV_PASS));
	assert_null(find(&a, "NET-LINK-DOWN", CVM_SEV_PASS));
	assert_null(find(&a, "SSHD-NOT-RUNNING", CVM_SEV_PASS));
	assert_null(find(&a, "FW-SSH-BLOCKED", CVM_SEV_PASS));
	done(&a, c);
	tl_rmtree(tree);
	free(tree);
}

static void
sys_disabled(void **state)
{
	struct cvm_audit a;
	struct cvm_sshd *c;
	const struct cvm_finding *f;

	(void)state;
	debian_tree();
	/* not enabled */
	rm("/etc/systemd/system/multi-user.target.wants/ssh.service");
	run(&a, &c);
	f = need(&a, "SYS-SSHD-DISABLED", CVM_SEV_FAIL);
	assert_int_equal(f->blocks, CVM_M_ALL);
	assert_non_null(strstr(f->detail, "graphical.target"));
	assert_non_null(strstr(f->detail, "systemd not running"));
	done(&a, c);
	/* the socket instead, through basic.target -> sockets.target */
	lnk("/lib/systemd/system/ssh.socket",
	    "/etc/systemd/system/sockets.target.wants/ssh.socket");
	run(&a, &c);
	no_findings(&a);
	done(&a, c);
	rm("/etc/systemd/system/sockets.target.wants/ssh.socket");
	/* enabled but masked */
	lnk("/lib/systemd/system/ssh.service",
	    "/etc/systemd/system/multi-user.target.wants/ssh.service");
	lnk("/dev/null", "/etc/systemd/system/ssh.service");
	run(&a, &c);
	f = need(&a, "SYS-SSHD-DISABLED", CVM_SEV_FAIL);
	assert_non_null(strstr(f->detail, "masked"));
	done(&a, c);
	rm("/etc/systemd/system/ssh.service");
	/* sshd_not_to_be_run */
	put("/etc/ssh/sshd_not_to_be_run", 0644, "");
	run(&a, &c);
	f = need(&a, "SYS-SSHD-DISABLED", CVM_SEV_FAIL);
	assert_string_equal(f->file, "/etc/ssh/sshd_not_to_be_run");
	done(&a, c);
	rm("/etc/ssh/sshd_not_to_be_run");
	/* enabled through a link under its alias name, in /lib (a vendor
	 * preset), and a default target in /etc */
	rm("/etc/systemd/system/multi-user.target.wants/ssh.service");
	lnk("../sshd.service", "/lib/systemd/system/multi-user.target.wants/sshd.service");
	lnk("/lib/systemd/system/multi-user.target", "/etc/systemd/system/default.target");
	run(&a, &c);
	no_findings(&a);
	done(&a, c);
	/* the package removed, its links left behind: nothing starts */
	rm("/lib/systemd/system/ssh.service");
	rm("/etc/systemd/system/sshd.service");
	run(&a, &c);
	need(&a, "SYS-SSHD-DISABLED", CVM_SEV_FAIL);
	done(&a, c);
	tl_rmtree(tree);
	free(tree);
}

static void
sys_rescue(void **state)
{
	struct cvm_audit a;
	struct cvm_sshd *c;
	const struct cvm_finding *f;

	(void)state;
	debian_tree();
	lnk("/lib/systemd/system/rescue.target", "/etc/systemd/system/default.target");
	run(&a, &c);
	f = need(&a, "SYS-RESCUE-TARGET", CVM_SEV_FAIL);
	assert_string_equal(f->file, "/etc/systemd/system/default.target");
	assert_int_equal(f->blocks, CVM_M_ALL);
	/* rescue.target does not pull ssh in either */
	assert_non_null(find(&a, "SYS-SSHD-DISABLED", CVM_SEV_FAIL));
	done(&a, c);
	/* through the runlevel1 alias */
	lnk("/lib/systemd/system/runlevel1.target", "/etc/systemd/system/default.target");
	run(&a, &c);
	assert_non_null(find(&a, "SYS-RESCUE-TARGET", CVM_SEV_FAIL));
	done(&a, c);
	lnk("runlevel3.target", "/etc/systemd/system/default.target");
	run(&a, &c);
	no_findings(&a);
	done(&a, c);
	tl_rmtree(tree);
	free(tree);

	/* sysvinit: inittab's initdefault */
	tree = tl_tmpdir();
	put("/etc/ssh/sshd_config", 0644, "HostKey /etc/ssh/k\n");
	put("/etc/ssh/k", 0600, "k\n");
	put("/etc/init.d/ssh", 0755, "#!/bin/sh\n");
	lnk("../init.d/ssh", "/etc/rc2.d/S01ssh");
	put("/etc/inittab", 0644, "# The default runlevel.\nid:S:initdefault:\n");
	run(&a, &c);
	f = need(&a, "SYS-RESCUE-TARGET", CVM_SEV_FAIL);
	assert_string_equal(f->file, "/etc/inittab");
	assert_int_equal(f->line, 2);
	done(&a, c);
	put("/etc/inittab", 0644, "# The default runlevel.\nid:2:initdefault:\n");
	run(&a, &c);
	no_findings(&a);
	done(&a, c);
	rm("/etc/rc2.d/S01ssh");
	run(&a, &c);
	assert_non_null(find(&a, "SYS-SSHD-DISABLED", CVM_SEV_FAIL));
	done(&a, c);
	tl_rmtree(tree);
	free(tree);
}

static void
hostkeys(void **state)
{
	struct cvm_audit a;
	struct cvm_sshd *c;
	const struct cvm_finding *f;

	(void)state;
	debian_tree();
	/* defaults: one group-readable by root's group */
	{
		char p[1024];

		snprintf(p, sizeof(p), "%s/etc/ssh/ssh_host_rsa_key", tree);
		assert_int_equal(chmod(p, 0640), 0);
		run(&a, &c);
		f = need(&a, "SSHD-HOSTKEY", CVM_SEV_WARN);
		assert_non_null(strstr(f->detail, "group-readable"));
		assert_null(find(&a, "SSHD-HOSTKEY", CVM_SEV_FAIL));
		done(&a, c);
		/* ...which Fedora's sshd allows for group ssh_keys */
		assert_int_equal(chown(p, 0, 998), 0);
		run(&a, &c);
		no_findings(&a);
		done(&a, c);
	}
	/* no default key at all */
	rm("/etc/ssh/ssh_host_rsa_key");
	rm("/etc/ssh/ssh_host_ecdsa_key");
	rm("/etc/ssh/ssh_host_ed25519_key");
	run(&a, &c);
	f = need(&a, "SSHD-HOSTKEY", CVM_SEV_FAIL);
	assert_int_equal(f->blocks, CVM_M_ALL);
	done(&a, c);
	/* explicit keys: one missing of two: warn at its line */
	put("/etc/ssh/sshd_config.d/keys.conf", 0644,
	    "# keys\nHostKey /etc/ssh/a_key\nHostKey /etc/ssh/b_key\n");
	put("/etc/ssh/a_key", 0600, "k\n");
	run(&a, &c);
	f = need(&a, "SSHD-HOSTKEY", CVM_SEV_WARN);
	assert_non_null(strstr(f->detail, "/etc/ssh/b_key"));
	assert_string_equal(f->file, "/etc/ssh/sshd_config.d/keys.conf");
	assert_int_equal(f->line, 2);
	assert_null(find(&a, "SSHD-HOSTKEY", CVM_SEV_FAIL));
	done(&a, c);
	/* the other world-readable, a directory: none loadable */
	put("/etc/ssh/a_key", 0644, "k\n");
	{
		char p[1024];

		snprintf(p, sizeof(p), "%s/etc/ssh/b_key", tree);
		assert_int_equal(mkdir(p, 0700), 0);
	}
	run(&a, &c);
	f = need(&a, "SSHD-HOSTKEY", CVM_SEV_FAIL);
	assert_non_null(find(&a, "SSHD-HOSTKEY", CVM_SEV_WARN));
	done(&a, c);
	/* world-readable but not root's: sshd loads it (exposed: warn) */
	{
		char p[1024];

		snprintf(p, sizeof(p), "%s/etc/ssh/a_key", tree);
		assert_int_equal(chown(p, 1000, 1000), 0);
	}
	run(&a, &c);
	f = need(&a, "SSHD-HOSTKEY", CVM_SEV_WARN);
	assert_null(find(&a, "SSHD-HOSTKEY", CVM_SEV_FAIL));
	done(&a, c);
	tl_rmtree(tree);
	free(tree);
}

static void
cmdline_override(void **state)
{
	struct cvm_audit a;
	struct cvm_sshd *c;
	const struct cvm_finding *f;

	(void)state;
	debian_tree();
	put("/etc/default/ssh", 0644, "# Options to pass to sshd\nSSHD_OPTS=\"-D -p 2222\"\n");
	run(&a, &c);
	f = need(&a, "SSHD-CMDLINE-OVERRIDE", CVM_SEV_WARN);
	assert_string_equal(f->file, "/etc/default/ssh");
	assert_int_equal(f->line, 2);
	assert_non_null(strstr(f->detail, "-p 2222"));
	done(&a, c);
	put("/etc/default/ssh", 0644, "SSHD_OPTS='-oPasswordAuthentication=yes'\n");
	run(&a, &c);
	assert_non_null(find(&a, "SSHD-CMDLINE-OVERRIDE", CVM_SEV_WARN));
	done(&a, c);
	/* -E (takes a value) and -D are no override; nor a -f naming the
	 * audited file */
	put("/etc/default/ssh", 0644, "SSHD_OPTS=\"-E /var/log/sshd.log -D -f /etc/ssh/sshd_config\"\n");
	run(&a, &c);
	no_findings(&a);
	done(&a, c);
	/* RHEL's /etc/sysconfig/sshd */
	put("/etc/sysconfig/sshd", 0644, "# Configuration file for the sshd service.\n"
	    "#OPTIONS=\"-p 2022\"\nOPTIONS=\"-u0 -oPort=2022\"\n");
	run(&a, &c);
	f = need(&a, "SSHD-CMDLINE-OVERRIDE", CVM_SEV_WARN);
	assert_string_equal(f->file, "/etc/sysconfig/sshd");
	assert_int_equal(f->line, 3);
	done(&a, c);
	rm("/etc/sysconfig/sshd");
	put("/etc/systemd/system/ssh.service.d/override.conf", 0644,
	    "[Service]\nExecStart=\nExecStart=/usr/sbin/sshd -D -f /etc/ssh/other_config\n");
	run(&a, &c);
	f = need(&a, "SSHD-CMDLINE-OVERRIDE", CVM_SEV_WARN);
	assert_string_equal(f->file, "/etc/systemd/system/ssh.service.d/override.conf");
	assert_int_equal(f->line, 3);
	done(&a, c);
	tl_rmtree(tree);
	free(tree);
}

/* inet_diag against sockets made here, with and without IPV6_V6ONLY */
static void
v6only_diag(void **state)
{
	int v, fd;
	struct sockaddr_in6 sa;
	struct stat st;

	(void)state;
	for (v = 0; v <= 1; v++) {
		fd = socket(AF_INET6, SOCK_STREAM, 0);
		if (fd < 0) {
			print_message("# no IPv6 sockets here: %s\n", strerror(errno));
			return;
		}
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v,
		    sizeof(v)), 0);
		memset(&sa, 0, sizeof(sa));
		sa.sin6_family = AF_INET6;
		sa.sin6_addr = in6addr_any;	/* port 0: any free one */
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(listen(fd, 1), 0);
		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal(cvm_inet_diag_v6only(0, (unsigned long)st.st_ino), v);
		assert_int_equal(cvm_inet_diag_v6only(getpid(), (unsigned long)st.st_ino), v);
		close(fd);
		/* gone: not found */
		assert_int_equal(cvm_inet_diag_v6only(0, (unsigned long)st.st_ino), -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fw_iptables),
		cmocka_unit_test(fw_iptables_hostile),
		cmocka_unit_test(fw_nft),
		cmocka_unit_test(fw_nft_hostile),
		cmocka_unit_test(clean_debian),
		cmocka_unit_test(sys_disabled),
		cmocka_unit_test(sys_rescue),
		cmocka_unit_test(hostkeys),
		cmocka_unit_test(cmdline_override),
		cmocka_unit_test(v6only_diag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
