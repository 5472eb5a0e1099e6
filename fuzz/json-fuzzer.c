/* The apply document's JSON reader, cvm_json_parse (lib/json.c).  The
 * document checks of `cvmkey apply` are static in tools/cmd_apply.c, so
 * only the parser is reached here.  Beyond "no crash", every accepted
 * document must keep json.h's promises, checked with abort():
 *  - strings hold slen bytes, no NUL inside, valid UTF-8;
 *  - objects have no duplicate keys, and cvm_json_get finds each member;
 *  - nesting depth <= CVM_JSON_MAX_DEPTH;
 *  - written back out (cvm_json_str for strings, lib/jsonw.c) and parsed
 *    again, the tree is the same (the writer and reader agree). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "json.h"
#include "jsonw.h"

static void
check_string(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	if (s == NULL || strlen(s) != len)
		abort();
	while (p < end) {
		size_t n = cvm_utf8_len(p, end);

		if (n == 0)
			abort();
		p += n;
	}
}

static void
check(const struct cvm_json *v, int depth)
{
	if (depth > CVM_JSON_MAX_DEPTH + 1)
		abort();
	switch (v->type) {
	case CVM_JSON_STRING:
		check_string(v->s, v->slen);
		break;
	case CVM_JSON_OBJECT:
		for (size_t k = 0; k < v->n; k++) {
			check_string(v->keys[k], strlen(v->keys[k]));
			if (cvm_json_get(v, v->keys[k]) != &v->items[k])
				abort();	/* a duplicate key, or get() misses */
		}
		/* fall through */
	case CVM_JSON_ARRAY:
		for (size_t k = 0; k < v->n; k++)
			check(&v->items[k], depth + 1);
		break;
	case CVM_JSON_NULL:
	case CVM_JSON_BOOL:
	case CVM_JSON_INT:
		break;
	default:
		abort();
	}
}

static void
write_json(FILE *f, const struct cvm_json *v)
{
	switch (v->type) {
	case CVM_JSON_NULL:
		fputs("null", f);
		break;
	case CVM_JSON_BOOL:
		fputs(v->b ? "true" : "false", f);
		break;
	case CVM_JSON_INT:
		fprintf(f, "%lld", (long long)v->i);
		break;
	case CVM_JSON_STRING:
		cvm_json_str(f, v->s);
		break;
	case CVM_JSON_ARRAY:
	case CVM_JSON_OBJECT:
		fputc(v->type == CVM_JSON_ARRAY ? '[' : '{', f);
		for (size_t k = 0; k < v->n; k++) {
			if (k > 0)
				fputc(',', f);
			if (v->type == CVM_JSON_OBJECT) {
				cvm_json_str(f, v->keys[k]);
				fputc(':', f);
			}
			write_json(f, &v->items[k]);
		}
		fputc(v->type == CVM_JSON_ARRAY ? ']' : '}', f);
		break;
	}
}

static int
same(const struct cvm_json *a, const struct cvm_json *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case CVM_JSON_NULL:
		return 1;
	case CVM_JSON_BOOL:
		return a->b == b->b;
	case CVM_JSON_INT:
		return a->i == b->i;
	case CVM_JSON_STRING:
		return a->slen == b->slen && memcmp(a->s, b->s, a->slen) == 0;
	case CVM_JSON_ARRAY:
	case CVM_JSON_OBJECT:
		if (a->n != b->n)
			return 0;
		for (size_t k = 0; k < a->n; k++) {
			if (a->type == CVM_JSON_OBJECT && strcmp(a->keys[k], b->keys[k]) != 0)
				return 0;
			if (!same(&a->items[k], &b->items[k]))
				return 0;
		}
		return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cvm_json doc, again;
	char err[512], *out = NULL;
	size_t outlen = 0;
	FILE *f;

	memset(err, 'x', sizeof(err));
	if (cvm_json_parse((const char *)data, size, &doc, err, sizeof(err)) != 0) {
		if (memchr(err, '\0', sizeof(err)) == NULL || strncmp(err, "JSON", 4) != 0)
			abort();	/* every refusal has a terminated message */
		return 0;
	}
	check(&doc, 0);
	if ((f = open_memstream(&out, &outlen)) == NULL)
		abort();
	write_json(f, &doc);
	if (fclose(f) != 0)
		abort();
	if (cvm_json_parse(out, outlen, &again, err, sizeof(err)) != 0) {
		fprintf(stderr, "re-parse failed: %s\n", err);
		abort();
	}
	if (!same(&doc, &again))
		abort();
	cvm_json_free(&again);
	cvm_json_free(&doc);
	free(out);
	return 0;
}
