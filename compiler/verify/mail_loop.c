/* mail_loop.c: mail-loop. Routing that hands mail to this host's own SMTP
 * server, so that it comes straight back: Postfix's smtp client notices
 * ("mail for X loops back to myself") and bounces or defers it. Three
 * places send mail out with smtp(8):
 *   - relayhost, for the default (and relay) class: naming this host
 *     (myhostname, localhost, a loopback or own address) at a port where
 *     this master.cf runs smtpd;
 *   - a transport_maps result for a domain of this host (mydestination,
 *     virtual_mailbox_domains) that picks an smtp(8) transport without a
 *     next hop (the domain's MX: this host) or with this host as next hop;
 *   - local_transport or virtual_transport set to such an smtp(8) transport.
 * A next hop on another port or address of this host (a content filter,
 * a second Postfix instance) is not a loop unless this master.cf's smtpd
 * listens there (its service address, else inet_interfaces). */
#include "compiler/verify/attacker.h"
#include "compiler/verify/services.h"
#include "compiler/verify/where.h"
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOOP_USER "nosuchuser"

typedef struct loop_ctx {
    verify_ctx *v;
    pol_session s;
    pol_dns    *dns;
    const char *myhostname;
    loc        *seen;       /* reported already (a wildcard entry answers for every domain) */
    size_t      nseen, capseen;
} loop_ctx;

static int seen(loop_ctx *x, loc at)
{
    for (size_t i = 0; i < x->nseen; i++)
        if (x->seen[i].file == at.file && x->seen[i].off == at.off && x->seen[i].len == at.len)
            return 1;
    xgrow(&x->seen, &x->capseen, x->nseen + 1, sizeof *x->seen);
    x->seen[x->nseen++] = at;
    return 0;
}

/* Is the bare address a loopback or one of this host's own addresses? */
static int own_address(loop_ctx *x, const char *addr)
{
    if (strncasecmp(addr, "IPv6:", 5) == 0)
        addr += 5;
    unsigned char buf[16];
    if (inet_pton(AF_INET, addr, buf) == 1)
        return buf[0] == 127 || pol_own_address(&x->s, addr);
    if (inet_pton(AF_INET6, addr, buf) == 1)
        return strcmp(addr, "::1") == 0 || pol_own_address(&x->s, addr);
    return -1;   /* not an address */
}

/* Does a next hop ("host", "[host]", with ":port") reach this host's own
 * smtpd? *why: how it names this host. */
static int reaches_self(loop_ctx *x, const char *hop, char *why, size_t n)
{
    char host[256];
    const char *port = NULL;
    if (hop[0] == '[') {
        const char *end = strchr(hop, ']');
        if (!end || (size_t)(end - hop - 1) >= sizeof host)
            return 0;
        snprintf(host, sizeof host, "%.*s", (int)(end - hop - 1), hop + 1);
        if (end[1] == ':')
            port = end + 2;
        else if (end[1])
            return 0;
    } else {
        size_t len = strcspn(hop, ":");
        if (len >= sizeof host)
            return 0;
        snprintf(host, sizeof host, "%.*s", (int)len, hop);
        if (hop[len] == ':')
            port = hop + len + 1;
    }
    unsigned p = port ? svc_port(port) : 25;
    const char *addr = strncasecmp(host, "IPv6:", 5) == 0 ? host + 5 : host;
    int a = own_address(x, host);
    if (a == 1)
        snprintf(why, n, "an address of this host");
    else if (a == 0)
        return 0;
    else if (strcasecmp(host, x->myhostname) == 0) {
        snprintf(why, n, "this host's name (myhostname)");
        addr = NULL;
    } else if (strcasecmp(host, "localhost") == 0 || strncasecmp(host, "localhost.", 10) == 0) {
        snprintf(why, n, "this host");
        addr = "127.0.0.1";
    } else
        return 0;
    if (!p || !svc_smtpd_listens(x->v, p, addr))
        return 0;
    if (p != 25 || port) {
        size_t l = strlen(why);
        snprintf(why + l, n - l, ", port %u, where its smtpd listens", p);
    }
    return 1;
}

/* The daemon of "transport[:nexthop]" and its next hop (*hop; "" none). */
static const char *daemon_of(loop_ctx *x, const char *value, char *name, size_t n,
                             const char **hop)
{
    size_t len = strcspn(value, ":");
    if (len == 0 || len >= n)
        return NULL;
    snprintf(name, n, "%.*s", (int)len, value);
    *hop = value[len] == ':' ? value + len + 1 : "";
    const img_service *svc;
    return svc_transport_daemon(x->v, name, &svc);
}

/* ---- relayhost ---------------------------------------------------------------------- */

/* Is relayhost used: the default class (or the relay class) goes out
 * through smtp(8) with no next hop of its own? */
static int relayhost_used(loop_ctx *x)
{
    const img *im = &x->v->im;
    char name[256];
    const char *hop;
    for (uint32_t i = 0; i < im->nclasses; i++) {
        const img_class *k = &im->classes[i];
        if (k->id != IMG_CLASS_DEFAULT && (k->id != IMG_CLASS_RELAY || (!k->ndomains && !k->ntables)))
            continue;
        const img_param *p = img_param_find(im, k->id == IMG_CLASS_DEFAULT ? "default_transport"
                                                                           : "relay_transport");
        const char *d = p ? daemon_of(x, img_str(im, p->text), name, sizeof name, &hop) : NULL;
        if (d && strcmp(d, "smtp") == 0 && !*hop)
            return 1;
    }
    return 0;
}

static void check_relayhost(loop_ctx *x)
{
    verify_ctx *v = x->v;
    const img_param *p = img_param_find(&v->im, "relayhost");
    if (!p || !*img_str(&v->im, p->text) || !relayhost_used(x))
        return;
    const char *list = img_str(&v->im, p->text);
    for (const char *w = list; *w;) {
        w += strspn(w, ", \t");
        size_t len = strcspn(w, ", \t");
        if (!len)
            break;
        char hop[300], why[200];
        snprintf(hop, sizeof hop, "%.*s", (int)len, w);
        w += len;
        if (!reaches_self(x, hop, why, sizeof why))
            continue;
        diag *g = diag_add(&v->c->d, DIAG_MAIL_LOOP, where_word(v, NULL, "relayhost", hop),
                           "relayhost %s names %s: mail for other domains is sent back to this "
                           "Postfix, which sends it to the relayhost again (\"mail for %s loops "
                           "back to myself\")", hop, why, x->myhostname);
        diag_hint(g, "set relayhost to the relay of your provider or organisation, or leave it "
                     "empty to deliver directly");
    }
}

/* ---- transports for this host's domains ------------------------------------------------ */

/* Does transport:nexthop `value`, used for mail to domain, loop? */
static int loops(loop_ctx *x, const char *value, const char *domain, char *why, size_t n,
                 char *name, size_t nn)
{
    const char *hop;
    const char *d = daemon_of(x, value, name, nn, &hop);
    if (!d || strcmp(d, "smtp") != 0)
        return 0;
    if (!*hop) {
        if (!svc_smtpd_listens(x->v, 25, NULL))
            return 0;
        snprintf(why, n, "without a next hop, that is to the MX host of %s, which is this host",
                 domain);
        return 1;
    }
    char self[200];
    if (!reaches_self(x, hop, self, sizeof self))
        return 0;
    snprintf(why, n, "with next hop %s, %s", hop, self);
    return 1;
}

/* Where the transport table entry for domain is: its line, else the
 * table's name in transport_maps. */
static loc entry_at(loop_ctx *x, uint32_t ti, const char *key, const char *name)
{
    verify_ctx *v = x->v;
    const img *im = &v->im;
    const img_table *t = &im->tables[ti];
    for (uint32_t e = 0; t->kind == IMG_TK_HASH && e < t->count; e++) {
        const img_hash_entry *h = &im->hash_entries[t->first + e];
        if (strcmp(img_str(im, h->key), key) == 0 && h->line)
            return where_in_line(v, verify_line_loc(v, t->file, h->line), name);
    }
    return where_word(v, NULL, "transport_maps", img_str(im, t->spec));
}

static void check_domain(loop_ctx *x, const char *domain, enum img_class_id cls)
{
    verify_ctx *v = x->v;
    const img *im = &v->im;
    const char *cparam = cls == IMG_CLASS_LOCAL ? "mydestination" : "virtual_mailbox_domains";
    const char *tparam = cls == IMG_CLASS_LOCAL ? "local_transport" : "virtual_transport";
    char addr[300], why[400], name[256];
    snprintf(addr, sizeof addr, LOOP_USER "@%s", domain);
    /* transport_maps first: it overrides the class transport */
    const img_param *tm = img_param_find(im, "transport_maps");
    if (tm && tm->kind == IMG_PK_TABLES && tm->nlist) {
        map **maps = xcalloc(tm->nlist, sizeof *maps);
        int usable = 1;
        for (uint32_t i = 0; i < tm->nlist && usable; i++) {
            const char *err;
            usable = (maps[i] = pol_image_map(&v->pi, img_list_at(im, tm->list, i), &err)) != NULL;
        }
        lookup_result r;
        lookup_result_init(&r);
        map_status st = usable ? lookup_transport(maps, tm->nlist, pol_lookup_params(&x->s), addr, &r)
                               : MAP_ERR_CONFIG;
        int decided = st == MAP_FOUND && sb_str(&r.value)[0] != ':';
        if (decided && loops(x, sb_str(&r.value), domain, why, sizeof why, name, sizeof name)) {
            uint32_t ti = img_list_at(im, tm->list, (uint32_t)r.table);
            loc at = entry_at(x, ti, sb_str(&r.key), name);
            diag *g = seen(x, at) ? NULL : diag_add(&v->c->d, DIAG_MAIL_LOOP, at,
                               "transport_maps sends mail for %s, a domain of this host (%s), to "
                               "\"%s\" %s: it comes back to this Postfix and goes round again "
                               "(\"mail for %s loops back to myself\")", domain, cparam,
                               sb_str(&r.value), why, domain);
            loc d = where_word(v, NULL, cparam, domain);
            if (g && d.file >= 0)
                diag_note_add(g, d, "%s is in %s here", domain, cparam);
            if (g)
                diag_hint(g, "deliver this host's domains here (remove the entry, or route them "
                             "to a local, virtual or lmtp transport), or name the host that "
                             "stores the mail as next hop");
        }
        lookup_result_free(&r);
        free(maps);
        if (st != MAP_NOTFOUND)
            return;   /* the table decided (or could not be read) */
    }
    const img_param *tp = img_param_find(im, tparam);
    if (!tp || !loops(x, img_str(im, tp->text), domain, why, sizeof why, name, sizeof name))
        return;
    loc at = where_prefix(v, NULL, tparam, name);
    if (seen(x, at))
        return;
    diag *g = diag_add(&v->c->d, DIAG_MAIL_LOOP, at,
                       "%s sends mail for this host's own domains (%s, in %s) to \"%s\" %s: it "
                       "comes back to this Postfix and goes round again", tparam, domain, cparam,
                       img_str(im, tp->text), why);
    diag_hint(g, "set %s to a transport that delivers here (local, virtual, lmtp to the "
                 "mailbox server)", tparam);
}

/* The domains of a class: its names and its readable table keys. */
static void class_domains(const img *im, enum img_class_id id, strlist *out)
{
    for (uint32_t i = 0; i < im->nclasses; i++) {
        const img_class *k = &im->classes[i];
        if (k->id != id)
            continue;
        for (uint32_t j = 0; j < k->ndomains; j++) {
            const char *d = img_str(im, img_list_at(im, k->domains, j));
            if (*d && !strpbrk(d, "!:/[@ ") && *d != '.')
                strlist_add(out, d);
        }
        for (uint32_t j = 0; j < k->ntables; j++) {
            const img_table *t = &im->tables[img_list_at(im, k->tables, j)];
            for (uint32_t e = 0; t->kind == IMG_TK_HASH && e < t->count; e++) {
                const char *d = img_str(im, im->hash_entries[t->first + e].key);
                if (*d && !strpbrk(d, "!:/[@ ") && *d != '.')
                    strlist_add(out, d);
            }
        }
    }
}

void verify_mail_loop(verify_ctx *v)
{
    loop_ctx x;
    memset(&x, 0, sizeof x);
    x.v = v;
    x.dns = pol_dns_empty_new();
    pol_session_init(&x.s, &v->pi, NULL, x.dns);
    const img_param *mh = img_param_find(&v->im, "myhostname");
    x.myhostname = mh ? img_str(&v->im, mh->text) : "localhost";
    check_relayhost(&x);
    enum img_class_id own[2] = { IMG_CLASS_LOCAL, IMG_CLASS_VIRTUAL_MAILBOX };
    for (int c = 0; c < 2; c++) {
        strlist doms;
        memset(&doms, 0, sizeof doms);
        class_domains(&v->im, own[c], &doms);
        for (size_t i = 0; i < doms.n; i++)
            if (pol_domain_class(&x.s, doms.v[i]) == (int)own[c])
                check_domain(&x, doms.v[i], own[c]);
        strlist_free(&doms);
    }
    pol_session_free(&x.s);
    pol_dns_free(x.dns);
    free(x.seen);
}
