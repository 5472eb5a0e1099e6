/* Shared helpers for the fuzz targets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fuzz.h"

static char tmpdir[64];

static void
cleanup_dir(const char *dir)
{
	char cmd[128];

	/* only ever our own mkdtemp directory */
	if (strncmp(dir, "/tmp/cvmkey-fuzz.", 17) != 0)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static void
cleanup(void)
{
	if (tmpdir[0] != '\0')
		cleanup_dir(tmpdir);
}

const char *
fuzz_tmpdir(void)
{
	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/cvmkey-fuzz.XXXXXX");
		if (mkdtemp(tmpdir) == NULL) {
			perror("mkdtemp");
			abort();
		}
		atexit(cleanup);
	}
	return tmpdir;
}

const char *
fuzz_write(const char *name, const uint8_t *data, size_t size)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_tmpdir(), name);
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		perror(path);
		abort();
	}
	while (size > 0) {
		ssize_t w = write(fd, data, size);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror(path);
			abort();
		}
		data += w;
		size -= (size_t)w;
	}
	close(fd);
	return path;
}

char *
fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
