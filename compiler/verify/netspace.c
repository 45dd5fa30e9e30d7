/* netspace.c: networks of mynetworks, and how much public address space
 * they cover (netspace.h). The thresholds: an IPv4 /16 (65536 addresses,
 * an old class B) is the most a single organisation's own network (a
 * campus) usually is; wider public prefixes are provider, cloud or
 * regional ranges shared with other customers, whose every client could
 * relay. For IPv6 the same role falls to /32, the smallest allocation a
 * registry makes to a provider or large organisation (sites get /48). */
#include "compiler/verify/netspace.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void clear_host_bits(unsigned char *a, int bytes, int prefix)
{
    for (int i = 0; i < bytes; i++) {
        int keep = prefix - i * 8;
        if (keep < 8)
            a[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
    }
}

int ns_parse(const char *item, ns_net *out)
{
    memset(out, 0, sizeof *out);
    char buf[128];
    size_t n = strlen(item);
    if (n == 0 || n >= sizeof buf || item[0] == '!')
        return 0;
    const char *slash = strrchr(item, '/');
    char addr[128];
    int prefix = -1;
    if (slash && slash != item && slash[1]) {
        char *end;
        long p = strtol(slash + 1, &end, 10);
        if (*end || p < 0 || p > 128)
            return 0;
        prefix = (int)p;
        snprintf(addr, sizeof addr, "%.*s", (int)(slash - item), item);
    } else if (slash) {
        return 0;   /* "/file/name" */
    } else {
        snprintf(addr, sizeof addr, "%s", item);
    }
    size_t al = strlen(addr);
    if (al >= 2 && addr[0] == '[' && addr[al - 1] == ']') {
        memmove(addr, addr + 1, al - 2);
        addr[al - 2] = '\0';
    }
    if (inet_pton(AF_INET, addr, out->a) == 1) {
        out->family = 4;
        out->prefix = prefix < 0 ? 32 : prefix;
        if (out->prefix > 32)
            return 0;
        clear_host_bits(out->a, 4, out->prefix);
        return 1;
    }
    if (inet_pton(AF_INET6, addr, out->a) == 1) {
        out->family = 6;
        out->prefix = prefix < 0 ? 128 : prefix;
        clear_host_bits(out->a, 16, out->prefix);
        return 1;
    }
    return 0;
}

/* ---- IPv4 ------------------------------------------------------------------ */

/* The special-purpose ranges that are not public (disjoint). */
static const struct { uint32_t net; int prefix; } special4[] = {
    { 0x00000000u, 8 },  { 0x0a000000u, 8 },  { 0x64400000u, 10 }, { 0x7f000000u, 8 },
    { 0xa9fe0000u, 16 }, { 0xac100000u, 12 }, { 0xc0000000u, 24 }, { 0xc0000200u, 24 },
    { 0xc0a80000u, 16 }, { 0xc6120000u, 15 }, { 0xc6336400u, 24 }, { 0xcb007100u, 24 },
    { 0xe0000000u, 4 },  { 0xf0000000u, 4 },
};

/* The public addresses in net/prefix. */
static uint64_t public4(uint32_t net, int prefix)
{
    uint64_t lo = net, hi = lo + (1ull << (32 - prefix)), n = hi - lo;
    for (size_t i = 0; i < sizeof special4 / sizeof *special4; i++) {
        uint64_t slo = special4[i].net, shi = slo + (1ull << (32 - special4[i].prefix));
        uint64_t a = lo > slo ? lo : slo, b = hi < shi ? hi : shi;
        if (a < b)
            n -= b - a;
    }
    return n;
}

static uint32_t v4_of(const unsigned char *a)
{
    return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

/* An IPv4-mapped IPv6 network (::ffff:0:0/96 and inside): its IPv4 form. */
static int mapped4(const ns_net *n, uint32_t *net, int *prefix)
{
    static const unsigned char pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (n->family != 6 || n->prefix < 96 || memcmp(n->a, pre, 12) != 0)
        return 0;
    *net = v4_of(n->a + 12);
    *prefix = n->prefix - 96;
    return 1;
}

/* ---- IPv6 ------------------------------------------------------------------ */

/* Do a/pa and b/pb overlap (the shorter prefix contains the other)? */
static int overlap6(const unsigned char *a, int pa, const unsigned char *b, int pb)
{
    int p = pa < pb ? pa : pb;
    for (int i = 0; i < p; i++)
        if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
            return 0;
    return 1;
}

static int public6(const ns_net *n)
{
    static const unsigned char global[16] = { 0x20 };                  /* 2000::/3 */
    static const unsigned char doc[16] = { 0x20, 0x01, 0x0d, 0xb8 };   /* 2001:db8::/32 */
    if (!overlap6(n->a, n->prefix, global, 3))
        return 0;
    return !(n->prefix >= 32 && overlap6(n->a, n->prefix, doc, 32));
}

int ns_public(const ns_net *n)
{
    uint32_t net;
    int prefix;
    if (n->family == 4)
        return public4(v4_of(n->a), n->prefix) > 0;
    if (mapped4(n, &net, &prefix))
        return public4(net, prefix) > 0;
    return public6(n);
}

int ns_loopback(const ns_net *n)
{
    uint32_t net;
    int prefix;
    if (n->family == 4)
        return n->a[0] == 127 && n->prefix >= 8;
    if (mapped4(n, &net, &prefix))
        return (net >> 24) == 127 && prefix >= 8;
    static const unsigned char one[16] = { [15] = 1 };
    return n->prefix == 128 && memcmp(n->a, one, 16) == 0;
}

int ns_too_broad(const ns_net *n)
{
    uint32_t net;
    int prefix;
    if (n->family == 4)
        return n->prefix < NS_MIN_PREFIX4 && ns_public(n);
    if (mapped4(n, &net, &prefix))
        return prefix < NS_MIN_PREFIX4 && ns_public(n);
    return n->prefix < NS_MIN_PREFIX6 && ns_public(n);
}

void ns_size_text(const ns_net *n, char *buf, size_t size)
{
    uint32_t net;
    int prefix;
    if (n->family == 4 || mapped4(n, &net, &prefix)) {
        int p = n->family == 4 ? n->prefix : prefix;
        if (p == 0)
            snprintf(buf, size, "every IPv4 address");
        else
            snprintf(buf, size, "%llu IPv4 addresses", 1ull << (32 - p));
    } else if (n->prefix == 0) {
        snprintf(buf, size, "every IPv6 address");
    } else {
        snprintf(buf, size, "2^%d IPv6 addresses", 128 - n->prefix);
    }
}

/* ---- mynetworks ------------------------------------------------------------- */

static void cidr_rules(const img *im, uint32_t t, ns_fn fn, void *ctx)
{
    const img_table *tb = &im->tables[t];
    for (uint32_t i = 0; i < tb->count; i++) {
        const img_cidr_rule *r = &im->cidr_rules[tb->first + i];
        if (r->op != IMG_RULE_MATCH || r->negate)
            continue;
        ns_net n = { .family = r->family, .prefix = r->prefix };
        memcpy(n.a, r->addr, r->family == 4 ? 4 : 16);
        char txt[INET6_ADDRSTRLEN], item[INET6_ADDRSTRLEN + 8];
        inet_ntop(r->family == 4 ? AF_INET : AF_INET6, n.a, txt, sizeof txt);
        snprintf(item, sizeof item, "%s/%d", txt, r->prefix);
        fn(ctx, &n, item, t, r->line);
    }
}

void ns_mynetworks(const img *im, const img_service *svc, ns_fn fn, void *ctx)
{
    const img_param *p = svc ? img_service_param(im, svc, "mynetworks")
                             : img_param_find(im, "mynetworks");
    if (!p || p->kind != IMG_PK_LIST)
        return;
    for (uint32_t i = 0; i < p->nlist; i++) {
        const char *item = img_str(im, img_list_at(im, p->list, i));
        ns_net n;
        if (ns_parse(item, &n)) {
            fn(ctx, &n, item, UINT32_MAX, 0);
            continue;
        }
        if (strncmp(item, "cidr:", 5) != 0)
            continue;
        for (uint32_t t = 0; t < im->ntables; t++)
            if (im->tables[t].kind == IMG_TK_CIDR &&
                strcmp(img_str(im, im->tables[t].spec), item) == 0) {
                cidr_rules(im, t, fn, ctx);
                break;
            }
    }
}
