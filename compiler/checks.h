/* checks.h: the verifier's checks, one group per file (check_*.c). Each
 * takes a loaded configuration and adds diagnostics to it. */
#ifndef COMPILER_CHECKS_H
#define COMPILER_CHECKS_H
#include "compiler/config.h"

void run_checks(config *c);               /* checks.c: all of them, in order */
void check_duplicates(config *c);        /* check_main.c */
void check_values(config *c);            /* check_values.c: bad-value */
void check_hostname(config *c);          /* check_values.c: hostname */
void check_params(config *c);            /* check_params.c: unknown-parameter, undefined-variable, expansion-loop */
void check_master(config *c);            /* check_master.c: master-cf */
void check_tables(config *c);            /* check_tables.c: every referenced table */
void check_tls_files(config *c);         /* check_tls_files.c: tls-files */
void check_tls_expiry(config *c);        /* check_tls_expiry.c: tls-expiry */
void check_tls_policy(config *c);        /* check_tls_policy.c: tls-policy */
void check_sasl(config *c);              /* check_sasl.c: sasl-cleartext */
void check_deprecated(config *c);        /* check_deprecated.c: deprecated (parameters) */
void check_compat_level(config *c);      /* check_compat.c: compat-level */
/* The compatibility level of Postfix release version (NULL: 3.7, the
 * release mtacc follows) in *level: 0 with *level set, -1 when version is
 * not "major.minor[.patch]", -2 when it is newer than 3.7. */
int  compat_target_level(const char *version, const char **level);

#endif
