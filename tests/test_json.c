/* lib/json.c: the strict parser against valid and hostile inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

static int
parse(const char *s, size_t len, struct cvm_json *v, char *err)
{
	return cvm_json_parse(s, len, v, err, 256);
}

static void
expect_bad(const char *s, size_t len, const char *why)
{
	struct cvm_json v;
	char err[256] = "";

	if (parse(s, len, &v, err) == 0) {
		cvm_json_free(&v);
		fail_msg("accepted: %s", why);
	}
	assert_true(strstr(err, "JSON line") == err);
	assert_int_equal(v.type, CVM_JSON_NULL);	/* zeroed */
}
#define BAD(lit) expect_bad(lit, sizeof(lit) - 1, lit)

static void
valid_document(void **state)
{
	const char *s = " {\"a\":[1,-2,true,false,null,\"x\"],\"b\":{\"c\":"
	    "9223372036854775807,\"d\":-9223372036854775808}, \"e\":[]}\n";
	struct cvm_json v;
	const struct cvm_json *a, *b;
	char err[256];

	(void)state;
	assert_int_equal(parse(s, strlen(s), &v, err), 0);
	assert_int_equal(v.type, CVM_JSON_OBJECT);
	assert_int_equal(v.n, 3);
	a = cvm_json_get(&v, "a");
	assert_non_null(a);
	assert_int_equal(a->n, 6);
	assert_int_equal(a->items[0].i, 1);
	assert_int_equal(a->items[1].i, -2);
	assert_int_equal(a->items[2].type, CVM_JSON_BOOL);
	assert_true(a->items[2].b);
	assert_false(a->items[3].b);
	assert_int_equal(a->items[4].type, CVM_JSON_NULL);
	assert_string_equal(a->items[5].s, "x");
	b = cvm_json_get(&v, "b");
	assert_true(cvm_json_get(b, "c")->i == INT64_MAX);
	assert_true(cvm_json_get(b, "d")->i == INT64_MIN);
	assert_null(cvm_json_get(&v, "zz"));
	assert_int_equal(cvm_json_get(&v, "e")->n, 0);
	cvm_json_free(&v);
}

static void
string_escapes(void **state)
{
	const char *s = "\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\xc3\xa9\"";
	struct cvm_json v;
	char err[256];

	(void)state;
	assert_int_equal(parse(s, strlen(s), &v, err), 0);
	assert_int_equal(v.type, CVM_JSON_STRING);
	assert_string_equal(v.s, "a\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9");
	assert_int_equal(v.slen, strlen(v.s));
	cvm_json_free(&v);
}

static void
hostile_strings(void **state)
{
	(void)state;
	BAD("\"abc");
	BAD("\"abc\\");
	BAD("\"\\x\"");
	BAD("\"\\u12\"");
	BAD("\"\\u12G4\"");
	BAD("\"\\ud800\"");		/* lone high surrogate */
	BAD("\"\\ud800\\u0041\"");	/* high + non-low */
	BAD("\"\\udc00\"");		/* lone low */
	BAD("\"\\u0000\"");		/* NUL */
	BAD("\"a\x01\"");		/* raw control */
	BAD("\"a\nb\"");
	BAD("\"\xc3\"");		/* truncated UTF-8 */
	BAD("\"\xc0\xaf\"");		/* overlong */
	BAD("\"\xe0\x80\xaf\"");	/* overlong 3 bytes */
	BAD("\"\xed\xa0\x80\"");	/* encoded surrogate */
	BAD("\"\xf4\x90\x80\x80\"");	/* > U+10FFFF */
	BAD("\"\xff\"");
	BAD("\"\x80\"");
	expect_bad("\"a\0b\"", 5, "raw NUL in string");
	expect_bad("{\"a\":1}\0", 8, "NUL after the document");
}

static void
hostile_numbers(void **state)
{
	(void)state;
	BAD("01");
	BAD("-");
	BAD("-a");
	BAD("1.5");
	BAD("1e3");
	BAD("1E3");
	BAD("+1");
	BAD("9223372036854775808");
	BAD("-9223372036854775809");
	BAD("99999999999999999999999999");
	BAD("0x10");
	BAD("NaN");
	BAD("Infinity");
}

static void
hostile_structure(void **state)
{
	(void)state;
	BAD("");
	BAD("   ");
	BAD("{");
	BAD("[");
	BAD("[1,]");
	BAD("[,1]");
	BAD("{\"a\":1,}");
	BAD("{\"a\" 1}");
	BAD("{a:1}");
	BAD("{'a':1}");
	BAD("{\"a\":1,\"a\":2}");
	BAD("{\"b\":1,\"a\":{},\"b\":[]}");
	BAD("{\"a\":1} {}");
	BAD("[1] x");
	BAD("tru");
	BAD("nul");
	BAD("truex");
	BAD("[1 2]");
	BAD("}");
	BAD("/* c */ 1");
	BAD("\xef\xbb\xbf{}");		/* BOM */
}

static void
depth_limit(void **state)
{
	char buf[256];
	struct cvm_json v;
	char err[256];

	(void)state;
	memset(buf, '[', 64);
	memset(buf + 64, ']', 64);
	assert_int_equal(parse(buf, 128, &v, err), 0);
	cvm_json_free(&v);
	memset(buf, '[', 65);
	memset(buf + 65, ']', 65);
	assert_int_equal(parse(buf, 130, &v, err), -1);
	assert_non_null(strstr(err, "deeper"));
}

static void
deep_input_does_not_recurse_forever(void **state)
{
	size_t n = 1000000;
	char *buf = malloc(n);
	struct cvm_json v;
	char err[256];

	(void)state;
	assert_non_null(buf);
	memset(buf, '[', n);
	assert_int_equal(parse(buf, n, &v, err), -1);
	memset(buf, '{', n);
	assert_int_equal(parse(buf, n, &v, err), -1);
	free(buf);
}

static void
size_limit(void **state)
{
	struct cvm_json v;
	char err[256];

	(void)state;
	/* the length alone is refused: the buffer is not read */
	assert_int_equal(cvm_json_parse("1", CVM_JSON_MAX_INPUT + 1, &v, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "64 MiB"));
}

static void
many_keys_duplicate_found(void **state)
{
	size_t n = 50000, cap = n * 16 + 16, off = 0;
	char *buf = malloc(cap);
	struct cvm_json v;
	char err[256];

	(void)state;
	assert_non_null(buf);
	buf[off++] = '{';
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, cap - off, "%s\"k%zu\":0",
		    i ? "," : "", i);
	off += (size_t)snprintf(buf + off, cap - off, ",\"k777\":1}");
	assert_int_equal(parse(buf, off, &v, err), -1);
	assert_non_null(strstr(err, "duplicate key \"k777\""));
	buf[off - 8] = 'x';	/* "x777": unique now */
	assert_int_equal(parse(buf, off, &v, err), 0);
	assert_int_equal(v.n, n + 1);
	cvm_json_free(&v);
	free(buf);
}

static void
error_position(void **state)
{
	struct cvm_json v;
	char err[256];

	(void)state;
	assert_int_equal(parse("{\n  \"a\": x}", 11, &v, err), -1);
	assert_non_null(strstr(err, "line 2 column 8"));
}

/* Every prefix of a valid document either parses or fails cleanly. */
static void
truncations(void **state)
{
	const char *s = "{\"schema\":1,\"accounts\":[{\"name\":\"al\\u00e9\","
	    "\"uid\":70001,\"keys\":[{\"key\":\"ssh-ed25519 AAAA\",\"expiry\":null}]}]}";
	size_t n = strlen(s);
	struct cvm_json v;
	char err[256];

	(void)state;
	for (size_t i = 0; i < n; i++) {
		char *c = malloc(i + 1);

		assert_non_null(c);
		memcpy(c, s, i);	/* no terminator inside the length */
		c[i] = '"';
		assert_int_equal(parse(c, i, &v, err), -1);
		free(c);
	}
	assert_int_equal(parse(s, n, &v, err), 0);
	cvm_json_free(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_document),
		cmocka_unit_test(string_escapes),
		cmocka_unit_test(hostile_strings),
		cmocka_unit_test(hostile_numbers),
		cmocka_unit_test(hostile_structure),
		cmocka_unit_test(depth_limit),
		cmocka_unit_test(deep_input_does_not_recurse_forever),
		cmocka_unit_test(size_limit),
		cmocka_unit_test(many_keys_duplicate_found),
		cmocka_unit_test(error_position),
		cmocka_unit_test(truncations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
