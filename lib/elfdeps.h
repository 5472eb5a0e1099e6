/* The DT_NEEDED entries of an ELF file (TCPW-INERT: does sshd link
 * libwrap?).  32- and 64-bit, either byte order; every offset and size is
 * checked against the file, which may be hostile or truncated. */
#ifndef CVM_ELFDEPS_H
#define CVM_ELFDEPS_H
#include <stddef.h>
#include "rootfs.h"

/* Largest file read (sshd is about 1 MB). */
#define CVM_ELF_CAP	(64u * 1024 * 1024)

/* From memory: 0 with *needed a malloc'd array of *n malloc'd names (a
 * file without a dynamic section has none), or -1 with a message in err. */
int cvm_elf_needed(const unsigned char *buf, size_t len, char ***needed,
    size_t *n, char *err, size_t errlen);
/* The same for a file inside root (followed symlinks, regular files
 * only, at most CVM_ELF_CAP bytes). */
int cvm_elf_needed_file(const struct cvm_root *root, const char *path,
    char ***needed, size_t *n, char *err, size_t errlen);
void cvm_elf_needed_free(char **needed, size_t n);

#endif
