/* The one sshd_config reader (DESIGN §1, §6).
 *
 * It reproduces what sshd 9.2 (servconf.c, with Debian's patches) does
 * with a configuration and what `sshd -T [-C ...]` prints:
 *
 *  - sshd reads the file twice.  Pass 1 (no connection) applies the global
 *    lines and "Match All" blocks and checks the syntax of everything.
 *    Pass 2 (the connection; for `sshd -T` without -C an empty one) starts
 *    inactive and applies only the lines of Match blocks that match; the
 *    options it set and that sshd copies (copy_set_server_options) then
 *    override pass 1.  Both passes run here line by line in lock step,
 *    each with its own "active" state and Include flags, so the first
 *    value wins within a pass, a matching Match block overrides a global
 *    value, and state-dependent errors come out of the right pass.
 *  - Include: relative to /etc/ssh, glob(3) semantics (sorted, hidden files
 *    need an explicit '.'), nested up to 16 levels, allowed inside Match
 *    (an Include from an inactive context never activates its own Match
 *    blocks).
 *  - Values are kept in `sshd -T` form; defaults come from
 *    lib/sshdcfg_defaults.c (the build's own `sshd -T -f /dev/null`).
 *
 * Differences from sshd, on purpose:
 *  - keywords of newer OpenSSH versions (PAMServiceName, PerSourcePenalties,
 *    RefuseConnection, ...) are recorded as problems, not errors;
 *  - ListenAddress host names are not resolved (printed as given);
 *  - a NULL conn field never matches (sshd -T -C without that item); a
 *    `Match LocalPort` with lport -1 does not match (sshd -T without
 *    lport= would stop with an error);
 *  - an Include naming a FIFO/socket/device is an error (sshd would hang or
 *    read it), a directory reads as empty with a problem, as sshd does.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "match.h"
#include "sshdcfg.h"
#include "rootfs.h"

#define SSHDIR		"/etc/ssh"
#define MAX_DEPTH	16		/* SERVCONF_MAX_DEPTH */
#define FILE_CAP	(8u << 20)	/* refuse bigger config files */
#define MAX_GLOB	4096
#define MAX_PORTS	256
#define MAX_SUBSYSTEMS	256
#define WS		" \t\r\n"

/* ---- arena -------------------------------------------------------------- */

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct arena {
	struct chunk *head;
};

static void *
ar_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->head;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->size - c->used < n) {
		size_t sz = n > 16384 ? n : 16384;
		if ((c = malloc(sizeof(*c) + sz)) == NULL)
			return NULL;
		c->size = sz;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

static void
ar_free(struct arena *a)
{
	struct chunk *c, *n;

	for (c = a->head; c != NULL; c = n) {
		n = c->next;
		free(c);
	}
	a->head = NULL;
}

/* ---- keywords ----------------------------------------------------------- */

/* Where a keyword may appear (SSHCFG_*). */
#define CF_GLOBAL	1
#define CF_MATCH	2
#define CF_ALL		3
/* Include flags of a file being read (per pass). */
#define NEVERMATCH	4
#define MATCH_ONLY	8

/* Scalar options (one per ServerOptions member that matters). */
enum field {
	F_USEPAM, F_LOGINGRACE, F_X11OFFSET, F_MAXAUTHTRIES, F_MAXSESSIONS,
	F_CAINTERVAL, F_CACOUNT, F_REQRSA, F_SLMASK, F_UNUSEDTMO,
	F_PERMITROOT, F_IGNRHOSTS, F_IGNUKH, F_HBAUTH, F_HBNAMEPKT,
	F_PUBKEYAUTH, F_KRBAUTH, F_KRBLOCAL, F_KRBCLEANUP, F_GSSAUTH,
	F_GSSCLEANUP, F_GSSKEYEX, F_GSSSTRICT, F_GSSREKEY, F_GSSKEXALGS,
	F_PASSWORD, F_KBDINT, F_PRINTMOTD, F_PRINTLASTLOG, F_X11FWD,
	F_X11LOCAL, F_PERMITTTY, F_PERMITUSERRC, F_STRICTMODES, F_TCPKA,
	F_EMPTYPW, F_COMPRESSION, F_GATEWAY, F_USEDNS, F_TCPFWD, F_AGENTFWD,
	F_DISABLEFWD, F_SLFWD, F_SLUNLINK, F_FPHASH, F_EXPOSE, F_PIDFILE,
	F_MODULI, F_XAUTH, F_CIPHERS, F_MACS, F_BANNER, F_FORCECMD, F_CHROOT,
	F_TRUSTEDCA, F_REVOKED, F_SKPROV, F_PRINCFILE, F_VERSIONADD, F_AKC,
	F_AKCUSER, F_APC, F_APCUSER, F_HKAGENT, F_KEX, F_CASIG, F_HBALGS,
	F_HKALGS, F_PUBKEYALGS, F_LOGLEVEL, F_FACILITY, F_MS_BEGIN, F_MS_RATE,
	F_MS_MAX, F_PSMAX, F_PSNB4, F_PSNB6, F_PERMITTUN, F_IPQOS_I,
	F_IPQOS_B, F_REKEY_LIMIT, F_REKEY_INT, F_PUE, F_PUE_ALLOW, F_PKOPTS,
	F_ADDRFAMILY, F_DEBIANBANNER,
	NF
};

/* Options that accumulate (string arrays in ServerOptions). */
enum arrid {
	A_PORT, A_LISTEN, A_HOSTKEY, A_HOSTCERT, A_AUTHKEYS, A_ALLOWUSERS,
	A_DENYUSERS, A_ALLOWGROUPS, A_DENYGROUPS, A_ACCEPTENV, A_SETENV,
	A_AUTHMETHODS, A_LOGVERBOSE, A_CHANTMO, A_SUBSYS, A_SUBSYSNAME,
	A_PERMITOPEN, A_PERMITLISTEN,
	NA
};

enum op {
	OP_MULTI, OP_INT, OP_TIME, OP_FILE, OP_KEYALGS, OP_PORT, OP_LISTEN,
	OP_HOSTKEY, OP_HOSTCERT, OP_HKAGENT, OP_PKOPTS, OP_GSSKEX, OP_PUE,
	OP_REKEY, OP_FACILITY, OP_LOGLEVEL, OP_LOGVERBOSE, OP_USERS,
	OP_GROUPS, OP_CIPHERS, OP_MACS, OP_KEX, OP_SUBSYSTEM, OP_MAXSTARTUPS,
	OP_PSNB, OP_PSMAX, OP_AUTHKEYS, OP_PRINCFILE, OP_ACCEPTENV, OP_SETENV,
	OP_PERMITTUN, OP_INCLUDE, OP_MATCH, OP_PERMITOPEN, OP_FORCECMD,
	OP_CHROOT, OP_SKPROV, OP_IPQOS, OP_VERSIONADD, OP_COMMAND,
	OP_LOCALUSER, OP_AUTHMETHODS, OP_SLMASK, OP_FPHASH, OP_RDOMAIN,
	OP_CHANTMO, OP_UNUSEDTMO, OP_DEPRECATED, OP_IGNORE, OP_UNSUPPORTED,
	OP_NEWER
};

/* Printed keywords, in the order `sshd -T` prints them. */
enum pk {
	PK_PORT, PK_ADDRFAMILY, PK_LISTEN, PK_USEPAM, PK_LOGINGRACE,
	PK_X11OFFSET, PK_MAXAUTHTRIES, PK_MAXSESSIONS, PK_CAINTERVAL,
	PK_CACOUNT, PK_REQRSA, PK_SLMASK, PK_UNUSEDTMO, PK_PERMITROOT,
	PK_IGNRHOSTS, PK_IGNUKH, PK_HBAUTH, PK_HBNAMEPKT, PK_PUBKEYAUTH,
	PK_KRBAUTH, PK_KRBLOCAL, PK_KRBCLEANUP, PK_GSSAUTH, PK_GSSCLEANUP,
	PK_GSSKEYEX, PK_GSSSTRICT, PK_GSSREKEY, PK_GSSKEXALGS, PK_PASSWORD,
	PK_KBDINT, PK_PRINTMOTD, PK_PRINTLASTLOG, PK_X11FWD, PK_X11LOCAL,
	PK_PERMITTTY, PK_PERMITUSERRC, PK_STRICTMODES, PK_TCPKA, PK_EMPTYPW,
	PK_COMPRESSION, PK_GATEWAY, PK_USEDNS, PK_TCPFWD, PK_AGENTFWD,
	PK_DISABLEFWD, PK_SLFWD, PK_SLUNLINK, PK_FPHASH, PK_EXPOSE,
	PK_PIDFILE, PK_MODULI, PK_XAUTH, PK_CIPHERS, PK_MACS, PK_BANNER,
	PK_FORCECMD, PK_CHROOT, PK_TRUSTEDCA, PK_REVOKED, PK_SKPROV,
	PK_PRINCFILE, PK_VERSIONADD, PK_AKC, PK_AKCUSER, PK_APC, PK_APCUSER,
	PK_HKAGENT, PK_KEX, PK_CASIG, PK_HBALGS, PK_HKALGS, PK_PUBKEYALGS,
	PK_LOGLEVEL, PK_FACILITY, PK_AUTHKEYS, PK_HOSTKEY, PK_HOSTCERT,
	PK_ALLOWUSERS, PK_DENYUSERS, PK_ALLOWGROUPS, PK_DENYGROUPS,
	PK_ACCEPTENV, PK_SETENV, PK_AUTHMETHODS, PK_LOGVERBOSE, PK_CHANTMO,
	PK_SUBSYS, PK_MAXSTARTUPS, PK_PSMAX, PK_PSNB, PK_PERMITTUN, PK_IPQOS,
	PK_REKEY, PK_PERMITOPEN, PK_PERMITLISTEN, PK_PUE, PK_PKOPTS,
	PK_DEBIANBANNER,
	NPK,
	PK_NONE = 255
};

/* Printed keyword flags. */
#define P_LOGIN		0x01	/* DESIGN §6 login set */
#define P_FLAG		0x02	/* yes/no */
#define P_MULTI		0x04	/* one sshd -T line per value */
#define P_NOPRINT	0x08	/* known, not printed by sshd -T */

struct pkinfo {
	const char *name;
	unsigned char flags;
};

static const struct pkinfo pks[NPK] = {
	[PK_PORT] = { "port", P_LOGIN | P_MULTI },
	[PK_ADDRFAMILY] = { "addressfamily", 0 },
	[PK_LISTEN] = { "listenaddress", P_MULTI },
	[PK_USEPAM] = { "usepam", P_LOGIN | P_FLAG },
	[PK_LOGINGRACE] = { "logingracetime", 0 },
	[PK_X11OFFSET] = { "x11displayoffset", 0 },
	[PK_MAXAUTHTRIES] = { "maxauthtries", P_LOGIN },
	[PK_MAXSESSIONS] = { "maxsessions", 0 },
	[PK_CAINTERVAL] = { "clientaliveinterval", 0 },
	[PK_CACOUNT] = { "clientalivecountmax", 0 },
	[PK_REQRSA] = { "requiredrsasize", P_LOGIN },
	[PK_SLMASK] = { "streamlocalbindmask", 0 },
	[PK_UNUSEDTMO] = { "unusedconnectiontimeout", 0 },
	[PK_PERMITROOT] = { "permitrootlogin", P_LOGIN },
	[PK_IGNRHOSTS] = { "ignorerhosts", 0 },
	[PK_IGNUKH] = { "ignoreuserknownhosts", P_FLAG },
	[PK_HBAUTH] = { "hostbasedauthentication", P_FLAG },
	[PK_HBNAMEPKT] = { "hostbasedusesnamefrompacketonly", P_FLAG },
	[PK_PUBKEYAUTH] = { "pubkeyauthentication", P_LOGIN | P_FLAG },
	[PK_KRBAUTH] = { "kerberosauthentication", P_FLAG },
	[PK_KRBLOCAL] = { "kerberosorlocalpasswd", P_FLAG },
	[PK_KRBCLEANUP] = { "kerberosticketcleanup", P_FLAG },
	[PK_GSSAUTH] = { "gssapiauthentication", P_FLAG },
	[PK_GSSCLEANUP] = { "gssapicleanupcredentials", P_FLAG },
	[PK_GSSKEYEX] = { "gssapikeyexchange", P_FLAG },
	[PK_GSSSTRICT] = { "gssapistrictacceptorcheck", P_FLAG },
	[PK_GSSREKEY] = { "gssapistorecredentialsonrekey", P_FLAG },
	[PK_GSSKEXALGS] = { "gssapikexalgorithms", 0 },
	[PK_PASSWORD] = { "passwordauthentication", P_LOGIN | P_FLAG },
	[PK_KBDINT] = { "kbdinteractiveauthentication", P_LOGIN | P_FLAG },
	[PK_PRINTMOTD] = { "printmotd", P_FLAG },
	[PK_PRINTLASTLOG] = { "printlastlog", P_FLAG },
	[PK_X11FWD] = { "x11forwarding", P_FLAG },
	[PK_X11LOCAL] = { "x11uselocalhost", P_FLAG },
	[PK_PERMITTTY] = { "permittty", P_FLAG },
	[PK_PERMITUSERRC] = { "permituserrc", P_FLAG },
	[PK_STRICTMODES] = { "strictmodes", P_LOGIN | P_FLAG },
	[PK_TCPKA] = { "tcpkeepalive", P_FLAG },
	[PK_EMPTYPW] = { "permitemptypasswords", P_LOGIN | P_FLAG },
	[PK_COMPRESSION] = { "compression", P_FLAG },
	[PK_GATEWAY] = { "gatewayports", 0 },
	[PK_USEDNS] = { "usedns", P_LOGIN | P_FLAG },
	[PK_TCPFWD] = { "allowtcpforwarding", 0 },
	[PK_AGENTFWD] = { "allowagentforwarding", P_FLAG },
	[PK_DISABLEFWD] = { "disableforwarding", P_FLAG },
	[PK_SLFWD] = { "allowstreamlocalforwarding", 0 },
	[PK_SLUNLINK] = { "streamlocalbindunlink", P_FLAG },
	[PK_FPHASH] = { "fingerprinthash", 0 },
	[PK_EXPOSE] = { "exposeauthinfo", P_LOGIN | P_FLAG },
	[PK_PIDFILE] = { "pidfile", 0 },
	[PK_MODULI] = { "modulifile", 0 },
	[PK_XAUTH] = { "xauthlocation", 0 },
	[PK_CIPHERS] = { "ciphers", 0 },
	[PK_MACS] = { "macs", 0 },
	[PK_BANNER] = { "banner", 0 },
	[PK_FORCECMD] = { "forcecommand", 0 },
	[PK_CHROOT] = { "chrootdirectory", 0 },
	[PK_TRUSTEDCA] = { "trustedusercakeys", P_LOGIN },
	[PK_REVOKED] = { "revokedkeys", 0 },
	[PK_SKPROV] = { "securitykeyprovider", 0 },
	[PK_PRINCFILE] = { "authorizedprincipalsfile", P_LOGIN },
	[PK_VERSIONADD] = { "versionaddendum", 0 },
	[PK_AKC] = { "authorizedkeyscommand", P_LOGIN },
	[PK_AKCUSER] = { "authorizedkeyscommanduser", P_LOGIN },
	[PK_APC] = { "authorizedprincipalscommand", P_LOGIN },
	[PK_APCUSER] = { "authorizedprincipalscommanduser", 0 },
	[PK_HKAGENT] = { "hostkeyagent", 0 },
	[PK_KEX] = { "kexalgorithms", 0 },
	[PK_CASIG] = { "casignaturealgorithms", 0 },
	[PK_HBALGS] = { "hostbasedacceptedalgorithms", 0 },
	[PK_HKALGS] = { "hostkeyalgorithms", 0 },
	[PK_PUBKEYALGS] = { "pubkeyacceptedalgorithms", P_LOGIN },
	[PK_LOGLEVEL] = { "loglevel", 0 },
	[PK_FACILITY] = { "syslogfacility", 0 },
	[PK_AUTHKEYS] = { "authorizedkeysfile", P_LOGIN },
	[PK_HOSTKEY] = { "hostkey", P_MULTI },
	[PK_HOSTCERT] = { "hostcertificate", P_MULTI },
	[PK_ALLOWUSERS] = { "allowusers", P_LOGIN | P_MULTI },
	[PK_DENYUSERS] = { "denyusers", P_LOGIN | P_MULTI },
	[PK_ALLOWGROUPS] = { "allowgroups", P_LOGIN | P_MULTI },
	[PK_DENYGROUPS] = { "denygroups", P_LOGIN | P_MULTI },
	[PK_ACCEPTENV] = { "acceptenv", P_MULTI },
	[PK_SETENV] = { "setenv", P_MULTI },
	[PK_AUTHMETHODS] = { "authenticationmethods", P_LOGIN },
	[PK_LOGVERBOSE] = { "logverbose", 0 },
	[PK_CHANTMO] = { "channeltimeout", 0 },
	[PK_SUBSYS] = { "subsystem", P_MULTI },
	[PK_MAXSTARTUPS] = { "maxstartups", 0 },
	[PK_PSMAX] = { "persourcemaxstartups", 0 },
	[PK_PSNB] = { "persourcenetblocksize", 0 },
	[PK_PERMITTUN] = { "permittunnel", 0 },
	[PK_IPQOS] = { "ipqos", 0 },
	[PK_REKEY] = { "rekeylimit", 0 },
	[PK_PERMITOPEN] = { "permitopen", 0 },
	[PK_PERMITLISTEN] = { "permitlisten", 0 },
	[PK_PUE] = { "permituserenvironment", 0 },
	[PK_PKOPTS] = { "pubkeyauthoptions", 0 },
	[PK_DEBIANBANNER] = { "debianbanner", P_FLAG | P_NOPRINT },
};

/* multistate values: what is accepted (any case) -> what sshd -T prints */
struct ms {
	const char *in, *out;
};
static const struct ms ms_flag[] = {
	{ "yes", "yes" }, { "no", "no" }, { NULL, NULL } };
static const struct ms ms_rhosts[] = {
	{ "yes", "yes" }, { "no", "no" }, { "shosts-only", "shosts-only" },
	{ NULL, NULL } };
static const struct ms ms_af[] = {
	{ "inet", "inet" }, { "inet6", "inet6" }, { "any", "any" },
	{ NULL, NULL } };
static const struct ms ms_root[] = {
	{ "without-password", "without-password" },
	{ "prohibit-password", "without-password" },
	{ "forced-commands-only", "forced-commands-only" },
	{ "yes", "yes" }, { "no", "no" }, { NULL, NULL } };
static const struct ms ms_comp[] = {
	{ "yes", "yes" }, { "delayed", "yes" }, { "no", "no" },
	{ NULL, NULL } };
static const struct ms ms_gw[] = {
	{ "clientspecified", "clientspecified" }, { "yes", "yes" },
	{ "no", "no" }, { NULL, NULL } };
static const struct ms ms_fwd[] = {
	{ "yes", "yes" }, { "all", "yes" }, { "no", "no" },
	{ "remote", "remote" }, { "local", "local" }, { NULL, NULL } };

struct kw {
	const char *name;
	unsigned char op;	/* enum op */
	unsigned char cf;	/* CF_* */
	unsigned char f;	/* enum field / enum arrid, per op */
	unsigned char pk;	/* printed keyword, PK_NONE if none */
	const struct ms *ms;
};

#define FLAGKW(n, cf, f, pk) { n, OP_MULTI, cf, f, pk, ms_flag }
#define NOF 0

/* Every keyword of sshd 9.2 as Debian 12 builds it (USE_PAM, KRB5 without
 * AFS, GSSAPI with Debian's key exchange patch, lastlog, no rdomain),
 * plus keywords of later versions (OP_NEWER).  Sorted by name. */
static const struct kw kws[] = {
	{ "acceptenv", OP_ACCEPTENV, CF_ALL, A_ACCEPTENV, PK_ACCEPTENV, NULL },
	{ "addressfamily", OP_MULTI, CF_GLOBAL, F_ADDRFAMILY, PK_ADDRFAMILY, ms_af },
	{ "afstokenpassing", OP_UNSUPPORTED, CF_GLOBAL, NOF, PK_NONE, NULL },
	FLAGKW("allowagentforwarding", CF_ALL, F_AGENTFWD, PK_AGENTFWD),
	{ "allowgroups", OP_GROUPS, CF_ALL, A_ALLOWGROUPS, PK_ALLOWGROUPS, NULL },
	{ "allowstreamlocalforwarding", OP_MULTI, CF_ALL, F_SLFWD, PK_SLFWD, ms_fwd },
	{ "allowtcpforwarding", OP_MULTI, CF_ALL, F_TCPFWD, PK_TCPFWD, ms_fwd },
	{ "allowusers", OP_USERS, CF_ALL, A_ALLOWUSERS, PK_ALLOWUSERS, NULL },
	{ "authenticationmethods", OP_AUTHMETHODS, CF_ALL, A_AUTHMETHODS, PK_AUTHMETHODS, NULL },
	{ "authorizedkeyscommand", OP_COMMAND, CF_ALL, F_AKC, PK_AKC, NULL },
	{ "authorizedkeyscommanduser", OP_LOCALUSER, CF_ALL, F_AKCUSER, PK_AKCUSER, NULL },
	{ "authorizedkeysfile", OP_AUTHKEYS, CF_ALL, A_AUTHKEYS, PK_AUTHKEYS, NULL },
	{ "authorizedkeysfile2", OP_DEPRECATED, CF_ALL, NOF, PK_NONE, NULL },
	{ "authorizedprincipalscommand", OP_COMMAND, CF_ALL, F_APC, PK_APC, NULL },
	{ "authorizedprincipalscommanduser", OP_LOCALUSER, CF_ALL, F_APCUSER, PK_APCUSER, NULL },
	{ "authorizedprincipalsfile", OP_PRINCFILE, CF_ALL, F_PRINCFILE, PK_PRINCFILE, NULL },
	{ "banner", OP_FILE, CF_ALL, F_BANNER, PK_BANNER, NULL },
	{ "casignaturealgorithms", OP_KEYALGS, CF_ALL, F_CASIG, PK_CASIG, NULL },
	FLAGKW("challengeresponseauthentication", CF_ALL, F_KBDINT, PK_KBDINT),
	{ "channeltimeout", OP_CHANTMO, CF_ALL, A_CHANTMO, PK_CHANTMO, NULL },
	{ "checkmail", OP_DEPRECATED, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "chrootdirectory", OP_CHROOT, CF_ALL, F_CHROOT, PK_CHROOT, NULL },
	{ "ciphers", OP_CIPHERS, CF_GLOBAL, F_CIPHERS, PK_CIPHERS, NULL },
	{ "clientalivecountmax", OP_INT, CF_ALL, F_CACOUNT, PK_CACOUNT, NULL },
	{ "clientaliveinterval", OP_TIME, CF_ALL, F_CAINTERVAL, PK_CAINTERVAL, NULL },
	{ "compression", OP_MULTI, CF_GLOBAL, F_COMPRESSION, PK_COMPRESSION, ms_comp },
	FLAGKW("debianbanner", CF_GLOBAL, F_DEBIANBANNER, PK_DEBIANBANNER),
	{ "denygroups", OP_GROUPS, CF_ALL, A_DENYGROUPS, PK_DENYGROUPS, NULL },
	{ "denyusers", OP_USERS, CF_ALL, A_DENYUSERS, PK_DENYUSERS, NULL },
	FLAGKW("disableforwarding", CF_ALL, F_DISABLEFWD, PK_DISABLEFWD),
	FLAGKW("dsaauthentication", CF_GLOBAL, F_PUBKEYAUTH, PK_PUBKEYAUTH),
	FLAGKW("exposeauthinfo", CF_ALL, F_EXPOSE, PK_EXPOSE),
	{ "fingerprinthash", OP_FPHASH, CF_GLOBAL, F_FPHASH, PK_FPHASH, NULL },
	{ "forcecommand", OP_FORCECMD, CF_ALL, F_FORCECMD, PK_FORCECMD, NULL },
	{ "gatewayports", OP_MULTI, CF_ALL, F_GATEWAY, PK_GATEWAY, ms_gw },
	FLAGKW("gssapiauthentication", CF_ALL, F_GSSAUTH, PK_GSSAUTH),
	FLAGKW("gssapicleanupcredentials", CF_GLOBAL, F_GSSCLEANUP, PK_GSSCLEANUP),
	FLAGKW("gssapicleanupcreds", CF_GLOBAL, F_GSSCLEANUP, PK_GSSCLEANUP),
	{ "gssapidelegatecredentials", OP_NEWER, CF_ALL, NOF, PK_NONE, NULL },
	{ "gssapikexalgorithms", OP_GSSKEX, CF_GLOBAL, F_GSSKEXALGS, PK_GSSKEXALGS, NULL },
	FLAGKW("gssapikeyexchange", CF_GLOBAL, F_GSSKEYEX, PK_GSSKEYEX),
	FLAGKW("gssapistorecredentialsonrekey", CF_GLOBAL, F_GSSREKEY, PK_GSSREKEY),
	FLAGKW("gssapistrictacceptorcheck", CF_GLOBAL, F_GSSSTRICT, PK_GSSSTRICT),
	{ "gssapiusesessioncredcache", OP_UNSUPPORTED, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "gssusesessionccache", OP_UNSUPPORTED, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "hostbasedacceptedalgorithms", OP_KEYALGS, CF_ALL, F_HBALGS, PK_HBALGS, NULL },
	{ "hostbasedacceptedkeytypes", OP_KEYALGS, CF_ALL, F_HBALGS, PK_HBALGS, NULL },
	FLAGKW("hostbasedauthentication", CF_ALL, F_HBAUTH, PK_HBAUTH),
	FLAGKW("hostbasedusesnamefrompacketonly", CF_ALL, F_HBNAMEPKT, PK_HBNAMEPKT),
	{ "hostcertificate", OP_HOSTCERT, CF_GLOBAL, A_HOSTCERT, PK_HOSTCERT, NULL },
	{ "hostdsakey", OP_HOSTKEY, CF_GLOBAL, A_HOSTKEY, PK_HOSTKEY, NULL },
	{ "hostkey", OP_HOSTKEY, CF_GLOBAL, A_HOSTKEY, PK_HOSTKEY, NULL },
	{ "hostkeyagent", OP_HKAGENT, CF_GLOBAL, F_HKAGENT, PK_HKAGENT, NULL },
	{ "hostkeyalgorithms", OP_KEYALGS, CF_GLOBAL, F_HKALGS, PK_HKALGS, NULL },
	{ "ignorerhosts", OP_MULTI, CF_ALL, F_IGNRHOSTS, PK_IGNRHOSTS, ms_rhosts },
	FLAGKW("ignoreuserknownhosts", CF_GLOBAL, F_IGNUKH, PK_IGNUKH),
	{ "include", OP_INCLUDE, CF_ALL, NOF, PK_NONE, NULL },
	{ "ipqos", OP_IPQOS, CF_ALL, F_IPQOS_I, PK_IPQOS, NULL },
	FLAGKW("kbdinteractiveauthentication", CF_ALL, F_KBDINT, PK_KBDINT),
	FLAGKW("keepalive", CF_GLOBAL, F_TCPKA, PK_TCPKA),
	FLAGKW("kerberosauthentication", CF_ALL, F_KRBAUTH, PK_KRBAUTH),
	{ "kerberosgetafstoken", OP_UNSUPPORTED, CF_GLOBAL, NOF, PK_NONE, NULL },
	FLAGKW("kerberosorlocalpasswd", CF_GLOBAL, F_KRBLOCAL, PK_KRBLOCAL),
	{ "kerberostgtpassing", OP_UNSUPPORTED, CF_GLOBAL, NOF, PK_NONE, NULL },
	FLAGKW("kerberosticketcleanup", CF_GLOBAL, F_KRBCLEANUP, PK_KRBCLEANUP),
	{ "kexalgorithms", OP_KEX, CF_GLOBAL, F_KEX, PK_KEX, NULL },
	{ "keyregenerationinterval", OP_DEPRECATED, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "listenaddress", OP_LISTEN, CF_GLOBAL, A_LISTEN, PK_LISTEN, NULL },
	{ "logingracetime", OP_TIME, CF_GLOBAL, F_LOGINGRACE, PK_LOGINGRACE, NULL },
	{ "loglevel", OP_LOGLEVEL, CF_ALL, F_LOGLEVEL, PK_LOGLEVEL, NULL },
	{ "logverbose", OP_LOGVERBOSE, CF_ALL, A_LOGVERBOSE, PK_LOGVERBOSE, NULL },
	{ "macs", OP_MACS, CF_GLOBAL, F_MACS, PK_MACS, NULL },
	{ "match", OP_MATCH, CF_ALL, NOF, PK_NONE, NULL },
	{ "maxauthtries", OP_INT, CF_ALL, F_MAXAUTHTRIES, PK_MAXAUTHTRIES, NULL },
	{ "maxsessions", OP_INT, CF_ALL, F_MAXSESSIONS, PK_MAXSESSIONS, NULL },
	{ "maxstartups", OP_MAXSTARTUPS, CF_GLOBAL, F_MS_BEGIN, PK_MAXSTARTUPS, NULL },
	{ "modulifile", OP_FILE, CF_GLOBAL, F_MODULI, PK_MODULI, NULL },
	{ "pamauthenticationviakbdint", OP_DEPRECATED, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "pamservicename", OP_NEWER, CF_ALL, NOF, PK_NONE, NULL },
	FLAGKW("passwordauthentication", CF_ALL, F_PASSWORD, PK_PASSWORD),
	{ "permitblacklistedkeys", OP_DEPRECATED, CF_GLOBAL, NOF, PK_NONE, NULL },
	FLAGKW("permitemptypasswords", CF_ALL, F_EMPTYPW, PK_EMPTYPW),
	{ "permitlisten", OP_PERMITOPEN, CF_ALL, A_PERMITLISTEN, PK_PERMITLISTEN, NULL },
	{ "permitopen", OP_PERMITOPEN, CF_ALL, A_PERMITOPEN, PK_PERMITOPEN, NULL },
	{ "permitrootlogin", OP_MULTI, CF_ALL, F_PERMITROOT, PK_PERMITROOT, ms_root },
	FLAGKW("permittty", CF_ALL, F_PERMITTTY, PK_PERMITTTY),
	{ "permittunnel", OP_PERMITTUN, CF_ALL, F_PERMITTUN, PK_PERMITTUN, NULL },
	{ "permituserenvironment", OP_PUE, CF_GLOBAL, F_PUE, PK_PUE, NULL },
	FLAGKW("permituserrc", CF_ALL, F_PERMITUSERRC, PK_PERMITUSERRC),
	{ "persourcemaxstartups", OP_PSMAX, CF_GLOBAL, F_PSMAX, PK_PSMAX, NULL },
	{ "persourcenetblocksize", OP_PSNB, CF_GLOBAL, F_PSNB4, PK_PSNB, NULL },
	{ "persourcepenalties", OP_NEWER, CF_ALL, NOF, PK_NONE, NULL },
	{ "persourcepenaltyexemptlist", OP_NEWER, CF_ALL, NOF, PK_NONE, NULL },
	{ "pidfile", OP_FILE, CF_GLOBAL, F_PIDFILE, PK_PIDFILE, NULL },
	{ "port", OP_PORT, CF_GLOBAL, A_PORT, PK_PORT, NULL },
	FLAGKW("printlastlog", CF_GLOBAL, F_PRINTLASTLOG, PK_PRINTLASTLOG),
	FLAGKW("printmotd", CF_GLOBAL, F_PRINTMOTD, PK_PRINTMOTD),
	{ "protocol", OP_IGNORE, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "pubkeyacceptedalgorithms", OP_KEYALGS, CF_ALL, F_PUBKEYALGS, PK_PUBKEYALGS, NULL },
	{ "pubkeyacceptedkeytypes", OP_KEYALGS, CF_ALL, F_PUBKEYALGS, PK_PUBKEYALGS, NULL },
	FLAGKW("pubkeyauthentication", CF_ALL, F_PUBKEYAUTH, PK_PUBKEYAUTH),
	{ "pubkeyauthoptions", OP_PKOPTS, CF_ALL, F_PKOPTS, PK_PKOPTS, NULL },
	{ "rdomain", OP_RDOMAIN, CF_ALL, NOF, PK_NONE, NULL },
	{ "refuseconnection", OP_NEWER, CF_ALL, NOF, PK_NONE, NULL },
	{ "rekeylimit", OP_REKEY, CF_ALL, F_REKEY_LIMIT, PK_REKEY, NULL },
	{ "requiredrsasize", OP_INT, CF_ALL, F_REQRSA, PK_REQRSA, NULL },
	{ "reversemappingcheck", OP_DEPRECATED, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "revokedkeys", OP_FILE, CF_ALL, F_REVOKED, PK_REVOKED, NULL },
	{ "rhostsauthentication", OP_DEPRECATED, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "rhostsrsaauthentication", OP_DEPRECATED, CF_ALL, NOF, PK_NONE, NULL },
	{ "rsaauthentication", OP_DEPRECATED, CF_ALL, NOF, PK_NONE, NULL },
	{ "securitykeyprovider", OP_SKPROV, CF_GLOBAL, F_SKPROV, PK_SKPROV, NULL },
	{ "serverkeybits", OP_DEPRECATED, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "setenv", OP_SETENV, CF_ALL, A_SETENV, PK_SETENV, NULL },
	FLAGKW("skeyauthentication", CF_ALL, F_KBDINT, PK_KBDINT),
	{ "sshdauthpath", OP_NEWER, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "sshdsessionpath", OP_NEWER, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "streamlocalbindmask", OP_SLMASK, CF_ALL, F_SLMASK, PK_SLMASK, NULL },
	FLAGKW("streamlocalbindunlink", CF_ALL, F_SLUNLINK, PK_SLUNLINK),
	FLAGKW("strictmodes", CF_GLOBAL, F_STRICTMODES, PK_STRICTMODES),
	{ "subsystem", OP_SUBSYSTEM, CF_GLOBAL, A_SUBSYS, PK_SUBSYS, NULL },
	{ "syslogfacility", OP_FACILITY, CF_GLOBAL, F_FACILITY, PK_FACILITY, NULL },
	FLAGKW("tcpkeepalive", CF_GLOBAL, F_TCPKA, PK_TCPKA),
	{ "trustedusercakeys", OP_FILE, CF_ALL, F_TRUSTEDCA, PK_TRUSTEDCA, NULL },
	{ "unusedconnectiontimeout", OP_UNUSEDTMO, CF_ALL, F_UNUSEDTMO, PK_UNUSEDTMO, NULL },
	FLAGKW("usedns", CF_GLOBAL, F_USEDNS, PK_USEDNS),
	{ "uselogin", OP_DEPRECATED, CF_GLOBAL, NOF, PK_NONE, NULL },
	FLAGKW("usepam", CF_GLOBAL, F_USEPAM, PK_USEPAM),
	{ "useprivilegeseparation", OP_DEPRECATED, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "verifyreversemapping", OP_DEPRECATED, CF_GLOBAL, NOF, PK_NONE, NULL },
	{ "versionaddendum", OP_VERSIONADD, CF_GLOBAL, F_VERSIONADD, PK_VERSIONADD, NULL },
	{ "x11displayoffset", OP_INT, CF_ALL, F_X11OFFSET, PK_X11OFFSET, NULL },
	FLAGKW("x11forwarding", CF_ALL, F_X11FWD, PK_X11FWD),
	FLAGKW("x11uselocalhost", CF_ALL, F_X11LOCAL, PK_X11LOCAL),
	{ "xauthlocation", OP_FILE, CF_GLOBAL, F_XAUTH, PK_XAUTH, NULL },
};
#define NKW (sizeof(kws) / sizeof(kws[0]))

static int
kwcmp(const void *key, const void *elt)
{
	return strcmp(key, ((const struct kw *)elt)->name);
}

/* Case-insensitive keyword lookup (bsearch on the lower-cased name). */
static const struct kw *
kw_lookup(const char *name)
{
	char low[40];
	size_t i;

	for (i = 0; name[i] != '\0'; i++) {
		if (i + 1 >= sizeof(low))
			return NULL;
		low[i] = (char)tolower((unsigned char)name[i]);
	}
	low[i] = '\0';
	return bsearch(low, kws, NKW, sizeof(kws[0]), kwcmp);
}

/* ---- per-pass option storage ------------------------------------------- */

struct sv {
	const char *s;		/* value as printed (raw for algorithm lists) */
	long long i;		/* numeric value where one is needed */
	const char *file;
	int line;
	int set;
};

struct av {
	const char **v;
	unsigned n, cap;
	const char *file;
	int line;
};

struct pass {
	struct sv f[NF];
	struct av a[NA];
	int active;
	const struct cvm_sshd_conn *ci;	/* NULL in pass 1 */
};

struct out {
	const char *val;	/* as printed ('\n' between lines of P_MULTI) */
	const char **items;	/* P_MULTI: the lines */
	unsigned nitems;
	const char *file;
	int line;
};

struct prob {
	const char *text;	/* "file:line: what" */
	const char *file;
	int line;
	int kind;		/* CVM_SSHD_PROBLEM_* */
};

struct cvm_sshd {
	struct arena ar;
	struct out o[NPK];
	struct prob *problems;
	size_t nproblems, capproblems;
};

struct ctx {
	struct cvm_sshd *c;
	struct arena *ar;
	const struct cvm_sshd_builtin *bi;
	const char *defv[NPK];		/* default values (first line) */
	int rooted;			/* paths resolve inside rootfd */
	int rootfd;
	struct pass p[2];
	char *err;
	size_t errlen;
	int failed;
	char *cwd;
	/* scratch for one line's arguments */
	char *tok;
	size_t tokcap;
	char **argv;
	size_t argcap;
};

static int fail(struct ctx *x, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct ctx *x, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	size_t n = 0;

	if (x->failed)
		return -1;
	x->failed = 1;
	if (x->err == NULL || x->errlen == 0)
		return -1;
	x->err[0] = '\0';
	if (file != NULL) {
		if (line > 0)
			snprintf(x->err, x->errlen, "%s:%d: ", file, line);
		else
			snprintf(x->err, x->errlen, "%s: ", file);
		n = strlen(x->err);
	}
	if (n < x->errlen) {
		va_start(ap, fmt);
		vsnprintf(x->err + n, x->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int oom(struct ctx *x)
{
	return fail(x, NULL, 0, "out of memory");
}

static char *
xstrndup(struct ctx *x, const char *s, size_t n)
{
	char *p = ar_alloc(x->ar, n + 1);

	if (p == NULL) {
		oom(x);
		return NULL;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *
xstrdup(struct ctx *x, const char *s)
{
	return xstrndup(x, s, strlen(s));
}

static char *xprintf(struct ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *
xprintf(struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	char buf[256], *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (p = ar_alloc(x->ar, (size_t)n + 1)) == NULL) {
		oom(x);
		return NULL;
	}
	if ((size_t)n < sizeof(buf)) {
		memcpy(p, buf, (size_t)n + 1);
		return p;
	}
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static int problem(struct ctx *x, int kind, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
problem(struct ctx *x, int kind, const char *file, int line, const char *fmt,
    ...)
{
	struct cvm_sshd *c = x->c;
	char msg[1024];
	va_list ap;
	struct prob *nv;
	char *p;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (file != NULL && line > 0)
		p = xprintf(x, "%s:%d: %s", file, line, msg);
	else if (file != NULL)
		p = xprintf(x, "%s: %s", file, msg);
	else
		p = xstrdup(x, msg);
	if (p == NULL)
		return oom(x);
	if (c->nproblems == c->capproblems) {
		size_t cap = c->capproblems ? c->capproblems * 2 : 8;
		if ((nv = ar_alloc(x->ar, cap * sizeof(*nv))) == NULL)
			return oom(x);
		if (c->nproblems)
			memcpy(nv, c->problems, c->nproblems * sizeof(*nv));
		c->problems = nv;
		c->capproblems = cap;
	}
	c->problems[c->nproblems].text = p;
	c->problems[c->nproblems].file = file;
	c->problems[c->nproblems].line = file ? line : 0;
	c->problems[c->nproblems].kind = kind;
	c->nproblems++;
	return 0;
}

static int
av_push(struct ctx *x, struct av *a, const char *s, const char *file, int line)
{
	const char **nv;

	if (a->n == a->cap) {
		unsigned cap = a->cap ? a->cap * 2 : 4;
		if ((nv = ar_alloc(x->ar, cap * sizeof(*nv))) == NULL)
			return oom(x);
		if (a->n)
			memcpy(nv, a->v, a->n * sizeof(*nv));
		a->v = nv;
		a->cap = cap;
	}
	if (a->n == 0) {
		a->file = file;
		a->line = line;
	}
	a->v[a->n++] = s;
	return 0;
}

static void
sv_set(struct sv *v, const char *s, long long i, const char *file, int line)
{
	v->s = s;
	v->i = i;
	v->file = file;
	v->line = line;
	v->set = 1;
}

/* ---- tokenizing, as misc.c does it -------------------------------------- */

/* strdelim(): next token, split on whitespace, a double quote or one '='. */
static char *
strdelim(char **s)
{
	char *old, *p;
	int eq = 0;

	if (*s == NULL)
		return NULL;
	old = *s;
	p = strpbrk(*s, WS "\"=");
	if (p == NULL) {
		*s = NULL;
		return old;
	}
	if (*p == '"') {
		memmove(p, p + 1, strlen(p));
		if ((p = strchr(p, '"')) == NULL) {
			*s = NULL;
			return NULL;
		}
		*p = '\0';
		*s = p + strspn(p + 1, WS) + 1;
		return old;
	}
	if (*p == '=')
		eq = 1;
	*p = '\0';
	p += strspn(p + 1, WS) + 1;
	if (*p == '=' && !eq)
		p += strspn(p + 1, WS) + 1;
	*s = p;
	return old;
}

/* argv_split(s, terminate_on_comment=1) into x->tok/x->argv.  Returns the
 * count, -1 on unbalanced quotes, -2 on ENOMEM.  argv[argc] is NULL. */
static int
split_args(struct ctx *x, const char *s)
{
	size_t len = strlen(s), i, j = 0, need = 2 * len + 2;
	size_t maxargs = len / 2 + 2;
	int argc = 0, quote;

	if (x->tokcap < need) {
		free(x->tok);
		if ((x->tok = malloc(need)) == NULL) {
			x->tokcap = 0;
			return -2;
		}
		x->tokcap = need;
	}
	if (x->argcap < maxargs + 1) {
		free(x->argv);
		if ((x->argv = malloc((maxargs + 1) * sizeof(char *))) == NULL) {
			x->argcap = 0;
			return -2;
		}
		x->argcap = maxargs + 1;
	}
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == ' ' || s[i] == '\t')
			continue;
		if (s[i] == '#')
			break;
		quote = 0;
		x->argv[argc++] = x->tok + j;
		for (; s[i] != '\0'; i++) {
			if (s[i] == '\\') {
				if (s[i + 1] == '\'' || s[i + 1] == '"' ||
				    s[i + 1] == '\\' || (quote == 0 && s[i + 1] == ' '))
					i++;
				x->tok[j++] = s[i];
			} else if (quote == 0 && (s[i] == ' ' || s[i] == '\t'))
				break;
			else if (quote == 0 && (s[i] == '"' || s[i] == '\''))
				quote = s[i];
			else if (quote != 0 && s[i] == quote)
				quote = 0;
			else
				x->tok[j++] = s[i];
		}
		x->tok[j++] = '\0';
		if (s[i] == '\0') {
			if (quote != 0)
				return -1;
			break;
		}
	}
	x->argv[argc] = NULL;
	return argc;
}

struct args {
	char **v;
	int n;
};

static char *
next_arg(struct args *a)
{
	char *r = a->v[0];

	if (a->n > 0 && r != NULL) {
		a->n--;
		a->v++;
	}
	return r;
}

/* ---- number parsing as sshd does it ------------------------------------- */

/* strtonum(s, lo, hi): NULL and *out, or the error text sshd prints. */
static const char *
xstrtonum(const char *s, long long lo, long long hi, long long *out)
{
	char *ep;
	long long v;

	if (s == NULL || *s == '\0')
		return "missing";
	errno = 0;
	v = strtoll(s, &ep, 10);
	if (s == ep || *ep != '\0')
		return "invalid";
	if ((v == LLONG_MIN && errno == ERANGE) || v < lo)
		return "too small";
	if ((v == LLONG_MAX && errno == ERANGE) || v > hi)
		return "too large";
	*out = v;
	return NULL;
}

static const char *
atoi_err(const char *s, long long *out)
{
	if (s == NULL || *s == '\0')
		return "missing";
	return xstrtonum(s, 0, INT_MAX, out);
}

/* a2port: 0..65535 or a tcp service name; -1 bad. */
static int
a2port(const char *s)
{
	struct servent *se;
	long long v;

	struct servent sbuf;
	char buf[1024];

	if (xstrtonum(s, 0, 65535, &v) == NULL)
		return (int)v;
	if (getservbyname_r(s, "tcp", &sbuf, buf, sizeof(buf), &se) == 0 &&
	    se != NULL)
		return ntohs((uint16_t)se->s_port);
	return -1;
}

/* convtime: seconds, -1 if invalid. */
static long
convtime(const char *s)
{
	long total = 0, secs, mult;
	const char *p = s;
	char *ep;

	if (p == NULL || *p == '\0')
		return -1;
	while (*p) {
		errno = 0;
		secs = strtol(p, &ep, 10);
		if (p == ep || (errno == ERANGE &&
		    (secs == LONG_MIN || secs == LONG_MAX)) || secs < 0)
			return -1;
		mult = 1;
		switch (*ep++) {
		case '\0':
			ep--;
			break;
		case 's': case 'S':
			break;
		case 'm': case 'M':
			mult = 60;
			break;
		case 'h': case 'H':
			mult = 3600;
			break;
		case 'd': case 'D':
			mult = 86400;
			break;
		case 'w': case 'W':
			mult = 604800;
			break;
		default:
			return -1;
		}
		if (secs > INT_MAX / mult)
			return -1;
		secs *= mult;
		if (total > INT_MAX - secs)
			return -1;
		total += secs;
		if (total < 0)
			return -1;
		p = ep;
	}
	return total;
}

/* scan_scaled (openbsd-compat): [+-]digits[.digits][BKMGTPE]. */
static int
scan_scaled(const char *s, long long *res)
{
	static const char sc[] = "BKMGTPE";
	const char *p = s;
	long long whole = 0, fpart = 0, fact = 1;
	unsigned nd = 0, fd = 0, i;
	int sign = 0;

	while (isascii((unsigned char)*p) && isspace((unsigned char)*p))
		p++;
	while (*p == '-' || *p == '+') {
		if (sign)
			return -1;
		sign = *p == '-' ? -1 : 1;
		p++;
	}
	for (; isascii((unsigned char)*p) && (isdigit((unsigned char)*p) ||
	    *p == '.'); p++) {
		if (*p == '.') {
			if (fd > 0)
				return -1;
			fd = 1;
			continue;
		}
		i = (unsigned)(*p - '0');
		if (fd > 0) {
			if (fd >= 20)
				continue;
			fd++;
			if (fpart > LLONG_MAX / 10)
				return -1;
			fpart = fpart * 10 + i;
		} else {
			if (++nd >= 21)
				return -1;
			if (whole > LLONG_MAX / 10 || (long long)i > LLONG_MAX - whole * 10)
				return -1;
			whole = whole * 10 + i;
		}
	}
	if (sign)
		whole *= sign;
	if (*p == '\0') {
		*res = whole;
		return 0;
	}
	for (i = 0; i < sizeof(sc) - 1; i++) {
		if (*p != sc[i] && *p != tolower((unsigned char)sc[i]))
			continue;
		for (fact = 1; i > 0 && fact < (1LL << 60); i--)
			fact *= 1024;
		if (isalnum((unsigned char)p[1]))
			return -1;
		if (whole > LLONG_MAX / fact || whole < LLONG_MIN / fact)
			return -1;
		whole *= fact;
		while (fpart >= LLONG_MAX / fact) {
			fpart /= 10;
			fd--;
		}
		fpart *= fact;
		if (fd > 0) {
			unsigned k;
			for (k = 0; k < fd - 1; k++)
				fpart /= 10;
		}
		whole = sign == -1 ? whole - fpart : whole + fpart;
		*res = whole;
		return 0;
	}
	return -1;
}

/* sscanf("%d") prefix: optional blanks and sign, digits.  Returns the
 * number of characters used (0 if none). */
static size_t
scan_int(const char *s, int *out)
{
	const char *p = s;
	long long v = 0;
	int neg = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p)) {
		if (v < (long long)INT_MAX + 1)
			v = v * 10 + (*p - '0');
		p++;
	}
	if (neg)
		v = -v;
	*out = v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
	return (size_t)(p - s);
}

/* sscanf(s, "%d:%d:%d", ...) -> number of conversions. */
static int
scan_ints(const char *s, int *v, int max)
{
	int n = 0;
	size_t k;

	while (n < max) {
		if ((k = scan_int(s, &v[n])) == 0)
			break;
		n++;
		s += k;
		if (n < max) {
			if (*s != ':')
				break;
			s++;
		}
	}
	return n;
}

/* ---- misc.c helpers ----------------------------------------------------- */

static int
has_magic(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* getpwnam_r / getpwuid_r (name NULL): the home directory, or NULL. */
static const char *
home_of(struct ctx *x, const char *name, uid_t uid)
{
	struct passwd pw, *res = NULL;
	char sbuf[4096], *buf = sbuf;
	size_t len = sizeof(sbuf);
	const char *home = NULL;
	int r;

	for (;;) {
		r = name ? getpwnam_r(name, &pw, buf, len, &res) :
		    getpwuid_r(uid, &pw, buf, len, &res);
		if (r != ERANGE || len >= (1u << 20))
			break;
		if (buf != sbuf)
			free(buf);
		len *= 4;
		if ((buf = malloc(len)) == NULL)
			return NULL;
	}
	if (r == 0 && res != NULL)
		home = xstrdup(x, pw.pw_dir);
	if (buf != sbuf)
		free(buf);
	return home;
}

/* tilde_expand_filename with the uid sshd runs as. */
static const char *
tilde_expand(struct ctx *x, const char *f, const char *file, int line)
{
	const char *path = NULL, *user, *p, *home;
	char ubuf[256];
	size_t n;
	int slash;

	if (*f != '~')
		return xstrdup(x, f);
	p = f + 1;
	if (*p == '\0' || *p == '/') {
		p += strspn(p, "/");
		path = *p ? p : NULL;
		if ((home = home_of(x, NULL, getuid())) == NULL) {
			fail(x, file, line, "tilde_expand: No such uid %ld",
			    (long)getuid());
			return NULL;
		}
	} else {
		user = p;
		if ((p = strchr(user, '/')) != NULL) {
			n = (size_t)(p - user);
			p++;
			p += strspn(p, "/");
			path = *p ? p : NULL;
		} else
			n = strlen(user);
		if (n >= sizeof(ubuf)) {
			fail(x, file, line, "tilde_expand: No such user %s", user);
			return NULL;
		}
		memcpy(ubuf, user, n);
		ubuf[n] = '\0';
		if ((home = home_of(x, ubuf, 0)) == NULL) {
			fail(x, file, line, "tilde_expand: No such user %s", ubuf);
			return NULL;
		}
	}
	n = strlen(home);
	slash = n == 0 || home[n - 1] != '/';
	if (n + 1 + (path ? strlen(path) : 0) >= PATH_MAX) {
		fail(x, file, line, "tilde_expand: path too long");
		return NULL;
	}
	return xprintf(x, "%s%s%s", home, slash ? "/" : "",
	    path != NULL ? path : "");
}

/* derelativise_path: "none", ~ expansion, else absolute against the cwd. */
static const char *
derelativise(struct ctx *x, const char *path, const char *file, int line)
{
	const char *e;
	char buf[PATH_MAX];

	if (strcasecmp(path, "none") == 0)
		return "none";
	if ((e = tilde_expand(x, path, file, line)) == NULL)
		return NULL;
	if (*e == '/')
		return e;
	if (x->cwd == NULL) {
		if (getcwd(buf, sizeof(buf)) == NULL) {
			fail(x, file, line, "getcwd: %s", strerror(errno));
			return NULL;
		}
		if ((x->cwd = xstrdup(x, buf)) == NULL)
			return NULL;
	}
	return xprintf(x, "%s/%s", x->cwd, e);
}

/* hpdelim() on a copy: host part of "host:port" / "[v6]:port". */
static int
hpdelim(char *s, char **host, char **rest)
{
	char *p;

	*host = s;
	*rest = NULL;
	if (*s == '[') {
		if ((p = strchr(s, ']')) == NULL)
			return -1;
		p++;
	} else if ((p = strpbrk(s, ":/")) == NULL)
		p = s + strlen(s);
	switch (*p) {
	case '\0':
		break;
	case ':':
		*p = '\0';
		*rest = p + 1;
		break;
	default:
		return -1;	/* '/' too: hpdelim refuses it */
	}
	return 0;
}

static char *
cleanhostname(char *h)
{
	size_t n = strlen(h);

	if (*h == '[' && n > 0 && h[n - 1] == ']') {
		h[n - 1] = '\0';
		return h + 1;
	}
	return h;
}

/* ---- algorithm lists (kex.c kex_assemble_names) ------------------------- */

/* Does the comma list contain name (the list stops at an empty entry, as
 * match_list does)? */
static int
list_has(const char *list, const char *name, size_t nlen)
{
	const char *p = list, *e;

	while (*p != '\0') {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p)
			return 0;
		if ((size_t)(e - p) == nlen && memcmp(p, name, nlen) == 0)
			return 1;
		if (*e == '\0')
			break;
		p = e + 1;
	}
	return 0;
}

/* kex_names_cat: a, then the names of b not in it (b stops at an empty
 * entry). */
static char *
names_cat(struct ctx *x, const char *a, const char *b)
{
	char *r;
	size_t n = 0;
	const char *p, *e;

	if (a == NULL || *a == '\0')
		return xstrdup(x, b ? b : "");
	if (b == NULL || *b == '\0')
		return xstrdup(x, a);
	if ((r = ar_alloc(x->ar, strlen(a) + strlen(b) + 2)) == NULL)
		return NULL;
	n = strlen(a);
	memcpy(r, a, n + 1);
	for (p = b; *p != '\0'; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p)
			break;
		if (!list_has(r, p, (size_t)(e - p))) {
			r[n++] = ',';
			memcpy(r + n, p, (size_t)(e - p));
			n += (size_t)(e - p);
			r[n] = '\0';
		}
		if (*e == '\0')
			break;
	}
	return r;
}

/* match_filter_allowlist / denylist: the entries of proposal that match
 * (deny: do not match) the pattern list filter. */
static char *
filter_list(struct ctx *x, const char *proposal, const char *filter, int deny)
{
	char *r, item[512];
	const char *p, *e;
	size_t n = 0, len;
	int m;

	if ((r = ar_alloc(x->ar, strlen(proposal) + 1)) == NULL)
		return NULL;
	r[0] = '\0';
	for (p = proposal;; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		len = (size_t)(e - p);
		if (len < sizeof(item)) {
			memcpy(item, p, len);
			item[len] = '\0';
			m = cvm_match_pattern_list(item, filter, 0);
		} else
			m = 0;
		if ((deny && m != 1) || (!deny && m == 1)) {
			if (n > 0)
				r[n++] = ',';
			memcpy(r + n, p, len);
			n += len;
			r[n] = '\0';
		}
		if (*e == '\0')
			break;
	}
	return r;
}

/* kex_assemble_names(list, def, all): NULL and *bad on a list sshd
 * refuses. */
static const char *
assemble(struct ctx *x, const char *list, const char *def, const char *all,
    int *bad)
{
	char *l, *ret = NULL, *m, *cp, *e;

	*bad = 0;
	if (list == NULL || *list == '\0')
		return def;
	if (*list == '+')
		l = names_cat(x, def, list + 1);
	else if (*list == '-')
		return filter_list(x, def, list + 1, 1);
	else if (*list == '^')
		l = names_cat(x, list + 1, def);
	else
		l = xstrdup(x, list);
	if (l == NULL)
		return NULL;
	for (cp = l;; cp = e + 1) {
		if ((e = strchr(cp, ',')) != NULL)
			*e = '\0';
		if (*cp == '!') {
			*bad = 1;
			return NULL;
		}
		if ((m = filter_list(x, all, cp, 0)) == NULL ||
		    (ret = names_cat(x, ret, m)) == NULL)
			return NULL;
		if (e == NULL)
			break;
	}
	if (ret == NULL || *ret == '\0') {
		*bad = 1;
		return NULL;
	}
	return ret;
}

/* Name list check of ciphers_valid/mac_valid/kex_names_valid/
 * sshkey_names_valid2: every entry up to the first empty one must be
 * accepted by ok(). */
static int
names_valid(struct ctx *x, const char *names,
    int (*ok)(struct ctx *, const char *))
{
	char item[1024];
	const char *p, *e;
	size_t n;

	if (names == NULL || *names == '\0')
		return 0;
	for (p = names; *p != '\0'; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p)
			break;
		n = (size_t)(e - p);
		if (n >= sizeof(item))
			return 0;
		memcpy(item, p, n);
		item[n] = '\0';
		if (!ok(x, item))
			return 0;
		if (*e == '\0')
			break;
	}
	return 1;
}

static int
ok_cipher(struct ctx *x, const char *n)
{
	return list_has(x->bi->ciphers, n, strlen(n));
}

static int
ok_mac(struct ctx *x, const char *n)
{
	return list_has(x->bi->macs, n, strlen(n));
}

/* kex_alg_by_name: an exact name, or one starting with a GSSAPI prefix */
static int
ok_kex(struct ctx *x, const char *n)
{
	const char *p, *e;

	if (list_has(x->bi->kex, n, strlen(n)))
		return 1;
	for (p = x->bi->gsskex; *p != '\0'; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if (e > p && strncmp(p, n, (size_t)(e - p)) == 0)
			return 1;
		if (*e == '\0')
			break;
	}
	return 0;
}

static int
ok_gsskex(struct ctx *x, const char *n)
{
	return strncmp(n, "gss-", 4) == 0 && ok_kex(x, n);
}

/* Does any name of the comma list match the pattern list pat (positively
 * or negatively)? */
static int
any_name_matches(const char *list, const char *pat)
{
	char item[256];
	const char *p, *e;
	size_t n;

	for (p = list; *p != '\0'; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (n > 0 && n < sizeof(item)) {
			memcpy(item, p, n);
			item[n] = '\0';
			if (cvm_match_pattern_list(item, pat, 0) != 0)
				return 1;
		}
		if (*e == '\0')
			break;
	}
	return 0;
}

/* sshkey_names_valid2(name, allow_wildcard=1), one entry */
static int
ok_key(struct ctx *x, const char *n)
{
	const char *p, *e;

	if (list_has(x->bi->keys, n, strlen(n)) ||
	    list_has(x->bi->keyextra, n, strlen(n)))
		return 1;
	for (p = x->bi->keyshort; *p != '\0'; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == strlen(n) &&
		    strncasecmp(p, n, (size_t)(e - p)) == 0)
			return 1;
		if (*e == '\0')
			break;
	}
	return any_name_matches(x->bi->keys, n) ||
	    any_name_matches(x->bi->keyextra, n);
}

/* auth2_methods_valid(list, need_enable) with the pass-1 flags */
static int
methods_valid(const char *list, const char *const *enabled)
{
	static const char *const names[] = { "none", "publickey",
	    "gssapi-keyex", "gssapi-with-mic", "password",
	    "keyboard-interactive", "hostbased" };
	const char *p, *e, *c;
	size_t n, i;

	if (*list == '\0')
		return -1;
	for (p = list;; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		c = memchr(p, ':', (size_t)(e - p));
		n = (size_t)((c ? c : e) - p);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i]) == n && memcmp(names[i], p, n) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		if (enabled != NULL && i > 0 &&
		    strcmp(enabled[i], "yes") != 0)
			return -1;
		if (*e == '\0')
			break;
	}
	return 0;
}

/* ---- Match (servconf.c match_cfg_line) ---------------------------------- */

static int
match_group(const struct cvm_sshd_conn *ci, const char *list)
{
	const char *const *groups = ci->groups;
	size_t i, ngroups = ci->ngroups;
	int found = 0;

	if (groups == NULL && (ci->resolve_groups == NULL ||
	    ci->resolve_groups(ci->resolve_ctx, &groups, &ngroups) != 0))
		return 0;
	if (groups == NULL)
		return 0;
	for (i = 0; i < ngroups; i++) {
		if (groups[i] == NULL)
			continue;
		switch (cvm_match_pattern_list(groups[i], list, 0)) {
		case -1:
			return 0;
		case 1:
			found = 1;
			break;
		default:
			break;
		}
	}
	return found;
}

/* 1 match, 0 no match, -1 error (x->err set).  cond is modified; *rest
 * is what the criteria left unread (sshd then complains about extra
 * arguments). */
static int
match_cfg(struct ctx *x, char *cond, const struct cvm_sshd_conn *ci,
    const char *file, int line, char **rest)
{
	char *cp = cond, *attrib, *arg;
	int result = 1, attributes = 0, port, r;

	*rest = NULL;
	while ((attrib = strdelim(&cp)) != NULL && *attrib != '\0') {
		if (*attrib == '#') {
			cp = NULL;
			break;
		}
		attributes++;
		if (strcasecmp(attrib, "all") == 0) {
			if (attributes > 1 || ((arg = strdelim(&cp)) != NULL &&
			    *arg != '\0' && *arg != '#'))
				return fail(x, file, line, "Bad Match condition: "
				    "'all' cannot be combined with other Match "
				    "attributes");
			*rest = (arg != NULL && *arg == '#') ? NULL : cp;
			return 1;
		}
		if ((arg = strdelim(&cp)) == NULL || *arg == '\0' || *arg == '#')
			return fail(x, file, line, "Bad Match condition: "
			    "Missing Match criteria for %s", attrib);
		if (strcasecmp(attrib, "user") == 0) {
			if (ci == NULL || ci->user == NULL ||
			    cvm_match_pattern_list(ci->user, arg, 0) != 1)
				result = 0;
		} else if (strcasecmp(attrib, "group") == 0) {
			if (ci == NULL || ci->user == NULL || !match_group(ci, arg))
				result = 0;
		} else if (strcasecmp(attrib, "host") == 0) {
			if (ci == NULL || ci->host == NULL ||
			    cvm_match_hostname(ci->host, arg) != 1)
				result = 0;
		} else if (strcasecmp(attrib, "address") == 0 ||
		    strcasecmp(attrib, "localaddress") == 0) {
			const char *a = ci == NULL ? NULL :
			    (attrib[0] == 'a' || attrib[0] == 'A') ?
			    ci->addr : ci->laddr;
			if (a == NULL) {
				if (cvm_addr_match_list(NULL, arg) != 0)
					return fail(x, file, line, "Invalid Match "
					    "%s argument '%s'", attrib, arg);
				result = 0;
				continue;
			}
			r = cvm_addr_match_list(a, arg);
			if (r == -2)
				return fail(x, file, line, "Bad Match condition: "
				    "invalid address list '%s'", arg);
			if (r != 1)
				result = 0;
		} else if (strcasecmp(attrib, "localport") == 0) {
			if ((port = a2port(arg)) == -1)
				return fail(x, file, line, "Bad Match condition: "
				    "Invalid LocalPort '%s' on Match line", arg);
			if (ci == NULL || ci->lport < 0 || port != ci->lport)
				result = 0;
		} else if (strcasecmp(attrib, "rdomain") == 0) {
			if (ci == NULL || ci->rdomain == NULL ||
			    cvm_match_pattern_list(ci->rdomain, arg, 0) != 1)
				result = 0;
		} else
			return fail(x, file, line, "Bad Match condition: "
			    "Unsupported Match attribute %s", attrib);
	}
	if (attributes == 0)
		return fail(x, file, line, "Bad Match condition: One or more "
		    "attributes required for Match");
	*rest = cp;
	return result;
}

/* ---- files: rooted path resolution, glob, reading ----------------------- */

/* Opens a configuration path: inside the root when there is one and the
 * path is absolute, as is otherwise. */
static int
cfg_open(struct ctx *x, const char *path, int oflags, int follow)
{
	if (x->rooted && path[0] == '/')
		return cvm_rooted_open(x->rootfd, path, oflags, follow);
	return open(path, oflags | (follow ? 0 : O_NOFOLLOW) | O_CLOEXEC);
}

/* lstat()-like existence test, as glob(3) does for names without
 * wildcards (a dangling symlink exists). */
static int
cfg_lexists(struct ctx *x, const char *path)
{
	struct stat st;
	int fd;

	if (!(x->rooted && path[0] == '/'))
		return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if ((fd = cvm_rooted_open(x->rootfd, path, O_PATH, 0)) < 0)
		return 0;
	close(fd);
	return 1;
}

struct strlist {
	char **v;
	size_t n, cap;
};

static void
strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int
strlist_add(struct strlist *l, const char *a, const char *b)
{
	size_t na = strlen(a), nb = b ? strlen(b) : 0;
	char *s, **nv;

	if (l->n >= MAX_GLOB)
		return -1;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		if ((nv = realloc(l->v, cap * sizeof(*nv))) == NULL)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	if ((s = malloc(na + nb + 2)) == NULL)
		return -1;
	memcpy(s, a, na);
	if (b != NULL) {
		s[na] = '/';
		memcpy(s + na + 1, b, nb + 1);
	} else
		s[na] = '\0';
	l->v[l->n++] = s;
	return 0;
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* glob(3) with flags 0 over components[i..]: prefix is the path so far
 * ("" for "/").  -1 on ENOMEM or too many matches. */
static int
glob_rec(struct ctx *x, const char *prefix, char **comp, size_t ncomp,
    size_t i, struct strlist *out)
{
	struct strlist names = { NULL, 0, 0 };
	struct dirent *de;
	DIR *d;
	char *path;
	size_t k;
	int fd, r = 0;

	if (!has_magic(comp[i])) {
		if (strlist_add(&names, prefix, comp[i]) < 0)
			return -1;
		path = names.v[0];
		if (i + 1 == ncomp)
			r = cfg_lexists(x, path) ? strlist_add(out, path, NULL) : 0;
		else
			r = glob_rec(x, path, comp, ncomp, i + 1, out);
		strlist_free(&names);
		return r;
	}
	if (!x->rooted)
		d = opendir(*prefix ? prefix : "/");
	else {
		fd = cfg_open(x, *prefix ? prefix : "/", O_RDONLY |
		    O_DIRECTORY | O_NONBLOCK, 1);
		if (fd < 0)
			return 0;
		if ((d = fdopendir(fd)) == NULL)
			close(fd);
	}
	if (d == NULL)
		return 0;	/* glob(3) without GLOB_ERR skips it */
	while ((de = readdir(d)) != NULL) {
		if (fnmatch(comp[i], de->d_name, FNM_PERIOD) != 0)
			continue;
		if (strlist_add(&names, prefix, de->d_name) < 0) {
			r = -1;
			break;
		}
	}
	closedir(d);
	for (k = 0; r == 0 && k < names.n; k++) {
		if (i + 1 == ncomp)
			r = strlist_add(out, names.v[k], NULL);
		else
			r = glob_rec(x, names.v[k], comp, ncomp, i + 1, out);
	}
	strlist_free(&names);
	return r;
}

/* The sorted matches of an absolute pattern. */
static int
xglob(struct ctx *x, const char *pattern, struct strlist *out)
{
	char *copy, *comp[256], *p, *save = NULL;
	size_t n = 0;
	int r;

	out->v = NULL;
	out->n = out->cap = 0;
	if (pattern[0] != '/')
		return 0;	/* "~..." is taken literally: never there */
	if ((copy = strdup(pattern)) == NULL)
		return -1;
	for (p = strtok_r(copy, "/", &save); p != NULL;
	    p = strtok_r(NULL, "/", &save))
		if (n < sizeof(comp) / sizeof(comp[0]))
			comp[n++] = p;
		else {
			free(copy);
			return 0;
		}
	if (n == 0) {
		free(copy);
		return strlist_add(out, "/", NULL);
	}
	r = glob_rec(x, "", comp, n, 0, out);
	free(copy);
	if (r < 0) {
		strlist_free(out);
		return -1;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), strp_cmp);
	return 0;
}

/* Reads a config file as load_server_config does: leading " \t\r" of each
 * line dropped, and a line cut at its first NUL byte loses its newline
 * too (it runs into the next one).  *buf is NUL-terminated.  0, or -1 with
 * the error set ("from"/"fline": the Include line, if any). */
static int
read_config(struct ctx *x, const char *path, char **buf, const char *from,
    int fline)
{
	struct stat st;
	char *b = NULL, *nb, *r, *w, *end, *nl, *z;
	size_t cap, len = 0;
	ssize_t n;
	int fd, e;

	*buf = NULL;
	fd = cfg_open(x, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 1);
	if (fd < 0) {
		e = errno;
		if (from != NULL)
			return fail(x, from, fline, "Include %s: %s", path,
			    strerror(e));
		return fail(x, path, 0, "%s", strerror(e));
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return fail(x, path, 0, "%s", strerror(e));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		if ((*buf = strdup("")) == NULL)
			return oom(x);
		return problem(x, CVM_SSHD_PROBLEM_INCLUDE_DIR,
		    from ? from : path, from ? fline : 0,
		    "%s is a directory: sshd reads it as empty", path);
	}
	/* a FIFO would block sshd forever; character devices (/dev/null)
	 * are read, non-blocking and capped */
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		close(fd);
		return fail(x, from ? from : path, from ? fline : 0,
		    "%s is not a regular file (sshd would block or misread it)",
		    path);
	}
	if ((uintmax_t)st.st_size > FILE_CAP) {
		close(fd);
		return fail(x, path, 0, "file too large");
	}
	cap = (size_t)st.st_size + 1;
	if ((b = malloc(cap)) == NULL) {
		close(fd);
		return oom(x);
	}
	for (;;) {
		if (len + 1 >= cap) {
			if (cap > FILE_CAP) {
				free(b);
				close(fd);
				return fail(x, path, 0, "file too large");
			}
			cap *= 2;
			if ((nb = realloc(b, cap)) == NULL) {
				free(b);
				close(fd);
				return oom(x);
			}
			b = nb;
		}
		n = read(fd, b + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			free(b);
			close(fd);
			return fail(x, path, 0, "read: %s", strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		/* the size fstat() gave: do not ask again for the EOF */
		if (S_ISREG(st.st_mode) && st.st_size > 0 &&
		    len == (size_t)st.st_size)
			break;
	}
	close(fd);
	b[len] = '\0';
	*buf = b;
	/* without NUL bytes, lines are as sshd sees them once parse_buf
	 * drops their leading blanks */
	if (memchr(b, '\0', len) == NULL)
		return 0;
	/* compact in place: output never outgrows input */
	end = b + len;
	for (r = w = b; r < end; r = nl) {
		r += strspn(r, " \t\r");	/* stops at NUL too */
		if (r >= end)
			break;
		nl = memchr(r, '\n', (size_t)(end - r));
		nl = nl ? nl + 1 : end;
		z = memchr(r, '\0', (size_t)(nl - r));
		if (z != NULL) {
			memmove(w, r, (size_t)(z - r));
			w += z - r;
		} else {
			memmove(w, r, (size_t)(nl - r));
			w += nl - r;
		}
	}
	*w = '\0';
	*buf = b;
	return 0;
}

/* ---- one line, one pass (process_server_config_line_depth) -------------- */

static const struct ms *
ms_find(const struct ms *m, const char *s)
{
	for (; m->in != NULL; m++)
		if (strcasecmp(s, m->in) == 0)
			return m;
	return NULL;
}

static const char *const facilities[] = { "DAEMON", "USER", "AUTH",
	"AUTHPRIV", "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4", "LOCAL5",
	"LOCAL6", "LOCAL7", NULL };
/* Debian's log.c: SILENT first (it is what QUIET prints as) */
static const struct ms loglevels[] = {
	{ "SILENT", "SILENT" }, { "QUIET", "SILENT" }, { "FATAL", "FATAL" },
	{ "ERROR", "ERROR" }, { "INFO", "INFO" }, { "VERBOSE", "VERBOSE" },
	{ "DEBUG", "DEBUG" }, { "DEBUG1", "DEBUG" }, { "DEBUG2", "DEBUG2" },
	{ "DEBUG3", "DEBUG3" }, { NULL, NULL } };
static const char *const digests[] = { "MD5", "SHA1", "SHA256", "SHA384",
	"SHA512", NULL };

struct qos {
	const char *name;
	int val;
};
static const struct qos qos[] = {
	{ "none", INT_MAX }, { "af11", 0x28 }, { "af12", 0x30 },
	{ "af13", 0x38 }, { "af21", 0x48 }, { "af22", 0x50 }, { "af23", 0x58 },
	{ "af31", 0x68 }, { "af32", 0x70 }, { "af33", 0x78 }, { "af41", 0x88 },
	{ "af42", 0x90 }, { "af43", 0x98 }, { "cs0", 0x00 }, { "cs1", 0x20 },
	{ "cs2", 0x40 }, { "cs3", 0x60 }, { "cs4", 0x80 }, { "cs5", 0xa0 },
	{ "cs6", 0xc0 }, { "cs7", 0xe0 }, { "ef", 0xb8 }, { "le", 0x04 },
	{ "lowdelay", 0x10 }, { "throughput", 0x08 }, { "reliability", 0x04 },
	{ NULL, -1 } };

static int
parse_ipqos(const char *s)
{
	const struct qos *q;
	char *ep;
	long v;

	if (s == NULL)
		return -1;
	for (q = qos; q->name != NULL; q++)
		if (strcasecmp(s, q->name) == 0)
			return q->val;
	v = strtol(s, &ep, 0);
	if (*s == '\0' || *ep != '\0' || v < 0 || v > 255)
		return -1;
	return (int)v;
}

static const char *
iptos2str(struct ctx *x, int v)
{
	const struct qos *q;

	for (q = qos; q->name != NULL; q++)
		if (q->val == v)
			return q->name;
	return xprintf(x, "0x%02x", v);
}

static int
permitopen_port(const char *p)
{
	int port;

	if (strcmp(p, "*") == 0)
		return 0;
	if ((port = a2port(p)) > 0)
		return port;
	return -1;
}

static int
parse_timeout(const char *s)
{
	const char *eq = strchr(s, '=');

	if (eq == NULL || eq == s)
		return -1;
	return convtime(eq + 1) < 0 ? -1 : 0;
}

/* same "NAME=" in the list */
static int
setenv_dup(const struct av *a, const char *env)
{
	size_t n = (size_t)(strchr(env, '=') - env), i;

	for (i = 0; i < a->n; i++)
		if (strncmp(a->v[i], env, n) == 0 && a->v[i][n] == '=')
			return 1;
	return 0;
}

#define ACTIVE (p->active)
#define FIRST(fid, sval, ival) do { \
	if (ACTIVE && !p->f[fid].set) { \
		const char *v_ = (sval); \
		if (v_ == NULL) \
			return -1; \
		sv_set(&p->f[fid], v_, (ival), file, ln); \
	} \
} while (0)
#define FAIL(...) return fail(x, file, ln, __VA_ARGS__)
#define DUP(s) xstrdup(x, (s))

static int
apply(struct ctx *x, int pi, int *iflags, const struct kw *k,
    const char *keyword, const char *str, struct args a, const char *file,
    int ln)
{
	struct pass *p = &x->p[pi];
	struct av *arr;
	const struct ms *m;
	const char *v, *e;
	char *arg, *arg2, buf[1024], *host, *rest;
	long long n;
	long t;
	int port, i, iv[3], cnt, found, any, parsed;
	unsigned u;

	if (!p->active && !(k->cf & CF_MATCH)) {
		if (pi == 0)
			FAIL("Directive '%s' is not allowed within a Match block",
			    keyword);
		return 0;
	}
	switch (k->op) {
	case OP_MULTI:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s: missing argument.", keyword);
		if ((m = ms_find(k->ms, arg)) == NULL)
			FAIL("%s: unsupported option \"%s\".", keyword, arg);
		FIRST(k->f, m->out, 0);
		break;
	case OP_INT:
		arg = next_arg(&a);
		if ((e = atoi_err(arg, &n)) != NULL)
			FAIL("%s integer value %s.", keyword, e);
		FIRST(k->f, xprintf(x, "%lld", n), n);
		break;
	case OP_TIME:
		arg = next_arg(&a);
	parse_time:
		if (arg == NULL || *arg == '\0')
			FAIL("%s: missing time value.", keyword);
		if ((t = convtime(arg)) == -1)
			FAIL("%s: invalid time value.", keyword);
		if (k->op == OP_UNUSEDTMO)
			FIRST(k->f, t == 0 ? "none" : xprintf(x, "%ld", t), t);
		else if (k->op == OP_REKEY)
			FIRST(F_REKEY_INT, xprintf(x, "%ld", t), t);
		else
			FIRST(k->f, xprintf(x, "%ld", t), t);
		break;
	case OP_FILE:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s: missing file name.", keyword);
		FIRST(k->f, derelativise(x, arg, file, ln), 0);
		break;
	case OP_KEYALGS:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s: Missing argument.", keyword);
		if (*arg != '-' && !names_valid(x, *arg == '+' || *arg == '^' ?
		    arg + 1 : arg, ok_key))
			FAIL("Bad key types '%s'.", arg);
		FIRST(k->f, DUP(arg), 0);
		break;
	case OP_PORT:
		if (p->a[A_PORT].n >= MAX_PORTS)
			FAIL("too many ports.");
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("missing port number.");
		if ((port = a2port(arg)) <= 0)
			FAIL("Badly formatted port number.");
		if (ACTIVE && av_push(x, &p->a[A_PORT],
		    xprintf(x, "%d", port), file, ln) != 0)
			return -1;
		break;
	case OP_LISTEN:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("missing address");
		if (strlen(arg) >= sizeof(buf))
			FAIL("bad address:port usage");
		strcpy(buf, arg);
		port = 0;
		if (strchr(buf, '[') == NULL && (v = strchr(buf, ':')) != NULL &&
		    strchr(v + 1, ':') != NULL)
			host = buf;
		else {
			if (hpdelim(buf, &host, &rest) != 0)
				FAIL("bad address:port usage");
			host = cleanhostname(host);
			if (rest != NULL && (port = a2port(rest)) <= 0)
				FAIL("bad port number");
		}
		if ((arg = next_arg(&a)) != NULL) {
			if (strcmp(arg, "rdomain") != 0 || next_arg(&a) == NULL)
				FAIL("bad ListenAddress syntax");
			FAIL("bad routing domain (not supported on this "
			    "platform)");
		}
		if (ACTIVE && av_push(x, &p->a[A_LISTEN],
		    xprintf(x, "%d\t%s", port, host), file, ln) != 0)
			return -1;
		break;
	case OP_HOSTKEY:
	case OP_HOSTCERT:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("missing file name.");
		if (ACTIVE) {
			if ((v = derelativise(x, arg, file, ln)) == NULL ||
			    av_push(x, &p->a[k->f], v, file, ln) != 0)
				return -1;
		}
		break;
	case OP_HKAGENT:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("missing socket name.");
		FIRST(k->f, strcmp(arg, "SSH_AUTH_SOCK") == 0 ? DUP(arg) :
		    derelativise(x, arg, file, ln), 0);
		break;
	case OP_PKOPTS:
		i = 0;
		while ((arg = next_arg(&a)) != NULL) {
			if (strcasecmp(arg, "none") == 0)
				continue;
			if (strcasecmp(arg, "touch-required") == 0)
				i |= 1;
			else if (strcasecmp(arg, "verify-required") == 0)
				i |= 2;
			else
				FAIL("unsupported %s option %s", keyword, arg);
		}
		FIRST(k->f, i == 0 ? "none" : i == 1 ? "touch-required" :
		    i == 2 ? "verify-required" :
		    "touch-required verify-required", i);
		break;
	case OP_GSSKEX:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("Missing argument.");
		if (!names_valid(x, arg, ok_gsskex))
			FAIL("Bad GSSAPI KexAlgorithms '%s'.", arg);
		FIRST(k->f, DUP(arg), 0);
		break;
	case OP_PUE:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		if (ACTIVE && !p->f[F_PUE].set) {
			if (strcmp(arg, "yes") == 0 || strcmp(arg, "no") == 0)
				sv_set(&p->f[F_PUE], arg[0] == 'y' ? "yes" : "no",
				    arg[0] == 'y', file, ln);
			else {
				sv_set(&p->f[F_PUE], "yes", 1, file, ln);
				if ((v = DUP(arg)) == NULL)
					return -1;
				sv_set(&p->f[F_PUE_ALLOW], v, 0, file, ln);
			}
		}
		break;
	case OP_REKEY:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		if (strcmp(arg, "default") == 0)
			n = 0;
		else {
			if (scan_scaled(arg, &n) == -1)
				FAIL("Bad %s number '%s'", keyword, arg);
			if (n != 0 && n < 16)
				FAIL("%s too small", keyword);
		}
		FIRST(F_REKEY_LIMIT, xprintf(x, "%llu", (unsigned long long)n), n);
		if (a.n != 0) {
			if (strcmp(a.v[0], "none") == 0) {
				(void)next_arg(&a);
				break;
			}
			arg = next_arg(&a);
			goto parse_time;
		}
		break;
	case OP_FACILITY:
		arg = next_arg(&a);
		for (i = 0; arg != NULL && facilities[i] != NULL; i++)
			if (strcasecmp(arg, facilities[i]) == 0)
				break;
		if (arg == NULL || facilities[i] == NULL)
			FAIL("unsupported log facility '%s'", arg ? arg : "<NONE>");
		if (!p->f[k->f].set)
			sv_set(&p->f[k->f], facilities[i], i, file, ln);
		break;
	case OP_LOGLEVEL:
		arg = next_arg(&a);
		if (arg == NULL || (m = ms_find(loglevels, arg)) == NULL)
			FAIL("unsupported log level '%s'", arg ? arg : "<NONE>");
		FIRST(k->f, m->out, 0);
		break;
	case OP_LOGVERBOSE:
		found = p->a[A_LOGVERBOSE].n == 0;
		i = 0;
		while ((arg = next_arg(&a)) != NULL) {
			if (*arg == '\0')
				FAIL("keyword %s empty argument", keyword);
			if (strcasecmp(arg, "none") == 0 && (i > 0 || a.n > 0))
				FAIL("keyword %s \"none\" argument must appear "
				    "alone.", keyword);
			i++;
			if (!found || !ACTIVE)
				continue;
			if (av_push(x, &p->a[A_LOGVERBOSE], DUP(arg), file, ln))
				return -1;
		}
		break;
	case OP_USERS:
	case OP_GROUPS:
		while ((arg = next_arg(&a)) != NULL) {
			if (*arg == '\0' && k->op == OP_GROUPS)
				FAIL("empty %s pattern", keyword);
			if (k->op == OP_USERS && (*arg == '\0' ||
			    cvm_match_user(NULL, NULL, NULL, arg) == -1))
				FAIL("invalid %s pattern: \"%s\"", keyword, arg);
			if (!ACTIVE)
				continue;
			if ((v = DUP(arg)) == NULL ||
			    av_push(x, &p->a[k->f], v, file, ln) != 0)
				return -1;
		}
		break;
	case OP_CIPHERS:
	case OP_MACS:
	case OP_KEX:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		if (*arg != '-' && !names_valid(x, *arg == '+' || *arg == '^' ?
		    arg + 1 : arg, k->op == OP_CIPHERS ? ok_cipher :
		    k->op == OP_MACS ? ok_mac : ok_kex))
			FAIL("Bad SSH2 %s '%s'.", k->op == OP_CIPHERS ?
			    "cipher spec" : k->op == OP_MACS ? "mac spec" :
			    "KexAlgorithms", arg);
		if (!p->f[k->f].set) {
			if ((v = DUP(arg)) == NULL)
				return -1;
			sv_set(&p->f[k->f], v, 0, file, ln);
		}
		break;
	case OP_SUBSYSTEM:
		if (p->a[A_SUBSYS].n >= MAX_SUBSYSTEMS)
			FAIL("too many subsystems defined.");
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		if (!ACTIVE) {
			(void)next_arg(&a);
			break;
		}
		for (u = 0; u < p->a[A_SUBSYSNAME].n; u++)
			if (strcmp(arg, p->a[A_SUBSYSNAME].v[u]) == 0)
				FAIL("Subsystem '%s' already defined.", arg);
		if ((v = DUP(arg)) == NULL ||
		    av_push(x, &p->a[A_SUBSYSNAME], v, file, ln) != 0)
			return -1;
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("Missing subsystem command.");
		{
			size_t len = strlen(v) + strlen(arg) + 2, o;
			int j;
			char *s;

			for (j = 0; j < a.n; j++)
				len += strlen(a.v[j]) + 1;
			if ((s = ar_alloc(x->ar, len)) == NULL)
				return oom(x);
			o = (size_t)snprintf(s, len, "%s %s", v, arg);
			while ((arg = next_arg(&a)) != NULL)
				o += (size_t)snprintf(s + o, len - o, " %s", arg);
			if (av_push(x, &p->a[A_SUBSYS], s, file, ln) != 0)
				return -1;
		}
		break;
	case OP_MAXSTARTUPS:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		cnt = scan_ints(arg, iv, 3);
		if (cnt == 3) {
			if (iv[0] > iv[2] || iv[1] > 100 || iv[1] < 1)
				FAIL("Invalid %s spec.", keyword);
		} else if (cnt != 1)
			FAIL("Invalid %s spec.", keyword);
		else
			iv[2] = iv[0];
		if (iv[2] <= 0 || iv[0] <= 0)
			FAIL("Invalid %s spec.", keyword);
		sv_set(&p->f[F_MS_BEGIN], "", iv[0], file, ln);
		if (cnt == 3)
			sv_set(&p->f[F_MS_RATE], "", iv[1], file, ln);
		sv_set(&p->f[F_MS_MAX], "", iv[2], file, ln);
		break;
	case OP_PSNB:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		iv[1] = 0;
		cnt = scan_ints(arg, iv, 2);
		if (cnt == 2 && (iv[1] < 0 || iv[1] > 128))
			cnt = -1;
		if ((cnt == 1 || cnt == 2 || cnt == -1) &&
		    (iv[0] < 0 || iv[0] > 32))
			cnt = -1;
		if (cnt != 1 && cnt != 2)
			FAIL("Invalid %s spec.", keyword);
		if (ACTIVE) {
			sv_set(&p->f[F_PSNB4], "", iv[0], file, ln);
			sv_set(&p->f[F_PSNB6], "", cnt == 2 ? iv[1] : 0, file, ln);
		}
		break;
	case OP_PSMAX:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		if (strcmp(arg, "none") == 0)
			n = INT_MAX;
		else if ((e = atoi_err(arg, &n)) != NULL)
			FAIL("%s integer value %s.", keyword, e);
		if (ACTIVE)
			sv_set(&p->f[k->f], n == INT_MAX ? "none" :
			    xprintf(x, "%lld", n), n, file, ln);
		break;
	case OP_AUTHKEYS:
		u = p->a[A_AUTHKEYS].n;
		while ((arg = next_arg(&a)) != NULL) {
			if (*arg == '\0')
				FAIL("keyword %s empty argument", keyword);
			if ((v = tilde_expand(x, arg, file, ln)) == NULL)
				return -1;
			if (ACTIVE && u == 0 &&
			    av_push(x, &p->a[A_AUTHKEYS], v, file, ln) != 0)
				return -1;
		}
		break;
	case OP_PRINCFILE:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		FIRST(k->f, tilde_expand(x, arg, file, ln), 0);
		break;
	case OP_ACCEPTENV:
	case OP_SETENV:
		arr = &p->a[k->f];
		u = arr->n;
		while ((arg = next_arg(&a)) != NULL) {
			if (k->op == OP_ACCEPTENV &&
			    (*arg == '\0' || strchr(arg, '=') != NULL))
				FAIL("Invalid environment name.");
			if (k->op == OP_SETENV &&
			    (*arg == '\0' || strchr(arg, '=') == NULL))
				FAIL("Invalid environment.");
			if (!ACTIVE || (k->op == OP_SETENV &&
			    (u != 0 || setenv_dup(arr, arg))))
				continue;
			if ((v = DUP(arg)) == NULL ||
			    av_push(x, arr, v, file, ln) != 0)
				return -1;
		}
		break;
	case OP_PERMITTUN:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		if (strcmp(arg, "no") != 0 && strcmp(arg, "point-to-point") != 0 &&
		    strcmp(arg, "ethernet") != 0 && strcmp(arg, "yes") != 0)
			FAIL("bad %s argument %s", keyword, arg);
		FIRST(k->f, DUP(arg), 0);
		break;
	case OP_PERMITOPEN:
		arr = &p->a[k->f];
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		u = arr->n;
		if (strcmp(arg, "any") == 0 || strcmp(arg, "none") == 0) {
			if (ACTIVE && u == 0 &&
			    av_push(x, arr, arg[0] == 'a' ? "any" : "none",
			    file, ln) != 0)
				return -1;
			break;
		}
		for (; arg != NULL && *arg != '\0'; arg = next_arg(&a)) {
			const char *portstr;

			if (strlen(arg) >= sizeof(buf))
				FAIL("%s missing host", keyword);
			if (k->f == A_PERMITLISTEN && strchr(arg, ':') == NULL) {
				arg2 = xprintf(x, "*:%s", arg);
				portstr = arg;
			} else {
				arg2 = DUP(arg);
				strcpy(buf, arg);
				if (hpdelim(buf, &host, &rest) != 0)
					FAIL("%s missing host", keyword);
				portstr = rest;
			}
			if (arg2 == NULL)
				return -1;
			if (portstr == NULL || permitopen_port(portstr) < 0)
				FAIL("%s bad port number", keyword);
			if (ACTIVE && u == 0 && av_push(x, arr, arg2, file, ln))
				return -1;
		}
		break;
	case OP_FORCECMD:
		FIRST(k->f, DUP(str + strspn(str, WS)), 0);
		a.n = 0;
		break;
	case OP_CHROOT:
	case OP_LOCALUSER:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0') {
			if (k->op == OP_LOCALUSER)
				FAIL("missing %s argument.", keyword);
			FAIL("%s missing argument.", keyword);
		}
		FIRST(k->f, DUP(arg), 0);
		break;
	case OP_SKPROV:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		FIRST(k->f, strcasecmp(arg, "internal") == 0 ? DUP(arg) :
		    derelativise(x, arg, file, ln), 0);
		break;
	case OP_IPQOS:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		if ((iv[0] = parse_ipqos(arg)) == -1)
			FAIL("Bad %s value: %s", keyword, arg);
		arg = next_arg(&a);
		if (arg == NULL)
			iv[1] = iv[0];
		else if ((iv[1] = parse_ipqos(arg)) == -1)
			FAIL("Bad %s value: %s", keyword, arg);
		if (ACTIVE) {
			if ((v = iptos2str(x, iv[0])) == NULL)
				return -1;
			sv_set(&p->f[F_IPQOS_I], v, iv[0], file, ln);
			if ((v = iptos2str(x, iv[1])) == NULL)
				return -1;
			sv_set(&p->f[F_IPQOS_B], v, iv[1], file, ln);
		}
		break;
	case OP_VERSIONADD:
		v = str + strspn(str, WS);
		if (strchr(v, '\r') != NULL)
			FAIL("Invalid %s argument", keyword);
		FIRST(k->f, strcasecmp(v, "none") == 0 ? "" : DUP(v), 0);
		a.n = 0;
		break;
	case OP_COMMAND:
		v = str + strspn(str, WS);
		if (*v != '/' && strcasecmp(v, "none") != 0)
			FAIL("%s must be an absolute path", keyword);
		/* sshd tests AuthorizedKeysCommand for both keywords */
		if (ACTIVE && !p->f[F_AKC].set) {
			if ((v = DUP(v)) == NULL)
				return -1;
			sv_set(&p->f[k->f], v, 0, file, ln);
		}
		a.n = 0;
		break;
	case OP_AUTHMETHODS:
		arr = &p->a[A_AUTHMETHODS];
		found = arr->n == 0;
		any = parsed = 0;
		while ((arg = next_arg(&a)) != NULL) {
			if (strcmp(arg, "any") == 0) {
				if (arr->n > 0)
					FAIL("\"any\" must appear alone in %s",
					    keyword);
				any = 1;
			} else if (any)
				FAIL("\"any\" must appear alone in %s", keyword);
			else if (methods_valid(arg, NULL) != 0)
				FAIL("invalid %s method list.", keyword);
			parsed = 1;
			if (!found || !ACTIVE)
				continue;
			if ((v = DUP(arg)) == NULL || av_push(x, arr, v, file, ln))
				return -1;
		}
		if (!parsed)
			FAIL("no %s specified", keyword);
		break;
	case OP_SLMASK:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		{
			char *ep;
			long mv = strtol(arg, &ep, 8);

			if (arg == ep || mv < 0 || mv > 0777)
				FAIL("Invalid %s.", keyword);
			if (ACTIVE)
				sv_set(&p->f[k->f], xprintf(x, "0%lo",
				    (unsigned long)mv), mv, file, ln);
		}
		break;
	case OP_FPHASH:
		arg = next_arg(&a);
		if (arg == NULL || *arg == '\0')
			FAIL("%s missing argument.", keyword);
		for (i = 0; digests[i] != NULL; i++)
			if (strcasecmp(arg, digests[i]) == 0)
				break;
		if (digests[i] == NULL)
			FAIL("Invalid %s algorithm \"%s\".", keyword, arg);
		if (ACTIVE)
			sv_set(&p->f[k->f], digests[i], i, file, ln);
		break;
	case OP_RDOMAIN:
		FAIL("setting RDomain not supported on this platform.");
	case OP_CHANTMO:
		u = p->a[A_CHANTMO].n;
		while ((arg = next_arg(&a)) != NULL) {
			if (strcasecmp(arg, "none") == 0) {
				if (a.n > 0)	/* sshd never counts i up */
					FAIL("keyword %s \"none\" argument must "
					    "appear alone.", keyword);
			} else if (parse_timeout(arg) != 0)
				FAIL("invalid channel timeout %s", arg);
			if (!ACTIVE || u != 0)
				continue;
			if ((v = DUP(arg)) == NULL ||
			    av_push(x, &p->a[A_CHANTMO], v, file, ln) != 0)
				return -1;
		}
		break;
	case OP_UNUSEDTMO:
		if (a.v[0] != NULL && strcasecmp(a.v[0], "none") == 0) {
			(void)next_arg(&a);
			if (ACTIVE)	/* "none" overrides, as in sshd */
				sv_set(&p->f[k->f], "none", 0, file, ln);
			break;
		}
		arg = next_arg(&a);
		goto parse_time;
	case OP_DEPRECATED:
	case OP_IGNORE:
	case OP_UNSUPPORTED:
		if (pi == 0 && problem(x, CVM_SSHD_PROBLEM_DEPRECATED, file,
		    ln, "%s option %s%s",
		    k->op == OP_UNSUPPORTED ? "Unsupported" : "Deprecated",
		    keyword, k->op == OP_IGNORE ? " (ignored)" : "") != 0)
			return -1;
		a.n = 0;
		break;
	case OP_MATCH:
		{
			char *cond = strdup(str), *left;
			int r;

			if (cond == NULL)
				return oom(x);
			r = match_cfg(x, cond, (*iflags & NEVERMATCH) ? NULL :
			    p->ci, file, ln, &left);
			if (r >= 0 && (left == NULL || *left == '\0'))
				a.n = 0;	/* all of it read */
			free(cond);
			if (r < 0)
				return -1;
			p->active = (*iflags & NEVERMATCH) ? 0 : r;
			*iflags &= ~MATCH_ONLY;
		}
		break;
	default:
		FAIL("internal error: keyword %s", keyword);
	}
	if (a.n > 0)
		FAIL("keyword %s extra arguments at end of line", keyword);
	return 0;
}

/* ---- files and lines ---------------------------------------------------- */

static int parse_buf(struct ctx *x, const char *file, char *buf, int depth,
    int iflags[2]);

static int
do_include(struct ctx *x, const char *file, int ln, int depth, int iflags[2],
    int ac, const char *keyword)
{
	struct strlist l;
	char **args;
	const char *pat;
	char *buf, *fname;
	int i, oact[2], cf[2], child[2], r;
	size_t j;

	if (ac == 0)
		return fail(x, file, ln, "%s missing filename argument", keyword);
	/* the argument scratch is reused by the included lines */
	if ((args = ar_alloc(x->ar, (size_t)ac * sizeof(*args))) == NULL)
		return oom(x);
	for (i = 0; i < ac; i++)
		if ((args[i] = xstrdup(x, x->argv[i])) == NULL)
			return oom(x);
	for (i = 0; i < ac; i++) {
		if (*args[i] == '\0')
			return fail(x, file, ln, "keyword %s empty argument",
			    keyword);
		if (*args[i] != '/' && *args[i] != '~')
			pat = xprintf(x, "%s/%s", SSHDIR, args[i]);
		else
			pat = args[i];
		if (pat == NULL)
			return oom(x);
		for (r = 0; r < 2; r++) {
			oact[r] = x->p[r].active;
			cf[r] = (iflags[r] & MATCH_ONLY) ? MATCH_ONLY :
			    (oact[r] ? 0 : NEVERMATCH);
		}
		if (xglob(x, pat, &l) < 0)
			return fail(x, file, ln, "Include \"%s\": glob failed "
			    "(out of memory or more than %d files)", pat,
			    MAX_GLOB);
		if (l.n == 0 && !has_magic(pat) &&
		    problem(x, CVM_SSHD_PROBLEM_INCLUDE_MISSING, file, ln,
		    "Include %s: no such file (sshd "
		    "skips it silently)", pat) != 0) {
			strlist_free(&l);
			return -1;
		}
		for (j = 0; j < l.n; j++) {
			if ((fname = xstrdup(x, l.v[j])) == NULL) {
				strlist_free(&l);
				return oom(x);
			}
			if (read_config(x, fname, &buf, file, ln) != 0) {
				strlist_free(&l);
				return -1;
			}
			child[0] = cf[0];
			child[1] = cf[1];
			r = parse_buf(x, fname, buf, depth + 1, child);
			free(buf);
			x->p[0].active = oact[0];
			x->p[1].active = oact[1];
			if (r != 0) {
				strlist_free(&l);
				return -1;
			}
		}
		strlist_free(&l);
	}
	return 0;
}

static int
process_line(struct ctx *x, const char *file, int ln, char *line, int depth,
    int iflags[2])
{
	const struct kw *k;
	char *str, *keyword;
	size_t len;
	int ac, pi;

	/* read_config dropped the leading blanks: a comment or an empty
	 * line is what sshd's first strdelim() would ignore */
	if (line[0] == '#' || line[0] == '\0')
		return 0;
	len = strlen(line);
	for (len--; len > 0; len--) {
		if (strchr(WS "\f", line[len]) == NULL)
			break;
		line[len] = '\0';
	}
	str = line;
	if ((keyword = strdelim(&str)) == NULL)
		return 0;
	if (*keyword == '\0')
		keyword = strdelim(&str);
	if (keyword == NULL || *keyword == '\0' || *keyword == '#')
		return 0;
	if (str == NULL || *str == '\0')
		return fail(x, file, ln, "no argument after keyword \"%s\"",
		    keyword);
	if ((k = kw_lookup(keyword)) == NULL)
		return fail(x, file, ln, "Bad configuration option: %s", keyword);
	if (k->op == OP_NEWER)
		return problem(x, CVM_SSHD_PROBLEM_NEWER, file, ln,
		    "%s is not an option of OpenSSH %s "
		    "(it is one of a later version): that sshd refuses to "
		    "start with it", keyword, x->bi->version);
	ac = split_args(x, str);
	if (ac == -1)
		return fail(x, file, ln, "invalid quotes");
	if (ac < 0)
		return oom(x);
	if (k->op == OP_INCLUDE)
		return do_include(x, file, ln, depth, iflags, ac, keyword);
	for (pi = 0; pi < 2; pi++) {
		struct args a = { x->argv, ac };
		if (apply(x, pi, &iflags[pi], k, keyword, str, a, file, ln) != 0)
			return -1;
	}
	return 0;
}

static int
parse_buf(struct ctx *x, const char *file, char *buf, int depth, int iflags[2])
{
	char *line, *next = buf;
	int ln = 1;

	if (depth > MAX_DEPTH)
		return fail(x, file, 0, "Too many recursive configuration "
		    "includes");
	while ((line = next) != NULL) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		while (*line == ' ' || *line == '\t' || *line == '\r')
			line++;
		if (process_line(x, file, ln++, line, depth, iflags) != 0)
			return -1;
	}
	return 0;
}

/* ---- after reading: defaults, Match overrides, sshd -T form ------------ */

#define FD_COPY		0x01	/* copy_set_server_options copies it */
#define FD_CLEAR	0x02	/* fill_default clears "none" (any case) */
#define FD_ALGO		0x04	/* assembled with kex_assemble_names */
#define FD_NONEPOST	0x08	/* copied, then "none" clears it */
#define WHOLE		0xff

struct fdef {
	unsigned char pk;	/* whose default it takes */
	unsigned char part;	/* WHOLE, or which part of the default */
	unsigned char flags;
};

static const struct fdef fdefs[NF] = {
	[F_USEPAM] = { PK_USEPAM, WHOLE, 0 },
	[F_LOGINGRACE] = { PK_LOGINGRACE, WHOLE, 0 },
	[F_X11OFFSET] = { PK_X11OFFSET, WHOLE, FD_COPY },
	[F_MAXAUTHTRIES] = { PK_MAXAUTHTRIES, WHOLE, FD_COPY },
	[F_MAXSESSIONS] = { PK_MAXSESSIONS, WHOLE, FD_COPY },
	[F_CAINTERVAL] = { PK_CAINTERVAL, WHOLE, FD_COPY },
	[F_CACOUNT] = { PK_CACOUNT, WHOLE, FD_COPY },
	[F_REQRSA] = { PK_REQRSA, WHOLE, FD_COPY },
	[F_SLMASK] = { PK_SLMASK, WHOLE, FD_COPY },
	[F_UNUSEDTMO] = { PK_UNUSEDTMO, WHOLE, FD_COPY },
	[F_PERMITROOT] = { PK_PERMITROOT, WHOLE, FD_COPY },
	[F_IGNRHOSTS] = { PK_IGNRHOSTS, WHOLE, FD_COPY },
	[F_IGNUKH] = { PK_IGNUKH, WHOLE, 0 },
	[F_HBAUTH] = { PK_HBAUTH, WHOLE, FD_COPY },
	[F_HBNAMEPKT] = { PK_HBNAMEPKT, WHOLE, FD_COPY },
	[F_PUBKEYAUTH] = { PK_PUBKEYAUTH, WHOLE, FD_COPY },
	[F_KRBAUTH] = { PK_KRBAUTH, WHOLE, FD_COPY },
	[F_KRBLOCAL] = { PK_KRBLOCAL, WHOLE, 0 },
	[F_KRBCLEANUP] = { PK_KRBCLEANUP, WHOLE, 0 },
	[F_GSSAUTH] = { PK_GSSAUTH, WHOLE, FD_COPY },
	[F_GSSCLEANUP] = { PK_GSSCLEANUP, WHOLE, 0 },
	[F_GSSKEYEX] = { PK_GSSKEYEX, WHOLE, 0 },
	[F_GSSSTRICT] = { PK_GSSSTRICT, WHOLE, 0 },
	[F_GSSREKEY] = { PK_GSSREKEY, WHOLE, 0 },
	[F_GSSKEXALGS] = { PK_GSSKEXALGS, WHOLE, 0 },
	[F_PASSWORD] = { PK_PASSWORD, WHOLE, FD_COPY },
	[F_KBDINT] = { PK_KBDINT, WHOLE, FD_COPY },
	[F_PRINTMOTD] = { PK_PRINTMOTD, WHOLE, 0 },
	[F_PRINTLASTLOG] = { PK_PRINTLASTLOG, WHOLE, 0 },
	[F_X11FWD] = { PK_X11FWD, WHOLE, FD_COPY },
	[F_X11LOCAL] = { PK_X11LOCAL, WHOLE, FD_COPY },
	[F_PERMITTTY] = { PK_PERMITTTY, WHOLE, FD_COPY },
	[F_PERMITUSERRC] = { PK_PERMITUSERRC, WHOLE, FD_COPY },
	[F_STRICTMODES] = { PK_STRICTMODES, WHOLE, 0 },
	[F_TCPKA] = { PK_TCPKA, WHOLE, 0 },
	[F_EMPTYPW] = { PK_EMPTYPW, WHOLE, FD_COPY },
	[F_COMPRESSION] = { PK_COMPRESSION, WHOLE, 0 },
	[F_GATEWAY] = { PK_GATEWAY, WHOLE, FD_COPY },
	[F_USEDNS] = { PK_USEDNS, WHOLE, 0 },
	[F_TCPFWD] = { PK_TCPFWD, WHOLE, FD_COPY },
	[F_AGENTFWD] = { PK_AGENTFWD, WHOLE, FD_COPY },
	[F_DISABLEFWD] = { PK_DISABLEFWD, WHOLE, FD_COPY },
	[F_SLFWD] = { PK_SLFWD, WHOLE, FD_COPY },
	[F_SLUNLINK] = { PK_SLUNLINK, WHOLE, FD_COPY },
	[F_FPHASH] = { PK_FPHASH, WHOLE, 0 },
	[F_EXPOSE] = { PK_EXPOSE, WHOLE, FD_COPY },
	[F_PIDFILE] = { PK_PIDFILE, WHOLE, FD_CLEAR },
	[F_MODULI] = { PK_MODULI, WHOLE, 0 },
	[F_XAUTH] = { PK_XAUTH, WHOLE, FD_CLEAR },
	[F_CIPHERS] = { PK_CIPHERS, WHOLE, FD_ALGO },
	[F_MACS] = { PK_MACS, WHOLE, FD_ALGO },
	[F_BANNER] = { PK_BANNER, WHOLE, FD_COPY | FD_CLEAR },
	[F_FORCECMD] = { PK_FORCECMD, WHOLE, FD_COPY | FD_CLEAR | FD_NONEPOST },
	[F_CHROOT] = { PK_CHROOT, WHOLE, FD_COPY | FD_CLEAR | FD_NONEPOST },
	[F_TRUSTEDCA] = { PK_TRUSTEDCA, WHOLE, FD_COPY | FD_CLEAR },
	[F_REVOKED] = { PK_REVOKED, WHOLE, FD_COPY | FD_CLEAR },
	[F_SKPROV] = { PK_SKPROV, WHOLE, FD_CLEAR },
	[F_PRINCFILE] = { PK_PRINCFILE, WHOLE, FD_COPY | FD_CLEAR },
	[F_VERSIONADD] = { PK_VERSIONADD, WHOLE, 0 },
	[F_AKC] = { PK_AKC, WHOLE, FD_COPY },
	[F_AKCUSER] = { PK_AKCUSER, WHOLE, FD_COPY },
	[F_APC] = { PK_APC, WHOLE, FD_COPY },
	[F_APCUSER] = { PK_APCUSER, WHOLE, FD_COPY },
	[F_HKAGENT] = { PK_HKAGENT, WHOLE, FD_CLEAR },
	[F_KEX] = { PK_KEX, WHOLE, FD_ALGO },
	[F_CASIG] = { PK_CASIG, WHOLE, FD_COPY | FD_ALGO },
	[F_HBALGS] = { PK_HBALGS, WHOLE, FD_COPY | FD_ALGO },
	[F_HKALGS] = { PK_HKALGS, WHOLE, FD_ALGO },
	[F_PUBKEYALGS] = { PK_PUBKEYALGS, WHOLE, FD_COPY | FD_ALGO },
	[F_LOGLEVEL] = { PK_LOGLEVEL, WHOLE, FD_COPY },
	[F_FACILITY] = { PK_FACILITY, WHOLE, 0 },
	[F_MS_BEGIN] = { PK_MAXSTARTUPS, 0, 0 },
	[F_MS_RATE] = { PK_MAXSTARTUPS, 1, 0 },
	[F_MS_MAX] = { PK_MAXSTARTUPS, 2, 0 },
	[F_PSMAX] = { PK_PSMAX, WHOLE, 0 },
	[F_PSNB4] = { PK_PSNB, 0, 0 },
	[F_PSNB6] = { PK_PSNB, 1, 0 },
	[F_PERMITTUN] = { PK_PERMITTUN, WHOLE, FD_COPY },
	[F_IPQOS_I] = { PK_IPQOS, 0, FD_COPY },
	[F_IPQOS_B] = { PK_IPQOS, 1, FD_COPY },
	[F_REKEY_LIMIT] = { PK_REKEY, 0, FD_COPY },
	[F_REKEY_INT] = { PK_REKEY, 1, FD_COPY },
	[F_PUE] = { PK_PUE, WHOLE, 0 },
	[F_PUE_ALLOW] = { PK_NONE, WHOLE, FD_COPY },
	[F_PKOPTS] = { PK_PKOPTS, WHOLE, FD_COPY },
	[F_ADDRFAMILY] = { PK_ADDRFAMILY, WHOLE, 0 },
	[F_DEBIANBANNER] = { PK_DEBIANBANNER, WHOLE, 0 },
};

/* Arrays copy_set_server_options copies when the Match pass set them. */
static const unsigned char arr_copied[NA] = {
	[A_AUTHKEYS] = 1, [A_ALLOWUSERS] = 1, [A_DENYUSERS] = 1,
	[A_ALLOWGROUPS] = 1, [A_DENYGROUPS] = 1, [A_ACCEPTENV] = 1,
	[A_SETENV] = 1, [A_AUTHMETHODS] = 1, [A_PERMITOPEN] = 1,
	[A_PERMITLISTEN] = 1, [A_CHANTMO] = 1, [A_LOGVERBOSE] = 1,
};

/* Part i of a default value split on ':' or ' '. */
static const char *
defpart(struct ctx *x, const char *v, unsigned part)
{
	const char *e;

	if (v == NULL)
		return NULL;
	while (part-- > 0) {
		v = strpbrk(v, ": ");
		if (v == NULL)
			return NULL;
		v++;
	}
	e = strpbrk(v, ": ");
	return e ? xstrndup(x, v, (size_t)(e - v)) : v;
}

/* Index of the defaults: defv[pk] = first value; hostkey lines counted. */
static void
build_index(const struct cvm_sshd_builtin *bi, const char **defv,
    const char *const **hk, size_t *nhk)
{
	const char *const *d = bi->defaults;
	size_t j = 0, i, n;
	unsigned k;

	*hk = NULL;
	*nhk = 0;
	for (i = 0; d[i] != NULL; i++) {
		const char *sp = strchr(d[i], ' ');
		if (sp == NULL)
			continue;
		n = (size_t)(sp - d[i]);
		/* the table is in sshd -T order: try the expected slot first */
		for (k = 0; k < NPK; k++) {
			unsigned pk = (unsigned)((j + k) % NPK);
			if (strncmp(pks[pk].name, d[i], n) == 0 &&
			    pks[pk].name[n] == '\0') {
				if (defv[pk] == NULL)
					defv[pk] = sp + 1;
				if (pk == PK_HOSTKEY) {
					if (*hk == NULL)
						*hk = d + i;
					(*nhk)++;
				}
				/* next line: most likely the next keyword,
				 * unless this one has several lines */
				j = (pks[pk].flags & P_MULTI) ? pk : pk + 1;
				break;
			}
		}
	}
}

/* The index is the same for every load: built once.  Racing first calls
 * build identical copies; atomics keep that well-defined. */
static const char *g_defv[NPK];
static const char *const *g_hk;
static size_t g_nhk;
static int g_ready;

static void
index_defaults(struct ctx *x, const char *const **hk, size_t *nhk)
{
	const char *defv[NPK];
	const char *const *h;
	size_t n;
	unsigned i;

	if (!__atomic_load_n(&g_ready, __ATOMIC_ACQUIRE)) {
		memset(defv, 0, sizeof(defv));
		build_index(x->bi, defv, &h, &n);
		for (i = 0; i < NPK; i++)
			__atomic_store_n(&g_defv[i], defv[i], __ATOMIC_RELAXED);
		__atomic_store_n(&g_hk, h, __ATOMIC_RELAXED);
		__atomic_store_n(&g_nhk, n, __ATOMIC_RELAXED);
		__atomic_store_n(&g_ready, 1, __ATOMIC_RELEASE);
	}
	for (i = 0; i < NPK; i++)
		x->defv[i] = __atomic_load_n(&g_defv[i], __ATOMIC_RELAXED);
	*hk = __atomic_load_n(&g_hk, __ATOMIC_RELAXED);
	*nhk = __atomic_load_n(&g_nhk, __ATOMIC_RELAXED);
}

static const char *
join(struct ctx *x, const char *const *v, size_t n, char sep)
{
	size_t len = 1, i, o = 0;
	char *s;

	for (i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	if ((s = ar_alloc(x->ar, len)) == NULL) {
		oom(x);
		return NULL;
	}
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		size_t l = strlen(v[i]);
		if (i > 0)
			s[o++] = sep;
		memcpy(s + o, v[i], l);
		o += l;
	}
	s[o] = '\0';
	return s;
}

static int
out_set(struct ctx *x, enum pk pk, const char *val, const char *file, int line)
{
	struct out *o = &x->c->o[pk];

	if (val == NULL)
		return -1;
	o->val = val;
	o->file = file;
	o->line = file ? line : 0;
	return 0;
}

static int
out_items(struct ctx *x, enum pk pk, const char **items, unsigned n,
    const char *file, int line)
{
	struct out *o = &x->c->o[pk];

	o->items = items;
	o->nitems = n;
	return out_set(x, pk, join(x, items, n, '\n'), file, line);
}

/* listenaddress lines (process_queued_listen_addrs + format) */
static int
listen_lines(struct ctx *x, const struct av *ports, const struct av *q,
    const char *fam)
{
	struct av out = { NULL, 0, 0, NULL, 0 };
	static const char *const defport[] = { "22" };
	const char *const *pv = ports->n ? ports->v : defport;
	unsigned np = ports->n ? ports->n : 1, i, j;
	int af = strcmp(fam, "inet") == 0 ? AF_INET :
	    strcmp(fam, "inet6") == 0 ? AF_INET6 : AF_UNSPEC;

	if (q->n == 0) {
		for (i = 0; i < np; i++) {
			if (af != AF_INET && av_push(x, &out,
			    xprintf(x, "[::]:%s", pv[i]), NULL, 0) != 0)
				return -1;
			if (af != AF_INET6 && av_push(x, &out,
			    xprintf(x, "0.0.0.0:%s", pv[i]), NULL, 0) != 0)
				return -1;
		}
		return out_items(x, PK_LISTEN, out.v, out.n, NULL, 0);
	}
	for (i = 0; i < q->n; i++) {
		const char *tab = strchr(q->v[i], '\t'), *host = tab + 1;
		int port = atoi(q->v[i]);
		struct addrinfo hints, *ai = NULL, *p;
		char h[NI_MAXHOST], *line;
		const char *one[1];
		const char *const *plist = pv;
		unsigned nplist = np;

		if (port > 0) {
			one[0] = q->v[i];	/* atoi stops at the tab */
			plist = one;
			nplist = 1;
		}
		for (j = 0; j < nplist; j++) {
			int pn = atoi(plist[j]);

			memset(&hints, 0, sizeof(hints));
			hints.ai_family = af;
			hints.ai_socktype = SOCK_STREAM;
			hints.ai_flags = AI_NUMERICHOST;
			if (getaddrinfo(host, NULL, &hints, &ai) != 0) {
				hints.ai_family = AF_UNSPEC;
				if (getaddrinfo(host, NULL, &hints, &ai) == 0) {
					freeaddrinfo(ai);
					return fail(x, q->file, q->line, "bad addr "
					    "or host: %s (address family "
					    "for hostname not supported)", host);
				}
				/* a host name: not resolved here */
				if (av_push(x, &out, xprintf(x, "%s:%d", host,
				    pn), NULL, 0) != 0)
					return -1;
				continue;
			}
			/* sshd prints each getaddrinfo() list backwards */
			{
				struct addrinfo *rev[16];
				int nr = 0;

				for (p = ai; p != NULL && nr < 16; p = p->ai_next)
					rev[nr++] = p;
				while (nr-- > 0) {
					p = rev[nr];
					if (getnameinfo(p->ai_addr, p->ai_addrlen,
					    h, sizeof(h), NULL, 0,
					    NI_NUMERICHOST) != 0)
						continue;
					line = p->ai_family == AF_INET6 ?
					    xprintf(x, "[%s]:%d", h, pn) :
					    xprintf(x, "%s:%d", h, pn);
					if (av_push(x, &out, line, NULL, 0)) {
						freeaddrinfo(ai);
						return -1;
					}
				}
			}
			freeaddrinfo(ai);
		}
	}
	return out_items(x, PK_LISTEN, out.v, out.n, q->file, q->line);
}

static int
finalize(struct ctx *x)
{
	struct pass *p1 = &x->p[0], *p2 = &x->p[1];
	struct sv fv[NF];
	struct av arr[NA];
	const char *const *hkdef;
	size_t nhkdef;
	unsigned f, i;
	int bad;
	const char *v;

	index_defaults(x, &hkdef, &nhkdef);
	if (x->defv[PK_DEBIANBANNER] == NULL)
		x->defv[PK_DEBIANBANNER] = "yes";

	/* pass 1 + defaults (fill_default_server_options) */
	memcpy(fv, p1->f, sizeof(fv));
	memcpy(arr, p1->a, sizeof(arr));
	for (f = 0; f < NF; f++) {
		const struct fdef *d = &fdefs[f];

		if (fv[f].set || d->pk == PK_NONE)
			continue;
		v = x->defv[d->pk];
		if (d->part != WHOLE && (v = defpart(x, v, d->part)) == NULL)
			return -1;
		if (v == NULL)
			v = "";
		fv[f].s = v;
		fv[f].i = d->part != WHOLE ? strtoll(v, NULL, 10) : 0;
		fv[f].file = NULL;
		fv[f].line = 0;
	}
	for (f = 0; f < NF; f++)
		if ((fdefs[f].flags & FD_CLEAR) && strcasecmp(fv[f].s, "none") == 0)
			fv[f].s = "none";
	if (arr[A_AUTHMETHODS].n == 1 &&
	    strcasecmp(arr[A_AUTHMETHODS].v[0], "any") == 0)
		arr[A_AUTHMETHODS].n = 0;
	if (arr[A_CHANTMO].n == 1 &&
	    strcasecmp(arr[A_CHANTMO].v[0], "none") == 0)
		arr[A_CHANTMO].n = 0;
	for (f = 0; f < NF; f++) {
		const char *all;

		if (!(fdefs[f].flags & FD_ALGO))
			continue;
		all = f == F_CIPHERS ? x->bi->ciphers : f == F_MACS ?
		    x->bi->macs : f == F_KEX ? x->bi->kex : f == F_CASIG ?
		    x->bi->sigs : x->bi->keys;
		v = assemble(x, p1->f[f].set ? p1->f[f].s : NULL,
		    x->defv[fdefs[f].pk], all, &bad);
		if (v == NULL && bad)
			return fail(x, fv[f].file, fv[f].line, "Bad %s list '%s'",
			    pks[fdefs[f].pk].name, p1->f[f].s);
		if (v == NULL)
			return -1;
		fv[f].s = v;
	}

	/* the checks sshd makes before it would start */
	if (p1->f[F_AKC].set && strcasecmp(p1->f[F_AKC].s, "none") != 0 &&
	    !p1->f[F_AKCUSER].set)
		return fail(x, p1->f[F_AKC].file, p1->f[F_AKC].line,
		    "AuthorizedKeysCommand set without "
		    "AuthorizedKeysCommandUser");
	if (p1->f[F_APC].set && strcasecmp(p1->f[F_APC].s, "none") != 0 &&
	    !p1->f[F_APCUSER].set)
		return fail(x, p1->f[F_APC].file, p1->f[F_APC].line,
		    "AuthorizedPrincipalsCommand set without "
		    "AuthorizedPrincipalsCommandUser");
	if (arr[A_AUTHMETHODS].n > 0) {
		const char *en[7];

		en[0] = "yes";
		en[1] = fv[F_PUBKEYAUTH].s;
		en[2] = en[3] = fv[F_GSSAUTH].s;
		en[4] = fv[F_PASSWORD].s;
		en[5] = fv[F_KBDINT].s;
		en[6] = fv[F_HBAUTH].s;
		bad = 0;
		for (i = 0; i < arr[A_AUTHMETHODS].n; i++) {
			if (methods_valid(arr[A_AUTHMETHODS].v[i], en) == 0)
				bad++;
			else if (problem(x, CVM_SSHD_PROBLEM_METHODS,
			    arr[A_AUTHMETHODS].file,
			    arr[A_AUTHMETHODS].line, "AuthenticationMethods "
			    "list \"%s\" uses a disabled method",
			    arr[A_AUTHMETHODS].v[i]) != 0)
				return -1;
		}
		if (bad == 0)
			return fail(x, arr[A_AUTHMETHODS].file,
			    arr[A_AUTHMETHODS].line, "AuthenticationMethods "
			    "cannot be satisfied by enabled authentication "
			    "methods");
	}

	/* the Match pass overrides (copy_set_server_options) */
	for (f = 0; f < NF; f++) {
		if (!(fdefs[f].flags & FD_COPY) || !p2->f[f].set)
			continue;
		fv[f] = p2->f[f];
		if (fdefs[f].flags & FD_ALGO) {
			v = assemble(x, p2->f[f].s, x->defv[fdefs[f].pk],
			    f == F_CASIG ? x->bi->sigs : x->bi->keys, &bad);
			if (v == NULL && bad)
				return fail(x, p2->f[f].file, p2->f[f].line,
				    "Bad %s list '%s'", pks[fdefs[f].pk].name,
				    p2->f[f].s);
			if (v == NULL)
				return -1;
			fv[f].s = v;
		}
		if ((fdefs[f].flags & FD_NONEPOST) &&
		    strcasecmp(fv[f].s, "none") == 0)
			fv[f].s = "none";
	}
	for (i = 0; i < NA; i++)
		if (arr_copied[i] && p2->a[i].n != 0)
			arr[i] = p2->a[i];
	/* copy_set_server_options assembles every list once more: a list
	 * that came out empty ("-*") falls back to the default then */
	for (f = 0; f < NF; f++)
		if ((fdefs[f].flags & FD_ALGO) &&
		    !((fdefs[f].flags & FD_COPY) && p2->f[f].set) &&
		    *fv[f].s == '\0')
			fv[f].s = x->defv[fdefs[f].pk];

	/* sshd -T form */
	for (f = 0; f < NF; f++)
		if (fdefs[f].part == WHOLE && fdefs[f].pk != PK_NONE &&
		    out_set(x, fdefs[f].pk, fv[f].s, fv[f].file, fv[f].line))
			return -1;
	if (*fv[F_VERSIONADD].s == '\0' &&
	    out_set(x, PK_VERSIONADD, "none", fv[F_VERSIONADD].file,
	    fv[F_VERSIONADD].line))
		return -1;
	if (fv[F_PUE_ALLOW].set &&
	    out_set(x, PK_PUE, fv[F_PUE_ALLOW].s, fv[F_PUE_ALLOW].file,
	    fv[F_PUE_ALLOW].line))
		return -1;
	if (out_set(x, PK_MAXSTARTUPS, xprintf(x, "%lld:%lld:%lld",
	    fv[F_MS_BEGIN].i, fv[F_MS_RATE].i, fv[F_MS_MAX].i),
	    fv[F_MS_BEGIN].file, fv[F_MS_BEGIN].line) ||
	    out_set(x, PK_PSNB, xprintf(x, "%lld:%lld", fv[F_PSNB4].i,
	    fv[F_PSNB6].i), fv[F_PSNB4].file, fv[F_PSNB4].line) ||
	    out_set(x, PK_IPQOS, xprintf(x, "%s %s", fv[F_IPQOS_I].s,
	    fv[F_IPQOS_B].s), fv[F_IPQOS_I].file ? fv[F_IPQOS_I].file :
	    fv[F_IPQOS_B].file, fv[F_IPQOS_I].file ? fv[F_IPQOS_I].line :
	    fv[F_IPQOS_B].line) ||
	    out_set(x, PK_REKEY, xprintf(x, "%s %s", fv[F_REKEY_LIMIT].s,
	    fv[F_REKEY_INT].s), fv[F_REKEY_LIMIT].file ?
	    fv[F_REKEY_LIMIT].file : fv[F_REKEY_INT].file,
	    fv[F_REKEY_LIMIT].file ? fv[F_REKEY_LIMIT].line :
	    fv[F_REKEY_INT].line))
		return -1;

	{
		static const char *const defport[] = { "22" };
		static const struct { unsigned char pk, a; } multi[] = {
			{ PK_HOSTCERT, A_HOSTCERT },
			{ PK_ALLOWUSERS, A_ALLOWUSERS },
			{ PK_DENYUSERS, A_DENYUSERS },
			{ PK_ALLOWGROUPS, A_ALLOWGROUPS },
			{ PK_DENYGROUPS, A_DENYGROUPS },
			{ PK_ACCEPTENV, A_ACCEPTENV },
			{ PK_SETENV, A_SETENV },
			{ PK_SUBSYS, A_SUBSYS },
		};
		static const struct { unsigned char pk, a; const char *none; }
		    oneline[] = {
			{ PK_AUTHKEYS, A_AUTHKEYS, NULL },
			{ PK_AUTHMETHODS, A_AUTHMETHODS, "any" },
			{ PK_LOGVERBOSE, A_LOGVERBOSE, "" },
			{ PK_CHANTMO, A_CHANTMO, "" },
			{ PK_PERMITOPEN, A_PERMITOPEN, "any" },
			{ PK_PERMITLISTEN, A_PERMITLISTEN, "any" },
		};
		const char **hk;

		if (arr[A_PORT].n)
			bad = out_items(x, PK_PORT, arr[A_PORT].v, arr[A_PORT].n,
			    arr[A_PORT].file, arr[A_PORT].line);
		else {
			const char **dp = ar_alloc(x->ar, sizeof(*dp));
			if (dp == NULL)
				return oom(x);
			dp[0] = x->defv[PK_PORT] ? x->defv[PK_PORT] : defport[0];
			bad = out_items(x, PK_PORT, dp, 1, NULL, 0);
		}
		if (bad)
			return -1;
		if (listen_lines(x, &arr[A_PORT], &arr[A_LISTEN],
		    fv[F_ADDRFAMILY].s) != 0)
			return -1;
		if (arr[A_HOSTKEY].n) {
			hk = arr[A_HOSTKEY].v;
			for (i = 0; i < arr[A_HOSTKEY].n; i++)
				if (strcasecmp(hk[i], "none") == 0)
					hk[i] = "(null)";	/* as printf %s NULL */
			bad = out_items(x, PK_HOSTKEY, hk, arr[A_HOSTKEY].n,
			    arr[A_HOSTKEY].file, arr[A_HOSTKEY].line);
		} else {
			if ((hk = ar_alloc(x->ar, (nhkdef + 1) * sizeof(*hk))) == NULL)
				return oom(x);
			for (i = 0; i < nhkdef; i++)
				hk[i] = strchr(hkdef[i], ' ') + 1;
			bad = out_items(x, PK_HOSTKEY, hk, (unsigned)nhkdef, NULL, 0);
		}
		if (bad)
			return -1;
		for (i = 0; i < sizeof(multi) / sizeof(multi[0]); i++) {
			const struct av *a = &arr[multi[i].a];
			if (out_items(x, multi[i].pk, a->v, a->n, a->file, a->line))
				return -1;
		}
		for (i = 0; i < sizeof(oneline) / sizeof(oneline[0]); i++) {
			const struct av *a = &arr[oneline[i].a];
			if (a->n)
				bad = out_set(x, oneline[i].pk, join(x, a->v, a->n,
				    ' '), a->file, a->line);
			else if (oneline[i].none != NULL)
				bad = out_set(x, oneline[i].pk, oneline[i].none,
				    NULL, 0);
			else
				bad = out_set(x, oneline[i].pk,
				    x->defv[oneline[i].pk] ?
				    x->defv[oneline[i].pk] : "", NULL, 0);
			if (bad)
				return -1;
		}
	}
	return 0;
}

/* ---- API ----------------------------------------------------------------- */

static const struct cvm_sshd_conn noconn = { .lport = -1 };

int
cvm_sshd_load(const char *root, const char *path,
    const struct cvm_sshd_conn *conn, struct cvm_sshd **out, char *err,
    size_t errlen)
{
	struct ctx *x;
	struct cvm_sshd *c;
	char *buf = NULL;
	const char *name;
	int iflags[2] = { 0, MATCH_ONLY }, r = -1;

	if (out != NULL)
		*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || out == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "no sshd_config path");
		return -1;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		free(x);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	x->c = c;
	x->ar = &c->ar;
	x->bi = cvm_sshd_builtin();
	x->err = err;
	x->errlen = errlen;
	x->rootfd = AT_FDCWD;
	x->p[0].active = 1;
	x->p[0].ci = NULL;
	x->p[1].active = 0;
	x->p[1].ci = conn != NULL ? conn : &noconn;
	if (root != NULL && *root != '\0' && strcmp(root, "/") != 0) {
		x->rooted = 1;
		x->rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (x->rootfd < 0) {
			fail(x, root, 0, "%s", strerror(errno));
			goto done;
		}
	}
	if ((name = xstrdup(x, path)) == NULL)
		goto done;
	if (read_config(x, name, &buf, NULL, 0) != 0)
		goto done;
	if (parse_buf(x, name, buf, 0, iflags) != 0)
		goto done;
	if (finalize(x) != 0)
		goto done;
	r = 0;
done:
	free(buf);
	free(x->tok);
	free(x->argv);
	if (x->rooted && x->rootfd >= 0)
		close(x->rootfd);
	if (r == 0 && !x->failed)
		*out = c;
	else {
		if (!x->failed)
			fail(x, path, 0, "cannot be read");
		cvm_sshd_free(c);
		r = -1;
	}
	free(x);
	return r;
}

void
cvm_sshd_free(struct cvm_sshd *c)
{
	if (c == NULL)
		return;
	ar_free(&c->ar);
	free(c);
}

static const struct out *
find(const struct cvm_sshd *c, const char *keyword, unsigned *pkp)
{
	const struct kw *k;

	if (c == NULL || keyword == NULL || (k = kw_lookup(keyword)) == NULL ||
	    k->pk == PK_NONE || c->o[k->pk].val == NULL)
		return NULL;
	if (pkp != NULL)
		*pkp = k->pk;
	return &c->o[k->pk];
}

const char *
cvm_sshd_get(const struct cvm_sshd *c, const char *keyword)
{
	const struct out *o = find(c, keyword, NULL);

	return o ? o->val : NULL;
}

int
cvm_sshd_flag(const struct cvm_sshd *c, const char *keyword)
{
	unsigned pk;
	const struct out *o = find(c, keyword, &pk);

	if (o == NULL || !(pks[pk].flags & P_FLAG))
		return -1;
	if (strcmp(o->val, "yes") == 0)
		return 1;
	if (strcmp(o->val, "no") == 0)
		return 0;
	return -1;
}

const char *
cvm_sshd_origin(const struct cvm_sshd *c, const char *keyword, int *line)
{
	const struct out *o = find(c, keyword, NULL);

	if (line != NULL)
		*line = o && o->file ? o->line : 0;
	return o ? o->file : NULL;
}

size_t
cvm_sshd_count(const struct cvm_sshd *c, const char *keyword)
{
	unsigned pk;
	const struct out *o = find(c, keyword, &pk);

	if (o == NULL)
		return 0;
	return (pks[pk].flags & P_MULTI) ? o->nitems : 1;
}

const char *
cvm_sshd_value(const struct cvm_sshd *c, const char *keyword, size_t i)
{
	unsigned pk;
	const struct out *o = find(c, keyword, &pk);

	if (o == NULL)
		return NULL;
	if (!(pks[pk].flags & P_MULTI))
		return i == 0 ? o->val : NULL;
	return i < o->nitems ? o->items[i] : NULL;
}

size_t
cvm_sshd_nproblems(const struct cvm_sshd *c)
{
	return c ? c->nproblems : 0;
}

const char *
cvm_sshd_problem(const struct cvm_sshd *c, size_t i)
{
	return c && i < c->nproblems ? c->problems[i].text : NULL;
}

int
cvm_sshd_problem_info(const struct cvm_sshd *c, size_t i, const char **file,
    int *line)
{
	if (file != NULL)
		*file = c && i < c->nproblems ? c->problems[i].file : NULL;
	if (line != NULL)
		*line = c && i < c->nproblems ? c->problems[i].line : 0;
	return c && i < c->nproblems ? c->problems[i].kind : -1;
}

void
cvm_sshd_print(const struct cvm_sshd *c, FILE *fp, int all)
{
	unsigned pk, i;
	const struct out *o;

	if (c == NULL || fp == NULL)
		return;
	for (pk = 0; pk < NPK; pk++) {
		o = &c->o[pk];
		if (o->val == NULL || (pks[pk].flags & P_NOPRINT) ||
		    (!all && !(pks[pk].flags & P_LOGIN)))
			continue;
		if (pks[pk].flags & P_MULTI) {
			for (i = 0; i < o->nitems; i++)
				fprintf(fp, "%s %s\n", pks[pk].name, o->items[i]);
		} else if (*o->val != '\0' || (pk != PK_LOGVERBOSE &&
		    pk != PK_CHANTMO))
			fprintf(fp, "%s %s\n", pks[pk].name, o->val);
	}
}
