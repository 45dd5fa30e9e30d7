/* match.c: Postfix's match lists (the values of mynetworks, relay_domains,
 * mydestination, permit_mx_backup_networks, ...): patterns tried in
 * order, "!pattern" ends the list with no match, "type:table" asks a
 * table, networks in CIDR form, and domain names with the parent-domain
 * rule of parent_domain_matches_subdomains; and the address class of a
 * domain (ADDRESS_CLASS_README). */
#include "stdlib/policy/internal.h"
#include "stdlib/maps/cidr.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The words of a list parameter (split by the compiler). */
static uint32_t list_words(pol_session *s, const char *param, const img_param **p)
{
    *p = pol_param(s, param);
    return *p && (*p)->kind == IMG_PK_LIST ? (*p)->nlist : 0;
}

static const char *word_at(pol_session *s, const img_param *p, uint32_t i)
{
    const img *im = s->pi->im;
    return img_str(im, img_list_at(im, p->list, i));
}

/* A table lookup of one key: 1 found, 0 not, -1 error. */
static int table_has(pol_session *s, int t, const char *key)
{
    const char *why;
    map *m = pol_image_map(s->pi, (uint32_t)t, &why);
    if (!m)
        return -1;
    strbuf v, e;
    sb_init(&v);
    sb_init(&e);
    map_status st = map_lookup(m, key, &v, &e);
    sb_free(&v);
    sb_free(&e);
    return st == MAP_FOUND ? 1 : st == MAP_NOTFOUND ? 0 : -1;
}

static int parent_rule(pol_session *s, const char *param)
{
    /* memo by the (constant) name's address, as pol_param does */
    size_t h = ((uintptr_t)param >> 3) & (POL_PDMS_CACHE - 1);
    if (s->pdms[h].name == param)
        return s->pdms[h].on;
    int on = lookup_list_has(pol_param_str(s, "parent_domain_matches_subdomains"), param);
    s->pdms[h].name = param;
    s->pdms[h].on = on;
    return on;
}

/* name against a domain pattern: "example.com" (and its subdomains when
 * the parameter has the parent rule), ".example.com" (subdomains). */
static int domain_pattern(const char *pat, const char *name, int parents)
{
    size_t pl = strlen(pat), nl = strlen(name);
    if (pat[0] == '.') {
        return nl > pl && strcasecmp(name + nl - pl, pat) == 0;
    }
    if (strcasecmp(pat, name) == 0)
        return 1;
    return parents && nl > pl && name[nl - pl - 1] == '.' && strcasecmp(name + nl - pl, pat) == 0;
}

/* A table in a domain list: the name, then its parents ("b.c" with the
 * parent rule, ".b.c" without). */
static int table_domain(pol_session *s, int t, const char *name, int parents)
{
    char *low = xstrdup(name);
    for (char *p = low; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    int r = table_has(s, t, low);
    for (const char *d = strchr(low, '.'); r == 0 && d; d = strchr(d + 1, '.'))
        r = table_has(s, t, parents ? d + 1 : d);
    free(low);
    return r;
}

static int is_table_word(pol_session *s, const char *w)
{
    return w[0] != '[' && strchr(w, ':') && pol_table_index(s->pi, w) >= 0;
}

/* "a.b.c.d", "a.b.c.d/n", "[v6]", "[v6]/n" against addr; -1: not a network. */
static int network_pattern(const char *w, const char *addr)
{
    char buf[128];
    size_t n = strlen(w);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, w, n + 1);
    char *slash = strchr(buf, '/');
    int prefix = -1;
    if (slash) {
        *slash = 0;
        char *end;
        prefix = (int)strtol(slash + 1, &end, 10);
        if (*end || slash[1] == 0)
            return -1;
    }
    char *a = buf;
    size_t al = strlen(a);
    if (a[0] == '[' && al > 2 && a[al - 1] == ']') {
        a[al - 1] = 0;
        a++;
    }
    unsigned char net[16], host[16];
    int fam = cidr_parse_addr(a, net), hfam = cidr_parse_addr(addr, host);
    if (!fam)
        return -1;
    if (fam != hfam)
        return 0;
    cidr_rule r;
    memset(&r, 0, sizeof r);
    r.family = (unsigned char)fam;
    r.prefix = (unsigned char)(prefix < 0 ? (fam == 4 ? 32 : 128) : prefix);
    int bits = r.prefix;
    for (int i = 0; i < 16; i++) {
        int keep = bits >= 8 ? 8 : bits > 0 ? bits : 0;
        r.addr[i] = (unsigned char)(net[i] & (0xff00 >> keep));
        bits -= 8;
    }
    return cidr_rule_covers(&r, fam, host);
}

static int match_client(pol_session *s, const char *param, const char *name, const char *addr);

/* The session's own client against a list: the same answer all session
 * long, remembered by the (constant) parameter name's address. */
int pol_match_client(pol_session *s, const char *param, const char *name, const char *addr)
{
    if (name != s->client_name || addr != s->client_addr)
        return match_client(s, param, name, addr);
    size_t h = ((uintptr_t)param >> 3) & (POL_PDMS_CACHE - 1);
    if (s->cmatch[h].name == param && s->cmatch[h].addr == addr)
        return s->cmatch[h].on;
    int r = match_client(s, param, name, addr);
    if (r >= 0) {
        s->cmatch[h].name = param;
        s->cmatch[h].addr = addr;
        s->cmatch[h].on = r;
    }
    return r;
}

/* One word of a list against what is matched (t: its table index, or -1
 * for a pattern): 1 match, 0 no, -1 a table failed. */
typedef int word_fn(pol_session *s, const char *w, int t, int parents, const void *arg);

/* The words of a list parameter in order: "!word" ends the list with no
 * match when it matches; -1 when a table failed. */
static int match_list(pol_session *s, const char *param, word_fn *fn, const void *arg)
{
    const img_param *p;
    uint32_t n = list_words(s, param, &p);
    int parents = parent_rule(s, param);
    for (uint32_t i = 0; i < n; i++) {
        const char *w = word_at(s, p, i);
        int neg = w[0] == '!';
        if (neg)
            w++;
        int m = fn(s, w, is_table_word(s, w) ? pol_table_index(s->pi, w) : -1, parents, arg);
        if (m < 0)
            return -1;
        if (m)
            return !neg;
    }
    return 0;
}

typedef struct client_key {
    const char *name, *addr;
} client_key;

/* A client: tables by address, then by name; networks; name patterns. */
static int client_word(pol_session *s, const char *w, int t, int parents, const void *arg)
{
    const client_key *k = arg;
    int named = k->name && strcmp(k->name, "unknown") != 0;
    if (t >= 0) {
        int m = table_has(s, t, k->addr);
        return m == 0 && named ? table_domain(s, t, k->name, parents) : m;
    }
    int m = network_pattern(w, k->addr);
    return m >= 0 ? m : named && domain_pattern(w, k->name, parents);
}

static int match_client(pol_session *s, const char *param, const char *name, const char *addr)
{
    client_key k = { name, addr };
    return match_list(s, param, client_word, &k);
}

/* A domain: tables by the name and its parents; domain patterns. */
static int domain_word(pol_session *s, const char *w, int t, int parents, const void *arg)
{
    return t >= 0 ? table_domain(s, t, arg, parents) : domain_pattern(w, arg, parents);
}

int pol_client_listed(pol_session *s, const char *param)
{
    return pol_match_client(s, param, s->client_name, s->client_addr) > 0;
}

int pol_match_domain(pol_session *s, const char *param, const char *domain)
{
    return match_list(s, param, domain_word, domain);
}

static int domain_class(pol_session *s, const char *domain);

/* The class of the last few domains asked (a recipient's domain is asked
 * several times per decision). */
int pol_domain_class(pol_session *s, const char *domain)
{
    if (!domain || !*domain)
        return IMG_CLASS_LOCAL;   /* an address without domain is local */
    for (int i = 0; i < POL_CLASS_CACHE; i++)
        if (s->ccache[i].domain && strcmp(s->ccache[i].domain, domain) == 0)
            return s->ccache[i].cls;
    int c = domain_class(s, domain);
    int slot = s->ccache_next++ % POL_CLASS_CACHE;
    free(s->ccache[slot].domain);
    s->ccache[slot].domain = xstrdup(domain);
    s->ccache[slot].cls = c;
    return c;
}

static int domain_class(pol_session *s, const char *domain)
{
    if (pol_match_domain(s, "mydestination", domain) == 1)
        return IMG_CLASS_LOCAL;
    if (domain[0] == '[') {
        /* an address literal of this host */
        size_t n = strlen(domain);
        char *a = xstrndup(domain + 1, n > 2 ? n - 2 : 0);
        int local = pol_own_address(s, strncasecmp(a, "IPv6:", 5) == 0 ? a + 5 : a);
        free(a);
        if (local)
            return IMG_CLASS_LOCAL;
    }
    if (pol_match_domain(s, "virtual_alias_domains", domain) == 1)
        return IMG_CLASS_VIRTUAL_ALIAS;
    if (pol_match_domain(s, "virtual_mailbox_domains", domain) == 1)
        return IMG_CLASS_VIRTUAL_MAILBOX;
    if (pol_match_domain(s, "relay_domains", domain) == 1)
        return IMG_CLASS_RELAY;
    return IMG_CLASS_DEFAULT;
}

int pol_own_address(pol_session *s, const char *addr)
{
    const char *ifs = pol_param_str(s, "inet_interfaces");
    if (strcasecmp(ifs, "all") == 0 || strcasecmp(ifs, "loopback-only") == 0) {
        /* the interfaces of the host that will run: offline, the loopback
         * addresses (and proxy_interfaces); mtad asks the kernel */
        if (strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0)
            return 1;
    } else if (pol_match_client(s, "inet_interfaces", NULL, addr) == 1) {
        return 1;
    }
    return pol_match_client(s, "proxy_interfaces", NULL, addr) == 1;
}

int pol_table_list_has(pol_session *s, const char *param, const char *key)
{
    const img_param *p = pol_param(s, param);
    if (!p)
        return 0;
    const img *im = s->pi->im;
    if (p->kind == IMG_PK_TABLES) {
        for (uint32_t i = 0; i < p->nlist; i++) {
            int r = table_has(s, (int)img_list_at(im, p->list, i), key);
            if (r)
                return r;
        }
        return 0;
    }
    /* a list of table names that is not a *_maps parameter */
    for (uint32_t i = 0; p->kind == IMG_PK_LIST && i < p->nlist; i++) {
        int t = pol_table_index(s->pi, img_str(im, img_list_at(im, p->list, i)));
        int r = t >= 0 ? table_has(s, t, key) : 0;
        if (r)
            return r;
    }
    return 0;
}
