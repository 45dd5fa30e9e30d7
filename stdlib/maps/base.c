/* base.c: helpers every map type uses: base initialisation, key folding. */
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

void map_base_init(map *m, const map_ops *ops, const char *type, const char *name,
                   unsigned flags)
{
    m->ops = ops;
    m->type = xstrdup(type);
    m->name = xstrdup(name);
    m->flags = flags;
}

void map_fold(strbuf *out, const char *key)
{
    sb_clear(out);
    for (const char *k = key; *k; k++)
        sb_addc(out, *k >= 'A' && *k <= 'Z' ? (char)(*k - 'A' + 'a') : *k);
    if (!out->s)
        sb_adds(out, "");
}

void map_fold_inplace(char *s)
{
    for (; s && *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}
