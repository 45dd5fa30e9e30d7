/* compose.c: unionmap:{a, b, ...} (ask every member, join the results
 * with ",") and pipemap:{a, b, ...} (the result of one member is the key
 * for the next; any miss is a miss). An error of a member is the error
 * of the whole. */
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>

typedef struct map_compose {
    map    base;
    map  **v;
    size_t n;
    strbuf a, b;
} map_compose;

static map_status union_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    map_compose *c = (map_compose *)m;
    int found = 0;
    for (size_t i = 0; i < c->n; i++) {
        map_status s = map_lookup(c->v[i], key, &c->a, err);
        if (s == MAP_FOUND) {
            if (found)
                sb_addc(value, ',');
            sb_addn(value, c->a.s, c->a.len);
            found = 1;
        } else if (s != MAP_NOTFOUND) {
            return s;
        }
    }
    if (found && !value->s)
        sb_adds(value, "");
    return found ? MAP_FOUND : MAP_NOTFOUND;
}

static map_status pipe_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    map_compose *c = (map_compose *)m;
    sb_clear(&c->a);
    sb_adds(&c->a, key);
    for (size_t i = 0; i < c->n; i++) {
        map_status s = map_lookup(c->v[i], c->a.s, &c->b, err);
        if (s != MAP_FOUND)
            return s;
        strbuf t = c->a;
        c->a = c->b;
        c->b = t;
    }
    sb_addn(value, c->a.s, c->a.len);
    if (!value->s)
        sb_adds(value, "");
    return MAP_FOUND;
}

static void compose_free(map *m)
{
    map_compose *c = (map_compose *)m;
    for (size_t i = 0; i < c->n; i++)
        map_free(c->v[i]);
    free(c->v);
    sb_free(&c->a);
    sb_free(&c->b);
    free(c);
}

static const map_ops union_ops = {
    .type = "unionmap", .caps = MAP_CAP_FIXED,
    .lookup = union_lookup, .free = compose_free,
};
static const map_ops pipe_ops = {
    .type = "pipemap", .caps = MAP_CAP_FIXED,
    .lookup = pipe_lookup, .free = compose_free,
};

static map *compose_new(const map_ops *ops, const char *name, map **members, size_t n)
{
    map_compose *c = xcalloc(1, sizeof *c);
    map_base_init(&c->base, ops, ops->type, name, 0);
    c->v = members;
    c->n = n;
    sb_init(&c->a);
    sb_init(&c->b);
    return &c->base;
}

map *map_union_new(const char *name, map **members, size_t n)
{
    return compose_new(&union_ops, name, members, n);
}

map *map_pipe_new(const char *name, map **members, size_t n)
{
    return compose_new(&pipe_ops, name, members, n);
}
