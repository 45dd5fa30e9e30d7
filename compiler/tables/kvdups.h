/* kvdups.h: duplicate keys of a streamed postmap(1) source (kvsrc.h
 * kvsrc_stream). Each duplicate is reported (duplicate-key) when it is
 * met; once the source has been read, a second pass over it, made only
 * when there were duplicates, adds to each report a note pointing at the
 * entry that wins (the first one with the key). Memory grows with the
 * number of duplicates only. Used by postmap (dbwrite.c) and the image
 * compiler (compiler/image/emit_tables.c). */
#ifndef TABLES_KVDUPS_H
#define TABLES_KVDUPS_H
#include "compiler/diag.h"
#include "stdlib/util/strbuf.h"

#include <stdio.h>

typedef struct kvdup {
    char    *key;        /* as stored (folded when fold) */
    unsigned off;        /* where the duplicate is */
    size_t   diag;       /* index of its report in diags */
    loc      winner;     /* the first entry with the key (second pass) */
} kvdup;

typedef struct kvdups {
    diags  *d;
    int     file;        /* srcset id of the (sparse) source */
    int     fold;        /* keys are lowercased */
    kvdup  *v;
    size_t  n, cap;
    strbuf  key, value;
} kvdups;

void kvdups_init(kvdups *u, diags *d, int file, int fold);
/* Report `key` (as stored) at key_at: the first entry with it wins. */
void kvdups_report(kvdups *u, const char *key, loc key_at);
/* The second pass over fp from byte `start`, then the notes. stored_in:
 * where entries may have been before the source was read (postmap -i:
 * the database), or NULL. */
void kvdups_note_winners(kvdups *u, FILE *fp, long start, const char *stored_in);
void kvdups_free(kvdups *u);

#endif
