/* check_compat.c: compat-level. Postfix runs with backwards-compatible
 * defaults while compatibility_level is below the level of its release
 * (COMPATIBILITY_README). Raising the level (the upgrade: to the level of
 * --target-version, by default Postfix 3.7's 3.6) switches every default
 * that is still implicit to its new value. Each switch that would change
 * what this configuration does is reported, with the setting that keeps
 * today's behaviour:
 *   level 1   append_dot_mydomain yes -> no; smtputf8_enable no -> yes;
 *             master.cf chroot "-" y -> n; smtpd_relay_restrictions
 *             empty -> permit_mynetworks, permit_sasl_authenticated,
 *             defer_unauth_destination (reported where
 *             smtpd_recipient_restrictions lets clients relay by other
 *             means, which the new list defers)
 *   level 2   mynetworks_style subnet -> host (without mynetworks);
 *             relay_domains $mydestination -> empty (subdomains of
 *             mydestination relayed, ETRN and fast flush for them)
 *   level 3.6 smtpd_relay_before_recipient_restrictions no -> yes (when
 *             the two lists answer a relay attempt differently: a defer
 *             against a reject, or a policy server consulted first);
 *             smtpd/smtp/lmtp_tls_fingerprint_digest md5 -> sha256 (where
 *             fingerprints are used); respectful_logging no -> yes (with
 *             postscreen)
 * The thresholds are those of the registry defaults ("${{$compatibility_level}
 * <level {2} ? ...}"); values are compared at both levels with each
 * service's -o values. */
#include "stdlib/util/pfvalue.h"
#include "compiler/access_permit.h"
#include "compiler/checks.h"
#include "compiler/expand.h"
#include "compiler/image/emit.h"
#include "compiler/smtpd_tls.h"
#include "compiler/svcparam.h"
#include "stdlib/util/alloc.h"
#include "stdlib/util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Postfix releases that introduced compatibility levels. Levels 1 and 2
 * both came with Postfix 3.0; 3.6 is the level of Postfix 3.6 and 3.7. */
static const struct {
    const char *version, *level;
} releases[] = {
    { "3.0", "2" },
    { "3.6", "3.6" },
};
#define NEWEST_KNOWN "3.7"

static int level_cmp(const long a[3], const long b[3])
{
    for (int i = 0; i < 3; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

int compat_target_level(const char *version, const char **level)
{
    long v[3], r[3], newest[3];
    if (!version)
        version = NEWEST_KNOWN;
    if (expand_parse_level(version, strlen(version), v) < 0)
        return -1;
    expand_parse_level(NEWEST_KNOWN, strlen(NEWEST_KNOWN), newest);
    if (level_cmp(v, newest) > 0)
        return -2;
    *level = "0";
    for (size_t i = 0; i < sizeof releases / sizeof *releases; i++) {
        expand_parse_level(releases[i].version, strlen(releases[i].version), r);
        if (level_cmp(r, v) <= 0)
            *level = releases[i].level;
    }
    return 0;
}

typedef struct cl_ctx {
    config     *c;
    const char *target;       /* level to upgrade to */
    long        cur[3], tgt[3];
    char       *cur_text;     /* compatibility_level as in force */
    loc         anchor;       /* the compatibility_level setting, or main.cf */
    int         have_level;   /* compatibility_level is set in main.cf */
    svp_once    once;
} cl_ctx;

/* Does the change at level n happen on this upgrade (current < n <= target)? */
static int pending(const cl_ctx *x, const char *n)
{
    long v[3];
    expand_parse_level(n, strlen(n), v);
    return level_cmp(x->cur, v) < 0 && level_cmp(v, x->tgt) <= 0;
}

/* One report: `name` goes from its value at the current level to its
 * value at the target level in the context of p (NULL: main.cf). */
static void report_keep(cl_ctx *x, const master_service *svc, const char *level,
                         const char *name, loc at, const char *effect, const char *keep)
{
    svcparam now, up;
    svp_init(&now, x->c, svc, NULL, NULL);
    svp_init(&up, x->c, svc, "compatibility_level", x->target);
    const char *a = svp_get(&now, name), *b = svp_get(&up, name);
    if (at.file < 0)
        at = x->anchor;
    if (strcmp(a, b) != 0 && !svp_seen(&x->once, &now, &x->c->d, DIAG_COMPAT_LEVEL, at, name)) {
        diag *g = diag_add(&x->c->d, DIAG_COMPAT_LEVEL, at,
                           "compatibility level %s changes the default of %s from \"%s\" to "
                           "\"%s\": %s", level, name, a, b, effect);
        svp_remember(&x->once, &now, &x->c->d, g, name);
        diag_hint(g, "level %s now%s: write \"%s = %s\" to keep this when raising "
                  "compatibility_level to %s, or \"%s = %s\" to take the new default",
                  x->cur_text, x->have_level ? "" : " (compatibility_level is not set)", name,
                  keep ? keep : a, x->target, name, b);
    }
    svp_free(&now);
    svp_free(&up);
}

static void report(cl_ctx *x, const master_service *svc, const char *level, const char *name,
                   loc at, const char *effect)
{
    report_keep(x, svc, level, name, at, effect, NULL);
}

/* ---- level 1 ------------------------------------------------------------- */

static void chroot_default(cl_ctx *x)
{
    size_t n = 0;
    const master_service *first = NULL;
    for (size_t i = 0; i < x->c->master.n; i++)
        if (strcmp(x->c->master.v[i].field[MS_CHROOT].text, "-") == 0) {
            if (!first)
                first = &x->c->master.v[i];
            n++;
        }
    if (!first)
        return;
    diag *g = diag_add(&x->c->d, DIAG_COMPAT_LEVEL, first->field[MS_CHROOT].at,
                       "compatibility level 1 changes the default of the master.cf chroot field "
                       "from y to n: %zu service%s with \"-\" stop%s running chrooted", n,
                       n == 1 ? "" : "s", n == 1 ? "s" : "");
    size_t k = 0;
    for (size_t i = 0; i < x->c->master.n && g->nnotes < DIAG_MAX_NOTES; i++) {
        const master_service *s = &x->c->master.v[i];
        if (s != first && strcmp(s->field[MS_CHROOT].text, "-") == 0 && k++ < 2)
            diag_note_add(g, s->field[MS_CHROOT].at, "also %s/%s", s->field[MS_NAME].text,
                          s->field[MS_TYPE].text);
    }
    diag_hint(g, "write y (keep chroot) or n in the chroot column; postconf -F "
              "'*/*/chroot=y' would keep every service chrooted");
}

/* The words of a restriction list, one at a time (skipping table names
 * and other arguments is the caller's business). */
static int in_list(const char *list, const char *word)
{
    size_t pos = 0, st, len, wl = strlen(word);
    while (pf_word_next(list, &pos, &st, &len))
        if (len == wl && strncmp(list + st, word, wl) == 0)
            return 1;
    return 0;
}

static int is_gate(const char *w, size_t n)
{
    return (n == 25 && strncmp(w, "reject_unauth_destination", n) == 0) ||
           (n == 24 && strncmp(w, "defer_unauth_destination", n) == 0);
}

/* The first word of an smtpd_recipient_restrictions value, before its
 * relay gate, that lets some client relay that is neither in mynetworks
 * nor SASL-authenticated: a permit other than permit_mynetworks,
 * permit_sasl_authenticated and permit_auth_destination (which the new
 * default passes as well); an access check whose table has an entry that
 * permits (compiler/access_permit.h); a restriction class holding one of
 * those. malloc'ed; NULL when there is none (or no gate: then Postfix
 * refuses to start, no-relay-restriction's business). */
static char *relaying_word(cl_ctx *x, svcparam *p, const char *list, int depth, int *gate)
{
    const char *classes = svp_get(p, "smtpd_restriction_classes");
    size_t pos = 0, st, len;
    char *found = NULL;
    *gate = 0;
    while (pf_word_next(list, &pos, &st, &len)) {
        const char *w = list + st;
        if (is_gate(w, len)) {
            *gate = 1;
            return found;
        }
        if (found || memchr(w, ':', len) || w[0] == '{')
            continue;
        char *word = xstrndup(w, len);
        int permits = 0;
        if (strncmp(word, "permit", 6) == 0)
            permits = strcmp(word, "permit_mynetworks") != 0 &&
                      strcmp(word, "permit_sasl_authenticated") != 0 &&
                      strcmp(word, "permit_auth_destination") != 0;
        else if (strncmp(word, "check_", 6) == 0 && len > 13 &&
                 strcmp(word + len - 7, "_access") == 0) {
            size_t p2 = pos, st2, len2;
            if (pf_word_next(list, &p2, &st2, &len2)) {
                char *spec = xstrndup(list + st2, len2);
                permits = access_table_may_permit(x->c, spec);
                free(spec);
            }
        } else if (depth < 4 && in_list(classes, word)) {
            int inner_gate;
            char *inner = relaying_word(x, p, svp_get(p, word), depth + 1, &inner_gate);
            permits = inner != NULL;
            free(inner);
        }
        if (permits)
            found = word;
        else
            free(word);
    }
    if (depth > 0)
        return found;   /* a class: the caller's list has the gate */
    free(found);
    return NULL;
}

static void relay_restrictions(config *c, svcparam *sp, const stls_state *st, void *ctx)
{
    cl_ctx *x = ctx;
    const master_service *svc = sp->svc;
    svcparam p;
    svp_init(&p, x->c, svc, NULL, NULL);
    if (!svp_is_set(&p, "smtpd_relay_restrictions")) {
        int gate;
        char *w = relaying_word(x, &p, svp_get(&p, "smtpd_recipient_restrictions"), 0, &gate);
        if (w) {
            loc at = svp_word_loc(x->c, svp_where(&p, "smtpd_recipient_restrictions"), w);
            char effect[256];
            snprintf(effect, sizeof effect, "mail that %s lets relay from other clients than "
                     "mynetworks and SASL users will be deferred", w);
            report(x, svc, "1", "smtpd_relay_restrictions", at, effect);
            free(w);
        }
    }
    svp_free(&p);
}

/* ---- level 2 ------------------------------------------------------------- */

/* The mydestination entries that are mail domains rather than names of
 * this host (myhostname, localhost, localhost.*): subdomains of those are
 * what relay_domains = $mydestination relays. malloc'ed list, NULL if none. */
static char *mail_domains(svcparam *p)
{
    const char *host = svp_get(p, "myhostname");
    char **w;
    size_t n;
    emit_split(svp_get(p, "mydestination"), &w, &n);
    strbuf b;
    sb_init(&b);
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(w[i], host) != 0 && strcasecmp(w[i], "localhost") != 0 &&
            strncasecmp(w[i], "localhost.", 10) != 0)
            sb_addf(&b, "%s%s", b.len ? ", " : "", w[i]);
    emit_split_free(w, n);
    return b.len ? sb_take(&b) : (sb_free(&b), NULL);
}

static void relay_domains(cl_ctx *x)
{
    svcparam p;
    svp_init(&p, x->c, NULL, NULL, NULL);
    char *domains = svp_is_set(&p, "relay_domains") ? NULL : mail_domains(&p);
    if (domains) {
        int subdomains = in_list(svp_get(&p, "parent_domain_matches_subdomains"), "relay_domains");
        int flush = !svp_is_set(&p, "fast_flush_domains");
        char effect[512];
        if (subdomains)
            snprintf(effect, sizeof effect, "mail to subdomains of %s is no longer relayed%s",
                     domains, flush ? ", nor flushed by ETRN" : "");
        else
            snprintf(effect, sizeof effect, "ETRN no longer flushes mail for %s", domains);
        if (subdomains || flush)
            report_keep(x, NULL, "2", "relay_domains", svp_where(&p, "mydestination"), effect,
                        "$mydestination");
        free(domains);
    }
    svp_free(&p);
}

/* ---- level 3.6 ----------------------------------------------------------- */

/* The first relay gate of a list: "reject_unauth_destination",
 * "defer_unauth_destination", or NULL; *policy is set when a policy
 * server comes before it. */
static const char *gate_of(const char *list, int *policy)
{
    size_t pos = 0, st, len;
    *policy = 0;
    while (pf_word_next(list, &pos, &st, &len)) {
        if (is_gate(list + st, len))
            return list[st] == 'r' ? "reject_unauth_destination" : "defer_unauth_destination";
        if (len == 20 && strncmp(list + st, "check_policy_service", len) == 0)
            *policy = 1;
    }
    return NULL;
}

static void relay_order(config *c, svcparam *sp, const stls_state *st, void *ctx)
{
    cl_ctx *x = ctx;
    const master_service *svc = sp->svc;
    svcparam up;
    svp_init(&up, x->c, svc, "compatibility_level", x->target);
    const char *rcpt = svp_get(&up, "smtpd_recipient_restrictions");
    const char *relay = svp_get(&up, "smtpd_relay_restrictions");
    int rpolicy, lpolicy;
    const char *gr = gate_of(rcpt, &rpolicy), *gl = gate_of(relay, &lpolicy);
    if (!svp_is_set(&up, "smtpd_relay_before_recipient_restrictions") && *rcpt && *relay && gr &&
        gl && (strcmp(gr, gl) != 0 || rpolicy)) {
        char effect[320];
        if (strcmp(gr, gl) != 0)
            snprintf(effect, sizeof effect, "a relay attempt is then answered by %s in "
                     "smtpd_relay_restrictions (%s) instead of %s in "
                     "smtpd_recipient_restrictions (%s)", gl, gl[0] == 'd' ? "4xx" : "5xx", gr,
                     gr[0] == 'd' ? "4xx" : "5xx");
        else
            snprintf(effect, sizeof effect, "the policy server in smtpd_recipient_restrictions "
                     "no longer sees relay attempts that smtpd_relay_restrictions refuses");
        loc at = svp_word_loc(x->c, svp_where(&up, "smtpd_recipient_restrictions"),
                              strcmp(gr, gl) != 0 ? gr : "check_policy_service");
        report(x, svc, "3.6", "smtpd_relay_before_recipient_restrictions", at, effect);
    }
    svp_free(&up);
}

/* The first setting (main.cf or -o) whose value has word; its location. */
static int find_word(const config *c, const char *word, loc *at)
{
    for (size_t i = 0; i < c->main.n; i++)
        if (in_list(c->main.v[i].value, word)) {
            *at = svp_word_loc(c, c->main.v[i].value_loc, word);
            return 1;
        }
    for (size_t i = 0; i < c->master.n; i++)
        for (size_t k = 0; k < c->master.v[i].noverrides; k++)
            if (in_list(c->master.v[i].overrides[k].value, word)) {
                *at = svp_word_loc(c, c->master.v[i].overrides[k].value_loc, word);
                return 1;
            }
    return 0;
}

/* Is name (a per-side parameter) set to value anywhere? */
static int set_to(const config *c, const char *name, const char *value, loc *at)
{
    const cf_setting *s = maincf_find(&c->main, name);
    if (s && strcmp(s->value, value) == 0) {
        *at = s->value_loc;
        return 1;
    }
    for (size_t i = 0; i < c->master.n; i++)
        for (size_t k = 0; k < c->master.v[i].noverrides; k++) {
            const ms_override *o = &c->master.v[i].overrides[k];
            if (strcmp(o->name, name) == 0 && strcmp(o->value, value) == 0) {
                *at = o->value_loc;
                return 1;
            }
        }
    return 0;
}

/* Does a TLS policy table of side name the fingerprint level? Tables
 * mtacc can read are searched for the word. */
static int policy_fingerprint(cl_ctx *x, const char *side)
{
    char name[64];
    snprintf(name, sizeof name, "%s_tls_policy_maps", side);
    svcparam p;
    svp_init(&p, x->c, NULL, NULL, NULL);
    char **w;
    size_t n;
    emit_split(svp_get(&p, name), &w, &n);
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) {
        const char *colon = strchr(w[i], ':');
        if (!colon)
            continue;
        char *type = xstrndup(w[i], (size_t)(colon - w[i]));
        int ext;
        char *file = config_table_file(x->c, type, colon + 1, &ext);
        FILE *fp = file ? fopen(file, "r") : NULL;
        char line[1024];
        while (fp && !found && fgets(line, sizeof line, fp))
            found = line[0] != '#' && strstr(line, "fingerprint") != NULL;
        if (fp)
            fclose(fp);
        free(file);
        free(type);
    }
    emit_split_free(w, n);
    svp_free(&p);
    return found;
}

static void fingerprints(cl_ctx *x)
{
    svcparam p;
    svp_init(&p, x->c, NULL, NULL, NULL);
    loc at;
    if (!svp_is_set(&p, "smtpd_tls_fingerprint_digest") &&
        (find_word(x->c, "check_ccert_access", &at) ||
         (*svp_get(&p, "relay_clientcerts") && find_word(x->c, "permit_tls_clientcerts", &at))))
        report(x, NULL, "3.6", "smtpd_tls_fingerprint_digest", at,
               "client certificate fingerprints in access tables and relay_clientcerts must "
               "then be SHA-256");
    static const char *const sides[] = { "smtp", "lmtp" };
    for (int i = 0; i < 2; i++) {
        char digest[64], level[64], match[64];
        snprintf(digest, sizeof digest, "%s_tls_fingerprint_digest", sides[i]);
        snprintf(level, sizeof level, "%s_tls_security_level", sides[i]);
        snprintf(match, sizeof match, "%s_tls_fingerprint_cert_match", sides[i]);
        if (svp_is_set(&p, digest))
            continue;
        at = LOC_NONE;
        int used = set_to(x->c, level, "fingerprint", &at);
        if (!used && *svp_get(&p, match)) {
            used = 1;
            at = svp_where(&p, match);
        }
        if (!used && policy_fingerprint(x, sides[i])) {
            used = 1;
            char maps[64];
            snprintf(maps, sizeof maps, "%s_tls_policy_maps", sides[i]);
            at = svp_where(&p, maps);
        }
        if (used)
            report(x, NULL, "3.6", digest, at,
                   "server certificate fingerprints of the fingerprint security level must "
                   "then be SHA-256");
    }
    svp_free(&p);
}

static void respectful_logging(cl_ctx *x)
{
    for (size_t i = 0; i < x->c->master.n; i++) {
        const master_service *s = &x->c->master.v[i];
        if (strcmp(s->field[MS_COMMAND].text, "postscreen") != 0)
            continue;
        if (!maincf_find(&x->c->main, "respectful_logging"))
            report(x, NULL, "3.6", "respectful_logging", s->field[MS_COMMAND].at,
                   "postscreen logs \"allowlisted\" and \"denylisted\" instead of "
                   "\"whitelisted\" and \"blacklisted\"; log analysis tools may need an update");
        return;
    }
}

void check_compat_level(config *c)
{
    const char *target;
    if (compat_target_level(c->target_version, &target) < 0)
        return;   /* refused by the command line already */
    cl_ctx x;
    memset(&x, 0, sizeof x);
    x.c = c;
    x.target = target;
    expand_parse_level(target, strlen(target), x.tgt);
    svcparam g;
    svp_init(&g, c, NULL, NULL, NULL);
    x.cur_text = xstrdup(svp_get(&g, "compatibility_level"));
    const cf_setting *cl = maincf_find(&c->main, "compatibility_level");
    svp_free(&g);
    if (expand_parse_level(x.cur_text, strlen(x.cur_text), x.cur) < 0 ||
        level_cmp(x.cur, x.tgt) >= 0) {
        free(x.cur_text);
        return;   /* bad-value reports a malformed level; nothing to upgrade */
    }
    x.anchor = cl ? cl->value_loc : loc_make(c->main.file, 0, 0);
    x.have_level = cl != NULL;

    if (pending(&x, "1")) {
        if (!maincf_find(&c->main, "append_dot_mydomain"))
            report(&x, NULL, "1", "append_dot_mydomain", LOC_NONE,
                   "addresses like user@host no longer get \".$mydomain\" appended");
        if (!maincf_find(&c->main, "smtputf8_enable"))
            report(&x, NULL, "1", "smtputf8_enable", LOC_NONE,
                   "the SMTP server then rejects non-ASCII addresses from clients that do not "
                   "ask for SMTPUTF8");
        chroot_default(&x);
        stls_each(c, relay_restrictions, &x);
    }
    if (pending(&x, "2")) {
        if (!maincf_find(&c->main, "mynetworks") && !maincf_find(&c->main, "mynetworks_style"))
            report(&x, NULL, "2", "mynetworks_style", LOC_NONE,
                   "permit_mynetworks and the other uses of mynetworks then trust this host's "
                   "own addresses only, not the other hosts of its subnets");
        relay_domains(&x);
    }
    if (pending(&x, "3.6")) {
        stls_each(c, relay_order, &x);
        fingerprints(&x);
        respectful_logging(&x);
    }
    svp_once_free(&x.once);
    free(x.cur_text);
}
