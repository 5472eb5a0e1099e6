/* placeholder: filled in by its author */
typedef int cvm_placeholder_sshkey_t;
