/* Small string, number and file helpers. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "strutil.h"

void
cvm_strv_free(struct cvm_strv *sv)
{
	if (sv->v != NULL)
		for (size_t i = 0; i < sv->n; i++)
			free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

int
cvm_strv_split(struct cvm_strv *sv, const char *s, const char *seps)
{
	struct cvm_strv out = { NULL, 0 };
	const char *p = s;

	if ((out.v = calloc(1, sizeof(*out.v))) == NULL)
		return -1;
	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, seps);
		const char *b = p, *e = p + len;
		char **nv;

		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e > b) {
			if ((nv = realloc(out.v, (out.n + 2) * sizeof(*nv))) == NULL)
				goto fail;
			out.v = nv;
			if ((out.v[out.n] = strndup(b, (size_t)(e - b))) == NULL)
				goto fail;
			out.n++;
			out.v[out.n] = NULL;
		}
		p += len;
		if (*p != '\0')
			p++;
	}
	cvm_strv_free(sv);
	*sv = out;
	return 0;
fail:
	cvm_strv_free(&out);
	return -1;
}

static int
strv_add(struct cvm_strv *sv, const char *s, size_t at)
{
	char **nv, *c;

	if ((c = strdup(s)) == NULL)
		return -1;
	if ((nv = realloc(sv->v, (sv->n + 2) * sizeof(*nv))) == NULL) {
		free(c);
		return -1;
	}
	sv->v = nv;
	memmove(nv + at + 1, nv + at, (sv->n - at) * sizeof(*nv));
	nv[at] = c;
	nv[++sv->n] = NULL;
	return 0;
}

int
cvm_strv_push(struct cvm_strv *sv, const char *s)
{
	return strv_add(sv, s, sv->n);
}

int
cvm_strv_insert0(struct cvm_strv *sv, const char *s)
{
	return strv_add(sv, s, 0);
}

int
cvm_strv_contains(const struct cvm_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

int
cvm_parse_bool(const char *s, int *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

int
cvm_parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
cvm_parse_duration(const char *s, unsigned long *secs)
{
	unsigned long v, mult = 1;
	char num[32];
	size_t len = strlen(s);

	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 's': case 'S': mult = 1; break;
	case 'm': case 'M': mult = 60; break;
	case 'h': case 'H': mult = 3600; break;
	case 'd': case 'D': mult = 86400; break;
	case 'w': case 'W': mult = 604800; break;
	default: mult = 0; break;
	}
	if (mult != 0)
		num[len - 1] = '\0';
	else
		mult = 1;
	if (cvm_parse_ulong(num, 0, 1UL << 31, &v) != 0 || v > (1UL << 31) / mult)
		return -1;
	*secs = v * mult;
	return 0;
}

int
cvm_read_file(const char *path, size_t cap, int nofollow, int trusted,
    char **buf, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *b = NULL;
	size_t n = 0, size;
	int fd, ret = -1;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY |
	    (nofollow ? O_NOFOLLOW : 0));
	if (fd == -1) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: %s", path,
		    errno == ELOOP ? "is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (trusted && (st.st_uid != 0 || (st.st_mode & 022) != 0)) {
		snprintf(err, errlen, "%s: refused: must be owned by root and "
		    "not group or world writable", path);
		goto out;
	}
	if ((size_t)st.st_size > cap) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, cap);
		goto out;
	}
	/* Sized from st_size, not cap (a 64 MiB cap would mean a 64 MiB
	 * allocation for every small file); grown if the file grows while
	 * it is read.  Read to EOF, not st_size: it may change under us. */
	size = (size_t)st.st_size + 1 > 4096 ? (size_t)st.st_size + 1 : 4096;
	if (size > cap + 1)
		size = cap + 1;
	if ((b = malloc(size)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n == size) {	/* full: grow, up to cap + 1 */
			size_t ns = size > (cap + 1) / 2 ? cap + 1 : size * 2;
			char *nb = realloc(b, ns);

			if (nb == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto out;
			}
			b = nb;
			size = ns;
		}
		r = read(fd, b + n, size - n);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > cap) {
			snprintf(err, errlen, "%s: larger than %zu bytes", path, cap);
			goto out;
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
	ret = 0;
out:
	free(b);
	close(fd);
	return ret;
}

size_t
cvm_strlcpy(char *dst, const char *src, size_t dstlen)
{
	size_t n = strlen(src);

	if (dstlen > 0) {
		size_t c = n < dstlen ? n : dstlen - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}
