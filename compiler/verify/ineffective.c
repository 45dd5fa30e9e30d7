/* ineffective.c: ineffective-restriction. A restriction that cannot do
 * anything in any smtpd service that runs it (with its -o values):
 *   - permit_sasl_authenticated, check_sasl_access and
 *     reject_authenticated_sender_login_mismatch with
 *     smtpd_sasl_auth_enable = no. Postfix's own default relay list has
 *     permit_sasl_authenticated whether SASL is on or not, so this is
 *     reported only where the configuration shows SASL was meant: the list
 *     is the service's own -o, or a reject or defer follows (other permit_*
 *     between), so that the service refuses everyone else;
 *   - permit_tls_clientcerts, permit_tls_all_clientcerts and
 *     check_ccert_access with TLS off, or with client certificates never
 *     asked for (smtpd_tls_ask_ccert and smtpd_tls_req_ccert = no);
 *     permit_tls_clientcerts with relay_clientcerts empty;
 *   - reject_plaintext_session with TLS off: it rejects every request;
 *   - warn_if_reject at the end of a list, or before a restriction that
 *     never rejects (permit_*, sleep, defer_if_reject: postconf(5) says it
 *     acts on reject-type restrictions, access tables and policy servers).
 * reject_unauth_pipelining is not among them: since Postfix 2.6 it tests
 * a per-session flag, so it works in every list. */
#include "compiler/verify/lists.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int tls_on(const img *im, const img_service *svc)
{
    const char *level = vl_text(im, svc, "smtpd_tls_security_level");
    if (vl_bool(im, svc, "smtpd_tls_wrappermode"))
        return 1;
    if (*level)
        return strcasecmp(level, "none") != 0;
    return vl_bool(im, svc, "smtpd_use_tls") || vl_bool(im, svc, "smtpd_enforce_tls");
}

static int asks_cert(const img *im, const img_service *svc)
{
    return vl_bool(im, svc, "smtpd_tls_ask_ccert") || vl_bool(im, svc, "smtpd_tls_req_ccert");
}

/* Per instruction, over the services that run it. */
typedef struct seen {
    unsigned char reached, sasl, tls, cert, meant, certs_listed;
    unsigned      nsvc;       /* how many */
    const img_service *svc;   /* the first */
} seen;

static int sasl_op(unsigned op)
{
    return op == IMG_OP_PERMIT_SASL_AUTHENTICATED || op == IMG_OP_CHECK_SASL_ACCESS ||
           op == IMG_OP_REJECT_AUTHENTICATED_SENDER_LOGIN_MISMATCH;
}

static int cert_op(unsigned op)
{
    return op == IMG_OP_PERMIT_TLS_CLIENTCERTS || op == IMG_OP_PERMIT_TLS_ALL_CLIENTCERTS ||
           op == IMG_OP_CHECK_CCERT_ACCESS;
}

/* Is instruction k of p followed by reject or defer, with only permit_*
 * restrictions between? */
static int gate(const img *im, const img_program *p, uint32_t k)
{
    for (uint32_t j = k + 1; j < p->count; j++) {
        unsigned op = im->insns[p->first + j].op;
        if (op == IMG_OP_REJECT || op == IMG_OP_DEFER)
            return 1;
        if (strncmp(img_op_name(op), "permit_", 7) != 0 && !sasl_op(op))
            return 0;
    }
    return 0;
}

static void gather(const verify_ctx *v, seen *sn)
{
    const img *im = &v->im;
    unsigned char *mark = xcalloc(im->nprograms + 1, 1), *own = xcalloc(im->nprograms + 1, 1);
    const img_service **svcs;
    size_t n = vl_services(v, &svcs);
    for (size_t s = 0; s < n; s++) {
        const img_service *svc = svcs[s];
        int sasl = vl_bool(im, svc, "smtpd_sasl_auth_enable");
        int tls = tls_on(im, svc), cert = tls && asks_cert(im, svc);
        int listed = *vl_text(im, svc, "relay_clientcerts") != '\0';
        memset(mark, 0, im->nprograms + 1);
        memset(own, 0, im->nprograms + 1);
        vl_reach_service(im, svc, mark);
        for (unsigned l = 0; svc && l < VL_COUNT; l++) {
            const img_param *p = vl_param(im, svc, vl_list_param(l));
            if (p && (p->flags & IMG_PF_OVERRIDE))
                vl_reach(im, vl_program(im, svc, l), own);
        }
        for (uint32_t i = 0; i < im->nprograms; i++) {
            const img_program *p = &im->programs[i];
            for (uint32_t k = 0; mark[i] && k < p->count; k++) {
                seen *e = &sn[p->first + k];
                if (!e->reached)
                    e->svc = svc;
                e->reached = 1;
                e->nsvc++;
                e->sasl |= (unsigned char)sasl;
                e->tls |= (unsigned char)tls;
                e->cert |= (unsigned char)cert;
                e->certs_listed |= (unsigned char)(cert && listed);
                e->meant |= (unsigned char)(own[i] || gate(im, p, k));
            }
        }
    }
    free(svcs);
    free(mark);
    free(own);
}

/* A note at the setting of a parameter, when it is set. */
static void setting_note(verify_ctx *v, diag *g, const img_service *svc, const char *name)
{
    const img_param *p = vl_param(&v->im, svc, name);
    if (p && p->file)
        diag_note_add(g, verify_line_loc(v, p->file, p->line), "%s = %s here", name,
                      img_str(&v->im, p->text));
}

static void report_insn(verify_ctx *v, const img_insn *x, const seen *e)
{
    const img *im = &v->im;
    loc at = verify_insn_loc(v, x);
    if (!vl_once(v, DIAG_INEFFECTIVE_RESTRICTION, at))
        return;
    char label[400];
    vl_service_label(im, e->svc, label, sizeof label);
    if (e->nsvc > 1)
        snprintf(label + strlen(label), sizeof label - strlen(label),
                 " and %u other smtpd service%s that run%s it", e->nsvc - 1,
                 e->nsvc > 2 ? "s" : "", e->nsvc > 2 ? "" : "s");
    char *w = vl_word(v, x);
    char msg[1000];
    const char *setting, *hint;
    if (sasl_op(x->op)) {
        snprintf(msg, sizeof msg, "%s never matches: SASL authentication is off "
                 "(smtpd_sasl_auth_enable = no) in %s, so no client is ever authenticated", w,
                 label);
        setting = "smtpd_sasl_auth_enable";
        hint = "set smtpd_sasl_auth_enable = yes (with smtpd_sasl_type and smtpd_sasl_path) "
               "for the service, e.g. -o smtpd_sasl_auth_enable=yes";
    } else if (x->op == IMG_OP_REJECT_PLAINTEXT_SESSION) {
        snprintf(msg, sizeof msg, "reject_plaintext_session rejects every request: TLS is off "
                 "in %s, so every session is plaintext", label);
        setting = "smtpd_tls_security_level";
        hint = "turn TLS on (smtpd_tls_security_level = may, with a certificate), or remove "
               "reject_plaintext_session";
    } else if (!e->tls) {
        snprintf(msg, sizeof msg, "%s never matches: TLS is off in %s, so no client presents "
                 "a certificate", w, label);
        setting = "smtpd_tls_security_level";
        hint = "turn TLS on (smtpd_tls_security_level = may) and set smtpd_tls_ask_ccert = yes";
    } else if (!e->cert) {
        snprintf(msg, sizeof msg, "%s never matches: %s never asks clients for a certificate "
                 "(smtpd_tls_ask_ccert = no)", w, label);
        setting = "smtpd_tls_ask_ccert";
        hint = "set smtpd_tls_ask_ccert = yes for the service";
    } else {
        snprintf(msg, sizeof msg, "permit_tls_clientcerts never matches: relay_clientcerts is "
                 "empty in %s, so no certificate fingerprint is listed", label);
        setting = "relay_clientcerts";
        hint = "list the fingerprints of trusted client certificates in relay_clientcerts (a "
               "table), or use permit_tls_all_clientcerts";
    }
    diag *g = diag_add(&v->c->d, DIAG_INEFFECTIVE_RESTRICTION, at, "%s", msg);
    setting_note(v, g, e->svc, setting);
    diag_hint(g, "%s", hint);
    free(w);
}

/* warn_if_reject acts on the next restriction: one that can reject. */
static int never_rejects(unsigned op)
{
    return op == IMG_OP_PERMIT || op == IMG_OP_SLEEP || op == IMG_OP_DEFER_IF_REJECT ||
           op == IMG_OP_WARN_IF_REJECT ||
           (strncmp(img_op_name(op), "permit_", 7) == 0);
}

static void warn_if_reject(verify_ctx *v, const img_program *p, uint32_t k)
{
    const img *im = &v->im;
    const img_insn *x = &im->insns[p->first + k];
    loc at = verify_insn_loc(v, x);
    if (!vl_once(v, DIAG_INEFFECTIVE_RESTRICTION, at))
        return;
    char list[300];
    vl_program_label(im, p, list, sizeof list);
    diag *g;
    if (k + 1 == p->count) {
        g = diag_add(&v->c->d, DIAG_INEFFECTIVE_RESTRICTION, at,
                     "warn_if_reject ends %s: there is no restriction after it to act on", list);
        diag_hint(g, "put it right before the restriction to test, or remove it");
    } else {
        const img_insn *n = &im->insns[p->first + k + 1];
        char *nw = vl_word(v, n);
        g = diag_add(&v->c->d, DIAG_INEFFECTIVE_RESTRICTION, at,
                     "warn_if_reject before %s does nothing: %s never rejects", nw, nw);
        diag_note_add(g, verify_insn_loc(v, n), "the restriction it acts on");
        diag_hint(g, "put it right before the restriction to test (a reject_* restriction, an "
                     "access table or a policy server), or remove it");
        free(nw);
    }
}

void verify_ineffective(verify_ctx *v)
{
    const img *im = &v->im;
    seen *sn = xcalloc(im->ninsns + 1, sizeof *sn);
    gather(v, sn);
    /* a word lowered into several programs: judged by all its uses */
    uint32_t *rep = vl_places(im);
    for (uint32_t i = 0; i < im->ninsns; i++) {
        seen *to = &sn[rep[i]], *from = &sn[i];
        if (rep[i] == i || !from->reached)
            continue;
        if (!to->reached)
            to->svc = from->svc;
        to->reached = 1;
        to->nsvc += from->nsvc;
        to->sasl |= from->sasl;
        to->tls |= from->tls;
        to->cert |= from->cert;
        to->meant |= from->meant;
        to->certs_listed |= from->certs_listed;
    }
    for (uint32_t i = 0; i < im->ninsns; i++)
        sn[i] = sn[rep[i]];
    free(rep);
    for (uint32_t i = 0; i < im->nprograms; i++) {
        const img_program *p = &im->programs[i];
        for (uint32_t k = 0; k < p->count; k++) {
            const img_insn *x = &im->insns[p->first + k];
            const seen *e = &sn[p->first + k];
            if (!e->reached)
                continue;
            if (x->op == IMG_OP_WARN_IF_REJECT &&
                (k + 1 == p->count || never_rejects(im->insns[p->first + k + 1].op)))
                warn_if_reject(v, p, k);
            else if ((sasl_op(x->op) && !e->sasl && e->meant) ||
                     (cert_op(x->op) && !e->cert) ||
                     (x->op == IMG_OP_PERMIT_TLS_CLIENTCERTS && !e->certs_listed) ||
                     (x->op == IMG_OP_REJECT_PLAINTEXT_SESSION && !e->tls))
                report_insn(v, x, e);
        }
    }
    free(sn);
}
