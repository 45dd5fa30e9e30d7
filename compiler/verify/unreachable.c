/* unreachable.c: unreachable-restriction. The first restriction of a
 * list (or class) after one that ends it for every request: permit,
 * reject or defer (a reject or defer after warn_if_reject only logs), a
 * class that always ends, an access check whose input the list always has
 * and whose table answers every key with OK, REJECT, DEFER, 4NN/5NN or
 * DISCARD (table_answers.h). A class counts only where it ends in every
 * use (lists.h: vl_uses); lists with an unknown word are
 * unknown-restriction's. Postfix itself logs "restriction `x' after
 * `permit' is ignored" for the relay and recipient lists. */
#include "compiler/verify/lists.h"
#include "compiler/verify/table_answers.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Why an instruction ends the list every time (for the note). */
typedef struct ending {
    char     what[300];
    uint32_t table;    /* the table that answers (UINT32_MAX: none) */
    uint32_t line;     /* its catch-all rule */
} ending;

static int has_unknown(const img *im, const img_program *p)
{
    for (uint32_t k = 0; k < p->count; k++)
        if (im->insns[p->first + k].op == IMG_OP_UNKNOWN)
            return 1;
    return 0;
}

static int ends(const img *im, const img_program *p, uint32_t k, unsigned must, int warned,
                unsigned depth, ending *e);

/* Does class q end the list in every run (some instruction always ends)? */
static int class_ends(const img *im, uint32_t q, unsigned must, int warned, unsigned depth)
{
    if (q >= im->nprograms || depth > 16 || has_unknown(im, &im->programs[q]))
        return 0;
    const img_program *p = &im->programs[q];
    ending e;
    for (uint32_t k = 0; k < p->count; k++)
        if (ends(im, p, k, must, warned, depth + 1, &e))
            return 1;
    return 0;
}

static int ends(const img *im, const img_program *p, uint32_t k, unsigned must, int warned,
                unsigned depth, ending *e)
{
    const img_insn *x = &im->insns[p->first + k];
    warned = warned || (k > 0 && im->insns[p->first + k - 1].op == IMG_OP_WARN_IF_REJECT);
    e->table = UINT32_MAX;
    e->line = 0;
    unsigned input = 0;
    switch (x->op) {
    case IMG_OP_PERMIT:
        snprintf(e->what, sizeof e->what, "permit accepts every request");
        return 1;
    case IMG_OP_REJECT:
    case IMG_OP_DEFER:
        if (warned)
            return 0;
        snprintf(e->what, sizeof e->what, "%s %s every request", img_op_name(x->op),
                 x->op == IMG_OP_REJECT ? "rejects" : "defers");
        return 1;
    case IMG_OP_CALL:
        if (!class_ends(im, x->a, must, warned, depth))
            return 0;
        snprintf(e->what, sizeof e->what, "restriction class \"%s\" ends the list every time",
                 img_str(im, im->programs[x->a].name));
        return 1;
    case IMG_OP_CHECK_CLIENT_ACCESS: input = VL_IN_CLIENT; break;
    case IMG_OP_CHECK_HELO_ACCESS: input = VL_IN_HELO; break;
    case IMG_OP_CHECK_SENDER_ACCESS: input = VL_IN_SENDER; break;
    case IMG_OP_CHECK_RECIPIENT_ACCESS: input = VL_IN_RCPT; break;
    case IMG_OP_CHECK_ETRN_ACCESS: input = VL_IN_ETRN; break;
    default:
        return 0;
    }
    uint32_t line;
    if (!(must & input) || !ta_answers_all(im, x->a, input == VL_IN_CLIENT, warned, &line))
        return 0;
    e->table = x->a;
    e->line = line;
    snprintf(e->what, sizeof e->what, "%s %s answers every lookup", img_op_name(x->op),
             img_str(im, im->tables[x->a].spec));
    return 1;
}

static void report(verify_ctx *v, const img_program *p, uint32_t k, const ending *e)
{
    const img *im = &v->im;
    const img_insn *end = &im->insns[p->first + k], *x = &im->insns[p->first + k + 1];
    loc at = verify_insn_loc(v, x);
    if (!vl_once(v, DIAG_UNREACHABLE_RESTRICTION, at))
        return;
    char *word = vl_word(v, x), *endw = vl_word(v, end);
    char list[300];
    vl_program_label(im, p, list, sizeof list);
    diag *g = diag_add(&v->c->d, DIAG_UNREACHABLE_RESTRICTION, at,
                       "%s never runs: %s before it in %s ends it for every request", word,
                       endw, list);
    diag_note_add(g, verify_insn_loc(v, end), "%s", e->what);
    if (e->table != UINT32_MAX && e->line)
        diag_note_add(g, verify_line_loc(v, im->tables[e->table].file, e->line),
                      "this rule matches every key");
    if (k + 2 < p->count)
        diag_hint(g, "remove %s and what follows it, or move them before %s", word, endw);
    else
        diag_hint(g, "remove %s, or move it before %s", word, endw);
    free(word);
    free(endw);
}

/* The first instruction of p after one that always ends it (p->count: none). */
static uint32_t first_dead(const img *im, const img_program *p, const vl_use *u, ending *e)
{
    if (has_unknown(im, p))
        return p->count;
    for (uint32_t k = 0; k + 1 < p->count; k++)
        if (ends(im, p, k, u->must, u->warned, 0, e))
            return k + 1;
    return p->count;
}

/* Which words run in some use, gathered at their first instruction. */
typedef struct places {
    uint32_t      *rep;
    unsigned char *runs;
} places;

static void gather(verify_ctx *v, const img_program *p, const vl_use *u, void *ctx)
{
    places *pl = ctx;
    ending e;
    uint32_t dead = first_dead(&v->im, p, u, &e);
    for (uint32_t k = 0; k < dead; k++)
        pl->runs[pl->rep[p->first + k]] = 1;
}

static void check_program(verify_ctx *v, const img_program *p, const vl_use *u, void *ctx)
{
    const places *pl = ctx;
    ending e;
    uint32_t dead = first_dead(&v->im, p, u, &e);
    if (dead < p->count && !pl->runs[pl->rep[p->first + dead]])
        report(v, p, dead - 1, &e);
}

void verify_unreachable(verify_ctx *v)
{
    places pl = { vl_places(&v->im), xcalloc(v->im.ninsns + 1, 1) };
    vl_each_reached(v, gather, &pl);
    vl_each_reached(v, check_program, &pl);
    free(pl.rep);
    free(pl.runs);
}
