/* memmap.c: texthash: and inline:: exact-key lookups in an in-memory table
 * (stdlib/maps/memtab.h) built by the compiler from the source text. */
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct map_mem {
    map    base;
    memtab t;
    strbuf kbuf;
} map_mem;

static map_status mem_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    map_mem *mm = (map_mem *)m;
    (void)err;
    if (m->flags & MAP_FL_FOLD_FIX) {
        map_fold(&mm->kbuf, key);
        key = mm->kbuf.s;
    }
    const char *v = memtab_get(&mm->t, key, NULL);
    if (!v)
        return MAP_NOTFOUND;
    sb_adds(value, v);
    return MAP_FOUND;
}

static void mem_free(map *m)
{
    map_mem *mm = (map_mem *)m;
    memtab_free(&mm->t);
    sb_free(&mm->kbuf);
    free(mm);
}

static const map_ops texthash_ops = {
    .type = "texthash", .caps = MAP_CAP_FIXED | MAP_CAP_FOLD,
    .lookup = mem_lookup, .free = mem_free,
};
static const map_ops inline_ops = {
    .type = "inline", .caps = MAP_CAP_FIXED | MAP_CAP_FOLD,
    .lookup = mem_lookup, .free = mem_free,
};

map *map_memtab_new(const char *type, const char *name, memtab *t, unsigned flags)
{
    map_mem *mm = xcalloc(1, sizeof *mm);
    map_base_init(&mm->base, strcmp(type, "inline") == 0 ? &inline_ops : &texthash_ops,
                  type, name, flags);
    mm->t = *t;
    memtab_init(t);
    sb_init(&mm->kbuf);
    return &mm->base;
}
