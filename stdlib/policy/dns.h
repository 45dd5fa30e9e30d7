/* dns.h: the one resolver interface of the policy engine. At runtime the
 * real resolver answers (dns_real.c); offline, `mtacc simulate --dns FILE`
 * and the tests answer from fixture zone files (dns_fixture.c), in the
 * format of the Postfix oracle's zones:
 *     name [ttl] [IN] TYPE data     TYPE: A AAAA MX NS CNAME PTR TXT
 *     name SERVFAIL                 every query for name fails temporarily
 *     *.suffix TYPE data            names below suffix not listed themselves
 * "; comments", "# comments" and blank lines are ignored; a name above a
 * listed one exists without records (NODATA); every other name does not
 * exist (NXDOMAIN). */
#ifndef POLICY_DNS_H
#define POLICY_DNS_H
#include "stdlib/util/strbuf.h"
#include <stddef.h>

typedef enum pol_dns_type {
    POL_DNS_A = 1, POL_DNS_NS = 2, POL_DNS_CNAME = 5, POL_DNS_PTR = 12, POL_DNS_MX = 15,
    POL_DNS_TXT = 16, POL_DNS_AAAA = 28,
} pol_dns_type;

typedef enum pol_dns_status {
    POL_DNS_FOUND = 0,     /* records of the type */
    POL_DNS_NODATA,        /* the name exists, without records of the type */
    POL_DNS_NXDOMAIN,      /* the name does not exist */
    POL_DNS_TEMPFAIL,      /* try again later (SERVFAIL, timeout) */
} pol_dns_status;

typedef struct pol_dns_rr {
    int      type;
    unsigned pref;         /* MX preference */
    char    *data;         /* address text (inet_ntop), host name (lowercase, no
                              trailing dot; "" for the root), TXT text (below) */
} pol_dns_rr;

typedef struct pol_dns pol_dns;
struct pol_dns {
    /* Records of type for name (case-insensitive, trailing dot ignored),
     * CNAMEs followed. *rr is malloc'ed (pol_dns_rr_free). */
    pol_dns_status (*query)(pol_dns *d, const char *name, int type, pol_dns_rr **rr, size_t *n);
    void           (*free)(pol_dns *d);
};

pol_dns_status pol_dns_query(pol_dns *d, const char *name, int type, pol_dns_rr **rr, size_t *n);
void           pol_dns_rr_free(pol_dns_rr *rr, size_t n);
void           pol_dns_free(pol_dns *d);

/* The labels of an address as DNS lists and reverse zones write them:
 * "4.3.2.1" for 1.2.3.4, 32 nibbles "b.a.9.8. ... .0" for IPv6 (no
 * trailing dot, no suffix). -1 if addr is not an IP address. */
int pol_dns_reverse(const char *addr, strbuf *out);
/* The addresses of host: its A records (v4), then its AAAA records (v6);
 * none when lookups fail. *out is malloc'ed (pol_dns_rr_free). */
void pol_dns_addresses(pol_dns *d, const char *host, int v4, int v6, pol_dns_rr **out,
                       size_t *n);
/* Is an MX answer a null MX (one record "0 .": the domain takes no mail)? */
int  pol_dns_nullmx(const pol_dns_rr *rr, size_t n);

/* A name as the resolvers give it: lowercase, trailing dots removed.
 * Malloc'ed. */
char *pol_dns_name(const char *s, size_t n);
/* TXT text as Postfix 3.7's resolver gives it to smtpd: one
 * character-string (at most 255 bytes; of a record with several, the
 * first), every byte that is not printable ASCII as a space. Malloc'ed. */
char *pol_dns_txt(const void *s, size_t n);

/* A fixture resolver from zone files, later files replacing the records
 * of the names they list. NULL with "file:line: reason" in err. */
pol_dns *pol_dns_fixture_new(const char *const *paths, size_t npaths, strbuf *err);
/* A resolver that knows no name (every query: NXDOMAIN). */
pol_dns *pol_dns_empty_new(void);
/* The real resolver (dns_real.c): glibc's, asking the name servers of
 * /etc/resolv.conf (server NULL) or only server: "IP", "IP:PORT" or
 * "[IPv6]:PORT" (port 53 by default). A server that does not answer in
 * 2 s, twice, is a TEMPFAIL. One instance serves one thread at a time.
 * NULL with the reason in err. */
pol_dns *pol_dns_real_new(const char *server, strbuf *err);

#endif
