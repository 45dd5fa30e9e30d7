/* open_relay.c: open-relay and relay-trusts-sender. For every smtpd
 * service (with its -o values), the untrusted client of attacker.h tries
 * every combination of its names, HELO names, senders and foreign
 * recipients through the policy engine, the code mtad runs, until one
 * recipient outside this host's domains is accepted. That session is the
 * counter-example: it is reported with the restriction that let it
 * through. Two further rounds need facts mtacc cannot know and report a
 * warning with the assumption made: tables it cannot read (mysql:, ...)
 * and policy servers answering OK, and, for permit_mx_backup, the
 * attacker's domain naming this host as its MX. */
#include "compiler/verify/attacker.h"
#include "compiler/verify/services.h"
#include "compiler/sim.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The assumption a round makes. */
enum round { ROUND_KNOWN, ROUND_UNKNOWN_OK, ROUND_MX_HERE };

/* A session that relayed. */
typedef struct relay_case {
    const char *addr, *name, *helo, *sender, *rcpt;
    int         code;
    char        text[512];
    pol_origin  origin;
    char       *origin_key;
} relay_case;

/* Every policy server answers OK (the round with unknown answers). */
static int policy_ok(void *arg, const pol_session *s, const pol_policy_query *q, strbuf *action)
{
    (void)arg; (void)s; (void)q;
    sb_adds(action, "OK");
    return 0;
}

/* One session of the attacker: does one of the recipients relay? */
static int try_session(verify_ctx *v, pol_image *pi, const img_service *svc, pol_dns *dns,
                       enum round round, const attacker *a, const char *addr, const char *name,
                       const char *helo, const char *sender, relay_case *out)
{
    pol_session s;
    pol_session_init(&s, pi, svc, dns);
    s.client_addr = addr;
    s.client_name = name;
    s.reverse_name = name;
    if (round == ROUND_UNKNOWN_OK)
        s.policy = policy_ok;
    pol_reply r;
    pol_reply_init(&r);
    int found = 0;
    pol_connect(&s, &r);
    if (r.code / 100 == 2) {
        s.helo = helo;
        s.esmtp = 1;
        pol_helo(&s, &r);
    }
    if (r.code / 100 == 2) {
        s.sender = sender;
        pol_mail(&s, &r);
    }
    int mail_ok = r.code / 100 == 2 && s.in_mail;
    for (size_t i = 0; mail_ok && !found && i < a->rcpts.n; i++) {
        s.nrcpt = 0;
        pol_rcpt(&s, a->rcpts.v[i], &r);
        if (r.code / 100 == 2 && !s.discard && attacker_relays(&s, a->rcpts.v[i])) {
            found = 1;
            *out = (relay_case){ addr, name, helo, sender, a->rcpts.v[i], r.code, "", r.origin,
                                 r.origin.key ? xstrdup(r.origin.key) : NULL };
            snprintf(out->text, sizeof out->text, "%s", sb_str(&r.text));
        }
    }
    pol_reply_free(&r);
    pol_session_free(&s);
    (void)v;
    return found;
}

/* Sessions one round may run: every combination unless that is more;
 * the one-choice-at-a-time pass before it always runs in full. */
#define SEARCH_BUDGET 4000

/* Search the attacker's choices; 1 with *out when a recipient relayed.
 * First each choice alone (the others at their first, plain value), which
 * finds what one table entry or rule lets through, then every
 * combination, for what needs two at once (a HELO and a sender), within
 * SEARCH_BUDGET sessions. */
static int search(verify_ctx *v, const img_service *svc, enum round round, const attacker *a,
                  relay_case *out)
{
    pol_image pi;
    pol_image_init(&pi, &v->im);
    if (round == ROUND_UNKNOWN_OK)
        pi.unavailable_answer = "OK";
    const img_param *mh = img_param_find(&v->im, "myhostname");
    pol_dns *dns = attacker_dns_new(mh ? img_str(&v->im, mh->text) : "localhost",
                                    round == ROUND_MX_HERE);
    const strlist *dim[4] = { &a->clients, &a->names, &a->helos, &a->senders };
    size_t at[4] = { 0 };
    int found = 0;
    for (int d = 0; d < 4 && !found; d++)
        for (size_t i = 0; i < dim[d]->n && !found; i++) {
            size_t k[4] = { 0 };
            k[d] = i;
            found = try_session(v, &pi, svc, dns, round, a, a->clients.v[k[0]], a->names.v[k[1]],
                                a->helos.v[k[2]], a->senders.v[k[3]], out);
        }
    for (unsigned long runs = 0; !found && runs < SEARCH_BUDGET; runs++) {
        found = try_session(v, &pi, svc, dns, round, a, a->clients.v[at[0]], a->names.v[at[1]],
                            a->helos.v[at[2]], a->senders.v[at[3]], out);
        int d = 3;   /* the next combination, like an odometer */
        while (d >= 0 && ++at[d] == dim[d]->n)
            at[d--] = 0;
        if (d < 0)
            break;
    }
    pol_dns_free(dns);
    pol_image_free(&pi);
    return found;
}

static const img_param *service_param(const img *im, const img_service *svc, const char *name)
{
    return svc ? img_service_param(im, svc, name) : img_param_find(im, name);
}

/* ---- reporting ---------------------------------------------------------------------- */

static const char *service_label(const img *im, const img_service *svc, char *buf, size_t n)
{
    if (!svc)
        snprintf(buf, n, "smtpd (main.cf)");
    else
        snprintf(buf, n, "\"%s\" (%s smtpd)", img_str(im, svc->name), img_str(im, svc->type));
    return buf;
}

/* Why the restriction that decided let the attacker through, and the fix. */
static const char *fix_for(unsigned op)
{
    switch (op) {
    case IMG_OP_CHECK_SENDER_ACCESS:
    case IMG_OP_CHECK_HELO_ACCESS:
        return "anyone can send that MAIL FROM or HELO name: grant relaying with "
               "permit_mynetworks or permit_sasl_authenticated, and move sender and HELO "
               "whitelists after reject_unauth_destination";
    case IMG_OP_CHECK_RECIPIENT_ACCESS:
        return "an OK for a recipient outside your domains relays mail to it: answer OK only "
               "for your own domains, or move the check after reject_unauth_destination";
    case IMG_OP_CHECK_CLIENT_ACCESS:
    case IMG_OP_CLASS_TABLE:
        return "the table's answer covers clients anyone can be: narrow the entry, or move "
               "the check after reject_unauth_destination";
    case IMG_OP_PERMIT_MX_BACKUP:
        return "set permit_mx_backup_networks to the networks of the primary MX hosts, or "
               "list the backed-up domains in relay_domains instead";
    case IMG_OP_CHECK_POLICY_SERVICE:
        return "make sure the policy server never answers OK for an unauthenticated client, "
               "or move it after reject_unauth_destination";
    default:
        return "put reject_unauth_destination (or defer_unauth_destination) before it, after "
               "permit_mynetworks and permit_sasl_authenticated";
    }
}

/* The table entry (hash key or rule) that answered, as a location. */
static loc entry_loc(verify_ctx *v, const relay_case *rc)
{
    const img *im = &v->im;
    if (rc->origin.table >= im->ntables || !rc->origin_key)
        return LOC_NONE;
    const img_table *t = &im->tables[rc->origin.table];
    uint32_t line = rc->origin.line;
    for (uint32_t i = 0; !line && t->kind == IMG_TK_HASH && i < t->count; i++) {
        const img_hash_entry *e = &im->hash_entries[t->first + i];
        if (strcmp(img_str(im, e->key), rc->origin_key) == 0)
            line = e->line;
    }
    return line ? verify_line_loc(v, t->file, line) : LOC_NONE;
}

/* Is the relay control of a list under warn_if_reject? */
static int warned_control(const img *im, const img_param *p)
{
    if (!p || p->kind != IMG_PK_RESTRICTIONS || p->num >= im->nprograms)
        return 0;
    const img_program *pg = &im->programs[p->num];
    for (uint32_t k = 1; k < pg->count; k++) {
        unsigned op = im->insns[pg->first + k].op;
        if ((op == IMG_OP_REJECT_UNAUTH_DESTINATION || op == IMG_OP_DEFER_UNAUTH_DESTINATION) &&
            im->insns[pg->first + k - 1].op == IMG_OP_WARN_IF_REJECT)
            return 1;
    }
    return 0;
}

static void report(verify_ctx *v, const img_service *svc, enum round round, relay_case *rc)
{
    const img *im = &v->im;
    const img_insn *x = sim_decided_insn(im, &(pol_reply){ .origin = rc->origin });
    loc at = x ? verify_insn_loc(v, x) : LOC_NONE;
    if (at.file < 0) {
        /* accepted at the end of the lists: the relay list's setting */
        const img_param *p = service_param(im, svc, "smtpd_relay_restrictions");
        if (p && p->kind == IMG_PK_RESTRICTIONS && p->num < im->nprograms)
            at = verify_program_loc(v, &im->programs[p->num]);
    }
    if (at.file < 0 && svc)
        at = verify_line_loc(v, svc->file, svc->line);
    char label[300], who[200];
    service_label(im, svc, label, sizeof label);
    snprintf(who, sizeof who, "client %s%s%s", rc->addr,
             strcmp(rc->name, "unknown") ? " named " : "",
             strcmp(rc->name, "unknown") ? rc->name : "");
    const char *what = x ? img_op_name(x->op) : "the end of the restriction lists";
    char assume[400] = "";
    if (round == ROUND_UNKNOWN_OK)
        snprintf(assume, sizeof assume, ", if %s answers OK",
                 x && x->op == IMG_OP_CHECK_POLICY_SERVICE ? "the policy server"
                 : "a table mtacc cannot read");
    else if (round == ROUND_MX_HERE)
        snprintf(assume, sizeof assume, ", when the attacker's domain names this host as MX");
    diag *g = diag_add_sev(&v->c->d, DIAG_OPEN_RELAY, round == ROUND_KNOWN ? SEV_ERROR : SEV_WARNING,
                           at, "service %s relays for an untrusted client%s: %s, HELO %s, MAIL "
                           "FROM:<%s>, RCPT TO:<%s> gets %d %s (let through by %s)",
                           label, assume, who, rc->helo, rc->sender, rc->rcpt, rc->code, rc->text,
                           what);
    if (svc && svc->file)
        diag_note_add(g, verify_line_loc(v, svc->file, svc->line), "the service");
    loc entry = entry_loc(v, rc);
    if (entry.file >= 0)
        diag_note_add(g, entry, "the table entry that answered \"%s\"", rc->origin_key);
    if (!x && warned_control(im, service_param(im, svc, "smtpd_relay_restrictions")))
        diag_hint(g, "warn_if_reject before reject_unauth_destination only logs what it would "
                  "reject: remove warn_if_reject there");
    else
        diag_hint(g, "%s", fix_for(x ? x->op : 0));
    /* the sender or HELO itself granted the relay */
    if (round == ROUND_KNOWN && x &&
        (x->op == IMG_OP_CHECK_SENDER_ACCESS || x->op == IMG_OP_CHECK_HELO_ACCESS)) {
        diag *t = diag_add(&v->c->d, DIAG_RELAY_TRUSTS_SENDER, entry.file >= 0 ? entry : at,
                           "relay permission granted on the %s \"%s\": anyone can send it",
                           x->op == IMG_OP_CHECK_SENDER_ACCESS ? "envelope sender" : "HELO name",
                           x->op == IMG_OP_CHECK_SENDER_ACCESS ? rc->sender : rc->helo);
        if (entry.file >= 0)
            diag_note_add(t, at, "consulted here, before the relay check");
        diag_hint(t, "%s", fix_for(x->op));
    }
}

/* Does the image need a round with unknown answers (tables mtacc cannot
 * read, policy servers), or one with the MX trick (permit_mx_backup)? */
static int has_op(const img *im, unsigned op)
{
    for (uint32_t i = 0; i < im->ninsns; i++)
        if (im->insns[i].op == op)
            return 1;
    return 0;
}

static int has_unknown(const img *im)
{
    for (uint32_t t = 0; t < im->ntables; t++)
        if (im->tables[t].kind == IMG_TK_UNAVAILABLE)
            return 1;
    return has_op(im, IMG_OP_CHECK_POLICY_SERVICE);
}

/* Does a list hold a relay control, as smtpd checks at start-up
 * (no_relay.c)? Without one in either list Postfix's smtpd refuses to
 * run: no-relay-restriction reports that. */
static int has_relay_control(const img *im, const img_param *p)
{
    return p && p->kind == IMG_PK_RESTRICTIONS && p->num < im->nprograms &&
           verify_relay_control(im, (uint32_t)p->num);
}


/* Mark the tables a program consults before its first relay control
 * (everything in the classes it calls there). */
static void mark_tables(const img *im, uint32_t prog, unsigned char *mark, int whole, int depth)
{
    if (prog >= im->nprograms || depth > 16)
        return;
    const img_program *pg = &im->programs[prog];
    for (uint32_t k = 0; k < pg->count; k++) {
        const img_insn *x = &im->insns[pg->first + k];
        if (!whole && (x->op == IMG_OP_REJECT_UNAUTH_DESTINATION ||
                       x->op == IMG_OP_DEFER_UNAUTH_DESTINATION))
            return;
        if (x->op == IMG_OP_CALL)
            mark_tables(im, x->a, mark, 1, depth + 1);
        else if (img_op_operands(x->op) == IMG_OPND_TABLE && x->a < im->ntables)
            mark[x->a] = 1;
    }
}

static void tables_before_control(const img *im, const img_param *p, unsigned char *mark)
{
    if (p && p->kind == IMG_PK_RESTRICTIONS)
        mark_tables(im, (uint32_t)p->num, mark, 0, 0);
    /* union and pipe members are consulted with them */
    for (uint32_t t = 0; t < im->ntables; t++)
        if (mark[t] && (im->tables[t].kind == IMG_TK_UNION || im->tables[t].kind == IMG_TK_PIPE))
            for (uint32_t k = 0; k < im->tables[t].count; k++) {
                uint32_t m = img_list_at(im, im->tables[t].first, k);
                if (m < im->ntables)
                    mark[m] = 1;
            }
}

static void check_service(verify_ctx *v, const img_service *svc, void *arg)
{
    (void)arg;
    const img *im = &v->im;
    if (svc_loopback_only(im, svc) ||
        (!has_relay_control(im, service_param(im, svc, "smtpd_relay_restrictions")) &&
         !has_relay_control(im, service_param(im, svc, "smtpd_recipient_restrictions"))))
        return;
    attacker a;
    attacker_build(v, svc, &a);
    relay_case rc;
    memset(&rc, 0, sizeof rc);
    enum round rounds[3] = { ROUND_KNOWN, ROUND_UNKNOWN_OK, ROUND_MX_HERE };
    /* with permit_mx_backup_networks, what the MX trick gets in goes to a
     * primary MX inside those networks only: not a relay to the world */
    const img_param *nets = service_param(im, svc, "permit_mx_backup_networks");
    int want[3] = { 1, has_unknown(im),
                    has_op(im, IMG_OP_PERMIT_MX_BACKUP) && !(nets && nets->nlist > 0) };
    int found = 0;
    for (int i = 0; i < 3 && !found; i++) {
        if (!want[i] || !a.clients.n)
            continue;
        if ((found = search(v, svc, rounds[i], &a, &rc))) {
            report(v, svc, rounds[i], &rc);
            free(rc.origin_key);
        }
    }
    /* what the search could not try, where it can decide: said, so that
     * no one takes silence for a proof */
    unsigned char *early = xcalloc(im->ntables + 1, 1);
    tables_before_control(im, service_param(im, svc, "smtpd_relay_restrictions"), early);
    tables_before_control(im, service_param(im, svc, "smtpd_recipient_restrictions"), early);
    for (size_t i = 0; !found && i < a.nunsampled; i++) {
        if (!early[a.unsampled[i].table])
            continue;
        char label[300];
        diag *g = diag_add_sev(&v->c->d, DIAG_OPEN_RELAY, SEV_NOTE,
                               verify_line_loc(v, a.unsampled[i].file, a.unsampled[i].line),
                               "service %s: the relay check could not try rule %s (mtacc "
                               "cannot write a string it matches); it may let an untrusted "
                               "client through",
                               service_label(im, svc, label, sizeof label), a.unsampled[i].what);
        diag_hint(g, "make sure the rule cannot match what a client chooses, or place it "
                  "after reject_unauth_destination");
    }
    free(early);
    attacker_free(&a);
}

void verify_open_relay(verify_ctx *v)
{
    svc_each_listener(v, check_service, NULL);
}
