/* deprecated.h: the table of renamed, obsolete and ignored parameters and
 * restrictions (compiler/deprecated.def), for the deprecated check and
 * for unknown-parameter (which leaves names known here to it). */
#ifndef COMPILER_DEPRECATED_H
#define COMPILER_DEPRECATED_H

typedef enum dep_kind { DEP_PARAM, DEP_RESTRICTION } dep_kind;
typedef enum dep_status { DEP_RENAMED, DEP_OBSOLETE, DEP_IGNORED, DEP_REMOVED } dep_status;

typedef struct dep_entry {
    dep_kind    kind;
    const char *name;
    const char *use;        /* replacement ("" for none) */
    const char *yes_value;  /* value of `use` that "name = yes" means ("" if n/a) */
    const char *since;      /* Postfix version */
    dep_status  status;
} dep_entry;

/* The entry for name, or NULL. */
const dep_entry *dep_find(dep_kind kind, const char *name);
/* Entries one at a time (i from 0; NULL past the end). */
const dep_entry *dep_at(unsigned i);

#endif
