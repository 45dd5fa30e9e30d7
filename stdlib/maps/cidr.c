/* cidr.c: lookups in cidr: tables: the key is an IPv4 or IPv6 address;
 * rules are tried in order and the first that matches gives the result.
 * A table of plain rules (no if/endif, no negation) also gets an index:
 * for each prefix length used, a hash of the networks giving the first
 * rule of each, so a lookup costs one probe per prefix length instead of
 * one test per rule; the answer is the same first match. */
#include "stdlib/maps/cidr.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* The networks of one (family, prefix length): open addressing. */
typedef struct cidr_level {
    unsigned char family, prefix;
    size_t       *slot;     /* rule index + 1, 0 = empty */
    size_t        nslot;    /* power of two */
} cidr_level;

typedef struct map_cidr {
    map         base;
    cidr_rule  *v;
    size_t      n;
    cidr_level *levels;     /* NULL: rules are tried one by one */
    size_t      nlevels;
} map_cidr;

#define CIDR_INDEX_MIN 16   /* fewer rules: the linear scan is as fast */

static size_t net_hash(const unsigned char a[16], unsigned prefix)
{
    size_t h = 1469598103934665603ull;
    for (unsigned i = 0; i < (prefix + 7) / 8; i++)
        h = (h ^ a[i]) * 1099511628211ull;
    return h ^ prefix;
}

static void masked(const unsigned char in[16], unsigned prefix, unsigned char out[16])
{
    memset(out, 0, 16);
    unsigned full = prefix / 8, rest = prefix % 8;
    memcpy(out, in, full);
    if (rest)
        out[full] = (unsigned char)(in[full] & (0xff << (8 - rest)));
}

static void build_index(map_cidr *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].kind != CIDR_MATCH || c->v[i].negate)
            return;
    for (size_t i = 0; i < c->n; i++) {
        const cidr_rule *r = &c->v[i];
        cidr_level *lv = NULL;
        for (size_t k = 0; k < c->nlevels && !lv; k++)
            if (c->levels[k].family == r->family && c->levels[k].prefix == r->prefix)
                lv = &c->levels[k];
        if (!lv) {
            c->levels = xrealloc(c->levels, (c->nlevels + 1) * sizeof *c->levels);
            lv = &c->levels[c->nlevels++];
            memset(lv, 0, sizeof *lv);
            lv->family = r->family;
            lv->prefix = r->prefix;
        }
    }
    for (size_t k = 0; k < c->nlevels; k++) {
        cidr_level *lv = &c->levels[k];
        size_t count = 0;
        for (size_t i = 0; i < c->n; i++)
            count += c->v[i].family == lv->family && c->v[i].prefix == lv->prefix;
        lv->nslot = 8;
        while (lv->nslot < count * 2 + 2)
            lv->nslot *= 2;
        lv->slot = xcalloc(lv->nslot, sizeof *lv->slot);
        for (size_t i = 0; i < c->n; i++) {   /* in order: the first rule of a network stays */
            const cidr_rule *r = &c->v[i];
            if (r->family != lv->family || r->prefix != lv->prefix)
                continue;
            size_t j = net_hash(r->addr, r->prefix) & (lv->nslot - 1);
            int dup = 0;
            for (; lv->slot[j]; j = (j + 1) & (lv->nslot - 1))
                if (memcmp(c->v[lv->slot[j] - 1].addr, r->addr, 16) == 0) {
                    dup = 1;
                    break;
                }
            if (!dup)
                lv->slot[j] = i + 1;
        }
    }
}

static map_status indexed_lookup(map_cidr *c, int fam, const unsigned char addr[16],
                                 strbuf *value)
{
    size_t best = 0;   /* rule index + 1 */
    unsigned char net[16];
    for (size_t k = 0; k < c->nlevels; k++) {
        const cidr_level *lv = &c->levels[k];
        if (lv->family != fam)
            continue;
        masked(addr, lv->prefix, net);
        for (size_t j = net_hash(net, lv->prefix) & (lv->nslot - 1); lv->slot[j];
             j = (j + 1) & (lv->nslot - 1))
            if (memcmp(c->v[lv->slot[j] - 1].addr, net, 16) == 0) {
                if (!best || lv->slot[j] < best)
                    best = lv->slot[j];
                break;
            }
    }
    if (!best)
        return MAP_NOTFOUND;
    sb_adds(value, c->v[best - 1].result);
    return MAP_FOUND;
}

int cidr_parse_addr(const char *s, unsigned char addr[16])
{
    memset(addr, 0, 16);
    if (strchr(s, ':'))
        return inet_pton(AF_INET6, s, addr) == 1 ? 6 : 0;
    return inet_pton(AF_INET, s, addr) == 1 ? 4 : 0;
}

int cidr_rule_covers(const cidr_rule *r, int family, const unsigned char addr[16])
{
    if (r->family != family)
        return 0;
    unsigned full = r->prefix / 8, rest = r->prefix % 8;
    if (memcmp(r->addr, addr, full) != 0)
        return 0;
    if (rest) {
        unsigned char mask = (unsigned char)(0xff << (8 - rest));
        if ((r->addr[full] & mask) != (addr[full] & mask))
            return 0;
    }
    return 1;
}

static map_status cidr_lookup(map *m, const char *key, strbuf *value, strbuf *err)
{
    map_cidr *c = (map_cidr *)m;
    unsigned char addr[16];
    int fam = cidr_parse_addr(key, addr);
    (void)err;
    if (!fam)
        return MAP_NOTFOUND;
    if (c->levels)
        return indexed_lookup(c, fam, addr, value);
    for (size_t i = 0; i < c->n;) {
        const cidr_rule *r = &c->v[i];
        switch (r->kind) {
        case CIDR_MATCH:
            if (r->family == fam && cidr_rule_covers(r, fam, addr) != r->negate) {
                sb_adds(value, r->result);
                return MAP_FOUND;
            }
            i++;
            break;
        case CIDR_IF:
            /* a block for the other family is never entered, negated or not */
            if (r->family == fam && cidr_rule_covers(r, fam, addr) != r->negate)
                i++;
            else
                i = r->skip;
            break;
        case CIDR_ENDIF:
            i++;
            break;
        }
    }
    return MAP_NOTFOUND;
}

static void cidr_free(map *m)
{
    map_cidr *c = (map_cidr *)m;
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].result);
    for (size_t k = 0; k < c->nlevels; k++)
        free(c->levels[k].slot);
    free(c->levels);
    free(c->v);
    free(c);
}

static const map_ops cidr_ops = {
    .type = "cidr", .caps = MAP_CAP_PATTERN,
    .lookup = cidr_lookup, .free = cidr_free,
};

map *map_cidr_new(const char *name, cidr_rule *rules, size_t n)
{
    map_cidr *c = xcalloc(1, sizeof *c);
    map_base_init(&c->base, &cidr_ops, "cidr", name, 0);
    c->v = rules;
    c->n = n;
    if (n >= CIDR_INDEX_MIN)
        build_index(c);
    return &c->base;
}
