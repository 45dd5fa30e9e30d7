/* environ.c: environ:NAME looks keys up in the process environment. */
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>

static map_status environ_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    (void)m, (void)err;
    const char *v = getenv(key);
    if (!v)
        return MAP_NOTFOUND;
    sb_adds(value, v);
    return MAP_FOUND;
}

static void environ_free(map *m)
{
    free(m);
}

static const map_ops environ_ops = {
    .type = "environ", .caps = MAP_CAP_FIXED,
    .lookup = environ_lookup, .free = environ_free,
};

map *map_environ_new(const char *name)
{
    map *m = xcalloc(1, sizeof *m);
    map_base_init(m, &environ_ops, "environ", name, 0);
    return m;
}
