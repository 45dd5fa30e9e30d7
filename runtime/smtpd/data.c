/* data.c: the message after DATA: lines with dot-stuffing undone,
 * pieces of overlong lines, message_size_limit, the content checks of
 * stdlib/content (the same code as `mtacc simulate --message`), the
 * end-of-data decision, and the hand-over to the queue's group commit;
 * the 250 goes out only once the message is on disk. */
#include "runtime/log.h"
#include "runtime/smtpd/smtpd.h"
#include "stdlib/util/alloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Content as cleanup passes it on: into the queue file; the Message-ID
 * is noted for the log. */
static void content_out(void *arg, const char *line, size_t len, int more)
{
    smtpd_session *s = arg;
    if (!s->msgid && !s->in_body && len > 11 && strncasecmp(line, "Message-ID:", 11) == 0) {
        const char *v = line + 11;
        size_t n = len - 11;
        while (n && (*v == ' ' || *v == '\t'))
            v++, n--;
        s->msgid = xstrndup(v, n);
    }
    if (len == 0 && !more)
        s->in_body = 1;  /* the headers ended */
    if (s->too_big || s->write_failed)
        return;
    if (qs_msg_line(s->msg, line, len, more) != 0)
        s->write_failed = 1;
}

void smtpd_data_start(smtpd_session *s)
{
    smtpd_worker *w = s->w;
    const char **rcpts = xmalloc((s->nrcpts + 1) * sizeof *rcpts);
    for (size_t i = 0; i < s->nrcpts; i++)
        rcpts[i] = s->rcpts[i].addr;
    cnt_info info = {
        .queue_id = s->queue_id, .sender = s->sender, .rcpts = rcpts, .nrcpts = s->nrcpts,
        .client_name = s->name, .client_addr = s->addr,
        .local_client = pol_local_header_rewrite(&s->pol),
        .arrival = time(NULL),
    };
    s->in_body = 0;
    s->cnt = cnt_new(&w->gen.pi, s->cfg->svc, &info, content_out, s);
    s->state = SS_DATA;
    s->in_line = 0;
    s->crlf_before = 1;    /* the DATA command's own line end */
    s->bare_lf = 0;
    s->data_size = 0;
    /* headers PREPENDed by access decisions come first, then smtpd's
     * Received: header (Postfix's order), all through the same checks */
    for (size_t i = 0; i < s->nfx; i++)
        if (s->fx[i].kind == POL_FX_PREPEND && s->fx[i].text)
            cnt_line(s->cnt, s->fx[i].text, strlen(s->fx[i].text), 0);
    strbuf rcv;
    sb_init(&rcv);
    const char *proto = s->smtputf8 ? "UTF8SMTP" : s->esmtp ? "ESMTP" : "SMTP";
    cnt_received(&info, s->helo, s->cfg->myhostname, s->cfg->mail_name, proto, &rcv);
    free(rcpts);
    const char *p = sb_str(&rcv);
    for (;;) {
        size_t n = strcspn(p, "\n");
        cnt_line(s->cnt, p, n, 0);
        if (!p[n])
            break;
        p += n + 1;
    }
    sb_free(&rcv);
    cnt_begin_client(s->cnt);
}

static void committed(void *arg, int status, const char *why)
{
    smtpd_session *s = arg;
    s->msg = NULL;                 /* the store freed it */
    smtpd_data_counted(s, status == 0);
    if (status == 0) {
        smtpd_reply(s, "250 2.0.0 Ok: queued as %s", s->queue_id);
        if (s->msgid)
            mlog(LOG_INFO, "%s: message-id=%s", s->queue_id, s->msgid);
        s->w->args->stats->messages_accepted++;
        s->w->args->stats->recipients_accepted += s->nrcpts;
    } else {
        mlog(LOG_WARNING, "%s: queue file write error: %s", s->queue_id, why ? why : "?");
        smtpd_reply(s, "451 4.3.0 Error: queue file write error");
    }
    smtpd_reset(s);
    s->state = SS_CMD;
    s->deadline = time(NULL) + s->cfg->timeout;
    s->w->commits--;
    (void)smtpd_session_input(s);
}

/* The effects kept with the message (PREPEND of the session's decisions
 * is already a header of it: skip_prepend). */
static void record_fx(smtpd_session *s, const pol_effect *fx, size_t n, int *hold, int skip_prepend)
{
    for (size_t i = 0; i < n; i++) {
        if (fx[i].kind == POL_FX_WARN || fx[i].kind == POL_FX_INFO ||
            (skip_prepend && fx[i].kind == POL_FX_PREPEND))
            continue;
        if (fx[i].kind == POL_FX_HOLD)
            *hold = 1;
        qs_msg_attr(s->msg, pol_effect_name(fx[i].kind), fx[i].text ? fx[i].text : "");
    }
}

static void log_content(smtpd_session *s, const char *what, const cnt_result *res,
                        const char *text)
{
    mlog(LOG_INFO, "%s: %s: %s %s from %s; from=<%s>%s%s%s proto=%s helo=<%s>%s%s", s->queue_id, what,
         res->stage ? res->stage : "header", res->matched.s ? res->matched.s : "", s->peer,
         s->sender, s->nrcpts == 1 ? " to=<" : "", s->nrcpts == 1 ? s->rcpts[0].addr : "",
         s->nrcpts == 1 ? ">" : "", s->esmtp ? "ESMTP" : "SMTP", s->helo ? s->helo : "",
         text && *text ? ": " : "", text ? text : "");
}

void smtpd_end_of_data(smtpd_session *s)
{
    cnt_end(s->cnt);
    const cnt_result *res = cnt_result_of(s->cnt);
    s->pol.size = s->data_size;
    if (s->too_big) {
        mlog(LOG_INFO, "%s: reject: size %llu from %s: 552 5.3.4 Message size exceeds fixed limit",
             s->queue_id, s->data_size, s->peer);
        smtpd_reply(s, "552 5.3.4 Message size exceeds fixed limit");
        smtpd_reset(s);
        s->state = SS_CMD;
        return;
    }
    if (s->write_failed) {
        mlog(LOG_WARNING, "%s: queue file write error: %s", s->queue_id,
             qs_msg_error(s->msg) ? qs_msg_error(s->msg) : "?");
        smtpd_reply(s, "451 4.3.0 Error: queue file write error");
        smtpd_reset(s);
        s->state = SS_CMD;
        return;
    }
    if (s->bare_lf && s->bare_mode == SMTPD_BARE_REJECT) {
        mlog(LOG_INFO, "%s: bare <LF> received from %s", s->queue_id, s->peer);
        smtpd_reply(s, "%d 5.5.2 Error: bare <LF> received", s->cfg->bare_reject_code);
        smtpd_reset(s);
        s->state = SS_CMD;
        return;
    }
    if (res->verdict == POL_REJECT || res->verdict == POL_DEFER) {
        log_content(s, "reject", res, sb_str((strbuf *)&res->text));
        smtpd_reply(s, "%d %s", res->code, res->text.s ? res->text.s : "");
        smtpd_reset(s);
        s->state = SS_CMD;
        return;
    }
    for (size_t i = 0; i < res->nfx; i++)
        log_content(s, pol_effect_name(res->fx[i].kind), res, res->fx[i].text);
    pol_reply r;
    pol_reply_init(&r);
    pol_end_of_data(&s->pol, &r);
    if (r.code != 250) {
        smtpd_log_reject(s, "END-OF-MESSAGE", &r, s->nrcpts == 1 ? s->rcpts[0].addr : NULL);
        smtpd_reply_pol(s, &r);
        pol_reply_free(&r);
        smtpd_reset(s);
        s->state = SS_CMD;
        return;
    }
    smtpd_log_fx(s, "END-OF-MESSAGE", &r, s->nrcpts == 1 ? s->rcpts[0].addr : NULL);
    int hold = 0;
    record_fx(s, s->fx, s->nfx, &hold, 1);
    record_fx(s, r.fx, r.nfx, &hold, 0);
    record_fx(s, res->fx, res->nfx, &hold, 1);
    pol_reply_free(&r);
    for (size_t i = 0; i < s->nrcpts; i++)
        qs_msg_rcpt(s->msg, s->rcpts[i].addr, s->rcpts[i].orcpt, s->rcpts[i].notify);
    char size[32];
    snprintf(size, sizeof size, "%llu", s->data_size);
    qs_msg_attr(s->msg, "message_size", size);
    if (qs_msg_error(s->msg)) {
        mlog(LOG_WARNING, "%s: queue file write error: %s", s->queue_id, qs_msg_error(s->msg));
        smtpd_reply(s, "451 4.3.0 Error: queue file write error");
        smtpd_reset(s);
        s->state = SS_CMD;
        return;
    }
    s->state = SS_COMMIT;
    s->w->commits++;
    qmsg *m = s->msg;
    qs_msg_commit(m, hold ? QS_HOLD : QS_INCOMING, committed, s);
}

int smtpd_data_line(smtpd_session *s, const char *line, size_t len, int more, int crlf)
{
    if (!s->in_line) {
        /* the end: "." alone; under smtpd_forbid_bare_newline only
         * <CR><LF>.<CR><LF> ends the message (no SMTP smuggling) */
        if (len == 1 && line[0] == '.' && !more &&
            (s->bare_mode == SMTPD_BARE_ALLOW || (crlf && s->crlf_before))) {
            return 1;      /* the caller runs smtpd_end_of_data (on a fiber) */
        }
        if (len && line[0] == '.') {   /* dot-stuffing */
            line++;
            len--;
        }
    }
    s->in_line = more;
    if (!more) {
        s->crlf_before = crlf;
        if (!crlf)
            s->bare_lf = 1;
    }
    s->data_size += len + (more ? 0 : 1);
    if (s->cfg->size_limit > 0 && s->data_size > (unsigned long long)s->cfg->size_limit)
        s->too_big = 1;
    if (!s->too_big)
        cnt_line(s->cnt, line, len, more);
    return 0;
}
