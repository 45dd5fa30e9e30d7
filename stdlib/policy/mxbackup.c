/* mxbackup.c: permit_mx_backup: permit a recipient domain for which this
 * host is a backup MX (listed, and not with the best preference), or an
 * authorized destination; with permit_mx_backup_networks, the primary MX
 * hosts must also be in those networks. "This host" is myhostname and
 * the addresses of inet_interfaces and proxy_interfaces. */
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int own_address(pol_session *s, const char *addr)
{
    return pol_own_address(s, addr);
}

static int is_me(pol_session *s, const char *host)
{
    if (strcasecmp(host, pol_param_str(s, "myhostname")) == 0)
        return 1;
    pol_dns_rr *a;
    size_t n;
    pol_dns_addresses(s->dns, host, 1, 1, &a, &n);
    int me = 0;
    for (size_t i = 0; i < n && !me; i++)
        me = own_address(s, a[i].data);
    pol_dns_rr_free(a, n);
    return me;
}

pol_flow pol_mx_backup(pol_state *st)
{
    pol_session *s = st->s;
    pol_addr *ra = &st->rcpt_addr;
    /* the address as resolved: user%host@local is user@host */
    const char *domain = ra->rdomain;
    if (ra->routed || !domain[0])
        return POL_FLOW_DUNNO;
    if (pol_domain_class(s, domain) != IMG_CLASS_DEFAULT)
        return POL_FLOW_OK;
    const img_param *nets = pol_param(s, "permit_mx_backup_networks");
    int with_nets = nets && nets->kind == IMG_PK_LIST && nets->nlist > 0;
    pol_dns_rr *mx;
    size_t n;
    pol_dns_status ds = pol_dns_query(s->dns, domain, POL_DNS_MX, &mx, &n);
    if (ds == POL_DNS_TEMPFAIL) {
        pol_dns_rr_free(mx, n);
        if (with_nets)
            return POL_FLOW_DUNNO;
        pol_reply_set(st->r, POL_DEFER, 450, "4.4.4 <%s>: Recipient address rejected: Unable to "
                      "look up mail exchanger information: Host not found, try again", st->rcpt);
        return POL_FLOW_STOP;
    }
    if (ds != POL_DNS_FOUND) {
        pol_dns_rr_free(mx, n);
        return POL_FLOW_DUNNO;
    }
    unsigned best = ~0u, mine = ~0u;
    for (size_t i = 0; i < n; i++) {
        if (mx[i].pref < best)
            best = mx[i].pref;
        if (is_me(s, mx[i].data) && mx[i].pref < mine)
            mine = mx[i].pref;
    }
    pol_flow f = POL_FLOW_DUNNO;
    if (mine != ~0u && mine > best) {
        f = POL_FLOW_OK;
        if (with_nets) {
            f = POL_FLOW_DUNNO;
            for (size_t i = 0; i < n && f == POL_FLOW_DUNNO; i++) {
                if (mx[i].pref >= mine)
                    continue;
                pol_dns_rr *a;
                size_t na;
                pol_dns_addresses(s->dns, mx[i].data, 1, 1, &a, &na);
                for (size_t k = 0; k < na && f == POL_FLOW_DUNNO; k++)
                    if (pol_match_client(s, "permit_mx_backup_networks", NULL, a[k].data) == 1)
                        f = POL_FLOW_OK;
                pol_dns_rr_free(a, na);
            }
        }
    }
    pol_dns_rr_free(mx, n);
    return f;
}
