/* netspace.h: networks of mynetworks as the relay checks weigh them:
 * parsing an item ("192.0.2.0/24", "[2001:db8::]/32", "::/0"), whether a
 * network covers public address space (anything but the special-purpose
 * ranges of the IANA registries: private, loopback, link-local, shared
 * CGN, documentation, benchmarking, multicast, reserved), whether it is
 * too broad to trust (public and wider than one organisation's: an IPv4
 * prefix shorter than /16, an IPv6 prefix shorter than /32), and the
 * networks mynetworks gives a service, with cidr tables it names. */
#ifndef COMPILER_VERIFY_NETSPACE_H
#define COMPILER_VERIFY_NETSPACE_H
#include "stdlib/image/image.h"

#define NS_MIN_PREFIX4 16
#define NS_MIN_PREFIX6 32

typedef struct ns_net {
    int           family;   /* 4 or 6 */
    unsigned char a[16];    /* network, host bits cleared */
    int           prefix;
} ns_net;

/* Parse an address or network item; 0 when it is none (a host name, a
 * file, a table, a negation). */
int ns_parse(const char *item, ns_net *out);
/* Does n cover public address space? Is it only loopback? */
int ns_public(const ns_net *n);
int ns_loopback(const ns_net *n);
/* Public and wider than NS_MIN_PREFIX4 / NS_MIN_PREFIX6. */
int ns_too_broad(const ns_net *n);
/* "2^24 addresses" and the like, for messages. */
void ns_size_text(const ns_net *n, char *buf, size_t size);

/* Each network of mynetworks as service svc sees it (NULL: main.cf):
 * fn(ctx, net, item, table, line) with the item as written, and for a
 * rule of a cidr table its TABLES index and line (UINT32_MAX, 0 for an
 * item of the list itself). Negated items and rules are left out. */
typedef void (*ns_fn)(void *ctx, const ns_net *n, const char *item, uint32_t table,
                      uint32_t line);
void ns_mynetworks(const img *im, const img_service *svc, ns_fn fn, void *ctx);

#endif
