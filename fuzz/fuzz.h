/* Shared helpers for the fuzz targets (fuzz/README.md). */
#ifndef CVM_FUZZ_H
#define CVM_FUZZ_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private directory made once per process (mode 0700, removed at exit). */
const char *fuzz_tmpdir(void);
/* Writes data to fuzz_tmpdir()/name (0600, replaced each call); returns the
 * path (static buffer) or NULL. */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);
/* A NUL-terminated copy (malloc'd). */
char *fuzz_strdup(const uint8_t *data, size_t size);

#endif
