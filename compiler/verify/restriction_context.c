/* restriction_context.c: restriction-context. A restriction whose input
 * the list never has when it runs, over every service and list that runs
 * it (lists.h: vl_uses): Postfix skips it without a word. Checked against
 * a private Postfix 3.7: check_helo_access in the client list, the sender
 * check in the HELO list and the recipient check in the sender list with
 * smtpd_delay_reject = no; check_recipient_access and check_sender_access
 * in the ETRN list; check_etrn_access in the DATA list and the recipient
 * list; none of them ever rejected. */
#include "compiler/verify/lists.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* When list runs (for the message). */
static const char *when(unsigned list, int delay)
{
    switch (list) {
    case VL_CLIENT:
        return delay ? "at RCPT TO and ETRN"
                     : "when the client connects (smtpd_delay_reject = no), before HELO, "
                       "AUTH, MAIL FROM and RCPT TO";
    case VL_HELO:
        return delay ? "at RCPT TO and ETRN"
                     : "at HELO (smtpd_delay_reject = no), before MAIL FROM and RCPT TO";
    case VL_SENDER:
        return delay ? "at RCPT TO, never at ETRN"
                     : "at MAIL FROM (smtpd_delay_reject = no), before RCPT TO, never at ETRN";
    case VL_RELAY:
    case VL_RECIPIENT:
        return "at RCPT TO, never at ETRN";
    case VL_DATA:
        return "at DATA, never at ETRN";
    case VL_EOD:
        return "at the end of the message, never at ETRN";
    default:
        return "at ETRN, outside any mail transaction";
    }
}

static const char *home(unsigned input)
{
    switch (input) {
    case VL_IN_HELO: return "smtpd_helo_restrictions";
    case VL_IN_SENDER: return "smtpd_sender_restrictions";
    case VL_IN_RCPT: return "smtpd_recipient_restrictions";
    case VL_IN_AUTH: return "smtpd_sender_restrictions (AUTH comes after EHLO)";
    default: return "smtpd_etrn_restrictions";
    }
}

static void report(verify_ctx *v, const img_program *p, const vl_use *u, const img_insn *x,
                   unsigned input)
{
    const img *im = &v->im;
    loc at = verify_insn_loc(v, x);
    if (!vl_once(v, DIAG_RESTRICTION_CONTEXT, at))
        return;
    int delay = vl_bool(im, u->svc, "smtpd_delay_reject");
    const char *list = vl_list_param(u->list);
    char where[400];
    vl_program_label(im, p, where, sizeof where);
    if (vl_list_of(im, p) < 0)
        snprintf(where + strlen(where), sizeof where - strlen(where), ", which %s calls%s", list,
                 (u->lists & ~(1u << u->list)) ? " (as do other lists)" : "");
    diag *g = diag_add(&v->c->d, DIAG_RESTRICTION_CONTEXT, at,
                       "%s never sees %s in %s: that list runs %s, so Postfix skips it",
                       img_op_name(x->op), vl_input_name(input), where, when(u->list, delay));
    const img_param *d = vl_param(im, u->svc, "smtpd_delay_reject");
    int delay_matters = !delay && u->list <= VL_SENDER && input != VL_IN_ETRN;
    if (delay_matters && d && d->file)
        diag_note_add(g, verify_line_loc(v, d->file, d->line), "smtpd_delay_reject = no here");
    if (u->list == VL_ETRN)
        diag_hint(g, "ETRN has no sender or recipient: move it to %s", home(input));
    else if (delay_matters)
        diag_hint(g, "move it to %s, or set smtpd_delay_reject = yes (the default)",
                  home(input));
    else
        diag_hint(g, "move it to %s", home(input));
}

/* What the uses of each word see, gathered at its first instruction. */
typedef struct places {
    uint32_t *rep;
    unsigned *may;
} places;

static void gather(verify_ctx *v, const img_program *p, const vl_use *u, void *ctx)
{
    places *pl = ctx;
    for (uint32_t k = 0; k < p->count; k++)
        pl->may[pl->rep[p->first + k]] |= u->may;
}

static void check_program(verify_ctx *v, const img_program *p, const vl_use *u, void *ctx)
{
    const places *pl = ctx;
    for (uint32_t k = 0; k < p->count; k++) {
        const img_insn *x = &v->im.insns[p->first + k];
        unsigned input = vl_op_input(x->op);
        if (input && !(input & pl->may[pl->rep[p->first + k]]))
            report(v, p, u, x, input);
    }
}

void verify_restriction_context(verify_ctx *v)
{
    places pl = { vl_places(&v->im), xcalloc(v->im.ninsns + 1, sizeof(unsigned)) };
    vl_each_reached(v, gather, &pl);
    vl_each_reached(v, check_program, &pl);
    free(pl.rep);
    free(pl.may);
}
