/* Minimal JSON output: strings escaped per RFC 8259 (invalid UTF-8 bytes
 * become U+FFFD so the output is always valid JSON). */
#ifndef CVM_JSONW_H
#define CVM_JSONW_H
#include <stdio.h>
void cvm_json_str(FILE *f, const char *s);
/* Length of the valid UTF-8 sequence at p (1..4; p < end), or 0 (also
 * for overlong forms, surrogates and code points past U+10FFFF). */
size_t cvm_utf8_len(const unsigned char *p, const unsigned char *end);
#endif
