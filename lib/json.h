/* A small strict JSON parser (RFC 8259) for documents from untrusted
 * sources: objects, arrays, strings (escapes, \u with surrogate pairs,
 * decoded to UTF-8), integers only (int64, overflow checked; fractions and
 * exponents are refused), true/false/null.  Depth <= 64, input <= 64 MiB,
 * no duplicate keys, no trailing data, no invalid UTF-8, no NUL (raw or
 * \u0000). */
#ifndef CVM_JSON_H
#define CVM_JSON_H
#include <stddef.h>
#include <stdint.h>

#define CVM_JSON_MAX_DEPTH 64
#define CVM_JSON_MAX_INPUT (64UL * 1024 * 1024)

enum cvm_json_type {
	CVM_JSON_NULL, CVM_JSON_BOOL, CVM_JSON_INT, CVM_JSON_STRING,
	CVM_JSON_ARRAY, CVM_JSON_OBJECT
};

struct cvm_json {
	enum cvm_json_type type;
	int b;			/* BOOL */
	int64_t i;		/* INT */
	char *s;		/* STRING: NUL-terminated, no NUL inside */
	size_t slen;
	size_t n;		/* ARRAY/OBJECT: number of items */
	struct cvm_json *items;
	char **keys;		/* OBJECT: keys[k] names items[k] */
};

/* Parses buf[0..len) into *out (freed with cvm_json_free).  Returns 0, or
 * -1 with a message naming the line and column in err. */
int cvm_json_parse(const char *buf, size_t len, struct cvm_json *out,
    char *err, size_t errlen);
void cvm_json_free(struct cvm_json *v);
/* The member named key of an object, or NULL. */
const struct cvm_json *cvm_json_get(const struct cvm_json *obj, const char *key);
const char *cvm_json_type_name(enum cvm_json_type t);
#endif
