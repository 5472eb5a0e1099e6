/* cvmkey bind / unbind / list. */
#include "config.h"
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "authkeys.h"
#include "cli.h"
#include "db.h"
#include "dbwrite.h"
#include "jsonw.h"
#include "names.h"
#include "nscd.h"
#include "policy.h"
#include "strutil.h"

#define KEYFILE_MAX (1024 * 1024)

/* Load, edit, write a new generation, all under the writers' lock. */
int
db_update(struct cli *c, edit_fn fn, void *arg)
{
	const char *path = c->conf.db;
	struct cvm_dbm m;
	struct stat st;
	char err[512], *dir, *slash;
	int lock, ret = EXIT_INTERNAL, r;

	if ((dir = strdup(path)) == NULL)
		return EXIT_INTERNAL;
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		/* 0755 whatever the umask: the AuthorizedKeysCommand user
		 * must reach the database. */
		if (mkdir(dir, 0755) == 0)
			(void)chmod(dir, 0755);
		else if (errno != EEXIST) {
			fprintf(stderr, "cvmkey: %s: %s\n", dir, strerror(errno));
			free(dir);
			return EXIT_INTERNAL;
		}
	}
	free(dir);
	if ((lock = cvm_db_lock(path, err, sizeof(err))) == -1) {
		fprintf(stderr, "cvmkey: %s\n", err);
		return EXIT_INTERNAL;
	}
	cvm_dbm_init(&m);
	if (lstat(path, &st) == 0 && st.st_nlink > 1) {
		fprintf(stderr, "cvmkey: %s: refused: it has %lu hard links "
		    "(was it copied or linked by hand?)\n", path,
		    (unsigned long)st.st_nlink);
		goto out;
	}
	if (cvm_dbm_load(path, 1, &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "cvmkey: %s\n", err);
		goto out;
	}
	if ((r = fn(&m, arg)) != EXIT_OK) {
		ret = r;
		goto out;
	}
	if (cvm_dbm_write(path, &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "cvmkey: %s\n", err);
		goto out;
	}
	ret = EXIT_OK;
out:
	cvm_dbm_free(&m);
	cvm_db_unlock(lock);
	/* Every write goes through here: nscd must not keep serving the
	 * previous generation's accounts (or their absence). */
	if (ret == EXIT_OK && cvm_nscd_invalidate(err, sizeof(err)) != 0)
		fprintf(stderr, "cvmkey: warning: %s (the database was written; "
		    "run \"nscd -i passwd; nscd -i group\")\n", err);
	return ret;
}

int
bind_edit(struct cvm_dbm *m, void *arg)
{
	struct bind_args *b = arg;
	struct cvm_dbm_user *u;
	time_t now = time(NULL);

	if ((u = cvm_dbm_find_user(m, b->user)) == NULL &&
	    (u = cvm_dbm_add_user(m, b->user)) == NULL)
		return EXIT_INTERNAL;
	for (size_t i = 0; i < b->n; i++) {
		const struct cvm_akline *l = &b->lines[i];
		const char *label = b->label != NULL ? b->label :
		    l->comment != NULL ? l->comment : "";
		int dup = 0;

		for (uint32_t k = 0; k < u->nkeys; k++)
			if (strcmp(u->keys[k].fp, l->key.fp) == 0)
				dup = 1;
		if (dup) {
			printf("%s: %s already bound\n", b->user, l->key.fp);
			continue;
		}
		if (u->nkeys >= 32) {
			fprintf(stderr, "cvmkey: %s: at most 32 keys per account\n",
			    b->user);
			return EXIT_REFUSED;
		}
		if (cvm_dbm_add_key(u, l->key.type, l->key.blob,
		    (uint32_t)l->key.bloblen, label, l->key.fp, (int64_t)now,
		    l->expiry) != 0)
			return EXIT_INTERNAL;
		printf("%s: bound %s %s%s%s\n", b->user, l->key.fp, l->key.type,
		    *label ? " " : "", label);
	}
	return EXIT_OK;
}

/* Reads and validates every key line of a key file: all or nothing. */
static int
read_keys(const char *file, struct bind_args *b)
{
	char err[512], *buf = NULL;
	size_t len = 0;
	int ret;
	unsigned lineno = 0;

	if ((ret = cli_read_input("bind", file, KEYFILE_MAX, &buf, &len)) != EXIT_OK)
		goto out;
	ret = EXIT_REFUSED;
	if (strcmp(file, "-") == 0)
		file = "standard input";
	for (const char *p = buf; p < buf + len;) {
		const char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(buf + len - p);
		struct cvm_akline l, *nv;

		lineno++;
		if (cvm_akline_parse(p, ll, &l, err, sizeof(err)) != 0) {
			fprintf(stderr, "cvmkey: %s:%u: %s\n", file, lineno, err);
			cvm_akline_free(&l);
			goto out;
		}
		p += ll + 1;
		if (!l.has_key) {
			cvm_akline_free(&l);
			continue;
		}
		if (l.command != NULL || l.from != NULL || l.cert_authority ||
		    l.principals != NULL || l.restrict_) {
			fprintf(stderr, "cvmkey: %s:%u: key options other than "
			    "expiry-time cannot be bound\n", file, lineno);
			cvm_akline_free(&l);
			goto out;
		}
		if (!cvm_key_bindable(&l.key, err, sizeof(err))) {
			fprintf(stderr, "cvmkey: %s:%u: %s\n", file, lineno, err);
			cvm_akline_free(&l);
			goto out;
		}
		if ((nv = realloc(b->lines, (b->n + 1) * sizeof(*nv))) == NULL) {
			cvm_akline_free(&l);
			ret = EXIT_INTERNAL;
			goto out;
		}
		b->lines = nv;
		b->lines[b->n++] = l;
	}
	if (b->n == 0) {
		fprintf(stderr, "cvmkey: %s: no key found\n", file);
		goto out;
	}
	ret = EXIT_OK;
out:
	free(buf);
	return ret;
}

/* --uid, --shell, --home: "--opt value" or "--opt=value".  Returns the
 * option's name (val NULL when the value is missing) or NULL when argv[*i]
 * is none of them; advances *i past a separate value. */
static const char *
value_option(int argc, char **argv, int *i, const char **val)
{
	static const char *const opts[] = { "--uid", "--shell", "--home" };
	const char *a = argv[*i];

	for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
		size_t n = strlen(opts[k]);

		if (strncmp(a, opts[k], n) != 0)
			continue;
		if (a[n] == '=') {
			*val = a + n + 1;
			return opts[k];
		}
		if (a[n] == '\0') {
			*val = *i + 1 < argc ? argv[++*i] : NULL;
			return opts[k];
		}
	}
	return NULL;
}

int
cmd_bind(struct cli *c, int argc, char **argv)
{
	struct bind_args b = { NULL, NULL, NULL, 0 };
	struct create_opts co = { -1, NULL, NULL, 0 };
	const char *file = "-", *prob;
	struct passwd *pw;
	char *canon = NULL;
	int npos = 0, create = 0, copts = 0, ret, r;

	for (int i = 1; i < argc; i++) {
		const char *opt, *val;

		if ((r = cli_common_option(c, argc, argv, i)) < 0)
			return EXIT_USAGE;
		if (r > 0) {
			i += r - 1;
			continue;
		}
		if (strcmp(argv[i], "--label") == 0 && i + 1 < argc)
			b.label = argv[++i];
		else if (strncmp(argv[i], "--label=", 8) == 0)
			b.label = argv[i] + 8;
		else if (strcmp(argv[i], "--create") == 0)
			create = 1;
		else if (strcmp(argv[i], "--admin") == 0)
			co.admin = copts = 1;
		else if ((opt = value_option(argc, argv, &i, &val)) != NULL) {
			if (val == NULL) {
				fprintf(stderr, "cvmkey: bind: %s needs an argument\n",
				    opt);
				return EXIT_USAGE;
			}
			copts = 1;
			if (strcmp(opt, "--shell") == 0)
				co.shell = val;
			else if (strcmp(opt, "--home") == 0)
				co.home = val;
			else {
				unsigned long ul;

				if (cvm_parse_ulong(val, 0, 0xffffffffUL, &ul) != 0) {
					fprintf(stderr, "cvmkey: bind: --uid: not a "
					    "number: %s\n", val);
					return EXIT_USAGE;
				}
				co.uid = (long long)ul;
			}
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "cvmkey: bind: unknown option %s\n", argv[i]);
			return EXIT_USAGE;
		} else if (npos == 0) {
			b.user = argv[i];
			npos++;
		} else if (npos == 1) {
			file = argv[i];
			npos++;
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (b.user == NULL) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (copts && !create) {
		fprintf(stderr, "cvmkey: bind: --uid, --shell, --home and --admin "
		    "go with --create\n");
		return EXIT_USAGE;
	}
	if (b.label != NULL && strpbrk(b.label, "\n\r") != NULL) {
		fprintf(stderr, "cvmkey: --label: no line breaks\n");
		return EXIT_USAGE;
	}
	if (create) {
		/* DESIGN §4's rules, before anything is read or locked */
		if ((prob = cvm_name_problem(b.user)) != NULL) {
			fprintf(stderr, "cvmkey: bind --create: invalid account "
			    "name: %s\n", prob);
			return EXIT_REFUSED;
		}
	} else if (!cvm_binding_name_ok(b.user) || (pw = getpwnam(b.user)) == NULL) {
		fprintf(stderr, "cvmkey: %s: no such user\n", b.user);
		return EXIT_REFUSED;
	} else {
		/* Bind under the name sshd passes to "authorized-keys %u":
		 * pw_name, which a case-insensitive NSS source may spell
		 * differently. */
		if ((canon = strdup(pw->pw_name)) == NULL)
			return EXIT_INTERNAL;
		b.user = canon;
	}
	if ((ret = read_keys(file, &b)) == EXIT_OK)
		ret = create ? bind_create(c, &b, &co) : db_update(c, bind_edit, &b);
	for (size_t i = 0; i < b.n; i++)
		cvm_akline_free(&b.lines[i]);
	free(b.lines);
	free(canon);
	return ret;
}

struct unbind_args {
	const char *user;
	const char *what;	/* fingerprint or label; NULL: all */
};

static int
unbind_edit(struct cvm_dbm *m, void *arg)
{
	struct unbind_args *a = arg;
	struct cvm_dbm_user *u = cvm_dbm_find_user(m, a->user);
	int removed = 0;

	if (u == NULL) {
		fprintf(stderr, "cvmkey: %s: no key bound\n", a->user);
		return EXIT_REFUSED;
	}
	for (uint32_t k = u->nkeys; k-- > 0;) {
		if (a->what != NULL && strcmp(u->keys[k].fp, a->what) != 0 &&
		    strcmp(u->keys[k].label, a->what) != 0)
			continue;
		printf("%s: unbound %s\n", a->user, u->keys[k].fp);
		if (cvm_dbm_remove_key(u, k) != 0)
			return EXIT_INTERNAL;
		removed++;
	}
	if (removed == 0) {
		fprintf(stderr, "cvmkey: %s: %s is not bound\n", a->user, a->what);
		return EXIT_REFUSED;
	}
	/* A binding-only record with no keys left is removed whole. */
	if (u->nkeys == 0 && !(u->flags & CVM_DBU_PROVISIONED))
		cvm_dbm_remove_user(m, a->user);
	return EXIT_OK;
}

int
cmd_unbind(struct cli *c, int argc, char **argv)
{
	struct unbind_args a = { NULL, NULL };
	int all = 0, npos = 0, r;

	for (int i = 1; i < argc; i++) {
		if ((r = cli_common_option(c, argc, argv, i)) < 0)
			return EXIT_USAGE;
		if (r > 0) {
			i += r - 1;
			continue;
		}
		if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else if (argv[i][0] == '-' && strncmp(argv[i], "SHA256:", 7) != 0) {
			fprintf(stderr, "cvmkey: unbind: unknown option %s\n", argv[i]);
			return EXIT_USAGE;
		} else if (npos == 0 && ++npos)
			a.user = argv[i];
		else if (npos == 1 && ++npos)
			a.what = argv[i];
		else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (a.user == NULL || (a.what == NULL) == !all) {
		fprintf(stderr, "cvmkey: unbind USER (FINGERPRINT|LABEL|--all)\n");
		return EXIT_USAGE;
	}
	return db_update(c, unbind_edit, &a);
}

static void
list_user(const struct cvm_db_user *u, int json, int *first)
{
	for (uint32_t k = 0; k < u->nkeys; k++) {
		const struct cvm_db_key *dk = &u->keys[k];
		struct cvm_pubkey pk;
		char err[128];
		unsigned bits = 0;

		memset(&pk, 0, sizeof(pk));
		if (cvm_pubkey_from_blob(dk->blob, dk->bloblen, &pk, err, sizeof(err)) == 0)
			bits = pk.bits;
		cvm_pubkey_free(&pk);
		if (!json) {
			printf("%s\t%s\t%s\t%u\t", u->name, dk->fp, dk->type, bits);
			cli_print_time(stdout, dk->bound_at);
			printf("\t%s\n", dk->label);
			continue;
		}
		printf("%s\n    {\"user\":", *first ? "" : ",");
		*first = 0;
		cvm_json_str(stdout, u->name);
		printf(",\"fingerprint\":");
		cvm_json_str(stdout, dk->fp);
		printf(",\"type\":");
		cvm_json_str(stdout, dk->type);
		printf(",\"bits\":%u,\"label\":", bits);
		cvm_json_str(stdout, dk->label);
		printf(",\"bound_at\":");
		cli_json_time(stdout, dk->bound_at);
		printf(",\"expiry\":");
		cli_json_time(stdout, dk->expiry);
		printf(",\"source\":\"db\"}");
	}
}

int
cmd_list(struct cli *c, int argc, char **argv)
{
	const char *user = NULL;
	struct cvm_db *db = NULL;
	struct cvm_db_user u;
	char err[512];
	int json = 0, first = 1, st, r, ret = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		if ((r = cli_common_option(c, argc, argv, i)) < 0)
			return EXIT_USAGE;
		if (r > 0) {
			i += r - 1;
			continue;
		}
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-' || user != NULL) {
			usage(stderr);
			return EXIT_USAGE;
		} else
			user = argv[i];
	}
	st = cvm_db_open(c->conf.db, 1, &db, err, sizeof(err));
	if (st != CVM_DB_OK && st != CVM_DB_MISSING) {
		fprintf(stderr, "cvmkey: %s\n", err);
		return EXIT_INTERNAL;
	}
	if (json)
		printf("{\"schema\":1,\"keys\":[");
	else if (isatty(STDOUT_FILENO))
		printf("USER\tFINGERPRINT\tTYPE\tBITS\tBOUND\tLABEL\n");
	if (db != NULL && user != NULL) {
		st = cvm_db_user_byname(db, user, &u);
		if (st == CVM_DB_OK) {
			list_user(&u, json, &first);
			cvm_db_user_free(&u);
		} else if (st != CVM_DB_NOTFOUND) {
			fprintf(stderr, "cvmkey: %s: %s\n", c->conf.db, cvm_db_strstatus(st));
			ret = EXIT_INTERNAL;
		}
	} else if (db != NULL) {
		uint32_t n = cvm_db_header(db)->nusers;

		for (uint32_t i = 0; i < n && ret == EXIT_OK; i++) {
			if ((st = cvm_db_user_at(db, i, &u)) != CVM_DB_OK) {
				fprintf(stderr, "cvmkey: %s: %s\n", c->conf.db,
				    cvm_db_strstatus(st));
				ret = EXIT_INTERNAL;
				break;
			}
			list_user(&u, json, &first);
			cvm_db_user_free(&u);
		}
	}
	if (json)
		printf("%s]}\n", first ? "" : "\n  ");
	cvm_db_close(db);
	return ret;
}
