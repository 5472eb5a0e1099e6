/* placeholder: filled in by its author */
typedef int cvm_placeholder_conf_t;
