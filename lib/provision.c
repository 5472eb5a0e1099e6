/* Account provisioning: id ranges, NSS collisions, allocation
 * (provision.h, DESIGN §4). */
#include "config.h"
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db.h"
#include "dbwrite.h"
#include "errbuf.h"
#include "provision.h"
#include "strutil.h"

#define seterr(err, errlen, ...) (void)cvm_seterr(err, errlen, __VA_ARGS__)
#define SUBID_MAX (4 * 1024 * 1024)
#define LOGIN_DEFS_MAX (1024 * 1024)
#define NSS_BUF_MAX (1024 * 1024)

/* ---- ranges --------------------------------------------------------------- */

static int
meets(unsigned long long a, unsigned long long b, unsigned long long c,
    unsigned long long d)
{
	return a <= d && c <= b;
}

/* Refuses [lo, hi] when it meets a range of an /etc/subuid-style file. */
static int
check_subids(const char *path, const char *what, unsigned long lo,
    unsigned long hi, const struct cvm_log *log)
{
	char err[512], *buf = NULL, *line, *next;
	size_t len;
	unsigned lineno = 0;
	int r, ret = 0;

	r = cvm_read_file(path, SUBID_MAX, 0, 0, &buf, &len, err, sizeof(err));
	if (r == 1)
		return 0;
	if (r != 0) {
		cvm_log(log, LOG_ERR, "%s (the %s range cannot be checked)",
		    err, what);
		return -1;
	}
	if (memchr(buf, '\0', len) != NULL) {
		cvm_log(log, LOG_ERR, "%s: contains a NUL byte", path);
		free(buf);
		return -1;
	}
	for (line = buf; line != NULL && ret == 0; line = next) {
		char *f1, *f2;
		unsigned long start, count;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line += strspn(line, " \t");
		line[strcspn(line, "\r")] = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		/* owner:start:count */
		if ((f1 = strchr(line, ':')) == NULL ||
		    (f2 = strchr(f1 + 1, ':')) == NULL) {
			cvm_log(log, LOG_ERR, "%s:%u: expected owner:start:count",
			    path, lineno);
			ret = -1;
			break;
		}
		*f1++ = '\0';
		*f2++ = '\0';
		if (cvm_parse_ulong(f1, 0, 0xffffffffUL, &start) != 0 ||
		    cvm_parse_ulong(f2, 0, 0xffffffffUL, &count) != 0) {
			cvm_log(log, LOG_ERR, "%s:%u: bad start or count", path,
			    lineno);
			ret = -1;
			break;
		}
		if (count == 0)
			continue;
		if (meets(lo, hi, start, (unsigned long long)start + count - 1)) {
			cvm_log(log, LOG_ERR, "%s range %lu-%lu meets %s's range "
			    "%lu-%llu (line %u): refused", what, lo, hi, path, start,
			    (unsigned long long)start + count - 1, lineno);
			ret = -1;
		}
	}
	free(buf);
	return ret;
}

/* login.defs: the value of KEY (decimal, or 0x/0 prefixed as strtoul
 * base 0 reads it, like shadow's getdef), else dflt. */
static unsigned long
login_def(const char *buf, const char *key, unsigned long dflt)
{
	size_t kl = strlen(key);
	unsigned long v = dflt;

	for (const char *p = buf; p != NULL && *p; ) {
		const char *nl = strchr(p, '\n');
		const char *q = p + strspn(p, " \t");

		if (strncmp(q, key, kl) == 0 && (q[kl] == ' ' || q[kl] == '\t')) {
			char num[32], *end;
			size_t n;

			q += kl + strspn(q + kl, " \t");
			n = strcspn(q, " \t\r\n#");
			if (n > 0 && n < sizeof(num)) {
				unsigned long x;

				memcpy(num, q, n);
				num[n] = '\0';
				errno = 0;
				x = strtoul(num, &end, 0);
				if (errno == 0 && *end == '\0' && num[0] != '-')
					v = x;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return v;
}

int
cvm_idrange_check(unsigned long uid_min, unsigned long uid_max,
    unsigned long gid_min, unsigned long gid_max, const struct cvm_log *log)
{
	return cvm_idrange_check_at("/etc", uid_min, uid_max, gid_min, gid_max,
	    log);
}

int
cvm_idrange_check_at(const char *etc, unsigned long uid_min,
    unsigned long uid_max, unsigned long gid_min, unsigned long gid_max,
    const struct cvm_log *log)
{
	static const struct {
		unsigned long lo, hi;
		const char *why;
	} reserved[] = {
		{ 0, 999, "system accounts" },
		{ 60000, 65535, "systemd homed, dynamic users, nobody" },
		{ 524288, ULONG_MAX, "containers (systemd-nspawn, user namespaces)" },
	};
	const struct {
		const char *what, *minkey, *maxkey, *subids;
		unsigned long lo, hi;
	} r[] = {
		{ "uid", "UID_MIN", "UID_MAX", "subuid", uid_min, uid_max },
		{ "gid", "GID_MIN", "GID_MAX", "subgid", gid_min, gid_max },
	};
	char err[512] = "", path[PATH_MAX], *defs = NULL;
	size_t len;
	int ret = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/login.defs", etc) >=
	    sizeof(path) ||
	    cvm_read_file(path, LOGIN_DEFS_MAX, 0, 0, &defs, &len,
	    err, sizeof(err)) == -1) {
		cvm_log(log, LOG_WARNING, "warning: %s (not checked against "
		    "useradd's range)", err);
		defs = NULL;
	}
	for (size_t i = 0; i < 2; i++) {
		unsigned long lo = r[i].lo, hi = r[i].hi, dmin, dmax;

		if (lo > hi) {
			cvm_log(log, LOG_ERR, "%s range %lu-%lu is empty "
			    "(%s_min > %s_max in cvmkey.conf)", r[i].what, lo, hi,
			    r[i].what, r[i].what);
			ret = -1;
			continue;
		}
		for (size_t k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
			if (meets(lo, hi, reserved[k].lo, reserved[k].hi)) {
				cvm_log(log, LOG_ERR, "%s range %lu-%lu meets %lu-%s "
				    "(%s): refused; set %s_min and %s_max in "
				    "cvmkey.conf", r[i].what, lo, hi, reserved[k].lo,
				    reserved[k].hi == ULONG_MAX ? "" :
				    k == 0 ? "999" : "65535", reserved[k].why,
				    r[i].what, r[i].what);
				ret = -1;
			}
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", etc,
		    r[i].subids) >= sizeof(path) ||
		    check_subids(path, r[i].what, lo, hi, log) != 0)
			ret = -1;
		if (defs != NULL) {
			dmin = login_def(defs, r[i].minkey, 1000);
			dmax = login_def(defs, r[i].maxkey, 60000);
			if (dmin <= dmax && meets(lo, hi, dmin, dmax))
				cvm_log(log, LOG_WARNING, "warning: %s range %lu-%lu "
				    "overlaps %s/login.defs %s..%s (%lu-%lu): "
				    "useradd may pick the same ids", r[i].what, lo,
				    hi, etc, r[i].minkey, r[i].maxkey, dmin, dmax);
		}
	}
	free(defs);
	return ret;
}

/* ---- NSS ------------------------------------------------------------------ */

/* A name from NSS, printable for a message. */
static void
vis(char *dst, size_t dstlen, const char *s)
{
	size_t i = 0;

	for (; *s && i + 1 < dstlen && i < 64; s++, i++)
		dst[i] = (char)((*s > 0x20 && *s < 0x7f) ? *s : '?');
	dst[i] = '\0';
}

static const struct cvm_dbm_user *
model_user(const struct cvm_dbm *m, const char *name)
{
	return m != NULL ? cvm_dbm_find_user((struct cvm_dbm *)m, name) : NULL;
}

static int
ours_pw(const struct cvm_dbm *m, const struct passwd *pw)
{
	const struct cvm_dbm_user *u = model_user(m, pw->pw_name);

	return u != NULL && (u->flags & CVM_DBU_PROVISIONED) &&
	    u->uid == pw->pw_uid && u->gid == pw->pw_gid &&
	    strcmp(pw->pw_passwd, "*") == 0 &&
	    strcmp(u->gecos, pw->pw_gecos) == 0 &&
	    strcmp(u->home, pw->pw_dir) == 0 &&
	    strcmp(u->shell, pw->pw_shell) == 0;
}

static int
ours_gr(const struct cvm_dbm *m, const struct group *gr)
{
	const struct cvm_dbm_group *g = m != NULL ?
	    cvm_dbm_find_group((struct cvm_dbm *)m, gr->gr_name) : NULL;

	return g != NULL && g->gid == gr->gr_gid;
}

/* Runs one getpw*_r / getgr*_r with a growing buffer: 1 found, 0 not,
 * -1 error (errno). */
static int
nss_call(int group, const char *name, uint32_t id, struct passwd *pw,
    struct group *gr, char **bufp)
{
	size_t len = 1024;
	char *buf = NULL, *nb;
	int r;

	for (;;) {
		void *res = NULL;

		if ((nb = realloc(buf, len)) == NULL) {
			free(buf);
			errno = ENOMEM;
			return -1;
		}
		buf = nb;
		if (group)
			r = name ? getgrnam_r(name, gr, buf, len, (struct group **)&res) :
			    getgrgid_r((gid_t)id, gr, buf, len, (struct group **)&res);
		else
			r = name ? getpwnam_r(name, pw, buf, len, (struct passwd **)&res) :
			    getpwuid_r((uid_t)id, pw, buf, len, (struct passwd **)&res);
		if (r == ERANGE && len < NSS_BUF_MAX) {
			len *= 2;
			continue;
		}
		if (r != 0) {
			free(buf);
			errno = r;
			return -1;
		}
		if (res == NULL) {
			free(buf);
			return 0;
		}
		*bufp = buf;
		return 1;
	}
}

int
cvm_nss_user(const char *name, uint32_t uid, const struct cvm_dbm *m,
    char *who, size_t wholen, char *err, size_t errlen)
{
	struct passwd pw;
	char *buf = NULL, n[80];
	int r;

	if ((r = nss_call(0, name, uid, &pw, NULL, &buf)) == -1) {
		if (name)
			seterr(err, errlen, "NSS cannot tell whether account "
			    "\"%s\" exists: %s", name, strerror(errno));
		else
			seterr(err, errlen, "NSS cannot tell whether uid %u is "
			    "used: %s", (unsigned)uid, strerror(errno));
		return CVM_NSS_ERROR;
	}
	if (r == 0)
		return CVM_NSS_NONE;
	r = ours_pw(m, &pw) ? CVM_NSS_NONE : CVM_NSS_FOUND;
	vis(n, sizeof(n), pw.pw_name);
	snprintf(who, wholen, "account %s (uid %u)", n, (unsigned)pw.pw_uid);
	free(buf);
	return r;
}

int
cvm_nss_group(const char *name, uint32_t gid, const struct cvm_dbm *m,
    char *who, size_t wholen, char *err, size_t errlen)
{
	struct group gr;
	char *buf = NULL, n[80];
	int r;

	if ((r = nss_call(1, name, gid, NULL, &gr, &buf)) == -1) {
		if (name)
			seterr(err, errlen, "NSS cannot tell whether group "
			    "\"%s\" exists: %s", name, strerror(errno));
		else
			seterr(err, errlen, "NSS cannot tell whether gid %u is "
			    "used: %s", (unsigned)gid, strerror(errno));
		return CVM_NSS_ERROR;
	}
	if (r == 0)
		return CVM_NSS_NONE;
	r = ours_gr(m, &gr) ? CVM_NSS_NONE : CVM_NSS_FOUND;
	vis(n, sizeof(n), gr.gr_name);
	snprintf(who, wholen, "group %s (gid %u)", n, (unsigned)gr.gr_gid);
	free(buf);
	return r;
}

/* ---- allocation ------------------------------------------------------------ */

static int
id_forbidden(uint32_t id)
{
	return id == 0 || id == 65534 || id == 65535 || id == UINT32_MAX;
}

static int
model_uses_uid(const struct cvm_dbm *m, uint32_t uid, char *who, size_t wholen)
{
	for (size_t i = 0; i < m->nusers; i++)
		if ((m->users[i].flags & CVM_DBU_PROVISIONED) &&
		    m->users[i].uid == uid) {
			snprintf(who, wholen, "cvmkey's account %s", m->users[i].name);
			return 1;
		}
	return 0;
}

static int
model_uses_gid(const struct cvm_dbm *m, uint32_t gid, char *who, size_t wholen)
{
	for (size_t i = 0; i < m->ngroups; i++)
		if (m->groups[i].gid == gid) {
			snprintf(who, wholen, "cvmkey's group %s", m->groups[i].name);
			return 1;
		}
	for (size_t i = 0; i < m->nusers; i++)
		if ((m->users[i].flags & CVM_DBU_PROVISIONED) &&
		    m->users[i].gid == gid) {
			snprintf(who, wholen, "the primary group of cvmkey's "
			    "account %s", m->users[i].name);
			return 1;
		}
	return 0;
}

int
cvm_uid_free(const struct cvm_dbm *m, uint32_t uid, char *who, size_t wholen,
    char *err, size_t errlen)
{
	if (id_forbidden(uid)) {
		snprintf(who, wholen, "a reserved id");
		return CVM_NSS_FOUND;
	}
	if (model_uses_uid(m, uid, who, wholen))
		return CVM_NSS_FOUND;
	return cvm_nss_user(NULL, uid, m, who, wholen, err, errlen);
}

int
cvm_gid_free(const struct cvm_dbm *m, uint32_t gid, char *who, size_t wholen,
    char *err, size_t errlen)
{
	if (id_forbidden(gid)) {
		snprintf(who, wholen, "a reserved id");
		return CVM_NSS_FOUND;
	}
	if (model_uses_gid(m, gid, who, wholen))
		return CVM_NSS_FOUND;
	return cvm_nss_group(NULL, gid, m, who, wholen, err, errlen);
}

/* The ids m uses in [min, max], as a bitmap (one bit per id). */
static unsigned char *
used_map(const struct cvm_dbm *m, int gids, uint32_t min, uint32_t max,
    char *err, size_t errlen)
{
	unsigned char *map;
	uint64_t span = (uint64_t)max - min + 1;

	if (min > max || span > (1u << 24)) {
		seterr(err, errlen, "id range %u-%u too large", (unsigned)min,
		    (unsigned)max);
		return NULL;
	}
#define MARK(id) do { if ((id) >= min && (id) <= max) \
	map[((id) - min) / 8] |= (unsigned char)(1u << (((id) - min) % 8)); } while (0)
	if ((map = calloc((size_t)(span + 7) / 8, 1)) == NULL) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < m->nusers; i++) {
		const struct cvm_dbm_user *u = &m->users[i];

		if (!(u->flags & CVM_DBU_PROVISIONED))
			continue;
		if (gids)
			MARK(u->gid);
		else
			MARK(u->uid);
	}
	for (size_t i = 0; gids && i < m->ngroups; i++)
		MARK(m->groups[i].gid);
#undef MARK
	return map;
}

/* The lowest free id of [min, max], or the highest with down. */
static int
alloc_id(const struct cvm_dbm *m, int gids, int down, uint32_t min,
    uint32_t max, uint32_t *out, char *err, size_t errlen)
{
	unsigned char *map;
	char who[160];
	int ret = 1, r;

	if ((map = used_map(m, gids, min, max, err, errlen)) == NULL)
		return -1;
	for (uint64_t i = 0; i <= (uint64_t)max - min; i++) {
		uint64_t id = down ? max - i : min + i;
		uint32_t off = (uint32_t)(id - min);

		if ((map[off / 8] & (1u << (off % 8))) || id_forbidden((uint32_t)id))
			continue;
		r = gids ? cvm_nss_group(NULL, (uint32_t)id, m, who, sizeof(who), err, errlen) :
		    cvm_nss_user(NULL, (uint32_t)id, m, who, sizeof(who), err, errlen);
		if (r == CVM_NSS_ERROR) {
			ret = -1;
			break;
		}
		if (r == CVM_NSS_NONE) {
			*out = (uint32_t)id;
			ret = 0;
			break;
		}
	}
	free(map);
	return ret;
}

int
cvm_alloc_uid(const struct cvm_dbm *m, uint32_t min, uint32_t max,
    uint32_t *out, char *err, size_t errlen)
{
	return alloc_id(m, 0, 0, min, max, out, err, errlen);
}

int
cvm_alloc_gid(const struct cvm_dbm *m, uint32_t min, uint32_t max,
    uint32_t *out, char *err, size_t errlen)
{
	return alloc_id(m, 1, 1, min, max, out, err, errlen);
}

/* ---- admin group ------------------------------------------------------------ */

/* Debian's base-passwd fixes group disk at gid 6 (nss_cvm refuses it). */
#define DISK_GID 6u

int
cvm_admin_gid(const char *name, uint32_t *gid, char *err, size_t errlen)
{
	struct group gr;
	char *buf = NULL;
	gid_t g, disk = DISK_GID;
	int r;

	*gid = 0;
	if (name == NULL || name[0] == '\0')
		return 0;
	if ((r = nss_call(1, name, 0, NULL, &gr, &buf)) != 1) {
		seterr(err, errlen, "admin_group \"%.64s\": %s", name,
		    r == 0 ? "no such group" : strerror(errno));
		return -1;
	}
	g = gr.gr_gid;
	free(buf);
	if (nss_call(1, "disk", 0, NULL, &gr, &buf) == 1) {
		disk = gr.gr_gid;
		free(buf);
	}
	/* gid 0 or disk among a process's groups is root's power */
	if (g == 0 || g == DISK_GID || g == disk || strcmp(name, "disk") == 0 ||
	    g == 65534 || g == 65535 || g == (gid_t)-1) {
		seterr(err, errlen, "admin_group \"%.64s\" (gid %u) refused: not "
		    "gid 0, disk or nogroup", name, (unsigned)g);
		return -1;
	}
	*gid = (uint32_t)g;
	return 0;
}
