/* cvmkey audit (DESIGN §6): sets up the audited system (the tree, its
 * cvmkey.conf, sshd binary and config, the user), runs every step
 * (lib/audit_*.c), prints the findings as text or JSON, and exits 0 (no
 * warning or failure), 1 (warnings), 2 (a failure) or 3 (the audit could
 * not run, usage errors included). */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "audit.h"
#include "audit_acct.h"
#include "cli.h"
#include "jsonw.h"
#include "sshdcfg.h"

enum { A_OK = 0, A_WARN = 1, A_FAIL = 2, A_ERROR = 3 };

struct opts {
	const char *root, *user, *from, *method;
	int json, offline, effective, all;
};

static const char *const step_names[10] = {
	NULL, "key", NULL, "authentication methods", "network", "sshd",
	"firewall", "tcp_wrappers", "PAM and account", "system"
};

static void
audit_usage(void)
{
	fprintf(stderr, "usage: cvmkey audit [--root DIR] [--user USER "
	    "[--method password|publickey]] [--from ADDR]\n"
	    "                    [--format text|json] [--offline] "
	    "[--effective [--all]]\n");
}

static int
parse(struct cli *c, int argc, char **argv, struct opts *o)
{
	unsigned char ab[16];

	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char **dst = NULL;
		int used;

		if (strcmp(a, "--root") == 0)
			dst = &o->root;
		else if (strcmp(a, "--user") == 0)
			dst = &o->user;
		else if (strcmp(a, "--from") == 0)
			dst = &o->from;
		else if (strcmp(a, "--method") == 0)
			dst = &o->method;
		else if (strcmp(a, "--format") == 0) {
			if (v == NULL || (strcmp(v, "json") != 0 && strcmp(v, "text") != 0))
				goto bad;
			o->json = strcmp(v, "json") == 0;
			i++;
			continue;
		} else if (strcmp(a, "--offline") == 0) {
			o->offline = 1;
			continue;
		} else if (strcmp(a, "--effective") == 0) {
			o->effective = 1;
			continue;
		} else if (strcmp(a, "--all") == 0) {
			o->all = 1;
			continue;
		} else if ((used = cli_common_option(c, argc, argv, i)) > 0) {
			i += used - 1;
			continue;
		}
		if (dst == NULL || v == NULL)
			goto bad;
		*dst = v;
		i++;
	}
	if (o->method && strcmp(o->method, "password") != 0 &&
	    strcmp(o->method, "publickey") != 0) {
		fprintf(stderr, "cvmkey: audit: --method is password or publickey\n");
		return -1;
	}
	if (o->method && !o->user) {
		fprintf(stderr, "cvmkey: audit: --method needs --user\n");
		return -1;
	}
	if (o->all && !o->effective)
		goto bad;
	if (o->from && inet_pton(AF_INET, o->from, ab) != 1 &&
	    inet_pton(AF_INET6, o->from, ab) != 1) {
		fprintf(stderr, "cvmkey: audit: --from takes an IPv4 or IPv6 address\n");
		return -1;
	}
	return 0;
bad:
	audit_usage();
	return -1;
}

/* "9.2" from the "OpenSSH_9.2p1 ..." string inside the sshd binary. */
static int
sshd_version(const struct cvm_root *r, const char *bin, char *out, size_t outlen)
{
	static const char tag[] = "OpenSSH_";
	char *buf, *p;
	size_t len, n = 0;

	if (cvm_root_read(r, bin, 64u << 20, &buf, &len) != 0)
		return -1;
	for (p = buf; (p = memmem(p, len - (size_t)(p - buf), tag,
	    sizeof(tag) - 1)) != NULL; p++) {
		const char *v = p + sizeof(tag) - 1;

		for (n = 0; v + n < buf + len && n + 1 < outlen &&
		    ((v[n] >= '0' && v[n] <= '9') || v[n] == '.'); n++)
			out[n] = v[n];
		if (n >= 3 && out[0] != '.')
			break;
		n = 0;
	}
	out[n] = '\0';
	free(buf);
	return n > 0 ? 0 : -1;
}

static const char *
first_existing(const struct cvm_root *r, const char *const *paths)
{
	struct stat st;

	for (; *paths; paths++)
		if (cvm_root_stat(r, *paths, &st, 1) == 0 && S_ISREG(st.st_mode))
			return *paths;
	return NULL;
}

static int
group_names(void *ctx, const char *const **groups, size_t *n)
{
	const struct cvm_audit_acct *ac = ctx;

	*groups = (const char *const *)ac->groups.v;
	*n = ac->groups.n;
	return 0;
}

static void
verdict(const struct cvm_audit *a, unsigned m, const char ***ids, size_t *n)
{
	*n = 0;
	*ids = calloc(a->n + 1, sizeof(**ids));
	for (size_t i = 0; *ids && i < a->n; i++) {
		const struct cvm_finding *f = &a->f[i];
		size_t k;

		if (f->sev == CVM_SEV_PASS || !(f->blocks & m))
			continue;
		for (k = 0; k < *n && strcmp((*ids)[k], f->check->id) != 0; k++)
			;
		if (k == *n)
			(*ids)[(*n)++] = f->check->id;
	}
}

static void
print_json(const struct cvm_audit *a, const struct opts *o, const char *vword,
    const size_t cnt[4])
{
	static const struct { unsigned m; const char *name; } ms[] = {
		{ CVM_M_PUBKEY, "publickey" }, { CVM_M_PASSWORD, "password" } };
	int any = 0;

	printf("{\"schema\":1,\"root\":");
	cvm_json_str(stdout, a->root.dir);
	printf(",\"sshd_version\":");
	if (a->sshd_version)
		cvm_json_str(stdout, a->sshd_version);
	else
		printf("null");
	printf(",\"defaults_version\":");
	cvm_json_str(stdout, cvm_sshd_defaults_version());
	printf(",\"verdict\":\"%s\",\"summary\":{\"pass\":%zu,\"info\":%zu,"
	    "\"warn\":%zu,\"fail\":%zu},\"findings\":[", vword, cnt[0], cnt[1],
	    cnt[2], cnt[3]);
	for (size_t i = 0; i < a->n; i++) {
		const struct cvm_finding *f = &a->f[i];

		printf("%s{\"id\":\"%s\",\"severity\":\"%s\",\"step\":%d,"
		    "\"title\":", i ? "," : "", f->check->id, cvm_sev_name(f->sev),
		    f->check->step);
		cvm_json_str(stdout, f->check->title);
		printf(",\"detail\":");
		cvm_json_str(stdout, f->detail);
		printf(",\"file\":");
		if (f->file)
			cvm_json_str(stdout, f->file);
		else
			printf("null");
		if (f->file && f->line > 0)
			printf(",\"line\":%d", f->line);
		else
			printf(",\"line\":null");
		printf(",\"fix\":");
		if (f->fix)
			cvm_json_str(stdout, f->fix);
		else
			printf("null");
		printf("}");
	}
	printf("]");
	if (o->user) {
		printf(",\"login\":{\"user\":");
		cvm_json_str(stdout, o->user);
		printf(",\"from\":");
		if (o->from)
			cvm_json_str(stdout, o->from);
		else
			printf("null");
		printf(",\"methods\":{");
		for (size_t k = 0, first = 1; k < 2; k++) {
			const char **ids;
			size_t n;

			if (!(a->methods & ms[k].m))
				continue;
			verdict(a, ms[k].m, &ids, &n);
			any |= n == 0;
			printf("%s\"%s\":{\"allowed\":%s,\"blocking\":[", first ? "" :
			    ",", ms[k].name, n == 0 ? "true" : "false");
			for (size_t j = 0; j < n; j++)
				printf("%s\"%s\"", j ? "," : "", ids[j]);
			printf("]}");
			free(ids);
			first = 0;
		}
		printf("},\"allowed\":%s}", any ? "true" : "false");
	}
	printf("}\n");
}

static void
print_text(const struct cvm_audit *a, const struct opts *o, const char *vword,
    const size_t cnt[4])
{
	static const char *const col[4] = { "\033[32m", "\033[36m", "\033[33m",
	    "\033[31m" };
	static const char *const word[4] = { "pass", "INFO", "WARN", "FAIL" };
	int colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	const char *off = colour ? "\033[0m" : "";
	int step = 0;

	printf("cvmkey audit of %s (OpenSSH %s, %s)\n", a->root.dir,
	    a->sshd_version ? a->sshd_version : "unknown", a->sshd_config);
	if (a->sshd_version && strcmp(a->sshd_version, cvm_sshd_defaults_version()) != 0)
		printf("note: sshd defaults are those of OpenSSH %s; keywords whose "
		    "default changed since may differ\n", cvm_sshd_defaults_version());
	for (size_t i = 0; i < a->n; i++) {
		const struct cvm_finding *f = &a->f[i];

		if (f->check->step != step) {
			step = f->check->step;
			printf("\nStep %d: %s\n", step, step_names[step]);
			/* the checks that found nothing, on one line */
			printf("  passed:");
			int none = 1;
			for (size_t j = i; j < a->n && a->f[j].check->step == step; j++)
				if (a->f[j].sev == CVM_SEV_PASS &&
				    !cvm_audit_has(a, a->f[j].check->id, CVM_SEV_INFO)) {
					printf(" %s", a->f[j].check->id);
					none = 0;
				}
			printf("%s\n", none ? " -" : "");
		}
		if (f->sev == CVM_SEV_PASS)
			continue;
		printf("  %s%s%s %s", colour ? col[f->sev] : "", word[f->sev], off,
		    f->check->id);
		if (f->file && f->line > 0)
			printf(" %s:%d", f->file, f->line);
		else if (f->file)
			printf(" %s", f->file);
		printf(": %s\n", *f->detail ? f->detail : f->check->title);
		if (f->fix)
			printf("       fix: %s\n", f->fix);
	}
	if (o->user) {
		static const struct { unsigned m; const char *name; } ms[] = {
			{ CVM_M_PUBKEY, "publickey" }, { CVM_M_PASSWORD, "password" } };

		printf("\nLogin: %s%s%s\n", o->user, o->from ? " from " : "",
		    o->from ? o->from : "");
		for (size_t k = 0; k < 2; k++) {
			const char **ids;
			size_t n;

			if (!(a->methods & ms[k].m))
				continue;
			verdict(a, ms[k].m, &ids, &n);
			printf("  %-10s %s", ms[k].name, n == 0 ? "allowed" :
			    "blocked by");
			for (size_t j = 0; j < n; j++)
				printf(" %s", ids[j]);
			printf("\n");
			free(ids);
		}
	}
	printf("\n%zu pass, %zu info, %zu warn, %zu fail: %s\n", cnt[0], cnt[1],
	    cnt[2], cnt[3], vword);
}

int
cmd_audit(struct cli *c, int argc, char **argv)
{
	static const char *const sessions[] = { "/usr/lib/openssh/sshd-session",
	    "/usr/libexec/openssh/sshd-session", "/usr/libexec/sshd-session", NULL };
	struct opts o;
	struct cvm_audit a;
	struct cvm_audit_acct ac;
	struct cvm_conf tconf;
	struct cvm_sshd *sshd = NULL;
	struct cvm_sshd_conn conn;
	char err[1024], path[PATH_MAX], ver[32];
	const char *vword, *pamsvc;
	size_t cnt[4] = { 0, 0, 0, 0 };
	int ret = A_ERROR, have_acct = 0, tconf_init = 0;

	if (parse(c, argc, argv, &o) != 0)
		return A_ERROR;
	memset(&a, 0, sizeof(a));
	memset(&ac, 0, sizeof(ac));
	if (cvm_root_init(&a.root, o.root) != 0) {
		fprintf(stderr, "cvmkey: audit: --root %s: %s\n", o.root,
		    strerror(errno));
		return A_ERROR;
	}
	a.live = !a.root.rooted && !o.offline;
	a.user = o.user;
	a.from = o.from;
	a.now = time(NULL);
	a.methods = !o.method ? CVM_M_ALL : strcmp(o.method, "password") == 0 ?
	    CVM_M_PASSWORD : CVM_M_PUBKEY;
	/* Under --root, the tree's own cvmkey.conf and database. */
	a.conf = &c->conf;
	a.conf_path = c->config_path ? c->config_path : CVM_CONF_PATH;
	if (a.root.rooted) {
		if (cvm_conf_init(&tconf) != 0)
			goto out;
		tconf_init = 1;
		/* A tree has the standard layout (DESIGN §6), whatever
		 * paths this build was configured with. */
		a.conf_path = "/etc/cvmkey/cvmkey.conf";
		if (cvm_conf_set(&tconf, "db", "/var/lib/cvmkey/bindings.db",
		    c->log, "--root") != 0 ||
		    cvm_root_join(&a.root, a.conf_path, path, sizeof(path)) == NULL ||
		    cvm_conf_load(&tconf, path, c->log) != 0) {
			fprintf(stderr, "cvmkey: audit: %s cannot be used\n", path);
			goto out;
		}
		a.conf = &tconf;
	}
	a.sshd_config = a.conf->sshd_config;
	a.sshd_bin = "/usr/sbin/sshd";
	a.sshd_session_bin = first_existing(&a.root, sessions);
	if (sshd_version(&a.root, a.sshd_bin, ver, sizeof(ver)) == 0)
		a.sshd_version = ver;
	if (o.user) {
		if (cvm_audit_acct_load(&a.root, a.conf->db, o.user, &ac) != 0) {
			fprintf(stderr, "cvmkey: audit: cannot look up %s%s: %s\n",
			    o.user, a.root.rooted ? " in the tree's /etc/passwd, "
			    "/etc/group or /etc/shadow" : "", errno == EINVAL ?
			    "not a regular file" : strerror(errno));
			goto out;
		}
		have_acct = 1;
		a.acct = &ac;
		if (ac.exists) {
			a.pw = &ac.pw;
			a.groups = (const char *const *)ac.groups.v;
			a.ngroups = ac.groups.n;
		}
	}
	memset(&conn, 0, sizeof(conn));
	conn.user = o.user;
	conn.host = conn.addr = o.from;
	conn.lport = -1;
	if (ac.exists) {
		conn.resolve_groups = group_names;
		conn.resolve_ctx = &ac;
	}
	if (cvm_sshd_load(a.root.rooted ? a.root.dir : NULL, a.sshd_config,
	    o.user || o.from ? &conn : NULL, &sshd, err, sizeof(err)) != 0) {
		sshd = NULL;
		if (o.effective) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
		{
			/* err is "file:line: message" */
			char file[PATH_MAX];
			const char *colon = strchr(err, ':');
			int line = colon ? atoi(colon + 1) : 0;
			size_t fl = colon ? (size_t)(colon - err) : 0;

			snprintf(file, sizeof(file), "%.*s", (int)fl, err);
			cvm_audit_add(&a, "SSHD-CONFIG-ERROR", CVM_SEV_FAIL,
			    CVM_M_ALL, fl ? file : a.sshd_config, line,
			    "fix the line: sshd -t shows the same error", "%s", err);
		}
	}
	a.sshd = sshd;
	if (o.effective) {
		cvm_sshd_print(sshd, stdout, o.all);
		ret = A_OK;
		goto out;
	}
	pamsvc = sshd ? cvm_sshd_get(sshd, "pamservicename") : NULL;
	a.pam_service = pamsvc && *pamsvc ? pamsvc : "sshd";

	cvm_audit_sshd(&a);
	cvm_audit_user(&a);
	cvm_audit_net(&a);
	cvm_audit_sshd_live(&a);
	cvm_audit_firewall(&a);
	cvm_audit_tcpw(&a);
	cvm_audit_pam(&a);
	cvm_audit_system(&a);
	if (a.oom) {
		fprintf(stderr, "cvmkey: audit: out of memory\n");
		goto out;
	}
	cvm_audit_sort(&a);
	for (size_t i = 0; i < a.n; i++)
		cnt[a.f[i].sev]++;
	ret = cnt[CVM_SEV_FAIL] ? A_FAIL : cnt[CVM_SEV_WARN] ? A_WARN : A_OK;
	vword = ret == A_FAIL ? "fail" : ret == A_WARN ? "warn" : "pass";
	if (o.json)
		print_json(&a, &o, vword, cnt);
	else
		print_text(&a, &o, vword, cnt);
	if (fflush(stdout) != 0 || ferror(stdout))
		ret = A_ERROR;
out:
	cvm_audit_free(&a);
	cvm_sshd_free(sshd);
	if (have_acct)
		cvm_audit_acct_free(&ac);
	if (tconf_init)
		cvm_conf_free(&tconf);
	cvm_root_close(&a.root);
	return ret;
}
