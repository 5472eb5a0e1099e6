/* cvmkey(8): shared state of the subcommands. */
#ifndef CVM_CLI_H
#define CVM_CLI_H
#include <stdint.h>
#include <stdio.h>
#include "conf.h"
#include "log.h"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

struct cli {
	struct cvm_conf conf;
	const char *config_path;
	int conf_failed;
	const struct cvm_log *log;
};

int cmd_bind(struct cli *c, int argc, char **argv);
int cmd_unbind(struct cli *c, int argc, char **argv);
int cmd_list(struct cli *c, int argc, char **argv);
int cmd_authorized_keys(struct cli *c, int argc, char **argv);
int cmd_why(struct cli *c, int argc, char **argv);
int cmd_apply(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_restore(struct cli *c, int argc, char **argv);
int cmd_audit(struct cli *c, int argc, char **argv);

/* Load, edit, write a new generation, all under the writers' lock
 * (cmd_keys.c).  The edit's non-zero result is returned and nothing is
 * written. */
struct cvm_dbm;
typedef int (*edit_fn)(struct cvm_dbm *m, void *arg);
int db_update(struct cli *c, edit_fn fn, void *arg);

/* bind: the keys read from KEYFILE, and the edit that binds them to user
 * (cmd_keys.c). */
struct cvm_akline;
struct bind_args {
	const char *user;
	const char *label;
	struct cvm_akline *lines;
	size_t n;
};
int bind_edit(struct cvm_dbm *m, void *arg);

/* bind --create (cmd_create.c): provisions b->user, then binds its keys. */
struct create_opts {
	long long uid;		/* --uid, -1 when not given */
	const char *shell, *home;
	int admin;
};
int bind_create(struct cli *c, struct bind_args *b, const struct create_opts *o);

/* Handles --config/--db (and --help) given after the subcommand too.
 * Returns the number of argv entries consumed (0: not ours), -1 on error. */
int cli_common_option(struct cli *c, int argc, char **argv, int i);
void usage(FILE *f);

/* Reads FILE, or standard input for "-", whole, at most cap bytes, into a
 * NUL-terminated *buf; on failure says why on stderr ("cvmkey: what: ...")
 * and returns EXIT_REFUSED (or EXIT_INTERNAL), else EXIT_OK. */
int cli_read_input(const char *what, const char *file, size_t cap,
    char **buf, size_t *len);
/* A time as RFC 3339 UTC ("2026-11-29T10:00:00Z"). */
void cli_print_time(FILE *f, int64_t t);
/* The same as a JSON string, or null for t < 0 (no expiry). */
void cli_json_time(FILE *f, int64_t t);
/* RFC 3339 (YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)) to seconds since
 * the epoch, after 1970: 0, or -1 (cmd_apply.c). */
int cli_parse_rfc3339(const char *s, int64_t *t);

#endif
