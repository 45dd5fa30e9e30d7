/* check.c: the checks on one referenced table: unknown-map-type,
 * missing-table, table-syntax, duplicate-key, stale-table (a hash:/btree:
 * database older than its source or with other content), and for access
 * tables numeric-access-result. */
#include "compiler/tables/build.h"
#include "compiler/tables/kvcollect.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int tables_check_access_result(const char *v, loc at, diags *d)
{
    if (!*v || strspn(v, "0123456789") != strlen(v))
        return 0;
    diag *g = diag_add(d, DIAG_NUMERIC_ACCESS_RESULT, at,
                       "the access result \"%s\" is only digits: Postfix treats it as OK", v);
    diag_hint(g, "to reject, write \"REJECT\" or \"%s 5.7.1 reason text\"; to accept, write \"OK\"",
              v[0] == '4' || v[0] == '5' ? v : "550");
    return 1;
}

static void check_numeric(const kv_collected *c, diags *d)
{
    for (size_t i = 0; i < c->t.n; i++)
        tables_check_access_result(c->t.v[i].value, c->val_at[i], d);
}

/* Comparison of a database with the entries its source would give. */
typedef struct stale_cmp {
    const kv_collected *src;
    unsigned char      *seen;       /* per source entry: found in the database */
    int                 fold;
    char               *extra_key;  /* a database key not in the source */
    char               *diff_key;   /* a key whose value differs */
    char               *diff_db_value;
    size_t              diff_index;
} stale_cmp;

static char *strip_nul(const char *p, size_t n)
{
    if (n > 0 && p[n - 1] == 0)
        n--;
    return xstrndup(p, n);
}

static int has_upper(const char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            return 1;
    return 0;
}

static int cmp_record(void *arg, const char *k, size_t klen, const char *v, size_t vlen)
{
    stale_cmp *c = arg;
    char *key = strip_nul(k, klen), *val = strip_nul(v, vlen);
    size_t i;
    const char *want = memtab_get(&c->src->t, key, &i);
    if (!want) {
        if (!c->extra_key)
            c->extra_key = xstrdup(key);
    } else {
        c->seen[i] = 1;
        if (strcmp(want, val) != 0 && !c->diff_key) {
            c->diff_key = xstrdup(key);
            c->diff_db_value = xstrdup(val);
            c->diff_index = i;
        }
    }
    free(key);
    free(val);
    return 0;
}

static int db_any_upper(void *arg, const char *k, size_t klen, const char *v, size_t vlen)
{
    char *key = strip_nul(k, klen);
    int up = has_upper(key);
    free(key);
    return up;
}

static void check_db(const char *type, const char *name, loc ref, unsigned use, diags *d)
{
    tables_opts o = tables_opts_default();
    o.ref = ref;
    if (use & TABLES_USE_EXTERNAL)
        o.missing = SEV_WARNING;
    map *m = tables_open(name, &o, d);   /* name is "type:file" here */
    if (!m)
        return;
    char *file = strchr(name, ':') + 1;
    int sid = src_read(d->src, file, file);
    if (sid < 0) {   /* only the database is shipped: nothing to compare */
        map_free(m);
        return;
    }
    strbuf err;
    sb_init(&err);
    /* a database built with postmap -f keeps upper-case keys */
    int fold = map_db_each(m, db_any_upper, NULL, &err) != 1;
    kv_collected c;
    kv_collect(&c, sid, fold, d);
    if (use & TABLES_USE_ACCESS)
        check_numeric(&c, d);
    char *dbpath = xmalloc(strlen(file) + 4);
    sprintf(dbpath, "%s.db", file);
    struct stat sdb, ssrc;
    loc at = loc_make(sid, 0, 0);
    if (stat(dbpath, &sdb) == 0 && stat(file, &ssrc) == 0 &&
        (sdb.st_mtim.tv_sec < ssrc.st_mtim.tv_sec ||
         (sdb.st_mtim.tv_sec == ssrc.st_mtim.tv_sec && sdb.st_mtim.tv_nsec < ssrc.st_mtim.tv_nsec))) {
        diag *g = diag_add(d, DIAG_STALE_TABLE, at,
                           "%s is older than its source %s: Postfix still uses the old content",
                           dbpath, file);
        diag_hint(g, "run \"postmap %s:%s\"", type, file);
    } else {
        stale_cmp sc = { .src = &c, .fold = fold };
        sc.seen = xcalloc(c.t.n + 1, 1);
        map_db_each(m, cmp_record, &sc, &err);
        size_t missing = c.t.n;
        for (size_t i = 0; i < c.t.n; i++)
            if (!sc.seen[i]) {
                missing = i;
                break;
            }
        diag *g = NULL;
        if (sc.diff_key) {
            g = diag_add(d, DIAG_STALE_TABLE, c.val_at[sc.diff_index],
                         "%s does not match its source: \"%s\" has the value \"%s\" there",
                         dbpath, sc.diff_key, sc.diff_db_value);
        } else if (missing < c.t.n) {
            g = diag_add(d, DIAG_STALE_TABLE, c.at[missing],
                         "%s does not match its source: \"%s\" is not in the database",
                         dbpath, c.t.v[missing].key);
        } else if (sc.extra_key) {
            g = diag_add(d, DIAG_STALE_TABLE, at,
                         "%s does not match its source: it has \"%s\", which the source does not",
                         dbpath, sc.extra_key);
        }
        if (g)
            diag_hint(g, "run \"postmap %s:%s\"", type, file);
        free(sc.seen);
        free(sc.extra_key);
        free(sc.diff_key);
        free(sc.diff_db_value);
    }
    free(dbpath);
    kv_collected_free(&c);
    sb_free(&err);
    map_free(m);
}

int tables_check(const char *spec, loc ref, unsigned use, diags *d)
{
    size_t before = diags_count(d, SEV_ERROR);
    char *type = NULL, *name = NULL;
    if (tables_split_spec(spec, &type, &name) == 0 &&
        (strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0)) {
        char *full = xmalloc(strlen(type) + strlen(name) + 2);
        sprintf(full, "%s:%s", type, name);
        check_db(type, full, ref, use, d);
        free(full);
    } else {
        tables_opts o = tables_opts_default();
        o.ref = ref;
        if (use & TABLES_USE_EXTERNAL)
            o.missing = SEV_WARNING;
        map *m = tables_open(spec, &o, d);
        if (m && (use & TABLES_USE_ACCESS) && strcmp(type, "texthash") == 0 && name[0] != '{') {
            /* numeric results: read the source again as entries */
            diags quiet;
            diags_init(&quiet, d->src);
            int sid = src_read(d->src, name, name);
            if (sid >= 0) {
                kv_collected c;
                kv_collect(&c, sid, 1, &quiet);
                check_numeric(&c, d);
                kv_collected_free(&c);
            }
            diags_free(&quiet);
        }
        map_free(m);
    }
    if (type) {
        free(type);
        free(name);
    }
    return (int)(diags_count(d, SEV_ERROR) - before);
}
