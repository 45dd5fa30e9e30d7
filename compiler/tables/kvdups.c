/* kvdups.c: duplicate keys of a streamed postmap(1) source, and the
 * second pass that finds the entry that wins (kvdups.h). */
#include "compiler/tables/kvdups.h"
#include "compiler/tables/kvsrc.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>

void kvdups_init(kvdups *u, diags *d, int file, int fold)
{
    memset(u, 0, sizeof *u);
    u->d = d;
    u->file = file;
    u->fold = fold;
    sb_init(&u->key);
    sb_init(&u->value);
}

void kvdups_report(kvdups *u, const char *key, loc key_at)
{
    diag *g = diag_add(u->d, DIAG_DUPLICATE_KEY, key_at,
                       "duplicate entry \"%s\": the first one wins, Postfix ignores this one", key);
    diag_hint(g, "remove one of the two entries%s",
              u->fold ? " (keys are compared without regard to case)" : "");
    xgrow(&u->v, &u->cap, u->n + 1, sizeof *u->v);
    u->v[u->n++] = (kvdup){ xstrdup(key), key_at.off, u->d->n - 1, LOC_NONE };
}

static int dup_cmp(const void *a, const void *b)
{
    const kvdup *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->off > y->off) - (x->off < y->off);
}

/* Second pass: the first entry of each duplicated key. */
static void winner_line(void *arg, kvstream *st, const kvsrc_line *l)
{
    kvdups *u = arg;
    loc key_at;
    if (!kv_split_line(u->file, l, &u->key, &u->value, &key_at, NULL, NULL))
        return;
    if (u->fold)
        map_fold_inplace(u->key.s);
    const char *k = sb_str(&u->key);
    size_t lo = 0, hi = u->n;   /* the first kvdup with this key */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(u->v[mid].key, k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == u->n || strcmp(u->v[lo].key, k) != 0 || u->v[lo].winner.file >= 0)
        return;
    for (size_t i = lo; i < u->n && strcmp(u->v[i].key, k) == 0; i++)
        u->v[i].winner = key_at;
    kvsrc_keep(st, l);
}

void kvdups_note_winners(kvdups *u, FILE *fp, long start, const char *stored_in)
{
    if (u->n == 0)
        return;
    qsort(u->v, u->n, sizeof *u->v, dup_cmp);
    if (fseek(fp, start, SEEK_SET) != 0)
        return;
    kvsrc_stream(fp, u->file, u->d, 1, winner_line, u);
    for (size_t i = 0; i < u->n; i++) {
        kvdup *x = &u->v[i];
        diag *g = &u->d->v[x->diag];
        /* with postmap -i, the first entry in the source may itself have
         * lost to the database: then the database's entry wins over all */
        size_t first = i;
        while (first > 0 && strcmp(u->v[first - 1].key, x->key) == 0)
            first--;
        if (x->winner.file >= 0 && x->winner.off != u->v[first].off)
            diag_note_add(g, x->winner, "the entry that wins");
        else
            diag_note_add(g, LOC_NONE, "the entry that wins was already in %s",
                          stored_in ? stored_in : "the table");
    }
}

void kvdups_free(kvdups *u)
{
    for (size_t i = 0; i < u->n; i++)
        free(u->v[i].key);
    free(u->v);
    sb_free(&u->key);
    sb_free(&u->value);
    memset(u, 0, sizeof *u);
}
