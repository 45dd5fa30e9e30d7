/* kvcollect.h: the entries of a postmap(1) source as a table would hold
 * them: keys folded (unless -f), the first of duplicate keys kept, with
 * duplicate-key diagnostics that say which one wins. */
#ifndef TABLES_KVCOLLECT_H
#define TABLES_KVCOLLECT_H
#include "compiler/diag.h"
#include "stdlib/maps/memtab.h"

typedef struct kv_collected {
    memtab t;       /* key -> value, insertion order */
    loc   *at;      /* at[i]: the source line of entry i of t */
    loc   *val_at;  /* val_at[i]: its value */
} kv_collected;

/* Parse srcset file `file`; fold lowercases keys. */
void kv_collect(kv_collected *out, int file, int fold, diags *d);
void kv_collected_free(kv_collected *c);

#endif
