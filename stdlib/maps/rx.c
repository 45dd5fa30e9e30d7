/* rx.c: the pattern-table engine behind regexp: and pcre: (see rx.h).
 *
 * Lookup is Postfix's: rules in order, IF blocks entered when their
 * pattern matches (or, with '!', does not), the first MATCH rule whose
 * pattern matches (or, with '!', does not) answers. The prefilter makes
 * that cheap: every rule with required literals (rx_literal.c) is indexed
 * by them (computed here, or given with the rules by an image); one pass
 * over the folded key finds the literals present, and a
 * rule none of whose literals is present is known not to match without
 * running its pattern. Rules are still visited in order (a bitset of the
 * rules worth visiting), so which rule wins is unchanged. */
#include "stdlib/maps/rx.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct rx_item {
    map_rx_op op;
    int       negate;
    void     *re;
    int       ngroups;
    char     *raw;        /* result as written */
    rx_tmpl   tmpl;
    size_t    endif;      /* IF: index of its ENDIF */
    unsigned  line;       /* source line */
} rx_item;

typedef struct lit_ent {
    char     *s;
    uint32_t  len;
    uint32_t *rules;
    uint32_t  nrules, cap;
    unsigned long long stamp;
} lit_ent;

/* Literals indexed by their first k bytes (k = 1..4). */
typedef struct ptab {
    uint32_t  mask;       /* slots - 1; 0 when empty */
    uint32_t *key;        /* 0 = free slot */
    uint32_t *head;       /* first entry in ids */
    uint32_t *count;
    uint32_t *ids;        /* literal ids grouped by key */
    uint64_t  filter[1024];   /* 65536-bit filter on the key hash */
} ptab;

typedef struct rx_map {
    map        base;
    const rx_engine *eng;
    rx_item   *it;
    size_t     n;
    int        maxgroups;
    long      *ov;
    /* prefilter */
    int        prefilter;
    lit_ent   *lit;
    size_t     nlit;
    size_t     with_literal;
    ptab       tab[5];
    uint64_t  *always, *nolit, *visit, *hit;
    size_t     words;
    strbuf     low;
    unsigned long long lookups, tried;
    unsigned   last_line; /* of the rule that answered the last lookup */
} rx_map;

static inline uint32_t key_hash(uint32_t k)
{
    return (k * 0x9E3779B1u) >> 16;
}

static uint32_t pack(const char *s, int k)
{
    uint32_t v = 0;
    for (int i = 0; i < k; i++)
        v |= (uint32_t)(unsigned char)s[i] << (8 * i);
    return v;
}

static void set_bit(uint64_t *b, size_t i)
{
    b[i >> 6] |= 1ull << (i & 63);
}

static int test_bit(const uint64_t *b, size_t i)
{
    return (b[i >> 6] >> (i & 63)) & 1;
}

typedef struct kl { uint32_t key, id; } kl;

static int kl_cmp(const void *a, const void *b)
{
    const kl *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key ? 1 : x->id < y->id ? -1 : x->id > y->id;
}

static void build_tab(ptab *t, kl *v, size_t n)
{
    memset(t, 0, sizeof *t);
    if (n == 0)
        return;
    qsort(v, n, sizeof *v, kl_cmp);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || v[i].key != v[i - 1].key)
            distinct++;
    uint32_t slots = 16;
    while (slots < 2 * distinct)
        slots <<= 1;
    t->mask = slots - 1;
    t->key = xcalloc(slots, sizeof *t->key);
    t->head = xcalloc(slots, sizeof *t->head);
    t->count = xcalloc(slots, sizeof *t->count);
    t->ids = xcalloc(n, sizeof *t->ids);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j].key == v[i].key) {
            t->ids[j] = v[j].id;
            j++;
        }
        uint32_t h = key_hash(v[i].key);
        t->filter[h >> 6] |= 1ull << (h & 63);
        uint32_t s = h & t->mask;
        while (t->key[s])
            s = (s + 1) & t->mask;
        t->key[s] = v[i].key;
        t->head[s] = (uint32_t)i;
        t->count[s] = (uint32_t)(j - i);
        i = j;
    }
}

/* A string -> count/id hash used while building the index. */
typedef struct shash {
    char   **key;
    int32_t *val;
    size_t   cap;
} shash;

static size_t shash_slot(shash *h, const char *k)
{
    uint32_t x = 2166136261u;
    for (const char *c = k; *c; c++)
        x = (x ^ (unsigned char)*c) * 16777619u;
    size_t s = x & (h->cap - 1);
    while (h->key[s] && strcmp(h->key[s], k) != 0)
        s = (s + 1) & (h->cap - 1);
    return s;
}

typedef struct rule_lits {
    char  **v;
    size_t  n;
    int     all_required;
} rule_lits;

/* How good a literal is for the index: rarer among the rules and not too
 * short is better (lower). */
static long lit_score(const shash *cnt, size_t slot, const char *s)
{
    size_t len = strlen(s);
    long c = cnt->val[slot];
    return c * 4 + (len >= 4 ? 0 : (long)(4 - len) * 1000) - (long)(len > 16 ? 16 : len);
}

/* Index every rule by its required literals (one literal when all of them
 * are required, the rarest; every branch's literal otherwise). Rules
 * without any, IF rules and negated rules are always visited. */
static void index_rules(rx_map *m, const map_rx_rule *rules)
{
    rule_lits *rl = xcalloc(m->n ? m->n : 1, sizeof *rl);
    shash cnt = { 0 };
    cnt.cap = 64;
    while (cnt.cap < 8 * m->n)
        cnt.cap <<= 1;
    cnt.key = xcalloc(cnt.cap, sizeof *cnt.key);
    cnt.val = xcalloc(cnt.cap, sizeof *cnt.val);
    for (size_t i = 0; i < m->n; i++) {
        rx_item *r = &m->it[i];
        if (r->op == MAP_RX_ENDIF)
            continue;
        if (r->op == MAP_RX_IF || r->negate)
            set_bit(m->always, i);
        if (rules[i].has_lits) {
            rl[i].n = rules[i].nlits;
            rl[i].v = xcalloc(rl[i].n ? rl[i].n : 1, sizeof *rl[i].v);
            for (size_t k = 0; k < rl[i].n; k++)
                rl[i].v[k] = xstrdup(rules[i].lits[k]);
            rl[i].all_required = rules[i].all_required;
        } else {
            rl[i].n = rx_required_literals(rules[i].pattern, rules[i].flags, m->eng->dialect,
                                           &rl[i].v, &rl[i].all_required);
        }
        if (rl[i].n == 0) {
            set_bit(m->always, i);
            set_bit(m->nolit, i);
            continue;
        }
        m->with_literal++;
        for (size_t k = 0; k < rl[i].n; k++) {
            size_t sl = shash_slot(&cnt, rl[i].v[k]);
            if (!cnt.key[sl])
                cnt.key[sl] = rl[i].v[k];
            cnt.val[sl]++;
        }
    }
    size_t capl = 0;
    shash ids = { xcalloc(cnt.cap, sizeof(char *)), xcalloc(cnt.cap, sizeof(int32_t)), cnt.cap };
    for (size_t i = 0; i < m->n; i++) {
        rule_lits *l = &rl[i];
        size_t from = 0, to = l->n;
        if (l->all_required && l->n > 1) {
            long best = 0;
            for (size_t k = 0; k < l->n; k++) {
                long sc = lit_score(&cnt, shash_slot(&cnt, l->v[k]), l->v[k]);
                if (k == 0 || sc < best) {
                    best = sc;
                    from = k;
                }
            }
            to = from + 1;
        }
        for (size_t k = from; k < to; k++) {
            size_t sl = shash_slot(&ids, l->v[k]);
            if (!ids.key[sl]) {
                xgrow(&m->lit, &capl, m->nlit + 1, sizeof *m->lit);
                lit_ent *e = &m->lit[m->nlit];
                memset(e, 0, sizeof *e);
                e->s = xstrdup(l->v[k]);
                e->len = (uint32_t)strlen(e->s);
                ids.key[sl] = e->s;
                ids.val[sl] = (int32_t)m->nlit++;
            }
            lit_ent *e = &m->lit[ids.val[sl]];
            if (e->nrules == 0 || e->rules[e->nrules - 1] != i) {
                size_t c = e->cap;
                xgrow(&e->rules, &c, e->nrules + 1, sizeof *e->rules);
                e->cap = (uint32_t)c;
                e->rules[e->nrules++] = (uint32_t)i;
            }
        }
    }
    for (size_t i = 0; i < m->n; i++) {
        for (size_t k = 0; k < rl[i].n; k++)
            free(rl[i].v[k]);
        free(rl[i].v);
    }
    free(rl);
    free(cnt.key);
    free(cnt.val);
    free(ids.key);
    free(ids.val);
}

static void free_item(rx_map *m, rx_item *r)
{
    if (r->re)
        m->eng->free(r->re);
    free(r->raw);
    rx_tmpl_free(&r->tmpl);
}

void map_rx_free(map *mm)
{
    rx_map *m = (rx_map *)mm;
    for (size_t i = 0; i < m->n; i++)
        free_item(m, &m->it[i]);
    free(m->it);
    free(m->ov);
    for (size_t i = 0; i < m->nlit; i++) {
        free(m->lit[i].s);
        free(m->lit[i].rules);
    }
    free(m->lit);
    for (int k = 1; k <= 4; k++) {
        free(m->tab[k].key);
        free(m->tab[k].head);
        free(m->tab[k].count);
        free(m->tab[k].ids);
    }
    free(m->always);
    free(m->nolit);
    free(m->visit);
    free(m->hit);
    sb_free(&m->low);
    free(m);
}

map *map_rx_open(const map_ops *ops, const rx_engine *eng, const char *type,
                 const char *name, const map_rx_rule *rules, size_t n, strbuf *err)
{
    rx_map *m = xcalloc(1, sizeof *m);
    m->base.ops = ops;
    m->base.type = xstrdup(type);
    m->base.name = xstrdup(name);
    m->eng = eng;
    m->prefilter = 1;
    m->it = xcalloc(n ? n : 1, sizeof *m->it);
    size_t *stack = xcalloc(n ? n : 1, sizeof *stack), depth = 0;
    for (size_t i = 0; i < n; i++) {
        const map_rx_rule *s = &rules[i];
        rx_item *r = &m->it[m->n++];
        r->op = s->op;
        r->negate = s->negate;
        r->line = s->line;
        if (s->op == MAP_RX_ENDIF) {
            if (depth == 0) {
                sb_addf(err, "line %u: ENDIF without IF", s->line);
                goto fail;
            }
            m->it[stack[--depth]].endif = i;
            continue;
        }
        if (s->op == MAP_RX_IF)
            stack[depth++] = i;
        r->re = eng->compile(s->pattern, s->flags, &r->ngroups, err);
        if (!r->re) {
            strbuf why;
            sb_init(&why);
            sb_adds(&why, sb_str(err));
            sb_clear(err);
            sb_addf(err, "line %u: %s", s->line, sb_str(&why));
            sb_free(&why);
            goto fail;
        }
        if (r->ngroups > m->maxgroups)
            m->maxgroups = r->ngroups;
        if (s->op == MAP_RX_MATCH) {
            r->raw = xstrdup(s->result ? s->result : "");
            if (rx_tmpl_parse(&r->tmpl, r->raw, NULL, NULL) != RX_TMPL_OK) {
                sb_addf(err, "line %u: bad replacement syntax", s->line);
                goto fail;
            }
            if (r->tmpl.max_group > (r->negate ? 0 : r->ngroups)) {
                sb_addf(err, "line %u: out of range replacement index", s->line);
                goto fail;
            }
        }
    }
    if (depth) {
        sb_addf(err, "line %u: IF without ENDIF", rules[stack[depth - 1]].line);
        goto fail;
    }
    free(stack);
    stack = NULL;
    m->ov = xcalloc(2 * ((size_t)m->maxgroups + 1), sizeof *m->ov);
    /* prefilter */
    m->words = (m->n + 63) / 64 + 1;
    m->always = xcalloc(m->words, sizeof(uint64_t));
    m->nolit = xcalloc(m->words, sizeof(uint64_t));
    m->visit = xcalloc(m->words, sizeof(uint64_t));
    m->hit = xcalloc(m->words, sizeof(uint64_t));
    index_rules(m, rules);
    for (int k = 1; k <= 4; k++) {
        kl *v = xcalloc(m->nlit ? m->nlit : 1, sizeof *v);
        size_t nv = 0;
        for (size_t i = 0; i < m->nlit; i++) {
            int lk = m->lit[i].len < 4 ? (int)m->lit[i].len : 4;
            if (lk == k)
                v[nv++] = (kl){ pack(m->lit[i].s, k), (uint32_t)i };
        }
        build_tab(&m->tab[k], v, nv);
        free(v);
    }
    sb_init(&m->low);
    return &m->base;
fail:
    free(stack);
    free(m->base.type);
    free(m->base.name);
    map_rx_free(&m->base);
    return NULL;
}

/* Mark the rules whose literals occur in the folded key. */
static void scan_literals(rx_map *m, const char *s, size_t len)
{
    unsigned long long stamp = m->lookups;
    for (size_t i = 0; i < len; i++) {
        uint32_t v = 0;
        for (int k = 1; k <= 4 && i + (size_t)k <= len; k++) {
            v |= (uint32_t)(unsigned char)s[i + k - 1] << (8 * (k - 1));
            const ptab *t = &m->tab[k];
            if (!t->mask)
                continue;
            uint32_t h = key_hash(v);
            if (!((t->filter[h >> 6] >> (h & 63)) & 1))
                continue;
            uint32_t sl = h & t->mask;
            while (t->key[sl] && t->key[sl] != v)
                sl = (sl + 1) & t->mask;
            if (!t->key[sl])
                continue;
            for (uint32_t j = 0; j < t->count[sl]; j++) {
                lit_ent *l = &m->lit[t->ids[t->head[sl] + j]];
                if (l->stamp == stamp)
                    continue;
                if (l->len > (uint32_t)k &&
                    (i + l->len > len || memcmp(s + i + k, l->s + k, l->len - k) != 0))
                    continue;
                l->stamp = stamp;
                for (uint32_t r = 0; r < l->nrules; r++) {
                    set_bit(m->hit, l->rules[r]);
                    set_bit(m->visit, l->rules[r]);
                }
            }
        }
    }
}

static size_t next_bit(const uint64_t *b, size_t i, size_t n)
{
    if (i >= n)
        return n;
    size_t w = i >> 6;
    uint64_t x = b[w] & (~0ull << (i & 63));
    for (;;) {
        if (x) {
            size_t r = (w << 6) + (size_t)__builtin_ctzll(x);
            return r < n ? r : n;
        }
        if (++w >= (n + 63) / 64)
            return n;
        x = b[w];
    }
}

static int run_rule(rx_map *m, rx_item *r, const char *key, size_t len, strbuf *err)
{
    m->tried++;
    int nov = r->ngroups + 1;
    int rc = m->eng->exec(r->re, key, len, m->ov, nov, err);
    if (rc < 0) {
        sb_clear(err);   /* Postfix logs a matching error and goes on */
        return 0;
    }
    return rc;
}

static void produce(rx_map *m, rx_item *r, const char *key, strbuf *value)
{
    m->last_line = r->line;
    if (!r->tmpl.has_dollar) {
        sb_adds(value, r->raw);
        return;
    }
    for (size_t i = 0; i < r->tmpl.nseg; i++) {
        const rx_seg *s = &r->tmpl.seg[i];
        if (s->group < 0) {
            sb_addn(value, r->tmpl.text + s->off, s->len);
        } else if (s->group <= r->ngroups) {
            long b = m->ov[2 * s->group], e = m->ov[2 * s->group + 1];
            if (b >= 0 && e >= b)
                sb_addn(value, key + b, (size_t)(e - b));
        }
    }
    if (value->s == NULL)
        sb_adds(value, "");
}

map_status map_rx_lookup(map *mm, const char *key, strbuf *value, strbuf *err)
{
    rx_map *m = (rx_map *)mm;
    size_t len = strlen(key);
    m->lookups++;
    if (!m->prefilter) {
        for (size_t i = 0; i < m->n; i++) {
            rx_item *r = &m->it[i];
            if (r->op == MAP_RX_ENDIF)
                continue;
            int hit = run_rule(m, r, key, len, err);
            if (r->op == MAP_RX_IF) {
                if (hit == r->negate)
                    i = r->endif;
            } else if (hit != r->negate) {
                produce(m, r, key, value);
                return MAP_FOUND;
            }
        }
        return MAP_NOTFOUND;
    }
    sb_clear(&m->low);
    sb_addn(&m->low, key, len);
    for (size_t i = 0; i < len; i++)
        m->low.s[i] = (char)tolower((unsigned char)m->low.s[i]);
    memcpy(m->visit, m->always, m->words * sizeof(uint64_t));
    memcpy(m->hit, m->nolit, m->words * sizeof(uint64_t));
    scan_literals(m, m->low.s, len);
    size_t i = 0;
    while ((i = next_bit(m->visit, i, m->n)) < m->n) {
        rx_item *r = &m->it[i];
        int hit = test_bit(m->hit, i) ? run_rule(m, r, key, len, err) : 0;
        if (r->op == MAP_RX_IF) {
            if (hit == r->negate) {
                i = r->endif + 1;
                continue;
            }
        } else if (hit != r->negate) {
            produce(m, r, key, value);
            return MAP_FOUND;
        }
        i++;
    }
    return MAP_NOTFOUND;
}

void map_rx_get_stats(map *mm, map_rx_stats *st)
{
    rx_map *m = (rx_map *)mm;
    memset(st, 0, sizeof *st);
    for (size_t i = 0; i < m->n; i++)
        st->rules += m->it[i].op != MAP_RX_ENDIF;
    st->with_literal = m->with_literal;
    st->literals = m->nlit;
    st->lookups = m->lookups;
    st->tried = m->tried;
}

unsigned map_rx_last_line(map *mm)
{
    if (!mm || mm->ops->lookup != map_rx_lookup)
        return 0;
    return ((rx_map *)mm)->last_line;
}

void map_rx_set_prefilter(map *mm, int on)
{
    ((rx_map *)mm)->prefilter = on;
}
