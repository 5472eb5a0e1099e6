/* cvmkey apply: signed documents (DESIGN §5): the detached signature,
 * checked before the document is parsed, and the document's envelope
 * ("serial", "not_after", "hosts"). */
#ifndef CVM_APPLY_SIGNED_H
#define CVM_APPLY_SIGNED_H
#include <stddef.h>
#include <stdint.h>
#include "cli.h"
#include "json.h"

struct signed_doc {
	int verified;		/* the signature verified with trusted_signer */
	uint64_t serial;	/* 0: none */
	int64_t not_after;	/* -1: none */
	unsigned char sha256[32];	/* of the exact bytes verified */
};

/* Verifies the signature in sigfile over buf[0..len) (the document as
 * read, once) with the configured trusted_signer and fills sd (verified,
 * sha256).  EXIT_OK, or EXIT_REFUSED / EXIT_INTERNAL after saying why on
 * stderr. */
int signed_verify(struct cli *c, const char *file, const char *sigfile,
    const char *buf, size_t len, struct signed_doc *sd);

/* The envelope of a parsed document: the form of "serial" (0 to
 * INT64_MAX), "not_after" (RFC 3339) and "hosts" (an array of 1 to
 * 100,000 globs, each 1-255 printable ASCII bytes) is always checked; with
 * sd->verified also that "serial" is present and at least 1, not_after has
 * not passed, and a hosts glob matches this host (/etc/machine-id or the
 * host name).  Fills sd->serial, sd->not_after.  0, or -1 with err. */
int signed_envelope(const struct cvm_json *doc, struct signed_doc *sd,
    char *err, size_t errlen);

#endif
