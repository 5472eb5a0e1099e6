/* Step 5 (DESIGN §6): SSHD-NOT-RUNNING, SSHD-NOT-LISTENING (live),
 * SSHD-CMDLINE-OVERRIDE, SSHD-HOSTKEY (from the files). */
#include "config.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "audit_util.h"
#include "inetdiag.h"
#include "sshd_live.h"
#include "sshdcfg.h"

static const struct cvm_root live_root = { -1, 0, "/" };

/* ---- processes ---- */

static int
read_small(const char *path, char *buf, size_t len, size_t *got)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (got)
		*got = (size_t)n;
	return 0;
}

/* comm and parent pid from /proc/<pid>/stat ("pid (comm) S ppid ..."). */
static int
proc_stat(pid_t pid, char *comm, size_t clen, pid_t *ppid)
{
	char path[64], buf[1024], *l, *r;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf), &n) != 0 ||
	    (l = strchr(buf, '(')) == NULL || (r = strrchr(buf, ')')) == NULL ||
	    r < l)
		return -1;
	*r = '\0';
	snprintf(comm, clen, "%s", l + 1);
	if (sscanf(r + 1, " %*c %d", ppid) != 1)
		return -1;
	return 0;
}

/* Whether pid is an sshd: comm "sshd", or its executable is the audited
 * sshd binary (a renamed copy); "(deleted)" after an upgrade counts. */
static int
is_sshd(pid_t pid, const char *comm, const char *bin)
{
	char path[64], exe[512];
	ssize_t n;

	if (strcmp(comm, "sshd") == 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((n = readlink(path, exe, sizeof(exe) - 1)) <= 0)
		return 0;
	exe[n] = '\0';
	if (n > 10 && strcmp(exe + n - 10, " (deleted)") == 0)
		exe[n - 10] = '\0';
	return bin != NULL && strcmp(exe, bin) == 0;
}

/* argv of pid, NUL-separated, into buf; the count, or -1. */
static int
proc_argv(pid_t pid, char *buf, size_t len, size_t *got)
{
	char path[64];
	size_t i;
	int argc = 0;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (read_small(path, buf, len, got) != 0)
		return -1;
	for (i = 0; i < *got; i++)
		if (buf[i] == '\0')
			argc++;
	return argc;
}

/* Not a listener: sshd -i (inetd mode, one per connection:
 * ssh@.service), or a per-connection process whose title sshd set
 * ("sshd: alice [priv]", "sshd: alice@pts/0", "sshd: [accepted]"; the
 * listener's is "sshd: /usr/sbin/sshd -D [listener] ...", or its plain
 * argv before OpenSSH 8.x): under socket activation its parent is
 * systemd, not an sshd. */
static int
inetd_mode(pid_t pid)
{
	char buf[4096];
	size_t n, i;

	if (proc_argv(pid, buf, sizeof(buf), &n) < 0)
		return 0;
	if (strncmp(buf, "sshd: ", 6) == 0 && buf[6] != '/' &&
	    strstr(buf, "[listener]") == NULL)
		return 1;
	for (i = 0; i < n; i += strlen(buf + i) + 1)
		if (buf[i] == '-' && buf[i + 1] != '-' && buf[i + 1] != '\0' &&
		    strchr(buf + i + 1, 'i') != NULL &&
		    strspn(buf + i + 1, "46CDEGTcdDeiqtf") ==
		    strlen(buf + i + 1))
			return 1;
	return 0;
}

size_t
cvm_sshd_listeners(const char *bin, pid_t *pids, size_t max)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		char comm[64], pcomm[64];
		pid_t pid, ppid, pp;
		char *e;
		long v;

		errno = 0;
		v = strtol(de->d_name, &e, 10);
		if (errno || *e != '\0' || v <= 0)
			continue;
		pid = (pid_t)v;
		if (proc_stat(pid, comm, sizeof(comm), &ppid) != 0 ||
		    !is_sshd(pid, comm, bin) || inetd_mode(pid))
			continue;
		/* per-connection children (before OpenSSH 9.8 they are sshd
		 * too, "sshd: user [priv]") have an sshd parent */
		if (proc_stat(ppid, pcomm, sizeof(pcomm), &pp) == 0 &&
		    is_sshd(ppid, pcomm, bin))
			continue;
		pids[n++] = pid;
	}
	closedir(d);
	return n;
}

/* ---- listening sockets ---- */

struct lsock {
	int family;
	unsigned char addr[16];
	int port;
	unsigned long inode;
	pid_t pid;		/* read from /proc/<pid>/net: its namespace */
};

/* LISTEN (state 0A) entries of /proc/<pid>/net/tcp or tcp6. */
static size_t
read_listen(pid_t pid, int family, struct lsock *out, size_t max)
{
	char path[64], *buf = NULL, *p, *nl;
	size_t len, n = 0;
	char pidbuf[16];

	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%s/net/%s", pid ? pidbuf : "self",
	    family == AF_INET ? "tcp" : "tcp6");
	if (cvm_root_read(&live_root, path, 64u << 20, &buf, &len) != 0)
		return 0;
	p = strchr(buf, '\n');	/* header */
	for (p = p ? p + 1 : NULL; p && *p && n < max; p = nl) {
		char local[64], st[8];
		unsigned port;
		unsigned long inode;
		size_t i, hl;

		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(p, " %*s %63[0-9A-Fa-f]:%x %*s %7s %*s %*s %*s %*s "
		    "%*s %lu", local, &port, st, &inode) != 4 ||
		    strcmp(st, "0A") != 0)
			continue;
		hl = strlen(local);
		if (hl != (family == AF_INET ? 8u : 32u))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].family = family;
		out[n].port = (int)port;
		out[n].inode = inode;
		out[n].pid = pid;
		/* the kernel prints each 32-bit word in host byte order */
		for (i = 0; i < hl / 8; i++) {
			unsigned w;
			uint32_t be;

			sscanf(local + i * 8, "%8x", &w);
			be = (uint32_t)w;	/* host order as printed: the
						   bytes in memory */
			memcpy(out[n].addr + i * 4, &be, 4);
		}
		n++;
	}
	free(buf);
	return n;
}

/* Socket inodes a process holds (/proc/<pid>/fd -> "socket:[N]"); -1
 * when they cannot be read (not root). */
static ssize_t
proc_sockets(pid_t pid, unsigned long *ino, size_t max)
{
	char path[64], lp[320], lnk[64];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && n < max) {
		ssize_t l;

		snprintf(lp, sizeof(lp), "%s/%s", path, de->d_name);
		if ((l = readlink(lp, lnk, sizeof(lnk) - 1)) <= 0)
			continue;
		lnk[l] = '\0';
		if (sscanf(lnk, "socket:[%lu]", &ino[n]) == 1)
			n++;
	}
	closedir(d);
	return (ssize_t)n;
}

/* Parses "[::]:22", "0.0.0.0:22", "10.0.0.1:2222" (sshd -T form). */
static int
parse_listen(const char *v, struct lsock *s)
{
	char host[128];
	const char *c;
	size_t hl;

	memset(s, 0, sizeof(*s));
	if (v[0] == '[') {
		if ((c = strchr(v, ']')) == NULL || c[1] != ':')
			return -1;
		hl = (size_t)(c - v - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, v + 1, hl);
		c++;
	} else {
		if ((c = strrchr(v, ':')) == NULL)
			return -1;
		hl = (size_t)(c - v);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, v, hl);
	}
	host[hl] = '\0';
	s->port = atoi(c + 1);
	if (s->port <= 0 || s->port > 65535)
		return -1;
	if (inet_pton(AF_INET, host, s->addr) == 1)
		s->family = AF_INET;
	else if (inet_pton(AF_INET6, host, s->addr) == 1)
		s->family = AF_INET6;
	else
		return -1;	/* a host name: sshd resolves it at start */
	return 0;
}

static int
zero(const unsigned char *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i])
			return 0;
	return 1;
}

/* Whether the configured want is served by one of the sockets.  A v4
 * address is also served by a v6 wildcard socket without IPV6_V6ONLY;
 * v6only(sock) says which. */
static int
served(const struct lsock *want, const struct lsock *s, size_t n,
    int (*v6only)(const struct lsock *, void *), void *ctx)
{
	size_t alen = want->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < n; i++) {
		if (s[i].port != want->port)
			continue;
		if (s[i].family == want->family &&
		    (zero(s[i].addr, alen) || memcmp(s[i].addr, want->addr,
		    alen) == 0))
			return 1;
		if (want->family == AF_INET && s[i].family == AF_INET6 &&
		    zero(s[i].addr, 16) && !v6only(&s[i], ctx))
			return 1;
	}
	return 0;
}

/* IPV6_V6ONLY of a socket: from inet_diag when we share its network
 * namespace; else what its owner sets.  sshd sets it on every v6
 * listener (sshd.c listen_on_addrs: sock_set_v6only).  systemd's sockets
 * follow BindIPv6Only=, by default the sysctl net.ipv6.bindv6only (0 on
 * every distribution). */
struct v6ctx {
	pid_t pid;		/* whose namespace the socket is in */
	int fallback;		/* 1, 0, or -1: the sysctl */
};

static int
v6only(const struct lsock *s, void *ctx)
{
	const struct v6ctx *c = ctx;
	char buf[16];
	int v = cvm_inet_diag_v6only(s->pid ? s->pid : c->pid, s->inode);

	if (v >= 0)
		return v;
	if (c->fallback >= 0)
		return c->fallback;
	if (read_small("/proc/sys/net/ipv6/bindv6only", buf, sizeof(buf),
	    NULL) != 0)
		return 1;	/* unknown: the stricter answer */
	return buf[0] == '1';
}

#define MAXSOCK 4096

static void
check_listening_sshd(struct cvm_audit *a, const pid_t *pids, size_t npids)
{
	struct lsock *all = NULL, *own = NULL, want;
	unsigned long *ino = NULL;
	size_t nall = 0, nown = 0, i, j, nlisten, nmiss = 0, nwant = 0;
	ssize_t nino;
	int anyown = 0;
	char missing[512] = "", where[64] = "";
	struct v6ctx vc = { 0, 1 };
	int line = 0;
	const char *file = NULL;

	all = calloc(MAXSOCK, sizeof(*all));
	own = calloc(MAXSOCK, sizeof(*own));
	ino = calloc(MAXSOCK, sizeof(*ino));
	if (all == NULL || own == NULL || ino == NULL) {
		a->oom = 1;
		goto out;
	}
	for (i = 0; i < npids; i++) {
		nall = read_listen(pids[i], AF_INET, all, MAXSOCK);
		nall += read_listen(pids[i], AF_INET6, all + nall,
		    MAXSOCK - nall);
		nino = proc_sockets(pids[i], ino, MAXSOCK);
		for (j = 0; j < nall && nown < MAXSOCK; j++) {
			ssize_t k;

			/* its fds unreadable (not root): every LISTEN
			 * socket of its namespace, said in the detail */
			if (nino < 0) {
				own[nown++] = all[j];
				anyown = 1;
				continue;
			}
			for (k = 0; k < nino; k++)
				if (ino[k] == all[j].inode)
					own[nown++] = all[j];
		}
	}
	if (a->sshd)
		file = cvm_sshd_origin(a->sshd, "listenaddress", &line);
	if (file == NULL && a->sshd)
		file = cvm_sshd_origin(a->sshd, "port", &line);
	nlisten = a->sshd ? cvm_sshd_count(a->sshd, "listenaddress") : 0;
	for (i = 0; i < nlisten; i++) {
		const char *v = cvm_sshd_value(a->sshd, "listenaddress", i);

		if (v == NULL || parse_listen(v, &want) != 0)
			continue;
		nwant++;
		if (!served(&want, own, nown, v6only, &vc)) {
			nmiss++;
			if (strlen(missing) + strlen(v) + 3 < sizeof(missing))
				snprintf(missing + strlen(missing),
				    sizeof(missing) - strlen(missing), "%s%s",
				    missing[0] ? ", " : "", v);
		}
	}
	if (nwant == 0) {
		/* no config, or only host names: the ports on any address */
		int ports[16];
		size_t np = cvm_audit_ports(a, ports, 16);

		for (i = 0; i < np; i++) {
			for (j = 0; j < nown && own[j].port != ports[i]; j++)
				;
			nwant++;
			if (j == nown) {
				nmiss++;
				snprintf(where, sizeof(where), "port %d", ports[i]);
				if (strlen(missing) + strlen(where) + 3 <
				    sizeof(missing))
					snprintf(missing + strlen(missing),
					    sizeof(missing) - strlen(missing),
					    "%s%s", missing[0] ? ", " : "", where);
			}
		}
	}
	if (nmiss == 0)
		cvm_audit_pass(a, "SSHD-NOT-LISTENING");
	else
		cvm_audit_add(a, "SSHD-NOT-LISTENING",
		    nmiss == nwant ? CVM_SEV_FAIL : CVM_SEV_WARN,
		    nmiss == nwant ? CVM_M_ALL : 0, file, line,
		    "restart sshd and read its log (journalctl -u ssh); another "
		    "program may hold the port (ss -ltnp)",
		    "sshd (pid %d) does not listen on %s (%zu LISTEN socket(s) %s, "
		    "read in its network namespace)", (int)pids[0],
		    missing, nown, anyown ? "of any process: its own file "
		    "descriptors could not be read (run as root)" : "of its own");
out:
	free(all);
	free(own);
	free(ino);
}

/* ssh.socket's ListenStream= values (unit file and drop-ins), as ports
 * (and an address when one is given); v6only from BindIPv6Only=. */
static size_t
socket_listen(const struct cvm_audit *a, const char *unit, struct lsock *w,
    size_t max, int *v6only, char *file, size_t flen)
{
	char path[512], dpath[512], p2[1024], *buf = NULL, *p, *nl;
	size_t len, n = 0, f;
	struct dirent *de;
	char files[9][1024];
	size_t nfiles = 0;
	DIR *d;

	*v6only = -1;
	if (cvm_unit_find(&a->root, unit, path, sizeof(path)) != 0)
		return 0;
	snprintf(file, flen, "%s", path);
	snprintf(files[nfiles++], sizeof(files[0]), "%s", path);
	snprintf(dpath, sizeof(dpath), "/etc/systemd/system/%s.d", unit);
	if ((d = cvm_root_opendir(&a->root, dpath)) != NULL) {
		while ((de = readdir(d)) != NULL && nfiles < 9) {
			size_t l = strlen(de->d_name);

			if (l > 5 && strcmp(de->d_name + l - 5, ".conf") == 0) {
				snprintf(p2, sizeof(p2), "%s/%s", dpath, de->d_name);
				snprintf(files[nfiles++], sizeof(files[0]), "%s", p2);
			}
		}
		closedir(d);
	}
	for (f = 0; f < nfiles; f++) {
		if (cvm_root_read(&a->root, files[f], 1 << 20, &buf, &len) != 0)
			continue;
		for (p = buf; p && *p; p = nl) {
			const char *v;

			if ((nl = strchr(p, '\n')) != NULL)
				*nl++ = '\0';
			while (isspace((unsigned char)*p))
				p++;
			if (strncmp(p, "BindIPv6Only=", 13) == 0) {
				*v6only = strncmp(p + 13, "ipv6-only", 9) == 0 ? 1 :
				    strncmp(p + 13, "both", 4) == 0 ? 0 : -1;
				continue;
			}
			if (strncmp(p, "ListenStream=", 13) != 0)
				continue;
			v = p + 13;
			if (*v == '\0') {	/* resets the list */
				n = 0;
				continue;
			}
			if (n >= max)
				continue;
			if (strspn(v, "0123456789") == strlen(v)) {
				/* a bare port: both families, wildcard */
				memset(&w[n], 0, sizeof(w[n]));
				w[n].family = AF_INET6;
				w[n].port = atoi(v);
				n++;
			} else if (parse_listen(v, &w[n]) == 0)
				n++;
		}
		free(buf);
		buf = NULL;
	}
	return n;
}

static void
check_listening_socket(struct cvm_audit *a, const char *unit)
{
	struct lsock want[16], *all;
	char file[512] = "";
	size_t n, nall, i, nmiss = 0;
	struct v6ctx vc = { 1, -1 };
	char missing[256] = "";

	n = socket_listen(a, unit, want, 16, &vc.fallback, file, sizeof(file));
	if ((all = calloc(MAXSOCK, sizeof(*all))) == NULL) {
		a->oom = 1;
		return;
	}
	/* systemd (pid 1) holds the listener, in its own namespace */
	nall = read_listen(1, AF_INET, all, MAXSOCK);
	nall += read_listen(1, AF_INET6, all + nall, MAXSOCK - nall);
	for (i = 0; i < n; i++)
		if (!served(&want[i], all, nall, v6only, &vc)) {
			nmiss++;
			snprintf(missing + strlen(missing),
			    sizeof(missing) - strlen(missing), "%sport %d",
			    missing[0] ? ", " : "", want[i].port);
		}
	free(all);
	if (n > 0 && nmiss == 0)
		cvm_audit_pass(a, "SSHD-NOT-LISTENING");
	else if (n > 0)
		cvm_audit_add(a, "SSHD-NOT-LISTENING", CVM_SEV_FAIL, CVM_M_ALL,
		    file, 0, "systemctl restart ssh.socket",
		    "%s is active but nothing listens on its ListenStream %s",
		    unit, missing);
}

void
cvm_sshd_check_running(struct cvm_audit *a)
{
	pid_t pids[64];
	size_t n = cvm_sshd_listeners(a->sshd_bin, pids, 64);
	const char *sock = NULL;

	if (n == 0)	/* systemctl only when it matters (it costs a fork) */
		sock = cvm_unit_active(a, "ssh.socket") ? "ssh.socket" :
		    cvm_unit_active(a, "sshd.socket") ? "sshd.socket" : NULL;
	if (n > 0) {
		cvm_audit_pass(a, "SSHD-NOT-RUNNING");
		check_listening_sshd(a, pids, n);
	} else if (sock) {
		cvm_audit_add(a, "SSHD-NOT-RUNNING", CVM_SEV_INFO, 0, NULL, 0,
		    NULL, "no sshd process, as is normal with socket "
		    "activation: %s is active and systemd owns the listener",
		    sock);
		check_listening_socket(a, sock);
	} else
		cvm_audit_add(a, "SSHD-NOT-RUNNING", CVM_SEV_FAIL, CVM_M_ALL,
		    NULL, 0, "systemctl start ssh (sshd on RHEL/Fedora); if it "
		    "exits, run sshd -t and read journalctl -u ssh",
		    "no sshd listener process (read from /proc) and no active "
		    "ssh.socket");
}

/* ---- command-line overrides ---- */

/* Whether a command line (words split by blanks, quotes stripped) passes
 * an option that overrides sshd_config: -o, -p, alone or clustered
 * ("-Dp2222"), or -f naming another file than the audited config. */
static int
overrides(const struct cvm_audit *a, const char *s, char *opt, size_t olen)
{
	char buf[4096], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, " \t\"'", &save); tok;
	    tok = strtok_r(NULL, " \t\"'", &save)) {
		size_t i;

		if (tok[0] != '-' || tok[1] == '-')
			continue;
		for (i = 1; tok[i]; i++) {
			if (tok[i] == 'f') {
				const char *arg = tok[i + 1] ? tok + i + 1 :
				    strtok_r(NULL, " \t\"'", &save);

				if (arg && a->sshd_config &&
				    strcmp(arg, a->sshd_config) == 0)
					break;
				snprintf(opt, olen, "-f %s", arg ? arg : "");
				return 1;
			}
			if (tok[i] == 'o' || tok[i] == 'p') {
				const char *arg = tok[i + 1] ? tok + i + 1 :
				    strtok_r(NULL, " \t\"'", &save);

				snprintf(opt, olen, "-%c %s", tok[i], arg ? arg : "");
				return 1;
			}
			/* options taking an argument end the cluster */
			if (strchr("bcCEgGhkOu", tok[i]) != NULL) {
				if (tok[i + 1] == '\0')
					(void)strtok_r(NULL, " \t\"'", &save);
				break;
			}
		}
	}
	return 0;
}

static void
scan_file(struct cvm_audit *a, const char *path, const char *var)
{
	char *buf = NULL, *p, *nl, opt[128];
	size_t len, vl = strlen(var);
	int ln = 0, in_service = 1;

	if (cvm_root_read(&a->root, path, 1 << 20, &buf, &len) != 0)
		return;
	for (p = buf; p && *p; p = nl) {
		const char *v = NULL;

		ln++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '[')
			in_service = strncmp(p, "[Service]", 9) == 0;
		if (strncmp(p, var, vl) == 0 && p[vl] == '=')
			v = p + vl + 1;
		else if (strncmp(p, "export ", 7) == 0 &&
		    strncmp(p + 7, var, vl) == 0 && p[7 + vl] == '=')
			v = p + 8 + vl;
		if (v == NULL || !in_service)
			continue;
		/* ExecStart: only sshd's own line */
		if (strcmp(var, "ExecStart") == 0 && strstr(v, "sshd") == NULL)
			continue;
		if (overrides(a, v, opt, sizeof(opt)))
			cvm_audit_add(a, "SSHD-CMDLINE-OVERRIDE", CVM_SEV_WARN, 0,
			    path, ln, "put the setting in sshd_config (or a "
			    "file it includes) and remove the option here",
			    "%s passes `%s` to sshd: it overrides sshd_config "
			    "(%s)", var, opt, v);
	}
	free(buf);
}

static void
check_overrides(struct cvm_audit *a, const pid_t *pids, size_t npids)
{
	static const char *const units[] = { "ssh.service", "sshd.service",
	    "ssh@.service", "sshd@.service", NULL };
	char dpath[512], path[1024], opt[128], argv[4096];
	struct dirent *de;
	size_t i, before = a->n, n;
	DIR *d;

	scan_file(a, "/etc/default/ssh", "SSHD_OPTS");
	scan_file(a, "/etc/sysconfig/sshd", "OPTIONS");
	for (i = 0; units[i]; i++) {
		snprintf(path, sizeof(path), "/etc/systemd/system/%s", units[i]);
		scan_file(a, path, "ExecStart");
		snprintf(dpath, sizeof(dpath), "/etc/systemd/system/%s.d",
		    units[i]);
		if ((d = cvm_root_opendir(&a->root, dpath)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			size_t l = strlen(de->d_name);

			if (l <= 5 || strcmp(de->d_name + l - 5, ".conf") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dpath, de->d_name);
			scan_file(a, path, "ExecStart");
		}
		closedir(d);
	}
	/* the running listener's own command line */
	for (i = 0; i < npids; i++) {
		int argc = proc_argv(pids[i], argv, sizeof(argv), &n);
		size_t k;

		if (argc < 1)
			continue;
		for (k = 0; k + 1 < n; k++)
			if (argv[k] == '\0')
				argv[k] = ' ';
		if (overrides(a, argv, opt, sizeof(opt)))
			cvm_audit_add(a, "SSHD-CMDLINE-OVERRIDE", CVM_SEV_WARN, 0,
			    NULL, 0, "find what starts sshd with it (the unit's "
			    "ExecStart, /etc/default/ssh) and move the setting "
			    "into sshd_config",
			    "the running sshd (pid %d) was started with `%s`: "
			    "%s", (int)pids[i], opt, argv);
	}
	if (a->n == before)
		cvm_audit_pass(a, "SSHD-CMDLINE-OVERRIDE");
}

/* ---- host keys ---- */

/* NULL when the key is fine, else what is wrong with it; *loadable says
 * whether sshd still loads it.  sshd refuses a private key readable by
 * group or others only when the running uid (root) owns it
 * (sshkey_perm_ok; checked with sshd 9.2: a 0644 key of root's is
 * refused, one of uid 1000 loaded); Fedora/RHEL's sshd also accepts
 * group ssh_keys with 0640.  An exposed key is reported either way. */
static const char *
key_problem(const struct cvm_audit *a, const char *path, char *why,
    size_t wlen, int *loadable)
{
	struct stat st;
	int fd;

	*loadable = 0;
	if (cvm_root_stat(&a->root, path, &st, 1) != 0) {
		snprintf(why, wlen, "%s", strerror(errno));
		return why;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, wlen, "not a regular file");
		return why;
	}
	if ((fd = cvm_root_open(&a->root, path, O_RDONLY | O_NONBLOCK, 1)) < 0) {
		/* not root: our access says nothing about sshd's */
		if (errno != EACCES || geteuid() == 0) {
			snprintf(why, wlen, "unreadable: %s", strerror(errno));
			return why;
		}
	} else
		close(fd);
	*loadable = 1;
	if (st.st_mode & 077) {
		/* the group's name as the audited system has it */
		char *buf = NULL, *p, pat[32];
		size_t len;
		int ssh_keys = 0;

		snprintf(pat, sizeof(pat), ":x:%u:", (unsigned)st.st_gid);
		if ((st.st_mode & 037) == 0 &&
		    cvm_root_read(&a->root, "/etc/group", 4 << 20, &buf, &len) == 0) {
			for (p = buf; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
				if (strncmp(p, "ssh_keys:", 9) == 0 &&
				    strncmp(p + 8, pat, strlen(pat)) == 0)
					ssh_keys = 1;
			free(buf);
		}
		if (ssh_keys)
			return NULL;
		if (st.st_uid == 0)
			*loadable = 0;
		snprintf(why, wlen, "mode %04o: %s-readable%s",
		    (unsigned)(st.st_mode & 07777),
		    (st.st_mode & 007) ? "world" : "group",
		    st.st_uid == 0 ? ", sshd refuses it" :
		    " (sshd loads it: not root's), the private key is exposed");
		return why;
	}
	return NULL;
}

static void
check_hostkeys(struct cvm_audit *a)
{
	static const char *const defaults[] = { "/etc/ssh/ssh_host_rsa_key",
	    "/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_ed25519_key",
	    NULL };
	const char *file = NULL, *why;
	char wbuf[160];
	size_t n, i, good = 0, bad = 0, exist = 0;
	int line = 0, explicit, loadable;

	if (a->sshd == NULL)
		return;
	n = cvm_sshd_count(a->sshd, "hostkey");
	file = cvm_sshd_origin(a->sshd, "hostkey", &line);
	explicit = file != NULL;
	if (!explicit) {
		for (i = 0; defaults[i]; i++) {
			if (!cvm_root_exists(&a->root, defaults[i]))
				continue;
			exist++;
			why = key_problem(a, defaults[i], wbuf, sizeof(wbuf),
			    &loadable);
			good += loadable;
			if (why != NULL) {
				bad++;
				cvm_audit_add(a, "SSHD-HOSTKEY", CVM_SEV_WARN, 0,
				    defaults[i], 0, "chmod 600 (owner root) or "
				    "regenerate it: ssh-keygen -A",
				    "default host key %s: %s", defaults[i], why);
			}
		}
		if (exist == 0)
			cvm_audit_add(a, "SSHD-HOSTKEY", CVM_SEV_FAIL, CVM_M_ALL,
			    a->sshd_config, 0, "ssh-keygen -A (generates the "
			    "default host keys)", "no HostKey line and none of "
			    "the default host keys exists: sshd will not start");
		else if (good == 0)
			cvm_audit_add(a, "SSHD-HOSTKEY", CVM_SEV_FAIL, CVM_M_ALL,
			    a->sshd_config, 0, "chmod 600 /etc/ssh/ssh_host_*_key",
			    "no default host key sshd can load: it will not start");
		else if (bad == 0)
			cvm_audit_pass(a, "SSHD-HOSTKEY");
		return;
	}
	for (i = 0; i < n; i++) {
		const char *k = cvm_sshd_value(a->sshd, "hostkey", i);

		if (k == NULL)
			continue;
		why = key_problem(a, k, wbuf, sizeof(wbuf), &loadable);
		good += loadable;
		if (why != NULL) {
			bad++;
			cvm_audit_add(a, "SSHD-HOSTKEY", CVM_SEV_WARN, 0, file, line,
			    "create the key (ssh-keygen -t TYPE -f FILE -N '') "
			    "or fix its mode (chmod 600, owner root), or remove "
			    "the HostKey line", "HostKey %s: %s", k, why);
		}
	}
	if (good == 0)
		cvm_audit_add(a, "SSHD-HOSTKEY", CVM_SEV_FAIL, CVM_M_ALL, file,
		    line, "give sshd one loadable host key",
		    "none of the %zu HostKey files can be loaded: sshd will not "
		    "start", n);
	else if (bad == 0)
		cvm_audit_pass(a, "SSHD-HOSTKEY");
}

void
cvm_audit_sshd_live(struct cvm_audit *a)
{
	pid_t pids[64];
	size_t n = 0;

	if (a->live) {
		n = cvm_sshd_listeners(a->sshd_bin, pids, 64);
		cvm_sshd_check_running(a);
	}
	check_overrides(a, pids, n);
	check_hostkeys(a);
}
