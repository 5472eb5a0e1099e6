/* Each PAM module's return predicted from the audited tree, as the
 * Linux-PAM 1.5.2 module would decide it (see each function; read from
 * modules/<name>/<name>.c of v1.5.2): pam_nologin, pam_access,
 * pam_listfile, pam_faillock, pam_tally2, pam_succeed_if, pam_time,
 * pam_unix/pam_deny/pam_permit/pam_cvmkey; any other module succeeds. */
#include "config.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fnmatch.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include "diagnose.h"
#include "audit_pam.h"

#define SMALL_CAP	(1u << 20)
#define TALLY_CAP	(64u * 65536u)

const char *
cvm_pam_modname(const struct cvm_pam_line *l, char *buf, size_t len)
{
	const char *b = l->module ? strrchr(l->module, '/') : NULL;
	char *dot;

	snprintf(buf, len, "%s", b ? b + 1 : l->module ? l->module : "");
	if ((dot = strrchr(buf, '.')) != NULL)
		*dot = '\0';
	return buf;
}

static void
vset(struct verdict *v, int ret, const char *id, const char *file, int line,
    const char *fix, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void
vset(struct verdict *v, int ret, const char *id, const char *file, int line,
    const char *fix, const char *fmt, ...)
{
	va_list ap;

	v->ret = ret;
	v->id = id;
	free(v->file);
	v->file = file ? strdup(file) : NULL;
	v->line = line;
	v->fix = fix;
	free(v->detail);
	v->detail = NULL;
	va_start(ap, fmt);
	if (vasprintf(&v->detail, fmt, ap) < 0)
		v->detail = NULL;
	va_end(ap);
}

static int
in_group(const struct cvm_audit *a, const char *g)
{
	for (size_t i = 0; i < a->ngroups; i++)
		if (strcmp(a->groups[i], g) == 0)
			return 1;
	return 0;
}

static int
is_root(const struct cvm_audit *a)
{
	return a->pw != NULL && a->pw->pw_uid == 0;
}

/* PAM_SERVICE as libpam sets it: pam_start's base name, lower-cased. */
static const char *
service_name(const struct cvm_audit *a)
{
	static char buf[256];
	const char *s = a->pam_service ? a->pam_service : "sshd";
	size_t i;

	if (strrchr(s, '/') != NULL)
		s = strrchr(s, '/') + 1;
	for (i = 0; i < sizeof(buf) - 1 && s[i]; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[i] = '\0';
	return buf;
}

/* A path from a module argument, as the module opens it from sshd's
 * working directory "/": a relative one becomes absolute, so it is read
 * inside the audited tree, never from ours. */
static const char *
abspath(char *buf, size_t len, const char *p)
{
	if (p == NULL || p[0] == '/')
		return p;
	snprintf(buf, len, "/%s", p);
	return buf;
}

/* ---- pam_nologin --------------------------------------------------- */

static void
p_nologin(struct pctx *c, const struct cvm_pam_line *l, struct verdict *v)
{
	char ab[4096];
	const char *file = abspath(ab, sizeof(ab), cvm_pam_arg(l, "file"));
	const char *paths[2] = { "/var/run/nologin", "/etc/nologin" };
	int ret = cvm_pam_arg(l, "successok") ? CVM_PAM_SUCCESS : CVM_PAM_IGNORE;
	struct stat st;
	size_t n = 2;

	if (file != NULL) {
		paths[0] = file;
		n = 1;
	}
	/* pam_nologin 1.5.2: /var/run/nologin, else /etc/nologin */
	for (size_t i = 0; i < n; i++) {
		const char *shown;

		if (cvm_root_stat(&c->a->root, paths[i], &st, 1) != 0)
			continue;
		if (c->a->user != NULL && c->a->pw == NULL) {
			v->ret = CVM_PAM_USER_UNKNOWN;
			return;
		}
		if (is_root(c->a)) {
			v->ret = ret;
			return;
		}
		shown = strcmp(paths[i], "/var/run/nologin") == 0 ?
		    "/run/nologin" : paths[i];
		vset(v, CVM_PAM_AUTH_ERR, "PAM-NOLOGIN", shown, 0,
		    "remove the file once maintenance is over (rm -f FILE); "
		    "systemd-user-sessions.service removes /run/nologin at boot",
		    "%s exists: pam_nologin (%s:%d) refuses every user but root",
		    shown, l->file, l->line);
		return;
	}
	v->ret = ret;
}

/* ---- pam_access ---------------------------------------------------- */

enum { NO = 0, YES = 1, ALLM = 2, MAYBE = 3 };

struct acc {
	struct pctx *c;
	const char *sep;
	int nodefgroup;
	const char *why_maybe;
};

static int
ip_parse(const char *s, unsigned char *a, int *fam)
{
	if (inet_pton(AF_INET, s, a) == 1) {
		*fam = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a) == 1) {
		*fam = AF_INET6;
		return 0;
	}
	return -1;
}

/* network_netmask_match: tok an address, addr/prefix or addr/netmask. */
static int
acc_netmask(struct acc *x, const char *tok, const char *from)
{
	unsigned char ta[16], fa[16], ma[16];
	char buf[128], *slash;
	int tf, ff, mf, bits = -1, alen;

	snprintf(buf, sizeof(buf), "%s", tok);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (ip_parse(buf, ta, &tf) != 0) {
		x->why_maybe = "a host name in the origin field (resolved by DNS)";
		return MAYBE;
	}
	if (ip_parse(from, fa, &ff) != 0 || ff != tf)
		return NO;
	alen = tf == AF_INET ? 4 : 16;
	if (slash != NULL) {
		char *end;
		long b = strtol(slash, &end, 10);

		if (*slash != '\0' && *end == '\0' && b >= 0 && b <= alen * 8)
			bits = (int)b;
		else if (tf == AF_INET && ip_parse(slash, ma, &mf) == 0 &&
		    mf == AF_INET) {
			for (int i = 0; i < 4; i++)
				if ((fa[i] & ma[i]) != (ta[i] & ma[i]))
					return NO;
			return YES;
		} else
			return NO;
	} else
		bits = alen * 8;
	for (int i = 0; i < alen && bits > 0; i++, bits -= 8) {
		unsigned char m = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));

		if ((fa[i] & m) != (ta[i] & m))
			return NO;
	}
	return YES;
}

static int
acc_from(struct acc *x, const char *tok)
{
	const char *from = x->c->a->from;
	size_t tl = strlen(tok);

	if (strcasecmp(tok, "ALL") == 0)
		return ALLM;
	/* sshd always sets PAM_RHOST: never LOCAL */
	if (strcasecmp(tok, "LOCAL") == 0)
		return NO;
	if (tok[0] == '@') {
		x->why_maybe = "a netgroup in the origin field";
		return MAYBE;
	}
	if (from == NULL) {
		x->why_maybe = "the origin is not known (give --from)";
		return MAYBE;
	}
	if (x->c->usedns) {
		x->why_maybe = "sshd passes the client's host name (UseDNS yes)";
		return MAYBE;
	}
	if (strcasecmp(tok, from) == 0)
		return YES;
	if (tok[0] == '.')
		return tl < strlen(from) &&
		    strcasecmp(tok, from + strlen(from) - tl) == 0 ? YES : NO;
	if (tok[tl - 1] == '.') {
		unsigned char a4[4];
		char buf[INET_ADDRSTRLEN + 2];

		if (inet_pton(AF_INET, from, a4) != 1)
			return NO;
		snprintf(buf, sizeof(buf), "%s.", from);
		return strncmp(tok, buf, tl) == 0 ? YES : NO;
	}
	return acc_netmask(x, tok, from);
}

static int
acc_user(struct acc *x, const char *tok)
{
	const struct cvm_audit *a = x->c->a;
	size_t tl = strlen(tok);
	const char *at = tok;

	while (*at == '@')
		at++;
	if (tok[0] == '(' && tl >= 1 && tok[tl - 1] == ')') {
		char g[256];

		if (tl < 3 || tl - 2 >= sizeof(g))
			return NO;
		memcpy(g, tok + 1, tl - 2);
		g[tl - 2] = '\0';
		return in_group(a, g) ? YES : NO;
	}
	if (strchr(at, '@') != NULL) {
		x->why_maybe = "a user@host pattern (matched against this host's name)";
		return MAYBE;
	}
	if (tok[0] == '@') {
		x->why_maybe = "a netgroup in the users field";
		return MAYBE;
	}
	if (strcasecmp(tok, "ALL") == 0)
		return ALLM;
	if (strcasecmp(tok, a->user) == 0)
		return YES;
	if (!x->nodefgroup && in_group(a, tok))
		return YES;
	return NO;
}

/* list_match over toks[i..n): YES/ALLM/NO/MAYBE, EXCEPT recursing. */
static int
acc_list(struct acc *x, char **toks, size_t i, size_t n,
    int (*fn)(struct acc *, const char *))
{
	int m = NO;

	for (; i < n; i++) {
		int r;

		if (strcasecmp(toks[i], "EXCEPT") == 0)
			break;
		r = fn(x, toks[i]);
		if (r == YES || r == ALLM) {
			m = r;
			break;
		}
		if (r == MAYBE)
			m = MAYBE;
	}
	if (m == NO)
		return NO;
	while (i < n && strcasecmp(toks[i], "EXCEPT") != 0)
		i++;
	if (i >= n)
		return m;
	switch (acc_list(x, toks, i + 1, n, fn)) {
	case NO:
		return m == MAYBE ? MAYBE : YES;
	case MAYBE:
		return MAYBE;
	default:
		return NO;
	}
}

static size_t
split(char *s, const char *sep, char **toks, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(s, sep, &save); t != NULL && n < max;
	    t = strtok_r(NULL, sep, &save))
		toks[n++] = t;
	return n;
}

static int
cmpstr(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* What glob() of DIR/NAME.conf gives, inside the root: sorted, no dot files. */
static size_t
conf_dir(const struct cvm_root *r, const char *dir, char **out, size_t max)
{
	struct dirent *e;
	size_t n = 0;
	DIR *d;
	int fd;

	if ((fd = cvm_root_open(r, dir, O_RDONLY | O_DIRECTORY, 1)) < 0)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while (n < max && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || fnmatch("*.conf", e->d_name, 0) != 0)
			continue;
		if (asprintf(&out[n], "%s/%s", dir, e->d_name) >= 0)
			n++;
	}
	closedir(d);
	qsort(out, n, sizeof(*out), cmpstr);
	return n;
}

/* login_access on one file: YES allow, NO deny, 2 no match, MAYBE;
 * *rule set to the deciding line.  -1: the file cannot be read (libpam:
 * deny unless ENOENT). */
static int
acc_file(struct acc *x, const char *path, const char *fs, int *rule)
{
	char *buf = NULL, *line, *next;
	size_t len;
	int lineno = 0, result = 2;

	if (cvm_root_read(&x->c->a->root, path, SMALL_CAP, &buf, &len) != 0)
		return errno == ENOENT ? 2 : -1;
	for (line = buf; line != NULL && line < buf + len; line = next) {
		char *perm, *users, *froms, *save = NULL, *toks[256];
		size_t end, nt;
		int u, f;

		lineno++;
		if ((next = memchr(line, '\n', (size_t)(buf + len - line))) == NULL)
			break;	/* pam_access skips a line without '\n' */
		*next++ = '\0';
		if (strlen(line) >= 8191 || line[0] == '#')
			continue;
		end = strlen(line);
		while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t' ||
		    line[end - 1] == '\r' || line[end - 1] == '\v' ||
		    line[end - 1] == '\f'))
			end--;
		line[end] = '\0';
		if (line[0] == '\0')
			continue;
		if ((perm = strtok_r(line, fs, &save)) == NULL ||
		    (users = strtok_r(NULL, fs, &save)) == NULL ||
		    (froms = strtok_r(NULL, "\n", &save)) == NULL)
			continue;
		if (perm[0] != '+' && perm[0] != '-')
			continue;
		nt = split(users, x->sep, toks, 256);
		u = acc_list(x, toks, 0, nt, acc_user);
		if (u == NO)
			continue;
		nt = split(froms, x->sep, toks, 256);
		f = acc_list(x, toks, 0, nt, acc_from);
		if (f == NO)
			continue;
		*rule = lineno;
		if (u == MAYBE || f == MAYBE) {
			result = MAYBE;
			/* a later definite rule cannot be trusted either */
			break;
		}
		result = perm[0] == '+' ? YES : NO;
		break;
	}
	free(buf);
	return result;
}

static void
p_access(struct pctx *c, const struct cvm_pam_line *l, struct verdict *v)
{
	struct acc x = { c, ", \t", 0, NULL };
	char ab[4096];
	const char *fs = ":", *file = NULL;
	char *files[128];
	size_t nf = 0;
	int r = 2, rule = 0, decided = -1;

	v->ret = CVM_PAM_SUCCESS;
	if (c->a->user == NULL)
		return;
	if (c->a->pw == NULL) {
		v->ret = CVM_PAM_USER_UNKNOWN;
		return;
	}
	for (int i = 0; i < l->argc; i++) {
		if (strncmp(l->argv[i], "fieldsep=", 9) == 0)
			fs = l->argv[i] + 9;
		else if (strncmp(l->argv[i], "listsep=", 8) == 0)
			x.sep = l->argv[i] + 8;
		else if (strncmp(l->argv[i], "accessfile=", 11) == 0)
			file = abspath(ab, sizeof(ab), l->argv[i] + 11);
		else if (strcmp(l->argv[i], "nodefgroup") == 0)
			x.nodefgroup = 1;
	}
	if (*fs == '\0' || *x.sep == '\0') {
		/* strtok with no separator: one field, a bad line */
		return;
	}
	if (file != NULL) {
		struct stat st;

		if (cvm_root_stat(&c->a->root, file, &st, 1) != 0) {
			vset(v, CVM_PAM_ABORT, "PAM-ACCESS-DENY", l->file, l->line,
			    "create the file or fix accessfile=",
			    "pam_access (%s:%d): accessfile %s does not exist: "
			    "the module fails", l->file, l->line, file);
			return;
		}
		files[nf++] = strdup(file);
	} else {
		files[nf++] = strdup("/etc/security/access.conf");
		nf += conf_dir(&c->a->root, "/etc/security/access.d", files + nf,
		    128 - nf);
	}
	for (size_t i = 0; i < nf; i++) {
		if (files[i] == NULL || decided >= 0)
			continue;
		r = acc_file(&x, files[i], fs, &rule);
		if (r != 2)
			decided = (int)i;
	}
	if (r == MAYBE) {
		vset(v, CVM_PAM_SUCCESS, "PAM-ACCESS-DENY", files[decided], rule,
		    NULL, "cannot tell whether pam_access (%s:%d) lets %s in: "
		    "rule %s:%d has %s", l->file, l->line, c->a->user,
		    files[decided], rule, x.why_maybe ? x.why_maybe : "an undecidable pattern");
		v->indeterminate = 1;
	} else if (r == NO || r == -1) {
		const char *f = decided >= 0 ? files[decided] : files[0];

		if (r == NO)
			vset(v, CVM_PAM_PERM_DENIED, "PAM-ACCESS-DENY", f, rule,
			    "change or remove the denying rule (first match wins)",
			    "pam_access (%s:%d) denies %s from %s: rule %s:%d",
			    l->file, l->line, c->a->user,
			    c->a->from ? c->a->from : "any origin", f, rule);
		else
			vset(v, CVM_PAM_PERM_DENIED, "PAM-ACCESS-DENY", f, 0,
			    "make the file readable",
			    "pam_access (%s:%d) cannot read %s: it denies everyone",
			    l->file, l->line, f);
	}
	for (size_t i = 0; i < nf; i++)
		free(files[i]);
}

/* ---- pam_listfile -------------------------------------------------- */

static void
p_listfile(struct pctx *c, const struct cvm_pam_line *l, struct verdict *v)
{
	int onerr = 3 /* PAM_SERVICE_ERR */, sense = 2;
	char ab[4096];
	const char *item = NULL, *file = NULL, *apply = NULL, *val = NULL;
	char *buf = NULL, *line, *next;
	int group = 0, found = 0;
	struct stat st;
	size_t len;

	v->ret = CVM_PAM_SUCCESS;
	for (int i = 0; i < l->argc; i++) {
		const char *s = l->argv[i];

		if (strncmp(s, "onerr=", 6) == 0) {
			if (strcmp(s + 6, "succeed") == 0)
				onerr = CVM_PAM_SUCCESS;
			else if (strcmp(s + 6, "fail") == 0)
				onerr = 3;
			else {
				v->ret = 3;
				goto err;
			}
		} else if (strncmp(s, "sense=", 6) == 0) {
			if (strcmp(s + 6, "allow") == 0)
				sense = 0;
			else if (strcmp(s + 6, "deny") == 0)
				sense = 1;
			else {
				v->ret = onerr;
				goto err;
			}
		} else if (strncmp(s, "file=", 5) == 0)
			file = abspath(ab, sizeof(ab), s + 5);
		else if (strncmp(s, "item=", 5) == 0)
			item = s + 5;
		else if (strncmp(s, "apply=", 6) == 0)
			apply = s + 6;
		else if (strcmp(s, "quiet") != 0 && strchr(s, '=') != NULL) {
			v->ret = onerr;		/* "Unknown option" */
			goto err;
		}
	}
	if (item != NULL && strcmp(item, "user") != 0 &&
	    strcmp(item, "tty") != 0 && strcmp(item, "rhost") != 0 &&
	    strcmp(item, "ruser") != 0 && strcmp(item, "group") != 0 &&
	    strcmp(item, "shell") != 0)
		item = NULL;
	if (file == NULL || item == NULL || sense == 2 || (apply != NULL &&
	    (apply[0] == '\0' || !strcmp(apply, "@")))) {
		v->ret = onerr;
		goto err;
	}
	if (c->a->user == NULL)
		return;
	/* apply= only counts for item=tty and rhost ("Non-sense use for
	 * apply=" otherwise: dropped) */
	if (apply != NULL && (!strcmp(item, "tty") || !strcmp(item, "rhost")) &&
	    (apply[0] == '@' ? !in_group(c->a, apply + 1) :
	    strcmp(apply, c->a->user) != 0)) {
		v->ret = CVM_PAM_IGNORE;
		return;
	}
	if (strcmp(item, "user") == 0)
		val = c->a->user;
	else if (strcmp(item, "group") == 0) {
		val = c->a->user;
		group = 1;
	} else if (strcmp(item, "shell") == 0) {
		if (c->a->pw == NULL) {
			v->ret = onerr;
			goto err;
		}
		val = c->a->pw->pw_shell;
	} else if (strcmp(item, "tty") == 0)
		val = "ssh";
	else if (strcmp(item, "ruser") == 0)
		val = NULL;
	else if (strcmp(item, "rhost") == 0) {
		if (c->a->from == NULL || c->usedns) {
			vset(v, CVM_PAM_SUCCESS, "PAM-LISTFILE-DENY", file, 0, NULL,
			    "cannot tell whether pam_listfile (%s:%d) lets %s in: "
			    "item=rhost and the client's %s is not known",
			    l->file, l->line, c->a->user,
			    c->usedns ? "host name" : "address (give --from)");
			v->indeterminate = 1;
			return;
		}
		val = c->a->from;
	} else {
		v->ret = onerr;
		goto err;
	}
	if (val == NULL || *val == '\0') {
		v->ret = sense ? CVM_PAM_SUCCESS : CVM_PAM_AUTH_ERR;
		goto verdict;
	}
	if (cvm_root_stat(&c->a->root, file, &st, 0) != 0) {
		v->ret = onerr;
		if (onerr != CVM_PAM_SUCCESS)
			vset(v, onerr, "PAM-LISTFILE-DENY", file, 0,
			    "create the file, or set onerr=succeed",
			    "pam_listfile (%s:%d): %s does not exist and onerr=fail: "
			    "it refuses %s", l->file, l->line, file, c->a->user);
		return;
	}
	if ((st.st_mode & S_IWOTH) || !S_ISREG(st.st_mode)) {
		vset(v, CVM_PAM_AUTH_ERR, "PAM-LISTFILE-DENY", file, 0,
		    "make it a regular file, not world-writable (chmod o-w)",
		    "pam_listfile (%s:%d): %s is world-writable or not a "
		    "regular file: it refuses everyone", l->file, l->line, file);
		return;
	}
	if (cvm_root_read(&c->a->root, file, SMALL_CAP, &buf, &len) != 0) {
		v->ret = onerr;
		goto err;
	}
	for (line = buf; line < buf + len && !found; line = next) {
		size_t n;

		if ((next = memchr(line, '\n', (size_t)(buf + len - line))) != NULL)
			*next++ = '\0';
		else
			next = buf + len;
		n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (group)
			found = in_group(c->a, line);
		else
			found = strcmp(line, val) == 0;
	}
	free(buf);
	v->ret = (sense && !found) || (!sense && found) ? CVM_PAM_SUCCESS :
	    CVM_PAM_AUTH_ERR;
verdict:
	if (v->ret != CVM_PAM_SUCCESS)
		vset(v, v->ret, "PAM-LISTFILE-DENY", file, 0,
		    sense ? "remove the entry from the list" : "add the entry to the list",
		    "pam_listfile (%s:%d, item=%s sense=%s) refuses %s: %s %s %s",
		    l->file, l->line, item, sense ? "deny" : "allow", c->a->user,
		    val ? val : "(empty)", sense ? "is listed in" : "is not listed in",
		    file);
	return;
err:
	if (v->ret != CVM_PAM_SUCCESS)
		vset(v, v->ret, "PAM-LISTFILE-DENY", l->file, l->line,
		    "give item=, sense=allow|deny and file=, or onerr=succeed",
		    "pam_listfile (%s:%d): incomplete or bad arguments, it "
		    "returns its onerr result (fail)", l->file, l->line);
}

/* ---- pam_faillock / pam_tally2 -------------------------------------- */

struct fl {
	char dir[256];
	unsigned long deny, fail_interval, unlock_time, root_unlock_time;
	int even_deny_root, root_unlock_set;
	char admin_group[64];
};

static void
fl_set(struct fl *o, const char *k, const char *v)
{
	unsigned long n;
	char *end;

	if (strcmp(k, "dir") == 0) {
		if (v[0] == '/')
			snprintf(o->dir, sizeof(o->dir), "%s", v);
		return;
	}
	if (strcmp(k, "even_deny_root") == 0) {
		o->even_deny_root = 1;
		return;
	}
	if (strcmp(k, "admin_group") == 0) {
		snprintf(o->admin_group, sizeof(o->admin_group), "%s", v);
		return;
	}
	if ((strcmp(k, "unlock_time") == 0 || strcmp(k, "root_unlock_time") == 0) &&
	    strcmp(v, "never") == 0)
		n = 0;
	else {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (end == v || errno != 0 || n > 604800UL * (k[0] == 'd' ? 1000 : 1))
			return;	/* sscanf "%u" failure / > MAX_TIME_INTERVAL */
	}
	if (strcmp(k, "deny") == 0)
		o->deny = n & 0xffff;
	else if (strcmp(k, "fail_interval") == 0)
		o->fail_interval = n;
	else if (strcmp(k, "unlock_time") == 0)
		o->unlock_time = n;
	else if (strcmp(k, "root_unlock_time") == 0) {
		o->root_unlock_time = n;
		o->root_unlock_set = 1;
	}
}

/* faillock.conf ("key = value", '#' comments), then the line's args. */
static int
fl_options(struct pctx *c, const struct cvm_pam_line *l, struct fl *o)
{
	char ab[4096];
	const char *conf = abspath(ab, sizeof(ab), cvm_pam_arg(l, "conf"));
	char *buf = NULL, *line, *next;
	size_t len;

	memset(o, 0, sizeof(*o));
	snprintf(o->dir, sizeof(o->dir), "/var/run/faillock");
	o->deny = 3;
	o->fail_interval = 900;
	o->unlock_time = 600;
	if (cvm_root_read(&c->a->root, conf ? conf : "/etc/security/faillock.conf",
	    SMALL_CAP, &buf, &len) != 0) {
		if (conf != NULL || errno != ENOENT)
			return -1;
	} else {
		for (line = buf; line != NULL; line = next) {
			char *h, *k, *v;

			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			if ((h = strchr(line, '#')) != NULL)
				*h = '\0';
			k = line + strspn(line, " \t\r");
			if (*k == '\0')
				continue;
			v = k + strcspn(k, " \t\r=");
			if (*v != '\0') {
				*v++ = '\0';
				v += strspn(v, " \t\r=");
			}
			v[strcspn(v, " \t\r")] = '\0';
			fl_set(o, k, v);
		}
		free(buf);
	}
	for (int i = 0; i < l->argc; i++) {
		char k[64];
		const char *eq = strchr(l->argv[i], '=');

		if (strncmp(l->argv[i], "conf=", 5) == 0)
			continue;
		snprintf(k, sizeof(k), "%.*s", eq ? (int)(eq - l->argv[i]) : 63,
		    l->argv[i]);
		fl_set(o, k, eq ? eq + 1 : "");
	}
	if (!o->root_unlock_set)
		o->root_unlock_time = o->unlock_time;
	return 0;
}

static void
p_faillock(struct pctx *c, const struct cvm_pam_line *l, struct verdict *v)
{
	struct fl o;
	char path[600], *buf = NULL;
	uint64_t latest = 0;
	unsigned long failures = 0, unlock;
	int admin, authfail = 0;
	size_t len;

	v->ret = CVM_PAM_SUCCESS;
	for (int i = 0; i < l->argc; i++)
		if (strcmp(l->argv[i], "authfail") == 0)
			authfail = 1;
		else if (strcmp(l->argv[i], "preauth") == 0 ||
		    strcmp(l->argv[i], "authsucc") == 0)
			authfail = 0;
	if (c->type != CVM_PAMT_AUTH || c->a->user == NULL)
		return;	/* pam_sm_acct_mgmt only resets the tally */
	if (c->a->pw == NULL) {
		v->ret = CVM_PAM_USER_UNKNOWN;
		return;
	}
	if (fl_options(c, l, &o) != 0) {
		vset(v, 3, "PAM-FAILLOCK-LOCKED", l->file, l->line,
		    "fix conf= or /etc/security/faillock.conf",
		    "pam_faillock (%s:%d): its configuration file cannot be "
		    "read: the module fails", l->file, l->line);
		return;
	}
	admin = c->a->pw->pw_uid == 0 ||
	    (o.admin_group[0] != '\0' && in_group(c->a, o.admin_group));
	if (authfail)
		v->ret = CVM_PAM_IGNORE;
	if (admin && !o.even_deny_root)
		return;
	snprintf(path, sizeof(path), "%s/%s", o.dir, c->a->user);
	if (cvm_root_read(&c->a->root, path, TALLY_CAP, &buf, &len) != 0)
		return;
	cvm_faillock_count(buf, len, o.fail_interval, &failures, &latest);
	free(buf);
	unlock = admin ? o.root_unlock_time : o.unlock_time;
	if (o.deny == 0 || failures < o.deny)
		return;
	if (unlock != 0 && latest + unlock < (uint64_t)c->now)
		return;
	{
		char fix[300];
		static char fixbuf[300];

		snprintf(fix, sizeof(fix), "faillock --user %s --reset", c->a->user);
		memcpy(fixbuf, fix, sizeof(fixbuf));
		vset(v, CVM_PAM_AUTH_ERR, "PAM-FAILLOCK-LOCKED", path, 0, fixbuf,
		    "pam_faillock (%s:%d) locks %s: %lu failures within %lu s "
		    "(deny = %lu), %s", l->file, l->line, c->a->user, failures,
		    o.fail_interval, o.deny, unlock ? "until the unlock time passes" :
		    "until reset (unlock_time = never)");
	}
}

static void
p_tally2(struct pctx *c, const struct cvm_pam_line *l, struct verdict *v)
{
	char ab[4096];
	const char *file = abspath(ab, sizeof(ab), cvm_pam_arg(l, "file"));
	unsigned long deny = 0, unlock = 0, root_unlock = 0;
	int even_root = cvm_pam_arg(l, "even_deny_root") != NULL, fd;
	unsigned char rec[64];
	struct stat st;
	off_t off;
	uint16_t cnt;
	uint64_t t;
	const char *s;

	v->ret = CVM_PAM_SUCCESS;
	if (c->type != CVM_PAMT_AUTH || c->a->pw == NULL)
		return;
	if ((s = cvm_pam_arg(l, "deny")) != NULL)
		deny = strtoul(s, NULL, 10);
	if ((s = cvm_pam_arg(l, "unlock_time")) != NULL)
		unlock = strtoul(s, NULL, 10);
	root_unlock = unlock;
	if ((s = cvm_pam_arg(l, "root_unlock_time")) != NULL)
		root_unlock = strtoul(s, NULL, 10);
	if (file == NULL)
		file = "/var/log/tallylog";
	if (deny == 0 || (c->a->pw->pw_uid == 0 && !even_root))
		return;
	/* struct tallylog {fail_line[52], reserved u16, fail_cnt u16,
	 * fail_time u64} at uid * 64 of a sparse file: one pread; pam_tally2
	 * bumps, then refuses when the count is over deny, so a stored count
	 * >= deny refuses. */
	if ((fd = cvm_root_open(&c->a->root, file, O_RDONLY | O_NONBLOCK, 1)) < 0)
		return;
	off = (off_t)c->a->pw->pw_uid * 64;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    pread(fd, rec, sizeof(rec), off) != (ssize_t)sizeof(rec)) {
		close(fd);
		return;
	}
	close(fd);
	memcpy(&cnt, rec + 54, 2);
	memcpy(&t, rec + 56, 8);
	if (cnt < deny)
		return;
	if (c->a->pw->pw_uid == 0)
		unlock = root_unlock;
	if (unlock != 0 && t + unlock <= (uint64_t)c->now)
		return;
	vset(v, CVM_PAM_AUTH_ERR, "PAM-FAILLOCK-LOCKED", file, 0,
	    "pam_tally2 --user USER --reset",
	    "pam_tally2 (%s:%d) locks %s: %u failures (deny = %lu)", l->file,
	    l->line, c->a->user, (unsigned)cnt, deny);
}

/* ---- pam_succeed_if ------------------------------------------------ */

static int
num(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return end != s && *end == '\0' && errno == 0 ? 0 : -1;
}

/* 0 met, 1 not met, -1 cannot tell (why set), 2 module error. */
static int
si_cond(struct pctx *c, const char *left, const char *q, const char *right,
    const char **why)
{
	const struct passwd *pw = c->a->pw;
	char buf[64];
	const char *val = NULL;
	long a, b;

	if (!strcasecmp(left, "user") || !strcasecmp(left, "login") ||
	    !strcasecmp(left, "name"))
		val = c->a->user;
	else if (!strcasecmp(left, "uid") || !strcasecmp(left, "gid") ||
	    !strcasecmp(left, "shell") || !strcasecmp(left, "home") ||
	    !strcasecmp(left, "dir") || !strcasecmp(left, "homedir")) {
		if (pw == NULL)
			return 3;	/* PAM_USER_UNKNOWN, below */
		if (!strcasecmp(left, "uid"))
			snprintf(buf, sizeof(buf), "%lu", (unsigned long)pw->pw_uid);
		else if (!strcasecmp(left, "gid"))
			snprintf(buf, sizeof(buf), "%lu", (unsigned long)pw->pw_gid);
		val = !strcasecmp(left, "shell") ? pw->pw_shell :
		    (!strcasecmp(left, "uid") || !strcasecmp(left, "gid")) ? buf :
		    pw->pw_dir;
	} else if (!strcasecmp(left, "service"))
		val = service_name(c->a);
	else if (!strcasecmp(left, "tty"))
		val = "ssh";
	else if (!strcasecmp(left, "ruser"))
		val = "";
	else if (!strcasecmp(left, "rhost")) {
		if (c->a->from == NULL || c->usedns) {
			*why = "rhost is not known";
			return -1;
		}
		val = c->a->from;
	} else
		return 2;
	if (!strcasecmp(q, "<") || !strcasecmp(q, "lt") || !strcasecmp(q, "<=") ||
	    !strcasecmp(q, "le") || !strcasecmp(q, ">") || !strcasecmp(q, "gt") ||
	    !strcasecmp(q, ">=") || !strcasecmp(q, "ge") || !strcasecmp(q, "eq") ||
	    !strcasecmp(q, "ne")) {
		int r;

		if (num(val, &a) != 0 || num(right, &b) != 0)
			return 1;	/* evaluate_*: bad number -> AUTH_ERR */
		if (q[0] == '<' || !strcasecmp(q, "lt") || !strcasecmp(q, "le"))
			r = q[1] == '=' || !strcasecmp(q, "le") ? a <= b : a < b;
		else if (q[0] == '>' || !strcasecmp(q, "gt") || !strcasecmp(q, "ge"))
			r = q[1] == '=' || !strcasecmp(q, "ge") ? a >= b : a > b;
		else
			r = !strcasecmp(q, "eq") ? a == b : a != b;
		return r ? 0 : 1;
	}
	if (!strcmp(q, "="))
		return strcmp(val, right) == 0 ? 0 : 1;
	if (!strcmp(q, "!="))
		return strcmp(val, right) != 0 ? 0 : 1;
	if (!strcmp(q, "=~") || !strcasecmp(q, "glob"))
		return fnmatch(right, val, 0) == 0 ? 0 : 1;
	if (!strcmp(q, "!~") || !strcasecmp(q, "noglob"))
		return fnmatch(right, val, 0) != 0 ? 0 : 1;
	if (!strcasecmp(q, "in") || !strcasecmp(q, "notin") ||
	    !strcasecmp(q, "ingroup") || !strcasecmp(q, "notingroup")) {
		int grp = strstr(q, "group") != NULL, found = 0;
		char list[1024], *save = NULL;

		snprintf(list, sizeof(list), "%s", right);
		for (char *t = strtok_r(list, ":", &save); t && !found;
		    t = strtok_r(NULL, ":", &save))
			found = grp ? in_group(c->a, t) : strcmp(val, t) == 0;
		return (found != (strncasecmp(q, "not", 3) == 0)) ? 0 : 1;
	}
	if (!strcasecmp(q, "innetgr") || !strcasecmp(q, "notinnetgr")) {
		*why = "netgroups are not evaluated";
		return -1;
	}
	return 2;
}

static void
p_succeed_if(struct pctx *c, const struct cvm_pam_line *l, struct verdict *v)
{
	const char *cond[3];
	int k = 0;

	v->ret = CVM_PAM_SUCCESS;
	if (c->a->user == NULL)
		return;
	for (int i = 0; i < l->argc; i++) {
		const char *s = l->argv[i], *why = NULL;
		int r;

		if (!strcmp(s, "debug") || !strcmp(s, "use_uid") ||
		    !strcmp(s, "quiet") || !strcmp(s, "quiet_fail") ||
		    !strcmp(s, "quiet_success") || !strcmp(s, "audit"))
			continue;
		cond[k++] = s;
		if (k < 3)
			continue;
		k = 0;
		r = si_cond(c, cond[0], cond[1], cond[2], &why);
		if (r == 0)
			continue;
		if (r < 0) {
			vset(v, CVM_PAM_SUCCESS, "PAM-SUCCEED-IF-DENY", l->file,
			    l->line, NULL, "cannot tell whether pam_succeed_if "
			    "(%s:%d) lets %s in: \"%s %s %s\": %s", l->file,
			    l->line, c->a->user, cond[0], cond[1], cond[2], why);
			v->indeterminate = 1;
			return;
		}
		vset(v, r == 1 ? CVM_PAM_AUTH_ERR : r == 3 ? CVM_PAM_USER_UNKNOWN : 3,
		    "PAM-SUCCEED-IF-DENY", l->file, l->line,
		    "change the condition, or the account",
		    "pam_succeed_if (%s:%d) refuses %s: \"%s %s %s\" %s",
		    l->file, l->line, c->a->user, cond[0], cond[1], cond[2],
		    r == 1 ? "is not met" : r == 3 ? "needs an unknown user's entry" :
		    "is not a condition it knows (module error)");
		return;
	}
	if (k != 0)
		vset(v, 3, "PAM-SUCCEED-IF-DENY", l->file, l->line,
		    "complete the condition (field test value)",
		    "pam_succeed_if (%s:%d): incomplete condition: the module "
		    "fails", l->file, l->line);
}

/* ---- pam_time ------------------------------------------------------ */

/* pam_time's is_same: equal, or up to a '*' and then the rest of the
 * pattern as the value's suffix. */
static int
tm_term(const char *pat, size_t n, const char *val, void *unused)
{
	size_t i;

	(void)unused;
	for (i = 0; i < n; i++) {
		if (val[i] != pat[i]) {
			size_t rest;

			if (pat[i] != '*')
				return 0;
			rest = n - i - 1;
			return rest == 0 || (strlen(val) >= rest &&
			    strncmp(pat + i + 1, val + strlen(val) - rest, rest) == 0);
		}
	}
	return val[i] == '\0';
}

/* pam_time's logic_field: terms joined by & and |, each maybe !negated,
 * evaluated left to right. */
static int
tm_list(const char *s, const void *val,
    int (*fn)(const char *, size_t, const char *, void *), void *ctx)
{
	int res = 0, op = '|', first = 1;

	while (*s) {
		int neg = 0, r;
		size_t n;

		while (*s == ' ' || *s == '\t' || *s == '!') {
			if (*s == '!')
				neg = !neg;
			s++;
		}
		n = strcspn(s, "&|");
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		r = fn(s, n, val, ctx);
		if (neg)
			r = !r;
		res = first ? r : op == '&' ? (res && r) : (res || r);
		first = 0;
		s += strcspn(s, "&|");
		if (*s)
			op = (unsigned char)*s++;
	}
	return res;
}

/* pam_time's check_time: days (two letters, any case, a day named twice
 * cancels), HHMM-HHMM; start >= end spans midnight, the end included on
 * the second day; a bad time matches. */
static int
tm_time(const char *s, size_t n, const char *unused, void *ctx)
{
	static const char *const days[] = {
		"su", "mo", "tu", "we", "th", "fr", "sa", "wk", "wd", "al",
	};
	static const unsigned bits[] = {
		01, 02, 04, 010, 020, 040, 0100, 076, 0101, 0177,
	};
	const struct tm *tm = ctx;
	unsigned mask = 0, today = 1u << tm->tm_wday;
	size_t j = 0, i;
	int start = 0, end = 0, now = tm->tm_hour * 100 + tm->tm_min;

	(void)unused;
	/* (libpam counts a day as one character of the term's length) */
	for (; n > 0 && isalpha((unsigned char)s[j]); n--) {
		unsigned b = 0;

		for (size_t d = 0; d < 10; d++)
			if (tolower((unsigned char)s[j]) == days[d][0] &&
			    tolower((unsigned char)s[j + 1]) == days[d][1])
				b = bits[d];
		j += 2;
		if (b == 0)
			return 0;
		mask ^= b;
	}
	if (mask == 0)
		return 0;
	for (i = 0; n > 0 && i < 4 && isdigit((unsigned char)s[i + j]); i++, n--)
		start = start * 10 + (s[i + j] - '0');
	j += i;
	if (s[j] != '-')
		return 1;
	for (i = 1; n > 0 && i < 5 && isdigit((unsigned char)s[i + j]); i++, n--)
		end = end * 10 + (s[i + j] - '0');
	if (i != 5)
		return 1;
	if (start < end)
		return (today & mask) && now >= start && now < end;
	if ((today & mask) && now >= start)
		return 1;
	mask = ((mask << 1) | ((mask & 0100) ? 1 : 0)) & 0177;
	return (today & mask) && now <= end;
}

static void
p_time(struct pctx *c, const struct cvm_pam_line *l, struct verdict *v)
{
	char ab[4096];
	const char *conf = abspath(ab, sizeof(ab), cvm_pam_arg(l, "conffile"));
	char *buf = NULL, *line, *next;
	struct tm tm;
	size_t len;
	int lineno = 0;

	v->ret = CVM_PAM_SUCCESS;
	if (c->a->user == NULL)
		return;
	if (conf == NULL)
		conf = "/etc/security/time.conf";
	if (cvm_root_read(&c->a->root, conf, SMALL_CAP, &buf, &len) != 0)
		return;
	localtime_r(&c->now, &tm);
	for (line = buf; line != NULL; line = next) {
		char *f[4], *save = NULL, *h;
		int nf = 0;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((h = strchr(line, '#')) != NULL)
			*h = '\0';
		for (char *t = strtok_r(line, ";", &save); t && nf < 5;
		    t = strtok_r(NULL, ";", &save))
			if (nf < 4)
				f[nf++] = t + strspn(t, " \t");
			else
				nf++;	/* "poorly terminated rule": skipped */
		if (nf != 4)
			continue;
		if (!tm_list(f[0], service_name(c->a),
		    tm_term, NULL) || !tm_list(f[1], "ssh", tm_term, NULL) ||
		    !tm_list(f[2], c->a->user, tm_term, NULL))
			continue;
		if (tm_list(f[3], "", tm_time, &tm))
			continue;
		vset(v, CVM_PAM_PERM_DENIED, "PAM-TIME-DENY", conf, lineno,
		    "change the rule's times, or wait",
		    "pam_time (%s:%d) refuses %s now: %s:%d allows only \"%s\"",
		    l->file, l->line, c->a->user, conf, lineno, f[3]);
		break;
	}
	free(buf);
}

int
cvm_pam_predict(void *ctx, const struct cvm_pam_line *l, size_t idx)
{
	struct pctx *c = ctx;
	struct verdict *v = &c->v[idx];
	char m[128];

	if (v->detail != NULL || v->ret != -1)
		return v->ret;	/* already predicted */
	v->ret = CVM_PAM_SUCCESS;
	cvm_pam_modname(l, m, sizeof(m));
	if (c->type == CVM_PAMT_SESSION && strcmp(m, "pam_deny") != 0 &&
	    strcmp(m, "pam_access") != 0 && strcmp(m, "pam_listfile") != 0 &&
	    strcmp(m, "pam_succeed_if") != 0)
		return v->ret;	/* these three check in open_session too */
	if (!strcmp(m, "pam_deny"))
		v->ret = CVM_PAM_AUTH_ERR;
	else if (!strcmp(m, "pam_permit"))
		v->ret = CVM_PAM_SUCCESS;
	else if (!strcmp(m, "pam_unix")) {
		/* the right password; shadow expiry is ACCT-* (elsewhere) */
		if (c->a->user != NULL && c->a->pw == NULL)
			v->ret = CVM_PAM_USER_UNKNOWN;
	} else if (!strcmp(m, "pam_nologin"))
		p_nologin(c, l, v);
	else if (!strcmp(m, "pam_access"))
		p_access(c, l, v);
	else if (!strcmp(m, "pam_listfile"))
		p_listfile(c, l, v);
	else if (!strcmp(m, "pam_faillock"))
		p_faillock(c, l, v);
	else if (!strcmp(m, "pam_tally2"))
		p_tally2(c, l, v);
	else if (!strcmp(m, "pam_succeed_if"))
		p_succeed_if(c, l, v);
	else if (!strcmp(m, "pam_time"))
		p_time(c, l, v);
	else if (!strcmp(m, "pam_cvmkey"))
		/* its refusal is POLICY-KEY-BOUND (cmd_audit): set up there */
		v->ret = c->type == CVM_PAMT_AUTH && c->a->policy_refuses &&
		    cvm_pam_arg(l, "diagnose") == NULL ? CVM_PAM_AUTH_ERR :
		    CVM_PAM_IGNORE;
	return v->ret;
}

