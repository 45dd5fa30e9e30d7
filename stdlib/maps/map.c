/* map.c: the generic entry points that dispatch to a map type. */
#include "stdlib/maps/map.h"
#include <stdlib.h>

map_status map_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    sb_clear(value);
    sb_clear(err);
    return m->ops->lookup(m, key, value, err);
}

void map_free(map *m)
{
    if (!m)
        return;
    free(m->type);
    free(m->name);
    m->ops->free(m);
}
