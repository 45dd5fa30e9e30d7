/* cidr.c: lookups in cidr: tables: the key is an IPv4 or IPv6 address;
 * rules are tried in order and the first that matches gives the result. */
#include "stdlib/maps/cidr.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

typedef struct map_cidr {
    map        base;
    cidr_rule *v;
    size_t     n;
} map_cidr;

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
    return &c->base;
}
