/* Logging: one sink chosen by the front end (pam_syslog inside PAM, syslog
 * for authorized-keys, stderr for the CLI), and a builder for the one-line
 * "verdict key=value ..." records of DESIGN §3. */
#ifndef CVM_LOG_H
#define CVM_LOG_H
#include <stddef.h>
#include <syslog.h>

struct cvm_log {
	void (*emit)(void *ctx, int prio, const char *msg);
	void *ctx;
	int debug;		/* emit LOG_DEBUG messages too */
};

/* Prints "cvmkey: msg" on stderr. */
extern const struct cvm_log cvm_log_stderr;

/* A NULL logger is silent. */
void cvm_log(const struct cvm_log *log, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One log record: a verdict word, then key=value fields.  Values are
 * double-quoted when they hold a space, '"' '\\' '=' or nothing; control
 * characters, quotes, backslashes and bytes >= 0x7f are escaped as \xNN so one
 * record is always one line.  Truncated (with "...") past CVM_LINE_MAX. */
#define CVM_LINE_MAX 1024
struct cvm_line {
	char buf[CVM_LINE_MAX];
	size_t len;
};
void cvm_line_init(struct cvm_line *l, const char *verdict);
void cvm_line_kv(struct cvm_line *l, const char *key, const char *val);
void cvm_line_kvu(struct cvm_line *l, const char *key, unsigned long val);
/* Escapes one value into dst (always NUL-terminated); returns strlen(dst). */
size_t cvm_escape_value(char *dst, size_t dstlen, const char *val);

#endif
