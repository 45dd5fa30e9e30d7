/* postmap.h: building hash:/btree: databases from source text, as
 * Postfix's postmap(1) does (the build side of stdlib/maps/db.c). */
#ifndef TABLES_POSTMAP_H
#define TABLES_POSTMAP_H
#include "compiler/tables/tables.h"

typedef struct postmap_opts {
    int fold;          /* lowercase keys (postmap without -f) */
    int nul;           /* store keys and values with a trailing NUL (default; -n: 0) */
    int incremental;   /* -i: add the entries on stdin to the existing database */
} postmap_opts;

/* Build NAME.db for "hash:NAME" / "btree:NAME"; problems go to d.
 * Returns 0 on success, -1 when no database was written. */
int tables_postmap(const char *spec, const postmap_opts *po, diags *d);

#endif
