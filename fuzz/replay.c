/* Replays inputs through LLVMFuzzerTestOneInput without libFuzzer, so
 * `make check` runs every corpus file under the normal (and sanitizer)
 * build.  Usage: replay FILE-OR-DIRECTORY...  Prints the number of inputs
 * run on stdout; exits non-zero if an argument cannot be read or names
 * no input at all.  A crash in a target is a crash here. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz.h"

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			unsigned char *nb;

			cap = cap ? cap * 2 : 4096;
			if ((nb = realloc(buf, cap)) == NULL) {
				fclose(f);
				free(buf);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		perror(path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	/* an exact-size copy, so ASan sees reads past the end */
	{
		unsigned char *in = malloc(len ? len : 1);

		if (in == NULL)
			abort();
		memcpy(in, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(in, len);
		free(in);
	}
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	unsigned long count = 0;
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;
			char **names = NULL;
			size_t nn = 0;

			if (d == NULL) {
				perror(argv[i]);
				bad = 1;
				continue;
			}
			while ((e = readdir(d)) != NULL) {
				char p[4096];
				struct stat fs;

				if (e->d_name[0] == '.')
					continue;
				snprintf(p, sizeof(p), "%s/%s", argv[i], e->d_name);
				if (stat(p, &fs) != 0 || !S_ISREG(fs.st_mode))
					continue;
				if ((names = realloc(names, (nn + 1) * sizeof(*names))) == NULL ||
				    (names[nn] = strdup(p)) == NULL)
					abort();
				nn++;
			}
			closedir(d);
			qsort(names, nn, sizeof(*names), cmp);
			for (size_t j = 0; j < nn; j++) {
				if (run_file(names[j]) == 0)
					count++;
				else
					bad = 1;
				free(names[j]);
			}
			free(names);
		} else if (run_file(argv[i]) == 0) {
			count++;
		} else {
			bad = 1;
		}
	}
	printf("%lu\n", count);
	return bad || count == 0 ? 1 : 0;
}
