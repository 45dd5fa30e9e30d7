/* maps.c: lookup maps (stdlib/maps/map.h) over the tables of a loaded
 * image, answering as the maps compiler/tables builds from the sources:
 *   HASH      straight from the mapped image: the key folded when the
 *             table says so, then the slots probed from img_hash(),
 *             comparing hash and then key; nothing is copied. Batches of
 *             keys (map_lookup_batch) overlap their cache misses; large
 *             tables answer most absent keys from a Bloom filter.
 *   CIDR      the rules handed to stdlib/maps/cidr.c
 *   REGEXP, PCRE  the rules and their prefilter literals handed to
 *             stdlib/maps/rx.c (patterns compiled here)
 *   STATIC, FAIL, ENVIRON, UNION, PIPE  the map types of stdlib/maps
 *   UNAVAILABLE  every lookup fails (MAP_ERR_CONFIG) with the reason.
 * The image is validated when it is opened (load.c); the probe loop is
 * bounded all the same. */
#include "stdlib/image/image.h"
#include "stdlib/maps/cidr.h"
#include "stdlib/maps/rx.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- HASH ------------------------------------------------------------------ */

#define HASH_BATCH 32   /* keys whose memory accesses overlap */

typedef struct img_hash_map {
    map                   base;
    const char           *strings;
    const img_hash_entry *entries;
    const img_hash_slot  *slots;
    uint32_t              count, mask;
    uint64_t             *bloom;     /* large tables: which hashes may be present */
    uint32_t              bloom_mask;  /* bits - 1 */
    strbuf                kbuf[HASH_BATCH];
} img_hash_map;

/* A Bloom filter over the stored hashes of a large table (about 8 bits
 * per key, two probes): most keys a lookup order tries are absent, and
 * the filter (in cache) answers those without touching the slots. Built
 * from the slots' hashes when the map is opened. */
#define BLOOM_MIN 4096

static inline uint32_t bloom_h2(uint32_t hv)
{
    return (hv * 0x9e3779b1u) ^ (hv >> 15);
}

static inline int bloom_may_have(const img_hash_map *h, uint32_t hv)
{
    if (!h->bloom)
        return 1;
    uint32_t a = hv & h->bloom_mask, b = bloom_h2(hv) & h->bloom_mask;
    return (h->bloom[a >> 6] >> (a & 63) & 1) && (h->bloom[b >> 6] >> (b & 63) & 1);
}

static void bloom_build(img_hash_map *h)
{
    if (h->count < BLOOM_MIN)
        return;
    uint64_t bits = 64;
    while (bits < (uint64_t)h->count * 8)
        bits *= 2;
    h->bloom = xcalloc(bits / 64, sizeof *h->bloom);
    h->bloom_mask = (uint32_t)(bits - 1);
    for (uint32_t i = 0; i <= h->mask; i++) {
        if (!h->slots[i].index)
            continue;
        uint32_t hv = h->slots[i].hash;
        uint32_t a = hv & h->bloom_mask, b = bloom_h2(hv) & h->bloom_mask;
        h->bloom[a >> 6] |= 1ull << (a & 63);
        h->bloom[b >> 6] |= 1ull << (b & 63);
    }
}

/* The key as stored (folded into kb when the table folds) and its
 * img_hash(), in one pass. */
static const char *stored_key(img_hash_map *h, strbuf *kb, const char *key, size_t len,
                              uint32_t *hv)
{
    if (!(h->base.flags & MAP_FL_FOLD_FIX)) {
        *hv = img_hash(key, len);
        return key;
    }
    sb_clear(kb);
    sb_addn(kb, key, len);
    uint64_t x = IMG_HASH_INIT;
    for (char *p = kb->s; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        x = img_hash_step(x, (unsigned char)*p);
    }
    *hv = img_hash_final(x);
    return kb->s;
}

/* Probe from slot i for key (hash hv); the entry or NULL. */
static const img_hash_entry *probe(const img_hash_map *h, const char *key, uint32_t hv,
                                   uint32_t i)
{
    for (uint32_t n = 0; n <= h->mask; n++, i = (i + 1) & h->mask) {
        const img_hash_slot *s = &h->slots[i];
        if (!s->index)
            break;
        if (s->hash != hv || s->index > h->count)
            continue;
        const img_hash_entry *e = &h->entries[s->index - 1];
        if (strcmp(h->strings + e->key, key) == 0)
            return e;
    }
    return NULL;
}

static map_status hash_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    img_hash_map *h = (img_hash_map *)m;
    size_t len = strlen(key);
    (void)err;
    uint32_t hv;
    key = stored_key(h, &h->kbuf[0], key, len, &hv);
    if (!bloom_may_have(h, hv))
        return MAP_NOTFOUND;
    const img_hash_entry *e = probe(h, key, hv, hv & h->mask);
    if (!e)
        return MAP_NOTFOUND;
    sb_adds(value, h->strings + e->value);
    return MAP_FOUND;
}

/* Up to HASH_BATCH keys in stages, each stage prefetching what the next
 * one reads (the slot, the entry of the first slot with the same hash,
 * its key and value), so that the cache misses of the keys overlap
 * instead of following one another. The answers are hash_lookup's. */
static void hash_batch(img_hash_map *h, const char *const *keys, size_t n, map_status *st,
                       strbuf *values)
{
    const char *key[HASH_BATCH];
    uint32_t hv[HASH_BATCH], at[HASH_BATCH];
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(keys[i]);
        key[i] = stored_key(h, &h->kbuf[i], keys[i], len, &hv[i]);
        at[i] = hv[i] & h->mask;
        __builtin_prefetch(&h->slots[at[i]]);
    }
    for (size_t i = 0; i < n; i++) {   /* the first slot that may hold the key */
        uint32_t k = 0;
        while (k++ <= h->mask && h->slots[at[i]].index && h->slots[at[i]].hash != hv[i])
            at[i] = (at[i] + 1) & h->mask;
        const img_hash_slot *s = &h->slots[at[i]];
        if (s->index && s->index <= h->count)
            __builtin_prefetch(&h->entries[s->index - 1]);
    }
    for (size_t i = 0; i < n; i++) {
        const img_hash_slot *s = &h->slots[at[i]];
        if (s->index && s->index <= h->count) {
            const img_hash_entry *e = &h->entries[s->index - 1];
            __builtin_prefetch(h->strings + e->key);
            __builtin_prefetch(h->strings + e->value);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const img_hash_entry *e = probe(h, key[i], hv[i], at[i]);
        st[i] = e ? MAP_FOUND : MAP_NOTFOUND;
        if (e)
            sb_adds(&values[i], h->strings + e->value);
    }
}

static size_t hash_lookup_batch(map *m, const char *const *keys, size_t n, map_status *st,
                                strbuf *values, strbuf *err)
{
    (void)err;
    for (size_t i = 0; i < n; i += HASH_BATCH)
        hash_batch((img_hash_map *)m, keys + i, n - i < HASH_BATCH ? n - i : HASH_BATCH,
                   st + i, values + i);
    return n;
}

static void hash_free(map *m)
{
    free(((img_hash_map *)m)->bloom);
    for (int i = 0; i < HASH_BATCH; i++)
        sb_free(&((img_hash_map *)m)->kbuf[i]);
    free(m);
}

static const map_ops hash_ops = {
    .type = "hash", .caps = MAP_CAP_FIXED | MAP_CAP_FOLD,
    .lookup = hash_lookup, .free = hash_free, .lookup_batch = hash_lookup_batch,
};

static map *hash_open(const img *im, const img_table *t, const char *type, const char *name)
{
    img_hash_map *h = xcalloc(1, sizeof *h);
    map_base_init(&h->base, &hash_ops, type, name, t->flags);
    h->strings = im->strings;
    h->entries = im->hash_entries + t->first;
    h->slots = im->hash_slots + t->slots;
    h->count = t->count;
    h->mask = t->nslots ? t->nslots - 1 : 0;
    static const img_hash_slot none = { 0, 0 };
    if (!t->nslots)
        h->slots = &none;
    for (int i = 0; i < HASH_BATCH; i++)
        sb_init(&h->kbuf[i]);
    bloom_build(h);
    return &h->base;
}

/* ---- UNAVAILABLE --------------------------------------------------------------- */

typedef struct img_unavail_map {
    map         base;
    const char *why;
} img_unavail_map;

static map_status unavail_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    (void)key, (void)value;
    sb_adds(err, ((img_unavail_map *)m)->why);
    return MAP_ERR_CONFIG;
}

static void unavail_free(map *m)
{
    free(m);
}

/* The capabilities of the type the table was meant to be. */
static const map_ops unavail_fixed_ops = {
    .type = "unavailable", .caps = MAP_CAP_FIXED,
    .lookup = unavail_lookup, .free = unavail_free,
};
static const map_ops unavail_pattern_ops = {
    .type = "unavailable", .caps = MAP_CAP_PATTERN,
    .lookup = unavail_lookup, .free = unavail_free,
};

static map *unavail_open(const img *im, const img_table *t, const char *type, const char *name)
{
    img_unavail_map *u = xcalloc(1, sizeof *u);
    int pattern = strcmp(type, "cidr") == 0 || strcmp(type, "regexp") == 0 ||
                  strcmp(type, "pcre") == 0;
    map_base_init(&u->base, pattern ? &unavail_pattern_ops : &unavail_fixed_ops, type, name, 0);
    u->why = img_str(im, t->value);
    return &u->base;
}

/* ---- CIDR, REGEXP, PCRE ------------------------------------------------------------ */

static map *cidr_open(const img *im, const img_table *t, const char *name)
{
    cidr_rule *v = xcalloc(t->count ? t->count : 1, sizeof *v);
    for (uint32_t i = 0; i < t->count; i++) {
        const img_cidr_rule *r = &im->cidr_rules[t->first + i];
        v[i].kind = r->op == IMG_RULE_IF ? CIDR_IF : r->op == IMG_RULE_ENDIF ? CIDR_ENDIF
                                                                            : CIDR_MATCH;
        v[i].family = r->family;
        v[i].negate = r->negate;
        v[i].prefix = r->prefix;
        memcpy(v[i].addr, r->addr, 16);
        v[i].skip = r->skip;
        v[i].result = v[i].kind == CIDR_MATCH ? xstrdup(img_str(im, r->result)) : NULL;
        v[i].line = r->line;
    }
    return map_cidr_new(name, v, t->count);
}

static map *rx_open(const img *im, const img_table *t, const char *name, strbuf *err)
{
    size_t n = t->count;
    map_rx_rule *v = xcalloc(n ? n : 1, sizeof *v);
    const char **lits = NULL;
    size_t nlits = 0;
    for (size_t i = 0; i < n; i++)
        nlits += im->rx_rules[t->first + i].nlits;
    lits = xcalloc(nlits ? nlits : 1, sizeof *lits);
    const char **next = lits;
    for (size_t i = 0; i < n; i++) {
        const img_rx_rule *r = &im->rx_rules[t->first + i];
        v[i].op = r->op == IMG_RULE_IF ? MAP_RX_IF : r->op == IMG_RULE_ENDIF ? MAP_RX_ENDIF
                                                                             : MAP_RX_MATCH;
        v[i].negate = r->negate;
        v[i].pattern = img_str(im, r->pattern);
        v[i].flags = r->flags;
        v[i].result = img_str(im, r->result);
        v[i].line = r->line;
        v[i].has_lits = 1;
        v[i].lits = next;
        v[i].nlits = r->nlits;
        v[i].all_required = r->all_required != 0;
        for (uint32_t k = 0; k < r->nlits; k++)
            *next++ = img_str(im, img_list_at(im, r->lits, k));
    }
    map *m = t->kind == IMG_TK_PCRE ? map_pcre_open(name, v, n, err)
                                    : map_regexp_open(name, v, n, err);
    free(lits);
    free(v);
    return m;
}

/* ---- the entry point ------------------------------------------------------------------ */

/* The part of a spec after "type:" (proxy: unwrapped), as tables_open
 * names its maps. */
static const char *spec_name(const char *spec)
{
    while (strncmp(spec, "proxy:", 6) == 0)
        spec += 6;
    const char *colon = strchr(spec, ':');
    return colon ? colon + 1 : spec;
}

map *img_table_map(const img *im, uint32_t i, strbuf *err)
{
    if (i >= im->ntables) {
        sb_addf(err, "no table %u in the image (it has %u)", i, im->ntables);
        return NULL;
    }
    const img_table *t = &im->tables[i];
    const char *type = img_str(im, t->type), *name = spec_name(img_str(im, t->spec));
    switch (t->kind) {
    case IMG_TK_HASH: return hash_open(im, t, type, name);
    case IMG_TK_CIDR: return cidr_open(im, t, name);
    case IMG_TK_REGEXP:
    case IMG_TK_PCRE: {
        strbuf why;
        sb_init(&why);
        map *m = rx_open(im, t, name, &why);
        if (!m)
            sb_addf(err, "%s:%s: %s", type, name, sb_str(&why));
        sb_free(&why);
        return m;
    }
    case IMG_TK_STATIC: return map_static_new(name, img_str(im, t->value));
    case IMG_TK_FAIL: return map_fail_new(name);
    case IMG_TK_ENVIRON: return map_environ_new(name);
    case IMG_TK_UNIX: {
        map *m = map_unix_new(img_str(im, t->value));
        if (!m)
            sb_addf(err, "unix:%s is not a table Postfix has", img_str(im, t->value));
        return m;
    }
    case IMG_TK_UNION:
    case IMG_TK_PIPE: {
        map **members = xcalloc(t->count ? t->count : 1, sizeof *members);
        for (uint32_t k = 0; k < t->count; k++) {
            uint32_t mi = img_list_at(im, t->first, k);
            /* members come before the composite: no cycles */
            members[k] = mi < i ? img_table_map(im, mi, err) : NULL;
            if (!members[k]) {
                if (mi >= i)
                    sb_addf(err, "table %u: member %u does not come before it", i, mi);
                for (uint32_t j = 0; j < k; j++)
                    map_free(members[j]);
                free(members);
                return NULL;
            }
        }
        return t->kind == IMG_TK_UNION ? map_union_new(name, members, t->count)
                                       : map_pipe_new(name, members, t->count);
    }
    case IMG_TK_UNAVAILABLE: return unavail_open(im, t, type, name);
    }
    sb_addf(err, "table %u: unknown kind %u", i, t->kind);
    return NULL;
}
