/* map.c: the generic entry points that dispatch to a map type. */
#include "stdlib/maps/map.h"
#include <stdlib.h>

map_status map_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    sb_clear(value);
    sb_clear(err);
    return m->ops->lookup(m, key, value, err);
}

size_t map_lookup_batch(map *m, const char *const *keys, size_t n, map_status *st,
                        strbuf *values, strbuf *err)
{
    sb_clear(err);
    if (m->ops->lookup_batch) {
        for (size_t i = 0; i < n; i++)
            sb_clear(&values[i]);
        return m->ops->lookup_batch(m, keys, n, st, values, err);
    }
    for (size_t i = 0; i < n; i++) {
        sb_clear(&values[i]);
        st[i] = m->ops->lookup(m, keys[i], &values[i], err);
        if (st[i] != MAP_FOUND && st[i] != MAP_NOTFOUND)
            return i + 1;
    }
    return n;
}

void map_free(map *m)
{
    if (!m)
        return;
    free(m->type);
    free(m->name);
    m->ops->free(m);
}
