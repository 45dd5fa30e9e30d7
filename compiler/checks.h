/* checks.h: the verifier's checks, one group per file (check_*.c). Each
 * takes a loaded configuration and adds diagnostics to it. */
#ifndef COMPILER_CHECKS_H
#define COMPILER_CHECKS_H
#include "compiler/config.h"

void run_checks(config *c);               /* checks.c: all of them, in order */
void check_duplicates(config *c);        /* check_main.c */
void check_master(config *c);            /* check_master.c: master-cf */

#endif
