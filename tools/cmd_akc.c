/* placeholder: filled in by its author */
typedef int cvm_placeholder_cmd_akc_t;
