/* mynetworks.c: mynetworks-too-broad. The networks mynetworks trusts
 * (main.cf, each service's -o, cidr tables it names, and, when mynetworks
 * is not set, what mynetworks_style = class or subnet computes on this
 * host and what class computes from the IPv4 addresses inet_interfaces
 * names, wherever the configuration runs), each weighed by netspace.h:
 * public address space wider than one organisation's is an error at the
 * item that names it. */
#include "compiler/verify/lists.h"
#include "compiler/verify/netspace.h"
#include "stdlib/util/pfvalue.h"
#include "compiler/image/emit.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct where {
    verify_ctx          *v;
    const img_service   *svc;
    const cf_setting    *set;    /* mynetworks in main.cf, or NULL */
    const ms_override   *ov;     /* mynetworks in the service's -o, or NULL */
    loc                  style;  /* mynetworks_style, when mynetworks is computed */
    const char          *from;   /* the inet_interfaces address class computes from */
} where;

/* The location of `item` in a value written at `at` as `raw` (offsets
 * through cf_value_loc for main.cf), or the whole value. */
static loc item_loc(const verify_ctx *v, const where *w, const char *item)
{
    const char *raw = w->set ? w->set->value : w->ov ? w->ov->value : NULL;
    loc whole = w->set ? w->set->value_loc : w->ov ? w->ov->value_loc : LOC_NONE;
    if (!raw || strchr(raw, '$'))
        return whole;
    size_t pos = 0, start, len, il = strlen(item);
    while (pf_word_next(raw, &pos, &start, &len)) {
        if (len != il || memcmp(raw + start, item, len) != 0)
            continue;
        if (w->set)
            return cf_value_loc(w->set, start, len);
        const src_file *f = src_get(&v->c->src, whole.file);
        size_t n = strlen(raw);
        if (f && f->text && whole.off + n <= f->len && memcmp(f->text + whole.off, raw, n) == 0)
            return loc_make(whole.file, whole.off + start, len);
        return whole;
    }
    return whole;
}

static void one(void *ctx, const ns_net *n, const char *item, uint32_t table, uint32_t line)
{
    where *w = ctx;
    verify_ctx *v = w->v;
    if (!ns_too_broad(n))
        return;
    loc at = table != UINT32_MAX ? verify_line_loc(v, v->im.tables[table].file, line)
             : w->set || w->ov ? item_loc(v, w, item) : w->style;
    if (!vl_once(v, DIAG_MYNETWORKS_TOO_BROAD, at))
        return;
    char size[64], label[300] = "", how[400] = "";
    ns_size_text(n, size, sizeof size);
    if (w->svc && w->ov)
        snprintf(label, sizeof label, " (-o of service \"%s\")", img_str(&v->im, w->svc->name));
    if (table != UINT32_MAX)
        snprintf(how, sizeof how, " through %s", img_str(&v->im, v->im.tables[table].spec));
    else if (w->from)
        snprintf(how, sizeof how, ", the class network mynetworks_style = class computes from "
                 "inet_interfaces address %s", w->from);
    else if (!w->set && !w->ov)
        snprintf(how, sizeof how, ", as mynetworks_style computes it on this host");
    diag *g = diag_add(&v->c->d, DIAG_MYNETWORKS_TOO_BROAD, at,
                       "mynetworks%s trusts %s%s (%s), public address space wider than /%d: "
                       "every client there may relay mail through this host", label, item, how,
                       size, n->family == 4 || strchr(item, '.') ? NS_MIN_PREFIX4 : NS_MIN_PREFIX6);
    if (!w->set && !w->ov && table == UINT32_MAX)
        diag_hint(g, "set mynetworks to your own networks (or mynetworks_style = host)");
    else
        diag_hint(g, "list only your own networks (an IPv4 prefix of /%d or longer, IPv6 /%d "
                     "or longer), and let roaming clients relay with permit_sasl_authenticated",
                  NS_MIN_PREFIX4, NS_MIN_PREFIX6);
}

/* Where mynetworks_style is set for a service (its -o, else main.cf). */
static loc style_loc(const verify_ctx *v, const master_service *ms)
{
    for (size_t k = ms ? ms->noverrides : 0; k-- > 0;)
        if (strcmp(ms->overrides[k].name, "mynetworks_style") == 0)
            return ms->overrides[k].value_loc;
    const cf_setting *s = maincf_find(&v->c->main, "mynetworks_style");
    return s ? s->value_loc : LOC_NONE;
}

/* mynetworks_style = class without mynetworks: the class A, B or C
 * network of each IPv4 address inet_interfaces names (the host need not
 * be this one). */
static void class_networks(where *w, const img_service *svc)
{
    const img *im = &w->v->im;
    const img_param *mn = vl_param(im, svc, "mynetworks");
    if ((mn && (mn->flags & IMG_PF_SET)) ||
        strcasecmp(vl_text(im, svc, "mynetworks_style"), "class") != 0)
        return;
    const char *ifs = vl_text(im, svc, "inet_interfaces");
    size_t pos = 0, start, len;
    while (pf_word_next(ifs, &pos, &start, &len)) {
        char addr[64];
        ns_net n;
        snprintf(addr, sizeof addr, "%.*s", (int)len, ifs + start);
        if (!ns_parse(addr, &n) || n.family != 4 || n.prefix != 32 || n.a[0] >= 224)
            continue;
        n.prefix = n.a[0] < 128 ? 8 : n.a[0] < 192 ? 16 : 24;
        memset(n.a + n.prefix / 8, 0, (size_t)(4 - n.prefix / 8));
        char item[64];
        snprintf(item, sizeof item, "%u.%u.%u.%u/%d", n.a[0], n.a[1], n.a[2], n.a[3], n.prefix);
        w->from = addr;
        one(w, &n, item, UINT32_MAX, 0);
        w->from = NULL;
    }
}

void verify_mynetworks(verify_ctx *v)
{
    const img *im = &v->im;
    const cf_setting *set = maincf_find(&v->c->main, "mynetworks");
    where w = { v, NULL, set, NULL, style_loc(v, NULL), NULL };
    ns_mynetworks(im, NULL, one, &w);
    class_networks(&w, NULL);
    /* services whose mynetworks differs: an -o of it, or of what computes it */
    for (uint32_t i = 0; i < im->nservices && i < v->c->master.n; i++) {
        const img_service *svc = &im->services[i];
        const master_service *ms = &v->c->master.v[i];
        const img_param *p = img_service_param(im, svc, "mynetworks");
        const img_param *g = img_param_find(im, "mynetworks");
        if (!p || p == g)
            continue;
        w = (where){ v, svc, set, NULL, style_loc(v, ms), NULL };
        for (size_t k = ms->noverrides; k-- > 0;)
            if (strcmp(ms->overrides[k].name, "mynetworks") == 0) {
                w.ov = &ms->overrides[k];
                w.set = NULL;
                break;
            }
        ns_mynetworks(im, svc, one, &w);
        class_networks(&w, svc);
    }
}
