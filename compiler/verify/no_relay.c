/* no_relay.c: no-relay-restriction. Postfix 3.7's smtpd refuses to run
 * ("fatal: in parameter smtpd_relay_restrictions or
 * smtpd_recipient_restrictions, specify at least one working instance of:
 * reject_unauth_destination, defer_unauth_destination, reject, defer,
 * defer_if_permit or check_relay_domains") unless one of its two relay
 * lists has such a restriction. Checked against a private Postfix: one in
 * a class the list calls counts; one after permit does not (smtpd logs
 * "restriction `x' after `permit' is ignored"), nor one right after
 * warn_if_reject; names compare without regard to case. */
#include "compiler/verify/lists.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_control(unsigned op)
{
    switch (op) {
    case IMG_OP_REJECT_UNAUTH_DESTINATION:
    case IMG_OP_DEFER_UNAUTH_DESTINATION:
    case IMG_OP_REJECT:
    case IMG_OP_DEFER:
    case IMG_OP_DEFER_IF_PERMIT:
    case IMG_OP_CHECK_RELAY_DOMAINS:
        return 1;
    default:
        return 0;
    }
}

/* A relay control that does not count, and why. */
typedef struct ignored {
    const img_insn *x;
    const char     *why;
} ignored;

static int scan(const img *im, uint32_t prog, unsigned depth, ignored *ig)
{
    if (prog >= im->nprograms || depth > 16)
        return 0;
    const img_program *p = &im->programs[prog];
    for (uint32_t k = 0; k < p->count; k++) {
        const img_insn *x = &im->insns[p->first + k];
        if (x->op == IMG_OP_WARN_IF_REJECT && k + 1 < p->count) {
            const img_insn *n = &im->insns[p->first + k + 1];
            if (is_control(n->op) && !ig->x)
                *ig = (ignored){ n, "right after warn_if_reject it only logs" };
            k++;
            continue;
        }
        if (x->op == IMG_OP_PERMIT) {
            for (uint32_t j = k + 1; j < p->count && !ig->x; j++)
                if (is_control(im->insns[p->first + j].op))
                    *ig = (ignored){ &im->insns[p->first + j], "after permit it never runs" };
            return 0;
        }
        if (is_control(x->op))
            return 1;
        if (x->op == IMG_OP_CALL && scan(im, x->a, depth + 1, ig))
            return 1;
    }
    return 0;
}

int verify_relay_control(const img *im, uint32_t program)
{
    ignored ig = { NULL, NULL };
    return scan(im, program, 0, &ig);
}

/* Where a list is set for a service: its -o, else main.cf (LOC_NONE: default). */
static loc setting_loc(const verify_ctx *v, const master_service *ms, const char *name, int *ov)
{
    *ov = 0;
    for (size_t k = ms ? ms->noverrides : 0; k-- > 0;)
        if (strcmp(ms->overrides[k].name, name) == 0) {
            *ov = 1;
            return ms->overrides[k].name_loc;
        }
    const cf_setting *s = maincf_find(&v->c->main, name);
    return s ? s->name_loc : LOC_NONE;
}

static void check_service(verify_ctx *v, const img_service *svc)
{
    const img *im = &v->im;
    ignored ig = { NULL, NULL };
    if (scan(im, vl_program(im, svc, VL_RELAY), 0, &ig) ||
        scan(im, vl_program(im, svc, VL_RECIPIENT), 0, &ig))
        return;
    const master_service *ms = NULL;
    if (svc && (size_t)(svc - im->services) < v->c->master.n)
        ms = &v->c->master.v[svc - im->services];
    int ov_relay, ov_rcpt;
    loc relay = setting_loc(v, ms, "smtpd_relay_restrictions", &ov_relay);
    loc rcpt = setting_loc(v, ms, "smtpd_recipient_restrictions", &ov_rcpt);
    loc at = relay.file >= 0 ? relay : rcpt;
    if (at.file < 0 && ms)
        at = ms->at;
    if (!vl_once(v, DIAG_NO_RELAY_RESTRICTION, at))
        return;
    char label[300];
    vl_service_label(im, svc, label, sizeof label);
    diag *g = diag_add(&v->c->d, DIAG_NO_RELAY_RESTRICTION, at,
                       "%s: neither smtpd_relay_restrictions nor smtpd_recipient_restrictions "
                       "has reject_unauth_destination, defer_unauth_destination, reject, defer, "
                       "defer_if_permit or check_relay_domains: Postfix's smtpd refuses to run "
                       "(fatal: ... specify at least one working instance of ...)", label);
    if (at.file == relay.file && at.off == relay.off && rcpt.file >= 0)
        diag_note_add(g, rcpt, "smtpd_recipient_restrictions%s", ov_rcpt ? " (-o)" : "");
    else if (relay.file >= 0 && !(at.file == relay.file && at.off == relay.off))
        diag_note_add(g, relay, "smtpd_relay_restrictions%s", ov_relay ? " (-o)" : "");
    if (ig.x)
        diag_note_add(g, verify_insn_loc(v, ig.x), "%s does not count: %s",
                      img_op_name(ig.x->op), ig.why);
    if (ms && at.file != ms->at.file)
        diag_note_add(g, ms->at, "the service");
    const img_param *cl = img_param_find(im, "compatibility_level");
    if (relay.file < 0 && cl && strcmp(img_str(im, cl->text), "0") == 0) {
        diag_hint(g, "with compatibility_level 0%s, smtpd_relay_restrictions is empty by "
                     "default: set compatibility_level = 3.6 (its default is then "
                     "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination), "
                     "or end smtpd_relay_restrictions with reject_unauth_destination",
                  cl->file ? "" : " (not set)");
        return;
    }
    diag_hint(g, "end smtpd_relay_restrictions with reject_unauth_destination, after "
                 "permit_mynetworks and permit_sasl_authenticated");
}

void verify_no_relay(verify_ctx *v)
{
    const img_service **svcs;
    size_t n = vl_services(v, &svcs);
    for (size_t i = 0; i < n; i++)
        check_service(v, svcs[i]);
    free(svcs);
}
