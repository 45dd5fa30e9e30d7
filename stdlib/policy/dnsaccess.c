/* dnsaccess.c: check_{client,reverse_client_hostname,helo,sender,
 * recipient}_{mx,ns,a}_access, as Postfix 3.7's check_server_access:
 * the MX hosts (a domain without MX records is its own MX host; a null
 * MX: nothing to check), the DNS servers (from the closest parent domain
 * that has NS records) or, for _a_, the name itself, are looked up in the
 * access table: each host name and its parent domains (not for _a_),
 * then each of its addresses (A, AAAA as inet_protocols allows) and
 * their networks, in DNS order; the first entry found decides, DUNNO
 * included. An address literal [addr] is its own MX host (no NS). DNS
 * failures are skipped. An OK result is refused as a configuration error
 * (451 4.3.5): these tables may only reject. SMTPD_ACCESS_README. */
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A textual IPv4 or IPv6 address? */
static int host_addr(const char *s)
{
    unsigned char b[16];
    return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

typedef struct server_check {
    pol_state  *st;
    uint32_t    table;
    map        *m;
    const char *reply_name;
    int         found;
} server_check;

/* One access lookup: the flow, with c->found set when the table has an
 * entry (DUNNO included). addr: an address and its networks, else a host
 * name and its parents. */
static pol_flow lookup(server_check *c, const char *what, int addr)
{
    pol_state *st = c->st;
    char *key = xstrdup(what);
    for (char *p = key; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    lookup_result lr;
    lookup_result_init(&lr);
    const lookup_params *lp = pol_lookup_params(st->s);
    map_status ms = addr ? lookup_access_addr(&c->m, 1, lp, key, &lr)
                         : lookup_access_domain(&c->m, 1, lp, key, &lr);
    free(key);
    pol_flow f = POL_FLOW_DUNNO;
    if (ms == MAP_FOUND) {
        c->found = 1;
        const img *im = st->s->pi->im;
        pol_trace(st->s, st->r, "  %s: \"%s\" -> %s", img_str(im, im->tables[c->table].spec),
                  sb_str(&lr.key), sb_str(&lr.value));
        f = pol_access_result(st, sb_str(&lr.value), c->reply_name, c->table, sb_str(&lr.key));
    } else if (ms != MAP_NOTFOUND) {
        c->found = 1;
        pol_reply_set(st->r, POL_DEFER, 451, "4.3.0 <%s>: Temporary lookup failure",
                      c->reply_name);
        f = POL_FLOW_STOP;
    }
    lookup_result_free(&lr);
    return f;
}

/* The addresses of host, A first, as inet_protocols allows. */
static void addresses(pol_session *s, const char *host, pol_dns_rr **out, size_t *n)
{
    const char *proto = pol_param_str(s, "inet_protocols");
    int all = lookup_list_has(proto, "all");
    pol_dns_addresses(s->dns, host, all || lookup_list_has(proto, "ipv4"),
                      all || lookup_list_has(proto, "ipv6"), out, n);
}

/* The servers to check; status FOUND when there are any. */
static pol_dns_status servers_of(pol_session *s, const char *domain, int type, pol_dns_rr **rr,
                                 size_t *n)
{
    if (type == POL_DNS_A) {
        *rr = xcalloc(1, sizeof **rr);
        (*rr)->type = POL_DNS_MX;
        (*rr)->data = xstrdup(domain);
        *n = 1;
        return POL_DNS_FOUND;
    }
    pol_dns_status ds = pol_dns_query(s->dns, domain, type, rr, n);
    if (ds == POL_DNS_FOUND && type == POL_DNS_MX && pol_dns_nullmx(*rr, *n))
        return POL_DNS_NXDOMAIN;   /* null MX: no mail host to check */
    if (ds != POL_DNS_NXDOMAIN && ds != POL_DNS_NODATA)
        return ds;
    pol_dns_rr_free(*rr, *n);
    *rr = NULL;
    *n = 0;
    if (type == POL_DNS_MX)
        return servers_of(s, domain, POL_DNS_A, rr, n);   /* its own mail host */
    /* NS: the closest parent domain that has them */
    for (const char *d = strchr(domain, '.'); d && d[1]; d = strchr(d + 1, '.')) {
        ds = pol_dns_query(s->dns, d + 1, type, rr, n);
        if (ds != POL_DNS_NXDOMAIN && ds != POL_DNS_NODATA)
            return ds;
        pol_dns_rr_free(*rr, *n);
        *rr = NULL;
        *n = 0;
    }
    return ds;
}

static pol_flow server_access(server_check *c, const char *name, int type)
{
    pol_session *s = c->st->s;
    const char *at = strrchr(name, '@');
    const char *domain = at ? at + 1 : name;
    if (domain[0] == '[') {
        /* an address literal is its own mail host */
        size_t len = strlen(domain);
        if (type == POL_DNS_NS || len < 2 || domain[len - 1] != ']')
            return POL_FLOW_DUNNO;
        char *bare = xstrndup(domain + 1, len - 2);
        const char *a = strncasecmp(bare, "IPv6:", 5) == 0 ? bare + 5 : bare;
        unsigned char b[16];
        int ok = strchr(a, ':') ? inet_pton(AF_INET6, a, b) == 1 && bare != a
                                : inet_pton(AF_INET, a, b) == 1;
        pol_flow f = ok ? lookup(c, a, 1) : POL_FLOW_DUNNO;
        free(bare);
        return f;
    }
    pol_dns_rr *srv;
    size_t n;
    pol_dns_status ds = servers_of(s, domain, type, &srv, &n);
    if (ds != POL_DNS_FOUND) {
        if (ds == POL_DNS_TEMPFAIL)
            pol_trace(s, c->st->r, "  unable to look up %s host for %s: try again",
                      type == POL_DNS_MX ? "MX" : "NS", domain);
        pol_dns_rr_free(srv, n);
        return POL_FLOW_DUNNO;
    }
    pol_flow f = POL_FLOW_DUNNO;
    for (size_t i = 0; i < n && f == POL_FLOW_DUNNO && !c->found; i++) {
        const char *host = srv[i].data;
        if (host_addr(host)) {
            f = lookup(c, host, 1);
            continue;
        }
        if (type != POL_DNS_A && ((f = lookup(c, host, 0)) != POL_FLOW_DUNNO || c->found))
            break;
        pol_dns_rr *a;
        size_t na;
        addresses(s, host, &a, &na);
        for (size_t k = 0; k < na && f == POL_FLOW_DUNNO && !c->found; k++)
            f = lookup(c, a[k].data, 1);
        pol_dns_rr_free(a, na);
    }
    pol_dns_rr_free(srv, n);
    return f;
}

static pol_flow check(pol_state *st, uint32_t table, pol_ctx ctx, const char *name,
                      const char *reply_name, int type)
{
    const char *why = NULL;
    map *m = pol_image_map(st->s->pi, table, &why);
    if (!m)
        return pol_config_error(st, why ? why : "table unavailable");
    server_check c = { .st = st, .table = table, .m = m, .reply_name = reply_name };
    pol_ctx saved = st->ctx;
    st->ctx = ctx;
    pol_flow f = server_access(&c, name, type);
    st->ctx = saved;
    return pol_refuse_ok(st, f, "OK from a DNS server access table");
}

pol_flow pol_server_access_insn(pol_state *st, const img_insn *x)
{
    pol_session *s = st->s;
    const char *rcpt = st->rcpt_addr.addr ? st->rcpt : NULL;
    int named = strcasecmp(s->client_name, "unknown") != 0;
    int reverse = strcasecmp(s->reverse_name, "unknown") != 0;
    int sender = s->sender && *s->sender;
    char client[600];
    snprintf(client, sizeof client, "%s[%s]", s->client_name, s->client_addr);
    static const struct { uint16_t op; int type; } ops[] = {
        { IMG_OP_CHECK_CLIENT_A_ACCESS, POL_DNS_A },
        { IMG_OP_CHECK_CLIENT_MX_ACCESS, POL_DNS_MX },
        { IMG_OP_CHECK_CLIENT_NS_ACCESS, POL_DNS_NS },
        { IMG_OP_CHECK_REVERSE_CLIENT_HOSTNAME_A_ACCESS, POL_DNS_A },
        { IMG_OP_CHECK_REVERSE_CLIENT_HOSTNAME_MX_ACCESS, POL_DNS_MX },
        { IMG_OP_CHECK_REVERSE_CLIENT_HOSTNAME_NS_ACCESS, POL_DNS_NS },
        { IMG_OP_CHECK_HELO_A_ACCESS, POL_DNS_A },
        { IMG_OP_CHECK_HELO_MX_ACCESS, POL_DNS_MX },
        { IMG_OP_CHECK_HELO_NS_ACCESS, POL_DNS_NS },
        { IMG_OP_CHECK_SENDER_A_ACCESS, POL_DNS_A },
        { IMG_OP_CHECK_SENDER_MX_ACCESS, POL_DNS_MX },
        { IMG_OP_CHECK_SENDER_NS_ACCESS, POL_DNS_NS },
        { IMG_OP_CHECK_RECIPIENT_A_ACCESS, POL_DNS_A },
        { IMG_OP_CHECK_RECIPIENT_MX_ACCESS, POL_DNS_MX },
        { IMG_OP_CHECK_RECIPIENT_NS_ACCESS, POL_DNS_NS },
    };
    size_t i = 0;
    while (i < sizeof ops / sizeof *ops && ops[i].op != x->op)
        i++;
    if (i == sizeof ops / sizeof *ops)
        return pol_config_error(st, "not a DNS server access restriction");
    int type = ops[i].type;
    switch (i / 3) {
    case 0:
        return named ? check(st, x->a, POL_CTX_CLIENT, s->client_name, client, type)
                     : POL_FLOW_DUNNO;
    case 1:
        return reverse ? check(st, x->a, POL_CTX_REVERSE, s->reverse_name, s->reverse_name, type)
                       : POL_FLOW_DUNNO;
    case 2:
        return s->helo ? check(st, x->a, POL_CTX_HELO, s->helo, s->helo, type) : POL_FLOW_DUNNO;
    case 3:
        return sender ? check(st, x->a, POL_CTX_SENDER, s->sender, s->sender, type)
                      : POL_FLOW_DUNNO;
    default:
        return rcpt && *rcpt ? check(st, x->a, POL_CTX_RECIPIENT, rcpt, rcpt, type)
                             : POL_FLOW_DUNNO;
    }
}
