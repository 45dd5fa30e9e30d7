/* dns_util.c: what the users of the resolver interface (dns.h) share,
 * whichever resolver answers: reverse names (the octets of IPv4 or the 32
 * nibbles of IPv6 in reverse order, for DNS lists, in-addr.arpa and
 * ip6.arpa, as Postfix builds them), the addresses of a host, null MX. */
#include "stdlib/policy/dns.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

int pol_dns_reverse(const char *addr, strbuf *out)
{
    unsigned char b[16];
    if (inet_pton(AF_INET, addr, b) == 1) {
        sb_addf(out, "%u.%u.%u.%u", b[3], b[2], b[1], b[0]);
        return 0;
    }
    if (inet_pton(AF_INET6, addr, b) == 1) {
        for (int i = 15; i >= 0; i--)
            sb_addf(out, "%x.%x%s", b[i] & 0xf, b[i] >> 4, i ? "." : "");
        return 0;
    }
    return -1;
}

void pol_dns_addresses(pol_dns *d, const char *host, int v4, int v6, pol_dns_rr **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const int types[] = { v4 ? POL_DNS_A : 0, v6 ? POL_DNS_AAAA : 0 };
    for (size_t t = 0; t < 2; t++) {
        pol_dns_rr *rr;
        size_t nr;
        if (!types[t])
            continue;
        if (pol_dns_query(d, host, types[t], &rr, &nr) == POL_DNS_FOUND) {
            *out = xrealloc(*out, (*n + nr) * sizeof **out);
            memcpy(*out + *n, rr, nr * sizeof *rr);
            *n += nr;
            free(rr);
        } else {
            pol_dns_rr_free(rr, nr);
        }
    }
}

int pol_dns_nullmx(const pol_dns_rr *rr, size_t n)
{
    return n == 1 && rr[0].pref == 0 && (!rr[0].data[0] || strcmp(rr[0].data, ".") == 0);
}
