/* Minimal JSON output: strings escaped per RFC 8259 (invalid UTF-8 bytes
 * become U+FFFD so the output is always valid JSON). */
#ifndef CVM_JSONW_H
#define CVM_JSONW_H
#include <stdio.h>
void cvm_json_str(FILE *f, const char *s);
#endif
