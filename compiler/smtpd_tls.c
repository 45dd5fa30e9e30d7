/* smtpd_tls.c: the TLS state of an smtpd service (see smtpd_tls.h). */
#include "compiler/smtpd_tls.h"

#include <string.h>
#include <strings.h>

void stls_of(svcparam *p, stls_state *st)
{
    memset(st, 0, sizeof *st);
    st->wrapper = svp_bool(p, "smtpd_tls_wrappermode");
    const char *level = svp_get(p, "smtpd_tls_security_level");
    if (st->wrapper) {
        st->level_param = "smtpd_tls_wrappermode";
        st->use = st->enforce = 1;
    } else if (*level) {
        st->level_param = "smtpd_tls_security_level";
        /* smtpd knows none, may and encrypt; stronger client-side levels
         * (dane, verify, secure, ...) run as encrypt with a warning */
        static const char *const stronger[] = { "encrypt", "dane", "dane-only", "fingerprint",
                                                "verify", "secure", NULL };
        int known = 0;
        for (int i = 0; stronger[i]; i++)
            known |= strcasecmp(level, stronger[i]) == 0;
        if (strcasecmp(level, "may") == 0)
            st->use = 1;
        else if (known)
            st->use = st->enforce = 1;
        else if (strcasecmp(level, "none") != 0)
            st->invalid = 1;   /* smtpd stops: "Invalid TLS level" (bad-value) */
    } else {
        st->enforce = svp_bool(p, "smtpd_enforce_tls");
        st->use = st->enforce || svp_bool(p, "smtpd_use_tls");
        st->level_param = st->enforce ? "smtpd_enforce_tls"
                          : st->use   ? "smtpd_use_tls"
                                      : "smtpd_tls_security_level";
    }
    st->level_at = svp_where(p, st->level_param);
    st->auth_only = svp_bool(p, "smtpd_tls_auth_only") || st->enforce;
    const char *cert = svp_get(p, "smtpd_tls_cert_file");
    st->have_cert = *svp_get(p, "smtpd_tls_chain_files") || *cert ||
                    *svp_get(p, "smtpd_tls_dcert_file") || *svp_get(p, "smtpd_tls_eccert_file");
}

int stls_network_smtpd(const master_service *svc)
{
    const char *type = svc->field[MS_TYPE].text;
    return strcmp(svc->field[MS_COMMAND].text, "smtpd") == 0 &&
           (strcmp(type, "inet") == 0 || strcmp(type, "pass") == 0);
}

static void visit(config *c, const master_service *svc, stls_fn fn, void *ctx)
{
    svcparam p;
    svp_init(&p, c, svc, NULL, NULL);
    stls_state st;
    stls_of(&p, &st);
    fn(c, &p, &st, ctx);
    svp_free(&p);
}

void stls_each(config *c, stls_fn fn, void *ctx)
{
    if (c->master_file < 0)
        visit(c, NULL, fn, ctx);
    for (size_t i = 0; i < c->master.n; i++)
        if (stls_network_smtpd(&c->master.v[i]))
            visit(c, &c->master.v[i], fn, ctx);
}

void stls_each_once(config *c, stls_fn fn)
{
    svp_once once = { 0 };
    stls_each(c, fn, &once);
    svp_once_free(&once);
}
