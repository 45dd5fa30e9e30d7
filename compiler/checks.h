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

#endif
