/* whitelist_order.c: whitelist-after-block. In one list (or class), an
 * exception placed after a block whose victims it is meant to save:
 *   blocks: the DNS block lists (reject_rbl_client, reject_rhsbl_*) and
 *     reject_unknown_client_hostname, reject_unknown_reverse_client_hostname
 *     (not after warn_if_reject: then they only log);
 *   exceptions: permit_dnswl_client and permit_rhswl_client (they exist for
 *     nothing else); permit_sasl_authenticated where some service that runs
 *     the list has SASL on (roaming users on listed dynamic addresses);
 *     permit_mynetworks where mynetworks has public networks (DNS lists do
 *     not list private or loopback addresses) or, after the unknown-name
 *     blocks, anything but loopback; an access check whose table has OK
 *     entries, unless another block or a policy server follows it (it may
 *     be meant for that one: a greylisting allow list after an RBL). */
#include "compiler/verify/lists.h"
#include "compiler/verify/netspace.h"
#include "compiler/verify/table_answers.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_block(const img *im, const img_insn *x)
{
    switch (x->op) {
    case IMG_OP_REJECT_RBL_CLIENT:
    case IMG_OP_REJECT_RHSBL_CLIENT:
    case IMG_OP_REJECT_RHSBL_REVERSE_CLIENT:
    case IMG_OP_REJECT_RHSBL_HELO:
    case IMG_OP_REJECT_RHSBL_SENDER:
    case IMG_OP_REJECT_RHSBL_RECIPIENT:
        return *img_str(im, x->a) != '\0';
    case IMG_OP_REJECT_UNKNOWN_CLIENT_HOSTNAME:
    case IMG_OP_REJECT_UNKNOWN_REVERSE_CLIENT_HOSTNAME:
        return 1;
    default:
        return 0;
    }
}

static int is_dns_block(unsigned op)
{
    return op != IMG_OP_REJECT_UNKNOWN_CLIENT_HOSTNAME &&
           op != IMG_OP_REJECT_UNKNOWN_REVERSE_CLIENT_HOSTNAME;
}

/* What the services that run a program have (any of them). */
typedef struct facts {
    unsigned char sasl, public_nets, other_nets;
} facts;

static void net_fact(void *ctx, const ns_net *n, const char *item, uint32_t table, uint32_t line)
{
    facts *f = ctx;
    (void)item; (void)table; (void)line;
    if (ns_public(n))
        f->public_nets = 1;
    if (!ns_loopback(n))
        f->other_nets = 1;
}

static facts *gather(const verify_ctx *v)
{
    const img *im = &v->im;
    facts *f = xcalloc(im->nprograms + 1, sizeof *f);
    unsigned char *mark = xcalloc(im->nprograms + 1, 1);
    const img_service **svcs;
    size_t n = vl_services(v, &svcs);
    for (size_t s = 0; s < n; s++) {
        facts here = { (unsigned char)vl_bool(im, svcs[s], "smtpd_sasl_auth_enable"), 0, 0 };
        ns_mynetworks(im, svcs[s], net_fact, &here);
        memset(mark, 0, im->nprograms + 1);
        vl_reach_service(im, svcs[s], mark);
        for (uint32_t i = 0; i < im->nprograms; i++)
            if (mark[i]) {
                f[i].sasl |= here.sasl;
                f[i].public_nets |= here.public_nets;
                f[i].other_nets |= here.other_nets;
            }
    }
    free(svcs);
    free(mark);
    return f;
}

/* Is instruction k of p followed by another block or a policy server? */
static int more_blocks(const img *im, const img_program *p, uint32_t k)
{
    for (uint32_t j = k + 1; j < p->count; j++) {
        const img_insn *x = &im->insns[p->first + j];
        if (is_block(im, x) || x->op == IMG_OP_CHECK_POLICY_SERVICE)
            return 1;
    }
    return 0;
}

/* Why the exception at k is one the block b makes useless; NULL if it is not. */
static const char *exception(const img *im, const img_program *p, uint32_t k, const facts *f,
                             unsigned may, const img_insn *b, uint32_t *line)
{
    const img_insn *x = &im->insns[p->first + k];
    *line = 0;
    switch (x->op) {
    case IMG_OP_PERMIT_DNSWL_CLIENT:
    case IMG_OP_PERMIT_RHSWL_CLIENT:
        return *img_str(im, x->a) ? "a client this allow list names" : NULL;
    case IMG_OP_PERMIT_SASL_AUTHENTICATED:
        return f->sasl ? "an authenticated client" : NULL;
    case IMG_OP_PERMIT_MYNETWORKS:
        if (is_dns_block(b->op) ? f->public_nets : f->other_nets)
            return "a client in mynetworks";
        return NULL;
    case IMG_OP_CHECK_CLIENT_ACCESS:
    case IMG_OP_CHECK_HELO_ACCESS:
    case IMG_OP_CHECK_SENDER_ACCESS:
    case IMG_OP_CHECK_RECIPIENT_ACCESS:
    case IMG_OP_CLASS_TABLE: {
        unsigned input = vl_op_input(x->op);
        if ((input && !(input & may)) || more_blocks(im, p, k) || !ta_permits_some(im, x->a, line))
            return NULL;
        return x->op == IMG_OP_CHECK_HELO_ACCESS ? "a HELO name the table allows"
               : x->op == IMG_OP_CHECK_SENDER_ACCESS ? "a sender the table allows"
               : x->op == IMG_OP_CHECK_RECIPIENT_ACCESS ? "a recipient the table allows"
               : "a client the table allows";
    }
    default:
        return NULL;
    }
}

static void report(verify_ctx *v, const img_program *p, const img_insn *x, const img_insn *b,
                   const char *who, uint32_t line)
{
    const img *im = &v->im;
    loc at = verify_insn_loc(v, x);
    if (!vl_once(v, DIAG_WHITELIST_AFTER_BLOCK, at))
        return;
    char *xw = vl_word(v, x), *bw = vl_word(v, b);
    char block[300];
    if (img_op_operands(b->op) == IMG_OPND_DOMAIN)
        snprintf(block, sizeof block, "%s %s", bw, img_str(im, b->a));
    else
        snprintf(block, sizeof block, "%s", bw);
    char list[300];
    vl_program_label(im, p, list, sizeof list);
    diag *g = diag_add(&v->c->d, DIAG_WHITELIST_AFTER_BLOCK, at,
                       "%s comes after %s in %s: %s that %s rejects never gets to it", xw,
                       block, list, who, bw);
    diag_note_add(g, verify_insn_loc(v, b), "the block, which runs first");
    if (line && img_op_operands(x->op) == IMG_OPND_TABLE)
        diag_note_add(g, verify_line_loc(v, im->tables[x->a].file, line), "an entry that allows");
    diag_hint(g, "move %s before %s", xw, bw);
    free(xw);
    free(bw);
}

static void check_program(verify_ctx *v, const img_program *p, const vl_use *u, void *ctx)
{
    const img *im = &v->im;
    const facts *f = &((const facts *)ctx)[p - im->programs];
    const img_insn *block = NULL;
    if (u->warned)
        return;
    for (uint32_t k = 0; k < p->count; k++) {
        const img_insn *x = &im->insns[p->first + k];
        int warned = k > 0 && im->insns[p->first + k - 1].op == IMG_OP_WARN_IF_REJECT;
        if (!block) {
            if (is_block(im, x) && !warned)
                block = x;
            continue;
        }
        uint32_t line;
        const char *who = exception(im, p, k, f, u->may, block, &line);
        if (who)
            report(v, p, x, block, who, line);
    }
}

void verify_whitelist_order(verify_ctx *v)
{
    facts *f = gather(v);
    vl_each_reached(v, check_program, f);
    free(f);
}
