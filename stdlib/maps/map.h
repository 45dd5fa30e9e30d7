/* map.h: the lookup side of every table type, one type per file
 * (stdlib/maps/<type>.c) behind one small vtable, in the spirit of
 * Postfix's dict_*.c. Building a table from its source text happens in
 * the compiler (compiler/tables/), which reports diagnostics; this side
 * only answers lookups, so mtacc and mtad share it.
 *
 * A lookup answers found / not found / error; an error says whether it is
 * temporary (retry: 4xx) or a configuration problem. */
#ifndef MAPS_MAP_H
#define MAPS_MAP_H
#include "stdlib/util/strbuf.h"
#include <stddef.h>

typedef enum map_status {
    MAP_FOUND = 0,
    MAP_NOTFOUND,
    MAP_ERR_TEMP,      /* try again later */
    MAP_ERR_CONFIG,    /* the table is unusable as configured */
} map_status;

/* What a type can do; checked when a configuration names a table for a use. */
enum map_caps {
    MAP_CAP_FIXED    = 1u << 0,   /* exact-key lookups (hash, btree, texthash, inline, cidr...) */
    MAP_CAP_PATTERN  = 1u << 1,   /* keys are patterns matched in order (regexp, pcre) */
    MAP_CAP_FOLD     = 1u << 2,   /* keys are case-folded before lookup */
    MAP_CAP_ANYKEY   = 1u << 3,   /* answers every key the same way (static, fail) */
};

/* Flags of one open table (as Postfix's DICT_FLAG_*). */
enum map_flags {
    MAP_FL_FOLD_FIX  = 1u << 0,   /* lowercase fixed-string keys */
    MAP_FL_TRY0NULL  = 1u << 1,   /* try keys without a trailing NUL (postmap -N/-n) */
    MAP_FL_TRY1NULL  = 1u << 2,   /* try keys with a trailing NUL */
};

typedef struct map map;

typedef struct map_ops {
    const char *type;              /* "hash", "cidr", ... */
    unsigned    caps;
    map_status (*lookup)(map *m, const char *key, strbuf *value, strbuf *err);
    void       (*free)(map *m);
    /* Optional: many keys at once (see map_lookup_batch), for types whose
     * lookups wait on memory and can overlap those waits. */
    size_t     (*lookup_batch)(map *m, const char *const *keys, size_t n, map_status *st,
                               strbuf *values, strbuf *err);
} map_ops;

/* Every map type embeds this first. */
struct map {
    const map_ops *ops;
    char          *type;   /* as named in the configuration ("hash") */
    char          *name;   /* the part after "type:" */
    unsigned       flags;
};

/* value receives the result on MAP_FOUND; err a one-line reason on errors. */
map_status map_lookup(map *m, const char *key, strbuf *value, strbuf *err);
/* n lookups: st[i] and values[i] as map_lookup(keys[i]) gives them, in
 * order, stopping after the first error (err says why). Returns how many
 * keys were answered (n, or the index of the failed one + 1). */
size_t     map_lookup_batch(map *m, const char *const *keys, size_t n, map_status *st,
                            strbuf *values, strbuf *err);
void       map_free(map *m);

#endif
