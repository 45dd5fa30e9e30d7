/* dns_reverse.c: an IP address as the labels of a reverse lookup: the
 * octets of IPv4 in reverse order (DNS lists, in-addr.arpa), the 32
 * nibbles of IPv6 in reverse order (DNS lists, ip6.arpa), as Postfix's
 * smtpd and resolver build these names. */
#include "stdlib/policy/dns.h"

#include <arpa/inet.h>
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
