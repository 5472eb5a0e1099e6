/* Events in root's persistent keyring: one keyring per user named
 * "cvmkey:<user>" under it, one "user" key per event named
 * "cvmkey:ev:<seconds>.<nanoseconds>", payload "service\trhost\tmethod\t
 * result\treason". */
#include "config.h"
#include <errno.h>
#include <keyutils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "events.h"
#include "strutil.h"

#define BUCKET_UNKNOWN "(unknown)"
#define MAX_BUCKETS 4096	/* well inside root_maxkeys (1,000,000 here) */
/* possessor: view read write search link setattr; owner (root): view read */
#define EVENT_PERM (KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ)

static key_serial_t
persistent(char *err, size_t errlen)
{
	/* Linked into the process keyring: possessed, and nothing leaks
	 * into a session keyring (KeyringMode=private, sudo). */
	/* uid 0, not -1 (the real uid): under su or sudo the real uid is
	 * the invoking user's, whose own keyring they could read. */
	long k = keyctl_get_persistent(0, KEY_SPEC_PROCESS_KEYRING);

	if (k < 0)
		snprintf(err, errlen, "persistent keyring: %s", strerror(errno));
	return (key_serial_t)k;
}

/* A user's bucket, created on first use.  It expires with its events
 * (the timeout is refreshed on every record), so names tried once do not
 * hold a bucket for ever. */
static key_serial_t
bucket(key_serial_t root, const char *user, int create, unsigned ttl,
    char *err, size_t errlen)
{
	char desc[300];
	long k;

	snprintf(desc, sizeof(desc), "cvmkey:%s", user != NULL ? user : BUCKET_UNKNOWN);
	k = keyctl_search(root, "keyring", desc, 0);
	if (k >= 0 || !create) {
		if (k < 0)
			snprintf(err, errlen, "%s: no events", desc);
		else if (create && ttl > 0)
			(void)keyctl_set_timeout((key_serial_t)k, ttl);
		return (key_serial_t)k;
	}
	{
		void *ids = NULL;
		int len = keyctl_read_alloc(root, &ids);

		free(ids);
		if (len >= 0 && (size_t)len / sizeof(key_serial_t) >= MAX_BUCKETS) {
			snprintf(err, errlen, "persistent keyring holds %d entries: "
			    "not adding more", len / (int)sizeof(key_serial_t));
			return -1;
		}
	}
	k = add_key("keyring", desc, NULL, 0, KEY_SPEC_PROCESS_KEYRING);
	if (k < 0 || keyctl_setperm((key_serial_t)k, EVENT_PERM | KEY_POS_ALL) < 0 ||
	    (ttl > 0 && keyctl_set_timeout((key_serial_t)k, ttl) < 0) ||
	    keyctl_link((key_serial_t)k, root) < 0) {
		snprintf(err, errlen, "%s: %s", desc, strerror(errno));
		if (k >= 0)
			keyctl_unlink((key_serial_t)k, KEY_SPEC_PROCESS_KEYRING);
		return -1;
	}
	keyctl_unlink((key_serial_t)k, KEY_SPEC_PROCESS_KEYRING);
	/* Two sshd processes may have created the bucket at once: the last
	 * link wins, so use the one that is linked now. */
	{
		long found = keyctl_search(root, "keyring", desc, 0);

		if (found >= 0)
			k = found;
	}
	return (key_serial_t)k;
}

/* "cvmkey:ev:<sec>.<nsec>" -> time in ns (0 if not ours) */
static long long
event_ns(key_serial_t id)
{
	char *d = NULL, *name;
	long long sec = 0, nsec = 0;

	if (keyctl_describe_alloc(id, &d) < 0)
		return 0;
	/* "type;uid;gid;perm;description" */
	name = strrchr(d, ';');
	if (name == NULL || sscanf(name + 1, "cvmkey:ev:%lld.%lld", &sec, &nsec) != 2)
		sec = nsec = 0;
	free(d);
	return sec * 1000000000LL + nsec;
}

static void
trim(key_serial_t b, unsigned keep)
{
	key_serial_t *ids = NULL;
	int len = keyctl_read_alloc(b, (void **)&ids);
	size_t n = len > 0 ? (size_t)len / sizeof(*ids) : 0;

	while (n > keep) {
		size_t oldest = 0;
		long long t0 = -1;

		for (size_t i = 0; i < n; i++) {
			long long t = event_ns(ids[i]);

			if (t0 < 0 || t < t0) {
				t0 = t;
				oldest = i;
			}
		}
		keyctl_unlink(ids[oldest], b);
		ids[oldest] = ids[--n];
	}
	free(ids);
}

/* A field as stored: printable bytes only (a tab in a reverse-DNS rhost
 * would shift the fields), "-" when empty (sscanf needs a field). */
static void
clean(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (; src[i] != '\0' && i + 1 < n; i++)
		dst[i] = (unsigned char)src[i] < 0x21 || src[i] == 0x7f ? '?' : src[i];
	if (i == 0 && n > 1)
		dst[i++] = '-';
	dst[i] = '\0';
}

int
cvm_events_record(const char *user, const struct cvm_event *ev, unsigned ttl,
    unsigned per_user, char *err, size_t errlen)
{
	char desc[64], payload[384], f[5][64];
	struct timespec ts;
	key_serial_t root, b;
	long k;

	if ((root = persistent(err, errlen)) < 0 ||
	    (b = bucket(root, user, 1, ttl, err, errlen)) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(desc, sizeof(desc), "cvmkey:ev:%lld.%09ld", (long long)ts.tv_sec,
	    ts.tv_nsec);
	clean(f[0], ev->service, sizeof(f[0]));
	clean(f[1], ev->rhost, sizeof(f[1]));
	clean(f[2], ev->method, sizeof(f[2]));
	clean(f[3], ev->result, sizeof(f[3]));
	clean(f[4], ev->reason, sizeof(f[4]));
	snprintf(payload, sizeof(payload), "%s\t%s\t%s\t%s\t%s",
	    f[0], f[1], f[2], f[3], f[4]);
	/* Permissions and timeout are set while the key is linked only to
	 * this process's own keyring, then it moves to the bucket. */
	k = add_key("user", desc, payload, strlen(payload), KEY_SPEC_PROCESS_KEYRING);
	if (k < 0 || keyctl_setperm((key_serial_t)k, EVENT_PERM) < 0 ||
	    (ttl > 0 && keyctl_set_timeout((key_serial_t)k, ttl) < 0) ||
	    keyctl_link((key_serial_t)k, b) < 0) {
		snprintf(err, errlen, "event: %s", strerror(errno));
		if (k >= 0)
			keyctl_unlink((key_serial_t)k, KEY_SPEC_PROCESS_KEYRING);
		return -1;
	}
	keyctl_unlink((key_serial_t)k, KEY_SPEC_PROCESS_KEYRING);
	trim(b, per_user);
	return 0;
}

static int
newest_first(const void *a, const void *b)
{
	const struct cvm_event *x = a, *y = b;

	return x->when < y->when ? 1 : x->when > y->when ? -1 : 0;
}

int
cvm_events_read(const char *user, struct cvm_event **out, size_t *np,
    char *err, size_t errlen)
{
	key_serial_t root, b, *ids = NULL;
	struct cvm_event *evs = NULL;
	size_t n = 0, cnt;
	int len;

	*out = NULL;
	*np = 0;
	if ((root = persistent(err, errlen)) < 0)
		return -1;
	if ((b = bucket(root, user, 0, 0, err, errlen)) < 0)
		return 0;	/* no events */
	if ((len = keyctl_read_alloc(b, (void **)&ids)) < 0) {
		snprintf(err, errlen, "events: %s", strerror(errno));
		return -1;
	}
	cnt = (size_t)len / sizeof(*ids);
	if (cnt > 0 && (evs = calloc(cnt, sizeof(*evs))) == NULL) {
		free(ids);
		return -1;
	}
	for (size_t i = 0; i < cnt; i++) {
		char *p = NULL;
		long long ns = event_ns(ids[i]);
		int pl = ns > 0 ? keyctl_read_alloc(ids[i], (void **)&p) : -1;
		struct cvm_event *e = &evs[n];

		if (pl >= 0 && sscanf(p, "%31[^\t]\t%63[^\t]\t%31[^\t]\t%15[^\t]\t%31s",
		    e->service, e->rhost, e->method, e->result, e->reason) == 5) {
			e->when = (time_t)(ns / 1000000000LL);
			n++;
		}
		free(p);
	}
	free(ids);
	qsort(evs, n, sizeof(*evs), newest_first);
	*out = evs;
	*np = n;
	return 0;
}

void
cvm_events_forget(const char *user)
{
	char err[128];
	key_serial_t root = persistent(err, sizeof(err)), b;

	if (root >= 0 && (b = bucket(root, user, 0, 0, err, sizeof(err))) >= 0)
		keyctl_unlink(b, root);
	if (root >= 0) {
		char desc[300];
		long w;

		snprintf(desc, sizeof(desc), "cvmkey:warned:%s",
		    user != NULL ? user : BUCKET_UNKNOWN);
		if ((w = keyctl_search(root, "user", desc, 0)) >= 0)
			keyctl_unlink((key_serial_t)w, root);
	}
}

int
cvm_events_warn_once(const char *user, unsigned window)
{
	char desc[300], err[128];
	key_serial_t root = persistent(err, sizeof(err));
	long k;

	if (root < 0)
		return 0;
	snprintf(desc, sizeof(desc), "cvmkey:warned:%s", user != NULL ? user : BUCKET_UNKNOWN);
	if (keyctl_search(root, "user", desc, 0) >= 0)
		return 0;	/* warned within the window */
	k = add_key("user", desc, "1", 1, KEY_SPEC_PROCESS_KEYRING);
	if (k < 0)
		return 1;
	(void)keyctl_setperm((key_serial_t)k, EVENT_PERM);
	(void)keyctl_set_timeout((key_serial_t)k, window > 0 ? window : 1);
	(void)keyctl_link((key_serial_t)k, root);
	keyctl_unlink((key_serial_t)k, KEY_SPEC_PROCESS_KEYRING);
	return 1;
}
