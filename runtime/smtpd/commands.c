/* commands.c: the SMTP commands (RFC 5321 and the ESMTP extensions
 * mtad offers), their syntax and replies as Postfix 3.7's smtpd gives
 * them, with every policy decision made by stdlib/policy. */
#include "runtime/log.h"
#include "runtime/smtpd/smtpd.h"
#include "stdlib/util/alloc.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { C_EHLO, C_HELO, C_MAIL, C_RCPT, C_DATA, C_BDAT, C_RSET, C_NOOP, C_VRFY, C_ETRN, C_QUIT,
       C_AUTH, C_STARTTLS, C_XCLIENT, C_XFORWARD, C_UNKNOWN };

/* The reply to a command that failed counts as an error; past the soft
 * limit replies are delayed, at the hard limit the session ends. */
static void count_error(smtpd_session *s)
{
    s->errors++;
    if (s->errors >= (unsigned long long)s->cfg->hard_errors && s->cfg->hard_errors > 0) {
        mlog(LOG_INFO, "too many errors after %s from %s", s->last_cmd ? s->last_cmd : "CONNECT",
             s->peer);
        smtpd_reply(s, "421 4.7.0 %s Error: too many errors", s->cfg->myhostname);
        s->closing_after = 1;
    } else if (s->errors > (unsigned long long)s->cfg->soft_errors && s->cfg->error_sleep > 0) {
        s->state = SS_SLEEP;
        s->wake = time(NULL) + s->cfg->error_sleep;
    }
}

static void reply_pol(smtpd_session *s, const pol_reply *r)
{
    smtpd_reply_pol(s, r);
    if (r->code >= 400)
        count_error(s);
}

static void junk(smtpd_session *s)
{
    if (++s->junk > (unsigned long long)s->cfg->junk_limit)
        count_error(s);
}

static void fx_keep(smtpd_session *s, const pol_reply *r)
{
    for (size_t i = 0; i < r->nfx; i++) {
        if (r->fx[i].kind == POL_FX_WARN || r->fx[i].kind == POL_FX_INFO)
            continue;
        s->fx = xrealloc(s->fx, (s->nfx + 1) * sizeof *s->fx);
        s->fx[s->nfx].kind = r->fx[i].kind;
        s->fx[s->nfx].text = xstrdup(r->fx[i].text ? r->fx[i].text : "");
        s->nfx++;
    }
}

void smtpd_reset(smtpd_session *s)
{
    free(s->sender);
    s->sender = NULL;
    s->pol.sender = NULL;
    for (size_t i = 0; i < s->nrcpts; i++) {
        free(s->rcpts[i].addr);
        free(s->rcpts[i].orcpt);
    }
    free(s->rcpts);
    s->rcpts = NULL;
    s->nrcpts = s->rcpts_cap = 0;
    free(s->envid);
    free(s->ret);
    free(s->body);
    s->envid = s->ret = s->body = NULL;
    s->smtputf8 = 0;
    s->declared_size = 0;
    for (size_t i = 0; i < s->nfx; i++)
        free(s->fx[i].text);
    free(s->fx);
    s->fx = NULL;
    s->nfx = 0;
    if (s->msg)
        qs_msg_abort(s->msg);
    s->msg = NULL;
    s->queue_id[0] = 0;
    s->pol.queue_id = NULL;
    s->pol.instance = NULL;
    if (s->cnt)
        cnt_free(s->cnt);
    s->cnt = NULL;
    free(s->msgid);
    s->msgid = NULL;
    s->data_size = 0;
    s->too_big = s->write_failed = s->in_line = 0;
    if (s->pol.pi)
        pol_rset(&s->pol);
}

/* Postfix splits commands into tokens at any white space (space, tab,
 * CR, VT, FF), so a control character never sticks to a token. */
#define WS " \t\r\v\f"
static int is_ws(char c)
{
    return c && strchr(WS, c) != NULL;
}

/* "FROM:<addr> PARAMS" after the verb: the address (quotes removed from
 * the local part, as Postfix keeps it, a source route dropped) and where
 * the parameters start. -1: no tag (a "Syntax:" reply), -2: the address
 * is malformed ("Bad sender/recipient address syntax"). An empty path
 * ("MAIL FROM:") is the null address. */
static int parse_path(char *arg, const char *tag, char **addr, char **params)
{
    size_t tl = strlen(tag);
    if (strncasecmp(arg, tag, tl) != 0)
        return -1;
    char *p = arg + tl;
    while (is_ws(*p))
        p++;
    char *start, *end;
    if (*p == '<') {
        start = ++p;
        int quoted = 0;
        for (; *p && (quoted || *p != '>'); p++) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                quoted = !quoted;
            else if (!quoted && (is_ws(*p) || *p == '<'))
                return -2;
        }
        if (*p != '>')
            return -2;
        end = p++;
        /* what sticks to the closing bracket: more '>' are ignored, and
         * after "<>" anything is (Postfix's tokenizer does the same) */
        while (*p == '>')
            p++;
        if (*p && !is_ws(*p) && end > start)
            return -2;
        while (*p && !is_ws(*p))
            p++;
    } else {
        start = p;
        while (*p && !is_ws(*p))
            p++;
        end = p;
        if (end == start)
            return -1;     /* "MAIL FROM:" with nothing */
    }
    while (is_ws(*p))
        p++;
    *params = p;
    /* drop a source route "@a,@b:" */
    if (*start == '@') {
        char *colon = memchr(start, ':', (size_t)(end - start));
        if (colon)
            start = colon + 1;
    }
    /* unquote: "a b"@d -> a b@d */
    char *out = xmalloc((size_t)(end - start) + 1), *o = out;
    int quoted = 0;
    for (char *q = start; q < end; q++) {
        if (*q == '"') {
            quoted = !quoted;
            continue;
        }
        if (*q == '\\' && quoted && q + 1 < end)
            q++;
        *o++ = *q;
    }
    *o = 0;
    *addr = out;
    return 0;
}

/* A MAIL or RCPT whose path parse_path refused (syntax -1 or -2). */
static void path_error(smtpd_session *s, int syntax, const char *cmd, const char *path,
                       const char *no_tag, const char *bad_address)
{
    if (syntax == -2)
        mlog(LOG_WARNING, "Illegal address syntax from %s in %s command: %.200s", s->peer, cmd,
             path + strspn(path, WS));
    smtpd_reply(s, "%s", syntax == -1 ? no_tag : bad_address);
    count_error(s);
}

static int has_8bit(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s & 0x80)
            return 1;
    return 0;
}

/* xtext (RFC 3461): "+XX" escapes; -1 when malformed. */
static int xtext_ok(const char *v)
{
    for (; *v; v++) {
        if (*v == '+') {
            if (!isxdigit((unsigned char)v[1]) || !isxdigit((unsigned char)v[2]))
                return -1;
            v += 2;
        } else if ((unsigned char)*v < 33 || (unsigned char)*v > 126) {
            return -1;
        }
    }
    return 0;
}

/* One "KEY=value" (or "KEY") parameter after MAIL or RCPT: *p moves past
 * it; 0 when there are no more. The token is cut out of the line. */
typedef struct smtp_param {
    const char *token;        /* the whole "KEY=value", for error replies */
    size_t      klen;         /* the key's length */
    const char *value;        /* after '=', "" when none */
    int         has_value;
} smtp_param;

static int next_param(char **p, smtp_param *out)
{
    char *t = *p;
    while (is_ws(*t))
        t++;
    if (!*t)
        return 0;
    char *end = t + strcspn(t, WS);
    *p = *end ? end + 1 : end;
    *end = 0;
    char *eq = strchr(t, '=');
    out->token = t;
    out->klen = eq ? (size_t)(eq - t) : strlen(t);
    out->value = eq ? eq + 1 : "";
    out->has_value = eq != NULL;
    return 1;
}

static int is_key(const smtp_param *pp, const char *key)
{
    return pp->klen == strlen(key) && strncasecmp(pp->token, key, pp->klen) == 0;
}

static void cmd_helo(smtpd_session *s, const char *arg, int esmtp)
{
    if (!*arg) {
        smtpd_reply(s, "501 Syntax: %s hostname", esmtp ? "EHLO" : "HELO");
        count_error(s);
        return;
    }
    smtpd_reset(s);
    free(s->helo);
    s->helo = xstrdup(arg);
    s->esmtp = esmtp;
    s->pol.helo = s->helo;
    s->pol.esmtp = esmtp;
    pol_reply r;
    pol_reply_init(&r);
    pol_helo(&s->pol, &r);
    if (r.code != 250) {
        smtpd_log_reject(s, esmtp ? "EHLO" : "HELO", &r, NULL);
        reply_pol(s, &r);
        pol_reply_free(&r);
        return;
    }
    smtpd_log_fx(s, esmtp ? "EHLO" : "HELO", &r, NULL);
    pol_reply_free(&r);
    if (!esmtp) {
        smtpd_reply(s, "250 %s", s->cfg->myhostname);
        return;
    }
    int off = s->cfg->ehlo_off;
    char lines[16][64];
    int n = 0;
    if (!(off & SMTPD_EHLO_PIPELINING))
        snprintf(lines[n++], 64, "PIPELINING");
    if (!(off & SMTPD_EHLO_SIZE)) {
        if (s->cfg->size_limit > 0)
            snprintf(lines[n++], 64, "SIZE %lld", s->cfg->size_limit);
        else
            snprintf(lines[n++], 64, "SIZE");
    }
    if (!(off & SMTPD_EHLO_VRFY) && !s->cfg->vrfy_disabled)
        snprintf(lines[n++], 64, "VRFY");
    if (!(off & SMTPD_EHLO_ETRN))
        snprintf(lines[n++], 64, "ETRN");
    if (!(off & SMTPD_EHLO_ENHANCED))
        snprintf(lines[n++], 64, "ENHANCEDSTATUSCODES");
    if (!(off & SMTPD_EHLO_8BITMIME))
        snprintf(lines[n++], 64, "8BITMIME");
    if (!(off & SMTPD_EHLO_DSN))
        snprintf(lines[n++], 64, "DSN");
    if (!(off & SMTPD_EHLO_SMTPUTF8) && s->cfg->smtputf8)
        snprintf(lines[n++], 64, "SMTPUTF8");
    smtpd_reply(s, "250%c%s", n ? '-' : ' ', s->cfg->myhostname);
    for (int i = 0; i < n; i++)
        smtpd_reply(s, "250%c%s", i == n - 1 ? ' ' : '-', lines[i]);
}

static void cmd_mail(smtpd_session *s, char *arg)
{
    if (s->sender) {
        smtpd_reply(s, "503 5.5.1 Error: nested MAIL command");
        count_error(s);
        return;
    }
    char *addr = NULL, *params;
    int syntax = parse_path(arg, "FROM:", &addr, &params);
    if (syntax != 0) {
        path_error(s, syntax, "MAIL", arg + 5, "501 5.5.4 Syntax: MAIL FROM:<address>",
                   "501 5.1.7 Bad sender address syntax");
        return;
    }
    /* the parameters */
    /* a SIZE stays in force until RSET, HELO or the end of the
     * transaction, also after the MAIL that gave it failed (Postfix) */
    unsigned long long size = s->declared_size;
    char *body = NULL, *ret = NULL, *envid = NULL;
    int utf8 = 0;
    const char *bad = NULL;
    char badbuf[256];
    smtp_param pp;
    for (char *p = params; !bad && next_param(&p, &pp);) {
        const char *v = pp.value;
        if (is_key(&pp, "SIZE") && pp.has_value) {
            char *e;
            size = strtoull(v, &e, 10);
            if (*e || !*v)
                bad = "501 5.5.4 Bad message size syntax";
        } else if (is_key(&pp, "BODY") && pp.has_value) {
            if (strcasecmp(v, "8BITMIME") && strcasecmp(v, "7BIT")) {
                snprintf(badbuf, sizeof badbuf, "555 5.5.4 Unsupported option: %.200s", pp.token);
                bad = badbuf;
            }
            free(body);
            body = xstrdup(v);
        } else if (is_key(&pp, "RET") && pp.has_value && !ret) {
            if (strcasecmp(v, "FULL") && strcasecmp(v, "HDRS"))
                bad = "501 5.5.4 Bad RET parameter syntax";
            ret = xstrdup(v);
        } else if (is_key(&pp, "ENVID") && pp.has_value && !envid) {
            if (xtext_ok(v) != 0)
                bad = "501 5.5.4 Bad ENVID parameter syntax";
            envid = xstrdup(v);
        } else if (is_key(&pp, "SMTPUTF8") && !pp.has_value && s->cfg->smtputf8) {
            utf8 = 1;
        } else if (is_key(&pp, "AUTH") && pp.has_value) {
            /* AUTH= from a client that did not authenticate is ignored */
        } else {
            snprintf(badbuf, sizeof badbuf, "555 5.5.4 Unsupported option: %.200s", pp.token);
            bad = badbuf;
        }
    }
    if (!bad && s->cfg->size_limit > 0 && size > (unsigned long long)s->cfg->size_limit)
        bad = "552 5.3.4 Message size exceeds fixed limit";
    if (!bad && has_8bit(addr) && !utf8)
        bad = "553 5.6.7 Must declare SMTPUTF8 to send unicode address";
    s->declared_size = size;
    if (bad) {
        smtpd_reply(s, "%s", bad);
        count_error(s);
        free(addr);
        free(body);
        free(ret);
        free(envid);
        return;
    }
    s->sender = addr;
    s->pol.sender = addr;
    s->pol.size = size;
    s->body = body;
    s->ret = ret;
    s->envid = envid;
    s->smtputf8 = utf8;
    pol_policy_instance(s->instance, sizeof s->instance, ++s->w->seq);
    s->pol.instance = s->instance;
    pol_reply r;
    pol_reply_init(&r);
    pol_mail(&s->pol, &r);
    if (r.code != 250) {
        smtpd_log_reject(s, "MAIL", &r, NULL);
        reply_pol(s, &r);
        free(s->sender);
        s->sender = NULL;
        s->pol.sender = NULL;
    } else {
        smtpd_log_fx(s, "MAIL", &r, NULL);
        fx_keep(s, &r);
        smtpd_reply_pol(s, &r);
        s->transactions++;
    }
    pol_reply_free(&r);
}

static unsigned parse_notify(const char *v, int *ok)
{
    unsigned bits = 0;
    *ok = 1;
    while (*v) {
        size_t n = strcspn(v, ",");
        if (n == 5 && strncasecmp(v, "NEVER", 5) == 0)
            bits |= QS_NOTIFY_NEVER;
        else if (n == 7 && strncasecmp(v, "SUCCESS", 7) == 0)
            bits |= QS_NOTIFY_SUCCESS;
        else if (n == 7 && strncasecmp(v, "FAILURE", 7) == 0)
            bits |= QS_NOTIFY_FAILURE;
        else if (n == 5 && strncasecmp(v, "DELAY", 5) == 0)
            bits |= QS_NOTIFY_DELAY;
        else
            *ok = 0;
        v += n + (v[n] == ',');
    }
    if ((bits & QS_NOTIFY_NEVER) && bits != QS_NOTIFY_NEVER)
        *ok = 0;
    return bits;
}

/* The queue file is created with the first accepted recipient, as
 * Postfix's smtpd does; the session's envelope goes in then. */
static int open_queue_file(smtpd_session *s)
{
    strbuf err;
    sb_init(&err);
    s->msg = qs_msg_new(s->w->queue, &err);
    if (!s->msg) {
        mlog(LOG_WARNING, "queue file create: %s", sb_str(&err));
        sb_free(&err);
        return -1;
    }
    sb_free(&err);
    snprintf(s->queue_id, sizeof s->queue_id, "%s", qs_msg_id(s->msg));
    s->pol.queue_id = s->queue_id;
    mlog(LOG_INFO, "%s: client=%s", s->queue_id, s->peer);
    char when[32];
    snprintf(when, sizeof when, "%lld", (long long)time(NULL));
    qs_msg_attr(s->msg, "time", when);
    qs_msg_attr(s->msg, "client_address", s->addr);
    qs_msg_attr(s->msg, "client_name", s->name);
    qs_msg_attr(s->msg, "reverse_client_name", s->reverse);
    if (s->helo)
        qs_msg_attr(s->msg, "helo_name", s->helo);
    qs_msg_attr(s->msg, "protocol", s->esmtp ? "ESMTP" : "SMTP");
    if (s->envid)
        qs_msg_attr(s->msg, "dsn_envid", s->envid);
    if (s->ret)
        qs_msg_attr(s->msg, "dsn_ret", s->ret);
    if (s->body)
        qs_msg_attr(s->msg, "8bitmime", s->body);
    if (s->smtputf8)
        qs_msg_attr(s->msg, "smtputf8", "yes");
    if (s->declared_size) {
        char n[32];
        snprintf(n, sizeof n, "%llu", s->declared_size);
        qs_msg_attr(s->msg, "size", n);
    }
    return qs_msg_sender(s->msg, s->sender);
}

static void cmd_rcpt(smtpd_session *s, char *arg)
{
    if (!s->sender) {
        smtpd_reply(s, "503 5.5.1 Error: need MAIL command");
        count_error(s);
        return;
    }
    char *addr = NULL, *params;
    int syntax = parse_path(arg, "TO:", &addr, &params);
    if (syntax == 0 && !*addr)     /* "TO:<>" is malformed */
        syntax = -2;
    if (syntax != 0) {
        free(addr);
        path_error(s, syntax, "RCPT", arg + 3, "501 5.5.4 Syntax: RCPT TO:<address>",
                   "501 5.1.3 Bad recipient address syntax");
        return;
    }
    char *orcpt = NULL;
    unsigned notify = 0;
    const char *bad = NULL;
    char badbuf[256];
    smtp_param pp;
    for (char *p = params; !bad && next_param(&p, &pp);) {
        const char *v = pp.value;
        int ok;
        if (is_key(&pp, "NOTIFY") && pp.has_value && !notify) {
            notify = parse_notify(v, &ok);
            if (!ok || !notify)
                bad = "501 5.5.4 Error: Bad NOTIFY parameter syntax";
        } else if (is_key(&pp, "ORCPT") && pp.has_value && !orcpt) {
            if (!strchr(v, ';') || xtext_ok(strchr(v, ';') + 1) != 0)
                bad = "501 5.5.4 Error: Bad ORCPT parameter syntax";
            orcpt = xstrdup(v);
        } else {
            snprintf(badbuf, sizeof badbuf, "555 5.5.4 Unsupported option: %.200s", pp.token);
            bad = badbuf;
        }
    }
    if (!bad && has_8bit(addr) && !s->smtputf8)
        bad = "553 5.6.7 Must declare SMTPUTF8 to send unicode address";
    if (!bad && s->nrcpts >= (size_t)s->cfg->rcpt_limit && s->cfg->rcpt_limit > 0)
        bad = "452 4.5.3 Error: too many recipients";
    if (bad) {
        smtpd_reply(s, "%s", bad);
        count_error(s);
        free(addr);
        free(orcpt);
        return;
    }
    pol_reply r;
    pol_reply_init(&r);
    s->pol.instance = s->instance;
    pol_rcpt(&s->pol, addr, &r);
    if (r.code != 250) {
        smtpd_log_reject(s, "RCPT", &r, addr);
        reply_pol(s, &r);
        pol_reply_free(&r);
        free(addr);
        free(orcpt);
        return;
    }
    if (!s->msg && open_queue_file(s) != 0) {
        smtpd_reply(s, "451 4.3.0 Error: queue file write error");
        count_error(s);
        pol_reply_free(&r);
        free(addr);
        free(orcpt);
        return;
    }
    smtpd_log_fx(s, "RCPT", &r, addr);
    fx_keep(s, &r);
    if (s->nrcpts == s->rcpts_cap) {
        s->rcpts_cap = s->rcpts_cap ? 2 * s->rcpts_cap : 4;
        s->rcpts = xrealloc(s->rcpts, s->rcpts_cap * sizeof *s->rcpts);
    }
    s->rcpts[s->nrcpts++] = (smtpd_rcpt){.addr = addr, .orcpt = orcpt, .notify = notify};
    smtpd_reply_pol(s, &r);
    pol_reply_free(&r);
}

static void cmd_data(smtpd_session *s, const char *arg)
{
    if (*arg) {
        smtpd_reply(s, "501 5.5.4 Syntax: DATA");
        count_error(s);
        return;
    }
    pol_reply r;
    pol_reply_init(&r);
    pol_data(&s->pol, &r);
    if (r.code != 354) {
        if (s->sender && s->nrcpts)
            smtpd_log_reject(s, "DATA", &r, s->nrcpts == 1 ? s->rcpts[0].addr : NULL);
        reply_pol(s, &r);
        pol_reply_free(&r);
        return;
    }
    fx_keep(s, &r);
    smtpd_reply_pol(s, &r);
    pol_reply_free(&r);
    smtpd_data_start(s);
}

static void cmd_etrn(smtpd_session *s, const char *arg)
{
    if (!*arg) {
        smtpd_reply(s, "500 Syntax: ETRN domain");
        count_error(s);
        return;
    }
    pol_reply r;
    pol_reply_init(&r);
    pol_etrn(&s->pol, arg, &r);
    if (r.code >= 400)
        smtpd_log_reject(s, "ETRN", &r, NULL);
    reply_pol(s, &r);
    pol_reply_free(&r);
}

/* smtpd_forbidden_commands: a client speaking another protocol (HTTP
 * through a proxy) is dropped at once. */
static int forbidden(const char *verb)
{
    static const char *const words[] = {"CONNECT", "GET", "POST"};
    if (!isalpha((unsigned char)*verb))
        return 1;
    /* a message header sent as a command ("Subject: ...") */
    size_t n = strlen(verb);
    if (n > 1 && verb[n - 1] == ':' && strcspn(verb, " \t") == n)
        return 1;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasecmp(verb, words[i]) == 0)
            return 1;
    return 0;
}

/* Is s well-formed UTF-8 (no overlongs, no surrogates)? */
static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        if (*s < 0x80) {
            s++;
            continue;
        }
        int n = (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2 : (*s & 0xf8) == 0xf0 ? 3 : -1;
        if (n < 0 || (*s == 0xc0 || *s == 0xc1) || *s > 0xf4)
            return 0;
        unsigned cp = *s & (0x3f >> n);
        for (int i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        s += n + 1;
    }
    return 1;
}

void smtpd_data_counted(smtpd_session *s, int ok)
{
    if (ok) {
        s->ok[C_DATA]++;
        s->nok++;
    }
}

static void dispatch(smtpd_session *s, int id, char *arg)
{
    switch (id) {
    case C_EHLO:
    case C_HELO:
        cmd_helo(s, arg, id == C_EHLO);
        break;
    case C_MAIL:
        cmd_mail(s, arg);
        break;
    case C_RCPT:
        cmd_rcpt(s, arg);
        break;
    case C_DATA:
        cmd_data(s, arg);
        break;
    case C_RSET:
        if (*arg) {
            smtpd_reply(s, "501 5.5.4 Syntax: RSET");
            count_error(s);
            break;
        }
        smtpd_reset(s);
        smtpd_reply(s, "250 2.0.0 Ok");
        junk(s);
        break;
    case C_NOOP:
        smtpd_reply(s, "250 2.0.0 Ok");
        junk(s);
        break;
    case C_VRFY:
        if (s->cfg->vrfy_disabled) {
            smtpd_reply(s, "502 5.5.1 VRFY command is disabled");
            count_error(s);
        } else if (!*arg) {
            smtpd_reply(s, "501 5.5.4 Syntax: VRFY address%s", s->cfg->smtputf8 ? " [SMTPUTF8]" : "");
            count_error(s);
        } else {
            smtpd_reply(s, "252 2.0.0 %s", arg);
        }
        junk(s);
        break;
    case C_ETRN:
        cmd_etrn(s, arg);
        junk(s);
        break;
    case C_QUIT:
        smtpd_reply(s, "221 2.0.0 Bye");
        s->closing_after = 1;
        break;
    case C_AUTH:
        smtpd_reply(s, "503 5.5.1 Error: authentication not enabled");
        count_error(s);
        break;
    case C_XCLIENT:
    case C_XFORWARD:   /* no client is authorized for them (smtpd_authorized_*_hosts) */
        smtpd_reply(s, "550 5.7.0 Error: insufficient authorization");
        count_error(s);
        break;
    case C_STARTTLS:
    case C_BDAT:
        smtpd_reply(s, "502 5.5.1 Error: command not implemented");
        count_error(s);
        break;
    default:
        smtpd_reply(s, "500 5.5.2 Error: command not recognized");
        count_error(s);
        break;
    }
}

void smtpd_command(smtpd_session *s, char *line, size_t len)
{
    static const char *const names[] = {
        [C_EHLO] = "EHLO", [C_HELO] = "HELO", [C_MAIL] = "MAIL", [C_RCPT] = "RCPT",
        [C_DATA] = "DATA", [C_BDAT] = "BDAT", [C_RSET] = "RSET", [C_NOOP] = "NOOP",
        [C_VRFY] = "VRFY", [C_ETRN] = "ETRN", [C_QUIT] = "QUIT", [C_AUTH] = "AUTH",
        [C_STARTTLS] = "STARTTLS", [C_XCLIENT] = "XCLIENT", [C_XFORWARD] = "XFORWARD",
        [C_UNKNOWN] = "UNKNOWN",
    };
    (void)len;   /* a NUL ends the command, as it does for Postfix's smtpd */
    while (is_ws(*line))
        line++;
    s->ncommands++;
    if (s->cfg->smtputf8 && !valid_utf8((const unsigned char *)line)) {
        s->count[C_UNKNOWN]++;
        s->last_cmd = names[C_UNKNOWN];
        smtpd_reply(s, "500 5.5.2 Error: bad UTF-8 syntax");
        count_error(s);
        return;
    }
    char *sp = line + strcspn(line, WS);
    char *arg = *sp ? sp + 1 : sp;
    *sp = 0;
    while (is_ws(*arg))
        arg++;
    size_t al = strlen(arg);
    while (al && is_ws(arg[al - 1]))
        arg[--al] = 0;
    int id = C_UNKNOWN;
    for (int i = 0; i < C_UNKNOWN && *line; i++)
        if (strcasecmp(line, names[i]) == 0)
            id = i;
    s->count[id]++;
    s->last_cmd = names[id];
    if (!*line) {
        smtpd_reply(s, "500 5.5.2 Error: bad syntax");
        count_error(s);
        return;
    }
    if (id == C_UNKNOWN && forbidden(line)) {
        mlog(LOG_WARNING, "non-SMTP command from %s: %.100s%s%.100s", s->peer, line, *arg ? " " : "",
             arg);
        smtpd_reply(s, "221 2.7.0 Error: I can break rules, too. Goodbye.");
        s->closing_after = 1;
        return;
    }
    size_t before = s->out.len;
    dispatch(s, id, arg);
    /* succeeded: its (first) reply is 2xx or 3xx; DATA counts at its end */
    if (id != C_DATA && s->out.len > before && (s->out.s[before] == '2' || s->out.s[before] == '3')) {
        s->ok[id]++;
        s->nok++;
    }
}
