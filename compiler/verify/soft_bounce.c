/* soft_bounce.c: soft-bounce. soft_bounce = yes turns every 5xx reply
 * and every bounce into a 4xx deferral: a safety net while testing, but
 * left on, rejected mail retries for days and senders never learn that
 * it failed. Reported where it is set: main.cf, and each master.cf -o. */
#include "compiler/verify/where.h"

#include <string.h>

static int yes(const img *im, const img_param *p)
{
    return p && p->kind == IMG_PK_BOOL && p->num == 1;
}

void verify_soft_bounce(verify_ctx *v)
{
    const img *im = &v->im;
    const img_param *g = img_param_find(im, "soft_bounce");
    if (yes(im, g) && (g->flags & IMG_PF_SET)) {
        diag *d = diag_add(&v->c->d, DIAG_SOFT_BOUNCE, where_setting(v, NULL, "soft_bounce"),
                           "soft_bounce = yes: every reject and bounce becomes a temporary "
                           "failure, so refused mail is retried until it expires and senders "
                           "are not told");
        diag_hint(d, "remove the setting (or set soft_bounce = no) once testing is done");
    }
    for (uint32_t i = 0; i < im->nservices; i++) {
        const img_service *s = &im->services[i];
        const img_param *p = img_service_param(im, s, "soft_bounce");
        if (!yes(im, p) || !(p->flags & IMG_PF_OVERRIDE))
            continue;
        diag *d = diag_add(&v->c->d, DIAG_SOFT_BOUNCE, where_setting(v, s, "soft_bounce"),
                           "service \"%s\" sets soft_bounce = yes: its rejects and bounces "
                           "become temporary failures, so refused mail is retried until it "
                           "expires", img_str(im, s->name));
        diag_hint(d, "remove the -o soft_bounce=yes override once testing is done");
    }
}
