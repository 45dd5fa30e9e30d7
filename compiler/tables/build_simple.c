/* build_simple.c: texthash: (a postmap source read into memory),
 * inline:{key=value, {key = value}} and static:value / static:{text}. */
#include "compiler/tables/build.h"
#include "compiler/tables/kvcollect.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n';
}

map *tables_build_texthash(const char *name, int file, unsigned flags, diags *d)
{
    kv_collected c;
    kv_collect(&c, file, (flags & MAP_FL_FOLD_FIX) != 0, d);
    map *m = map_memtab_new("texthash", name, &c.t, flags);
    kv_collected_free(&c);
    return m;
}

int tables_split_braced(const char *text, char ***elems, size_t *n)
{
    size_t len = strlen(text);
    *elems = NULL;
    *n = 0;
    if (len < 2 || text[0] != '{' || text[len - 1] != '}')
        return -1;
    /* the outer braces must be one group */
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '{')
            depth++;
        else if (text[i] == '}' && --depth == 0 && i != len - 1)
            return -1;
    }
    if (depth != 0)
        return -1;
    size_t cap = 0, i = 1, end = len - 1;
    while (i < end) {
        while (i < end && (text[i] == ',' || is_space(text[i])))
            i++;
        if (i >= end)
            break;
        size_t b = i;
        depth = 0;
        while (i < end && (depth > 0 || !(text[i] == ',' || is_space(text[i])))) {
            if (text[i] == '{')
                depth++;
            else if (text[i] == '}')
                depth--;
            i++;
        }
        xgrow(elems, &cap, *n + 1, sizeof **elems);
        (*elems)[(*n)++] = xstrndup(text + b, i - b);
    }
    return 0;
}

void tables_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

char *tables_unbrace(const char *elem)
{
    size_t b = 1, e = strlen(elem) - 1;
    while (b < e && is_space(elem[b]))
        b++;
    while (e > b && is_space(elem[e - 1]))
        e--;
    return xstrndup(elem + b, e - b);
}

static diag *bad_inline(diags *d, const tables_opts *o, const char *type, const char *name,
                        const char *why, const char *need)
{
    diag *g = diag_add(d, DIAG_TABLE_SYNTAX, o->ref, "%s in \"%s:%s\"", why, type, name);
    diag_hint(g, "write %s", need);
    return g;
}

int tables_inline_parse(const char *name, const tables_opts *o, diags *d, memtab *out)
{
    char **el;
    size_t n;
    const char *need = "\"inline:{key=value, { key = value with spaces }}\"";
    memtab_init(out);
    if (tables_split_braced(name, &el, &n) < 0 || n == 0) {
        bad_inline(d, o, "inline", name, "bad syntax", need);
        tables_strv_free(el, n);
        return -1;
    }
    memtab t;
    memtab_init(&t);
    strbuf k;
    sb_init(&k);
    for (size_t i = 0; i < n; i++) {
        char *item = el[i][0] == '{' ? tables_unbrace(el[i]) : xstrdup(el[i]);
        size_t ke = 0;
        while (item[ke] && item[ke] != '=' && !is_space(item[ke]))
            ke++;
        size_t eq = ke;
        while (is_space(item[eq]))
            eq++;
        if (!*item || item[eq] != '=') {
            bad_inline(d, o, "inline", name,
                       *item ? "missing '=' after the key (a key cannot contain spaces)"
                             : "an empty element (no key)", need);
            free(item);
            tables_strv_free(el, n);
            memtab_free(&t);
            sb_free(&k);
            return -1;
        }
        size_t vb = eq + 1, ve = strlen(item);
        while (is_space(item[vb]))
            vb++;
        while (ve > vb && is_space(item[ve - 1]))
            ve--;
        item[ke] = 0;
        if (o->flags & MAP_FL_FOLD_FIX)
            map_fold(&k, item);
        else {
            sb_clear(&k);
            sb_adds(&k, item);
        }
        item[ve] = 0;
        memtab_put(&t, sb_str(&k), item + vb, 1);   /* the last one wins */
        free(item);
    }
    tables_strv_free(el, n);
    sb_free(&k);
    *out = t;
    return 0;
}

map *tables_build_inline(const char *name, const tables_opts *o, diags *d)
{
    memtab t;
    if (tables_inline_parse(name, o, d, &t) < 0)
        return NULL;
    return map_memtab_new("inline", name, &t, o->flags);
}

char *tables_static_value(const char *name, const tables_opts *o, diags *d)
{
    if (name[0] != '{')
        return xstrdup(name);
    size_t len = strlen(name);
    const char *close = strchr(name, '}');
    if (!close) {
        bad_inline(d, o, "static", name, "missing '}'", "\"static:{text with spaces}\"");
        return NULL;
    }
    if (close != name + len - 1) {
        bad_inline(d, o, "static", name, "text after '}'", "\"static:{text with spaces}\"");
        return NULL;
    }
    return tables_unbrace(name);
}

map *tables_build_static(const char *name, const tables_opts *o, diags *d)
{
    char *v = tables_static_value(name, o, d);
    if (!v)
        return NULL;
    map *m = map_static_new(name, v);
    free(v);
    return m;
}
