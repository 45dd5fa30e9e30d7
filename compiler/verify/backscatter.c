/* backscatter.c: backscatter. An address class whose valid recipients
 * are not listed (local_recipient_maps, virtual_mailbox_maps or
 * relay_recipient_maps empty) makes smtpd accept mail for any user of
 * its domains; what cannot be delivered is then bounced to the sender,
 * which spam forges. Postfix's defaults matter: local_recipient_maps is
 * "proxy:unix:passwd.byname $alias_maps" unless emptied, and with an
 * empty relay_recipient_maps every relay recipient is accepted.
 *
 * For every smtpd service that receives the mail other hosts send to this
 * host's MX (port 25, directly or behind postscreen), a client
 * that is not trusted (attacker.h) sends RCPT TO a user that does not
 * exist, in a domain of the class, through the policy engine: only when
 * that recipient is accepted is it reported, so restrictions that stop
 * it (reject_unverified_recipient, a policy server, ...) keep the check
 * quiet. Services on other ports (submission, internal relays) are not
 * where spam arrives. */
#include "compiler/verify/attacker.h"
#include "compiler/verify/services.h"
#include "compiler/verify/where.h"
#include "stdlib/policy/internal.h"
#include "stdlib/util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_SUCH_USER "nosuchuser"

static const struct rclass {
    enum img_class_id id;
    const char *domains, *maps;
} classes[] = {
    { IMG_CLASS_LOCAL, "mydestination", "local_recipient_maps" },
    { IMG_CLASS_VIRTUAL_MAILBOX, "virtual_mailbox_domains", "virtual_mailbox_maps" },
    { IMG_CLASS_RELAY, "relay_domains", "relay_recipient_maps" },
};

typedef struct reported {
    loc   *v;
    size_t n, cap;
} reported;

static const img_param *param(const verify_ctx *v, const img_service *svc, const char *name)
{
    return svc ? img_service_param(&v->im, svc, name) : img_param_find(&v->im, name);
}

static int empty(const verify_ctx *v, const img_service *svc, const char *name)
{
    const img_param *p = param(v, svc, name);
    return p && (p->kind == IMG_PK_TABLES ? p->nlist == 0 : !*img_str(&v->im, p->text));
}

/* A domain of the class as the service sees it, into out: a name of its
 * list, or a key of a table in it (not an address). Names that are not
 * "localhost" come first. 0 when there is none. */
static int sample_domain(verify_ctx *v, pol_session *s, const struct rclass *k, char *out,
                         size_t n)
{
    const img *im = &v->im;
    const img_param *p = param(v, s->svc, k->domains);
    if (!p || p->kind != IMG_PK_LIST)
        return 0;
    int found = 0;
    for (int pass = 0; pass < 2 && !found; pass++)
        for (uint32_t i = 0; i < p->nlist && !found; i++) {
            const char *w = img_str(im, img_list_at(im, p->list, i));
            int t = strchr(w, ':') ? pol_table_index(s->pi, w) : -1;
            const img_table *tab = t >= 0 ? &im->tables[t] : NULL;
            uint32_t count = tab && tab->kind == IMG_TK_HASH ? tab->count : 1;
            for (uint32_t e = 0; e < count && !found; e++) {
                const char *d = tab ? (tab->kind == IMG_TK_HASH
                                       ? img_str(im, im->hash_entries[tab->first + e].key) : "")
                                    : w;
                if (!*d || strpbrk(d, "@!:/[ ") || strlen(d) >= n ||
                    (pass == 0 && strncmp(d, "localhost", 9) == 0))
                    continue;
                if (pol_domain_class(s, d) == (int)k->id) {
                    snprintf(out, n, "%s", d);
                    found = 1;
                }
            }
        }
    return found;
}

/* Does the service accept RCPT TO:<rcpt> from the untrusted client? The
 * reply into r. */
static int accepted(verify_ctx *v, const img_service *svc, const attacker *a, const char *rcpt,
                    pol_reply *r)
{
    const img_param *mh = img_param_find(&v->im, "myhostname");
    pol_dns *dns = attacker_dns_new(mh ? img_str(&v->im, mh->text) : "localhost", 0);
    int ok = 0;
    for (size_t m = 0; m < a->senders.n && m < 2 && !ok; m++) {
        pol_session s;
        pol_session_init(&s, &v->pi, svc, dns);
        s.client_addr = a->clients.v[0];
        s.client_name = s.reverse_name = "unknown";
        pol_reply_clear(r);
        pol_connect(&s, r);
        if (r->code / 100 == 2) {
            s.helo = a->helos.v[0];
            s.esmtp = 1;
            pol_helo(&s, r);
        }
        if (r->code / 100 == 2) {
            s.sender = a->senders.v[m];
            pol_mail(&s, r);
        }
        if (r->code / 100 == 2 && s.in_mail) {
            pol_rcpt(&s, rcpt, r);
            ok = r->code / 100 == 2 && !s.discard;
        }
        pol_session_free(&s);
    }
    pol_dns_free(dns);
    return ok;
}

static int seen(reported *rep, loc at)
{
    for (size_t i = 0; i < rep->n; i++)
        if (rep->v[i].file == at.file && rep->v[i].off == at.off)
            return 1;
    xgrow(&rep->v, &rep->cap, rep->n + 1, sizeof *rep->v);
    rep->v[rep->n++] = at;
    return 0;
}

static void report(verify_ctx *v, const img_service *svc, const struct rclass *k,
                   const char *domain, const char *rcpt, pol_reply *r, reported *rep)
{
    const img *im = &v->im;
    loc set = where_setting(v, svc, k->maps);
    loc at = set.file >= 0 ? set : where_domain(v, svc, k->domains, NULL, domain);
    if (seen(rep, at))
        return;
    char label[300];
    if (svc)
        snprintf(label, sizeof label, "service \"%s\"", img_str(im, svc->name));
    else
        snprintf(label, sizeof label, "smtpd");
    const char *who = k->id == IMG_CLASS_LOCAL ? "local(8)"
                      : k->id == IMG_CLASS_RELAY ? "the next host" : "the mailbox delivery";
    diag *g = diag_add(&v->c->d, DIAG_BACKSCATTER, at,
                       "%s is empty, so %s accepts mail for any user of %s (RCPT TO:<%s> from "
                       "an untrusted client gets %d %s); %s then fails for unknown users and "
                       "Postfix returns the mail to its sender, who is often forged (backscatter)",
                       k->maps, label, domain, rcpt, r->code, sb_str(&r->text), who);
    if (set.file >= 0) {
        loc d = where_domain(v, svc, k->domains, NULL, domain);
        if (d.file >= 0)
            diag_note_add(g, d, "%s is in %s", domain, k->domains);
    }
    if (svc && svc->file)
        diag_note_add(g, verify_line_loc(v, svc->file, svc->line), "the service");
    if (k->id == IMG_CLASS_LOCAL)
        diag_hint(g, "remove the empty setting: the default, proxy:unix:passwd.byname "
                     "$alias_maps, lists the local users (add others in a table)");
    else if (k->id == IMG_CLASS_RELAY)
        diag_hint(g, "list the valid recipients of the relay domains in relay_recipient_maps, "
                     "or add reject_unverified_recipient to smtpd_recipient_restrictions");
    else
        diag_hint(g, "list the mailboxes in virtual_mailbox_maps");
}

static void check_service(verify_ctx *v, const img_service *svc, void *arg)
{
    reported *rep = arg;
    if (!svc_mx_facing(v, svc) || svc_loopback_only(&v->im, svc))
        return;
    pol_dns *dns = pol_dns_empty_new();
    pol_session s;
    pol_session_init(&s, &v->pi, svc, dns);
    attacker a;
    int built = 0;
    for (size_t i = 0; i < sizeof classes / sizeof *classes; i++) {
        const struct rclass *k = &classes[i];
        if (!empty(v, svc, k->maps))
            continue;
        if (k->id == IMG_CLASS_LOCAL && !empty(v, svc, "luser_relay"))
            continue;   /* unknown local users go to luser_relay, not back */
        char domain[256], rcpt[300];
        if (!sample_domain(v, &s, k, domain, sizeof domain))
            continue;
        if (!built++)
            attacker_build(v, svc, &a);   /* only when a class needs it */
        if (!a.clients.n)
            break;
        snprintf(rcpt, sizeof rcpt, NO_SUCH_USER "@%s", domain);
        pol_reply r;
        pol_reply_init(&r);
        if (accepted(v, svc, &a, rcpt, &r))
            report(v, svc, k, domain, rcpt, &r, rep);
        pol_reply_free(&r);
    }
    if (built)
        attacker_free(&a);
    pol_session_free(&s);
    pol_dns_free(dns);
}

void verify_backscatter(verify_ctx *v)
{
    reported rep = { 0 };
    svc_each_listener(v, check_service, &rep);
    free(rep.v);
}
