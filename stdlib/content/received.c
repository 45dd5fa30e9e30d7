/* received.c: the Received: header smtpd puts before the client's
 * content, in Postfix 3.7's form:
 *     Received: from HELO (NAME [ADDR])
 *             by MYHOSTNAME (MAIL_NAME) with PROTOCOL id QUEUEID
 *             for <RCPT>; DATE
 * ("for" only with one recipient; HELO is the client name when the client
 * sent none). Folded lines are separated by "\n", tabs before the
 * continuations, the date as cleanup writes Date: headers; an IPv6
 * client as [IPv6:2001:db8::1]. */
#include "stdlib/content/content.h"

#include <string.h>
#include <time.h>

void cnt_date(time_t t, strbuf *out)
{
    struct tm tm;
    char buf[64], zone[64];
    localtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%a, %e %b %Y %H:%M:%S", &tm);
    strftime(zone, sizeof zone, "%Z", &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    sb_addf(out, "%s %c%02ld%02ld (%s)", buf, sign, off / 60, off % 60, zone);
}

void cnt_received(const cnt_info *info, const char *helo, const char *myhostname,
                  const char *mail_name, const char *protocol, strbuf *out)
{
    const char *name = *info->client_name ? info->client_name : "unknown";
    /* several recipients: no "for", and the id ends the clause (";") */
    const char *v6 = strchr(info->client_addr, ':') ? "IPv6:" : "";
    sb_addf(out, "Received: from %s (%s [%s%s])\n\tby %s (%s) with %s id %s%s\n\t",
            helo && *helo ? helo : name, name, v6, info->client_addr, myhostname, mail_name,
            protocol, info->queue_id, info->nrcpts == 1 ? "" : ";");
    if (info->nrcpts == 1)
        sb_addf(out, "for <%s>; ", info->rcpts[0]);
    cnt_date(info->arrival, out);
}
