/* Hashes for the bindings database (libc only: linked into libnss_cvm).
 *
 * cvm_siphash24: SipHash-2-4 (Aumasson & Bernstein), 128-bit key, 64-bit
 * result, the reference algorithm (its test vectors are in test_db.c).
 * cvm_crc32c: CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the
 * iSCSI/ext4 checksum; check value crc32c("123456789") = 0xE3069283.
 * Incremental: start with crc = 0 and feed the previous result back in
 * (the pre- and post-inversion are done inside, as zlib's crc32 does).
 *
 * The cvm_dbh_* helpers are the only place the file format's hashing and
 * checksumming is spelt out; reader and writer both call them.  The
 * layouts they cover are documented in dbformat.h. */
#ifndef CVM_DBHASH_H
#define CVM_DBHASH_H
#include <stddef.h>
#include <stdint.h>

uint64_t cvm_siphash24(const unsigned char key[16], const void *data, size_t len);
uint32_t cvm_crc32c(uint32_t crc, const void *data, size_t len);

/* Hash of a name (user or group) for index table `table` (CVM_DBT_*): the
 * file's seed with `table` (little-endian) XORed into its first 4 bytes is
 * the SipHash key, the name's bytes (no NUL) the message. */
uint64_t cvm_dbh_name(const unsigned char seed[16], uint32_t table,
    const char *name, size_t len);
/* Hash of a uid/gid: as above, the message is the id's 4 little-endian
 * bytes. */
uint64_t cvm_dbh_id(const unsigned char seed[16], uint32_t table, uint32_t id);
/* Check word of an index slot: CRC-32C over table (u32le), slot index
 * (u32le) and the slot's first 12 bytes (offset u64le, aux u32le). */
uint32_t cvm_dbh_slot(uint32_t table, uint32_t index, const unsigned char slot12[12]);
/* Checksum of a record of len >= 16 bytes: CRC-32C over bytes [0,12) then
 * [16,len) (the check field at 12 is skipped). */
uint32_t cvm_dbh_record(const unsigned char *rec, size_t len);
/* Checksum of the header: CRC-32C over bytes [0, CVM_DBH_CRC_OFF). */
uint32_t cvm_dbh_header(const unsigned char *hdr);

#endif
