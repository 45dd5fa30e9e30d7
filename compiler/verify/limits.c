/* limits.c: pairs of numeric parameters checked per daemon (limits.h). */
#include "compiler/verify/limits.h"
#include "compiler/verify/attacker.h"
#include "compiler/verify/services.h"
#include "compiler/verify/transport_refs.h"
#include "compiler/verify/where.h"

#include <stdio.h>
#include <string.h>

typedef struct pair_run {
    const limit_pair *p;
    int               global_done;   /* the main.cf values are reported */
    const strlist    *used;          /* transports the configuration names */
} pair_run;

static void add_used(verify_ctx *v, const char *name, loc at, const char *what, int implicit,
                     void *arg)
{
    (void)v; (void)at; (void)what; (void)implicit;
    strlist_add(arg, name);
}

/* Does a transport of the configuration run on svc (NULL: the stock
 * service of the daemon)? */
static int used(verify_ctx *v, const pair_run *run, const img_service *svc)
{
    for (size_t i = 0; i < run->used->n; i++) {
        const img_service *s;
        const char *d = svc_transport_daemon(v, run->used->v[i], &s);
        if (d && s == svc && strcmp(d, run->p->daemon) == 0)
            return 1;
    }
    return 0;
}

static const img_param *value(const verify_ctx *v, const img_service *svc, const char *name)
{
    const img_param *p = svc ? img_service_param(&v->im, svc, name) : img_param_find(&v->im, name);
    return p && (p->kind == IMG_PK_INT || p->kind == IMG_PK_TIME) ? p : NULL;
}

static void check_one(verify_ctx *v, const img_service *svc, void *arg)
{
    pair_run *run = arg;
    const limit_pair *lp = run->p;
    const img *im = &v->im;
    if (lp->transport && !used(v, run, svc))
        return;   /* never started */
    const img_param *a = value(v, svc, lp->a), *b = value(v, svc, lp->b);
    if (!a || !b)
        return;   /* not a number: bad-value says so */
    const char *rel = lp->bad(a->num, b->num);
    if (!rel)
        return;
    /* a service that sees the main.cf values shares their report */
    const img_param *ga = value(v, NULL, lp->a), *gb = value(v, NULL, lp->b);
    int global = !svc || (ga && gb && ga->num == a->num && gb->num == b->num);
    if (global && run->global_done)
        return;
    const img_service *where = global ? NULL : svc;
    loc la = where_setting(v, where, lp->a), lb = where_setting(v, where, lp->b);
    char label[300] = "";
    if (!global)
        snprintf(label, sizeof label, "service \"%s\": ", img_str(im, svc->name));
    diag *d = diag_add_sev(&v->c->d, lp->id, lp->sev, la.file >= 0 ? la : lb,
                           "%s%s = %s %s %s = %s: %s", label, lp->a, img_str(im, a->text), rel,
                           lp->b, img_str(im, b->text), lp->consequence);
    if (la.file >= 0 && lb.file >= 0)
        diag_note_add(d, lb, "%s is set here", lp->b);
    diag_hint(d, "%s", lp->hint);
    if (global)
        run->global_done = 1;
}

void limit_pairs_check(verify_ctx *v, const limit_pair *pairs, size_t n)
{
    strlist names;
    memset(&names, 0, sizeof names);
    transport_refs_each(v, add_used, &names);
    for (size_t i = 0; i < n; i++) {
        pair_run run = { &pairs[i], 0, &names };
        svc_each_daemon(v, pairs[i].daemon, check_one, &run);
    }
    strlist_free(&names);
}
