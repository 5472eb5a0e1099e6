/* Small string, number and file helpers shared by every front end. */
#ifndef CVM_STRUTIL_H
#define CVM_STRUTIL_H
#include <stddef.h>
#include <stdint.h>

/* A NULL-terminated vector of strings. */
struct cvm_strv {
	char **v;
	size_t n;
};
void cvm_strv_free(struct cvm_strv *sv);
/* Splits a list on `seps` (e.g. ",", " \t"), trimming blanks and dropping
 * empty items.  Replaces sv's contents.  Returns 0, -1 on ENOMEM. */
int cvm_strv_split(struct cvm_strv *sv, const char *s, const char *seps);
int cvm_strv_contains(const struct cvm_strv *sv, const char *s);
/* Appends (push) or prepends (insert0) a copy of s.  0, -1 on ENOMEM. */
int cvm_strv_push(struct cvm_strv *sv, const char *s);
int cvm_strv_insert0(struct cvm_strv *sv, const char *s);

/* "yes"/"no" (also true/false, on/off, 1/0, any case).  0 ok, -1 bad. */
int cvm_parse_bool(const char *s, int *out);
/* Decimal, whole string, min..max.  0 ok, -1 bad. */
int cvm_parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out);
/* Seconds with an optional unit: s m h d w ("10m", "24h").  0 ok, -1 bad. */
int cvm_parse_duration(const char *s, unsigned long *secs);

/* Reads a whole file, untrusted: opened O_NONBLOCK|O_CLOEXEC (and
 * O_NOFOLLOW when nofollow), must be a regular file (fstat after open), at
 * most `cap` bytes.  With `trusted`, the file must be owned by root and not
 * group/world-writable.  *buf is NUL-terminated (len excludes it).  Returns
 * 0, 1 if the file does not exist, -1 with err. */
int cvm_read_file(const char *path, size_t cap, int nofollow, int trusted,
    char **buf, size_t *len, char *err, size_t errlen);

/* strlcpy-style copy: always terminates; returns strlen(src). */
size_t cvm_strlcpy(char *dst, const char *src, size_t dstlen);

#endif
