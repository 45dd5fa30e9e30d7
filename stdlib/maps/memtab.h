/* memtab.h: an in-memory string -> string table (open addressing), the
 * storage behind texthash: and inline:. Insertion order is kept so that
 * dumps are deterministic. */
#ifndef MAPS_MEMTAB_H
#define MAPS_MEMTAB_H
#include <stddef.h>

typedef struct memtab_ent {
    char *key, *value;
} memtab_ent;

typedef struct memtab {
    memtab_ent *v;        /* entries in insertion order */
    size_t      n, cap;
    size_t     *slot;     /* index + 1 into v, 0 = empty */
    size_t      nslot;    /* power of two */
} memtab;

void memtab_init(memtab *t);
void memtab_free(memtab *t);
/* Add key -> value. When the key exists: replace != 0 overwrites the value,
 * otherwise the table keeps the first. Returns 1 when added, 0 when the key
 * was already there. */
int  memtab_put(memtab *t, const char *key, const char *value, int replace);
/* The value of key, or NULL; *index receives the entry index when found. */
const char *memtab_get(const memtab *t, const char *key, size_t *index);

#endif
