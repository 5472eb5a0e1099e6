/* LD_PRELOAD shim for the fault tests: every new key is refused with
 * EDQUOT, as when root's key quota (root_maxkeys/root_maxbytes) is used
 * up, without filling the machine's real quota.  Lookups of existing keys
 * still work. */
#include <errno.h>
#include <keyutils.h>

__attribute__((visibility("default"))) key_serial_t
add_key(const char *type, const char *desc, const void *payload, size_t plen,
    key_serial_t ring)
{
	(void)type;
	(void)desc;
	(void)payload;
	(void)plen;
	(void)ring;
	errno = EDQUOT;
	return -1;
}
