/* cvmkey apply / export / restore: the declarative JSON document of
 * cvmkey(8) ("schema":1), applied all or nothing through the writer. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "apply_index.h"
#include "apply_signed.h"
#include "authkeys.h"
#include "cli.h"
#include "db.h"
#include "dbwrite.h"
#include "json.h"
#include "jsonw.h"
#include "names.h"
#include "policy.h"
#include "provision.h"
#include <shadow.h>
#include "strutil.h"

#define DOC_MAX CVM_JSON_MAX_INPUT
#define MAX_ACCOUNTS 100000
#define MAX_KEYS 32
#define MAX_KEYLINE 16384
#define MAX_MEMBERS 1024
#define MAX_GROUPS 100000
#define MAX_ACCOUNT_GROUPS 1024
#define NO_CHANGE 100		/* edit result: nothing to write */

/* ---- validation helpers -------------------------------------------------- */

/* RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM). */
int
cli_parse_rfc3339(const char *s, int64_t *t)
{
	struct tm tm;
	int y, mo, d, h, mi, se, n = 0, oh = 0, om = 0;
	const char *p;
	long off = 0;
	time_t tt;

	if (strlen(s) < 20 || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 ||
	    n != 10 || (s[10] != 'T' && s[10] != 't') ||
	    sscanf(s + 11, "%2d:%2d:%2d%n", &h, &mi, &se, &n) != 3 || n != 8)
		return -1;
	for (int i = 0; i < 19; i++)
		if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 &&
		    (s[i] < '0' || s[i] > '9'))
			return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		off = 0;
	else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
	    p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
	    p[4] >= '0' && p[4] <= '9' && p[5] >= '0' && p[5] <= '9') {
		oh = (p[1] - '0') * 10 + (p[2] - '0');
		om = (p[4] - '0') * 10 + (p[5] - '0');
		if (oh > 23 || om > 59)
			return -1;
		off = (oh * 60L + om) * 60L * (*p == '-' ? -1 : 1);
	} else
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se == 60 ? 59 : se;
	if ((tt = timegm(&tm)) == (time_t)-1 || tm.tm_mday != d)
		return -1;	/* e.g. February 30 */
	*t = (int64_t)tt - off;
	return *t > 0 ? 0 : -1;
}

/* ---- document -> model ---------------------------------------------------- */

struct doc_ctx {
	struct cli *c;
	/* the new model's users, provisioned uids, groups, gids; the old
	 * model's users */
	struct aidx nuser, nuid, ngroup, ngid, ouser;
	char path[128];		/* JSON path of the failing element */
	char err[640];
};

static int
derr(struct doc_ctx *d, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(d->err, sizeof(d->err), "%s%s%s", d->path, d->path[0] ? ": " : "", msg);
	return -1;
}

/* Refuses members other than those listed. */
static int
only_keys(struct doc_ctx *d, const struct cvm_json *o, const char *const *allowed)
{
	for (size_t i = 0; i < o->n; i++) {
		size_t k;

		for (k = 0; allowed[k] != NULL; k++)
			if (strcmp(o->keys[i], allowed[k]) == 0)
				break;
		if (allowed[k] == NULL)
			return derr(d, "unknown member \"%.64s\"", o->keys[i]);
	}
	return 0;
}

static const struct cvm_json *
member(struct doc_ctx *d, const struct cvm_json *o, const char *key,
    enum cvm_json_type t, int required)
{
	const struct cvm_json *v = cvm_json_get(o, key);

	if (v == NULL) {
		if (required)
			derr(d, "\"%s\" is missing", key);
		return NULL;
	}
	if (v->type != t) {
		derr(d, "\"%s\" must be %s %s, not %s", key,
		    t == CVM_JSON_INT || t == CVM_JSON_OBJECT || t == CVM_JSON_ARRAY ? "an" : "a",
		    cvm_json_type_name(t), cvm_json_type_name(v->type));
		return NULL;
	}
	return v;
}

static int
get_id(struct doc_ctx *d, const struct cvm_json *o, const char *key,
    unsigned long lo, unsigned long hi, uint32_t *out)
{
	const struct cvm_json *v = member(d, o, key, CVM_JSON_INT, 1);

	if (v == NULL)
		return -1;
	if (v->i < (int64_t)lo || v->i > (int64_t)hi || v->i == 65534 || v->i == 65535)
		return derr(d, "%s %lld outside the configured range %lu-%lu", key,
		    (long long)v->i, lo, hi);
	*out = (uint32_t)v->i;
	return 0;
}

static int
get_str(struct doc_ctx *d, const struct cvm_json *o, const char *key,
    int required, const char **out)
{
	const struct cvm_json *v = member(d, o, key, CVM_JSON_STRING, required);

	*out = v ? v->s : NULL;
	if (v == NULL && (required || d->err[0]))
		return -1;
	return 0;
}

static int
doc_key(struct doc_ctx *d, const struct cvm_json *k, struct cvm_dbm_user *u,
    const struct cvm_dbm_user *old)
{
	static const char *const allowed[] = { "key", "label", "expiry", NULL };
	const struct cvm_json *e;
	struct cvm_akline l;
	const char *line, *label;
	int64_t expiry = -1, bound_at = (int64_t)time(NULL);
	char err[256];
	int ret = -1;

	if (k->type != CVM_JSON_OBJECT)
		return derr(d, "must be an object");
	if (only_keys(d, k, allowed) != 0 || get_str(d, k, "key", 1, &line) != 0 ||
	    get_str(d, k, "label", 0, &label) != 0)
		return -1;
	if (strlen(line) > MAX_KEYLINE)
		return derr(d, "key longer than 16 KiB");
	if (strpbrk(line, "\r\n") != NULL)
		return derr(d, "key: no line breaks");
	if (label != NULL && (strlen(label) > 1024 || strpbrk(label, "\r\n") != NULL))
		return derr(d, "label: at most 1024 bytes, no line breaks");
	if ((e = cvm_json_get(k, "expiry")) != NULL && e->type != CVM_JSON_NULL) {
		if (e->type != CVM_JSON_STRING || cli_parse_rfc3339(e->s, &expiry) != 0)
			return derr(d, "expiry must be null or an RFC 3339 time "
			    "(e.g. 2030-01-31T00:00:00Z)");
	}
	if (cvm_akline_parse(line, strlen(line), &l, err, sizeof(err)) != 0) {
		derr(d, "%s", err);
		goto out;
	}
	if (!l.has_key) {
		derr(d, "no key");
		goto out;
	}
	if (l.command != NULL || l.from != NULL || l.cert_authority ||
	    l.principals != NULL || l.restrict_ || l.expiry >= 0) {
		derr(d, "key options cannot be bound (use \"expiry\")");
		goto out;
	}
	if (!cvm_key_bindable(&l.key, err, sizeof(err))) {
		derr(d, "%s", err);
		goto out;
	}
	for (uint32_t i = 0; i < u->nkeys; i++)
		if (strcmp(u->keys[i].fp, l.key.fp) == 0) {
			derr(d, "duplicate key %s", l.key.fp);
			goto out;
		}
	if (label == NULL)
		label = l.comment != NULL ? l.comment : "";
	if (old != NULL)	/* keep when it was bound */
		for (uint32_t i = 0; i < old->nkeys; i++)
			if (strcmp(old->keys[i].fp, l.key.fp) == 0)
				bound_at = old->keys[i].bound_at;
	if (cvm_dbm_add_key(u, l.key.type, l.key.blob, (uint32_t)l.key.bloblen,
	    label, l.key.fp, bound_at, expiry) != 0) {
		derr(d, "cannot add the key: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	cvm_akline_free(&l);
	return ret;
}

static int
doc_account(struct doc_ctx *d, const struct cvm_json *a, struct cvm_dbm *n,
    const struct cvm_dbm *old, size_t idx)
{
	static const char *const allowed[] = { "name", "uid", "gid", "gecos",
	    "home", "shell", "groups", "admin", "keys", NULL };
	const struct cvm_json *keys, *gl, *adm;
	const char *name, *gecos = NULL, *home, *shell, *prob;
	struct cvm_dbm_user *u;
	const struct cvm_dbm_user *ou = NULL;
	int prov;
	uint32_t uid = 0, gid = 0;
	size_t plen;

	snprintf(d->path, sizeof(d->path), "accounts[%zu]", idx);
	if (a->type != CVM_JSON_OBJECT)
		return derr(d, "must be an object");
	if (only_keys(d, a, allowed) != 0 || get_str(d, a, "name", 1, &name) != 0)
		return -1;
	prov = cvm_json_get(a, "uid") != NULL || cvm_json_get(a, "gid") != NULL ||
	    cvm_json_get(a, "home") != NULL || cvm_json_get(a, "shell") != NULL ||
	    cvm_json_get(a, "gecos") != NULL || cvm_json_get(a, "groups") != NULL ||
	    cvm_json_get(a, "admin") != NULL;
	if (prov) {
		const struct cvm_conf *cf = &d->c->conf;

		if ((prob = cvm_name_problem(name)) != NULL)
			return derr(d, "name \"%.64s\": %s", name, prob);
		if (get_id(d, a, "uid", cf->uid_min, cf->uid_max, &uid) != 0 ||
		    get_id(d, a, "gid", cf->gid_min, cf->gid_max, &gid) != 0 ||
		    get_str(d, a, "gecos", 0, &gecos) != 0 ||
		    get_str(d, a, "home", 1, &home) != 0 ||
		    get_str(d, a, "shell", 1, &shell) != 0)
			return -1;
		if (gecos == NULL)
			gecos = "";
		if (!cvm_gecos_ok(gecos))
			return derr(d, "gecos: printable UTF-8 without ':', at most 255 bytes");
		if (!cvm_path_ok(home))
			return derr(d, "home \"%.64s\": must be absolute and normalised", home);
		if (!cvm_path_ok(shell))
			return derr(d, "shell \"%.64s\": must be an absolute path", shell);
		if (!cvm_shell_listed(shell))
			return derr(d, "shell \"%.64s\" is not listed in /etc/shells", shell);
	} else if (!cvm_binding_name_ok(name))
		return derr(d, "name \"%.64s\": not a valid user name", name);
	if (aidx_user(&d->nuser, n, name) != NULL)
		return derr(d, "duplicate account \"%.64s\"", name);
	if (prov && (u = aidx_uid(&d->nuid, n, uid)) != NULL)
		return derr(d, "duplicate uid %u (account \"%s\")", uid, u->name);
	if ((u = cvm_dbm_add_user(n, name)) == NULL)
		return derr(d, "out of memory");
	aidx_add(&d->nuser, n, n->nusers - 1);
	if (prov) {
		u->uid = uid;
		u->gid = gid;
		u->flags = CVM_DBU_PROVISIONED;
		aidx_add(&d->nuid, n, n->nusers - 1);
		if (cvm_dbm_set_str(&u->gecos, gecos) != 0 ||
		    cvm_dbm_set_str(&u->home, home) != 0 ||
		    cvm_dbm_set_str(&u->shell, shell) != 0)
			return derr(d, "out of memory");
		adm = member(d, a, "admin", CVM_JSON_BOOL, 0);
		if (adm == NULL && d->err[0])
			return -1;
		if (adm != NULL && adm->b)
			u->flags |= CVM_DBU_ADMIN;
		gl = member(d, a, "groups", CVM_JSON_ARRAY, 0);
		if (gl == NULL && d->err[0])
			return -1;
		if (gl != NULL && gl->n > MAX_ACCOUNT_GROUPS)
			return derr(d, "groups: at most %d", MAX_ACCOUNT_GROUPS);
		for (size_t i = 0; gl != NULL && i < gl->n; i++) {
			const struct cvm_json *g = &gl->items[i];
			const struct cvm_dbm_group *dg;

			plen = strlen(d->path);
			snprintf(d->path + plen, sizeof(d->path) - plen, ".groups[%zu]", i);
			if (g->type != CVM_JSON_STRING)
				return derr(d, "must be a group name");
			/* the document's groups are in n already (doc_group) */
			if ((dg = aidx_group(&d->ngroup, n, g->s)) == NULL)
				return derr(d, "group \"%.64s\" is not in the document's groups", g->s);
			for (uint32_t x = 0; x < u->ngroups; x++)
				if (u->groups[x] == dg->gid)
					return derr(d, "duplicate group \"%.64s\"", g->s);
			if (cvm_dbm_user_add_gid(u, dg->gid) != 0)
				return derr(d, "out of memory");
			d->path[plen] = '\0';
		}
	} else if (cvm_json_get(a, "keys") == NULL)
		return derr(d, "a binding-only account needs \"keys\"");
	keys = member(d, a, "keys", CVM_JSON_ARRAY, 0);
	if (keys == NULL && d->err[0])
		return -1;
	if (keys != NULL && keys->n > MAX_KEYS)
		return derr(d, "keys: at most %d per account", MAX_KEYS);
	if (old != NULL)
		ou = aidx_user(&d->ouser, old, name);
	plen = strlen(d->path);
	for (size_t i = 0; keys != NULL && i < keys->n; i++) {
		snprintf(d->path + plen, sizeof(d->path) - plen, ".keys[%zu]", i);
		/* u stays valid: no user is added while its keys are */
		if (doc_key(d, &keys->items[i], u, ou) != 0)
			return -1;
	}
	d->path[plen] = '\0';
	return 0;
}

static int
doc_group(struct doc_ctx *d, const struct cvm_json *g, struct cvm_dbm *n, size_t idx)
{
	static const char *const allowed[] = { "name", "gid", "members", NULL };
	const struct cvm_json *mem;
	const char *name, *prob;
	struct cvm_dbm_group *ng;
	uint32_t gid;

	snprintf(d->path, sizeof(d->path), "groups[%zu]", idx);
	if (g->type != CVM_JSON_OBJECT)
		return derr(d, "must be an object");
	if (only_keys(d, g, allowed) != 0 || get_str(d, g, "name", 1, &name) != 0 ||
	    get_id(d, g, "gid", d->c->conf.gid_min, d->c->conf.gid_max, &gid) != 0)
		return -1;
	if ((prob = cvm_name_problem(name)) != NULL)
		return derr(d, "name \"%.64s\": %s", name, prob);
	if (aidx_group(&d->ngroup, n, name) != NULL)
		return derr(d, "duplicate group \"%.64s\"", name);
	if (aidx_gid(&d->ngid, n, gid) != NULL)
		return derr(d, "duplicate gid %u", gid);
	mem = member(d, g, "members", CVM_JSON_ARRAY, 0);
	if (mem == NULL && d->err[0])
		return -1;
	if (mem != NULL && mem->n > MAX_MEMBERS)
		return derr(d, "members: at most %d", MAX_MEMBERS);
	if ((ng = cvm_dbm_add_group(n, name, gid)) == NULL)
		return derr(d, "out of memory");
	aidx_add(&d->ngroup, n, n->ngroups - 1);
	aidx_add(&d->ngid, n, n->ngroups - 1);
	for (size_t i = 0; mem != NULL && i < mem->n; i++) {
		const struct cvm_json *m = &mem->items[i];

		snprintf(d->path, sizeof(d->path), "groups[%zu].members[%zu]", idx, i);
		if (m->type != CVM_JSON_STRING || !cvm_binding_name_ok(m->s))
			return derr(d, "must be a user name");
		for (uint32_t k = 0; k < ng->nmembers; k++)
			if (strcmp(ng->members[k], m->s) == 0)
				return derr(d, "duplicate member \"%.64s\"", m->s);
		if (cvm_dbm_group_add_member(ng, m->s) != 0)
			return derr(d, "out of memory");
	}
	return 0;
}

/* Builds n from the document.  old (may be NULL) gives the bound-at times
 * of keys bound already. */
static int
doc_to_model_(struct doc_ctx *d, const struct cvm_json *doc, struct cvm_dbm *n,
    const struct cvm_dbm *old)
{
	static const char *const allowed[] = { "schema", "accounts", "groups",
	    "serial", "not_after", "hosts", NULL };
	const struct cvm_json *v, *accts, *groups;

	d->path[0] = d->err[0] = '\0';
	if (doc->type != CVM_JSON_OBJECT)
		return derr(d, "the document must be a JSON object");
	if (only_keys(d, doc, allowed) != 0)
		return -1;
	if ((v = member(d, doc, "schema", CVM_JSON_INT, 1)) == NULL)
		return -1;
	if (v->i != 1)
		return derr(d, "unsupported schema %lld (this version reads 1)", (long long)v->i);
	if ((v = cvm_json_get(doc, "serial")) != NULL && (v->type != CVM_JSON_INT || v->i < 0))
		return derr(d, "\"serial\" must be a non-negative integer");
	if ((v = cvm_json_get(doc, "not_after")) != NULL && v->type != CVM_JSON_STRING)
		return derr(d, "\"not_after\" must be a string");
	if ((v = cvm_json_get(doc, "hosts")) != NULL && v->type != CVM_JSON_ARRAY)
		return derr(d, "\"hosts\" must be an array");
	accts = member(d, doc, "accounts", CVM_JSON_ARRAY, 0);
	if (accts == NULL && d->err[0])
		return -1;
	groups = member(d, doc, "groups", CVM_JSON_ARRAY, 0);
	if (groups == NULL && d->err[0])
		return -1;
	if (accts != NULL && accts->n > MAX_ACCOUNTS)
		return derr(d, "accounts: at most %d", MAX_ACCOUNTS);
	if (groups != NULL && groups->n > MAX_GROUPS)
		return derr(d, "groups: at most %d", MAX_GROUPS);
	/* (an index that cannot be allocated scans: slower, same answers) */
	(void)aidx_init(&d->nuser, AIDX_USER, accts ? accts->n : 0);
	(void)aidx_init(&d->nuid, AIDX_UID, accts ? accts->n : 0);
	(void)aidx_init(&d->ngroup, AIDX_GROUP, groups ? groups->n : 0);
	(void)aidx_init(&d->ngid, AIDX_GID, groups ? groups->n : 0);
	if (old != NULL)
		(void)aidx_build(&d->ouser, AIDX_USER, old);
	for (size_t i = 0; groups != NULL && i < groups->n; i++)
		if (doc_group(d, &groups->items[i], n, i) != 0)
			return -1;
	for (size_t i = 0; accts != NULL && i < accts->n; i++)
		if (doc_account(d, &accts->items[i], n, old, i) != 0)
			return -1;
	d->path[0] = '\0';
	if (cvm_dbm_validate(n, d->err, sizeof(d->err)) != 0)
		return -1;
	return 0;
}

static int
doc_to_model(struct doc_ctx *d, const struct cvm_json *doc, struct cvm_dbm *n,
    const struct cvm_dbm *old)
{
	int r = doc_to_model_(d, doc, n, old);

	aidx_free(&d->nuser);
	aidx_free(&d->nuid);
	aidx_free(&d->ngroup);
	aidx_free(&d->ngid);
	aidx_free(&d->ouser);
	return r;
}

/* ---- differences ----------------------------------------------------------- */

static int
same_gids(const struct cvm_dbm_user *a, const struct cvm_dbm_user *b)
{
	if (a->ngroups != b->ngroups)
		return 0;
	for (uint32_t i = 0; i < a->ngroups; i++) {
		uint32_t k;

		for (k = 0; k < b->ngroups && b->groups[k] != a->groups[i]; k++)
			;
		if (k == b->ngroups)
			return 0;
	}
	return 1;
}

static const struct cvm_dbm_key *
find_key(const struct cvm_dbm_user *u, const char *fp)
{
	for (uint32_t i = 0; u != NULL && i < u->nkeys; i++)
		if (strcmp(u->keys[i].fp, fp) == 0)
			return &u->keys[i];
	return NULL;
}

/* Prints what changes from o to n; returns the number of changes. */
static size_t
diff(const struct cvm_dbm *o, const struct cvm_dbm *n, const char *verb_prefix)
{
	struct aidx ou_x, nu_x, og_x, ng_x;
	size_t changes = 0;

	(void)aidx_build(&ou_x, AIDX_USER, o);
	(void)aidx_build(&nu_x, AIDX_USER, n);
	(void)aidx_build(&og_x, AIDX_GROUP, o);
	(void)aidx_build(&ng_x, AIDX_GROUP, n);

	for (size_t i = 0; i < o->nusers; i++) {
		const struct cvm_dbm_user *ou = &o->users[i];

		if (aidx_user(&nu_x, n, ou->name) == NULL) {
			printf("%sremove account %s (%u keys)\n", verb_prefix,
			    ou->name, ou->nkeys);
			changes++;
		}
	}
	for (size_t i = 0; i < n->nusers; i++) {
		const struct cvm_dbm_user *nu = &n->users[i];
		const struct cvm_dbm_user *ou = aidx_user(&ou_x, o, nu->name);
		char what[128] = "";

		if (ou == NULL) {
			printf("%sadd account %s%s\n", verb_prefix, nu->name,
			    nu->flags & CVM_DBU_PROVISIONED ? "" : " (keys only)");
			changes++;
		} else {
			if (ou->uid != nu->uid) strcat(what, " uid");
			if (ou->gid != nu->gid) strcat(what, " gid");
			if (strcmp(ou->gecos, nu->gecos) != 0) strcat(what, " gecos");
			if (strcmp(ou->home, nu->home) != 0) strcat(what, " home");
			if (strcmp(ou->shell, nu->shell) != 0) strcat(what, " shell");
			if (!same_gids(ou, nu)) strcat(what, " groups");
			if ((ou->flags ^ nu->flags) & CVM_DBU_PROVISIONED) strcat(what, " provisioned");
			if ((ou->flags ^ nu->flags) & CVM_DBU_ADMIN) strcat(what, " admin");
			if (what[0]) {
				printf("%schange account %s:%s\n", verb_prefix, nu->name, what);
				changes++;
			}
			for (uint32_t k = 0; k < ou->nkeys; k++)
				if (find_key(nu, ou->keys[k].fp) == NULL) {
					printf("%sremove key %s %s\n", verb_prefix, nu->name,
					    ou->keys[k].fp);
					changes++;
				}
		}
		for (uint32_t k = 0; k < nu->nkeys; k++) {
			const struct cvm_dbm_key *nk = &nu->keys[k], *ok = find_key(ou, nk->fp);

			if (ok == NULL) {
				printf("%sadd key %s %s %s%s%s\n", verb_prefix, nu->name,
				    nk->fp, nk->type, nk->label[0] ? " " : "", nk->label);
				changes++;
			} else if (strcmp(ok->label, nk->label) != 0 || ok->expiry != nk->expiry) {
				printf("%schange key %s %s:%s%s\n", verb_prefix, nu->name,
				    nk->fp, strcmp(ok->label, nk->label) ? " label" : "",
				    ok->expiry != nk->expiry ? " expiry" : "");
				changes++;
			}
		}
	}
	for (size_t i = 0; i < o->ngroups; i++)
		if (aidx_group(&ng_x, n, o->groups[i].name) == NULL) {
			printf("%sremove group %s\n", verb_prefix, o->groups[i].name);
			changes++;
		}
	for (size_t i = 0; i < n->ngroups; i++) {
		const struct cvm_dbm_group *ng = &n->groups[i];
		const struct cvm_dbm_group *og = aidx_group(&og_x, o, ng->name);
		int same;

		if (og == NULL) {
			printf("%sadd group %s\n", verb_prefix, ng->name);
			changes++;
			continue;
		}
		same = og->gid == ng->gid && og->nmembers == ng->nmembers;
		for (uint32_t k = 0; same && k < ng->nmembers; k++) {
			uint32_t x;

			for (x = 0; x < og->nmembers && strcmp(og->members[x], ng->members[k]); x++)
				;
			same = x < og->nmembers;
		}
		if (!same) {
			printf("%schange group %s\n", verb_prefix, ng->name);
			changes++;
		}
	}
	aidx_free(&ou_x);
	aidx_free(&nu_x);
	aidx_free(&og_x);
	aidx_free(&ng_x);
	return changes;
}

/* ---- apply ----------------------------------------------------------------- */

struct apply_args {
	struct cli *c;
	const char *file;
	const struct cvm_json *doc;
	const struct signed_doc *sd;
	int dry_run;
	int bad;		/* the document was refused */
};

static void
hex32(const unsigned char *b, char *out)
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* A signed document against the database's last one, under the lock:
 * EXIT_OK to go on, NO_CHANGE (the same document again), EXIT_REFUSED. */
static int
check_serial(const struct apply_args *a, const struct cvm_dbm *m)
{
	const struct signed_doc *sd = a->sd;
	char have[65], got[65];

	if (sd->serial > m->serial)
		return EXIT_OK;
	if (sd->serial < m->serial) {
		fprintf(stderr, "cvmkey: apply: %s: serial %llu is lower than the "
		    "database's %llu: an older document replayed?\n", a->file,
		    (unsigned long long)sd->serial, (unsigned long long)m->serial);
		return EXIT_REFUSED;
	}
	if (memcmp(sd->sha256, m->doc_sha256, sizeof(sd->sha256)) == 0) {
		printf("no change: serial %llu is the document applied already\n",
		    (unsigned long long)sd->serial);
		return NO_CHANGE;
	}
	hex32(m->doc_sha256, have);
	hex32(sd->sha256, got);
	fprintf(stderr, "cvmkey: apply: %s: serial %llu was applied already from "
	    "another document (SHA-256 %s, this one %s): a signer must never "
	    "reuse a serial\n", a->file, (unsigned long long)sd->serial, have, got);
	return EXIT_REFUSED;
}

/* What bind --create checks, for the accounts and groups a document
 * provisions (DESIGN §4): no name or id another NSS source knows (an
 * entry exactly cvmkey's own, in the current database, does not count),
 * and admin_group's gid in the header when an account is flagged admin.
 * EXIT_OK, or a refusal with the reason printed. */
static int
check_provisioned(const struct apply_args *a, const struct cvm_dbm *m,
    struct cvm_dbm *n)
{
	char who[160], err[256];
	int r, admin = 0;

	for (size_t i = 0; i < n->nusers; i++) {
		const struct cvm_dbm_user *u = &n->users[i];

		if (!(u->flags & CVM_DBU_PROVISIONED))
			continue;
		admin |= (u->flags & CVM_DBU_ADMIN) != 0;
		if ((r = cvm_nss_user(u->name, 0, m, who, sizeof(who), err,
		    sizeof(err))) == CVM_NSS_NONE)
			r = cvm_nss_user(NULL, u->uid, m, who, sizeof(who), err,
			    sizeof(err));
		if (r == CVM_NSS_ERROR) {
			fprintf(stderr, "cvmkey: apply: %s: cannot check account %s "
			    "against NSS: %s\n", a->file, u->name, err);
			return EXIT_INTERNAL;
		}
		if (r == CVM_NSS_FOUND) {
			fprintf(stderr, "cvmkey: apply: %s: account %s (uid %u): "
			    "the system already has %s\n", a->file, u->name,
			    u->uid, who);
			return EXIT_REFUSED;
		}
	}
	for (size_t i = 0; i < n->ngroups; i++) {
		const struct cvm_dbm_group *g = &n->groups[i];

		if ((r = cvm_nss_group(g->name, 0, m, who, sizeof(who), err,
		    sizeof(err))) == CVM_NSS_NONE)
			r = cvm_nss_group(NULL, g->gid, m, who, sizeof(who), err,
			    sizeof(err));
		if (r == CVM_NSS_ERROR) {
			fprintf(stderr, "cvmkey: apply: %s: cannot check group %s "
			    "against NSS: %s\n", a->file, g->name, err);
			return EXIT_INTERNAL;
		}
		if (r == CVM_NSS_FOUND) {
			fprintf(stderr, "cvmkey: apply: %s: group %s (gid %u): the "
			    "system already has %s\n", a->file, g->name, g->gid, who);
			return EXIT_REFUSED;
		}
	}
	if (admin) {
		if (cvm_admin_gid(a->c->conf.admin_group, &n->admin_gid, err,
		    sizeof(err)) != 0 || n->admin_gid == 0) {
			fprintf(stderr, "cvmkey: apply: %s: an account is admin but "
			    "admin_group %s\n", a->file, n->admin_gid == 0 &&
			    err[0] == '\0' ? "is not set" : err);
			return EXIT_REFUSED;
		}
	}
	return EXIT_OK;
}

static int
apply_edit(struct cvm_dbm *m, void *arg)
{
	struct apply_args *a = arg;
	struct doc_ctx d;
	struct cvm_dbm n;
	size_t changes;
	int r;

	if (a->sd->verified && (r = check_serial(a, m)) != EXIT_OK) {
		if (r == EXIT_REFUSED) {
			fprintf(stderr, "cvmkey: apply: document refused, database unchanged\n");
			a->bad = 1;
		}
		return r;
	}
	memset(&d, 0, sizeof(d));
	d.c = a->c;
	cvm_dbm_init(&n);
	n.uid_min = (uint32_t)a->c->conf.uid_min;
	n.uid_max = (uint32_t)a->c->conf.uid_max;
	n.gid_min = (uint32_t)a->c->conf.gid_min;
	n.gid_max = (uint32_t)a->c->conf.gid_max;
	n.admin_gid = m->admin_gid;
	/* A signed document records its serial and digest; an unsigned one
	 * (no trusted_signer) keeps the database's. */
	n.serial = a->sd->verified ? a->sd->serial : m->serial;
	memcpy(n.doc_sha256, a->sd->verified ? a->sd->sha256 : m->doc_sha256,
	    sizeof(n.doc_sha256));
	if (doc_to_model(&d, a->doc, &n, m) != 0) {
		fprintf(stderr, "cvmkey: apply: %s\n", d.err);
		fprintf(stderr, "cvmkey: apply: document refused, database unchanged\n");
		cvm_dbm_free(&n);
		a->bad = 1;
		return EXIT_REFUSED;
	}
	if ((r = check_provisioned(a, m, &n)) != EXIT_OK) {
		fprintf(stderr, "cvmkey: apply: document refused, database unchanged\n");
		cvm_dbm_free(&n);
		a->bad = 1;
		return r;
	}
	changes = diff(m, &n, a->dry_run ? "would " : "");
	if (n.serial != m->serial)
		printf("%srecord serial %llu\n", a->dry_run ? "would " : "",
		    (unsigned long long)n.serial);
	if (changes == 0 && n.uid_min == m->uid_min && n.uid_max == m->uid_max &&
	    n.gid_min == m->gid_min && n.gid_max == m->gid_max &&
	    n.serial == m->serial &&
	    memcmp(n.doc_sha256, m->doc_sha256, sizeof(n.doc_sha256)) == 0) {
		printf("no change\n");
		cvm_dbm_free(&n);
		return NO_CHANGE;
	}
	if (a->dry_run) {
		printf("dry run: %zu change%s, nothing written\n", changes,
		    changes == 1 ? "" : "s");
		cvm_dbm_free(&n);
		return NO_CHANGE;
	}
	printf("%zu change%s\n", changes, changes == 1 ? "" : "s");
	cvm_dbm_free(m);
	*m = n;
	return EXIT_OK;
}

static void
apply_usage(void)
{
	fprintf(stderr, "cvmkey: apply FILE [--signature SIG] [--dry-run]\n");
}

int
cmd_apply(struct cli *c, int argc, char **argv)
{
	struct apply_args a;
	struct signed_doc sd;
	struct cvm_json doc;
	const char *file = NULL, *sig = NULL;
	char err[512], *buf = NULL;
	size_t len;
	int r, ret;

	memset(&a, 0, sizeof(a));
	memset(&sd, 0, sizeof(sd));
	for (int i = 1; i < argc; i++) {
		if ((r = cli_common_option(c, argc, argv, i)) < 0)
			return EXIT_USAGE;
		if (r > 0) {
			i += r - 1;
			continue;
		}
		if (strcmp(argv[i], "--dry-run") == 0)
			a.dry_run = 1;
		else if (strcmp(argv[i], "--signature") == 0 && i + 1 < argc && sig == NULL)
			sig = argv[++i];
		else if (strncmp(argv[i], "--signature=", 12) == 0 && sig == NULL)
			sig = argv[i] + 12;
		else if ((argv[i][0] == '-' && argv[i][1] != '\0') || file != NULL) {
			apply_usage();
			return EXIT_USAGE;
		} else
			file = argv[i];
	}
	if (file == NULL || (sig != NULL && sig[0] == '\0')) {
		apply_usage();
		return EXIT_USAGE;
	}
	if (sig != NULL && strcmp(sig, "-") == 0 && strcmp(file, "-") == 0) {
		fprintf(stderr, "cvmkey: apply: the document and the signature "
		    "cannot both be standard input\n");
		return EXIT_USAGE;
	}
	if (c->conf_failed) {
		fprintf(stderr, "cvmkey: %s: cannot use this configuration\n", c->config_path);
		return EXIT_INTERNAL;
	}
	/* With a signer, never apply a document whose signature has not
	 * verified; without one, a signature cannot be checked, and saying
	 * nothing would let the admin believe it was. */
	if (c->conf.trusted_signer_bad) {
		fprintf(stderr, "cvmkey: apply: %s: the trusted_signer line is "
		    "refused (see above): no document is applied until it is "
		    "fixed\n", c->config_path);
		return EXIT_REFUSED;
	}
	if (c->conf.trusted_signer != NULL && c->conf.trusted_signer[0] != '\0') {
		if (sig == NULL) {
			fprintf(stderr, "cvmkey: apply: %s: unsigned document refused: "
			    "trusted_signer is set (%s), give --signature SIG\n", file,
			    c->conf.trusted_signer);
			fprintf(stderr, "cvmkey: apply: document refused, database unchanged\n");
			return EXIT_REFUSED;
		}
	} else if (sig != NULL) {
		fprintf(stderr, "cvmkey: apply: --signature given but no "
		    "trusted_signer is configured in %s: the signature cannot be "
		    "checked; nothing applied\n", c->config_path);
		return EXIT_REFUSED;
	}
	/* Read once: these bytes are verified, hashed and parsed. */
	if ((ret = cli_read_input("apply", file, DOC_MAX, &buf, &len)) != EXIT_OK)
		return ret;
	if (sig != NULL && (ret = signed_verify(c, file, sig, buf, len, &sd)) != EXIT_OK) {
		fprintf(stderr, "cvmkey: apply: document refused, database unchanged\n");
		free(buf);
		return ret;
	}
	if (cvm_json_parse(buf, len, &doc, err, sizeof(err)) != 0) {
		fprintf(stderr, "cvmkey: apply: %s: %s\n", file, err);
		fprintf(stderr, "cvmkey: apply: document refused, database unchanged\n");
		free(buf);
		return EXIT_REFUSED;
	}
	free(buf);
	if (signed_envelope(&doc, &sd, err, sizeof(err)) != 0) {
		fprintf(stderr, "cvmkey: apply: %s: %s\n", file, err);
		fprintf(stderr, "cvmkey: apply: document refused, database unchanged\n");
		cvm_json_free(&doc);
		return EXIT_REFUSED;
	}
	a.c = c;
	a.file = file;
	a.doc = &doc;
	a.sd = &sd;
	/* The configured range is refused as bind --create refuses it; the
	 * system's account files are locked as useradd locks them. */
	if (cvm_idrange_check(c->conf.uid_min, c->conf.uid_max, c->conf.gid_min,
	    c->conf.gid_max, c->log) != 0) {
		fprintf(stderr, "cvmkey: apply: document refused, database unchanged\n");
		cvm_json_free(&doc);
		return EXIT_REFUSED;
	}
	if (!a.dry_run && lckpwdf() != 0) {
		fprintf(stderr, "cvmkey: apply: cannot lock the account files "
		    "(lckpwdf: %s)\n", strerror(errno));
		cvm_json_free(&doc);
		return EXIT_INTERNAL;
	}
	ret = db_update(c, apply_edit, &a);
	if (!a.dry_run)
		ulckpwdf();
	if (ret == NO_CHANGE)
		ret = EXIT_OK;
	cvm_json_free(&doc);
	return ret;
}

/* ---- export ---------------------------------------------------------------- */

static void
export_key(const struct cvm_dbm_key *k)
{
	size_t cap = (size_t)k->bloblen / 3 * 4 + 8;
	char *b64 = malloc(cap);

	printf("{\"key\":");
	if (b64 == NULL || cvm_b64_encode(k->blob, k->bloblen, b64, cap, 1) < 0) {
		free(b64);
		b64 = NULL;
	}
	{
		size_t tl = strlen(k->type), bl = b64 ? strlen(b64) : 0;
		char *line = malloc(tl + bl + 2);

		if (line != NULL) {
			memcpy(line, k->type, tl);
			line[tl] = ' ';
			memcpy(line + tl + 1, b64 ? b64 : "", bl + 1);
			cvm_json_str(stdout, line);
			free(line);
		} else
			printf("\"\"");
	}
	free(b64);
	printf(",\"label\":");
	cvm_json_str(stdout, k->label);
	printf(",\"expiry\":");
	cli_json_time(stdout, k->expiry);
	putchar('}');
}

int
cmd_export(struct cli *c, int argc, char **argv)
{
	struct cvm_dbm m;
	struct aidx gid_x;
	char err[512];
	int r;

	for (int i = 1; i < argc; i++) {
		if ((r = cli_common_option(c, argc, argv, i)) < 0)
			return EXIT_USAGE;
		if (r > 0) {
			i += r - 1;
			continue;
		}
		fprintf(stderr, "cvmkey: export takes no arguments\n");
		return EXIT_USAGE;
	}
	cvm_dbm_init(&m);
	if (cvm_dbm_load(c->conf.db, 1, &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "cvmkey: %s\n", err);
		cvm_dbm_free(&m);
		return EXIT_INTERNAL;
	}
	(void)aidx_build(&gid_x, AIDX_GID, &m);
	printf("{\"schema\":1,");
	/* the last signed document applied (its not_after and hosts are not
	 * kept: they only gate applying it) */
	if (m.serial != 0)
		printf("\"serial\":%llu,", (unsigned long long)m.serial);
	printf("\"accounts\":[");
	for (size_t i = 0; i < m.nusers; i++) {
		const struct cvm_dbm_user *u = &m.users[i];

		printf("%s\n {\"name\":", i ? "," : "");
		cvm_json_str(stdout, u->name);
		if (u->flags & CVM_DBU_PROVISIONED) {
			printf(",\"uid\":%u,\"gid\":%u,\"gecos\":", u->uid, u->gid);
			cvm_json_str(stdout, u->gecos);
			printf(",\"home\":");
			cvm_json_str(stdout, u->home);
			printf(",\"shell\":");
			cvm_json_str(stdout, u->shell);
			printf(",\"groups\":[");
			for (uint32_t g = 0; g < u->ngroups; g++) {
				struct cvm_dbm_group *gr = aidx_gid(&gid_x, &m, u->groups[g]);

				printf("%s", g ? "," : "");
				if (gr != NULL)
					cvm_json_str(stdout, gr->name);
				else
					printf("\"%u\"", u->groups[g]);
			}
			printf("],\"admin\":%s", u->flags & CVM_DBU_ADMIN ? "true" : "false");
		}
		printf(",\"keys\":[");
		for (uint32_t k = 0; k < u->nkeys; k++) {
			printf("%s\n  ", k ? "," : "");
			export_key(&u->keys[k]);
		}
		printf("]}");
	}
	printf("],\n\"groups\":[");
	for (size_t i = 0; i < m.ngroups; i++) {
		const struct cvm_dbm_group *g = &m.groups[i];

		printf("%s\n {\"name\":", i ? "," : "");
		cvm_json_str(stdout, g->name);
		printf(",\"gid\":%u,\"members\":[", g->gid);
		for (uint32_t k = 0; k < g->nmembers; k++) {
			printf("%s", k ? "," : "");
			cvm_json_str(stdout, g->members[k]);
		}
		printf("]}");
	}
	printf("]}\n");
	aidx_free(&gid_x);
	cvm_dbm_free(&m);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "cvmkey: export: write error: %s\n", strerror(errno));
		return EXIT_INTERNAL;
	}
	return EXIT_OK;
}

/* ---- restore --------------------------------------------------------------- */

struct restore_args {
	const char *prev;
};

static int
restore_edit(struct cvm_dbm *m, void *arg)
{
	struct restore_args *r = arg;
	struct cvm_dbm p;
	char err[512];
	size_t changes;

	/* Under the lock, verified whole before anything changes. */
	cvm_dbm_init(&p);
	if (cvm_dbm_load(r->prev, 1, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "cvmkey: restore: %s\n", err);
		cvm_dbm_free(&p);
		return EXIT_INTERNAL;
	}
	changes = diff(m, &p, "");
	printf("restored the previous generation (%zu change%s)\n", changes,
	    changes == 1 ? "" : "s");
	cvm_dbm_free(m);
	*m = p;
	return EXIT_OK;
}

int
cmd_restore(struct cli *c, int argc, char **argv)
{
	struct restore_args ra;
	char *prev;
	struct stat st;
	int r, ret;

	for (int i = 1; i < argc; i++) {
		if ((r = cli_common_option(c, argc, argv, i)) < 0)
			return EXIT_USAGE;
		if (r > 0) {
			i += r - 1;
			continue;
		}
		fprintf(stderr, "cvmkey: restore takes no arguments\n");
		return EXIT_USAGE;
	}
	if (asprintf(&prev, "%s.prev", c->conf.db) < 0)
		return EXIT_INTERNAL;
	if (lstat(prev, &st) != 0) {
		fprintf(stderr, "cvmkey: restore: %s: %s\n", prev,
		    errno == ENOENT ? "no previous generation" : strerror(errno));
		free(prev);
		return EXIT_REFUSED;
	}
	ra.prev = prev;
	ret = db_update(c, restore_edit, &ra);
	free(prev);
	return ret;
}
