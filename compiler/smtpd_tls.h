/* smtpd_tls.h: whether and how one smtpd service offers TLS, decided as
 * Postfix 3.7's smtpd decides it at start-up: smtpd_tls_wrappermode
 * forces TLS; otherwise a non-empty smtpd_tls_security_level wins over
 * the obsolete smtpd_use_tls / smtpd_enforce_tls; enforced TLS implies
 * smtpd_tls_auth_only; TLS works only with a server certificate (or
 * smtpd_tls_cert_file = none). Shared by tls-policy and sasl-cleartext. */
#ifndef COMPILER_SMTPD_TLS_H
#define COMPILER_SMTPD_TLS_H
#include "compiler/svcparam.h"

typedef struct stls_state {
    int         invalid;     /* smtpd_tls_security_level is no level: smtpd
                                stops (bad-value's); nothing else is set */
    int         wrapper;     /* smtpd_tls_wrappermode = yes */
    int         use;         /* STARTTLS offered (or wrapper mode) */
    int         enforce;     /* TLS required before mail (encrypt, enforce, wrapper) */
    int         auth_only;   /* AUTH only after TLS: smtpd_tls_auth_only or enforced */
    int         have_cert;   /* a certificate is configured (chain files, cert,
                                dcert, eccert) or smtpd_tls_cert_file = none */
    const char *level_param; /* the parameter that decided use/enforce */
    loc         level_at;    /* where it is written (LOC_NONE: a default) */
} stls_state;

void stls_of(svcparam *p, stls_state *st);

/* Is the service an smtpd that receives mail from the network (type
 * inet, or pass behind postscreen)? */
int  stls_network_smtpd(const master_service *svc);

/* Call fn for every network smtpd service of master.cf with its values
 * and TLS state, or once for main.cf alone (p->svc NULL: as Postfix's
 * stock smtp service sees it) without master.cf. */
typedef void (*stls_fn)(config *c, svcparam *p, const stls_state *st, void *ctx);
void stls_each(config *c, stls_fn fn, void *ctx);
/* The same with a fresh svp_once (svcparam.h) as ctx, for checks that
 * report a shared setting once. */
void stls_each_once(config *c, stls_fn fn);

#endif
