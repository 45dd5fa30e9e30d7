/* static.c: static:VALUE answers VALUE for every key. */
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>

typedef struct map_static {
    map   base;
    char *value;
} map_static;

static map_status static_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    (void)key;
    sb_adds(value, ((map_static *)m)->value);
    return MAP_FOUND;
}

static void static_free(map *m)
{
    free(((map_static *)m)->value);
    free(m);
}

static const map_ops static_ops = {
    .type = "static", .caps = MAP_CAP_ANYKEY,
    .lookup = static_lookup, .free = static_free,
};

map *map_static_new(const char *name, const char *value)
{
    map_static *s = xcalloc(1, sizeof *s);
    map_base_init(&s->base, &static_ops, "static", name, 0);
    s->value = xstrdup(value);
    return &s->base;
}
