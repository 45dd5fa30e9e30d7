/* fail.c: fail:NAME fails every lookup, as a configuration error. */
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>

static map_status fail_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    (void)key, (void)value;
    sb_addf(err, "table fail:%s: query error", m->name);
    return MAP_ERR_CONFIG;
}

static void fail_free(map *m)
{
    free(m);
}

static const map_ops fail_ops = {
    .type = "fail", .caps = MAP_CAP_ANYKEY,
    .lookup = fail_lookup, .free = fail_free,
};

map *map_fail_new(const char *name)
{
    map *m = xcalloc(1, sizeof *m);
    map_base_init(m, &fail_ops, "fail", name, 0);
    return m;
}
