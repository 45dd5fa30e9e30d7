/* eval.c: running restriction programs. One instruction at a time in
 * list order: a restriction answers DUNNO (go on), OK (this list is
 * done, the next list runs) or stops everything with a reject or defer.
 * warn_if_reject turns the next restriction's reject into a logged
 * warning; defer_if_permit and defer_if_reject remember a deferral that
 * takes effect when the final answer would be permit (at the end of the
 * stage) or reject. */
#include "stdlib/policy/internal.h"
#include "stdlib/maps/cidr.h"
#include "stdlib/util/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CLASS_DEPTH 100

/* Every opcode of stdlib/image/opcodes.def has its case in exec_insn;
 * one appended there without a case here makes the default case panic in
 * the tests (the loader refuses opcodes beyond IMG_OP_COUNT). */
int pol_op_supported(unsigned op)
{
    return op < IMG_OP_COUNT;
}

const char *pol_ctx_what(pol_ctx c)
{
    switch (c) {
    case POL_CTX_CLIENT: return "Client host";
    case POL_CTX_HELO: return "Helo command";
    case POL_CTX_SENDER: return "Sender address";
    case POL_CTX_RECIPIENT: return "Recipient address";
    case POL_CTX_ETRN: return "Etrn command";
    case POL_CTX_REVERSE: return "Unverified Client host";
    case POL_CTX_DATA: return "Data command";
    case POL_CTX_EOD: return "End-of-data";
    }
    return "?";
}

const char *pol_item(pol_state *st)
{
    pol_session *s = st->s;
    switch (st->ctx) {
    case POL_CTX_CLIENT:
        snprintf(st->client_item, sizeof st->client_item, "%s[%s]", s->client_name,
                 s->client_addr);
        return st->client_item;
    case POL_CTX_REVERSE:
        return s->reverse_name;
    case POL_CTX_HELO:
        return s->helo ? s->helo : "";
    case POL_CTX_SENDER:
        return s->sender ? s->sender : "";
    case POL_CTX_DATA:
        return "DATA";
    case POL_CTX_EOD:
        return "END-OF-MESSAGE";
    case POL_CTX_ETRN:
        return st->etrn ? st->etrn : "";
    default:
        return st->rcpt ? st->rcpt : "";
    }
}

/* 5xx becomes 4xx with soft_bounce (and its DSN class too). */
static void soften(pol_session *s, int *code, char *dsn)
{
    if (*code >= 500 && *code < 600 && pol_param_bool(s, "soft_bounce")) {
        *code -= 100;
        if (dsn[0] == '5')
            dsn[0] = '4';
    }
}

/* A reject/defer reply; honours warn_if_reject and defer_if_reject. */
static pol_flow stop_with(pol_state *st, int code, const char *dsn_in, const char *text)
{
    pol_session *s = st->s;
    char dsn[16];
    snprintf(dsn, sizeof dsn, "%s", dsn_in);
    if (st->warn_next) {
        pol_reply_effect(st->r, POL_FX_WARN, text);
        pol_trace(s, st->r, "  warn_if_reject: not rejected: %d %s %s", code, dsn, text);
        return POL_FLOW_DUNNO;
    }
    if (code >= 500 && st->have_dir) {
        /* the reject becomes a deferral; a pending defer_if_permit's reason wins */
        pol_reply *d = st->have_dip ? &st->defer_if_permit : &st->defer_if_reject;
        st->r->verdict = POL_DEFER;
        st->r->code = d->code;
        sb_clear(&st->r->text);
        sb_adds(&st->r->text, sb_str(&d->text));
        return POL_FLOW_STOP;
    }
    soften(s, &code, dsn);
    pol_reply_set(st->r, code >= 500 ? POL_REJECT : POL_DEFER, code, "%s %s", dsn, text);
    return POL_FLOW_STOP;
}

pol_flow pol_reject(pol_state *st, int code, const char *dsn, const char *item, const char *text)
{
    /* formatted on the stack, on the heap only when long */
    char buf[512], *t = buf;
    int n = snprintf(buf, sizeof buf, "<%s>: %s rejected: %s", item, pol_ctx_what(st->ctx), text);
    if (n < 0 || ((size_t)n >= sizeof buf &&
                  asprintf(&t, "<%s>: %s rejected: %s", item, pol_ctx_what(st->ctx), text) < 0))
        fatal("out of memory");
    pol_flow f = stop_with(st, code, dsn, t);
    if (t != buf)
        free(t);
    return f;
}

/* pol_reject in the context of another list ("Helo command rejected:"
 * from a recipient list, ...). */
pol_flow pol_reject_as(pol_state *st, pol_ctx ctx, int code, const char *dsn, const char *item,
                       const char *text)
{
    pol_ctx saved = st->ctx;
    st->ctx = ctx;
    pol_flow f = pol_reject(st, code, dsn, item, text);
    st->ctx = saved;
    return f;
}

/* A deferral remembered by defer_if_permit / defer_if_reject. */
static void remember_code(pol_state *st, pol_reply *slot, int *have, int code, const char *dsn,
                          const char *item, const char *text)
{
    if (*have)
        return;   /* the first reason stays, as in Postfix */
    pol_reply_clear(slot);
    pol_reply_set(slot, POL_DEFER, code, "%s <%s>: %s rejected: %s", dsn, item,
                  pol_ctx_what(st->ctx), text);
    *have = 1;
}

/* DEFER_IF_PERMIT / DEFER_IF_REJECT of an access table */
static void remember(pol_state *st, pol_reply *slot, int *have, const char *item,
                     const char *text)
{
    remember_code(st, slot, have, (int)pol_param_num(st->s, "access_map_defer_code"), "4.7.1",
                  item, text);
}

void pol_defer_if_permit(pol_state *st, int code, const char *dsn, const char *item,
                         const char *text)
{
    remember_code(st, &st->defer_if_permit, &st->have_dip, code, dsn, item, text);
}

/* What a temporary failure does (a *_tempfail_action parameter):
 * defer_if_permit (remembered) or defer (now). */
pol_flow pol_tempfail(pol_state *st, const char *action_param, int code, const char *dsn,
                      const char *item, const char *text)
{
    const char *action = pol_param_str(st->s, action_param);
    if (strcasecmp(action, "defer") == 0)
        return pol_reject(st, code, dsn, item, text);
    pol_defer_if_permit(st, code, dsn, item, text);
    return POL_FLOW_DUNNO;
}

static pol_flow config_error(pol_state *st, const char *why)
{
    pol_trace(st->s, st->r, "  server configuration error: %s", why);
    int code = (int)pol_param_num(st->s, "server_config_error_code");   /* 451 */
    if (code == 0)
        code = 451;
    pol_reply_set(st->r, POL_DEFER, code, "4.3.5 Server configuration error");
    return POL_FLOW_STOP;
}

/* ---- access(5) results ------------------------------------------------------ */

static pol_flow run_words(pol_state *st, const char *text);

pol_flow pol_access_result(pol_state *st, const char *value, const char *item, uint32_t table,
                           const char *key)
{
    pol_session *s = st->s;
    while (isspace((unsigned char)*value))
        value++;
    size_t wl = strcspn(value, " \t");
    const char *rest = value + wl;
    while (isspace((unsigned char)*rest))
        rest++;
    char word[64];
    snprintf(word, sizeof word, "%.*s", (int)(wl < 63 ? wl : 63), value);
    st->r->origin.table = table;
    free(st->r->origin.key);
    st->r->origin.key = xstrdup(key ? key : "");
    const char *deflt = "Access denied";
    if (wl > 0 && strspn(value, "0123456789") == wl && !*rest)
        return POL_FLOW_OK;   /* all-numeric: OK */
    if (strcasecmp(word, "OK") == 0)
        return POL_FLOW_OK;
    if (strcasecmp(word, "DUNNO") == 0)
        return POL_FLOW_DUNNO;
    if (strcasecmp(word, "REJECT") == 0)
        return pol_reject(st, (int)pol_param_num(s, "access_map_reject_code"), "5.7.1", item,
                          *rest ? rest : deflt);
    if (strcasecmp(word, "DEFER") == 0)
        return pol_reject(st, (int)pol_param_num(s, "access_map_defer_code"), "4.7.1", item,
                          *rest ? rest : deflt);
    if (strcasecmp(word, "DEFER_IF_REJECT") == 0) {
        remember(st, &st->defer_if_reject, &st->have_dir, item, *rest ? rest : "Service unavailable");
        return POL_FLOW_DUNNO;
    }
    if (strcasecmp(word, "DEFER_IF_PERMIT") == 0) {
        remember(st, &st->defer_if_permit, &st->have_dip, item, *rest ? rest : "Service unavailable");
        return POL_FLOW_DUNNO;
    }
    if (wl == 3 && (value[0] == '4' || value[0] == '5') && isdigit((unsigned char)value[1]) &&
        isdigit((unsigned char)value[2])) {
        int code = atoi(value);
        char dsn[16];
        const char *t = rest;
        size_t dl = strcspn(t, " \t");
        if (dl >= 5 && dl < sizeof dsn && (t[0] == '4' || t[0] == '5') && t[1] == '.' &&
            strspn(t, "0123456789.") == dl) {
            /* the class of the enhanced code follows the reply code */
            snprintf(dsn, sizeof dsn, "%c%.*s", value[0], (int)dl - 1, t + 1);
            t += dl;
            while (isspace((unsigned char)*t))
                t++;
        } else {
            snprintf(dsn, sizeof dsn, "%c.7.1", value[0]);
        }
        return pol_reject(st, code, dsn, item, *t ? t : deflt);
    }
    static const struct { const char *w; pol_effect_kind k; } fx[] = {
        { "HOLD", POL_FX_HOLD }, { "DISCARD", POL_FX_DISCARD }, { "FILTER", POL_FX_FILTER },
        { "REDIRECT", POL_FX_REDIRECT }, { "PREPEND", POL_FX_PREPEND }, { "BCC", POL_FX_BCC },
        { "WARN", POL_FX_WARN }, { "INFO", POL_FX_INFO },
    };
    for (size_t i = 0; i < sizeof fx / sizeof *fx; i++)
        if (strcasecmp(word, fx[i].w) == 0) {
            pol_reply_effect(st->r, fx[i].k, rest);
            pol_trace(s, st->r, "  %s %s", fx[i].w, rest);
            if (fx[i].k == POL_FX_DISCARD) {
                s->discard = 1;   /* the rest of the transaction is accepted and dropped */
                return POL_FLOW_OK;
            }
            return POL_FLOW_DUNNO;
        }
    /* restriction names and class names */
    return run_words(st, value);
}

/* ---- the restrictions ------------------------------------------------------- */

pol_flow pol_refuse_ok(pol_state *st, pol_flow f, const char *what)
{
    if (f != POL_FLOW_OK || st->s->discard)
        return f;
    /* Postfix: "this is not allowed for security reasons" (DUNNO makes an exception) */
    pol_trace(st->s, st->r, "  an OK result of this restriction is not allowed");
    return pol_config_error(st, what);
}

static map *table_of(pol_state *st, uint32_t t, pol_flow *err)
{
    const char *why = NULL;
    map *m = pol_image_map(st->s->pi, t, &why);
    if (!m)
        *err = config_error(st, why ? why : "table unavailable");
    return m;
}

/* The remembered answer of an access lookup in this session, or NULL. */
static struct pol_memo *memo_find(pol_session *s, uint32_t t, pol_ctx what, const char *key,
                                        const char *addr)
{
    for (unsigned i = 0; i < s->memo_used; i++) {
        struct pol_memo *e = &s->memo[i];
        if (e->table != t || e->what != (int)what || strcmp(e->subject, key) != 0)
            continue;
        if (addr && strcmp(e->subject + strlen(e->subject) + 1, addr) != 0)
            continue;
        return e;
    }
    return NULL;
}

static void memo_store(pol_session *s, uint32_t t, pol_ctx what, const char *key,
                       const char *addr, map_status ms, lookup_result *r)
{
    struct pol_memo *e;
    if (s->memo_used < POL_MEMO) {
        e = &s->memo[s->memo_used++];
        sb_init(&e->key);
        sb_init(&e->value);
    } else {
        e = &s->memo[s->memo_next++ % POL_MEMO];
        free(e->subject);
        sb_clear(&e->key);
        sb_clear(&e->value);
    }
    size_t kl = strlen(key), al = addr ? strlen(addr) : 0;
    e->subject = xmalloc(kl + al + 2);
    memcpy(e->subject, key, kl + 1);
    memcpy(e->subject + kl + 1, addr ? addr : "", al + 1);
    e->table = t;
    e->what = (int)what;
    e->status = ms;
    if (ms == MAP_FOUND) {
        sb_addn(&e->key, sb_str(&r->key), r->key.len);
        sb_addn(&e->value, sb_str(&r->value), r->value.len);
    }
}

/* check_{client,helo,sender,recipient,etrn}_access with its lookup order. */
static pol_flow check_access(pol_state *st, uint32_t t, pol_ctx what)
{
    pol_session *s = st->s;
    pol_flow err = POL_FLOW_DUNNO;
    map *m = table_of(st, t, &err);
    if (!m)
        return err;
    /* a result from the session's pool (access results may nest lookups) */
    lookup_result own, *lrp = &own;
    unsigned slot = s->lr_used;
    if (slot < POL_LR_POOL) {
        lrp = &s->lr_pool[slot];
        if (!(s->lr_ready & (1u << slot))) {
            lookup_result_init(lrp);
            s->lr_ready |= 1u << slot;
        }
        s->lr_used++;
    } else {
        lookup_result_init(&own);
    }
    const lookup_params *lp = pol_lookup_params(s);
    map_status ms;
    pol_ctx saved = st->ctx;
    st->ctx = what;
    /* the item is formatted only when a reply needs it */
    const char *item = what == POL_CTX_CLIENT || what == POL_CTX_REVERSE ? NULL : pol_item(st);
    /* smtpd folds lookup keys to lowercase, for every table type; a
     * recipient is looked up as rewritten (user%host@local is user@host) */
    strbuf *kb = &s->keybuf;   /* used only until the lookup returns */
    sb_clear(kb);
    if (what == POL_CTX_RECIPIENT && st->rcpt_addr.rlocal) {
        sb_adds(kb, st->rcpt_addr.rlocal);
        if (*st->rcpt_addr.rdomain) {
            sb_addc(kb, '@');
            sb_adds(kb, st->rcpt_addr.rdomain);
        }
    } else {
        sb_adds(kb, what == POL_CTX_CLIENT ? s->client_name :
                    what == POL_CTX_REVERSE ? s->reverse_name : item);
    }
    /* an address without domain is looked up as user@$myorigin */
    if ((what == POL_CTX_SENDER || what == POL_CTX_RECIPIENT) && *sb_str(kb) &&
        !strchr(sb_str(kb), '@') && pol_param_bool(s, "append_at_myorigin")) {
        sb_addc(kb, '@');
        sb_adds(kb, pol_param_str(s, "myorigin"));
    }
    char *key = (char *)sb_str(kb);
    for (char *c = key; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    /* the client, HELO and sender keys are the same at every RCPT */
    int memoize = what != POL_CTX_RECIPIENT && what != POL_CTX_ETRN;
    const char *addr = what == POL_CTX_CLIENT || what == POL_CTX_REVERSE ? s->client_addr : NULL;
    struct pol_memo *memo = memoize ? memo_find(s, t, what, key, addr) : NULL;
    if (memo) {
        ms = memo->status;
        sb_clear(&lrp->key);
        sb_addn(&lrp->key, sb_str(&memo->key), memo->key.len);
        sb_clear(&lrp->value);
        sb_addn(&lrp->value, sb_str(&memo->value), memo->value.len);
    } else switch (what) {
    case POL_CTX_CLIENT:
    case POL_CTX_REVERSE:
        ms = lookup_access_client(&m, 1, lp, key, s->client_addr, lrp);
        break;
    case POL_CTX_HELO:
    case POL_CTX_ETRN:
        ms = lookup_access_domain(&m, 1, lp, key, lrp);
        break;
    default:
        ms = lookup_access_mail(&m, 1, lp, key, lrp);
        break;
    }
    if (memoize && !memo && (ms == MAP_FOUND || ms == MAP_NOTFOUND))
        memo_store(s, t, what, key, addr, ms, lrp);
    pol_flow f = POL_FLOW_DUNNO;
    if (ms == MAP_FOUND) {
        pol_trace(s, st->r, "  %s: \"%s\" -> %s", img_str(s->pi->im, s->pi->im->tables[t].spec),
                  sb_str(&lrp->key), sb_str(&lrp->value));
        char *item_copy = xstrdup(item ? item : pol_item(st));
        f = pol_access_result(st, sb_str(&lrp->value), item_copy, t, sb_str(&lrp->key));
        free(item_copy);
    } else if (ms != MAP_NOTFOUND) {
        int code = 451;
        f = stop_with(st, code, "4.3.0", "Temporary lookup failure");
        (void)code;
    }
    st->ctx = saved;
    if (lrp == &own)
        lookup_result_free(&own);
    else
        s->lr_used--;
    return f;
}

/* Is the recipient a destination this host accepts mail for? */
static int auth_destination(pol_state *st)
{
    pol_addr *a = &st->rcpt_addr;
    int c = pol_domain_class(st->s, a->rdomain);
    if (c == IMG_CLASS_DEFAULT)
        return 0;
    /* sender-specified routing is refused, in relay domains unless allowed */
    if (a->routed && !(c == IMG_CLASS_RELAY && pol_param_bool(st->s, "allow_untrusted_routing")))
        return 0;
    return 1;
}

static pol_flow relay_denied(pol_state *st, int code, const char *dsn)
{
    char *t = NULL;
    if (asprintf(&t, "<%s>: Relay access denied", st->rcpt ? st->rcpt : "") < 0)
        fatal("out of memory");
    pol_flow f = stop_with(st, code, dsn, t);
    free(t);
    return f;
}

/* For the restrictions in the other files (dnsbl.c, dnsaccess.c). */
pol_flow pol_stop(pol_state *st, int code, const char *dsn, const char *text)
{
    return stop_with(st, code, dsn, text);
}

void pol_defer_if_reject(pol_state *st, int code, const char *dsn, const char *item,
                         const char *text)
{
    remember_code(st, &st->defer_if_reject, &st->have_dir, code, dsn, item, text);
}

pol_flow pol_config_error(pol_state *st, const char *why)
{
    return config_error(st, why);
}

int pol_auth_destination(pol_state *st)
{
    return auth_destination(st);
}

static pol_flow run_program_depth(pol_state *st, uint32_t program);

/* HELO syntax, checked once per HELO name. */
static void helo_syntax(pol_session *s)
{
    if (s->helo_checked_for && strcmp(s->helo_checked_for, s->helo) == 0)
        return;
    s->helo_valid = pol_valid_helo(s->helo);
    s->helo_fqdn = pol_fqdn(s->helo);
    free(s->helo_checked_for);
    s->helo_checked_for = xstrdup(s->helo);
}


/* One key (a certificate fingerprint, a SASL login) in an access table. */
static pol_flow check_key(pol_state *st, uint32_t t, const char *key, pol_ctx ctx)
{
    pol_flow err = POL_FLOW_DUNNO;
    map *m = table_of(st, t, &err);
    if (!m)
        return err;
    strbuf v, e;
    sb_init(&v);
    sb_init(&e);
    pol_flow f = POL_FLOW_DUNNO;
    map_status ms = map_lookup(m, key, &v, &e);
    pol_ctx saved = st->ctx;
    st->ctx = ctx;
    if (ms == MAP_FOUND)
        f = pol_access_result(st, sb_str(&v), pol_item(st), t, key);
    else if (ms != MAP_NOTFOUND)
        f = stop_with(st, 451, "4.3.0", "Temporary lookup failure");
    st->ctx = saved;
    sb_free(&v);
    sb_free(&e);
    return f;
}

/* The owners of the sender address in smtpd_sender_login_maps (comma or
 * space separated logins), NULL if none. */
static char *sender_owners(pol_state *st, int *err)
{
    pol_session *s = st->s;
    const img_param *p = pol_param(s, "smtpd_sender_login_maps");
    *err = 0;
    if (!p || p->kind != IMG_PK_TABLES || !s->sender || !*s->sender)
        return NULL;
    map **maps = xcalloc(p->nlist + 1, sizeof *maps);
    for (uint32_t i = 0; i < p->nlist; i++) {
        const char *why;
        maps[i] = pol_image_map(s->pi, img_list_at(s->pi->im, p->list, i), &why);
        if (!maps[i])
            *err = 1;
    }
    char *owners = NULL;
    if (!*err) {
        lookup_result lr;
        lookup_result_init(&lr);
        char *key = xstrdup(s->sender);
        for (char *c = key; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        map_status ms = lookup_address(maps, p->nlist, pol_lookup_params(s), LK_VIRTUAL, key, &lr);
        if (ms == MAP_FOUND)
            owners = xstrdup(sb_str(&lr.value));
        else if (ms != MAP_NOTFOUND)
            *err = 1;
        free(key);
        lookup_result_free(&lr);
    }
    free(maps);
    return owners;
}

static pol_flow login_mismatch(pol_state *st, unsigned op)
{
    pol_session *s = st->s;
    int err;
    char *owners = sender_owners(st, &err);
    pol_flow f = POL_FLOW_DUNNO;
    pol_ctx saved = st->ctx;
    st->ctx = POL_CTX_SENDER;
    int authed = s->sasl_user && *s->sasl_user;
    int check_auth = op != IMG_OP_REJECT_UNAUTHENTICATED_SENDER_LOGIN_MISMATCH;
    int check_unauth = op == IMG_OP_REJECT_SENDER_LOGIN_MISMATCH ||
                       op == IMG_OP_REJECT_UNAUTHENTICATED_SENDER_LOGIN_MISMATCH;
    if (err) {
        f = stop_with(st, 451, "4.3.0", "Temporary lookup failure");
    } else if (authed && check_auth) {
        int owned = 0;
        if (owners) {
            char *copy = xstrdup(owners), *save = NULL;
            for (char *w = strtok_r(copy, ", \t", &save); w && !owned; w = strtok_r(NULL, ", \t", &save))
                owned = strcasecmp(w, s->sasl_user) == 0;
            free(copy);
        }
        if (!owned && (owners || op != IMG_OP_REJECT_KNOWN_SENDER_LOGIN_MISMATCH)) {
            char *t = NULL;
            if (asprintf(&t, "not owned by user %s", s->sasl_user) < 0)
                fatal("out of memory");
            f = pol_reject(st, 553, "5.7.1", s->sender, t);
            free(t);
        }
    } else if (!authed && check_unauth && owners) {
        f = pol_reject(st, 553, "5.7.1", s->sender, "not logged in");
    }
    st->ctx = saved;
    free(owners);
    return f;
}

/* reject_unverified_sender / reject_unverified_recipient: a known bounce
 * is rejected with *_reject_code, an address not verified yet (probe under
 * way) or failing temporarily follows *_tempfail_action with *_defer_code. */
static pol_flow unverified(pol_state *st, const char *addr, int sender)
{
    pol_session *s = st->s;
    strbuf reason;
    sb_init(&reason);
    int v = s->verify ? s->verify(s->verify_arg, addr, &reason) : POL_VERIFY_UNKNOWN;
    pol_flow f = POL_FLOW_DUNNO;
    pol_ctx saved = st->ctx;
    st->ctx = sender ? POL_CTX_SENDER : POL_CTX_RECIPIENT;
    const char *sub = sender ? ".1.7" : ".1.1";
    char dsn[8], *t = NULL;
    if (v == POL_VERIFY_BOUNCE) {
        int code = (int)pol_param_num(s, sender ? "unverified_sender_reject_code"
                                                : "unverified_recipient_reject_code");
        const char *why = pol_param_str(s, sender ? "unverified_sender_reject_reason"
                                                  : "unverified_recipient_reject_reason");
        snprintf(dsn, sizeof dsn, "%c%s", code >= 500 ? '5' : '4', sub);
        if (asprintf(&t, "undeliverable address: %s", *why ? why : sb_str(&reason)) < 0)
            fatal("out of memory");
        f = *why ? pol_reject(st, code, dsn, addr, why) : pol_reject(st, code, dsn, addr, t);
    } else if (v != POL_VERIFY_OK) {
        int code = (int)pol_param_num(s, sender ? "unverified_sender_defer_code"
                                                : "unverified_recipient_defer_code");
        snprintf(dsn, sizeof dsn, "4%s", sub);
        f = pol_tempfail(st, sender ? "unverified_sender_tempfail_action"
                                    : "unverified_recipient_tempfail_action",
                         code, dsn, addr, v == POL_VERIFY_DEFER
                             ? "unverified address: temporary failure"
                             : "unverified address: Address verification in progress");
    }
    st->ctx = saved;
    free(t);
    sb_free(&reason);
    return f;
}

/* What a policy request says besides the session (see pol_policy_query). */
static pol_policy_query policy_query(pol_state *st, const pol_policy_cfg *cfg)
{
    pol_session *s = st->s;
    pol_policy_query q = { .cfg = cfg, .stage = st->stage, .sender = "", .recipient = "",
                           .etrn_domain = "" };
    if (s->sender)
        q.sender = pol_parsed(st, s->sender)->echo;
    if (st->stage == POL_STAGE_ETRN)
        q.etrn_domain = st->etrn ? st->etrn : "";
    else if (st->rcpt)
        q.recipient = st->rcpt;
    if (st->stage == POL_STAGE_DATA || st->stage == POL_STAGE_EOM)
        q.recipient_count = s->nrcpt;
    return q;
}

/* check_policy_service: the server's action, or the default action when
 * it does not answer, as an access(5) result. */
static pol_flow policy_service(pol_state *st, const char *endpoint, const char *attrs)
{
    pol_session *s = st->s;
    strbuf action;
    sb_init(&action);
    pol_policy_cfg cfg;
    if (pol_policy_cfg_init(&cfg, s, endpoint, attrs, &action) < 0) {
        pol_flow f = config_error(st, sb_str(&action));
        pol_policy_cfg_free(&cfg);
        sb_free(&action);
        return f;
    }
    pol_policy_query q = policy_query(st, &cfg);
    int r = s->policy ? s->policy(s->policy_arg, s, &q, &action) : -1;
    if (r < 0) {
        pol_trace(s, st->r, "  %s: no answer%s%s%s; default action %s", endpoint,
                  action.len ? " (" : "", sb_str(&action), action.len ? ")" : "",
                  cfg.default_action);
        sb_clear(&action);
        sb_adds(&action, cfg.default_action);
    } else {
        pol_trace(s, st->r, "  %s: %s", endpoint, sb_str(&action));
    }
    pol_flow f = pol_access_result(st, sb_str(&action), pol_item(st), UINT32_MAX, NULL);
    pol_policy_cfg_free(&cfg);
    sb_free(&action);
    return f;
}

static pol_flow exec_insn(pol_state *st, const img_insn *x)
{
    pol_session *s = st->s;
    const img *im = s->pi->im;
    switch ((enum img_op)x->op) {
    case IMG_OP_PERMIT:
        return POL_FLOW_OK;
    case IMG_OP_REJECT:
        return pol_reject(st, (int)pol_param_num(s, "reject_code"), "5.7.1", pol_item(st),
                          "Access denied");
    case IMG_OP_DEFER:
        return pol_reject(st, (int)pol_param_num(s, "defer_code"), "4.3.2", pol_item(st),
                          "Try again later");
    case IMG_OP_DEFER_IF_PERMIT:
        remember_code(st, &st->defer_if_permit, &st->have_dip, 450, "4.7.0", pol_item(st),
                      "defer_if_permit requested");
        return POL_FLOW_DUNNO;
    case IMG_OP_DEFER_IF_REJECT:
        remember_code(st, &st->defer_if_reject, &st->have_dir, 450, "4.7.0", pol_item(st),
                      "defer_if_reject requested");
        return POL_FLOW_DUNNO;
    case IMG_OP_SLEEP:
        return POL_FLOW_DUNNO;   /* the caller's clock: smtpd sleeps, simulation does not */
    case IMG_OP_UNKNOWN:
        return config_error(st, img_str(im, x->a));
    case IMG_OP_CALL:
        return run_program_depth(st, x->a);
    case IMG_OP_PERMIT_MYNETWORKS: {
        int m = pol_match_client(s, "mynetworks", s->client_name, s->client_addr);
        if (m < 0)
            return stop_with(st, 451, "4.3.0", "Temporary lookup failure");
        return m ? POL_FLOW_OK : POL_FLOW_DUNNO;
    }
    case IMG_OP_PERMIT_SASL_AUTHENTICATED:
        return s->sasl_user && *s->sasl_user ? POL_FLOW_OK : POL_FLOW_DUNNO;
    case IMG_OP_PERMIT_TLS_ALL_CLIENTCERTS:
        return s->ccert_fingerprint ? POL_FLOW_OK : POL_FLOW_DUNNO;
    case IMG_OP_CHECK_CLIENT_ACCESS:
        return check_access(st, x->a, POL_CTX_CLIENT);
    case IMG_OP_CHECK_HELO_ACCESS:
        return s->helo ? check_access(st, x->a, POL_CTX_HELO) : POL_FLOW_DUNNO;
    case IMG_OP_CHECK_SENDER_ACCESS:
        return s->sender ? check_access(st, x->a, POL_CTX_SENDER) : POL_FLOW_DUNNO;
    case IMG_OP_CHECK_RECIPIENT_ACCESS:
        return st->rcpt ? check_access(st, x->a, POL_CTX_RECIPIENT) : POL_FLOW_DUNNO;
    case IMG_OP_CHECK_ETRN_ACCESS:
        return st->etrn ? check_access(st, x->a, POL_CTX_ETRN) : POL_FLOW_DUNNO;
    case IMG_OP_PERMIT_AUTH_DESTINATION:
        return st->rcpt && auth_destination(st) ? POL_FLOW_OK : POL_FLOW_DUNNO;
    case IMG_OP_REJECT_UNAUTH_DESTINATION:
        if (!st->rcpt || auth_destination(st))
            return POL_FLOW_DUNNO;
        return relay_denied(st, (int)pol_param_num(s, "relay_domains_reject_code"), "5.7.1");
    case IMG_OP_DEFER_UNAUTH_DESTINATION:
        if (!st->rcpt || auth_destination(st))
            return POL_FLOW_DUNNO;
        /* the 4xx form of relay_domains_reject_code (554 -> 454) */
        return relay_denied(st, (int)pol_param_num(s, "relay_domains_reject_code") - 100, "4.7.1");
    case IMG_OP_REJECT_NON_FQDN_HELO_HOSTNAME:
        if (!s->helo)
            return POL_FLOW_DUNNO;
        helo_syntax(s);
        if (s->helo_fqdn)
            return POL_FLOW_DUNNO;
        if (s->helo[0] == '[')
            return pol_reject_as(st, POL_CTX_HELO, (int)pol_param_num(s, "invalid_hostname_reject_code"),
                                 "5.5.2", s->helo, "invalid ip address");
        return pol_reject_as(st, POL_CTX_HELO, (int)pol_param_num(s, "non_fqdn_reject_code"), "5.5.2",
                             s->helo, "need fully-qualified hostname");
    case IMG_OP_REJECT_INVALID_HELO_HOSTNAME:
        if (!s->helo)
            return POL_FLOW_DUNNO;
        helo_syntax(s);
        if (s->helo_valid)
            return POL_FLOW_DUNNO;
        return pol_reject_as(st, POL_CTX_HELO, (int)pol_param_num(s, "invalid_hostname_reject_code"),
                             "5.5.2", s->helo,
                             s->helo[0] == '[' ? "invalid ip address" : "Invalid name");
    case IMG_OP_REJECT_NON_FQDN_SENDER:
    case IMG_OP_REJECT_NON_FQDN_RECIPIENT: {
        int sender = x->op == IMG_OP_REJECT_NON_FQDN_SENDER;
        const char *who = sender ? s->sender : st->rcpt;
        if (!who || !*who)
            return POL_FLOW_DUNNO;
        const pol_addr *a = pol_parsed(st, who);
        /* "postmaster" alone is always accepted (RFC 5321) */
        int ok = (a->domain[0] && pol_fqdn(a->domain)) ||
                 (!sender && !a->domain[0] && strcasecmp(a->local, "postmaster") == 0);
        if (ok)
            return POL_FLOW_DUNNO;
        return pol_reject_as(st, sender ? POL_CTX_SENDER : POL_CTX_RECIPIENT,
                             (int)pol_param_num(s, "non_fqdn_reject_code"), "5.5.2", who,
                             "need fully-qualified address");
    }
    case IMG_OP_REJECT_MULTI_RECIPIENT_BOUNCE:
        /* at RCPT: a recipient before this one; at DATA: two or more */
        if (st->list_ctx == POL_CTX_DATA || st->list_ctx == POL_CTX_EOD) {
            if (s->sender && !*s->sender && s->nrcpt > 1)
                return pol_reject(st, (int)pol_param_num(s, "multi_recipient_bounce_reject_code"),
                                  "5.5.3", pol_item(st), "Multi-recipient bounce");
            return POL_FLOW_DUNNO;
        }
        if (s->sender && !*s->sender && s->nrcpt > 0)
            return pol_reject_as(st, POL_CTX_RECIPIENT,
                                 (int)pol_param_num(s, "multi_recipient_bounce_reject_code"),
                                 "5.5.3", st->rcpt ? st->rcpt : "", "Multi-recipient bounce");
        return POL_FLOW_DUNNO;
    case IMG_OP_REJECT_UNAUTH_PIPELINING:
        return s->pipelined ? stop_with(st, 503, "5.5.0", "Improper use of SMTP command pipelining")
                            : POL_FLOW_DUNNO;
    case IMG_OP_WARN_IF_REJECT:
        return POL_FLOW_DUNNO;   /* handled by the loop */
    case IMG_OP_REJECT_PLAINTEXT_SESSION:
        if (s->tls)
            return POL_FLOW_DUNNO;
        return stop_with(st, (int)pol_param_num(s, "plaintext_reject_code"), "4.7.1",
                         "Session encryption is required");
    case IMG_OP_PERMIT_INET_INTERFACES:
        return pol_own_address(s, s->client_addr) ? POL_FLOW_OK : POL_FLOW_DUNNO;
    case IMG_OP_CHECK_REVERSE_CLIENT_HOSTNAME_ACCESS:
        return pol_refuse_ok(st, check_access(st, x->a, POL_CTX_REVERSE),
                             "OK for an unverified client name");
    case IMG_OP_REJECT_RBL_CLIENT:
    case IMG_OP_PERMIT_DNSWL_CLIENT:
    case IMG_OP_REJECT_RHSBL_CLIENT:
    case IMG_OP_PERMIT_RHSWL_CLIENT:
    case IMG_OP_REJECT_RHSBL_REVERSE_CLIENT:
    case IMG_OP_REJECT_RHSBL_HELO:
    case IMG_OP_REJECT_RHSBL_SENDER:
    case IMG_OP_REJECT_RHSBL_RECIPIENT:
        return pol_dnsxl_insn(st, x);
    case IMG_OP_CHECK_CLIENT_A_ACCESS:
    case IMG_OP_CHECK_CLIENT_MX_ACCESS:
    case IMG_OP_CHECK_CLIENT_NS_ACCESS:
    case IMG_OP_CHECK_REVERSE_CLIENT_HOSTNAME_A_ACCESS:
    case IMG_OP_CHECK_REVERSE_CLIENT_HOSTNAME_MX_ACCESS:
    case IMG_OP_CHECK_REVERSE_CLIENT_HOSTNAME_NS_ACCESS:
    case IMG_OP_CHECK_HELO_A_ACCESS:
    case IMG_OP_CHECK_HELO_MX_ACCESS:
    case IMG_OP_CHECK_HELO_NS_ACCESS:
    case IMG_OP_CHECK_SENDER_A_ACCESS:
    case IMG_OP_CHECK_SENDER_MX_ACCESS:
    case IMG_OP_CHECK_SENDER_NS_ACCESS:
    case IMG_OP_CHECK_RECIPIENT_A_ACCESS:
    case IMG_OP_CHECK_RECIPIENT_MX_ACCESS:
    case IMG_OP_CHECK_RECIPIENT_NS_ACCESS:
        return pol_server_access_insn(st, x);
    case IMG_OP_CHECK_CCERT_ACCESS:
        return s->ccert_fingerprint ? check_key(st, x->a, s->ccert_fingerprint, POL_CTX_CLIENT)
                                    : POL_FLOW_DUNNO;
    case IMG_OP_CHECK_SASL_ACCESS:
        return s->sasl_user ? check_key(st, x->a, s->sasl_user, POL_CTX_CLIENT) : POL_FLOW_DUNNO;
    case IMG_OP_REJECT_SENDER_LOGIN_MISMATCH:
    case IMG_OP_REJECT_AUTHENTICATED_SENDER_LOGIN_MISMATCH:
    case IMG_OP_REJECT_KNOWN_SENDER_LOGIN_MISMATCH:
    case IMG_OP_REJECT_UNAUTHENTICATED_SENDER_LOGIN_MISMATCH:
        return login_mismatch(st, x->op);
    case IMG_OP_CHECK_POLICY_SERVICE:
        return policy_service(st, img_str(im, x->a), img_str(im, x->b));
    case IMG_OP_PERMIT_TLS_CLIENTCERTS:
        return s->ccert_fingerprint && pol_table_list_has(s, "relay_clientcerts",
                                                          s->ccert_fingerprint) == 1
                   ? POL_FLOW_OK : POL_FLOW_DUNNO;
    case IMG_OP_PERMIT_MX_BACKUP:
        return st->rcpt ? pol_mx_backup(st) : POL_FLOW_DUNNO;
    case IMG_OP_REJECT_UNLISTED_RECIPIENT:
        return st->rcpt ? pol_unlisted(st, st->rcpt, 0) : POL_FLOW_DUNNO;
    case IMG_OP_REJECT_UNLISTED_SENDER:
        return s->sender ? pol_unlisted(st, s->sender, 1) : POL_FLOW_DUNNO;
    case IMG_OP_REJECT_UNKNOWN_HELO_HOSTNAME:
        return pol_unknown_helo(st);
    case IMG_OP_REJECT_UNKNOWN_SENDER_DOMAIN:
        return s->sender ? pol_unknown_domain(st, s->sender, 1) : POL_FLOW_DUNNO;
    case IMG_OP_REJECT_UNKNOWN_RECIPIENT_DOMAIN:
        return st->rcpt ? pol_unknown_domain(st, st->rcpt, 0) : POL_FLOW_DUNNO;
    case IMG_OP_REJECT_UNKNOWN_CLIENT_HOSTNAME:
    case IMG_OP_REJECT_UNKNOWN_REVERSE_CLIENT_HOSTNAME:
        return pol_unknown_client(st, x->op == IMG_OP_REJECT_UNKNOWN_REVERSE_CLIENT_HOSTNAME);
    case IMG_OP_REJECT_UNVERIFIED_SENDER:
        return s->sender && *s->sender ? unverified(st, s->sender, 1) : POL_FLOW_DUNNO;
    case IMG_OP_REJECT_UNVERIFIED_RECIPIENT:
        return st->rcpt ? unverified(st, st->rcpt, 0) : POL_FLOW_DUNNO;
    case IMG_OP_CLASS_TABLE:
        /* a table alone: the access check of the list it runs for */
        switch (st->list_ctx) {
        case POL_CTX_CLIENT: return check_access(st, x->a, POL_CTX_CLIENT);
        case POL_CTX_HELO: return s->helo ? check_access(st, x->a, POL_CTX_HELO) : POL_FLOW_DUNNO;
        case POL_CTX_SENDER: return s->sender ? check_access(st, x->a, POL_CTX_SENDER) : POL_FLOW_DUNNO;
        case POL_CTX_RECIPIENT:
            return st->rcpt ? check_access(st, x->a, POL_CTX_RECIPIENT) : POL_FLOW_DUNNO;
        case POL_CTX_ETRN:
            return st->etrn ? check_access(st, x->a, POL_CTX_ETRN) : POL_FLOW_DUNNO;
        default: return config_error(st, "a table alone in a DATA or end-of-data list");
        }
    case IMG_OP_CHECK_RELAY_DOMAINS:
        if (pol_match_domain(s, "relay_domains", s->client_name) == 1 ||
            (st->rcpt && auth_destination(st)))
            return POL_FLOW_OK;
        return st->rcpt ? relay_denied(st, (int)pol_param_num(s, "relay_domains_reject_code"), "5.7.1")
                        : POL_FLOW_DUNNO;
    case IMG_OP_PERMIT_NAKED_IP_ADDRESS: {
        unsigned char a[16];
        return s->helo && cidr_parse_addr(s->helo, a) ? POL_FLOW_OK : POL_FLOW_DUNNO;
    }
    default:
        break;
    }
    panic("restriction %s has no case in the evaluator", img_op_name(x->op));
}

static void trace_insn(pol_state *st, const img_insn *x)
{
    if (!st->s->trace)
        return;
    const img *im = st->s->pi->im;
    char at[300] = "";
    if (x->file)
        snprintf(at, sizeof at, "%s:%u:%u ", img_str(im, im->files[x->file - 1].path), x->line,
                 x->col);
    pol_trace(st->s, st->r, "%s%s", at, img_op_name(x->op));
}

static pol_flow run_program_depth(pol_state *st, uint32_t program)
{
    const img *im = st->s->pi->im;
    if (program >= im->nprograms)
        return config_error(st, "no such restriction program");
    if (++st->depth > MAX_CLASS_DEPTH) {
        st->depth--;
        return config_error(st, "restriction classes nest too deep");
    }
    const img_program *p = &im->programs[program];
    pol_flow f = POL_FLOW_DUNNO;
    /* warn_if_reject before a class call covers everything the class does */
    int inherited = st->warn_next, local = 0;
    for (uint32_t k = 0; k < p->count; k++) {
        const img_insn *x = &im->insns[p->first + k];
        trace_insn(st, x);
        if (x->op == IMG_OP_WARN_IF_REJECT) {
            local = 1;
            continue;
        }
        st->warn_next = inherited || local;
        int had_dip = st->have_dip;
        f = exec_insn(st, x);
        if (!had_dip && st->have_dip && st->defer_if_permit.origin.program == UINT32_MAX) {
            /* the restriction that will decide if the stage ends in a permit */
            st->defer_if_permit.origin.program = program;
            st->defer_if_permit.origin.insn = k;
        }
        local = 0;
        st->warn_next = inherited;
        if (f != POL_FLOW_DUNNO) {
            if (st->r->origin.program == UINT32_MAX || f == POL_FLOW_STOP) {
                st->r->origin.program = program;
                st->r->origin.insn = k;
            }
            break;
        }
    }
    st->depth--;
    return f;
}

pol_flow pol_run_program(pol_state *st, uint32_t program)
{
    return run_program_depth(st, program);
}

/* A restriction list written in an access table result: restriction
 * names (without operands or with a table the image has) and classes. */
static pol_flow run_words(pol_state *st, const char *text)
{
    pol_session *s = st->s;
    const img *im = s->pi->im;
    char *copy = xstrdup(text);
    pol_flow f = POL_FLOW_DUNNO;
    int inherited = st->warn_next, local = 0;
    char *save = NULL;
    for (char *w = strtok_r(copy, ", \t", &save); w && f == POL_FLOW_DUNNO;
         w = strtok_r(NULL, ", \t", &save)) {
        const img_param *cls = pol_param_dyn(s, w);
        if (cls && cls->kind == IMG_PK_RESTRICTIONS &&
            lookup_list_has(pol_param_str(s, "smtpd_restriction_classes"), w)) {
            f = run_program_depth(st, (uint32_t)cls->num);
            continue;
        }
        int op = img_op_lookup(w);
        if (op < 0) {
            f = config_error(st, w);
            break;
        }
        if (op == IMG_OP_WARN_IF_REJECT) {
            local = 1;
            continue;
        }
        img_insn x;
        memset(&x, 0, sizeof x);
        x.op = (uint16_t)op;
        unsigned opnd = img_op_operands((unsigned)op);
        if (opnd == IMG_OPND_TABLE) {
            char *spec = strtok_r(NULL, ", \t", &save);
            int t = spec ? pol_table_index(s->pi, spec) : -1;
            if (t < 0) {
                f = config_error(st, "a table named in an access result is not in the image");
                break;
            }
            x.a = (uint32_t)t;
        } else if (opnd != IMG_OPND_NONE) {
            f = config_error(st, "a restriction with arguments in an access result");
            break;
        }
        st->warn_next = inherited || local;
        f = exec_insn(st, &x);
        local = 0;
        st->warn_next = inherited;
    }
    free(copy);
    (void)im;
    return f;
}

/* ---- the stages ---------------------------------------------------------------- */

static void state_init(pol_state *st, pol_session *s, pol_reply *r)
{
    memset(st, 0, sizeof *st);
    st->s = s;
    st->r = r;
    pol_reply_init(&st->defer_if_permit);
    pol_reply_init(&st->defer_if_reject);
}

const pol_addr *pol_parsed(pol_state *st, const char *addr)
{
    pol_session *s = st->s;
    if (addr == st->rcpt && st->rcpt_addr.addr)
        return &st->rcpt_addr;
    if (addr == s->sender) {
        if (!s->parsed_sender || strcmp(s->parsed_sender_for, s->sender) != 0) {
            if (!s->parsed_sender)
                s->parsed_sender = xcalloc(1, sizeof(pol_addr));
            else
                pol_addr_free(s->parsed_sender);
            pol_addr_parse(s, s->sender, s->parsed_sender);
            free(s->parsed_sender_for);
            s->parsed_sender_for = xstrdup(s->sender);
        }
        return s->parsed_sender;
    }
    if (st->scratch.addr)
        pol_addr_free(&st->scratch);
    pol_addr_parse(s, addr, &st->scratch);
    return &st->scratch;
}

static void state_free(pol_state *st)
{
    if (st->scratch.addr)
        pol_addr_free(&st->scratch);
    pol_reply_free(&st->defer_if_permit);
    pol_reply_free(&st->defer_if_reject);
    if (st->rcpt_addr.addr)
        pol_addr_free(&st->rcpt_addr);
}

/* Run the list a parameter names; POL_FLOW_STOP: r holds the answer. */
static pol_flow run_list(pol_state *st, const char *param, pol_ctx ctx)
{
    const img_param *p = pol_param(st->s, param);
    if (!p || p->kind != IMG_PK_RESTRICTIONS)
        return POL_FLOW_DUNNO;
    st->ctx = st->list_ctx = ctx;
    /* defer_if_reject covers the rest of its own list only */
    st->have_dir = 0;
    pol_trace(st->s, st->r, "%s:", param);
    return pol_run_program(st, (uint32_t)p->num);
}

/* The end of a stage: accepted, unless defer_if_permit was seen. */
static void finish(pol_state *st, pol_flow f, int ok_code, const char *ok_text)
{
    if (f == POL_FLOW_STOP)
        return;
    if (st->have_dip) {
        pol_reply *d = &st->defer_if_permit;
        int code = d->code;
        char dsn[16] = "4.7.1";
        soften(st->s, &code, dsn);
        pol_reply_set(st->r, POL_DEFER, code, "%s", sb_str(&d->text));
        if (d->origin.program != UINT32_MAX) {
            st->r->origin.program = d->origin.program;
            st->r->origin.insn = d->origin.insn;
            st->r->origin.table = UINT32_MAX;
        }
        return;
    }
    pol_reply_set(st->r, f == POL_FLOW_OK ? POL_PERMIT : POL_NONE, ok_code, "%s", ok_text);
}

void pol_footer(pol_session *s, const char *rcpt, pol_reply *r)
{
    if (r->verdict != POL_REJECT && r->verdict != POL_DEFER)
        return;
    const char *f = pol_param_str(s, "smtpd_reject_footer");
    if (!*f)
        return;
    pol_macro m[] = {
        { "client_address", s->client_addr }, { "client_name", s->client_name },
        { "reverse_client_name", s->reverse_name },
        { "client_port", s->client_port ? s->client_port : "" },
        { "helo_name", s->helo ? s->helo : "" }, { "sender", s->sender ? s->sender : "" },
        { "recipient", rcpt ? rcpt : "" },
    };
    strbuf t;
    sb_init(&t);
    /* "\c" at the start: on the same line; else a line of its own */
    int same_line = strncmp(f, "\\c", 2) == 0;
    pol_expand(s, same_line ? f + 2 : f, m, sizeof m / sizeof *m, &t);
    if (!same_line)
        sb_addc(&r->text, '\n');
    sb_adds(&r->text, sb_str(&t));
    sb_free(&t);
}

static int delay_reject(pol_session *s)
{
    return pol_param_bool(s, "smtpd_delay_reject");
}

/* client, helo, sender lists in order (the part of RCPT under delay_reject). */
static pol_flow early_lists(pol_state *st)
{
    pol_flow f = POL_FLOW_DUNNO;
    pol_session *s = st->s;
    if ((f = run_list(st, "smtpd_client_restrictions", POL_CTX_CLIENT)) == POL_FLOW_STOP)
        return f;
    if (!s->discard &&
        (f = run_list(st, "smtpd_helo_restrictions", POL_CTX_HELO)) == POL_FLOW_STOP)
        return f;
    if (!s->discard &&
        (f = run_list(st, "smtpd_sender_restrictions", POL_CTX_SENDER)) == POL_FLOW_STOP)
        return f;
    return POL_FLOW_DUNNO;
}

/* Without smtpd_delay_reject a list runs at its own command: its reject
 * answers that command, its defer_if_permit waits for the first RCPT. */
static pol_flow run_now(pol_session *s, pol_reply *r, const char *param, pol_ctx ctx,
                        pol_stage stage)
{
    pol_state st;
    state_init(&st, s, r);
    st.stage = stage;
    pol_flow f = run_list(&st, param, ctx);
    if (f == POL_FLOW_STOP)
        pol_footer(s, NULL, r);
    if (f != POL_FLOW_STOP && st.have_dip && !s->pending_dip) {
        pol_reply_set(&s->pending, POL_DEFER, st.defer_if_permit.code, "%s",
                      sb_str(&st.defer_if_permit.text));
        s->pending_dip = 1;
    }
    state_free(&st);
    return f;
}

/* After a client reject at connect time every command gets this. */
static int denied(pol_session *s, pol_reply *r)
{
    if (!s->access_denied)
        return 0;
    pol_reply_set(r, POL_REJECT, 503, "5.7.0 Error: access denied for %s[%s]", s->client_name,
                  s->client_addr);
    return 1;
}

void pol_connect(pol_session *s, pol_reply *r)
{
    pol_reply_clear(r);
    if (!delay_reject(s) && run_now(s, r, "smtpd_client_restrictions", POL_CTX_CLIENT,
                                    POL_STAGE_CONNECT) == POL_FLOW_STOP) {
        s->access_denied = 1;   /* the reject takes the banner's place */
        return;
    }
    s->discard = 0;   /* DISCARD is not honoured before MAIL */
    pol_reply_set(r, POL_NONE, 220, "%s", pol_param_str(s, "smtpd_banner"));
}

void pol_helo(pol_session *s, pol_reply *r)
{
    pol_reply_clear(r);
    if (denied(s, r))
        return;
    if (!delay_reject(s) && run_now(s, r, "smtpd_helo_restrictions", POL_CTX_HELO,
                                    s->esmtp ? POL_STAGE_EHLO : POL_STAGE_HELO) == POL_FLOW_STOP)
        return;
    s->discard = 0;
    pol_reply_set(r, POL_NONE, 250, "%s", pol_param_str(s, "myhostname"));
}

void pol_mail(pol_session *s, pol_reply *r)
{
    pol_reply_clear(r);
    if (denied(s, r))
        return;
    if (!s->helo && pol_param_bool(s, "smtpd_helo_required")) {
        pol_reply_set(r, POL_REJECT, 503, "5.5.1 Error: send HELO/EHLO first");
        return;
    }
    s->nrcpt = 0;
    s->discard = 0;
    s->in_mail = 0;
    if (!delay_reject(s) && run_now(s, r, "smtpd_sender_restrictions", POL_CTX_SENDER,
                                    POL_STAGE_MAIL) == POL_FLOW_STOP)
        return;
    s->in_mail = 1;
    pol_reply_set(r, POL_NONE, 250, "2.1.0 Ok");
}

/* The client, helo and sender lists at RCPT: under smtpd_delay_reject
 * they run again for every recipient (a list may look at it); without it
 * they ran at their own commands, and only a defer_if_permit they left
 * (s->pending) waits for the recipients. */
static pol_flow early_at_rcpt(pol_state *st)
{
    pol_session *s = st->s;
    if (delay_reject(s)) {
        pol_flow f = early_lists(st);
        return f == POL_FLOW_STOP ? f : POL_FLOW_DUNNO;
    }
    if (s->pending_dip) {
        pol_reply_clear(&st->defer_if_permit);
        pol_reply_set(&st->defer_if_permit, POL_DEFER, s->pending.code, "%s",
                      sb_str(&s->pending.text));
        st->have_dip = 1;
    }
    return POL_FLOW_DUNNO;
}

/* A recipient was accepted; the first is kept for the DATA stages. */
static void accepted(pol_session *s, const char *rcpt)
{
    if (s->nrcpt++ == 0) {
        free(s->first_rcpt);
        s->first_rcpt = xstrdup(rcpt);
    }
}

void pol_rcpt(pol_session *s, const char *rcpt, pol_reply *r)
{
    pol_reply_clear(r);
    if (denied(s, r))
        return;
    if (!s->in_mail) {
        pol_reply_set(r, POL_REJECT, 503, "5.5.1 Error: need MAIL command");
        return;
    }
    if (s->discard) {
        pol_reply_set(r, POL_PERMIT, 250, "2.1.5 Ok");
        accepted(s, rcpt);
        return;
    }
    pol_state st;
    state_init(&st, s, r);
    st.stage = POL_STAGE_RCPT;
    pol_addr_parse(s, rcpt, &st.rcpt_addr);
    st.rcpt = st.rcpt_addr.echo;
    pol_flow f = early_at_rcpt(&st);
    if (f != POL_FLOW_STOP && s->discard) {
        pol_reply_set(r, POL_PERMIT, 250, "2.1.5 Ok");
        accepted(s, rcpt);
        state_free(&st);
        return;
    }
    /* smtpd_relay_before_recipient_restrictions (yes from compatibility level 1) */
    int relay_first = pol_param_bool(s, "smtpd_relay_before_recipient_restrictions");
    const char *first = relay_first ? "smtpd_relay_restrictions" : "smtpd_recipient_restrictions";
    const char *second = relay_first ? "smtpd_recipient_restrictions" : "smtpd_relay_restrictions";
    if (f != POL_FLOW_STOP)
        f = run_list(&st, first, POL_CTX_RECIPIENT);
    if (f != POL_FLOW_STOP && !s->discard)
        f = run_list(&st, second, POL_CTX_RECIPIENT);
    if (s->discard && f != POL_FLOW_STOP) {
        st.have_dip = 0;
        f = POL_FLOW_OK;
    }
    if (f != POL_FLOW_STOP && !s->discard && pol_param_bool(s, "smtpd_reject_unlisted_recipient")) {
        pol_flow u = pol_unlisted(&st, st.rcpt, 0);
        if (u == POL_FLOW_STOP)
            f = u;
    }
    finish(&st, f, 250, "2.1.5 Ok");
    pol_footer(s, st.rcpt, r);
    if (r->code / 100 == 2)
        accepted(s, rcpt);
    state_free(&st);
}

/* The one recipient of the transaction, which the DATA and end-of-data
 * lists see as Postfix does (with more recipients they see none). */
static void only_recipient(pol_state *st)
{
    pol_session *s = st->s;
    if (s->nrcpt != 1 || !s->first_rcpt)
        return;
    pol_addr_parse(s, s->first_rcpt, &st->rcpt_addr);
    st->rcpt = st->rcpt_addr.echo;
}

/* DATA or end of data: the list of param after the transaction checks. */
static void data_stage(pol_session *s, pol_reply *r, const char *param, pol_ctx ctx,
                       int ok_code, const char *ok_text)
{
    pol_state st;
    state_init(&st, s, r);
    st.stage = ctx == POL_CTX_DATA ? POL_STAGE_DATA : POL_STAGE_EOM;
    only_recipient(&st);
    pol_flow f = run_list(&st, param, ctx);
    finish(&st, f, ok_code, ok_text);
    pol_footer(s, st.rcpt, r);
    state_free(&st);
}

void pol_data(pol_session *s, pol_reply *r)
{
    pol_reply_clear(r);
    if (denied(s, r))
        return;
    if (!s->in_mail) {
        pol_reply_set(r, POL_REJECT, 503, "5.5.1 Error: need RCPT command");
        return;
    }
    if (s->nrcpt == 0) {
        pol_reply_set(r, POL_REJECT, 554, "5.5.1 Error: no valid recipients");
        return;
    }
    data_stage(s, r, "smtpd_data_restrictions", POL_CTX_DATA, 354,
               "End data with <CR><LF>.<CR><LF>");
}

void pol_end_of_data(pol_session *s, pol_reply *r)
{
    pol_reply_clear(r);
    data_stage(s, r, "smtpd_end_of_data_restrictions", POL_CTX_EOD, 250, "2.0.0 Ok");
}

void pol_rset(pol_session *s)
{
    s->in_mail = 0;
    s->nrcpt = 0;
    s->discard = 0;
    s->sender = s->queue_id = s->instance = NULL;
    free(s->first_rcpt);
    s->first_rcpt = NULL;
}

void pol_etrn(pol_session *s, const char *domain, pol_reply *r)
{
    pol_reply_clear(r);
    if (denied(s, r))
        return;
    if (s->in_mail) {
        pol_reply_set(r, POL_REJECT, 503, "Error: MAIL transaction in progress");
        return;
    }
    if (!pol_valid_hostname(domain)) {
        pol_reply_set(r, POL_REJECT, 501, "Error: invalid parameter syntax");
        return;
    }
    pol_state st;
    state_init(&st, s, r);
    st.stage = POL_STAGE_ETRN;
    st.etrn = domain;
    pol_flow f = POL_FLOW_DUNNO;
    /* under smtpd_delay_reject the client and helo lists wait for ETRN too */
    if (delay_reject(s)) {
        f = run_list(&st, "smtpd_client_restrictions", POL_CTX_CLIENT);
        if (f != POL_FLOW_STOP)
            f = run_list(&st, "smtpd_helo_restrictions", POL_CTX_HELO);
        if (f != POL_FLOW_STOP)
            f = POL_FLOW_DUNNO;
    } else if (s->pending_dip) {
        pol_reply_set(&st.defer_if_permit, POL_DEFER, s->pending.code, "%s",
                      sb_str(&s->pending.text));
        st.have_dip = 1;
    }
    if (f != POL_FLOW_STOP)
        f = run_list(&st, "smtpd_etrn_restrictions", POL_CTX_ETRN);
    finish(&st, f, 250, "Queuing started");
    /* permitted: the flush service serves only fast_flush_domains */
    if (r->code == 250 && pol_match_domain(s, "fast_flush_domains", domain) != 1) {
        pol_reply_set(r, POL_NONE, 459, "<%s>: service unavailable", domain);
        r->origin.program = UINT32_MAX;   /* not a restriction: the flush service */
        pol_trace(s, r, "fast_flush_domains: %s is not listed", domain);
    }
    pol_footer(s, domain, r);
    state_free(&st);
}
