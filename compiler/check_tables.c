/* check_tables.c: runs the table checks once on every lookup table the
 * configuration names (compiler/table_refs.h): missing-table, stale-table,
 * table-syntax, duplicate-key, unknown-map-type, numeric-access-result,
 * and the regexp/pcre checks with the kind of use (access, address,
 * header, ...) the parameter implies. */
#include "compiler/checks.h"
#include "compiler/table_refs.h"
#include "compiler/tables/build.h"
#include "compiler/tables/rxtable.h"
#include "compiler/tables/tables.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include <string.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct seen_set {
    char  **v;
    size_t  n, cap;
} seen_set;

static int seen_add(seen_set *s, const char *spec, table_use use)
{
    strbuf k;
    sb_init(&k);
    sb_addf(&k, "%d:%s", (int)use, spec);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], k.s) == 0) {
            sb_free(&k);
            return 0;
        }
    xgrow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = sb_take(&k);
    return 1;
}

struct check_arg {
    config  *c;
    seen_set seen;
};

static void check_one(config *c, seen_set *seen, const char *spec, loc at, table_use use)
{
    if (!seen_add(seen, spec, use))
        return;
    const char *bare = spec;
    while (strncmp(bare, "proxy:", 6) == 0)
        bare += 6;
    const char *colon = strchr(bare, ':');
    char *type = colon ? xstrndup(bare, (size_t)(colon - bare)) : xstrdup("hash");
    char **el;
    size_t nel;
    if ((strcmp(type, "unionmap") == 0 || strcmp(type, "pipemap") == 0) && colon[1] == '{' &&
        tables_split_braced(colon + 1, &el, &nel) == 0) {
        /* each component is a table of its own, read from where it lives */
        for (size_t i = 0; i < nel; i++) {
            char *inner = el[i][0] == '{' ? tables_unbrace(el[i]) : xstrdup(el[i]);
            check_one(c, seen, inner, at, use);
            free(inner);
        }
        tables_strv_free(el, nel);
        free(type);
        return;
    }
    int external;
    char *file = config_table_file(c, type, colon ? colon + 1 : bare, &external);
    strbuf real;
    sb_init(&real);
    if (file)
        sb_addf(&real, "%s:%s", type, file);
    else
        sb_adds(&real, spec);
    if (c->for_image && file && (strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0) &&
        access(file, F_OK) == 0) {
        /* compiled into the image from this source, which reports its content */
    } else if (file && (strcmp(type, "regexp") == 0 || strcmp(type, "pcre") == 0)) {
        int id = src_read(&c->src, file, file);
        if (id >= 0) {
            rxtable t;
            rxtable_load(&t, id, strcmp(type, "pcre") == 0 ? RXT_PCRE : RXT_REGEXP, use, &c->d);
            rxtable_check(&t, &c->d);
            rxtable_free(&t);
        } else {
            diag *g = diag_add_sev(&c->d, DIAG_MISSING_TABLE, external ? SEV_WARNING : SEV_ERROR,
                                   at, "cannot read the table %s (%s)", file, spec);
            diag_hint(g, "create the file or fix the path");
        }
    } else {
        unsigned u = use == TABLE_USE_ACCESS ? TABLES_USE_ACCESS : TABLES_USE_ANY;
        tables_check(real.s, at, u | (external ? TABLES_USE_EXTERNAL : 0), &c->d);
    }
    sb_free(&real);
    free(file);
    free(type);
}

static void check_ref(void *arg, const char *param, const char *spec, loc at, table_use use)
{
    struct check_arg *a = arg;
    check_one(a->c, &a->seen, spec, at, use);
}

void check_tables(config *c)
{
    struct check_arg a = { c, { 0 } };
    table_refs_each(c, check_ref, &a);
    for (size_t i = 0; i < a.seen.n; i++)
        free(a.seen.v[i]);
    free(a.seen.v);
}
