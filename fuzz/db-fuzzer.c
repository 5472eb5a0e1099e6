/* Bindings database reader (a hostile file mapped in): cvm_db_open with
 * check_owner 0, cvm_db_verify, every enumeration and lookup.  Each input
 * runs twice: as is, and with every checksum fixed up (header CRC, the
 * CRC of anything that looks like a record, every index slot's check
 * word) so mutations reach the record and index parsers behind them. */
#include <stdlib.h>
#include <string.h>
#include "db.h"
#include "dbformat.h"
#include "dbhash.h"
#include "fuzz.h"

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static void
fix_table(unsigned char *b, size_t len, uint32_t table, uint64_t off,
    uint32_t n)
{
	for (uint32_t i = 0; i < n && i < 1u << 20; i++) {
		uint64_t s = off + (uint64_t)i * CVM_DB_SLOT_SIZE;

		if (off >= len || s + CVM_DB_SLOT_SIZE > len)
			return;
		put32(b + s + 12, cvm_dbh_slot(table, i, b + s));
	}
}

static void
fixup(unsigned char *b, size_t len)
{
	if (len < CVM_DBH_SIZE)
		return;
	for (size_t o = CVM_DB_DATA_OFF; o + CVM_DBR_SIZE <= len; o += 8) {
		uint32_t kind = le32(b + o), rl = le32(b + o + CVM_DBR_LEN);

		if ((kind == CVM_DBR_USER || kind == CVM_DBR_GROUP) &&
		    rl >= CVM_DBR_SIZE && rl % 8 == 0 && rl <= len - o)
			put32(b + o + CVM_DBR_CRC, cvm_dbh_record(b + o, rl));
	}
	fix_table(b, len, CVM_DBT_ULIST, le64(b + CVM_DBH_ULIST_OFF), le32(b + CVM_DBH_NUSERS));
	fix_table(b, len, CVM_DBT_UNAME, le64(b + CVM_DBH_UNAME_OFF), le32(b + CVM_DBH_UNAME_SIZE));
	fix_table(b, len, CVM_DBT_UUID, le64(b + CVM_DBH_UUID_OFF), le32(b + CVM_DBH_UUID_SIZE));
	fix_table(b, len, CVM_DBT_GLIST, le64(b + CVM_DBH_GLIST_OFF), le32(b + CVM_DBH_NGROUPS));
	fix_table(b, len, CVM_DBT_GNAME, le64(b + CVM_DBH_GNAME_OFF), le32(b + CVM_DBH_GNAME_SIZE));
	fix_table(b, len, CVM_DBT_GGID, le64(b + CVM_DBH_GGID_OFF), le32(b + CVM_DBH_GGID_SIZE));
	put32(b + CVM_DBH_CRC_OFF, cvm_dbh_header(b));
}

static void
one(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("bindings.db", data, size);
	struct cvm_db *db = NULL;
	const struct cvm_db_header *h;
	char err[512];

	if (cvm_db_open(path, 0, &db, err, sizeof(err)) != CVM_DB_OK)
		return;
	h = cvm_db_header(db);
	(void)cvm_db_retired(db);
	(void)cvm_db_stat(db);
	(void)cvm_db_verify(db, err, sizeof(err));
	for (uint32_t i = 0; i < h->nusers && i < 256; i++) {
		struct cvm_db_user u, v;

		if (cvm_db_user_at(db, i, &u) != CVM_DB_OK)
			continue;
		if (cvm_db_user_byname(db, u.name, &v) == CVM_DB_OK)
			cvm_db_user_free(&v);
		if (cvm_db_user_byuid(db, u.uid, &v) == CVM_DB_OK)
			cvm_db_user_free(&v);
		for (uint32_t g = 0; g < u.ngroups && g < 16; g++) {
			struct cvm_db_group gr;

			if (cvm_db_group_bygid(db, u.groups[g], &gr) == CVM_DB_OK)
				cvm_db_group_free(&gr);
		}
		cvm_db_user_free(&u);
	}
	for (uint32_t i = 0; i < h->ngroups && i < 256; i++) {
		struct cvm_db_group g, v;

		if (cvm_db_group_at(db, i, &g) != CVM_DB_OK)
			continue;
		if (cvm_db_group_byname(db, g.name, &v) == CVM_DB_OK)
			cvm_db_group_free(&v);
		if (cvm_db_group_bygid(db, g.gid, &v) == CVM_DB_OK)
			cvm_db_group_free(&v);
		cvm_db_group_free(&g);
	}
	{
		struct cvm_db_user u;
		struct cvm_db_group g;

		if (cvm_db_user_byname(db, "alice", &u) == CVM_DB_OK)
			cvm_db_user_free(&u);
		if (cvm_db_user_byuid(db, 0, &u) == CVM_DB_OK)
			cvm_db_user_free(&u);
		if (cvm_db_user_at(db, h->nusers, &u) == CVM_DB_OK)
			cvm_db_user_free(&u);
		if (cvm_db_group_byname(db, "", &g) == CVM_DB_OK)
			cvm_db_group_free(&g);
		if (cvm_db_group_at(db, h->ngroups, &g) == CVM_DB_OK)
			cvm_db_group_free(&g);
	}
	cvm_db_close(db);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *b;

	one(data, size);
	if (size < CVM_DBH_SIZE || (b = malloc(size)) == NULL)
		return 0;
	memcpy(b, data, size);
	fixup(b, size);
	if (memcmp(b, data, size) != 0)
		one(b, size);
	free(b);
	return 0;
}
