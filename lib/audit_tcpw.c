/* Step 7 of the audit (DESIGN §6): tcp_wrappers.  TCPW-INERT when rules
 * name sshd but no sshd binary links libwrap; else TCPW-DENY when
 * hosts.allow/hosts.deny refuse sshd for --from (without it: for every
 * address), TCPW-INDETERMINATE when a name, DNS or command could change
 * that.  Evaluation in lib/tcpw.c, DT_NEEDED in lib/elfdeps.c. */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "audit.h"
#include "elfdeps.h"
#include "sshdcfg.h"
#include "tcpw.h"

#define ALLOW_FILE	"/etc/hosts.allow"
#define DENY_FILE	"/etc/hosts.deny"
#define MAX_PORTS	64

/* Whether the audited OpenSSH is >= 9.8, where sshd-session does the
 * libwrap check under the name "sshd". */
static int
version_ge_98(const char *v)
{
	unsigned long major, minor = 0;
	char *end;

	if (v == NULL)
		return 0;
	major = strtoul(v, &end, 10);
	if (*end == '.')
		minor = strtoul(end + 1, NULL, 10);
	return major > 9 || (major == 9 && minor >= 8);
}

/* Before 9.8 libwrap gets sshd's __progname: the basename of its argv[0].
 * On a live system, the running sshd tells (its title "NAME: ..." once
 * set, else argv[0]); otherwise, and by default, "sshd". */
static void
daemon_name(const struct cvm_audit *a, char *out, size_t outlen)
{
	char want[PATH_MAX], exe[PATH_MAX], path[300], cmd[512];
	struct dirent *d;
	DIR *dir;

	snprintf(out, outlen, "sshd");
	if (version_ge_98(a->sshd_version) || !a->live || a->sshd_bin == NULL ||
	    realpath(a->sshd_bin, want) == NULL || (dir = opendir("/proc")) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		ssize_t n;
		int fd;
		char *name, *colon;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/exe", d->d_name);
		if ((n = readlink(path, exe, sizeof(exe) - 1)) <= 0)
			continue;
		exe[n] = '\0';
		if (strcmp(exe, want) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", d->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = read(fd, cmd, sizeof(cmd) - 1);
		close(fd);
		if (n <= 0)
			continue;
		cmd[n] = '\0';
		/* once titled (setproctitle), "progname: ..."; else argv[0] */
		name = cmd;
		if ((colon = strstr(cmd, ": ")) != NULL &&
		    strcspn(cmd, "/ ") >= (size_t)(colon - cmd))
			*colon = '\0';
		else if (strrchr(cmd, '/') != NULL)
			name = strrchr(cmd, '/') + 1;
		if (*name != '\0' && strlen(name) < outlen) {
			memcpy(out, name, strlen(name) + 1);
			break;
		}
	}
	closedir(dir);
}

/* 1: some binary needs libwrap.so.*, 0: none does, -1: none could be
 * read (why in err). */
static int
uses_libwrap(const struct cvm_audit *a, char *err, size_t errlen)
{
	const char *bins[2] = { a->sshd_bin, a->sshd_session_bin };
	int known = 0;

	err[0] = '\0';
	for (int i = 0; i < 2; i++) {
		char **needed;
		size_t n;
		int hit = 0;

		if (bins[i] == NULL)
			continue;
		if (cvm_elf_needed_file(&a->root, bins[i], &needed, &n,
		    err, errlen) != 0)
			continue;
		known = 1;
		for (size_t j = 0; j < n; j++)
			hit |= strncmp(needed[j], "libwrap.so", 10) == 0;
		cvm_elf_needed_free(needed, n);
		if (hit)
			return 1;
	}
	return known ? 0 : -1;
}

static size_t
sshd_ports(const struct cvm_audit *a, unsigned *ports)
{
	size_t n = 0, cnt;

	if (a->sshd == NULL)
		return 0;
	cnt = cvm_sshd_count(a->sshd, "port");
	for (size_t i = 0; i < cnt && n < MAX_PORTS; i++) {
		const char *v = cvm_sshd_value(a->sshd, "port", i);
		char *end;
		unsigned long p;

		if (v == NULL)
			return 0;
		p = strtoul(v, &end, 10);
		if (*end != '\0' || p == 0 || p > 65535)
			return 0;	/* unknown: port patterns stay "maybe" */
		ports[n++] = (unsigned)p;
	}
	return n;
}

#define FAM_V4	1u
#define FAM_V6	2u

/* The address families sshd takes connections on (AddressFamily, and
 * the ListenAddress values as sshd -T prints them: "0.0.0.0:22",
 * "[::]:22"); both when unknown or a host name is listened on. */
static unsigned
sshd_families(const struct cvm_audit *a)
{
	const char *af;
	unsigned fam = 0, mask = FAM_V4 | FAM_V6;
	size_t n;

	if (a->sshd == NULL)
		return mask;
	if ((af = cvm_sshd_get(a->sshd, "addressfamily")) != NULL) {
		if (strcasecmp(af, "inet") == 0)
			mask = FAM_V4;
		else if (strcasecmp(af, "inet6") == 0)
			mask = FAM_V6;
	}
	n = cvm_sshd_count(a->sshd, "listenaddress");
	for (size_t i = 0; i < n; i++) {
		const char *v = cvm_sshd_value(a->sshd, "listenaddress", i);
		char host[64];
		struct in_addr in;
		size_t len;

		if (v == NULL)
			return mask;
		if (v[0] == '[') {
			fam |= FAM_V6;
			continue;
		}
		len = strcspn(v, ": ");
		if (len >= sizeof(host))
			return mask;
		memcpy(host, v, len);
		host[len] = '\0';
		if (inet_pton(AF_INET, host, &in) != 1)
			return mask;	/* a name: either family */
		fam |= FAM_V4;
	}
	return fam ? fam & mask : mask;
}

struct sweep {
	unsigned fam;
	const struct cvm_tcpw *w;
	struct cvm_tcpw_conn c;
	size_t total, allow, deny, maybe;
	char deny_addr[64], maybe_addr[64];
	struct cvm_tcpw_result first_deny, first_maybe;
};

static int
sweep_one(const char *addr, void *arg)
{
	struct sweep *s = arg;
	struct cvm_tcpw_result r;

	if (!(s->fam & (strchr(addr, ':') != NULL ? FAM_V6 : FAM_V4)))
		return 0;	/* sshd does not listen for that family */
	s->c.addr = addr;
	cvm_tcpw_eval(s->w, &s->c, &r);
	s->total++;
	if (r.set == CVM_TCPW_ALLOW) {
		s->allow++;
		return 1;	/* not every address is denied: enough */
	}
	if (r.set == CVM_TCPW_DENY) {
		if (s->deny++ == 0) {
			s->first_deny = r;
			snprintf(s->deny_addr, sizeof(s->deny_addr), "%s", addr);
		}
	} else if (s->maybe++ == 0) {
		s->first_maybe = r;
		snprintf(s->maybe_addr, sizeof(s->maybe_addr), "%s", addr);
	}
	return 0;
}

static void
report_deny(struct cvm_audit *a, const struct cvm_tcpw_result *r,
    const char *daemon, const char *who)
{
	const struct cvm_tcpw_loc *l = &r->at[1];
	char fix[400];

	if (strstr(r->why[1], "without newline") != NULL)
		snprintf(fix, sizeof(fix), "end every line of %s with a newline and keep "
		    "rules under 2048 bytes (libwrap stops at line %d and refuses what "
		    "reaches it)", l->file, l->line);
	else
		snprintf(fix, sizeof(fix), "remove or narrow the rule at %s:%d, or allow "
		    "sshd for the client first in /etc/hosts.allow (e.g. \"%s: %s\")",
		    l->file ? l->file : DENY_FILE, l->line, daemon,
		    a->from ? a->from : "ADDRESS");
	cvm_audit_add(a, "TCPW-DENY", CVM_SEV_FAIL, CVM_M_ALL, l->file, l->line, fix,
	    "tcp_wrappers refuse %s for %s: %s:%d (%s)", daemon, who,
	    l->file ? l->file : "?", l->line, r->why[1]);
}

static void
report_maybe(struct cvm_audit *a, const struct cvm_tcpw_result *r,
    const char *who)
{
	cvm_audit_add(a, "TCPW-INDETERMINATE", CVM_SEV_INFO, 0, r->maybe.file,
	    r->maybe.line, "use addresses or networks instead of host names in "
	    "/etc/hosts.allow and /etc/hosts.deny to make the verdict certain",
	    "whether tcp_wrappers let %s in cannot be told offline: %s:%d: %s",
	    who, r->maybe.file ? r->maybe.file : "?", r->maybe.line, r->maybe_why);
}

void
cvm_audit_tcpw(struct cvm_audit *a)
{
	struct cvm_tcpw w;
	struct cvm_tcpw_loc loc;
	char daemon[64], err[300], canon[128], who[160];
	unsigned ports[MAX_PORTS];
	int uses, cut;

	if (cvm_tcpw_load(&w, &a->root, ALLOW_FILE, DENY_FILE) != 0) {
		a->oom = 1;
		return;
	}
	daemon_name(a, daemon, sizeof(daemon));
	if (!cvm_tcpw_names_daemon(&w, daemon, &loc)) {
		cvm_audit_pass(a, "TCPW-INERT");
		cvm_audit_pass(a, "TCPW-DENY");
		cvm_audit_pass(a, "TCPW-INDETERMINATE");
		goto out;
	}
	uses = uses_libwrap(a, err, sizeof(err));
	if (uses == 0) {
		cvm_audit_add(a, "TCPW-INERT", CVM_SEV_WARN, 0, loc.file, loc.line,
		    "this sshd ignores tcp_wrappers: restrict clients with the firewall "
		    "or sshd_config (AllowUsers/DenyUsers, Match Address), and remove the "
		    "sshd rules so that nobody relies on them",
		    "%s:%d names %s, but neither %s%s%s links libwrap.so: the rules do nothing",
		    loc.file, loc.line, daemon, a->sshd_bin ? a->sshd_bin : "sshd",
		    a->sshd_session_bin ? " nor " : "",
		    a->sshd_session_bin ? a->sshd_session_bin : "");
		cvm_audit_pass(a, "TCPW-DENY");
		cvm_audit_pass(a, "TCPW-INDETERMINATE");
		goto out;
	}
	/* libwrap in use, or the binaries unreadable (then the rules are
	 * taken as applying: Debian's sshd links libwrap) */
	cvm_audit_pass(a, "TCPW-INERT");

	if (a->from != NULL) {
		struct cvm_tcpw_conn c = { daemon, canon, ports, sshd_ports(a, ports) };
		struct cvm_tcpw_result r;

		snprintf(who, sizeof(who), "%s", a->from);
		if (cvm_tcpw_canon_addr(a->from, canon, sizeof(canon)) != 0) {
			cvm_audit_add(a, "TCPW-INDETERMINATE", CVM_SEV_INFO, 0, loc.file,
			    loc.line, "give --from as a numeric address",
			    "--from %s is not a numeric address: libwrap matches the "
			    "address sshd sees", a->from);
			cvm_audit_pass(a, "TCPW-DENY");
			goto out;
		}
		cvm_tcpw_eval(&w, &c, &r);
		if (r.set == CVM_TCPW_DENY) {
			report_deny(a, &r, daemon, who);
			cvm_audit_pass(a, "TCPW-INDETERMINATE");
		} else if (r.set == CVM_TCPW_ALLOW) {
			cvm_audit_pass(a, "TCPW-DENY");
			cvm_audit_pass(a, "TCPW-INDETERMINATE");
		} else {
			cvm_audit_pass(a, "TCPW-DENY");
			report_maybe(a, &r, who);
		}
	} else {
		struct sweep s;

		memset(&s, 0, sizeof(s));
		s.w = &w;
		s.fam = sshd_families(a);
		s.c.daemon = daemon;
		s.c.ports = ports;
		s.c.nports = sshd_ports(a, ports);
		cut = cvm_tcpw_witnesses(&w, daemon, sweep_one, &s) == CVM_TCPW_WITNESSES_CUT;
		if (s.allow > 0) {
			cvm_audit_pass(a, "TCPW-DENY");
			cvm_audit_pass(a, "TCPW-INDETERMINATE");
		} else if (cut) {
			cvm_audit_pass(a, "TCPW-DENY");
			cvm_audit_add(a, "TCPW-INDETERMINATE", CVM_SEV_INFO, 0,
			    loc.file, loc.line, "run the audit with --from ADDRESS",
			    "the rules name too many addresses to try them all: "
			    "whether every client is refused was not decided");
		} else if (s.maybe == 0 && s.deny > 0) {
			snprintf(who, sizeof(who), "every client address (e.g. %s)",
			    s.deny_addr);
			report_deny(a, &s.first_deny, daemon, who);
			cvm_audit_pass(a, "TCPW-INDETERMINATE");
		} else {
			snprintf(who, sizeof(who), "clients (e.g. %s)", s.maybe_addr);
			cvm_audit_pass(a, "TCPW-DENY");
			report_maybe(a, &s.first_maybe, who);
		}
	}
out:
	cvm_tcpw_free(&w);
}
