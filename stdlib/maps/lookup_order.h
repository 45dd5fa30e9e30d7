/* lookup_order.h: the lookup orders Postfix applies to its tables, as
 * documented in access(5), transport(5), virtual(5), canonical(5),
 * relocated(5) and aliases(5): which keys are tried, in which order, for a
 * client name/address, an e-mail address or a local part. The policy
 * engine, the router and `mtacc query --as` call these; they only need
 * open maps (stdlib/maps/map.h) and the parameter values below, no
 * globals and nothing from the compiler.
 *
 * A map whose keys are patterns (regexp:, pcre:, cidr:) is only asked for
 * the whole string (the first form of each order), as the man pages say.
 *
 * Several tables: the address orders of transport/virtual/canonical/
 * relocated/aliases send each key form to every table before trying the
 * next form (as Postfix's maps); the access orders run the whole order on
 * one table before the next (as one check_*_access restriction per table). */
#ifndef MAPS_LOOKUP_ORDER_H
#define MAPS_LOOKUP_ORDER_H
#include "stdlib/maps/map.h"

/* The values of the main.cf parameters that shape the orders. Strings are
 * borrowed. lookup_params_default() gives Postfix 3.7's defaults. */
typedef struct lookup_params {
    const char *parent_domain_matches_subdomains; /* list: smtpd_access_maps, transport_maps */
    const char *recipient_delimiter;              /* set of characters; "" = none */
    const char *smtpd_null_access_lookup_key;     /* key for the null sender, "<>" */
    const char *propagate_unmatched_extensions;   /* list: canonical, virtual, alias */
    int         owner_request_special;            /* yes: owner-x and x-request never split on '-' */
    const char *double_bounce_sender;             /* never split */
    const char *empty_address_recipient;          /* transport: the null recipient is */
    const char *myhostname;                       /* empty_address_recipient@myhostname */
    /* Is domain local ($myorigin, $mydestination, $inet_interfaces,
     * $proxy_interfaces)? Decides whether virtual/canonical/relocated try
     * the bare local part. NULL: no domain is local. */
    int       (*is_local)(void *arg, const char *domain);
    void       *is_local_arg;
    /* smtpd_access_maps in parent_domain_matches_subdomains, decided once
     * by a caller that looks up often; -1: read the list each time */
    int         access_parent;
} lookup_params;

lookup_params lookup_params_default(void);

/* Which form of the key answered. */
typedef enum lookup_form {
    LF_NONE = 0,
    LF_HOSTNAME,       /* the whole client hostname */
    LF_PARENT,         /* a parent domain "example.com" (parent_domain_matches_subdomains) */
    LF_DOT_PARENT,     /* ".example.com" */
    LF_ADDRESS,        /* the whole client IP address */
    LF_NETWORK,        /* an address with trailing octets / octet pairs cut off */
    LF_USER_EXT_DOMAIN,/* user+ext@domain (the whole address when it has an extension) */
    LF_USER_DOMAIN,    /* user@domain */
    LF_DOMAIN,         /* the domain of an address */
    LF_USER_EXT_AT,    /* user+ext@ */
    LF_USER_AT,        /* user@ */
    LF_NULL_SENDER,    /* smtpd_null_access_lookup_key for "<>" */
    LF_USER_EXT,       /* user+ext (local part with extension) */
    LF_USER,           /* user */
    LF_AT_DOMAIN,      /* @domain */
    LF_WILDCARD,       /* "*" (transport) */
    LF_WHOLE,          /* the whole string (pattern tables, addresses without '@') */
} lookup_form;

/* A stable name for a form ("user+ext@domain", ".parent", ...). */
const char *lookup_form_name(lookup_form f);

typedef struct lookup_result {
    map_status  status;   /* MAP_FOUND, MAP_NOTFOUND or the error of a table */
    lookup_form form;     /* the form that answered (LF_NONE unless found) */
    strbuf      key;      /* the key that answered */
    strbuf      value;    /* the result, after the documented result rewriting */
    strbuf      err;      /* error text of a failing table */
    size_t      table;    /* index of the table that answered or failed */
} lookup_result;

void lookup_result_init(lookup_result *r);
void lookup_result_free(lookup_result *r);

/* access(5) for a client: the hostname, its parent domains (or ".parent"
 * keys when smtpd_access_maps is not in parent_domain_matches_subdomains),
 * then the address: IPv4 1.2.3.4, 1.2.3, 1.2, 1; IPv6 with ":part" cut off
 * from the right. name may be NULL or "" (only the address is tried),
 * addr too. */
map_status lookup_access_client(map **maps, size_t n, const lookup_params *p,
                                const char *name, const char *addr, lookup_result *r);
/* access(5) for a client hostname or a helo name alone, and for an IP address alone. */
map_status lookup_access_domain(map **maps, size_t n, const lookup_params *p,
                                const char *domain, lookup_result *r);
map_status lookup_access_addr(map **maps, size_t n, const lookup_params *p,
                              const char *addr, lookup_result *r);
/* access(5) for a sender or recipient: user+ext@domain, user@domain,
 * domain, parents, user+ext@, user@; "" or "<>" is looked up as
 * smtpd_null_access_lookup_key. */
map_status lookup_access_mail(map **maps, size_t n, const lookup_params *p,
                              const char *addr, lookup_result *r);
/* transport(5): user+ext@domain, user@domain, domain, parents/.parents, "*". */
map_status lookup_transport(map **maps, size_t n, const lookup_params *p,
                            const char *addr, lookup_result *r);

/* The address maps of virtual(5), canonical(5), relocated(5). */
typedef enum lookup_addr_kind { LK_VIRTUAL, LK_CANONICAL, LK_RELOCATED } lookup_addr_kind;
/* user+ext@domain, user@domain, then when the domain is local user+ext and
 * user, then @domain. A result "@other" (first address) becomes
 * localpart@other; an extension that did not match is propagated to the
 * result when propagate_unmatched_extensions names the kind. */
map_status lookup_address(map **maps, size_t n, const lookup_params *p, lookup_addr_kind kind,
                          const char *addr, lookup_result *r);
/* aliases(5) as local(8): the local part (of addr, when it has '@')
 * lowercased, user+ext then user; extension propagation with "alias". */
map_status lookup_aliases(map **maps, size_t n, const lookup_params *p, const char *addr,
                          lookup_result *r);

/* Split a local part at the recipient delimiter as Postfix does: the
 * first character from the set, not for postmaster, mailer-daemon,
 * double_bounce_sender, nor (owner_request_special, '-' in the set)
 * owner-x or x-request, nor when the base would be empty. Returns the
 * length of the base, or 0 when the local part has no extension. */
size_t lookup_split_ext(const lookup_params *p, const char *local, size_t len);
/* Is name in a parameter list (comma/whitespace separated, case-insensitive)? */
int    lookup_list_has(const char *list, const char *name);

#endif
