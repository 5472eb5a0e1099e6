/* Login decisions kept in root's persistent kernel keyring (DESIGN §3):
 * nothing is written to disk during authentication, each event is its own
 * key (no read-modify-write race between sshd processes), readable by
 * root only, with a kernel timeout, at most N per user. */
#ifndef CVM_EVENTS_H
#define CVM_EVENTS_H
#include <stddef.h>
#include <time.h>

struct cvm_event {
	time_t when;
	char service[32];
	char rhost[64];
	char method[32];
	char result[16];	/* refused, would_refuse, allowed, failure */
	char reason[32];
};

/* Records one event for user (NULL: a name that does not resolve; those
 * share one bucket).  Keeps at most per_user events per bucket, each
 * expiring after ttl seconds.  Returns 0, or -1 with err (keyrings
 * unavailable: ENOSYS, EPERM under seccomp, EDQUOT...). */
int cvm_events_record(const char *user, const struct cvm_event *ev,
    unsigned ttl, unsigned per_user, char *err, size_t errlen);

/* Reads a user's live events, newest first (malloc'd array). */
int cvm_events_read(const char *user, struct cvm_event **out, size_t *n,
    char *err, size_t errlen);

/* 1 the first time in `window` seconds it is asked for this user (the
 * password_guessing warning is then due), 0 after: one marker key that
 * expires with the window, not an event that could be crowded out. */
int cvm_events_warn_once(const char *user, unsigned window);

/* Removes a user's bucket (tests, and `cvmkey unbind --all` later). */
void cvm_events_forget(const char *user);

#endif
