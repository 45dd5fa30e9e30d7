/* attacker.h: the untrusted client of the relay checks, as CHECKS.md and
 * the verifier issue define it: not in mynetworks, not SASL-authenticated,
 * no trusted client certificate; it picks its HELO name, MAIL FROM (any
 * address or <>) and RCPT TO (any foreign domain, source-routed forms
 * included), and controls the DNS of its own domain and the reverse DNS
 * of its own address. What it sends is drawn from the configuration: the
 * keys of every table a restriction consults whose answer could let it
 * through, samples of such regexp/pcre rules, this host's own domains
 * (forged senders), and plain defaults. */
#ifndef COMPILER_VERIFY_ATTACKER_H
#define COMPILER_VERIFY_ATTACKER_H
#include "compiler/verify/verify.h"

#define ATTACKER_DOMAIN "attacker.example"
#define FOREIGN_DOMAIN  "outside.example"

typedef struct strlist {
    char  **v;
    size_t  n, cap;
} strlist;

void strlist_add(strlist *l, const char *s);   /* once; at most ATTACKER_MAX each */
void strlist_free(strlist *l);

#define ATTACKER_MAX 48

typedef struct attacker {
    strlist clients;    /* its addresses (one IPv4, one IPv6) */
    strlist names;      /* verified client names: "unknown" first */
    strlist helos;
    strlist senders;    /* "" is the null sender */
    strlist rcpts;      /* foreign recipients */
    /* rules that may let the client through but that the sampler could
     * not follow (back-references, look-around): where they are */
    struct unsampled { uint32_t table, file, line; char *what; } *unsampled;
    size_t nunsampled;
} attacker;

/* The attacker's choices for the configuration of v (the addresses are
 * picked outside mynetworks as service svc sees it, NULL: global). */
void attacker_build(verify_ctx *v, const img_service *svc, attacker *a);
void attacker_free(attacker *a);

/* The attacker's DNS: its own domain and the foreign one resolve (A, MX,
 * NS), every other name does not exist. With mx_here, the attacker's
 * domain names this host (myhostname) as its MX. */
pol_dns *attacker_dns_new(const char *myhostname, int mx_here);

/* Is rcpt, accepted by session s, mail this host would send elsewhere
 * (its resolved domain in no address class of this host, and the default
 * transport not error: or discard:)? */
int attacker_relays(pol_session *s, const char *rcpt);

#endif
