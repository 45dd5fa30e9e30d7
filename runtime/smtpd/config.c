/* config.c: the settings of one smtpd service, read once per image
 * generation from the image (the service's -o values applied), so a
 * session never looks a parameter up by name on its hot path. */
#include "runtime/smtpd/smtpd.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const img_param *param(const img *im, const img_service *svc, const char *name)
{
    return svc ? img_service_param(im, svc, name) : img_param_find(im, name);
}

static long long num(const img *im, const img_service *svc, const char *name, long long dflt)
{
    const img_param *p = param(im, svc, name);
    if (!p)
        return dflt;
    if (p->kind == IMG_PK_BOOL || p->kind == IMG_PK_INT || p->kind == IMG_PK_TIME)
        return p->num;
    const char *t = img_str(im, p->text);
    return *t ? strtoll(t, NULL, 10) : dflt;
}

static const char *str(const img *im, const img_service *svc, const char *name,
                       const char *dflt)
{
    const img_param *p = param(im, svc, name);
    return p ? img_str(im, p->text) : dflt;
}

/* smtpd_discard_ehlo_keywords: names, case-insensitive, separated by
 * spaces or commas; "silent-discard" keeps it out of the log. */
static int ehlo_off(const char *v)
{
    static const struct { const char *name; int bit; } kw[] = {
        {"pipelining", SMTPD_EHLO_PIPELINING}, {"size", SMTPD_EHLO_SIZE},
        {"vrfy", SMTPD_EHLO_VRFY}, {"etrn", SMTPD_EHLO_ETRN},
        {"enhancedstatuscodes", SMTPD_EHLO_ENHANCED}, {"8bitmime", SMTPD_EHLO_8BITMIME},
        {"dsn", SMTPD_EHLO_DSN}, {"smtputf8", SMTPD_EHLO_SMTPUTF8},
        {"silent-discard", SMTPD_EHLO_SILENT},
    };
    int off = 0;
    while (*v) {
        size_t n = strcspn(v, " \t,\n");
        for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
            if (n == strlen(kw[i].name) && strncasecmp(v, kw[i].name, n) == 0)
                off |= kw[i].bit;
        v += n;
        v += strspn(v, " \t,\n");
    }
    return off;
}

void smtpd_cfg_load(smtpd_cfg *c, const img *im, const img_service *svc)
{
    memset(c, 0, sizeof *c);
    c->svc = svc;
    c->myhostname = str(im, svc, "myhostname", "localhost");
    c->mail_name = str(im, svc, "mail_name", "Postfix");
    c->line_limit = num(im, svc, "line_length_limit", 2048);
    if (c->line_limit < 512)
        c->line_limit = 512;       /* Postfix's floor for SMTP lines */
    c->size_limit = num(im, svc, "message_size_limit", 10240000);
    c->rcpt_limit = num(im, svc, "smtpd_recipient_limit", 1000);
    c->timeout = num(im, svc, "smtpd_timeout", 300);
    if (c->timeout < 1)
        c->timeout = 1;
    c->soft_errors = num(im, svc, "smtpd_soft_error_limit", 10);
    c->hard_errors = num(im, svc, "smtpd_hard_error_limit", 20);
    c->error_sleep = num(im, svc, "smtpd_error_sleep_time", 1);
    c->junk_limit = num(im, svc, "smtpd_junk_command_limit", 100);
    c->conn_limit = num(im, svc, "smtpd_client_connection_count_limit", 50);
    c->vrfy_disabled = (int)num(im, svc, "disable_vrfy_command", 0);
    c->smtputf8 = (int)num(im, svc, "smtputf8_enable", 1);
    c->peername_lookup = (int)num(im, svc, "smtpd_peername_lookup", 1);
    c->ehlo_off = ehlo_off(str(im, svc, "smtpd_discard_ehlo_keywords", ""));
}
