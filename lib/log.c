/* Logging sinks and the one-line key=value record builder. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "log.h"

static void
emit_stderr(void *ctx, int prio, const char *msg)
{
	(void)ctx;
	(void)prio;
	fprintf(stderr, "cvmkey: %s\n", msg);
}

const struct cvm_log cvm_log_stderr = { emit_stderr, NULL, 0 };

void
cvm_log(const struct cvm_log *log, int prio, const char *fmt, ...)
{
	char msg[CVM_LINE_MAX];
	va_list ap;

	if (log == NULL || log->emit == NULL)
		return;
	if (prio == LOG_DEBUG && !log->debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log->emit(log->ctx, prio, msg);
}

static int
needs_quotes(const char *v)
{
	if (*v == '\0')
		return 1;
	for (; *v != '\0'; v++)
		if (*v == ' ' || *v == '"' || *v == '\\' || *v == '=')
			return 1;
	return 0;
}

size_t
cvm_escape_value(char *dst, size_t dstlen, const char *val)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	int q;

	if (dstlen == 0)
		return 0;
	if (val == NULL)
		val = "";
	q = needs_quotes(val);
	/* Each step needs at most 4 bytes plus the closing quote and NUL. */
	if (q && n + 1 < dstlen)
		dst[n++] = '"';
	for (const unsigned char *p = (const unsigned char *)val; *p != '\0'; p++) {
		if (dstlen - n < 7) {
			/* Out of room: mark the cut so it is never mistaken
			 * for the whole value. */
			if (dstlen - n >= 4) {
				memcpy(dst + n, "...", 3);
				n += 3;
			}
			break;
		}
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\') {
			dst[n++] = '\\';
			dst[n++] = 'x';
			dst[n++] = hex[*p >> 4];
			dst[n++] = hex[*p & 0xf];
		} else
			dst[n++] = (char)*p;
	}
	if (q && n + 1 < dstlen)
		dst[n++] = '"';
	dst[n] = '\0';
	return n;
}

void
cvm_line_init(struct cvm_line *l, const char *verdict)
{
	l->len = 0;
	l->buf[0] = '\0';
	if (verdict != NULL) {
		l->len = strlen(verdict);
		if (l->len >= sizeof(l->buf))
			l->len = sizeof(l->buf) - 1;
		memcpy(l->buf, verdict, l->len);
		l->buf[l->len] = '\0';
	}
}

void
cvm_line_kv(struct cvm_line *l, const char *key, const char *val)
{
	size_t room = sizeof(l->buf) - l->len;
	int n;

	n = snprintf(l->buf + l->len, room, "%s%s=", l->len ? " " : "", key);
	if (n < 0 || (size_t)n >= room) {
		l->buf[l->len] = '\0';
		return;
	}
	l->len += (size_t)n;
	l->len += cvm_escape_value(l->buf + l->len, sizeof(l->buf) - l->len, val);
}

void
cvm_line_kvu(struct cvm_line *l, const char *key, unsigned long val)
{
	char num[32];

	snprintf(num, sizeof(num), "%lu", val);
	cvm_line_kv(l, key, num);
}
