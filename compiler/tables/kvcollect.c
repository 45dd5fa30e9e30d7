/* kvcollect.c: postmap(1) source -> unique folded entries (first wins). */
#include "compiler/tables/kvcollect.h"
#include "compiler/tables/kvsrc.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>

void kv_collect(kv_collected *out, int file, int fold, diags *d)
{
    memset(out, 0, sizeof *out);
    memtab_init(&out->t);
    kvsrc s;
    kvsrc_parse(&s, file, d);
    kv_list l = { 0 };
    kv_split(&l, &s, d);
    size_t cap = 0;
    strbuf k;
    sb_init(&k);
    for (size_t i = 0; i < l.n; i++) {
        const kv_entry *e = &l.v[i];
        if (fold)
            map_fold(&k, e->key);
        else {
            sb_clear(&k);
            sb_adds(&k, e->key);
        }
        size_t first;
        if (memtab_get(&out->t, sb_str(&k), &first)) {
            diag *g = diag_add(d, DIAG_DUPLICATE_KEY, e->key_at,
                               "duplicate entry \"%s\": the first one wins, Postfix ignores this one",
                               sb_str(&k));
            diag_note_add(g, out->at[first], "the entry that wins");
            diag_hint(g, "remove one of the two entries%s",
                         fold ? " (keys are compared without regard to case)" : "");
            continue;
        }
        memtab_put(&out->t, sb_str(&k), e->value, 0);
        size_t n = out->t.n;
        size_t c2 = cap;
        xgrow(&out->at, &cap, n, sizeof *out->at);
        xgrow(&out->val_at, &c2, n, sizeof *out->val_at);
        out->at[n - 1] = e->key_at;
        out->val_at[n - 1] = e->value_at;
    }
    sb_free(&k);
    kv_list_free(&l);
    kvsrc_free(&s);
}

void kv_collected_free(kv_collected *c)
{
    memtab_free(&c->t);
    free(c->at);
    free(c->val_at);
    memset(c, 0, sizeof *c);
}
