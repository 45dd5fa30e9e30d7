/* restriction_argument.c: restriction-argument. A restriction whose
 * argument is missing or not of its kind. Postfix 3.7 takes the word
 * after the restriction as its argument whatever it is (checked against a
 * private Postfix): check_*_access without a type:table answers 451 4.3.5
 * ("bad argument ...: need maptype:mapname"); check_policy_service with a
 * word that is no transport:endpoint, or a transport other than inet:,
 * unix: and local:, stops smtpd ("need service transport:endpoint",
 * "invalid transport name"); a DNS list without a domain is skipped with a
 * warning; a reply filter that does not parse stops smtpd at the first
 * lookup ("RBL reply error"); a restriction name taken as a DNS list
 * domain is lost. */
#include "compiler/verify/lists.h"
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What the argument of an operand kind is, for messages. */
static const char *wanted(unsigned opnd)
{
    switch (opnd) {
    case IMG_OPND_TABLE: return "a type:table";
    case IMG_OPND_SECONDS: return "a number of seconds";
    case IMG_OPND_SERVICE: return "a policy server (unix:path or inet:host:port)";
    default: return "an argument";
    }
}

static void missing(verify_ctx *v, const img_program *p, uint32_t k, int op)
{
    const img *im = &v->im;
    const img_insn *x = &im->insns[p->first + k];
    loc at = verify_insn_loc(v, x);
    if (!vl_once(v, DIAG_RESTRICTION_ARGUMENT, at))
        return;
    unsigned opnd = img_op_operands((unsigned)op);
    char *name = vl_word(v, x);
    const char *effect = "Postfix answers 451 4.3.5 Server configuration error when the list "
                         "reaches it";
    char list[300];
    vl_program_label(im, p, list, sizeof list);
    diag *g;
    if (k + 1 < p->count) {
        if (opnd == IMG_OPND_SERVICE)
            effect = "Postfix's smtpd stops (fatal: need service transport:endpoint)";
        const img_insn *next = &im->insns[p->first + k + 1];
        char *arg = vl_word(v, next);
        g = diag_add(&v->c->d, DIAG_RESTRICTION_ARGUMENT, at,
                     "%s needs %s, and takes the next word \"%s\", which is not one: %s", name,
                     wanted(opnd), arg, effect);
        diag_note_add(g, verify_insn_loc(v, next), "taken as the argument of %s", name);
        free(arg);
    } else {
        g = diag_add(&v->c->d, DIAG_RESTRICTION_ARGUMENT, at,
                     "%s needs %s, and nothing follows it in %s: %s", name, wanted(opnd),
                     list, effect);
    }
    switch (opnd) {
    case IMG_OPND_TABLE:
        diag_hint(g, "write the table right after it: %s hash:/etc/postfix/access", name);
        break;
    case IMG_OPND_SECONDS:
        diag_hint(g, "write the number of seconds right after it: %s 1", name);
        break;
    default:
        diag_hint(g, "write the server right after it: %s unix:private/policy (or "
                     "inet:127.0.0.1:10023)", name);
        break;
    }
    free(name);
}

/* A word that cannot be a DNS list's domain: a restriction, a class, a table. */
static const char *not_domain(const img *im, const char *d)
{
    if (img_op_lookup(d) >= 0)
        return "a restriction";
    if (strchr(d, ':') || strchr(d, '/') || d[0] == '{')
        return "a table";
    const img_param *p = img_param_find(im, "smtpd_restriction_classes");
    for (uint32_t i = 0; p && p->kind == IMG_PK_LIST && i < p->nlist; i++)
        if (strcmp(img_str(im, img_list_at(im, p->list, i)), d) == 0)
            return "a restriction class";
    return NULL;
}

/* A well-known list of the kind op queries, for hints. */
static const char *example_domain(unsigned op)
{
    switch (op) {
    case IMG_OP_REJECT_RBL_CLIENT: return "zen.spamhaus.org";
    case IMG_OP_PERMIT_DNSWL_CLIENT: return "list.dnswl.org";
    case IMG_OP_PERMIT_RHSWL_CLIENT: return "dwl.dnswl.org";
    default: return "dbl.spamhaus.org";
    }
}

static void dns_list(verify_ctx *v, const img_insn *x)
{
    const img *im = &v->im;
    const char *domain = img_str(im, x->a), *filter = img_str(im, x->b);
    loc at = verify_insn_loc(v, x);
    if (!vl_once(v, DIAG_RESTRICTION_ARGUMENT, at))
        return;
    char *name = vl_word(v, x);
    const char *what = not_domain(im, domain);
    unsigned char allow[4][256];
    diag *g = NULL;
    if (!*domain && !*filter && strcasecmp(name, "reject_maps_rbl") == 0) {
        g = diag_add(&v->c->d, DIAG_RESTRICTION_ARGUMENT, at,
                     "reject_maps_rbl queries the DNS lists of maps_rbl_domains, which is "
                     "empty: Postfix skips it");
        diag_hint(g, "write reject_rbl_client with its domain instead: reject_rbl_client "
                     "zen.spamhaus.org");
    } else if (!*domain && !*filter) {
        g = diag_add(&v->c->d, DIAG_RESTRICTION_ARGUMENT, at,
                     "%s needs a DNS list domain, and nothing follows it: Postfix logs "
                     "\"restriction %s requires domain name argument\" and skips it",
                     name, img_op_name(x->op));
        diag_hint(g, "write the DNS list's domain right after it: %s %s", name,
                  example_domain(x->op));
    } else if (what) {
        g = diag_add(&v->c->d, DIAG_RESTRICTION_ARGUMENT, at,
                     "%s takes the next word \"%s\" as its DNS list domain, but that is %s: "
                     "the lookup never finds anything, and \"%s\" is lost",
                     name, domain, what, domain);
        diag_hint(g, "write the DNS list's domain right after it: %s %s, %s", name,
                  example_domain(x->op), domain);
    } else if (*filter && pol_dnsxl_filter_parse(filter + 1, allow) < 0) {
        g = diag_add(&v->c->d, DIAG_RESTRICTION_ARGUMENT, at,
                     "%s %s%s: the reply filter \"%s\" does not parse: Postfix's smtpd stops "
                     "at the first lookup (fatal: RBL reply error)", name, domain, filter,
                     filter + 1);
        diag_hint(g, "write the filter as four parts d.d.d.d, each a number 0..255, "
                     "[n..m] or [n;m;...]: %s=127.0.0.[2..11]", domain);
    }
    free(name);
}

/* The braced attributes of check_policy_service { endpoint, name=value,
 * ... }, read by the code mtad runs (stdlib/policy/policy_cfg.c). */
static void policy_attributes(verify_ctx *v, const img_insn *x)
{
    const char *ep = img_str(&v->im, x->a), *attrs = img_str(&v->im, x->b);
    if (!*attrs)
        return;
    pol_dns *dns = pol_dns_empty_new();
    pol_session s;
    pol_session_init(&s, &v->pi, NULL, dns);
    pol_policy_cfg cfg;
    strbuf err;
    sb_init(&err);
    if (pol_policy_cfg_init(&cfg, &s, ep, attrs, &err) < 0) {
        loc at = verify_insn_loc(v, x);
        if (vl_once(v, DIAG_RESTRICTION_ARGUMENT, at)) {
            diag *g = diag_add(&v->c->d, DIAG_RESTRICTION_ARGUMENT, at,
                               "check_policy_service %s: %s: Postfix's smtpd exits when it "
                               "starts (fatal: unknown option)", ep, sb_str(&err));
            diag_hint(g, "attributes are timeout, default_action, policy_context, max_idle, "
                      "max_ttl, request_limit, try_limit and retry_delay, as name=value");
        }
    }
    pol_policy_cfg_free(&cfg);
    sb_free(&err);
    pol_session_free(&s);
    pol_dns_free(dns);
}

/* check_policy_service's server: inet:, unix: or local:. */
static void policy_service(verify_ctx *v, const img_insn *x)
{
    const char *ep = img_str(&v->im, x->a);
    static const char *const ok[] = { "inet:", "unix:", "local:" };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (strncasecmp(ep, ok[i], strlen(ok[i])) == 0) {
            policy_attributes(v, x);
            return;
        }
    loc at = verify_insn_loc(v, x);
    if (!vl_once(v, DIAG_RESTRICTION_ARGUMENT, at))
        return;
    diag *g = diag_add(&v->c->d, DIAG_RESTRICTION_ARGUMENT, at,
                       "check_policy_service \"%s\": that is no policy server (inet:, unix: "
                       "or local:): Postfix's smtpd stops (fatal: invalid transport name: "
                       "%.*s)", ep, (int)strcspn(ep, ":"), ep);
    diag_hint(g, "name the server as unix:private/policy or inet:127.0.0.1:10023");
}

void verify_restriction_argument(verify_ctx *v)
{
    const img *im = &v->im;
    for (uint32_t i = 0; i < im->nprograms; i++) {
        const img_program *p = &im->programs[i];
        for (uint32_t k = 0; k < p->count; k++) {
            const img_insn *x = &im->insns[p->first + k];
            int op = vl_missing_operand(im, x);
            if (op >= 0)
                missing(v, p, k, op);
            else if (img_op_operands(x->op) == IMG_OPND_DOMAIN)
                dns_list(v, x);
            else if (x->op == IMG_OP_CHECK_POLICY_SERVICE)
                policy_service(v, x);
        }
    }
}
