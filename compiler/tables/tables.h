/* tables.h: building lookup tables from their "type:name" references and
 * source text, with diagnostics (the build side; stdlib/maps answers the
 * lookups). One entry point opens any table a configuration can name. */
#ifndef TABLES_TABLES_H
#define TABLES_TABLES_H
#include "compiler/diag.h"
#include "stdlib/maps/map.h"

/* What the table is used for, for the checks that depend on it. */
enum tables_use {
    TABLES_USE_ANY    = 0,
    TABLES_USE_ACCESS = 1u << 0,   /* an access(5) table: numeric-access-result */
    TABLES_USE_EXTERNAL = 1u << 1, /* outside the configuration directory: a
                                      missing file is host state, a warning */
};

typedef struct tables_opts {
    unsigned flags;   /* MAP_FL_*: key folding and NUL forms for lookups */
    loc      ref;     /* where the configuration names the table (LOC_NONE: command line) */
    severity missing; /* severity of missing-table (SEV_ERROR by default) */
} tables_opts;

/* The default options of Postfix's postmap -q: fold keys, try keys with
 * and without a trailing NUL. */
tables_opts tables_opts_default(void);

/* Open "type:name" (a bare name means hash:name, as default_database_type;
 * proxy:X is X). Source files are read into d->src and problems reported
 * in d: unknown-map-type, missing-table, table-syntax, duplicate-key.
 * Returns NULL when the table cannot be used at all. */
map *tables_open(const char *spec, const tables_opts *o, diags *d);

/* Split "type:name" (after proxy: unwrapping) into its parts; the type is
 * "hash" when there is no ':'. *type and *name are malloc'ed. Returns 0,
 * or -1 when the text is not of that form (empty name). */
int  tables_split_spec(const char *spec, char **type, char **name);
/* Is type a Postfix table type (served or not, or proxy)? */
int  tables_type_known(const char *type);
/* Is type a Postfix table type this project serves? */
int  tables_type_supported(const char *type);
/* The supported types, comma-separated, for messages. */
const char *tables_supported_list(void);

/* All checks on one table a configuration references (the lead calls
 * this for every table reference): unknown-map-type, missing-table,
 * table-syntax, duplicate-key, stale-table (hash:/btree: .db older than
 * or different from its source) and, for access tables, numeric-access-
 * result. Returns the number of errors reported. */
int  tables_check(const char *spec, loc ref, unsigned use, diags *d);
/* numeric-access-result on one value of an access table at `at`;
 * returns 1 when reported. */
int  tables_check_access_result(const char *value, loc at, diags *d);

#endif
