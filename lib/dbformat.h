/* The bindings database file format, version 1 (DESIGN §4).
 *
 * Shared by the reader (db.c, libc only, linked into libnss_cvm) and the
 * writer (dbwrite.c).  Everything on disk is LITTLE-ENDIAN and read with the
 * explicit conversions below (never by casting the mapping), so the format
 * is the same on any host.  All offsets are from the start of the file and
 * are absolute, u64.
 *
 * Layout of a file:
 *
 *   0    header (CVM_DBH_SIZE = 512 bytes, checksummed)
 *   512  retired word (8 bytes, 8-aligned, NOT checksummed)
 *   520  index tables, each an array of 16-byte slots, in this order:
 *          user list        nusers slots             (CVM_DBT_ULIST)
 *          user name table  uname_size slots         (CVM_DBT_UNAME)
 *          user uid table   uuid_size slots          (CVM_DBT_UUID)
 *          group list       ngroups slots            (CVM_DBT_GLIST)
 *          group name table gname_size slots         (CVM_DBT_GNAME)
 *          group gid table  ggid_size slots          (CVM_DBT_GGID)
 *        (a reader uses the offsets in the header, not this order)
 *   ...  records: every user, in list order, then every group; each record
 *        starts 8-aligned and its length is a multiple of 8.
 *
 * Header (offset, size, field):
 *   0    8  magic "CVMKEYDB"
 *   8    4  format version (CVM_DB_FORMAT_VERSION = 1; readers refuse others)
 *   12   4  header size (512)
 *   16   8  file length: must equal the file's size
 *   24   4  uid_min     28  4  uid_max
 *   32   4  gid_min     36  4  gid_max
 *   40   4  admin_gid (0: none)
 *   44   4  nusers      48  4  ngroups
 *   52   4  nprov: users with CVM_DBU_PROVISIONED (entries of the uid table)
 *   56   8  serial of the last signed document applied (0: none)
 *   64  32  SHA-256 of that document (zero: none)
 *   96  16  seed: per-file random SipHash key (getrandom at each write)
 *   112  8  user list offset         120  8  user name table offset
 *   128  8  user uid table offset
 *   136  4  user name table size     140  4  user uid table size (slots)
 *   144  8  group list offset        152  8  group name table offset
 *   160  8  group gid table offset
 *   168  4  group name table size    172  4  group gid table size (slots)
 *   176  4  incompatible feature flags: 0 (a reader refuses any bit set)
 *   180 328 reserved: written as zero, ignored by version-1 readers (room
 *           for new fields that old readers may skip; covered by the CRC)
 *   508  4  CRC-32C of bytes [0,508)
 *
 * Retired word (offset 512, u64): 0 while the file is the live
 * generation.  After renaming a new generation over the path, the writer
 * pwrite()s 8 bytes of 0xff here through a descriptor it opened before the
 * rename; any non-zero byte means "retired".  Readers load it with a
 * relaxed atomic 64-bit load from the mapping (mmap is page-aligned, so
 * the word is naturally aligned).
 *
 * Index slot (16 bytes):
 *   0  8  record offset (0: empty slot)
 *   8  4  aux: in hash tables the high 32 bits of the key's SipHash (0 in
 *         an empty slot); in the lists the slot's own index
 *   12 4  check: cvm_dbh_slot(table id, slot index, bytes [0,12)), so a
 *         corrupted slot, empty or not, is detected when it is read.
 * Hash tables are open addressing with linear probing: a key with hash h
 * starts at slot h & (size - 1) and probes forward (wrapping) until an
 * empty slot, at most `size` slots.  Sizes are powers of two, larger than
 * the entry count (the writer uses >= 2x entries, at least 8).  Keys:
 *   user name table: cvm_dbh_name(seed, CVM_DBT_UNAME, name), every user
 *   user uid table:  cvm_dbh_id(seed, CVM_DBT_UUID, uid), provisioned only
 *   group name/gid:  CVM_DBT_GNAME / CVM_DBT_GGID, every group
 * A hit whose aux matches is confirmed against the record (name or id).
 *
 * Record header (16 bytes), then the body:
 *   0  4  kind: CVM_DBR_USER or CVM_DBR_GROUP
 *   4  4  record length in bytes, header included, multiple of 8,
 *         <= CVM_DB_REC_MAX
 *   8  4  sequence: the record's index in its list
 *   12 4  CRC-32C over bytes [0,12) and [12+4, length) (cvm_dbh_record)
 * A reader copies the record out of the mapping once, checks length, kind
 * and CRC on the copy, and parses only the copy.
 *
 * Body items are 4-aligned:
 *   u32      4 bytes
 *   str      u32 length n, n bytes (no NUL among them), a NUL, then zero
 *            padding to a multiple of 4 (4 + roundup4(n + 1) bytes)
 *   blob     u32 length n, n bytes, zero padding to a multiple of 4
 * The record ends with zero padding to a multiple of 8 (fewer than 8
 * bytes); nothing else may follow the last item.
 *
 * User body (from offset 16):
 *   u32 uid, u32 gid, u32 flags (CVM_DBU_*), u32 ngroups, u32 nkeys,
 *   u32 reserved (0),
 *   str name, str gecos, str home, str shell,
 *   u32 groups[ngroups]  (supplementary gids: the per-user index that
 *                         initgroups needs),
 *   nkeys times a key:
 *     u64 bound_at (int64, seconds since the epoch), u64 expiry (int64,
 *     -1: none), str type, blob key blob, str label, str fingerprint
 * Group body:
 *   u32 gid, u32 nmembers, str name, nmembers times str member
 *
 * Limits (the writer refuses more; a reader refuses anything that cannot
 * fit the file, and the caps below, whatever the file says). */
#ifndef CVM_DBFORMAT_H
#define CVM_DBFORMAT_H
#include <stdint.h>

#define CVM_DB_MAGIC		"CVMKEYDB"
#define CVM_DB_MAGIC_LEN	8
#define CVM_DB_FORMAT_VERSION	1

#define CVM_DBH_SIZE		512
#define CVM_DBH_CRC_OFF		508
#define CVM_DB_RETIRED_OFF	512
#define CVM_DB_DATA_OFF		520

/* header field offsets */
#define CVM_DBH_MAGIC		0
#define CVM_DBH_VERSION		8
#define CVM_DBH_HDRSIZE		12
#define CVM_DBH_LENGTH		16
#define CVM_DBH_UID_MIN		24
#define CVM_DBH_UID_MAX		28
#define CVM_DBH_GID_MIN		32
#define CVM_DBH_GID_MAX		36
#define CVM_DBH_ADMIN_GID	40
#define CVM_DBH_NUSERS		44
#define CVM_DBH_NGROUPS		48
#define CVM_DBH_NPROV		52
#define CVM_DBH_SERIAL		56
#define CVM_DBH_DOC_SHA256	64
#define CVM_DBH_SEED		96
#define CVM_DBH_ULIST_OFF	112
#define CVM_DBH_UNAME_OFF	120
#define CVM_DBH_UUID_OFF	128
#define CVM_DBH_UNAME_SIZE	136
#define CVM_DBH_UUID_SIZE	140
#define CVM_DBH_GLIST_OFF	144
#define CVM_DBH_GNAME_OFF	152
#define CVM_DBH_GGID_OFF	160
#define CVM_DBH_GNAME_SIZE	168
#define CVM_DBH_GGID_SIZE	172
#define CVM_DBH_INCOMPAT	176
#define CVM_DBH_RESERVED	180

/* index tables */
#define CVM_DBT_ULIST		1
#define CVM_DBT_UNAME		2
#define CVM_DBT_UUID		3
#define CVM_DBT_GLIST		4
#define CVM_DBT_GNAME		5
#define CVM_DBT_GGID		6
#define CVM_DB_SLOT_SIZE	16
#define CVM_DB_TABLE_MIN	8

/* records */
#define CVM_DBR_USER		0x31525355u	/* "USR1" */
#define CVM_DBR_GROUP		0x31505247u	/* "GRP1" */
#define CVM_DBR_KIND		0
#define CVM_DBR_LEN		4
#define CVM_DBR_SEQ		8
#define CVM_DBR_CRC		12
#define CVM_DBR_SIZE		16
#define CVM_DBR_USER_FIXED	24	/* six u32 after the record header */
#define CVM_DBR_GROUP_FIXED	8	/* two u32 */
#define CVM_DBR_KEY_FIXED	16	/* two u64 */

/* limits of the file format, enforced by writer and reader */
#define CVM_DB_MAX_USERS	4000000	/* the file; documents are capped lower (DESIGN §5) */
#define CVM_DB_MAX_GROUPS	8000000	/* user-private groups + others */
#define CVM_DB_MAX_KEYS		32	/* per account */
#define CVM_DB_MAX_BLOB		16384	/* per key */
#define CVM_DB_MAX_MEMBERS	1024	/* per group */
#define CVM_DB_MAX_UGROUPS	65536	/* supplementary gids per user */
#define CVM_DB_MAX_NAME		255	/* user and group names */
#define CVM_DB_MAX_FIELD	4096	/* gecos, home, shell */
#define CVM_DB_MAX_KEYWORD	255	/* key type, fingerprint */
#define CVM_DB_MAX_LABEL	16384
/* the reader's caps (whatever the header says) */
#define CVM_DB_REC_MAX		(4u << 20)	/* bytes per record */
#define CVM_DB_READ_MAX_COUNT	(1u << 24)	/* users, groups */
#define CVM_DB_READ_MAX_TABLE	(1u << 26)	/* slots per hash table */

static inline uint32_t
cvm_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
cvm_le64(const unsigned char *p)
{
	return (uint64_t)cvm_le32(p) | (uint64_t)cvm_le32(p + 4) << 32;
}

static inline void
cvm_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static inline void
cvm_put64(unsigned char *p, uint64_t v)
{
	cvm_put32(p, (uint32_t)v);
	cvm_put32(p + 4, (uint32_t)(v >> 32));
}

#endif
