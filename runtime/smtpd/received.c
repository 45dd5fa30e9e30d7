/* received.c: the Received: header smtpd puts at the top of every
 * message, in Postfix's form:
 *
 *   Received: from HELO (NAME [ADDR])
 *           by MYHOSTNAME (MAIL_NAME) with ESMTP id QUEUEID
 *           for <RCPT>; Sun, 22 Nov 2026 07:43:33 +0000 (UTC)
 *
 * "for <RCPT>" only with a single recipient; IPv6 addresses as
 * "IPv6:2001:db8::1". Lines are separated by "\n" in out. */
#include "runtime/smtpd/smtpd.h"
#include <string.h>
#include <time.h>

void smtpd_received(smtpd_session *s, strbuf *out)
{
    const char *v6 = strchr(s->addr, ':') ? "IPv6:" : "";
    sb_addf(out, "Received: from %s (%s [%s%s])\n", s->helo ? s->helo : s->name, s->name, v6,
            s->addr);
    const char *proto = s->smtputf8 ? (s->esmtp ? "UTF8SMTP" : "UTF8SMTP") : s->esmtp ? "ESMTP" : "SMTP";
    sb_addf(out, "\tby %s (%s) with %s id %s", s->cfg->myhostname, s->cfg->mail_name, proto,
            s->queue_id);
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z (%Z)", &tm);
    if (s->nrcpts == 1)
        sb_addf(out, "\n\tfor <%s>; %s", s->rcpts[0].addr, date);
    else
        sb_addf(out, ";\n\t%s", date);
}
