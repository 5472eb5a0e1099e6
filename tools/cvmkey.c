/* cvmkey(8): bind, unbind and list SSH keys; serve AuthorizedKeysCommand. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "strutil.h"
#include "cli.h"

void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cvmkey [--config PATH] [--db PATH] COMMAND [ARGS]\n"
	    "  bind USER [KEYFILE|-] [--label L]\n"
	    "       [--create [--uid N] [--shell S] [--home H] [--admin]]\n"
	    "  unbind USER (FINGERPRINT|LABEL|--all)\n"
	    "  list [USER] [--json]\n"
	    "  authorized-keys USER\n"
	    "  why USER [--from ADDR] [--json] [--log FILE]\n"
	    "  apply FILE [--signature SIG] [--dry-run]\n"
	    "  export\n"
	    "  restore\n"
	    "  audit [--root DIR] [--user USER [--method password|publickey]] [--from ADDR]\n"
	    "        [--format text|json] [--offline] [--effective [--all]]\n"
	    "  --version | --help\n"
	    "See cvmkey(8).\n");
}

int
cli_read_input(const char *what, const char *file, size_t cap, char **bufp,
    size_t *lenp)
{
	char err[512], *buf = NULL;
	size_t len = 0, room = 0;
	int r;

	*bufp = NULL;
	*lenp = 0;
	if (strcmp(file, "-") != 0) {
		if ((r = cvm_read_file(file, cap, 0, 0, bufp, lenp, err, sizeof(err))) == 0)
			return EXIT_OK;
		if (r == 1)
			fprintf(stderr, "cvmkey: %s: %s: no such file\n", what, file);
		else
			fprintf(stderr, "cvmkey: %s: %s\n", what, err);
		return EXIT_REFUSED;
	}
	for (;;) {
		size_t got;

		if (room - len < 4096) {
			char *nb;

			room = room ? room * 2 : 65536;
			if (room > cap + 131072 || (nb = realloc(buf, room + 1)) == NULL)
				break;
			buf = nb;
		}
		if ((got = fread(buf + len, 1, room - len, stdin)) == 0) {
			if (len > cap)
				break;
			buf[len] = '\0';
			*bufp = buf;
			*lenp = len;
			return EXIT_OK;
		}
		len += got;
	}
	fprintf(stderr, "cvmkey: %s: standard input: larger than %zu bytes\n",
	    what, cap);
	free(buf);
	return EXIT_REFUSED;
}

void
cli_print_time(FILE *f, int64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sizeof(buf), "%lld", (long long)t);
	fputs(buf, f);
}

void
cli_json_time(FILE *f, int64_t t)
{
	if (t < 0) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	cli_print_time(f, t);
	fputc('"', f);
}

static int
set_config(struct cli *c, const char *path)
{
	c->config_path = path;
	cvm_conf_free(&c->conf);
	if (cvm_conf_init(&c->conf) != 0)
		return -1;
	c->conf_failed = cvm_conf_load(&c->conf, path, c->log) != 0;
	return 0;
}

int
cli_common_option(struct cli *c, int argc, char **argv, int i)
{
	const char *a = argv[i], *v = NULL;
	int used = 1;

	if (strcmp(a, "--config") == 0 || strcmp(a, "--db") == 0) {
		if (i + 1 >= argc) {
			fprintf(stderr, "cvmkey: %s needs an argument\n", a);
			return -1;
		}
		v = argv[i + 1];
		used = 2;
	} else if (strncmp(a, "--config=", 9) == 0 || strncmp(a, "--db=", 5) == 0)
		v = strchr(a, '=') + 1;
	else
		return 0;
	if (strncmp(a, "--config", 8) == 0) {
		if (set_config(c, v) != 0)
			return -1;
	} else if (cvm_conf_set(&c->conf, "db", v, c->log, "--db") != 0)
		return -1;
	return used;
}

static const struct {
	const char *name;
	int (*fn)(struct cli *, int, char **);
} cmds[] = {
	{ "bind", cmd_bind },
	{ "unbind", cmd_unbind },
	{ "list", cmd_list },
	{ "authorized-keys", cmd_authorized_keys },
	{ "why", cmd_why },
	{ "apply", cmd_apply },
	{ "export", cmd_export },
	{ "restore", cmd_restore },
	{ "audit", cmd_audit },
};

int
main(int argc, char **argv)
{
	struct cli c;
	char *db_override = NULL;
	int i, ret = EXIT_USAGE;

	memset(&c, 0, sizeof(c));
	c.log = &cvm_log_stderr;
	if (cvm_conf_init(&c.conf) != 0)
		return EXIT_INTERNAL;
	/* The config file is read first so that --db wins over its db =. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			c.config_path = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			c.config_path = argv[i] + 9;
		else if (strcmp(argv[i], "--db") == 0)
			i++;	/* its value */
	}
	if (set_config(&c, c.config_path != NULL ? c.config_path : CVM_CONF_PATH) != 0) {
		ret = EXIT_INTERNAL;
		goto out;
	}
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			ret = EXIT_OK;
			goto out;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("cvmkey %s\n", PACKAGE_VERSION);
			ret = EXIT_OK;
			goto out;
		}
		if (strcmp(argv[i], "--config") == 0) {
			i++;
			continue;
		}
		if (strncmp(argv[i], "--config=", 9) == 0)
			continue;
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db_override = argv[++i];
		else if (strncmp(argv[i], "--db=", 5) == 0)
			db_override = argv[i] + 5;
		else {
			fprintf(stderr, "cvmkey: unknown option %s\n", argv[i]);
			usage(stderr);
			goto out;
		}
	}
	if (db_override != NULL &&
	    cvm_conf_set(&c.conf, "db", db_override, c.log, "--db") != 0)
		goto out;
	if (i >= argc) {
		usage(stderr);
		goto out;
	}
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		if (strcmp(argv[i], cmds[k].name) == 0) {
			ret = cmds[k].fn(&c, argc - i, argv + i);
			goto out;
		}
	}
	fprintf(stderr, "cvmkey: unknown command \"%s\"\n", argv[i]);
	usage(stderr);
out:
	cvm_conf_free(&c.conf);
	return ret;
}
