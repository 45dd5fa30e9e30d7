/* unknown_restriction.c: unknown-restriction. Words of restriction lists
 * and classes that the lowering could not read as a restriction, a class
 * or a table (compiler/image/lower.c made them (unknown) instructions),
 * told apart by what they are: a typo (did you mean), a class listed in
 * smtpd_restriction_classes without a definition (Postfix's smtpd stops:
 * "restriction class `x' needs a definition"), a parameter set in main.cf
 * but not listed as a class, a table named alone in the DATA and
 * end-of-data lists (no access check to run). Also classes that call
 * themselves, directly or through others: smtpd recurses until it
 * crashes (signal 11 in Postfix 3.7). Words taken as a missing argument
 * are restriction-argument's (restriction_argument.c). */
#include "compiler/registry.h"
#include "compiler/verify/lists.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/editdist.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The classes of smtpd_restriction_classes (main.cf's value). */
static int is_class(const img *im, const char *word)
{
    const img_param *p = img_param_find(im, "smtpd_restriction_classes");
    if (!p || p->kind != IMG_PK_LIST)
        return 0;
    for (uint32_t i = 0; i < p->nlist; i++)
        if (strcmp(img_str(im, img_list_at(im, p->list, i)), word) == 0)
            return 1;
    return 0;
}

/* The closest restriction name or class, or NULL. */
static const char *suggestion(const img *im, const char *word)
{
    const char **cand = xcalloc(IMG_OP_COUNT + 1, sizeof *cand);
    size_t n = 0;
    for (unsigned op = 0; op < IMG_OP_COUNT; op++)
        if (img_op_name(op)[0] != '(')
            cand[n++] = img_op_name(op);
    char *lower = xstrdup(word);
    for (char *c = lower; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    const char *best = suggest_best(lower, cand, n);
    free(lower);
    free(cand);
    if (best)
        return best;
    const img_param *p = img_param_find(im, "smtpd_restriction_classes");
    if (!p || p->kind != IMG_PK_LIST || p->nlist == 0)
        return NULL;
    const char **cls = xcalloc(p->nlist, sizeof *cls);
    for (uint32_t i = 0; i < p->nlist; i++)
        cls[i] = img_str(im, img_list_at(im, p->list, i));
    best = suggest_best(word, cls, p->nlist);
    free(cls);
    return best;
}

static void unknown_word(verify_ctx *v, const img_program *p, const img_insn *x)
{
    const img *im = &v->im;
    const char *word = img_str(im, x->a);
    char list[300];
    vl_program_label(im, p, list, sizeof list);
    loc at = verify_insn_loc(v, x);
    if (!vl_once(v, DIAG_UNKNOWN_RESTRICTION, at))
        return;
    diag *g;
    int lst = vl_list_of(im, p);
    if (strchr(word, ':') && word[0] != '{' && (lst == VL_DATA || lst == VL_EOD)) {
        g = diag_add(&v->c->d, DIAG_UNKNOWN_RESTRICTION, at,
                     "table \"%s\" named alone in %s: that list has no access check to run on "
                     "it, and Postfix answers every request with 451 4.3.5 Server "
                     "configuration error", word, list);
        diag_hint(g, "name the check: check_client_access, check_helo_access, "
                     "check_sender_access or check_recipient_access %s", word);
        return;
    }
    if (is_class(im, word)) {
        g = diag_add(&v->c->d, DIAG_UNKNOWN_RESTRICTION, at,
                     "restriction class \"%s\" has no definition: Postfix's smtpd stops "
                     "(fatal: restriction class `%s' needs a definition)", word, word);
        diag_hint(g, "define it in main.cf (%s = restrictions...), or remove it from "
                     "smtpd_restriction_classes and from %s", word, list);
        return;
    }
    const cf_setting *s = maincf_find(&v->c->main, word);
    if (s && !registry_find(word)) {
        g = diag_add(&v->c->d, DIAG_UNKNOWN_RESTRICTION, at,
                     "\"%s\" is set in main.cf but is not a restriction class: Postfix answers "
                     "451 4.3.5 Server configuration error when %s reaches it", word, list);
        diag_note_add(g, s->name_loc, "set here");
        diag_hint(g, "add %s to smtpd_restriction_classes", word);
        return;
    }
    const char *best = suggestion(im, word);
    g = diag_add(&v->c->d, DIAG_UNKNOWN_RESTRICTION, at,
                 "unknown restriction \"%s\" in %s: Postfix answers 451 4.3.5 Server "
                 "configuration error for every request that reaches it", word, list);
    if (best)
        diag_hint(g, "did you mean \"%s\"?", best);
    else
        diag_hint(g, "use a restriction of postconf(5), a class listed in "
                     "smtpd_restriction_classes, or a type:table");
}

/* A table named alone in a class that the DATA or end-of-data list calls. */
static void class_table(verify_ctx *v, const vl_use *u)
{
    const img *im = &v->im;
    for (uint32_t i = 0; i < im->nprograms; i++) {
        unsigned data = u[i].lists & (1u << VL_DATA | 1u << VL_EOD);
        if (!data || vl_list_of(im, &im->programs[i]) >= 0)
            continue;
        const img_program *p = &im->programs[i];
        for (uint32_t k = 0; k < p->count; k++) {
            const img_insn *x = &im->insns[p->first + k];
            loc at = verify_insn_loc(v, x);
            if (x->op != IMG_OP_CLASS_TABLE || !vl_once(v, DIAG_UNKNOWN_RESTRICTION, at))
                continue;
            diag *g = diag_add(&v->c->d, DIAG_UNKNOWN_RESTRICTION, at,
                               "table \"%s\" named alone in restriction class \"%s\", which "
                               "%s calls: that list has no access check to run on it, and "
                               "Postfix answers 451 4.3.5 Server configuration error",
                               img_str(im, im->tables[x->a].spec), img_str(im, p->name),
                               vl_list_param(data & (1u << VL_DATA) ? VL_DATA : VL_EOD));
            diag_hint(g, "name the check (check_client_access, check_sender_access, ...) "
                         "before the table");
        }
    }
}

/* Class calls that come back to a class on the way: depth first. */
static void cycles(verify_ctx *v, uint32_t prog, uint32_t *path, size_t depth,
                   unsigned char *done)
{
    const img *im = &v->im;
    if (done[prog] || depth >= 64)
        return;
    path[depth] = prog;
    const img_program *p = &im->programs[prog];
    for (uint32_t k = 0; k < p->count; k++) {
        const img_insn *x = &im->insns[p->first + k];
        if (x->op != IMG_OP_CALL || x->a >= im->nprograms)
            continue;
        size_t on = depth + 1;
        for (size_t d = 0; d <= depth; d++)
            if (path[d] == x->a)
                on = d;
        if (on > depth) {
            cycles(v, x->a, path, depth + 1, done);
            continue;
        }
        loc at = verify_insn_loc(v, x);
        if (!vl_once(v, DIAG_UNKNOWN_RESTRICTION, at))
            continue;
        strbuf chain;
        sb_init(&chain);
        for (size_t d = on; d <= depth; d++)
            sb_addf(&chain, "%s -> ", img_str(im, im->programs[path[d]].name));
        sb_adds(&chain, img_str(im, im->programs[x->a].name));
        diag *g = diag_add(&v->c->d, DIAG_UNKNOWN_RESTRICTION, at,
                           "restriction class \"%s\" calls itself (%s): Postfix's smtpd "
                           "recurses until it crashes", img_str(im, im->programs[x->a].name),
                           sb_str(&chain));
        diag_note_add(g, verify_program_loc(v, &im->programs[x->a]), "the class");
        diag_hint(g, "a class cannot call itself: end it with permit, reject or another class");
        sb_free(&chain);
    }
    done[prog] = 1;
}

void verify_unknown_restriction(verify_ctx *v)
{
    const img *im = &v->im;
    for (uint32_t i = 0; i < im->nprograms; i++) {
        const img_program *p = &im->programs[i];
        for (uint32_t k = 0; k < p->count; k++) {
            const img_insn *x = &im->insns[p->first + k];
            if (x->op == IMG_OP_UNKNOWN && vl_missing_operand(im, x) < 0 &&
                !vl_is_taken_operand(im, p, k))
                unknown_word(v, p, x);
        }
    }
    vl_use *u = vl_uses(v);
    class_table(v, u);
    free(u);
    uint32_t *path = xcalloc(65, sizeof *path);
    unsigned char *done = xcalloc(im->nprograms + 1, 1);
    for (uint32_t i = 0; i < im->nprograms; i++)
        cycles(v, i, path, 0, done);
    free(done);
    free(path);
}
