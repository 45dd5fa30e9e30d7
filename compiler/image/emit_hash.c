/* emit_hash.c: the hash index of an exact-match table, built as entries
 * stream in (emit_hash.h). */
#include "compiler/image/emit_hash.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>

/* The smallest power of two >= 2 * n (at most half full), 1 for none. */
static uint32_t slots_for(size_t n)
{
    if (n >= (1u << 30))
        fatal("a table of %zu entries is more than an image can hold", n);
    uint32_t s = 1;
    while (s < 2 * n)
        s <<= 1;
    return s;
}

/* Move the slots to a new array of nslots, in the order of the old one
 * (deterministic: the same entries in the same order give the same
 * layout). */
static void resize(emit_hash *h, uint32_t nslots)
{
    img_hash_slot *old = h->slot;
    uint32_t nold = h->nslots, mask = nslots - 1;
    h->slot = xcalloc(nslots, sizeof *h->slot);
    h->nslots = nslots;
    for (uint32_t i = 0; i < nold; i++) {
        if (!old[i].index)
            continue;
        uint32_t s = old[i].hash & mask;
        while (h->slot[s].index)
            s = (s + 1) & mask;
        h->slot[s] = old[i];
    }
    free(old);
}

void emit_hash_init(emit_hash *h, imgw *w, size_t expect)
{
    memset(h, 0, sizeof *h);
    h->w = w;
    h->nslots = slots_for(expect);
    h->slot = xcalloc(h->nslots, sizeof *h->slot);
    h->capkey = expect;
    h->keyoff = xmalloc((expect ? expect : 1) * sizeof *h->keyoff);
    h->first = imgw_count(w, IMG_SEC_HASH_ENTRIES);
    sb_init(&h->tmp);
}

static void flush(emit_hash *h)
{
    if (h->nbuf)
        imgw_append(h->w, IMG_SEC_HASH_ENTRIES, h->buf, h->nbuf);
    h->nbuf = 0;
}

int emit_hash_add(emit_hash *h, const char *key, size_t klen, const char *value,
                  uint32_t line, uint32_t *winner)
{
    uint32_t hv = img_hash(key, klen), mask = h->nslots - 1, s = hv & mask;
    for (; h->slot[s].index; s = (s + 1) & mask) {
        if (h->slot[s].hash != hv)
            continue;
        uint32_t e = h->slot[s].index - 1;
        const char *k = imgw_str_get(h->w, h->keyoff[e], &h->tmp);
        if (strncmp(k, key, klen) == 0 && k[klen] == 0) {
            if (winner)
                *winner = e;
            return 0;
        }
    }
    if ((size_t)(h->n + 1) * 2 > h->nslots) {
        resize(h, slots_for((size_t)h->n + 1));
        mask = h->nslots - 1;
        for (s = hv & mask; h->slot[s].index; s = (s + 1) & mask)
            ;
    }
    xgrow(&h->keyoff, &h->capkey, (size_t)h->n + 1, sizeof *h->keyoff);
    uint32_t ko = imgw_str_unique(h->w, key, klen);
    h->keyoff[h->n] = ko;
    h->buf[h->nbuf++] = (img_hash_entry){ ko, imgw_str(h->w, value), line };
    if (h->nbuf == EMIT_HASH_BATCH)
        flush(h);
    h->slot[s] = (img_hash_slot){ hv, ++h->n };
    return 1;
}

void emit_hash_finish(emit_hash *h, img_table *t)
{
    flush(h);
    uint32_t want = slots_for(h->n);
    if (want < h->nslots)   /* the guess was high (comments, duplicates) */
        resize(h, want);
    t->kind = IMG_TK_HASH;
    t->first = h->first;
    t->count = h->n;
    t->slots = imgw_append(h->w, IMG_SEC_HASH_SLOTS, h->slot, h->nslots);
    t->nslots = h->nslots;
    free(h->slot);
    free(h->keyoff);
    sb_free(&h->tmp);
    memset(h, 0, sizeof *h);
}
