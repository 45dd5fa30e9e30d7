/* masquerade.c: masquerade-order. cleanup(8) tries the masquerade_domains
 * in order and the first one that is the address's domain or a parent
 * of it decides (strip to it, or with "!" leave the address alone). An
 * entry after one for a parent domain is therefore never reached: an
 * exception "!sub.example.com" after "example.com" does not protect
 * sub.example.com, and "sub.example.com" after "example.com" never
 * strips to sub.example.com. Checked in main.cf and in every -o. */
#include "compiler/verify/where.h"

#include <string.h>
#include <strings.h>

/* Is d equal to p or a subdomain of it (case-insensitive)? */
static int under(const char *d, const char *p)
{
    size_t nd = strlen(d), np = strlen(p);
    if (nd == np)
        return strcasecmp(d, p) == 0;
    return nd > np && d[nd - np - 1] == '.' && strcasecmp(d + nd - np, p) == 0;
}

static void check_list(verify_ctx *v, const img_service *svc, const img_param *p)
{
    const img *im = &v->im;
    if (!p || p->kind != IMG_PK_LIST)
        return;
    for (uint32_t j = 1; j < p->nlist; j++) {
        const char *w = img_str(im, img_list_at(im, p->list, j));
        int neg = w[0] == '!';
        const char *d = w + neg;
        for (uint32_t i = 0; i < j && *d; i++) {
            const char *e = img_str(im, img_list_at(im, p->list, i));
            int eneg = e[0] == '!';
            const char *pd = e + eneg;
            if (!*pd || !under(d, pd) || (strcasecmp(d, pd) == 0 && neg == eneg))
                continue;   /* unrelated, or the same entry twice (harmless) */
            loc at = where_word(v, svc, "masquerade_domains", w);
            loc before = where_word(v, svc, "masquerade_domains", e);
            diag *g;
            if (neg)
                g = diag_add(&v->c->d, DIAG_MASQUERADE_ORDER, at,
                             "the exception \"!%s\" in masquerade_domains comes after \"%s\", "
                             "which already decides for %s and its subdomains: the exception "
                             "never applies", d, e, d);
            else
                g = diag_add(&v->c->d, DIAG_MASQUERADE_ORDER, at,
                             "\"%s\" in masquerade_domains comes after \"%s\", which already "
                             "decides for %s and its subdomains: this entry is never used",
                             d, e, d);
            if (before.file >= 0 && (before.off != at.off || before.file != at.file))
                diag_note_add(g, before, "\"%s\" is listed here, earlier", e);
            diag_hint(g, "list the more specific domain first: masquerade_domains = %s, %s",
                      w, e);
            break;
        }
    }
}

void verify_masquerade(verify_ctx *v)
{
    const img *im = &v->im;
    check_list(v, NULL, img_param_find(im, "masquerade_domains"));
    for (uint32_t i = 0; i < im->nservices; i++) {
        const img_param *p = img_service_param(im, &im->services[i], "masquerade_domains");
        if (p && (p->flags & IMG_PF_OVERRIDE))
            check_list(v, &im->services[i], p);
    }
}
