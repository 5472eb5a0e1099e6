/* Strict RFC 4648 base64 (standard alphabet), libc only. */
#include "config.h"

#include <limits.h>
#include <stddef.h>

#include "sshkey.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63, or -1 for any byte outside the alphabet (including '=' and
 * whitespace: the caller has already split off the padding). */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
cvm_b64_decode(const char *in, size_t len, unsigned char *out, size_t outlen)
{
	size_t pad = 0, n, need, i, o = 0;
	unsigned long acc = 0;
	int bits = 0, v;

	if (in == NULL && len != 0)
		return -1;
	if (len > (size_t)LONG_MAX)
		return -1;
	/* Padding: at most two '=', only at the end of a whole quantum. */
	while (pad < len && pad < 3 && in[len - 1 - pad] == '=')
		pad++;
	if (pad > 2)
		return -1;
	n = len - pad;
	if (n % 4 == 1)
		return -1;		/* 6 bits cannot make a byte */
	if (pad != 0 && (len % 4 != 0 || (n % 4 == 2 && pad != 2) ||
	    (n % 4 == 3 && pad != 1)))
		return -1;
	need = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
	if (need > outlen || (need != 0 && out == NULL))
		return -1;

	for (i = 0; i < n; i++) {
		if ((v = b64_value((unsigned char)in[i])) < 0)
			return -1;
		acc = ((acc << 6) | (unsigned long)v) & 0xffffffUL;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	/* The bits left over after the last byte must be zero: one encoding
	 * per byte string (OpenSSH's b64_pton rejects the others too). */
	if (bits != 0 && (acc & ((1UL << bits) - 1)) != 0)
		return -1;
	return (long)o;
}

long
cvm_b64_encode(const unsigned char *in, size_t len, char *out, size_t outlen,
    int pad)
{
	size_t need, full, rem, i, o = 0;
	unsigned long v;

	if (out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if (in == NULL && len != 0)
		return -1;
	if (len > (size_t)LONG_MAX / 4 * 3 - 3)
		return -1;
	full = len / 3;
	rem = len % 3;
	need = full * 4 + (rem == 0 ? 0 : (pad ? 4 : rem + 1));
	if (need >= outlen)
		return -1;

	for (i = 0; i < full * 3; i += 3) {
		v = ((unsigned long)in[i] << 16) | ((unsigned long)in[i + 1] << 8) |
		    in[i + 2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (rem != 0) {
		v = (unsigned long)in[i] << 16;
		if (rem == 2)
			v |= (unsigned long)in[i + 1] << 8;
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		if (rem == 2)
			out[o++] = b64_alphabet[(v >> 6) & 63];
		else if (pad)
			out[o++] = '=';
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return (long)o;
}
