/* Hash indexes over a database model: see apply_index.h. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "apply_index.h"
#include "db.h"
#include "dbformat.h"
#include "dbhash.h"

int
aidx_init(struct aidx *x, enum aidx_kind kind, size_t max)
{
	size_t cap = 16;

	memset(x, 0, sizeof(*x));
	x->kind = kind;
	while (cap / 2 <= max) {
		if (cap > SIZE_MAX / 4 / sizeof(size_t))
			return -1;
		cap <<= 1;
	}
	if (getrandom(x->key, sizeof(x->key), 0) != (ssize_t)sizeof(x->key) ||
	    (x->slot = calloc(cap, sizeof(*x->slot))) == NULL)
		return -1;
	x->mask = cap - 1;
	return 0;
}

void
aidx_free(struct aidx *x)
{
	free(x->slot);
	x->slot = NULL;
}

static uint64_t
hname(const struct aidx *x, const char *s)
{
	return cvm_siphash24(x->key, s, strlen(s));
}

static uint64_t
hid(const struct aidx *x, uint32_t id)
{
	unsigned char b[4];

	cvm_put32(b, id);
	return cvm_siphash24(x->key, b, sizeof(b));
}

void
aidx_add(struct aidx *x, const struct cvm_dbm *m, size_t i)
{
	uint64_t h;
	size_t p, used = 0;

	if (x->slot == NULL)
		return;
	switch (x->kind) {
	case AIDX_USER:
		h = hname(x, m->users[i].name);
		break;
	case AIDX_UID:
		if (!(m->users[i].flags & CVM_DBU_PROVISIONED))
			return;
		h = hid(x, m->users[i].uid);
		break;
	case AIDX_GROUP:
		h = hname(x, m->groups[i].name);
		break;
	default:
		h = hid(x, m->groups[i].gid);
		break;
	}
	for (p = (size_t)h & x->mask; x->slot[p] != 0; p = (p + 1) & x->mask)
		if (++used > x->mask / 2) {	/* more than sized for: scan */
			aidx_free(x);
			return;
		}
	x->slot[p] = i + 1;
}

int
aidx_build(struct aidx *x, enum aidx_kind kind, const struct cvm_dbm *m)
{
	size_t n = kind == AIDX_USER || kind == AIDX_UID ? m->nusers : m->ngroups;
	(void)aidx_init(x, kind, n);
	for (size_t i = 0; i < n && x->slot != NULL; i++)
		aidx_add(x, m, i);
	return x->slot != NULL ? 0 : -1;
}

struct cvm_dbm_user *
aidx_user(const struct aidx *x, const struct cvm_dbm *m, const char *name)
{
	if (x->slot == NULL)
		return cvm_dbm_find_user((struct cvm_dbm *)m, name);
	for (size_t p = (size_t)hname(x, name) & x->mask; x->slot[p] != 0;
	    p = (p + 1) & x->mask) {
		struct cvm_dbm_user *u = &m->users[x->slot[p] - 1];

		if (u->name != NULL && strcmp(u->name, name) == 0)
			return u;
	}
	return NULL;
}

struct cvm_dbm_user *
aidx_uid(const struct aidx *x, const struct cvm_dbm *m, uint32_t uid)
{
	if (x->slot == NULL) {
		for (size_t i = 0; i < m->nusers; i++)
			if ((m->users[i].flags & CVM_DBU_PROVISIONED) && m->users[i].uid == uid)
				return &m->users[i];
		return NULL;
	}
	for (size_t p = (size_t)hid(x, uid) & x->mask; x->slot[p] != 0;
	    p = (p + 1) & x->mask) {
		struct cvm_dbm_user *u = &m->users[x->slot[p] - 1];

		if ((u->flags & CVM_DBU_PROVISIONED) && u->uid == uid)
			return u;
	}
	return NULL;
}

struct cvm_dbm_group *
aidx_group(const struct aidx *x, const struct cvm_dbm *m, const char *name)
{
	if (x->slot == NULL)
		return cvm_dbm_find_group((struct cvm_dbm *)m, name);
	for (size_t p = (size_t)hname(x, name) & x->mask; x->slot[p] != 0;
	    p = (p + 1) & x->mask) {
		struct cvm_dbm_group *g = &m->groups[x->slot[p] - 1];

		if (g->name != NULL && strcmp(g->name, name) == 0)
			return g;
	}
	return NULL;
}

struct cvm_dbm_group *
aidx_gid(const struct aidx *x, const struct cvm_dbm *m, uint32_t gid)
{
	if (x->slot == NULL)
		return cvm_dbm_find_gid((struct cvm_dbm *)m, gid);
	for (size_t p = (size_t)hid(x, gid) & x->mask; x->slot[p] != 0;
	    p = (p + 1) & x->mask) {
		struct cvm_dbm_group *g = &m->groups[x->slot[p] - 1];

		if (g->gid == gid)
			return g;
	}
	return NULL;
}
