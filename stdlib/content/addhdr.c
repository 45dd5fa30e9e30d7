/* addhdr.c: the headers cleanup(8) adds at the end of the primary headers
 * when they are missing, for clients that match local_header_rewrite_clients
 * (or always, with always_add_missing_headers): Message-Id:
 * <YYYYMMDDHHMMSS.QUEUEID@myhostname> (UTC), Date: (the arrival time in
 * the local zone, "Sun,  2 Nov 2026 07:47:35 +0000 (UTC)"), From: (the
 * envelope sender, MAILER-DAEMON for <>), in that order; the Resent-
 * forms instead when the message has any Resent- header; and
 * $undisclosed_recipients_header when it names no recipient (To:, Cc:,
 * Resent-To:, Resent-Cc:; Bcc: does not count). */
#include "stdlib/content/internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void add(cnt_ctx *c, strbuf *b)
{
    cnt_emit(c, b->s, b->len, 0);
    c->res.headers_added++;
    sb_clear(b);
}

static const char *text_of(const cnt_ctx *c, const char *name)
{
    const img_param *p = cnt_param(c, name);
    return p ? img_str(c->im, p->text) : "";
}

void cnt_add_missing(cnt_ctx *c)
{
    if (!c->add_headers)
        return;
    int resent = (c->seen & CNT_H_RESENT) != 0;
    const char *pre = resent ? "Resent-" : "";
    unsigned msgid = resent ? CNT_H_RMSGID : CNT_H_MSGID, date = resent ? CNT_H_RDATE : CNT_H_DATE;
    unsigned from = resent ? CNT_H_RFROM : CNT_H_FROM;
    unsigned rcpt = CNT_H_RTO | CNT_H_RCC | CNT_H_TO | CNT_H_CC;   /* any of them (oracle) */
    time_t t = c->info.arrival ? c->info.arrival : time(NULL);
    struct tm tm;
    char buf[128];
    strbuf b;
    sb_init(&b);
    if (!(c->seen & msgid)) {
        gmtime_r(&t, &tm);
        strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
        sb_addf(&b, "%sMessage-Id: <%s.%s@%s>", pre, buf, c->info.queue_id,
                text_of(c, "myhostname"));
        add(c, &b);
    }
    if (!(c->seen & date)) {
        sb_addf(&b, "%sDate: ", pre);
        cnt_date(t, &b);
        add(c, &b);
    }
    if (!(c->seen & from)) {
        sb_addf(&b, "%sFrom: %s", pre, *c->info.sender ? c->info.sender : "MAILER-DAEMON");
        add(c, &b);
    }
    const char *undisclosed = text_of(c, "undisclosed_recipients_header");
    if (!(c->seen & rcpt) && *undisclosed) {
        sb_adds(&b, undisclosed);
        add(c, &b);
    }
    sb_free(&b);
}
