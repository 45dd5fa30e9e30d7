/* check_sasl.c: sasl-cleartext. An smtpd service that offers SASL AUTH
 * (smtpd_sasl_auth_enable = yes, with its -o values) without holding AUTH
 * back until TLS is on (smtpd_tls_auth_only = no and TLS not required)
 * lets clients send passwords in the clear, before STARTTLS or on a
 * service without TLS. Not reported: wrapper mode (TLS from the first
 * byte), services listening on loopback only, and
 * smtpd_sasl_security_options with noplaintext (PLAIN and LOGIN are not
 * offered before TLS then). */
#include "compiler/checks.h"
#include "compiler/listen.h"
#include "compiler/smtpd_tls.h"
#include "stdlib/util/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int has_word(const char *list, const char *word)
{
    size_t wl = strlen(word);
    for (const char *w = list; *w;) {
        w += strspn(w, ", \t");
        size_t l = strcspn(w, ", \t");
        if (l == wl && strncasecmp(w, word, wl) == 0)
            return 1;
        w += l;
    }
    return 0;
}

static void check_service(config *c, svcparam *p, const stls_state *st, void *ctx)
{
    svp_once *once = ctx;
    const master_service *svc = p->svc;
    loc at = svp_where(p, "smtpd_sasl_auth_enable");
    const char *key = st->use ? "before" : "without";
    if (st->invalid || !svp_bool(p, "smtpd_sasl_auth_enable") || st->wrapper || st->auth_only ||
        has_word(svp_get(p, "smtpd_sasl_security_options"), "noplaintext") ||
        (svc && strcmp(svc->field[MS_TYPE].text, "inet") == 0 &&
         listen_loopback_only(svc->field[MS_NAME].text, svp_get(p, "inet_interfaces"))) ||
        svp_seen(once, p, &c->d, DIAG_SASL_CLEARTEXT, at, key))
        return;
    diag *g = diag_add(&c->d, DIAG_SASL_CLEARTEXT, at,
                       st->use ? "SASL AUTH is offered before STARTTLS: passwords can be sent in "
                                 "the clear"
                               : "SASL AUTH is offered without TLS: passwords are sent in the "
                                 "clear");
    svp_remember(once, p, &c->d, g, key);
    diag_hint(g, st->use ? "set smtpd_tls_auth_only = yes (AUTH only after STARTTLS), or offer "
                           "AUTH only on submission with smtpd_tls_security_level = encrypt"
                         : "turn TLS on and set smtpd_tls_auth_only = yes, or turn AUTH off here "
                           "and offer it on submission (port 587) with "
                           "smtpd_tls_security_level = encrypt");
}

void check_sasl(config *c)
{
    stls_each_once(c, check_service);
}
