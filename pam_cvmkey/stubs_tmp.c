/* TEMPORARY weak stubs so the module links while lib/ is being written. */
#include <stddef.h>
#define W __attribute__((weak))
W void cvm_akline_free(void *p);
W void cvm_akline_free(void *p) { (void)p; }
W int cvm_akline_parse(void);
W int cvm_akline_parse(void) { return -1; }
W void cvm_db_close(void);
W void cvm_db_close(void) {}
W int cvm_db_open(void);
W int cvm_db_open(void) { return 6; }
W const char *cvm_db_strstatus(void);
W const char *cvm_db_strstatus(void) { return "stub"; }
W int cvm_db_user_byname(void);
W int cvm_db_user_byname(void) { return 1; }
W void cvm_db_user_free(void);
W void cvm_db_user_free(void) {}
W void cvm_pubkey_free(void);
W void cvm_pubkey_free(void) {}
W int cvm_pubkey_from_blob(void);
W int cvm_pubkey_from_blob(void) { return -1; }
W int cvm_sshd_load(void);
W int cvm_sshd_load(void) { return -1; }
W void cvm_sshd_free(void);
W void cvm_sshd_free(void) {}
W const char *cvm_sshd_get(void);
W const char *cvm_sshd_get(void) { return NULL; }
W int cvm_sshd_flag(void);
W int cvm_sshd_flag(void) { return -1; }
W int cvm_match_host_and_ip(void);
W int cvm_match_host_and_ip(void) { return 0; }
W int cvm_match_pattern_list(void);
W int cvm_match_pattern_list(void) { return 0; }
W const char *cvm_pubkey_sigalgs(void);
W const char *cvm_pubkey_sigalgs(void) { return ""; }
W int cvm_db_lock(void);
W int cvm_db_lock(void) { return -1; }
W int cvm_db_unlock(void);
W int cvm_db_unlock(void) { return -1; }
W int cvm_dbm_add_key(void);
W int cvm_dbm_add_key(void) { return -1; }
W int cvm_dbm_add_user(void);
W int cvm_dbm_add_user(void) { return -1; }
W int cvm_dbm_find_user(void);
W int cvm_dbm_find_user(void) { return -1; }
W int cvm_dbm_free(void);
W int cvm_dbm_free(void) { return -1; }
W int cvm_dbm_init(void);
W int cvm_dbm_init(void) { return -1; }
W int cvm_dbm_load(void);
W int cvm_dbm_load(void) { return -1; }
W int cvm_dbm_remove_key(void);
W int cvm_dbm_remove_key(void) { return -1; }
W int cvm_dbm_remove_user(void);
W int cvm_dbm_remove_user(void) { return -1; }
W int cvm_dbm_write(void);
W int cvm_dbm_write(void) { return -1; }
W int cvm_db_user_at(void);
W int cvm_db_user_at(void) { return -1; }
W int cvm_db_header(void);
W int cvm_db_header(void) { return -1; }
W int cvm_b64_encode(void);
W int cvm_b64_encode(void) { return -1; }
