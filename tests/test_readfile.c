/* cvm_read_file (lib/strutil.c): the buffer is sized from the file, not
 * from the cap, and grows when the file turns out longer than fstat said
 * (files in /proc report size 0); the cap still holds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "strutil.h"

static char dir[] = "/tmp/cvm-readfile.XXXXXX";

static void
write_n(const char *path, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		fputc('a' + (int)(i % 26), f);
	assert_int_equal(fclose(f), 0);
}

static void
sizes_around_the_initial_buffer_and_the_cap(void **state)
{
	static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 100000, 200000 };
	char path[128], err[256], *buf;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/f", dir);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		write_n(path, sizes[i]);
		assert_int_equal(cvm_read_file(path, 200000, 1, 0, &buf, &len, err, sizeof(err)), 0);
		assert_int_equal(len, sizes[i]);
		assert_int_equal(strlen(buf), sizes[i]);
		if (len > 0)
			assert_int_equal(buf[len - 1], 'a' + (int)((len - 1) % 26));
		free(buf);
	}
	write_n(path, 200001);
	assert_int_equal(cvm_read_file(path, 200000, 1, 0, &buf, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than 200000 bytes"));
	assert_null(buf);
	unlink(path);
}

/* st_size 0, content longer than the first buffer: read to EOF */
static void
proc_file_grows_past_fstat(void **state)
{
	char err[256], *buf;
	size_t len;
	struct stat st;

	(void)state;
	assert_int_equal(stat("/proc/self/smaps", &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(cvm_read_file("/proc/self/smaps", 16 << 20, 0, 0, &buf, &len,
	    err, sizeof(err)), 0);
	assert_true(len > 4096);	/* past the first allocation */
	assert_int_equal(strlen(buf), len);
	free(buf);
	/* and the cap holds on such a file too */
	assert_int_equal(cvm_read_file("/proc/self/smaps", 5000, 0, 0, &buf, &len,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than 5000 bytes"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes_around_the_initial_buffer_and_the_cap),
		cmocka_unit_test(proc_file_grows_past_fstat),
	};
	int r;

	if (mkdtemp(dir) == NULL)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return r;
}
