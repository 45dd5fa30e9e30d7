/* unknown.c: the restrictions that ask DNS whether a name exists:
 * reject_unknown_helo_hostname (A, AAAA or MX), reject_unknown_sender_domain
 * and reject_unknown_recipient_domain (MX, else A/AAAA; a null MX refuses
 * mail), reject_unknown_client_hostname (a forward-confirmed name) and
 * reject_unknown_reverse_client_hostname (any PTR name). A temporary DNS
 * failure does what the *_tempfail_action parameter says. */
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FOUND if any of the types has records; TEMPFAIL if one failed and none
 * answered; else NXDOMAIN. */
static pol_dns_status any_of(pol_dns *dns, const char *name, const int *types, size_t n)
{
    int temp = 0;
    for (size_t i = 0; i < n; i++) {
        pol_dns_rr *rr;
        size_t nr;
        pol_dns_status st = pol_dns_query(dns, name, types[i], &rr, &nr);
        pol_dns_rr_free(rr, nr);
        if (st == POL_DNS_FOUND)
            return POL_DNS_FOUND;
        temp |= st == POL_DNS_TEMPFAIL;
    }
    return temp ? POL_DNS_TEMPFAIL : POL_DNS_NXDOMAIN;
}

static char dsn_for(int code, const char *rest, char *buf, size_t n)
{
    snprintf(buf, n, "%c%s", code >= 500 ? '5' : '4', rest);
    return buf[0];
}

pol_flow pol_unknown_helo(pol_state *st)
{
    pol_session *s = st->s;
    const char *h = s->helo;
    if (!h || !*h)
        return POL_FLOW_DUNNO;
    pol_ctx saved = st->ctx;
    st->ctx = POL_CTX_HELO;
    pol_flow f = POL_FLOW_DUNNO;
    size_t n = strlen(h);
    if (h[0] == '[') {
        if (!pol_valid_helo(h))
            f = pol_reject(st, (int)pol_param_num(s, "invalid_hostname_reject_code"), "5.5.2", h,
                           "invalid ip address");
        st->ctx = saved;
        return f;
    }
    static const int types[] = { POL_DNS_A, POL_DNS_AAAA, POL_DNS_MX };
    pol_dns_status ds = POL_DNS_NXDOMAIN;
    if (pol_valid_hostname(h) && h[n - 1] != '.')
        ds = any_of(s->dns, h, types, 3);
    int code = (int)pol_param_num(s, "unknown_hostname_reject_code");
    char dsn[8];
    if (ds == POL_DNS_TEMPFAIL) {
        dsn_for(450, ".7.1", dsn, sizeof dsn);
        f = pol_tempfail(st, "unknown_helo_hostname_tempfail_action", 450, dsn, h, "Host not found");
    } else if (ds != POL_DNS_FOUND) {
        dsn_for(code, ".7.1", dsn, sizeof dsn);
        f = pol_reject(st, code, dsn, h, "Host not found");
    }
    st->ctx = saved;
    return f;
}

pol_flow pol_unknown_domain(pol_state *st, const char *addr, int sender)
{
    pol_session *s = st->s;
    pol_addr a;
    pol_addr_parse(s, addr, &a);
    pol_flow f = POL_FLOW_DUNNO;
    if (!a.domain[0] || a.domain[0] == '[') {
        pol_addr_free(&a);
        return f;
    }
    pol_ctx saved = st->ctx;
    st->ctx = sender ? POL_CTX_SENDER : POL_CTX_RECIPIENT;
    const char *sub = sender ? ".1.8" : ".1.2";
    int code = (int)pol_param_num(s, "unknown_address_reject_code");
    char dsn[8];
    pol_dns_rr *rr;
    size_t nr;
    pol_dns_status ds = pol_dns_query(s->dns, a.domain, POL_DNS_MX, &rr, &nr);
    int nullmx = ds == POL_DNS_FOUND && pol_dns_nullmx(rr, nr);
    pol_dns_rr_free(rr, nr);
    if (nullmx) {
        char *t = NULL;
        if (asprintf(&t, "Domain %s does not accept mail (nullMX)", a.domain) < 0)
            fatal("out of memory");
        if (sender)
            f = pol_reject(st, 550, "5.7.27", addr, t);
        else
            f = pol_reject(st, 556, "5.1.10", addr, t);
        free(t);
    } else if (ds != POL_DNS_FOUND) {
        static const int types[] = { POL_DNS_A, POL_DNS_AAAA };
        pol_dns_status as = ds == POL_DNS_TEMPFAIL ? ds : any_of(s->dns, a.domain, types, 2);
        if (as == POL_DNS_TEMPFAIL) {
            dsn_for(450, sub, dsn, sizeof dsn);
            f = pol_tempfail(st, "unknown_address_tempfail_action", 450, dsn, addr,
                             "Domain not found");
        } else if (as != POL_DNS_FOUND) {
            dsn_for(code, sub, dsn, sizeof dsn);
            f = pol_reject(st, code, dsn, addr, "Domain not found");
        }
    }
    st->ctx = saved;
    pol_addr_free(&a);
    return f;
}

pol_flow pol_unknown_client(pol_state *st, int reverse)
{
    pol_session *s = st->s;
    const char *name = reverse ? s->reverse_name : s->client_name;
    if (name && strcmp(name, "unknown") != 0)
        return POL_FLOW_DUNNO;
    int code = (int)pol_param_num(s, "unknown_client_reject_code");
    char dsn[8], *t = NULL;
    dsn_for(s->client_name_temp ? 450 : code, reverse ? ".7.1" : ".7.25", dsn, sizeof dsn);
    if (asprintf(&t, "Client host rejected: cannot find your %shostname, [%s]",
                 reverse ? "reverse " : "", s->client_addr) < 0)
        fatal("out of memory");
    pol_flow f;
    pol_ctx saved = st->ctx;
    st->ctx = POL_CTX_CLIENT;
    if (s->client_name_temp) {
        f = pol_tempfail(st, reverse ? "unknown_reverse_client_hostname_tempfail_action"
                                     : "unknown_client_hostname_tempfail_action",
                         450, dsn, pol_item(st), "cannot find your hostname");
    } else {
        int c = code;
        pol_reply_set(st->r, c >= 500 ? POL_REJECT : POL_DEFER, c, "%s %s", dsn, t);
        f = POL_FLOW_STOP;
    }
    st->ctx = saved;
    free(t);
    return f;
}
