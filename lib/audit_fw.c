/* Step 6 (DESIGN §6): FW-SSH-BLOCKED, FW-SSH-INDETERMINATE.  Live only:
 * reads the rulesets of every backend (iptables-legacy, iptables-nft,
 * nft) with fixed argv and a deadline, then evaluates a new TCP connection
 * to each SSH port (lib/fwrules.c).  A tool that is not installed has
 * nothing to read; one that fails makes the answer indeterminate. */
#include "config.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "audit_util.h"
#include "fwrules.h"

#define FW_TIMEOUT_MS 5000
#define FW_CAP (32u << 20)

struct src {
	const char *tool;
	const char *args[4];
	int family;		/* AF_INET, AF_INET6, 0 both (nft) */
	const char *legacy;	/* legacy: the proc file saying it is in use */
	char *out;
	size_t len;
	int ok;			/* read */
	int failed;		/* present but could not be read */
};

static const struct src sources[] = {
	{ "iptables-legacy-save", { NULL }, AF_INET, "/proc/net/ip_tables_names",
	  NULL, 0, 0, 0 },
	{ "ip6tables-legacy-save", { NULL }, AF_INET6, "/proc/net/ip6_tables_names",
	  NULL, 0, 0, 0 },
	{ "iptables-nft-save", { NULL }, AF_INET, NULL, NULL, 0, 0, 0 },
	{ "ip6tables-nft-save", { NULL }, AF_INET6, NULL, NULL, 0, 0, 0 },
	{ "nft", { "-j", "list", "ruleset", NULL }, 0, NULL, NULL, 0, 0, 0 },
};
#define NSRC (sizeof(sources) / sizeof(sources[0]))

static void
read_sources(struct src *s, size_t n)
{
	char tool[128];
	size_t i, k;

	for (i = 0; i < n; i++) {
		const char *argv[6];
		struct stat st;
		int trunc, rc;

		s[i].out = NULL;
		s[i].ok = s[i].failed = 0;
		/* legacy tables exist only once something loaded them: do
		 * not make the save tool load the modules */
		if (s[i].legacy && (stat(s[i].legacy, &st) != 0))
			continue;
		if (cvm_find_tool(s[i].tool, tool, sizeof(tool)) != 0)
			continue;
		argv[0] = tool;
		for (k = 0; k < 4 && s[i].args[k]; k++)
			argv[k + 1] = s[i].args[k];
		argv[k + 1] = NULL;
		rc = cvm_run(argv, FW_TIMEOUT_MS, FW_CAP, &s[i].out, &s[i].len,
		    &trunc);
		if (rc == 0 && !trunc)
			s[i].ok = 1;
		else {
			free(s[i].out);
			s[i].out = NULL;
			s[i].failed = 1;
		}
	}
}

/* Families that matter without --from: those with a global address. */
static void
families(int *v4, int *v6)
{
	struct ifaddrs *ifa = NULL, *p;

	*v4 = *v6 = 0;
	if (getifaddrs(&ifa) == 0) {
		for (p = ifa; p; p = p->ifa_next) {
			if (p->ifa_addr == NULL)
				continue;
			if (p->ifa_addr->sa_family == AF_INET) {
				uint32_t v = ntohl(((struct sockaddr_in *)
				    p->ifa_addr)->sin_addr.s_addr);

				if ((v >> 24) != 127 && (v >> 16) != 0xa9fe)
					*v4 = 1;
			} else if (p->ifa_addr->sa_family == AF_INET6) {
				struct in6_addr *a6 = &((struct sockaddr_in6 *)
				    p->ifa_addr)->sin6_addr;

				if (!IN6_IS_ADDR_LOOPBACK(a6) &&
				    !IN6_IS_ADDR_LINKLOCAL(a6))
					*v6 = 1;
			}
		}
		freeifaddrs(ifa);
	}
	if (!*v4 && !*v6)
		*v4 = *v6 = 1;
}

/* The combined verdict of every source for one packet. */
static void
evaluate(struct src *s, size_t n, const struct cvm_fw_pkt *pkt,
    struct cvm_fw_verdict *out, char *failed, size_t flen)
{
	size_t i;
	int ipt_nft_ok = 0;

	memset(out, 0, sizeof(*out));
	out->state = CVM_FW_OPEN;
	out->dport = pkt->dport;
	for (i = 0; i < n; i++)
		if (s[i].ok && s[i].family == pkt->family &&
		    strncmp(s[i].tool, "ip", 2) == 0 &&
		    strstr(s[i].tool, "-nft-") != NULL)
			ipt_nft_ok = 1;
	for (i = 0; i < n; i++) {
		struct cvm_fw_verdict v;
		char err[160];
		int rc;

		if (s[i].family && s[i].family != pkt->family)
			continue;
		if (s[i].failed) {
			if (failed[0] == '\0')
				snprintf(failed, flen, "%s could not be read "
				    "(failed or timed out%s)", s[i].tool,
				    geteuid() != 0 ? "; reading rules needs root" : "");
			continue;
		}
		if (!s[i].ok)
			continue;
		if (s[i].family)
			rc = cvm_fw_iptables(s[i].out, pkt, s[i].tool, &v, err,
			    sizeof(err));
		else
			rc = cvm_fw_nft(s[i].out, s[i].len, pkt, ipt_nft_ok, &v,
			    err, sizeof(err));
		if (rc != 0) {
			if (failed[0] == '\0')
				snprintf(failed, flen, "%s output not understood: "
				    "%s", s[i].tool, err);
			continue;
		}
		if (v.state > out->state) {
			out->state = v.state;
			memcpy(out->where, v.where, sizeof(out->where));
			memcpy(out->why, v.why, sizeof(out->why));
		}
		if (v.dport != pkt->dport)
			out->dport = v.dport;
	}
	if (failed[0] && out->state == CVM_FW_OPEN) {
		out->state = CVM_FW_UNKNOWN;
		snprintf(out->why, sizeof(out->why), "%s", failed);
	}
}

static int
in_ports(const int *ports, size_t n, int p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ports[i] == p)
			return 1;
	return 0;
}

static const char *
famname(int f)
{
	return f == AF_INET ? "IPv4" : "IPv6";
}

void
cvm_audit_firewall(struct cvm_audit *a)
{
	struct src src[NSRC];
	struct cvm_fw_pkt pkt;
	struct cvm_fw_verdict v[2];
	int ports[16], fams[2], nf = 0, v4, v6;
	size_t np, i;
	unsigned char addr[16];
	char failed[256];
	int k;

	if (!a->live)
		return;
	memset(&pkt, 0, sizeof(pkt));
	if (a->from && inet_pton(AF_INET, a->from, addr) == 1) {
		fams[nf++] = AF_INET;
		pkt.has_src = 1;
		memcpy(pkt.src, addr, 4);
	} else if (a->from && inet_pton(AF_INET6, a->from, addr) == 1) {
		if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)addr)) {
			fams[nf++] = AF_INET;
			memcpy(pkt.src, addr + 12, 4);
		} else {
			fams[nf++] = AF_INET6;
			memcpy(pkt.src, addr, 16);
		}
		pkt.has_src = 1;
	} else {
		families(&v4, &v6);
		if (v4)
			fams[nf++] = AF_INET;
		if (v6)
			fams[nf++] = AF_INET6;
	}
	memcpy(src, sources, sizeof(src));
	read_sources(src, NSRC);
	np = cvm_audit_ports(a, ports, 16);
	for (i = 0; i < np; i++) {
		int nblocked = 0, nunknown = 0;

		failed[0] = '\0';
		for (k = 0; k < nf; k++) {
			pkt.family = fams[k];
			pkt.dport = ports[i];
			evaluate(src, NSRC, &pkt, &v[k], failed, sizeof(failed));
			nblocked += v[k].state == CVM_FW_BLOCKED;
			nunknown += v[k].state == CVM_FW_UNKNOWN;
		}
		if (nblocked == nf)
			cvm_audit_add(a, "FW-SSH-BLOCKED", CVM_SEV_FAIL, CVM_M_ALL,
			    NULL, 0, "accept new TCP connections to the SSH port "
			    "before that rule (e.g. iptables -I INPUT -p tcp "
			    "--dport PORT -j ACCEPT, or an nft accept rule), and "
			    "save the ruleset where it is loaded at boot",
			    "a new connection to port %d%s%s%s is dropped: %s%s%s",
			    ports[i], a->from ? " from " : "", a->from ? a->from : "",
			    nf == 1 ? (fams[0] == AF_INET ? " (IPv4)" : " (IPv6)") :
			    "", v[0].where, nf > 1 ? "; " : "",
			    nf > 1 ? v[1].where : "");
		else if (nblocked + nunknown > 0) {
			for (k = 0; k < nf && v[k].state == CVM_FW_OPEN; k++)
				;
			if (v[k].state == CVM_FW_BLOCKED)
				cvm_audit_add(a, "FW-SSH-INDETERMINATE",
				    CVM_SEV_INFO, 0, NULL, 0, "give --from ADDR "
				    "to decide for one client",
				    "port %d: new %s connections are dropped (%s), "
				    "others are not", ports[i], famname(fams[k]),
				    v[k].where);
			else
				cvm_audit_add(a, "FW-SSH-INDETERMINATE",
				    CVM_SEV_INFO, 0, NULL, 0, "check that rule by "
				    "hand (nft list ruleset / iptables-save)",
				    "port %d (%s): whether a new connection is "
				    "dropped depends on %s", ports[i],
				    famname(fams[k]), v[k].why);
		}
		if (v[0].dport != ports[i] && !in_ports(ports, np, v[0].dport))
			cvm_audit_add(a, "FW-SSH-INDETERMINATE", CVM_SEV_INFO, 0,
			    NULL, 0, "make sshd listen on the port the "
			    "connection is redirected to, or drop the redirect",
			    "connections to port %d are redirected (NAT) to port "
			    "%d", ports[i], v[0].dport);
	}
	if (!cvm_audit_has(a, "FW-SSH-BLOCKED", CVM_SEV_INFO))
		cvm_audit_pass(a, "FW-SSH-BLOCKED");
	if (!cvm_audit_has(a, "FW-SSH-INDETERMINATE", CVM_SEV_INFO))
		cvm_audit_pass(a, "FW-SSH-INDETERMINATE");
	for (i = 0; i < NSRC; i++) {
		free(src[i].out);
	}
}
