/* class_clash.c: domain-class-clash. trivial-rewrite puts a domain in
 * the first address class that lists it, in the order mydestination,
 * virtual_alias_domains, virtual_mailbox_domains, relay_domains
 * (ADDRESS_CLASS_README), and logs "do not list domain X in BOTH ..."
 * when a later one lists it too: the later class never applies. The
 * pairs are those Postfix warns about; mydestination with relay_domains
 * is not one (relay_domains = $mydestination was the default, and local
 * delivery wins harmlessly).
 *
 * The domains tried are the names of each class's list (after $name
 * expansion) and the keys of its tables that can be read; each is then
 * matched against every class as trivial-rewrite matches it (tables,
 * parent domains, "!" exclusions), through the policy engine's matcher. */
#include "compiler/verify/attacker.h"
#include "compiler/verify/where.h"
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The classes in trivial-rewrite's order, and where a default value
 * takes its domains from (virtual_alias_domains = $virtual_alias_maps). */
static const struct { enum img_class_id id; const char *param, *dflt; } order[] = {
    { IMG_CLASS_LOCAL, "mydestination", NULL },
    { IMG_CLASS_VIRTUAL_ALIAS, "virtual_alias_domains", "virtual_alias_maps" },
    { IMG_CLASS_VIRTUAL_MAILBOX, "virtual_mailbox_domains", NULL },
    { IMG_CLASS_RELAY, "relay_domains", "mydestination" },
};

/* A name no class lists unless it takes every domain. */
#define ANY_DOMAIN "mtacc-probe.invalid"
#define NCLASS (sizeof order / sizeof *order)

/* The pairs Postfix warns about (indexes in order[]), with what the
 * clash does to mail. */
static const struct { int a, b; const char *effect; } pairs[] = {
    { 0, 1, "recipients without a virtual alias go to local(8) or are rejected as unknown "
            "local users" },
    { 0, 2, "its mail goes to local(8), never to the virtual mailboxes" },
    { 1, 2, "recipients without a virtual alias are rejected (\"User unknown in virtual alias "
            "table\") and the virtual mailboxes get no mail" },
    { 1, 3, "recipients without a virtual alias are rejected, not relayed" },
    { 2, 3, "its mail goes to the virtual mailboxes, never to the relay" },
};

static const img_class *class_rec(const img *im, enum img_class_id id)
{
    for (uint32_t i = 0; i < im->nclasses; i++)
        if (im->classes[i].id == id)
            return &im->classes[i];
    return NULL;
}

static int plain_domain(const char *d)
{
    if (!*d || *d == '.' || strpbrk(d, "@!:/[]{}$ \t"))
        return 0;
    for (const char *p = d; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
            return 0;
    return 1;
}

/* Add d to l once (strlist_add stops at ATTACKER_MAX; a class can list more). */
static void add_once(strlist *l, const char *d)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], d) == 0)
            return;
    xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = xstrdup(d);
}

/* The domains to try: names and readable table keys of every class. */
static void candidates(const img *im, strlist *out)
{
    for (size_t c = 0; c < NCLASS; c++) {
        const img_class *k = class_rec(im, order[c].id);
        for (uint32_t i = 0; k && i < k->ndomains; i++) {
            const char *d = img_str(im, img_list_at(im, k->domains, i));
            if (plain_domain(d))
                add_once(out, d);
        }
        for (uint32_t i = 0; k && i < k->ntables; i++) {
            const img_table *t = &im->tables[img_list_at(im, k->tables, i)];
            for (uint32_t e = 0; t->kind == IMG_TK_HASH && e < t->count; e++) {
                const char *d = img_str(im, im->hash_entries[t->first + e].key);
                if (plain_domain(d))
                    add_once(out, d);
            }
        }
    }
}

void verify_class_clash(verify_ctx *v)
{
    const img *im = &v->im;
    strlist doms;
    memset(&doms, 0, sizeof doms);
    candidates(im, &doms);
    pol_dns *dns = pol_dns_empty_new();
    pol_session s;
    pol_session_init(&s, &v->pi, NULL, dns);
    /* a class that takes any domain (static:, a /./ rule) is a mistake of
     * another kind: compared, every domain would clash */
    int any[NCLASS];
    for (size_t c = 0; c < NCLASS; c++)
        any[c] = pol_match_domain(&s, order[c].param, ANY_DOMAIN) == 1;
    for (size_t i = 0; i < doms.n; i++) {
        const char *d = doms.v[i];
        int in[NCLASS];
        for (size_t c = 0; c < NCLASS; c++)
            in[c] = !any[c] && pol_match_domain(&s, order[c].param, d) == 1;
        for (size_t p = 0; p < sizeof pairs / sizeof *pairs; p++) {
            int a = pairs[p].a, b = pairs[p].b;
            if (!in[a] || !in[b] || (a != 0 && in[0]))
                continue;   /* a local domain clashes as local only */
            loc la = where_domain(v, NULL, order[a].param, order[a].dflt, d);
            loc lb = where_domain(v, NULL, order[b].param, order[b].dflt, d);
            diag *g = diag_add(&v->c->d, DIAG_DOMAIN_CLASS_CLASH, lb.file >= 0 ? lb : la,
                               "domain \"%s\" is in both %s and %s: Postfix uses the first of "
                               "the two classes only, and %s", d, order[a].param, order[b].param,
                               pairs[p].effect);
            if (lb.file >= 0 && la.file >= 0)
                diag_note_add(g, la, "%s lists it here", order[a].param);
            diag_hint(g, "a domain belongs to one address class: remove it from %s or from %s",
                      order[b].param, order[a].param);
        }
    }
    pol_session_free(&s);
    pol_dns_free(dns);
    strlist_free(&doms);
}
