/* LD_PRELOAD shim for the tests: the kernel keyring is "unavailable"
 * (as under a container's seccomp filter), to show the module logs that
 * once and decides as before. */
#include <errno.h>
#include <keyutils.h>

__attribute__((visibility("default"))) long
keyctl_get_persistent(uid_t uid, key_serial_t id)
{
	(void)uid;
	(void)id;
	errno = ENOSYS;
	return -1;
}
