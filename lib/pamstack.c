/* PAM stacks as Linux-PAM 1.5.2 reads and walks them: see pamstack.h.
 * Written from libpam/pam_handlers.c, pam_misc.c (_pam_StrTok,
 * _pam_parse_control) and pam_dispatch.c (_pam_dispatch_aux) of v1.5.2,
 * and checked against the real libpam by tests/test_pamstack.c. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "pamstack.h"

#define LINE_BUF	1024		/* libpam's BUF_SIZE: longer fails */
#define FILE_CAP	(1u << 20)	/* a PAM file larger than this is hostile */
#define MAX_LEVEL	16		/* PAM_SUBSTACK_MAX_LEVEL */
#define MAX_DEPTH	32		/* include nesting (libpam has none: it
					   recurses until the stack runs out) */
#define MAX_LINES	20000		/* lines kept over all files */
#define MAX_LOADS	256		/* include/substack files read in all:
					   a file including itself twice would
					   otherwise take 2^depth reads (real
					   stacks read fewer than 20) */

const char *const cvm_pam_module_dirs[] = {
	"/lib/x86_64-linux-gnu/security", "/usr/lib/x86_64-linux-gnu/security",
	"/lib/aarch64-linux-gnu/security", "/usr/lib/aarch64-linux-gnu/security",
	"/lib/i386-linux-gnu/security", "/usr/lib/i386-linux-gnu/security",
	"/lib/arm-linux-gnueabihf/security", "/usr/lib/arm-linux-gnueabihf/security",
	"/lib/powerpc64le-linux-gnu/security", "/usr/lib/powerpc64le-linux-gnu/security",
	"/lib/s390x-linux-gnu/security", "/usr/lib/s390x-linux-gnu/security",
	"/lib/riscv64-linux-gnu/security", "/usr/lib/riscv64-linux-gnu/security",
	"/usr/lib64/security", "/lib64/security",
	"/lib/security", "/usr/lib/security",
	NULL,
};

static const char *const ret_names[CVM_PAM_NRET + 1] = {
	"success", "open_err", "symbol_err", "service_err", "system_err",
	"buf_err", "perm_denied", "auth_err", "cred_insufficient",
	"authinfo_unavail", "user_unknown", "maxtries", "new_authtok_reqd",
	"acct_expired", "session_err", "cred_unavail", "cred_expired",
	"cred_err", "no_module_data", "conv_err", "authtok_err",
	"authtok_recover_err", "authtok_lock_busy", "authtok_disable_aging",
	"try_again", "ignore", "abort", "authtok_expired", "module_unknown",
	"bad_item", "conv_again", "incomplete", "default",
};
static const char *const act_names[] = {
	"ignore", "ok", "done", "bad", "die", "reset",
};
static const char *const type_names[CVM_PAMT_N] = {
	"auth", "account", "password", "session",
};

const char *
cvm_pam_type_name(int type)
{
	return type >= 0 && type < CVM_PAMT_N ? type_names[type] : "any";
}

int
cvm_pam_ret_from_name(const char *name)
{
	for (int i = 0; i < CVM_PAM_NRET; i++)
		if (strcmp(ret_names[i], name) == 0)
			return i;
	return -1;
}

const char *
cvm_pam_ret_name(int ret)
{
	return ret >= 0 && ret < CVM_PAM_NRET ? ret_names[ret] : "?";
}

const char *
cvm_pam_arg(const struct cvm_pam_line *l, const char *name)
{
	size_t n = strlen(name);
	const char *v = NULL;

	for (int i = 0; i < l->argc; i++) {
		if (strncmp(l->argv[i], name, n) != 0)
			continue;
		if (l->argv[i][n] == '=')
			v = l->argv[i] + n + 1;
		else if (l->argv[i][n] == '\0')
			v = "";
	}
	return v;
}

/* ---- reading ------------------------------------------------------- */

struct rd {
	const char *data;
	size_t len, pos;
	int line;		/* physical line the next read starts on */
};

/* fgets(3) over a buffer: at most n-1 bytes, through the first '\n'. */
static int
rd_gets(struct rd *r, char *dst, size_t n)
{
	size_t k = 0;

	if (r->pos >= r->len || n < 2)
		return 0;
	while (k < n - 1 && r->pos < r->len) {
		char c = r->data[r->pos++];

		dst[k++] = c;
		if (c == '\n') {
			r->line++;
			break;
		}
	}
	dst[k] = '\0';
	return 1;
}

/* _pam_assemble_line: comments from '#', blank lines skipped (also in the
 * middle of a continuation), a trailing '\' joins the next line.  Returns
 * the length (> 0), 0 at the end, -1 when libpam fails the file (the
 * joined line overflows its buffer, or the file ends inside one). */
static int
assemble(struct rd *r, char *buf, size_t buflen, int *lineno)
{
	char *p = buf, *end = buf + buflen, *s, *os;
	int used = 0;

	*lineno = 0;
	for (;;) {
		int phys = r->line;

		/* one byte left: glibc's fgets(p, 1, f) returns "" without
		 * reading, which libpam takes for a blank line and asks again,
		 * for ever; call it the overflow it is */
		if (end - p <= 1)
			return -1;
		if (!rd_gets(r, p, (size_t)(end - p)))
			return used ? -1 : 0;
		s = p + strspn(p, " \n\t");
		if (*s == '\0' || *s == '#')
			continue;
		if (*lineno == 0)
			*lineno = phys;
		os = s;
		while (*s && *s != '#')
			s++;
		if (*s == '#') {
			*s = '\0';
			used += (int)strlen(os);
			break;
		}
		s = os + strlen(os);
		while (s > os && (*--s == ' ' || *s == '\t' || *s == '\n'))
			;
		if (*s == '\\') {
			*s++ = ' ';
			*s = '\0';
			used += (int)strlen(os);
			p = s;
		} else {
			used += (int)strlen(os);
			break;
		}
	}
	return used;
}

/* _pam_StrTok on " \n\t": a token starting with '[' runs to the first ']'
 * (with "\]" kept as ']') and loses its brackets. */
static char *
tok(char *from, char **next)
{
	char *end;

	if (from == NULL && (from = *next) == NULL)
		return NULL;
	from += strspn(from, " \n\t");
	if (*from == '[') {
		char *to;

		for (to = end = ++from; *end && *end != ']'; ++to, ++end) {
			if (*end == '\\' && end[1] == ']')
				++end;
			if (to != end)
				*to = *end;
		}
		if (to != end)
			*to = '\0';
	} else if (*from) {
		end = from + strcspn(from, " \n\t");
	} else {
		*next = NULL;
		return NULL;
	}
	if (*end)
		*end++ = '\0';
	*next = *end ? end : NULL;
	return from;
}

static void
set_default(int *a, int act)
{
	for (int i = 0; i < CVM_PAM_NRET; i++)
		if (a[i] == CVM_PAMA_UNDEF)
			a[i] = act;
}

/* _pam_parse_control: "ret=action ..." with return names and actions
 * matched as prefixes, in libpam's table order; any error makes every
 * return "bad".  Returns 0, or -1 with *err set (libpam logs it). */
static int
parse_control(int *a, const char *t, const char **err)
{
	while (*t) {
		int ret, act;
		size_t len = 0;

		while (isspace((unsigned char)*t))
			t++;
		if (!*t)
			break;
		for (ret = 0; ret <= CVM_PAM_NRET; ret++) {
			len = strlen(ret_names[ret]);
			if (strncmp(ret_names[ret], t, len) == 0)
				break;
		}
		if (ret > CVM_PAM_NRET || !*(t += len)) {
			*err = "expecting return value";
			goto bad;
		}
		while (isspace((unsigned char)*t))
			t++;
		if (*t++ != '=') {
			*err = "expecting '='";
			goto bad;
		}
		while (isspace((unsigned char)*t))
			t++;
		if (!*t) {
			*err = "expecting action";
			goto bad;
		}
		for (act = 0; act < 6; act++) {
			len = strlen(act_names[act]);
			if (strncmp(act_names[act], t, len) == 0) {
				act = -act;
				t += len;
				break;
			}
		}
		if (act > 0) {
			/* a jump: a positive decimal (saturated: libpam's int
			 * would overflow; either way it overruns) */
			if (!isdigit((unsigned char)*t)) {
				*err = "expecting jump number";
				goto bad;
			}
			act = 0;
			do {
				if (act < 100000000)
					act = act * 10 + (*t - '0');
			} while (*++t && isdigit((unsigned char)*t));
			if (act == 0) {
				*err = "expecting non-zero";
				goto bad;
			}
		}
		if (ret != CVM_PAM_NRET)
			a[ret] = act;
		else
			set_default(a, act);
	}
	return 0;
bad:
	for (int i = 0; i < CVM_PAM_NRET; i++)
		a[i] = CVM_PAMA_BAD;
	return -1;
}

/* ---- building ------------------------------------------------------ */

struct ld {
	struct cvm_pam_stack *s;
	const struct cvm_pam_opts *o;
	int debian;
	int loads;
	const char *service;
	int oom;
};

static char *
xstrdup(struct ld *L, const char *p)
{
	char *d;

	if (p == NULL)
		return NULL;
	if ((d = strdup(p)) == NULL)
		L->oom = 1;
	return d;
}

static void
problem(struct ld *L, const char *file, int line, int type, const char *fmt, ...)
{
	struct cvm_pam_problem *np;
	va_list ap;
	char *msg = NULL;

	if (L->s->nprob >= 256)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	np = realloc(L->s->prob, (L->s->nprob + 1) * sizeof(*np));
	if (msg == NULL || np == NULL) {
		free(msg);
		if (np != NULL)
			L->s->prob = np;
		L->oom = 1;
		return;
	}
	L->s->prob = np;
	np[L->s->nprob].file = xstrdup(L, file);
	np[L->s->nprob].line = line;
	np[L->s->nprob].type = type;
	np[L->s->nprob].msg = msg;
	L->s->nprob++;
}

/* Finds a module as libpam's dlopen would: an absolute path as it is,
 * a relative one under the module directories. */
static char *
find_module(struct ld *L, const char *mod)
{
	const char *const *dirs = L->o->moddirs ? L->o->moddirs : cvm_pam_module_dirs;
	const struct cvm_root *r = L->o->root;
	struct stat st;
	char path[PATH_MAX];

	if (mod[0] == '/') {
		if (cvm_root_stat(r, mod, &st, 1) == 0 && S_ISREG(st.st_mode))
			return xstrdup(L, mod);
		return NULL;
	}
	for (size_t i = 0; dirs[i] != NULL; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dirs[i], mod) >=
		    sizeof(path))
			continue;
		if (cvm_root_stat(r, path, &st, 1) == 0 && S_ISREG(st.st_mode))
			return xstrdup(L, path);
	}
	return NULL;
}

/* _pam_add_handler: appends a line to handlers.conf/other of its type.
 * -1 for libpam's PAM_ABORT (a type it cannot file: the file fails). */
static int
add_line(struct ld *L, int other, int type, enum cvm_pam_ht ht, int level,
    const int *actions, const char *control, const char *mod, char *args,
    const char *file, int line)
{
	struct cvm_pam_line *v, *l;
	size_t *n;
	char *a, *nx = NULL;

	if (type < 0 || type >= CVM_PAMT_N)
		return -1;
	if (L->s->total >= MAX_LINES) {
		problem(L, file, line, CVM_PAMT_ANY, "too many PAM lines");
		return -1;
	}
	n = &L->s->nlines[other][type];
	if (*n == L->s->caplines[other][type]) {
		/* doubling: one line at a time made a hostile 20,000-line
		 * stack quadratic (a fuzz timeout) */
		size_t cap = *n ? *n * 2 : 16;

		v = realloc(L->s->lines[other][type], cap * sizeof(*v));
		if (v == NULL) {
			L->oom = 1;
			return -1;
		}
		L->s->lines[other][type] = v;
		L->s->caplines[other][type] = cap;
	}
	v = L->s->lines[other][type];
	l = &v[*n];
	memset(l, 0, sizeof(*l));
	(*n)++;
	L->s->total++;
	l->type = type;
	l->ht = ht;
	l->level = level;
	memcpy(l->actions, actions, sizeof(l->actions));
	l->control = xstrdup(L, control);
	l->module = xstrdup(L, mod);
	l->file = xstrdup(L, file);
	l->line = line;
	l->other = other;
	if ((ht == CVM_PAMHT_MODULE || ht == CVM_PAMHT_SILENT) && mod != NULL)
		l->path = find_module(L, mod);
	/* _pam_mkargv: the rest, split the same way as the fields */
	if (args != NULL) {
		size_t cap = strlen(args) / 2 + 2;

		if ((l->argv = calloc(cap, sizeof(char *))) == NULL) {
			L->oom = 1;
			return 0;
		}
		for (a = tok(args, &nx); a != NULL && (size_t)l->argc < cap - 1;
		    a = tok(NULL, &nx))
			l->argv[l->argc++] = xstrdup(L, a);
	}
	return 0;
}

static int load_file(struct ld *L, const char *name, int reqtype, int level,
    int other, int depth, const char *from, int fromline);

static int
type_from(const char *t)
{
	for (int i = 0; i < CVM_PAMT_N; i++)
		if (strcasecmp(t, type_names[i]) == 0)
			return i;
	return -1;
}

/* _pam_parse_conf_file for one file's text. */
static int
parse_text(struct ld *L, const char *file, const char *text, size_t len,
    int reqtype, int level, int other, int depth)
{
	struct rd r = { text, len, 0, 1 };
	char buf[LINE_BUF];
	int x, ln;

	while ((x = assemble(&r, buf, sizeof(buf), &ln)) > 0) {
		char *t, *nx = buf, *control = NULL, *mod = NULL;
		int type, actions[CVM_PAM_NRET], include = 0, substack = 0;
		enum cvm_pam_ht ht = CVM_PAMHT_MODULE;
		const char *err = NULL;

		if (L->oom)
			return -1;
		for (int i = 0; i < CVM_PAM_NRET; i++)
			actions[i] = CVM_PAMA_UNDEF;
		t = tok(NULL, &nx);
		if (t == NULL) {
			type = reqtype != CVM_PAMT_ANY ? reqtype : CVM_PAMT_AUTH;
			ht = CVM_PAMHT_MUST_FAIL;
			problem(L, file, ln, type, "empty module type");
		} else if (strcasecmp(t, "@include") == 0) {
			/* Debian: every type of the file, or the one asked */
			include = 1;
			type = reqtype;
			goto target;
		} else {
			if (t[0] == '-') {
				ht = CVM_PAMHT_SILENT;
				t++;
			}
			if ((type = type_from(t)) < 0) {
				type = reqtype != CVM_PAMT_ANY ? reqtype : CVM_PAMT_AUTH;
				ht = CVM_PAMHT_MUST_FAIL;
				problem(L, file, ln, type, "illegal module type: %s", t);
			}
		}
		if (reqtype != CVM_PAMT_ANY && type != reqtype)
			continue;
		t = tok(NULL, &nx);
		control = t;
		if (t == NULL) {
			problem(L, file, ln, type, "no control flag supplied");
			set_default(actions, CVM_PAMA_BAD);
			ht = CVM_PAMHT_MUST_FAIL;
		} else if (strcasecmp(t, "required") == 0 ||
		    strcasecmp(t, "requisite") == 0) {
			actions[CVM_PAM_SUCCESS] = CVM_PAMA_OK;
			actions[12] = CVM_PAMA_OK;	/* new_authtok_reqd */
			actions[CVM_PAM_IGNORE] = CVM_PAMA_IGNORE;
			set_default(actions, strcasecmp(t, "required") == 0 ?
			    CVM_PAMA_BAD : CVM_PAMA_DIE);
		} else if (strcasecmp(t, "optional") == 0) {
			actions[CVM_PAM_SUCCESS] = CVM_PAMA_OK;
			actions[12] = CVM_PAMA_OK;
			set_default(actions, CVM_PAMA_IGNORE);
		} else if (strcasecmp(t, "sufficient") == 0) {
			actions[CVM_PAM_SUCCESS] = CVM_PAMA_DONE;
			actions[12] = CVM_PAMA_DONE;
			set_default(actions, CVM_PAMA_IGNORE);
		} else if (strcasecmp(t, "include") == 0) {
			include = 1;
		} else if (strcasecmp(t, "substack") == 0) {
			include = 1;
			substack = 1;
		} else {
			if (parse_control(actions, t, &err) < 0)
				problem(L, file, ln, type, "bad control [%s]: %s",
				    t, err);
			set_default(actions, CVM_PAMA_BAD);
		}
target:
		t = tok(NULL, &nx);
		if (include) {
			if (substack && add_line(L, other, type,
			    CVM_PAMHT_SUBSTACK, level, actions, control, t, NULL,
			    file, ln) < 0)
				return -1;
			if (load_file(L, t, type, level + substack, other,
			    depth + 1, file, ln) == 0)
				continue;
			set_default(actions, CVM_PAMA_BAD);
			ht = CVM_PAMHT_MUST_FAIL;
			mod = NULL;
			nx = NULL;
		} else if (t != NULL) {
			mod = t;
		} else {
			problem(L, file, ln, type, "no module name supplied");
			ht = CVM_PAMHT_MUST_FAIL;
		}
		if (add_line(L, other, type, ht, level, actions, control, mod,
		    nx, file, ln) < 0) {
			if (type == CVM_PAMT_ANY)
				problem(L, file, ln, CVM_PAMT_ANY,
				    "failed @include: libpam abandons the file");
			return -1;
		}
	}
	if (x < 0) {
		problem(L, file, ln ? ln : r.line, CVM_PAMT_ANY, x < 0 &&
		    r.pos >= r.len ? "file ends inside a continued line" :
		    "line longer than libpam's %d-byte buffer", LINE_BUF);
		return -1;
	}
	return L->oom ? -1 : 0;
}

/* _pam_open_config_file: an absolute name as it is; else confdir only,
 * or /etc/pam.d, /usr/lib/pam.d, /usr/etc/pam.d.  0, 1 not found, -1
 * ENOMEM. */
static int
open_conf(struct ld *L, const char *name, char **path, char **text, size_t *len)
{
	static const char *const dirs[] = {
		"/etc/pam.d", "/usr/lib/pam.d", "/usr/etc/pam.d",
	};
	char p[PATH_MAX];
	size_t nd = L->o->confdir ? 1 : 3;

	for (size_t i = 0; i < nd; i++) {
		if (name[0] == '/')
			snprintf(p, sizeof(p), "%s", name);
		else if ((size_t)snprintf(p, sizeof(p), "%s/%s",
		    L->o->confdir ? L->o->confdir : dirs[i], name) >= sizeof(p))
			return 1;
		if (cvm_root_read(L->o->root, p, FILE_CAP, text, len) == 0) {
			if ((*path = strdup(p)) == NULL) {
				free(*text);
				*text = NULL;
				L->oom = 1;
				return -1;
			}
			return 0;
		}
		if (errno == ENOMEM) {
			L->oom = 1;
			return -1;
		}
		if (name[0] == '/')
			break;
	}
	return 1;
}

/* _pam_load_conf_file: an include or substack target.  0 or -1 (the
 * including line then fails). */
static int
load_file(struct ld *L, const char *name, int reqtype, int level, int other,
    int depth, const char *from, int fromline)
{
	char *path = NULL, *text = NULL;
	size_t len;
	struct stat st;
	int rc;

	if (L->s->total >= MAX_LINES)
		return -1;	/* said once, by add_line */
	if (level >= MAX_LEVEL) {
		problem(L, from, fromline, reqtype, "maximum level of substacks reached");
		return -1;
	}
	if (name == NULL) {
		problem(L, from, fromline, reqtype, "include without a file name");
		return -1;
	}
	if (depth > MAX_DEPTH || ++L->loads > MAX_LOADS) {
		problem(L, from, fromline, reqtype, "includes nested too deep "
		    "or too many (a loop? libpam would recurse until it crashes)");
		return -1;
	}
	if (L->debian && name[0] != '/' && cvm_root_stat(L->o->root,
	    "/etc/pam.d", &st, 1) == 0 && S_ISDIR(st.st_mode)) {
		/* Debian: /etc/pam.d/NAME, nothing else (seen with strace on
		 * libpam 1.5.2-6+deb12u3: no /usr/lib/pam.d, no confdir) */
		char p[PATH_MAX];

		if ((size_t)snprintf(p, sizeof(p), "/etc/pam.d/%s", name) >= sizeof(p))
			rc = 1;
		else if (cvm_root_read(L->o->root, p, FILE_CAP, &text, &len) == 0)
			rc = (path = strdup(p)) == NULL ? (L->oom = 1, -1) : 0;
		else
			rc = errno == ENOMEM ? (L->oom = 1, -1) : 1;
		if (rc < 0)
			free(text);
	} else {
		rc = open_conf(L, name, &path, &text, &len);
	}
	if (rc != 0) {
		if (rc > 0)
			problem(L, from, fromline, reqtype,
			    "included file %s not found", name);
		return -1;
	}
	rc = parse_text(L, path, text, len, reqtype, level, other, depth);
	free(path);
	free(text);
	return rc;
}

int
cvm_pam_stack_load(struct cvm_pam_stack *s, const char *service,
    const struct cvm_pam_opts *o)
{
	static const struct cvm_pam_opts none = { NULL, NULL, NULL, -1 };
	struct ld L;
	char *path = NULL, *text = NULL, svc[256];
	size_t len;
	int rc, read_something = 0;

	memset(s, 0, sizeof(*s));
	/* pam_start: the base name, lower-cased ("Forbid paths") */
	if (strrchr(service, '/') != NULL)
		service = strrchr(service, '/') + 1;
	if (strlen(service) >= sizeof(svc) || *service == '\0') {
		s->broken = 1;
		if ((s->broken_why = strdup("bad PAM service name")) == NULL)
			goto oom;
		return 0;
	}
	for (size_t i = 0; service[i]; i++)
		svc[i] = (char)tolower((unsigned char)service[i]);
	svc[strlen(service)] = '\0';
	service = svc;
	L.s = s;
	L.o = o ? o : &none;
	L.service = service;
	L.oom = 0;
	L.loads = 0;
	L.debian = L.o->debian;
	if (L.debian < 0) {
		struct stat st;

		L.debian = cvm_root_stat(L.o->root, "/etc/debian_version", &st, 1) == 0;
	}
	rc = open_conf(&L, service, &path, &text, &len);
	if (rc < 0)
		goto oom;
	if (rc == 0) {
		s->service_file = path;
		if (parse_text(&L, path, text, len, CVM_PAMT_ANY, 0, 0, 0) < 0) {
			if (L.oom)
				goto oom;
			s->broken = 1;
			if (asprintf(&s->broken_why, "%s cannot be read by "
			    "libpam: every PAM call fails", path) < 0)
				goto oom;
		} else {
			read_something = 1;
		}
		free(text);
		text = NULL;
	}
	if (!s->broken) {
		char *opath = NULL;

		rc = open_conf(&L, "other", &opath, &text, &len);
		if (rc < 0)
			goto oom;
		if (rc == 0) {
			if (parse_text(&L, opath, text, len, CVM_PAMT_ANY, 0, 1,
			    0) == 0)
				read_something = 1;
			else if (L.oom) {
				free(opath);
				goto oom;
			}
			free(opath);
			free(text);
			text = NULL;
		}
		if (!read_something) {
			s->broken = 1;
			if (asprintf(&s->broken_why, "no readable PAM "
			    "configuration for %s nor other: every PAM call "
			    "fails", service) < 0)
				goto oom;
		}
	}
	if (L.oom)
		goto oom;
	return 0;
oom:
	free(text);
	cvm_pam_stack_free(s);
	errno = ENOMEM;
	return -1;
}

static void
free_line(struct cvm_pam_line *l)
{
	free(l->control);
	free(l->module);
	free(l->path);
	free(l->file);
	for (int i = 0; i < l->argc; i++)
		free(l->argv[i]);
	free(l->argv);
}

void
cvm_pam_stack_free(struct cvm_pam_stack *s)
{
	for (int o = 0; o < 2; o++)
		for (int t = 0; t < CVM_PAMT_N; t++) {
			for (size_t i = 0; i < s->nlines[o][t]; i++)
				free_line(&s->lines[o][t][i]);
			free(s->lines[o][t]);
		}
	for (size_t i = 0; i < s->nprob; i++) {
		free(s->prob[i].file);
		free(s->prob[i].msg);
	}
	free(s->prob);
	free(s->broken_why);
	free(s->service_file);
	memset(s, 0, sizeof(*s));
}

const struct cvm_pam_line *
cvm_pam_chain(const struct cvm_pam_stack *s, int type, size_t *n)
{
	int o;

	*n = 0;
	if (type < 0 || type >= CVM_PAMT_N || s->broken)
		return NULL;
	o = s->nlines[0][type] > 0 ? 0 : 1;
	*n = s->nlines[o][type];
	return s->lines[o][type];
}

/* ---- walking (pam_dispatch.c) ------------------------------------- */

#define UNDEF	0
#define POS	1
#define NEG	(-1)

int
cvm_pam_eval(const struct cvm_pam_stack *s, int type, cvm_pam_predict_fn fn,
    void *ctx, struct cvm_pam_step *steps, size_t override_idx,
    int override_ret)
{
	const struct cvm_pam_line *h;
	int imp = UNDEF, status = CVM_PAM_PERM_DENIED;
	int sub_imp[MAX_LEVEL + 1], sub_status[MAX_LEVEL + 1];
	int prev_level = 0, level;
	size_t n, i;

	h = cvm_pam_chain(s, type, &n);
	if (steps != NULL)
		memset(steps, 0, n * sizeof(*steps));
	if (s->broken)
		return CVM_PAM_ABORT;
	if (n == 0)
		return CVM_PAM_PERM_DENIED;	/* "no modules loaded" */
	sub_imp[0] = UNDEF;
	sub_status[0] = CVM_PAM_PERM_DENIED;
	for (i = 0; i < n; prev_level = level, i++) {
		int ret, action;

		level = h[i].level;
		if (level > MAX_LEVEL)
			level = MAX_LEVEL;
		if (prev_level < level) {
			sub_imp[level] = imp;
			sub_status[level] = status;
		}
		if (h[i].ht == CVM_PAMHT_SUBSTACK)
			continue;
		if (i == override_idx)
			ret = override_ret;
		else if (h[i].ht == CVM_PAMHT_MUST_FAIL)
			ret = CVM_PAM_PERM_DENIED;
		else if (h[i].path == NULL)
			ret = CVM_PAM_MODULE_UNKNOWN;
		else
			ret = fn(ctx, &h[i], i);
		if (ret < 0 || ret >= CVM_PAM_NRET) {
			ret = CVM_PAM_PERM_DENIED;
			action = CVM_PAMA_BAD;
		} else {
			action = h[i].actions[ret];
		}
		if (steps != NULL) {
			steps[i].ran = 1;
			steps[i].ret = ret;
			steps[i].action = action;
		}
		switch (action) {
		case CVM_PAMA_RESET:
			imp = sub_imp[level];
			status = sub_status[level];
			break;
		case CVM_PAMA_OK:
		case CVM_PAMA_DONE:
			/* (libpam's "retval != PAM_IGNORE" test only matters
			 * for a cached chain: here an ignore under ok counts) */
			if (imp == UNDEF || (imp == POS && status == CVM_PAM_SUCCESS)) {
				imp = POS;
				status = ret;
			}
			if (imp == POS && action == CVM_PAMA_DONE)
				goto decided;
			break;
		case CVM_PAMA_BAD:
		case CVM_PAMA_DIE:
			if (imp != NEG) {
				imp = NEG;
				status = ret == CVM_PAM_IGNORE ?
				    CVM_PAM_PERM_DENIED : ret;
			}
			if (action == CVM_PAMA_DIE)
				goto decided;
			break;
		case CVM_PAMA_IGNORE:
			break;
		default:
			if (action > 0) {
				/* skip `action` lines of this level; a deeper
				 * run (a substack) counts as one */
				while (i + 1 < n && h[i + 1].level >= level &&
				    action > 0) {
					do
						i++;
					while (i + 1 < n && h[i + 1].level > level);
					action--;
				}
			}
			if (action) {	/* overrun: "bad jump in stack" */
				imp = NEG;
				status = CVM_PAM_PERM_DENIED;
			}
		}
		continue;
decided:
		if (steps != NULL)
			steps[i].ended = 1;
		while (i + 1 < n && h[i + 1].level >= level)
			i++;
	}
	if (status == CVM_PAM_SUCCESS && imp != POS)
		status = CVM_PAM_PERM_DENIED;
	return status;
}
