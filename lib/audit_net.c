/* Step 4 (DESIGN §6): NET-LINK-DOWN, NET-NO-ADDR.  Live only: the links
 * of the audit's own network namespace from /sys/class/net, addresses from
 * getifaddrs(3). */
#include "config.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit_util.h"

#define MAXLINKS 256

/* /sys/class/net/<ifname>/<attr> as a short string; 0 or -1. */
static int
sysattr(const char *ifname, const char *attr, char *buf, size_t len)
{
	struct cvm_root live = { -1, 0, "/" };
	char path[256], *b = NULL;
	size_t n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	if (cvm_root_read(&live, path, 4096, &b, &n) != 0)
		return -1;
	while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' '))
		b[--n] = '\0';
	snprintf(buf, len, "%s", b);
	free(b);
	return 0;
}

/* Up as the kernel reports it: operstate "up", or "unknown" (drivers
 * without carrier reporting: dummy, tun, some virtual NICs) with IFF_UP
 * in flags. */
static int
link_up(const char *ifname)
{
	char state[64], flags[64];
	unsigned long fl;
	char *e;

	if (sysattr(ifname, "operstate", state, sizeof(state)) != 0)
		return 0;
	if (strcmp(state, "up") == 0)
		return 1;
	if (strcmp(state, "unknown") != 0 ||
	    sysattr(ifname, "flags", flags, sizeof(flags)) != 0)
		return 0;
	errno = 0;
	fl = strtoul(flags, &e, 16);
	return errno == 0 && e != flags && (fl & IFF_UP) != 0;
}

/* Global unicast: not loopback, link-local, unspecified or multicast. */
static int
global_addr(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t v = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);

		return v != 0 && (v >> 24) != 127 && (v >> 16) != 0xa9fe &&
		    (v >> 28) != 0xe;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;

		return !IN6_IS_ADDR_LOOPBACK(a6) && !IN6_IS_ADDR_LINKLOCAL(a6) &&
		    !IN6_IS_ADDR_UNSPECIFIED(a6) && !IN6_IS_ADDR_MULTICAST(a6) &&
		    !IN6_IS_ADDR_V4MAPPED(a6);
	}
	return 0;
}

void
cvm_audit_net(struct cvm_audit *a)
{
	struct cvm_root live = { -1, 0, "/" };
	char up[MAXLINKS][IF_NAMESIZE + 1], type[32], downs[512] = "";
	size_t nup = 0, i, nlinks = 0;
	struct ifaddrs *ifa = NULL, *p;
	struct dirent *de;
	int naddr = 0;
	DIR *d;

	if (!a->live)
		return;
	if ((d = cvm_root_opendir(&live, "/sys/class/net")) == NULL) {
		cvm_audit_add(a, "NET-LINK-DOWN", CVM_SEV_INFO, 0, NULL, 0, NULL,
		    "cannot read /sys/class/net: %s; links not checked",
		    strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strlen(de->d_name) > IF_NAMESIZE)
			continue;
		/* loopback by its ARPHRD type (772), not by name */
		if (sysattr(de->d_name, "type", type, sizeof(type)) == 0 &&
		    strcmp(type, "772") == 0)
			continue;
		nlinks++;
		if (link_up(de->d_name)) {
			if (nup < MAXLINKS)	/* length checked above */
				memcpy(up[nup++], de->d_name, strlen(de->d_name) + 1);
		} else if (strlen(downs) + strlen(de->d_name) + 3 < sizeof(downs)) {
			size_t dl = strlen(downs);	/* fits: checked above */

			snprintf(downs + dl, sizeof(downs) - dl, "%s%s",
			    dl > 0 ? ", " : "", de->d_name);
		}
	}
	closedir(d);
	if (nup == 0) {
		cvm_audit_add(a, "NET-LINK-DOWN", CVM_SEV_FAIL, CVM_M_ALL, NULL,
		    0, "bring a link up (ip link set DEV up) and check the "
		    "network configuration (/etc/network/interfaces, netplan, "
		    "NetworkManager, systemd-networkd)",
		    nlinks ? "no non-loopback interface is up (down: %s)" :
		    "no network interface other than loopback%s", downs);
		return;
	}
	cvm_audit_pass(a, "NET-LINK-DOWN");
	if (getifaddrs(&ifa) != 0) {
		cvm_audit_add(a, "NET-NO-ADDR", CVM_SEV_INFO, 0, NULL, 0, NULL,
		    "getifaddrs: %s; addresses not checked", strerror(errno));
		return;
	}
	for (p = ifa; p; p = p->ifa_next) {
		if (p->ifa_addr == NULL || !global_addr(p->ifa_addr))
			continue;
		for (i = 0; i < nup; i++)
			if (strcmp(up[i], p->ifa_name) == 0)
				naddr++;
	}
	freeifaddrs(ifa);
	if (naddr == 0)
		cvm_audit_add(a, "NET-NO-ADDR", CVM_SEV_FAIL, CVM_M_ALL, NULL, 0,
		    "configure an address (DHCP client running? static "
		    "address in the network configuration?)",
		    "no global IPv4 or IPv6 address on an up interface "
		    "(up: %s%s)", up[0], nup > 1 ? ", ..." : "");
	else
		cvm_audit_pass(a, "NET-NO-ADDR");
}
