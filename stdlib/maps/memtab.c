/* memtab.c: an in-memory string -> string table (open addressing, FNV-1a). */
#include "stdlib/maps/memtab.h"
#include "stdlib/util/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

void memtab_init(memtab *t)
{
    memset(t, 0, sizeof *t);
}

void memtab_free(memtab *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].key);
        free(t->v[i].value);
    }
    free(t->v);
    free(t->slot);
    memtab_init(t);
}

static size_t find_slot(const memtab *t, const char *key)
{
    size_t mask = t->nslot - 1, i = (size_t)hash_str(key) & mask;
    while (t->slot[i] && strcmp(t->v[t->slot[i] - 1].key, key) != 0)
        i = (i + 1) & mask;
    return i;
}

static void rehash(memtab *t)
{
    size_t nslot = t->nslot ? t->nslot * 2 : 16;
    free(t->slot);
    t->slot = xcalloc(nslot, sizeof *t->slot);
    t->nslot = nslot;
    for (size_t e = 0; e < t->n; e++)
        t->slot[find_slot(t, t->v[e].key)] = e + 1;
}

const char *memtab_get(const memtab *t, const char *key, size_t *index)
{
    if (!t->nslot)
        return NULL;
    size_t s = t->slot[find_slot(t, key)];
    if (!s)
        return NULL;
    if (index)
        *index = s - 1;
    return t->v[s - 1].value;
}

int memtab_put(memtab *t, const char *key, const char *value, int replace)
{
    if ((t->n + 1) * 2 > t->nslot)
        rehash(t);
    size_t i = find_slot(t, key);
    if (t->slot[i]) {
        if (replace) {
            memtab_ent *e = &t->v[t->slot[i] - 1];
            free(e->value);
            e->value = xstrdup(value);
        }
        return 0;
    }
    xgrow(&t->v, &t->cap, t->n + 1, sizeof *t->v);
    t->v[t->n] = (memtab_ent){ xstrdup(key), xstrdup(value) };
    t->slot[i] = ++t->n;
    return 1;
}
