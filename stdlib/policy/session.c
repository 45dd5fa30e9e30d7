/* session.c: the evaluator's plumbing: tables of the image opened on
 * first use, parameter values of the session's service, the lookup-order
 * parameters, and replies. */
#include "stdlib/policy/internal.h"
#include "stdlib/maps/types.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pol_image_init(pol_image *pi, const img *im)
{
    pi->im = im;
    pi->unavailable_answer = NULL;
    pi->maps = xcalloc(im->ntables + 1, sizeof *pi->maps);
    pi->map_err = xcalloc(im->ntables + 1, sizeof *pi->map_err);
}

void pol_image_free(pol_image *pi)
{
    for (uint32_t i = 0; pi->maps && i < pi->im->ntables; i++) {
        if (pi->maps[i])
            map_free(pi->maps[i]);
        free(pi->map_err[i]);
    }
    free(pi->maps);
    free(pi->map_err);
    memset(pi, 0, sizeof *pi);
}

map *pol_image_map(pol_image *pi, uint32_t i, const char **why)
{
    if (i >= pi->im->ntables) {
        *why = "no such table";
        return NULL;
    }
    if (!pi->maps[i] && !pi->map_err[i] && pi->unavailable_answer &&
        pi->im->tables[i].kind == IMG_TK_UNAVAILABLE)
        pi->maps[i] = map_static_new(img_str(pi->im, pi->im->tables[i].spec),
                                     pi->unavailable_answer);
    if (!pi->maps[i] && !pi->map_err[i]) {
        strbuf err;
        sb_init(&err);
        pi->maps[i] = img_table_map(pi->im, i, &err);
        if (!pi->maps[i])
            pi->map_err[i] = sb_take(&err);
        sb_free(&err);
    }
    *why = pi->map_err[i];
    return pi->maps[i];
}

int pol_table_index(const pol_image *pi, const char *spec)
{
    const img *im = pi->im;
    for (uint32_t i = 0; i < im->ntables; i++)
        if (strcmp(img_str(im, im->tables[i].spec), spec) == 0)
            return (int)i;
    const char *bare = spec;
    while (strncmp(bare, "proxy:", 6) == 0)
        bare += 6;
    for (uint32_t i = 0; bare != spec && i < im->ntables; i++)
        if (strcmp(img_str(im, im->tables[i].spec), bare) == 0)
            return (int)i;
    return -1;
}

void pol_reply_init(pol_reply *r)
{
    memset(r, 0, sizeof *r);
    sb_init(&r->text);
    sb_init(&r->trace);
    r->origin.program = r->origin.table = UINT32_MAX;
}

/* Clear for the next decision; the text buffer is kept for reuse. */
void pol_reply_clear(pol_reply *r)
{
    strbuf trace = r->trace, text = r->text;
    for (size_t i = 0; i < r->nfx; i++)
        free(r->fx[i].text);
    free(r->fx);
    free(r->origin.key);
    memset(r, 0, sizeof *r);
    sb_clear(&text);
    r->text = text;
    r->trace = trace;
    r->origin.program = r->origin.table = UINT32_MAX;
}

void pol_reply_free(pol_reply *r)
{
    pol_reply_clear(r);
    sb_free(&r->text);
    sb_free(&r->trace);
}

void pol_reply_set(pol_reply *r, pol_verdict v, int code, const char *fmt, ...)
{
    r->verdict = v;
    r->code = code;
    sb_clear(&r->text);
    /* most replies are short: formatted on the stack */
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        fatal("cannot format a reply");
    if ((size_t)n < sizeof buf) {
        sb_addn(&r->text, buf, (size_t)n);
        return;
    }
    char *t = NULL;
    va_start(ap, fmt);
    if (vasprintf(&t, fmt, ap) < 0)
        fatal("out of memory");
    va_end(ap);
    sb_adds(&r->text, t);
    free(t);
}

void pol_reply_effect(pol_reply *r, pol_effect_kind k, const char *text)
{
    r->fx = xrealloc(r->fx, (r->nfx + 1) * sizeof *r->fx);
    r->fx[r->nfx].kind = k;
    r->fx[r->nfx++].text = xstrdup(text ? text : "");
}

void pol_trace(pol_session *s, pol_reply *r, const char *fmt, ...)
{
    if (!s->trace)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *t = NULL;
    if (vasprintf(&t, fmt, ap) < 0)
        fatal("out of memory");
    va_end(ap);
    sb_adds(&r->trace, t);
    sb_addc(&r->trace, '\n');
    free(t);
}

/* ---- parameters ------------------------------------------------------------ */

/* Parameters are asked by name many times per decision, with the same
 * string constants: a small cache keyed by the constant's address saves
 * the binary search. Names that are not constants (words of an access
 * result, template macros) go through pol_param_dyn. */
const img_param *pol_param(const pol_session *s, const char *name)
{
    pol_session *w = (pol_session *)s;
    size_t h = ((uintptr_t)name >> 3) & (POL_PARAM_CACHE - 1);
    if (w->pcache[h].name == name)
        return w->pcache[h].p;
    const img_param *p = pol_param_dyn(s, name);
    w->pcache[h].name = name;
    w->pcache[h].p = p;
    return p;
}

const img_param *pol_param_dyn(const pol_session *s, const char *name)
{
    const img *im = s->pi->im;
    return s->svc ? img_service_param(im, s->svc, name) : img_param_find(im, name);
}

const char *pol_param_str(const pol_session *s, const char *name)
{
    const img_param *p = pol_param(s, name);
    return p ? img_str(s->pi->im, p->text) : "";
}

long long pol_param_num(const pol_session *s, const char *name)
{
    const img_param *p = pol_param(s, name);
    if (!p)
        return 0;
    if (p->kind == IMG_PK_BOOL || p->kind == IMG_PK_INT || p->kind == IMG_PK_TIME)
        return p->num;
    return strtoll(img_str(s->pi->im, p->text), NULL, 10);
}

int pol_param_bool(const pol_session *s, const char *name)
{
    return pol_param_num(s, name) != 0;
}

static int is_local_domain(void *arg, const char *domain)
{
    return pol_domain_class((pol_session *)arg, domain) == IMG_CLASS_LOCAL;
}

const lookup_params *pol_lookup_params(pol_session *s)
{
    if (!s->lp_ready) {
        lookup_params *p = &s->lp;
        *p = lookup_params_default();
        p->parent_domain_matches_subdomains = pol_param_str(s, "parent_domain_matches_subdomains");
        p->recipient_delimiter = pol_param_str(s, "recipient_delimiter");
        p->smtpd_null_access_lookup_key = pol_param_str(s, "smtpd_null_access_lookup_key");
        p->propagate_unmatched_extensions = pol_param_str(s, "propagate_unmatched_extensions");
        p->owner_request_special = pol_param_bool(s, "owner_request_special");
        p->double_bounce_sender = pol_param_str(s, "double_bounce_sender");
        p->empty_address_recipient = pol_param_str(s, "empty_address_recipient");
        p->myhostname = pol_param_str(s, "myhostname");
        p->is_local = is_local_domain;
        p->is_local_arg = s;
        p->access_parent = lookup_list_has(p->parent_domain_matches_subdomains, "smtpd_access_maps");
        s->lp_ready = 1;
    }
    return &s->lp;
}

const char *pol_effect_name(pol_effect_kind k)
{
    static const char *const names[] = {
        [POL_FX_HOLD] = "hold", [POL_FX_DISCARD] = "discard", [POL_FX_FILTER] = "filter",
        [POL_FX_REDIRECT] = "redirect", [POL_FX_PREPEND] = "prepend", [POL_FX_BCC] = "bcc",
        [POL_FX_WARN] = "warn", [POL_FX_INFO] = "info",
    };
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

void pol_session_init(pol_session *s, pol_image *pi, const img_service *svc, pol_dns *dns)
{
    memset(s, 0, sizeof *s);
    s->pi = pi;
    s->svc = svc;
    s->dns = dns;
    s->client_name = s->reverse_name = "unknown";
    pol_reply_init(&s->pending);
    sb_init(&s->keybuf);
}

void pol_session_free(pol_session *s)
{
    sb_free(&s->keybuf);
    for (int i = 0; i < POL_LR_POOL; i++)
        if (s->lr_ready & (1u << i))
            lookup_result_free(&s->lr_pool[i]);
    if (s->parsed_sender) {
        pol_addr_free(s->parsed_sender);
        free(s->parsed_sender);
    }
    free(s->first_rcpt);
    free(s->parsed_sender_for);
    free(s->helo_checked_for);
    for (unsigned i = 0; i < s->memo_used; i++) {
        free(s->memo[i].subject);
        sb_free(&s->memo[i].key);
        sb_free(&s->memo[i].value);
    }
    for (int i = 0; i < POL_CLASS_CACHE; i++)
        free(s->ccache[i].domain);
    pol_reply_free(&s->pending);
}
