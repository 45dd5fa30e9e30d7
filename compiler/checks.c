/* checks.c: runs every check in a fixed order. */
#include "compiler/checks.h"
#include "compiler/verify/verify.h"

void run_checks(config *c)
{
    check_duplicates(c);
    check_values(c);
    check_hostname(c);
    check_params(c);
    check_master(c);
    check_tables(c);
    check_tls_files(c);
    check_tls_expiry(c);
    check_tls_policy(c);
    check_sasl(c);
    check_deprecated(c);
    check_compat_level(c);
    verify_checks(c);   /* the configuration as mtad will run it */
}
