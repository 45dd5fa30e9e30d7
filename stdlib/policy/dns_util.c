/* dns_util.c: what the users of the resolver interface (dns.h) share,
 * whichever resolver answers: reverse names (the octets of IPv4 or the 32
 * nibbles of IPv6 in reverse order, for DNS lists, in-addr.arpa and
 * ip6.arpa, as Postfix builds them), the addresses of a host, null MX;
 * and what the resolvers share: names and TXT text as they give them. */
#include "stdlib/policy/dns.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

char *pol_dns_name(const char *s, size_t n)
{
    while (n > 0 && s[n - 1] == '.')
        n--;
    char *r = xstrndup(s, n);
    for (char *p = r; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return r;
}

char *pol_dns_txt(const void *s, size_t n)
{
    if (n > 255)
        n = 255;
    char *r = xmalloc(n + 1);
    memcpy(r, s, n);
    r[n] = 0;
    for (size_t i = 0; i < n; i++)   /* Postfix's dns_get_rr: ISPRINT or a space */
        if ((unsigned char)r[i] < 0x20 || (unsigned char)r[i] > 0x7e)
            r[i] = ' ';
    return r;
}

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
