/* Bindings database reader (DESIGN §4; the format is in dbformat.h).
 *
 * libc only, no stdio output, no logging, no static mutable state: this
 * file is linked into libnss_cvm.so, which runs inside every process that
 * looks up a user.  Every byte taken from the mapping is copied out once
 * (the header, a slot, a record) and only the copy is checked and used. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "errbuf.h"
#include "db.h"
#include "dbformat.h"
#include "dbhash.h"

struct dbtab {
	uint32_t id;		/* CVM_DBT_* */
	uint32_t size;		/* slots */
	uint64_t off;
};

struct cvm_db {
	const unsigned char *base;
	size_t len;
	struct cvm_db_header hdr;
	unsigned char seed[16];
	uint32_t nprov;
	struct dbtab ulist, uname, uuid, glist, gname, ggid;
	struct stat st;
};

#define seterr(err, errlen, ...) (void)cvm_seterr(err, errlen, __VA_ARGS__)

const char *
cvm_db_strstatus(int status)
{
	switch (status) {
	case CVM_DB_OK:
		return "ok";
	case CVM_DB_NOTFOUND:
		return "not found";
	case CVM_DB_MISSING:
		return "no database file";
	case CVM_DB_REFUSED:
		return "database file refused (owner, mode, type or links)";
	case CVM_DB_CORRUPT:
		return "database file corrupt";
	case CVM_DB_NOMEM:
		return "out of memory";
	case CVM_DB_IOERR:
		return "database file could not be read";
	}
	return "unknown status";
}

/* ---- opening -------------------------------------------------------- */

/* The directory holding path: root-owned, not group/world-writable. */
static int
check_dir(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	struct stat st;

	if (slash == NULL) {
		dir[0] = '.';
		dir[1] = '\0';
	} else {
		n = (size_t)(slash - path);
		if (n == 0)
			n = 1;	/* "/file" */
		if (n >= sizeof(dir)) {
			seterr(err, errlen, "%s: path too long", path);
			return CVM_DB_IOERR;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (stat(dir, &st) == -1) {
		seterr(err, errlen, "%s: %s", dir, strerror(errno));
		return CVM_DB_IOERR;
	}
	if (!S_ISDIR(st.st_mode)) {
		seterr(err, errlen, "%s: not a directory", dir);
		return CVM_DB_REFUSED;
	}
	if (st.st_uid != 0) {
		seterr(err, errlen, "%s: directory not owned by root", dir);
		return CVM_DB_REFUSED;
	}
	if ((st.st_mode & 022) != 0) {
		seterr(err, errlen, "%s: directory is group or world writable", dir);
		return CVM_DB_REFUSED;
	}
	return CVM_DB_OK;
}

static int
is_pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* A table of nslots slots at off lies inside the file, after the header. */
static int
table_ok(uint64_t flen, uint64_t off, uint64_t nslots)
{
	if (off % 8 != 0 || off < CVM_DB_DATA_OFF || off > flen)
		return 0;
	return nslots <= (flen - off) / CVM_DB_SLOT_SIZE;
}

static int
hashtab_ok(uint64_t flen, uint64_t off, uint32_t size, uint32_t count)
{
	return is_pow2(size) && size <= CVM_DB_READ_MAX_TABLE &&
	    size > count && table_ok(flen, off, size);
}

static int
parse_header(struct cvm_db *db, const unsigned char *h, char *err,
    size_t errlen)
{
	struct cvm_db_header *hd = &db->hdr;
	uint64_t flen = db->len;

	if (memcmp(h + CVM_DBH_MAGIC, CVM_DB_MAGIC, CVM_DB_MAGIC_LEN) != 0) {
		seterr(err, errlen, "bad magic: not a cvmkey database");
		return CVM_DB_CORRUPT;
	}
	if (cvm_le32(h + CVM_DBH_CRC_OFF) != cvm_dbh_header(h)) {
		seterr(err, errlen, "header checksum mismatch");
		return CVM_DB_CORRUPT;
	}
	hd->version = cvm_le32(h + CVM_DBH_VERSION);
	if (hd->version != CVM_DB_FORMAT_VERSION) {
		seterr(err, errlen, "unsupported format version %u",
		    (unsigned)hd->version);
		return CVM_DB_CORRUPT;
	}
	if (cvm_le32(h + CVM_DBH_HDRSIZE) != CVM_DBH_SIZE ||
	    cvm_le32(h + CVM_DBH_INCOMPAT) != 0) {
		seterr(err, errlen, "unsupported header (size or features)");
		return CVM_DB_CORRUPT;
	}
	hd->length = cvm_le64(h + CVM_DBH_LENGTH);
	if (hd->length != flen) {
		seterr(err, errlen, "truncated or extended: header says %llu "
		    "bytes, file has %llu", (unsigned long long)hd->length,
		    (unsigned long long)flen);
		return CVM_DB_CORRUPT;
	}
	hd->uid_min = cvm_le32(h + CVM_DBH_UID_MIN);
	hd->uid_max = cvm_le32(h + CVM_DBH_UID_MAX);
	hd->gid_min = cvm_le32(h + CVM_DBH_GID_MIN);
	hd->gid_max = cvm_le32(h + CVM_DBH_GID_MAX);
	hd->admin_gid = cvm_le32(h + CVM_DBH_ADMIN_GID);
	hd->nusers = cvm_le32(h + CVM_DBH_NUSERS);
	hd->ngroups = cvm_le32(h + CVM_DBH_NGROUPS);
	db->nprov = cvm_le32(h + CVM_DBH_NPROV);
	hd->serial = cvm_le64(h + CVM_DBH_SERIAL);
	memcpy(hd->doc_sha256, h + CVM_DBH_DOC_SHA256, 32);
	memcpy(db->seed, h + CVM_DBH_SEED, 16);

	db->ulist.id = CVM_DBT_ULIST;
	db->ulist.off = cvm_le64(h + CVM_DBH_ULIST_OFF);
	db->ulist.size = hd->nusers;
	db->uname.id = CVM_DBT_UNAME;
	db->uname.off = cvm_le64(h + CVM_DBH_UNAME_OFF);
	db->uname.size = cvm_le32(h + CVM_DBH_UNAME_SIZE);
	db->uuid.id = CVM_DBT_UUID;
	db->uuid.off = cvm_le64(h + CVM_DBH_UUID_OFF);
	db->uuid.size = cvm_le32(h + CVM_DBH_UUID_SIZE);
	db->glist.id = CVM_DBT_GLIST;
	db->glist.off = cvm_le64(h + CVM_DBH_GLIST_OFF);
	db->glist.size = hd->ngroups;
	db->gname.id = CVM_DBT_GNAME;
	db->gname.off = cvm_le64(h + CVM_DBH_GNAME_OFF);
	db->gname.size = cvm_le32(h + CVM_DBH_GNAME_SIZE);
	db->ggid.id = CVM_DBT_GGID;
	db->ggid.off = cvm_le64(h + CVM_DBH_GGID_OFF);
	db->ggid.size = cvm_le32(h + CVM_DBH_GGID_SIZE);

	if (hd->nusers > CVM_DB_READ_MAX_COUNT ||
	    hd->ngroups > CVM_DB_READ_MAX_COUNT || db->nprov > hd->nusers) {
		seterr(err, errlen, "impossible counts in header");
		return CVM_DB_CORRUPT;
	}
	if (!table_ok(flen, db->ulist.off, db->ulist.size) ||
	    !table_ok(flen, db->glist.off, db->glist.size) ||
	    !hashtab_ok(flen, db->uname.off, db->uname.size, hd->nusers) ||
	    !hashtab_ok(flen, db->uuid.off, db->uuid.size, db->nprov) ||
	    !hashtab_ok(flen, db->gname.off, db->gname.size, hd->ngroups) ||
	    !hashtab_ok(flen, db->ggid.off, db->ggid.size, hd->ngroups)) {
		seterr(err, errlen, "index tables do not fit the file");
		return CVM_DB_CORRUPT;
	}
	return CVM_DB_OK;
}

int
cvm_db_open(const char *path, int check_owner, struct cvm_db **out,
    char *err, size_t errlen)
{
	struct cvm_db *db = NULL;
	unsigned char h[CVM_DBH_SIZE];
	void *map;
	int fd = -1, rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd == -1) {
		switch (errno) {
		case ENOENT:
			seterr(err, errlen, "%s: no such file", path);
			return CVM_DB_MISSING;
		case ELOOP:
			seterr(err, errlen, "%s: is a symbolic link", path);
			return CVM_DB_REFUSED;
		case ENXIO:
		case ENODEV:
			seterr(err, errlen, "%s: not a regular file", path);
			return CVM_DB_REFUSED;
		case ENOMEM:
			seterr(err, errlen, "%s: %s", path, strerror(errno));
			return CVM_DB_NOMEM;
		default:
			seterr(err, errlen, "%s: %s", path, strerror(errno));
			return CVM_DB_IOERR;
		}
	}
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		seterr(err, errlen, "out of memory");
		rc = CVM_DB_NOMEM;
		goto out;
	}
	if (fstat(fd, &db->st) == -1) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		rc = CVM_DB_IOERR;
		goto out;
	}
	rc = CVM_DB_REFUSED;
	if (!S_ISREG(db->st.st_mode)) {
		seterr(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (check_owner && db->st.st_uid != 0) {
		seterr(err, errlen, "%s: not owned by root", path);
		goto out;
	}
	if ((db->st.st_mode & 022) != 0) {
		seterr(err, errlen, "%s: group or world writable", path);
		goto out;
	}
	/* 0 links: replaced between our open and fstat; still consistent. */
	if (db->st.st_nlink > 1) {
		seterr(err, errlen, "%s: has more than one hard link", path);
		goto out;
	}
	if (check_owner && (rc = check_dir(path, err, errlen)) != CVM_DB_OK)
		goto out;
	rc = CVM_DB_CORRUPT;
	if (db->st.st_size < CVM_DB_DATA_OFF) {
		seterr(err, errlen, "%s: %s", path, db->st.st_size == 0 ?
		    "empty file" : "truncated (shorter than its header)");
		goto out;
	}
	if ((uintmax_t)db->st.st_size > SIZE_MAX) {
		seterr(err, errlen, "%s: too large", path);
		goto out;
	}
	db->len = (size_t)db->st.st_size;
	map = mmap(NULL, db->len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		rc = errno == ENOMEM ? CVM_DB_NOMEM : CVM_DB_IOERR;
		seterr(err, errlen, "%s: mmap: %s", path, strerror(errno));
		goto out;
	}
	db->base = map;
	close(fd);
	fd = -1;
	memcpy(h, db->base, sizeof(h));
	if ((rc = parse_header(db, h, err, errlen)) != CVM_DB_OK)
		goto out;
	*out = db;
	db = NULL;
	rc = CVM_DB_OK;
out:
	if (fd != -1)
		close(fd);
	cvm_db_close(db);
	return rc;
}

void
cvm_db_close(struct cvm_db *db)
{
	if (db == NULL)
		return;
	if (db->base != NULL)
		munmap((void *)db->base, db->len);
	free(db);
}

const struct cvm_db_header *
cvm_db_header(const struct cvm_db *db)
{
	return &db->hdr;
}

const struct stat *
cvm_db_stat(const struct cvm_db *db)
{
	return &db->st;
}

int
cvm_db_retired(const struct cvm_db *db)
{
	const uint64_t *w = (const uint64_t *)(const void *)
	    (db->base + CVM_DB_RETIRED_OFF);

	return __atomic_load_n(w, __ATOMIC_RELAXED) != 0;
}

/* ---- slots and records ---------------------------------------------- */

static int
read_slot(const struct cvm_db *db, const struct dbtab *t, uint32_t i,
    uint64_t *off, uint32_t *aux)
{
	unsigned char s[CVM_DB_SLOT_SIZE];

	/* i < t->size, and the table fits the file (parse_header) */
	memcpy(s, db->base + t->off + (uint64_t)i * CVM_DB_SLOT_SIZE, sizeof(s));
	if (cvm_le32(s + 12) != cvm_dbh_slot(t->id, i, s))
		return CVM_DB_CORRUPT;
	*off = cvm_le64(s);
	*aux = cvm_le32(s + 8);
	if (*off == 0 && *aux != 0)
		return CVM_DB_CORRUPT;
	return CVM_DB_OK;
}

/* Copies the record at off out of the mapping into a new buffer of
 * (len + extra) bytes and checks it: kind, length, sequence < maxseq,
 * checksum.  extra is added after the length check (caps the allocation). */
static int
load_record(const struct cvm_db *db, uint64_t off, uint32_t kind,
    uint32_t maxseq, unsigned char **bufp, uint32_t *lenp)
{
	unsigned char rh[CVM_DBR_SIZE], *buf;
	uint32_t len;

	*bufp = NULL;
	if (off % 8 != 0 || off < CVM_DB_DATA_OFF ||
	    off > db->len - CVM_DBR_SIZE)
		return CVM_DB_CORRUPT;
	memcpy(rh, db->base + off, sizeof(rh));
	len = cvm_le32(rh + CVM_DBR_LEN);
	if (cvm_le32(rh + CVM_DBR_KIND) != kind || len < CVM_DBR_SIZE ||
	    len % 8 != 0 || len > CVM_DB_REC_MAX || len > db->len - off)
		return CVM_DB_CORRUPT;
	if ((buf = malloc(len)) == NULL)
		return CVM_DB_NOMEM;
	memcpy(buf, db->base + off, len);
	/* the copy is what counts: check it again, whole */
	if (cvm_le32(buf + CVM_DBR_KIND) != kind ||
	    cvm_le32(buf + CVM_DBR_LEN) != len ||
	    cvm_le32(buf + CVM_DBR_SEQ) >= maxseq ||
	    cvm_le32(buf + CVM_DBR_CRC) != cvm_dbh_record(buf, len)) {
		free(buf);
		return CVM_DB_CORRUPT;
	}
	*bufp = buf;
	*lenp = len;
	return CVM_DB_OK;
}

/* A cursor over a checked private copy; every size check by subtraction. */
struct cur {
	unsigned char *p;
	size_t pos, end;	/* pos <= end, pos % 4 == 0 */
};

static int
cur_u32(struct cur *c, uint32_t *v)
{
	if (c->end - c->pos < 4)
		return -1;
	*v = cvm_le32(c->p + c->pos);
	c->pos += 4;
	return 0;
}

static int
cur_u64(struct cur *c, uint64_t *v)
{
	if (c->end - c->pos < 8)
		return -1;
	*v = cvm_le64(c->p + c->pos);
	c->pos += 8;
	return 0;
}

/* u32 length n, n bytes, then (str) a NUL, then padding to 4. */
static int
cur_bytes(struct cur *c, int str, const unsigned char **b, uint32_t *np)
{
	uint32_t n;
	size_t avail, need;

	if (cur_u32(c, &n) == -1)
		return -1;
	avail = c->end - c->pos;
	if (n > avail || (str && n == avail))
		return -1;
	need = (size_t)n + (str ? 1 : 0);
	need = (need + 3) & ~(size_t)3;
	if (need > avail)
		return -1;
	if (str && (c->p[c->pos + n] != '\0' ||
	    memchr(c->p + c->pos, '\0', n) != NULL))
		return -1;
	*b = c->p + c->pos;
	*np = n;
	c->pos += need;
	return 0;
}

static int
cur_str(struct cur *c, const char **s)
{
	const unsigned char *b;
	uint32_t n;

	if (cur_bytes(c, 1, &b, &n) == -1)
		return -1;
	*s = (const char *)b;
	return 0;
}

/* Only padding to 8 may follow the last item. */
static int
cur_done(const struct cur *c)
{
	return c->end - c->pos < 8;
}

/* Parses a checked user record (buf, len, from load_record) into u; takes
 * ownership of buf (freed on failure). */
static int
parse_user(unsigned char *buf, uint32_t len, struct cvm_db_user *u)
{
	struct cvm_db_key *keys;
	struct cur c;
	uint32_t nkeys, ngroups, i, reserved, v;
	size_t koff;
	uint64_t t;
	unsigned char *nbuf;
	const unsigned char *b;

	memset(u, 0, sizeof(*u));
	if (len - CVM_DBR_SIZE < CVM_DBR_USER_FIXED)
		goto corrupt;
	ngroups = cvm_le32(buf + CVM_DBR_SIZE + 12);
	nkeys = cvm_le32(buf + CVM_DBR_SIZE + 16);
	if (nkeys > CVM_DB_MAX_KEYS || ngroups > (len - CVM_DBR_SIZE) / 4)
		goto corrupt;
	koff = ((size_t)len + 7) & ~(size_t)7;
	if ((nbuf = realloc(buf, koff + nkeys * sizeof(*keys))) == NULL) {
		free(buf);
		return CVM_DB_NOMEM;
	}
	buf = nbuf;
	keys = (struct cvm_db_key *)(void *)(buf + koff);
	c.p = buf;
	c.pos = CVM_DBR_SIZE;
	c.end = len;
	if (cur_u32(&c, &u->uid) || cur_u32(&c, &u->gid) ||
	    cur_u32(&c, &u->flags) || cur_u32(&c, &v) || cur_u32(&c, &v) ||
	    cur_u32(&c, &reserved) || reserved != 0)
		goto corrupt;
	if (cur_str(&c, &u->name) || cur_str(&c, &u->gecos) ||
	    cur_str(&c, &u->home) || cur_str(&c, &u->shell))
		goto corrupt;
	if (ngroups > (c.end - c.pos) / 4)
		goto corrupt;
	/* convert in place: the copy is ours, pos is 4-aligned in a malloc'd
	 * buffer, so the array is aligned for uint32_t */
	{
		uint32_t *g = (uint32_t *)(void *)(buf + c.pos);

		for (i = 0; i < ngroups; i++)
			g[i] = cvm_le32(buf + c.pos + 4 * (size_t)i);
		u->groups = g;
		u->ngroups = ngroups;
		c.pos += 4 * (size_t)ngroups;
	}
	for (i = 0; i < nkeys; i++) {
		struct cvm_db_key *k = &keys[i];

		if (cur_u64(&c, &t))
			goto corrupt;
		k->bound_at = (int64_t)t;
		if (cur_u64(&c, &t))
			goto corrupt;
		k->expiry = (int64_t)t;
		if (cur_str(&c, &k->type) ||
		    cur_bytes(&c, 0, &b, &k->bloblen) ||
		    cur_str(&c, &k->label) || cur_str(&c, &k->fp))
			goto corrupt;
		k->blob = b;
	}
	if (!cur_done(&c))
		goto corrupt;
	u->nkeys = nkeys;
	u->keys = nkeys > 0 ? keys : NULL;
	u->mem_ = buf;
	return CVM_DB_OK;
corrupt:
	free(buf);
	memset(u, 0, sizeof(*u));
	return CVM_DB_CORRUPT;
}

static int
parse_group(unsigned char *buf, uint32_t len, struct cvm_db_group *g)
{
	const char **mem;
	struct cur c;
	uint32_t n, i;
	size_t moff;
	unsigned char *nbuf;

	memset(g, 0, sizeof(*g));
	if (len - CVM_DBR_SIZE < CVM_DBR_GROUP_FIXED)
		goto corrupt;
	n = cvm_le32(buf + CVM_DBR_SIZE + 4);
	if (n > CVM_DB_MAX_MEMBERS)
		goto corrupt;
	moff = ((size_t)len + 7) & ~(size_t)7;
	if ((nbuf = realloc(buf, moff + (n + 1) * sizeof(*mem))) == NULL) {
		free(buf);
		return CVM_DB_NOMEM;
	}
	buf = nbuf;
	mem = (const char **)(void *)(buf + moff);
	c.p = buf;
	c.pos = CVM_DBR_SIZE;
	c.end = len;
	if (cur_u32(&c, &g->gid) || cur_u32(&c, &i) || cur_str(&c, &g->name))
		goto corrupt;
	for (i = 0; i < n; i++)
		if (cur_str(&c, &mem[i]))
			goto corrupt;
	mem[n] = NULL;
	if (!cur_done(&c))
		goto corrupt;
	g->nmembers = n;
	g->members = mem;
	g->mem_ = buf;
	return CVM_DB_OK;
corrupt:
	free(buf);
	memset(g, 0, sizeof(*g));
	return CVM_DB_CORRUPT;
}

static int
get_user(const struct cvm_db *db, uint64_t off, struct cvm_db_user *u,
    uint32_t *seq)
{
	unsigned char *buf;
	uint32_t len;
	int rc;

	memset(u, 0, sizeof(*u));
	rc = load_record(db, off, CVM_DBR_USER, db->hdr.nusers, &buf, &len);
	if (rc != CVM_DB_OK)
		return rc;
	*seq = cvm_le32(buf + CVM_DBR_SEQ);
	return parse_user(buf, len, u);
}

static int
get_group(const struct cvm_db *db, uint64_t off, struct cvm_db_group *g,
    uint32_t *seq)
{
	unsigned char *buf;
	uint32_t len;
	int rc;

	memset(g, 0, sizeof(*g));
	rc = load_record(db, off, CVM_DBR_GROUP, db->hdr.ngroups, &buf, &len);
	if (rc != CVM_DB_OK)
		return rc;
	*seq = cvm_le32(buf + CVM_DBR_SEQ);
	return parse_group(buf, len, g);
}

/* ---- lookups ---------------------------------------------------------- */

struct want {
	const char *name;
	size_t namelen;
	uint32_t id;
};

/* Tries the record at off: CVM_DB_OK if it is the wanted one (out filled),
 * NOTFOUND to probe on, anything else to stop. */
typedef int (*try_fn)(const struct cvm_db *, uint64_t, const struct want *,
    void *);

static int
try_uname(const struct cvm_db *db, uint64_t off, const struct want *w,
    void *out)
{
	struct cvm_db_user *u = out;
	uint32_t seq;
	int rc;

	if ((rc = get_user(db, off, u, &seq)) != CVM_DB_OK)
		return rc;
	if (strlen(u->name) == w->namelen &&
	    memcmp(u->name, w->name, w->namelen) == 0)
		return CVM_DB_OK;
	cvm_db_user_free(u);
	return CVM_DB_NOTFOUND;
}

static int
try_uuid(const struct cvm_db *db, uint64_t off, const struct want *w,
    void *out)
{
	struct cvm_db_user *u = out;
	uint32_t seq;
	int rc;

	if ((rc = get_user(db, off, u, &seq)) != CVM_DB_OK)
		return rc;
	if (u->uid == w->id) {
		if (u->flags & CVM_DBU_PROVISIONED)
			return CVM_DB_OK;
		rc = CVM_DB_CORRUPT;	/* the writer indexes provisioned only */
	} else
		rc = CVM_DB_NOTFOUND;
	cvm_db_user_free(u);
	return rc;
}

static int
try_gname(const struct cvm_db *db, uint64_t off, const struct want *w,
    void *out)
{
	struct cvm_db_group *g = out;
	uint32_t seq;
	int rc;

	if ((rc = get_group(db, off, g, &seq)) != CVM_DB_OK)
		return rc;
	if (strlen(g->name) == w->namelen &&
	    memcmp(g->name, w->name, w->namelen) == 0)
		return CVM_DB_OK;
	cvm_db_group_free(g);
	return CVM_DB_NOTFOUND;
}

static int
try_ggid(const struct cvm_db *db, uint64_t off, const struct want *w,
    void *out)
{
	struct cvm_db_group *g = out;
	uint32_t seq;
	int rc;

	if ((rc = get_group(db, off, g, &seq)) != CVM_DB_OK)
		return rc;
	if (g->gid == w->id)
		return CVM_DB_OK;
	cvm_db_group_free(g);
	return CVM_DB_NOTFOUND;
}

/* Linear probing from h, at most t->size slots; *foundp gets the record's
 * offset on CVM_DB_OK. */
static int
probe(const struct cvm_db *db, const struct dbtab *t, uint64_t h,
    try_fn try, const struct want *w, void *out, uint64_t *foundp)
{
	uint32_t mask = t->size - 1, i = (uint32_t)h & mask;
	uint32_t want = (uint32_t)(h >> 32), aux, n;
	uint64_t off;
	int rc;

	for (n = 0; n < t->size; n++, i = (i + 1) & mask) {
		if ((rc = read_slot(db, t, i, &off, &aux)) != CVM_DB_OK)
			return rc;
		if (off == 0)
			return CVM_DB_NOTFOUND;
		if (aux != want)
			continue;
		rc = try(db, off, w, out);
		if (rc == CVM_DB_OK && foundp != NULL)
			*foundp = off;
		if (rc != CVM_DB_NOTFOUND)
			return rc;
	}
	return CVM_DB_NOTFOUND;
}

static int
user_byname(const struct cvm_db *db, const char *name, struct cvm_db_user *out,
    uint64_t *foundp)
{
	struct want w;

	memset(out, 0, sizeof(*out));
	w.name = name;
	w.namelen = strnlen(name, CVM_DB_MAX_NAME + 1);
	w.id = 0;
	if (w.namelen == 0 || w.namelen > CVM_DB_MAX_NAME)
		return CVM_DB_NOTFOUND;
	return probe(db, &db->uname,
	    cvm_dbh_name(db->seed, CVM_DBT_UNAME, name, w.namelen),
	    try_uname, &w, out, foundp);
}

static int
user_byuid(const struct cvm_db *db, uint32_t uid, struct cvm_db_user *out,
    uint64_t *foundp)
{
	struct want w = { NULL, 0, uid };

	memset(out, 0, sizeof(*out));
	return probe(db, &db->uuid, cvm_dbh_id(db->seed, CVM_DBT_UUID, uid),
	    try_uuid, &w, out, foundp);
}

static int
group_byname(const struct cvm_db *db, const char *name,
    struct cvm_db_group *out, uint64_t *foundp)
{
	struct want w;

	memset(out, 0, sizeof(*out));
	w.name = name;
	w.namelen = strnlen(name, CVM_DB_MAX_NAME + 1);
	w.id = 0;
	if (w.namelen == 0 || w.namelen > CVM_DB_MAX_NAME)
		return CVM_DB_NOTFOUND;
	return probe(db, &db->gname,
	    cvm_dbh_name(db->seed, CVM_DBT_GNAME, name, w.namelen),
	    try_gname, &w, out, foundp);
}

static int
group_bygid(const struct cvm_db *db, uint32_t gid, struct cvm_db_group *out,
    uint64_t *foundp)
{
	struct want w = { NULL, 0, gid };

	memset(out, 0, sizeof(*out));
	return probe(db, &db->ggid, cvm_dbh_id(db->seed, CVM_DBT_GGID, gid),
	    try_ggid, &w, out, foundp);
}

int
cvm_db_user_byname(struct cvm_db *db, const char *name, struct cvm_db_user *out)
{
	return user_byname(db, name, out, NULL);
}

int
cvm_db_user_byuid(struct cvm_db *db, uint32_t uid, struct cvm_db_user *out)
{
	return user_byuid(db, uid, out, NULL);
}

int
cvm_db_group_byname(struct cvm_db *db, const char *name,
    struct cvm_db_group *out)
{
	return group_byname(db, name, out, NULL);
}

int
cvm_db_group_bygid(struct cvm_db *db, uint32_t gid, struct cvm_db_group *out)
{
	return group_bygid(db, gid, out, NULL);
}

void
cvm_db_user_free(struct cvm_db_user *u)
{
	if (u == NULL)
		return;
	free(u->mem_);
	memset(u, 0, sizeof(*u));
}

void
cvm_db_group_free(struct cvm_db_group *g)
{
	if (g == NULL)
		return;
	free(g->mem_);
	memset(g, 0, sizeof(*g));
}

/* ---- enumeration ------------------------------------------------------ */

static int
user_at(const struct cvm_db *db, uint32_t i, struct cvm_db_user *out,
    uint64_t *offp)
{
	uint64_t off;
	uint32_t aux, seq;
	int rc;

	memset(out, 0, sizeof(*out));
	if (i >= db->hdr.nusers)
		return CVM_DB_NOTFOUND;
	if ((rc = read_slot(db, &db->ulist, i, &off, &aux)) != CVM_DB_OK)
		return rc;
	if (off == 0 || aux != i)
		return CVM_DB_CORRUPT;
	if ((rc = get_user(db, off, out, &seq)) != CVM_DB_OK)
		return rc;
	if (seq != i) {
		cvm_db_user_free(out);
		return CVM_DB_CORRUPT;
	}
	*offp = off;
	return CVM_DB_OK;
}

static int
group_at(const struct cvm_db *db, uint32_t i, struct cvm_db_group *out,
    uint64_t *offp)
{
	uint64_t off;
	uint32_t aux, seq;
	int rc;

	memset(out, 0, sizeof(*out));
	if (i >= db->hdr.ngroups)
		return CVM_DB_NOTFOUND;
	if ((rc = read_slot(db, &db->glist, i, &off, &aux)) != CVM_DB_OK)
		return rc;
	if (off == 0 || aux != i)
		return CVM_DB_CORRUPT;
	if ((rc = get_group(db, off, out, &seq)) != CVM_DB_OK)
		return rc;
	if (seq != i) {
		cvm_db_group_free(out);
		return CVM_DB_CORRUPT;
	}
	*offp = off;
	return CVM_DB_OK;
}

int
cvm_db_user_at(struct cvm_db *db, uint32_t i, struct cvm_db_user *out)
{
	uint64_t off;

	return user_at(db, i, out, &off);
}

int
cvm_db_group_at(struct cvm_db *db, uint32_t i, struct cvm_db_group *out)
{
	uint64_t off;

	return group_at(db, i, out, &off);
}

/* ---- verification ----------------------------------------------------- */

/* Every slot of t checks, and `expect` of them are occupied. */
static int
verify_table(const struct cvm_db *db, const struct dbtab *t, uint32_t expect)
{
	uint64_t off;
	uint32_t i, aux, used = 0;
	int rc;

	for (i = 0; i < t->size; i++) {
		if ((rc = read_slot(db, t, i, &off, &aux)) != CVM_DB_OK)
			return rc;
		if (off != 0)
			used++;
	}
	return used == expect ? CVM_DB_OK : CVM_DB_CORRUPT;
}

/* Every slot of every table checks; every record in the lists parses and
 * is found through its hash tables at the same offset (so there are no
 * duplicate names or ids, and no slot points elsewhere: the counts of
 * occupied slots equal the counts of records). */
int
cvm_db_verify(struct cvm_db *db, char *err, size_t errlen)
{
	struct cvm_db_user u, u2;
	struct cvm_db_group g, g2;
	uint64_t off, off2;
	uint32_t i, nprov = 0;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((rc = verify_table(db, &db->ulist, db->hdr.nusers)) != CVM_DB_OK ||
	    (rc = verify_table(db, &db->uname, db->hdr.nusers)) != CVM_DB_OK ||
	    (rc = verify_table(db, &db->uuid, db->nprov)) != CVM_DB_OK ||
	    (rc = verify_table(db, &db->glist, db->hdr.ngroups)) != CVM_DB_OK ||
	    (rc = verify_table(db, &db->gname, db->hdr.ngroups)) != CVM_DB_OK ||
	    (rc = verify_table(db, &db->ggid, db->hdr.ngroups)) != CVM_DB_OK) {
		seterr(err, errlen, "index tables: %s", cvm_db_strstatus(rc));
		return rc;
	}
	for (i = 0; i < db->hdr.nusers; i++) {
		if ((rc = user_at(db, i, &u, &off)) != CVM_DB_OK) {
			seterr(err, errlen, "user record %u: %s", (unsigned)i,
			    cvm_db_strstatus(rc));
			return rc;
		}
		rc = user_byname(db, u.name, &u2, &off2);
		cvm_db_user_free(&u2);
		if (rc == CVM_DB_OK && off2 != off)
			rc = CVM_DB_CORRUPT;	/* duplicate name */
		if (rc == CVM_DB_OK && (u.flags & CVM_DBU_PROVISIONED)) {
			nprov++;
			rc = user_byuid(db, u.uid, &u2, &off2);
			cvm_db_user_free(&u2);
			if (rc == CVM_DB_OK && off2 != off)
				rc = CVM_DB_CORRUPT;	/* duplicate uid */
		}
		if (rc != CVM_DB_OK) {
			if (rc == CVM_DB_NOTFOUND)
				rc = CVM_DB_CORRUPT;
			seterr(err, errlen, "user %u: index: %s", (unsigned)i,
			    cvm_db_strstatus(rc));
			cvm_db_user_free(&u);
			return rc;
		}
		cvm_db_user_free(&u);
	}
	if (nprov != db->nprov) {
		seterr(err, errlen, "provisioned count mismatch");
		return CVM_DB_CORRUPT;
	}
	for (i = 0; i < db->hdr.ngroups; i++) {
		if ((rc = group_at(db, i, &g, &off)) != CVM_DB_OK) {
			seterr(err, errlen, "group record %u: %s", (unsigned)i,
			    cvm_db_strstatus(rc));
			return rc;
		}
		rc = group_byname(db, g.name, &g2, &off2);
		cvm_db_group_free(&g2);
		if (rc == CVM_DB_OK && off2 != off)
			rc = CVM_DB_CORRUPT;
		if (rc == CVM_DB_OK) {
			rc = group_bygid(db, g.gid, &g2, &off2);
			cvm_db_group_free(&g2);
			if (rc == CVM_DB_OK && off2 != off)
				rc = CVM_DB_CORRUPT;
		}
		cvm_db_group_free(&g);
		if (rc != CVM_DB_OK) {
			if (rc == CVM_DB_NOTFOUND)
				rc = CVM_DB_CORRUPT;
			seterr(err, errlen, "group %u: index: %s", (unsigned)i,
			    cvm_db_strstatus(rc));
			return rc;
		}
	}
	return CVM_DB_OK;
}
