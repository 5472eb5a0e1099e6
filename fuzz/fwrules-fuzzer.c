/* The firewall rule readers (lib/fwrules.c): the first byte picks the
 * reader (even: iptables-save text, odd: nft -j JSON) and the packet's
 * family and --from; the rest is the ruleset.  Every verdict must be one
 * of the three states and BLOCKED must name where. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "fwrules.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cvm_fw_pkt p;
	struct cvm_fw_verdict v;
	char err[256], *text;
	unsigned sel;
	int rc;

	if (size < 1)
		return 0;
	sel = data[0];
	memset(&p, 0, sizeof(p));
	p.family = (sel & 2) ? AF_INET6 : AF_INET;
	p.dport = (sel & 8) ? 2222 : 22;
	if (sel & 4) {
		p.has_src = 1;
		(void)inet_pton(p.family, p.family == AF_INET ? "10.1.2.3" :
		    "2001:db8::1", p.src);
	}
	if ((text = fuzz_strdup(data + 1, size - 1)) == NULL)
		return 0;
	if (sel & 1)
		rc = cvm_fw_nft(text, size - 1, &p, (sel & 16) != 0, &v, err,
		    sizeof(err));
	else
		rc = cvm_fw_iptables(text, &p, "fuzz", &v, err, sizeof(err));
	if (rc == 0 && (v.state > CVM_FW_BLOCKED ||
	    (v.state == CVM_FW_BLOCKED && v.where[0] == '\0') ||
	    v.dport <= 0 || v.dport > 65535))
		abort();
	free(text);
	return 0;
}
