/* placeholder: filled in by its author */
typedef int cvm_placeholder_pam_cvmkey_t;
