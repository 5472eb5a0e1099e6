/* Firewall rulesets evaluated for one new TCP connection to the SSH port
 * (DESIGN §6, step 6): iptables-save text (legacy or nft backend) and
 * `nft -j list ruleset` JSON.  Three-valued: every rule matches, does not,
 * or cannot be decided offline (sets, recent, limits, marks, interface
 * names...); a chain's result is the set of verdicts it can reach.  A
 * connection is definitely blocked only when some input-path base chain
 * can reach nothing but DROP/REJECT. */
#ifndef CVM_FWRULES_H
#define CVM_FWRULES_H
#include <stddef.h>

/* The first packet of the connection: a TCP SYN, conntrack state NEW,
 * arriving from the network (not on loopback unless src is loopback). */
struct cvm_fw_pkt {
	int family;		/* AF_INET or AF_INET6 */
	int has_src;		/* src known (--from) */
	unsigned char src[16];
	int dport;
};

enum cvm_fw_state { CVM_FW_OPEN, CVM_FW_UNKNOWN, CVM_FW_BLOCKED };

struct cvm_fw_verdict {
	enum cvm_fw_state state;
	char where[256];	/* BLOCKED: the rule or policy that drops */
	char why[256];		/* UNKNOWN: the first rule that cannot be
				   decided and could change the outcome */
	int dport;		/* the port after NAT redirects */
};

/* iptables-save output for family pkt->family.  Returns 0, or -1 with a
 * message in err (malformed input: nothing is concluded). */
int cvm_fw_iptables(const char *text, const struct cvm_fw_pkt *pkt,
    const char *source, struct cvm_fw_verdict *v, char *err, size_t errlen);
/* `nft -j list ruleset` output.  skip_ipt: tables iptables-nft manages
 * (family ip/ip6, names filter/nat/mangle/raw/security) already read
 * through iptables-nft-save are skipped.  0 or -1 as above. */
int cvm_fw_nft(const char *json, size_t len, const struct cvm_fw_pkt *pkt,
    int skip_ipt, struct cvm_fw_verdict *v, char *err, size_t errlen);
#endif
