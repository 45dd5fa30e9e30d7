/* check_tls_policy.c: tls-policy. TLS settings of the smtpd services
 * (compiler/smtpd_tls.h) that defeat their purpose:
 *   - TLS required on the public SMTP port: the port-25 smtpd (or the
 *     smtpd behind a port-25 postscreen) of a host that listens beyond
 *     loopback with smtpd_tls_security_level = encrypt (or the obsolete
 *     smtpd_enforce_tls = yes, or wrapper mode): mail from servers
 *     without STARTTLS bounces (RFC 3207 forbids this for a
 *     publicly-referenced server);
 *   - smtpd_tls_auth_only = yes on a service with SASL on and TLS off:
 *     AUTH is never offered, nobody can log in;
 *   - TLS on without a certificate: Postfix logs "No server certs
 *     available. TLS won't be enabled". */
#include "compiler/checks.h"
#include "compiler/listen.h"
#include "compiler/smtpd_tls.h"

#include <string.h>

/* The smtpd that takes over the connections of a postscreen service:
 * the pass service named by postscreen's smtpd_service_name. */
static const master_service *behind_postscreen(config *c, const master_service *ps)
{
    svcparam p;
    svp_init(&p, c, ps, NULL, NULL);
    const char *name = svp_get(&p, "smtpd_service_name");
    const master_service *r = mastercf_find(&c->master, name, "pass");
    svp_free(&p);
    return r;
}

/* Is svc the smtpd that answers the public SMTP port? */
static int public_mx(config *c, const master_service *svc)
{
    if (!svc)
        return 1;   /* no master.cf: Postfix's stock smtp service */
    for (size_t i = 0; i < c->master.n; i++) {
        const master_service *s = &c->master.v[i];
        if (strcmp(s->field[MS_TYPE].text, "inet") != 0 || !listen_smtp_port(s->field[MS_NAME].text))
            continue;
        const char *cmd = s->field[MS_COMMAND].text;
        const master_service *smtpd = strcmp(cmd, "smtpd") == 0       ? s
                                      : strcmp(cmd, "postscreen") == 0 ? behind_postscreen(c, s)
                                                                       : NULL;
        if (smtpd != svc)
            continue;
        svcparam p;
        svp_init(&p, c, s, NULL, NULL);
        int pub = !listen_loopback_only(s->field[MS_NAME].text, svp_get(&p, "inet_interfaces"));
        svp_free(&p);
        if (pub)
            return 1;
    }
    return 0;
}

/* One report per setting (and kind), with a note per service. */
static void report(svp_once *once, svcparam *p, config *c, loc at, const char *key,
                   const char *msg, const char *hint)
{
    if (svp_seen(once, p, &c->d, DIAG_TLS_POLICY, at, key))
        return;
    diag *g = diag_add(&c->d, DIAG_TLS_POLICY, at, "%s", msg);
    svp_remember(once, p, &c->d, g, key);
    diag_hint(g, "%s", hint);
}

static void check_service(config *c, svcparam *p, const stls_state *st, void *ctx)
{
    if (st->invalid)
        return;
    char msg[512];
    const char *shown = st->wrapper ? "yes" : svp_get(p, st->level_param);
    if (st->enforce && public_mx(c, p->svc)) {
        snprintf(msg, sizeof msg, "%s = %s on the public SMTP port: mail from servers without "
                 "STARTTLS is refused", st->level_param, shown);
        report(ctx, p, c, st->level_at, "public", msg,
               "RFC 3207 forbids requiring TLS on a publicly-referenced MX: use \"may\" on port "
               "25 and require TLS on submission (-o smtpd_tls_security_level=encrypt)");
    }
    if (!st->use && svp_bool(p, "smtpd_tls_auth_only") && svp_bool(p, "smtpd_sasl_auth_enable"))
        report(ctx, p, c, svp_where(p, "smtpd_tls_auth_only"), "auth_only",
               "smtpd_tls_auth_only = yes where TLS is off: AUTH is never offered and SASL "
               "clients cannot log in",
               "turn TLS on (smtpd_tls_security_level = may or encrypt) or SASL off for this "
               "service");
    if (st->use && !st->have_cert) {
        snprintf(msg, sizeof msg, "%s = %s but no server certificate is configured: Postfix "
                 "runs without TLS (\"No server certs available\")", st->level_param, shown);
        report(ctx, p, c, st->level_at, "no_cert", msg,
               "set smtpd_tls_chain_files (or smtpd_tls_cert_file and smtpd_tls_key_file), or "
               "smtpd_tls_security_level = none");
    }
}

void check_tls_policy(config *c)
{
    stls_each_once(c, check_service);
}
