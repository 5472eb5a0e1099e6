/* Reading a tree as if chrooted there (`cvmkey audit --root DIR`, DESIGN
 * §6): absolute symlinks inside the tree resolve inside it, ".." stops at
 * its top.  With no root (NULL or "/"), paths are used as they are. */
#ifndef CVM_ROOTFS_H
#define CVM_ROOTFS_H
#include <stddef.h>
#include <sys/stat.h>

struct cvm_root {
	int fd;			/* O_PATH descriptor of DIR, or -1 */
	int rooted;		/* 0: the live system ("/") */
	const char *dir;	/* as given ("/" when none) */
};

/* 0, or -1 with errno (DIR cannot be opened as a directory). */
int cvm_root_init(struct cvm_root *r, const char *dir);
void cvm_root_close(struct cvm_root *r);

/* open(2) of an absolute path inside the root (relative paths: from the
 * working directory, outside it).  follow_last 0: O_NOFOLLOW on the last
 * component.  O_CLOEXEC is always added.  -1 with errno. */
int cvm_root_open(const struct cvm_root *r, const char *path, int oflags,
    int follow_last);
/* stat(2) (follow 1) or lstat(2) (follow 0) inside the root. */
int cvm_root_stat(const struct cvm_root *r, const char *path,
    struct stat *st, int follow);
/* Reads a whole regular file inside the root, following symlinks, never
 * blocking on a FIFO or device: at most cap bytes (more: -1, EFBIG), into
 * a NUL-terminated malloc'd *buf (*len without the NUL).  -1 with errno. */
int cvm_root_read(const struct cvm_root *r, const char *path, size_t cap,
    char **buf, size_t *len);

/* path as a plain path name outside the root (DIR + path) for code that
 * takes names, e.g. the database reader; symlinks inside the tree are then
 * not confined.  NULL when it does not fit. */
const char *cvm_root_join(const struct cvm_root *r, const char *path,
    char *buf, size_t len);

/* The primitive under them: rootfd an O_PATH directory descriptor. */
int cvm_rooted_open(int rootfd, const char *path, int oflags,
    int follow_last);

#endif
