/* Name, gecos, home and shell rules (names.h). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "names.h"
#include "strutil.h"

/* Debian base-passwd 3.6 passwd.master and group.master, plus gnats
 * (older releases). */
static const char *const base_passwd[] = {
	"root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail",
	"news", "uucp", "proxy", "www-data", "backup", "list", "irc", "gnats",
	"nobody", "adm", "tty", "disk", "kmem", "dialout", "fax", "voice",
	"cdrom", "floppy", "tape", "sudo", "audio", "dip", "operator", "src",
	"shadow", "utmp", "video", "sasl", "plugdev", "staff", "users",
	"nogroup", "_apt",
};

int
cvm_name_reserved(const char *s)
{
	for (size_t i = 0; i < sizeof(base_passwd) / sizeof(base_passwd[0]); i++)
		if (strcmp(s, base_passwd[i]) == 0)
			return 1;
	return 0;
}

const char *
cvm_name_problem(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 31)
		return "must be 1 to 31 characters";
	if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return "must start with a-z or _";
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-'))
			return "only a-z, 0-9, _ and - are allowed";
	if (cvm_name_reserved(s))
		return "reserved by Debian's base-passwd";
	return NULL;
}

int
cvm_binding_name_ok(const char *u)
{
	size_t n = strlen(u);

	if (n == 0 || n > 255 || u[0] == '-')
		return 0;
	for (const unsigned char *p = (const unsigned char *)u; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == ':' || *p == '/')
			return 0;
	return 1;
}

int
cvm_gecos_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (strlen(s) > 255)
		return 0;
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == ':')
			return 0;
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;	/* C1 controls */
	}
	return 1;
}

int
cvm_path_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 4096 || s[0] != '/')
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == ':')
			return 0;
	if (n == 1)
		return 1;
	if (s[n - 1] == '/')
		return 0;
	for (const char *c = s; c != NULL && *c;) {
		const char *next = strchr(c + 1, '/');
		size_t cl = next ? (size_t)(next - c - 1) : strlen(c + 1);

		if (cl == 0 || (cl == 1 && c[1] == '.') ||
		    (cl == 2 && c[1] == '.' && c[2] == '.'))
			return 0;
		c = next;
	}
	return 1;
}

static char *shells_buf;
static int shells_loaded;

int
cvm_shell_listed(const char *sh)
{
	char err[256];
	size_t len, sl = strlen(sh);

	if (!shells_loaded) {
		shells_loaded = 1;
		if (cvm_read_file("/etc/shells", 1024 * 1024, 0, 0, &shells_buf,
		    &len, err, sizeof(err)) != 0)
			shells_buf = NULL;
	}
	if (shells_buf == NULL || sl == 0)
		return 0;
	for (const char *p = shells_buf; *p;) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);

		while (ll > 0 && (p[ll - 1] == ' ' || p[ll - 1] == '\t' ||
		    p[ll - 1] == '\r'))
			ll--;
		if (ll == sl && memcmp(p, sh, sl) == 0)
			return 1;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}
