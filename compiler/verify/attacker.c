/* attacker.c: what the untrusted client of the relay checks may send
 * (attacker.h): its addresses, names, HELO names, senders and foreign
 * recipients drawn from the configuration; its DNS; and whether an
 * accepted recipient leaves this host. */
#include "compiler/verify/attacker.h"
#include "compiler/verify/rx_sample.h"
#include "stdlib/maps/lookup_order.h"
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void strlist_add(strlist *l, const char *s)
{
    if (l->n >= ATTACKER_MAX)
        return;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return;
    xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = xstrdup(s);
}

void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- the attacker's DNS ------------------------------------------------------ */

typedef struct attacker_dns {
    pol_dns base;
    char   *myhostname;
    int     mx_here;
} attacker_dns;

/* Is name d or a name below it? */
static int under(const char *name, const char *d)
{
    size_t nl = strlen(name), dl = strlen(d);
    return nl >= dl && strcasecmp(name + nl - dl, d) == 0 &&
           (nl == dl || name[nl - dl - 1] == '.');
}

static pol_dns_status attacker_query(pol_dns *d, const char *name, int type, pol_dns_rr **rr,
                                     size_t *n)
{
    attacker_dns *a = (attacker_dns *)d;
    *rr = NULL;
    *n = 0;
    int mine = under(name, ATTACKER_DOMAIN), foreign = under(name, FOREIGN_DOMAIN);
    if (!mine && !foreign)
        return POL_DNS_NXDOMAIN;
    const char *data = NULL;
    unsigned pref = 0;
    switch (type) {
    case POL_DNS_A: data = mine ? "192.0.2.66" : "198.51.100.25"; break;
    case POL_DNS_AAAA: data = mine ? "2001:db8::66" : "2001:db8:5::25"; break;
    case POL_DNS_MX:
        pref = 10;
        data = mine && a->mx_here ? a->myhostname : mine ? "mail." ATTACKER_DOMAIN
                                                         : "mx." FOREIGN_DOMAIN;
        break;
    case POL_DNS_NS: data = mine ? "ns." ATTACKER_DOMAIN : "ns." FOREIGN_DOMAIN; break;
    default: return POL_DNS_NODATA;
    }
    /* naming this host as MX, the attacker lists it as a backup of its own */
    int backup = type == POL_DNS_MX && mine && a->mx_here;
    *n = backup ? 2 : 1;
    *rr = xcalloc(*n, sizeof **rr);
    (*rr)[0] = (pol_dns_rr){ type, pref, xstrdup(data) };
    if (backup)
        (*rr)[1] = (pol_dns_rr){ type, 5, xstrdup("mail." ATTACKER_DOMAIN) };
    return POL_DNS_FOUND;
}

static void attacker_dns_free(pol_dns *d)
{
    attacker_dns *a = (attacker_dns *)d;
    free(a->myhostname);
    free(a);
}

pol_dns *attacker_dns_new(const char *myhostname, int mx_here)
{
    attacker_dns *a = xcalloc(1, sizeof *a);
    a->base.query = attacker_query;
    a->base.free = attacker_dns_free;
    a->myhostname = xstrdup(myhostname);
    a->mx_here = mx_here;
    return &a->base;
}

/* ---- what tables let through ------------------------------------------------ */

/* Could an access(5) result let the client through (OK, a number, a
 * restriction or class name)? The actions that only reject, defer or
 * decorate cannot. */
static int may_permit(const char *value)
{
    static const char *const never[] = {
        "REJECT", "DEFER", "DEFER_IF_REJECT", "DEFER_IF_PERMIT", "DUNNO", "HOLD", "DISCARD",
        "FILTER", "REDIRECT", "PREPEND", "BCC", "WARN", "INFO",
    };
    value += strspn(value, " \t");
    size_t wl = strcspn(value, " \t,");
    if (wl == 3 && (value[0] == '4' || value[0] == '5') && isdigit((unsigned char)value[1]))
        return 0;
    for (size_t i = 0; i < sizeof never / sizeof *never; i++)
        if (strlen(never[i]) == wl && strncasecmp(value, never[i], wl) == 0)
            return 0;
    return wl > 0;
}

enum use { USE_CLIENT = 1, USE_HELO = 2, USE_SENDER = 4, USE_RCPT = 8, USE_ALL = 15 };

/* How each table is consulted by the restriction programs. */
static unsigned *table_uses(const img *im)
{
    unsigned *use = xcalloc(im->ntables + 1, sizeof *use);
    for (uint32_t i = 0; i < im->ninsns; i++) {
        const img_insn *x = &im->insns[i];
        unsigned u = 0;
        switch (x->op) {
        case IMG_OP_CHECK_CLIENT_ACCESS: u = USE_CLIENT; break;
        case IMG_OP_CHECK_HELO_ACCESS: u = USE_HELO; break;
        case IMG_OP_CHECK_SENDER_ACCESS: u = USE_SENDER; break;
        case IMG_OP_CHECK_RECIPIENT_ACCESS: u = USE_RCPT; break;
        case IMG_OP_CLASS_TABLE: u = USE_ALL; break;
        default: continue;
        }
        if (x->a < im->ntables)
            use[x->a] |= u;
    }
    /* members of unions and pipes are consulted the same way */
    for (int pass = 0; pass < 4; pass++)
        for (uint32_t t = 0; t < im->ntables; t++) {
            const img_table *tb = &im->tables[t];
            if (!use[t] || (tb->kind != IMG_TK_UNION && tb->kind != IMG_TK_PIPE))
                continue;
            for (uint32_t k = 0; k < tb->count; k++) {
                uint32_t m = img_list_at(im, tb->first, k);
                if (m < im->ntables)
                    use[m] |= use[t];
            }
        }
    return use;
}

/* The inputs a key of a table stands for, by use. */
static void add_key(attacker *a, unsigned use, const char *key)
{
    if (!*key)
        return;
    char buf[600];
    const char *at = strrchr(key, '@');
    if (use & (USE_SENDER | USE_RCPT)) {
        strlist *l = &a->senders;
        if (at && at[1])
            snprintf(buf, sizeof buf, "%s", key);                       /* user@domain */
        else if (at)
            snprintf(buf, sizeof buf, "%s" ATTACKER_DOMAIN, key);      /* user@ */
        else
            snprintf(buf, sizeof buf, "someone@%s%s", *key == '.' ? "x" : "", key);
        if (use & USE_SENDER)
            strlist_add(l, strcmp(key, "<>") == 0 ? "" : buf);
    }
    /* an OK for a named domain makes this host responsible for it, as
     * relay_domains does; a whole top-level domain ("com") is anyone's */
    if ((use & USE_RCPT) && !at && !strchr(*key == '.' ? key + 1 : key, '.') &&
        !isdigit((unsigned char)*key)) {
        snprintf(buf, sizeof buf, "victim@outside.%s", *key == '.' ? key + 1 : key);
        strlist_add(&a->rcpts, buf);
    }
    if ((use & USE_HELO) && !at)
        strlist_add(&a->helos, *key == '.' ? key + 1 : key);
    /* a verified client name the attacker can have: one under a top-level
     * domain the table lists as a whole ("com", ".com") */
    if ((use & USE_CLIENT) && !at && !strchr(*key == '.' ? key + 1 : key, '.') &&
        !isdigit((unsigned char)*key)) {
        snprintf(buf, sizeof buf, "mail.attacker.%s", *key == '.' ? key + 1 : key);
        strlist_add(&a->names, buf);
    }
}

static void table_keys(verify_ctx *v, attacker *a, uint32_t t, unsigned use)
{
    const img *im = &v->im;
    const img_table *tb = &im->tables[t];
    strbuf sample;
    sb_init(&sample);
    switch (tb->kind) {
    case IMG_TK_HASH:
        for (uint32_t i = 0; i < tb->count; i++) {
            const img_hash_entry *e = &im->hash_entries[tb->first + i];
            if (may_permit(img_str(im, e->value)))
                add_key(a, use, img_str(im, e->key));
        }
        break;
    case IMG_TK_REGEXP:
    case IMG_TK_PCRE:
        for (uint32_t i = 0; i < tb->count; i++) {
            const img_rx_rule *r = &im->rx_rules[tb->first + i];
            if (r->op != IMG_RULE_MATCH || r->negate || !may_permit(img_str(im, r->result)))
                continue;
            if (rx_sample(img_str(im, r->pattern), &sample) == 0) {
                add_key(a, use, sb_str(&sample));
            } else if (a->nunsampled < ATTACKER_MAX) {
                char buf[600];
                snprintf(buf, sizeof buf, "/%s/ of %s", img_str(im, r->pattern),
                         img_str(im, tb->spec));
                a->unsampled = xrealloc(a->unsampled, (a->nunsampled + 1) * sizeof *a->unsampled);
                a->unsampled[a->nunsampled++] = (struct unsampled){ t, tb->file, r->line, xstrdup(buf) };
            }
        }
        break;
    default:
        break;   /* static: answers every key; cidr: addresses the attacker does not pick */
    }
    sb_free(&sample);
}

/* ---- the client's address ------------------------------------------------------ */

/* The prefix length a client-table key covers ("10.1" = 16, "10.0.0.0/8" = 8). */
static int key_prefix(const char *key)
{
    const char *slash = strchr(key, '/');
    if (slash)
        return atoi(slash + 1);
    if (strchr(key, ':'))
        return 128;
    int dots = 0;
    for (const char *p = key; *p; p++)
        dots += *p == '.';
    return 8 * (dots + 1);
}

/* Is addr trusted as the attacker's address cannot be: in mynetworks, or
 * named by a client table entry narrower than a /8 (IPv6 /16)? */
static int trusted_address(verify_ctx *v, pol_session *s, const unsigned *use, const char *addr)
{
    if (pol_match_client(s, "mynetworks", "unknown", addr) != 0)
        return 1;
    const img *im = &v->im;
    int v6 = strchr(addr, ':') != NULL;
    lookup_result r;
    lookup_result_init(&r);
    int trusted = 0;
    for (uint32_t t = 0; t < im->ntables && !trusted; t++) {
        const char *why = NULL;
        map *m = (use[t] & USE_CLIENT) ? pol_image_map(&v->pi, t, &why) : NULL;
        if (m && lookup_access_addr(&m, 1, pol_lookup_params(s), addr, &r) == MAP_FOUND)
            trusted = key_prefix(sb_str(&r.key)) >= (v6 ? 16 : 8);
    }
    lookup_result_free(&r);
    return trusted;
}

static void pick_addresses(verify_ctx *v, const img_service *svc, const unsigned *use, attacker *a)
{
    static const char *const v4[] = { "192.0.2.66", "198.51.100.66", "203.0.113.66",
                                      "45.33.32.156", "1.2.3.4" };
    static const char *const v6[] = { "2001:db8::66", "2001:db8:ffff::66", "2a00:1450::66" };
    if (v->c->attacker) {   /* --attacker ADDR: that client, trusted or not */
        strlist_add(&a->clients, v->c->attacker);
        return;
    }
    pol_dns *dns = pol_dns_empty_new();
    pol_session s;
    pol_session_init(&s, &v->pi, svc, dns);
    for (size_t i = 0; i < sizeof v4 / sizeof *v4; i++)
        if (!trusted_address(v, &s, use, v4[i])) {
            strlist_add(&a->clients, v4[i]);
            break;
        }
    for (size_t i = 0; i < sizeof v6 / sizeof *v6; i++)
        if (!trusted_address(v, &s, use, v6[i])) {
            strlist_add(&a->clients, v6[i]);
            break;
        }
    pol_session_free(&s);
    pol_dns_free(dns);
}

/* ---- everything together --------------------------------------------------------- */

/* This host's domains (of the local, virtual and relay classes). */
static void own_domains(const img *im, strlist *out)
{
    for (uint32_t c = 0; c < im->nclasses; c++) {
        const img_class *k = &im->classes[c];
        if (k->id == IMG_CLASS_DEFAULT)
            continue;
        for (uint32_t i = 0; i < k->ndomains; i++) {
            const char *d = img_str(im, img_list_at(im, k->domains, i));
            if (*d && !strpbrk(d, ":/$ ") && strchr(d, '.'))
                strlist_add(out, *d == '.' ? d + 1 : d);
        }
    }
}

void attacker_build(verify_ctx *v, const img_service *svc, attacker *a)
{
    const img *im = &v->im;
    memset(a, 0, sizeof *a);
    unsigned *use = table_uses(im);
    pick_addresses(v, svc, use, a);
    strlist own;
    memset(&own, 0, sizeof own);
    own_domains(im, &own);
    const img_param *mh = img_param_find(im, "myhostname");
    const char *myhostname = mh ? img_str(im, mh->text) : "localhost";

    strlist_add(&a->names, "unknown");
    strlist_add(&a->helos, "mail." ATTACKER_DOMAIN);
    strlist_add(&a->helos, myhostname);
    strlist_add(&a->helos, "localhost");
    strlist_add(&a->senders, "");
    strlist_add(&a->senders, "someone@" ATTACKER_DOMAIN);
    strlist_add(&a->senders, "postmaster@" ATTACKER_DOMAIN);
    /* the foreign destination, plain and routed through each own domain */
    strlist_add(&a->rcpts, "victim@" FOREIGN_DOMAIN);
    strlist_add(&a->rcpts, "victim@" ATTACKER_DOMAIN);   /* its own domain, for the MX round */
    for (size_t i = 0; i < own.n; i++) {
        char buf[600];
        snprintf(buf, sizeof buf, "someone@%s", own.v[i]);
        strlist_add(&a->senders, buf);   /* forged: the host's own domain */
        strlist_add(&a->helos, own.v[i]);
        snprintf(buf, sizeof buf, "victim%%" FOREIGN_DOMAIN "@%s", own.v[i]);
        strlist_add(&a->rcpts, buf);
        snprintf(buf, sizeof buf, FOREIGN_DOMAIN "!victim@%s", own.v[i]);
        strlist_add(&a->rcpts, buf);
        snprintf(buf, sizeof buf, "@%s:victim@" FOREIGN_DOMAIN, own.v[i]);
        strlist_add(&a->rcpts, buf);
        snprintf(buf, sizeof buf, "\"victim@" FOREIGN_DOMAIN "\"@%s", own.v[i]);
        strlist_add(&a->rcpts, buf);
    }
    for (uint32_t t = 0; t < im->ntables; t++)
        if (use[t])
            table_keys(v, a, t, use[t]);
    for (size_t i = 0; i < a->clients.n; i++) {
        char buf[80];
        snprintf(buf, sizeof buf, "[%s%s]", strchr(a->clients.v[i], ':') ? "IPv6:" : "",
                 a->clients.v[i]);
        strlist_add(&a->helos, buf);
    }
    strlist_free(&own);
    free(use);
    if (getenv("MTACC_DEBUG_ATTACKER")) {
        const strlist *ls[] = { &a->clients, &a->names, &a->helos, &a->senders, &a->rcpts };
        for (int k = 0; k < 5; k++)
            for (size_t i = 0; i < ls[k]->n; i++)
                fprintf(stderr, "attacker %d: %s\n", k, ls[k]->v[i]);
    }
}

void attacker_free(attacker *a)
{
    strlist_free(&a->clients);
    strlist_free(&a->names);
    strlist_free(&a->helos);
    strlist_free(&a->senders);
    strlist_free(&a->rcpts);
    for (size_t i = 0; i < a->nunsampled; i++)
        free(a->unsampled[i].what);
    free(a->unsampled);
}

int attacker_relays(pol_session *s, const char *rcpt)
{
    pol_addr a;
    pol_addr_parse(s, rcpt, &a);
    int away = *a.rdomain && pol_domain_class(s, a.rdomain) == IMG_CLASS_DEFAULT;
    pol_addr_free(&a);
    if (!away)
        return 0;
    /* a default transport that bounces or drops sends nothing anywhere */
    const char *t = pol_param_str(s, "default_transport");
    return strncmp(t, "error", 5) != 0 && strncmp(t, "discard", 7) != 0;
}
