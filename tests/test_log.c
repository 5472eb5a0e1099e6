/* The one-line key=value records of DESIGN §3. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "log.h"

static void
plain_fields(void **state)
{
	struct cvm_line l;

	(void)state;
	cvm_line_init(&l, "refused");
	cvm_line_kv(&l, "user", "alice");
	cvm_line_kv(&l, "rhost", "203.0.113.5");
	cvm_line_kvu(&l, "keys", 2);
	assert_string_equal(l.buf, "refused user=alice rhost=203.0.113.5 keys=2");
}

static void
quoting_and_escaping(void **state)
{
	struct cvm_line l;

	(void)state;
	cvm_line_init(&l, "allowed");
	cvm_line_kv(&l, "detail", "two words");
	cvm_line_kv(&l, "x", "a\"b\\c");
	cvm_line_kv(&l, "e", "");
	cvm_line_kv(&l, "c", "\x1b[31m\nfake line\r\t");
	cvm_line_kv(&l, "u", "caf\xc3\xa9\xff");
	cvm_line_kv(&l, "eq", "a=b");
	assert_string_equal(l.buf, "allowed detail=\"two words\" x=\"a\\x22b\\x5cc\" e=\"\" "
	    "c=\"\\x1b[31m\\x0afake line\\x0d\\x09\" u=caf\\xc3\\xa9\\xff eq=\"a=b\"");
	assert_null(strchr(l.buf, '\n'));
}

static void
truncation_is_marked(void **state)
{
	struct cvm_line l;
	char big[3000];

	(void)state;
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cvm_line_init(&l, "refused");
	cvm_line_kv(&l, "user", "bob");
	cvm_line_kv(&l, "detail", big);
	cvm_line_kv(&l, "after", "x");
	assert_true(strlen(l.buf) < CVM_LINE_MAX);
	assert_non_null(strstr(l.buf, "..."));
	assert_int_equal(strncmp(l.buf, "refused user=bob detail=AAA", 27), 0);
}

static void
escape_small_buffers(void **state)
{
	char out[8];

	(void)state;
	for (size_t n = 1; n <= sizeof(out); n++) {
		memset(out, 'Z', sizeof(out));
		cvm_escape_value(out, n, "\x01\x02\x03 long value");
		assert_true(memchr(out, '\0', n) != NULL);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_fields),
		cmocka_unit_test(quoting_and_escaping),
		cmocka_unit_test(truncation_is_marked),
		cmocka_unit_test(escape_small_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
