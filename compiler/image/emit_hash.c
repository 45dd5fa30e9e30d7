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
    uint32_t *old = h->slot, nold = h->nslots, mask = nslots - 1;
    h->slot = xcalloc(nslots, sizeof *h->slot);
    h->nslots = nslots;
    for (uint32_t i = 0; i < nold; i++) {
        if (!old[i])
            continue;
        uint32_t s = h->hash[old[i] - 1] & mask;
        while (h->slot[s])
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
    h->cap = expect ? expect : 1;
    h->hash = xmalloc(h->cap * sizeof *h->hash);
    h->keyoff = xmalloc(h->cap * sizeof *h->keyoff);
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
    for (; h->slot[s]; s = (s + 1) & mask) {
        uint32_t e = h->slot[s] - 1;
        if (h->hash[e] != hv)
            continue;
        const char *k = imgw_str_get(h->w, h->keyoff[e], &h->tmp);
        if (strncmp(k, key, klen) == 0 && k[klen] == 0) {
            if (winner)
                *winner = e;
            return 0;
        }
    }
    if (h->n == h->cap) {
        size_t c = h->cap;
        xgrow(&h->hash, &c, (size_t)h->n + 1, sizeof *h->hash);
        xgrow(&h->keyoff, &h->cap, (size_t)h->n + 1, sizeof *h->keyoff);
    }
    uint32_t ko = imgw_str_unique(h->w, key, klen);
    h->hash[h->n] = hv;
    h->keyoff[h->n] = ko;
    h->buf[h->nbuf++] = (img_hash_entry){ ko, imgw_str(h->w, value), line };
    if (h->nbuf == EMIT_HASH_BATCH)
        flush(h);
    h->slot[s] = ++h->n;
    if ((size_t)h->n * 2 > h->nslots)   /* the guess was low: grow */
        resize(h, slots_for(h->n));
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
    t->nslots = h->nslots;
    t->slots = imgw_count(h->w, IMG_SEC_HASH_SLOTS);
    img_hash_slot out[EMIT_HASH_BATCH];
    for (uint32_t i = 0; i < h->nslots;) {
        size_t k = 0;
        for (; k < EMIT_HASH_BATCH && i < h->nslots; k++, i++)
            out[k] = (img_hash_slot){ h->slot[i] ? h->hash[h->slot[i] - 1] : 0, h->slot[i] };
        imgw_append(h->w, IMG_SEC_HASH_SLOTS, out, k);
    }
    free(h->slot);
    free(h->hash);
    free(h->keyoff);
    sb_free(&h->tmp);
    memset(h, 0, sizeof *h);
}
