/* cvmkey apply: signed documents (DESIGN §5).  The signature is checked
 * over the exact bytes read, before the JSON parser sees them; the
 * envelope after parsing; the serial against the database under the
 * writers' lock (cmd_apply.c). */
#include "config.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "apply_signed.h"
#include "match.h"
#include "sigverify.h"
#include "strutil.h"

#define MAX_HOSTS 100000
#define MAX_HOST_GLOB 255
#define MACHINE_ID "/etc/machine-id"

int
signed_verify(struct cli *c, const char *file, const char *sigfile,
    const char *buf, size_t len, struct signed_doc *sd)
{
	struct cvm_sigkey *k = NULL;
	char err[512], *sig = NULL;
	size_t siglen;
	unsigned int dl = 0;
	int r, ret;

	if (cvm_sigkey_load(c->conf.trusted_signer, &k, err, sizeof(err)) != 0) {
		fprintf(stderr, "cvmkey: apply: trusted_signer %s\n", err);
		return EXIT_REFUSED;
	}
	if ((ret = cli_read_input("apply: signature", sigfile, CVM_SIG_FILE_MAX,
	    &sig, &siglen)) != EXIT_OK) {
		cvm_sigkey_free(k);
		return ret;
	}
	r = cvm_sig_verify(k, (const unsigned char *)buf, len,
	    (const unsigned char *)sig, siglen, err, sizeof(err));
	if (r == 1) {
		if (EVP_Digest(buf, len, sd->sha256, &dl, EVP_sha256(), NULL) != 1 ||
		    dl != sizeof(sd->sha256)) {
			fprintf(stderr, "cvmkey: apply: cannot compute SHA-256\n");
			ret = EXIT_INTERNAL;
		} else {
			sd->verified = 1;
			ret = EXIT_OK;
		}
	} else {
		fprintf(stderr, "cvmkey: apply: %s: %s: %s\n", file,
		    r == 0 ? "signature refused" : "cannot verify", err);
		if (r == 0)
			fprintf(stderr, "cvmkey: apply: signature %s, trusted_signer %s\n",
			    sigfile, c->conf.trusted_signer);
		ret = r == 0 ? EXIT_REFUSED : EXIT_INTERNAL;
	}
	free(sig);
	cvm_sigkey_free(k);
	return ret;
}

static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* This host's names for "hosts": the first word of /etc/machine-id and
 * the host name (gethostname), both lower-cased; "" when unknown. */
static void
host_names(char *mid, size_t midlen, char *host, size_t hostlen)
{
	char err[256], *buf = NULL;
	size_t len, n = 0;

	mid[0] = host[0] = '\0';
	if (cvm_read_file(MACHINE_ID, 4096, 0, 0, &buf, &len, err, sizeof(err)) == 0) {
		while (n < len && n + 1 < midlen && buf[n] > ' ' && buf[n] < 0x7f)
			n++;
		memcpy(mid, buf, n);
		mid[n] = '\0';
		lower(mid);
	}
	free(buf);
	if (gethostname(host, hostlen) != 0)
		host[0] = '\0';
	host[hostlen - 1] = '\0';
	lower(host);
}

static int
host_glob_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MAX_HOST_GLOB)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

int
signed_envelope(const struct cvm_json *doc, struct signed_doc *sd,
    char *err, size_t errlen)
{
	const struct cvm_json *v, *hosts;
	char mid[64], host[HOST_NAME_MAX + 1], glob[MAX_HOST_GLOB + 1];
	int match = 0;

	sd->serial = 0;
	sd->not_after = -1;
	if (doc->type != CVM_JSON_OBJECT)
		return 0;	/* doc_to_model says so */
	if ((v = cvm_json_get(doc, "serial")) != NULL) {
		if (v->type != CVM_JSON_INT || v->i < 0) {
			snprintf(err, errlen, "\"serial\" must be an integer from 0 "
			    "to 9223372036854775807");
			return -1;
		}
		sd->serial = (uint64_t)v->i;
	}
	if ((v = cvm_json_get(doc, "not_after")) != NULL &&
	    (v->type != CVM_JSON_STRING || cli_parse_rfc3339(v->s, &sd->not_after) != 0)) {
		snprintf(err, errlen, "\"not_after\" must be an RFC 3339 time "
		    "(e.g. 2030-01-31T00:00:00Z)");
		return -1;
	}
	if ((hosts = cvm_json_get(doc, "hosts")) != NULL) {
		if (hosts->type != CVM_JSON_ARRAY || hosts->n == 0 || hosts->n > MAX_HOSTS) {
			snprintf(err, errlen, "\"hosts\" must be an array of 1 to %d "
			    "machine-id or host-name globs", MAX_HOSTS);
			return -1;
		}
		for (size_t i = 0; i < hosts->n; i++)
			if (hosts->items[i].type != CVM_JSON_STRING ||
			    !host_glob_ok(hosts->items[i].s)) {
				snprintf(err, errlen, "hosts[%zu]: must be a glob of 1 to "
				    "%d printable ASCII characters, no spaces", i,
				    MAX_HOST_GLOB);
				return -1;
			}
	}
	if (!sd->verified)
		return 0;	/* unsigned: the form only, nothing enforced */
	if (sd->serial == 0) {
		snprintf(err, errlen, "a signed document needs \"serial\" "
		    "(an integer, at least 1, higher than the last one applied)");
		return -1;
	}
	if (sd->not_after >= 0 && (int64_t)time(NULL) > sd->not_after) {
		snprintf(err, errlen, "expired: \"not_after\" %s has passed",
		    cvm_json_get(doc, "not_after")->s);
		return -1;
	}
	if (hosts == NULL)
		return 0;
	host_names(mid, sizeof(mid), host, sizeof(host));
	for (size_t i = 0; i < hosts->n && !match; i++) {
		memcpy(glob, hosts->items[i].s, strlen(hosts->items[i].s) + 1);
		lower(glob);
		match = (mid[0] != '\0' && cvm_match_pattern(mid, glob)) ||
		    (host[0] != '\0' && cvm_match_pattern(host, glob));
	}
	if (!match) {
		snprintf(err, errlen, "\"hosts\" does not name this host "
		    "(machine-id %s, host name %s)", mid[0] ? mid : "unknown",
		    host[0] ? host : "unknown");
		return -1;
	}
	return 0;
}
