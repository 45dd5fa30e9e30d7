/* lists.c: the restriction lists as the smtpd services run them
 * (lists.h). When each list runs is Postfix 3.7's (SMTPD_ACCESS_README,
 * "Delayed evaluation"), checked against a private Postfix: with
 * smtpd_delay_reject = yes the client and HELO lists run at RCPT and at
 * ETRN, the sender list at RCPT; with no, each list runs at its own
 * command (client at connect, HELO at HELO, sender at MAIL). A check of
 * an input the list never has is skipped (check_helo_access in the client
 * list, check_recipient_access in the ETRN list, ...). */
#include "compiler/verify/lists.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const list_params[VL_COUNT] = {
    "smtpd_client_restrictions", "smtpd_helo_restrictions", "smtpd_sender_restrictions",
    "smtpd_relay_restrictions", "smtpd_recipient_restrictions", "smtpd_data_restrictions",
    "smtpd_end_of_data_restrictions", "smtpd_etrn_restrictions",
};

const char *vl_list_param(unsigned list)
{
    return list < VL_COUNT ? list_params[list] : "?";
}

int vl_list_of(const img *im, const img_program *p)
{
    const char *name = img_str(im, p->name);
    for (unsigned i = 0; i < VL_COUNT; i++)
        if (strcmp(name, list_params[i]) == 0)
            return (int)i;
    return -1;
}

void vl_program_label(const img *im, const img_program *p, char *buf, size_t n)
{
    if (vl_list_of(im, p) >= 0)
        snprintf(buf, n, "%s", img_str(im, p->name));
    else
        snprintf(buf, n, "restriction class \"%s\"", img_str(im, p->name));
}

const img_param *vl_param(const img *im, const img_service *svc, const char *name)
{
    return svc ? img_service_param(im, svc, name) : img_param_find(im, name);
}

int vl_bool(const img *im, const img_service *svc, const char *name)
{
    const img_param *p = vl_param(im, svc, name);
    return p && p->kind == IMG_PK_BOOL && p->num;
}

const char *vl_text(const img *im, const img_service *svc, const char *name)
{
    const img_param *p = vl_param(im, svc, name);
    return p ? img_str(im, p->text) : "";
}

uint32_t vl_program(const img *im, const img_service *svc, unsigned list)
{
    const img_param *p = vl_param(im, svc, vl_list_param(list));
    if (!p || p->kind != IMG_PK_RESTRICTIONS || p->num < 0 || p->num >= im->nprograms)
        return UINT32_MAX;
    return (uint32_t)p->num;
}

size_t vl_services(const verify_ctx *v, const img_service ***out)
{
    const img *im = &v->im;
    *out = xcalloc(im->nservices + 1, sizeof **out);
    size_t n = 0;
    for (uint32_t i = 0; i < im->nservices; i++)
        if (strcmp(img_str(im, im->services[i].command), "smtpd") == 0)
            (*out)[n++] = &im->services[i];
    if (v->c->master_file < 0 && n == 0)
        (*out)[n++] = NULL;
    return n;
}

void vl_service_label(const img *im, const img_service *svc, char *buf, size_t n)
{
    if (!svc)
        snprintf(buf, n, "smtpd (main.cf)");
    else
        snprintf(buf, n, "service \"%s\" (%s smtpd)", img_str(im, svc->name),
                 img_str(im, svc->type));
}

/* ---- what a list sees ------------------------------------------------------ */

#define IN_ALL (VL_IN_CLIENT | VL_IN_HELO | VL_IN_SENDER | VL_IN_RCPT | VL_IN_ETRN | VL_IN_AUTH)
#define IN_MAIL (VL_IN_CLIENT | VL_IN_HELO | VL_IN_SENDER | VL_IN_RCPT | VL_IN_AUTH)

/* A HELO list without smtpd_delay_reject may see a login: EHLO may come
 * again after AUTH. */
unsigned vl_list_may(const img *im, const img_service *svc, unsigned list)
{
    int delay = vl_bool(im, svc, "smtpd_delay_reject");
    switch (list) {
    case VL_CLIENT: return delay ? IN_ALL : VL_IN_CLIENT;
    case VL_HELO: return delay ? IN_ALL : VL_IN_CLIENT | VL_IN_HELO | VL_IN_AUTH;
    case VL_SENDER:
        return delay ? IN_MAIL : VL_IN_CLIENT | VL_IN_HELO | VL_IN_SENDER | VL_IN_AUTH;
    case VL_ETRN: return VL_IN_CLIENT | VL_IN_HELO | VL_IN_ETRN | VL_IN_AUTH;
    default: return IN_MAIL;   /* relay, recipient; DATA and end of data with one recipient */
    }
}

unsigned vl_list_must(const img *im, const img_service *svc, unsigned list)
{
    int delay = vl_bool(im, svc, "smtpd_delay_reject");
    switch (list) {
    case VL_CLIENT: return VL_IN_CLIENT;
    case VL_HELO: return delay ? VL_IN_CLIENT : VL_IN_CLIENT | VL_IN_HELO;
    case VL_SENDER: return VL_IN_CLIENT | VL_IN_SENDER;
    case VL_RELAY:
    case VL_RECIPIENT: return VL_IN_CLIENT | VL_IN_SENDER | VL_IN_RCPT;
    case VL_ETRN: return VL_IN_CLIENT | VL_IN_ETRN;
    default: return VL_IN_CLIENT | VL_IN_SENDER;
    }
}

unsigned vl_op_input(unsigned op)
{
    switch (op) {
    case IMG_OP_CHECK_HELO_ACCESS:
    case IMG_OP_CHECK_HELO_A_ACCESS:
    case IMG_OP_CHECK_HELO_MX_ACCESS:
    case IMG_OP_CHECK_HELO_NS_ACCESS:
    case IMG_OP_REJECT_INVALID_HELO_HOSTNAME:
    case IMG_OP_REJECT_NON_FQDN_HELO_HOSTNAME:
    case IMG_OP_REJECT_UNKNOWN_HELO_HOSTNAME:
    case IMG_OP_REJECT_RHSBL_HELO:
    case IMG_OP_PERMIT_NAKED_IP_ADDRESS:
        return VL_IN_HELO;
    case IMG_OP_CHECK_SENDER_ACCESS:
    case IMG_OP_CHECK_SENDER_A_ACCESS:
    case IMG_OP_CHECK_SENDER_MX_ACCESS:
    case IMG_OP_CHECK_SENDER_NS_ACCESS:
    case IMG_OP_REJECT_AUTHENTICATED_SENDER_LOGIN_MISMATCH:
    case IMG_OP_REJECT_KNOWN_SENDER_LOGIN_MISMATCH:
    case IMG_OP_REJECT_SENDER_LOGIN_MISMATCH:
    case IMG_OP_REJECT_UNAUTHENTICATED_SENDER_LOGIN_MISMATCH:
    case IMG_OP_REJECT_NON_FQDN_SENDER:
    case IMG_OP_REJECT_RHSBL_SENDER:
    case IMG_OP_REJECT_UNKNOWN_SENDER_DOMAIN:
    case IMG_OP_REJECT_UNLISTED_SENDER:
    case IMG_OP_REJECT_UNVERIFIED_SENDER:
        return VL_IN_SENDER;
    case IMG_OP_REJECT_MULTI_RECIPIENT_BOUNCE:   /* a null sender with recipients */
    case IMG_OP_CHECK_RECIPIENT_ACCESS:
    case IMG_OP_CHECK_RECIPIENT_A_ACCESS:
    case IMG_OP_CHECK_RECIPIENT_MX_ACCESS:
    case IMG_OP_CHECK_RECIPIENT_NS_ACCESS:
    case IMG_OP_PERMIT_AUTH_DESTINATION:
    case IMG_OP_REJECT_UNAUTH_DESTINATION:
    case IMG_OP_DEFER_UNAUTH_DESTINATION:
    case IMG_OP_PERMIT_MX_BACKUP:
    case IMG_OP_REJECT_NON_FQDN_RECIPIENT:
    case IMG_OP_REJECT_RHSBL_RECIPIENT:
    case IMG_OP_REJECT_UNKNOWN_RECIPIENT_DOMAIN:
    case IMG_OP_REJECT_UNLISTED_RECIPIENT:
    case IMG_OP_REJECT_UNVERIFIED_RECIPIENT:
        return VL_IN_RCPT;
    case IMG_OP_CHECK_ETRN_ACCESS:
        return VL_IN_ETRN;
    case IMG_OP_PERMIT_SASL_AUTHENTICATED:
    case IMG_OP_CHECK_SASL_ACCESS:
        return VL_IN_AUTH;
    default:
        return 0;
    }
}

const char *vl_input_name(unsigned input)
{
    switch (input) {
    case VL_IN_CLIENT: return "the client";
    case VL_IN_HELO: return "the HELO name";
    case VL_IN_SENDER: return "the sender address";
    case VL_IN_RCPT: return "a recipient";
    case VL_IN_ETRN: return "the ETRN domain";
    case VL_IN_AUTH: return "a SASL login";
    }
    return "?";
}

void vl_reach(const img *im, uint32_t root, unsigned char *mark)
{
    if (root >= im->nprograms || mark[root])
        return;
    mark[root] = 1;
    const img_program *p = &im->programs[root];
    for (uint32_t k = 0; k < p->count; k++)
        if (im->insns[p->first + k].op == IMG_OP_CALL)
            vl_reach(im, im->insns[p->first + k].a, mark);
}

void vl_reach_service(const img *im, const img_service *svc, unsigned char *mark)
{
    for (unsigned l = 0; l < VL_COUNT; l++)
        vl_reach(im, vl_program(im, svc, l), mark);
}

static void use_walk(const img *im, vl_use *u, uint32_t prog, const img_service *svc,
                     unsigned list, unsigned may, unsigned must, int warned, unsigned depth)
{
    if (prog >= im->nprograms || depth > 64)
        return;
    vl_use *x = &u[prog];
    unsigned old_may = x->may, old_must = x->must, old_lists = x->lists;
    int old_warned = x->warned, first = !x->reached;
    if (first) {
        x->reached = 1;
        x->svc = svc;
        x->list = list;
        x->must = must;
    }
    x->may |= may;
    x->must &= must;
    x->warned |= warned;
    x->lists |= 1u << list;
    if (!first && x->may == old_may && x->must == old_must && x->warned == old_warned &&
        x->lists == old_lists)
        return;   /* nothing new to pass on */
    const img_program *p = &im->programs[prog];
    for (uint32_t k = 0; k < p->count; k++) {
        const img_insn *i = &im->insns[p->first + k];
        if (i->op == IMG_OP_CALL)
            use_walk(im, u, i->a, svc, list, may, must,
                     warned || (k > 0 && im->insns[p->first + k - 1].op == IMG_OP_WARN_IF_REJECT),
                     depth + 1);
    }
}

vl_use *vl_uses(const verify_ctx *v)
{
    const img *im = &v->im;
    vl_use *u = xcalloc(im->nprograms + 1, sizeof *u);
    const img_service **svcs;
    size_t n = vl_services(v, &svcs);
    for (size_t i = 0; i < n; i++)
        for (unsigned l = 0; l < VL_COUNT; l++)
            use_walk(im, u, vl_program(im, svcs[i], l), svcs[i], l,
                     vl_list_may(im, svcs[i], l), vl_list_must(im, svcs[i], l), 0, 0);
    free(svcs);
    return u;
}

void vl_each_reached(verify_ctx *v, vl_program_fn fn, void *ctx)
{
    vl_use *u = vl_uses(v);
    for (uint32_t i = 0; i < v->im.nprograms; i++)
        if (u[i].reached)
            fn(v, &v->im.programs[i], &u[i], ctx);
    free(u);
}

uint32_t *vl_places(const img *im)
{
    uint32_t *rep = xcalloc(im->ninsns + 1, sizeof *rep);
    for (uint32_t i = 0; i < im->ninsns; i++) {
        const img_insn *x = &im->insns[i];
        rep[i] = i;
        for (uint32_t j = 0; x->file && j < i; j++) {
            const img_insn *y = &im->insns[j];
            if (rep[j] == j && y->file == x->file && y->line == x->line && y->col == x->col &&
                y->op == x->op) {
                rep[i] = j;
                break;
            }
        }
    }
    return rep;
}

/* ---- words ----------------------------------------------------------------- */

int vl_missing_operand(const img *im, const img_insn *x)
{
    if (x->op != IMG_OP_UNKNOWN)
        return -1;
    int op = img_op_lookup(img_str(im, x->a));
    if (op < 0)
        return -1;
    switch (img_op_operands((unsigned)op)) {
    case IMG_OPND_TABLE:
    case IMG_OPND_SECONDS:
    case IMG_OPND_SERVICE:
        return op;
    default:
        return -1;
    }
}

int vl_is_taken_operand(const img *im, const img_program *p, uint32_t k)
{
    return k > 0 && k < p->count && vl_missing_operand(im, &im->insns[p->first + k - 1]) >= 0;
}

char *vl_word(const verify_ctx *v, const img_insn *x)
{
    loc at = verify_insn_loc(v, x);
    size_t len = 0;
    const char *line = at.file >= 0 && at.len ? src_line(&v->c->src, at.file, x->line, &len) : NULL;
    size_t col = x->col > 0 ? x->col - 1 : 0;
    if (!line || col + at.len > len)
        return xstrdup(x->op == IMG_OP_UNKNOWN ? img_str(&v->im, x->a) : img_op_name(x->op));
    return xstrndup(line + col, at.len);
}

int vl_once(const verify_ctx *v, diag_id id, loc at)
{
    const diags *d = &v->c->d;
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].id == id && d->v[i].at.file == at.file && d->v[i].at.off == at.off &&
            d->v[i].at.len == at.len)
            return 0;
    return 1;
}
