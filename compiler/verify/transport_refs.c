/* transport_refs.c: every transport a configuration names (transport_refs.h). */
#include "compiler/table_refs.h"
#include "compiler/verify/transport_refs.h"
#include "compiler/verify/where.h"
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Parameters whose value is "transport[:nexthop]", and the parameter
 * whose domains make the default value matter ("": always; NULL: only
 * a value that is set counts). */
static const struct { const char *name; const char *domains; } transport_params[] = {
    { "default_transport", "" },   /* "": every other domain */
    { "relay_transport", "relay_domains" },
    { "local_transport", "mydestination" },
    { "virtual_transport", "virtual_mailbox_domains" },
    { "mailbox_transport", NULL },
    { "fallback_transport", NULL },
    { "content_filter", NULL },
    { "best_mx_transport", NULL },
    { "address_verify_default_transport", NULL },
    { "address_verify_local_transport", NULL },
    { "address_verify_relay_transport", NULL },
    { "address_verify_virtual_transport", NULL },
};
#define NPARAMS (sizeof transport_params / sizeof *transport_params)

/* Table lists whose results are "transport[:nexthop]". */
static const char *const transport_tables[] = {
    "transport_maps", "sender_dependent_default_transport_maps",
    "address_verify_transport_maps", "address_verify_sender_dependent_default_transport_maps",
    "mailbox_transport_maps", "fallback_transport_maps",
};

typedef struct tr_ctx {
    verify_ctx       *v;
    transport_ref_fn *fn;
    void             *arg;
    unsigned char    *done;   /* per table: 1 transport results seen, 2 FILTER actions */
} tr_ctx;

/* The transport of "transport:nexthop" into out; 0 when there is none to
 * check (empty: the class's own transport; $n or ${...}: made at lookup). */
static int transport_of(const char *value, char *out, size_t n)
{
    size_t len = strcspn(value, ":");
    while (len > 0 && isspace((unsigned char)value[len - 1]))
        len--;
    if (len == 0 || len >= n)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (strchr("${}() \t,", value[i]))
            return 0;
    memcpy(out, value, len);
    out[len] = 0;
    return 1;
}

/* ---- parameters ------------------------------------------------------------------------ */

/* Does the class of a default transport have domains (as main.cf says)? */
static int class_used(const verify_ctx *v, const char *domains)
{
    if (!*domains)
        return 1;
    const img_param *p = img_param_find(&v->im, domains);
    if (!p || !*img_str(&v->im, p->text))
        return 0;
    if (strcmp(domains, "relay_domains") != 0)
        return 1;
    /* relay_domains = $mydestination (the default before compatibility
     * level 2) adds no domain to the relay class */
    const img_param *my = img_param_find(&v->im, "mydestination");
    return !my || strcmp(img_str(&v->im, my->text), img_str(&v->im, p->text)) != 0;
}

static void param_ref(tr_ctx *u, const img_service *svc, size_t k, const img_param *p)
{
    verify_ctx *v = u->v;
    char name[256], what[300];
    if (!p || !transport_of(img_str(&v->im, p->text), name, sizeof name))
        return;
    const char *param = transport_params[k].name;
    loc at = where_prefix(v, svc, param, name);
    int implicit = at.file < 0 && !(p->flags & IMG_PF_SET);
    if (implicit) {
        /* a default: show the setting that gives the class its domains
         * (default_transport: master.cf, which lacks the transport) */
        at = where_setting(v, NULL, transport_params[k].domains);
        if (at.file < 0 && v->c->master_file >= 0)
            at = loc_make(v->c->master_file, 0, 0);
        const char *dom = transport_params[k].domains;
        snprintf(what, sizeof what, "%s, by default \"%s\" and used for %s%s,", param,
                 img_str(&v->im, p->text), *dom ? "the domains of " : "every other domain", dom);
    } else if (svc) {
        snprintf(what, sizeof what, "%s of service \"%s\"", param, img_str(&v->im, svc->name));
    } else {
        snprintf(what, sizeof what, "%s", param);
    }
    u->fn(v, name, at, what, implicit, u->arg);
}

static void params(tr_ctx *u)
{
    verify_ctx *v = u->v;
    const img *im = &v->im;
    for (size_t k = 0; k < NPARAMS; k++) {
        const img_param *p = img_param_find(im, transport_params[k].name);
        const char *dom = transport_params[k].domains;
        if (p && ((p->flags & IMG_PF_SET) || (dom && class_used(v, dom))))
            param_ref(u, NULL, k, p);
        for (uint32_t i = 0; i < im->nservices; i++) {
            const img_param *sp = img_service_param(im, &im->services[i], transport_params[k].name);
            if (sp && (sp->flags & IMG_PF_OVERRIDE))
                param_ref(u, &im->services[i], k, sp);
        }
    }
}

/* ---- tables -------------------------------------------------------------------------- */

/* A result of a table: for FILTER tables only "FILTER transport:..." counts. */
static void result_ref(tr_ctx *u, const img_table *t, uint32_t line, const char *value,
                       int filter, loc ref)
{
    verify_ctx *v = u->v;
    char name[256];
    const char *rest = value;
    if (filter) {
        while (isspace((unsigned char)*rest))
            rest++;
        if (strncasecmp(rest, "FILTER", 6) != 0 || !isspace((unsigned char)rest[6]))
            return;
        rest += 6;
        while (isspace((unsigned char)*rest))
            rest++;
        if (!strchr(rest, ':'))
            return;   /* header-action reports a FILTER without transport:destination */
    }
    if (!filter && strcasecmp(rest, "DUNNO") == 0)
        return;   /* sender_dependent_default_transport_maps: keep default_transport */
    if (!transport_of(rest, name, sizeof name))
        return;
    /* the entry's line; an inline: table's entry is in the reference itself */
    loc at = line ? where_in_line(v, verify_line_loc(v, t->file, line), name)
             : strcmp(img_str(&v->im, t->type), "inline") == 0 ? where_in_line(v, ref, name)
             : ref;
    if (at.file < 0)
        at = ref;
    char what[600];
    snprintf(what, sizeof what, "%s %s", filter ? "a FILTER action of" : "a result of",
             img_str(&v->im, t->spec));
    u->fn(v, name, at, what, 0, u->arg);
}

static void table(tr_ctx *u, uint32_t ti, int filter, loc ref)
{
    verify_ctx *v = u->v;
    const img *im = &v->im;
    if (ti >= im->ntables || (u->done[ti] & (filter ? 2 : 1)))
        return;
    u->done[ti] |= filter ? 2 : 1;
    const img_table *t = &im->tables[ti];
    switch (t->kind) {
    case IMG_TK_HASH:
        for (uint32_t e = 0; e < t->count; e++) {
            const img_hash_entry *h = &im->hash_entries[t->first + e];
            result_ref(u, t, h->line, img_str(im, h->value), filter, ref);
        }
        break;
    case IMG_TK_CIDR:
        for (uint32_t r = 0; r < t->count; r++) {
            const img_cidr_rule *c = &im->cidr_rules[t->first + r];
            if (c->op == IMG_RULE_MATCH)
                result_ref(u, t, c->line, img_str(im, c->result), filter, ref);
        }
        break;
    case IMG_TK_REGEXP:
    case IMG_TK_PCRE:
        for (uint32_t r = 0; r < t->count; r++) {
            const img_rx_rule *x = &im->rx_rules[t->first + r];
            if (x->op == IMG_RULE_MATCH)
                result_ref(u, t, x->line, img_str(im, x->result), filter, ref);
        }
        break;
    case IMG_TK_STATIC:
        result_ref(u, t, 0, img_str(im, t->value), filter, ref);
        break;
    case IMG_TK_UNION:
    case IMG_TK_PIPE:
        /* a pipemap's result is its last member's */
        for (uint32_t m = t->kind == IMG_TK_PIPE && t->count ? t->count - 1 : 0; m < t->count; m++)
            table(u, img_list_at(im, t->first, m), filter, ref);
        break;
    default:
        break;
    }
}

static void table_ref(void *arg, const char *param, const char *spec, loc at, table_use use)
{
    tr_ctx *u = arg;
    int transport = 0;
    for (size_t i = 0; i < sizeof transport_tables / sizeof *transport_tables; i++)
        transport |= strcmp(param, transport_tables[i]) == 0;
    int filter = use == TABLE_USE_ACCESS || use == TABLE_USE_HEADER || use == TABLE_USE_BODY ||
                 use == TABLE_USE_MILTER_HEADER;
    if (!transport && !filter)
        return;
    int ti = pol_table_index(&u->v->pi, spec);
    if (ti >= 0)
        table(u, (uint32_t)ti, !transport, at);
}

void transport_refs_each(verify_ctx *v, transport_ref_fn *fn, void *arg)
{
    tr_ctx u = { v, fn, arg, xcalloc(v->im.ntables + 1, 1) };
    params(&u);
    table_refs_each(v->c, table_ref, &u);
    free(u.done);
}
