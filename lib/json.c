/* A small strict JSON parser: see json.h. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "jsonw.h"

struct jp {
	const unsigned char *p, *start, *end;
	char *err;
	size_t errlen;
	int failed;
};

static void
jfail(struct jp *j, const unsigned char *at, const char *fmt, ...)
{
	size_t line = 1, col = 1;
	char msg[256];
	va_list ap;

	if (j->failed)
		return;
	j->failed = 1;
	for (const unsigned char *q = j->start; q < at && q < j->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(j->err, j->errlen, "JSON line %zu column %zu: %s", line, col, msg);
}

static void
skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
hex4(const unsigned char *p, const unsigned char *end, uint32_t *v)
{
	*v = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

/* j->p at the opening quote.  The decoded string is never longer than
 * its escaped form. */
static char *
parse_string(struct jp *j, size_t *outlen)
{
	const unsigned char *q = j->p + 1, *open = j->p;
	char *out, *o;

	/* find the end first to size the buffer */
	while (q < j->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= j->end) {
		jfail(j, open, "unterminated string");
		return NULL;
	}
	if ((out = malloc((size_t)(q - open))) == NULL) {
		jfail(j, open, "out of memory");
		return NULL;
	}
	o = out;
	for (q = open + 1; *q != '"';) {
		if (*q < 0x20) {
			jfail(j, q, *q == 0 ? "NUL in string" :
			    "unescaped control character in string");
			goto bad;
		}
		if (*q == '\\') {
			uint32_t c, lo;

			q++;
			switch (*q) {
			case '"': *o++ = '"'; q++; continue;
			case '\\': *o++ = '\\'; q++; continue;
			case '/': *o++ = '/'; q++; continue;
			case 'b': *o++ = '\b'; q++; continue;
			case 'f': *o++ = '\f'; q++; continue;
			case 'n': *o++ = '\n'; q++; continue;
			case 'r': *o++ = '\r'; q++; continue;
			case 't': *o++ = '\t'; q++; continue;
			case 'u': break;
			default:
				jfail(j, q - 1, "invalid escape");
				goto bad;
			}
			if (hex4(q + 1, j->end, &c) != 0) {
				jfail(j, q - 1, "invalid \\u escape");
				goto bad;
			}
			q += 5;
			if (c >= 0xdc00 && c <= 0xdfff) {
				jfail(j, q - 6, "lone low surrogate");
				goto bad;
			}
			if (c >= 0xd800 && c <= 0xdbff) {
				if (j->end - q < 6 || q[0] != '\\' || q[1] != 'u' ||
				    hex4(q + 2, j->end, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff) {
					jfail(j, q - 6, "unpaired high surrogate");
					goto bad;
				}
				q += 6;
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (c == 0) {
				jfail(j, q - 6, "NUL (\\u0000) in string");
				goto bad;
			}
			if (c < 0x80)
				*o++ = (char)c;
			else if (c < 0x800) {
				*o++ = (char)(0xc0 | (c >> 6));
				*o++ = (char)(0x80 | (c & 0x3f));
			} else if (c < 0x10000) {
				*o++ = (char)(0xe0 | (c >> 12));
				*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
				*o++ = (char)(0x80 | (c & 0x3f));
			} else {
				*o++ = (char)(0xf0 | (c >> 18));
				*o++ = (char)(0x80 | ((c >> 12) & 0x3f));
				*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
				*o++ = (char)(0x80 | (c & 0x3f));
			}
			continue;
		}
		{
			size_t n = cvm_utf8_len(q, j->end);

			if (n == 0) {
				jfail(j, q, "invalid UTF-8 in string");
				goto bad;
			}
			memcpy(o, q, n);
			o += n;
			q += n;
		}
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	j->p = q + 1;
	return out;
bad:
	free(out);
	return NULL;
}

static int
parse_number(struct jp *j, struct cvm_json *v)
{
	const unsigned char *s = j->p;
	int neg = 0;
	uint64_t mag = 0, lim;

	if (j->p < j->end && *j->p == '-') {
		neg = 1;
		j->p++;
	}
	if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
		jfail(j, s, "invalid number");
		return -1;
	}
	if (*j->p == '0' && j->end - j->p > 1 && j->p[1] >= '0' && j->p[1] <= '9') {
		jfail(j, s, "leading zero in number");
		return -1;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		unsigned d = *j->p - '0';

		if (mag > (lim - d) / 10) {
			jfail(j, s, "number out of range");
			return -1;
		}
		mag = mag * 10 + d;
		j->p++;
	}
	if (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E')) {
		jfail(j, s, "only integers are accepted");
		return -1;
	}
	v->type = CVM_JSON_INT;
	v->i = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag)
	    : (int64_t)mag;
	return 0;
}

static int
keycmp(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	return strcmp(*x, *y);
}

static int parse_value(struct jp *j, struct cvm_json *v, int depth);

static int
push(struct jp *j, struct cvm_json *v, size_t *cap, const unsigned char *at)
{
	if (v->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct cvm_json *ni;

		if ((ni = realloc(v->items, nc * sizeof(*ni))) == NULL) {
			jfail(j, at, "out of memory");
			return -1;
		}
		v->items = ni;
		if (v->type == CVM_JSON_OBJECT) {
			char **nk;

			if ((nk = realloc(v->keys, nc * sizeof(*nk))) == NULL) {
				jfail(j, at, "out of memory");
				return -1;
			}
			v->keys = nk;
		}
		*cap = nc;
	}
	memset(&v->items[v->n], 0, sizeof(v->items[0]));
	return 0;
}

static int
parse_container(struct jp *j, struct cvm_json *v, int depth)
{
	const unsigned char *open = j->p;
	int obj = *j->p == '{';
	char close = obj ? '}' : ']';
	size_t cap = 0;

	if (depth >= CVM_JSON_MAX_DEPTH) {
		jfail(j, open, "nesting deeper than %d", CVM_JSON_MAX_DEPTH);
		return -1;
	}
	v->type = obj ? CVM_JSON_OBJECT : CVM_JSON_ARRAY;
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		skip_ws(j);
		if (push(j, v, &cap, j->p) != 0)
			return -1;
		if (obj) {
			size_t kl;
			char *k;

			if (j->p >= j->end || *j->p != '"') {
				jfail(j, j->p, "expected a string key");
				return -1;
			}
			if ((k = parse_string(j, &kl)) == NULL)
				return -1;
			v->keys[v->n] = k;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':') {
				v->n++;
				jfail(j, j->p, "expected ':'");
				return -1;
			}
			j->p++;
		}
		v->n++;
		if (parse_value(j, &v->items[v->n - 1], depth + 1) != 0)
			return -1;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			break;
		}
		jfail(j, j->p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		return -1;
	}
	if (obj && v->n > 1) {
		char **sorted = malloc(v->n * sizeof(*sorted));

		if (sorted == NULL) {
			jfail(j, open, "out of memory");
			return -1;
		}
		memcpy(sorted, v->keys, v->n * sizeof(*sorted));
		qsort(sorted, v->n, sizeof(*sorted), keycmp);
		for (size_t i = 1; i < v->n; i++) {
			if (strcmp(sorted[i - 1], sorted[i]) == 0) {
				jfail(j, open, "duplicate key \"%.64s\"", sorted[i]);
				free(sorted);
				return -1;
			}
		}
		free(sorted);
	}
	return 0;
}

static int
literal(struct jp *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0) {
		jfail(j, j->p, "invalid literal");
		return -1;
	}
	j->p += n;
	return 0;
}

static int
parse_value(struct jp *j, struct cvm_json *v, int depth)
{
	skip_ws(j);
	if (j->p >= j->end) {
		jfail(j, j->p, "unexpected end of input");
		return -1;
	}
	switch (*j->p) {
	case '{':
	case '[':
		return parse_container(j, v, depth);
	case '"':
		v->type = CVM_JSON_STRING;
		return (v->s = parse_string(j, &v->slen)) == NULL ? -1 : 0;
	case 't':
		v->type = CVM_JSON_BOOL;
		v->b = 1;
		return literal(j, "true");
	case 'f':
		v->type = CVM_JSON_BOOL;
		return literal(j, "false");
	case 'n':
		v->type = CVM_JSON_NULL;
		return literal(j, "null");
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return parse_number(j, v);
		jfail(j, j->p, *j->p == 0 ? "NUL in input" : "unexpected character");
		return -1;
	}
}

int
cvm_json_parse(const char *buf, size_t len, struct cvm_json *out,
    char *err, size_t errlen)
{
	struct jp j;

	memset(out, 0, sizeof(*out));
	j.p = j.start = (const unsigned char *)buf;
	j.end = j.p + len;
	j.err = err;
	j.errlen = errlen;
	j.failed = 0;
	if (len > CVM_JSON_MAX_INPUT) {
		snprintf(err, errlen, "JSON input larger than 64 MiB");
		return -1;
	}
	if (parse_value(&j, out, 0) != 0)
		goto bad;
	skip_ws(&j);
	if (j.p != j.end) {
		jfail(&j, j.p, *j.p == 0 ? "NUL in input" :
		    "trailing data after the document");
		goto bad;
	}
	return 0;
bad:
	cvm_json_free(out);
	return -1;
}

void
cvm_json_free(struct cvm_json *v)
{
	if (v == NULL)
		return;
	if (v->type == CVM_JSON_STRING)
		free(v->s);
	if (v->type == CVM_JSON_ARRAY || v->type == CVM_JSON_OBJECT) {
		for (size_t i = 0; i < v->n; i++) {
			cvm_json_free(&v->items[i]);
			if (v->keys != NULL)
				free(v->keys[i]);
		}
		free(v->items);
		free(v->keys);
	}
	memset(v, 0, sizeof(*v));
}

const struct cvm_json *
cvm_json_get(const struct cvm_json *obj, const char *key)
{
	if (obj == NULL || obj->type != CVM_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

const char *
cvm_json_type_name(enum cvm_json_type t)
{
	static const char *const names[] = { "null", "boolean", "integer",
	    "string", "array", "object" };

	return (unsigned)t < 6 ? names[t] : "?";
}
